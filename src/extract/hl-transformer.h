/* hl-transformer.h: the llama2.c forward pass over many positions at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-checkpoint.h"

#include <stdint.h>

G_BEGIN_DECLS

/* What one layer's attention computed, handed to an HlLayerFunc before the
 * output projection. Every pointer is valid only during the call. */
typedef struct
{
  int          layer;
  int          pos0;             /* position of the first token of this call */
  int          n_tokens;         /* tokens of this call */
  int          n_positions;      /* pos0 + n_tokens: keys 0 .. n_positions - 1 */
  const float *values;           /* [n_positions, kv_dim]: kv head g in columns g * head_dim .. */
  int          n_queries;
  const int   *query_positions;  /* [n_queries], absolute positions */
  const float *attention;        /* [n_heads, n_queries, n_positions], zero after each query */
  const float *head_outputs;     /* [n_tokens, dim]: head h in columns h * head_dim .., the
                                  * attention-weighted sum of values, before wo */
} HlLayerCapture;

/* Returns FALSE with @error set to stop the forward pass (cancellation, a
 * failed write). */
typedef gboolean (*HlLayerFunc) (const HlLayerCapture *capture,
                                 gpointer              user_data,
                                 GError              **error);

typedef struct _HlTransformer HlTransformer;

/* Scratch space and a key/value cache for @max_positions positions
 * (at most the checkpoint's seq_len). Not thread-safe: one per thread. */
HlTransformer *hl_transformer_new      (HlCheckpoint   *checkpoint,
                                        int             max_positions);
void           hl_transformer_free     (HlTransformer  *self);
HlCheckpoint  *hl_transformer_get_checkpoint (HlTransformer *self);
int            hl_transformer_get_max_positions (HlTransformer *self);

/* Runs @n_tokens tokens at positions pos0 .. pos0 + n_tokens - 1 through
 * every layer, attending to the cached keys and values of positions before
 * @pos0 (from earlier calls) and to each other causally. @query_positions
 * (absolute, within this call's range) select the attention rows passed to
 * @layer_func, which may be NULL. */
gboolean       hl_transformer_forward  (HlTransformer  *self,
                                        const int32_t  *tokens,
                                        int             n_tokens,
                                        int             pos0,
                                        const int      *query_positions,
                                        int             n_queries,
                                        HlLayerFunc     layer_func,
                                        gpointer        user_data,
                                        GError        **error);

/* Computes the logits of rows @first_row .. @first_row + @n_rows - 1 of the
 * last forward call into @out ([n_rows, vocab_size]). */
void           hl_transformer_logits   (HlTransformer  *self,
                                        int             first_row,
                                        int             n_rows,
                                        float          *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlTransformer, hl_transformer_free)

G_END_DECLS
