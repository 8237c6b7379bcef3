/* test-session.c: HlSession without a display: opening, the analysis and
 * its results, what is looked at (the last query first, N on the grid), the
 * selected head's data, heads with a single key, cancellation, and the
 * settings with their renamed keys.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "analysis-fixture.h"
#include "hl-background.h"
#include "hl-session.h"
#include "hl-session-settings.h"

typedef struct
{
  char      *dir;
  char      *path;       /* 3 layers × 4 heads, 2 samples, queries at 5 and 23 */
  HlSession *session;
} Fixture;

static const int queries[] = { 5, 23 };
static const FixtureShape small_shape = {
  .n_layers = 3, .n_heads = 4, .n_kv_heads = 2, .head_dim = 8, .seq_len = 24,
  .n_samples = 2, .n_queries = 2, .query_positions = queries, .seed = 5,
};

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = hl_test_make_tmp_dir ();
  f->path = g_build_filename (f->dir, "small.h5", NULL);
  fixture_write_file (f->path, &small_shape);
  f->session = hl_session_new ();
  g_object_add_weak_pointer (G_OBJECT (f->session), (gpointer *) &f->session);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* A session dropped while it works is gone at once; its work ends soon
   * after. */
  g_object_unref (f->session);
  g_assert_null (f->session);
  g_assert_true (hl_background_wait (5 * G_USEC_PER_SEC));
  hl_test_remove_tmp_dir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GError **error = user_data;

  if (!hl_session_open_finish (HL_SESSION (object), result, error))
    g_assert_nonnull (*error);
  else
    *error = g_error_new_literal (G_IO_ERROR, 0, "no error");
}

/* Opens @path; returns the error, or NULL when it opened. */
static GError *
open_file (HlSession  *session,
           const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GError *error = NULL;

  hl_session_open_async (session, file, NULL, open_cb, &error);
  g_assert_true (hl_session_get_loading (session));
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (error->domain == G_IO_ERROR && error->code == 0 && g_str_equal (error->message, "no error"))
    g_clear_error (&error);
  g_assert_false (hl_session_get_loading (session));
  return error;
}

static gboolean
analysis_is_done (gpointer user_data)
{
  return !hl_session_get_running (user_data);
}

static gboolean
head_is_loaded (gpointer user_data)
{
  return !hl_session_get_head_loading (user_data);
}

static void
count_result_cb (HlSession    *session,
                 HlHeadResult *result,
                 guint        *count)
{
  (*count)++;
}

static void
test_open_and_analyse (Fixture       *f,
                       gconstpointer  data)
{
  HlSession *s = f->session;
  guint added = 0;
  int layer, head;

  g_signal_connect (s, "result-added", G_CALLBACK (count_result_cb), &added);
  g_assert_no_error (open_file (s, f->path));
  g_assert_nonnull (hl_session_get_file (s));

  /* The last query, sample 0, head (0, 0), and the analysis running. */
  g_assert_cmpint (hl_session_get_query (s), ==, 1);
  g_assert_cmpint (hl_session_get_sample (s), ==, 0);
  g_assert_true (hl_session_get_selected (s, &layer, &head));
  g_assert_cmpint (layer, ==, 0);
  g_assert_cmpint (head, ==, 0);
  g_assert_cmpint (hl_session_get_analysis_state (s), ==, HL_SESSION_ANALYSIS_RUNNING);

  g_assert_true (hl_test_wait_until (analysis_is_done, s, 30000));
  g_assert_cmpint (hl_session_get_analysis_state (s), ==, HL_SESSION_ANALYSIS_DONE);
  g_assert_nonnull (hl_session_get_analysis (s));
  g_assert_cmpuint (hl_session_get_n_expected (s), ==, 3 * 4 * 2 * 2);
  g_assert_cmpuint (hl_session_get_n_received (s), ==, 3 * 4 * 2 * 2);
  g_assert_cmpuint (added, ==, 3 * 4 * 2 * 2);
  for (int l = 0; l < 3; l++)
    for (int h = 0; h < 4; h++)
      g_assert_true (hl_session_lookup (s, l, h, 1, 0)
                     == hl_analysis_lookup (hl_session_get_analysis (s), l, h, 1, 0));
  g_assert_null (hl_session_lookup (s, 3, 0, 0, 0));
  g_assert_true (hl_session_get_selected_result (s) == hl_session_lookup (s, 0, 0, 0, 1));
}

