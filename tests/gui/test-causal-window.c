/* test-causal-window.c: Causal Tests on a file extracted from stories260K:
 * the model it recorded is found (or asked for when it moved, and refused
 * when it changed), each experiment runs on a worker with progress and its
 * figures show the numbers the core computes for the same windows, Cancel
 * stops a run and keeps the earlier figures, and the figures export.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "causal-test-util.h"
#include "extract-test-util.h"
#include "hl-causal-experiment.h"
#include "hl-causal-figures.h"
#include "hl-causal-file.h"
#include "hl-causal-plot.h"
#include "hl-causal-window.h"
#include "hl-extract.h"
#include "hl-gui-test.h"
#include "hl-heatmap-plot.h"
#include "hl-panel-plot.h"

typedef struct
{
  char          *dir;
  char          *checkpoint;   /* the copy the file was extracted with */
  char          *output;
  HlSession     *session;
} Fixture;

/* A story extracted with a copy of stories260K in a new folder; FALSE (the
 * test skipped) without the shared model. */
static gboolean
fixture_init (Fixture *f)
{
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(GError) error = NULL;

  memset (f, 0, sizeof *f);
  if (!hl_test_extract_story (&f->dir, &f->checkpoint, &f->output))
    return FALSE;
  file = hl_activations_open (f->output, &error);
  g_assert_no_error (error);
  f->session = hl_session_new ();
  hl_session_set_file (f->session, file);
  return TRUE;
}

static void
fixture_clear (Fixture *f)
{
  g_clear_object (&f->session);
  if (f->dir != NULL)
    hl_test_remove_tmp_dir (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->checkpoint, g_free);
  g_clear_pointer (&f->output, g_free);
}

static gboolean
is_idle (gpointer user_data)
{
  return !hl_causal_window_get_busy (user_data);
}

static gboolean
analysis_done (gpointer user_data)
{
  return hl_session_get_analysis_state (user_data) == HL_SESSION_ANALYSIS_DONE;
}

static HlCausalWindow *
window_ready (Fixture *f)
{
  HlCausalWindow *window = hl_causal_window_new (NULL, f->session);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hl_test_wait_until (is_idle, window, 60000));
  g_assert_true (hl_causal_window_get_model_ready (window));
  return window;
}

static void
run_and_wait (HlCausalWindow *window,
              HlCausalRun     run)
{
  hl_causal_window_run (window, run);
  g_assert_true (hl_causal_window_get_busy (window));
  g_assert_true (hl_test_wait_until (is_idle, window, 120000));
  g_assert_cmpfloat (hl_causal_window_get_progress (window), ==, 1.0);
}

/* The same experiment through the core, on the file's windows. */
static HlCausalResult *
core_result (Fixture           *f,
             HlCausalExperiment experiment,
             gboolean           n_auto)
{
  HlActivations *file = hl_session_get_file (f->session);
  g_autoptr(GError) error = NULL;
  g_autoptr(HlModel) model = hl_causal_file_open_model (file, NULL, &error);
  HlCausalText *text;
  HlCausalSpec spec;
  HlCausalResult *result;

  g_assert_no_error (error);
  text = hl_causal_file_new_text (model, file, &error);
  g_assert_no_error (error);
  hl_causal_spec_init (&spec);
  spec.experiment = experiment;
  spec.n_auto = n_auto;
  result = hl_causal_run (text, &spec, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  hl_causal_text_free (text);
  return result;
}

static void
assert_map_equals (HlFigure             *figure,
                   const HlCausalResult *expected,
                   HlCausalMap           map)
{
  const HlHeatmapPlotData *data;
  float values[40];

  g_assert_nonnull (figure);
  g_assert_cmpint (hl_figure_get_kind (figure), ==, HL_PLOT_HEATMAP);
  data = hl_figure_get_data (figure);
  g_assert_cmpint (data->n_layers, ==, 5);
  g_assert_cmpint (data->n_heads, ==, 8);
  g_assert_true (hl_causal_map_values (expected, map, values, NULL));
  for (int i = 0; i < 40; i++)
    {
      g_assert_true (isfinite (data->values[i]));
      g_assert_cmpfloat (data->values[i], ==, values[i]);
    }
}

static void
export_pdf (Fixture  *f,
            HlFigure *figure)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.pdf", f->dir, hl_figure_get_basename (figure));
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);
  HlPlotExportOptions options = { .format = HL_PLOT_FORMAT_PDF, .width = 7.0, .height = 3.0, .dpi = 300 };
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  g_assert_nonnull (figure);
  g_assert_true (hl_figure_export_to_file (figure, style, &options, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "%PDF"));
}

