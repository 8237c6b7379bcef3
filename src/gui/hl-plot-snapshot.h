/* hl-plot-snapshot.h: a plot's data deep-copied, so a figure can be
 * exported after the window that showed it has moved on.
 *
 * The renderers' data structs borrow their arrays from whoever owns them
 * (a window, an analysis still in progress). A snapshot copies the struct
 * and every array and string it points to, panels included, and shares the
 * copy by reference counting.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hl-curves-plot.h"
#include "hl-plot.h"

G_BEGIN_DECLS

#define HL_TYPE_PLOT_SNAPSHOT (hl_plot_snapshot_get_type ())

typedef struct _HlPlotSnapshot HlPlotSnapshot;

GType           hl_plot_snapshot_get_type  (void) G_GNUC_CONST;

/* Copies @data, the struct of @kind, and everything it points to. */
HlPlotSnapshot *hl_plot_snapshot_new       (HlPlotKind      kind,
                                            gconstpointer   data);
/* The paper-style multi-panel figure of @curves: precision, recall and F1
 * side by side, labelled (a), (b), (c), under @title (markup or NULL). */
HlPlotSnapshot *hl_plot_snapshot_new_curves_panel (const HlCurvesPlotData *curves,
                                                   const char             *title);
HlPlotSnapshot *hl_plot_snapshot_ref       (HlPlotSnapshot *self);
void            hl_plot_snapshot_unref     (HlPlotSnapshot *self);

HlPlotKind      hl_plot_snapshot_get_kind  (HlPlotSnapshot *self);
/* The copied struct of the snapshot's kind, valid as long as @self. */
gconstpointer   hl_plot_snapshot_get_data  (HlPlotSnapshot *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlPlotSnapshot, hl_plot_snapshot_unref)

G_END_DECLS
