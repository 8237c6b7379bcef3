/* hl-session-figures.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-session-figures.h"

#include "hl-planted.h"

#include <glib/gi18n.h>

/* How each figure is named, and titled on screen (Pango markup or NULL). */
static const struct {
  const char *name;
  const char *basename;       /* after "model-" or "layerL-headH-" */
  const char *screen_title;
  gboolean    per_head;
} figures[HL_N_SESSION_FIGURES] = {
  [HL_SESSION_FIGURE_HEATMAP] = { N_("Layer × head overview"), "heatmap", NULL, FALSE },
  [HL_SESSION_FIGURE_MODEL_CURVES] = { N_("Mean precision, recall and F1 over N"), "curves",
                                       N_("Mean over heads"), FALSE },
  [HL_SESSION_FIGURE_MODEL_PANEL] = { N_("Mean precision, recall and F1 over N, as three panels"),
                                      "panel", N_("Mean over heads"), FALSE },
  [HL_SESSION_FIGURE_REGIMES] = { N_("Regime counts per layer"), "regimes",
                                  N_("Regimes per layer"), FALSE },
  [HL_SESSION_FIGURE_CORRELATION] = { N_("Correlation of recall with sink similarity over N"),
                                      "correlation",
                                      N_("corr(R<sub>N</sub>, ρ<sub>0</sub>) across heads"), FALSE },
  [HL_SESSION_FIGURE_MODEL_BOUND] = { N_("Discarded output against its bound over N, mean over heads"),
                                      "bound", N_("‖o − s<sub>N</sub>‖ against B(1 − M<sub>N</sub>)"),
                                      FALSE },
  [HL_SESSION_FIGURE_HEAD_CURVES] = { N_("Precision, recall and F1 over N"), "curves",
                                      N_("This head"), TRUE },
  [HL_SESSION_FIGURE_HEAD_PANEL] = { N_("Precision, recall and F1 over N, as three panels"),
                                     "panel", N_("This head"), TRUE },
  [HL_SESSION_FIGURE_ALIGNMENT] = { N_("Alignment of s_N with the sink and the query token over N"),
                                    "alignment", N_("Alignment of s<sub>N</sub>"), TRUE },
  [HL_SESSION_FIGURE_SCATTER] = { N_("Value-space scatter"), "scatter", NULL, TRUE },
  [HL_SESSION_FIGURE_PROFILE] = { N_("Attention profile over positions"), "profile",
                                  N_("Attention profile"), TRUE },
  [HL_SESSION_FIGURE_DECAY] = { N_("Similarity decay c(k) and its fit"), "decay",
                                N_("Similarity decay"), TRUE },
  [HL_SESSION_FIGURE_TOKENS] = { N_("Tokens shaded by attention, the selected ones outlined"),
                                 "tokens", NULL, TRUE },
  [HL_SESSION_FIGURE_HEAD_BOUND] = { N_("Discarded output against its bound over N"), "bound",
                                     N_("Theory: ‖o − s<sub>N</sub>‖ ≤ B(1 − M<sub>N</sub>)"),
                                     TRUE },
  [HL_SESSION_FIGURE_MATRIX] = { N_("Attention matrix: every query over the keys"), "matrix",
                                 N_("Attention of every query"), TRUE },
  [HL_SESSION_FIGURE_MATRICES] = { N_("Attention matrices of every head"), "matrices", NULL,
                                   FALSE },
  /* Named by compare_names (). */
  [HL_SESSION_FIGURE_COMPARE] = { NULL, "compare", NULL, TRUE },
};

/* A file's title says which head or model, and under it the ranking, the
 * distance and the results: a head's figures the sample and query shown,
 * the model's the session's scope. */
static char *
export_title (HlSession          *session,
              gboolean            per_head,
              const HlFigureView *view)
{
  const HlActivationsInfo *info = hl_activations_get_info (hl_session_get_file (session));
  g_autofree char *title = NULL;
  g_autofree char *scope = NULL;
  int layer, head;

  if (per_head && hl_session_get_selected (session, &layer, &head))
    {
      title = hl_figure_head_title (layer, head, view->ranking);
      scope = hl_scope_label (FALSE, FALSE, info->n_samples, info->n_queries,
                              hl_session_get_sample (session),
                              info->query_positions[hl_session_get_query (session)]);
      return hl_figure_subtitled_title (title, -1, view->distance, scope);
    }
  title = hl_figure_model_title (info->model);
  scope = hl_session_dup_scope_label (session);
  return hl_figure_subtitled_title (title, view->ranking, view->distance, scope);
}

