/* test-explorer.c: the analysis fills the heatmap, heads are selected by
 * click and keys, N moves, analyses are cancelled, files open at their last
 * query, heads with a single key show placeholders, and Export Metrics is
 * enabled once the analysis has finished.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "hl-test-util.h"
#include "hl-gui-test.h"
#include "hl-curves-plot.h"
#include "hl-head-table.h"
#include "hl-panel-plot.h"
#include "hl-heatmap-plot.h"
#include "hl-matrix-plot.h"
#include "hl-matrix-view.h"
#include "hl-profile-plot.h"
#include "hl-scatter-plot.h"
#include "hl-scatter-view.h"
#include "hl-session-figures.h"
#include "hl-synth-model.h"
#include "hl-token-view.h"
#include "hl-tokens-plot.h"
#include "hl-head-detail.h"
#include "hl-heatmap-view.h"
#include "hl-model-panel.h"
#include "hl-window.h"

typedef struct
{
  char     *dir;
  char     *small_path;   /* 3 layers × 4 heads, 2 samples, 2 queries */
  char     *large_path;   /* big enough to take seconds */
  HlWindow *window;
} Fixture;

static void
write_model (const char *path,
             int         n_layers,
             int         n_heads,
             int         seq_len,
             int         n_samples,
             const int  *queries,
             int         n_queries)
{
  g_autoptr(GError) error = NULL;
  HlSynthModelParams params;

  hl_synth_model_params_init (&params);
  params.model = "test-model";
  params.n_layers = n_layers;
  params.n_heads = n_heads;
  params.n_kv_heads = n_heads / 2;
  params.head_dim = 16;
  params.seq_len = seq_len;
  params.n_samples = n_samples;
  params.n_queries = n_queries;
  params.query_positions = queries;
  params.head.head_dim = 16;
  params.head.n_keys = seq_len;

  g_assert_true (hl_synth_model_write (&params, path, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static const int queries[] = { 47, 63 };
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("headlens-explorer-XXXXXX", &error);
  g_assert_no_error (error);
  f->small_path = g_build_filename (f->dir, "small.h5", NULL);
  f->large_path = g_build_filename (f->dir, "large.h5", NULL);
  write_model (f->small_path, 3, 4, 64, 2, queries, 2);
  if (data != NULL)
    write_model (f->large_path, 12, 8, 512, 2, NULL, 1);

  f->window = hl_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 900);
  gtk_window_present (GTK_WINDOW (f->window));
}

static gboolean
pointer_is_null (gpointer user_data)
{
  return *(gpointer *) user_data == NULL;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  HlExplorer *explorer = hl_window_get_explorer (f->window);
  HlSession *session = hl_window_get_session (f->window);

  /* The explorer and the session go with the window; the session's work
   * never holds them. */
  g_object_add_weak_pointer (G_OBJECT (explorer), (gpointer *) &explorer);
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  hl_test_destroy_window (GTK_WINDOW (f->window));
  g_assert_true (hl_test_wait_until (pointer_is_null, &explorer, 10000));
  g_assert_true (hl_test_wait_until (pointer_is_null, &session, 10000));
  g_unlink (f->small_path);
  g_unlink (f->large_path);
  g_rmdir (f->dir);
  g_free (f->small_path);
  g_free (f->large_path);
  g_free (f->dir);
}

static gboolean
window_is_idle (gpointer user_data)
{
  return !hl_session_get_loading (hl_window_get_session (user_data));
}

static gboolean
analysis_is_done (gpointer user_data)
{
  return !hl_session_get_running (user_data);
}

static HlSession *
open_file (Fixture    *f,
           const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  HlSession *session = hl_window_get_session (f->window);

  hl_window_open (f->window, file);
  g_assert_true (hl_test_wait_until (window_is_idle, f->window, 10000));
  g_assert_nonnull (hl_session_get_file (session));
  g_assert_true (hl_session_get_running (session));
  return session;
}

static HlSession *
open_and_wait (Fixture    *f,
               const char *path)
{
  HlSession *session = open_file (f, path);

  g_assert_true (hl_test_wait_until (analysis_is_done, session, 30000));
  return session;
}

static void
test_explorer_every_head_has_a_result (Fixture       *f,
                                       gconstpointer  data)
{
  HlSession *session = open_and_wait (f, f->small_path);
  HlAnalysis *analysis = hl_session_get_analysis (session);
  const HlHeatmapPlotData *heatmap;

  /* 3 layers × 4 heads × 2 samples × 2 queries. */
  g_assert_nonnull (analysis);
  g_assert_cmpuint (hl_session_get_n_expected (session), ==, 48);
  g_assert_cmpuint (hl_session_get_n_received (session), ==, 48);
  for (int l = 0; l < 3; l++)
    for (int h = 0; h < 4; h++)
      for (int s = 0; s < 2; s++)
        for (int q = 0; q < 2; q++)
          g_assert_nonnull (hl_analysis_lookup (analysis, l, h, s, q));

  /* The heatmap shows every cell of the query shown: the last one. */
  heatmap = hl_figure_get_data (hl_heatmap_view_get_figure (
    hl_explorer_get_heatmap (hl_window_get_explorer (f->window))));
  g_assert_cmpint (heatmap->n_layers * heatmap->n_heads, ==, 12);
  for (int i = 0; i < 12; i++)
    g_assert_cmpint (heatmap->regimes[i], ==,
                     hl_analysis_lookup (analysis, i / 4, i % 4, 0, 1)->regime);
}

static gboolean
scatter_is_ready (gpointer user_data)
{
  return hl_head_detail_get_figure (user_data, HL_PLOT_SCATTER) != NULL;
}

/* The N the scatter of @detail shows. */
static int
scatter_n (HlHeadDetail *detail)
{
  const HlScatterPlotData *data = hl_figure_get_data (hl_head_detail_get_figure (detail,
                                                                                 HL_PLOT_SCATTER));

  return data->n;
}

static void
assert_detail_shows (HlHeadDetail *detail,
                     int           layer,
                     int           head)
{
  g_autofree char *title = g_strdup_printf ("Layer %d · Head %d", layer, head);
  HlHeadResult *result = hl_session_get_selected_result (hl_head_detail_get_session (detail));

  g_assert_nonnull (result);
  g_assert_cmpint (result->layer, ==, layer);
  g_assert_cmpint (result->head, ==, head);
  g_assert_cmpstr (hl_head_detail_get_title (detail), ==, title);
}

static gboolean
widget_is_allocated (gpointer user_data)
{
  return gtk_widget_get_width (GTK_WIDGET (user_data)) > 0;
}

static void
test_explorer_select_by_click (Fixture       *f,
                               gconstpointer  data)
{
  HlSession *session = open_and_wait (f, f->small_path);
  HlExplorer *explorer = hl_window_get_explorer (f->window);
  HlHeatmapView *heatmap = hl_explorer_get_heatmap (explorer);
  HlHeadDetail *detail = hl_explorer_get_head_detail (explorer);
  const HlHeatmapPlotData *shown;
  double x, y;
  int layer, head;

  /* Under load the first allocation can come after the analysis ends. */
  g_assert_true (hl_test_wait_until (widget_is_allocated, heatmap, 10000));

  /* The cell's centre comes from the renderer's layout, as a pointer would. */
  hl_heatmap_view_cell_center (heatmap, 2, 3, &x, &y);
  g_assert_true (hl_heatmap_view_click (heatmap, x, y));
  g_assert_true (hl_session_get_selected (session, &layer, &head));
  g_assert_cmpint (layer, ==, 2);
  g_assert_cmpint (head, ==, 3);
  assert_detail_shows (detail, 2, 3);
  shown = hl_figure_get_data (hl_heatmap_view_get_figure (heatmap));
  g_assert_cmpint (shown->selected_layer, ==, 2);
  g_assert_cmpint (shown->selected_head, ==, 3);

  /* The projection arrives from a worker; the scatter then shows N. */
  g_assert_true (hl_test_wait_until (scatter_is_ready, detail, 10000));
  g_assert_cmpint (scatter_n (detail), ==, hl_session_get_n (session));

  /* A click outside every cell changes nothing. */
  g_assert_false (hl_heatmap_view_click (heatmap, 1, 1));
  assert_detail_shows (detail, 2, 3);
}

static void
test_explorer_select_by_keys (Fixture       *f,
                              gconstpointer  data)
{
  HlSession *session = open_and_wait (f, f->small_path);
  HlExplorer *explorer = hl_window_get_explorer (f->window);
  HlHeatmapView *heatmap = hl_explorer_get_heatmap (explorer);
  HlHeadDetail *detail = hl_explorer_get_head_detail (explorer);

  hl_session_select (session, 1, 1);
  assert_detail_shows (detail, 1, 1);

  /* Down, right, right; then right again stops at the last head. */
  gtk_widget_activate_action (GTK_WIDGET (heatmap), "heatmap.move", "(ii)", 1, 0);
  gtk_widget_activate_action (GTK_WIDGET (heatmap), "heatmap.move", "(ii)", 0, 1);
  gtk_widget_activate_action (GTK_WIDGET (heatmap), "heatmap.move", "(ii)", 0, 1);
  assert_detail_shows (detail, 2, 3);
  gtk_widget_activate_action (GTK_WIDGET (heatmap), "heatmap.move", "(ii)", 0, 1);
  assert_detail_shows (detail, 2, 3);
  gtk_widget_activate_action (GTK_WIDGET (heatmap), "heatmap.move", "(ii)", -1, 0);
  assert_detail_shows (detail, 1, 3);
}

static void
test_explorer_n_steps (Fixture       *f,
                       gconstpointer  data)
{
  HlSession *session = open_and_wait (f, f->small_path);
  HlExplorer *explorer = hl_window_get_explorer (f->window);
  HlHeadDetail *detail = hl_explorer_get_head_detail (explorer);
  int n;

  hl_session_select (session, 0, 2);
  g_assert_true (hl_test_wait_until (scatter_is_ready, detail, 10000));

  /* The grid of a query at position 63 is 1, 2, 4, …, 32: + doubles N. */
  n = hl_session_get_n (session);
  gtk_widget_activate_action (GTK_WIDGET (explorer), "explorer.n-step", "i", 1);
  g_assert_cmpint (hl_session_get_n (session), ==, MIN (2 * n, 32));
  g_assert_cmpint (scatter_n (detail), ==, hl_session_get_n (session));

  for (int i = 0; i < 10; i++)
    gtk_widget_activate_action (GTK_WIDGET (explorer), "explorer.n-step", "i", -1);
  g_assert_cmpint (hl_session_get_n (session), ==, 1);
  g_assert_cmpint (scatter_n (detail), ==, 1);
}

static void
test_explorer_cancel (Fixture       *f,
                      gconstpointer  data)
{
  HlSession *session = open_file (f, f->large_path);
  HlModelPanel *panel = hl_explorer_get_model_panel (hl_window_get_explorer (f->window));
  gint64 start;

  /* The explorer's Cancel button. */
  start = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (hl_window_get_explorer (f->window)),
                              "explorer.cancel-analysis", NULL);
  g_assert_true (hl_test_wait_until (analysis_is_done, session, 5000));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);

  /* The heads done stay; the rest never arrive; the model panel says so. */
  g_assert_null (hl_session_get_analysis (session));
  g_assert_cmpuint (hl_session_get_n_received (session), <,
                    hl_session_get_n_expected (session));
  g_assert_nonnull (strstr (hl_model_panel_get_message (panel), "cancelled"));
  hl_test_spin (200);
  g_assert_false (hl_session_get_running (session));
}

