/* test-figures.c: the figure builders, headless: each copies what it shows
 * (the figure outlives the results it came from), draws the values of its
 * source, and names what it is; the session's figures follow the session's
 * view and title themselves for the screen or for a file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "analysis-fixture.h"
#include "hl-background.h"
#include "hl-bound-plot.h"
#include "hl-curves-plot.h"
#include "hl-heatmap-plot.h"
#include "hl-panel-plot.h"
#include "hl-planted.h"
#include "hl-profile-plot.h"
#include "hl-regimes-plot.h"
#include "hl-scatter-plot.h"
#include "hl-synth-model.h"
#include "hl-session-figures.h"

enum { N_KEYS = 40, DIM = 6 };

/* A head with a sink, a heavy last token and a spread-out rest. */
static HlHeadResult *
compute_head (float  *values,
              float  *alpha)
{
  HlHeadInput input = { N_KEYS, DIM, values, alpha };
  HlHeadId id = { 2, 1, 0, 0, 0 };
  HlHeadAnalysisOptions options;
  double sum = 0;

  for (int i = 0; i < N_KEYS * DIM; i++)
    values[i] = sinf (0.37f * i) + (i % DIM == 1 ? 0.8f : 0);
  for (int i = 0; i < N_KEYS; i++)
    sum += alpha[i] = i == 0 ? 8 : i == N_KEYS - 1 ? 9 : 1 + (i % 7);
  for (int i = 0; i < N_KEYS; i++)
    alpha[i] /= sum;
  hl_head_analysis_options_init (&options);
  return hl_head_analysis_compute (&input, &id, &options);
}

static void
test_head_curves (void)
{
  float values[N_KEYS * DIM], alpha[N_KEYS];
  HlHeadResult *r = compute_head (values, alpha);
  HlFigureView view = { HL_RANKING_CONTRIBUTION, HL_DISTANCE_COSINE, 8, FALSE, "A <i>title</i>" };
  HlSeparabilityPoint expected = r->curves->points[HL_RANKING_CONTRIBUTION][HL_DISTANCE_COSINE][3];
  float random_f1 = r->curves->points[HL_RANKING_RANDOM][HL_DISTANCE_COSINE][3].f1;
  g_autoptr(HlFigure) figure = hl_figure_new_head_curves (r, &view);
  g_autoptr(HlFigure) random = NULL;
  const HlCurvesPlotData *data;

  /* The figure keeps its copy after the result is gone. */
  hl_head_result_unref (r);
  data = hl_figure_get_data (figure);
  g_assert_cmpint (hl_figure_get_kind (figure), ==, HL_PLOT_CURVES);
  g_assert_cmpint (data->n_grid, ==, 6);   /* 1, 2, 4, 8, 16, 32 */
  g_assert_cmpint (data->grid[3], ==, 8);
  g_assert_cmpfloat (data->ranked[HL_CURVE_PRECISION][3], ==, expected.precision);
  g_assert_cmpfloat (data->ranked[HL_CURVE_RECALL][3], ==, expected.recall);
  g_assert_cmpfloat (data->random[HL_CURVE_F1][3], ==, random_f1);
  g_assert_cmpint (data->chosen_n, ==, 8);
  g_assert_cmpstr (data->title, ==, "A <i>title</i>");
  g_assert_null (hl_figure_get_name (figure));

  /* The random ranking is its own control: drawn once. */
  r = compute_head (values, alpha);
  view.ranking = HL_RANKING_RANDOM;
  random = hl_figure_new_head_curves (r, &view);
  data = hl_figure_get_data (random);
  g_assert_nonnull (data->ranked[HL_CURVE_F1]);
  g_assert_null (data->random[HL_CURVE_F1]);
  hl_head_result_unref (r);
}

/* The theory figure copies the head's residual and bound of the view's
 * ranking and, given a summary, the model's means; a model alone has no
 * head series. */