/* The view of the session, with the title the target gives @which. */
static char *
view_of (HlSession       *session,
         HlSessionFigure  which,
         HlFigureTarget   target,
         HlFigureView    *view)
{
  char *title = NULL;

  *view = (HlFigureView) {
    hl_session_get_ranking (session), hl_session_get_distance (session),
    hl_session_get_n (session), hl_session_get_profile_log_scale (session), NULL,
  };
  if (target == HL_FIGURE_TARGET_SCREEN)
    title = figures[which].screen_title != NULL ? g_strdup (_(figures[which].screen_title)) : NULL;
  else
    title = export_title (session, figures[which].per_head, view);
  view->title = title;
  return title;
}

/* The note of the regime figures (known once the analysis has finished):
 * the taxonomy does not apply, a synthetic file's regimes were planted. */
static char *
note_of (HlSession       *session,
         HlSessionFigure  which,
         gboolean        *faded)
{
  HlAnalysis *analysis = hl_session_get_analysis (session);

  if (analysis == NULL
      || (which != HL_SESSION_FIGURE_HEATMAP && which != HL_SESSION_FIGURE_REGIMES))
    return NULL;
  return hl_planted_regimes_note (analysis, faded);
}

/* Each cell holds the head's results of the scope; the selected head is
 * outlined on screen, not in a file (it is a pointer, not data). */
static HlFigure *
build_heatmap (HlSession          *session,
               HlFigureTarget      target,
               const HlFigureView *view)
{
  const HlActivationsInfo *info = hl_activations_get_info (hl_session_get_file (session));
  int n_cells = info->n_layers * info->n_heads;
  guint per_cell = MAX (hl_session_get_scope_size (session), 1);
  g_autofree HlHeadResult **cells = g_new0 (HlHeadResult *, MAX (n_cells, 1) * per_cell);
  int layer, head;

  for (int i = 0; i < n_cells; i++)
    hl_session_collect (session, i / info->n_heads, i % info->n_heads, cells + i * per_cell);
  if (target == HL_FIGURE_TARGET_EXPORT || !hl_session_get_selected (session, &layer, &head))
    layer = head = -1;
  return hl_figure_new_heatmap (info->n_layers, info->n_heads, per_cell, cells,
                                hl_session_get_heatmap_metric (session),
                                hl_session_get_heatmap_statistic (session), view, layer, head);
}

/* Every head's matrix of the sample shown, once read; the selected head
 * outlined on screen. */
static HlFigure *
build_matrices (HlSession          *session,
                HlFigureTarget      target,
                const HlFigureView *view)
{
  const HlAttentionGrid *grid = hl_session_get_attention_grid (session);
  int layer, head;

  if (grid == NULL)
    return NULL;
  if (target == HL_FIGURE_TARGET_EXPORT || !hl_session_get_selected (session, &layer, &head))
    layer = head = -1;
  return hl_figure_new_matrices (grid, hl_session_get_matrix_log_scale (session), layer, head,
                                 view);
}

static HlFigure *
build_model (HlSession          *session,
             HlSessionFigure     which,
             const HlFigureView *view)
{
  const HlActivationsInfo *info = hl_activations_get_info (hl_session_get_file (session));
  const HlModelSummary *summary = hl_session_get_summary (session);
  g_autoptr(HlFigure) curves = NULL;

  if (summary == NULL)
    return NULL;
  switch (which)
    {
    case HL_SESSION_FIGURE_REGIMES:
      return hl_figure_new_regimes (summary, info->n_heads,
                                    info->n_heads * hl_session_get_scope_size (session), view);
    case HL_SESSION_FIGURE_CORRELATION:
      return hl_figure_new_correlation (summary, view);
    case HL_SESSION_FIGURE_MODEL_BOUND:
      return hl_figure_new_bound (NULL, summary, view);
    case HL_SESSION_FIGURE_MODEL_PANEL:
      curves = hl_figure_new_model_curves (summary, view);
      return hl_figure_new_panel (curves);
    case HL_SESSION_FIGURE_MODEL_CURVES:
    default:
      return hl_figure_new_model_curves (summary, view);
    }
}

