/* hl-profile-plot.h: the attention profile alpha_i over position i, on a
 * linear or logarithmic y axis, with the selected tokens marked and, where
 * they fit, the tokens' texts under their positions (the selected ones,
 * the sink and the query first, then by attention).
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
  const char * const *texts;     /* [n_positions] token texts as stored; NULL: none */
  int             highlighted;   /* a position ringed and labelled; -1: none */
  const char     *title;         /* Pango markup or NULL */
} HlProfilePlotData;

void hl_profile_plot_draw (const HlPlotStyle       *style,
                           const HlProfilePlotData *data,
                           cairo_t                 *cr,
                           double                   width,
                           double                   height);
/* The positions whose token is labelled at @width x @height, in the order
 * they were placed; returns how many (at most n_positions). */
int  hl_profile_plot_labelled (const HlPlotStyle       *style,
                               const HlProfilePlotData *data,
                               double                   width,
                               double                   height,
                               int                     *positions);

G_END_DECLS
