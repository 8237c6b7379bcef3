/* analysis-fixture.h: small activation files for the tests of the analysis
 * pool, the CSV writer and `headlens-cli analyze`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-activations-writer.h"
#include "hl-test-util.h"

G_BEGIN_DECLS

/* Shape of a fixture; query_positions NULL means the last position. */
typedef struct
{
  int        n_layers;
  int        n_heads;
  int        n_kv_heads;
  int        head_dim;
  int        seq_len;
  int        n_samples;
  int        n_queries;
  const int *query_positions;
  guint64    seed;
  gboolean   with_tokens;   /* ids and texts: fixture_token_id (), _text () */
} FixtureShape;

/* Writes a valid float32 file at @path: Gaussian values and, for every
 * query, the softmax of Gaussian logits over the visible keys (a sink and a
 * last token with raised logits so every regime can occur). Aborts the test
 * on error. */
void  fixture_write_file     (const char         *path,
                              const FixtureShape *shape);

/* The tokens of a fixture written with_tokens: ids that differ per sample
 * and texts a CSV must quote (a leading space, a quote, a comma, a byte
 * token and a newline). */
int         fixture_token_id   (int sample,
                                int position);
const char *fixture_token_text (int position);

/* Writes samples @first .. @first + @n_samples - 1 of the file at @path
 * into a new file at @out (the same shape, dtypes and blocks; without
 * tokens): the parts of a corpus that reads like @path. */
void  fixture_copy_samples   (const char         *path,
                              int                 first,
                              int                 n_samples,
                              const char         *out);

/* Sets the first component of the value at @position of (@layer, @sample,
 * @kv_head) in the file at @path to NaN, behind the writer's back (it
 * refuses non-finite values): a damaged block. */
void  fixture_damage_values  (const char         *path,
                              int                 layer,
                              int                 sample,
                              int                 kv_head,
                              int                 position);

/* Fails the test unless each file of @names (NULL-terminated) in @dir
 * holds the bytes of the same file in @expected_dir; @what names the
 * expected run in the message. */
void  fixture_assert_same_files (const char         *expected_dir,
                                 const char         *dir,
                                 const char * const *names,
                                 const char         *what);

G_END_DECLS
