/* test-synth-model.c: the model-level generator and the file it writes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-synth-model.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("hl-synth-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "synth.h5", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_remove (f->path);
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->path);
  g_free (f->dir);
}

/* A small model that still has every part: GQA, several samples and
 * queries. */
static void
small_params (HlSynthModelParams *p)
{
  static const int queries[] = { 31, 63, 95, 127 };

  hl_synth_model_params_init (p);
  p->n_layers = 6;
  p->n_heads = 4;
  p->n_kv_heads = 2;
  p->head_dim = 16;
  p->seq_len = 128;
  p->n_samples = 2;
  p->n_queries = 4;
  p->query_positions = queries;
  p->seed = 5;
}

static HlActivations *
write_and_open (const HlSynthModelParams *p,
                const char               *path)
{
  g_autoptr(GError) error = NULL;
  HlActivations *file;

  g_assert_true (hl_synth_model_write (p, path, "test", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  return file;
}

static void
test_depth_mix (void)
{
  HlSynthModelParams p;
  int counts[3][HL_N_REGIMES] = { { 0 } };

  hl_synth_model_params_init (&p);
  p.n_layers = 30;
  p.n_heads = 32;
  p.n_kv_heads = 8;
  for (int l = 0; l < p.n_layers; l++)
    for (int h = 0; h < p.n_heads; h++)
      counts[l * 3 / p.n_layers][hl_synth_model_regime (&p, l, h)]++;
  /* Retriever -> Reset -> Mixer with depth: each third is dominated by its
   * regime. */
  g_assert_cmpint (counts[0][HL_REGIME_RETRIEVER], >, counts[0][HL_REGIME_RESET]);
  g_assert_cmpint (counts[0][HL_REGIME_RETRIEVER], >, counts[0][HL_REGIME_MIXER]);
  g_assert_cmpint (counts[1][HL_REGIME_RESET], >, counts[1][HL_REGIME_RETRIEVER]);
  g_assert_cmpint (counts[1][HL_REGIME_RESET], >, counts[1][HL_REGIME_MIXER]);
  g_assert_cmpint (counts[2][HL_REGIME_MIXER], >, counts[2][HL_REGIME_RETRIEVER]);
  g_assert_cmpint (counts[2][HL_REGIME_MIXER], >, counts[2][HL_REGIME_RESET]);
  /* Every planted pattern appears; the previous-token one is never planted
   * in a model. */
  for (int r = 0; r < HL_REGIME_OTHER; r++)
    g_assert_cmpint (counts[0][r] + counts[1][r] + counts[2][r], >, 0);
  g_assert_cmpint (counts[0][HL_REGIME_OTHER] + counts[1][HL_REGIME_OTHER]
                   + counts[2][HL_REGIME_OTHER], ==, 0);
}

static void
test_file_shape (Fixture       *f,
                 gconstpointer  data)
{
  HlSynthModelParams p;
  g_autoptr(GError) error = NULL;
  gsize n = 0;

  small_params (&p);
  g_autoptr(HlActivations) file = write_and_open (&p, f->path);
  const HlActivationsInfo *info = hl_activations_get_info (file);

  g_assert_cmpstr (info->model, ==, "synthetic");
  g_assert_cmpstr (info->source, ==, "test");
  g_assert_cmpint (info->n_layers, ==, 6);
  g_assert_cmpint (info->n_heads, ==, 4);
  g_assert_cmpint (info->n_kv_heads, ==, 2);
  g_assert_cmpint (info->head_dim, ==, 16);
  g_assert_cmpint (info->seq_len, ==, 128);
  g_assert_cmpint (info->n_samples, ==, 2);
  g_assert_cmpint (info->n_queries, ==, 4);
  g_assert_cmpint (info->query_positions[3], ==, 127);
  g_assert_true (info->has_token_ids && info->has_token_texts);
  g_assert_true (hl_activations_validate_all (file, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hl_activations_get_warnings (file)->len, ==, 0);

  g_autofree int32_t *regime = hl_activations_read_int_dataset (file, "/synth/regime", &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 6 * 4);
  for (int l = 0; l < 6; l++)
    for (int h = 0; h < 4; h++)
      g_assert_cmpint (regime[l * 4 + h], ==, hl_synth_model_regime (&p, l, h));
}

/* Blocks in the file are bit-identical to the per-head generator run with
 * the seeds the model gives them; query heads of one group share values. */
static void
test_blocks_match_generator (Fixture       *f,
                             gconstpointer  data)
{
  HlSynthModelParams p;
  HlSynthHeadParams hp;
  g_autoptr(GError) error = NULL;
  int content[8], n_content;
  gsize nv = 128 * 16, na = 4 * 128;
  g_autofree float *want_v = g_new (float, nv), *got_v = g_new (float, nv);
  g_autofree float *want_a = g_new (float, na), *got_a = g_new (float, na);

  small_params (&p);
  g_autoptr(HlActivations) file = write_and_open (&p, f->path);

  hl_synth_model_value_params (&p, 4, 1, &hp);
  g_assert_true (hl_synth_generate_values (&hp, hl_synth_model_value_seed (&p, 4, 1, 1),
                                           want_v, content, &n_content, NULL));
  g_assert_true (hl_activations_read_values (file, 4, 1, 1, got_v, &error));
  g_assert_cmpmem (want_v, nv * sizeof (float), got_v, nv * sizeof (float));

  /* Head 3 reads kv head 1. */
  hl_synth_model_head_params (&p, 4, 3, &hp);
  g_assert_true (hl_synth_generate_attention (&hp, hl_synth_model_attention_seed (&p, 4, 1, 3),
                                              content, n_content, p.query_positions, 4,
                                              want_a, NULL));
  g_assert_true (hl_activations_read_attention (file, 4, 1, 3, got_a, &error));
  g_assert_cmpmem (want_a, na * sizeof (float), got_a, na * sizeof (float));
}

/* The planted pattern of a query head's row, on the attention alone: the
 * last token (retriever), the sink (reset), or the sink first with the
 * rest spread (mixer). How the rule classifies these is tested in
 * tests/geometry/test-regime-recovery.c. */
static gboolean
pattern_holds (HlRegime     regime,
               const float *a,
               int          t)
{
  int top = 0;

  for (int i = 1; i <= t; i++)
    if (a[i] > a[top])
      top = i;
  if (regime == HL_REGIME_RETRIEVER)
    return top == t && a[t] >= 0.4f;
  if (regime == HL_REGIME_RESET)
    return a[0] >= 0.85f;
  return regime == HL_REGIME_MIXER && top == 0 && a[0] <= 0.6f && a[t] <= 0.1f;
}

static void
test_patterns_planted (Fixture       *f,
                       gconstpointer  data)
{
  HlSynthModelParams p;
  gsize na = 4 * 128;
  g_autofree float *rows = g_new (float, na);
  int total = 0, right = 0;

  small_params (&p);
  p.n_layers = 12;
  p.values_dtype = HL_DTYPE_FLOAT16;
  g_autoptr(HlActivations) file = write_and_open (&p, f->path);

  for (int l = 0; l < p.n_layers; l++)
    for (int s = 0; s < p.n_samples; s++)
      for (int h = 0; h < p.n_heads; h++)
        {
          g_assert_true (hl_activations_read_attention (file, l, s, h, rows, NULL));
          for (int q = 0; q < 4; q++, total++)
            right += pattern_holds (hl_synth_model_regime (&p, l, h), rows + q * 128,
                                   p.query_positions[q]);
        }
  g_test_message ("%d of %d head rows show their planted pattern", right, total);
  g_assert_cmpint (right, >=, 0.95 * total);
}

/* Whether every values and attention block of @a and @b holds the same
 * bytes. The files themselves differ in HDF5's object timestamps. */
static gboolean
same_blocks (HlActivations *a,
             HlActivations *b)
{
  const HlActivationsInfo *info = hl_activations_get_info (a);
  gsize nv = (gsize) info->seq_len * info->head_dim;
  gsize na = (gsize) info->n_queries * info->seq_len;
  g_autofree float *x = g_new (float, MAX (nv, na)), *y = g_new (float, MAX (nv, na));
  gboolean same = TRUE;

  for (int l = 0; l < info->n_layers; l++)
    for (int s = 0; s < info->n_samples; s++)
      {
        for (int g = 0; g < info->n_kv_heads; g++)
          {
            g_assert_true (hl_activations_read_values (a, l, s, g, x, NULL));
            g_assert_true (hl_activations_read_values (b, l, s, g, y, NULL));
            same = same && memcmp (x, y, nv * sizeof (float)) == 0;
          }
        for (int h = 0; h < info->n_heads; h++)
          {
            g_assert_true (hl_activations_read_attention (a, l, s, h, x, NULL));
            g_assert_true (hl_activations_read_attention (b, l, s, h, y, NULL));
            same = same && memcmp (x, y, na * sizeof (float)) == 0;
          }
      }
  return same;
}

static void
test_determinism (Fixture       *f,
                  gconstpointer  data)
{
  HlSynthModelParams p;
  g_autofree char *other = g_build_filename (f->dir, "other.h5", NULL);
  g_autofree char *third = g_build_filename (f->dir, "third.h5", NULL);
  g_auto(GStrv) texts_a = NULL, texts_b = NULL;

  small_params (&p);
  g_autoptr(HlActivations) a = write_and_open (&p, f->path);
  g_autoptr(HlActivations) b = write_and_open (&p, other);
  p.seed = 6;
  g_autoptr(HlActivations) c = write_and_open (&p, third);

  g_assert_true (same_blocks (a, b));
  texts_a = hl_activations_read_token_texts (a, 1, NULL);
  texts_b = hl_activations_read_token_texts (b, 1, NULL);
  g_assert_cmpstrv (texts_a, texts_b);
  g_assert_cmpstr (texts_a[0], ==, "<s>");
  g_assert_false (same_blocks (a, c));
  g_assert_cmpint (g_remove (other), ==, 0);
  g_assert_cmpint (g_remove (third), ==, 0);
}

static void
test_validation (Fixture       *f,
                 gconstpointer  data)
{
  HlSynthModelParams p;
  g_autoptr(GError) error = NULL;
  const int unsorted[] = { 5, 5 };

  small_params (&p);
  p.n_kv_heads = 3;
  g_assert_false (hl_synth_model_write (&p, f->path, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "kv heads"));
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  small_params (&p);
  p.query_positions = unsorted;
  p.n_queries = 2;
  g_assert_false (hl_synth_model_params_validate (&p, &error));
  g_assert_nonnull (strstr (error->message, "query position 1"));
  g_clear_error (&error);

  small_params (&p);
  p.head.norm_cv = -1;
  g_assert_false (hl_synth_model_params_validate (&p, &error));
  g_assert_nonnull (strstr (error->message, "norm_cv"));
}

static void
count_progress_cb (guint64  done,
                   guint64  total,
                   gpointer user_data)
{
  guint64 *calls = user_data;

  g_assert_cmpuint (done, ==, calls[0] + 1);
  calls[0] = done;
  calls[1] = total;
}

static void
test_progress_and_cancel (Fixture       *f,
                          gconstpointer  data)
{
  HlSynthModelParams p;
  guint64 calls[2] = { 0, 0 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  small_params (&p);
  g_assert_true (hl_synth_model_write (&p, f->path, NULL, count_progress_cb, calls, NULL, NULL));
  g_assert_cmpuint (calls[0], ==, 12);
  g_assert_cmpuint (calls[1], ==, 12);
  g_remove (f->path);

  g_cancellable_cancel (cancellable);
  g_assert_false (hl_synth_model_write (&p, f->path, NULL, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/synth/model/depth-mix", test_depth_mix);
  g_test_add ("/synth/model/file-shape", Fixture, NULL,
              fixture_set_up, test_file_shape, fixture_tear_down);
  g_test_add ("/synth/model/blocks-match-generator", Fixture, NULL,
              fixture_set_up, test_blocks_match_generator, fixture_tear_down);
  g_test_add ("/synth/model/patterns-planted", Fixture, NULL,
              fixture_set_up, test_patterns_planted, fixture_tear_down);
  g_test_add ("/synth/model/determinism", Fixture, NULL,
              fixture_set_up, test_determinism, fixture_tear_down);
  g_test_add ("/synth/model/validation", Fixture, NULL,
              fixture_set_up, test_validation, fixture_tear_down);
  g_test_add ("/synth/model/progress-and-cancel", Fixture, NULL,
              fixture_set_up, test_progress_and_cancel, fixture_tear_down);

  return g_test_run ();
}