static void
test_n_on_the_grid (Fixture       *f,
                    gconstpointer  data)
{
  HlSession *s = f->session;
  const int *grid;
  int n_grid;

  g_assert_no_error (open_file (s, f->path));

  /* t = 23: 1, 2, 4, 8, 16. */
  grid = hl_session_get_grid (s, &n_grid);
  g_assert_cmpint (n_grid, ==, 5);
  g_assert_cmpint (grid[4], ==, 16);
  hl_session_set_n (s, 5);
  g_assert_cmpint (hl_session_get_n (s), ==, 4);
  hl_session_step_n (s, 1);
  g_assert_cmpint (hl_session_get_n (s), ==, 8);
  hl_session_step_n (s, 5);
  g_assert_cmpint (hl_session_get_n (s), ==, 16);

  /* t = 5: 1, 2, 4; the N asked for (16) comes back with the last query. */
  hl_session_set_query (s, 0);
  g_assert_cmpint (hl_session_get_n (s), ==, 4);
  hl_session_set_query (s, 1);
  g_assert_cmpint (hl_session_get_n (s), ==, 16);
}

static void
test_head_data (Fixture       *f,
                gconstpointer  data)
{
  HlSession *s = f->session;
  HlHeadData *head_data;
  const HlScatter *scatter;

  g_assert_no_error (open_file (s, f->path));
  hl_session_select (s, 2, 3);
  hl_session_set_n (s, 8);
  g_assert_true (hl_session_get_head_loading (s));
  g_assert_null (hl_session_get_head_data (s));
  g_assert_true (hl_test_wait_until (head_is_loaded, s, 10000));

  head_data = hl_session_get_head_data (s);
  g_assert_nonnull (head_data);
  g_assert_cmpint (head_data->layer, ==, 2);
  g_assert_cmpint (head_data->head, ==, 3);
  g_assert_cmpint (head_data->query_position, ==, 23);
  g_assert_cmpint (head_data->n_keys, ==, 24);
  g_assert_nonnull (head_data->projection);
  scatter = hl_session_get_scatter (s);
  g_assert_nonnull (scatter);
  g_assert_cmpint (scatter->n, ==, 8);
  g_assert_cmpint (scatter->n_points, ==, 24);

  /* Another query: other data, read again. */
  hl_session_set_query (s, 0);
  g_assert_null (hl_session_get_head_data (s));
  g_assert_true (hl_test_wait_until (head_is_loaded, s, 10000));
  g_assert_cmpint (hl_session_get_head_data (s)->n_keys, ==, 6);
  g_assert_cmpint (hl_session_get_scatter (s)->n, ==, 4);
}

/* Every query position of a short file, as "Every position" extracts:
 * the first query sees one key. */
