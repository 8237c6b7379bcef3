/* hl-causal-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-plot.h"

#include <math.h>

#include "hl-line-chart.h"

/* The range of every finite y, band and reference line, with 0 in it. */
static void
y_range (const HlCausalPlotData *data,
         double                 *lo,
         double                 *hi)
{
  *lo = 0.0;
  *hi = isfinite (data->tau) ? data->tau : 0.0;
  for (int s = 0; s < data->n_series; s++)
    {
      const HlCausalSeries *series = &data->series[s];

      for (int i = 0; i < series->n; i++)
        {
          const double values[3] = {
            series->y[i], series->lo != NULL ? series->lo[i] : NAN, series->hi != NULL ? series->hi[i] : NAN,
          };

          for (int k = 0; k < 3; k++)
            if (isfinite (values[k]))
              {
                *lo = MIN (*lo, values[k]);
                *hi = MAX (*hi, values[k]);
              }
        }
    }
  if (*hi - *lo < 1e-9)
    *hi = *lo + 1.0;
}

static void
x_range (const HlCausalPlotData *data,
         double                 *lo,
         double                 *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (int s = 0; s < data->n_series; s++)
    for (int i = 0; i < data->series[s].n; i++)
      {
        *lo = MIN (*lo, data->series[s].x[i]);
        *hi = MAX (*hi, data->series[s].x[i]);
      }
  if (!isfinite (*lo))
    *lo = data->log2_x ? 1.0 : 0.0, *hi = data->log2_x ? 2.0 : 1.0;
  if (data->log2_x)
    *lo = MAX (1.0, *lo), *hi = MAX (*lo * 2.0, *hi);
  else if (*hi - *lo < 1e-9)
    *hi = *lo + 1.0;
}

void
hl_causal_plot_draw (const HlPlotStyle      *style,
                     const HlCausalPlotData *data,
                     cairo_t                *cr,
                     double                  width,
                     double                  height)
{
  HlLineSeries lines[HL_CAUSAL_PLOT_MAX_SERIES];
  HlLineChart chart;
  double x_lo, x_hi, y_lo, y_hi;
  int n_series;

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);
  g_return_if_fail (data->n_series == 0 || data->series != NULL);

  n_series = MIN (data->n_series, HL_CAUSAL_PLOT_MAX_SERIES);
  hl_line_chart_init (&chart);
  for (int s = 0; s < n_series; s++)
    {
      const HlCausalSeries *series = &data->series[s];
      const HlRgba *color = &style->curve[s % HL_PLOT_STYLE_N_CURVE_COLORS];

      lines[s] = (HlLineSeries) { series->n, series->x, series->y, series->lo, series->hi, *color,
                                  series->dashed ? HL_LINE_DASHED : HL_LINE_SOLID, TRUE, 1.0 };
      if (series->label != NULL)
        hl_line_chart_add_legend (&chart, series->dashed ? HL_LEGEND_DASHED : HL_LEGEND_LINE_DOTS,
                                  color, series->label);
    }
  x_range (data, &x_lo, &x_hi);
  y_range (data, &y_lo, &y_hi);
  hl_plot_axis_init (&chart.frame.x, data->log2_x ? HL_PLOT_SCALE_LOG2 : HL_PLOT_SCALE_LINEAR,
                     x_lo, x_hi, data->x_label);
  hl_plot_axis_init (&chart.frame.y, HL_PLOT_SCALE_LINEAR, y_lo, y_hi, data->y_label);
  chart.frame.title = data->title;
  chart.series = lines;
  chart.n_series = n_series;
  chart.hline = data->tau;
  chart.mark_x = data->mark_x;
  chart.mark_label = data->mark_label;
  hl_line_chart_draw (&chart, style, cr, width, height);
}
