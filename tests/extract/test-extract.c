/* test-extract.c: extraction to activation files, window planning, the
 * async API, and agreement with the stories260K reference file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-extract.h"
#include "hl-tokenizer.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* ---- window planning, worked by hand ---- */

static HlExtractResult
plan (int n_text_tokens, int seq_len, int window, int stride, int samples)
{
  g_autoptr(HlExtractOptions) options = hl_extract_options_new ();
  g_autoptr(GError) error = NULL;
  HlExtractResult result = { 0 };

  options->window = window;
  options->stride = stride;
  options->max_samples = samples;
  g_assert_true (hl_extract_plan_windows (n_text_tokens, 1, seq_len, options, &result, &error));
  g_assert_no_error (error);
  return result;
}

static GError *
plan_error (int n_text_tokens, int seq_len, int window, int stride)
{
  g_autoptr(HlExtractOptions) options = hl_extract_options_new ();
  HlExtractResult result = { 0 };
  GError *error = NULL;

  options->window = window;
  options->stride = stride;
  g_assert_false (hl_extract_plan_windows (n_text_tokens, 1, seq_len, options, &result, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  return error;
}

static void
assert_plan (HlExtractResult r,
             int             window,
             int             stride,
             int             samples,
             int             unused)
{
  g_assert_cmpint (r.window, ==, window);
  g_assert_cmpint (r.stride, ==, stride);
  g_assert_cmpint (r.n_samples, ==, samples);
  g_assert_cmpint (r.n_unused_tokens, ==, unused);
}

static void
test_plan_windows (void)
{
  GError *error;

  /* 10 tokens: BOS + 9 text tokens c0..c8. */
  assert_plan (plan (10, 512, 0, 0, 0), 10, 9, 1, 0);      /* the whole text */
  assert_plan (plan (10, 6, 0, 0, 0), 6, 5, 1, 4);         /* capped at seq_len: c0..c4 */
  assert_plan (plan (10, 512, 4, 0, 0), 4, 3, 3, 0);       /* c0-2, c3-5, c6-8 */
  assert_plan (plan (10, 512, 4, 2, 0), 4, 2, 4, 0);       /* c0-2, c2-4, c4-6, c6-8 */
  assert_plan (plan (10, 512, 5, 3, 0), 5, 3, 2, 2);       /* c0-3, c3-6; c7, c8 unused */
  assert_plan (plan (10, 512, 4, 0, 2), 4, 3, 2, 3);       /* at most 2 samples */
  assert_plan (plan (288, 512, 0, 0, 0), 288, 287, 1, 0);  /* reference.txt */

  error = plan_error (10, 512, 11, 0);
  g_assert_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_SHORT);
  g_clear_error (&error);
  error = plan_error (10, 6, 7, 0);
  g_assert_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_LONG);
  g_clear_error (&error);
  error = plan_error (10, 512, 1, 0);
  g_assert_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_WINDOW);
  g_clear_error (&error);
  error = plan_error (10, 512, 4, -1);
  g_assert_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_WINDOW);
  g_clear_error (&error);
  error = plan_error (1, 512, 0, 0);
  g_assert_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_SHORT);
  g_clear_error (&error);
}

static void
test_queries (void)
{
  g_autoptr(HlExtractOptions) options = hl_extract_options_new ();
  const char *bad[] = { "", "abc", "-1", "3,,4", "1.5" };
  const int expected[] = { 16, 100, 287 };

  g_assert_true (hl_extract_options_set_queries (options, "all", NULL));
  g_assert_cmpint (options->queries, ==, HL_EXTRACT_QUERIES_ALL);
  g_assert_true (hl_extract_options_set_queries (options, "100, 16,16,287", NULL));
  g_assert_cmpint (options->queries, ==, HL_EXTRACT_QUERIES_LIST);
  g_assert_cmpmem (options->query_positions, options->n_query_positions * sizeof (int),
                   expected, sizeof expected);
  g_assert_true (hl_extract_options_set_queries (options, "last", NULL));
  g_assert_cmpint (options->queries, ==, HL_EXTRACT_QUERIES_LAST);
  g_assert_cmpint (options->n_query_positions, ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (hl_extract_options_set_queries (options, bad[i], &error));
      g_assert_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_QUERIES);
    }
}

/* ---- a synthetic model end to end ---- */

