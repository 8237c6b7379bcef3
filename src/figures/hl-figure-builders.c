/* hl-figure-builders.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-figure-builders.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hl-alignment-plot.h"
#include "hl-bound-plot.h"
#include "hl-correlation-plot.h"
#include "hl-curves-plot.h"
#include "hl-decay-plot.h"
#include "hl-heatmap-plot.h"
#include "hl-matrix-plot.h"
#include "hl-panel-plot.h"
#include "hl-profile-plot.h"
#include "hl-regimes-plot.h"
#include "hl-scatter-plot.h"
#include "hl-tokens-plot.h"

static float *
alloc_floats (HlFigure *figure,
              int       n)
{
  return hl_figure_alloc (figure, sizeof (float) * MAX (n, 1));
}

static const int *
dup_ints (HlFigure  *figure,
          const int *values,
          int        n)
{
  return hl_figure_dup (figure, values, sizeof (int) * MAX (n, 0));
}

static const float *
dup_floats (HlFigure    *figure,
            const float *values,
            int          n)
{
  return hl_figure_dup (figure, values, sizeof (float) * MAX (n, 0));
}

static const gboolean *
dup_flags (HlFigure       *figure,
           const gboolean *values,
           int             n)
{
  return hl_figure_dup (figure, values, sizeof (gboolean) * MAX (n, 0));
}

char *
hl_figure_head_title (int       layer,
                      int       head,
                      HlRanking ranking)
{
  /* Translators: a figure title, e.g. "Layer 3 · Head 5 · attention ranking". */
  return g_strdup_printf (_("Layer %d · Head %d · %s ranking"), layer, head,
                          hl_ranking_display_name (ranking));
}

char *
hl_figure_model_title (const char *model)
{
  return g_markup_escape_text (model != NULL && model[0] != '\0' ? model : _("Model"), -1);
}

char *
hl_figure_subtitled_title (const char *title,
                           int         ranking,
                           HlDistance  distance,
                           const char *scope)
{
  g_autofree char *line = NULL;
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (title != NULL && scope != NULL, NULL);

  if (ranking >= 0)
    /* Translators: what a figure shows, under its title, e.g.
     * "attention ranking · euclidean distance · sample 0, t = 287" */
    line = g_strdup_printf (_("%s ranking · %s distance · %s"),
                            hl_ranking_display_name ((HlRanking) ranking),
                            hl_distance_to_string (distance), scope);
  else
    /* Translators: what a head's figure shows, under its title, e.g.
     * "euclidean distance · sample 0, t = 287" */
    line = g_strdup_printf (_("%s distance · %s"), hl_distance_to_string (distance), scope);
  escaped = g_markup_escape_text (line, -1);
  return g_strdup_printf ("%s\n<span size=\"smaller\" weight=\"normal\">%s</span>", title, escaped);
}

/* One head ---------------------------------------------------------------- */

static float
curve_value (const HlSeparabilityPoint *point,
             HlCurveMetric              metric)
{
  switch (metric)
    {
    case HL_CURVE_PRECISION: return point->precision;
    case HL_CURVE_RECALL: return point->recall;
    case HL_CURVE_F1:
    case HL_N_CURVES:
    default: return point->f1;
    }
}

/* One metric of a head's curve, or NULL when that ranking was not computed. */
static const float *
copy_curve (HlFigure                  *figure,
            const HlSeparabilityPoint *points,
            int                        n_grid,
            HlCurveMetric              metric)
{
  float *out;

  if (points == NULL)
    return NULL;
  out = alloc_floats (figure, n_grid);
  for (int i = 0; i < n_grid; i++)
    out[i] = curve_value (&points[i], metric);
  return out;
}

