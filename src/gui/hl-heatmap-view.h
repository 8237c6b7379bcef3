/* hl-heatmap-view.h: the layer × head overview as a widget: hover, click
 * and arrow keys select a head.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-heatmap-plot.h"

G_BEGIN_DECLS

#define HL_TYPE_HEATMAP_VIEW (hl_heatmap_view_get_type ())
G_DECLARE_FINAL_TYPE (HlHeatmapView, hl_heatmap_view, HL, HEATMAP_VIEW, GtkWidget)

GtkWidget *hl_heatmap_view_new          (void);

/* Resets every cell to pending and clears the selection. */
void       hl_heatmap_view_set_shape    (HlHeatmapView *self,
                                         int            n_layers,
                                         int            n_heads);

/* What cell (@layer, @head) shows: its regime (-1: pending), its metric
 * value (NaN: pending) and the tooltip text (Pango markup, may be NULL). */
void       hl_heatmap_view_set_cell     (HlHeatmapView *self,
                                         int            layer,
                                         int            head,
                                         int            regime,
                                         float          value,
                                         const char    *tooltip);

/* The colouring; @vmin >= @vmax takes the range from the data. */
void       hl_heatmap_view_set_mode     (HlHeatmapView      *self,
                                         HlHeatmapColorMode  mode,
                                         HlColormap          colormap,
                                         double              vmin,
                                         double              vmax,
                                         const char         *value_label);

/* Selects a cell (or none with -1) and emits ::selection-changed when the
 * selection changes. */
void       hl_heatmap_view_select       (HlHeatmapView *self,
                                         int            layer,
                                         int            head);
gboolean   hl_heatmap_view_get_selected (HlHeatmapView *self,
                                         int           *layer,
                                         int           *head);

/* The arrow keys activate the action "heatmap.move" with the (layers,
 * heads) step "(ii)". */

/* What a click at (@x, @y) in widget coordinates does; TRUE when it hit a
 * cell. */
gboolean   hl_heatmap_view_click        (HlHeatmapView *self,
                                         double         x,
                                         double         y);

/* The centre of a cell in widget coordinates, from the renderer's layout. */
void       hl_heatmap_view_cell_center  (HlHeatmapView *self,
                                         int            layer,
                                         int            head,
                                         double        *x,
                                         double        *y);

/* What the view draws (borrowed), or NULL before it has a shape. */
const HlHeatmapPlotData *hl_heatmap_view_get_plot_data (HlHeatmapView *self);

G_END_DECLS
