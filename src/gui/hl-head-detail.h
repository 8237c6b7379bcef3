/* hl-head-detail.h: everything about a session's selected head: its regime
 * and why, whether the paper's taxonomy applies to the model and to it,
 * its curves, its value-space scatter, alignment, attention profile,
 * diagnostics and its discarded output against the bound, drawn from what
 * the session holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hl-causal-section.h"
#include "hl-figure.h"
#include "hl-head-compare.h"
#include "hl-session.h"

G_BEGIN_DECLS

#define HL_TYPE_HEAD_DETAIL (hl_head_detail_get_type ())
G_DECLARE_FINAL_TYPE (HlHeadDetail, hl_head_detail, HL, HEAD_DETAIL, GtkWidget)

GtkWidget  *hl_head_detail_new         (void);

/* "session": whose selected head is shown. */
void        hl_head_detail_set_session (HlHeadDetail *self,
                                        HlSession    *session);
HlSession  *hl_head_detail_get_session (HlHeadDetail *self);

/* The heading ("Layer 3 · Head 5"), and the figure each plot shows now
 * (NULL while it shows a placeholder). */
const char *hl_head_detail_get_title   (HlHeadDetail *self);
HlFigure   *hl_head_detail_get_figure  (HlHeadDetail *self,
                                        HlPlotKind    kind);
/* The placeholder the scatter (and the profile) show instead of a
 * figure, or NULL when they show one. */
const char *hl_head_detail_get_placeholder (HlHeadDetail *self);
/* The comparison of the selected head with the pinned one. */
HlHeadCompare *hl_head_detail_get_compare  (HlHeadDetail *self);
/* The Causal section: the head's delta NLL against N. */
HlCausalSection *hl_head_detail_get_causal_section (HlHeadDetail *self);
/* The taxonomy's verdict for the model and this head, as shown. */
const char *hl_head_detail_get_taxonomy    (HlHeadDetail *self);

/* The metrics at the chosen N the head detail shows: P, R, F1, rho_min,
 * rho_max, margin and M_N, for the chosen ranking (row 0) and the random
 * control (row 1). */
#define HL_HEAD_DETAIL_N_AT_N 7
/* The text shown for metric @column of @row; NULL when the row is not
 * shown. */
const char *hl_head_detail_get_at_n_text  (HlHeadDetail *self,
                                           int           row,
                                           int           column);

G_END_DECLS
