/* test-line-chart.c: the layout of the chart behind every curve plot. Its
 * labels are measured and stay inside the figure: the chosen N's label at
 * the last N of the grid, and the longest legend in a narrow panel. The
 * legend covers no data: it takes a free spot in the data area, or goes
 * outside it when none is free.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "hl-line-chart.h"

#define N_GRID 11

typedef struct
{
  double      x[N_GRID];
  double      precision[N_GRID];
  double      recall[N_GRID];
  HlLineSeries series[2];
} Curves;

/* Precision rising and recall falling over N = 1, 2, 4, ..., 1024. */
static void
curves_init (Curves            *c,
             const HlPlotStyle *style)
{
  for (int i = 0; i < N_GRID; i++)
    {
      c->x[i] = 1 << i;
      c->precision[i] = (double) i / (N_GRID - 1);
      c->recall[i] = 1.0 - c->precision[i];
    }
  c->series[0] = (HlLineSeries) { N_GRID, c->x, c->precision, NULL, NULL, style->curve[0], HL_LINE_SOLID };
  c->series[1] = (HlLineSeries) { N_GRID, c->x, c->recall, NULL, NULL, style->curve[1], HL_LINE_SOLID };
}

static void
chart_init (HlLineChart       *chart,
            const Curves      *c,
            const HlPlotStyle *style)
{
  hl_line_chart_init (chart);
  hl_plot_axis_init (&chart->frame.x, HL_PLOT_SCALE_LOG2, 1, 1024, "N (selected tokens)");
  hl_plot_axis_init (&chart->frame.y, HL_PLOT_SCALE_LINEAR, 0, 1, "score");
  chart->series = c->series;
  chart->n_series = 2;
  chart->mark_x = 1024;
  chart->mark_label = "N = 1024";
}

static gboolean
box_inside (const cairo_rectangle_t *box,
            double                   width,
            double                   height)
{
  return box->width > 0 && box->height > 0 && box->x >= 0 && box->y >= 0 &&
         box->x + box->width <= width && box->y + box->height <= height;
}

static gboolean
boxes_meet (const cairo_rectangle_t *a,
            const cairo_rectangle_t *b)
{
  return a->x < b->x + b->width && b->x < a->x + a->width &&
         a->y < b->y + b->height && b->y < a->y + a->height;
}

static void
draw (HlLineChart       *chart,
      const HlPlotStyle *style,
      double             width,
      double             height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) width, (int) height);
  cairo_t *cr = cairo_create (surface);

  hl_line_chart_draw (chart, style, cr, width, height);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* "N = 1024" at the right end of the axis: the whole label is in the figure. */
static void
test_mark_label_inside (void)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_SCREEN);
  const double sizes[][2] = { { 480, 320 }, { 260, 220 }, { 1050.0 / 3, 375 } };
  Curves c;

  curves_init (&c, style);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      HlLineChart chart;

      chart_init (&chart, &c, style);
      draw (&chart, style, sizes[i][0], sizes[i][1]);
      g_assert_true (box_inside (&chart.mark_box, sizes[i][0], sizes[i][1]));
      /* Still over its line, as near as the edge allows. */
      g_assert_cmpfloat (chart.mark_box.x + chart.mark_box.width, >, chart.frame.right);
    }
}

/* The longest legend of the curve plots in a panel a third of a page wide
 * (the multi-panel export): every entry is in the figure, and the legend
 * leaves the mark's label free. */
static void
test_long_legend_inside (void)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_SCREEN);
  const double sizes[][2] = { { 480, 320 }, { 260, 220 }, { 1050.0 / 3, 375 } };
  Curves c;

  curves_init (&c, style);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      HlLineChart chart;
      double w, h;

      chart_init (&chart, &c, style);
      hl_line_chart_add_legend (&chart, HL_LEGEND_LINE, &style->curve[0], "P<sub>N</sub>  Precision");
      hl_line_chart_add_legend (&chart, HL_LEGEND_DASHED, &style->foreground, "random control");
      hl_line_chart_add_legend (&chart, HL_LEGEND_BAND, &style->muted, "95% bootstrap band over samples");
      draw (&chart, style, sizes[i][0], sizes[i][1]);
      hl_plot_legend_measure (style, chart.legend, chart.n_legend, &w, &h);
      g_assert_cmpfloat (chart.legend_box.width, ==, w);
      g_assert_true (box_inside (&chart.legend_box, sizes[i][0], sizes[i][1]));
      g_assert_false (boxes_meet (&chart.legend_box, &chart.mark_box));
    }
}