/* Keys kept by the head run: the powers of two below the window. */
static int
powers_below (int window)
{
  int n = 0;

  for (int k = 1; k < window; k *= 2)
    n++;
  return n;
}

/* Ablation and N* of every head: the maps hold the core's numbers; the
 * selected head's delta NLL against N is shown beside its P/R/F; the
 * correlations are listed; every figure exports. */
static void
test_experiments (void)
{
  Fixture f;
  HlCausalWindow *window;
  g_autoptr(HlCausalResult) ablation = NULL, n_star = NULL;
  const HlPanelPlotData *panel;
  const HlCausalPlotData *head;
  HlFigure *figure;
  int window_size;

  if (!fixture_init (&f))
    return;
  window_size = hl_activations_get_info (hl_session_get_file (f.session))->seq_len;
  g_assert_true (hl_test_wait_until (analysis_done, f.session, 60000));
  window = window_ready (&f);
  g_assert_null (hl_causal_window_get_figure (window, "causal-ablation"));

  run_and_wait (window, HL_CAUSAL_RUN_ABLATE_ZERO);
  ablation = core_result (&f, HL_CAUSAL_ABLATE, FALSE);
  assert_map_equals (hl_causal_window_get_figure (window, "causal-ablation"), ablation, HL_CAUSAL_MAP_ABLATION);
  g_assert_nonnull (strstr (hl_causal_window_get_status (window), "Unmodified loss"));
  g_assert_nonnull (strstr (hl_causal_window_get_correlations (window), "zero ablation across 40 heads"));
  g_assert_nonnull (strstr (hl_causal_window_get_correlations (window), "sink_mass"));

  run_and_wait (window, HL_CAUSAL_RUN_N_STAR);
  n_star = core_result (&f, HL_CAUSAL_TRUNCATE, TRUE);
  assert_map_equals (hl_causal_window_get_figure (window, "causal-n-star"), n_star, HL_CAUSAL_MAP_N_STAR);
  g_assert_nonnull (strstr (hl_causal_window_get_correlations (window), "N* (renormalise, attention)"));

  /* The selected head: the N the search measured beside its P/R/F, then
   * its own run at N = 1, 2, 4, ... in both modes and rankings. */
  hl_session_select (f.session, 4, 4);
  figure = hl_causal_window_get_figure (window, "causal-layer4-head4-truncation");
  g_assert_nonnull (figure);
  g_assert_cmpint (hl_figure_get_kind (figure), ==, HL_PLOT_PANEL);
  panel = hl_figure_get_data (figure);
  g_assert_cmpint (panel->n_items, ==, 2);
  g_assert_cmpint (panel->items[0].kind, ==, HL_PLOT_CAUSAL);
  g_assert_cmpint (panel->items[1].kind, ==, HL_PLOT_CURVES);
  head = panel->items[0].data;
  g_assert_cmpint (head->n_series, ==, 1);
  g_assert_true (isfinite (head->mark_x));
  run_and_wait (window, HL_CAUSAL_RUN_HEAD);
  figure = hl_causal_window_get_figure (window, "causal-layer4-head4-truncation");
  head = ((const HlPanelPlotData *) hl_figure_get_data (figure))->items[0].data;
  g_assert_cmpint (head->n_series, ==, 4);
  for (int s = 0; s < 4; s++)
    {
      g_assert_cmpint (head->series[s].n, ==, powers_below (window_size));
      g_assert_true (isfinite (head->series[s].y[0]));
    }

  /* Another head: the N* search's points again. */
  hl_session_select (f.session, 0, 1);
  g_assert_nonnull (hl_causal_window_get_figure (window, "causal-layer0-head1-truncation"));

  export_pdf (&f, hl_causal_window_get_figure (window, "causal-ablation"));
  export_pdf (&f, hl_causal_window_get_figure (window, "causal-n-star"));
  export_pdf (&f, hl_causal_window_get_figure (window, "causal-layer0-head1-truncation"));
  hl_test_destroy_window (GTK_WINDOW (window));
  fixture_clear (&f);
}

