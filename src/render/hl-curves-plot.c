/* hl-curves-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-curves-plot.h"

#include <glib/gi18n.h>

#include "hl-line-chart.h"

/* "P", "R", "F" as Pango markup, and the metric's full name. */
static const char *
metric_symbol (HlCurveMetric metric)
{
  static const char *symbols[HL_N_CURVES] = { "P<sub>N</sub>", "R<sub>N</sub>", "F<sub>N</sub>" };

  g_return_val_if_fail (metric < HL_N_CURVES, NULL);
  return symbols[metric];
}

static const char *
metric_name (HlCurveMetric metric)
{
  static const char *names[HL_N_CURVES] = { N_("Precision"), N_("Recall"), N_("F1") };

  g_return_val_if_fail (metric < HL_N_CURVES, NULL);
  return _(names[metric]);
}

typedef struct
{
  HlLineSeries series[4 * HL_N_CURVES];
  int          n_series;
  GPtrArray   *arrays;   /* the double copies the series point to */
  GPtrArray   *strings;  /* legend labels */
} Builder;

static const double *
keep (Builder *b,
      double  *array)
{
  if (array != NULL)
    g_ptr_array_add (b->arrays, array);
  return array;
}

static void
add_series (Builder                *b,
            const HlCurvesPlotData *data,
            const double           *x,
            const float            *y,
            const float            *lo,
            const float            *hi,
            const HlRgba           *color,
            HlLineKind              line)
{
  b->series[b->n_series++] = (HlLineSeries) {
    .n = data->n_grid,
    .x = x,
    .y = keep (b, hl_line_chart_floats (y, data->n_grid)),
    .lo = lo != NULL && hi != NULL ? keep (b, hl_line_chart_floats (lo, data->n_grid)) : NULL,
    .hi = lo != NULL && hi != NULL ? keep (b, hl_line_chart_floats (hi, data->n_grid)) : NULL,
    .color = *color,
    .line = line,
  };
}

/* The y label names the metric when only one is drawn (a panel of P, R, F
 * side by side), and says "score" otherwise. */
static const char *
y_label (const HlCurvesPlotData *data)
{
  int count = 0, last = 0;

  for (int m = 0; m < HL_N_CURVES; m++)
    if (data->ranked[m] != NULL || data->random[m] != NULL || data->compared[m] != NULL)
      count++, last = m;
  if (count == 1)
    return metric_symbol (last);
  return _("score");
}

static void
add_legend (HlLineChart            *chart,
            Builder                *b,
            const HlPlotStyle      *style,
            const HlCurvesPlotData *data)
{
  gboolean any_random = FALSE, any_band = FALSE, any_compared = FALSE;

  for (int m = 0; m < HL_N_CURVES; m++)
    {
      if (data->ranked[m] != NULL)
        {
          char *label = g_strdup_printf ("%s  %s", metric_symbol (m), metric_name (m));

          g_ptr_array_add (b->strings, label);
          hl_line_chart_add_legend (chart, HL_LEGEND_LINE, &style->curve[m], label);
        }
      any_random |= data->random[m] != NULL;
      any_compared |= data->compared[m] != NULL;
      any_band |= data->band_lo[m] != NULL && data->band_hi[m] != NULL;
    }
  if (data->ranked_label != NULL)
    hl_line_chart_add_legend (chart, HL_LEGEND_LINE, &style->foreground, data->ranked_label);
  if (any_compared && data->compared_label != NULL)
    hl_line_chart_add_legend (chart, HL_LEGEND_DASHED, &style->foreground, data->compared_label);
  if (any_random)
    hl_line_chart_add_legend (chart, HL_LEGEND_DASHED, &style->foreground, _("random control"));
  if (any_band)
    hl_line_chart_add_legend (chart, HL_LEGEND_BAND, &style->muted,
                              data->band_label != NULL ? data->band_label : _("95% band"));
}

void
hl_curves_plot_draw (const HlPlotStyle      *style,
                     const HlCurvesPlotData *data,
                     cairo_t                *cr,
                     double                  width,
                     double                  height)
{
  g_autofree double *x = NULL;
  g_autofree char *mark = NULL;
  Builder b = { .n_series = 0 };
  HlLineChart chart;
  double x_min, x_max;

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);
  g_return_if_fail (data->n_grid == 0 || data->grid != NULL);

  b.arrays = g_ptr_array_new_with_free_func (g_free);
  b.strings = g_ptr_array_new_with_free_func (g_free);
  x = hl_line_chart_ints (data->grid, data->n_grid);
  for (int m = 0; m < HL_N_CURVES; m++)
    {
      HlRgba faded = style->curve[m];

      faded.alpha *= 0.85;
      if (data->random[m] != NULL)
        add_series (&b, data, x, data->random[m], NULL, NULL, &faded, HL_LINE_DASHED);
      if (data->compared[m] != NULL)
        add_series (&b, data, x, data->compared[m], NULL, NULL, &style->curve[m], HL_LINE_DASHED);
      if (data->ranked[m] != NULL)
        add_series (&b, data, x, data->ranked[m], data->band_lo[m], data->band_hi[m],
                    &style->curve[m], HL_LINE_SOLID);
    }

  hl_line_chart_init (&chart);
  x_min = data->n_grid > 0 ? MAX (1, data->grid[0]) : 1;
  x_max = data->n_grid > 0 ? MAX (x_min * 2, data->grid[data->n_grid - 1]) : 2;
  hl_plot_axis_init (&chart.frame.x, HL_PLOT_SCALE_LOG2, x_min, x_max, _("N (selected tokens)"));
  hl_plot_axis_init (&chart.frame.y, HL_PLOT_SCALE_LINEAR, 0.0, 1.0, y_label (data));
  chart.frame.title = data->title;
  chart.series = b.series;
  chart.n_series = b.n_series;
  if (data->chosen_n > 0)
    {
      chart.mark_x = data->chosen_n;
      mark = g_strdup_printf ("N = %d", data->chosen_n);
      chart.mark_label = mark;
    }
  add_legend (&chart, &b, style, data);
  hl_line_chart_draw (&chart, style, cr, width, height);
  g_ptr_array_unref (b.arrays);
  g_ptr_array_unref (b.strings);
}
