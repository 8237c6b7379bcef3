/* test-roundtrip.c: what the writer writes, the reader reads back exactly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "io-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct
{
  const char *name;
  int         n_layers, n_heads, n_kv_heads, head_dim, seq_len, n_samples, n_queries;
  const int  *queries;
  const int  *kv_head_of;
  HlDtype     values_dtype, attention_dtype;
  int         gzip_level;
  gboolean    half_exact;
  gboolean    tokens;
} RoundTripCase;

static const int q3[] = { 3, 9, 15 };
static const int q1_last[] = { 39 };
static const int q_all[] = { 0, 1, 2, 3, 4, 5 };
static const int q0[] = { 0 };
static const int swapped_map[] = { 1, 1, 0, 0 };
static const int gqa_map[] = { 0, 0, 1, 1, 2, 2 };

static const RoundTripCase cases[] = {
  { "f32-plain", 2, 4, 2, 8, 16, 2, 3, q3, NULL,
    HL_DTYPE_FLOAT32, HL_DTYPE_FLOAT32, 0, FALSE, TRUE },
  { "f32-gzip6-explicit-map", 2, 4, 2, 8, 16, 2, 3, q3, swapped_map,
    HL_DTYPE_FLOAT32, HL_DTYPE_FLOAT32, 6, FALSE, TRUE },
  { "f16-gzip6", 3, 4, 2, 16, 16, 1, 3, q3, NULL,
    HL_DTYPE_FLOAT16, HL_DTYPE_FLOAT16, 6, TRUE, TRUE },
  { "f16-values-f32-attention", 1, 6, 3, 4, 40, 3, 1, q1_last, gqa_map,
    HL_DTYPE_FLOAT16, HL_DTYPE_FLOAT32, 0, TRUE, FALSE },
  { "f64-mha-all-queries", 2, 3, 3, 5, 6, 2, 6, q_all, NULL,
    HL_DTYPE_FLOAT64, HL_DTYPE_FLOAT64, 1, FALSE, TRUE },
  { "f64-one-token", 1, 2, 1, 3, 1, 1, 1, q0, NULL,
    HL_DTYPE_FLOAT32, HL_DTYPE_FLOAT64, 9, FALSE, FALSE },
};

static HlActivationsSpec
spec_of (const RoundTripCase *c)
{
  HlActivationsSpec spec = {
    .model = "round-trip/model ✓",
    .source = c->name,
    .n_layers = c->n_layers, .n_heads = c->n_heads, .n_kv_heads = c->n_kv_heads,
    .head_dim = c->head_dim, .seq_len = c->seq_len, .n_samples = c->n_samples,
    .n_queries = c->n_queries, .query_positions = c->queries,
    .kv_head_of = c->kv_head_of,
    .values_dtype = c->values_dtype, .attention_dtype = c->attention_dtype,
    .gzip_level = c->gzip_level,
    .with_token_ids = c->tokens, .with_token_texts = c->tokens,
  };

  return spec;
}

static void
check_info (const HlActivationsInfo *info,
            const RoundTripCase     *c)
{
  g_assert_cmpstr (info->model, ==, "round-trip/model ✓");
  g_assert_cmpstr (info->source, ==, c->name);
  g_assert_cmpint (info->n_layers, ==, c->n_layers);
  g_assert_cmpint (info->n_heads, ==, c->n_heads);
  g_assert_cmpint (info->n_kv_heads, ==, c->n_kv_heads);
  g_assert_cmpint (info->head_dim, ==, c->head_dim);
  g_assert_cmpint (info->seq_len, ==, c->seq_len);
  g_assert_cmpint (info->n_samples, ==, c->n_samples);
  g_assert_cmpint (info->n_queries, ==, c->n_queries);
  g_assert_cmpmem (info->query_positions, sizeof (int) * c->n_queries,
                   c->queries, sizeof (int) * c->n_queries);
  g_assert_cmpint (info->values_dtype, ==, c->values_dtype);
  g_assert_cmpint (info->attention_dtype, ==, c->attention_dtype);
  g_assert_cmpint (info->has_token_ids, ==, c->tokens);
  g_assert_cmpint (info->has_token_texts, ==, c->tokens);
  for (int h = 0; h < c->n_heads; h++)
    g_assert_cmpint (info->kv_head_of[h], ==,
                     c->kv_head_of != NULL ? c->kv_head_of[h]
                                           : h / (c->n_heads / c->n_kv_heads));
}

/* The bytes of a number as stored. */
static gsize
dtype_size (HlDtype dtype)
{
  return dtype == HL_DTYPE_FLOAT16 ? 2 : dtype == HL_DTYPE_FLOAT64 ? 8 : 4;
}

