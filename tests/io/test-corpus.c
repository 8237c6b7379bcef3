/* test-corpus.c: several activation files read as one corpus: every block,
 * token and dataset of sample s of the corpus is that of the file holding
 * it, folders and list files name the same corpus, and one file is just a
 * file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "io-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct
{
  char *dir;
  char *paths[3];
  int   n_samples[3];
} Corpus;

static void
corpus_clear (Corpus *c)
{
  io_test_remove_tmpdir (c->dir);
  g_free (c->dir);
  for (int i = 0; i < 3; i++)
    g_free (c->paths[i]);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Corpus, corpus_clear)

/* Three files of the small shape with 2, 1 and 3 samples; the first two
 * float32, the last float16 (blocks are read as each file stores them). */
static void
corpus_write (Corpus *c)
{
  const char *names[] = { "b-first.h5", "c-second.h5", "d-third.hdf5" };
  const int samples[] = { 2, 1, 3 };

  c->dir = io_test_make_tmpdir ();
  for (int i = 0; i < 3; i++)
    {
      HlActivationsSpec spec = io_test_small_spec ();

      spec.n_samples = samples[i];
      spec.values_dtype = i == 2 ? HL_DTYPE_FLOAT16 : HL_DTYPE_FLOAT32;
      c->paths[i] = g_build_filename (c->dir, names[i], NULL);
      c->n_samples[i] = samples[i];
      io_test_write_file (c->paths[i], &spec, TRUE);
    }
}