HlFigure *
hl_figure_new_head_curves (const HlHeadResult *result,
                           const HlFigureView *view)
{
  const HlCurveSet *set;
  HlCurvesPlotData *data;
  HlFigure *figure;

  g_return_val_if_fail (result != NULL && view != NULL, NULL);

  set = result->curves;
  figure = hl_figure_new (HL_PLOT_CURVES, sizeof *data, (gpointer *) &data);
  data->n_grid = set->n_grid;
  data->grid = dup_ints (figure, set->grid, set->n_grid);
  for (int m = 0; m < HL_N_CURVES; m++)
    {
      data->ranked[m] = copy_curve (figure, set->points[view->ranking][view->distance],
                                    set->n_grid, m);
      /* The random ranking is itself the control: drawn once, solid. */
      if (view->ranking != HL_RANKING_RANDOM)
        data->random[m] = copy_curve (figure, set->points[HL_RANKING_RANDOM][view->distance],
                                      set->n_grid, m);
    }
  data->chosen_n = view->n;
  data->title = hl_figure_strdup (figure, view->title);
  return figure;
}

HlFigure *
hl_figure_new_alignment (const HlHeadResult *result,
                         const HlFigureView *view)
{
  const HlCurveSet *set;
  HlAlignmentPlotData *data;
  HlFigure *figure;

  g_return_val_if_fail (result != NULL && view != NULL, NULL);

  set = result->curves;
  figure = hl_figure_new (HL_PLOT_ALIGNMENT, sizeof *data, (gpointer *) &data);
  data->n_grid = set->n_grid;
  data->grid = dup_ints (figure, set->grid, set->n_grid);
  data->cos_sink = dup_floats (figure, set->align_sink[view->ranking], set->n_grid);
  data->cos_last = dup_floats (figure, set->align_last[view->ranking], set->n_grid);
  data->chosen_n = view->n;
  data->title = hl_figure_strdup (figure, view->title);
  return figure;
}

HlFigure *
hl_figure_new_decay (const HlHeadResult *result,
                     const HlFigureView *view)
{
  const HlDiagnostics *d;
  HlDecayPlotData *data;
  HlFigure *figure;
  int *lags;

  g_return_val_if_fail (result != NULL && view != NULL, NULL);

  d = &result->diagnostics;
  figure = hl_figure_new (HL_PLOT_DECAY, sizeof *data, (gpointer *) &data);
  lags = hl_figure_alloc (figure, sizeof (int) * MAX (d->n_lags, 1));
  for (int k = 0; k < d->n_lags; k++)
    lags[k] = k + 1;
  data->n_lags = d->n_lags;
  data->lags = lags;
  data->c = dup_floats (figure, d->decay, d->n_lags);
  data->beta = d->n_lags > 0 ? d->beta : NAN;
  data->fit_error = d->n_lags > 0 ? d->beta_mae : NAN;
  data->title = hl_figure_strdup (figure, view->title);
  return figure;
}

static int
highlighted_of (const HlFigureKeys *keys,
                int                 n_keys)
{
  return keys != NULL && keys->highlighted < n_keys ? keys->highlighted : -1;
}

/* The first @n texts of @keys, copied into @figure, or NULL. */
static const char * const *
dup_texts (HlFigure           *figure,
           const HlFigureKeys *keys,
           int                 n)
{
  const char **texts;

  if (keys == NULL || keys->texts == NULL)
    return NULL;
  texts = hl_figure_alloc (figure, sizeof (char *) * MAX (n, 1));
  for (int i = 0; i < n; i++)
    texts[i] = hl_figure_strdup (figure, keys->texts[i]);
  return texts;
}

HlFigure *
hl_figure_new_scatter (const HlScatter    *s,
                       const HlFigureKeys *keys,
                       const HlFigureView *view)
{
  HlScatterPlotData *data;
  HlFigure *figure;
  int n;

  g_return_val_if_fail (s != NULL && view != NULL, NULL);

  n = s->n_points;
  figure = hl_figure_new (HL_PLOT_SCATTER, sizeof *data, (gpointer *) &data);
  *data = (HlScatterPlotData) {
    .n_points = n,
    .x = dup_floats (figure, s->x, n),
    .y = dup_floats (figure, s->y, n),
    .selected = dup_flags (figure, s->selected, n),
    .in_max_ball = dup_flags (figure, s->in_max_ball, n),
    .in_min_ball = dup_flags (figure, s->in_min_ball, n),
    .in_max_disk = dup_flags (figure, s->in_max_disk, n),
    .in_min_disk = dup_flags (figure, s->in_min_disk, n),
    .centre_x = s->centre_x, .centre_y = s->centre_y,
    .rho_max = s->rho_max, .rho_min = s->rho_min,
    .distance = view->distance,
    .values = s->values,
    .explained = { s->explained[0], s->explained[1] },
    .n = s->n,
    .query_index = n - 1,
    .hovered = -1,
    .highlighted = highlighted_of (keys, n),
    .title = hl_figure_strdup (figure, view->title),
  };
  return figure;
}

