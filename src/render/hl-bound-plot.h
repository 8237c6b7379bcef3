/* hl-bound-plot.h: theory next to measurement over N (log2 axis): the
 * measured norm of the discarded output ||o - s_N|| against its bound
 * B (1 - M_N) (docs/metrics.md, "Theory next to measurement"), for one head
 * and, when given, the mean over the model's head results.
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
  const int   *grid;            /* the N values, increasing */
  const float *residual;        /* [n_grid] ||o - s_N||; NULL: not drawn */
  const float *bound;           /* [n_grid] B (1 - M_N); NULL: not drawn */
  /* The same over the model's head results, on their own grid (n_model 0:
   * none). */
  int          n_model;
  const int   *model_grid;
  const float *model_residual;
  const float *model_bound;
  int          chosen_n;        /* marked; 0: none */
  const char  *title;           /* Pango markup or NULL */
} HlBoundPlotData;

void hl_bound_plot_draw (const HlPlotStyle     *style,
                         const HlBoundPlotData *data,
                         cairo_t               *cr,
                         double                 width,
                         double                 height);

G_END_DECLS
