/* analysis-fixture.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "analysis-fixture.h"

#include <gio/gio.h>
#include <hdf5.h>
#include <math.h>
#include <string.h>

/* splitmix64 and Box-Muller: fixtures that never depend on GLib's GRand. */
static double
uniform (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  z ^= z >> 31;
  return ((z >> 11) + 0.5) * 0x1.0p-53;
}

static double
gaussian (guint64 *state)
{
  double u = uniform (state), v = uniform (state);

  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

static void
fill_values (float              *out,
             const FixtureShape *shape,
             guint64             seed)
{
  for (int i = 0; i < shape->seq_len * shape->head_dim; i++)
    out[i] = (float) gaussian (&seed);
}

/* One row per query: softmax over keys 0..t of Gaussian logits, with the
 * sink and the last key raised by random amounts. */
static void
fill_attention (float              *out,
                const FixtureShape *shape,
                const int          *positions,
                guint64             seed)
{
  g_autofree double *w = g_new (double, shape->seq_len);

  for (int q = 0; q < shape->n_queries; q++)
    {
      int t = positions[q];
      double sum = 0.0;

      for (int i = 0; i <= t; i++)
        {
          double logit = gaussian (&seed);

          if (i == 0)
            logit += 6.0 * uniform (&seed);
          if (i == t)
            logit += 6.0 * uniform (&seed);
          w[i] = exp (logit);
          sum += w[i];
        }
      for (int i = 0; i < shape->seq_len; i++)
        out[q * shape->seq_len + i] = i <= t ? (float) (w[i] / sum) : 0.0f;
    }
}

int
fixture_token_id (int sample,
                  int position)
{
  return 1000 * sample + 3 * position + 1;
}

const char *
fixture_token_text (int position)
{
  static const char * const texts[] = { " the", "\"q\"", "\n", "a,b", "<0x0A>" };

  return texts[position % G_N_ELEMENTS (texts)];
}

static void
write_tokens (HlActivationsWriter *writer,
              const FixtureShape  *shape,
              int                  sample)
{
  g_autofree int32_t *ids = g_new (int32_t, shape->seq_len);
  g_autofree const char **texts = g_new (const char *, shape->seq_len);
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < shape->seq_len; i++)
    {
      ids[i] = fixture_token_id (sample, i);
      texts[i] = fixture_token_text (i);
    }
  g_assert_true (hl_activations_writer_write_tokens (writer, sample, ids, texts, &error));
  g_assert_no_error (error);
}

