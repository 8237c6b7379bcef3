/* hl-curves-plot.h: precision, recall and F1 over N (log2 axis) for one
 * ranking, with the random control (or a second head) dashed, an optional band (the model
 * mean's bootstrap interval) and the chosen N marked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

typedef enum
{
  HL_CURVE_PRECISION,
  HL_CURVE_RECALL,
  HL_CURVE_F1,
  HL_N_CURVES
} HlCurveMetric;

/* Plain data, borrowed for one call; every array has n_grid entries and any
 * may be NULL (that curve is not drawn). NaN leaves a gap. */
typedef struct
{
  int          n_grid;
  const int   *grid;                    /* the N values, increasing */
  const float *ranked[HL_N_CURVES];     /* the chosen ranking: solid */
  const float *random[HL_N_CURVES];     /* the random control: dashed */
  const float *band_lo[HL_N_CURVES];    /* a band around the ranked curve */
  const float *band_hi[HL_N_CURVES];
  const char  *band_label;              /* legend text of the band; NULL: "95% band" */
  /* A second head's curves, dashed, for a comparison (no random control
   * then); the legend names the solid and the dashed heads. */
  const float *compared[HL_N_CURVES];
  const char  *ranked_label;            /* plain text; NULL: no legend entry */
  const char  *compared_label;
  int          chosen_n;                /* marked with a vertical line; 0: none */
  const char  *title;                   /* Pango markup or NULL */
} HlCurvesPlotData;

void        hl_curves_plot_draw  (const HlPlotStyle      *style,
                                  const HlCurvesPlotData *data,
                                  cairo_t                *cr,
                                  double                  width,
                                  double                  height);

G_END_DECLS
