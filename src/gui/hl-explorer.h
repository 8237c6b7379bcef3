/* hl-explorer.h: one activation file explored: the analysis in the
 * background, the global controls, the layer × head heatmap, the model-level
 * plots and the selected head's detail.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hl-activations.h"
#include "hl-analysis.h"
#include "hl-head-detail.h"
#include "hl-heatmap-view.h"

G_BEGIN_DECLS

#define HL_TYPE_EXPLORER (hl_explorer_get_type ())
G_DECLARE_FINAL_TYPE (HlExplorer, hl_explorer, HL, EXPLORER, GtkWidget)

GtkWidget     *hl_explorer_new             (void);

/* Shows @file and starts its analysis, cancelling the one running. */
void           hl_explorer_set_file        (HlExplorer    *self,
                                            HlActivations *file);
HlActivations *hl_explorer_get_file        (HlExplorer    *self);

/* Signals: ::analysis-failed (const GError *error) when a run ends with an
 * error other than its cancellation. */

/* TRUE while the analysis runs. */
gboolean       hl_explorer_get_running     (HlExplorer    *self);
void           hl_explorer_cancel          (HlExplorer    *self);

/* The finished analysis, NULL while it runs or after a cancellation. */
HlAnalysis    *hl_explorer_get_analysis    (HlExplorer    *self);

/* Head results received so far for the open file, and how many there will
 * be. */
guint          hl_explorer_get_n_received  (HlExplorer    *self);
guint          hl_explorer_get_n_expected  (HlExplorer    *self);

/* Moves N one step along the grid (+1 or -1). */
void           hl_explorer_step_n          (HlExplorer    *self,
                                            int            delta);
/* The N shown now (0 before a file is open). */
int            hl_explorer_get_n           (HlExplorer    *self);

HlHeatmapView *hl_explorer_get_heatmap     (HlExplorer    *self);
HlHeadDetail  *hl_explorer_get_head_detail (HlExplorer    *self);

G_END_DECLS