static void
test_bound (void)
{
  float values[N_KEYS * DIM], alpha[N_KEYS];
  HlHeadResult *r = compute_head (values, alpha);
  HlFigureView view = { HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN, 4, FALSE, NULL };
  float residual = r->curves->residual[HL_RANKING_ATTENTION][2];
  float bound = r->curves->bound[HL_RANKING_ATTENTION][2];
  g_autoptr(HlModelSummary) summary = hl_model_summary_new (&r, 1, 3, 0, 0);
  g_autoptr(HlFigure) head = hl_figure_new_bound (r, summary, &view);
  g_autoptr(HlFigure) model = hl_figure_new_bound (NULL, summary, &view);
  const HlBoundPlotData *data;

  hl_head_result_unref (r);
  data = hl_figure_get_data (head);
  g_assert_cmpint (hl_figure_get_kind (head), ==, HL_PLOT_BOUND);
  g_assert_cmpint (data->n_grid, ==, 6);
  g_assert_cmpfloat (data->residual[2], ==, residual);
  g_assert_cmpfloat (data->bound[2], ==, bound);
  g_assert_cmpfloat (data->residual[2], <=, data->bound[2]);
  /* One result: the model's mean is that head's. */
  g_assert_cmpint (data->n_model, ==, 6);
  g_assert_cmpfloat (data->model_bound[2], ==, bound);
  g_assert_cmpint (data->chosen_n, ==, 4);
  data = hl_figure_get_data (model);
  g_assert_cmpint (data->n_grid, ==, 0);
  g_assert_null (data->residual);
  g_assert_cmpfloat (data->model_residual[2], ==, residual);
}

static void
test_panel (void)
{
  float values[N_KEYS * DIM], alpha[N_KEYS];
  g_autoptr(HlHeadResult) r = compute_head (values, alpha);
  HlFigureView view = { HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN, 4, FALSE, "Head" };
  HlFigure *curves = hl_figure_new_head_curves (r, &view);
  g_autoptr(HlFigure) panel = hl_figure_new_panel (curves);
  const HlPanelPlotData *data = hl_figure_get_data (panel);
  float recall = ((const HlCurvesPlotData *) hl_figure_get_data (curves))->ranked[HL_CURVE_RECALL][2];

  /* The panel keeps the curves it points into. */
  hl_figure_unref (curves);
  g_assert_cmpint (data->n_items, ==, HL_N_CURVES);
  g_assert_true (data->letters);
  g_assert_cmpstr (data->title, ==, "Head");
  for (int m = 0; m < HL_N_CURVES; m++)
    {
      const HlCurvesPlotData *item = data->items[m].data;

      g_assert_cmpint (data->items[m].kind, ==, HL_PLOT_CURVES);
      g_assert_null (item->title);
      for (int other = 0; other < HL_N_CURVES; other++)
        g_assert_true ((item->ranked[other] != NULL) == (other == m));
    }
  g_assert_cmpfloat (((const HlCurvesPlotData *) data->items[HL_CURVE_RECALL].data)
                       ->ranked[HL_CURVE_RECALL][2], ==, recall);
}

