/* hl-causal-figures.h: the figures of the causal experiments
 * (docs/causal.md), built from an HlCausalResult like every other figure:
 * the layer × head maps of each head's ablation delta NLL and of its
 * effective set size N*, one head's delta NLL against N beside its P/R/F
 * curves, and the sparsification curves. The app's Causal Tests window and
 * `headlens-cli intervene --figure` draw them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-causal-experiment.h"
#include "hl-figure.h"

G_BEGIN_DECLS

typedef enum
{
  HL_CAUSAL_MAP_ABLATION,   /* delta NLL of each head's own ablation (its first mode) */
  HL_CAUSAL_MAP_N_STAR,     /* N*_tau of each head on its own (its first mode and ranking) */
} HlCausalMap;

/* The per-head values of @map in @result [n_layers * n_heads], NaN for a
 * head not measured on its own; FALSE when @result has none. @what
 * (may be NULL) receives their description, Pango markup. */
gboolean  hl_causal_map_values          (const HlCausalResult *result,
                                         HlCausalMap           map,
                                         float                *values,
                                         char                **what);

/* The heatmap of @map, NULL when @result has no per-head value of it;
 * (@selected_layer, @selected_head) outlined (-1: none). */
HlFigure *hl_figure_new_causal_map      (const HlCausalResult *result,
                                         HlCausalMap           map,
                                         int                   selected_layer,
                                         int                   selected_head,
                                         const char           *title);

/* Delta NLL against N (log2 axis) for the target (@layer, @head) of a
 * truncate result (HL_CAUSAL_ALL for every layer or head at once), one line
 * per mode and ranking, tau as a reference line and N* marked when the
 * result searched N*. With @curves (that head's P/R/F figure, may be NULL)
 * the two side by side as (a) and (b). NULL when the result has no row of
 * the target. */
HlFigure *hl_figure_new_causal_truncation (const HlCausalResult *result,
                                           int                   layer,
                                           int                   head,
                                           HlFigure             *curves,
                                           const char           *title);

/* Delta NLL against the fraction of heads pruned, one line per policy, the
 * random policy's smallest to largest over its repeats as a band. NULL when
 * the result has no sparsification rows. */
HlFigure *hl_figure_new_sparsification  (const HlCausalResult *result,
                                         const char           *title);

G_END_DECLS
