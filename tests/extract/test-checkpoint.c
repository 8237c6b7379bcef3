/* test-checkpoint.c: llama2.c checkpoint parsing and validation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-checkpoint.h"

#include <glib/gstdio.h>
#include <string.h>

static const HlCheckpointConfig tiny = {
  .version = 0, .dim = 16, .hidden_dim = 40, .n_layers = 2, .n_heads = 4, .n_kv_heads = 2,
  .vocab_size = 300, .seq_len = 32, .shared_classifier = TRUE,
};

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = hl_test_make_tmp_dir ();
  f->path = g_build_filename (f->dir, "model.bin", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hl_test_remove_tmp_dir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
assert_tensor (const float *mapped,
               const float *written,
               gsize        n)
{
  g_assert_nonnull (mapped);
  g_assert_cmpmem (mapped, n * sizeof (float), written, n * sizeof (float));
}

/* Every tensor the reader maps must be byte-identical to the tensor the
 * test wrote, in either version's order. */
static void
assert_roundtrip (const char *path,
                  TestModel  *m)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlCheckpoint) checkpoint = hl_checkpoint_open (path, &error);
  const HlCheckpointConfig *c;
  const HlCheckpointWeights *w;
  gsize L = m->config.n_layers, d = m->config.dim, kv = m->config.kv_dim;
  gsize h = m->config.hidden_dim, V = m->config.vocab_size;

  g_assert_no_error (error);
  c = hl_checkpoint_get_config (checkpoint);
  w = hl_checkpoint_get_weights (checkpoint);
  g_assert_cmpint (c->version, ==, m->config.version);
  g_assert_cmpint (c->dim, ==, 16);
  g_assert_cmpint (c->hidden_dim, ==, 40);
  g_assert_cmpint (c->n_layers, ==, 2);
  g_assert_cmpint (c->n_heads, ==, 4);
  g_assert_cmpint (c->n_kv_heads, ==, 2);
  g_assert_cmpint (c->vocab_size, ==, 300);
  g_assert_cmpint (c->seq_len, ==, 32);
  g_assert_cmpint (c->head_dim, ==, 4);
  g_assert_cmpint (c->kv_dim, ==, 8);
  g_assert_cmpint (c->shared_classifier, ==, m->config.shared_classifier);
  assert_tensor (w->token_embedding, m->token_embedding, V * d);
  assert_tensor (w->rms_att, m->rms_att, L * d);
  assert_tensor (w->wq, m->wq, L * d * d);
  assert_tensor (w->wk, m->wk, L * kv * d);
  assert_tensor (w->wv, m->wv, L * kv * d);
  assert_tensor (w->wo, m->wo, L * d * d);
  assert_tensor (w->rms_ffn, m->rms_ffn, L * d);
  assert_tensor (w->w1, m->w1, L * h * d);
  assert_tensor (w->w2, m->w2, L * d * h);
  assert_tensor (w->w3, m->w3, L * h * d);
  assert_tensor (w->rms_final, m->rms_final, d);
  assert_tensor (w->classifier, m->config.shared_classifier ? m->token_embedding : m->classifier, V * d);
  if (m->config.shared_classifier)
    g_assert_true (w->classifier == w->token_embedding);
}

static void
test_roundtrip (Fixture       *f,
                gconstpointer  data)
{
  for (int version = 0; version <= 1; version++)
    for (int shared = 0; shared <= 1; shared++)
      {
        HlCheckpointConfig config = tiny;
        g_autoptr(TestModel) m = NULL;

        config.version = version;
        config.shared_classifier = shared;
        m = test_model_new_random (&config, 7 + version * 2 + shared);
        test_model_write (m, f->path);
        assert_roundtrip (f->path, m);
      }
}

static GError *
open_error (const char *path)
{
  GError *error = NULL;
  g_autoptr(HlCheckpoint) checkpoint = hl_checkpoint_open (path, &error);

  g_assert_null (checkpoint);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  return error;
}

/* Writes a valid model of @config, then overwrites the header int32 at
 * @index (in legacy layout) with @value. */
static GError *
open_with_header_int (const char *path,
                      int         index,
                      gint32      value)
{
  g_autoptr(TestModel) m = test_model_new_random (&tiny, 3);
  g_autofree char *contents = NULL;
  gsize length;

  test_model_write (m, path);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  memcpy (contents + 4 * index, &value, 4);
  test_write_file (path, contents, length);
  return open_error (path);
}

