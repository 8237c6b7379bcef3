/* hl-heatmap-plot.h: the layer x head overview. Rows are layers (layer 0 at
 * the top), columns are heads; cells are coloured by regime or by a metric.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-colormap.h"
#include "hl-plot-style.h"

G_BEGIN_DECLS

typedef enum
{
  HL_HEATMAP_COLOR_REGIME,   /* categorical, with a legend */
  HL_HEATMAP_COLOR_METRIC,   /* a colour map, with a colour bar */
} HlHeatmapColorMode;

/* Plain data, borrowed by the renderer for one call. Cells are row-major by
 * layer: cell (l, h) is index l * n_heads + h. */
typedef struct
{
  int                 n_layers;
  int                 n_heads;
  HlHeatmapColorMode  mode;
  const int          *regimes;        /* an HlRegime per cell, -1 while pending (regime mode) */
  const float        *values;         /* a value per cell, NaN while pending (metric mode) */
  HlColormap          colormap;
  double              vmin;           /* colour range; vmin >= vmax takes it from the */
  double              vmax;           /* data (symmetric around 0 for the diverging map) */
  const char         *value_label;    /* Pango markup naming the metric: "F<sub>N</sub>" */
  int                 selected_layer; /* -1: no selection */
  int                 selected_head;
  const char         *title;          /* Pango markup or NULL */
  /* A caveat under the title (Pango markup, e.g. that the taxonomy does
   * not apply, or that a synthetic file's regimes were planted). NULL: none. */
  const char         *note;
  gboolean            faded;          /* regime mode: cells drawn faded (the taxonomy
                                       * does not apply) */
} HlHeatmapPlotData;

void     hl_heatmap_plot_draw        (const HlPlotStyle       *style,
                                      const HlHeatmapPlotData *data,
                                      cairo_t                 *cr,
                                      double                   width,
                                      double                   height);
/* The cell under (@x, @y), in the units the plot was drawn with at
 * @width x @height; FALSE outside the cells. */
gboolean hl_heatmap_plot_cell_at     (const HlPlotStyle       *style,
                                      const HlHeatmapPlotData *data,
                                      double                   width,
                                      double                   height,
                                      double                   x,
                                      double                   y,
                                      int                     *layer,
                                      int                     *head);
/* The rectangle of cell (@layer, @head) (before pixel snapping). */
void     hl_heatmap_plot_cell_rect   (const HlPlotStyle       *style,
                                      const HlHeatmapPlotData *data,
                                      double                   width,
                                      double                   height,
                                      int                      layer,
                                      int                      head,
                                      double                  *x,
                                      double                  *y,
                                      double                  *cell_width,
                                      double                  *cell_height);

G_END_DECLS
