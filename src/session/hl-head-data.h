/* hl-head-data.h: what the views of one head need beyond its analysis
 * result: the attention row over its keys, every query's attention rows
 * (the attention matrix), the token texts, the value norms and the PCA of
 * its points y_i = alpha_i v_i. Read from the file and computed off the main
 * thread, immutable after, shared by reference counting.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hl-activations.h"
#include "hl-attention-matrix.h"
#include "hl-projection.h"

G_BEGIN_DECLS

typedef struct
{
  int            layer;
  int            head;           /* query head */
  int            sample;
  int            query_index;
  int            query_position; /* t */
  int            n_keys;         /* t + 1 */
  float         *alpha;          /* [n_keys]: the attention row over keys 0 .. t */
  float         *value_norms;    /* [n_keys]: ||v_i||, so ||y_i|| = alpha_i ||v_i|| */
  char         **tokens;         /* [seq_len] token texts of the sample, or NULL when the
                                  * file has none */
  int           *token_ids;      /* [seq_len] token ids, or NULL when the file has none */
  int            seq_len;
  int            n_queries;
  const int     *query_positions; /* [n_queries], the file's */
  float         *rows;           /* [n_queries, seq_len]: every query's attention row */
  /* Those rows shrunk for drawing (at most HL_HEAD_DATA_MATRIX_SIZE a
   * side); NULL for a file with a single query. */
  HlAttentionMatrix *matrix;
  /* The PCA of the points; NULL when the head has fewer than two keys (no
   * selection of N < n_keys tokens exists). */
  HlProjection  *projection;
  /* The PCA of the raw values v_i, the same keys (NULL with projection). */
  HlProjection  *value_projection;
} HlHeadData;

#define HL_HEAD_DATA_MATRIX_SIZE HL_ATTENTION_MATRIX_SIZE

#define HL_TYPE_HEAD_DATA (hl_head_data_get_type ())

GType       hl_head_data_get_type (void) G_GNUC_CONST;

/* Reads head (@layer, @head) of @sample at query @query_index from @file
 * and computes its projection; blocking (HDF5 and LAPACKE), for a worker. */
HlHeadData *hl_head_data_load     (HlActivations  *file,
                                   int             layer,
                                   int             head,
                                   int             sample,
                                   int             query_index,
                                   GError        **error);

HlHeadData *hl_head_data_ref      (HlHeadData     *self);
void        hl_head_data_unref    (HlHeadData     *self);

/* The scatter at @n, as hl_projection_scatter () draws it with the seed of
 * the head's result, of the y_i or (@values) of the raw v_i; NULL when the
 * head has fewer than two keys. @n is limited to 1 .. n_keys - 1. */
HlScatter  *hl_head_data_scatter  (const HlHeadData *self,
                                   HlRanking         ranking,
                                   HlDistance        distance,
                                   int               n,
                                   guint64           seed,
                                   gboolean          values);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlHeadData, hl_head_data_unref)

G_END_DECLS
