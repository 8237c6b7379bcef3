/* hl-plot-legend.h: a legend box: one row per entry, a symbol and a label.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

typedef enum
{
  HL_LEGEND_LINE,          /* a solid line */
  HL_LEGEND_DASHED,        /* a dashed line */
  HL_LEGEND_BAND,          /* a translucent box */
  HL_LEGEND_BOX,           /* a filled box */
  HL_LEGEND_REGIME,        /* a filled box with the marks of its regime */
  HL_LEGEND_HATCH,         /* the pending-cell hatch */
  HL_LEGEND_DOT,           /* a filled point */
  HL_LEGEND_RING,          /* a point with a ring around it */
  HL_LEGEND_CROSS,         /* an x */
  HL_LEGEND_CIRCLE,        /* a solid circle outline (a disk boundary) */
  HL_LEGEND_DASHED_CIRCLE, /* a dashed circle outline */
  HL_LEGEND_LINE_DOTS,     /* a line with point markers */
} HlLegendSymbol;

typedef struct
{
  HlLegendSymbol symbol;
  HlRgba         color;
  const char    *label;    /* Pango markup, borrowed */
  HlRegime       regime;   /* HL_LEGEND_REGIME only */
} HlLegendEntry;

/* The size of the legend, padding included. */
void hl_plot_legend_measure (const HlPlotStyle   *style,
                             const HlLegendEntry *entries,
                             int                  n_entries,
                             double              *width,
                             double              *height);
/* Draws the legend with its top-left corner at (@x, @y); @boxed puts it on
 * a translucent background with a thin border (for legends inside a plot). */
void hl_plot_legend_draw    (const HlPlotStyle   *style,
                             const HlLegendEntry *entries,
                             int                  n_entries,
                             cairo_t             *cr,
                             double               x,
                             double               y,
                             gboolean             boxed);

G_END_DECLS
