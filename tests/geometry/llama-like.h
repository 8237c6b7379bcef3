/* llama-like.h: heads shaped like those the paper measures in LLaMA-2-7B,
 * from a generator written for the tests alone (GLib's GRand, none of
 * src/synth), so that the regime rule is checked on data it was not tuned
 * against.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-types.h"

G_BEGIN_DECLS

typedef enum
{
  /* A compressed sink (||v_0|| = lambda, lambda in [0.03, 0.1]) with
   * alpha_0 in [0.9, 0.97]; content values share one direction (cosine
   * 0.3-0.6 with it) and the rest of the row is a softmax of noisy logits
   * with a recency bias (logit + exp(-(t - i) / 8)). */
  LLAMA_LIKE_SINK,
  /* A previous-token head: alpha_{t-1} in [0.85, 0.95], a small sink
   * (alpha_0 <= 0.05), the same values. */
  LLAMA_LIKE_PREVIOUS,
} LlamaLikePattern;

typedef struct
{
  HlHeadInput input;     /* borrows values and alpha below */
  float      *values;    /* [n_keys, head_dim] */
  float      *alpha;     /* [n_keys], sums to 1 */
} LlamaLikeHead;

LlamaLikeHead *llama_like_head_new  (LlamaLikePattern pattern,
                                     int              n_keys,
                                     int              head_dim,
                                     guint32          seed);
void           llama_like_head_free (LlamaLikeHead   *head);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlamaLikeHead, llama_like_head_free)

G_END_DECLS
