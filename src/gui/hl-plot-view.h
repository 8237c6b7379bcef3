/* hl-plot-view.h: a widget that shows one renderer of src/render.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-plot.h"

G_BEGIN_DECLS

#define HL_TYPE_PLOT_VIEW (hl_plot_view_get_type ())
G_DECLARE_FINAL_TYPE (HlPlotView, hl_plot_view, HL, PLOT_VIEW, GtkWidget)

/* @label names the plot for assistive technologies. */
GtkWidget *hl_plot_view_new      (HlPlotKind     kind,
                                  const char    *label);

/* @data is the struct of the view's kind, borrowed until the next call:
 * the owner keeps it (and its arrays) alive and calls again after changing
 * it. NULL draws nothing. */
void       hl_plot_view_set_data (HlPlotView    *self,
                                  gconstpointer  data);

/* What the view shows, for Export Figure: its kind, its label and the data
 * it borrows now (NULL while it shows nothing). */
HlPlotKind    hl_plot_view_get_kind  (HlPlotView *self);
const char   *hl_plot_view_get_label (HlPlotView *self);
gconstpointer hl_plot_view_get_data  (HlPlotView *self);

G_END_DECLS
