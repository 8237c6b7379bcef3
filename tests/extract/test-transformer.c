/* test-transformer.c: the batched BLAS forward pass against a scalar
 * transcription of run.c's forward(), plus consistency of what it captures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-generate.h"
#include "hl-transformer.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

static const HlCheckpointConfig tiny = {
  .version = 0, .dim = 24, .hidden_dim = 56, .n_layers = 3, .n_heads = 6, .n_kv_heads = 2,
  .vocab_size = 300, .seq_len = 40, .shared_classifier = FALSE,
};

#define N_TOKENS 29

typedef struct
{
  char         *dir;
  HlCheckpoint *checkpoint;
  int32_t       tokens[N_TOKENS];
} Fixture;

static HlCheckpoint *
write_and_open (const char               *dir,
                const HlCheckpointConfig *config,
                const char               *name)
{
  g_autoptr(TestModel) m = test_model_new_random (config, 1234);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  HlCheckpoint *checkpoint;

  test_model_write (m, path);
  checkpoint = hl_checkpoint_open (path, &error);
  g_assert_no_error (error);
  return checkpoint;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);

  f->dir = hl_test_make_tmp_dir ();
  f->checkpoint = write_and_open (f->dir, &tiny, "tiny.bin");
  f->tokens[0] = 1;
  for (int t = 1; t < N_TOKENS; t++)
    f->tokens[t] = g_rand_int_range (rand, 0, tiny.vocab_size);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->checkpoint);
  hl_test_remove_tmp_dir (f->dir);
  g_free (f->dir);
}

static HlTransformer *
transformer_for (HlCheckpoint *checkpoint,
                 int           max_positions)
{
  g_autoptr(HlModel) model = hl_model_new_from_checkpoint (checkpoint);

  return hl_transformer_new (model, max_positions);
}

/* ---- run.c, one token at a time, in plain loops ---- */

typedef struct
{
  const HlCheckpointConfig  *c;
  const HlCheckpointWeights *w;
  float *key_cache, *value_cache;     /* [layers, seq_len, kv_dim] */
  float *attention;                   /* [layers, heads, n, n] */
  float *logits;                      /* [n, vocab] */
  int    n;
} Slow;

static void
slow_rmsnorm (float *o, const float *x, const float *weight, int size)
{
  float ss = 0.0f;

  for (int j = 0; j < size; j++)
    ss += x[j] * x[j];
  ss /= size;
  ss += 1e-5f;
  ss = 1.0f / sqrtf (ss);
  for (int j = 0; j < size; j++)
    o[j] = weight[j] * (ss * x[j]);
}

static void
slow_matmul (float *xout, const float *x, const float *w, int n, int d)
{
  for (int i = 0; i < d; i++)
    {
      double val = 0.0;

      for (int j = 0; j < n; j++)
        val += (double) w[(gsize) i * n + j] * x[j];
      xout[i] = (float) val;
    }
}

static void
slow_rope (const HlCheckpointConfig *c, float *q, float *k, int pos)
{
  for (int i = 0; i < c->dim; i += 2)
    {
      int head_dim = i % c->head_dim;
      float freq = 1.0f / powf (10000.0f, head_dim / (float) c->head_dim);
      float val = pos * freq, fcr = cosf (val), fci = sinf (val);
      int rotn = i < c->kv_dim ? 2 : 1;

      for (int v = 0; v < rotn; v++)
        {
          float *vec = v == 0 ? q : k;
          float v0 = vec[i], v1 = vec[i + 1];

          vec[i] = v0 * fcr - v1 * fci;
          vec[i + 1] = v0 * fci + v1 * fcr;
        }
    }
}

static void
slow_attention (Slow *s, int l, int pos, const float *q, float *xb)
{
  const HlCheckpointConfig *c = s->c;
  int kv_mul = c->n_heads / c->n_kv_heads;

  memset (xb, 0, sizeof (float) * c->dim);
  for (int h = 0; h < c->n_heads; h++)
    {
      float *att = s->attention + (((gsize) l * c->n_heads + h) * s->n + pos) * s->n;
      float max = -INFINITY, sum = 0.0f;

      for (int t = 0; t <= pos; t++)
        {
          const float *k = s->key_cache + ((gsize) l * c->seq_len + t) * c->kv_dim + (h / kv_mul) * c->head_dim;
          float score = 0.0f;

          for (int i = 0; i < c->head_dim; i++)
            score += q[h * c->head_dim + i] * k[i];
          att[t] = score / sqrtf (c->head_dim);
          max = MAX (max, att[t]);
        }
      for (int t = 0; t <= pos; t++)
        sum += att[t] = expf (att[t] - max);
      for (int t = 0; t <= pos; t++)
        att[t] /= sum;
      for (int t = 0; t <= pos; t++)
        for (int i = 0; i < c->head_dim; i++)
          xb[h * c->head_dim + i] += att[t] * s->value_cache[((gsize) l * c->seq_len + t) * c->kv_dim + (h / kv_mul) * c->head_dim + i];
    }
}

