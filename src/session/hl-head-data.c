/* hl-head-data.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-head-data.h"

#include <math.h>

typedef struct
{
  HlHeadData       data;
  gatomicrefcount  ref_count;
} HeadData;

G_DEFINE_BOXED_TYPE (HlHeadData, hl_head_data, hl_head_data_ref, hl_head_data_unref)

static HlHeadData *
head_data_new (void)
{
  HeadData *self = g_new0 (HeadData, 1);

  g_atomic_ref_count_init (&self->ref_count);
  return &self->data;
}

HlHeadData *
hl_head_data_ref (HlHeadData *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&((HeadData *) self)->ref_count);
  return self;
}

void
hl_head_data_unref (HlHeadData *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&((HeadData *) self)->ref_count))
    return;

  g_free (self->alpha);
  g_free (self->value_norms);
  g_free (self->rows);
  g_clear_pointer (&self->matrix, hl_attention_matrix_free);
  g_free (self->token_ids);
  g_free ((gpointer) self->query_positions);
  g_strfreev (self->tokens);
  g_clear_pointer (&self->projection, hl_projection_free);
  g_clear_pointer (&self->value_projection, hl_projection_free);
  g_free (self);
}

/* The keys 0 .. t of attention row @query_index of @rows ([n_queries, seq_len]). */
static float *
copy_visible_alpha (const float *rows,
                    int          seq_len,
                    int          query_index,
                    int          n_keys)
{
  return g_memdup2 (rows + (gsize) query_index * seq_len, sizeof (float) * n_keys);
}

static float *
value_norms (const float *values,
             int          n_keys,
             int          head_dim)
{
  float *norms = g_new (float, MAX (n_keys, 1));

  for (int i = 0; i < n_keys; i++)
    {
      double sum = 0;

      for (int d = 0; d < head_dim; d++)
        sum += (double) values[(gsize) i * head_dim + d] * values[(gsize) i * head_dim + d];
      norms[i] = (float) sqrt (sum);
    }
  return norms;
}

/* The sample's token ids and texts, each NULL when the file has none. */
static gboolean
read_tokens (HlActivations  *file,
             HlHeadData     *self,
             GError        **error)
{
  const HlActivationsInfo *info = hl_activations_get_info (file);
  g_autofree int32_t *ids = NULL;

  if (info->has_token_texts
      && (self->tokens = hl_activations_read_token_texts (file, self->sample, error)) == NULL)
    return FALSE;
  if (!info->has_token_ids)
    return TRUE;
  ids = g_new (int32_t, info->seq_len);
  if (!hl_activations_read_token_ids (file, self->sample, ids, error))
    return FALSE;
  self->token_ids = g_new (int, info->seq_len);
  for (int i = 0; i < info->seq_len; i++)
    self->token_ids[i] = ids[i];
  return TRUE;
}

static gboolean
check_head (const HlActivationsInfo  *info,
            int                       layer,
            int                       head,
            int                       sample,
            int                       query_index,
            GError                  **error)
{
  if (layer >= 0 && layer < info->n_layers && head >= 0 && head < info->n_heads
      && sample >= 0 && sample < info->n_samples
      && query_index >= 0 && query_index < info->n_queries)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "layer %d, head %d, sample %d, query %d: the file has %d layers, %d heads, "
               "%d samples and %d queries", layer, head, sample, query_index,
               info->n_layers, info->n_heads, info->n_samples, info->n_queries);
  return FALSE;
}

HlHeadData *
hl_head_data_load (HlActivations  *file,
                   int             layer,
                   int             head,
                   int             sample,
                   int             query_index,
                   GError        **error)
{
  const HlActivationsInfo *info;
  g_autoptr(HlHeadData) self = NULL;
  g_autofree float *values = NULL;
  g_autofree float *rows = NULL;
  HlHeadInput input;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (file), NULL);

  info = hl_activations_get_info (file);
  if (!check_head (info, layer, head, sample, query_index, error))
    return NULL;

  values = g_new (float, (gsize) info->seq_len * info->head_dim);
  rows = g_new (float, (gsize) info->n_queries * info->seq_len);
  if (!hl_activations_read_values (file, layer, sample, info->kv_head_of[head], values, error)
      || !hl_activations_read_attention (file, layer, sample, head, rows, error))
    return NULL;

  self = head_data_new ();
  *self = (HlHeadData) {
    .layer = layer, .head = head, .sample = sample, .query_index = query_index,
    .query_position = info->query_positions[query_index],
    .n_keys = info->query_positions[query_index] + 1,
    .seq_len = info->seq_len, .n_queries = info->n_queries,
    .query_positions = g_memdup2 (info->query_positions, sizeof (int) * info->n_queries),
  };
  self->alpha = copy_visible_alpha (rows, info->seq_len, query_index, self->n_keys);
  self->value_norms = value_norms (values, self->n_keys, info->head_dim);
  self->rows = g_steal_pointer (&rows);
  if (info->n_queries > 1)
    self->matrix = hl_attention_matrix_new (self->rows, info->n_queries, info->seq_len,
                                            info->query_positions, HL_HEAD_DATA_MATRIX_SIZE,
                                            HL_HEAD_DATA_MATRIX_SIZE);
  if (!read_tokens (file, self, error))
    return NULL;

  if (self->n_keys < 2)
    return g_steal_pointer (&self);
  input = (HlHeadInput) { self->n_keys, info->head_dim, values, self->alpha };
  self->projection = hl_projection_new (&input, error);
  if (self->projection == NULL)
    return NULL;
  self->value_projection = hl_projection_new_in (&input, HL_PROJECTION_VALUES, error);
  if (self->value_projection == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

HlScatter *
hl_head_data_scatter (const HlHeadData *self,
                      HlRanking         ranking,
                      HlDistance        distance,
                      int               n,
                      guint64           seed,
                      gboolean          values)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->projection == NULL)
    return NULL;

  return hl_projection_scatter (values ? self->value_projection : self->projection, ranking,
                                distance,
                                CLAMP (n, 1, self->n_keys - 1), seed, 0);
}
