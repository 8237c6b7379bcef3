/* hl-alignment-plot.h: the alignment trajectories cos(s_N, v_0) and
 * cos(s_N, v_t) over N (log2 axis), y in [-1, 1].
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
  const int   *grid;       /* the N values, increasing */
  const float *cos_sink;   /* [n_grid] cos(s_N, v_0); NULL: not drawn */
  const float *cos_last;   /* [n_grid] cos(s_N, v_t); NULL: not drawn */
  int          chosen_n;   /* marked; 0: none */
  const char  *title;      /* Pango markup or NULL */
} HlAlignmentPlotData;

void hl_alignment_plot_draw (const HlPlotStyle         *style,
                             const HlAlignmentPlotData *data,
                             cairo_t                   *cr,
                             double                     width,
                             double                     height);

G_END_DECLS
