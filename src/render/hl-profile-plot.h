/* hl-profile-plot.h: the attention profile alpha_i over position i, on a
 * linear or logarithmic y axis, with the selected tokens marked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

typedef struct
{
  int             n_positions;   /* t + 1 */
  const float    *alpha;         /* [n_positions] */
  const gboolean *selected;      /* [n_positions] i in S_N; NULL: none */
  int             n;             /* N, for the legend */
  gboolean        log_y;         /* a log10 axis (zeros are left out) */
  const char     *title;         /* Pango markup or NULL */
} HlProfilePlotData;

void hl_profile_plot_draw (const HlPlotStyle       *style,
                           const HlProfilePlotData *data,
                           cairo_t                 *cr,
                           double                   width,
                           double                   height);

G_END_DECLS