static void
test_explorer_open_cancels_previous (Fixture       *f,
                                     gconstpointer  data)
{
  HlSession *session = open_file (f, f->large_path);

  /* Opening the small file replaces the large one's analysis. */
  open_and_wait (f, f->small_path);
  g_assert_nonnull (hl_session_get_analysis (session));
  g_assert_cmpuint (hl_session_get_n_expected (session), ==, 48);
  g_assert_cmpuint (hl_session_get_n_received (session), ==, 48);
  g_assert_true (hl_analysis_get_file (hl_session_get_analysis (session))
                 == hl_session_get_file (session));
}

/* Writes a float32 file whose values block (layer 1, sample 0, kv head 0)
 * holds a NaN: it opens (blocks are checked when read) and its analysis
 * fails. The NaN goes where the bytes of one of that block's values are. */
static char *
write_file_with_nan (Fixture *f)
{
  static const char nan_bytes[4] = { 0x00, 0x00, (char) 0xc0, 0x7f };
  g_autofree char *path = g_build_filename (f->dir, "nan.h5", NULL);
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree float *values = g_new (float, 64 * 16);
  gsize length;
  char *hit;

  write_model (path, 2, 2, 64, 1, NULL, 1);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (hl_activations_read_values (file, 1, 0, 0, values, &error));
  g_clear_object (&file);

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  hit = NULL;
  for (gsize i = 0; hit == NULL && i + sizeof (float) <= length; i++)
    if (memcmp (contents + i, &values[5 * 16 + 3], sizeof (float)) == 0)
      hit = contents + i;
  g_assert_nonnull (hit);
  memcpy (hit, nan_bytes, sizeof nan_bytes);
  g_assert_true (g_file_set_contents (path, contents, length, &error));

  return g_steal_pointer (&path);
}

static gboolean
window_has_dialog (gpointer user_data)
{
  return hl_test_find_message_dialog (GTK_WINDOW (user_data)) != NULL;
}

static void
test_explorer_bad_block_shows_error (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *path = write_file_with_nan (f);
  HlSession *session = open_and_wait (f, path);
  AdwMessageDialog *dialog;

  /* No summary, and a dialog with the reader's explanation. */
  g_assert_cmpint (hl_session_get_analysis_state (session), ==, HL_SESSION_ANALYSIS_FAILED);
  g_assert_null (hl_session_get_analysis (session));
  g_assert_true (hl_test_wait_until (window_has_dialog, f->window, 5000));
  dialog = hl_test_find_message_dialog (GTK_WINDOW (f->window));
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "nan.h5"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "finite"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_unlink (path);
}

static gboolean
analysis_restarted (gpointer user_data)
{
  return hl_session_get_running (user_data);
}

static guint
count_regime (HlAnalysis *analysis,
              HlRegime    regime)
{
  guint count = 0;

  for (guint i = 0; i < hl_analysis_get_n_results (analysis); i++)
    count += hl_analysis_get_result (analysis, i)->regime == regime;

  return count;
}

static void
test_explorer_threshold_reruns (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.headlens.Headlens");
  HlSession *session = open_and_wait (f, f->small_path);

  /* The synthetic model's early layers are retrievers under the default. */
  g_assert_cmpuint (count_regime (hl_session_get_analysis (session), HL_REGIME_RETRIEVER), >, 0);

  /* No head gives the last token all of its output: none is a retriever. */
  g_settings_set_double (settings, "retriever-share", 1.0);
  g_assert_true (hl_test_wait_until (analysis_restarted, session, 5000));
  g_assert_true (hl_test_wait_until (analysis_is_done, session, 30000));
  g_assert_nonnull (hl_session_get_analysis (session));
  g_assert_cmpuint (count_regime (hl_session_get_analysis (session), HL_REGIME_RETRIEVER), ==, 0);
  g_settings_reset (settings, "retriever-share");
}

/* A file opens at its last query position, as the CLI and the paper. */
static void
test_explorer_opens_at_last_query (Fixture       *f,
                                   gconstpointer  data)
{
  HlSession *session = open_file (f, f->small_path);

  g_assert_cmpint (hl_session_get_query (session), ==, 1);
  g_assert_cmpint (hl_activations_get_info (hl_session_get_file (session))
                     ->query_positions[hl_session_get_query (session)], ==, 63);
  g_assert_cmpint (hl_session_get_sample (session), ==, 0);
}

