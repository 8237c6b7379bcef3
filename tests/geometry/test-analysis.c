/* test-analysis.c: the worker pool. Every head is delivered exactly once,
 * results equal the one-head function whatever the thread count, subsets
 * and option errors, and cancellation stops a long run within 100 ms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-analysis.h"

#include <cblas.h>
#include <hdf5.h>
#include <math.h>
#include <string.h>

#include "analysis-fixture.h"

typedef struct
{
  char          *dir;
  char          *path;
  HlActivations *file;
} Fixture;

static const int small_queries[] = { 20, 39 };
static const FixtureShape small_shape = {
  .n_layers = 3, .n_heads = 4, .n_kv_heads = 2, .head_dim = 16, .seq_len = 40,
  .n_samples = 2, .n_queries = 2, .query_positions = small_queries, .seed = 5,
};

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const FixtureShape *shape = data;
  g_autoptr(GError) error = NULL;

  f->dir = hl_test_make_tmp_dir ();
  f->path = g_build_filename (f->dir, "fixture.h5", NULL);
  fixture_write_file (f->path, shape);
  f->file = hl_activations_open (f->path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->file);
  hl_test_remove_tmp_dir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static guint
expected_total (const FixtureShape *shape)
{
  return shape->n_layers * shape->n_heads * shape->n_samples * shape->n_queries;
}

/* The async run, driven to completion on a private main context. */
typedef struct
{
  GHashTable   *seen;         /* "l/h/s/q" -> count */
  guint         last_done;
  guint         progress_calls;
  gboolean      finished;
  gboolean      notified;
  GCancellable *cancel_on_first; /* cancel when the first head arrives */
  gint64        cancelled_at;
  gint64        finished_at;
  guint         heads_after_cancel;
  HlAnalysis   *analysis;
  GError       *error;
} AsyncState;

static void
async_head_cb (HlHeadResult *result,
               gpointer      user_data)
{
  AsyncState *st = user_data;
  char *key = g_strdup_printf ("%d/%d/%d/%d", result->layer, result->head,
                               result->sample, result->query_index);

  g_hash_table_insert (st->seen, key,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (st->seen, key)) + 1));
  if (st->cancelled_at != 0)
    st->heads_after_cancel++;
  if (st->cancel_on_first != NULL && st->cancelled_at == 0)
    {
      st->cancelled_at = g_get_monotonic_time ();
      g_cancellable_cancel (st->cancel_on_first);
    }
}

static void
async_progress_cb (guint    done,
                   guint    total,
                   gpointer user_data)
{
  AsyncState *st = user_data;

  g_assert_cmpuint (done, >=, st->last_done);
  g_assert_cmpuint (done, <=, total);
  st->last_done = done;
  st->progress_calls++;
}

static void
async_notify_cb (gpointer user_data)
{
  ((AsyncState *) user_data)->notified = TRUE;
}

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncState *st = user_data;

  st->analysis = hl_analysis_run_finish (result, &st->error);
  st->finished = TRUE;
  st->finished_at = g_get_monotonic_time ();
}

static void
run_async (HlActivations           *file,
           const HlAnalysisOptions *options,
           GCancellable            *cancellable,
           AsyncState              *st)
{
  g_autoptr(GMainContext) context = g_main_context_new ();

  st->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_main_context_push_thread_default (context);
  hl_analysis_run_async (file, options, async_progress_cb, async_head_cb, st,
                         async_notify_cb, cancellable, async_done_cb, st);
  while (!st->finished)
    g_main_context_iteration (context, TRUE);
  /* Nothing may arrive after the finish callback. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
}

static void
async_state_clear (AsyncState *st)
{
  g_clear_pointer (&st->seen, g_hash_table_unref);
  g_clear_object (&st->analysis);
  g_clear_error (&st->error);
}

/* The order results arrive in. */
typedef struct
{
  GArray          *order;       /* of int: sample * 100 + query_index */
  gboolean         finished;
} FocusState;

static void
focus_head_cb (HlHeadResult *result,
               gpointer      user_data)
{
  FocusState *st = user_data;
  int key = result->sample * 100 + result->query_index;

  g_array_append_val (st->order, key);
}

static void
focus_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(HlAnalysis) analysis = hl_analysis_run_finish (result, NULL);

  g_assert_nonnull (analysis);
  ((FocusState *) user_data)->finished = TRUE;
}

/* The focus's sample and query are finished first: every head of it
 * before any other result (one worker, so the order is the queue's). How
 * the order follows a focus that moves is test-analysis-schedule's. */
