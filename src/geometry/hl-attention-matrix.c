/* hl-attention-matrix.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-attention-matrix.h"

#include <math.h>

static int
block_start (int block,
             int n,
             int m)
{
  return (int) ((gint64) block * n / m);
}

void
hl_attention_pool (const float *values,
                   int          n_rows,
                   int          n_cols,
                   int          out_rows,
                   int          out_cols,
                   float       *out)
{
  g_return_if_fail (values != NULL && out != NULL);
  g_return_if_fail (out_rows >= 1 && out_rows <= n_rows && out_cols >= 1 && out_cols <= n_cols);

  for (int r = 0; r < out_rows; r++)
    for (int c = 0; c < out_cols; c++)
      {
        float best = NAN;

        for (int i = block_start (r, n_rows, out_rows); i < block_start (r + 1, n_rows, out_rows); i++)
          for (int j = block_start (c, n_cols, out_cols); j < block_start (c + 1, n_cols, out_cols); j++)
            {
              float v = values[(gsize) i * n_cols + j];

              if (isfinite (v) && !(v <= best))
                best = v;
            }
        out[(gsize) r * out_cols + c] = best;
      }
}

/* Half-way between neighbouring query positions; the first and the last
 * reach as far out as their neighbour is away (half a position for a
 * single query). */
static float
edge_before (const int *positions,
             int        n,
             int        k)
{
  if (k == 0)
    return n > 1 ? positions[0] - (positions[1] - positions[0]) / 2.0f : positions[0] - 0.5f;
  if (k == n)
    return n > 1 ? positions[n - 1] + (positions[n - 1] - positions[n - 2]) / 2.0f
                 : positions[0] + 0.5f;
  return (positions[k - 1] + positions[k]) / 2.0f;
}

void
hl_attention_query_extent (const int *positions,
                           int        n_queries,
                           int        index,
                           float     *lo,
                           float     *hi)
{
  g_return_if_fail (positions != NULL && index >= 0 && index < n_queries);

  *lo = edge_before (positions, n_queries, index);
  *hi = edge_before (positions, n_queries, index + 1);
}

HlAttentionMatrix *
hl_attention_matrix_new (const float *rows,
                         int          n_queries,
                         int          seq_len,
                         const int   *positions,
                         int          max_rows,
                         int          max_cols)
{
  g_autofree float *masked = NULL;
  HlAttentionMatrix *self;

  g_return_val_if_fail (rows != NULL && positions != NULL, NULL);
  g_return_val_if_fail (n_queries >= 1 && seq_len >= 1 && max_rows >= 1 && max_cols >= 1, NULL);

  /* A query sees keys 0 .. t only. */
  masked = g_memdup2 (rows, sizeof (float) * n_queries * seq_len);
  for (int q = 0; q < n_queries; q++)
    for (int i = positions[q] + 1; i < seq_len; i++)
      masked[(gsize) q * seq_len + i] = NAN;

  self = g_new0 (HlAttentionMatrix, 1);
  self->n_rows = MIN (n_queries, max_rows);
  self->n_cols = MIN (seq_len, max_cols);
  self->n_keys = seq_len;
  self->values = g_new (float, (gsize) self->n_rows * self->n_cols);
  hl_attention_pool (masked, n_queries, seq_len, self->n_rows, self->n_cols, self->values);
  self->row_edges = g_new (float, self->n_rows + 1);
  for (int r = 0; r <= self->n_rows; r++)
    self->row_edges[r] = edge_before (positions, n_queries, block_start (r, n_queries, self->n_rows));
  return self;
}

void
hl_attention_matrix_free (HlAttentionMatrix *self)
{
  if (self == NULL)
    return;
  g_free (self->values);
  g_free (self->row_edges);
  g_free (self);
}

HlAttentionGrid *
hl_attention_grid_read (HlActivations  *file,
                        int             sample,
                        int             max_size,
                        GCancellable   *cancellable,
                        GError        **error)
{
  const HlActivationsInfo *info;
  g_autoptr(HlAttentionGrid) self = NULL;
  g_autofree float *rows = NULL;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (file), NULL);
  g_return_val_if_fail (max_size >= 1, NULL);

  info = hl_activations_get_info (file);
  g_return_val_if_fail (sample >= 0 && sample < info->n_samples, NULL);

  self = g_new0 (HlAttentionGrid, 1);
  self->n_layers = info->n_layers;
  self->n_heads = info->n_heads;
  self->matrices = g_new0 (HlAttentionMatrix *, MAX (info->n_layers * info->n_heads, 1));
  rows = g_new (float, (gsize) info->n_queries * info->seq_len);
  for (int l = 0; l < info->n_layers; l++)
    for (int h = 0; h < info->n_heads; h++)
      {
        if (g_cancellable_set_error_if_cancelled (cancellable, error)
            || !hl_activations_read_attention (file, l, sample, h, rows, error))
          return NULL;
        self->matrices[l * info->n_heads + h] =
          hl_attention_matrix_new (rows, info->n_queries, info->seq_len, info->query_positions,
                                   max_size, max_size);
      }
  return g_steal_pointer (&self);
}

void
hl_attention_grid_free (HlAttentionGrid *self)
{
  if (self == NULL)
    return;
  for (int i = 0; self->matrices != NULL && i < self->n_layers * self->n_heads; i++)
    hl_attention_matrix_free (self->matrices[i]);
  g_free (self->matrices);
  g_free (self);
}