static gboolean
head_is_read (gpointer user_data)
{
  return !hl_session_get_head_loading (user_data) && hl_session_get_head_data (user_data) != NULL;
}

/* A file extracted with every query position: its first query sees one
 * key. The explorer opens it, and that head shows placeholders instead of
 * plots that need two keys; nothing asserts or crashes, drawn or exported. */
static void
test_explorer_single_key (Fixture       *f,
                          gconstpointer  data)
{
  static const int every[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
  g_autofree char *path = g_build_filename (f->dir, "every.h5", NULL);
  HlExplorer *explorer = hl_window_get_explorer (f->window);
  HlHeadDetail *detail = hl_explorer_get_head_detail (explorer);
  g_autoptr(GPtrArray) figures = NULL;
  HlSession *session;

  write_model (path, 2, 2, 16, 1, every, G_N_ELEMENTS (every));
  session = open_and_wait (f, path);
  g_assert_cmpint (hl_session_get_query (session), ==, 15);
  g_assert_true (hl_test_wait_until (scatter_is_ready, detail, 10000));

  hl_session_set_query (session, 0);
  g_assert_cmpint (hl_session_get_n (session), ==, 0);
  g_assert_true (hl_test_wait_until (head_is_read, session, 10000));
  assert_detail_shows (detail, 0, 0);
  g_assert_nonnull (strstr (hl_head_detail_get_placeholder (detail), "single key"));
  g_assert_null (hl_head_detail_get_figure (detail, HL_PLOT_SCATTER));
  g_assert_null (hl_head_detail_get_figure (detail, HL_PLOT_PROFILE));
  g_assert_null (hl_head_detail_get_figure (detail, HL_PLOT_CURVES));
  g_assert_null (hl_head_detail_get_figure (detail, HL_PLOT_DECAY));
  gtk_widget_queue_draw (GTK_WIDGET (f->window));
  hl_test_spin (100);

  /* Export offers what exists: the heatmap and the model (with the
   * model's bound figure), and of the head only its attention matrix (the
   * rows of every query, this one's a single weight). */
  figures = hl_session_build_figures (session, HL_FIGURE_TARGET_EXPORT);
  g_assert_cmpuint (figures->len, ==, 7);
  for (guint i = 0; i < figures->len; i++)
    {
      const char *name = hl_figure_get_basename (g_ptr_array_index (figures, i));

      g_assert_true (g_str_has_prefix (name, "model-") || g_str_has_suffix (name, "-matrix"));
    }

  /* Back at the last query, the head's plots return. */
  hl_session_set_query (session, 15);
  g_assert_true (hl_test_wait_until (scatter_is_ready, detail, 10000));
  g_assert_null (hl_head_detail_get_placeholder (detail));
  g_assert_nonnull (hl_head_detail_get_figure (detail, HL_PLOT_PROFILE));
  g_unlink (path);
}

/* How many results had arrived when every head of (@sample, @query) had. */
typedef struct
{
  HlSession *session;
  int        sample, query;
  guint      received_when_complete;
} Shown;

static gboolean
shown_is_complete (Shown *shown)
{
  const HlActivationsInfo *info = hl_activations_get_info (hl_session_get_file (shown->session));

  for (int l = 0; l < info->n_layers; l++)
    for (int h = 0; h < info->n_heads; h++)
      if (hl_session_lookup (shown->session, l, h, shown->sample, shown->query) == NULL)
        return FALSE;
  return TRUE;
}

static void
shown_result_added_cb (HlSession    *session,
                       HlHeadResult *result,
                       Shown        *shown)
{
  if (shown->received_when_complete == 0 && result->sample == shown->sample
      && result->query_index == shown->query && shown_is_complete (shown))
    shown->received_when_complete = hl_session_get_n_received (session);
}

/* In a 16-query file the query looked at is finished first, also when the
 * user moves to another one while the analysis runs: the heatmap of that
 * query is complete while most of the file is still to come. Results
 * arrive in batches, so this counts them in the order the session
 * receives them. */
static void
test_explorer_shown_query_first (Fixture       *f,
                                 gconstpointer  data)
{
  static const int queries[] = { 15, 31, 47, 63, 79, 95, 111, 127, 143, 159, 175, 191,
                                 207, 223, 239, 255 };
  g_autofree char *path = g_build_filename (f->dir, "queries.h5", NULL);
  HlSession *session;
  Shown shown;

  write_model (path, 6, 8, 256, 2, queries, G_N_ELEMENTS (queries));
  session = open_file (f, path);
  shown = (Shown) { session, 1, 4, 0 };
  g_signal_connect (session, "result-added", G_CALLBACK (shown_result_added_cb), &shown);
  hl_session_set_sample (session, 1);
  hl_session_set_query (session, 4);
  g_assert_true (hl_test_wait_until (analysis_is_done, session, 60000));
  g_signal_handlers_disconnect_by_data (session, &shown);
  g_assert_cmpuint (shown.received_when_complete, >, 0);
  g_assert_cmpuint (shown.received_when_complete, <=, hl_session_get_n_expected (session) / 4);
  g_unlink (path);
}

/* The heatmap of a 16-query file shows each head's mean over the queries
 * (of the metric coloured) and the model panel the summary of those
 * results; a statistic of spread is offered then. */
static void
test_explorer_mean_over_queries (Fixture       *f,
                                 gconstpointer  data)
{
  static const int queries[] = { 15, 31, 47, 63, 79, 95, 111, 127, 143, 159, 175, 191,
                                 207, 223, 239, 255 };
  g_autofree char *path = g_build_filename (f->dir, "queries.h5", NULL);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.headlens.Headlens");
  HlExplorer *explorer = hl_window_get_explorer (f->window);
  HlHeatmapView *heatmap = hl_explorer_get_heatmap (explorer);
  HlModelPanel *panel = hl_explorer_get_model_panel (explorer);
  const HlHeatmapPlotData *shown;
  HlAnalysis *analysis;
  HlSession *session;

  write_model (path, 2, 4, 256, 1, queries, G_N_ELEMENTS (queries));
  session = open_and_wait (f, path);
  analysis = hl_session_get_analysis (session);
  g_settings_set_string (settings, "heatmap-metric", "sink_mass");
  g_settings_set_string (settings, "scope", "queries");
  g_assert_cmpint (hl_session_get_scope (session), ==, HL_SESSION_SCOPE_QUERIES);
  g_assert_cmpuint (hl_session_get_scope_size (session), ==, 16);

  shown = hl_figure_get_data (hl_heatmap_view_get_figure (heatmap));
  for (int cell = 0; cell < 8; cell++)
    {
      double sum = 0;

      for (int q = 0; q < 16; q++)
        sum += hl_analysis_lookup (analysis, cell / 4, cell % 4, 0, q)->diagnostics.sink_mass;
      g_assert_cmpfloat_with_epsilon (shown->values[cell], sum / 16, 1e-6);
    }
  g_assert_nonnull (strstr (shown->value_label, "mean of"));

  /* Every sample and query of this one-sample file: the analysis's summary. */
  g_assert_true (hl_session_get_summary (session) == hl_analysis_get_summary (analysis));
  g_assert_null (hl_model_panel_get_message (panel));
  g_settings_reset (settings, "heatmap-metric");
  g_settings_reset (settings, "scope");
  g_unlink (path);
}

/* The first descendant of @widget of type @type, or NULL. */
static GtkWidget *
find_child (GtkWidget *widget,
            GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_child (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static int
highlighted_in (HlHeadDetail *detail,
                HlPlotKind    kind)
{
  HlFigure *figure = hl_head_detail_get_figure (detail, kind);

  switch (kind)
    {
    case HL_PLOT_SCATTER: return ((const HlScatterPlotData *) hl_figure_get_data (figure))->highlighted;
    case HL_PLOT_PROFILE: return ((const HlProfilePlotData *) hl_figure_get_data (figure))->highlighted;
    case HL_PLOT_TOKENS: return ((const HlTokensPlotData *) hl_figure_get_data (figure))->highlighted;
    default: g_assert_not_reached ();
    }
}

static gboolean
token_in_view (gpointer user_data)
{
  double x, y;

  return hl_token_view_token_center (user_data, 0, &x, &y);
}

/* The token view: the query's tokens shaded and outlined from the head's
 * data; clicking a token (hit-tested at its drawn place) highlights it in
 * the scatter and the profile, clicking a point highlights its token,
 * which the view scrolls to; the tooltip tells the token's numbers. */
static void
test_explorer_token_view (Fixture       *f,
                          gconstpointer  data)
{
  HlSession *session = open_and_wait (f, f->small_path);
  HlHeadDetail *detail = hl_explorer_get_head_detail (hl_window_get_explorer (f->window));
  HlTokenView *tokens = HL_TOKEN_VIEW (find_child (GTK_WIDGET (detail), HL_TYPE_TOKEN_VIEW));
  HlScatterView *scatter = HL_SCATTER_VIEW (find_child (GTK_WIDGET (detail),
                                                        HL_TYPE_SCATTER_VIEW));
  const HlTokensPlotData *shown;
  g_autofree char *tooltip = NULL;
  HlHeadData *head;
  int t;
  double x, y;

  hl_session_select (session, 1, 2);
  g_assert_true (hl_test_wait_until (scatter_is_ready, detail, 10000));
  g_assert_true (hl_test_wait_until (widget_is_allocated, tokens, 10000));
  head = hl_session_get_head_data (session);
  shown = hl_figure_get_data (hl_head_detail_get_figure (detail, HL_PLOT_TOKENS));
  t = head->n_keys - 1;
  g_assert_cmpint (shown->n_tokens, ==, head->n_keys);
  g_assert_cmpstr (shown->texts[t], ==, head->tokens[t]);
  g_assert_true (shown->alpha[t] == head->alpha[t]);
  g_assert_true (shown->selected[0] == hl_session_get_scatter (session)->selected[0]);

  /* The query is in view; a click on it highlights it everywhere. */
  hl_test_spin (50);
  g_assert_true (hl_token_view_token_center (tokens, t, &x, &y));
  g_assert_cmpint (hl_token_view_token_at (tokens, x, y), ==, t);
  g_assert_true (hl_token_view_click (tokens, x, y));
  g_assert_cmpint (hl_session_get_highlighted_key (session), ==, t);
  g_assert_cmpint (highlighted_in (detail, HL_PLOT_SCATTER), ==, t);
  g_assert_cmpint (highlighted_in (detail, HL_PLOT_PROFILE), ==, t);
  g_assert_cmpint (highlighted_in (detail, HL_PLOT_TOKENS), ==, t);

  /* A click on the sink's point highlights token 0, brought into view. */
  hl_scatter_view_point_center (scatter, 0, &x, &y);
  g_assert_true (hl_scatter_view_click (scatter, x, y));
  g_assert_cmpint (hl_session_get_highlighted_key (session), ==, 0);
  g_assert_cmpint (highlighted_in (detail, HL_PLOT_TOKENS), ==, 0);
  g_assert_true (hl_test_wait_until (token_in_view, tokens, 5000));

  tooltip = hl_token_view_describe (tokens, 0);
  g_assert_nonnull (strstr (tooltip, "Position 0 (sink)"));
  g_assert_nonnull (strstr (tooltip, "ρ_max ball"));
  g_assert_nonnull (strstr (tooltip, "ρ_min ball"));

  /* Another query is another text: nothing highlighted. */
  hl_session_set_query (session, 0);
  g_assert_cmpint (hl_session_get_highlighted_key (session), ==, -1);
}

/* The first matrix view under @widget showing every head (@grid) or the
 * selected head's matrix. */
static HlMatrixView *
find_matrix_view (GtkWidget *widget,
                  gboolean   grid)
{
  if (HL_IS_MATRIX_VIEW (widget))
    {
      gboolean is_grid;

      g_object_get (widget, "grid", &is_grid, NULL);
      if (is_grid == grid)
        return HL_MATRIX_VIEW (widget);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      HlMatrixView *found = find_matrix_view (child, grid);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
matrix_is_ready (gpointer user_data)
{
  return gtk_widget_get_width (user_data) > 0 && hl_matrix_view_get_figure (user_data) != NULL;
}

static gboolean
grid_is_ready (gpointer user_data)
{
  return hl_session_get_attention_grid (user_data) != NULL;
}

/* The selected head's attention matrix has a row per query of the file
 * (weights as read, the keys after each query blank, the query shown
 * outlined); clicking a row looks at that query everywhere. The model's
 * grid of matrices is read when shown and a click on a matrix selects its
 * head. */
static void
test_explorer_attention_matrix (Fixture       *f,
                                gconstpointer  data)
{
  HlSession *session = open_and_wait (f, f->small_path);
  HlExplorer *explorer = hl_window_get_explorer (f->window);
  HlHeadDetail *detail = hl_explorer_get_head_detail (explorer);
  HlMatrixView *matrix = find_matrix_view (GTK_WIDGET (detail), FALSE);
  HlMatrixView *grid = find_matrix_view (GTK_WIDGET (explorer), TRUE);
  const HlMatrixPlotData *shown;
  const HlMatrixGridPlotData *cells;
  HlHeadData *head;
  int layer, h;
  double x, y;

  g_assert_nonnull (matrix);
  g_assert_nonnull (grid);
  hl_session_select (session, 1, 2);
  g_assert_true (hl_test_wait_until (scatter_is_ready, detail, 10000));
  g_assert_true (hl_test_wait_until (matrix_is_ready, matrix, 10000));
  head = hl_session_get_head_data (session);
  shown = hl_figure_get_data (hl_matrix_view_get_figure (matrix));

  /* Queries at 47 and 63 over 64 keys; the query shown is the last. */
  g_assert_cmpint (shown->n_rows, ==, 2);
  g_assert_cmpint (shown->n_cols, ==, 64);
  g_assert_cmpfloat (shown->values[0 * 64 + 5], ==, head->rows[0 * 64 + 5]);
  g_assert_cmpfloat (shown->values[1 * 64 + 63], ==, head->rows[1 * 64 + 63]);
  g_assert_true (isnan (shown->values[0 * 64 + 48]));
  g_assert_cmpfloat (shown->selected_lo, ==, 55.0f);
  g_assert_cmpfloat (shown->selected_hi, ==, 71.0f);

  /* A click on the first row looks at query 47. */
  hl_matrix_view_target_center (matrix, 0, 0, &x, &y);
  g_assert_true (hl_matrix_view_click (matrix, x, y));
  g_assert_cmpint (hl_session_get_query (session), ==, 0);
  g_assert_true (hl_test_wait_until (matrix_is_ready, matrix, 10000));
  shown = hl_figure_get_data (hl_matrix_view_get_figure (matrix));
  g_assert_cmpfloat (shown->selected_lo, ==, 39.0f);
  g_assert_cmpfloat (shown->selected_hi, ==, 55.0f);
  g_assert_false (hl_matrix_view_click (matrix, 1, 1));

  /* The grid is read once it is shown. */
  g_assert_null (hl_session_get_attention_grid (session));
  gtk_stack_set_visible_child_name (GTK_STACK (gtk_widget_get_ancestor (GTK_WIDGET (grid),
                                                                         GTK_TYPE_STACK)),
                                    "matrices");
  g_assert_true (hl_test_wait_until (grid_is_ready, session, 10000));
  g_assert_true (hl_test_wait_until (matrix_is_ready, grid, 10000));
  cells = hl_figure_get_data (hl_matrix_view_get_figure (grid));
  g_assert_cmpint (cells->n_layers, ==, 3);
  g_assert_cmpint (cells->n_heads, ==, 4);
  g_assert_cmpint (cells->selected_layer, ==, 1);
  g_assert_cmpint (cells->selected_head, ==, 2);
  hl_matrix_view_target_center (grid, 2, 3, &x, &y);
  g_assert_true (hl_matrix_view_click (grid, x, y));
  g_assert_true (hl_session_get_selected (session, &layer, &h));
  g_assert_cmpint (layer, ==, 2);
  g_assert_cmpint (h, ==, 3);

  /* Another sample is another grid. */
  hl_session_set_sample (session, 1);
  g_assert_true (hl_test_wait_until (grid_is_ready, session, 10000));
}

/* Asserts that row @row of the head detail's numbers at N shows @point. */
static void
assert_at_n_shows (HlHeadDetail              *detail,
                   int                        row,
                   const HlSeparabilityPoint *point)
{
  const float values[HL_HEAD_DETAIL_N_AT_N] = {
    point->precision, point->recall, point->f1, point->rho_min, point->rho_max, point->margin,
    point->retained_mass,
  };

  for (int i = 0; i < HL_HEAD_DETAIL_N_AT_N; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%.4f", values[i]);

      g_assert_cmpstr (hl_head_detail_get_at_n_text (detail, row, i), ==, expected);
    }
}

/* The head detail shows P, R, F, rho_min, rho_max, margin and M_N at the
 * chosen N for the chosen ranking and the random control, and follows N
 * and the ranking. */
static void
test_explorer_numbers_at_n (Fixture       *f,
                            gconstpointer  data)
{
  HlSession *session = open_and_wait (f, f->small_path);
  HlHeadDetail *detail = hl_explorer_get_head_detail (hl_window_get_explorer (f->window));
  HlHeadResult *result;

  hl_session_set_ranking (session, HL_RANKING_ATTENTION);
  hl_session_select (session, 2, 1);
  g_assert_true (hl_test_wait_until (scatter_is_ready, detail, 10000));
  result = hl_session_get_selected_result (session);
  hl_session_set_n (session, 4);
  assert_at_n_shows (detail, 0, hl_head_result_point_at (result, HL_RANKING_ATTENTION,
                                                         hl_session_get_distance (session), 4));
  assert_at_n_shows (detail, 1, hl_head_result_point_at (result, HL_RANKING_RANDOM,
                                                         hl_session_get_distance (session), 4));
  hl_session_set_n (session, 16);
  assert_at_n_shows (detail, 0, hl_head_result_point_at (result, HL_RANKING_ATTENTION,
                                                         hl_session_get_distance (session), 16));

  /* The contribution ranking beside the same control. */
  hl_session_set_ranking (session, HL_RANKING_CONTRIBUTION);
  assert_at_n_shows (detail, 0, hl_head_result_point_at (result, HL_RANKING_CONTRIBUTION,
                                                         hl_session_get_distance (session), 16));
  assert_at_n_shows (detail, 1, hl_head_result_point_at (result, HL_RANKING_RANDOM,
                                                         hl_session_get_distance (session), 16));
}

static gboolean
widget_is_mapped (gpointer user_data)
{
  return gtk_widget_get_mapped (user_data);
}

/* The head table lists every head with the metrics at N once it is shown;
 * a sort puts the largest F1 first, a search keeps the heads asked for, and selecting a
 * row selects its head (and selecting a head elsewhere selects its row). */
static void
test_explorer_head_table (Fixture       *f,
                          gconstpointer  data)
{
  HlSession *session = open_and_wait (f, f->small_path);
  HlExplorer *explorer = hl_window_get_explorer (f->window);
  HlHeadTable *table = HL_HEAD_TABLE (find_child (GTK_WIDGET (explorer), HL_TYPE_HEAD_TABLE));
  const HlMetric *f1 = hl_metric_lookup ("f1");
  int layer, head;

  /* Filled when shown. */
  g_assert_cmpuint (hl_head_table_get_n_rows (table), ==, 0);
  hl_explorer_show_overview (explorer, "table");
  g_assert_true (hl_test_wait_until (widget_is_mapped, table, 5000));
  hl_session_set_n (session, 8);
  g_assert_cmpuint (hl_head_table_get_n_rows (table), ==, 12);

  /* Each row's F1 is its head's at N = 8; sorted, they decrease. */
  g_assert_true (hl_head_table_sort_by (table, "f1", TRUE));
  for (guint i = 0; i < 12; i++)
    {
      hl_head_table_get_row (table, i, &layer, &head);
      g_assert_cmpfloat (hl_head_table_get_value (table, i, "f1"), ==,
                         hl_metric_value (f1, hl_analysis_lookup (hl_session_get_analysis (session), layer, head,
                                                              hl_session_get_sample (session),
                                                              hl_session_get_query (session)),
                                          hl_session_get_ranking (session),
                                          hl_session_get_distance (session), 8));
      if (i > 0)
        g_assert_cmpfloat (hl_head_table_get_value (table, i, "f1"), <=,
                           hl_head_table_get_value (table, i - 1, "f1"));
    }
  g_assert_true (hl_head_table_sort_by (table, "layer", FALSE));
  hl_head_table_get_row (table, 0, &layer, &head);
  g_assert_cmpint (layer, ==, 0);
  g_assert_false (hl_head_table_sort_by (table, "no-such-column", FALSE));

  /* "L2" keeps layer 2's four heads; "l2 h3" one. */
  hl_head_table_set_search (table, "L2");
  g_assert_cmpuint (hl_head_table_get_n_rows (table), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      hl_head_table_get_row (table, i, &layer, &head);
      g_assert_cmpint (layer, ==, 2);
    }
  hl_head_table_set_search (table, "l2 h3");
  g_assert_cmpuint (hl_head_table_get_n_rows (table), ==, 1);

  /* Selecting the row selects the head. */
  hl_head_table_select_row (table, 0);
  g_assert_true (hl_session_get_selected (session, &layer, &head));
  g_assert_cmpint (layer, ==, 2);
  g_assert_cmpint (head, ==, 3);

  /* And the other way round. */
  hl_head_table_set_search (table, "");
  hl_session_select (session, 1, 0);
  hl_head_table_get_row (table, hl_head_table_get_selected_row (table), &layer, &head);
  g_assert_cmpint (layer, ==, 1);
  g_assert_cmpint (head, ==, 0);
}

static gboolean
scatter_shows_n4 (gpointer user_data)
{
  return scatter_is_ready (user_data) && scatter_n (user_data) == 4;
}

static gboolean
zoom_is_reset (gpointer user_data)
{
  return hl_scatter_view_get_zoom (user_data) == 1;
}

/* The scatter zooms around the point under the pointer, which stays where
 * it is while its neighbours spread out, moves by a drag, keeps its view
 * when N changes, and shows every point again when reset. */
static void
test_explorer_scatter_zoom (Fixture       *f,
                            gconstpointer  data)
{
  HlSession *session = open_and_wait (f, f->small_path);
  HlHeadDetail *detail = hl_explorer_get_head_detail (hl_window_get_explorer (f->window));
  HlScatterView *scatter = HL_SCATTER_VIEW (find_child (GTK_WIDGET (detail),
                                                        HL_TYPE_SCATTER_VIEW));
  /* Within a twentieth of a pixel: the points are floats. */
  double x0, y0, x1, y1, nx0, ny0, nx1, ny1;

  hl_session_set_n (session, 8);
  hl_session_select (session, 0, 1);
  g_assert_true (hl_test_wait_until (scatter_is_ready, detail, 10000));
  g_assert_true (hl_test_wait_until (widget_is_allocated, scatter, 10000));
  g_assert_cmpfloat (hl_scatter_view_get_zoom (scatter), ==, 1);
  hl_scatter_view_point_center (scatter, 5, &x0, &y0);
  hl_scatter_view_point_center (scatter, 6, &nx0, &ny0);

  hl_scatter_view_zoom_at (scatter, x0, y0, 8);
  g_assert_cmpfloat (hl_scatter_view_get_zoom (scatter), ==, 8);
  hl_scatter_view_point_center (scatter, 5, &x1, &y1);
  g_assert_cmpfloat (fabs (x1 - x0), <, 0.05);
  g_assert_cmpfloat (fabs (y1 - y0), <, 0.05);
  hl_scatter_view_point_center (scatter, 6, &nx1, &ny1);
  g_assert_cmpfloat (fabs ((nx1 - x1) - 8 * (nx0 - x0)), <, 0.05);
  g_assert_cmpfloat (fabs ((ny1 - y1) - 8 * (ny0 - y0)), <, 0.05);

  /* A drag of (30, -20) pixels moves every point with it. */
  hl_scatter_view_pan_by (scatter, 30, -20);
  hl_scatter_view_point_center (scatter, 5, &x1, &y1);
  g_assert_cmpfloat (fabs (x1 - (x0 + 30)), <, 0.05);
  g_assert_cmpfloat (fabs (y1 - (y0 - 20)), <, 0.05);

  /* Another N of the same head keeps the view. */
  hl_session_set_n (session, 4);
  g_assert_true (hl_test_wait_until (scatter_shows_n4, detail, 10000));
  g_assert_cmpfloat (hl_scatter_view_get_zoom (scatter), ==, 8);

  /* Reset (a double click): every point, where it was. */
  hl_scatter_view_reset_view (scatter);
  g_assert_cmpfloat (hl_scatter_view_get_zoom (scatter), ==, 1);
  hl_scatter_view_point_center (scatter, 5, &x1, &y1);
  g_assert_cmpfloat (fabs (x1 - x0), <, 0.05);
  /* Zooming out stops at every point. */
  hl_scatter_view_zoom_at (scatter, x0, y0, 0.1);
  g_assert_cmpfloat (hl_scatter_view_get_zoom (scatter), ==, 1);

  /* Another head starts with every point. */
  hl_scatter_view_zoom_at (scatter, x0, y0, 3);
  hl_session_select (session, 1, 1);
  g_assert_true (hl_test_wait_until (zoom_is_reset, scatter, 10000));
}

/* Another file opens at the top of both panes, its heatmap in view. */
static void
test_explorer_new_file_at_top (Fixture       *f,
                               gconstpointer  data)
{
  static const int queries[] = { 31, 63 };
  g_autofree char *second = g_build_filename (f->dir, "second.h5", NULL);
  HlHeatmapView *heatmap = hl_explorer_get_heatmap (hl_window_get_explorer (f->window));
  GtkScrolledWindow *pane;
  GtkAdjustment *adjustment;

  open_and_wait (f, f->small_path);
  g_assert_true (hl_test_wait_until (widget_is_allocated, heatmap, 10000));
  pane = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (heatmap),
                                                       GTK_TYPE_SCROLLED_WINDOW));
  adjustment = gtk_scrolled_window_get_vadjustment (pane);
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), >,
                     gtk_adjustment_get_page_size (adjustment) + 100);
  gtk_adjustment_set_value (adjustment, 100);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 100);

  write_model (second, 2, 4, 64, 1, queries, 2);
  open_and_wait (f, second);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);
  g_unlink (second);
}

