/* hl-transformer.c: run.c's forward() for a batch of positions, with the
 * matrix products of all positions going through BLAS at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-transformer.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

struct _HlTransformer
{
  HlCheckpoint       *checkpoint;    /* owned reference */
  HlCheckpointConfig  c;
  HlCheckpointWeights w;
  int                 max_positions;

  /* Key/value cache: [n_layers, max_positions, kv_dim]. */
  float              *key_cache;
  float              *value_cache;
  float              *frequencies;   /* [head_dim / 2], as run.c computes them */

  /* Batch scratch, sized for @capacity tokens of the current call. */
  int                 capacity;
  int                 n_rows;        /* rows of the last forward call */
  float              *x;             /* [capacity, dim] residual stream */
  float              *xb;            /* [capacity, dim] */
  float              *xb2;           /* [capacity, dim] */
  float              *q;             /* [capacity, dim] */
  float              *hb;            /* [capacity, hidden_dim] */
  float              *hb2;           /* [capacity, hidden_dim] */
  float              *att;           /* [capacity, max_positions] one head's weights */
  float              *captured;      /* [n_heads, n_queries, n_positions] */
  gsize               captured_size;
};

HlTransformer *
hl_transformer_new (HlCheckpoint *checkpoint,
                    int           max_positions)
{
  HlTransformer *self;
  gsize cache_size;

  g_return_val_if_fail (HL_IS_CHECKPOINT (checkpoint), NULL);
  g_return_val_if_fail (max_positions > 0, NULL);
  g_return_val_if_fail (max_positions <= hl_checkpoint_get_config (checkpoint)->seq_len, NULL);

  self = g_new0 (HlTransformer, 1);
  self->checkpoint = g_object_ref (checkpoint);
  self->c = *hl_checkpoint_get_config (checkpoint);
  self->w = *hl_checkpoint_get_weights (checkpoint);
  self->max_positions = max_positions;
  cache_size = (gsize) self->c.n_layers * max_positions * self->c.kv_dim;
  self->key_cache = g_new0 (float, cache_size);
  self->value_cache = g_new0 (float, cache_size);
  self->frequencies = g_new (float, self->c.head_dim / 2);
  for (int i = 0; i < self->c.head_dim; i += 2)
    self->frequencies[i / 2] = 1.0f / powf (10000.0f, i / (float) self->c.head_dim);
  return self;
}

static void
free_scratch (HlTransformer *self)
{
  g_clear_pointer (&self->x, g_free);
  g_clear_pointer (&self->xb, g_free);
  g_clear_pointer (&self->xb2, g_free);
  g_clear_pointer (&self->q, g_free);
  g_clear_pointer (&self->hb, g_free);
  g_clear_pointer (&self->hb2, g_free);
  g_clear_pointer (&self->att, g_free);
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
  g_free (self->frequencies);
  g_object_unref (self->checkpoint);
  g_free (self);
}

HlCheckpoint *
hl_transformer_get_checkpoint (HlTransformer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->checkpoint;
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
  gsize n = n_tokens;

  if (n_tokens <= self->capacity)
    return;
  free_scratch (self);
  self->capacity = n_tokens;
  self->x = g_new (float, n * self->c.dim);
  self->xb = g_new (float, n * self->c.dim);
  self->xb2 = g_new (float, n * self->c.dim);
  self->q = g_new (float, n * self->c.dim);
  self->hb = g_new (float, n * self->c.hidden_dim);
  self->hb2 = g_new (float, n * self->c.hidden_dim);
  self->att = g_new (float, n * self->max_positions);
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

/* out[t] = weight * x[t] / sqrt(mean(x[t]^2) + 1e-5), as run.c. */
static void
rmsnorm_rows (float       *out,
              const float *x,
              const float *weight,
              int          n_rows,
              int          size)
{
  for (int t = 0; t < n_rows; t++)
    {
      const float *xr = x + (gsize) t * size;
      float *o = out + (gsize) t * size;
      float ss = 0.0f;

      for (int j = 0; j < size; j++)
        ss += xr[j] * xr[j];
      ss = 1.0f / sqrtf (ss / size + 1e-5f);
      for (int j = 0; j < size; j++)
        o[j] = weight[j] * (ss * xr[j]);
    }
}

/* Y[n, out] = X[n, in] W^T for W stored [out, in] as llama2.c does. */
static void
matmul_rows (float       *y,
             int          ldy,
             const float *x,
             const float *w,
             int          n,
             int          in,
             int          out)
{
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, out, in,
               1.0f, x, in, w, in, 0.0f, y, ldy);
}

