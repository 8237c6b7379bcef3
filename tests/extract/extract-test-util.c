/* extract-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static float *
random_tensor (GRand  *rand,
               gsize   n,
               double  center,
               double  radius)
{
  float *t = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    t[i] = (float) (center + g_rand_double_range (rand, -radius, radius));
  return t;
}

TestModel *
test_model_new_random (const HlCheckpointConfig *config,
                       guint32                   seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  TestModel *m = g_new0 (TestModel, 1);
  HlCheckpointConfig *c = &m->config;
  gsize L, d, kv, h, V;

  *c = *config;
  c->head_dim = c->dim / c->n_heads;
  c->kv_dim = c->n_kv_heads * c->head_dim;
  L = c->n_layers, d = c->dim, kv = c->kv_dim, h = c->hidden_dim, V = c->vocab_size;
  m->token_embedding = random_tensor (rand, V * d, 0.0, 1.0);
  m->rms_att = random_tensor (rand, L * d, 1.0, 0.2);
  m->wq = random_tensor (rand, L * d * d, 0.0, 1.7 / sqrt (d));
  m->wk = random_tensor (rand, L * kv * d, 0.0, 1.7 / sqrt (d));
  m->wv = random_tensor (rand, L * kv * d, 0.0, 1.7 / sqrt (d));
  m->wo = random_tensor (rand, L * d * d, 0.0, 1.7 / sqrt (d));
  m->rms_ffn = random_tensor (rand, L * d, 1.0, 0.2);
  m->w1 = random_tensor (rand, L * h * d, 0.0, 1.7 / sqrt (d));
  m->w2 = random_tensor (rand, L * d * h, 0.0, 1.7 / sqrt (h));
  m->w3 = random_tensor (rand, L * h * d, 0.0, 1.7 / sqrt (d));
  m->rms_final = random_tensor (rand, d, 1.0, 0.2);
  m->classifier = c->shared_classifier ? NULL : random_tensor (rand, V * d, 0.0, 1.0);
  return m;
}

void
test_model_free (TestModel *m)
{
  float **tensors[] = { &m->token_embedding, &m->rms_att, &m->wq, &m->wk, &m->wv, &m->wo,
                        &m->rms_ffn, &m->w1, &m->w2, &m->w3, &m->rms_final, &m->classifier };

  for (gsize i = 0; i < G_N_ELEMENTS (tensors); i++)
    g_free (*tensors[i]);
  g_free (m);
}

static void
put (FILE        *file,
     const float *data,
     gsize        n)
{
  g_assert_cmpuint (fwrite (data, sizeof (float), n, file), ==, n);
}

static void
put_ints (FILE        *file,
          const gint32 *ints,
          gsize        n)
{
  g_assert_cmpuint (fwrite (ints, sizeof (gint32), n, file), ==, n);
}

static void
write_legacy (const TestModel *m,
              FILE            *f)
{
  const HlCheckpointConfig *c = &m->config;
  gsize L = c->n_layers, d = c->dim, kv = c->kv_dim, h = c->hidden_dim, V = c->vocab_size;
  gint32 header[7] = { c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads,
                       c->shared_classifier ? c->vocab_size : -c->vocab_size, c->seq_len };
  gsize rope = (gsize) c->seq_len * c->head_dim;
  g_autofree float *rope_tables = g_new0 (float, rope);

  put_ints (f, header, 7);
  put (f, m->token_embedding, V * d);
  put (f, m->rms_att, L * d);
  put (f, m->wq, L * d * d);
  put (f, m->wk, L * kv * d);
  put (f, m->wv, L * kv * d);
  put (f, m->wo, L * d * d);
  put (f, m->rms_ffn, L * d);
  put (f, m->w1, L * h * d);
  put (f, m->w2, L * d * h);
  put (f, m->w3, L * h * d);
  put (f, m->rms_final, d);
  put (f, rope_tables, rope);
  if (!c->shared_classifier)
    put (f, m->classifier, V * d);
}

/* The layout of llama2.c export.py's version1_export, written
 * independently of the reader's code. */
