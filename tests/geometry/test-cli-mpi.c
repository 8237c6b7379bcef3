/* test-cli-mpi.c: `mpirun -n K headlens-cli analyze` writes the same CSV
 * files, byte for byte, as one process; a rank whose file is damaged fails
 * the run, which names the rank and the file and writes nothing.
 * argv[1] is headlens-cli, argv[2] mpirun.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <unistd.h>

#include "analysis-fixture.h"

static const char *cli_path;
static const char *mpirun_path;

static const int queries[] = { 15, 31 };
static const FixtureShape shape = {
  .n_layers = 2, .n_heads = 4, .n_kv_heads = 2, .head_dim = 8, .seq_len = 32,
  .n_samples = 2, .n_queries = 2, .query_positions = queries, .seed = 31,
};

static const char * const csv_names[] = { "curves.csv", "heads.csv", "model.csv",
                                          "assumptions.csv", "documents.csv", NULL };

static void
write_files (const char *dir,
             char      **paths)
{
  for (int i = 0; i < 2; i++)
    {
      FixtureShape s = shape;
      g_autofree char *name = g_strdup_printf ("part-%d.h5", i);

      s.seed += i;
      paths[i] = g_build_filename (dir, name, NULL);
      fixture_write_file (paths[i], &s);
    }
}

/* Two files of two samples: 2 ranks take a file each, 3 ranks split
 * unevenly (1, 1, 2 documents), 5 ranks leave one without work. */
static void
test_same_bytes (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *single = g_build_filename (dir, "single", NULL);
  char *paths[2];
  const int ranks[] = { 2, 3, 5 };
  g_auto(HlTestRun) run = { 0 };

  write_files (dir, paths);
  hl_test_run (&run, cli_path, "analyze", paths[0], paths[1], "-o", single, "--repeats", "4",
               "--bootstrap", "300", NULL);
  g_assert_cmpint (run.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (ranks); i++)
    {
      g_autofree char *name = g_strdup_printf ("ranks-%d", ranks[i]);
      g_autofree char *out = g_build_filename (dir, name, NULL);

      hl_test_run_clear (&run);
      hl_test_run_ranks (&run, mpirun_path, ranks[i], cli_path, "analyze", paths[0], paths[1],
                         "-o", out, "--repeats", "4", "--bootstrap", "300", NULL);
      if (run.status != 0)
        g_error ("mpirun -n %d failed: %s", ranks[i], run.err);
      fixture_assert_same_files (single, out, csv_names, "the one-process run");
      /* Rank 0 alone prints the verdict. */
      g_assert_nonnull (strstr (run.out, "The taxonomy"));
      g_assert_null (strstr (strstr (run.out, "The taxonomy") + 1, "The taxonomy"));
    }
  g_free (paths[0]);
  g_free (paths[1]);
  hl_test_remove_tmp_dir (dir);
}

/* Rank 1 reads the second file, whose block is damaged. */
static void
test_failing_rank (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *expected = NULL;
  char *paths[2];
  g_auto(HlTestRun) run = { 0 };

  write_files (dir, paths);
  fixture_damage_values (paths[1], 0, 1, 1, 2);
  hl_test_run_ranks (&run, mpirun_path, 2, cli_path, "analyze", paths[0], paths[1], "-o", out,
                     "--repeats", "2", NULL);
  g_assert_cmpint (run.status, !=, 0);
  expected = g_strdup_printf ("“%s” (its sample 1, sample 3 of the corpus): /values of layer 0, "
                              "sample 1, kv head 1 is nan", paths[1]);
  if (strstr (run.err, "headlens-cli: rank 1 on ") == NULL || strstr (run.err, expected) == NULL)
    g_error ("expected rank 1 and “%s” in: %s", expected, run.err);
  /* Said once, by rank 0; nothing written. */
  g_assert_null (strstr (strstr (run.err, expected) + 1, expected));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_free (paths[0]);
  g_free (paths[1]);
  hl_test_remove_tmp_dir (dir);
}

/* Other commands would run whole on every rank: refused. */
static void
test_other_commands (void)
{
  g_auto(HlTestRun) run = { 0 };

  hl_test_run_ranks (&run, mpirun_path, 2, cli_path, "synth", "-o", "/nonexistent/x.h5", NULL);
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "synth cannot split its work across MPI ranks"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 3);
  cli_path = argv[1];
  mpirun_path = argv[2];
  hl_test_prepare_mpirun ();

  g_test_add_func ("/cli/mpi/same-bytes", test_same_bytes);
  g_test_add_func ("/cli/mpi/failing-rank", test_failing_rank);
  g_test_add_func ("/cli/mpi/other-commands", test_other_commands);
  return g_test_run ();
}