static gboolean
export_metrics_enabled (HlWindow *window)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (window), "export-metrics");
}

/* Export Metrics is enabled exactly while there is a finished analysis. */
static void
test_explorer_export_metrics_enabled (Fixture       *f,
                                      gconstpointer  data)
{
  HlSession *session;

  g_assert_false (export_metrics_enabled (f->window));
  session = open_file (f, f->small_path);
  g_assert_false (export_metrics_enabled (f->window));
  g_assert_true (hl_test_wait_until (analysis_is_done, session, 30000));
  g_assert_true (export_metrics_enabled (f->window));

  /* A new analysis has no metrics until it finishes. */
  hl_session_restart_analysis (session);
  g_assert_false (export_metrics_enabled (f->window));
  g_assert_true (hl_test_wait_until (analysis_is_done, session, 30000));
  g_assert_true (export_metrics_enabled (f->window));
}

static gboolean
bound_is_shown (gpointer user_data)
{
  return hl_head_detail_get_figure (user_data, HL_PLOT_BOUND) != NULL;
}

typedef struct
{
  HlModelPanel *panel;
  const char   *prefix;
} TaxonomyWanted;

/* The model panel's verdict, shown once the summary is. */
static gboolean
taxonomy_is_shown (gpointer user_data)
{
  TaxonomyWanted *wanted = user_data;
  const char *shown = hl_model_panel_get_taxonomy (wanted->panel);

  return shown != NULL && g_str_has_prefix (shown, wanted->prefix);
}

