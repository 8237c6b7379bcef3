/* hl-causal-figures.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-figures.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hl-causal-plot.h"
#include "hl-heatmap-plot.h"
#include "hl-panel-plot.h"

#define DELTA_LABEL N_("Δ NLL (nats/token)")

static gboolean
is_single_head (const HlCausalTarget *target)
{
  return target->layer >= 0 && target->head >= 0;
}

static gboolean
ablation_values (const HlCausalResult *result,
                 float                *values,
                 char                **what)
{
  const HlAblateRow *first = NULL;

  for (guint i = 0; result->ablate != NULL && i < result->ablate->len; i++)
    {
      const HlAblateRow *row = &g_array_index (result->ablate, HlAblateRow, i);

      if (!is_single_head (&row->target) || (first != NULL && row->mode != first->mode))
        continue;
      first = first != NULL ? first : row;
      values[row->target.layer * result->n_heads + row->target.head] = row->delta_nll;
    }
  if (first != NULL && what != NULL)
    /* Translators: a colour bar's label, e.g. "Δ NLL of zero ablation (nats/token)". */
    *what = g_strdup_printf (_("Δ NLL of %s ablation (nats/token)"), hl_ablate_mode_to_string (first->mode));
  return first != NULL;
}

static gboolean
n_star_values (const HlCausalResult *result,
               float                *values,
               char                **what)
{
  const HlEffectiveSize *first = NULL;

  for (guint i = 0; result->effective != NULL && i < result->effective->len; i++)
    {
      const HlEffectiveSize *row = &g_array_index (result->effective, HlEffectiveSize, i);

      if (!is_single_head (&row->target) ||
          (first != NULL && (row->mode != first->mode || row->ranking != first->ranking)))
        continue;
      first = first != NULL ? first : row;
      values[row->target.layer * result->n_heads + row->target.head] = row->n_star;
    }
  if (first != NULL && what != NULL)
    /* Translators: a colour bar's label: N*, its tolerance, mode and ranking. */
    *what = g_strdup_printf (_("N*<sub>τ</sub>, τ = %g (%s, %s)"), result->tau,
                             hl_truncate_mode_to_string (first->mode), hl_ranking_to_string (first->ranking));
  return first != NULL;
}

gboolean
hl_causal_map_values (const HlCausalResult *result,
                      HlCausalMap           map,
                      float                *values,
                      char                **what)
{
  g_return_val_if_fail (result != NULL && values != NULL, FALSE);

  if (what != NULL)
    *what = NULL;
  for (int i = 0; i < result->n_layers * result->n_heads; i++)
    values[i] = NAN;
  return map == HL_CAUSAL_MAP_ABLATION ? ablation_values (result, values, what)
                                       : n_star_values (result, values, what);
}

HlFigure *
hl_figure_new_causal_map (const HlCausalResult *result,
                          HlCausalMap           map,
                          int                   selected_layer,
                          int                   selected_head,
                          const char           *title)
{
  g_autofree char *what = NULL;
  HlHeatmapPlotData *data;
  g_autoptr(HlFigure) figure = NULL;
  float *values;

  g_return_val_if_fail (result != NULL, NULL);

  figure = hl_figure_new (HL_PLOT_HEATMAP, sizeof *data, (gpointer *) &data);
  values = hl_figure_alloc (figure, sizeof (float) * MAX (1, result->n_layers * result->n_heads));
  if (!hl_causal_map_values (result, map, values, &what))
    return NULL;
  *data = (HlHeatmapPlotData) {
    .n_layers = result->n_layers, .n_heads = result->n_heads, .mode = HL_HEATMAP_COLOR_METRIC,
    .values = values, .selected_layer = selected_layer, .selected_head = selected_head,
    /* Signed changes on the diverging map, centred on 0; N* from the data. */
    .colormap = map == HL_CAUSAL_MAP_ABLATION ? HL_COLORMAP_DIVERGING : HL_COLORMAP_VIRIDIS,
    .value_label = hl_figure_take_string (figure, g_steal_pointer (&what)),
    .title = hl_figure_strdup (figure, title),
  };
  if (map == HL_CAUSAL_MAP_ABLATION)
    hl_figure_set_names (figure, _("Causal: ablation Δ NLL per head"), "causal-ablation");
  else
    hl_figure_set_names (figure, _("Causal: effective set size N* per head"), "causal-n-star");
  return g_steal_pointer (&figure);
}

