/* hl-transformer.c: the decoder-only transformer forward pass for a batch
 * of positions, every matrix product of the batch through one BLAS GEMM.
 * One code path serves every family: the model's config says which norm,
 * activation, position encoding, biases and caps apply.
 *
 * Weights stored as float32 (and aligned) are used where they are mapped;
 * float16 and bfloat16 weights are widened one layer at a time into an
 * arena that the next layer reuses, and the classifier in blocks of rows,
 * so the memory beyond the mapping is one layer in float32.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-transformer.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* Classifier rows widened at once when it is not float32. */
#define CLASSIFIER_BLOCK 4096

/* A weight ready for BLAS: float32, row-major with @stride. */
typedef struct
{
  const float *data;       /* NULL when the model has no such tensor */
  gint64       rows;
  gint64       cols;
  gint64       stride;
  gboolean     in_major;
} Matrix;

struct _HlTransformer
{
  HlModel             *model;         /* owned reference */
  HlModelConfig        c;
  const HlModelWeights *w;            /* the model's */
  int                  max_positions;

  /* Key/value cache: [n_layers, max_positions, kv_dim]. */
  float               *key_cache;
  float               *value_cache;
  float               *inv_freq;      /* [head_dim / 2] */

  /* Widened weights of the layer being run. */
  float               *arena;
  gsize                arena_size;
  gsize                arena_used;

  /* The current call. */
  int                  pos0;
  int                  n_tokens;
  gboolean             finished;      /* end() ran: xb holds the final norm */
  float               *cos_table;     /* [n_tokens, head_dim / 2] */
  float               *sin_table;

  /* Batch scratch, sized for @capacity tokens. */
  int                  capacity;
  float               *x;             /* [capacity, hidden] residual stream */
  float               *xb;            /* [capacity, hidden] */
  float               *xb2;           /* [capacity, hidden] */
  float               *q;             /* [capacity, q_dim] */
  float               *attn_out;      /* [capacity, q_dim] */
  float               *hb;            /* [capacity, intermediate] */
  float               *hb2;           /* [capacity, intermediate] */
  float               *att;           /* [capacity, max_positions] one head's weights */
  float               *captured;      /* [n_heads, n_queries, n_positions] */
  gsize                captured_size;
};

/* Setup */

static gboolean
needs_widening (const HlTensor *t)
{
  return t->data != NULL && (t->dtype != HL_TENSOR_F32 || (guintptr) t->data % sizeof (float) != 0);
}

static gsize
widened_size (const HlTensor *t)
{
  return needs_widening (t) ? (gsize) (t->rows * t->cols) : 0;
}

/* The arena holds the largest layer's widened tensors. */
static gsize
layer_arena_size (const HlLayerWeights *l)
{
  const HlTensor *tensors[] = {
    &l->attn_norm, &l->attn_norm_bias, &l->wq, &l->bq, &l->wk, &l->bk, &l->wv, &l->bv, &l->wo,
    &l->bo, &l->post_attn_norm, &l->ffn_norm, &l->ffn_norm_bias, &l->w_gate, &l->b_gate,
    &l->w_up, &l->b_up, &l->w_down, &l->b_down, &l->post_ffn_norm,
  };
  gsize size = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (tensors); i++)
    size += widened_size (tensors[i]);
  return size;
}

static gsize
arena_size (const HlModelConfig  *c,
            const HlModelWeights *w)
{
  gsize size = widened_size (&w->final_norm) + widened_size (&w->final_norm_bias);

  for (int l = 0; l < c->n_layers; l++)
    size = MAX (size, layer_arena_size (&w->layers[l]));
  if (needs_widening (&w->classifier))
    size = MAX (size, (gsize) CLASSIFIER_BLOCK * c->hidden_size);
  return size;
}

/* Hugging Face's _compute_llama3_parameters: long wavelengths are divided
 * by the factor, short ones kept, the band between interpolated. */
