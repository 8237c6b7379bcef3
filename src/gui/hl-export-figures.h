/* hl-export-figures.h: Export Figure for a window: every plot it shows,
 * snapshotted, offered in one dialog.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-export-dialog.h"

G_BEGIN_DECLS

/* The style the screen uses now (light, dark or high contrast). */
HlPlotStylePreset hl_export_figures_current_style (void);

/* Opens Export Figure transient for @window with snapshots of every plot
 * in it that shows data: the layer × head heatmap, each plot view (model
 * curves, regimes, correlation, the head's curves, alignment, profile,
 * decay), the head's scatter, and a multi-panel P, R, F figure of each
 * curves plot. Selects
 * the plot @preferred is (or is inside), else the plot under the pointer.
 * Returns the dialog, or NULL (and opens nothing) when no plot has data
 * yet. */
HlExportDialog   *hl_export_figures_present       (GtkWindow *window,
                                                   GtkWidget *preferred);

G_END_DECLS