static void
assert_reads_like_files (HlActivations *corpus,
                         const Corpus  *c)
{
  const HlActivationsInfo *info = hl_activations_get_info (corpus);
  HlActivationsSpec spec = io_test_small_spec ();
  gsize n_values = (gsize) spec.seq_len * spec.head_dim;
  g_autofree float *values = g_new (float, n_values);
  g_autofree float *expected = g_new (float, n_values);
  g_autofree float *rows = g_new (float, (gsize) spec.n_queries * spec.seq_len);
  g_autofree float *expected_rows = g_new (float, (gsize) spec.n_queries * spec.seq_len);
  g_autofree gpointer stored = g_malloc (hl_activations_get_values_stored_size (corpus));
  g_autoptr(GError) error = NULL;
  int sample = 0;

  g_assert_cmpint (info->n_samples, ==, 6);
  g_assert_cmpint (hl_activations_get_n_files (corpus), ==, 3);
  for (int f = 0; f < 3; f++)
    {
      g_assert_cmpstr (hl_activations_get_path (hl_activations_get_file (corpus, f)), ==,
                       c->paths[f]);
      for (int s = 0; s < c->n_samples[f]; s++, sample++)
        {
          int file_index, file_sample;
          g_auto(GStrv) texts = hl_activations_read_token_texts (corpus, sample, &error);
          g_autofree char *text = io_test_token_text (s, 5);
          int32_t ids[16];

          g_assert_true (hl_activations_locate_sample (corpus, sample, &file_index, &file_sample));
          g_assert_cmpint (file_index, ==, f);
          g_assert_cmpint (file_sample, ==, s);
          g_assert_cmpint (hl_activations_get_file_first_sample (corpus, f) + s, ==, sample);
          /* The file's own sample s, whatever its number in the corpus. */
          io_test_fill_values (expected, &spec, 1, s, 1, TRUE);
          g_assert_true (hl_activations_read_values (corpus, 1, sample, 1, values, &error));
          g_assert_cmpmem (values, n_values * sizeof (float), expected, n_values * sizeof (float));
          memset (values, 0, n_values * sizeof (float));
          g_assert_true (hl_activations_read_values_stored (corpus, 1, sample, 1, stored, &error));
          g_assert_true (hl_activations_values_from_stored (corpus, 1, sample, 1, stored, values,
                                                            &error));
          g_assert_cmpmem (values, n_values * sizeof (float), expected, n_values * sizeof (float));
          io_test_fill_attention (expected_rows, &spec, 0, s, 3, TRUE);
          g_assert_true (hl_activations_read_attention (corpus, 0, sample, 3, rows, &error));
          g_assert_cmpmem (rows, sizeof (float) * spec.n_queries * spec.seq_len,
                           expected_rows, sizeof (float) * spec.n_queries * spec.seq_len);
          g_assert_nonnull (texts);
          g_assert_cmpstr (texts[5], ==, text);
          g_assert_true (hl_activations_read_token_ids (corpus, sample, ids, &error));
          g_assert_cmpint (ids[7], ==, io_test_token_id (s, 7));
          g_assert_no_error (error);
        }
    }
  g_assert_false (hl_activations_locate_sample (corpus, 6, NULL, NULL));
  g_assert_false (hl_activations_read_values (corpus, 0, 6, 0, values, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_RANGE);
  g_clear_error (&error);
  g_assert_true (hl_activations_validate_all (corpus, &error));
  g_assert_no_error (error);
}

static void
test_files (void)
{
  g_auto(Corpus) c = { 0 };
  g_autoptr(HlActivations) corpus = NULL;
  g_autoptr(GError) error = NULL;

  corpus_write (&c);
  corpus = hl_activations_open_corpus ((const char * const *) c.paths, 3,
                                       HL_ACTIVATIONS_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hl_activations_get_path (corpus), ==, c.paths[0]);
  assert_reads_like_files (corpus, &c);
}

static void
test_folder_and_list (void)
{
  g_auto(Corpus) c = { 0 };
  g_autoptr(HlActivations) from_folder = NULL;
  g_autoptr(HlActivations) from_list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *list = NULL;
  g_autofree char *hidden = NULL;
  g_autofree char *notes = NULL;

  corpus_write (&c);
  /* Neither a hidden file nor a file of another kind is part of the folder. */
  hidden = g_build_filename (c.dir, ".a-hidden.h5", NULL);
  notes = g_build_filename (c.dir, "a-notes.txt", NULL);
  g_assert_true (g_file_set_contents (hidden, "x", 1, NULL));
  g_assert_true (g_file_set_contents (notes, "x", 1, NULL));
  from_folder = hl_activations_open_corpus ((const char *[]) { c.dir }, 1,
                                            HL_ACTIVATIONS_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hl_activations_get_path (from_folder), ==, c.dir);
  assert_reads_like_files (from_folder, &c);

  list = g_build_filename (c.dir, "corpus.list", NULL);
  g_assert_true (g_file_set_contents (list, "# a comment\nb-first.h5\n\n  c-second.h5  \n"
                                      "d-third.hdf5\n", -1, NULL));
  from_list = hl_activations_open_corpus ((const char *[]) { list }, 1,
                                          HL_ACTIVATIONS_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hl_activations_get_path (from_list), ==, list);
  assert_reads_like_files (from_list, &c);
  g_assert_cmpstr (hl_activations_get_path (hl_activations_get_file (from_list, 1)), ==,
                   c.paths[1]);
}

static void
test_single_file (void)
{
  g_auto(Corpus) c = { 0 };
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(GError) error = NULL;
  int index = -1, sample = -1;

  corpus_write (&c);
  file = hl_activations_open_corpus ((const char * const *) c.paths + 2, 1,
                                     HL_ACTIVATIONS_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hl_activations_get_n_files (file), ==, 1);
  g_assert_true (hl_activations_get_file (file, 0) == file);
  g_assert_true (hl_activations_locate_sample (file, 2, &index, &sample));
  g_assert_cmpint (index, ==, 0);
  g_assert_cmpint (sample, ==, 2);
}

/* Datasets that are not per sample are the corpus's only when every file
 * has the same; a corpus mixing models of one shape opens with a warning
 * that names both. */
static void
test_datasets_and_warnings (void)
{
  g_auto(Corpus) c = { 0 };
  g_autoptr(HlActivations) corpus = NULL;
  g_autoptr(HlActivations) mixed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree int32_t *data = NULL;
  g_autofree char *other = NULL;
  HlActivationsSpec spec = io_test_small_spec ();
  GPtrArray *warnings;
  gsize n = 99;

  corpus_write (&c);
  corpus = hl_activations_open_corpus ((const char * const *) c.paths, 3,
                                       HL_ACTIVATIONS_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  data = hl_activations_read_int_dataset (corpus, "/synth/regime", &n, &error);
  g_assert_no_error (error);
  g_assert_null (data);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (hl_activations_get_warnings (corpus)->len, ==, 0);

  other = g_build_filename (c.dir, "other-model.h5", NULL);
  spec.model = "another-model";
  io_test_write_file (other, &spec, TRUE);
  mixed = hl_activations_open_corpus ((const char *[]) { c.paths[0], other }, 2,
                                      HL_ACTIVATIONS_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  warnings = hl_activations_get_warnings (mixed);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], "“test-model”"));
  g_assert_nonnull (strstr (warnings->pdata[0], "“another-model”"));
}