/* The head's keys: their texts, and on screen the one highlighted (a file
 * shows none: it is a pointer, not data). */
static HlFigureKeys
keys_of (HlSession      *session,
         HlHeadData     *data,
         HlFigureTarget  target)
{
  return (HlFigureKeys) {
    data != NULL ? (const char * const *) data->tokens : NULL,
    target == HL_FIGURE_TARGET_SCREEN ? hl_session_get_highlighted_key (session) : -1,
  };
}

static HlFigure *
build_head (HlSession          *session,
            HlSessionFigure     which,
            HlFigureTarget      target,
            const HlFigureView *view)
{
  HlHeadResult *result = hl_session_get_selected_result (session);
  HlHeadData *data = hl_session_get_head_data (session);
  HlAnalysis *analysis = hl_session_get_analysis (session);
  const HlScatter *scatter = hl_session_get_scatter (session);
  HlFigureKeys keys = keys_of (session, data, target);
  /* A query with a single key has no N and no lag to plot. */
  gboolean has_n = result != NULL && result->curves->n_grid > 0;
  gboolean has_lags = result != NULL && result->diagnostics.n_lags > 0;
  g_autoptr(HlFigure) curves = NULL;

  switch (which)
    {
    case HL_SESSION_FIGURE_SCATTER:
      return scatter != NULL ? hl_figure_new_scatter (scatter, &keys, view) : NULL;
    case HL_SESSION_FIGURE_PROFILE:
      return scatter != NULL ? hl_figure_new_profile (data->alpha, scatter, &keys, view) : NULL;
    case HL_SESSION_FIGURE_TOKENS:
      return scatter != NULL ? hl_figure_new_tokens (data->n_keys, data->alpha, scatter, &keys,
                                                     view)
                             : NULL;
    case HL_SESSION_FIGURE_MATRIX:
      /* The query shown is outlined in a file too: it is what the row is. */
      return data != NULL && data->matrix != NULL
             ? hl_figure_new_matrix (data->matrix, data->query_positions, data->n_queries,
                                     data->query_index,
                                     hl_session_get_matrix_log_scale (session), view)
             : NULL;
    case HL_SESSION_FIGURE_ALIGNMENT:
      return has_n ? hl_figure_new_alignment (result, view) : NULL;
    case HL_SESSION_FIGURE_DECAY:
      return has_lags ? hl_figure_new_decay (result, view) : NULL;
    case HL_SESSION_FIGURE_HEAD_BOUND:
      /* Beside the model's means once the analysis has finished. */
      return has_n ? hl_figure_new_bound (result, analysis != NULL
                                                  ? hl_analysis_get_summary (analysis) : NULL,
                                          view)
                   : NULL;
    case HL_SESSION_FIGURE_HEAD_PANEL:
      if (!has_n)
        return NULL;
      curves = hl_figure_new_head_curves (result, view);
      return hl_figure_new_panel (curves);
    case HL_SESSION_FIGURE_HEAD_CURVES:
    default:
      return has_n ? hl_figure_new_head_curves (result, view) : NULL;
    }
}

/* "Layer 1 · Head 2", plain text. */
static char *
head_label (int layer,
            int head)
{
  /* Translators: a head, e.g. "Layer 3 · Head 5" */
  return g_strdup_printf (_("Layer %d · Head %d"), layer, head);
}