static double
llama3_frequency (const HlModelConfig *c,
                  double               freq)
{
  double old = c->rope_original_max_positions;
  double low_wavelen = old / c->rope_low_freq_factor;
  double high_wavelen = old / c->rope_high_freq_factor;
  double wavelen = 2.0 * G_PI / freq;
  double smooth;

  if (wavelen < high_wavelen)
    return freq;
  if (wavelen > low_wavelen)
    return freq / c->rope_factor;
  smooth = (old / wavelen - c->rope_low_freq_factor) / (c->rope_high_freq_factor - c->rope_low_freq_factor);
  return (1.0 - smooth) * freq / c->rope_factor + smooth * freq;
}

static void
compute_frequencies (HlTransformer *self)
{
  const HlModelConfig *c = &self->c;
  int half = c->head_dim / 2;

  self->inv_freq = g_new (float, MAX (half, 1));
  for (int j = 0; j < half; j++)
    {
      /* In float32 as run.c and transformers compute it. */
      float freq = 1.0f / powf ((float) c->rope_theta, (float) (2 * j) / (float) c->head_dim);

      if (c->rope_scaling == HL_ROPE_SCALING_LINEAR)
        freq = (float) (freq / c->rope_factor);
      else if (c->rope_scaling == HL_ROPE_SCALING_LLAMA3)
        freq = (float) llama3_frequency (c, freq);
      self->inv_freq[j] = freq;
    }
}

HlTransformer *
hl_transformer_new (HlModel *model,
                    int      max_positions)
{
  HlTransformer *self;
  gsize cache_size;

  g_return_val_if_fail (HL_IS_MODEL (model), NULL);
  g_return_val_if_fail (max_positions > 0, NULL);
  g_return_val_if_fail (max_positions <= hl_model_get_config (model)->max_positions, NULL);

  self = g_new0 (HlTransformer, 1);
  self->model = g_object_ref (model);
  self->c = *hl_model_get_config (model);
  self->w = hl_model_get_weights (model);
  self->max_positions = max_positions;
  cache_size = (gsize) self->c.n_layers * max_positions * self->c.kv_dim;
  self->key_cache = g_new0 (float, cache_size);
  self->value_cache = g_new0 (float, cache_size);
  self->arena_size = arena_size (&self->c, self->w);
  self->arena = self->arena_size > 0 ? g_new (float, self->arena_size) : NULL;
  compute_frequencies (self);
  return self;
}

static void
free_scratch (HlTransformer *self)
{
  g_clear_pointer (&self->x, g_free);
  g_clear_pointer (&self->xb, g_free);
  g_clear_pointer (&self->xb2, g_free);
  g_clear_pointer (&self->q, g_free);
  g_clear_pointer (&self->attn_out, g_free);
  g_clear_pointer (&self->hb, g_free);
  g_clear_pointer (&self->hb2, g_free);
  g_clear_pointer (&self->att, g_free);
  g_clear_pointer (&self->cos_table, g_free);
  g_clear_pointer (&self->sin_table, g_free);
  self->capacity = 0;
}

void
hl_transformer_free (HlTransformer *self)
{
  if (self == NULL)
    return;
  free_scratch (self);
  g_free (self->captured);
  g_free (self->key_cache);
  g_free (self->value_cache);
  g_free (self->inv_freq);
  g_free (self->arena);
  g_object_unref (self->model);
  g_free (self);
}

HlModel *
hl_transformer_get_model (HlTransformer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->model;
}

int
hl_transformer_get_max_positions (HlTransformer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->max_positions;
}

static void
ensure_scratch (HlTransformer *self,
                int            n_tokens)
{
  const HlModelConfig *c = &self->c;
  gsize n = n_tokens;
  int half = MAX (c->head_dim / 2, 1);

  if (n_tokens <= self->capacity)
    return;
  free_scratch (self);
  self->capacity = n_tokens;
  self->x = g_new (float, n * c->hidden_size);
  self->xb = g_new (float, n * c->hidden_size);
  self->xb2 = g_new (float, n * c->hidden_size);
  self->q = g_new (float, n * c->q_dim);
  self->attn_out = g_new (float, n * c->q_dim);
  self->hb = g_new (float, n * c->intermediate_size);
  self->hb2 = g_new (float, n * c->intermediate_size);
  self->att = g_new (float, n * self->max_positions);
  self->cos_table = g_new (float, n * half);
  self->sin_table = g_new (float, n * half);
}