HlFigure *
hl_figure_new_profile (const float        *alpha,
                       const HlScatter    *scatter,
                       const HlFigureKeys *keys,
                       const HlFigureView *view)
{
  HlProfilePlotData *data;
  HlFigure *figure;
  int n;

  g_return_val_if_fail (alpha != NULL && scatter != NULL && view != NULL, NULL);

  n = scatter->n_points;
  figure = hl_figure_new (HL_PLOT_PROFILE, sizeof *data, (gpointer *) &data);
  *data = (HlProfilePlotData) {
    .n_positions = n,
    .alpha = dup_floats (figure, alpha, n),
    .selected = dup_flags (figure, scatter->selected, n),
    .n = scatter->n,
    .log_y = view->log_y,
    .texts = dup_texts (figure, keys, n),
    .highlighted = highlighted_of (keys, n),
    .title = hl_figure_strdup (figure, view->title),
  };
  return figure;
}

HlFigure *
hl_figure_new_tokens (int                 n_keys,
                      const float        *alpha,
                      const HlScatter    *scatter,
                      const HlFigureKeys *keys,
                      const HlFigureView *view)
{
  HlTokensPlotData *data;
  HlFigure *figure;

  g_return_val_if_fail (n_keys >= 1 && alpha != NULL && view != NULL, NULL);
  g_return_val_if_fail (scatter == NULL || scatter->n_points == n_keys, NULL);

  figure = hl_figure_new (HL_PLOT_TOKENS, sizeof *data, (gpointer *) &data);
  *data = (HlTokensPlotData) {
    .n_tokens = n_keys,
    .texts = dup_texts (figure, keys, n_keys),
    .alpha = dup_floats (figure, alpha, n_keys),
    .selected = scatter != NULL ? dup_flags (figure, scatter->selected, n_keys) : NULL,
    .n = scatter != NULL ? scatter->n : 0,
    .highlighted = highlighted_of (keys, n_keys),
    .title = hl_figure_strdup (figure, view->title),
  };
  return figure;
}

/* Attention matrices ------------------------------------------------------- */

/* @matrix's arrays copied into @figure, as renderer data. */
static HlMatrixPlotData
copy_matrix (HlFigure                *figure,
             const HlAttentionMatrix *matrix,
             gboolean                 log_color)
{
  return (HlMatrixPlotData) {
    .n_rows = matrix->n_rows,
    .n_cols = matrix->n_cols,
    .values = dup_floats (figure, matrix->values, matrix->n_rows * matrix->n_cols),
    .row_edges = dup_floats (figure, matrix->row_edges, matrix->n_rows + 1),
    .n_keys = matrix->n_keys,
    .log_color = log_color,
  };
}

HlFigure *
hl_figure_new_matrix (const HlAttentionMatrix *matrix,
                      const int               *positions,
                      int                      n_queries,
                      int                      selected_query,
                      gboolean                 log_color,
                      const HlFigureView      *view)
{
  HlMatrixPlotData *data;
  HlFigure *figure;

  g_return_val_if_fail (matrix != NULL && positions != NULL && view != NULL, NULL);

  figure = hl_figure_new (HL_PLOT_MATRIX, sizeof *data, (gpointer *) &data);
  *data = copy_matrix (figure, matrix, log_color);
  if (selected_query >= 0 && selected_query < n_queries)
    hl_attention_query_extent (positions, n_queries, selected_query, &data->selected_lo,
                               &data->selected_hi);
  data->title = hl_figure_strdup (figure, view->title);
  return figure;
}

