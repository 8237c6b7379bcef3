/* hl-plot-axis.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-plot-axis.h"

#include <math.h>

#include "hl-plot-text.h"

void
hl_plot_axis_init (HlPlotAxis  *self,
                   HlPlotScale  scale,
                   double       min,
                   double       max,
                   const char  *label)
{
  g_return_if_fail (self != NULL);

  *self = (HlPlotAxis) {
    .scale = scale,
    .min = min,
    .max = max,
    .pixel_start = 0.0,
    .pixel_end = 1.0,
    .label = label,
  };
}

void
hl_plot_axis_set_pixels (HlPlotAxis *self,
                         double      pixel_start,
                         double      pixel_end)
{
  g_return_if_fail (self != NULL);

  self->pixel_start = pixel_start;
  self->pixel_end = pixel_end;
}

/* The value in the axis's own linear coordinate (log2 or log10 of it). */
static double
forward (const HlPlotAxis *self,
         double            value)
{
  switch (self->scale)
    {
    case HL_PLOT_SCALE_LOG2:
      return log2 (value);
    case HL_PLOT_SCALE_LOG10:
      return log10 (value);
    case HL_PLOT_SCALE_LINEAR:
    default:
      return value;
    }
}

static double
inverse (const HlPlotAxis *self,
         double            coord)
{
  switch (self->scale)
    {
    case HL_PLOT_SCALE_LOG2:
      return exp2 (coord);
    case HL_PLOT_SCALE_LOG10:
      return pow (10.0, coord);
    case HL_PLOT_SCALE_LINEAR:
    default:
      return coord;
    }
}

double
hl_plot_axis_to_pixel (const HlPlotAxis *self,
                       double            value)
{
  double a, b, f;

  g_return_val_if_fail (self != NULL, 0.0);

  if (self->scale != HL_PLOT_SCALE_LINEAR && !(value > 0))
    return self->pixel_start;
  a = forward (self, self->min);
  b = forward (self, self->max);
  f = b != a ? (forward (self, value) - a) / (b - a) : 0.5;
  return self->pixel_start + f * (self->pixel_end - self->pixel_start);
}

double
hl_plot_axis_from_pixel (const HlPlotAxis *self,
                         double            pixel)
{
  double a, b, f;

  g_return_val_if_fail (self != NULL, 0.0);

  a = forward (self, self->min);
  b = forward (self, self->max);
  f = self->pixel_end != self->pixel_start
      ? (pixel - self->pixel_start) / (self->pixel_end - self->pixel_start) : 0.5;
  return inverse (self, a + f * (b - a));
}

double
hl_plot_nice_step (double range,
                   int    max_intervals)
{
  static const double mantissas[] = { 1.0, 2.0, 2.5, 5.0, 10.0 };
  double raw, power;

  g_return_val_if_fail (max_intervals > 0, 1.0);

  if (!(range > 0) || !isfinite (range))
    return 1.0;
  raw = range / max_intervals;
  power = pow (10.0, floor (log10 (raw)));
  for (guint i = 0; i < G_N_ELEMENTS (mantissas); i++)
    if (mantissas[i] * power >= raw * (1 - 1e-9))
      return mantissas[i] * power;
  return 10.0 * power;
}

static int
linear_ticks (const HlPlotAxis *self,
              int               max_ticks,
              double           *ticks)
{
  double lo = MIN (self->min, self->max), hi = MAX (self->min, self->max);
  double step = hl_plot_nice_step (hi - lo, MAX (max_ticks - 1, 1));
  double first;
  int n = 0;

  if (self->integer_ticks)
    step = MAX (1.0, ceil (step));
  first = ceil (lo / step - 1e-9) * step;
  for (double v = first; v <= hi + step * 1e-9 && n < max_ticks; v = first + n * step)
    ticks[n++] = fabs (v) < step * 1e-9 ? 0.0 : v;
  return n;
}

static int
power_ticks (const HlPlotAxis *self,
             int               max_ticks,
             double           *ticks)
{
  double lo = forward (self, MIN (self->min, self->max));
  double hi = forward (self, MAX (self->min, self->max));
  int k0 = (int) ceil (lo - 1e-9), k1 = (int) floor (hi + 1e-9);
  int count = k1 - k0 + 1, stride, n = 0;

  if (count <= 0)
    return 0;
  /* Thin out to every stride-th power, keeping 10^0 = 2^0 = 1 on the grid. */
  stride = (count + max_ticks - 1) / max_ticks;
  for (int k = k0; k <= k1 && n < max_ticks; k++)
    if (((k % stride) + stride) % stride == 0)
      ticks[n++] = inverse (self, k);
  return n;
}

int
hl_plot_axis_ticks (const HlPlotAxis *self,
                    int               max_ticks,
                    double           *ticks)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (ticks != NULL, 0);

  max_ticks = CLAMP (max_ticks, 2, HL_PLOT_AXIS_MAX_TICKS);
  if (!isfinite (self->min) || !isfinite (self->max) || self->min == self->max)
    return 0;
  if (self->scale == HL_PLOT_SCALE_LINEAR)
    return linear_ticks (self, max_ticks, ticks);
  if (!(self->min > 0) || !(self->max > 0))
    return 0;
  return power_ticks (self, max_ticks, ticks);
}

/* The fewest decimals that show every tick exactly. */
static int
decimals_for (const double *ticks,
              int           n_ticks)
{
  for (int d = 0; d < 6; d++)
    {
      double scale = pow (10.0, d);
      gboolean exact = TRUE;

      for (int i = 0; i < n_ticks && exact; i++)
        exact = fabs (ticks[i] * scale - round (ticks[i] * scale)) < 1e-6 * MAX (1.0, fabs (ticks[i] * scale));
      if (exact)
        return d;
    }
  return 6;
}

char *
hl_plot_axis_tick_label (const HlPlotAxis *self,
                         const double     *ticks,
                         int               n_ticks,
                         int               index)
{
  double value;
  int exponent;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index >= 0 && index < n_ticks, NULL);

  value = ticks[index];
  if (self->scale == HL_PLOT_SCALE_LINEAR)
    return hl_plot_text_format_number (value, decimals_for (ticks, n_ticks));
  exponent = (int) lround (forward (self, value));
  if (self->scale == HL_PLOT_SCALE_LOG10)
    {
      g_autofree char *power = hl_plot_text_format_number (exponent, 0);

      return g_strdup_printf ("10<sup>%s</sup>", power);
    }
  if (exponent >= 0 && exponent <= 16)
    return g_strdup_printf ("%.0f", value);
  return g_strdup_printf ("2<sup>%d</sup>", exponent);
}

void
hl_plot_axis_nice_bounds (HlPlotAxis *self,
                          int         max_ticks)
{
  double lo, hi, step;

  g_return_if_fail (self != NULL);

  if (self->scale != HL_PLOT_SCALE_LINEAR || !(self->max > self->min))
    return;
  step = hl_plot_nice_step (self->max - self->min, MAX (max_ticks - 1, 1));
  lo = floor (self->min / step + 1e-9) * step;
  hi = ceil (self->max / step - 1e-9) * step;
  self->min = lo;
  self->max = hi;
}