static void
ensure_captured (HlTransformer *self,
                 gsize          size)
{
  if (size <= self->captured_size)
    return;
  g_free (self->captured);
  self->captured = g_new0 (float, size);
  self->captured_size = size;
}

/* Weights as float32 */

static Matrix
view (HlTransformer  *self,
      const HlTensor *t)
{
  Matrix m = { NULL, t->rows, t->cols, t->stride, t->in_major };
  float *out;

  if (t->data == NULL)
    return m;
  if (!needs_widening (t))
    {
      m.data = t->data;
      return m;
    }
  g_assert (self->arena_used + t->rows * t->cols <= self->arena_size);
  out = self->arena + self->arena_used;
  for (gint64 r = 0; r < t->rows; r++)
    hl_tensor_read_row (t, r, 0, t->cols, out + r * t->cols);
  self->arena_used += t->rows * t->cols;
  m.data = out;
  m.stride = t->cols;
  return m;
}

/* Y[n, out] = X[n, in] W^T for W stored [out, in], or X W for [in, out]. */
static void
matmul (float        *y,
        int           ldy,
        const float  *x,
        int           ldx,
        const Matrix *w,
        int           n)
{
  int out = w->in_major ? w->cols : w->rows;
  int in = w->in_major ? w->rows : w->cols;

  cblas_sgemm (CblasRowMajor, CblasNoTrans, w->in_major ? CblasNoTrans : CblasTrans, n, out, in,
               1.0f, x, ldx, w->data, w->stride, 0.0f, y, ldy);
}

static void
add_bias (float        *y,
          int           ldy,
          const Matrix *bias,
          int           n)
{
  if (bias->data == NULL)
    return;
  for (int t = 0; t < n; t++)
    for (gint64 j = 0; j < bias->cols; j++)
      y[(gsize) t * ldy + j] += bias->data[j];
}

static void
linear (float        *y,
        int           ldy,
        const float  *x,
        int           ldx,
        const Matrix *w,
        const Matrix *bias,
        int           n)
{
  matmul (y, ldy, x, ldx, w, n);
  add_bias (y, ldy, bias, n);
}

/* Norms */

static void
norm_row (const HlModelConfig *c,
          float               *o,
          const float         *x,
          const Matrix        *weight,
          const Matrix        *bias,
          int                  size)
{
  const float *w = weight->data;
  float mean = 0.0f, ss = 0.0f;

  if (c->norm == HL_NORM_LAYER)
    {
      for (int j = 0; j < size; j++)
        mean += x[j];
      mean /= size;
    }
  for (int j = 0; j < size; j++)
    ss += (x[j] - mean) * (x[j] - mean);
  ss = 1.0f / sqrtf (ss / size + c->norm_eps);
  for (int j = 0; j < size; j++)
    {
      float scale = c->norm == HL_NORM_RMS_PLUS_ONE ? 1.0f + w[j] : w[j];

      o[j] = scale * (ss * (x[j] - mean));
      if (bias->data != NULL)
        o[j] += bias->data[j];
    }
}

static void
norm_rows (HlTransformer  *self,
           float          *out,
           const float    *x,
           const HlTensor *weight,
           const HlTensor *bias,
           int             n)
{
  Matrix w = view (self, weight);
  Matrix b = view (self, bias);
  int size = self->c.hidden_size;

  for (int t = 0; t < n; t++)
    norm_row (&self->c, out + (gsize) t * size, x + (gsize) t * size, &w, &b, size);
}

/* Embedding */