static void
test_single_key (Fixture       *f,
                 gconstpointer  data)
{
  static const int every[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
  static const FixtureShape shape = {
    .n_layers = 2, .n_heads = 2, .n_kv_heads = 1, .head_dim = 4, .seq_len = 8,
    .n_samples = 1, .n_queries = 8, .query_positions = every, .seed = 2,
  };
  g_autofree char *path = g_build_filename (f->dir, "every.h5", NULL);
  HlSession *s = f->session;
  int n_grid;

  fixture_write_file (path, &shape);
  g_assert_no_error (open_file (s, path));
  g_assert_cmpint (hl_session_get_query (s), ==, 7);
  g_assert_true (hl_test_wait_until (analysis_is_done, s, 30000));
  g_assert_cmpint (hl_session_get_analysis_state (s), ==, HL_SESSION_ANALYSIS_DONE);

  hl_session_set_query (s, 0);
  hl_session_get_grid (s, &n_grid);
  g_assert_cmpint (n_grid, ==, 0);
  g_assert_cmpint (hl_session_get_n (s), ==, 0);
  hl_session_step_n (s, 1);
  g_assert_cmpint (hl_session_get_n (s), ==, 0);
  g_assert_nonnull (hl_session_get_selected_result (s));
  g_assert_true (hl_test_wait_until (head_is_loaded, s, 10000));
  g_assert_nonnull (hl_session_get_head_data (s));
  g_assert_cmpint (hl_session_get_head_data (s)->n_keys, ==, 1);
  g_assert_null (hl_session_get_head_data (s)->projection);
  g_assert_null (hl_session_get_scatter (s));
  g_unlink (path);
}

static void
test_open_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->dir, "missing.h5", NULL);
  g_autofree char *text = g_build_filename (f->dir, "text.h5", NULL);
  g_autoptr(GError) error = NULL;
  HlSession *s = f->session;

  g_assert_no_error (open_file (s, f->path));
  error = open_file (s, missing);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "missing.h5"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (text, "not HDF5", -1, NULL));
  error = open_file (s, text);
  g_assert_nonnull (error);
  /* The file shown stays. */
  g_assert_cmpstr (hl_activations_get_path (hl_session_get_file (s)), ==, f->path);
  g_unlink (text);
}

