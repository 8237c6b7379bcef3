/* hl-correlation-plot.h: corr(R_N, rho0) across heads over N (log2 axis),
 * with its peak marked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

typedef struct
{
  int          n_grid;
  const int   *grid;      /* the N values, increasing */
  const float *corr;      /* [n_grid]; NaN where undefined */
  const float *band_lo;   /* [n_grid] optional interval; NULL: none */
  const float *band_hi;
  const char  *title;     /* Pango markup or NULL */
} HlCorrelationPlotData;

void hl_correlation_plot_draw (const HlPlotStyle           *style,
                               const HlCorrelationPlotData *data,
                               cairo_t                     *cr,
                               double                       width,
                               double                       height);

G_END_DECLS
