/* bench-read.c: how fast hl_activations_read_values() reads head blocks.
 *
 * Writes one file per storage variant (float16, float32 and float64 values,
 * each without and with gzip) of a few dozen 1024 x 128 blocks into a
 * temporary folder, then reads every block back several times and prints,
 * for each variant, the time to write a block, the best time to read one,
 * and the read rate in MB/s of the block as stored (uncompressed) and as
 * float32. The files were just written, so reads come from the page cache:
 * the figures measure the reader, not the disk.
 *
 * Not a test: `meson test --benchmark io-read` (or run the binary; an
 * optional argument sets the number of blocks).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-activations-writer.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define SEQ_LEN   1024
#define HEAD_DIM  128
#define PASSES    3

typedef struct
{
  const char *name;
  HlDtype     dtype;
  int         gzip_level;
} Variant;

static const Variant variants[] = {
  { "float16", HL_DTYPE_FLOAT16, 0 },
  { "float16 gzip 6", HL_DTYPE_FLOAT16, 6 },
  { "float32", HL_DTYPE_FLOAT32, 0 },
  { "float32 gzip 6", HL_DTYPE_FLOAT32, 6 },
  { "float64", HL_DTYPE_FLOAT64, 0 },
  { "float64 gzip 6", HL_DTYPE_FLOAT64, 6 },
};

static gsize
dtype_size (HlDtype dtype)
{
  return dtype == HL_DTYPE_FLOAT16 ? 2 : dtype == HL_DTYPE_FLOAT32 ? 4 : 8;
}

/* Values like a model's: roughly normal, a few large outliers, so that
 * gzip sees realistic (poorly compressible) mantissas. */
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

/* Writes @n_blocks values blocks (one layer per block, one kv head);
 * returns the seconds spent writing them. */
static double
write_file (const char    *path,
            const Variant *variant,
            int            n_blocks)
{
  int last = SEQ_LEN - 1;
  HlActivationsSpec spec = {
    .model = "bench-read", .n_layers = n_blocks, .n_heads = 1, .n_kv_heads = 1,
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
  for (int l = 0; l < n_blocks; l++)
    {
      gint64 start;

      fill_block (values, rand);
      start = g_get_monotonic_time ();
      g_assert_true (hl_activations_writer_write_values (writer, l, 0, 0, values, &error));
      seconds += (g_get_monotonic_time () - start) / 1e6;
      g_assert_true (hl_activations_writer_write_attention (writer, l, 0, 0, row, &error));
    }
  g_assert_true (hl_activations_writer_commit (writer, &error));
  g_assert_no_error (error);
  return seconds;
}

/* The best of PASSES passes over every block, in seconds per pass. */
static double
time_reads (const char *path,
            int         n_blocks)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) file = hl_activations_open (path, &error);
  g_autofree float *values = g_new (float, (gsize) SEQ_LEN * HEAD_DIM);
  double best = INFINITY;

  g_assert_no_error (error);
  for (int pass = 0; pass < PASSES; pass++)
    {
      gint64 start = g_get_monotonic_time ();

      for (int l = 0; l < n_blocks; l++)
        {
          g_assert_true (hl_activations_read_values (file, l, 0, 0, values, &error));
          g_assert_no_error (error);
        }
      best = MIN (best, (g_get_monotonic_time () - start) / 1e6);
    }
  return best;
}

static void
run_variant (const char    *dir,
             const Variant *variant,
             int            n_blocks)
{
  g_autofree char *path = g_build_filename (dir, "bench.h5", NULL);
  double write_s = write_file (path, variant, n_blocks);
  double read_s = time_reads (path, n_blocks);
  double stored_mb = (double) n_blocks * SEQ_LEN * HEAD_DIM * dtype_size (variant->dtype) / 1e6;
  double float_mb = (double) n_blocks * SEQ_LEN * HEAD_DIM * sizeof (float) / 1e6;
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  printf ("%-16s %9.1f %9.3f %10.1f %10.1f %9.1f\n", variant->name,
          1e3 * write_s / n_blocks, 1e3 * read_s / n_blocks,
          stored_mb / read_s, float_mb / read_s, st.st_size / 1e6);
  g_assert_cmpint (g_unlink (path), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  int n_blocks = argc > 1 ? atoi (argv[1]) : 32;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("headlens-bench-read-XXXXXX", &error);

  g_assert_no_error (error);
  g_assert_cmpint (n_blocks, >, 0);
  printf ("%d blocks of %d x %d values, best of %d passes\n",
          n_blocks, SEQ_LEN, HEAD_DIM, PASSES);
  printf ("%-16s %9s %9s %10s %10s %9s\n", "storage", "write ms", "read ms",
          "MB/s file", "MB/s f32", "file MB");
  for (gsize i = 0; i < G_N_ELEMENTS (variants); i++)
    run_variant (dir, &variants[i], n_blocks);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  return 0;
}