typedef struct
{
  HlHeadDetail *detail;
  const char   *text;
} PlantedWanted;

static gboolean
planted_is_shown (gpointer user_data)
{
  PlantedWanted *wanted = user_data;
  const char *shown = hl_head_detail_get_taxonomy (wanted->detail);

  return shown != NULL && strstr (shown, wanted->text) != NULL;
}

/* stories260K has no attention sink: the model panel says the taxonomy
 * does not apply and why, the heatmap of regimes carries the caveat, the
 * head detail gives the model's and the head's verdicts beside the bound
 * figure; the bundled sample says it applies, without a caveat, and its
 * regimes, planted by the synthetic generator, are said to be so. */
static void
test_explorer_taxonomy (Fixture       *f,
                        gconstpointer  data)
{
  const char *shared = g_getenv ("HL_TEST_SHARED_DIR");
  const char *sample = g_getenv ("HEADLENS_SAMPLE");
  g_autofree char *stories = g_build_filename (shared != NULL ? shared : "../shared", "models",
                                               "stories260K", "reference.h5", NULL);
  HlExplorer *explorer = hl_window_get_explorer (f->window);
  HlModelPanel *panel = hl_explorer_get_model_panel (explorer);
  HlHeadDetail *detail = hl_explorer_get_head_detail (explorer);
  const HlHeatmapPlotData *heatmap;
  g_autofree int32_t *patterns = NULL;
  g_autofree char *planted = NULL;
  gsize n_patterns = 0;
  TaxonomyWanted wanted;
  PlantedWanted planted_wanted;
  HlSession *session;
  int n_heads;

  if (!g_file_test (stories, G_FILE_TEST_EXISTS) || sample == NULL)
    {
      g_test_skip ("needs ../shared/models/stories260K and the bundled sample");
      return;
    }
  session = open_and_wait (f, stories);
  wanted = (TaxonomyWanted) { panel, "The taxonomy does not apply: no attention sink" };
  g_assert_true (hl_test_wait_until (taxonomy_is_shown, &wanted, 10000));
  heatmap = hl_figure_get_data (hl_heatmap_view_get_figure (hl_explorer_get_heatmap (explorer)));
  g_assert_nonnull (heatmap->note);
  g_assert_nonnull (strstr (heatmap->note, "does not apply"));
  g_assert_true (heatmap->faded);
  g_assert_null (strstr (heatmap->note, "Planted"));
  hl_session_select (session, 0, 5);
  g_assert_true (hl_test_wait_until (bound_is_shown, detail, 10000));
  g_assert_true (g_str_has_prefix (hl_head_detail_get_taxonomy (detail),
                                   "This model — The taxonomy does not apply"));
  g_assert_nonnull (strstr (hl_head_detail_get_taxonomy (detail), "This head — The taxonomy"));
  g_assert_null (strstr (hl_head_detail_get_taxonomy (detail), "Planted"));

  session = open_and_wait (f, sample);
  wanted = (TaxonomyWanted) { panel, "The taxonomy applies." };
  g_assert_true (hl_test_wait_until (taxonomy_is_shown, &wanted, 10000));
  heatmap = hl_figure_get_data (hl_heatmap_view_get_figure (hl_explorer_get_heatmap (explorer)));
  g_assert_nonnull (heatmap->note);
  g_assert_true (g_str_has_prefix (heatmap->note, "Planted by the synthetic generator, not found:"));
  g_assert_null (strstr (heatmap->note, "does not apply"));
  g_assert_false (heatmap->faded);
  /* The head detail names the pattern planted in the selected head, read
   * here from the file itself. */
  patterns = hl_activations_read_int_dataset (hl_session_get_file (session), "/synth/regime",
                                              &n_patterns, NULL);
  g_assert_nonnull (patterns);
  n_heads = hl_activations_get_info (hl_session_get_file (session))->n_heads;
  g_assert_cmpuint (n_patterns, >, 5 * n_heads + 3);
  planted = g_strdup_printf ("Planted — the synthetic generator planted the %s pattern in this "
                             "head: its regime is the input, not a finding.",
                             hl_regime_display_name (patterns[5 * n_heads + 3]));
  hl_session_select (session, 5, 3);
  g_assert_true (hl_test_wait_until (bound_is_shown, detail, 10000));
  planted_wanted = (PlantedWanted) { detail, planted };
  g_assert_true (hl_test_wait_until (planted_is_shown, &planted_wanted, 10000));
}