static void
test_scatter_and_profile (void)
{
  float values[N_KEYS * DIM], alpha[N_KEYS];
  g_autoptr(HlHeadResult) r = compute_head (values, alpha);
  HlHeadInput input = { N_KEYS, DIM, values, alpha };
  g_autoptr(HlProjection) projection = hl_projection_new (&input, NULL);
  HlScatter *scatter = hl_projection_scatter (projection, HL_RANKING_ATTENTION,
                                              HL_DISTANCE_EUCLIDEAN, 4, r->seed, 0);
  HlFigureView view = { HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN, 4, TRUE, NULL };
  g_autoptr(HlFigure) s = hl_figure_new_scatter (scatter, NULL, &view);
  g_autoptr(HlFigure) p = hl_figure_new_profile (alpha, scatter, NULL, &view);
  const HlScatterPlotData *sd = hl_figure_get_data (s);
  const HlProfilePlotData *pd = hl_figure_get_data (p);
  float x7 = scatter->x[7];
  int n_selected = 0;

  hl_scatter_free (scatter);
  g_assert_cmpint (sd->n_points, ==, N_KEYS);
  g_assert_cmpint (sd->n, ==, 4);
  g_assert_cmpint (sd->query_index, ==, N_KEYS - 1);
  g_assert_cmpint (sd->hovered, ==, -1);
  g_assert_cmpfloat (sd->x[7], ==, x7);
  g_assert_cmpint (pd->n_positions, ==, N_KEYS);
  g_assert_true (pd->log_y);
  g_assert_cmpfloat (pd->alpha[0], ==, alpha[0]);
  /* The profile marks the scatter's selection: the four heaviest keys. */
  for (int i = 0; i < N_KEYS; i++)
    {
      g_assert_true (pd->selected[i] == sd->selected[i]);
      n_selected += pd->selected[i];
    }
  g_assert_cmpint (n_selected, ==, 4);
  g_assert_true (pd->selected[0] && pd->selected[N_KEYS - 1]);
}

static void
test_heatmap (void)
{
  float values[N_KEYS * DIM], alpha[N_KEYS];
  g_autoptr(HlHeadResult) r = compute_head (values, alpha);
  HlHeadResult *cells[4] = { NULL, r, NULL, r };
  HlFigureView view = { HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN, 8, FALSE, NULL };
  g_autoptr(HlFigure) by_regime = hl_figure_new_heatmap (2, 2, 1, cells, NULL, HL_STATISTIC_MEAN,
                                                         &view, 1, 0);
  g_autoptr(HlFigure) by_f1 = hl_figure_new_heatmap (2, 2, 1, cells, hl_metric_lookup ("f1"),
                                                     HL_STATISTIC_MEAN, &view, -1, -1);
  g_autoptr(HlFigure) by_rho0 = hl_figure_new_heatmap (2, 2, 1, cells,
                                                       hl_metric_lookup ("sink_similarity"),
                                                       HL_STATISTIC_MEAN, &view, -1, -1);
  const HlHeatmapPlotData *d = hl_figure_get_data (by_regime);

  g_assert_cmpint (d->mode, ==, HL_HEATMAP_COLOR_REGIME);
  g_assert_cmpint (d->regimes[0], ==, -1);
  g_assert_cmpint (d->regimes[1], ==, r->regime);
  g_assert_cmpint (d->selected_layer, ==, 1);
  g_assert_cmpint (d->selected_head, ==, 0);

  d = hl_figure_get_data (by_f1);
  g_assert_cmpint (d->mode, ==, HL_HEATMAP_COLOR_METRIC);
  g_assert_true (isnan (d->values[2]));
  g_assert_cmpfloat (d->values[3], ==, r->curves->points[0][0][3].f1);
  g_assert_cmpfloat (d->vmin, ==, 0);
  g_assert_cmpfloat (d->vmax, ==, 1);
  g_assert_cmpstr (d->value_label, ==, "F<sub>N</sub>, N = 8");

  d = hl_figure_get_data (by_rho0);
  g_assert_cmpint (d->colormap, ==, HL_COLORMAP_DIVERGING);
  g_assert_cmpfloat (d->vmin, ==, -1);
  g_assert_cmpfloat (d->values[1], ==, r->diagnostics.sink_similarity);
  g_assert_cmpstr (d->value_label, ==, "sink similarity ρ<sub>0</sub>");
}

/* Cells over sets: the mean or the interquartile range of the results
 * received (pending ones left out), and their most frequent regime. */
