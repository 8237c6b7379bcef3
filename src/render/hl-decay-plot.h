/* hl-decay-plot.h: the similarity decay c(k) = mean cos(v_i, v_{i+k}) as
 * points and the fitted exp(-beta k) as a curve, beta in the legend.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

typedef struct
{
  int          n_lags;
  const int   *lags;       /* k = 1 .. K, increasing */
  const float *c;          /* [n_lags] c(k) */
  double       beta;       /* the fitted rate; NaN: no fit drawn */
  double       fit_error;  /* mean absolute error of the fit; NaN: not shown */
  const char  *title;      /* Pango markup or NULL */
} HlDecayPlotData;

void hl_decay_plot_draw (const HlPlotStyle     *style,
                         const HlDecayPlotData *data,
                         cairo_t               *cr,
                         double                 width,
                         double                 height);

G_END_DECLS
