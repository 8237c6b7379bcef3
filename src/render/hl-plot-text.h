/* hl-plot-text.h: Pango text for the plots, measured the same way on every
 * target so a layout computed for hit-testing matches the drawing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

/* A layout of @markup (Pango markup; text that is not valid markup is shown
 * as it is) in the style's font at @scale times its base size. Metrics are
 * unhinted and the resolution is 72 units per inch, so sizes are the same on
 * screen, in PNG, SVG and PDF. */
PangoLayout *hl_plot_text_layout (const HlPlotStyle *style,
                                  const char        *markup,
                                  double             scale,
                                  gboolean           bold);
/* The logical size of @layout in units of the cairo_t. */
void         hl_plot_text_size   (PangoLayout       *layout,
                                  double            *width,
                                  double            *height);
/* Width and height of @markup without keeping the layout. */
void         hl_plot_text_measure (const HlPlotStyle *style,
                                   const char        *markup,
                                   double             scale,
                                   double            *width,
                                   double            *height);
/* Draws @layout so that the point (@xalign, @yalign) of its box (0 = left or
 * top, 1 = right or bottom) lands on (@x, @y); @angle turns the text around
 * that point (radians, -G_PI / 2 reads bottom to top). On an SVG export the
 * text becomes a <text> element instead of glyph outlines (hl-plot-svg.h). */
void         hl_plot_text_draw   (cairo_t           *cr,
                                  PangoLayout       *layout,
                                  const HlRgba      *color,
                                  double             x,
                                  double             y,
                                  double             xalign,
                                  double             yalign,
                                  double             angle);
/* Layout, draw and free in one call. */
void         hl_plot_text_show   (cairo_t           *cr,
                                  const HlPlotStyle *style,
                                  const char        *markup,
                                  double             scale,
                                  const HlRgba      *color,
                                  double             x,
                                  double             y,
                                  double             xalign,
                                  double             yalign);
/* Whether fontconfig has a font of @family (any case; aliases such as
 * "Sans" and "Serif" count), so a figure asked for in that font is not
 * silently drawn in another. */
gboolean     hl_plot_text_has_family (const char *family);
/* Drops the font map cached by Pango. Call once before
 * the process exits (tests, the command line) so leak checkers report only
 * real leaks; no text may be drawn afterwards. */
void         hl_plot_text_release_caches (void);
/* A number as tick-label markup: a true minus sign, @decimals digits. */
char        *hl_plot_text_format_number (double value,
                                         int    decimals);

G_END_DECLS
