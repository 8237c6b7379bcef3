/* hl-correlation-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-correlation-plot.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hl-line-chart.h"

/* The index of the largest finite correlation, or -1: the marked peak. */
static int
highest_correlation (const HlCorrelationPlotData *data)
{
  int peak = -1;

  g_return_val_if_fail (data != NULL, -1);

  for (int i = 0; data->corr != NULL && i < data->n_grid; i++)
    if (isfinite (data->corr[i]) && (peak < 0 || data->corr[i] > data->corr[peak]))
      peak = i;
  return peak;
}

void
hl_correlation_plot_draw (const HlPlotStyle           *style,
                          const HlCorrelationPlotData *data,
                          cairo_t                     *cr,
                          double                       width,
                          double                       height)
{
  g_autofree double *x = NULL, *y = NULL, *lo = NULL, *hi = NULL;
  g_autofree char *peak_label = NULL;
  HlLineSeries series;
  HlLineChart chart;
  int peak;

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);
  g_return_if_fail (data->n_grid == 0 || data->grid != NULL);

  x = hl_line_chart_ints (data->grid, data->n_grid);
  y = hl_line_chart_floats (data->corr, data->n_grid);
  if (data->band_lo != NULL && data->band_hi != NULL)
    {
      lo = hl_line_chart_floats (data->band_lo, data->n_grid);
      hi = hl_line_chart_floats (data->band_hi, data->n_grid);
    }
  series = (HlLineSeries) { y != NULL ? data->n_grid : 0, x, y, lo, hi, style->curve[0],
                            HL_LINE_SOLID, TRUE, 1.0 };
  hl_line_chart_init (&chart);
  hl_plot_axis_init (&chart.frame.x, HL_PLOT_SCALE_LOG2,
                     data->n_grid > 0 ? MAX (1, data->grid[0]) : 1,
                     data->n_grid > 0 ? MAX (2, data->grid[data->n_grid - 1]) : 2,
                     _("N (selected tokens)"));
  hl_plot_axis_init (&chart.frame.y, HL_PLOT_SCALE_LINEAR, -1.0, 1.0,
                     "corr(R<sub>N</sub>, ρ<sub>0</sub>)");
  chart.frame.title = data->title;
  chart.series = &series;
  chart.n_series = 1;
  chart.hline = 0.0;
  peak = highest_correlation (data);
  if (peak >= 0)
    {
      chart.point_x = data->grid[peak];
      chart.point_y = data->corr[peak];
      peak_label = g_strdup_printf (_("peak at N = %d"), data->grid[peak]);
      chart.point_label = peak_label;
    }
  hl_line_chart_draw (&chart, style, cr, width, height);
}