static void
slow_forward (Slow *s, int token, int pos)
{
  const HlCheckpointConfig *c = s->c;
  const HlCheckpointWeights *w = s->w;
  gsize d = c->dim, h = c->hidden_dim, kv = c->kv_dim;
  g_autofree float *x = g_memdup2 (w->token_embedding + token * d, sizeof (float) * d);
  g_autofree float *xb = g_new (float, d), *xb2 = g_new (float, d), *q = g_new (float, d);
  g_autofree float *hb = g_new (float, h), *hb2 = g_new (float, h);

  for (int l = 0; l < c->n_layers; l++)
    {
      float *k = s->key_cache + ((gsize) l * c->seq_len + pos) * kv;
      float *v = s->value_cache + ((gsize) l * c->seq_len + pos) * kv;

      slow_rmsnorm (xb, x, w->rms_att + l * d, d);
      slow_matmul (q, xb, w->wq + l * d * d, d, d);
      slow_matmul (k, xb, w->wk + l * d * kv, d, kv);
      slow_matmul (v, xb, w->wv + l * d * kv, d, kv);
      slow_rope (c, q, k, pos);
      slow_attention (s, l, pos, q, xb);
      slow_matmul (xb2, xb, w->wo + l * d * d, d, d);
      for (gsize i = 0; i < d; i++)
        x[i] += xb2[i];
      slow_rmsnorm (xb, x, w->rms_ffn + l * d, d);
      slow_matmul (hb, xb, w->w1 + l * d * h, d, h);
      slow_matmul (hb2, xb, w->w3 + l * d * h, d, h);
      for (gsize i = 0; i < h; i++)
        hb[i] = hb[i] * (1.0f / (1.0f + expf (-hb[i]))) * hb2[i];
      slow_matmul (xb2, hb, w->w2 + l * d * h, h, d);
      for (gsize i = 0; i < d; i++)
        x[i] += xb2[i];
    }
  slow_rmsnorm (xb, x, w->rms_final, d);
  slow_matmul (s->logits + (gsize) pos * c->vocab_size, xb, w->classifier, d, c->vocab_size);
}

static void
slow_run (Slow *s, HlCheckpoint *checkpoint, const int32_t *tokens, int n)
{
  s->c = hl_checkpoint_get_config (checkpoint);
  s->w = hl_checkpoint_get_weights (checkpoint);
  s->n = n;
  s->key_cache = g_new0 (float, (gsize) s->c->n_layers * s->c->seq_len * s->c->kv_dim);
  s->value_cache = g_new0 (float, (gsize) s->c->n_layers * s->c->seq_len * s->c->kv_dim);
  s->attention = g_new0 (float, (gsize) s->c->n_layers * s->c->n_heads * n * n);
  s->logits = g_new0 (float, (gsize) n * s->c->vocab_size);
  for (int pos = 0; pos < n; pos++)
    slow_forward (s, tokens[pos], pos);
}

static void
slow_clear (Slow *s)
{
  g_free (s->key_cache);
  g_free (s->value_cache);
  g_free (s->attention);
  g_free (s->logits);
}

/* ---- captures of the batched pass ---- */

typedef struct
{
  const HlCheckpointConfig *c;
  int    n;
  float *attention;      /* [layers, heads, n, n]: every query */
  float *values;         /* [layers, n, kv_dim] */
  float *head_outputs;   /* [layers, n, dim] */
  int    layers_seen;
} Capture;