HlFigure *
hl_figure_new_matrices (const HlAttentionGrid *grid,
                        gboolean               log_color,
                        int                    selected_layer,
                        int                    selected_head,
                        const HlFigureView    *view)
{
  HlMatrixGridPlotData *data;
  HlMatrixPlotData *cells;
  HlFigure *figure;
  int n_cells;

  g_return_val_if_fail (grid != NULL && view != NULL, NULL);

  n_cells = grid->n_layers * grid->n_heads;
  figure = hl_figure_new (HL_PLOT_MATRICES, sizeof *data, (gpointer *) &data);
  cells = hl_figure_alloc (figure, sizeof (HlMatrixPlotData) * MAX (n_cells, 1));
  for (int i = 0; i < n_cells; i++)
    cells[i] = copy_matrix (figure, grid->matrices[i], log_color);
  *data = (HlMatrixGridPlotData) {
    grid->n_layers, grid->n_heads, cells, log_color, selected_layer, selected_head,
    hl_figure_strdup (figure, view->title),
  };
  return figure;
}

/* The model --------------------------------------------------------------- */

static const HlBand *
band_of (const HlModelPoint *point,
         HlCurveMetric       metric)
{
  switch (metric)
    {
    case HL_CURVE_PRECISION: return &point->precision;
    case HL_CURVE_RECALL: return &point->recall;
    case HL_CURVE_F1:
    case HL_N_CURVES:
    default: return &point->f1;
    }
}

/* The mean of one metric, its band, and the random control's mean. */
static void
copy_model_curve (HlFigure           *figure,
                  HlCurvesPlotData   *data,
                  const HlModelPoint *ranked,
                  const HlModelPoint *random,
                  HlCurveMetric       m)
{
  float *mean = alloc_floats (figure, data->n_grid);
  float *lo = alloc_floats (figure, data->n_grid);
  float *hi = alloc_floats (figure, data->n_grid);
  float *control = random != NULL ? alloc_floats (figure, data->n_grid) : NULL;

  for (int i = 0; i < data->n_grid; i++)
    {
      mean[i] = band_of (&ranked[i], m)->mean;
      lo[i] = band_of (&ranked[i], m)->lo;
      hi[i] = band_of (&ranked[i], m)->hi;
      if (control != NULL)
        control[i] = band_of (&random[i], m)->mean;
    }
  data->ranked[m] = mean;
  data->band_lo[m] = lo;
  data->band_hi[m] = hi;
  data->random[m] = control;
}

HlFigure *
hl_figure_new_model_curves (const HlModelSummary *summary,
                            const HlFigureView   *view)
{
  const HlModelPoint *ranked, *random;
  HlCurvesPlotData *data;
  HlFigure *figure;

  g_return_val_if_fail (summary != NULL && view != NULL, NULL);

  ranked = summary->points[view->ranking][view->distance];
  random = view->ranking != HL_RANKING_RANDOM
           ? summary->points[HL_RANKING_RANDOM][view->distance] : NULL;
  figure = hl_figure_new (HL_PLOT_CURVES, sizeof *data, (gpointer *) &data);
  data->n_grid = summary->n_grid;
  data->grid = dup_ints (figure, summary->grid, summary->n_grid);
  for (int m = 0; m < HL_N_CURVES && ranked != NULL; m++)
    copy_model_curve (figure, data, ranked, random, m);
  /* One sample has no band (lo = hi = the mean): none is drawn nor named. */
  if (summary->n_samples >= 2 && summary->bootstrap > 0)
    data->band_label = hl_figure_strdup (figure, _("95% bootstrap band over samples"));
  else
    for (int m = 0; m < HL_N_CURVES; m++)
      data->band_lo[m] = data->band_hi[m] = NULL;
  data->chosen_n = view->n;
  data->title = hl_figure_strdup (figure, view->title);
  return figure;
}

HlFigure *
hl_figure_new_regimes (const HlModelSummary *summary,
                       int                   n_heads,
                       int                   results_per_layer,
                       const HlFigureView   *view)
{
  HlRegimesPlotData *data;
  HlFigure *figure;

  g_return_val_if_fail (summary != NULL && view != NULL, NULL);

  figure = hl_figure_new (HL_PLOT_REGIMES, sizeof *data, (gpointer *) &data);
  data->n_layers = summary->n_layers;
  data->counts = dup_ints (figure, summary->regime_counts, summary->n_layers * HL_N_REGIMES);
  data->n_heads = results_per_layer;
  /* Counts are per result: with several samples or queries a layer has
   * more of them than heads, and the axis says so. */
  if (results_per_layer > n_heads)
    data->y_label = hl_figure_strdup (figure, _("heads × samples"));
  data->title = hl_figure_strdup (figure, view->title);
  if (view->note != NULL)
    data->note = hl_figure_take_string (figure, g_markup_escape_text (view->note, -1));
  data->faded = view->faded;
  return figure;
}