/* Sparsification: one line per policy, the random one with its band. */
static void
test_sparsify (void)
{
  Fixture f;
  HlCausalWindow *window;
  const HlCausalPlotData *data;
  HlFigure *figure;
  gboolean random_band = FALSE;

  if (!fixture_init (&f))
    return;
  window = window_ready (&f);
  run_and_wait (window, HL_CAUSAL_RUN_SPARSIFY);
  figure = hl_causal_window_get_figure (window, "causal-sparsification");
  g_assert_nonnull (figure);
  data = hl_figure_get_data (figure);
  g_assert_cmpint (data->n_series, ==, HL_N_PRUNE_POLICIES);
  for (int s = 0; s < data->n_series; s++)
    {
      g_assert_cmpint (data->series[s].n, ==, 9);
      g_assert_cmpfloat_with_epsilon (data->series[s].x[0], 0.1, 1e-12);
      if (g_str_equal (data->series[s].label, "random"))
        random_band = data->series[s].lo != NULL && data->series[s].lo[4] <= data->series[s].y[4] &&
                      data->series[s].y[4] <= data->series[s].hi[4];
    }
  g_assert_true (random_band);
  export_pdf (&f, figure);
  hl_test_destroy_window (GTK_WINDOW (window));
  fixture_clear (&f);
}

/* Cancel ends the run without a result; the earlier figures stay. */
static void
test_cancel (void)
{
  Fixture f;
  HlCausalWindow *window;

  if (!fixture_init (&f))
    return;
  window = window_ready (&f);
  run_and_wait (window, HL_CAUSAL_RUN_ABLATE_MEAN);
  hl_causal_window_run (window, HL_CAUSAL_RUN_SPARSIFY);
  g_assert_true (hl_causal_window_get_busy (window));
  hl_causal_window_cancel (window);
  g_assert_true (hl_test_wait_until (is_idle, window, 60000));
  g_assert_nonnull (strstr (hl_causal_window_get_status (window), "Cancelled"));
  g_assert_null (hl_causal_window_get_figure (window, "causal-sparsification"));
  g_assert_nonnull (hl_causal_window_get_figure (window, "causal-ablation"));
  hl_test_destroy_window (GTK_WINDOW (window));
  fixture_clear (&f);
}

/* The checkpoint moved: the window says so and runs nothing; another
 * checkpoint is refused by its SHA-256; the same bytes elsewhere open. */
static void
test_model_moved (void)
{
  Fixture f;
  HlCausalWindow *window;
  g_autofree char *shared = NULL;
  g_autofree char *other = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!fixture_init (&f))
    return;
  shared = test_shared_model_file ("stories260K.bin");
  g_assert_cmpint (g_unlink (f.checkpoint), ==, 0);
  window = hl_causal_window_new (NULL, f.session);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hl_test_wait_until (is_idle, window, 60000));
  g_assert_false (hl_causal_window_get_model_ready (window));
  g_assert_nonnull (strstr (hl_causal_window_get_status (window), "Choose the model"));
  hl_causal_window_run (window, HL_CAUSAL_RUN_ABLATE_ZERO);
  g_assert_false (hl_causal_window_get_busy (window));

  /* One weight changed: the same shape, another model. */
  g_assert_true (g_file_get_contents (shared, &contents, &length, NULL));
  contents[length - 1] ^= 0x40;
  other = g_build_filename (f.dir, "other.bin", NULL);
  g_assert_true (g_file_set_contents (other, contents, length, NULL));
  hl_causal_window_set_model_path (window, other);
  g_assert_true (hl_test_wait_until (is_idle, window, 60000));
  g_assert_false (hl_causal_window_get_model_ready (window));

  hl_causal_window_set_model_path (window, shared);
  g_assert_true (hl_test_wait_until (is_idle, window, 60000));
  g_assert_true (hl_causal_window_get_model_ready (window));
  hl_test_destroy_window (GTK_WINDOW (window));
  fixture_clear (&f);
}

/* A file that records no model (the bundled sample is synthetic). */
static void
test_no_model_recorded (void)
{
  g_autoptr(GFile) sample = hl_test_dup_sample ();
  g_autofree char *path = NULL;
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HlModel) model = NULL;

  if (sample == NULL)
    return;
  path = g_file_get_path (sample);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  model = hl_causal_file_open_model (file, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_MODEL);
  g_assert_nonnull (strstr (error->message, "does not say which model"));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/gui/causal-window/experiments", test_experiments);
  g_test_add_func ("/gui/causal-window/sparsify", test_sparsify);
  g_test_add_func ("/gui/causal-window/cancel", test_cancel);
  g_test_add_func ("/gui/causal-window/model-moved", test_model_moved);
  g_test_add_func ("/gui/causal-window/no-model-recorded", test_no_model_recorded);

  return hl_test_run_and_wait ();
}
