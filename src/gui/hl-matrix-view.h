/* hl-matrix-view.h: the selected head's attention matrix (every query of
 * the file over its keys) as a widget; clicking a row selects that query
 * everywhere (the session's query), hovering tells the weight under the
 * pointer. And the grid of every head's matrix of the sample shown (the
 * model overview), read when it is first shown; clicking a head's matrix
 * selects that head.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-figure.h"
#include "hl-session.h"

G_BEGIN_DECLS

#define HL_TYPE_MATRIX_VIEW (hl_matrix_view_get_type ())
G_DECLARE_FINAL_TYPE (HlMatrixView, hl_matrix_view, HL, MATRIX_VIEW, GtkWidget)

/* @grid: TRUE for every head's matrices, FALSE for the selected head's. */
GtkWidget *hl_matrix_view_new          (gboolean      grid);
void       hl_matrix_view_set_session  (HlMatrixView *self,
                                        HlSession    *session);
HlFigure  *hl_matrix_view_get_figure   (HlMatrixView *self);
/* What a click on (@x, @y) does: selects the query of the row there (one
 * head) or the head of the matrix there (the grid). FALSE when there is
 * none. */
gboolean   hl_matrix_view_click        (HlMatrixView *self,
                                        double        x,
                                        double        y);
/* Where query index @query's row is (one head), or head (@query = layer,
 * @head)'s matrix (the grid), in the widget's coordinates. */
void       hl_matrix_view_target_center (HlMatrixView *self,
                                         int           query,
                                         int           head,
                                         double       *x,
                                         double       *y);

G_END_DECLS
