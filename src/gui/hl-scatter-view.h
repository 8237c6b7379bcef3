/* hl-scatter-view.h: the value-space scatter of one head as a widget:
 * hovering a point tells its token, position, weight and distance.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-projection.h"
#include "hl-scatter-plot.h"

G_BEGIN_DECLS

#define HL_TYPE_SCATTER_VIEW (hl_scatter_view_get_type ())
G_DECLARE_FINAL_TYPE (HlScatterView, hl_scatter_view, HL, SCATTER_VIEW, GtkWidget)

GtkWidget *hl_scatter_view_new          (void);

/* Shows @scatter (taken; NULL clears). @alpha ([n_points]) and @tokens
 * (n_points texts or NULL) are borrowed for as long as the scatter is
 * shown; @query_position is t. */
void       hl_scatter_view_set_scatter  (HlScatterView      *self,
                                         HlScatter          *scatter,
                                         HlDistance          distance,
                                         int                 query_position,
                                         const float        *alpha,
                                         const char * const *tokens);

const HlScatter *hl_scatter_view_get_scatter (HlScatterView *self);

/* What the view draws (borrowed), or NULL without a scatter. */
const HlScatterPlotData *hl_scatter_view_get_plot_data (HlScatterView *self);

G_END_DECLS