static void
embed (HlTransformer *self,
       const int32_t *tokens,
       int            n_tokens,
       int            pos0)
{
  const HlModelConfig *c = &self->c;
  g_autofree float *position = NULL;

  if (c->positions == HL_POSITIONS_LEARNED)
    position = g_new (float, c->hidden_size);
  for (int t = 0; t < n_tokens; t++)
    {
      float *x = self->x + (gsize) t * c->hidden_size;

      hl_tensor_read_row (&self->w->embedding, tokens[t], 0, c->hidden_size, x);
      if (c->embedding_scale != 1.0f)
        for (int j = 0; j < c->hidden_size; j++)
          x[j] *= c->embedding_scale;
      if (position == NULL)
        continue;
      hl_tensor_read_row (&self->w->position_embedding, pos0 + t, 0, c->hidden_size, position);
      for (int j = 0; j < c->hidden_size; j++)
        x[j] += position[j];
    }
}

/* RoPE */

static void
fill_rope_tables (HlTransformer *self)
{
  int half = self->c.head_dim / 2;

  if (self->c.positions == HL_POSITIONS_LEARNED)
    return;
  for (int t = 0; t < self->n_tokens; t++)
    for (int j = 0; j < half; j++)
      {
        float angle = (self->pos0 + t) * self->inv_freq[j];

        self->cos_table[(gsize) t * half + j] = cosf (angle);
        self->sin_table[(gsize) t * half + j] = sinf (angle);
      }
}

/* Rotates each head of @vec: pairs (2j, 2j + 1) for llama2.c, (j, j + half)
 * for Hugging Face's rotate_half. */
static void
rope_row (const HlTransformer *self,
          float               *vec,
          int                  width,
          int                  t)
{
  int half = self->c.head_dim / 2;
  gboolean interleaved = self->c.positions == HL_POSITIONS_ROPE_INTERLEAVED;
  const float *cosines = self->cos_table + (gsize) t * half;
  const float *sines = self->sin_table + (gsize) t * half;

  for (int head = 0; head < width; head += self->c.head_dim)
    for (int j = 0; j < half; j++)
      {
        int i0 = head + (interleaved ? 2 * j : j);
        int i1 = i0 + (interleaved ? 1 : half);
        float v0 = vec[i0], v1 = vec[i1];

        vec[i0] = v0 * cosines[j] - v1 * sines[j];
        vec[i1] = v0 * sines[j] + v1 * cosines[j];
      }
}

static float *
cache_at (const HlTransformer *self,
          float               *cache,
          int                  layer,
          int                  pos)
{
  return cache + ((gsize) layer * self->max_positions + pos) * self->c.kv_dim;
}

/* Computes q for the batch and appends k and v to the cache. */
static void
project_qkv (HlTransformer        *self,
             int                   layer,
             const HlLayerWeights *lw)
{
  const HlModelConfig *c = &self->c;
  int n = self->n_tokens;
  float *k = cache_at (self, self->key_cache, layer, self->pos0);
  float *v = cache_at (self, self->value_cache, layer, self->pos0);
  Matrix wq = view (self, &lw->wq), bq = view (self, &lw->bq);
  Matrix wk = view (self, &lw->wk), bk = view (self, &lw->bk);
  Matrix wv = view (self, &lw->wv), bv = view (self, &lw->bv);

  norm_rows (self, self->xb, self->x, &lw->attn_norm, &lw->attn_norm_bias, n);
  linear (self->q, c->q_dim, self->xb, c->hidden_size, &wq, &bq, n);
  linear (k, c->kv_dim, self->xb, c->hidden_size, &wk, &bk, n);
  linear (v, c->kv_dim, self->xb, c->hidden_size, &wv, &bv, n);
  if (c->positions == HL_POSITIONS_LEARNED)
    return;
  for (int t = 0; t < n; t++)
    {
      rope_row (self, self->q + (gsize) t * c->q_dim, c->q_dim, t);
      rope_row (self, k + (gsize) t * c->kv_dim, c->kv_dim, t);
    }
}

/* Attention */

static int
first_visible (const HlModelConfig *c,
               int                  layer,
               int                  pos)
{
  gboolean windowed = c->sliding_window > 0 && (!c->sliding_even_only || layer % 2 == 0);

  return windowed ? MAX (0, pos - c->sliding_window + 1) : 0;
}

