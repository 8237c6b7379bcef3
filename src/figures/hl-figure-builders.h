/* hl-figure-builders.h: the one builder of each figure kind. Each takes
 * analysis results (borrowed) and what is looked at, and returns a figure
 * that owns copies of what it shows. The window, the export dialog, the
 * playground and `headlens-cli render` all draw through these, so the same
 * results and view give the same figure everywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-attention-matrix.h"
#include "hl-figure.h"
#include "hl-metric.h"
#include "hl-model-summary.h"
#include "hl-projection.h"

G_BEGIN_DECLS

/* What a figure looks at. */
typedef struct
{
  HlRanking   ranking;
  HlDistance  distance;
  int         n;        /* the chosen N, marked on curves; 0: none */
  gboolean    log_y;    /* the profile's attention axis is logarithmic */
  const char *title;    /* Pango markup over the figure, or NULL */
  /* Plain text: a caveat the regime figures (the heatmap by regime, the
   * regime counts) show under their title (hl_planted_regimes_note ():
   * the taxonomy does not apply, a synthetic file's regimes were planted);
   * NULL: none. */
  const char *note;
  gboolean    faded;    /* the regimes drawn faded: the taxonomy does not apply */
} HlFigureView;

/* The keys of a head as figures that show keys name them: their texts as
 * the file stores them (NULL: none) and the one highlighted (-1: none). */
typedef struct
{
  const char * const *texts;
  int                 highlighted;
} HlFigureKeys;

/* A figure's title (markup) with a line under it in smaller, regular type
 * saying what it shows: the distance and the results (@scope, plain text,
 * hl_scope_label ()), and the ranking when @title does not name it
 * (@ranking < 0: it does). Exported figures carry it, so a figure in a
 * paper says which ranking, distance, sample and query it shows. */
char     *hl_figure_subtitled_title  (const char           *title,
                                      int                   ranking,
                                      HlDistance            distance,
                                      const char           *scope);

/* One head. The random control is drawn dashed beside the chosen ranking,
 * except when the ranking is the random one. */
HlFigure *hl_figure_new_head_curves  (const HlHeadResult   *result,
                                      const HlFigureView   *view);
HlFigure *hl_figure_new_alignment    (const HlHeadResult   *result,
                                      const HlFigureView   *view);
HlFigure *hl_figure_new_decay        (const HlHeadResult   *result,
                                      const HlFigureView   *view);
/* The value-space picture at @scatter's N (view's N is not used), with
 * the highlighted key of @keys (NULL: none) ringed. */
HlFigure *hl_figure_new_scatter      (const HlScatter      *scatter,
                                      const HlFigureKeys   *keys,
                                      const HlFigureView   *view);
/* The attention row @alpha (scatter->n_points keys) with @scatter's
 * selection; the keys' texts (NULL: none) labelled where they fit. */
HlFigure *hl_figure_new_profile      (const float          *alpha,
                                      const HlScatter      *scatter,
                                      const HlFigureKeys   *keys,
                                      const HlFigureView   *view);
/* The text of the @n_keys keys shaded by @alpha, @scatter's selection
 * outlined (NULL: no selection, for a single key). */
HlFigure *hl_figure_new_tokens       (int                   n_keys,
                                      const float          *alpha,
                                      const HlScatter      *scatter,
                                      const HlFigureKeys   *keys,
                                      const HlFigureView   *view);

/* One head's attention matrix, the query at @selected_query of @positions
 * (@n_queries of them; -1: none) outlined; colours on a log scale with
 * @log_color. */
HlFigure *hl_figure_new_matrix       (const HlAttentionMatrix *matrix,
                                      const int            *positions,
                                      int                   n_queries,
                                      int                   selected_query,
                                      gboolean              log_color,
                                      const HlFigureView   *view);
/* Every head's matrix of one sample, (@selected_layer, @selected_head)
 * outlined (-1: none). */
HlFigure *hl_figure_new_matrices     (const HlAttentionGrid *grid,
                                      gboolean              log_color,
                                      int                   selected_layer,
                                      int                   selected_head,
                                      const HlFigureView   *view);

/* The model: mean curves with their bootstrap band, regime counts per
 * layer (@results_per_layer results of @n_heads heads each layer: more than
 * @n_heads when there are several samples or queries), and the correlation
 * of recall with the sink similarity. */
HlFigure *hl_figure_new_model_curves (const HlModelSummary *summary,
                                      const HlFigureView   *view);
HlFigure *hl_figure_new_regimes      (const HlModelSummary *summary,
                                      int                   n_heads,
                                      int                   results_per_layer,
                                      const HlFigureView   *view);
HlFigure *hl_figure_new_correlation  (const HlModelSummary *summary,
                                      const HlFigureView   *view);

/* Theory next to measurement: the measured ||o - s_N|| and its bound
 * B (1 - M_N) of the view's ranking, for @result (NULL: the model alone)
 * and, when @summary is not NULL, the model's means. */
HlFigure *hl_figure_new_bound        (const HlHeadResult   *result,
                                      const HlModelSummary *summary,
                                      const HlFigureView   *view);

/* The layer × head overview: @cells holds @per_cell results of each head
 * (cells[(l * n_heads + h) * per_cell + k], NULL while pending): with one,
 * the cell shows that result; with more, @statistic of the metric over
 * those received (hl_metric_stats ()) and their most frequent regime.
 * Coloured by @metric (NULL: the regime) at the view's N, ranking and
 * distance; (@selected_layer, @selected_head) outlined (-1: none). */
HlFigure *hl_figure_new_heatmap      (int                   n_layers,
                                      int                   n_heads,
                                      int                   per_cell,
                                      HlHeadResult * const *cells,
                                      const HlMetric       *metric,
                                      HlStatistic           statistic,
                                      const HlFigureView   *view,
                                      int                   selected_layer,
                                      int                   selected_head);

/* A head in a comparison: its result, its scatter at the N shown, and
 * its name (plain text, "Layer 1 · Head 2"). */
typedef struct
{
  const HlHeadResult *result;
  const HlScatter    *scatter;
  const char         *label;
} HlComparedHead;

/* Two heads side by side at the same sample and query: (a) their
 * precision, recall and F1 over N in one plot (@first solid, @second
 * dashed, the legend naming both), (b) and (c) their scatters at the
 * view's N, each titled by its head. NULL when the two have different N
 * grids (they cannot be of the same query). */
HlFigure *hl_figure_new_compare      (const HlComparedHead *first,
                                      const HlComparedHead *second,
                                      const HlFigureView   *view);

/* The paper-style figure of a curves figure: precision, recall and F1 side
 * by side, labelled (a), (b), (c), under the curves' title. */
HlFigure *hl_figure_new_panel        (HlFigure             *curves);

/* The titles `headlens-cli render` and Export Figure give: the head and
 * ranking ("Layer 3 · Head 5 · attention ranking"), or the model's name
 * (escaped; "Model" when the file has none). */
char     *hl_figure_head_title       (int                   layer,
                                      int                   head,
                                      HlRanking             ranking);
char     *hl_figure_model_title      (const char           *model);

G_END_DECLS
