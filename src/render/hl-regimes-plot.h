/* hl-regimes-plot.h: how many heads of each regime every layer has, as
 * stacked bars (Retriever at the bottom, then Mixer, then Reset).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

typedef struct
{
  int         n_layers;
  const int  *counts;     /* [n_layers * HL_N_REGIMES]: count of regime r in layer l
                           * at l * HL_N_REGIMES + r */
  int         n_heads;    /* the top of the y axis; 0: the largest bar */
  const char *y_label;    /* Pango markup; NULL: "heads" */
  const char *title;      /* Pango markup or NULL */
  const char *note;       /* a caveat under the title, or NULL */
  gboolean    faded;      /* the bars drawn faded (the taxonomy does not apply) */
} HlRegimesPlotData;

void hl_regimes_plot_draw (const HlPlotStyle       *style,
                           const HlRegimesPlotData *data,
                           cairo_t                 *cr,
                           double                   width,
                           double                   height);

G_END_DECLS