/* Data points under the legend: every point of every series and points
 * along each segment, in pixels of the laid-out frame. */
static int
data_under_legend (const HlLineChart *chart)
{
  const cairo_rectangle_t *b = &chart->legend_box;
  int hits = 0;

  for (int k = 0; k < chart->n_series; k++)
    {
      const HlLineSeries *s = &chart->series[k];

      for (int i = 0; i + 1 < s->n; i++)
        for (int j = 0; j <= 50; j++)
          {
            double t = j / 50.0;
            double x = hl_plot_axis_to_pixel (&chart->frame.x, s->x[i]) * (1 - t) +
                       hl_plot_axis_to_pixel (&chart->frame.x, s->x[i + 1]) * t;
            double y = hl_plot_axis_to_pixel (&chart->frame.y, s->y[i]) * (1 - t) +
                       hl_plot_axis_to_pixel (&chart->frame.y, s->y[i + 1]) * t;

            hits += x >= b->x && x <= b->x + b->width && y >= b->y && y <= b->y + b->height;
          }
    }
  return hits;
}

/* Precision rising and recall falling cover every corner: the legend takes
 * the free middle of an edge or goes outside, never over a curve. */
static void
test_legend_covers_no_curve (void)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_SCREEN);
  const double sizes[][2] = { { 480, 320 }, { 640, 300 }, { 1050.0 / 3, 375 } };
  Curves c;

  curves_init (&c, style);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      HlLineChart chart;

      chart_init (&chart, &c, style);
      hl_line_chart_add_legend (&chart, HL_LEGEND_LINE, &style->curve[0], "P<sub>N</sub>  Precision");
      hl_line_chart_add_legend (&chart, HL_LEGEND_LINE, &style->curve[1], "R<sub>N</sub>  Recall");
      draw (&chart, style, sizes[i][0], sizes[i][1]);
      g_assert_true (box_inside (&chart.legend_box, sizes[i][0], sizes[i][1]));
      g_assert_cmpint (data_under_legend (&chart), ==, 0);
    }
}

/* Lines at every height leave no free spot: the legend goes outside the
 * data area, beside it in a wide figure and above it in a narrow one. */
static void
test_legend_outside_when_full (void)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_SCREEN);
  const double sizes[][2] = { { 640, 320 }, { 260, 300 } };
  double x[2] = { 1, 1024 }, levels[9][2];
  HlLineSeries series[9];

  for (int k = 0; k < 9; k++)
    {
      levels[k][0] = levels[k][1] = (k + 0.5) / 9;
      series[k] = (HlLineSeries) { 2, x, levels[k], NULL, NULL, style->curve[k % 3], HL_LINE_SOLID };
    }
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      const HlPlotFrame *f;
      HlLineChart chart;
      const cairo_rectangle_t *b;

      hl_line_chart_init (&chart);
      hl_plot_axis_init (&chart.frame.x, HL_PLOT_SCALE_LOG2, 1, 1024, "N");
      hl_plot_axis_init (&chart.frame.y, HL_PLOT_SCALE_LINEAR, 0, 1, "score");
      chart.series = series;
      chart.n_series = 9;
      hl_line_chart_add_legend (&chart, HL_LEGEND_LINE, &style->curve[0], "P<sub>N</sub>  Precision");
      hl_line_chart_add_legend (&chart, HL_LEGEND_DASHED, &style->foreground, "random control");
      draw (&chart, style, sizes[i][0], sizes[i][1]);
      f = &chart.frame;
      b = &chart.legend_box;
      g_assert_true (box_inside (b, sizes[i][0], sizes[i][1]));
      g_assert_true (b->x >= f->right || b->y + b->height <= f->top);
      g_assert_cmpint (data_under_legend (&chart), ==, 0);
      /* Beside the data in the wide figure, above it in the narrow one. */
      g_assert_cmpint (b->x >= f->right, ==, i == 0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render/line-chart/mark-label-inside", test_mark_label_inside);
  g_test_add_func ("/render/line-chart/long-legend-inside", test_long_legend_inside);
  g_test_add_func ("/render/line-chart/legend-covers-no-curve", test_legend_covers_no_curve);
  g_test_add_func ("/render/line-chart/legend-outside-when-full", test_legend_outside_when_full);
  return g_test_run ();
}
