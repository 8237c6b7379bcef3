/* test-cli-bench.c: `headlens-cli bench` on a tiny model, as a user runs
 * it: every figure the benchmark reports is printed, the best of the runs
 * is not slower than their median and worst, and bad options are refused.
 * Nothing here is timed against a limit. argv[1] is the executable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "hl-test-util.h"

static const char *cli_path;

/* The line of @out that starts with @label. */
static const char *
line_of (const char *out,
         const char *label)
{
  const char *line = strstr (out, label);

  g_assert_nonnull (line);
  return line + strlen (label);
}

static void
test_report (void)
{
  g_auto(HlTestRun) run = { 0 };
  double best, median, worst, ratio, ratio_median;
  const char *analysis;

  hl_test_run (&run, cli_path, "bench", "--layers", "2", "--heads", "2", "--seq-len", "256",
               "--head-dim", "32", "--samples", "1", "--peak-size", "64", "--runs", "3",
               "--reference-heads", "1", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (line_of (run.out, "Heads analysed:"), "4 (2 layers x 2 heads x 1 samples"));
  g_assert_nonnull (strstr (line_of (run.out, "Read every block:"), "(best of 3 runs; median"));
  g_assert_nonnull (strstr (line_of (run.out, "SGEMM peak (64^3,"),
                            "(best of 3 measurements, one before each analysis run; median"));
  analysis = line_of (run.out, "Analysis wall time:");
  g_assert_cmpint (sscanf (analysis, " %lf s (best of 3 runs; median %lf s, worst %lf s)",
                           &best, &median, &worst), ==, 3);
  g_assert_cmpfloat (best, >=, 0.0);
  g_assert_cmpfloat (best, <=, median);
  g_assert_cmpfloat (median, <=, worst);
  g_assert_nonnull (strstr (line_of (run.out, "Analysis CPU time:"), "ms a head"));
  g_assert_nonnull (strstr (line_of (run.out, "Distance GEMM work:"), "GFLOP/s over the wall time"));
  g_assert_cmpint (sscanf (strstr (line_of (run.out, "Read + GEMM at peak:"), "= "),
                           "= %lf (target <= 2; median runs %lf)", &ratio, &ratio_median), ==, 2);
  g_assert_cmpfloat (ratio, >=, 0.0);
  g_assert_cmpfloat (ratio_median, >=, 0.0);
  g_assert_nonnull (strstr (line_of (run.out, "Speed-up over the reference:"), "x wall-clock (target >= 20"));
  /* The command a user runs, timed as a new process next to the analysis. */
  g_assert_cmpint (sscanf (line_of (run.out, "End to end:"),
                           " %lf s (headlens-cli analyze in a new process: start, analysis, CSV "
                           "files and provenance.json; best of 3 runs; median %lf s)",
                           &best, &median), ==, 2);
  g_assert_cmpfloat (best, >, 0.0);
  g_assert_cmpfloat (best, <=, median);
  g_assert_nonnull (strstr (line_of (run.out, "End to end:"), "for the analysis above and"));
  /* The first run, and which runs hashed the file for provenance.json. */
  g_assert_cmpint (sscanf (line_of (run.out, "First end-to-end run:"), " %lf s (", &ratio), ==, 1);
  g_assert_cmpfloat (ratio, >=, best);
  g_assert_nonnull (strstr (line_of (run.out, "First end-to-end run:"), "hashed the file"));
  /* Its ratios to the analysis and the one-second target, and its CPU. */
  g_assert_cmpint (sscanf (line_of (run.out, "End to end / analysis:"),
                           " %lf wall time, %lf CPU time (%lf s of CPU in the process",
                           &ratio, &ratio_median, &best), ==, 3);
  g_assert_cmpfloat (ratio, >, 0.0);
  g_assert_cmpfloat (ratio_median, >, 0.0);
  g_assert_cmpfloat (best, >, 0.0);
  g_assert_nonnull (strstr (line_of (run.out, "End to end / analysis:"),
                            "end to end / 1 s = "));
  g_assert_cmpuint (strlen (line_of (run.out, "OpenBLAS kernels:")), >, 2);
}

/* Several query positions: each a head result. */
static void
test_queries (void)
{
  g_auto(HlTestRun) run = { 0 };

  hl_test_run (&run, cli_path, "bench", "--layers", "1", "--heads", "2", "--seq-len", "128",
               "--head-dim", "16", "--samples", "1", "--peak-size", "64", "--runs", "1",
               "--reference-heads", "1", "--queries", "4", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (line_of (run.out, "Heads analysed:"), "8 (1 layers x 2 heads x 1 samples"));
  hl_test_run_clear (&run);
  hl_test_run (&run, cli_path, "bench", "--seq-len", "128", "--queries", "129", NULL);
  g_assert_cmpint (run.status, ==, 2);
}

static void
test_bad_options (void)
{
  g_auto(HlTestRun) run = { 0 };

  hl_test_run (&run, cli_path, "bench", "--runs", "0", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--runs is 0, expected 1 to 1000"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, >=, 2);
  cli_path = argv[1];
  g_test_add_func ("/cli/bench/report", test_report);
  g_test_add_func ("/cli/bench/bad-options", test_bad_options);
  g_test_add_func ("/cli/bench/queries", test_queries);
  return g_test_run ();
}
