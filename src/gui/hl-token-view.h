/* hl-token-view.h: the text of the selected head's query as tokens, shaded
 * by attention with S_N outlined (hl-tokens-plot.h), in a scrollable
 * widget: hovering a token tells its index, text, alpha_i, ||y_i||, its
 * distance to s_N and its ball membership; clicking one highlights it in
 * the session, which the scatter and the profile show too. The query stays
 * in view when the head changes; a highlighted token is scrolled to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-figure.h"
#include "hl-session.h"

G_BEGIN_DECLS

#define HL_TYPE_TOKEN_VIEW (hl_token_view_get_type ())
G_DECLARE_FINAL_TYPE (HlTokenView, hl_token_view, HL, TOKEN_VIEW, GtkWidget)

GtkWidget  *hl_token_view_new          (void);

void        hl_token_view_set_session  (HlTokenView *self,
                                        HlSession   *session);
HlSession  *hl_token_view_get_session  (HlTokenView *self);
/* The figure shown (the session's tokens figure), or NULL. */
HlFigure   *hl_token_view_get_figure   (HlTokenView *self);

/* The token at (@x, @y) of the widget, or -1. */
int         hl_token_view_token_at     (HlTokenView *self,
                                        double       x,
                                        double       y);
/* Where token @index is now, in the widget's coordinates (its centre);
 * FALSE when it is scrolled out of view. */
gboolean    hl_token_view_token_center (HlTokenView *self,
                                        int          index,
                                        double      *x,
                                        double      *y);
/* What the pointer on (@x, @y) does: highlights the token there in the
 * session; FALSE when there is none. */
gboolean    hl_token_view_click        (HlTokenView *self,
                                        double       x,
                                        double       y);
/* The tooltip of token @index (plain text). */
char       *hl_token_view_describe     (HlTokenView *self,
                                        int          index);

G_END_DECLS
