/* bench-read.c: how fast hl_activations_read_values() reads head blocks.
 *
 * Writes one file per storage variant (float16, float32 and float64 values,
 * each without and with gzip, and gzip with chunks of 4 kv heads as other
 * tools may write them) of a few dozen 1024 x 128 blocks into a temporary
 * folder, then reads every block back in the analysis's order, several
 * times, and prints for each variant the time to write a block, the best
 * time to read one, the read rate in MB/s of the block as stored
 * (uncompressed) and as float32, and the time to read one attention row
 * (1 x 1024 float32, which is mostly the fixed cost of a read). Each pass
 * opens the file anew, so HDF5's chunk cache starts empty as it does in a
 * real run; the files were just written, so reads come from the page
 * cache: the figures measure the reader, not the disk.
 *
 * Not a test: `meson test --benchmark io-read` (or run the binary; an
 * optional argument sets the number of blocks).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "io-test-util.h"

#include <glib/gstdio.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define SEQ_LEN   1024
#define HEAD_DIM  128
#define KV_HEADS  4
#define PASSES    3

typedef struct
{
  const char *name;
  HlDtype     dtype;
  int         gzip_level;
  int         heads_per_chunk;
} Variant;

static const Variant variants[] = {
  { "float16", HL_DTYPE_FLOAT16, 0, 1 },
  { "float16 gzip 6", HL_DTYPE_FLOAT16, 6, 1 },
  { "float32", HL_DTYPE_FLOAT32, 0, 1 },
  { "float32 gzip 6", HL_DTYPE_FLOAT32, 6, 1 },
  { "float64", HL_DTYPE_FLOAT64, 0, 1 },
  { "float64 gzip 6", HL_DTYPE_FLOAT64, 6, 1 },
  { "f16 gz 4-head ch", HL_DTYPE_FLOAT16, 6, KV_HEADS },
  { "f32 gz 4-head ch", HL_DTYPE_FLOAT32, 6, KV_HEADS },
};

static gsize
dtype_size (HlDtype dtype)
{
  return dtype == HL_DTYPE_FLOAT16 ? 2 : dtype == HL_DTYPE_FLOAT32 ? 4 : 8;
}

/* Standard normal values (Box-Muller), so that gzip sees realistic,
 * poorly compressible mantissas rather than runs of equal numbers. */
static void
fill_block (float *out,
            GRand *rand)
{
  for (gsize i = 0; i < (gsize) SEQ_LEN * HEAD_DIM; i++)
    {
      double u = g_rand_double_range (rand, 1e-12, 1.0);
      double v = g_rand_double (rand);

      out[i] = (float) (sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v));
    }
}

static void
uniform_row (float *row)
{
  for (int k = 0; k < SEQ_LEN; k++)
    row[k] = 1.0f / SEQ_LEN;
}

/* Writes @n_layers x KV_HEADS values blocks; returns the seconds spent
 * writing them. */
static double
write_file (const char    *path,
            const Variant *variant,
            int            n_layers)
{
  int last = SEQ_LEN - 1;
  HlActivationsSpec spec = {
    .model = "bench-read", .n_layers = n_layers, .n_heads = KV_HEADS, .n_kv_heads = KV_HEADS,
    .head_dim = HEAD_DIM, .seq_len = SEQ_LEN, .n_samples = 1, .n_queries = 1,
    .query_positions = &last, .values_dtype = variant->dtype,
    .attention_dtype = HL_DTYPE_FLOAT32, .gzip_level = variant->gzip_level,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivationsWriter) writer = hl_activations_writer_new (path, &spec, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree float *values = g_new (float, (gsize) SEQ_LEN * HEAD_DIM);
  float row[SEQ_LEN];
  double seconds = 0.0;

  g_assert_no_error (error);
  uniform_row (row);
  for (int l = 0; l < n_layers; l++)
    for (int g = 0; g < KV_HEADS; g++)
      {
        gint64 start;

        fill_block (values, rand);
        start = g_get_monotonic_time ();
        g_assert_true (hl_activations_writer_write_values (writer, l, 0, g, values, &error));
        seconds += (g_get_monotonic_time () - start) / 1e6;
        g_assert_true (hl_activations_writer_write_attention (writer, l, 0, g, row, &error));
      }
  g_assert_true (hl_activations_writer_commit (writer, &error));
  g_assert_no_error (error);
  return seconds;
}

/* One pass over every block, with the file opened anew: adds the seconds
 * spent reading values blocks and attention rows. */
static void
read_pass (const char *path,
           int         n_layers,
           double     *values_s,
           double     *attention_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) file = hl_activations_open (path, &error);
  g_autofree float *values = g_new (float, (gsize) SEQ_LEN * HEAD_DIM);
  float row[SEQ_LEN];
  gint64 start;

  g_assert_no_error (error);
  *values_s = *attention_s = 0.0;
  for (int l = 0; l < n_layers; l++)
    for (int g = 0; g < KV_HEADS; g++)
      {
        start = g_get_monotonic_time ();
        g_assert_true (hl_activations_read_values (file, l, 0, g, values, &error));
        *values_s += (g_get_monotonic_time () - start) / 1e6;
        start = g_get_monotonic_time ();
        g_assert_true (hl_activations_read_attention (file, l, 0, g, row, &error));
        *attention_s += (g_get_monotonic_time () - start) / 1e6;
      }
}

static void
run_variant (const char    *dir,
             const Variant *variant,
             int            n_layers)
{
  g_autofree char *path = g_build_filename (dir, "bench.h5", NULL);
  double write_s = write_file (path, variant, n_layers);
  int n_blocks = n_layers * KV_HEADS;
  double read_s = INFINITY, row_s = INFINITY;
  double stored_mb = (double) n_blocks * SEQ_LEN * HEAD_DIM * dtype_size (variant->dtype) / 1e6;
  double float_mb = (double) n_blocks * SEQ_LEN * HEAD_DIM * sizeof (float) / 1e6;
  GStatBuf st;

  if (variant->heads_per_chunk > 1)
    io_test_rechunk_values (path, variant->heads_per_chunk, variant->gzip_level);
  for (int pass = 0; pass < PASSES; pass++)
    {
      double values_s, attention_s;

      read_pass (path, n_layers, &values_s, &attention_s);
      read_s = MIN (read_s, values_s);
      row_s = MIN (row_s, attention_s);
    }
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  printf ("%-16s %9.1f %9.3f %10.1f %10.1f %9.3f %8.1f\n", variant->name,
          1e3 * write_s / n_blocks, 1e3 * read_s / n_blocks,
          stored_mb / read_s, float_mb / read_s, 1e3 * row_s / n_blocks, st.st_size / 1e6);
  g_assert_cmpint (g_unlink (path), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  int n_blocks = argc > 1 ? atoi (argv[1]) : 32;
  int n_layers = MAX (1, n_blocks / KV_HEADS);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("headlens-bench-read-XXXXXX", &error);

  g_assert_no_error (error);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
  printf ("%d blocks of %d x %d values (%d layers x %d kv heads), best of %d passes\n",
          n_layers * KV_HEADS, SEQ_LEN, HEAD_DIM, n_layers, KV_HEADS, PASSES);
  printf ("%-16s %9s %9s %10s %10s %9s %8s\n", "storage", "write ms", "read ms",
          "MB/s file", "MB/s f32", "row ms", "file MB");
  for (gsize i = 0; i < G_N_ELEMENTS (variants); i++)
    run_variant (dir, &variants[i], n_layers);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  return 0;
}
