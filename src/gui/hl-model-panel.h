/* hl-model-panel.h: the model-level results of a session's finished
 * analysis: whether the paper's taxonomy applies and why, mean curves with
 * their band and the random baseline, regimes per layer, corr(R_N, rho0)
 * over N and the discarded output against its bound; while there are
 * none, why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-causal-panel.h"
#include "hl-session.h"

G_BEGIN_DECLS

#define HL_TYPE_MODEL_PANEL (hl_model_panel_get_type ())
G_DECLARE_FINAL_TYPE (HlModelPanel, hl_model_panel, HL, MODEL_PANEL, GtkWidget)

GtkWidget  *hl_model_panel_new         (void);

/* "session": whose analysis is summarised. */
void        hl_model_panel_set_session (HlModelPanel *self,
                                        HlSession    *session);
HlSession  *hl_model_panel_get_session (HlModelPanel *self);

/* What is shown instead of the plots, or NULL when they are shown. */
const char *hl_model_panel_get_message (HlModelPanel *self);
/* The taxonomy's verdict with its reasons (hl_assumptions_describe ()),
 * or NULL while the plots are not shown. */
const char *hl_model_panel_get_taxonomy (HlModelPanel *self);
/* The causal part: sparsification curves and correlations. */
HlCausalPanel *hl_model_panel_get_causal_panel (HlModelPanel *self);

G_END_DECLS
