/* hl-bound-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-bound-plot.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hl-line-chart.h"

/* The largest finite value of @n floats of @a and @b (either may be NULL). */
static double
largest (const float *a,
         const float *b,
         int          n,
         double       start)
{
  for (int i = 0; i < n; i++)
    {
      if (a != NULL && isfinite (a[i]))
        start = MAX (start, a[i]);
      if (b != NULL && isfinite (b[i]))
        start = MAX (start, b[i]);
    }
  return start;
}

/* The x range over both grids. */
static void
x_range (const HlBoundPlotData *data,
         double                *lo,
         double                *hi)
{
  *lo = G_MAXDOUBLE, *hi = 1;
  if (data->n_grid > 0)
    *lo = MIN (*lo, data->grid[0]), *hi = MAX (*hi, data->grid[data->n_grid - 1]);
  if (data->n_model > 0)
    *lo = MIN (*lo, data->model_grid[0]), *hi = MAX (*hi, data->model_grid[data->n_model - 1]);
  *lo = *lo == G_MAXDOUBLE ? 1 : MAX (1, *lo);
  *hi = MAX (*lo * 2, *hi);
}

void
hl_bound_plot_draw (const HlPlotStyle     *style,
                    const HlBoundPlotData *data,
                    cairo_t               *cr,
                    double                 width,
                    double                 height)
{
  g_autofree double *x = NULL, *residual = NULL, *bound = NULL;
  g_autofree double *mx = NULL, *mresidual = NULL, *mbound = NULL;
  g_autofree char *mark = NULL;
  HlLineSeries series[4];
  HlLineChart chart;
  HlRgba model_colour;
  const char *bound_label = _("mean bound B(1 − M<sub>N</sub>)");
  const char *residual_label = _("mean measured ‖o − s<sub>N</sub>‖");
  double x_lo, x_hi, y_hi;
  int n = 0;

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);
  g_return_if_fail (data->n_grid == 0 || data->grid != NULL);
  g_return_if_fail (data->n_model == 0 || data->model_grid != NULL);

  model_colour = style->accent;
  x = hl_line_chart_ints (data->grid, data->n_grid);
  residual = hl_line_chart_floats (data->residual, data->n_grid);
  bound = hl_line_chart_floats (data->bound, data->n_grid);
  mx = hl_line_chart_ints (data->model_grid, data->n_model);
  mresidual = hl_line_chart_floats (data->model_residual, data->n_model);
  mbound = hl_line_chart_floats (data->model_bound, data->n_model);
  hl_line_chart_init (&chart);
  /* The model's means beside a head are muted; alone, they are the figure. */
  if (data->n_grid > 0)
    {
      model_colour = style->muted;
      bound_label = _("model mean of the bound");
      residual_label = _("model mean, measured");
    }
  if (mbound != NULL)
    {
      series[n++] = (HlLineSeries) { data->n_model, mx, mbound, NULL, NULL, model_colour,
                                     HL_LINE_DASHED, data->n_grid == 0, 1.0 };
      hl_line_chart_add_legend (&chart, HL_LEGEND_DASHED, &model_colour, bound_label);
    }
  if (mresidual != NULL)
    {
      series[n++] = (HlLineSeries) { data->n_model, mx, mresidual, NULL, NULL, model_colour,
                                     HL_LINE_SOLID, data->n_grid == 0, 1.0 };
      hl_line_chart_add_legend (&chart, HL_LEGEND_LINE, &model_colour, residual_label);
    }
  if (bound != NULL)
    {
      series[n++] = (HlLineSeries) { data->n_grid, x, bound, NULL, NULL, style->accent,
                                     HL_LINE_DASHED, TRUE, 1.0 };
      hl_line_chart_add_legend (&chart, HL_LEGEND_DASHED, &style->accent,
                                _("bound B(1 − M<sub>N</sub>)"));
    }
  if (residual != NULL)
    {
      series[n++] = (HlLineSeries) { data->n_grid, x, residual, NULL, NULL, style->accent,
                                     HL_LINE_SOLID, TRUE, 1.0 };
      hl_line_chart_add_legend (&chart, HL_LEGEND_LINE, &style->accent,
                                _("measured ‖o − s<sub>N</sub>‖"));
    }
  x_range (data, &x_lo, &x_hi);
  y_hi = largest (data->residual, data->bound, data->n_grid, 0.0);
  y_hi = largest (data->model_residual, data->model_bound, data->n_model, y_hi);
  hl_plot_axis_init (&chart.frame.x, HL_PLOT_SCALE_LOG2, x_lo, x_hi, _("N (selected tokens)"));
  hl_plot_axis_init (&chart.frame.y, HL_PLOT_SCALE_LINEAR, 0.0, y_hi > 0.0 ? y_hi * 1.05 : 1.0,
                     _("norm of the discarded output"));
  chart.frame.title = data->title;
  chart.series = series;
  chart.n_series = n;
  chart.hline = NAN;
  if (data->chosen_n > 0)
    {
      mark = g_strdup_printf ("N = %d", data->chosen_n);
      chart.mark_x = data->chosen_n;
      chart.mark_label = mark;
    }
  hl_line_chart_draw (&chart, style, cr, width, height);
}
