/* hl-heatmap-view.h: the layer × head overview of a session as a widget:
 * its cells show the results received so far, coloured as the session
 * says (regime or a metric); hover tells a head's numbers; click and the
 * arrow keys select a head in the session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-figure.h"
#include "hl-session.h"

G_BEGIN_DECLS

#define HL_TYPE_HEATMAP_VIEW (hl_heatmap_view_get_type ())
G_DECLARE_FINAL_TYPE (HlHeatmapView, hl_heatmap_view, HL, HEATMAP_VIEW, GtkWidget)

GtkWidget *hl_heatmap_view_new          (void);

/* "session": what the view shows and selects in. */
void       hl_heatmap_view_set_session  (HlHeatmapView *self,
                                         HlSession     *session);
HlSession *hl_heatmap_view_get_session  (HlHeatmapView *self);

/* The figure drawn now, built from the session when it changed; NULL
 * without a file. */
HlFigure  *hl_heatmap_view_get_figure   (HlHeatmapView *self);

/* A colouring the session does not know (the causal maps of
 * hl-causal-heatmap.c): @build makes the figure drawn (NULL: the
 * session's), @describe a cell's tooltip (Pango markup; NULL: the
 * session's). */
typedef struct
{
  HlFigure *(*build)    (gpointer user_data);
  char     *(*describe) (gpointer user_data,
                         int      layer,
                         int      head);
} HlHeatmapColouring;

/* Shows @colouring (NULL: the session's colouring again); the figure is
 * rebuilt, so calling it again shows new values. */
void       hl_heatmap_view_set_colouring (HlHeatmapView            *self,
                                          const HlHeatmapColouring *colouring,
                                          gpointer                  user_data);

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

G_END_DECLS
