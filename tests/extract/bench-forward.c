/* bench-forward.c: speed of the forward pass (with the loss, as extraction
 * runs it) against the machine's SGEMM peak measured in the same run, on
 * stories260K and on a random-weight model of Llama 3.2 1B's shape in
 * bfloat16 at T = 1024. Prints tokens per second, the pass's floating-point
 * rate and its fraction of the peak, both per second of wall time and per
 * second of the process's CPU time: on a shared machine the wall-time rates
 * of the pass and of the peak are taken at different loads, while work per
 * CPU second hardly depends on what else runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-transformer.h"

#include <cblas.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#define PEAK_SIZE 2048

typedef struct
{
  double wall;
  double cpu;
} Seconds;

static Seconds
now (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (Seconds) { g_get_monotonic_time () / 1e6,
                     usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
                     + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6 };
}

/* The time since @start, each of wall and CPU the least over the runs. */
static void
keep_best (Seconds *best,
           Seconds  start)
{
  Seconds end = now ();

  best->wall = MIN (best->wall, end.wall - start.wall);
  best->cpu = MIN (best->cpu, end.cpu - start.cpu);
}

/* Wall and CPU seconds of the best of three square SGEMMs of PEAK_SIZE. */
static Seconds
sgemm_peak (void)
{
  gsize n = PEAK_SIZE;
  g_autofree float *a = g_new (float, n * n);
  g_autofree float *b = g_new (float, n * n);
  g_autofree float *c = g_new (float, n * n);
  Seconds best = { G_MAXDOUBLE, G_MAXDOUBLE };

  for (gsize i = 0; i < n * n; i++)
    {
      a[i] = (float) (i % 7) * 0.1f;
      b[i] = (float) (i % 5) * 0.1f;
    }
  for (int r = 0; r < 3; r++)
    {
      Seconds start = now ();

      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
      keep_best (&best, start);
    }
  return best;
}

/* Floating-point operations of one window of @t tokens: the linear
 * layers and classifier (2 per weight per token) and the two attention
 * GEMMs per head, which run over the whole t x t block. */
static double
window_flops (const HlModelConfig *c,
              int                  t)
{
  double h = c->hidden_size, i = c->intermediate_size;
  double linear = h * c->q_dim + 2.0 * h * c->kv_dim + c->q_dim * h + (c->gated_mlp ? 3.0 : 2.0) * h * i;
  double attention = 2.0 * 2.0 * (double) t * t * c->head_dim * c->n_heads;

  return c->n_layers * (2.0 * t * linear + attention) + 2.0 * t * h * c->vocab_size;
}

/* The best of @repeats passes over one window of @window random tokens,
 * with the loss of every position. */
static Seconds
window_seconds (HlModel *model,
                int      window,
                int      repeats)
{
  const HlModelConfig *c = hl_model_get_config (model);
  g_autoptr(HlTransformer) transformer = hl_transformer_new (model, window);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  g_autofree int32_t *tokens = g_new (int32_t, window);
  g_autofree double *nll = g_new (double, window);
  Seconds best = { G_MAXDOUBLE, G_MAXDOUBLE };

  for (int t = 0; t < window; t++)
    tokens[t] = g_rand_int_range (rand, 3, MIN (c->vocab_size, 32000));
  for (int r = 0; r < repeats; r++)
    {
      Seconds start = now ();

      g_assert_true (hl_transformer_forward (transformer, tokens, window, 0, NULL, 0, NULL, NULL, NULL));
      hl_transformer_nll (transformer, 0, window - 1, tokens + 1, nll);
      keep_best (&best, start);
    }
  return best;
}

static void
report (const char *name,
        HlModel    *model,
        int         window,
        int         repeats)
{
  double peak_flops = 2.0 * PEAK_SIZE * (double) PEAK_SIZE * PEAK_SIZE;
  double flops = window_flops (hl_model_get_config (model), window);
  Seconds before = sgemm_peak ();
  Seconds pass = window_seconds (model, window, repeats);
  Seconds after = sgemm_peak ();
  double peak_wall = peak_flops / MIN (before.wall, after.wall) / 1e9;
  double peak_cpu = peak_flops / MIN (before.cpu, after.cpu) / 1e9;
  double wall = flops / pass.wall / 1e9, cpu = flops / pass.cpu / 1e9;

  printf ("%-34s T = %4d: %7.1f tokens/s; %6.1f GFLOP/s = %3.0f %% of the SGEMM peak (%.1f) per wall second, "
          "%6.1f GFLOP/s = %3.0f %% of the peak (%.1f) per CPU second; %d BLAS threads\n",
          name, window, window / pass.wall, wall, 100.0 * wall / peak_wall, peak_wall,
          cpu, 100.0 * cpu / peak_cpu, peak_cpu, openblas_get_num_threads ());
}

