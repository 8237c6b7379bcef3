/* test-cli-analyze.c: `headlens-cli analyze` as a user runs it: exit codes,
 * the files it writes, and its error messages. argv[1] is the executable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis-fixture.h"
#include "hl-length-sweep.h"
#include "hl-metrics-csv.h"

static const char *cli_path;

static const FixtureShape shape = {
  .n_layers = 2, .n_heads = 2, .n_kv_heads = 2, .head_dim = 8, .seq_len = 20,
  .n_samples = 2, .n_queries = 1, .seed = 4,
};

/* Runs the CLI with @args (NULL-terminated); returns the exit status and
 * stores stderr in @err. */
static int
run_cli (char       **err,
         const char  *first,
         ...)
{
  g_auto(HlTestRun) run = { 0 };
  g_autoptr(GPtrArray) argv = NULL;
  va_list args;

  va_start (args, first);
  argv = hl_test_argv_new (cli_path, first, args);
  va_end (args);
  hl_test_run_argv (&run, (const char * const *) argv->pdata);
  *err = g_steal_pointer (&run.err);
  return run.status;
}

static char *
first_line (const char *dir,
            const char *name,
            guint      *n_lines)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  *n_lines = g_strv_length (lines) - 1;  /* the text ends with a newline */
  return g_strdup (lines[0]);
}