static void
test_heatmap_over_sets (void)
{
  float values[N_KEYS * DIM], alpha[N_KEYS];
  g_autoptr(HlHeadResult) a = compute_head (values, alpha);
  g_autoptr(HlHeadResult) b = compute_head (values, alpha);
  g_autoptr(HlHeadResult) c = compute_head (values, alpha);
  /* Two heads of three results each; the second has one pending. */
  HlHeadResult *cells[6] = { a, b, c, NULL, c, a };
  HlFigureView view = { HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN, 8, FALSE, NULL };
  const HlMetric *mass = hl_metric_lookup ("sink_mass");
  g_autoptr(HlFigure) mean = NULL;
  g_autoptr(HlFigure) iqr = NULL;
  g_autoptr(HlFigure) regime = NULL;
  const HlHeatmapPlotData *d;

  a->diagnostics.sink_mass = 0.1f, a->regime = HL_REGIME_RESET;
  b->diagnostics.sink_mass = 0.4f, b->regime = HL_REGIME_MIXER;
  c->diagnostics.sink_mass = 0.3f, c->regime = HL_REGIME_MIXER;
  mean = hl_figure_new_heatmap (1, 2, 3, cells, mass, HL_STATISTIC_MEAN, &view, -1, -1);
  iqr = hl_figure_new_heatmap (1, 2, 3, cells, mass, HL_STATISTIC_IQR, &view, -1, -1);
  regime = hl_figure_new_heatmap (1, 2, 3, cells, NULL, HL_STATISTIC_MEAN, &view, -1, -1);

  d = hl_figure_get_data (mean);
  g_assert_cmpfloat_with_epsilon (d->values[0], (0.1 + 0.4 + 0.3) / 3, 1e-6);
  g_assert_cmpfloat_with_epsilon (d->values[1], (0.3 + 0.1) / 2, 1e-6);
  g_assert_cmpstr (d->value_label, ==, "mean of sink mass α<sub>0</sub>");
  g_assert_cmpfloat (d->vmax, ==, 1);
  /* {0.1, 0.3, 0.4}: quartiles 0.2 and 0.35; {0.1, 0.3}: 0.15 and 0.25. */
  d = hl_figure_get_data (iqr);
  g_assert_cmpfloat_with_epsilon (d->values[0], 0.15, 1e-6);
  g_assert_cmpfloat_with_epsilon (d->values[1], 0.1, 1e-6);
  g_assert_cmpstr (d->value_label, ==, "interquartile range of sink mass α<sub>0</sub>");
  g_assert_cmpfloat (d->vmin, ==, d->vmax);
  d = hl_figure_get_data (regime);
  g_assert_cmpint (d->regimes[0], ==, HL_REGIME_MIXER);
  g_assert_cmpint (d->regimes[1], ==, HL_REGIME_MIXER);
}

static gboolean
analysis_done (gpointer user_data)
{
  return hl_session_get_analysis_state (user_data) == HL_SESSION_ANALYSIS_DONE
         && !hl_session_get_head_loading (user_data);
}

static const char *
title_of (HlFigure *figure)
{
  switch (hl_figure_get_kind (figure))
    {
    case HL_PLOT_CURVES: return ((const HlCurvesPlotData *) hl_figure_get_data (figure))->title;
    case HL_PLOT_PANEL: return ((const HlPanelPlotData *) hl_figure_get_data (figure))->title;
    case HL_PLOT_SCATTER: return ((const HlScatterPlotData *) hl_figure_get_data (figure))->title;
    case HL_PLOT_HEATMAP: return ((const HlHeatmapPlotData *) hl_figure_get_data (figure))->title;
    default: g_assert_not_reached ();
    }
}

static gboolean
pinned_is_read (gpointer user_data)
{
  return hl_session_get_pinned_data (user_data) != NULL;
}

/* The session's figures: one per thing shown, named, titled for the
 * screen or for a file, and following the session's view. */
