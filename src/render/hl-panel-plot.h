/* hl-panel-plot.h: a paper-style figure of several plots on a grid, each
 * drawn by its own renderer and labelled (a), (b), ...
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot.h"

G_BEGIN_DECLS

typedef struct
{
  HlPlotKind    kind;     /* not HL_PLOT_PANEL */
  gconstpointer data;     /* the struct of @kind, borrowed */
} HlPanelItem;

typedef struct
{
  int                n_items;
  const HlPanelItem *items;
  int                columns;   /* panels per row; 0: all in one row */
  gboolean           letters;   /* label the panels (a), (b), ... */
  const char        *title;     /* Pango markup over the whole figure, or NULL */
} HlPanelPlotData;

void hl_panel_plot_draw (const HlPlotStyle     *style,
                         const HlPanelPlotData *data,
                         cairo_t               *cr,
                         double                 width,
                         double                 height);

G_END_DECLS