static gboolean
capture_cb (const HlLayerCapture  *cap,
            gpointer               user_data,
            GError               **error)
{
  Capture *k = user_data;
  gsize nn = (gsize) k->n * k->n;

  g_assert_cmpint (cap->layer, ==, k->layers_seen);
  g_assert_cmpint (cap->n_positions, ==, k->n);
  g_assert_cmpint (cap->n_queries, ==, k->n);
  memcpy (k->attention + (gsize) cap->layer * k->c->n_heads * nn, cap->attention,
          sizeof (float) * k->c->n_heads * nn);
  memcpy (k->values + (gsize) cap->layer * k->n * k->c->kv_dim, cap->values,
          sizeof (float) * k->n * k->c->kv_dim);
  memcpy (k->head_outputs + (gsize) cap->layer * k->n * k->c->dim, cap->head_outputs,
          sizeof (float) * k->n * k->c->dim);
  k->layers_seen++;
  return TRUE;
}

static void
capture_run (Capture       *k,
             HlCheckpoint  *checkpoint,
             const int32_t *tokens,
             int            n,
             float         *logits)
{
  g_autoptr(HlTransformer) transformer = transformer_for (checkpoint, n);
  g_autofree int *queries = g_new (int, n);
  g_autoptr(GError) error = NULL;

  k->c = hl_checkpoint_get_config (checkpoint);
  k->n = n;
  k->attention = g_new (float, (gsize) k->c->n_layers * k->c->n_heads * n * n);
  k->values = g_new (float, (gsize) k->c->n_layers * n * k->c->kv_dim);
  k->head_outputs = g_new (float, (gsize) k->c->n_layers * n * k->c->dim);
  for (int t = 0; t < n; t++)
    queries[t] = t;
  g_assert_true (hl_transformer_forward (transformer, tokens, n, 0, queries, n, capture_cb, k, &error));
  g_assert_no_error (error);
  g_assert_cmpint (k->layers_seen, ==, k->c->n_layers);
  if (logits != NULL)
    hl_transformer_logits (transformer, 0, n, logits);
}

static void
capture_clear (Capture *k)
{
  g_free (k->attention);
  g_free (k->values);
  g_free (k->head_outputs);
}

static float
max_abs_diff (const float *a,
              const float *b,
              gsize        n)
{
  float max = 0.0f;

  for (gsize i = 0; i < n; i++)
    max = MAX (max, fabsf (a[i] - b[i]));
  return max;
}

static void
test_matches_run_c (Fixture       *f,
                    gconstpointer  data)
{
  Slow slow = { 0 };
  Capture batch = { 0 };
  g_autofree float *logits = g_new (float, N_TOKENS * tiny.vocab_size);
  gsize n_att = (gsize) tiny.n_layers * tiny.n_heads * N_TOKENS * N_TOKENS;
  float logit_diff, att_diff;

  slow_run (&slow, f->checkpoint, f->tokens, N_TOKENS);
  capture_run (&batch, f->checkpoint, f->tokens, N_TOKENS, logits);
  logit_diff = max_abs_diff (logits, slow.logits, N_TOKENS * tiny.vocab_size);
  att_diff = max_abs_diff (batch.attention, slow.attention, n_att);
  g_test_message ("max |logit difference| %g, max |attention difference| %g", logit_diff, att_diff);
  g_assert_cmpfloat (logit_diff, <, 1e-4);
  g_assert_cmpfloat (att_diff, <, 1e-5);
  for (int l = 0; l < tiny.n_layers; l++)
    g_assert_cmpfloat (max_abs_diff (batch.values + (gsize) l * N_TOKENS * 8,
                                     slow.value_cache + (gsize) l * tiny.seq_len * 8,
                                     N_TOKENS * 8), <, 1e-5);
  capture_clear (&batch);
  slow_clear (&slow);
}

/* Rows sum to 1, are exactly zero after the query, and the head output the
 * pass used is sum_i alpha_i v_i of the captured weights and values. */
