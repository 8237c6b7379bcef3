/* test-analysis-merge.c: what the MPI ranks of an analysis exchange,
 * without MPI: head results encoded as bytes decode to the same results,
 * and the analyses of parts of the samples, merged, give the files of the
 * whole analysis byte for byte; results that do not make the analysis
 * (missing, twice, not asked for, truncated bytes) are refused.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-metrics-csv.h"

#include <gio/gio.h>
#include <string.h>

#include "analysis-fixture.h"

static const int queries[] = { 13, 29 };
static const FixtureShape shape = {
  .n_layers = 2, .n_heads = 4, .n_kv_heads = 2, .head_dim = 8, .seq_len = 30,
  .n_samples = 4, .n_queries = 2, .query_positions = queries, .seed = 21,
  .with_tokens = TRUE,
};

typedef struct
{
  char          *dir;
  HlActivations *file;
  HlAnalysisOptions options;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = hl_test_make_tmp_dir ();
  path = g_build_filename (f->dir, "f.h5", NULL);
  fixture_write_file (path, &shape);
  f->file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  hl_analysis_options_init (&f->options);
  f->options.head.repeats = 3;
  f->options.bootstrap = 100;
  f->options.threads = 2;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->file);
  hl_test_remove_tmp_dir (f->dir);
  g_free (f->dir);
}

static HlAnalysis *
run (Fixture   *f,
     const int *samples,
     int        n_samples)
{
  HlAnalysisOptions options = f->options;
  g_autoptr(GError) error = NULL;
  HlAnalysis *analysis;

  options.samples = samples;
  options.n_samples = n_samples;
  analysis = hl_analysis_run (f->file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return analysis;
}

static void
encode_all (HlAnalysis *analysis,
            GByteArray *out)
{
  for (guint i = 0; i < hl_analysis_get_n_results (analysis); i++)
    hl_head_result_encode (hl_analysis_get_result (analysis, i), out);
}

static GPtrArray *
decode_all (const GByteArray *bytes)
{
  GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify) hl_head_result_unref);
  const guint8 *at = bytes->data, *end = bytes->data + bytes->len;
  g_autoptr(GError) error = NULL;

  while (at < end)
    {
      HlHeadResult *r = hl_head_result_decode (&at, end, &error);

      g_assert_no_error (error);
      g_ptr_array_add (results, r);
    }
  return results;
}

static void
assert_same_files (HlAnalysis *expected,
                   HlAnalysis *found)
{
  guint n = hl_analysis_get_n_results (expected);
  g_autofree HlHeadResult **a = g_new (HlHeadResult *, n);
  g_autofree HlHeadResult **b = g_new (HlHeadResult *, n);
  g_autofree char *curves_a = NULL, *curves_b = NULL, *heads_a = NULL, *heads_b = NULL;
  g_autofree char *model_a = NULL, *model_b = NULL, *checks_a = NULL, *checks_b = NULL;

  g_assert_cmpuint (hl_analysis_get_n_results (found), ==, n);
  for (guint i = 0; i < n; i++)
    {
      a[i] = hl_analysis_get_result (expected, i);
      b[i] = hl_analysis_get_result (found, i);
    }
  curves_a = hl_metrics_csv_curves (a, n);
  curves_b = hl_metrics_csv_curves (b, n);
  g_assert_cmpstr (curves_a, ==, curves_b);
  heads_a = hl_metrics_csv_heads (a, n);
  heads_b = hl_metrics_csv_heads (b, n);
  g_assert_cmpstr (heads_a, ==, heads_b);
  model_a = hl_metrics_csv_model (hl_analysis_get_summary (expected));
  model_b = hl_metrics_csv_model (hl_analysis_get_summary (found));
  g_assert_cmpstr (model_a, ==, model_b);
  checks_a = hl_assumptions_csv (hl_analysis_get_assumptions (expected));
  checks_b = hl_assumptions_csv (hl_analysis_get_assumptions (found));
  g_assert_cmpstr (checks_a, ==, checks_b);
}

/* Two "ranks" analyse samples {0} and {1, 2, 3}; their results, through
 * bytes and in any order, make the whole analysis. */
