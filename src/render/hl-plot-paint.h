/* hl-plot-paint.h: the small drawing primitives the renderers share:
 * colours, dashes, markers, the pending-cell hatch, pixel snapping.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

typedef enum
{
  HL_PLOT_MARKER_DOT,      /* filled circle */
  HL_PLOT_MARKER_RING,     /* circle outline */
  HL_PLOT_MARKER_CROSS,    /* an x */
  HL_PLOT_MARKER_DIAMOND,  /* filled diamond */
} HlPlotMarker;

void     hl_plot_paint_set_color  (cairo_t           *cr,
                                   const HlRgba      *color);
/* The dash pattern of random controls and of the rho_min disk, scaled to
 * the line width. */
void     hl_plot_paint_set_dashed (cairo_t           *cr,
                                   double             line_width);
void     hl_plot_paint_marker     (cairo_t           *cr,
                                   HlPlotMarker       marker,
                                   double             x,
                                   double             y,
                                   double             size,
                                   double             line_width);
/* The look of a cell without a value yet: neutral grey with diagonal
 * hatching, distinct from any colour of the maps. */
void     hl_plot_paint_hatch      (cairo_t           *cr,
                                   const HlPlotStyle *style,
                                   double             x,
                                   double             y,
                                   double             width,
                                   double             height);
/* The marks that tell regimes apart without their colours (greyscale
 * print, colour-blind readers, the dark palette, whose regime colours are
 * alike in grey): Retriever plain, Mixer horizontal stripes, Reset dots,
 * Other a grid. Drawn over (@x, @y, @width, @height), already filled with
 * @fill, in black or white, whichever stands out from @fill; anchored to
 * the origin so neighbouring cells continue one pattern. */
/* @color two thirds of the way to the background: what a figure shows
 * with a caveat (the taxonomy does not apply). */
HlRgba   hl_plot_paint_faded        (const HlPlotStyle *style,
                                     const HlRgba      *color);
void     hl_plot_paint_regime_marks (cairo_t           *cr,
                                     const HlPlotStyle *style,
                                     HlRegime           regime,
                                     const HlRgba      *fill,
                                     double             x,
                                     double             y,
                                     double             width,
                                     double             height);
/* TRUE when the target ends up as pixels (an image, or GTK's recording of a
 * widget's drawing), where edges look crisp only on whole device pixels. */
gboolean hl_plot_paint_is_raster  (cairo_t           *cr);
/* Moves the edges of a rectangle to whole device pixels (raster targets
 * only; vector output keeps exact geometry). */
void     hl_plot_paint_snap_rect  (cairo_t           *cr,
                                   double            *x,
                                   double            *y,
                                   double            *width,
                                   double            *height);
/* Fills (0, 0, width, height) with the style's background. */
void     hl_plot_paint_background (cairo_t           *cr,
                                   const HlPlotStyle *style,
                                   double             width,
                                   double             height);

G_END_DECLS
