/* test-csv.c: the three CSV files: exact header lines, row counts, and
 * values that read back to the one-head function's numbers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-metrics-csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis-fixture.h"

static const int queries[] = { 9, 23 };
static const FixtureShape shape = {
  .n_layers = 2, .n_heads = 2, .n_kv_heads = 1, .head_dim = 8, .seq_len = 24,
  .n_samples = 2, .n_queries = 2, .query_positions = queries, .seed = 3, .with_tokens = TRUE,
};

static char **
read_lines (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  char **lines;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (text, "\n"));
  text[strlen (text) - 1] = '\0';
  lines = g_strsplit (text, "\n", -1);
  return lines;
}

/* The fields of one CSV line: a field in double quotes may hold commas,
 * and "" in it is one quote (RFC 4180). */
static char **
split_fields (const char *line)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line; *p != '\0'; p++)
    {
      if (quoted && *p == '"' && p[1] == '"')
        g_string_append_c (field, *p++);
      else if (*p == '"')
        quoted = !quoted;
      else if (*p == ',' && !quoted)
        {
          g_ptr_array_add (fields, g_string_free (field, FALSE));
          field = g_string_new (NULL);
        }
      else
        g_string_append_c (field, *p);
    }
  g_assert_false (quoted);
  g_ptr_array_add (fields, g_string_free (field, FALSE));
  g_ptr_array_add (fields, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&fields), FALSE);
}