HlFigure *
hl_figure_new_correlation (const HlModelSummary *summary,
                           const HlFigureView   *view)
{
  const HlModelPoint *points;
  HlCorrelationPlotData *data;
  HlFigure *figure;
  float *corr;

  g_return_val_if_fail (summary != NULL && view != NULL, NULL);

  points = summary->points[view->ranking][view->distance];
  figure = hl_figure_new (HL_PLOT_CORRELATION, sizeof *data, (gpointer *) &data);
  corr = alloc_floats (figure, summary->n_grid);
  for (int i = 0; i < summary->n_grid; i++)
    corr[i] = points != NULL ? points[i].corr_recall_rho0 : NAN;
  data->n_grid = summary->n_grid;
  data->grid = dup_ints (figure, summary->grid, summary->n_grid);
  data->corr = corr;
  data->title = hl_figure_strdup (figure, view->title);
  return figure;
}

/* The model's mean of one theory quantity as floats, or NULL. */
static const float *
copy_means (HlFigure     *figure,
            const double *means,
            int           n)
{
  float *out;

  if (means == NULL)
    return NULL;
  out = alloc_floats (figure, n);
  for (int i = 0; i < n; i++)
    out[i] = (float) means[i];
  return out;
}

HlFigure *
hl_figure_new_bound (const HlHeadResult   *result,
                     const HlModelSummary *summary,
                     const HlFigureView   *view)
{
  HlBoundPlotData *data;
  HlFigure *figure;

  g_return_val_if_fail (result != NULL || summary != NULL, NULL);
  g_return_val_if_fail (view != NULL, NULL);

  figure = hl_figure_new (HL_PLOT_BOUND, sizeof *data, (gpointer *) &data);
  if (result != NULL)
    {
      const HlCurveSet *set = result->curves;

      data->n_grid = set->n_grid;
      data->grid = dup_ints (figure, set->grid, set->n_grid);
      data->residual = dup_floats (figure, set->residual[view->ranking], set->n_grid);
      data->bound = dup_floats (figure, set->bound[view->ranking], set->n_grid);
    }
  if (summary != NULL && summary->residual[view->ranking] != NULL)
    {
      data->n_model = summary->n_grid;
      data->model_grid = dup_ints (figure, summary->grid, summary->n_grid);
      data->model_residual = copy_means (figure, summary->residual[view->ranking], summary->n_grid);
      data->model_bound = copy_means (figure, summary->bound[view->ranking], summary->n_grid);
    }
  data->chosen_n = view->n;
  data->title = hl_figure_strdup (figure, view->title);
  return figure;
}

/* The heatmap ------------------------------------------------------------- */

/* One cell: its most frequent regime (-1 while pending) and the statistic
 * of the metric over its received results. */
static void
fill_heatmap_cell (HlHeadResult * const *cell,
                   int                   per_cell,
                   const HlMetric       *metric,
                   HlStatistic           statistic,
                   const HlFigureView   *view,
                   int                  *regime,
                   float                *value)
{
  g_autofree HlHeadResult **received = g_new (HlHeadResult *, MAX (per_cell, 1));
  int counts[HL_N_REGIMES];
  HlMetricStats stats;
  guint n = 0;

  for (int k = 0; k < per_cell; k++)
    if (cell[k] != NULL)
      received[n++] = cell[k];
  *regime = hl_metric_count_regimes (received, n, counts);
  *value = NAN;
  if (metric == NULL || n == 0)
    return;
  if (per_cell == 1)
    {
      *value = hl_metric_value (metric, received[0], view->ranking, view->distance, view->n);
      return;
    }
  hl_metric_stats (metric, received, n, view->ranking, view->distance, view->n, &stats);
  *value = hl_metric_stats_get (&stats, statistic);
}