/* Caps the scores, then a softmax over the keys each query sees (the
 * causal prefix, cut to the sliding window); the other weights are zero
 * so rows can be used whole. */
static void
masked_softmax (const HlTransformer *self,
                int                  layer,
                int                  n_positions)
{
  float cap = self->c.attention_softcap;

  for (int t = 0; t < self->n_tokens; t++)
    {
      float *row = self->att + (gsize) t * n_positions;
      int pos = self->pos0 + t;
      int lo = first_visible (&self->c, layer, pos);
      float max = -INFINITY, sum = 0.0f;

      if (cap > 0.0f)
        for (int i = lo; i <= pos; i++)
          row[i] = cap * tanhf (row[i] / cap);
      for (int i = lo; i <= pos; i++)
        max = MAX (max, row[i]);
      for (int i = lo; i <= pos; i++)
        {
          row[i] = expf (row[i] - max);
          sum += row[i];
        }
      for (int i = lo; i <= pos; i++)
        row[i] /= sum;
      memset (row, 0, sizeof (float) * lo);
      memset (row + pos + 1, 0, sizeof (float) * (n_positions - pos - 1));
    }
}

static void
capture_rows (HlTransformer        *self,
              int                   head,
              int                   n_positions,
              const HlForwardHooks *hooks)
{
  for (int qi = 0; qi < hooks->n_queries; qi++)
    memcpy (self->captured + ((gsize) head * hooks->n_queries + qi) * n_positions,
            self->att + (gsize) (hooks->query_positions[qi] - self->pos0) * n_positions,
            sizeof (float) * n_positions);
}

/* Per head: scores Q_h K_g^T * scale, masked softmax, then the weighted
 * sum of values A V_g into head h's columns of attn_out. */
static void
attend (HlTransformer        *self,
        int                   layer,
        const HlForwardHooks *hooks)
{
  const HlModelConfig *c = &self->c;
  int n = self->n_tokens;
  int n_positions = self->pos0 + n;
  int group = c->n_heads / c->n_kv_heads;
  const float *keys = cache_at (self, self->key_cache, layer, 0);
  const float *values = cache_at (self, self->value_cache, layer, 0);

  for (int h = 0; h < c->n_heads; h++)
    {
      int kv_offset = (h / group) * c->head_dim;

      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n_positions, c->head_dim,
                   c->attention_scale, self->q + h * c->head_dim, c->q_dim, keys + kv_offset, c->kv_dim,
                   0.0f, self->att, n_positions);
      masked_softmax (self, layer, n_positions);
      capture_rows (self, h, n_positions, hooks);
      if (hooks->attention != NULL)
        {
          HlAttentionRows rows = {
            layer, h, h / group, self->pos0, n, n_positions, self->att,
            values + kv_offset, c->kv_dim,
          };
          hooks->attention (&rows, hooks->user_data);
        }
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, c->head_dim, n_positions,
                   1.0f, self->att, n_positions, values + kv_offset, c->kv_dim,
                   0.0f, self->attn_out + h * c->head_dim, c->q_dim);
    }
}

static void
add_rows (float       *x,
          const float *y,
          gsize        n)
{
  for (gsize i = 0; i < n; i++)
    x[i] += y[i];
}

/* Adds @update [n, hidden] to the residual stream, through @post_norm
 * first where the model has one (Gemma 2). */
static void
add_to_residual (HlTransformer  *self,
                 float          *update,
                 const HlTensor *post_norm)
{
  HlTensor no_bias = { 0 };
  gsize size = (gsize) self->n_tokens * self->c.hidden_size;

  if (post_norm->data != NULL)
    {
      norm_rows (self, self->xb, update, post_norm, &no_bias, self->n_tokens);
      update = self->xb;
    }
  add_rows (self->x, update, size);
}

static float
activate (HlActivation activation,
          float        x)
{
  switch (activation)
    {
    case HL_ACTIVATION_SILU:
      return x / (1.0f + expf (-x));
    case HL_ACTIVATION_GELU_TANH:
      return 0.5f * x * (1.0f + tanhf (0.7978845608028654f * (x + 0.044715f * x * x * x)));
    case HL_ACTIVATION_GELU:
      return 0.5f * x * (1.0f + erff (x * (float) G_SQRT2 / 2.0f));
    default:
      g_assert_not_reached ();
    }
}

