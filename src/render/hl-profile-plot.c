/* hl-profile-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-profile-plot.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hl-line-chart.h"

static void
y_range (const HlProfilePlotData *data,
         double                  *lo,
         double                  *hi)
{
  double min_pos = INFINITY, max = 0;

  for (int i = 0; i < data->n_positions; i++)
    if (isfinite (data->alpha[i]) && data->alpha[i] > 0)
      {
        min_pos = MIN (min_pos, data->alpha[i]);
        max = MAX (max, data->alpha[i]);
      }
  if (!(max > 0))
    max = 1, min_pos = 0.1;
  if (data->log_y)
    {
      /* Whole decades, so the axis starts and ends on a tick. */
      *lo = pow (10.0, floor (log10 (min_pos)));
      *hi = pow (10.0, ceil (log10 (max)));
      if (*hi <= *lo)
        *hi = *lo * 10;
    }
  else
    {
      *lo = 0;
      *hi = max;
    }
}

void
hl_profile_plot_draw (const HlPlotStyle       *style,
                      const HlProfilePlotData *data,
                      cairo_t                 *cr,
                      double                   width,
                      double                   height)
{
  g_autofree double *x = NULL, *y = NULL, *sel = NULL;
  g_autofree char *sel_label = NULL;
  HlLineSeries series[2];
  HlLineChart chart;
  double lo, hi;
  int n = 0;

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);
  g_return_if_fail (data->n_positions == 0 || data->alpha != NULL);

  x = g_new (double, MAX (data->n_positions, 1));
  sel = g_new (double, MAX (data->n_positions, 1));
  y = hl_line_chart_floats (data->alpha, data->n_positions);
  for (int i = 0; i < data->n_positions; i++)
    {
      x[i] = i;
      sel[i] = data->selected != NULL && data->selected[i] ? data->alpha[i] : NAN;
    }
  hl_line_chart_init (&chart);
  series[n++] = (HlLineSeries) { data->n_positions, x, y, NULL, NULL, style->muted,
                                 HL_LINE_SOLID, data->n_positions <= 64, 0.8 };
  hl_line_chart_add_legend (&chart, HL_LEGEND_LINE, &style->muted, "α<sub><i>i</i></sub>");
  if (data->selected != NULL)
    {
      series[n++] = (HlLineSeries) { data->n_positions, x, sel, NULL, NULL, style->accent,
                                     HL_LINE_NONE, TRUE, 1.0 };
      sel_label = g_strdup_printf (_("selected, N = %d"), data->n);
      hl_line_chart_add_legend (&chart, HL_LEGEND_DOT, &style->accent, sel_label);
    }
  y_range (data, &lo, &hi);
  hl_plot_axis_init (&chart.frame.x, HL_PLOT_SCALE_LINEAR, 0,
                     MAX (1, data->n_positions - 1), _("position <i>i</i>"));
  chart.frame.x.integer_ticks = TRUE;
  hl_plot_axis_init (&chart.frame.y, data->log_y ? HL_PLOT_SCALE_LOG10 : HL_PLOT_SCALE_LINEAR,
                     lo, hi, _("attention α<sub><i>i</i></sub>"));
  if (!data->log_y)
    hl_plot_axis_nice_bounds (&chart.frame.y, 6);
  chart.frame.title = data->title;
  chart.series = series;
  chart.n_series = n;
  hl_line_chart_draw (&chart, style, cr, width, height);
}