static void
expect_error (const char * const *paths,
              int                 n,
              int                 code,
              const char         *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) corpus = hl_activations_open_corpus (paths, n,
                                                               HL_ACTIVATIONS_OPEN_DEFAULT,
                                                               &error);

  g_assert_null (corpus);
  g_assert_error (error, HL_ACTIVATIONS_ERROR, code);
  if (strstr (error->message, expected) == NULL)
    g_error ("expected “%s” in “%s”", expected, error->message);
}

static void
test_refused (void)
{
  g_auto(Corpus) c = { 0 };
  HlActivationsSpec spec = io_test_small_spec ();
  g_autofree char *other = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *list = NULL;
  g_autofree char *message = NULL;
  static const int queries[] = { 3, 9, 14 };

  corpus_write (&c);
  other = g_build_filename (c.dir, "other.data", NULL);
  spec.query_positions = queries;
  io_test_write_file (other, &spec, TRUE);
  message = g_strdup_printf ("“%s” has query position 14 at index 2, expected 15 as in “%s”",
                             other, c.paths[0]);
  expect_error ((const char *[]) { c.paths[0], other }, 2, HL_ACTIVATIONS_ERROR_SHAPE, message);
  expect_error ((const char *[]) { c.paths[0], c.paths[1], c.paths[0] }, 3,
                HL_ACTIVATIONS_ERROR_IO, "each file may be in a corpus once");

  empty = g_build_filename (c.dir, "empty", NULL);
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  expect_error ((const char *[]) { empty }, 1, HL_ACTIVATIONS_ERROR_MISSING,
                "has no activation files");
  g_assert_cmpint (g_rmdir (empty), ==, 0);
  list = g_build_filename (c.dir, "list", NULL);
  g_assert_true (g_file_set_contents (list, "# nothing\n\n", -1, NULL));
  expect_error ((const char *[]) { list }, 1, HL_ACTIVATIONS_ERROR_MISSING, "names no file");
  g_assert_true (g_file_set_contents (list, "b-first.h5\nnot-there.h5\n", -1, NULL));
  expect_error ((const char *[]) { list }, 1, HL_ACTIVATIONS_ERROR_MISSING,
                "Line 2 of the list");
  /* A file that is neither text nor HDF5 is refused by the reader. */
  g_assert_true (g_file_set_contents (list, "\x89HDF\r\n\x1a\n broken", 16, NULL));
  expect_error ((const char *[]) { c.paths[0], list }, 2, HL_ACTIVATIONS_ERROR_NOT_HDF5,
                "is not a readable HDF5 file");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/io/corpus/files", test_files);
  g_test_add_func ("/io/corpus/folder-and-list", test_folder_and_list);
  g_test_add_func ("/io/corpus/single-file", test_single_file);
  g_test_add_func ("/io/corpus/datasets-and-warnings", test_datasets_and_warnings);
  g_test_add_func ("/io/corpus/refused", test_refused);
  return g_test_run ();
}