static void
feed_forward (HlTransformer        *self,
              const HlLayerWeights *lw)
{
  const HlModelConfig *c = &self->c;
  int n = self->n_tokens;
  gsize n_hidden = (gsize) n * c->intermediate_size;
  Matrix up = view (self, &lw->w_up), b_up = view (self, &lw->b_up);
  Matrix down = view (self, &lw->w_down), b_down = view (self, &lw->b_down);

  norm_rows (self, self->xb, self->x, &lw->ffn_norm, &lw->ffn_norm_bias, n);
  linear (self->hb2, c->intermediate_size, self->xb, c->hidden_size, &up, &b_up, n);
  if (c->gated_mlp)
    {
      Matrix gate = view (self, &lw->w_gate), b_gate = view (self, &lw->b_gate);

      linear (self->hb, c->intermediate_size, self->xb, c->hidden_size, &gate, &b_gate, n);
      for (gsize i = 0; i < n_hidden; i++)
        self->hb[i] = activate (c->activation, self->hb[i]) * self->hb2[i];
    }
  else
    for (gsize i = 0; i < n_hidden; i++)
      self->hb[i] = activate (c->activation, self->hb2[i]);
  linear (self->xb2, c->hidden_size, self->hb, c->intermediate_size, &down, &b_down, n);
  add_to_residual (self, self->xb2, &lw->post_ffn_norm);
}

static gboolean
report_layer (HlTransformer        *self,
              int                   layer,
              const HlForwardHooks *hooks,
              GError              **error)
{
  HlLayerCapture capture = {
    .layer = layer,
    .pos0 = self->pos0,
    .n_tokens = self->n_tokens,
    .n_positions = self->pos0 + self->n_tokens,
    .values = cache_at (self, self->value_cache, layer, 0),
    .n_queries = hooks->n_queries,
    .query_positions = hooks->query_positions,
    .attention = hooks->n_queries > 0 ? self->captured : NULL,
    .head_outputs = self->attn_out,
  };

  return hooks->capture == NULL || hooks->capture (&capture, hooks->user_data, error);
}

/* The pass */

static gboolean
check_tokens (const HlTransformer *self,
              const int32_t       *tokens,
              int                  n_tokens)
{
  for (int t = 0; t < n_tokens; t++)
    if (tokens[t] < 0 || tokens[t] >= self->c.vocab_size)
      return FALSE;
  return TRUE;
}

static gboolean
check_queries (const int *query_positions,
               int        n_queries,
               int        pos0,
               int        n_tokens)
{
  for (int qi = 0; qi < n_queries; qi++)
    if (query_positions[qi] < pos0 || query_positions[qi] >= pos0 + n_tokens)
      return FALSE;
  return TRUE;
}

void
hl_transformer_begin (HlTransformer *self,
                      const int32_t *tokens,
                      int            n_tokens,
                      int            pos0)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (n_tokens > 0 && pos0 >= 0);
  g_return_if_fail (pos0 + n_tokens <= self->max_positions);
  g_return_if_fail (check_tokens (self, tokens, n_tokens));

  ensure_scratch (self, n_tokens);
  self->pos0 = pos0;
  self->n_tokens = n_tokens;
  self->finished = FALSE;
  embed (self, tokens, n_tokens, pos0);
  fill_rope_tables (self);
}