/* A newer open replaces an older one that has not finished. */
static void
test_newer_open_wins (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *other = g_build_filename (f->dir, "other.h5", NULL);
  g_autoptr(GFile) first = g_file_new_for_path (f->path);
  HlSession *s = f->session;
  GError *first_error = NULL;

  fixture_write_file (other, &small_shape);
  hl_session_open_async (s, first, NULL, open_cb, &first_error);
  g_assert_no_error (open_file (s, other));
  while (first_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (first_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&first_error);
  hl_test_spin (100);
  g_assert_cmpstr (hl_activations_get_path (hl_session_get_file (s)), ==, other);
  g_unlink (other);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  static const FixtureShape large = {
    .n_layers = 16, .n_heads = 8, .n_kv_heads = 4, .head_dim = 32, .seq_len = 1024,
    .n_samples = 2, .n_queries = 1, .seed = 1,
  };
  g_autofree char *path = g_build_filename (f->dir, "large.h5", NULL);
  HlSession *s = f->session;
  gint64 start;

  fixture_write_file (path, &large);
  g_assert_no_error (open_file (s, path));
  g_assert_true (hl_session_get_running (s));
  start = g_get_monotonic_time ();
  hl_session_cancel_analysis (s);
  g_assert_true (hl_test_wait_until (analysis_is_done, s, 5000));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpint (hl_session_get_analysis_state (s), ==, HL_SESSION_ANALYSIS_CANCELLED);
  g_assert_null (hl_session_get_analysis (s));
  g_assert_cmpuint (hl_session_get_n_received (s), <, hl_session_get_n_expected (s));

  /* Restarting runs it again from nothing. */
  hl_session_restart_analysis (s);
  g_assert_true (hl_session_get_running (s));
  g_assert_cmpuint (hl_session_get_n_received (s), ==, 0);
  g_unlink (path);
}

static gboolean
has_summary (gpointer user_data)
{
  return hl_session_get_summary (user_data) != NULL;
}

/* The number of results a summary counted in its regimes. */
static int
summary_results (const HlModelSummary *summary)
{
  int total = 0;

  for (int l = 0; l < summary->n_layers; l++)
    for (int r = 0; r < HL_N_REGIMES; r++)
      total += hl_model_summary_get_regime_count (summary, l, r);
  return total;
}

/* The scope: which results a head has (the shown one; every sample at the
 * query; every query of the sample; all), their summary, and the model's
 * own summary for all of them. */
static void
test_scope (Fixture       *f,
            gconstpointer  data)
{
  HlSession *s = f->session;
  HlHeadResult *cell[4];
  HlAnalysis *analysis;

  g_assert_no_error (open_file (s, f->path));
  g_assert_true (hl_test_wait_until (analysis_is_done, s, 30000));
  analysis = hl_session_get_analysis (s);
  hl_session_set_sample (s, 1);
  hl_session_set_query (s, 0);

  g_assert_cmpint (hl_session_get_scope (s), ==, HL_SESSION_SCOPE_SHOWN);
  g_assert_cmpuint (hl_session_get_scope_size (s), ==, 1);
  g_assert_cmpuint (hl_session_collect (s, 2, 3, cell), ==, 1);
  g_assert_true (cell[0] == hl_analysis_lookup (analysis, 2, 3, 1, 0));
  g_assert_true (hl_test_wait_until (has_summary, s, 10000));
  /* 3 layers × 4 heads of one sample and query. */
  g_assert_cmpint (summary_results (hl_session_get_summary (s)), ==, 12);
  g_assert_cmpint (hl_session_get_summary (s)->n_samples, ==, 1);

  hl_session_set_scope (s, HL_SESSION_SCOPE_SAMPLES);
  g_assert_null (hl_session_get_summary (s));
  g_assert_cmpuint (hl_session_collect (s, 2, 3, cell), ==, 2);
  g_assert_true (cell[0] == hl_analysis_lookup (analysis, 2, 3, 0, 0));
  g_assert_true (cell[1] == hl_analysis_lookup (analysis, 2, 3, 1, 0));
  g_assert_true (hl_test_wait_until (has_summary, s, 10000));
  g_assert_cmpint (summary_results (hl_session_get_summary (s)), ==, 24);
  g_assert_cmpint (hl_session_get_summary (s)->n_samples, ==, 2);

  hl_session_set_scope (s, HL_SESSION_SCOPE_QUERIES);
  g_assert_cmpuint (hl_session_collect (s, 0, 1, cell), ==, 2);
  g_assert_true (cell[0] == hl_analysis_lookup (analysis, 0, 1, 1, 0));
  g_assert_true (cell[1] == hl_analysis_lookup (analysis, 0, 1, 1, 1));
  g_assert_true (hl_test_wait_until (has_summary, s, 10000));
  g_assert_cmpint (hl_session_get_summary (s)->n_samples, ==, 1);

  /* Everything: the analysis's own summary. */
  hl_session_set_scope (s, HL_SESSION_SCOPE_ALL);
  g_assert_cmpuint (hl_session_get_scope_size (s), ==, 4);
  g_assert_cmpuint (hl_session_get_scope_received (s), ==, 48);
  g_assert_cmpuint (hl_session_get_scope_expected (s), ==, 48);
  g_assert_true (hl_session_get_summary (s) == hl_analysis_get_summary (analysis));
}

/* The summary of the shown sample and query is there before the rest of
 * the file is analysed, from exactly its heads' results. */
static void
test_scope_summary_early (Fixture       *f,
                          gconstpointer  data)
{
  HlSession *s = f->session;

  g_assert_no_error (open_file (s, f->path));
  g_assert_true (hl_test_wait_until (has_summary, s, 30000));
  g_assert_cmpint (summary_results (hl_session_get_summary (s)), ==, 12);
  g_assert_true (hl_test_wait_until (analysis_is_done, s, 30000));
}

static void
open_files_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *opened = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (hl_session_open_finish (HL_SESSION (object), result, &error));
  g_assert_no_error (error);
  *opened = TRUE;
}

static gboolean
flag_is_set (gpointer user_data)
{
  return *(gboolean *) user_data;
}

