/* hl-attention-matrix.h: the attention matrix of a head (every query
 * position of the file over the keys), shrunk for drawing, and the grid of
 * every head's matrix of one sample (the model overview).
 *
 * Shrinking max-pools blocks of consecutive queries and keys, so a one-key
 * pattern (a previous-token diagonal) stays visible at any size; keys after
 * a query are not visible to it and are NaN.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hl-activations.h"

G_BEGIN_DECLS

/* The sizes the app and `headlens-cli render` shrink matrices to: one
 * head's, and each of a grid of every head's. */
#define HL_ATTENTION_MATRIX_SIZE 512
#define HL_ATTENTION_GRID_SIZE 64

/* A matrix ready to draw: rows of queries over columns of keys. */
typedef struct
{
  int    n_rows;
  int    n_cols;
  float *values;     /* [n_rows * n_cols]: the largest weight of each block, NaN
                      * where no key of the block is visible */
  float *row_edges;  /* [n_rows + 1]: where each row starts and ends, in query
                      * positions (half-way between neighbouring queries) */
  int    n_keys;     /* the columns cover keys 0 .. n_keys - 1 evenly */
} HlAttentionMatrix;

/* @rows: [n_queries, seq_len] the attention rows of the file's queries at
 * @positions; shrunk to at most @max_rows x @max_cols. */
HlAttentionMatrix *hl_attention_matrix_new  (const float *rows,
                                             int          n_queries,
                                             int          seq_len,
                                             const int   *positions,
                                             int          max_rows,
                                             int          max_cols);
void               hl_attention_matrix_free (HlAttentionMatrix *self);

/* Where query @index of the file's @positions starts and ends along a
 * matrix's rows (half-way to its neighbours). */
void               hl_attention_query_extent (const int *positions,
                                              int        n_queries,
                                              int        index,
                                              float     *lo,
                                              float     *hi);

/* Max-pools @values ([n_rows, n_cols], NaN ignored) into @out
 * ([out_rows, out_cols]): block r covers rows floor (r n / m) up to
 * floor ((r + 1) n / m), the same for columns. */
void               hl_attention_pool        (const float *values,
                                             int          n_rows,
                                             int          n_cols,
                                             int          out_rows,
                                             int          out_cols,
                                             float       *out);

/* Every head's matrix of one sample, each shrunk to the same size. */
typedef struct
{
  int                 n_layers;
  int                 n_heads;
  HlAttentionMatrix **matrices;  /* [n_layers * n_heads], owned */
} HlAttentionGrid;

/* Reads every head's attention rows of @sample (blocking, for a worker;
 * @cancellable is checked between heads). */
HlAttentionGrid   *hl_attention_grid_read   (HlActivations  *file,
                                             int             sample,
                                             int             max_size,
                                             GCancellable   *cancellable,
                                             GError        **error);
void               hl_attention_grid_free   (HlAttentionGrid *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlAttentionMatrix, hl_attention_matrix_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlAttentionGrid, hl_attention_grid_free)

G_END_DECLS
