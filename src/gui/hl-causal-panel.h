/* hl-causal-panel.h: the model panel's causal part: measures every head's
 * ablation delta NLL and N* and the sparsification curves (docs/causal.md)
 * on a worker with progress and Cancel, then shows the curves (loss
 * against the fraction of heads pruned, per policy) and a table of the
 * correlations across heads between those effects and the heads' geometry.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-figure.h"
#include "hl-session.h"

G_BEGIN_DECLS

#define HL_TYPE_CAUSAL_PANEL (hl_causal_panel_get_type ())
G_DECLARE_FINAL_TYPE (HlCausalPanel, hl_causal_panel, HL, CAUSAL_PANEL, GtkWidget)

GtkWidget  *hl_causal_panel_new         (void);

void        hl_causal_panel_set_session (HlCausalPanel *self,
                                         HlSession     *session);

/* What the Measure Every Head button does. */
void        hl_causal_panel_measure     (HlCausalPanel *self);
/* The sparsification curves shown, or NULL. */
HlFigure   *hl_causal_panel_get_figure  (HlCausalPanel *self);
/* The correlation table as text, a row a line, cells separated by tabs;
 * "" before the effects are measured. */
const char *hl_causal_panel_get_table   (HlCausalPanel *self);
/* What the panel says about the model and the run. */
const char *hl_causal_panel_get_message (HlCausalPanel *self);

G_END_DECLS