static HlAnalysis *
analyse_to_end (HlSession *s)
{
  g_assert_true (hl_test_wait_until (analysis_is_done, s, 30000));
  g_assert_cmpint (hl_session_get_analysis_state (s), ==, HL_SESSION_ANALYSIS_DONE);
  return g_object_ref (hl_session_get_analysis (s));
}

/* A folder, or several files chosen together, open as one corpus whose
 * samples are those of the file that holds them all. */
static void
test_corpus (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "corpus", NULL);
  g_autofree char *first = g_build_filename (folder, "a.h5", NULL);
  g_autofree char *second = g_build_filename (folder, "b.h5", NULL);
  g_autoptr(GFile) folder_file = g_file_new_for_path (folder);
  GFile *files[2] = { g_file_new_for_path (first), g_file_new_for_path (second) };
  g_autoptr(HlAnalysis) whole = NULL;
  g_autoptr(HlAnalysis) from_folder = NULL;
  g_autoptr(HlAnalysis) from_files = NULL;
  HlSession *s = f->session;
  gboolean opened = FALSE;

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  fixture_copy_samples (f->path, 0, 1, first);
  fixture_copy_samples (f->path, 1, 1, second);
  g_assert_no_error (open_file (s, f->path));
  whole = analyse_to_end (s);
  g_assert_no_error (open_file (s, folder));
  g_assert_cmpint (hl_activations_get_n_files (hl_session_get_file (s)), ==, 2);
  g_assert_cmpint (hl_activations_get_info (hl_session_get_file (s))->n_samples, ==, 2);
  from_folder = analyse_to_end (s);
  hl_session_open_files_async (s, files, 2, NULL, open_files_cb, &opened);
  g_assert_true (hl_test_wait_until (flag_is_set, &opened, 10000));
  g_assert_cmpstr (hl_activations_get_path (hl_session_get_file (s)), ==, first);
  from_files = analyse_to_end (s);

  g_assert_cmpuint (hl_analysis_get_n_results (from_folder), ==, hl_analysis_get_n_results (whole));
  for (guint i = 0; i < hl_analysis_get_n_results (whole); i++)
    {
      HlHeadResult *a = hl_analysis_get_result (whole, i);
      HlHeadResult *b = hl_analysis_get_result (from_folder, i);
      HlHeadResult *c = hl_analysis_get_result (from_files, i);
      const HlSeparabilityPoint *pa = a->curves->points[HL_RANKING_RANDOM][HL_DISTANCE_COSINE];
      const HlSeparabilityPoint *pb = b->curves->points[HL_RANKING_RANDOM][HL_DISTANCE_COSINE];

      g_assert_cmpint (a->sample, ==, b->sample);
      g_assert_cmpint (a->seed, ==, c->seed);
      g_assert_cmpmem (pa, sizeof *pa * a->curves->n_grid, pb, sizeof *pb * b->curves->n_grid);
      g_assert_cmpfloat (a->diagnostics.beta, ==, c->diagnostics.beta);
    }

  /* The second file's sample is sample 1 of the corpus. */
  hl_session_select (s, 2, 1);
  hl_session_set_sample (s, 1);
  g_assert_true (hl_test_wait_until (head_is_loaded, s, 10000));
  g_assert_nonnull (hl_session_get_head_data (s));
  g_assert_cmpint (hl_session_get_head_data (s)->sample, ==, 1);
  g_object_unref (files[0]);
  g_object_unref (files[1]);
  g_unlink (first);
  g_unlink (second);
  g_rmdir (folder);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/session/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("open-and-analyse", test_open_and_analyse);
  ADD ("n-on-the-grid", test_n_on_the_grid);
  ADD ("head-data", test_head_data);
  ADD ("single-key", test_single_key);
  ADD ("open-errors", test_open_errors);
  ADD ("newer-open-wins", test_newer_open_wins);
  ADD ("cancel", test_cancel);
  ADD ("scope", test_scope);
  ADD ("scope-summary-early", test_scope_summary_early);
  ADD ("corpus", test_corpus);
#undef ADD

  return g_test_run ();
}
