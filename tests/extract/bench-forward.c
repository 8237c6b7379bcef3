/* bench-forward.c: tokens per second of the batched forward pass, on
 * stories260K and on a random-weight model of stories15M's shape.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-transformer.h"

#include <stdio.h>

#define REPEATS 3

/* The best of REPEATS passes over one window of @window random tokens. */
static double
tokens_per_second (HlCheckpoint *checkpoint,
                   int           window)
{
  const HlCheckpointConfig *c = hl_checkpoint_get_config (checkpoint);
  g_autoptr(HlModel) model = hl_model_new_from_checkpoint (checkpoint);
  g_autoptr(HlTransformer) transformer = hl_transformer_new (model, window);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  g_autofree int32_t *tokens = g_new (int32_t, window);
  g_autofree float *logits = g_new (float, c->vocab_size);
  double best = G_MAXDOUBLE;

  tokens[0] = 1;
  for (int t = 1; t < window; t++)
    tokens[t] = g_rand_int_range (rand, 3, c->vocab_size);
  for (int r = 0; r < REPEATS; r++)
    {
      gint64 start = g_get_monotonic_time ();

      g_assert_true (hl_transformer_forward (transformer, tokens, window, 0, NULL, 0, NULL, NULL, NULL));
      hl_transformer_logits (transformer, window - 1, 1, logits);
      best = MIN (best, (g_get_monotonic_time () - start) / 1e6);
    }
  return window / best;
}

static void
report (const char   *name,
        HlCheckpoint *checkpoint,
        int           window)
{
  const HlCheckpointConfig *c = hl_checkpoint_get_config (checkpoint);

  printf ("%-28s dim %4d, %2d layers, vocab %5d, window %3d: %9.0f tokens/s (OPENBLAS_NUM_THREADS=%s)\n",
          name, c->dim, c->n_layers, c->vocab_size, window, tokens_per_second (checkpoint, window),
          g_getenv ("OPENBLAS_NUM_THREADS") != NULL ? g_getenv ("OPENBLAS_NUM_THREADS") : "default");
}

static void
bench_stories260k (void)
{
  g_autofree char *path = test_shared_model_file ("stories260K.bin");
  g_autoptr(HlCheckpoint) checkpoint = NULL;

  if (path == NULL)
    return;
  checkpoint = hl_checkpoint_open (path, NULL);
  g_assert_nonnull (checkpoint);
  report ("stories260K", checkpoint, 256);
}

static void
bench_stories15m_shape (void)
{
  const HlCheckpointConfig shape = {
    .version = 0, .dim = 288, .hidden_dim = 768, .n_layers = 6, .n_heads = 6, .n_kv_heads = 6,
    .vocab_size = 32000, .seq_len = 256, .shared_classifier = TRUE,
  };
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "random15M.bin", NULL);
  g_autoptr(HlCheckpoint) checkpoint = NULL;

  {
    g_autoptr(TestModel) model = test_model_new_random (&shape, 15);
    test_model_write (model, path);
  }
  checkpoint = hl_checkpoint_open (path, NULL);
  g_assert_nonnull (checkpoint);
  report ("random, stories15M's shape", checkpoint, 256);
  g_clear_object (&checkpoint);
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/extract/bench/stories260k", bench_stories260k);
  g_test_add_func ("/extract/bench/stories15m-shape", bench_stories15m_shape);
  return g_test_run ();
}
