/* hl-transformer.h: the forward pass of an HlModel over many positions at
 * once, layer by layer, with hooks where a caller may read or change what
 * attention does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-model.h"

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
  const float *values;           /* [n_positions, kv_dim]: kv head g in columns g * head_dim ..,
                                  * the value projection with its bias (RoPE does not touch values) */
  int          n_queries;
  const int   *query_positions;  /* [n_queries], absolute positions */
  const float *attention;        /* [n_heads, n_queries, n_positions], zero after each query
                                  * (and before its sliding window); as the softmax gave them,
                                  * before any HlAttentionFunc */
  const float *head_outputs;     /* [n_tokens, q_dim]: head h in columns h * head_dim .., the
                                  * attention-weighted sum of values, before the output projection */
} HlLayerCapture;

/* Returns FALSE with @error set to stop the forward pass (cancellation, a
 * failed write). */
typedef gboolean (*HlLayerFunc) (const HlLayerCapture *capture,
                                 gpointer              user_data,
                                 GError              **error);

/* One head's attention weights for this call's queries, after the softmax
 * and before they multiply the values. A hook may change @weights in
 * place (truncate, renormalise, zero). */
typedef struct
{
  int          layer;
  int          head;
  int          kv_head;
  int          pos0;
  int          n_tokens;
  int          n_positions;
  float       *weights;          /* [n_tokens, n_positions]: row t is the query at pos0 + t */
  const float *values;           /* [n_positions, head_dim], rows @values_stride apart */
  int          values_stride;
} HlAttentionRows;

typedef void (*HlAttentionFunc) (HlAttentionRows *rows,
                                 gpointer         user_data);

/* Every head's output of one layer before the output projection; a hook
 * may change it (ablate a head, replace it by its mean). */
typedef struct
{
  int    layer;
  int    pos0;
  int    n_tokens;
  float *outputs;                /* [n_tokens, q_dim]: head h in columns h * head_dim .. */
} HlHeadOutputs;

typedef void (*HlHeadOutputFunc) (HlHeadOutputs *outputs,
                                  gpointer       user_data);

/* What hl_transformer_run_layer() calls; any member may be NULL/0. */
typedef struct
{
  const int        *query_positions;  /* absolute, within the call's range */
  int               n_queries;
  HlLayerFunc       capture;
  HlAttentionFunc   attention;
  HlHeadOutputFunc  head_outputs;
  gpointer          user_data;
} HlForwardHooks;

typedef struct _HlTransformer HlTransformer;

/* Scratch space and a key/value cache for @max_positions positions
 * (at most the model's max_positions). Not thread-safe: one per thread. */
HlTransformer *hl_transformer_new      (HlModel        *model,
                                        int             max_positions);
void           hl_transformer_free     (HlTransformer  *self);
HlModel       *hl_transformer_get_model (HlTransformer *self);
int            hl_transformer_get_max_positions (HlTransformer *self);

/* Runs @n_tokens tokens at positions pos0 .. pos0 + n_tokens - 1 through
 * every layer, attending to the cached keys and values of positions before
 * @pos0 (from earlier calls) and to each other causally. @query_positions
 * (absolute, within this call's range) select the attention rows passed to
 * @layer_func, which is called after each layer's attention. Afterwards
 * hl_transformer_logits() reads the logits of this call's rows. */
gboolean       hl_transformer_forward  (HlTransformer  *self,
                                        const int32_t  *tokens,
                                        int             n_tokens,
                                        int             pos0,
                                        const int      *query_positions,
                                        int             n_queries,
                                        HlLayerFunc     layer_func,
                                        gpointer        user_data,
                                        GError        **error);

/* The same in steps, so a caller can run layers one at a time, keep the
 * residual stream before a layer and run the layers after it again with
 * other hooks: begin() embeds the tokens, run_layer() runs one layer (in
 * order, or again from any layer after restoring the residual stream),
 * end() applies the final norm so hl_transformer_logits() can be called. */
void           hl_transformer_begin    (HlTransformer  *self,
                                        const int32_t  *tokens,
                                        int             n_tokens,
                                        int             pos0);
gboolean       hl_transformer_run_layer (HlTransformer        *self,
                                         int                   layer,
                                         const HlForwardHooks *hooks,
                                         GError              **error);
void           hl_transformer_end      (HlTransformer  *self);
/* The residual stream of the current call, [n_tokens, hidden_size]; the
 * caller may copy it and write it back before running a layer again. */
float         *hl_transformer_get_residual (HlTransformer *self);

/* Logits of rows first_row .. first_row + n_rows - 1 of the last forward
 * call into @out, [n_rows, vocab_size]. */
void           hl_transformer_logits   (HlTransformer  *self,
                                        int             first_row,
                                        int             n_rows,
                                        float          *out);

/* The next-token loss -log softmax(logits)[target] in nats of rows
 * first_row .. first_row + n_rows - 1 against @targets [n_rows] into
 * @nll [n_rows], computed in double over the classifier in blocks (each
 * block widened once for all rows, no [n_rows, vocab] buffer). */
void           hl_transformer_nll      (HlTransformer  *self,
                                        int             first_row,
                                        int             n_rows,
                                        const int32_t  *targets,
                                        double         *nll);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlTransformer, hl_transformer_free)

G_END_DECLS