static gboolean
comparison_is_shown (gpointer user_data)
{
  return hl_head_compare_get_figure (user_data) != NULL;
}

/* The comparison's curves (a) are the two heads' F1 at the view's
 * ranking and distance, solid and dashed, labelled; (b) and (c) their
 * scatters at the N shown, titled by their heads. */
static void
assert_comparison (HlSession *session,
                   HlFigure  *figure,
                   int        pinned_layer,
                   int        pinned_head)
{
  const HlPanelPlotData *panel = hl_figure_get_data (figure);
  const HlCurvesPlotData *curves;
  const HlScatterPlotData *scatter;
  g_autofree char *pinned_label = g_strdup_printf ("Layer %d · Head %d", pinned_layer, pinned_head);
  HlHeadResult *selected = hl_session_get_selected_result (session);
  HlHeadResult *pinned = hl_session_lookup_shown (session, pinned_layer, pinned_head);
  int layer, head;

  g_assert_cmpint (hl_figure_get_kind (figure), ==, HL_PLOT_PANEL);
  g_assert_cmpint (panel->n_items, ==, 3);
  g_assert_cmpint (panel->items[0].kind, ==, HL_PLOT_CURVES);
  g_assert_cmpint (panel->items[1].kind, ==, HL_PLOT_SCATTER);
  g_assert_cmpint (panel->items[2].kind, ==, HL_PLOT_SCATTER);
  curves = panel->items[0].data;
  hl_session_get_selected (session, &layer, &head);
  g_assert_nonnull (strstr (curves->ranked_label, "Layer"));
  g_assert_cmpstr (curves->compared_label, ==, pinned_label);
  for (int i = 0; i < curves->n_grid; i++)
    {
      g_assert_cmpfloat (curves->ranked[HL_CURVE_F1][i], ==,
                         selected->curves->points[hl_session_get_ranking (session)]
                                                 [hl_session_get_distance (session)][i].f1);
      g_assert_cmpfloat (curves->compared[HL_CURVE_F1][i], ==,
                         pinned->curves->points[hl_session_get_ranking (session)]
                                               [hl_session_get_distance (session)][i].f1);
    }
  g_assert_cmpint (curves->chosen_n, ==, hl_session_get_n (session));
  scatter = panel->items[2].data;
  g_assert_nonnull (strstr (scatter->title, pinned_label));
  g_assert_cmpint (scatter->n, ==, hl_session_get_n (session));
  g_assert_cmpint (scatter->n_points, ==, hl_session_get_pinned_data (session)->n_keys);
  g_assert_true (memcmp (scatter->x, hl_session_get_pinned_scatter (session)->x,
                         scatter->n_points * sizeof (float)) == 0);
  g_assert_false (memcmp (scatter->x, hl_session_get_scatter (session)->x,
                          scatter->n_points * sizeof (float)) == 0);
}