static void
test_merge_equals_whole (Fixture       *f,
                         gconstpointer  data)
{
  static const int first[] = { 0 }, rest[] = { 1, 2, 3 };
  g_autoptr(HlAnalysis) whole = run (f, NULL, 0);
  g_autoptr(HlAnalysis) part_a = run (f, first, 1);
  g_autoptr(HlAnalysis) part_b = run (f, rest, 3);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(HlAnalysis) merged = NULL;
  g_autoptr(GError) error = NULL;

  /* The later ranks' results first: order does not matter. */
  encode_all (part_b, bytes);
  encode_all (part_a, bytes);
  results = decode_all (bytes);
  for (guint i = 0; i < results->len; i++)
    {
      HlHeadResult *r = results->pdata[i];
      HlHeadResult *w = hl_analysis_lookup (whole, r->layer, r->head, r->sample, r->query_index);

      g_assert_cmpint (r->seed, ==, w->seed);
      g_assert_cmpstr (r->reason, ==, w->reason);
      g_assert_cmpint (r->query_token_id, ==, w->query_token_id);
      g_assert_cmpstr (r->query_token, ==, w->query_token);
      g_assert_nonnull (r->query_token);
      g_assert_cmpmem (&r->diagnostics, sizeof r->diagnostics, &w->diagnostics, sizeof w->diagnostics);
    }
  merged = hl_analysis_new_from_results (f->file, &f->options,
                                         (HlHeadResult * const *) results->pdata, results->len,
                                         &error);
  g_assert_no_error (error);
  assert_same_files (whole, merged);
}

static void
expect_refused (Fixture    *f,
                GPtrArray  *results,
                const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlAnalysis) merged = hl_analysis_new_from_results (f->file, &f->options,
                                                               (HlHeadResult * const *) results->pdata,
                                                               results->len, &error);

  g_assert_null (merged);
  g_assert_error (error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_RESULTS);
  if (strstr (error->message, expected) == NULL)
    g_error ("expected “%s” in “%s”", expected, error->message);
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  static const int two[] = { 0, 2 };
  g_autoptr(HlAnalysis) whole = run (f, NULL, 0);
  g_autoptr(HlAnalysis) part = run (f, two, 2);
  g_autoptr(GPtrArray) results = g_ptr_array_new ();
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  const guint8 *at;
  guint n = hl_analysis_get_n_results (whole);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (results, hl_analysis_get_result (whole, i));
  g_ptr_array_remove_index (results, 5);
  expect_refused (f, results, "expected 64: some are missing");
  g_ptr_array_add (results, hl_analysis_get_result (whole, 6));
  expect_refused (f, results, "is there twice");

  /* Samples 1 and 3 were not asked for. */
  f->options.samples = two;
  f->options.n_samples = 2;
  g_ptr_array_set_size (results, 0);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (results, hl_analysis_get_result (whole, i));
  expect_refused (f, results, "not one the analysis asks for");
  g_ptr_array_set_size (results, 0);
  for (guint i = 0; i < hl_analysis_get_n_results (part); i++)
    g_ptr_array_add (results, hl_analysis_get_result (part, i));
  g_clear_object (&whole);
  whole = hl_analysis_new_from_results (f->file, &f->options,
                                        (HlHeadResult * const *) results->pdata, results->len,
                                        &error);
  g_assert_no_error (error);
  assert_same_files (part, whole);

  /* Bytes cut short, or not a result at all. */
  hl_head_result_encode (hl_analysis_get_result (part, 0), bytes);
  at = bytes->data;
  g_assert_null (hl_head_result_decode (&at, bytes->data + bytes->len - 3, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_true (at == bytes->data);
  g_clear_error (&error);
  memset (bytes->data, 0x55, 4);
  g_assert_null (hl_head_result_decode (&at, bytes->data + bytes->len, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/analysis/merge/equals-whole", Fixture, NULL, fixture_set_up,
              test_merge_equals_whole, fixture_tear_down);
  g_test_add ("/analysis/merge/refused", Fixture, NULL, fixture_set_up, test_refused,
              fixture_tear_down);
  return hl_test_run_and_wait ();
}
