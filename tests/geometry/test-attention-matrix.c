/* test-attention-matrix.c: attention matrices shrunk for drawing: the
 * max-pooling by hand, the keys after a query left out, the rows' extents
 * in query positions, and the grid of every head read from a file (each
 * block the largest weight of the rows and keys it covers).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <math.h>

#include "analysis-fixture.h"
#include "hl-attention-matrix.h"

/* 3 x 5 pooled into 2 x 2: rows {0}, {1, 2}; columns {0, 1}, {2, 3, 4}. */
static void
test_pool_by_hand (void)
{
  const float values[15] = {
    0.1f, 0.7f, 0.2f, NAN, 0.0f,
    0.3f, 0.2f, NAN, NAN, NAN,
    0.4f, 0.1f, 0.9f, 0.5f, NAN,
  };
  float out[4];

  hl_attention_pool (values, 3, 5, 2, 2, out);
  g_assert_cmpfloat (out[0], ==, 0.7f);
  g_assert_cmpfloat (out[1], ==, 0.2f);
  g_assert_cmpfloat (out[2], ==, 0.4f);
  g_assert_cmpfloat (out[3], ==, 0.9f);

  /* A block with nothing visible stays NaN. */
  {
    const float hidden[4] = { 1.0f, NAN, 1.0f, NAN };
    float pooled[2];

    hl_attention_pool (hidden, 2, 2, 1, 2, pooled);
    g_assert_cmpfloat (pooled[0], ==, 1.0f);
    g_assert_true (isnan (pooled[1]));
  }
}

/* A matrix as large as its rows: every weight kept, keys after each query
 * NaN (a query sees keys 0 .. t); rows reach half-way to their
 * neighbours. */
static void
test_matrix_unshrunk (void)
{
  const int positions[3] = { 1, 2, 4 };
  const float rows[15] = {
    0.6f, 0.4f, 0.0f, 0.0f, 0.0f,
    0.5f, 0.3f, 0.2f, 0.0f, 0.0f,
    0.1f, 0.2f, 0.3f, 0.2f, 0.2f,
  };
  g_autoptr(HlAttentionMatrix) m = hl_attention_matrix_new (rows, 3, 5, positions, 8, 8);
  float lo, hi;

  g_assert_cmpint (m->n_rows, ==, 3);
  g_assert_cmpint (m->n_cols, ==, 5);
  g_assert_cmpint (m->n_keys, ==, 5);
  g_assert_cmpfloat (m->values[0 * 5 + 1], ==, 0.4f);
  g_assert_true (isnan (m->values[0 * 5 + 2]));
  g_assert_cmpfloat (m->values[1 * 5 + 2], ==, 0.2f);
  g_assert_true (isnan (m->values[1 * 5 + 3]));
  g_assert_cmpfloat (m->values[2 * 5 + 4], ==, 0.2f);
  /* Edges: 0.5 | 1.5 | 3 | 5. */
  g_assert_cmpfloat (m->row_edges[0], ==, 0.5f);
  g_assert_cmpfloat (m->row_edges[1], ==, 1.5f);
  g_assert_cmpfloat (m->row_edges[2], ==, 3.0f);
  g_assert_cmpfloat (m->row_edges[3], ==, 5.0f);
  hl_attention_query_extent (positions, 3, 1, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 1.5f);
  g_assert_cmpfloat (hi, ==, 3.0f);
  hl_attention_query_extent (positions, 1, 0, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 0.5f);
  g_assert_cmpfloat (hi, ==, 1.5f);
}

/* A previous-token pattern (all weight on key t - 1) of 64 queries shrunk
 * to 16 x 16 stays a diagonal: one bright block a row, just left of the
 * main diagonal, so the pattern shows at any size. */