/* The two-step read of a values block (as stored, then converted) gives
 * what hl_activations_read_values () gives, from a block of the size the
 * file stores. */
static void
check_stored_values (HlActivations           *acts,
                     const HlActivationsSpec *spec,
                     int                      layer,
                     int                      sample,
                     int                      kv_head,
                     const float             *expected)
{
  gsize nv = (gsize) spec->seq_len * spec->head_dim;
  gsize size = hl_activations_get_values_stored_size (acts);
  g_autofree guint8 *stored = g_malloc (size);
  g_autofree float *found = g_new (float, nv);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (size, ==, nv * dtype_size (spec->values_dtype));
  g_assert_true (hl_activations_read_values_stored (acts, layer, sample, kv_head, stored, &error));
  g_assert_no_error (error);
  g_assert_true (hl_activations_values_from_stored (acts, layer, sample, kv_head, stored, found,
                                                    &error));
  g_assert_no_error (error);
  g_assert_cmpmem (found, nv * sizeof (float), expected, nv * sizeof (float));
}

/* Every block, read back, equals what was written bit for bit: float32 and
 * float64 hold any float exactly, and float16 cases use numbers it holds. */
static void
check_blocks (HlActivations           *acts,
              const HlActivationsSpec *spec,
              gboolean                 half_exact)
{
  gsize nv = (gsize) spec->seq_len * spec->head_dim;
  gsize na = (gsize) spec->n_queries * spec->seq_len;
  g_autofree float *expected = g_new (float, MAX (nv, na));
  g_autofree float *found = g_new (float, MAX (nv, na));
  g_autoptr(GError) error = NULL;

  for (int l = 0; l < spec->n_layers; l++)
    for (int s = 0; s < spec->n_samples; s++)
      {
        for (int g = 0; g < spec->n_kv_heads; g++)
          {
            io_test_fill_values (expected, spec, l, s, g, half_exact);
            g_assert_true (hl_activations_read_values (acts, l, s, g, found, &error));
            g_assert_no_error (error);
            g_assert_cmpmem (found, nv * sizeof (float), expected, nv * sizeof (float));
            check_stored_values (acts, spec, l, s, g, expected);
          }
        for (int h = 0; h < spec->n_heads; h++)
          {
            io_test_fill_attention (expected, spec, l, s, h, half_exact);
            g_assert_true (hl_activations_read_attention (acts, l, s, h, found, &error));
            g_assert_no_error (error);
            g_assert_cmpmem (found, na * sizeof (float), expected, na * sizeof (float));
          }
      }
}