static void
assert_consistent (const Capture *k)
{
  const HlCheckpointConfig *c = k->c;
  int group = c->n_heads / c->n_kv_heads;
  double worst_sum = 0.0, worst_output = 0.0;

  for (int l = 0; l < c->n_layers; l++)
    for (int h = 0; h < c->n_heads; h++)
      for (int t = 0; t < k->n; t++)
        {
          const float *row = k->attention + (((gsize) l * c->n_heads + h) * k->n + t) * k->n;
          const float *out = k->head_outputs + ((gsize) l * k->n + t) * c->dim + h * c->head_dim;
          double sum = 0.0;

          for (int i = 0; i < k->n; i++)
            {
              if (i > t)
                g_assert_cmpfloat (row[i], ==, 0.0f);
              g_assert_cmpfloat (row[i], >=, 0.0f);
              sum += row[i];
            }
          worst_sum = MAX (worst_sum, fabs (sum - 1.0));
          for (int j = 0; j < c->head_dim; j++)
            {
              double y = 0.0;

              for (int i = 0; i <= t; i++)
                y += (double) row[i] * k->values[((gsize) l * k->n + i) * c->kv_dim + (h / group) * c->head_dim + j];
              worst_output = MAX (worst_output, fabs (y - out[j]));
            }
        }
  g_test_message ("max |row sum - 1| %g, max |sum alpha v - head output| %g", worst_sum, worst_output);
  g_assert_cmpfloat (worst_sum, <, 1e-5);
  g_assert_cmpfloat (worst_output, <, 1e-5);
}

static void
test_consistency (Fixture       *f,
                  gconstpointer  data)
{
  Capture k = { 0 };

  capture_run (&k, f->checkpoint, f->tokens, N_TOKENS, NULL);
  assert_consistent (&k);
  capture_clear (&k);
}

/* Feeding a prefix, then the rest at pos0 through the cache, gives the
 * logits of one pass over everything. */
static void
test_incremental (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(HlTransformer) whole = transformer_for (f->checkpoint, N_TOKENS);
  g_autoptr(HlTransformer) parts = transformer_for (f->checkpoint, N_TOKENS);
  g_autofree float *expected = g_new (float, N_TOKENS * tiny.vocab_size);
  g_autofree float *got = g_new (float, N_TOKENS * tiny.vocab_size);
  int split = 11;

  g_assert_true (hl_transformer_forward (whole, f->tokens, N_TOKENS, 0, NULL, 0, NULL, NULL, NULL));
  hl_transformer_logits (whole, 0, N_TOKENS, expected);
  g_assert_true (hl_transformer_forward (parts, f->tokens, split, 0, NULL, 0, NULL, NULL, NULL));
  hl_transformer_logits (parts, 0, split, got);
  for (int t = split; t < N_TOKENS; t++)
    {
      g_assert_true (hl_transformer_forward (parts, f->tokens + t, 1, t, NULL, 0, NULL, NULL, NULL));
      hl_transformer_logits (parts, 0, 1, got + (gsize) t * tiny.vocab_size);
    }
  g_assert_cmpfloat (max_abs_diff (got, expected, N_TOKENS * tiny.vocab_size), <, 1e-4);
}

/* The same weights in version 0 and version 1 layouts compute the same. */
static void
test_versions_agree (Fixture       *f,
                     gconstpointer  data)
{
  HlCheckpointConfig v1 = tiny;
  g_autoptr(HlCheckpoint) other = NULL;
  g_autoptr(HlTransformer) a = transformer_for (f->checkpoint, N_TOKENS);
  g_autoptr(HlTransformer) b = NULL;
  g_autofree float *la = g_new (float, N_TOKENS * tiny.vocab_size);
  g_autofree float *lb = g_new (float, N_TOKENS * tiny.vocab_size);

  v1.version = 1;
  other = write_and_open (f->dir, &v1, "tiny-v1.bin");
  g_assert_cmpint (hl_checkpoint_get_config (other)->version, ==, 1);
  b = transformer_for (other, N_TOKENS);
  g_assert_true (hl_transformer_forward (a, f->tokens, N_TOKENS, 0, NULL, 0, NULL, NULL, NULL));
  g_assert_true (hl_transformer_forward (b, f->tokens, N_TOKENS, 0, NULL, 0, NULL, NULL, NULL));
  hl_transformer_logits (a, 0, N_TOKENS, la);
  hl_transformer_logits (b, 0, N_TOKENS, lb);
  g_assert_cmpmem (la, sizeof (float) * N_TOKENS * tiny.vocab_size, lb, sizeof (float) * N_TOKENS * tiny.vocab_size);
}

static gboolean
fail_at_layer_1_cb (const HlLayerCapture  *capture,
                    gpointer               user_data,
                    GError               **error)
{
  if (capture->layer < 1)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "stop");
  return FALSE;
}