gboolean
hl_transformer_run_layer (HlTransformer        *self,
                          int                   layer,
                          const HlForwardHooks *hooks,
                          GError              **error)
{
  static const HlForwardHooks no_hooks = { 0 };
  const HlLayerWeights *lw;
  Matrix wo, bo;

  g_return_val_if_fail (self != NULL && self->n_tokens > 0, FALSE);
  g_return_val_if_fail (layer >= 0 && layer < self->c.n_layers, FALSE);
  hooks = hooks != NULL ? hooks : &no_hooks;
  g_return_val_if_fail (hooks->n_queries == 0 || hooks->query_positions != NULL, FALSE);
  g_return_val_if_fail (check_queries (hooks->query_positions, hooks->n_queries, self->pos0, self->n_tokens), FALSE);

  lw = &self->w->layers[layer];
  self->arena_used = 0;
  self->finished = FALSE;
  ensure_captured (self, (gsize) self->c.n_heads * hooks->n_queries * (self->pos0 + self->n_tokens));
  project_qkv (self, layer, lw);
  attend (self, layer, hooks);
  if (hooks->head_outputs != NULL)
    {
      HlHeadOutputs outputs = { layer, self->pos0, self->n_tokens, self->attn_out };
      hooks->head_outputs (&outputs, hooks->user_data);
    }
  if (!report_layer (self, layer, hooks, error))
    return FALSE;
  wo = view (self, &lw->wo);
  bo = view (self, &lw->bo);
  linear (self->xb2, self->c.hidden_size, self->attn_out, self->c.q_dim, &wo, &bo, self->n_tokens);
  add_to_residual (self, self->xb2, &lw->post_attn_norm);
  feed_forward (self, lw);
  return TRUE;
}

void
hl_transformer_end (HlTransformer *self)
{
  g_return_if_fail (self != NULL && self->n_tokens > 0);

  self->arena_used = 0;
  norm_rows (self, self->xb, self->x, &self->w->final_norm, &self->w->final_norm_bias, self->n_tokens);
  self->finished = TRUE;
}

float *
hl_transformer_get_residual (HlTransformer *self)
{
  g_return_val_if_fail (self != NULL && self->n_tokens > 0, NULL);
  return self->x;
}

gboolean
hl_transformer_forward (HlTransformer  *self,
                        const int32_t  *tokens,
                        int             n_tokens,
                        int             pos0,
                        const int      *query_positions,
                        int             n_queries,
                        HlLayerFunc     layer_func,
                        gpointer        user_data,
                        GError        **error)
{
  HlForwardHooks hooks = { query_positions, n_queries, layer_func, NULL, NULL, user_data };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (n_tokens > 0 && pos0 >= 0, FALSE);
  g_return_val_if_fail (pos0 + n_tokens <= self->max_positions, FALSE);
  g_return_val_if_fail (check_tokens (self, tokens, n_tokens), FALSE);
  g_return_val_if_fail (n_queries >= 0 && (n_queries == 0 || query_positions != NULL), FALSE);
  g_return_val_if_fail (check_queries (query_positions, n_queries, pos0, n_tokens), FALSE);

  hl_transformer_begin (self, tokens, n_tokens, pos0);
  for (int l = 0; l < self->c.n_layers; l++)
    if (!hl_transformer_run_layer (self, l, &hooks, error))
      return FALSE;
  hl_transformer_end (self);
  return TRUE;
}

static void
soft_cap (float *values,
          gsize  n,
          float  cap)
{
  for (gsize i = 0; i < n; i++)
    values[i] = cap * tanhf (values[i] / cap);
}

/* Logits of classifier rows row0 .. row0 + n_vocab - 1 for @n_rows final
 * states @x into @out (row stride @ldo), widened block by block so a
 * bfloat16 classifier of 128k rows never exists whole in float32. */
static void
classifier_block (HlTransformer *self,
                  gint64         row0,
                  int            n_vocab,
                  const float   *x,
                  int            n_rows,
                  float         *out,
                  int            ldo)
{
  const HlTensor *classifier = &self->w->classifier;
  HlTensor block = *classifier;
  Matrix m;

  block.rows = n_vocab;
  block.data = (const guint8 *) classifier->data + row0 * classifier->stride * hl_tensor_dtype_size (classifier->dtype);
  self->arena_used = 0;
  m = view (self, &block);
  matmul (out, ldo, x, self->c.hidden_size, &m, n_rows);
  if (self->c.final_softcap > 0.0f)
    for (int t = 0; t < n_rows; t++)
      soft_cap (out + (gsize) t * ldo, n_vocab, self->c.final_softcap);
}