/* Rotates the pairs (i, i + 1) of every head of a row by pos * freq(i). */
static void
rope_row (const HlTransformer *self,
          float               *vec,
          int                  width,
          int                  pos)
{
  int half = self->c.head_dim / 2;

  for (int j = 0; j < half; j++)
    {
      float val = pos * self->frequencies[j];
      float fcr = cosf (val);
      float fci = sinf (val);

      for (int i = 2 * j; i < width; i += self->c.head_dim)
        {
          float v0 = vec[i];
          float v1 = vec[i + 1];

          vec[i] = v0 * fcr - v1 * fci;
          vec[i + 1] = v0 * fci + v1 * fcr;
        }
    }
}

static void
embed (HlTransformer *self,
       const int32_t *tokens,
       int            n_tokens)
{
  for (int t = 0; t < n_tokens; t++)
    memcpy (self->x + (gsize) t * self->c.dim,
            self->w.token_embedding + (gsize) tokens[t] * self->c.dim,
            sizeof (float) * self->c.dim);
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
project_qkv (HlTransformer *self,
             int            layer,
             int            pos0,
             int            n)
{
  const HlCheckpointConfig *c = &self->c;
  gsize l = layer;
  float *k = cache_at (self, self->key_cache, layer, pos0);
  float *v = cache_at (self, self->value_cache, layer, pos0);

  rmsnorm_rows (self->xb, self->x, self->w.rms_att + l * c->dim, n, c->dim);
  matmul_rows (self->q, c->dim, self->xb, self->w.wq + l * c->dim * c->dim, n, c->dim, c->dim);
  matmul_rows (k, c->kv_dim, self->xb, self->w.wk + l * c->kv_dim * c->dim, n, c->dim, c->kv_dim);
  matmul_rows (v, c->kv_dim, self->xb, self->w.wv + l * c->kv_dim * c->dim, n, c->dim, c->kv_dim);
  for (int t = 0; t < n; t++)
    {
      rope_row (self, self->q + (gsize) t * c->dim, c->dim, pos0 + t);
      rope_row (self, k + (gsize) t * c->kv_dim, c->kv_dim, pos0 + t);
    }
}

/* Softmax over keys 0 .. pos of each row; the weights of later keys are
 * set to zero so rows can be used whole. */
static void
causal_softmax (float *att,
                int    n,
                int    pos0,
                int    n_positions)
{
  for (int t = 0; t < n; t++)
    {
      float *row = att + (gsize) t * n_positions;
      int visible = pos0 + t + 1;
      float max = row[0], sum = 0.0f;

      for (int i = 1; i < visible; i++)
        max = MAX (max, row[i]);
      for (int i = 0; i < visible; i++)
        {
          row[i] = expf (row[i] - max);
          sum += row[i];
        }
      for (int i = 0; i < visible; i++)
        row[i] /= sum;
      memset (row + visible, 0, sizeof (float) * (n_positions - visible));
    }
}

static void
capture_rows (HlTransformer *self,
              int            head,
              int            pos0,
              int            n_positions,
              const int     *query_positions,
              int            n_queries)
{
  for (int qi = 0; qi < n_queries; qi++)
    memcpy (self->captured + ((gsize) head * n_queries + qi) * n_positions,
            self->att + (gsize) (query_positions[qi] - pos0) * n_positions,
            sizeof (float) * n_positions);
}

/* Scores Q_h K_g^T / sqrt(head_dim), causal softmax, then the weighted sum
 * of values A V_g into head h's columns of xb. */
static void
attend (HlTransformer *self,
        int            layer,
        int            pos0,
        int            n,
        const int     *query_positions,
        int            n_queries)
{
  const HlCheckpointConfig *c = &self->c;
  int n_positions = pos0 + n;
  int group = c->n_heads / c->n_kv_heads;
  const float *keys = cache_at (self, self->key_cache, layer, 0);
  const float *values = cache_at (self, self->value_cache, layer, 0);
  float scale = 1.0f / sqrtf ((float) c->head_dim);

  for (int h = 0; h < c->n_heads; h++)
    {
      int kv_offset = (h / group) * c->head_dim;

      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n_positions, c->head_dim,
                   scale, self->q + h * c->head_dim, c->dim, keys + kv_offset, c->kv_dim,
                   0.0f, self->att, n_positions);
      causal_softmax (self->att, n, pos0, n_positions);
      capture_rows (self, h, pos0, n_positions, query_positions, n_queries);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, c->head_dim, n_positions,
                   1.0f, self->att, n_positions, values + kv_offset, c->kv_dim,
                   0.0f, self->xb + h * c->head_dim, c->dim);
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

static void
feed_forward (HlTransformer *self,
              int            layer,
              int            n)
{
  const HlCheckpointConfig *c = &self->c;
  gsize l = layer;
  gsize ffn = (gsize) c->hidden_dim * c->dim;
  gsize n_hidden = (gsize) n * c->hidden_dim;

  rmsnorm_rows (self->xb, self->x, self->w.rms_ffn + l * c->dim, n, c->dim);
  matmul_rows (self->hb, c->hidden_dim, self->xb, self->w.w1 + l * ffn, n, c->dim, c->hidden_dim);
  matmul_rows (self->hb2, c->hidden_dim, self->xb, self->w.w3 + l * ffn, n, c->dim, c->hidden_dim);
  for (gsize i = 0; i < n_hidden; i++)
    {
      float val = self->hb[i];

      val *= 1.0f / (1.0f + expf (-val));
      self->hb[i] = val * self->hb2[i];
    }
  matmul_rows (self->xb2, c->dim, self->hb, self->w.w2 + l * ffn, n, c->hidden_dim, c->dim);
  add_rows (self->x, self->xb2, (gsize) n * c->dim);
}

static gboolean
report_layer (HlTransformer  *self,
              int             layer,
              int             pos0,
              int             n,
              const int      *query_positions,
              int             n_queries,
              HlLayerFunc     layer_func,
              gpointer        user_data,
              GError        **error)
{
  HlLayerCapture capture = {
    .layer = layer,
    .pos0 = pos0,
    .n_tokens = n,
    .n_positions = pos0 + n,
    .values = cache_at (self, self->value_cache, layer, 0),
    .n_queries = n_queries,
    .query_positions = query_positions,
    .attention = n_queries > 0 ? self->captured : NULL,
    .head_outputs = self->xb,
  };

  return layer_func == NULL || layer_func (&capture, user_data, error);
}

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
  const HlCheckpointConfig *c;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (n_tokens > 0 && pos0 >= 0, FALSE);
  g_return_val_if_fail (pos0 + n_tokens <= self->max_positions, FALSE);
  g_return_val_if_fail (check_tokens (self, tokens, n_tokens), FALSE);
  g_return_val_if_fail (n_queries >= 0 && (n_queries == 0 || query_positions != NULL), FALSE);
  g_return_val_if_fail (check_queries (query_positions, n_queries, pos0, n_tokens), FALSE);

  c = &self->c;
  ensure_scratch (self, n_tokens);
  ensure_captured (self, (gsize) c->n_heads * n_queries * (pos0 + n_tokens));
  self->n_rows = 0;
  embed (self, tokens, n_tokens);
  for (int l = 0; l < c->n_layers; l++)
    {
      project_qkv (self, l, pos0, n_tokens);
      attend (self, l, pos0, n_tokens, query_positions, n_queries);
      if (!report_layer (self, l, pos0, n_tokens, query_positions, n_queries,
                         layer_func, user_data, error))
        return FALSE;
      matmul_rows (self->xb2, c->dim, self->xb, self->w.wo + (gsize) l * c->dim * c->dim,
                   n_tokens, c->dim, c->dim);
      add_rows (self->x, self->xb2, (gsize) n_tokens * c->dim);
      feed_forward (self, l, n_tokens);
    }
  rmsnorm_rows (self->xb, self->x, self->w.rms_final, n_tokens, c->dim);
  self->n_rows = n_tokens;
  return TRUE;
}

void
hl_transformer_logits (HlTransformer *self,
                       int            first_row,
                       int            n_rows,
                       float         *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);
  g_return_if_fail (first_row >= 0 && n_rows > 0 && first_row + n_rows <= self->n_rows);

  matmul_rows (out, self->c.vocab_size, self->xb + (gsize) first_row * self->c.dim,
               self->w.classifier, n_rows, self->c.dim, self->c.vocab_size);
}
