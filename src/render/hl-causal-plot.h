/* hl-causal-plot.h: a causal effect against what was changed: the loss
 * change delta NLL against N (top-N truncation, log2 axis) or against the
 * fraction of heads pruned (sparsification), one line per mode or policy,
 * with an optional band (the random policy's range over its repeats), the
 * tolerance tau as a reference line and a marked x (N*).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

#define HL_CAUSAL_PLOT_MAX_SERIES 6

typedef struct
{
  const char   *label;    /* Pango markup, in the legend */
  int           n;
  const double *x;        /* [n], increasing */
  const double *y;        /* [n]; NaN leaves a gap */
  const double *lo;       /* [n] band, or NULL */
  const double *hi;
  gboolean      dashed;
} HlCausalSeries;

typedef struct
{
  int                   n_series;   /* at most HL_CAUSAL_PLOT_MAX_SERIES */
  const HlCausalSeries *series;
  gboolean              log2_x;     /* N on a log2 axis; else linear */
  const char           *x_label;    /* Pango markup */
  const char           *y_label;
  double                tau;        /* a dashed reference line at this delta NLL, NaN for none */
  double                mark_x;     /* a vertical line (N*), NaN for none */
  const char           *mark_label; /* its label, markup */
  const char           *title;      /* Pango markup or NULL */
} HlCausalPlotData;

void hl_causal_plot_draw (const HlPlotStyle      *style,
                          const HlCausalPlotData *data,
                          cairo_t                *cr,
                          double                  width,
                          double                  height);

G_END_DECLS
