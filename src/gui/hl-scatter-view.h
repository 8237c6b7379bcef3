/* hl-scatter-view.h: the value-space scatter of one head as a widget:
 * hovering a point tells its token, position, weight and distance.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-figure.h"
#include "hl-head-data.h"

G_BEGIN_DECLS

#define HL_TYPE_SCATTER_VIEW (hl_scatter_view_get_type ())
G_DECLARE_FINAL_TYPE (HlScatterView, hl_scatter_view, HL, SCATTER_VIEW, GtkWidget)

GtkWidget *hl_scatter_view_new             (void);

/* Shows @figure, a scatter figure of @data's head at @scatter's N, or
 * nothing (NULL). @data's tokens and attention and @scatter's distances
 * D_i (copied) are what the tooltips tell. */
void       hl_scatter_view_set_figure      (HlScatterView    *self,
                                            HlFigure         *figure,
                                            HlHeadData       *data,
                                            const HlScatter  *scatter);
HlFigure  *hl_scatter_view_get_figure      (HlScatterView    *self);
/* The point the pointer or the keyboard is on (its position i), or -1.
 * With the focus, Left and Right move it from token to token (Page Up and
 * Down by ten, Home and End to the ends): the point is ringed, its token,
 * α and D show in a tooltip beside it and are the plot's accessible
 * description. */
int        hl_scatter_view_get_point       (HlScatterView    *self);
/* What the tooltip says about that point (its token, position, α and D),
 * or NULL without one. */
char      *hl_scatter_view_dup_point_text  (HlScatterView    *self);

/* What a click on (@x, @y) does: emits ::point-activated (int index) for
 * the point there; FALSE when there is none. */
gboolean   hl_scatter_view_click           (HlScatterView    *self,
                                            double            x,
                                            double            y);
/* Where point @index is drawn, in the widget's coordinates. */
void       hl_scatter_view_point_center    (HlScatterView    *self,
                                            int               index,
                                            double           *x,
                                            double           *y);

/* The view: zoomed in (1 shows every point, up to 1000) around the
 * point under (@x, @y), which stays there (Ctrl and the wheel over the
 * point), moved by (@dx, @dy) pixels (a drag, once zoomed in), or reset to
 * every point (a double click). Kept while the same head's figure
 * changes; exported figures show every point. */
double     hl_scatter_view_get_zoom        (HlScatterView    *self);
void       hl_scatter_view_zoom_at         (HlScatterView    *self,
                                            double            x,
                                            double            y,
                                            double            factor);
void       hl_scatter_view_pan_by          (HlScatterView    *self,
                                            double            dx,
                                            double            dy);
void       hl_scatter_view_reset_view      (HlScatterView    *self);

/* Shown without a figure; NULL: nothing. */
void       hl_scatter_view_set_placeholder (HlScatterView    *self,
                                            const char       *placeholder);

G_END_DECLS
