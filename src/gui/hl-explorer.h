/* hl-explorer.h: one activation file explored: the controls (ranking,
 * distance, N, sample, query, heatmap colour), the analysis' progress, the
 * layer × head heatmap, the model-level plots and the selected head's
 * detail, all bound to one session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hl-head-detail.h"
#include "hl-head-table.h"
#include "hl-heatmap-view.h"
#include "hl-model-panel.h"
#include "hl-session.h"

G_BEGIN_DECLS

#define HL_TYPE_EXPLORER (hl_explorer_get_type ())
G_DECLARE_FINAL_TYPE (HlExplorer, hl_explorer, HL, EXPLORER, GtkWidget)

GtkWidget     *hl_explorer_new             (void);

/* "session": what the explorer shows and controls. */
void           hl_explorer_set_session     (HlExplorer *self,
                                            HlSession  *session);
HlSession     *hl_explorer_get_session     (HlExplorer *self);

/* Actions: "explorer.n-step" (int) moves N along the grid, + and − are
 * bound to it; "explorer.cancel-analysis" is the Cancel button. */

HlHeatmapView *hl_explorer_get_heatmap     (HlExplorer *self);
HlHeadDetail  *hl_explorer_get_head_detail (HlExplorer *self);
HlModelPanel  *hl_explorer_get_model_panel (HlExplorer *self);
HlHeadTable   *hl_explorer_get_head_table  (HlExplorer *self);

/* Shows the overview page @name: "heatmap", "table" (every head as a
 * sortable row) or "matrices" (every head's attention matrix). */
void           hl_explorer_show_overview   (HlExplorer *self,
                                            const char *name);

G_END_DECLS
