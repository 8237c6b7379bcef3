/* hl-plot-axis.h: mapping between data values and units of the cairo_t, and
 * the tick values and labels of one axis.
 *
 * The same functions serve drawing and hit-testing, so a widget never
 * repeats layout arithmetic.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  HL_PLOT_SCALE_LINEAR,
  HL_PLOT_SCALE_LOG2,     /* ticks at powers of two: N, positions */
  HL_PLOT_SCALE_LOG10,    /* ticks at powers of ten: attention weights */
} HlPlotScale;

#define HL_PLOT_AXIS_MAX_TICKS 64

typedef struct
{
  HlPlotScale scale;
  double      min;           /* the value at pixel_start */
  double      max;           /* the value at pixel_end */
  double      pixel_start;
  double      pixel_end;
  gboolean    integer_ticks; /* only whole numbers (layer and head indices) */
  const char *label;         /* Pango markup, borrowed; NULL for none */
} HlPlotAxis;

void   hl_plot_axis_init        (HlPlotAxis       *self,
                                 HlPlotScale       scale,
                                 double            min,
                                 double            max,
                                 const char       *label);
void   hl_plot_axis_set_pixels  (HlPlotAxis       *self,
                                 double            pixel_start,
                                 double            pixel_end);
/* Values outside a log axis's domain (<= 0) map to its start. */
double hl_plot_axis_to_pixel    (const HlPlotAxis *self,
                                 double            value);
double hl_plot_axis_from_pixel  (const HlPlotAxis *self,
                                 double            pixel);
/* Writes at most @max_ticks (and at most HL_PLOT_AXIS_MAX_TICKS) tick values
 * inside min .. max into @ticks, increasing; returns how many. Linear axes
 * use steps 1, 2, 2.5 or 5 times a power of ten, log2 axes powers of two
 * (every k-th when there are too many), log10 axes powers of ten. */
int    hl_plot_axis_ticks       (const HlPlotAxis *self,
                                 int               max_ticks,
                                 double           *ticks);
/* The tick label of @ticks[@index] as Pango markup; all labels of one axis
 * use the same number of decimals. */
char  *hl_plot_axis_tick_label  (const HlPlotAxis *self,
                                 const double     *ticks,
                                 int               n_ticks,
                                 int               index);
/* Widens a linear axis to the nearest multiples of its tick step, so the
 * frame starts and ends on a tick. */
void   hl_plot_axis_nice_bounds (HlPlotAxis       *self,
                                 int               max_ticks);
/* The smallest step of the form {1, 2, 2.5, 5} x 10^k that splits @range
 * into at most @max_intervals intervals. */
double hl_plot_nice_step        (double            range,
                                 int               max_intervals);

G_END_DECLS