void
fixture_write_file (const char         *path,
                    const FixtureShape *shape)
{
  g_autofree int *positions = g_new (int, shape->n_queries);
  g_autofree float *values = g_new (float, shape->seq_len * shape->head_dim);
  g_autofree float *rows = g_new (float, shape->n_queries * shape->seq_len);
  g_autoptr(HlActivationsWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  HlActivationsSpec spec = {
    .model = "fixture",
    .n_layers = shape->n_layers, .n_heads = shape->n_heads,
    .n_kv_heads = shape->n_kv_heads, .head_dim = shape->head_dim,
    .seq_len = shape->seq_len, .n_samples = shape->n_samples,
    .n_queries = shape->n_queries, .query_positions = positions,
    .values_dtype = HL_DTYPE_FLOAT32, .attention_dtype = HL_DTYPE_FLOAT32,
    .with_token_ids = shape->with_tokens, .with_token_texts = shape->with_tokens,
  };

  for (int q = 0; q < shape->n_queries; q++)
    positions[q] = shape->query_positions ? shape->query_positions[q] : shape->seq_len - 1;
  writer = hl_activations_writer_new (path, &spec, &error);
  g_assert_no_error (error);
  for (int l = 0; l < shape->n_layers; l++)
    for (int s = 0; s < shape->n_samples; s++)
      {
        guint64 base = shape->seed * 1000003u + (guint64) (l * 131 + s) * 7919u;

        for (int g = 0; g < shape->n_kv_heads; g++)
          {
            fill_values (values, shape, base + 17u * g);
            g_assert_true (hl_activations_writer_write_values (writer, l, s, g, values, &error));
            g_assert_no_error (error);
          }
        for (int h = 0; h < shape->n_heads; h++)
          {
            fill_attention (rows, shape, positions, base + 100003u + 31u * h);
            g_assert_true (hl_activations_writer_write_attention (writer, l, s, h, rows, &error));
            g_assert_no_error (error);
          }
      }
  for (int s = 0; shape->with_tokens && s < shape->n_samples; s++)
    write_tokens (writer, shape, s);
  g_assert_true (hl_activations_writer_commit (writer, &error));
  g_assert_no_error (error);
}

static void
copy_sample (HlActivations       *in,
             HlActivationsWriter *writer,
             int                  sample,
             int                  out_sample)
{
  const HlActivationsInfo *info = hl_activations_get_info (in);
  g_autofree float *values = g_new (float, (gsize) info->seq_len * info->head_dim);
  g_autofree float *rows = g_new (float, (gsize) info->n_queries * info->seq_len);
  g_autoptr(GError) error = NULL;

  for (int l = 0; l < info->n_layers; l++)
    {
      for (int g = 0; g < info->n_kv_heads; g++)
        {
          g_assert_true (hl_activations_read_values (in, l, sample, g, values, &error));
          g_assert_true (hl_activations_writer_write_values (writer, l, out_sample, g, values,
                                                             &error));
        }
      for (int h = 0; h < info->n_heads; h++)
        {
          g_assert_true (hl_activations_read_attention (in, l, sample, h, rows, &error));
          g_assert_true (hl_activations_writer_write_attention (writer, l, out_sample, h, rows,
                                                                &error));
        }
    }
  g_assert_no_error (error);
}

void
fixture_copy_samples (const char *path,
                      int         first,
                      int         n_samples,
                      const char *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) in = hl_activations_open (path, &error);
  g_autoptr(HlActivationsWriter) writer = NULL;
  const HlActivationsInfo *info;
  HlActivationsSpec spec;

  g_assert_no_error (error);
  info = hl_activations_get_info (in);
  spec = (HlActivationsSpec) {
    .model = info->model, .source = info->source,
    .n_layers = info->n_layers, .n_heads = info->n_heads,
    .n_kv_heads = info->n_kv_heads, .head_dim = info->head_dim,
    .seq_len = info->seq_len, .n_samples = n_samples,
    .n_queries = info->n_queries, .query_positions = info->query_positions,
    .kv_head_of = info->kv_head_of,
    .values_dtype = info->values_dtype, .attention_dtype = info->attention_dtype,
  };
  writer = hl_activations_writer_new (out, &spec, &error);
  g_assert_no_error (error);
  for (int s = 0; s < n_samples; s++)
    copy_sample (in, writer, first + s, s);
  g_assert_true (hl_activations_writer_commit (writer, &error));
  g_assert_no_error (error);
}

void
fixture_damage_values (const char *path,
                       int         layer,
                       int         sample,
                       int         kv_head,
                       int         position)
{
  hid_t file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t dset = H5Dopen2 (file, "/values", H5P_DEFAULT);
  hid_t space = H5Dget_space (dset);
  hsize_t start[5] = { layer, sample, kv_head, position, 0 }, count[5] = { 1, 1, 1, 1, 1 };
  hid_t memory = H5Screate_simple (5, count, NULL);
  float nan_value = NAN;

  g_assert_cmpint (H5Sselect_hyperslab (space, H5S_SELECT_SET, start, NULL, count, NULL), >=, 0);
  g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_FLOAT, memory, space, H5P_DEFAULT, &nan_value), >=, 0);
  H5Sclose (memory);
  H5Sclose (space);
  H5Dclose (dset);
  H5Fclose (file);
}

void
fixture_assert_same_files (const char         *expected_dir,
                           const char         *dir,
                           const char * const *names,
                           const char         *what)
{
  for (int i = 0; names[i] != NULL; i++)
    {
      g_autofree char *a_path = g_build_filename (expected_dir, names[i], NULL);
      g_autofree char *b_path = g_build_filename (dir, names[i], NULL);
      g_autofree char *a = NULL, *b = NULL;
      gsize a_length, b_length;

      g_assert_true (g_file_get_contents (a_path, &a, &a_length, NULL));
      g_assert_true (g_file_get_contents (b_path, &b, &b_length, NULL));
      if (a_length != b_length || memcmp (a, b, a_length) != 0)
        g_error ("%s of %s differs from %s", names[i], dir, what);
    }
}