static void
test_callback_stops (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(HlTransformer) transformer = transformer_for (f->checkpoint, N_TOKENS);
  g_autoptr(GError) error = NULL;

  g_assert_false (hl_transformer_forward (transformer, f->tokens, N_TOKENS, 0, NULL, 0,
                                          fail_at_layer_1_cb, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_stories260k_generate (void)
{
  g_autofree char *model_path = test_shared_model_file ("stories260K.bin");
  g_autofree char *tok_path = model_path != NULL ? test_shared_model_file ("tok512.bin") : NULL;
  g_autoptr(HlCheckpoint) checkpoint = NULL;
  g_autoptr(HlTokenizer) tokenizer = NULL;
  g_autoptr(HlModel) model = NULL;
  g_autoptr(HlTextCodec) codec = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  HlGenerateOptions options = { .steps = 30, .temperature = 0.0f, .seed = 1 };

  if (tok_path == NULL)
    return;
  checkpoint = hl_checkpoint_open (model_path, &error);
  g_assert_no_error (error);
  tokenizer = hl_tokenizer_open (tok_path, 512, &error);
  g_assert_no_error (error);
  model = hl_model_new_from_checkpoint (checkpoint);
  codec = hl_text_codec_new_llama2c (tokenizer);
  text = hl_generate (model, codec, "Once upon a time", &options, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "Once upon a time, there was a little girl named Lily. She loved to "
                             "play outside in the park. One day,");
}

static void
test_stories260k_consistency (void)
{
  g_autofree char *model_path = test_shared_model_file ("stories260K.bin");
  g_autofree char *tok_path = model_path != NULL ? test_shared_model_file ("tok512.bin") : NULL;
  g_autoptr(HlCheckpoint) checkpoint = NULL;
  g_autoptr(HlTokenizer) tokenizer = NULL;
  g_autofree int32_t *tokens = NULL;
  Slow slow = { 0 };
  Capture k = { 0 };
  g_autofree float *logits = NULL;
  gsize n;

  if (tok_path == NULL)
    return;
  checkpoint = hl_checkpoint_open (model_path, NULL);
  tokenizer = hl_tokenizer_open (tok_path, 512, NULL);
  g_assert_nonnull (checkpoint);
  g_assert_nonnull (tokenizer);
  tokens = hl_tokenizer_encode (tokenizer, "Lily and Tom went to the park. They played with a red ball.", TRUE, FALSE, &n);
  logits = g_new (float, n * 512);
  capture_run (&k, checkpoint, tokens, n, logits);
  assert_consistent (&k);
  slow_run (&slow, checkpoint, tokens, n);
  g_assert_cmpfloat (max_abs_diff (logits, slow.logits, n * 512), <, 1e-4);
  slow_clear (&slow);
  capture_clear (&k);
}

/* ---- stepping and hooks ---- */

static float *
logits_of (HlTransformer *transformer)
{
  float *logits = g_new (float, (gsize) N_TOKENS * tiny.vocab_size);

  hl_transformer_logits (transformer, 0, N_TOKENS, logits);
  return logits;
}

/* Layer by layer equals the whole pass; and restoring the residual stream
 * saved before layer 1 and running layers 1.. again gives the same logits
 * (the cached-prefix path of causal experiments). */
static void
test_stepping (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(HlTransformer) whole = transformer_for (f->checkpoint, N_TOKENS);
  g_autoptr(HlTransformer) steps = transformer_for (f->checkpoint, N_TOKENS);
  gsize size = (gsize) N_TOKENS * tiny.dim;
  g_autofree float *saved = g_new (float, size);
  g_autofree float *expected = NULL;
  g_autofree float *stepped = NULL;
  g_autofree float *again = NULL;

  g_assert_true (hl_transformer_forward (whole, f->tokens, N_TOKENS, 0, NULL, 0, NULL, NULL, NULL));
  expected = logits_of (whole);
  hl_transformer_begin (steps, f->tokens, N_TOKENS, 0);
  g_assert_true (hl_transformer_run_layer (steps, 0, NULL, NULL));
  memcpy (saved, hl_transformer_get_residual (steps), sizeof (float) * size);
  for (int l = 1; l < tiny.n_layers; l++)
    g_assert_true (hl_transformer_run_layer (steps, l, NULL, NULL));
  hl_transformer_end (steps);
  stepped = logits_of (steps);
  g_assert_cmpmem (stepped, sizeof (float) * N_TOKENS * tiny.vocab_size,
                   expected, sizeof (float) * N_TOKENS * tiny.vocab_size);
  memcpy (hl_transformer_get_residual (steps), saved, sizeof (float) * size);
  for (int l = 1; l < tiny.n_layers; l++)
    g_assert_true (hl_transformer_run_layer (steps, l, NULL, NULL));
  hl_transformer_end (steps);
  again = logits_of (steps);
  g_assert_cmpmem (again, sizeof (float) * N_TOKENS * tiny.vocab_size,
                   expected, sizeof (float) * N_TOKENS * tiny.vocab_size);
}

#define ABLATED_LAYER 1
#define ABLATED_HEAD 4

static void
zero_weights_cb (HlAttentionRows *rows,
                 gpointer         user_data)
{
  int *calls = user_data;

  (*calls)++;
  g_assert_cmpint (rows->n_positions, ==, N_TOKENS);
  g_assert_cmpint (rows->kv_head, ==, rows->head / (tiny.n_heads / tiny.n_kv_heads));
  if (rows->layer == ABLATED_LAYER && rows->head == ABLATED_HEAD)
    memset (rows->weights, 0, sizeof (float) * rows->n_tokens * rows->n_positions);
}

static void
zero_output_cb (HlHeadOutputs *outputs,
                gpointer       user_data)
{
  int head_dim = tiny.dim / tiny.n_heads;

  if (outputs->layer != ABLATED_LAYER)
    return;
  for (int t = 0; t < outputs->n_tokens; t++)
    memset (outputs->outputs + (gsize) t * tiny.dim + ABLATED_HEAD * head_dim, 0, sizeof (float) * head_dim);
}

static float *
run_with_hooks (HlCheckpoint         *checkpoint,
                const int32_t        *tokens,
                const HlForwardHooks *hooks)
{
  g_autoptr(HlTransformer) transformer = transformer_for (checkpoint, N_TOKENS);

  hl_transformer_begin (transformer, tokens, N_TOKENS, 0);
  for (int l = 0; l < tiny.n_layers; l++)
    g_assert_true (hl_transformer_run_layer (transformer, l, hooks, NULL));
  hl_transformer_end (transformer);
  return logits_of (transformer);
}

/* Zeroing a head's attention weights before they multiply the values and
 * zeroing its output are the same ablation; both change the logits. */
static void
test_hooks_ablate (Fixture       *f,
                   gconstpointer  data)
{
  int calls = 0;
  HlForwardHooks by_weights = { .attention = zero_weights_cb, .user_data = &calls };
  HlForwardHooks by_output = { .head_outputs = zero_output_cb };
  g_autofree float *plain = run_with_hooks (f->checkpoint, f->tokens, NULL);
  g_autofree float *a = run_with_hooks (f->checkpoint, f->tokens, &by_weights);
  g_autofree float *b = run_with_hooks (f->checkpoint, f->tokens, &by_output);
  gsize n = (gsize) N_TOKENS * tiny.vocab_size;

  g_assert_cmpint (calls, ==, tiny.n_layers * tiny.n_heads);
  g_assert_cmpfloat (max_abs_diff (a, b, n), <=, 1e-6);
  g_assert_cmpfloat (max_abs_diff (a, plain, n), >, 1e-3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/extract/transformer/matches-run-c", Fixture, NULL, fixture_set_up, test_matches_run_c, fixture_tear_down);
  g_test_add ("/extract/transformer/consistency", Fixture, NULL, fixture_set_up, test_consistency, fixture_tear_down);
  g_test_add ("/extract/transformer/incremental", Fixture, NULL, fixture_set_up, test_incremental, fixture_tear_down);
  g_test_add ("/extract/transformer/versions-agree", Fixture, NULL, fixture_set_up, test_versions_agree, fixture_tear_down);
  g_test_add ("/extract/transformer/stepping", Fixture, NULL, fixture_set_up, test_stepping, fixture_tear_down);
  g_test_add ("/extract/transformer/hooks-ablate", Fixture, NULL, fixture_set_up, test_hooks_ablate, fixture_tear_down);
  g_test_add ("/extract/transformer/callback-stops", Fixture, NULL, fixture_set_up, test_callback_stops, fixture_tear_down);
  g_test_add_func ("/extract/transformer/stories260k-generate", test_stories260k_generate);
  g_test_add_func ("/extract/transformer/stories260k-consistency", test_stories260k_consistency);
  return g_test_run ();
}
