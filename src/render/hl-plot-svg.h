/* hl-plot-svg.h: SVG files whose labels stay editable.
 *
 * cairo writes text into SVG as glyph outlines, which Inkscape and
 * Illustrator cannot edit and a journal's style check cannot read. While an
 * SVG figure is drawn, an HlPlotSvgText attached to its surface collects
 * every label that hl_plot_text_draw () is given as an SVG <text> element
 * (font family, size, weight and style, position, rotation, colour, with a
 * <tspan> per Pango run for subscripts and italics) instead of the glyphs;
 * hl_plot_svg_finish () then adds them, the title and the provenance to
 * the document. Lines, markers and cells stay paths.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

typedef struct _HlPlotSvgText HlPlotSvgText;

/* Collects the text drawn on @surface from now on; the surface owns the
 * collector, which lives until the surface is destroyed. */
HlPlotSvgText *hl_plot_svg_text_attach   (cairo_surface_t *surface);
/* The collector of @cr's target, or NULL when text is to be drawn. */
HlPlotSvgText *hl_plot_svg_text_get      (cairo_t         *cr);
/* Adds @layout as one <text> element: its top-left corner is the current
 * point of @cr, in @cr's current user space (which may be rotated). */
void           hl_plot_svg_text_add      (HlPlotSvgText   *self,
                                          cairo_t         *cr,
                                          PangoLayout     *layout,
                                          const HlRgba    *color);
/* The <text> elements collected so far, in drawing order. */
const char    *hl_plot_svg_text_elements (HlPlotSvgText   *self);

/* Takes @svg (cairo's document) and returns the document to write: ids
 * numbered in order of appearance, then before </svg> a <title>, a
 * <metadata> with @provenance and the text @elements (each may be NULL). */
GByteArray    *hl_plot_svg_finish        (GByteArray      *svg,
                                          const char      *elements,
                                          const char      *title,
                                          const char      *provenance);

G_END_DECLS