/* The selected head (solid) against the pinned one (dashed). */
static HlFigure *
build_compare (HlSession      *session,
               HlFigureTarget  target,
               HlFigureView   *view)
{
  g_autofree char *first_label = NULL, *second_label = NULL;
  g_autofree char *title = NULL, *heads = NULL, *scope = NULL;
  const HlActivationsInfo *info = hl_activations_get_info (hl_session_get_file (session));
  HlComparedHead first, second;
  int layer, head, pinned_layer, pinned_head;

  if (!hl_session_get_selected (session, &layer, &head)
      || !hl_session_get_pinned (session, &pinned_layer, &pinned_head)
      || (layer == pinned_layer && head == pinned_head))
    return NULL;
  first = (HlComparedHead) { hl_session_get_selected_result (session),
                             hl_session_get_scatter (session),
                             first_label = head_label (layer, head) };
  second = (HlComparedHead) { hl_session_get_pinned_result (session),
                              hl_session_get_pinned_scatter (session),
                              second_label = head_label (pinned_layer, pinned_head) };
  if (first.result == NULL || first.scatter == NULL || second.result == NULL
      || second.scatter == NULL)
    return NULL;
  if (target == HL_FIGURE_TARGET_EXPORT)
    {
      /* Translators: a comparison's title, e.g. "Layer 1 · Head 2 and Layer 3 · Head 0 · attention ranking" */
      heads = g_markup_printf_escaped (_("%s and %s · %s ranking"), first_label, second_label,
                                       hl_ranking_display_name (view->ranking));
      scope = hl_scope_label (FALSE, FALSE, info->n_samples, info->n_queries,
                              hl_session_get_sample (session),
                              info->query_positions[hl_session_get_query (session)]);
      view->title = title = hl_figure_subtitled_title (heads, -1, view->distance, scope);
    }
  return hl_figure_new_compare (&first, &second, view);
}

static void
name_compare (HlFigure  *figure,
              HlSession *session)
{
  g_autofree char *name = NULL, *basename = NULL;
  int layer, head, pinned_layer, pinned_head;

  hl_session_get_selected (session, &layer, &head);
  hl_session_get_pinned (session, &pinned_layer, &pinned_head);
  /* Translators: a figure comparing two heads, e.g. "Layer 1 · Head 2 against Layer 3 · Head 0: precision, recall, F1 and scatters" */
  name = g_strdup_printf (_("Layer %d · Head %d against Layer %d · Head %d: precision, recall, F1 and scatters"),
                          layer, head, pinned_layer, pinned_head);
  basename = g_strdup_printf ("layer%d-head%d-vs-layer%d-head%d-compare", layer, head,
                              pinned_layer, pinned_head);
  hl_figure_set_names (figure, name, basename);
}

static void
name_figure (HlFigure        *figure,
             HlSession       *session,
             HlSessionFigure  which)
{
  g_autofree char *name = NULL;
  g_autofree char *basename = NULL;
  int layer, head;

  if (which == HL_SESSION_FIGURE_COMPARE)
    {
      name_compare (figure, session);
      return;
    }
  if (figures[which].per_head && hl_session_get_selected (session, &layer, &head))
    {
      /* Translators: a figure of one head, e.g. "Layer 3 · Head 5: Attention profile" */
      name = g_strdup_printf (_("Layer %d · Head %d: %s"), layer, head, _(figures[which].name));
      basename = g_strdup_printf ("layer%d-head%d-%s", layer, head, figures[which].basename);
    }
  else
    {
      name = g_strdup (_(figures[which].name));
      basename = g_strdup_printf ("model-%s", figures[which].basename);
    }
  hl_figure_set_names (figure, name, basename);
}

HlFigure *
hl_session_build_figure (HlSession       *session,
                         HlSessionFigure  which,
                         HlFigureTarget   target)
{
  g_autofree char *title = NULL;
  g_autofree char *note = NULL;
  HlFigureView view;
  HlFigure *figure;

  g_return_val_if_fail (HL_IS_SESSION (session), NULL);
  g_return_val_if_fail (which < HL_N_SESSION_FIGURES, NULL);

  if (hl_session_get_file (session) == NULL)
    return NULL;

  title = view_of (session, which, target, &view);
  view.note = note = note_of (session, which, &view.faded);
  if (which == HL_SESSION_FIGURE_HEATMAP)
    figure = build_heatmap (session, target, &view);
  else if (which == HL_SESSION_FIGURE_MATRICES)
    figure = build_matrices (session, target, &view);
  else if (which == HL_SESSION_FIGURE_COMPARE)
    figure = build_compare (session, target, &view);
  else if (figures[which].per_head)
    figure = build_head (session, which, target, &view);
  else
    figure = build_model (session, which, &view);
  if (figure != NULL)
    name_figure (figure, session, which);
  return figure;
}

