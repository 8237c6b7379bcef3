/* hl-model-panel.h: the model-level results of a finished analysis: mean
 * curves with their band and the random baseline, regimes per layer and
 * corr(R_N, rho0) over N.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-analysis.h"

G_BEGIN_DECLS

#define HL_TYPE_MODEL_PANEL (hl_model_panel_get_type ())
G_DECLARE_FINAL_TYPE (HlModelPanel, hl_model_panel, HL, MODEL_PANEL, GtkWidget)

GtkWidget *hl_model_panel_new          (void);

/* Shows @message instead of the plots (while the analysis runs, or after
 * it was cancelled or failed). */
void       hl_model_panel_show_message (HlModelPanel *self,
                                        const char   *message);

/* Shows the summary of @analysis (kept). @results_per_layer tops the regime
 * bars: heads × samples × queries. */
void       hl_model_panel_set_analysis (HlModelPanel *self,
                                        HlAnalysis   *analysis,
                                        int           results_per_layer);

/* Which curves the plots show and the N marked. */
void       hl_model_panel_set_view     (HlModelPanel *self,
                                        HlRanking     ranking,
                                        HlDistance    distance,
                                        int           n);

G_END_DECLS