static void
test_session_figures (void)
{
  static const FixtureShape shape = {
    .n_layers = 2, .n_heads = 2, .n_kv_heads = 1, .head_dim = 8, .seq_len = 24,
    .n_samples = 1, .n_queries = 1, .seed = 6,
  };
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.h5", NULL);
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlSession) session = hl_session_new ();
  g_autoptr(GPtrArray) on_screen = NULL;
  g_autoptr(GPtrArray) in_files = NULL;
  g_autoptr(HlFigure) curves = NULL;
  g_autoptr(HlFigure) head = NULL;

  fixture_write_file (path, &shape);
  file = hl_activations_open (path, NULL);
  hl_session_set_file (session, file);
  g_assert_null (hl_session_build_figure (session, HL_SESSION_FIGURE_MODEL_CURVES,
                                          HL_FIGURE_TARGET_EXPORT));
  g_assert_true (hl_test_wait_until (analysis_done, session, 30000));
  hl_session_select (session, 1, 0);
  g_assert_true (hl_test_wait_until (analysis_done, session, 30000));

  on_screen = hl_session_build_figures (session, HL_FIGURE_TARGET_SCREEN);
  in_files = hl_session_build_figures (session, HL_FIGURE_TARGET_EXPORT);
  /* Every figure but the attention matrices (a file with one query
   * position has no matrix of queries over keys) and the comparison (no
   * head is pinned). */
  g_assert_cmpuint (on_screen->len, ==, HL_N_SESSION_FIGURES - 3);
  g_assert_cmpuint (in_files->len, ==, HL_N_SESSION_FIGURES - 3);
  head = g_ptr_array_steal_index (in_files, HL_SESSION_FIGURE_SCATTER);
  g_assert_cmpstr (hl_figure_get_basename (head), ==, "layer1-head0-scatter");
  g_assert_cmpstr (hl_figure_get_name (head), ==, "Layer 1 · Head 0: Value-space scatter");
  g_assert_cmpstr (title_of (head), ==, "Layer 1 · Head 0 · attention ranking\n"
                   "<span size=\"smaller\" weight=\"normal\">euclidean distance · sample 0, t = 23</span>");
  g_assert_null (title_of (g_ptr_array_index (on_screen, HL_SESSION_FIGURE_SCATTER)));
  g_assert_cmpstr (hl_figure_get_basename (g_ptr_array_index (in_files, 0)), ==, "model-heatmap");
  g_assert_cmpstr (title_of (g_ptr_array_index (in_files, 0)), ==, "fixture\n"
                   "<span size=\"smaller\" weight=\"normal\">"
                   "attention ranking · euclidean distance · sample 0, t = 23</span>");
  /* They follow the view: another ranking and distance are named. */
  hl_session_set_ranking (session, HL_RANKING_CONTRIBUTION);
  hl_session_set_distance (session, HL_DISTANCE_COSINE);
  curves = hl_session_build_figure (session, HL_SESSION_FIGURE_MODEL_PANEL, HL_FIGURE_TARGET_EXPORT);
  g_assert_nonnull (strstr (title_of (curves), "contribution ranking · cosine distance · sample 0, t = 23"));
  g_clear_pointer (&curves, hl_figure_unref);
  curves = hl_session_build_figure (session, HL_SESSION_FIGURE_HEAD_CURVES, HL_FIGURE_TARGET_EXPORT);
  g_assert_nonnull (strstr (title_of (curves), "Layer 1 · Head 0 · contribution ranking\n"));
  g_assert_nonnull (strstr (title_of (curves), ">cosine distance · sample 0, t = 23<"));
  g_clear_pointer (&curves, hl_figure_unref);
  hl_session_set_ranking (session, HL_RANKING_ATTENTION);
  hl_session_set_distance (session, HL_DISTANCE_EUCLIDEAN);
  g_assert_cmpstr (title_of (g_ptr_array_index (on_screen, HL_SESSION_FIGURE_HEAD_CURVES)),
                   ==, "This head");

  /* A pinned head adds the comparison, once its data is read; named by
   * both heads. */
  hl_session_pin (session, 0, 1);
  g_assert_true (hl_test_wait_until (pinned_is_read, session, 30000));
  g_clear_pointer (&in_files, g_ptr_array_unref);
  in_files = hl_session_build_figures (session, HL_FIGURE_TARGET_EXPORT);
  g_assert_cmpuint (in_files->len, ==, HL_N_SESSION_FIGURES - 2);
  g_assert_cmpstr (hl_figure_get_basename (g_ptr_array_index (in_files, in_files->len - 1)), ==,
                   "layer1-head0-vs-layer0-head1-compare");
  g_assert_nonnull (strstr (title_of (g_ptr_array_index (in_files, in_files->len - 1)),
                            "Layer 1 · Head 0 and Layer 0 · Head 1 · attention ranking\n"));
  /* Pinning the selected head compares nothing. */
  hl_session_pin (session, 1, 0);
  g_assert_null (hl_session_build_figure (session, HL_SESSION_FIGURE_COMPARE,
                                          HL_FIGURE_TARGET_SCREEN));

  /* The view: N marked on the curves. */
  hl_session_set_n (session, 2);
  curves = hl_session_build_figure (session, HL_SESSION_FIGURE_MODEL_CURVES,
                                    HL_FIGURE_TARGET_SCREEN);
  g_assert_cmpint (((const HlCurvesPlotData *) hl_figure_get_data (curves))->chosen_n, ==, 2);
  g_clear_object (&session);
  hl_test_remove_tmp_dir (dir);
}