GPtrArray *
hl_session_build_figures (HlSession      *session,
                          HlFigureTarget  target)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) hl_figure_unref);

  g_return_val_if_fail (HL_IS_SESSION (session), list);

  for (int which = 0; which < HL_N_SESSION_FIGURES; which++)
    {
      HlFigure *figure = hl_session_build_figure (session, which, target);

      if (figure != NULL)
        g_ptr_array_add (list, figure);
    }
  return list;
}

/* name_figure () names the figures of one head "layerL-headH-…". */
static gboolean
is_head_figure (HlFigure *figure)
{
  return g_str_has_prefix (hl_figure_get_basename (figure), "layer");
}

HlProvenance *
hl_session_figure_provenance (HlSession *session,
                              HlFigure  *figure)
{
  static const char * const scope_names[] = {
    [HL_SESSION_SCOPE_SHOWN] = "shown", [HL_SESSION_SCOPE_SAMPLES] = "samples",
    [HL_SESSION_SCOPE_QUERIES] = "queries", [HL_SESSION_SCOPE_ALL] = "all",
  };
  const HlAnalysisOptions *options;
  HlProvenance *provenance;
  const HlMetric *metric;
  HlPlotKind kind;
  int layer, head;

  g_return_val_if_fail (HL_IS_SESSION (session), NULL);
  g_return_val_if_fail (figure != NULL && hl_figure_get_basename (figure) != NULL, NULL);
  g_return_val_if_fail (hl_session_get_file (session) != NULL, NULL);

  provenance = hl_provenance_new_for_file ("headlens", hl_session_get_file (session));
  options = hl_session_get_analysis_options (session);
  kind = hl_figure_get_kind (figure);
  /* One head's figures come from its own analysis, which draws no bands. */
  if (is_head_figure (figure))
    hl_provenance_set_head_analysis (provenance, &options->head);
  else
    hl_provenance_set_analysis (provenance, options);
  hl_provenance_add_figure_string (provenance, "plot", hl_plot_kind_to_string (kind));
  if (is_head_figure (figure) && hl_session_get_selected (session, &layer, &head))
    {
      hl_provenance_add_figure_int (provenance, "layer", layer);
      hl_provenance_add_figure_int (provenance, "head", head);
    }
  if (g_str_has_suffix (hl_figure_get_basename (figure), "-compare")
      && hl_session_get_pinned (session, &layer, &head))
    {
      hl_provenance_add_figure_int (provenance, "compared_layer", layer);
      hl_provenance_add_figure_int (provenance, "compared_head", head);
    }
  hl_provenance_add_figure_int (provenance, "sample", hl_session_get_sample (session));
  hl_provenance_add_figure_int (provenance, "query", hl_session_get_query (session));
  /* The model's figures show the scope, named as render's --over. */
  if (!is_head_figure (figure))
    hl_provenance_add_figure_string (provenance, "over", scope_names[hl_session_get_scope (session)]);
  if (kind == HL_PLOT_HEATMAP)
    hl_provenance_add_figure_string (provenance, "statistic",
                                     hl_session_get_heatmap_statistic (session) == HL_STATISTIC_IQR
                                     ? "iqr" : "mean");
  hl_provenance_add_figure_int (provenance, "n", hl_session_get_n (session));
  hl_provenance_add_figure_string (provenance, "ranking",
                                   hl_ranking_to_string (hl_session_get_ranking (session)));
  hl_provenance_add_figure_string (provenance, "distance",
                                   hl_distance_to_string (hl_session_get_distance (session)));
  metric = hl_session_get_heatmap_metric (session);
  hl_provenance_add_figure_string (provenance, "metric", metric != NULL ? metric->name : "regime");
  return provenance;
}

char *
hl_session_figure_document_title (HlSession *session,
                                  HlFigure  *figure)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (HL_IS_SESSION (session), NULL);
  g_return_val_if_fail (figure != NULL && hl_figure_get_name (figure) != NULL, NULL);
  g_return_val_if_fail (hl_session_get_file (session) != NULL, NULL);

  name = g_path_get_basename (hl_activations_get_path (hl_session_get_file (session)));
  /* Translators: a figure file's title: the figure, then the file it is drawn from */
  return g_strdup_printf (_("%s, %s"), hl_figure_get_name (figure), name);
}