static void
test_diagonal_survives (void)
{
  enum { T = 64, SIZE = 16 };
  g_autofree float *rows = g_new0 (float, T * T);
  int positions[T];
  g_autoptr(HlAttentionMatrix) m = NULL;

  for (int t = 0; t < T; t++)
    {
      positions[t] = t;
      rows[t * T + MAX (t - 1, 0)] = 1.0f;
    }
  m = hl_attention_matrix_new (rows, T, T, positions, SIZE, SIZE);
  g_assert_cmpint (m->n_rows, ==, SIZE);
  g_assert_cmpint (m->n_cols, ==, SIZE);
  for (int r = 1; r < SIZE; r++)
    {
      /* Block r covers queries 4r .. 4r + 3, whose previous tokens
       * 4r - 1 .. 4r + 2 fall into column blocks r - 1 and r. */
      g_assert_cmpfloat (m->values[r * SIZE + r - 1], ==, 1.0f);
      g_assert_cmpfloat (m->values[r * SIZE + r], ==, 1.0f);
      for (int c = 0; c < r - 1; c++)
        g_assert_cmpfloat (m->values[r * SIZE + c], ==, 0.0f);
      for (int c = r + 1; c < SIZE; c++)
        g_assert_true (isnan (m->values[r * SIZE + c]));
    }
}

/* Every head's matrix of a sample read from a file: each block holds the
 * largest visible weight of the rows and keys it covers (checked weight by
 * weight against the file's rows), the rows span the file's queries. */
static void
test_grid_read (void)
{
  static const int queries[] = { 5, 11, 17, 23 };
  const FixtureShape shape = {
    .n_layers = 2, .n_heads = 4, .n_kv_heads = 2, .head_dim = 8, .seq_len = 24,
    .n_samples = 2, .n_queries = 4, .query_positions = queries, .seed = 7,
  };
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.h5", NULL);
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlAttentionGrid) grid = NULL;
  g_autoptr(GError) error = NULL;
  float rows[4 * 24];

  fixture_write_file (path, &shape);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  grid = hl_attention_grid_read (file, 1, 3, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (grid->n_layers, ==, 2);
  g_assert_cmpint (grid->n_heads, ==, 4);

  for (int l = 0; l < 2; l++)
    for (int h = 0; h < 4; h++)
      {
        const HlAttentionMatrix *m = grid->matrices[l * 4 + h];

        g_assert_true (hl_activations_read_attention (file, l, 1, h, rows, &error));
        g_assert_cmpint (m->n_rows, ==, 3);
        g_assert_cmpint (m->n_cols, ==, 3);
        g_assert_cmpfloat (m->row_edges[0], ==, 2.0f);
        g_assert_cmpfloat (m->row_edges[3], ==, 26.0f);
        for (int r = 0; r < 3; r++)
          for (int c = 0; c < 3; c++)
            {
              float best = -1;

              /* Block (r, c): queries floor (4 r / 3) .. floor (4 (r + 1) / 3) - 1
               * and keys 8 c .. 8 c + 7. */
              for (int q = 4 * r / 3; q < 4 * (r + 1) / 3; q++)
                for (int i = 8 * c; i < 8 * (c + 1) && i <= queries[q]; i++)
                    best = MAX (best, rows[q * 24 + i]);
              if (best < 0)
                g_assert_true (isnan (m->values[r * 3 + c]));
              else
                g_assert_cmpfloat (m->values[r * 3 + c], ==, best);
            }
      }

  /* A cancelled read stops with an error. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GError) cancelled = NULL;

    g_cancellable_cancel (cancellable);
    g_assert_null (hl_attention_grid_read (file, 0, 3, cancellable, &cancelled));
    g_assert_error (cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
  g_clear_object (&file);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/attention-matrix/pool-by-hand", test_pool_by_hand);
  g_test_add_func ("/attention-matrix/unshrunk", test_matrix_unshrunk);
  g_test_add_func ("/attention-matrix/diagonal-survives", test_diagonal_survives);
  g_test_add_func ("/attention-matrix/grid-read", test_grid_read);
  return g_test_run ();
}
