/* test-cli-mpi.c: `mpirun -n K headlens-cli extract --corpus` writes one
 * shard per rank whose samples, in order, are those of the one-process
 * extraction, block for block; a corpus with fewer documents than ranks is
 * refused and nothing is written. argv[1] is headlens-cli, argv[2] mpirun.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-activations.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static const char *cli_path;
static const char *mpirun_path;

static void
write_document (const char *dir,
                const char *name,
                int         words)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  for (int i = 0; i < words; i++)
    g_string_append_printf (text, "%s%d ", name, i);
  test_write_file (path, text->str, text->len);
}

static void
assert_same_blocks (HlActivations *expected,
                    HlActivations *found)
{
  const HlActivationsInfo *a = hl_activations_get_info (expected);
  const HlActivationsInfo *b = hl_activations_get_info (found);
  gsize n_values = (gsize) a->seq_len * a->head_dim, n_rows = (gsize) a->n_queries * a->seq_len;
  g_autofree float *va = g_new (float, n_values), *vb = g_new (float, n_values);
  g_autofree float *ra = g_new (float, n_rows), *rb = g_new (float, n_rows);
  g_autofree int32_t *ta = g_new (int32_t, a->seq_len), *tb = g_new (int32_t, a->seq_len);

  g_assert_cmpint (a->n_samples, ==, b->n_samples);
  g_assert_cmpint (a->n_layers, ==, b->n_layers);
  for (int s = 0; s < a->n_samples; s++)
    {
      g_assert_true (hl_activations_read_token_ids (expected, s, ta, NULL));
      g_assert_true (hl_activations_read_token_ids (found, s, tb, NULL));
      g_assert_cmpmem (ta, a->seq_len * sizeof (int32_t), tb, a->seq_len * sizeof (int32_t));
      for (int l = 0; l < a->n_layers; l++)
        {
          for (int g = 0; g < a->n_kv_heads; g++)
            {
              g_assert_true (hl_activations_read_values (expected, l, s, g, va, NULL));
              g_assert_true (hl_activations_read_values (found, l, s, g, vb, NULL));
              g_assert_cmpmem (va, n_values * sizeof (float), vb, n_values * sizeof (float));
            }
          for (int h = 0; h < a->n_heads; h++)
            {
              g_assert_true (hl_activations_read_attention (expected, l, s, h, ra, NULL));
              g_assert_true (hl_activations_read_attention (found, l, s, h, rb, NULL));
              g_assert_cmpmem (ra, n_rows * sizeof (float), rb, n_rows * sizeof (float));
            }
        }
    }
}

/* Five documents, one too short: two ranks write two shards of two
 * samples each, which read as one corpus like the one-process file. */
static void
test_shards (void)
{
  g_autofree char *model = test_write_hf_model ("gpt2");
  g_autofree char *corpus = NULL, *single = NULL, *out = NULL, *first = NULL, *second = NULL;
  g_autoptr(HlActivations) whole = NULL;
  g_autoptr(HlActivations) shards = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(HlTestRun) run = { 0 };
  const char *names[] = { "a.txt", "b.txt", "c.txt", "d.txt", "e.txt" };
  const int words[] = { 40, 30, 3, 25, 35 };

  if (model == NULL)
    return;
  corpus = g_build_filename (model, "docs", NULL);
  g_assert_cmpint (g_mkdir (corpus, 0700), ==, 0);
  for (int i = 0; i < 5; i++)
    write_document (corpus, names[i], words[i]);
  single = g_build_filename (model, "single.h5", NULL);
  out = g_build_filename (model, "out.h5", NULL);
  hl_test_run (&run, cli_path, "extract", "--model", model, "--corpus", corpus, "--seq-len", "16",
               "--queries", "7,15", "-o", single, NULL);
  g_assert_cmpint (run.status, ==, 0);
  hl_test_run_clear (&run);
  hl_test_run_ranks (&run, mpirun_path, 2, cli_path, "extract", "--model", model, "--corpus", corpus,
                     "--seq-len", "16", "--queries", "7,15", "-o", out, NULL);
  if (run.status != 0)
    g_error ("mpirun extract failed: %s", run.err);
  first = g_build_filename (model, "out-00001-of-00002.h5", NULL);
  second = g_build_filename (model, "out-00002-of-00002.h5", NULL);
  g_assert_nonnull (strstr (run.out, "2 shards, one per MPI rank"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  whole = hl_activations_open (single, &error);
  g_assert_no_error (error);
  shards = hl_activations_open_corpus ((const char *[]) { first, second }, 2,
                                       HL_ACTIVATIONS_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hl_activations_get_info (hl_activations_get_file (shards, 0))->n_samples, ==, 2);
  assert_same_blocks (whole, shards);
  g_clear_object (&whole);
  g_clear_object (&shards);

  /* Five ranks for four usable documents: refused by all, nothing left. */
  hl_test_run_clear (&run);
  g_unlink (first);
  g_unlink (second);
  hl_test_run_ranks (&run, mpirun_path, 5, cli_path, "extract", "--model", model, "--corpus", corpus,
                     "--seq-len", "16", "-o", out, NULL);
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "the corpus has 4 documents with a window for 5 shards"));
  g_assert_false (g_file_test (first, G_FILE_TEST_EXISTS));
  hl_test_remove_tmp_dir (model);
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

  g_test_add_func ("/extract/cli/mpi-shards", test_shards);
  return g_test_run ();
}