/* Truncation ------------------------------------------------------------- */

static gboolean
same_target (const HlCausalTarget *target,
             int                   layer,
             int                   head)
{
  return target->layer == layer && target->head == head;
}

/* One line of the rows of (@layer, @head, @mode, @ranking) with N >= 1. */
static gboolean
truncation_series (HlFigure             *figure,
                   const HlCausalResult *result,
                   int                   layer,
                   int                   head,
                   HlTruncateMode        mode,
                   HlRanking             ranking,
                   HlCausalSeries       *series)
{
  double *x = hl_figure_alloc (figure, sizeof (double) * MAX (1, result->truncate->len));
  double *y = hl_figure_alloc (figure, sizeof (double) * MAX (1, result->truncate->len));
  int n = 0;

  for (guint i = 0; i < result->truncate->len; i++)
    {
      const HlTruncateRow *row = &g_array_index (result->truncate, HlTruncateRow, i);

      if (same_target (&row->target, layer, head) && row->mode == mode && row->ranking == ranking &&
          row->n >= 1)
        {
          x[n] = row->n;
          y[n++] = row->delta_nll;
        }
    }
  *series = (HlCausalSeries) {
    hl_figure_take_string (figure, g_strdup_printf ("%s · %s", hl_truncate_mode_to_string (mode),
                                                    hl_ranking_to_string (ranking))),
    n, x, y, NULL, NULL, mode == HL_TRUNCATE_DELETE,
  };
  return n > 0;
}

/* N* of the target's first group, or 0 when the result did not search it. */
static int
target_n_star (const HlCausalResult *result,
               int                   layer,
               int                   head)
{
  for (guint i = 0; result->effective != NULL && i < result->effective->len; i++)
    {
      const HlEffectiveSize *row = &g_array_index (result->effective, HlEffectiveSize, i);

      if (same_target (&row->target, layer, head))
        return row->n_star;
    }
  return 0;
}

static HlFigure *
causal_panel (HlFigure   *causal,
              HlFigure   *curves,
              const char *title)
{
  HlPanelPlotData *data;
  HlPanelItem *items;
  HlFigure *figure = hl_figure_new (HL_PLOT_PANEL, sizeof *data, (gpointer *) &data);

  hl_figure_keep (figure, hl_figure_ref (causal), (GDestroyNotify) hl_figure_unref);
  hl_figure_keep (figure, hl_figure_ref (curves), (GDestroyNotify) hl_figure_unref);
  items = hl_figure_alloc (figure, sizeof (HlPanelItem) * 2);
  items[0] = (HlPanelItem) { HL_PLOT_CAUSAL, hl_figure_get_data (causal) };
  items[1] = (HlPanelItem) { hl_figure_get_kind (curves), hl_figure_get_data (curves) };
  *data = (HlPanelPlotData) { 2, items, 2, TRUE, hl_figure_strdup (figure, title) };
  return figure;
}

static char *
target_name (int layer,
             int head)
{
  if (layer >= 0 && head >= 0)
    return g_strdup_printf (_("Layer %d · Head %d"), layer, head);
  if (layer >= 0)
    return g_strdup_printf (_("Layer %d, every head"), layer);
  if (head >= 0)
    return g_strdup_printf (_("Head %d of every layer"), head);
  return g_strdup (_("Every head"));
}

static void
name_truncation (HlFigure *figure,
                 int       layer,
                 int       head)
{
  g_autofree char *target = target_name (layer, head);
  /* Translators: a figure's name in Export Figure, e.g. "Layer 3 · Head 5: Δ NLL against N". */
  g_autofree char *name = g_strdup_printf (_("%s: Δ NLL against N"), target);
  char layer_part[16] = "all", head_part[16] = "all";
  g_autofree char *basename = NULL;

  if (layer >= 0)
    g_snprintf (layer_part, sizeof layer_part, "%d", layer);
  if (head >= 0)
    g_snprintf (head_part, sizeof head_part, "%d", head);
  basename = g_strdup_printf ("causal-layer%s-head%s-truncation", layer_part, head_part);

  hl_figure_set_names (figure, name, basename);
}

