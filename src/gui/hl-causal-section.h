/* hl-causal-section.h: the head detail's Causal section: the selected
 * head's delta NLL against N (top-N truncation in the model the file was
 * extracted with, docs/causal.md) beside its P/R/F curves, measured on a
 * worker with progress and Cancel and kept for the session; for a file
 * whose model is not reachable, why, and a way to locate it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-figure.h"
#include "hl-session.h"

G_BEGIN_DECLS

#define HL_TYPE_CAUSAL_SECTION (hl_causal_section_get_type ())
G_DECLARE_FINAL_TYPE (HlCausalSection, hl_causal_section, HL, CAUSAL_SECTION, GtkWidget)

GtkWidget  *hl_causal_section_new         (void);

void        hl_causal_section_set_session (HlCausalSection *self,
                                           HlSession       *session);

/* What the section says about the model: its description, or why it
 * cannot be used. */
const char *hl_causal_section_get_message (HlCausalSection *self);
/* What it says about the run: progress, the result or why it failed. */
const char *hl_causal_section_get_status  (HlCausalSection *self);
/* The figure shown, or NULL. */
HlFigure   *hl_causal_section_get_figure  (HlCausalSection *self);
/* What the Measure button does: measures the selected head. */
void        hl_causal_section_measure     (HlCausalSection *self);

G_END_DECLS