static void
bench_stories260k (void)
{
  g_autofree char *path = test_shared_model_file ("stories260K.bin");
  g_autoptr(HlCheckpoint) checkpoint = NULL;
  g_autoptr(HlModel) model = NULL;

  if (path == NULL)
    return;
  checkpoint = hl_checkpoint_open (path, NULL);
  g_assert_nonnull (checkpoint);
  model = hl_model_new_from_checkpoint (checkpoint);
  report ("stories260K (float32)", model, 512, 5);
}

/* Llama 3.2 1B's config (tied embeddings, GQA 32/8, llama3 RoPE scaling)
 * with random bfloat16 weights in memory. */
static const HlModelConfig llama_1b = {
  .model_type = "llama", .hidden_size = 2048, .intermediate_size = 8192, .n_layers = 16,
  .n_heads = 32, .n_kv_heads = 8, .head_dim = 64, .vocab_size = 128256, .max_positions = 131072,
  .norm = HL_NORM_RMS, .norm_eps = 1e-5f, .activation = HL_ACTIVATION_SILU, .gated_mlp = TRUE,
  .positions = HL_POSITIONS_ROPE_HALF, .rope_theta = 500000.0, .rope_scaling = HL_ROPE_SCALING_LLAMA3,
  .rope_factor = 32.0, .rope_low_freq_factor = 1.0, .rope_high_freq_factor = 4.0,
  .rope_original_max_positions = 8192, .tied_embeddings = TRUE, .embedding_scale = 1.0f,
  .attention_scale = 0.125f, .q_dim = 2048, .kv_dim = 512,
};

typedef struct
{
  guint16 *next;
  guint64  state;
} Filler;

/* Random bfloat16 numbers of magnitude about @scale. */
static HlTensor
random_tensor (Filler *f,
               gint64  rows,
               gint64  cols,
               float   scale)
{
  HlTensor t = { f->next, HL_TENSOR_BF16, rows, cols, cols, FALSE };

  for (gint64 i = 0; i < rows * cols; i++)
    {
      float value;
      guint32 bits;

      f->state ^= f->state << 13;
      f->state ^= f->state >> 7;
      f->state ^= f->state << 17;
      value = scale * ((float) (f->state >> 40) / (float) (1 << 24) - 0.5f);
      memcpy (&bits, &value, 4);
      *f->next++ = bits >> 16;
    }
  return t;
}

static HlModel *
random_llama_1b (void)
{
  const HlModelConfig *c = &llama_1b;
  gint64 h = c->hidden_size, i = c->intermediate_size;
  gint64 per_layer = 2 * h + 2 * h * c->q_dim + 2 * h * c->kv_dim + 3 * h * i;
  gint64 total = c->vocab_size * h + h + c->n_layers * per_layer;
  g_autoptr(GObject) owner = g_object_new (G_TYPE_OBJECT, NULL);
  g_autofree HlLayerWeights *layers = g_new0 (HlLayerWeights, c->n_layers);
  guint16 *data = g_new (guint16, total);
  Filler f = { data, 88172645463325252ull };
  HlModelWeights w = { 0 };

  g_object_set_data_full (owner, "weights", data, g_free);
  w.embedding = random_tensor (&f, c->vocab_size, h, 2.0f);
  w.classifier = w.embedding;
  w.final_norm = random_tensor (&f, 1, h, 0.2f);
  w.layers = layers;
  for (int l = 0; l < c->n_layers; l++)
    {
      HlLayerWeights *lw = &layers[l];

      lw->attn_norm = random_tensor (&f, 1, h, 2.0f);
      lw->ffn_norm = random_tensor (&f, 1, h, 2.0f);
      lw->wq = random_tensor (&f, c->q_dim, h, 0.08f);
      lw->wk = random_tensor (&f, c->kv_dim, h, 0.08f);
      lw->wv = random_tensor (&f, c->kv_dim, h, 0.08f);
      lw->wo = random_tensor (&f, h, c->q_dim, 0.08f);
      lw->w_gate = random_tensor (&f, i, h, 0.08f);
      lw->w_up = random_tensor (&f, i, h, 0.08f);
      lw->w_down = random_tensor (&f, h, i, 0.04f);
    }
  g_assert (f.next == data + total);
  return hl_model_new (c, &w, owner, "random-llama-1b", "random bfloat16 weights of Llama 3.2 1B's shape");
}

static void
bench_llama_1b (void)
{
  g_autoptr(HlModel) model = random_llama_1b ();

  report ("random Llama 3.2 1B shape (bf16)", model, 1024, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* A benchmark measures the machine: every core, whatever the test
   * environment says. */
  openblas_set_num_threads ((int) g_get_num_processors ());
  g_test_add_func ("/extract/bench/stories260k", bench_stories260k);
  g_test_add_func ("/extract/bench/llama-1b-shape", bench_llama_1b);
  return g_test_run ();
}
