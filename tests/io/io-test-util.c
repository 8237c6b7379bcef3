/* io-test-util.c: fixtures shared by the tests of src/io.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "io-test-util.h"

#include <glib/gstdio.h>
#include <hdf5.h>
#include <math.h>
#include <string.h>

static const int small_queries[] = { 3, 9, 15 };

HlActivationsSpec
io_test_small_spec (void)
{
  HlActivationsSpec spec = {
    .model = "test-model",
    .source = "tests/io",
    .n_layers = 2,
    .n_heads = 4,
    .n_kv_heads = 2,
    .head_dim = 8,
    .seq_len = 16,
    .n_samples = 2,
    .n_queries = 3,
    .query_positions = small_queries,
    .kv_head_of = NULL,
    .values_dtype = HL_DTYPE_FLOAT32,
    .attention_dtype = HL_DTYPE_FLOAT32,
    .gzip_level = 0,
    .with_token_ids = TRUE,
    .with_token_texts = TRUE,
  };

  return spec;
}

static guint32
block_seed (int kind,
            int layer,
            int sample,
            int head)
{
  return (guint32) (kind * 1000003 + layer * 10007 + sample * 101 + head);
}

void
io_test_fill_values (float                   *out,
                     const HlActivationsSpec *spec,
                     int                      layer,
                     int                      sample,
                     int                      kv_head,
                     gboolean                 half_exact)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (block_seed (1, layer, sample, kv_head));
  gsize n = (gsize) spec->seq_len * spec->head_dim;

  for (gsize i = 0; i < n; i++)
    out[i] = half_exact ? g_rand_int_range (rand, -1024, 1025) / 64.0f
                        : (float) g_rand_double_range (rand, -3.0, 3.0);
}

static void
fill_row_exact (float *row,
                int    position,
                GRand *rand)
{
  int units = 1024;

  /* Hands out 1024 units of 1/1024 among keys 0..position; the rest go to
   * the query's own key, so the row sums to exactly 1. */
  for (int k = 0; k < position; k++)
    {
      int take = g_rand_int_range (rand, 0, MIN (units, 2048 / (position + 1)) + 1);

      row[k] = take / 1024.0f;
      units -= take;
    }
  row[position] = units / 1024.0f;
}

static void
fill_row_softmax (float *row,
                  int    position,
                  GRand *rand)
{
  double sum = 0.0;
  g_autofree double *weights = g_new (double, position + 1);

  for (int k = 0; k <= position; k++)
    {
      weights[k] = exp (g_rand_double_range (rand, -4.0, 4.0));
      sum += weights[k];
    }
  for (int k = 0; k <= position; k++)
    row[k] = (float) (weights[k] / sum);
}

void
io_test_fill_attention (float                   *out,
                        const HlActivationsSpec *spec,
                        int                      layer,
                        int                      sample,
                        int                      head,
                        gboolean                 half_exact)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (block_seed (2, layer, sample, head));

  memset (out, 0, sizeof (float) * spec->n_queries * spec->seq_len);
  for (int q = 0; q < spec->n_queries; q++)
    {
      float *row = out + (gsize) q * spec->seq_len;

      if (half_exact)
        fill_row_exact (row, spec->query_positions[q], rand);
      else
        fill_row_softmax (row, spec->query_positions[q], rand);
    }
}

int32_t
io_test_token_id (int sample,
                  int position)
{
  return 1 + (sample * 7919 + position * 31) % 500;
}

char *
io_test_token_text (int sample,
                    int position)
{
  /* Non-ASCII on purpose, to check that UTF-8 survives. */
  return g_strdup_printf ("tök%d·%d", sample, position);
}

static void
write_tokens (HlActivationsWriter     *writer,
              const HlActivationsSpec *spec,
              int                      sample)
{
  g_autofree int32_t *ids = g_new (int32_t, spec->seq_len);
  g_auto(GStrv) texts = g_new0 (char *, spec->seq_len + 1);
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < spec->seq_len; i++)
    {
      ids[i] = io_test_token_id (sample, i);
      texts[i] = io_test_token_text (sample, i);
    }
  g_assert_true (hl_activations_writer_write_tokens (writer, sample,
                                                     spec->with_token_ids ? ids : NULL,
                                                     spec->with_token_texts ? (const char * const *) texts : NULL,
                                                     &error));
  g_assert_no_error (error);
}

void
io_test_write_file (const char              *path,
                    const HlActivationsSpec *spec,
                    gboolean                 half_exact)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivationsWriter) writer = hl_activations_writer_new (path, spec, &error);
  g_autofree float *values = g_new (float, (gsize) spec->seq_len * spec->head_dim);
  g_autofree float *rows = g_new (float, (gsize) spec->n_queries * spec->seq_len);

  g_assert_no_error (error);
  for (int l = 0; l < spec->n_layers; l++)
    for (int s = 0; s < spec->n_samples; s++)
      {
        for (int g = 0; g < spec->n_kv_heads; g++)
          {
            io_test_fill_values (values, spec, l, s, g, half_exact);
            g_assert_true (hl_activations_writer_write_values (writer, l, s, g, values, &error));
          }
        for (int h = 0; h < spec->n_heads; h++)
          {
            io_test_fill_attention (rows, spec, l, s, h, half_exact);
            g_assert_true (hl_activations_writer_write_attention (writer, l, s, h, rows, &error));
          }
      }
  for (int s = 0; s < spec->n_samples && (spec->with_token_ids || spec->with_token_texts); s++)
    write_tokens (writer, spec, s);
  g_assert_true (hl_activations_writer_commit (writer, &error));
  g_assert_no_error (error);
}

void
io_test_rechunk_values (const char *path,
                        int         heads,
                        int         level)
{
  hid_t file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t old = H5Dopen2 (file, "/values", H5P_DEFAULT);
  hid_t type = H5Dget_type (old);
  hid_t space = H5Dget_space (old);
  hid_t dcpl = H5Pcreate (H5P_DATASET_CREATE);
  hsize_t chunk[5];
  g_autofree double *data = NULL;
  hid_t dset;

  /* Doubles hold float16, float32 and float64 values exactly. */
  H5Sget_simple_extent_dims (space, chunk, NULL);
  data = g_new (double, H5Sget_simple_extent_npoints (space));
  chunk[0] = chunk[1] = 1;
  chunk[2] = heads;
  H5Pset_chunk (dcpl, 5, chunk);
  H5Pset_deflate (dcpl, level);
  dset = H5Dcreate2 (file, "/values-rechunked", type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  g_assert_cmpint (H5Dread (old, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), >=, 0);
  g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), >=, 0);
  H5Dclose (dset);
  H5Dclose (old);
  g_assert_cmpint (H5Ldelete (file, "/values", H5P_DEFAULT), >=, 0);
  g_assert_cmpint (H5Lmove (file, "/values-rechunked", file, "/values", H5P_DEFAULT,
                            H5P_DEFAULT), >=, 0);
  H5Pclose (dcpl);
  H5Sclose (space);
  H5Tclose (type);
  H5Fclose (file);
}

char *
io_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("headlens-io-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
io_test_remove_tmpdir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}
