/* hl-export-figures.h: Export Figure for the explorer: every figure its
 * session has, built for a file, offered in one dialog.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-export-dialog.h"
#include "hl-session.h"

G_BEGIN_DECLS

/* Opens Export Figure transient for @window with the figures of @session
 * (hl_session_build_figures () for export: the heatmap, the model curves
 * and their panels, regimes, correlation, and the selected head's curves,
 * panels, alignment, scatter, profile and decay). Selects the figure named
 * @preferred (a basename), else the one shown under the pointer or by the
 * focused widget. Returns the dialog, or NULL (and opens nothing) when
 * there is no figure yet. */
HlExportDialog *hl_export_figures_present (GtkWindow  *window,
                                           HlSession  *session,
                                           const char *preferred);

G_END_DECLS