static void
test_analyze (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.h5", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.h5", NULL);
  g_autofree char *err = NULL;
  g_autofree char *header = NULL;
  g_autofree char *heads_header = hl_metrics_csv_header (HL_METRIC_TABLE_HEADS);
  g_autofree char *curves_header = hl_metrics_csv_header (HL_METRIC_TABLE_CURVES);
  guint n_lines;

  fixture_write_file (path, &shape);
  g_assert_cmpint (run_cli (&err, "analyze", path, "--out", out, "--repeats", "2",
                            "--bootstrap", "50", "--threads", "2", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  header = first_line (out, "heads.csv", &n_lines);
  g_assert_cmpstr (header, ==, heads_header);
  g_assert_cmpuint (n_lines, ==, 1 + 2 * 2 * 2);
  g_clear_pointer (&header, g_free);
  header = first_line (out, "curves.csv", &n_lines);
  g_assert_cmpstr (header, ==, curves_header);
  /* Grid 1, 2, 4, 8, 16 below t + 1 = 20; 3 rankings x 2 distances. */
  g_assert_cmpuint (n_lines, ==, 1 + 8 * 6 * 5);
  g_clear_pointer (&header, g_free);
  header = first_line (out, "model.csv", &n_lines);
  g_assert_cmpstr (header, ==, HL_METRICS_CSV_MODEL_HEADER);
  g_assert_cmpuint (n_lines, ==, 1 + 6 * 5);
  g_clear_pointer (&header, g_free);
  /* 7 model rows, then 6 for each of the 4 heads. */
  header = first_line (out, "assumptions.csv", &n_lines);
  g_assert_cmpstr (header, ==, HL_ASSUMPTIONS_CSV_HEADER);
  g_assert_cmpuint (n_lines, ==, 1 + 7 + 4 * 6);
  g_clear_pointer (&header, g_free);

  /* Subsets and a restricted selection. */
  g_assert_cmpint (run_cli (&err, "analyze", path, "--out", out, "--layers", "1",
                            "--heads", "0-1", "--rankings", "attention", "--distances",
                            "cosine", "--grid", "3,5", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  header = first_line (out, "curves.csv", &n_lines);
  g_assert_cmpuint (n_lines, ==, 1 + 1 * 2 * 2 * 2);

  /* Usage errors exit with 2, failures with 1, with a message. */
  g_assert_cmpint (run_cli (&err, "analyze", path, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--out"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "analyze", path, "--out", out, "--grid", "pow3", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "pow3"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "analyze", missing, "--out", out, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "missing.h5"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "analyze", path, "--out", out, "--layers", "5", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Layer 5"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "analyze", "--help", NULL), ==, 0);

  hl_test_remove_tmp_dir (dir);
}

/* The verdict printed is the one written to assumptions.csv. */
static void
test_verdict (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.h5", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *csv_path = g_build_filename (out, "assumptions.csv", NULL);
  g_autofree char *csv = NULL;
  g_auto(HlTestRun) run = { 0 };

  fixture_write_file (path, &shape);
  hl_test_run (&run, cli_path, "analyze", path, "--out", out, "--bootstrap", "0", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "The taxonomy "));
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  if (g_str_has_prefix (run.out, "The taxonomy applies."))
    g_assert_nonnull (strstr (csv, "\nmodel,,,taxonomy,applies,,true\n"));
  else if (g_str_has_prefix (run.out, "The taxonomy applies only in part"))
    g_assert_nonnull (strstr (csv, "\nmodel,,,taxonomy,partly,,false\n"));
  else
    {
      g_assert_true (g_str_has_prefix (run.out, "The taxonomy does not apply"));
      g_assert_nonnull (strstr (csv, "\nmodel,,,taxonomy,does-not-apply,,false\n"));
    }
  /* Nothing was planted in this file. */
  g_assert_null (strstr (run.out, "Synthetic file"));
  hl_test_remove_tmp_dir (dir);
}

/* How many rows of heads.csv in @out have the regime planted in their
 * head (/synth/regime of @path), and how many rows have one planted. */
static void
count_planted (const char *path,
               const char *out,
               int        *n_agree,
               int        *n_planted)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) file = hl_activations_open (path, &error);
  g_autofree char *csv_path = g_build_filename (out, "heads.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree int32_t *truth = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  gsize n_truth;
  int n_heads;

  g_assert_no_error (error);
  n_heads = hl_activations_get_info (file)->n_heads;
  truth = hl_activations_read_int_dataset (file, "/synth/regime", &n_truth, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv_path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  header = g_strsplit (lines[0], ",", -1);
  g_assert_cmpstr (header[0], ==, "layer");
  g_assert_cmpstr (header[1], ==, "head");
  g_assert_cmpstr (header[16], ==, "regime");
  *n_agree = *n_planted = 0;
  for (int i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ",", 18);
      int pattern = truth[atoi (fields[0]) * n_heads + atoi (fields[1])];
      HlRegime regime;

      g_assert_true (hl_regime_from_string (fields[16], &regime));
      if (pattern < 0)
        continue;
      (*n_planted)++;
      *n_agree += (int) regime == pattern;
    }
}

/* A synthetic file's planted patterns are disclosed with the number of
 * heads.csv rows whose regime is the planted one; a profile ablation
 * plants none and says nothing. */
static void
test_planted (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "s.h5", NULL);
  g_autofree char *flat = g_build_filename (dir, "u.h5", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *expected = NULL;
  g_auto(HlTestRun) synth = { 0 };
  g_auto(HlTestRun) run = { 0 };
  g_auto(HlTestRun) synth_flat = { 0 };
  g_auto(HlTestRun) ablation = { 0 };
  int n_agree, n_planted;

  hl_test_run (&synth, cli_path, "synth", "-o", path, "--layers", "6", "--heads", "4",
               "--kv-heads", "2", "--head-dim", "16", "--seq-len", "128", "--samples", "2",
               "--seed", "3", NULL);
  g_assert_cmpint (synth.status, ==, 0);
  hl_test_run (&run, cli_path, "analyze", path, "--out", out, "--bootstrap", "0", NULL);
  g_assert_cmpint (run.status, ==, 0);
  count_planted (path, out, &n_agree, &n_planted);
  g_assert_cmpint (n_planted, ==, 6 * 4 * 2);
  expected = g_strdup_printf ("\nSynthetic file: its generator planted the heads' regime "
                              "patterns (/synth/regime), so they are the input, not a "
                              "finding; the rule names the planted pattern for %d of %d "
                              "results.\n", n_agree, n_planted);
  g_assert_nonnull (strstr (run.out, expected));

  hl_test_run (&synth_flat, cli_path, "synth", "-o", flat, "--layers", "2", "--heads", "2",
               "--head-dim", "16", "--seq-len", "64", "--profile", "uniform", NULL);
  g_assert_cmpint (synth_flat.status, ==, 0);
  hl_test_run (&ablation, cli_path, "analyze", flat, "--out", out, "--bootstrap", "0", NULL);
  g_assert_cmpint (ablation.status, ==, 0);
  g_assert_null (strstr (ablation.out, "Synthetic file"));
  hl_test_remove_tmp_dir (dir);
}

/* --window: sweep.csv beside the other files (one row per window,
 * ranking, distance and N), a line per window on the standard output; a
 * window without its query is refused with the positions there are. */
static void
test_window (void)
{
  static const int positions[] = { 9, 19, 39 };
  FixtureShape three = shape;
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.h5", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *header = NULL;
  g_auto(HlTestRun) run = { 0 };
  g_auto(HlTestRun) bad = { 0 };
  guint n_lines;

  three.seq_len = 40;
  three.n_queries = 3;
  three.query_positions = positions;
  fixture_write_file (path, &three);
  hl_test_run (&run, cli_path, "analyze", path, "--out", out, "--bootstrap", "0", "--rankings",
               "attention", "--distances", "euclidean", "--window", "40,10", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\nL = 10: 8 head results, mean Δ₁/B "));
  g_assert_nonnull (strstr (run.out, "\nL = 40: 8 head results, mean Δ₁/B "));
  g_assert_null (strstr (run.out, "L = 20"));
  header = first_line (out, "sweep.csv", &n_lines);
  g_assert_cmpstr (header, ==, HL_LENGTH_SWEEP_CSV_HEADER);
  /* Grids 1..8 (4 N) and 1..32 (6 N), one ranking and distance. */
  g_assert_cmpuint (n_lines, ==, 1 + 4 + 6);

  hl_test_run (&bad, cli_path, "analyze", path, "--out", out, "--window", "64", NULL);
  g_assert_cmpint (bad.status, ==, 1);
  g_assert_nonnull (strstr (bad.err, "position 63"));
  g_assert_nonnull (strstr (bad.err, "9, 19, 39"));
  hl_test_remove_tmp_dir (dir);
}

/* `assumptions FILE...`: one column per file, the CSV with 7 rows per
 * file; stories260K does not apply; usage errors exit 2, unreadable files
 * and an output that is an input exit 1. */
static void
test_assumptions_command (void)
{
  const char *shared = g_getenv ("HL_TEST_SHARED_DIR");
  g_autofree char *stories = g_build_filename (shared != NULL ? shared : "../shared", "models",
                                               "stories260K", "reference.h5", NULL);
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *a = g_build_filename (dir, "a.h5", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "table.csv", NULL);
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean have_stories = g_file_test (stories, G_FILE_TEST_EXISTS);
  g_auto(HlTestRun) run = { 0 };
  g_auto(HlTestRun) none = { 0 };
  g_auto(HlTestRun) missing = { 0 };
  g_auto(HlTestRun) bad = { 0 };
  g_auto(HlTestRun) clobber = { 0 };

  fixture_write_file (a, &shape);
  hl_test_run (&run, cli_path, "assumptions", a, have_stories ? stories : a, "-o", csv_path, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "check "));
  g_assert_nonnull (strstr (run.out, "\ncorr_recall_rho0 "));
  g_assert_nonnull (strstr (run.out, "\ntaxonomy "));
  if (have_stories)
    g_assert_nonnull (strstr (run.out, "does-not-apply"));
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "file,check,value,threshold,holds");
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 2 * 7 + 1);
  if (have_stories)
    {
      g_autofree char *row = g_strdup_printf ("\"%s\",taxonomy,does-not-apply,,false", stories);

      g_assert_nonnull (strstr (csv, row));
    }

  hl_test_run (&none, cli_path, "assumptions", NULL);
  g_assert_cmpint (none.status, ==, 2);
  hl_test_run (&missing, cli_path, "assumptions", a, "nothing-here.h5", NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "nothing-here.h5"));
  hl_test_run (&bad, cli_path, "assumptions", a, "--cv-limit", "-1", NULL);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_nonnull (strstr (bad.err, "cv-limit"));
  hl_test_run (&clobber, cli_path, "assumptions", a, "-o", a, NULL);
  g_assert_cmpint (clobber.status, ==, 1);
  g_assert_true (g_file_test (a, G_FILE_TEST_EXISTS));
  hl_test_remove_tmp_dir (dir);
}