/* The scatter's tooltip shows a token's text as stored, not escaped
 * markup: stories260K's first token is "\n<s>\n" and token 105 ' "'. */
static void
test_explorer_scatter_tooltip_text (Fixture       *f,
                                    gconstpointer  data)
{
  const char *shared = g_getenv ("HL_TEST_SHARED_DIR");
  g_autofree char *stories = g_build_filename (shared != NULL ? shared : "../shared", "models",
                                               "stories260K", "reference.h5", NULL);
  HlHeadDetail *detail = hl_explorer_get_head_detail (hl_window_get_explorer (f->window));
  HlScatterView *scatter = HL_SCATTER_VIEW (find_child (GTK_WIDGET (detail),
                                                        HL_TYPE_SCATTER_VIEW));
  g_autofree char *sink = NULL;
  g_autofree char *quote = NULL;
  HlSession *session;

  if (!g_file_test (stories, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs ../shared/models/stories260K");
      return;
    }
  session = open_and_wait (f, stories);
  hl_session_select (session, 1, 2);
  g_assert_true (hl_test_wait_until (scatter_is_ready, detail, 10000));
  g_assert_cmpstr (hl_session_get_head_data (session)->tokens[0], ==, "\n<s>\n");
  g_assert_cmpstr (hl_session_get_head_data (session)->tokens[105], ==, " \"");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (scatter), "scatter.move", "i", 0));
  sink = hl_scatter_view_dup_point_text (scatter);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (scatter), "scatter.move", "i", 105));
  quote = hl_scatter_view_dup_point_text (scatter);
  g_assert_true (g_str_has_prefix (sink, "“\n<s>\n” at position 0"));
  g_assert_true (g_str_has_prefix (quote, "“ \"” at position 105"));
  g_assert_null (strstr (sink, "&lt;"));
  g_assert_null (strstr (quote, "&quot;"));
}

/* Choosing "Contribution" neither widens the ranking drop-down nor moves
 * the N slider beside it. */
static void
test_explorer_ranking_keeps_width (Fixture       *f,
                                   gconstpointer  data)
{
  HlExplorer *explorer = hl_window_get_explorer (f->window);
  GtkWidget *ranking = find_child (GTK_WIDGET (explorer), GTK_TYPE_DROP_DOWN);
  GtkWidget *scale = find_child (GTK_WIDGET (explorer), GTK_TYPE_SCALE);
  double x[2];
  int natural[2];

  open_and_wait (f, f->small_path);
  g_assert_true (hl_test_wait_until (widget_is_allocated, scale, 10000));
  for (guint i = 0; i < 2; i++)
    {
      graphene_rect_t bounds;

      gtk_drop_down_set_selected (GTK_DROP_DOWN (ranking), i);
      hl_test_spin (100);
      gtk_widget_measure (ranking, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural[i], NULL, NULL);
      g_assert_true (gtk_widget_compute_bounds (scale, GTK_WIDGET (f->window), &bounds));
      x[i] = bounds.origin.x;
    }
  g_assert_cmpint (natural[0], ==, natural[1]);
  g_assert_cmpfloat (x[0], ==, x[1]);
}