/* Finds the row of @lines starting with @prefix. */
static char **
find_row (char       **lines,
          const char  *prefix)
{
  for (int i = 1; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return split_fields (lines[i]);
  g_assert_not_reached ();
}

static void
assert_field (char   **fields,
              int      index,
              float    expected)
{
  /* %.9g round-trips a float exactly. */
  g_assert_cmpfloat ((float) g_ascii_strtod (fields[index], NULL), ==, expected);
}

static void
test_files (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.h5", NULL);
  g_autofree char *out = g_build_filename (dir, "out", "nested", NULL);
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) curves = NULL;
  g_auto(GStrv) heads = NULL;
  g_auto(GStrv) model = NULL;
  g_auto(GStrv) row = NULL;
  HlAnalysisOptions options;
  HlHeadResult *r;
  guint n_results, curve_rows = 0;

  fixture_write_file (path, &shape);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  hl_analysis_options_init (&options);
  options.head.repeats = 3;
  options.bootstrap = 200;
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hl_metrics_csv_write (analysis, out, &error));
  g_assert_no_error (error);

  curves = read_lines (out, "curves.csv");
  heads = read_lines (out, "heads.csv");
  model = read_lines (out, "model.csv");
  g_assert_cmpstr (curves[0], ==, "layer,head,sample,query,ranking,distance,n,precision,recall,f1,rho_min,rho_max,retained_mass,align_sink,align_last,gap,residual,bound");
  g_assert_cmpstr (heads[0], ==, "layer,head,sample,query,kv_head,norm_cv,sink_ratio,sink_similarity,beta,beta_mae,sink_mass,last_mass,entropy,a_sink,a_last,a_rest,regime,value_norm_max,regime_reason,query_token_id,query_token");
  g_assert_cmpstr (model[0], ==, "ranking,distance,n,n_heads,n_samples,precision,recall,f1,precision_lo,precision_hi,recall_lo,recall_hi,f1_lo,f1_hi,corr_recall_rho0");

  /* Query 9 has grid 1, 2, 4, 8; query 23 has 1, 2, 4, 8, 16; each with
   * 3 rankings x 2 distances. The model grid is their union. */
  n_results = hl_analysis_get_n_results (analysis);
  g_assert_cmpuint (n_results, ==, 2 * 2 * 2 * 2);
  for (guint i = 0; i < n_results; i++)
    curve_rows += 6 * hl_analysis_get_result (analysis, i)->curves->n_grid;
  g_assert_cmpuint (curve_rows, ==, 8 * 6 * (4 + 5));
  g_assert_cmpuint (g_strv_length (curves), ==, 1 + curve_rows);
  g_assert_cmpuint (g_strv_length (heads), ==, 1 + n_results);
  g_assert_cmpuint (g_strv_length (model), ==, 1 + 6 * 5);

  /* Layer 1, head 0, sample 1, query position 23 (index 1). */
  r = hl_analysis_lookup (analysis, 1, 0, 1, 1);
  row = find_row (heads, "1,0,1,23,0,");
  g_assert_cmpuint (g_strv_length (row), ==, 21);
  assert_field (row, 5, r->diagnostics.norm_cv);
  assert_field (row, 7, r->diagnostics.sink_similarity);
  assert_field (row, 15, r->diagnostics.a_rest);
  g_assert_cmpstr (row[16], ==, hl_regime_to_string (r->regime));
  assert_field (row, 17, r->diagnostics.value_norm_max);
  /* The sentence, with its commas, in one quoted field. */
  g_assert_cmpstr (row[18], ==, r->reason);
  g_assert_nonnull (strchr (r->reason, ','));
  /* The token at t = 23 of sample 1, its text quoted ("a,b" has a comma). */
  g_assert_cmpint (atoi (row[19]), ==, fixture_token_id (1, 23));
  g_assert_cmpstr (row[20], ==, fixture_token_text (23));
  g_assert_cmpstr (fixture_token_text (23), ==, "a,b");
  g_clear_pointer (&row, g_strfreev);

  row = find_row (curves, "1,0,1,23,random,cosine,4,");
  g_assert_cmpuint (g_strv_length (row), ==, 18);
  assert_field (row, 7, r->curves->points[HL_RANKING_RANDOM][HL_DISTANCE_COSINE][2].precision);
  assert_field (row, 8, r->curves->points[HL_RANKING_RANDOM][HL_DISTANCE_COSINE][2].recall);
  assert_field (row, 12, r->curves->points[HL_RANKING_RANDOM][HL_DISTANCE_COSINE][2].retained_mass);
  assert_field (row, 13, r->curves->align_sink[HL_RANKING_RANDOM][2]);
  assert_field (row, 14, r->curves->align_last[HL_RANKING_RANDOM][2]);
  assert_field (row, 15, r->curves->gap[HL_RANKING_RANDOM][2]);
  assert_field (row, 16, r->curves->residual[HL_RANKING_RANDOM][2]);
  assert_field (row, 17, r->curves->bound[HL_RANKING_RANDOM][2]);
  g_assert_cmpfloat (g_ascii_strtod (row[16], NULL), <=, g_ascii_strtod (row[17], NULL));
  g_clear_pointer (&row, g_strfreev);

  /* N = 16 exists only for the later query: the model row averages those. */
  /* It says how many: 2 layers x 2 heads x 2 samples at the later query
   * only, so 8 head results from 2 samples. */
  row = find_row (model, "attention,euclidean,16,");
  g_assert_cmpuint (g_strv_length (row), ==, 15);
  g_assert_cmpstr (row[3], ==, "8");
  g_assert_cmpstr (row[4], ==, "2");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (row[5], NULL),
                                  hl_analysis_get_summary (analysis)
                                    ->points[HL_RANKING_ATTENTION][HL_DISTANCE_EUCLIDEAN][4].precision.mean,
                                  1e-8);
  g_assert_cmpfloat (g_ascii_strtod (row[8], NULL), <=, g_ascii_strtod (row[5], NULL));
  g_assert_cmpfloat (g_ascii_strtod (row[9], NULL), >=, g_ascii_strtod (row[5], NULL));
  g_clear_pointer (&row, g_strfreev);
  /* N = 1 has both queries: 16 head results. */
  row = find_row (model, "attention,euclidean,1,");
  g_assert_cmpstr (row[3], ==, "16");
  g_assert_cmpstr (row[4], ==, "2");

  hl_test_remove_tmp_dir (dir);
}

/* The whole text of a CSV file (tokens.csv has quoted newlines: no line
 * splitting). */