static void
test_focus_first (Fixture       *f,
                  gconstpointer  data)
{
  const FixtureShape *shape = data;
  int n_heads = shape->n_layers * shape->n_heads;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(HlAnalysisFocus) focus = hl_analysis_focus_new ();
  FocusState st = { g_array_new (FALSE, FALSE, sizeof (int)), FALSE };
  HlAnalysisOptions options;
  int sample, query;

  hl_analysis_options_init (&options);
  options.threads = 1;
  options.head.repeats = 2;
  options.bootstrap = 0;
  options.focus = focus;
  hl_analysis_focus_set (focus, 1, 3);
  hl_analysis_focus_get (focus, &sample, &query);
  g_assert_cmpint (sample, ==, 1);
  g_assert_cmpint (query, ==, 3);
  g_main_context_push_thread_default (context);
  hl_analysis_run_async (f->file, &options, NULL, focus_head_cb, &st, NULL, NULL,
                         focus_done_cb, &st);
  while (!st.finished)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  g_assert_cmpuint (st.order->len, ==, expected_total (shape));
  for (int i = 0; i < n_heads; i++)
    g_assert_cmpint (g_array_index (st.order, int, i), ==, 1 * 100 + 3);
  /* Then the rest in file order: sample 0 of layer 0 first. */
  g_assert_cmpint (g_array_index (st.order, int, n_heads), !=, 1 * 100 + 3);
  g_array_unref (st.order);
}

static void
test_every_head_once (Fixture       *f,
                      gconstpointer  data)
{
  HlAnalysisOptions options;
  AsyncState st = { 0 };
  GHashTableIter iter;
  gpointer count;
  guint total = expected_total (data);

  hl_analysis_options_init (&options);
  options.threads = 2;
  options.head.repeats = 4;
  run_async (f->file, &options, NULL, &st);

  g_assert_no_error (st.error);
  g_assert_nonnull (st.analysis);
  g_assert_true (st.notified);
  g_assert_cmpuint (g_hash_table_size (st.seen), ==, total);
  g_hash_table_iter_init (&iter, st.seen);
  while (g_hash_table_iter_next (&iter, NULL, &count))
    g_assert_cmpuint (GPOINTER_TO_UINT (count), ==, 1);
  g_assert_cmpuint (st.last_done, ==, total);
  g_assert_cmpuint (st.progress_calls, >=, 1);
  g_assert_cmpuint (hl_analysis_get_n_results (st.analysis), ==, total);
  async_state_clear (&st);
}

static void
assert_results_equal (const HlHeadResult *a,
                      const HlHeadResult *b)
{
  g_assert_cmpint (a->layer, ==, b->layer);
  g_assert_cmpint (a->head, ==, b->head);
  g_assert_cmpint (a->sample, ==, b->sample);
  g_assert_cmpint (a->query_index, ==, b->query_index);
  g_assert_cmpint (a->query_position, ==, b->query_position);
  g_assert_cmpint (a->kv_head, ==, b->kv_head);
  g_assert_cmpuint (a->seed, ==, b->seed);
  g_assert_cmpint (a->regime, ==, b->regime);
  g_assert_cmpstr (a->reason, ==, b->reason);
  g_assert_cmpmem (&a->diagnostics, sizeof a->diagnostics, &b->diagnostics, sizeof b->diagnostics);
  g_assert_cmpint (a->curves->n_grid, ==, b->curves->n_grid);
  g_assert_cmpmem (a->curves->grid, sizeof (int) * a->curves->n_grid,
                   b->curves->grid, sizeof (int) * b->curves->n_grid);
  for (int r = 0; r < HL_N_RANKINGS; r++)
    for (int d = 0; d < HL_N_DISTANCES; d++)
      {
        gsize size = sizeof (HlSeparabilityPoint) * a->curves->n_grid;

        g_assert_true ((a->curves->points[r][d] == NULL) == (b->curves->points[r][d] == NULL));
        if (a->curves->points[r][d] != NULL)
          g_assert_cmpmem (a->curves->points[r][d], size, b->curves->points[r][d], size);
      }
}

/* Every pooled result equals hl_head_analysis_compute() on the same input
 * read back directly, and the pool with 1 or 3 workers gives identical
 * results. */
