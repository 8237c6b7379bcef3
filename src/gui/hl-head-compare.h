/* hl-head-compare.h: the head detail's comparison: pin the selected head,
 * select another, and see both side by side (their curves overlaid, their
 * scatters next to each other; HL_SESSION_FIGURE_COMPARE), exportable
 * like every plot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-figure.h"
#include "hl-session.h"

G_BEGIN_DECLS

#define HL_TYPE_HEAD_COMPARE (hl_head_compare_get_type ())
G_DECLARE_FINAL_TYPE (HlHeadCompare, hl_head_compare, HL, HEAD_COMPARE, GtkWidget)

GtkWidget  *hl_head_compare_new         (void);
void        hl_head_compare_set_session (HlHeadCompare *self,
                                         HlSession     *session);
/* The comparison shown, or NULL; what the line above it says. */
HlFigure   *hl_head_compare_get_figure  (HlHeadCompare *self);
const char *hl_head_compare_get_status  (HlHeadCompare *self);

G_END_DECLS
