/* bench-causal.c: what the cached prefix saves. Each per-head experiment
 * (ablating every head; on stories260K also truncating every head over
 * the N grid) runs twice
 * in one process, starting each measurement from the stored residual
 * stream before the head's layer, and from the embedding; prints both
 * times (CPU time of the process, which the load of a shared machine
 * disturbs less than the wall clock, and the wall clock), their ratio, and
 * the layer passes each ran. On stories260K (reference.txt) and on a
 * random model of stories15M's shape (6 layers, dim 288, vocabulary 32000)
 * at T = 256.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-causal-experiment.h"
#include "hl-model-files.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct
{
  double  cpu;
  double  wall;
  guint64 layers;
  double  nll_sum;   /* the results, to check both runs agree */
} Timing;

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
result_sum (const HlCausalResult *r)
{
  double sum = 0.0;

  for (guint i = 0; i < r->ablate->len; i++)
    sum += g_array_index (r->ablate, HlAblateRow, i).nll;
  for (guint i = 0; i < r->truncate->len; i++)
    sum += g_array_index (r->truncate, HlTruncateRow, i).nll;
  return sum;
}

static Timing
time_run (HlModel            *model,
          const int32_t      *tokens,
          int                 window,
          const HlCausalSpec *spec,
          gboolean            prefix_cache)
{
  g_autoptr(HlCausalText) text = hl_causal_text_new (model, tokens, 1, window, NULL);
  g_autoptr(HlCausalResult) result = NULL;
  g_autoptr(GError) error = NULL;
  double cpu = cpu_seconds ();
  gint64 wall = g_get_monotonic_time ();
  Timing t;

  hl_causal_text_set_prefix_cache (text, prefix_cache);
  result = hl_causal_run (text, spec, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  t.cpu = cpu_seconds () - cpu;
  t.wall = (g_get_monotonic_time () - wall) / 1e6;
  t.layers = result->layers_run;
  t.nll_sum = result_sum (result);
  return t;
}

static void
compare (const char         *model_name,
         const char         *experiment,
         HlModel            *model,
         const int32_t      *tokens,
         int                 window,
         const HlCausalSpec *spec)
{
  Timing cached = time_run (model, tokens, window, spec, TRUE);
  Timing full = time_run (model, tokens, window, spec, FALSE);

  g_assert_cmpfloat (cached.nll_sum, ==, full.nll_sum);
  printf ("%-12s %-34s cached prefix %7.2f s CPU (%7.2f s wall), %5" G_GUINT64_FORMAT " layer passes; "
          "from the embedding %7.2f s CPU (%7.2f s wall), %5" G_GUINT64_FORMAT " layer passes; "
          "saving x%.2f CPU (x%.2f wall, x%.2f layer passes)\n",
          model_name, experiment, cached.cpu, cached.wall, cached.layers, full.cpu, full.wall, full.layers,
          full.cpu / cached.cpu, full.wall / cached.wall, (double) full.layers / cached.layers);
  fflush (stdout);
}

/* Ablation of every head; with @truncate also the truncation of every
 * head over the N grid (many more measurements). */
static void
bench_model (const char    *name,
             HlModel       *model,
             const int32_t *tokens,
             int            window,
             gboolean       truncate)
{
  HlCausalSpec spec;

  hl_causal_spec_init (&spec);
  spec.experiment = HL_CAUSAL_ABLATE;
  compare (name, "ablate every head (zero)", model, tokens, window, &spec);
  if (!truncate)
    return;
  spec.experiment = HL_CAUSAL_TRUNCATE;
  compare (name, "truncate every head, N = 1, 2, 4..", model, tokens, window, &spec);
}

static void
bench_stories (void)
{
  g_autofree char *checkpoint = test_shared_model_file ("stories260K.bin");
  g_autofree char *tokenizer = checkpoint != NULL ? test_shared_model_file ("tok512.bin") : NULL;
  g_autofree char *text_path = checkpoint != NULL ? test_shared_model_file ("reference.txt") : NULL;
  g_autoptr(HlModel) model = NULL;
  g_autoptr(HlTextCodec) codec = NULL;
  g_autofree char *text = NULL;
  g_autofree int32_t *body = NULL;
  g_autofree int32_t *tokens = NULL;
  gsize n_body;

  if (checkpoint == NULL)
    return;
  g_assert_true (hl_model_files_open (NULL, checkpoint, tokenizer, &model, &codec, NULL, NULL));
  g_assert_true (g_file_get_contents (text_path, &text, NULL, NULL));
  body = hl_text_codec_encode (codec, text, &n_body);
  tokens = g_new (int32_t, n_body + 1);
  tokens[0] = HL_TOKEN_BOS;
  memcpy (tokens + 1, body, sizeof (int32_t) * n_body);
  bench_model ("stories260K", model, tokens, (int) n_body + 1, TRUE);
}

static void
bench_random (void)
{
  const HlCheckpointConfig shape = {
    .version = 1, .dim = 288, .hidden_dim = 768, .n_layers = 6, .n_heads = 6, .n_kv_heads = 6,
    .vocab_size = 32000, .seq_len = 256, .shared_classifier = TRUE,
  };
  g_autoptr(TestModel) m = test_model_new_random (&shape, 5);
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "random15M.bin", NULL);
  g_autoptr(HlCheckpoint) checkpoint = NULL;
  g_autoptr(HlModel) model = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (6);
  int32_t tokens[256];

  test_model_write (m, path);
  checkpoint = hl_checkpoint_open (path, NULL);
  model = hl_model_new_from_checkpoint (checkpoint);
  for (int t = 0; t < 256; t++)
    tokens[t] = t == 0 ? HL_TOKEN_BOS : g_rand_int_range (rand, 3, shape.vocab_size);
  bench_model ("random 15M", model, tokens, 256, FALSE);
  g_clear_object (&model);
  g_clear_object (&checkpoint);
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/causal/bench/stories260K", bench_stories);
  g_test_add_func ("/causal/bench/random-15M", bench_random);
  return hl_test_run_and_wait ();
}