static void
test_matches_one_head (Fixture       *f,
                       gconstpointer  data)
{
  const HlActivationsInfo *info = hl_activations_get_info (f->file);
  g_autofree float *values = g_new (float, info->seq_len * info->head_dim);
  g_autofree float *rows = g_new (float, info->n_queries * info->seq_len);
  g_autoptr(HlAnalysis) one = NULL;
  g_autoptr(HlAnalysis) three = NULL;
  g_autoptr(GError) error = NULL;
  HlAnalysisOptions options;

  hl_analysis_options_init (&options);
  options.head.repeats = 4;
  options.head.seed = 11;
  options.threads = 1;
  one = hl_analysis_run (f->file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  options.threads = 3;
  three = hl_analysis_run (f->file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (hl_analysis_get_n_results (one), ==, expected_total (data));
  g_assert_cmpuint (hl_analysis_get_n_results (three), ==, expected_total (data));
  for (guint i = 0; i < hl_analysis_get_n_results (one); i++)
    {
      HlHeadResult *r = hl_analysis_get_result (one, i);
      HlHeadInput input;
      HlHeadId id = { r->layer, r->head, r->sample, r->query_index, r->kv_head };
      g_autoptr(HlHeadResult) direct = NULL;

      assert_results_equal (r, hl_analysis_get_result (three, i));
      g_assert_true (r == hl_analysis_lookup (one, r->layer, r->head, r->sample, r->query_index));
      g_assert_true (hl_activations_read_values (f->file, r->layer, r->sample, r->kv_head, values, &error));
      g_assert_true (hl_activations_read_attention (f->file, r->layer, r->sample, r->head, rows, &error));
      input = (HlHeadInput) { info->query_positions[r->query_index] + 1, info->head_dim,
                              values, rows + r->query_index * info->seq_len };
      direct = hl_head_analysis_compute (&input, &id, &options.head);
      assert_results_equal (r, direct);
    }
  g_assert_nonnull (hl_analysis_get_summary (one));
  g_assert_cmpint (hl_analysis_get_summary (one)->n_samples, ==, 2);
}

static void
test_subsets (Fixture       *f,
              gconstpointer  data)
{
  static const int layers[] = { 2, 0 };
  static const int heads[] = { 1 };
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  HlAnalysisOptions options;
  const HlModelSummary *summary;

  hl_analysis_options_init (&options);
  options.head.rankings = 1u << HL_RANKING_ATTENTION;
  options.head.distances = 1u << HL_DISTANCE_COSINE;
  options.layers = layers;
  options.n_layers = 2;
  options.heads = heads;
  options.n_heads = 1;
  analysis = hl_analysis_run (f->file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hl_analysis_get_n_results (analysis), ==, 2 * 1 * 2 * 2);
  g_assert_nonnull (hl_analysis_lookup (analysis, 2, 1, 1, 1));
  g_assert_null (hl_analysis_lookup (analysis, 1, 1, 0, 0));
  g_assert_null (hl_analysis_lookup (analysis, 0, 0, 0, 0));
  g_assert_null (hl_analysis_lookup (analysis, 9, 0, 0, 0));
  g_assert_cmpint (hl_analysis_get_result (analysis, 0)->layer, ==, 0);
  g_assert_cmpint (hl_analysis_get_result (analysis, 0)->kv_head, ==, 0);
  g_assert_null (hl_analysis_get_result (analysis, 0)->curves->points[HL_RANKING_RANDOM][HL_DISTANCE_COSINE]);

  summary = hl_analysis_get_summary (analysis);
  g_assert_nonnull (summary->points[HL_RANKING_ATTENTION][HL_DISTANCE_COSINE]);
  g_assert_null (summary->points[HL_RANKING_ATTENTION][HL_DISTANCE_EUCLIDEAN]);
  g_assert_cmpint (hl_model_summary_get_regime_count (summary, 1, HL_REGIME_MIXER)
                   + hl_model_summary_get_regime_count (summary, 1, HL_REGIME_RESET)
                   + hl_model_summary_get_regime_count (summary, 1, HL_REGIME_RETRIEVER), ==, 0);
}

/* Windows: only the queries at L - 1 are analysed (here position 39 of 20
 * and 39); a window without its query is refused naming the positions. */
static void
test_windows (Fixture       *f,
              gconstpointer  data)
{
  static const int windows[] = { 40 };
  static const int missing[] = { 40, 30 };
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  HlAnalysisOptions options;
  guint n;

  hl_analysis_options_init (&options);
  options.head.rankings = 1u << HL_RANKING_ATTENTION;
  options.head.distances = 1u << HL_DISTANCE_EUCLIDEAN;
  options.windows = windows;
  options.n_windows = 1;
  analysis = hl_analysis_run (f->file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  n = hl_analysis_get_n_results (analysis);
  g_assert_cmpuint (n, ==, 3 * 4 * 2);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (hl_analysis_get_result (analysis, i)->query_position, ==, 39);
  g_assert_null (hl_analysis_lookup (analysis, 0, 0, 0, 0));
  g_assert_nonnull (hl_analysis_lookup (analysis, 0, 0, 0, 1));

  options.windows = missing;
  options.n_windows = 2;
  g_assert_null (hl_analysis_run (f->file, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_OPTIONS);
  g_assert_nonnull (strstr (error->message, "position 29"));
  g_assert_nonnull (strstr (error->message, "20, 39"));
}

static void
test_bad_options (Fixture       *f,
                  gconstpointer  data)
{
  static const int layers[] = { 0, 3 };
  g_autoptr(GError) error = NULL;
  HlAnalysisOptions options;
  AsyncState st = { 0 };

  hl_analysis_options_init (&options);
  options.layers = layers;
  options.n_layers = 2;
  g_assert_null (hl_analysis_run (f->file, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_OPTIONS);
  g_assert_nonnull (strstr (error->message, "Layer 3"));
  g_clear_error (&error);

  hl_analysis_options_init (&options);
  options.head.rankings = 0;
  run_async (f->file, &options, NULL, &st);
  g_assert_error (st.error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_OPTIONS);
  g_assert_true (st.notified);
  g_assert_cmpuint (g_hash_table_size (st.seen), ==, 0);
  async_state_clear (&st);
}

/* The values blocks in memory are bounded by the queue (capacity
 * 2 * workers + 2 jobs, each holding at most one block, plus one per worker
 * and the one being read), not by the file: 2 or 12 layers give the same
 * bound. */
static void
test_memory_bounded (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  guint peaks[2];

  for (int k = 0; k < 2; k++)
    {
      FixtureShape shape = {
        .n_layers = k == 0 ? 2 : 12, .n_heads = 4, .n_kv_heads = 4, .head_dim = 8,
        .seq_len = 64, .n_samples = 2, .n_queries = 1, .seed = 2,
      };
      g_autofree char *path = g_strdup_printf ("%s/m%d.h5", dir, k);
      g_autoptr(HlActivations) file = NULL;
      g_autoptr(HlAnalysis) analysis = NULL;
      g_autoptr(GError) error = NULL;
      HlAnalysisOptions options;

      fixture_write_file (path, &shape);
      file = hl_activations_open (path, &error);
      g_assert_no_error (error);
      hl_analysis_options_init (&options);
      options.threads = 2;
      analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      peaks[k] = hl_analysis_get_peak_blocks (analysis);
      g_assert_cmpuint (peaks[k], >=, 1);
      g_assert_cmpuint (peaks[k], <=, (2 * 2 + 2) + 2 + 1);
    }
  g_test_message ("peak blocks: %u with 2 layers, %u with 12", peaks[0], peaks[1]);
  hl_test_remove_tmp_dir (dir);
}

/* Writes NaN into one number of a values block, behind the writer's back
 * (it refuses non-finite values). */
static void
poison_values (const char *path,
               int         layer,
               int         sample,
               int         kv_head)
{
  const hsize_t start[5] = { layer, sample, kv_head, 3, 1 }, count[5] = { 1, 1, 1, 1, 1 };
  const float nan_value = NAN;
  hid_t file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t dset = H5Dopen2 (file, "/values", H5P_DEFAULT);
  hid_t space = H5Dget_space (dset);
  hid_t mem = H5Screate_simple (5, count, NULL);

  g_assert_cmpint (H5Sselect_hyperslab (space, H5S_SELECT_SET, start, NULL, count, NULL), >=, 0);
  g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, &nan_value), >=, 0);
  H5Sclose (mem);
  H5Sclose (space);
  H5Dclose (dset);
  H5Fclose (file);
}

/* A values block with a NaN fails the run with the reader's error, which
 * names the block, though the worker that converts the block finds it. */
static void
test_non_finite_values (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "nan.h5", NULL);
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  HlAnalysisOptions options;

  fixture_write_file (path, &small_shape);
  poison_values (path, 1, 0, 1);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  hl_analysis_options_init (&options);
  options.threads = 2;
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
  g_assert_null (analysis);
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_NON_FINITE);
  g_assert_nonnull (strstr (error->message, "/values of layer 1, sample 0, kv head 1 is nan"));
  g_clear_object (&file);
  hl_test_remove_tmp_dir (dir);
}

/* A run that takes seconds (1024 heads of 256 keys, 16 random repeats, both
 * distances, a few ms each) is cancelled when the first head arrives: the
 * finish callback must report G_IO_ERROR_CANCELLED within 100 ms, and no
 * head may arrive after. */
static const int focus_queries[] = { 8, 12, 16, 20, 24, 28, 32, 39 };
static const FixtureShape focus_shape = {
  .n_layers = 3, .n_heads = 4, .n_kv_heads = 2, .head_dim = 16, .seq_len = 40,
  .n_samples = 2, .n_queries = 8, .query_positions = focus_queries, .seed = 9,
};

static const FixtureShape large_shape = {
  .n_layers = 32, .n_heads = 16, .n_kv_heads = 8, .head_dim = 16, .seq_len = 256,
  .n_samples = 2, .n_queries = 1, .seed = 9,
};

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  HlAnalysisOptions options;
  AsyncState st = { 0 };

  hl_analysis_options_init (&options);
  options.threads = 2;
  st.cancel_on_first = cancellable;
  run_async (f->file, &options, cancellable, &st);

  g_assert_error (st.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (st.analysis);
  g_assert_true (st.notified);
  g_assert_cmpint (st.cancelled_at, >, 0);
  g_test_message ("finish came %.1f ms after cancel",
                  (st.finished_at - st.cancelled_at) / 1000.0);
  g_assert_cmpint (st.finished_at - st.cancelled_at, <, 100 * 1000);
  g_assert_cmpuint (st.heads_after_cancel, ==, 0);
  g_assert_cmpuint (g_hash_table_size (st.seen), <, expected_total (data));
  async_state_clear (&st);
}

/* The synchronous run: progress in the calling thread, and cancellation. */
static void
progress_cancel_cb (guint    done,
                    guint    total,
                    gpointer user_data)
{
  g_assert_true (g_thread_self () == ((gpointer *) user_data)[0]);
  g_cancellable_cancel (((gpointer *) user_data)[1]);
}

static void
test_sync_cancel (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gpointer state[2] = { g_thread_self (), cancellable };
  HlAnalysisOptions options;

  hl_analysis_options_init (&options);
  g_assert_null (hl_analysis_run (f->file, &options, progress_cancel_cb, state,
                                  cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
progress_blas_threads_cb (guint    done,
                          guint    total,
                          gpointer user_data)
{
  *(int *) user_data = MAX (*(int *) user_data, openblas_get_num_threads ());
}

/* BLAS runs on one thread while the analysis works and gets its thread
 * count back after. */
static void
test_blas_threads_restored (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(HlAnalysis) analysis = NULL;
  HlAnalysisOptions options;
  int during = 0;

  openblas_set_num_threads (2);
  if (openblas_get_num_threads () != 2)
    {
      g_test_skip ("OpenBLAS does not run on two threads here");
      return;
    }
  hl_analysis_options_init (&options);
  options.threads = 1;
  analysis = hl_analysis_run (f->file, &options, progress_blas_threads_cb, &during, NULL, NULL);
  g_assert_nonnull (analysis);
  g_assert_cmpint (during, ==, 1);
  g_assert_cmpint (openblas_get_num_threads (), ==, 2);
  openblas_set_num_threads (1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/analysis/every-head-once", Fixture, &small_shape,
              fixture_setup, test_every_head_once, fixture_teardown);
  g_test_add ("/analysis/matches-one-head", Fixture, &small_shape,
              fixture_setup, test_matches_one_head, fixture_teardown);
  g_test_add ("/analysis/subsets", Fixture, &small_shape,
              fixture_setup, test_subsets, fixture_teardown);
  g_test_add ("/analysis/windows", Fixture, &small_shape,
              fixture_setup, test_windows, fixture_teardown);
  g_test_add ("/analysis/bad-options", Fixture, &small_shape,
              fixture_setup, test_bad_options, fixture_teardown);
  g_test_add ("/analysis/blas-threads-restored", Fixture, &small_shape,
              fixture_setup, test_blas_threads_restored, fixture_teardown);
  g_test_add ("/analysis/focus-first", Fixture, &focus_shape,
              fixture_setup, test_focus_first, fixture_teardown);
  g_test_add_func ("/analysis/memory-bounded", test_memory_bounded);
  g_test_add_func ("/analysis/non-finite-values", test_non_finite_values);
  g_test_add ("/analysis/cancel", Fixture, &large_shape,
              fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/analysis/sync-cancel", Fixture, &large_shape,
              fixture_setup, test_sync_cancel, fixture_teardown);
  return g_test_run ();
}
