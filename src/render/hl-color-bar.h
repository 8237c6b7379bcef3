/* hl-color-bar.h: the colour bar beside a heatmap or a matrix: a colour
 * map's gradient from the bottom (0) to the top (1) of a rectangle, and
 * the ticks and labels of its value axis on its right.
 *
 * Internal to src/render: the heatmap and the matrix renderers draw it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-colormap.h"
#include "hl-plot-axis.h"
#include "hl-plot-style.h"

G_BEGIN_DECLS

/* Draws the bar in (@x, @top) .. (@x + @width, @bottom) and @axis's
 * @n_ticks @ticks beside it, labelled at @tick_scale times the style's
 * font size; @axis maps values to pixels already
 * (hl_plot_axis_set_pixels (axis, bottom, top)). */
void hl_color_bar_draw (const HlPlotStyle *style,
                        HlColormap         colormap,
                        const HlPlotAxis  *axis,
                        const double      *ticks,
                        int                n_ticks,
                        double             tick_scale,
                        double             x,
                        double             width,
                        double             top,
                        double             bottom,
                        cairo_t           *cr);

G_END_DECLS