static void
fill_heatmap_cells (HlHeatmapPlotData    *data,
                    HlFigure             *figure,
                    int                   per_cell,
                    HlHeadResult * const *cells,
                    const HlMetric       *metric,
                    HlStatistic           statistic,
                    const HlFigureView   *view)
{
  int n_cells = data->n_layers * data->n_heads;
  int *regimes = hl_figure_alloc (figure, sizeof (int) * MAX (n_cells, 1));
  float *values = alloc_floats (figure, n_cells);

  for (int i = 0; i < n_cells; i++)
    fill_heatmap_cell (cells + (gsize) i * per_cell, per_cell, metric, statistic, view,
                       &regimes[i], &values[i]);
  data->regimes = regimes;
  data->values = values;
}

/* The colour bar's label: the metric (at N), and over a set which
 * statistic of it. */
static char *
heatmap_value_label (const HlMetric     *metric,
                     int                 per_cell,
                     HlStatistic         statistic,
                     const HlFigureView *view)
{
  g_autofree char *label = hl_metric_is_per_n (metric)
                           ? g_strdup_printf ("%s, N = %d", metric->description, view->n)
                           : g_strdup (metric->description);

  if (per_cell == 1)
    return g_steal_pointer (&label);
  /* Translators: a colour bar's label, e.g. "mean of F_N, N = 8" */
  return g_strdup_printf (statistic == HL_STATISTIC_IQR ? _("interquartile range of %s")
                                                        : _("mean of %s"), label);
}

HlFigure *
hl_figure_new_heatmap (int                   n_layers,
                       int                   n_heads,
                       int                   per_cell,
                       HlHeadResult * const *cells,
                       const HlMetric       *metric,
                       HlStatistic           statistic,
                       const HlFigureView   *view,
                       int                   selected_layer,
                       int                   selected_head)
{
  HlHeatmapPlotData *data;
  HlFigure *figure;

  g_return_val_if_fail (n_layers >= 0 && n_heads >= 0 && per_cell >= 1 && view != NULL, NULL);
  g_return_val_if_fail (cells != NULL || n_layers * n_heads == 0, NULL);
  g_return_val_if_fail (metric == NULL || hl_metric_is_numeric (metric), NULL);

  figure = hl_figure_new (HL_PLOT_HEATMAP, sizeof *data, (gpointer *) &data);
  data->n_layers = n_layers;
  data->n_heads = n_heads;
  fill_heatmap_cells (data, figure, per_cell, cells, metric, statistic, view);
  data->mode = metric != NULL ? HL_HEATMAP_COLOR_METRIC : HL_HEATMAP_COLOR_REGIME;
  data->colormap = metric != NULL ? metric->colormap : HL_COLORMAP_VIRIDIS;
  if (metric != NULL)
    {
      hl_metric_color_range (metric, &data->vmin, &data->vmax);
      /* A spread is not on the metric's scale: take the data's range. */
      if (per_cell > 1 && statistic == HL_STATISTIC_IQR)
        data->vmin = data->vmax = 0, data->colormap = HL_COLORMAP_VIRIDIS;
      data->value_label = hl_figure_take_string (figure, heatmap_value_label (metric, per_cell,
                                                                              statistic, view));
    }
  data->selected_layer = selected_layer;
  data->selected_head = selected_head;
  data->title = hl_figure_strdup (figure, view->title);
  if (metric == NULL && view->note != NULL)
    data->note = hl_figure_take_string (figure, g_markup_escape_text (view->note, -1));
  data->faded = metric == NULL && view->faded;
  return figure;
}

/* Panels ------------------------------------------------------------------ */