/* The count of rows of heads.csv in @dir whose regime is @regime. */
static guint
count_regime (const char *dir,
              const char *regime)
{
  g_autofree char *path = g_build_filename (dir, "heads.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree char *field = g_strdup_printf (",%s,", regime);
  guint count = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  for (const char *p = strstr (text, field); p != NULL; p = strstr (p + 1, field))
    count++;
  return count;
}

/* Every threshold of the regime rule is an option: each is refused out of
 * its range, naming it, and a looser retriever rule makes more retrievers. */
static void
test_thresholds (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.h5", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *loose = g_build_filename (dir, "loose", NULL);
  g_autofree char *err = NULL;

  fixture_write_file (path, &shape);
  for (int i = 0; i < HL_REGIME_N_THRESHOLDS + HL_ASSUMPTION_N_THRESHOLDS; i++)
    {
      const char *name = i < HL_REGIME_N_THRESHOLDS
                         ? hl_regime_threshold_infos ()[i].name
                         : hl_assumption_threshold_infos ()[i - HL_REGIME_N_THRESHOLDS].name;
      g_autofree char *option = g_strdup_printf ("--%s", name);

      g_assert_cmpint (run_cli (&err, "analyze", path, "--out", out, option, "1000", NULL), ==, 2);
      g_assert_nonnull (strstr (err, name));
      g_clear_pointer (&err, g_free);
    }
  g_assert_cmpint (run_cli (&err, "analyze", path, "--out", out, NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "analyze", path, "--out", loose, "--retriever-share", "0",
                            "--retriever-fraction", "0", NULL), ==, 0);
  /* With both at 0 every head with a grid and a last token is a retriever. */
  g_assert_cmpuint (count_regime (loose, "retriever"), ==, 8);
  g_assert_cmpuint (count_regime (out, "retriever"), <, 8);

  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: test-cli-analyze PATH-TO-HEADLENS-CLI");
  cli_path = argv[1];
  g_test_add_func ("/cli/analyze", test_analyze);
  g_test_add_func ("/cli/analyze/thresholds", test_thresholds);
  g_test_add_func ("/cli/analyze/verdict", test_verdict);
  g_test_add_func ("/cli/analyze/planted", test_planted);
  g_test_add_func ("/cli/analyze/window", test_window);
  g_test_add_func ("/cli/assumptions", test_assumptions_command);
  return g_test_run ();
}
