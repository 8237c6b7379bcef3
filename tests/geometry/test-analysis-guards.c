/* test-analysis-guards.c: an analysis refuses what it cannot do honestly:
 * a file rewritten while it is read, and results that would not fit in
 * the memory budget.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "analysis-fixture.h"
#include "hl-analysis.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static const FixtureShape shape = {
  .n_layers = 3, .n_heads = 4, .n_kv_heads = 2, .head_dim = 8, .seq_len = 48,
  .n_samples = 2, .n_queries = 1, .seed = 11,
};

typedef struct
{
  const char *path;
  gboolean    rewritten;
} Rewrite;

/* At the first progress report, rewrites the file in place: its first
 * byte, written again as it was (the contents stay, its modification time
 * changes), as a tool regenerating the file would. */
static void
rewrite_cb (guint    done,
            guint    total,
            gpointer user_data)
{
  Rewrite *rewrite = user_data;
  char byte;
  int fd;

  if (rewrite->rewritten)
    return;
  /* Past the file system's timestamp granularity. */
  g_usleep (20000);
  fd = g_open (rewrite->path, O_RDWR, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pread (fd, &byte, 1, 0), ==, 1);
  g_assert_cmpint (pwrite (fd, &byte, 1, 0), ==, 1);
  close (fd);
  rewrite->rewritten = TRUE;
}

/* A file rewritten during the run gave results matching neither version,
 * with success; now the run fails naming the file. */
static void
test_rewritten_file_fails (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "acts.h5", NULL);
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  Rewrite rewrite = { path, FALSE };
  HlAnalysisOptions options;

  fixture_write_file (path, &shape);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  hl_analysis_options_init (&options);
  options.threads = 1;
  options.bootstrap = 10;
  analysis = hl_analysis_run (file, &options, rewrite_cb, &rewrite, NULL, &error);
  g_assert_true (rewrite.rewritten);
  g_assert_null (analysis);
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_CHANGED);
  g_assert_nonnull (strstr (error->message, "changed on disk while it was being read"));
  g_clear_error (&error);

  /* Opened again, the new version analyses. */
  g_clear_object (&file);
  file = hl_activations_open (path, &error);
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (analysis);
  hl_test_remove_tmp_dir (dir);
}

/* The estimate grows with what is asked for, and a run that needs more
 * than the budget is refused before it starts. */
static void
test_memory_budget (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "acts.h5", NULL);
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  HlAnalysisOptions options;
  guint64 pow2, all;

  fixture_write_file (path, &shape);
  g_setenv ("HEADLENS_MEMORY_LIMIT", "1M", TRUE);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hl_activations_get_memory_budget (file), ==, 1 << 20);
  hl_analysis_options_init (&options);
  options.threads = 1;
  pow2 = hl_analysis_estimate_memory (file, &options);
  options.head.grid_kind = HL_GRID_ALL;
  all = hl_analysis_estimate_memory (file, &options);
  g_assert_cmpuint (all, >, pow2);
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
  g_assert_null (analysis);
  g_assert_error (error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_MEMORY);
  g_assert_nonnull (strstr (error->message, "more than the budget of 1.0"));
  g_clear_error (&error);

  g_setenv ("HEADLENS_MEMORY_LIMIT", "lots", TRUE);
  g_clear_object (&file);
  file = hl_activations_open (path, &error);
  g_assert_null (file);
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_BUDGET);
  g_assert_nonnull (strstr (error->message, "HEADLENS_MEMORY_LIMIT is “lots”"));
  g_unsetenv ("HEADLENS_MEMORY_LIMIT");
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/analysis/guards/rewritten-file-fails", test_rewritten_file_fails);
  g_test_add_func ("/analysis/guards/memory-budget", test_memory_budget);
  return hl_test_run_and_wait ();
}