HlFigure *
hl_figure_new_panel (HlFigure *curves)
{
  const HlCurvesPlotData *source;
  HlCurvesPlotData *single;
  HlPanelItem *items;
  HlPanelPlotData *data;
  HlFigure *figure;

  g_return_val_if_fail (curves != NULL && hl_figure_get_kind (curves) == HL_PLOT_CURVES, NULL);

  /* The panels point into the curves' arrays: the panel keeps them. */
  source = hl_figure_get_data (curves);
  figure = hl_figure_new (HL_PLOT_PANEL, sizeof *data, (gpointer *) &data);
  hl_figure_keep (figure, hl_figure_ref (curves), (GDestroyNotify) hl_figure_unref);
  single = hl_figure_alloc (figure, sizeof (HlCurvesPlotData) * HL_N_CURVES);
  items = hl_figure_alloc (figure, sizeof (HlPanelItem) * HL_N_CURVES);
  for (int m = 0; m < HL_N_CURVES; m++)
    {
      single[m] = (HlCurvesPlotData) {
        .n_grid = source->n_grid, .grid = source->grid, .band_label = source->band_label,
        .chosen_n = source->chosen_n,
      };
      single[m].ranked[m] = source->ranked[m];
      single[m].random[m] = source->random[m];
      single[m].band_lo[m] = source->band_lo[m];
      single[m].band_hi[m] = source->band_hi[m];
      items[m] = (HlPanelItem) { HL_PLOT_CURVES, &single[m] };
    }
  *data = (HlPanelPlotData) { HL_N_CURVES, items, HL_N_CURVES, TRUE, source->title };
  return figure;
}

/* The curves of both heads in one plot, in @figure's memory. */
static HlCurvesPlotData *
compare_curves (HlFigure             *figure,
                const HlComparedHead *first,
                const HlComparedHead *second,
                const HlFigureView   *view)
{
  const HlCurveSet *a = first->result->curves, *b = second->result->curves;
  HlCurvesPlotData *data = hl_figure_alloc (figure, sizeof *data);

  data->n_grid = a->n_grid;
  data->grid = dup_ints (figure, a->grid, a->n_grid);
  for (int m = 0; m < HL_N_CURVES; m++)
    {
      data->ranked[m] = copy_curve (figure, a->points[view->ranking][view->distance], a->n_grid, m);
      data->compared[m] = copy_curve (figure, b->points[view->ranking][view->distance],
                                      b->n_grid, m);
    }
  data->ranked_label = hl_figure_strdup (figure, first->label);
  data->compared_label = hl_figure_strdup (figure, second->label);
  data->chosen_n = view->n;
  return data;
}

/* A head's scatter titled by its name, kept by @figure. */
static gconstpointer
compare_scatter (HlFigure             *figure,
                 const HlComparedHead *head,
                 const HlFigureView   *view)
{
  g_autofree char *title = g_markup_escape_text (head->label, -1);
  HlFigureView titled = *view;
  HlFigure *scatter;

  titled.title = title;
  scatter = hl_figure_new_scatter (head->scatter, NULL, &titled);
  hl_figure_keep (figure, scatter, (GDestroyNotify) hl_figure_unref);
  return hl_figure_get_data (scatter);
}

HlFigure *
hl_figure_new_compare (const HlComparedHead *first,
                       const HlComparedHead *second,
                       const HlFigureView   *view)
{
  HlPanelPlotData *data;
  HlPanelItem *items;
  HlFigure *figure;

  g_return_val_if_fail (first != NULL && second != NULL && view != NULL, NULL);
  g_return_val_if_fail (first->result != NULL && second->result != NULL, NULL);
  g_return_val_if_fail (first->scatter != NULL && second->scatter != NULL, NULL);
  g_return_val_if_fail (first->label != NULL && second->label != NULL, NULL);

  if (first->result->curves->n_grid != second->result->curves->n_grid)
    return NULL;
  figure = hl_figure_new (HL_PLOT_PANEL, sizeof *data, (gpointer *) &data);
  items = hl_figure_alloc (figure, 3 * sizeof (HlPanelItem));
  items[0] = (HlPanelItem) { HL_PLOT_CURVES, compare_curves (figure, first, second, view) };
  items[1] = (HlPanelItem) { HL_PLOT_SCATTER, compare_scatter (figure, first, view) };
  items[2] = (HlPanelItem) { HL_PLOT_SCATTER, compare_scatter (figure, second, view) };
  *data = (HlPanelPlotData) { 3, items, 3, TRUE, hl_figure_strdup (figure, view->title) };
  return figure;
}
