/* test-cli-info.c: `headlens-cli info` on a valid file, a file with a
 * warning and broken files. The path of headlens-cli is argv[1].
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "io-test-util.h"

#include <hdf5.h>
#include <string.h>
#include <sys/wait.h>

static const char *cli_path;

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliRun;

static void
cli_run_clear (CliRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliRun, cli_run_clear)

static void
run_info (const char *file,
          CliRun     *run)
{
  const char *argv[] = { cli_path, "info", file, NULL };
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &run->out, &run->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
  g_test_message ("stdout:\n%s\nstderr:\n%s", run->out, run->err);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” does not contain “%s”", haystack, needle);
}

static void
test_valid_file (void)
{
  HlActivationsSpec spec = io_test_small_spec ();
  g_autofree char *dir = io_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "valid.h5", NULL);
  g_auto(CliRun) run = { 0 };

  spec.values_dtype = HL_DTYPE_FLOAT16;
  io_test_write_file (path, &spec, TRUE);
  run_info (path, &run);
  g_assert_cmpint (run.status, ==, 0);
  assert_contains (run.out, "Model:       test-model");
  assert_contains (run.out, "Source:      tests/io");
  assert_contains (run.out, "2 layers, 4 heads, 2 kv heads, head_dim 8, seq_len 16");
  assert_contains (run.out, "Samples:     2");
  assert_contains (run.out, "3 at positions 3, 9, 15");
  assert_contains (run.out, "values float16, attention float32");
  assert_contains (run.out, "query head h reads kv head h / 2");
  assert_contains (run.out, "ids present, texts present");
  assert_contains (run.out, "every block is valid, no warnings");
  g_assert_cmpstr (run.err, ==, "");
  io_test_remove_tmpdir (dir);
}

/* One attention row sums to 1.005: the file is valid, with one warning. */
static void
write_file_with_warning (const char *path)
{
  HlActivationsSpec spec = io_test_small_spec ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivationsWriter) writer = NULL;
  float values[16 * 8];
  float rows[3 * 16];

  spec.with_token_ids = spec.with_token_texts = FALSE;
  writer = hl_activations_writer_new (path, &spec, &error);
  g_assert_no_error (error);
  for (int l = 0; l < 2; l++)
    for (int s = 0; s < 2; s++)
      {
        for (int g = 0; g < 2; g++)
          {
            io_test_fill_values (values, &spec, l, s, g, FALSE);
            g_assert_true (hl_activations_writer_write_values (writer, l, s, g, values, &error));
          }
        for (int h = 0; h < 4; h++)
          {
            io_test_fill_attention (rows, &spec, l, s, h, TRUE);
            if (l == 1 && s == 0 && h == 3)
              rows[0] += 0.005f;
            g_assert_true (hl_activations_writer_write_attention (writer, l, s, h, rows, &error));
          }
      }
  g_assert_true (hl_activations_writer_commit (writer, &error));
}

static void
test_warning (void)
{
  g_autofree char *dir = io_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "warn.h5", NULL);
  g_auto(CliRun) run = { 0 };

  write_file_with_warning (path);
  run_info (path, &run);
  g_assert_cmpint (run.status, ==, 0);
  assert_contains (run.out, "ids absent, texts absent");
  assert_contains (run.out, "every block is valid, 1 warning:");
  assert_contains (run.out, "layer 1, sample 0, head 3, query position 3, sums to 1.005");
  io_test_remove_tmpdir (dir);
}

static void
test_not_hdf5 (void)
{
  g_autofree char *dir = io_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "notes.txt", NULL);
  g_auto(CliRun) run = { 0 };

  g_assert_true (g_file_set_contents (path, "not an activation file\n", -1, NULL));
  run_info (path, &run);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  assert_contains (run.err, "headlens-cli: ");
  assert_contains (run.err, "notes.txt");
  assert_contains (run.err, "is not a readable HDF5 file");
  io_test_remove_tmpdir (dir);
}

/* Overwrites the attention rows of layer 0, sample 0, head 0 with zeros. */
static void
zero_attention_block (const char              *path,
                      const HlActivationsSpec *spec)
{
  hid_t file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t dset = H5Dopen2 (file, "/attention", H5P_DEFAULT);
  hid_t fspace = H5Dget_space (dset);
  hsize_t start[5] = { 0, 0, 0, 0, 0 };
  hsize_t count[5] = { 1, 1, 1, spec->n_queries, spec->seq_len };
  hid_t mspace = H5Screate_simple (5, count, NULL);
  g_autofree float *zeros = g_new0 (float, (gsize) spec->n_queries * spec->seq_len);

  g_assert_cmpint (H5Sselect_hyperslab (fspace, H5S_SELECT_SET, start, NULL, count, NULL), >=, 0);
  g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_FLOAT, mspace, fspace, H5P_DEFAULT, zeros), >=, 0);
  H5Sclose (mspace);
  H5Sclose (fspace);
  H5Dclose (dset);
  H5Fclose (file);
}

/* A file whose header is fine but whose blocks are not: the header is
 * printed, then validation fails with the message naming the block. */
static void
test_bad_block (void)
{
  g_autofree char *dir = io_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "bad.h5", NULL);
  HlActivationsSpec spec = io_test_small_spec ();
  g_auto(CliRun) run = { 0 };

  io_test_write_file (path, &spec, FALSE);
  zero_attention_block (path, &spec);
  run_info (path, &run);
  g_assert_cmpint (run.status, ==, 1);
  assert_contains (run.out, "Model:       test-model");
  assert_contains (run.out, "Validation:  failed");
  assert_contains (run.err, "/attention of layer 0, sample 0, head 0, query position 3, "
                            "sums to 0, expected 1 within 0.01");
  io_test_remove_tmpdir (dir);
}

/* A file whose blocks were never written claims data it does not hold: it
 * is refused before anything is printed or allocated from its shape. */
static void
test_unwritten_blocks (void)
{
  g_autofree char *dir = io_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "empty.h5", NULL);
  HlActivationsSpec spec = io_test_small_spec ();
  g_autoptr(HlActivationsWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(CliRun) run = { 0 };

  writer = hl_activations_writer_new (path, &spec, &error);
  g_assert_true (hl_activations_writer_commit (writer, &error));
  g_assert_no_error (error);
  run_info (path, &run);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_null (strstr (run.out, "Model:"));
  assert_contains (run.err, "Dataset /values holds 4.0");
  assert_contains (run.err, "stores 0 bytes of it (0 of its 8 chunks): the file claims more "
                            "data than it holds");
  io_test_remove_tmpdir (dir);
}

static void
test_usage (void)
{
  const char *argv[] = { cli_path, "info", NULL };
  g_autofree char *err = NULL;
  int wait_status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &wait_status, NULL));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 2);
  assert_contains (err, "expected one activation file");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  cli_path = argv[1];

  g_test_add_func ("/cli/info/valid-file", test_valid_file);
  g_test_add_func ("/cli/info/warning", test_warning);
  g_test_add_func ("/cli/info/not-hdf5", test_not_hdf5);
  g_test_add_func ("/cli/info/bad-block", test_bad_block);
  g_test_add_func ("/cli/info/unwritten-blocks", test_unwritten_blocks);
  g_test_add_func ("/cli/info/usage", test_usage);
  return g_test_run ();
}
