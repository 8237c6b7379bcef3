/* hl-causal-heatmap.h: the heatmap's causal colourings. Once every head's
 * ablation delta NLL or N* is measured (HlCausalStore), the heatmap's
 * colour choice offers them after the registry's metrics; chosen, the
 * heatmap shows that map (src/figures/hl-causal-figures.c is the one
 * source of its values), its tooltips say the head's value and what it
 * means, and a click still selects the head. They are not settings: the
 * setting keeps the last registry metric chosen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-heatmap-view.h"

G_BEGIN_DECLS

/* Adds the causal entries to @dropdown (a GtkStringList of the registry's
 * colourings) while @heatmap's session has them. */
void     hl_causal_heatmap_attach        (GtkDropDown   *dropdown,
                                          HlHeatmapView *heatmap);

/* The position of the entry of @map (HlCausalMap) in @dropdown, or
 * GTK_INVALID_LIST_POSITION while it is not offered. */
guint    hl_causal_heatmap_find_entry    (GtkDropDown   *dropdown,
                                          int            map);

G_END_DECLS