static char *
read_text (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

/* tokens.csv: one row per token of every sample, ids and texts as the file
 * stores them, quoted; written only for a file with tokens, and heads.csv
 * then has empty token fields. */
static void
test_tokens (void)
{
  FixtureShape bare = shape;
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.h5", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *bare_out = g_build_filename (dir, "bare", NULL);
  g_autofree char *bare_tokens = g_build_filename (bare_out, "tokens.csv", NULL);
  g_autoptr(GString) expected = g_string_new (HL_METRICS_CSV_TOKENS_HEADER "\n");
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) heads = NULL;
  g_auto(GStrv) row = NULL;
  HlAnalysisOptions options;

  fixture_write_file (path, &shape);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  hl_analysis_options_init (&options);
  options.head.repeats = 2;
  options.bootstrap = 0;
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hl_metrics_csv_write (analysis, out, &error));
  g_assert_no_error (error);

  /* Written by hand from the fixture's definition. */
  for (int s = 0; s < shape.n_samples; s++)
    for (int i = 0; i < shape.seq_len; i++)
      {
        g_auto(GStrv) parts = g_strsplit (fixture_token_text (i), "\"", -1);
        g_autofree char *quoted = g_strjoinv ("\"\"", parts);

        g_string_append_printf (expected, "%d,%d,%d,\"%s\"\n", s, i, fixture_token_id (s, i),
                                quoted);
      }
  text = read_text (out, "tokens.csv");
  g_assert_cmpstr (text, ==, expected->str);
  g_clear_object (&analysis);
  g_clear_object (&file);

  /* Without tokens: no tokens.csv, empty token fields. */
  bare.with_tokens = FALSE;
  fixture_write_file (path, &bare);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hl_metrics_csv_write (analysis, bare_out, &error));
  g_assert_false (g_file_test (bare_tokens, G_FILE_TEST_EXISTS));
  heads = read_lines (bare_out, "heads.csv");
  row = find_row (heads, "1,0,1,23,0,");
  g_assert_cmpuint (g_strv_length (row), ==, 21);
  g_assert_cmpstr (row[19], ==, "");
  g_assert_cmpstr (row[20], ==, "");

  hl_test_remove_tmp_dir (dir);
}

/* The output folder cannot be created: a clear error, no crash. */
/* model.csv of a file with @n_samples samples and @bootstrap replicates. */
static char **
model_rows (int n_samples,
            int bootstrap)
{
  FixtureShape one = shape;
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.h5", NULL);
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *model = NULL;
  HlAnalysisOptions options;

  one.n_samples = n_samples;
  fixture_write_file (path, &one);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  hl_analysis_options_init (&options);
  options.head.repeats = 2;
  options.bootstrap = bootstrap;
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  model = hl_metrics_csv_model (hl_analysis_get_summary (analysis));
  hl_test_remove_tmp_dir (dir);
  return g_strsplit (model, "\n", -1);
}

/* An interval that cannot be computed is left empty, never lo = hi = mean,
 * which would read as no uncertainty. */
static void
test_undefined_interval (void)
{
  g_auto(GStrv) one_sample = model_rows (1, 200);
  g_auto(GStrv) no_replicates = model_rows (2, 0);
  g_auto(GStrv) two_samples = model_rows (2, 200);
  g_auto(GStrv) row = NULL;

  row = find_row (one_sample, "attention,euclidean,4,");
  g_assert_cmpstr (row[4], ==, "1");
  g_assert_cmpstr (row[5], !=, "");
  for (int i = 8; i <= 13; i++)
    g_assert_cmpstr (row[i], ==, "");
  g_clear_pointer (&row, g_strfreev);
  row = find_row (no_replicates, "attention,euclidean,4,");
  g_assert_cmpstr (row[4], ==, "2");
  for (int i = 8; i <= 13; i++)
    g_assert_cmpstr (row[i], ==, "");
  g_clear_pointer (&row, g_strfreev);
  row = find_row (two_samples, "attention,euclidean,4,");
  for (int i = 8; i <= 13; i++)
    g_assert_cmpstr (row[i], !=, "");
}

static void
test_unwritable (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.h5", NULL);
  g_autofree char *blocker = g_build_filename (dir, "blocker", NULL);
  g_autofree char *out = g_build_filename (blocker, "out", NULL);
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  HlAnalysisOptions options;

  fixture_write_file (path, &shape);
  g_assert_true (g_file_set_contents (blocker, "not a folder", -1, NULL));
  file = hl_activations_open (path, &error);
  hl_analysis_options_init (&options);
  options.head.rankings = 1u << HL_RANKING_ATTENTION;
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (hl_metrics_csv_write (analysis, out, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "blocker"));
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/csv/files", test_files);
  g_test_add_func ("/csv/tokens", test_tokens);
  g_test_add_func ("/csv/undefined-interval", test_undefined_interval);
  g_test_add_func ("/csv/unwritable", test_unwritable);
  return g_test_run ();
}
