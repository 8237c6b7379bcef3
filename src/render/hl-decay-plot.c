/* hl-decay-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-decay-plot.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hl-line-chart.h"
#include "hl-plot-text.h"

#define FIT_SAMPLES 96

static char *
fit_label (const HlDecayPlotData *data)
{
  g_autofree char *beta = hl_plot_text_format_number (data->beta, 3);
  g_autofree char *err = NULL;

  if (!isfinite (data->fit_error))
    return g_strdup_printf ("exp(−β<i>k</i>), β = %s", beta);
  err = hl_plot_text_format_number (data->fit_error, 3);
  /* Translators: MAE is the mean absolute error of the fit. */
  return g_strdup_printf (_("exp(−β<i>k</i>), β = %s (MAE %s)"), beta, err);
}

static void
y_range (const HlDecayPlotData *data,
         double                *lo,
         double                *hi)
{
  *lo = 0.0;
  *hi = 1.0;
  for (int i = 0; data->c != NULL && i < data->n_lags; i++)
    if (isfinite (data->c[i]))
      {
        *lo = MIN (*lo, data->c[i]);
        *hi = MAX (*hi, data->c[i]);
      }
}

void
hl_decay_plot_draw (const HlPlotStyle     *style,
                    const HlDecayPlotData *data,
                    cairo_t               *cr,
                    double                 width,
                    double                 height)
{
  g_autofree double *x = NULL, *y = NULL;
  g_autofree char *label = NULL;
  double fit_x[FIT_SAMPLES], fit_y[FIT_SAMPLES], k0, k1, lo, hi;
  HlLineSeries series[2];
  HlLineChart chart;
  int n = 0;

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);
  g_return_if_fail (data->n_lags == 0 || (data->lags != NULL && data->c != NULL));

  x = hl_line_chart_ints (data->lags, data->n_lags);
  y = hl_line_chart_floats (data->c, data->n_lags);
  k0 = data->n_lags > 0 ? data->lags[0] : 1;
  k1 = data->n_lags > 0 ? MAX (data->lags[data->n_lags - 1], k0 + 1) : 2;
  hl_line_chart_init (&chart);
  if (isfinite (data->beta))
    {
      /* The fitted curve, sampled finely so it reads as a smooth line. */
      for (int i = 0; i < FIT_SAMPLES; i++)
        {
          fit_x[i] = k0 + (k1 - k0) * i / (FIT_SAMPLES - 1.0);
          fit_y[i] = exp (-data->beta * fit_x[i]);
        }
      series[n++] = (HlLineSeries) { FIT_SAMPLES, fit_x, fit_y, NULL, NULL, style->curve[1],
                                     HL_LINE_SOLID, FALSE, 1.0 };
      label = fit_label (data);
    }
  series[n++] = (HlLineSeries) { data->n_lags, x, y, NULL, NULL, style->curve[0],
                                 HL_LINE_NONE, TRUE, 1.0 };
  hl_line_chart_add_legend (&chart, HL_LEGEND_DOT, &style->curve[0], "c(<i>k</i>)");
  if (label != NULL)
    hl_line_chart_add_legend (&chart, HL_LEGEND_LINE, &style->curve[1], label);
  y_range (data, &lo, &hi);
  hl_plot_axis_init (&chart.frame.x, HL_PLOT_SCALE_LINEAR, k0 - 0.5, k1 + 0.5, _("lag <i>k</i>"));
  chart.frame.x.integer_ticks = TRUE;
  hl_plot_axis_init (&chart.frame.y, HL_PLOT_SCALE_LINEAR, lo, hi,
                     "c(<i>k</i>) = mean cos(v<sub><i>i</i></sub>, v<sub><i>i</i>+<i>k</i></sub>)");
  hl_plot_axis_nice_bounds (&chart.frame.y, 6);
  chart.frame.title = data->title;
  chart.series = series;
  chart.n_series = n;
  chart.hline = lo < 0 ? 0.0 : NAN;
  hl_line_chart_draw (&chart, style, cr, width, height);
}