/* The check button under @widget labelled @label, or NULL. */
static GtkCheckButton *
find_check (GtkWidget  *widget,
            const char *label)
{
  if (GTK_IS_CHECK_BUTTON (widget)
      && g_strcmp0 (gtk_check_button_get_label (GTK_CHECK_BUTTON (widget)), label) == 0)
    return GTK_CHECK_BUTTON (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkCheckButton *found = find_check (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
scatter_shows_values (gpointer user_data)
{
  HlFigure *figure = hl_head_detail_get_figure (user_data, HL_PLOT_SCATTER);

  return figure != NULL && ((const HlScatterPlotData *) hl_figure_get_data (figure))->values;
}

/* The raw values v_i in the scatter: the check button redraws it as the
 * PCA of the v_i, without s_N and the disks (defined for the y_i), the
 * same tokens selected; unchecked, the y_i again. */
static void
test_explorer_scatter_values (Fixture       *f,
                              gconstpointer  data)
{
  HlSession *session = open_and_wait (f, f->small_path);
  HlHeadDetail *detail = hl_explorer_get_head_detail (hl_window_get_explorer (f->window));
  GtkCheckButton *check = find_check (GTK_WIDGET (detail), "Scatter of the raw _values v_i");
  const HlScatterPlotData *points, *values;
  g_autoptr(HlFigure) before = NULL;

  g_assert_nonnull (check);
  hl_session_set_n (session, 8);
  hl_session_select (session, 1, 1);
  g_assert_true (hl_test_wait_until (scatter_is_ready, detail, 10000));
  before = hl_figure_ref (hl_head_detail_get_figure (detail, HL_PLOT_SCATTER));
  points = hl_figure_get_data (before);
  g_assert_false (points->values);

  gtk_check_button_set_active (check, TRUE);
  g_assert_true (hl_session_get_scatter_values (session));
  g_assert_true (hl_test_wait_until (scatter_shows_values, detail, 10000));
  values = hl_figure_get_data (hl_head_detail_get_figure (detail, HL_PLOT_SCATTER));
  g_assert_cmpint (values->n_points, ==, points->n_points);
  g_assert_true (isnan (values->centre_x));
  g_assert_null (values->in_max_disk);
  g_assert_false (memcmp (values->x, points->x, values->n_points * sizeof (float)) == 0);
  g_assert_true (memcmp (values->selected, points->selected,
                         values->n_points * sizeof (gboolean)) == 0);

  gtk_check_button_set_active (check, FALSE);
  g_assert_false (hl_session_get_scatter_values (session));
  g_assert_false (scatter_shows_values (detail));
}

/* Two heads side by side: pinned from the heatmap's menu or the head
 * table, the head detail shows the selected head against the pinned one,
 * and the exported figure names both heads. */
static void
test_explorer_compare (Fixture       *f,
                       gconstpointer  data)
{
  HlSession *session = open_and_wait (f, f->small_path);
  HlExplorer *explorer = hl_window_get_explorer (f->window);
  HlHeadDetail *detail = hl_explorer_get_head_detail (explorer);
  HlHeadCompare *compare = hl_head_detail_get_compare (detail);
  HlHeadTable *table = HL_HEAD_TABLE (find_child (GTK_WIDGET (explorer), HL_TYPE_HEAD_TABLE));
  g_autofree char *svg_path = g_build_filename (f->dir, "compare.svg", NULL);
  g_autofree char *svg = NULL;
  g_autoptr(HlFigure) exported = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);
  HlPlotExportOptions options = { HL_PLOT_FORMAT_SVG, 9, 3.5, 96, FALSE, NULL, NULL };
  int layer, head;

  hl_session_set_n (session, 8);
  hl_session_select (session, 0, 1);
  g_assert_null (hl_head_compare_get_figure (compare));
  g_assert_nonnull (strstr (hl_head_compare_get_status (compare), "Pin this head"));

  /* The heatmap's "Compare with Selected Head" on layer 2, head 3. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (hl_explorer_get_heatmap (explorer)),
                                             "heatmap.compare", "(ii)", 2, 3));
  g_assert_true (hl_session_get_pinned (session, &layer, &head));
  g_assert_cmpint (layer, ==, 2);
  g_assert_cmpint (head, ==, 3);
  g_assert_true (hl_test_wait_until (comparison_is_shown, compare, 10000));
  assert_comparison (session, hl_head_compare_get_figure (compare), 2, 3);
  g_assert_nonnull (strstr (hl_head_compare_get_status (compare),
                            "Layer 0 · Head 1 (solid) against the pinned Layer 2 · Head 3"));

  /* Exported, it names both heads: in the list, in its title and in the
   * file. */
  exported = hl_session_build_figure (session, HL_SESSION_FIGURE_COMPARE, HL_FIGURE_TARGET_EXPORT);
  g_assert_nonnull (exported);
  g_assert_cmpstr (hl_figure_get_basename (exported), ==, "layer0-head1-vs-layer2-head3-compare");
  g_assert_nonnull (strstr (hl_figure_get_name (exported), "Layer 0 · Head 1 against Layer 2 · Head 3"));
  g_assert_true (hl_figure_export_to_file (exported, style, &options, svg_path,
                                           &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg_path, &svg, NULL, NULL));
  g_assert_nonnull (strstr (svg, "Layer 0 · Head 1 and Layer 2 · Head 3"));
  g_unlink (svg_path);

  /* Another N redraws both. */
  hl_session_set_n (session, 4);
  g_assert_true (hl_test_wait_until (comparison_is_shown, compare, 10000));
  assert_comparison (session, hl_head_compare_get_figure (compare), 2, 3);

  /* The head table pins its selected row; the next head selected is
   * compared with it. */
  hl_explorer_show_overview (explorer, "table");
  g_assert_true (hl_test_wait_until (widget_is_mapped, table, 5000));
  hl_head_table_set_search (table, "l1 h0");
  hl_head_table_select_row (table, 0);
  g_assert_true (hl_head_table_pin_selected (table));
  g_assert_true (hl_session_get_pinned (session, &layer, &head));
  g_assert_cmpint (layer, ==, 1);
  g_assert_cmpint (head, ==, 0);
  g_assert_null (hl_head_compare_get_figure (compare));
  g_assert_nonnull (strstr (hl_head_compare_get_status (compare), "is pinned"));
  hl_session_select (session, 2, 2);
  g_assert_true (hl_test_wait_until (comparison_is_shown, compare, 10000));
  assert_comparison (session, hl_head_compare_get_figure (compare), 1, 0);

  /* Unpinned, nothing is compared. */
  hl_session_pin (session, -1, -1);
  g_assert_null (hl_head_compare_get_figure (compare));
  g_assert_null (hl_session_build_figure (session, HL_SESSION_FIGURE_COMPARE,
                                          HL_FIGURE_TARGET_EXPORT));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func, large) \
  g_test_add ("/gui/explorer/" path, Fixture, large, fixture_set_up, func, fixture_tear_down)
  ADD ("every-head-has-a-result", test_explorer_every_head_has_a_result, NULL);
  ADD ("opens-at-last-query", test_explorer_opens_at_last_query, NULL);
  ADD ("single-key", test_explorer_single_key, NULL);
  ADD ("export-metrics-enabled", test_explorer_export_metrics_enabled, NULL);
  ADD ("shown-query-first", test_explorer_shown_query_first, NULL);
  ADD ("mean-over-queries", test_explorer_mean_over_queries, NULL);
  ADD ("token-view", test_explorer_token_view, NULL);
  ADD ("attention-matrix", test_explorer_attention_matrix, NULL);
  ADD ("numbers-at-n", test_explorer_numbers_at_n, NULL);
  ADD ("head-table", test_explorer_head_table, NULL);
  ADD ("compare", test_explorer_compare, NULL);
  ADD ("scatter-values", test_explorer_scatter_values, NULL);
  ADD ("ranking-keeps-width", test_explorer_ranking_keeps_width, NULL);
  ADD ("scatter-tooltip-text", test_explorer_scatter_tooltip_text, NULL);
  ADD ("scatter-zoom", test_explorer_scatter_zoom, NULL);
  ADD ("new-file-at-top", test_explorer_new_file_at_top, NULL);
  ADD ("select-by-click", test_explorer_select_by_click, NULL);
  ADD ("select-by-keys", test_explorer_select_by_keys, NULL);
  ADD ("n-steps", test_explorer_n_steps, NULL);
  ADD ("threshold-reruns", test_explorer_threshold_reruns, NULL);
  ADD ("taxonomy", test_explorer_taxonomy, NULL);
  ADD ("bad-block-shows-error", test_explorer_bad_block_shows_error, NULL);
  ADD ("cancel", test_explorer_cancel, "large");
  ADD ("open-cancels-previous", test_explorer_open_cancels_previous, "large");
#undef ADD

  return hl_test_run_and_wait ();
}