void
hl_transformer_logits (HlTransformer *self,
                       int            first_row,
                       int            n_rows,
                       float         *out)
{
  int vocab;
  const float *x;

  g_return_if_fail (self != NULL && self->finished);
  g_return_if_fail (out != NULL);
  g_return_if_fail (first_row >= 0 && n_rows > 0 && first_row + n_rows <= self->n_tokens);

  vocab = self->c.vocab_size;
  x = self->xb + (gsize) first_row * self->c.hidden_size;
  for (gint64 row0 = 0; row0 < vocab; row0 += CLASSIFIER_BLOCK)
    classifier_block (self, row0, MIN (CLASSIFIER_BLOCK, vocab - row0), x, n_rows, out + row0, vocab);
}

/* The sum of exp(row[i] - shift): each term in float (its own rounding,
 * 1e-7 relative), the sum of up to 256k of them in double, in four chains
 * so the additions do not wait on each other. */
static double
sum_of_exponentials (const float *row,
                     int          n,
                     float        shift)
{
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  int i = 0;

  for (; i + 4 <= n; i += 4)
    {
      s0 += expf (row[i] - shift);
      s1 += expf (row[i + 1] - shift);
      s2 += expf (row[i + 2] - shift);
      s3 += expf (row[i + 3] - shift);
    }
  for (; i < n; i++)
    s0 += expf (row[i] - shift);
  return (s0 + s1) + (s2 + s3);
}

/* Folds one block of logits into each row's running maximum and sum of
 * exponentials (the streaming log-sum-exp), and picks up the target's
 * logit when it falls in the block. */
static void
fold_block (const float   *logits,
            int            n_vocab,
            gint64         row0,
            int            n_rows,
            const int32_t *targets,
            double        *max,
            double        *sum,
            double        *target_logit)
{
  for (int t = 0; t < n_rows; t++)
    {
      const float *row = logits + (gsize) t * n_vocab;
      float block_max = row[0], shift;

      for (int i = 1; i < n_vocab; i++)
        block_max = MAX (block_max, row[i]);
      if (block_max > max[t])
        {
          sum[t] *= exp (max[t] - block_max);
          max[t] = block_max;
        }
      shift = (float) max[t];
      sum[t] += sum_of_exponentials (row, n_vocab, shift);
      if (targets[t] >= row0 && targets[t] < row0 + n_vocab)
        target_logit[t] = row[targets[t] - row0];
    }
}

void
hl_transformer_nll (HlTransformer *self,
                    int            first_row,
                    int            n_rows,
                    const int32_t *targets,
                    double        *nll)
{
  int vocab, block;
  const float *x;
  g_autofree float *logits = NULL;
  g_autofree double *max = NULL;
  g_autofree double *sum = NULL;
  g_autofree double *target_logit = NULL;

  g_return_if_fail (self != NULL && self->finished);
  g_return_if_fail (targets != NULL && nll != NULL);
  g_return_if_fail (first_row >= 0 && n_rows > 0 && first_row + n_rows <= self->n_tokens);

  vocab = self->c.vocab_size;
  block = MIN (CLASSIFIER_BLOCK, vocab);
  x = self->xb + (gsize) first_row * self->c.hidden_size;
  logits = g_new (float, (gsize) n_rows * block);
  max = g_new (double, n_rows);
  sum = g_new0 (double, n_rows);
  target_logit = g_new0 (double, n_rows);
  for (int t = 0; t < n_rows; t++)
    {
      g_return_if_fail (targets[t] >= 0 && targets[t] < vocab);
      max[t] = -INFINITY;
    }
  for (gint64 row0 = 0; row0 < vocab; row0 += block)
    {
      int n_vocab = MIN (block, vocab - row0);

      classifier_block (self, row0, n_vocab, x, n_rows, logits, n_vocab);
      fold_block (logits, n_vocab, row0, n_rows, targets, max, sum, target_logit);
    }
  for (int t = 0; t < n_rows; t++)
    nll[t] = log (sum[t]) + max[t] - target_logit[t];
}
