/* hl-plot-theme.h: the plot style of the screen, following the light, dark
 * and high-contrast styles of libadwaita.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

/* The style preset the screen uses now: light, dark or high contrast, as
 * libadwaita's style manager says. */
HlPlotStylePreset  hl_plot_theme_get_preset (void);

/* The style the plots on screen draw with now; owned by the theme, valid
 * until the next style change (widgets redraw on hl_plot_theme_watch). */
const HlPlotStyle *hl_plot_theme_get   (void);

/* Redraws @widget whenever the style changes, for as long as it lives. */
void               hl_plot_theme_watch (GtkWidget *widget);

G_END_DECLS