static void
write_v1 (const TestModel *m,
          FILE            *f)
{
  const HlCheckpointConfig *c = &m->config;
  gsize L = c->n_layers, d = c->dim, kv = c->kv_dim, h = c->hidden_dim, V = c->vocab_size;
  guint8 header[256] = { 0 };
  guint32 magic = 0x616b3432;
  gint32 ints[8] = { 1, c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads,
                     c->vocab_size, c->seq_len };

  memcpy (header, &magic, 4);
  memcpy (header + 4, ints, sizeof ints);
  header[36] = c->shared_classifier ? 1 : 0;
  g_assert_cmpuint (fwrite (header, 1, 256, f), ==, 256);
  put (f, m->rms_att, L * d);
  put (f, m->rms_ffn, L * d);
  put (f, m->rms_final, d);
  put (f, m->token_embedding, V * d);
  put (f, m->wq, L * d * d);
  put (f, m->wk, L * kv * d);
  put (f, m->wv, L * kv * d);
  put (f, m->wo, L * d * d);
  put (f, m->w1, L * h * d);
  put (f, m->w2, L * d * h);
  put (f, m->w3, L * h * d);
  if (!c->shared_classifier)
    put (f, m->classifier, V * d);
}

void
test_model_write (const TestModel *model,
                  const char      *path)
{
  FILE *f = fopen (path, "wb");

  g_assert_nonnull (f);
  if (model->config.version == 0)
    write_legacy (model, f);
  else
    write_v1 (model, f);
  g_assert_cmpint (fclose (f), ==, 0);
}

void
test_write_tokenizer (const char         *path,
                      const char * const *pieces,
                      const float        *scores,
                      int                 n_pieces)
{
  FILE *f = fopen (path, "wb");
  gint32 max_length = 0;

  g_assert_nonnull (f);
  for (int i = 0; i < n_pieces; i++)
    max_length = MAX (max_length, (gint32) strlen (pieces[i]));
  put_ints (f, &max_length, 1);
  for (int i = 0; i < n_pieces; i++)
    {
      gint32 length = strlen (pieces[i]);

      put (f, &scores[i], 1);
      put_ints (f, &length, 1);
      g_assert_cmpuint (fwrite (pieces[i], 1, length, f), ==, (gsize) length);
    }
  g_assert_cmpint (fclose (f), ==, 0);
}

void
test_write_byte_tokenizer (const char         *path,
                           const char * const *extra,
                           const float        *extra_scores,
                           int                 n_extra)
{
  int n = 259 + n_extra;
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func (g_free);
  g_autofree float *scores = g_new0 (float, n);

  g_ptr_array_add (pieces, g_strdup ("<unk>"));
  g_ptr_array_add (pieces, g_strdup ("\n<s>\n"));
  g_ptr_array_add (pieces, g_strdup ("\n</s>\n"));
  for (int b = 0; b < 256; b++)
    g_ptr_array_add (pieces, g_strdup_printf ("<0x%02X>", b));
  for (int i = 0; i < n_extra; i++)
    {
      g_ptr_array_add (pieces, g_strdup (extra[i]));
      scores[259 + i] = extra_scores[i];
    }
  test_write_tokenizer (path, (const char * const *) pieces->pdata, scores, n);
}

char *
test_shared_model_file (const char *name)
{
  const char *shared = g_getenv ("HL_TEST_SHARED_DIR");
  g_autofree char *path = NULL;

  if (shared == NULL)
    {
      g_test_skip ("HL_TEST_SHARED_DIR is not set; the stories260K model lives in ../shared/models");
      return NULL;
    }
  path = g_build_filename (shared, "models", "stories260K", name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *message = g_strdup_printf ("%s is absent (the read-only ../shared folder "
                                                  "holds the stories260K test model)", path);
      g_test_skip (message);
      return NULL;
    }
  return g_steal_pointer (&path);
}

void
test_write_file (const char *path,
                 const void *data,
                 gsize       length)
{
  FILE *f = fopen (path, "wb");

  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite (data, 1, length, f), ==, length);
  g_assert_cmpint (fclose (f), ==, 0);
}

#define PYTHON "/usr/bin/python3"

char *
test_write_hf_model (const char *name)
{
  const char *shared = g_getenv ("HL_TEST_SHARED_DIR");
  g_autofree char *huggingface = shared != NULL ? g_build_filename (shared, "huggingface", NULL) : NULL;
  g_autofree char *script = g_build_filename (g_getenv ("HL_TEST_SRCDIR"), "extract", "hf-reference.py", NULL);
  const char *check[] = { PYTHON, "-c", "import numpy", NULL };
  g_autofree char *dir = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (huggingface == NULL || !g_file_test (huggingface, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("../shared/huggingface is absent (HL_TEST_SHARED_DIR); it holds the tokenizers the test models use");
      return NULL;
    }
  if (!g_spawn_sync (NULL, (char **) check, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_test_skip (PYTHON " cannot import numpy (install python3-numpy)");
      return NULL;
    }
  dir = hl_test_make_tmp_dir ();
  {
    const char *argv[] = { PYTHON, script, name, dir, shared, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error));
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("hf-reference.py %s failed: %s", name, err);
  return g_steal_pointer (&dir);
}