static void
test_bad_headers (Fixture       *f,
                  gconstpointer  data)
{
  struct { int index; gint32 value; const char *expected; } cases[] = {
    { 0, 0, "dim = 0," },
    { 0, 1 << 20, "dim = 1048576," },
    { 1, -5, "hidden_dim = -5," },
    { 2, 0, "n_layers = 0," },
    { 3, 0, "n_heads = 0," },
    { 3, 3, "3 heads and 2 kv heads" },
    { 4, 3, "4 heads and 3 kv heads" },
    { 4, 8, "n_kv_heads = 8, expected 1 to 4" },
    { 5, 0, "vocab_size = 0," },
    { 6, -1, "seq_len = -1," },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = open_with_header_int (f->path, cases[i].index, cases[i].value);

      g_assert_true (g_error_matches (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_HEADER));
      g_assert_nonnull (strstr (error->message, cases[i].expected));
    }
}

static void
test_bad_head_layout (Fixture       *f,
                      gconstpointer  data)
{
  HlCheckpointConfig config = tiny;
  g_autoptr(TestModel) m = NULL;
  g_autoptr(GError) error = NULL;

  /* 4 heads over 3 kv heads cannot be grouped. */
  config.n_kv_heads = 3;
  m = test_model_new_random (&config, 1);
  test_model_write (m, f->path);
  error = open_error (f->path);
  g_assert_true (g_error_matches (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_HEADER));
  g_assert_nonnull (strstr (error->message, "4 heads and 3 kv heads"));
  g_clear_error (&error);
  g_clear_pointer (&m, test_model_free);

  /* dim 18 over 4 heads leaves no integer head size. */
  config = tiny;
  config.dim = 18;
  m = test_model_new_random (&config, 1);
  test_model_write (m, f->path);
  error = open_error (f->path);
  g_assert_true (g_error_matches (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_HEADER));
  g_assert_nonnull (strstr (error->message, "dim 18 and 4 heads"));
}

static void
test_sizes (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(TestModel) m = test_model_new_random (&tiny, 5);
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  GError *error = NULL;
  gsize length;

  test_model_write (m, f->path);
  g_assert_true (g_file_get_contents (f->path, &contents, &length, NULL));

  test_write_file (f->path, contents, length - 4);
  error = open_error (f->path);
  g_assert_true (g_error_matches (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_TRUNCATED));
  expected = g_strdup_printf ("checkpoint has %" G_GSIZE_FORMAT " bytes, the header implies %" G_GSIZE_FORMAT,
                              length - 4, length);
  g_assert_nonnull (strstr (error->message, expected));
  g_clear_error (&error);

  contents = g_realloc (contents, length + 1);
  contents[length] = 0;
  test_write_file (f->path, contents, length + 1);
  error = open_error (f->path);
  g_assert_true (g_error_matches (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_SIZE));
  g_clear_error (&error);

  test_write_file (f->path, contents, 0);
  error = open_error (f->path);
  g_assert_true (g_error_matches (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_TRUNCATED));
  g_clear_error (&error);

  test_write_file (f->path, contents, 20);
  error = open_error (f->path);
  g_assert_true (g_error_matches (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_TRUNCATED));
  g_clear_error (&error);

  g_assert_cmpint (g_remove (f->path), ==, 0);
  error = open_error (f->path);
  g_assert_true (g_error_matches (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_IO));
  g_clear_error (&error);
}