/* The regime figures of a synthetic file, on screen and for a file, say
 * that its regimes were planted (with the analysis's own counts), without
 * fading them; the other figures carry no note. */
static void
test_planted_note (void)
{
  static const HlSessionFigure regime_figures[] = {
    HL_SESSION_FIGURE_HEATMAP, HL_SESSION_FIGURE_REGIMES
  };
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "synth.h5", NULL);
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlSession) session = hl_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *counts = NULL;
  HlSynthModelParams params;
  HlPlanted planted;

  hl_synth_model_params_init (&params);
  params.n_layers = 3;
  params.n_heads = 4;
  params.n_kv_heads = 2;
  params.head_dim = 16;
  params.seq_len = 64;
  params.n_samples = 1;
  g_assert_true (hl_synth_model_write (&params, path, NULL, NULL, NULL, NULL, &error));
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  hl_session_set_file (session, file);
  g_assert_true (hl_test_wait_until (analysis_done, session, 30000));
  g_assert_true (hl_planted_compare (hl_session_get_analysis (session), &planted, &error));
  counts = g_strdup_printf ("the rule names %d of %d planted patterns", planted.n_agree,
                            planted.n_results);

  for (guint i = 0; i < G_N_ELEMENTS (regime_figures); i++)
    for (HlFigureTarget target = 0; target <= HL_FIGURE_TARGET_EXPORT; target++)
      {
        g_autoptr(HlFigure) figure = hl_session_build_figure (session, regime_figures[i], target);
        const char *note;
        gboolean faded;

        if (hl_figure_get_kind (figure) == HL_PLOT_HEATMAP)
          {
            const HlHeatmapPlotData *data = hl_figure_get_data (figure);

            note = data->note;
            faded = data->faded;
          }
        else
          {
            const HlRegimesPlotData *data = hl_figure_get_data (figure);

            note = data->note;
            faded = data->faded;
          }
        g_assert_nonnull (note);
        g_assert_true (g_str_has_prefix (note, "Planted by the synthetic generator, not found:"));
        g_assert_nonnull (strstr (note, counts));
        g_assert_false (faded);
      }
  g_clear_object (&session);
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/figures/head-curves", test_head_curves);
  g_test_add_func ("/figures/panel", test_panel);
  g_test_add_func ("/figures/bound", test_bound);
  g_test_add_func ("/figures/scatter-and-profile", test_scatter_and_profile);
  g_test_add_func ("/figures/heatmap", test_heatmap);
  g_test_add_func ("/figures/heatmap-over-sets", test_heatmap_over_sets);
  g_test_add_func ("/figures/session-figures", test_session_figures);
  g_test_add_func ("/figures/planted-note", test_planted_note);
  return hl_test_run_and_wait ();
}