HlFigure *
hl_figure_new_causal_truncation (const HlCausalResult *result,
                                 int                   layer,
                                 int                   head,
                                 HlFigure             *curves,
                                 const char           *title)
{
  g_autoptr(HlFigure) figure = NULL;
  HlCausalPlotData *data;
  HlCausalSeries *series;
  int n_series = 0, n_star;

  g_return_val_if_fail (result != NULL, NULL);

  if (result->truncate == NULL)
    return NULL;
  figure = hl_figure_new (HL_PLOT_CAUSAL, sizeof *data, (gpointer *) &data);
  series = hl_figure_alloc (figure, sizeof (HlCausalSeries) * HL_CAUSAL_PLOT_MAX_SERIES);
  for (int m = 0; m < HL_N_TRUNCATE_MODES; m++)
    for (int r = 0; r < HL_N_RANKINGS && n_series < HL_CAUSAL_PLOT_MAX_SERIES; r++)
      if (truncation_series (figure, result, layer, head, m, r, &series[n_series]))
        n_series++;
  if (n_series == 0)
    return NULL;
  n_star = target_n_star (result, layer, head);
  *data = (HlCausalPlotData) {
    .n_series = n_series, .series = series, .log2_x = TRUE,
    .x_label = _("N (keys kept per query row)"), .y_label = _(DELTA_LABEL),
    .tau = result->effective != NULL && result->effective->len > 0 ? result->tau : NAN,
    .mark_x = n_star > 0 ? n_star : NAN,
    .mark_label = n_star > 0 ? hl_figure_take_string (figure, g_strdup_printf ("N*<sub>τ</sub> = %d", n_star))
                             : NULL,
    .title = curves == NULL ? hl_figure_strdup (figure, title) : NULL,
  };
  if (curves != NULL)
    {
      HlFigure *panel = causal_panel (figure, curves, title);

      g_clear_pointer (&figure, hl_figure_unref);
      figure = panel;
    }
  name_truncation (figure, layer, head);
  return g_steal_pointer (&figure);
}

/* Sparsification ---------------------------------------------------------- */

static gboolean
policy_series (HlFigure             *figure,
               const HlCausalResult *result,
               HlPrunePolicy         policy,
               HlCausalSeries       *series)
{
  guint len = MAX (1, result->sparsify->len);
  double *x = hl_figure_alloc (figure, sizeof (double) * len);
  double *y = hl_figure_alloc (figure, sizeof (double) * len);
  double *lo = hl_figure_alloc (figure, sizeof (double) * len);
  double *hi = hl_figure_alloc (figure, sizeof (double) * len);
  gboolean band = FALSE;
  int n = 0;

  for (guint i = 0; i < result->sparsify->len; i++)
    {
      const HlSparsifyRow *row = &g_array_index (result->sparsify, HlSparsifyRow, i);

      if (row->policy != policy)
        continue;
      x[n] = row->fraction;
      y[n] = row->delta_nll;
      lo[n] = row->delta_min;
      hi[n++] = row->delta_max;
      band = band || row->repeats > 1;
    }
  *series = (HlCausalSeries) {
    hl_prune_policy_to_string (policy), n, x, y, band ? lo : NULL, band ? hi : NULL, FALSE,
  };
  return n > 0;
}

HlFigure *
hl_figure_new_sparsification (const HlCausalResult *result,
                              const char           *title)
{
  g_autoptr(HlFigure) figure = NULL;
  HlCausalPlotData *data;
  HlCausalSeries *series;
  int n_series = 0;

  g_return_val_if_fail (result != NULL, NULL);

  if (result->sparsify == NULL)
    return NULL;
  figure = hl_figure_new (HL_PLOT_CAUSAL, sizeof *data, (gpointer *) &data);
  series = hl_figure_alloc (figure, sizeof (HlCausalSeries) * HL_CAUSAL_PLOT_MAX_SERIES);
  for (int p = 0; p < HL_N_PRUNE_POLICIES && n_series < HL_CAUSAL_PLOT_MAX_SERIES; p++)
    if (policy_series (figure, result, p, &series[n_series]))
      n_series++;
  if (n_series == 0)
    return NULL;
  *data = (HlCausalPlotData) {
    .n_series = n_series, .series = series,
    .x_label = _("fraction of heads pruned"), .y_label = _(DELTA_LABEL),
    .tau = NAN, .mark_x = NAN, .title = hl_figure_strdup (figure, title),
  };
  hl_figure_set_names (figure, _("Causal: sparsification"), "causal-sparsification");
  return g_steal_pointer (&figure);
}