static void
test_v1_header_errors (Fixture       *f,
                       gconstpointer  data)
{
  HlCheckpointConfig config = tiny;
  g_autoptr(TestModel) m = NULL;
  g_autofree char *contents = NULL;
  GError *error = NULL;
  gint32 version = 2;
  gsize length;

  config.version = 1;
  m = test_model_new_random (&config, 11);
  test_model_write (m, f->path);
  g_assert_true (g_file_get_contents (f->path, &contents, &length, NULL));

  /* llama2.c's int8 format (version 2) is refused by name. */
  memcpy (contents + 4, &version, 4);
  test_write_file (f->path, contents, length);
  error = open_error (f->path);
  g_assert_true (g_error_matches (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_VERSION));
  g_assert_nonnull (strstr (error->message, "version 2"));
  g_clear_error (&error);

  /* The magic alone, shorter than the 256-byte header. */
  test_write_file (f->path, contents, 100);
  error = open_error (f->path);
  g_assert_true (g_error_matches (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_TRUNCATED));
  g_clear_error (&error);

  /* A version 1 file whose flag says "separate classifier" but lacks it. */
  version = 1;
  memcpy (contents + 4, &version, 4);
  contents[36] = 0;
  test_write_file (f->path, contents, length);
  error = open_error (f->path);
  g_assert_true (g_error_matches (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_TRUNCATED));
  g_assert_nonnull (strstr (error->message, "separate classifier"));
  g_clear_error (&error);
}

/* Every truncation of the first kilobyte and random corruption of the
 * header must end in an error or a valid checkpoint, never a bad read
 * (this matters under AddressSanitizer). */
static void
test_fuzz (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2024);

  for (int version = 0; version <= 1; version++)
    {
      HlCheckpointConfig config = tiny;
      g_autoptr(TestModel) m = NULL;
      g_autofree char *contents = NULL;
      gsize length;

      config.version = version;
      m = test_model_new_random (&config, 21);
      test_model_write (m, f->path);
      g_assert_true (g_file_get_contents (f->path, &contents, &length, NULL));
      for (gsize cut = 0; cut < 1024; cut += 1 + cut / 16)
        {
          g_autoptr(HlCheckpoint) checkpoint = NULL;

          test_write_file (f->path, contents, cut);
          checkpoint = hl_checkpoint_open (f->path, NULL);
          g_assert_null (checkpoint);
        }
      for (int i = 0; i < 200; i++)
        {
          g_autofree char *copy = g_memdup2 (contents, length);
          g_autoptr(HlCheckpoint) checkpoint = NULL;
          int at = g_rand_int_range (rand, 0, version == 0 ? 28 : 40);

          copy[at] = (char) g_rand_int_range (rand, 0, 256);
          test_write_file (f->path, copy, length);
          checkpoint = hl_checkpoint_open (f->path, NULL);
          if (checkpoint != NULL)
            g_assert_cmpuint (hl_checkpoint_config_count_weights (hl_checkpoint_get_config (checkpoint)), >, 0);
        }
    }
}

static void
test_stories260k (void)
{
  g_autofree char *path = test_shared_model_file ("stories260K.bin");
  g_autoptr(HlCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  const HlCheckpointConfig *c;

  if (path == NULL)
    return;
  checkpoint = hl_checkpoint_open (path, &error);
  g_assert_no_error (error);
  c = hl_checkpoint_get_config (checkpoint);
  g_assert_cmpint (c->version, ==, 0);
  g_assert_cmpint (c->dim, ==, 64);
  g_assert_cmpint (c->hidden_dim, ==, 172);
  g_assert_cmpint (c->n_layers, ==, 5);
  g_assert_cmpint (c->n_heads, ==, 8);
  g_assert_cmpint (c->n_kv_heads, ==, 4);
  g_assert_cmpint (c->vocab_size, ==, 512);
  g_assert_cmpint (c->seq_len, ==, 512);
  g_assert_cmpint (c->head_dim, ==, 8);
  g_assert_true (c->shared_classifier);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/extract/checkpoint/roundtrip", Fixture, NULL, fixture_set_up, test_roundtrip, fixture_tear_down);
  g_test_add ("/extract/checkpoint/bad-headers", Fixture, NULL, fixture_set_up, test_bad_headers, fixture_tear_down);
  g_test_add ("/extract/checkpoint/bad-head-layout", Fixture, NULL, fixture_set_up, test_bad_head_layout, fixture_tear_down);
  g_test_add ("/extract/checkpoint/sizes", Fixture, NULL, fixture_set_up, test_sizes, fixture_tear_down);
  g_test_add ("/extract/checkpoint/v1-header-errors", Fixture, NULL, fixture_set_up, test_v1_header_errors, fixture_tear_down);
  g_test_add ("/extract/checkpoint/fuzz", Fixture, NULL, fixture_set_up, test_fuzz, fixture_tear_down);
  g_test_add_func ("/extract/checkpoint/stories260k", test_stories260k);
  return g_test_run ();
}