static const HlCheckpointConfig tiny = {
  .version = 1, .dim = 16, .hidden_dim = 32, .n_layers = 2, .n_heads = 4, .n_kv_heads = 2,
  .vocab_size = 262, .seq_len = 64, .shared_classifier = TRUE,
};

static const char tiny_text[] = "abc abc aab cab bca abc cc a b c abba";

typedef struct
{
  char             *dir;
  HlExtractOptions *options;
  GMainLoop        *loop;
  GPtrArray        *progress;     /* "done/total" strings, in order */
  gboolean          finished;
  gboolean          ok;
  GError           *error;
  HlExtractResult   result;
  GCancellable     *cancel_on_progress;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static const char * const extra[] = { "a", "b", "c" };
  static const float scores[] = { -1.f, -2.f, -3.f };
  g_autoptr(TestModel) m = test_model_new_random (&tiny, 5);

  f->dir = hl_test_make_tmp_dir ();
  f->options = hl_extract_options_new ();
  f->options->checkpoint_path = g_build_filename (f->dir, "tiny.bin", NULL);
  f->options->tokenizer_path = g_build_filename (f->dir, "tok.bin", NULL);
  f->options->output_path = g_build_filename (f->dir, "out.h5", NULL);
  f->options->text = g_strdup (tiny_text);
  f->options->text_name = g_strdup ("tiny.txt");
  test_model_write (m, f->options->checkpoint_path);
  test_write_byte_tokenizer (f->options->tokenizer_path, extra, scores, 3);
  f->progress = g_ptr_array_new_with_free_func (g_free);
  f->loop = g_main_loop_new (NULL, FALSE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hl_extract_options_free (f->options);
  g_ptr_array_unref (f->progress);
  g_main_loop_unref (f->loop);
  g_clear_error (&f->error);
  hl_test_remove_tmp_dir (f->dir);
  g_free (f->dir);
}

static int32_t *
encode_tiny (const Fixture *f,
             gsize         *n)
{
  g_autoptr(HlTokenizer) tokenizer = hl_tokenizer_open (f->options->tokenizer_path, 262, NULL);

  g_assert_nonnull (tokenizer);
  return hl_tokenizer_encode (tokenizer, tiny_text, TRUE, FALSE, n);
}

static void
test_windows_in_file (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) file = NULL;
  g_autofree int32_t *text_ids = NULL;
  g_autofree int32_t *ids = g_new (int32_t, 12);
  const HlActivationsInfo *info;
  HlExtractResult result;
  gsize n_text;

  text_ids = encode_tiny (f, &n_text);
  f->options->window = 12;
  f->options->stride = 7;
  g_assert_true (hl_extract_options_set_queries (f->options, "all", NULL));
  g_assert_true (hl_extract_run (f->options, NULL, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.n_text_tokens, ==, n_text);
  g_assert_cmpint (result.n_samples, ==, ((int) n_text - 1 - 11) / 7 + 1);
  g_assert_cmpint (result.n_predictions, ==, result.n_samples * 11);
  g_assert_true (result.loss > 0.0 && isfinite (result.loss));

  file = hl_activations_open (f->options->output_path, &error);
  g_assert_no_error (error);
  info = hl_activations_get_info (file);
  g_assert_cmpint (info->seq_len, ==, 12);
  g_assert_cmpint (info->n_samples, ==, result.n_samples);
  g_assert_cmpint (info->n_queries, ==, 12);
  g_assert_cmpint (info->n_layers, ==, 2);
  g_assert_cmpint (info->n_heads, ==, 4);
  g_assert_cmpint (info->n_kv_heads, ==, 2);
  g_assert_cmpint (info->head_dim, ==, 4);
  g_assert_cmpint (info->values_dtype, ==, HL_DTYPE_FLOAT16);
  g_assert_cmpstr (info->model, ==, "tiny");
  g_assert_nonnull (strstr (info->source, "tiny.txt"));
  for (int s = 0; s < info->n_samples; s++)
    {
      g_assert_true (hl_activations_read_token_ids (file, s, ids, &error));
      g_assert_cmpint (ids[0], ==, HL_TOKEN_BOS);
      g_assert_cmpmem (ids + 1, 11 * sizeof (int32_t), text_ids + 1 + 7 * s, 11 * sizeof (int32_t));
    }
  g_assert_true (hl_activations_validate_all (file, &error));
  g_assert_no_error (error);
}

static void
test_too_short (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  HlExtractResult result;

  f->options->window = 60;
  g_assert_false (hl_extract_run (f->options, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_SHORT);
  g_assert_false (g_file_test (f->options->output_path, G_FILE_TEST_EXISTS));
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Fixture *f = user_data;

  /* Progress arrives on the main thread, before completion. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_assert_false (f->finished);
  g_ptr_array_add (f->progress, g_strdup_printf ("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, done, total));
  if (f->cancel_on_progress != NULL)
    g_cancellable_cancel (f->cancel_on_progress);
}

static void
extract_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Fixture *f = user_data;

  f->finished = TRUE;
  f->ok = hl_extract_finish (result, &f->result, &f->error);
  g_main_loop_quit (f->loop);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  f->options->window = 10;
  hl_extract_async (f->options, NULL, progress_cb, f, extract_done_cb, f);
  g_main_loop_run (f->loop);
  g_assert_no_error (f->error);
  g_assert_true (f->ok);
  g_assert_cmpint (f->result.window, ==, 10);
  /* One update per layer and window, in order, the last one complete. */
  g_assert_cmpuint (f->progress->len, ==, 2 * f->result.n_samples);
  for (guint i = 0; i < f->progress->len; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%u/%d", i + 1, 2 * f->result.n_samples);

      g_assert_cmpstr (g_ptr_array_index (f->progress, i), ==, expected);
    }
  g_assert_true (g_file_test (f->options->output_path, G_FILE_TEST_IS_REGULAR));
}

static void
test_async_cancel (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  f->options->window = 10;
  f->cancel_on_progress = cancellable;
  hl_extract_async (f->options, cancellable, progress_cb, f, extract_done_cb, f);
  g_main_loop_run (f->loop);
  /* The cancel is sent from the first progress update on the main context;
   * on a busy machine the worker may have finished the last layer by then.
   * Either way the report must match the disk: cancelled means no file,
   * success means the whole file. */
  if (f->ok)
    g_assert_true (g_file_test (f->options->output_path, G_FILE_TEST_IS_REGULAR));
  else
    {
      g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_false (g_file_test (f->options->output_path, G_FILE_TEST_EXISTS));
    }
}

static void
test_async_cancel_before_start (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  f->options->window = 10;
  g_cancellable_cancel (cancellable);
  hl_extract_async (f->options, cancellable, progress_cb, f, extract_done_cb, f);
  g_main_loop_run (f->loop);
  g_assert_false (f->ok);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (f->options->output_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (f->progress->len, ==, 0);
}

/* ---- stories260K against reference.h5 ---- */

static float
max_diff (const float *a,
          const float *b,
          gsize        n)
{
  float max = 0.0f;

  for (gsize i = 0; i < n; i++)
    max = MAX (max, fabsf (a[i] - b[i]));
  return max;
}

static void
compare_blocks (HlActivations *got,
                HlActivations *want,
                float         *values_diff,
                float         *attention_diff)
{
  const HlActivationsInfo *info = hl_activations_get_info (want);
  gsize n_values = (gsize) info->seq_len * info->head_dim;
  gsize n_rows = (gsize) info->n_queries * info->seq_len;
  g_autofree float *a = g_new (float, MAX (n_values, n_rows));
  g_autofree float *b = g_new (float, MAX (n_values, n_rows));
  g_autoptr(GError) error = NULL;

  for (int l = 0; l < info->n_layers; l++)
    {
      for (int g = 0; g < info->n_kv_heads; g++)
        {
          g_assert_true (hl_activations_read_values (got, l, 0, g, a, &error));
          g_assert_true (hl_activations_read_values (want, l, 0, g, b, &error));
          *values_diff = MAX (*values_diff, max_diff (a, b, n_values));
        }
      for (int h = 0; h < info->n_heads; h++)
        {
          g_assert_true (hl_activations_read_attention (got, l, 0, h, a, &error));
          g_assert_true (hl_activations_read_attention (want, l, 0, h, b, &error));
          *attention_diff = MAX (*attention_diff, max_diff (a, b, n_rows));
        }
    }
  g_assert_no_error (error);
}

static void
compare_tokens (HlActivations *got,
                HlActivations *want,
                int            seq_len)
{
  g_autofree int32_t *a = g_new (int32_t, seq_len);
  g_autofree int32_t *b = g_new (int32_t, seq_len);
  g_auto(GStrv) ta = NULL;
  g_auto(GStrv) tb = NULL;

  g_assert_true (hl_activations_read_token_ids (got, 0, a, NULL));
  g_assert_true (hl_activations_read_token_ids (want, 0, b, NULL));
  g_assert_cmpmem (a, seq_len * sizeof (int32_t), b, seq_len * sizeof (int32_t));
  ta = hl_activations_read_token_texts (got, 0, NULL);
  tb = hl_activations_read_token_texts (want, 0, NULL);
  g_assert_nonnull (ta);
  g_assert_nonnull (tb);
  g_assert_cmpstrv (ta, tb);
}

static gboolean
prepare_reference (HlExtractOptions *options,
                   char            **reference)
{
  g_autofree char *text_path = test_shared_model_file ("reference.txt");

  if (text_path == NULL)
    return FALSE;
  options->checkpoint_path = test_shared_model_file ("stories260K.bin");
  options->tokenizer_path = test_shared_model_file ("tok512.bin");
  *reference = test_shared_model_file ("reference.h5");
  g_assert_true (g_file_get_contents (text_path, &options->text, NULL, NULL));
  options->text_name = g_strdup ("reference.txt");
  options->values_dtype = HL_DTYPE_FLOAT32;
  g_assert_true (hl_extract_options_set_queries (options, "16,100,200,287", NULL));
  return TRUE;
}

static void
test_stories260k_reference (void)
{
  g_autoptr(HlExtractOptions) options = hl_extract_options_new ();
  g_autofree char *reference = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(HlActivations) got = NULL;
  g_autoptr(HlActivations) want = NULL;
  g_autoptr(GError) error = NULL;
  HlExtractResult result;
  float values_diff = 0.0f, attention_diff = 0.0f;
  const int queries[] = { 16, 100, 200, 287 };

  if (!prepare_reference (options, &reference))
    return;
  dir = hl_test_make_tmp_dir ();
  options->output_path = g_build_filename (dir, "reference.h5", NULL);
  g_assert_true (hl_extract_run (options, NULL, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.window, ==, 288);
  g_assert_cmpint (result.n_samples, ==, 1);

  got = hl_activations_open (options->output_path, &error);
  g_assert_no_error (error);
  want = hl_activations_open (reference, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hl_activations_get_info (got)->seq_len, ==, 288);
  g_assert_cmpmem (hl_activations_get_info (got)->query_positions, 4 * sizeof (int), queries, sizeof queries);
  g_assert_cmpstr (hl_activations_get_info (got)->model, ==, hl_activations_get_info (want)->model);
  compare_tokens (got, want, 288);
  compare_blocks (got, want, &values_diff, &attention_diff);
  g_test_message ("stories260K vs reference.h5: max |values difference| %g, "
                  "max |attention difference| %g; next-token loss %.4f nats over %" G_GINT64_FORMAT " predictions",
                  values_diff, attention_diff, result.loss, result.n_predictions);
  g_assert_cmpfloat (values_diff, <, 1e-4);
  g_assert_cmpfloat (attention_diff, <, 1e-4);
  g_assert_cmpint (result.n_predictions, ==, 287);
  g_assert_cmpfloat (fabs (result.loss - 0.99), <, 0.01);

  g_clear_object (&got);
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/extract/extract/plan-windows", test_plan_windows);
  g_test_add_func ("/extract/extract/queries", test_queries);
  g_test_add ("/extract/extract/windows-in-file", Fixture, NULL, fixture_set_up, test_windows_in_file, fixture_tear_down);
  g_test_add ("/extract/extract/too-short", Fixture, NULL, fixture_set_up, test_too_short, fixture_tear_down);
  g_test_add ("/extract/extract/async", Fixture, NULL, fixture_set_up, test_async, fixture_tear_down);
  g_test_add ("/extract/extract/async-cancel", Fixture, NULL, fixture_set_up, test_async_cancel, fixture_tear_down);
  g_test_add ("/extract/extract/async-cancel-before-start", Fixture, NULL, fixture_set_up, test_async_cancel_before_start, fixture_tear_down);
  g_test_add_func ("/extract/extract/stories260k-reference", test_stories260k_reference);
  return g_test_run ();
}
