/* hl-plot.h: every plot kind behind one call, for export, panels and the
 * command line. Each kind's data is its own renderer's struct.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

typedef enum
{
  HL_PLOT_CURVES,        /* HlCurvesPlotData */
  HL_PLOT_HEATMAP,       /* HlHeatmapPlotData */
  HL_PLOT_SCATTER,       /* HlScatterPlotData */
  HL_PLOT_ALIGNMENT,     /* HlAlignmentPlotData */
  HL_PLOT_PROFILE,       /* HlProfilePlotData */
  HL_PLOT_DECAY,         /* HlDecayPlotData */
  HL_PLOT_REGIMES,       /* HlRegimesPlotData */
  HL_PLOT_CORRELATION,   /* HlCorrelationPlotData */
  HL_PLOT_BOUND,         /* HlBoundPlotData */
  HL_PLOT_PANEL,         /* HlPanelPlotData */
  HL_PLOT_TOKENS,        /* HlTokensPlotData */
  HL_PLOT_MATRIX,        /* HlMatrixPlotData */
  HL_PLOT_MATRICES,      /* HlMatrixGridPlotData */
  HL_PLOT_CAUSAL,        /* HlCausalPlotData */
  HL_N_PLOT_KINDS
} HlPlotKind;

/* Draws @data, which must be the struct of @kind, into (0, 0, @width,
 * @height) of @cr. */
void        hl_plot_draw             (HlPlotKind         kind,
                                      const HlPlotStyle *style,
                                      gconstpointer      data,
                                      cairo_t           *cr,
                                      double             width,
                                      double             height);
/* "curves", "heatmap", "scatter", "alignment", "profile", "decay",
 * "regimes", "correlation", "bound", "panel", "tokens", "matrix", "matrices",
 * "causal". */
const char *hl_plot_kind_to_string   (HlPlotKind         kind);
gboolean    hl_plot_kind_from_string (const char        *str,
                                      HlPlotKind        *out);

G_END_DECLS