static void
check_tokens (HlActivations           *acts,
              const HlActivationsSpec *spec)
{
  g_autofree int32_t *ids = g_new (int32_t, spec->seq_len);
  g_autoptr(GError) error = NULL;

  for (int s = 0; s < spec->n_samples; s++)
    {
      g_auto(GStrv) texts = hl_activations_read_token_texts (acts, s, &error);

      g_assert_no_error (error);
      g_assert_true (hl_activations_read_token_ids (acts, s, ids, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (g_strv_length (texts), ==, spec->seq_len);
      for (int i = 0; i < spec->seq_len; i++)
        {
          g_autofree char *text = io_test_token_text (s, i);

          g_assert_cmpint (ids[i], ==, io_test_token_id (s, i));
          g_assert_cmpstr (texts[i], ==, text);
        }
    }
}

static void
test_roundtrip_case (gconstpointer data)
{
  const RoundTripCase *c = data;
  HlActivationsSpec spec = spec_of (c);
  g_autofree char *dir = io_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "acts.h5", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) acts = NULL;
  g_autoptr(GDir) listing = NULL;

  io_test_write_file (path, &spec, c->half_exact);

  /* The temporary file is gone: the directory holds just the result. */
  listing = g_dir_open (dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "acts.h5");
  g_assert_null (g_dir_read_name (listing));

  acts = hl_activations_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hl_activations_get_path (acts), ==, path);
  check_info (hl_activations_get_info (acts), c);
  check_blocks (acts, &spec, c->half_exact);
  if (c->tokens)
    check_tokens (acts, &spec);
  g_assert_true (hl_activations_validate_all (acts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hl_activations_get_warnings (acts)->len, ==, 0);

  g_clear_object (&acts);
  io_test_remove_tmpdir (dir);
}

/* Values that float16 cannot hold exactly come back rounded to the nearest
 * float16, not truncated or garbled. */
static void
test_float16_rounding (void)
{
  HlActivationsSpec spec = io_test_small_spec ();
  g_autofree char *dir = io_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "half.h5", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivationsWriter) writer = NULL;
  g_autoptr(HlActivations) acts = NULL;
  g_autofree float *values = g_new0 (float, spec.seq_len * spec.head_dim);
  g_autofree float *rows = g_new (float, spec.n_queries * spec.seq_len);

  spec.values_dtype = HL_DTYPE_FLOAT16;
  spec.with_token_ids = spec.with_token_texts = FALSE;
  writer = hl_activations_writer_new (path, &spec, &error);
  g_assert_no_error (error);
  /* 1/3 in float16 is 0x3555 = 1365/4096; 65504 is the largest float16;
   * 1 + 2^-11 lies halfway between 1 and 1 + 2^-10. */
  values[0] = 1.0f / 3.0f;
  values[1] = 65504.0f;
  values[2] = -2.5f;
  values[3] = 6.103515625e-05f;
  for (int l = 0; l < spec.n_layers; l++)
    for (int s = 0; s < spec.n_samples; s++)
      {
        for (int g = 0; g < spec.n_kv_heads; g++)
          g_assert_true (hl_activations_writer_write_values (writer, l, s, g, values, &error));
        for (int h = 0; h < spec.n_heads; h++)
          {
            io_test_fill_attention (rows, &spec, l, s, h, TRUE);
            g_assert_true (hl_activations_writer_write_attention (writer, l, s, h, rows, &error));
          }
      }
  g_assert_true (hl_activations_writer_commit (writer, &error));

  acts = hl_activations_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (hl_activations_read_values (acts, 1, 1, 1, values, &error));
  g_assert_cmpfloat (values[0], ==, 1365.0f / 4096.0f);
  g_assert_cmpfloat (values[1], ==, 65504.0f);
  g_assert_cmpfloat (values[2], ==, -2.5f);
  g_assert_cmpfloat (values[3], ==, 6.103515625e-05f);
  g_assert_cmpfloat (values[4], ==, 0.0f);

  g_clear_object (&acts);
  io_test_remove_tmpdir (dir);
}

/* Chunks holding several heads' blocks, larger than HDF5's default chunk
 * cache (3 x 512 KiB), make the reader reopen /values with a larger cache:
 * every block still reads back exactly, in any order. */
static void
test_multi_head_chunks (void)
{
  HlActivationsSpec spec = io_test_small_spec ();
  g_autofree char *dir = io_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "chunks.h5", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) acts = NULL;
  g_autofree float *expected = NULL;
  g_autofree float *found = NULL;
  const int order[] = { 2, 0, 5, 1, 3, 4 };
  const int queries[] = { 1023 };
  gsize n;

  spec.n_layers = 1;
  spec.n_heads = spec.n_kv_heads = 6;
  spec.seq_len = 1024;
  spec.head_dim = 128;
  spec.n_samples = spec.n_queries = 1;
  spec.query_positions = queries;
  io_test_write_file (path, &spec, FALSE);
  io_test_rechunk_values (path, 3, 1);

  n = (gsize) spec.seq_len * spec.head_dim;
  expected = g_new (float, n);
  found = g_new (float, n);
  acts = hl_activations_open (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      io_test_fill_values (expected, &spec, 0, 0, order[i], FALSE);
      g_assert_true (hl_activations_read_values (acts, 0, 0, order[i], found, &error));
      g_assert_cmpmem (found, n * sizeof (float), expected, n * sizeof (float));
    }
  check_blocks (acts, &spec, FALSE);
  g_clear_object (&acts);
  io_test_remove_tmpdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/io/roundtrip/%s", cases[i].name);

      g_test_add_data_func (name, &cases[i], test_roundtrip_case);
    }
  g_test_add_func ("/io/roundtrip/float16-rounding", test_float16_rounding);
  g_test_add_func ("/io/roundtrip/multi-head-chunks", test_multi_head_chunks);
  return g_test_run ();
}
