/* io-test-util.h: fixtures shared by the tests of src/io.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-activations-writer.h"

G_BEGIN_DECLS

/* A spec with small sizes: 2 layers, 4 heads, 2 kv heads, head_dim 8,
 * seq_len 16, 2 samples, queries 3, 9, 15, float32, no compression, with
 * token ids and texts. */
HlActivationsSpec io_test_small_spec (void);

/* Deterministic block contents. When @half_exact is set every number is
 * exactly representable in float16 (values are multiples of 1/64 in
 * [-16, 16], attention weights multiples of 1/1024 summing to exactly 1). */
void io_test_fill_values    (float                   *out,
                             const HlActivationsSpec *spec,
                             int                      layer,
                             int                      sample,
                             int                      kv_head,
                             gboolean                 half_exact);
void io_test_fill_attention (float                   *out,
                             const HlActivationsSpec *spec,
                             int                      layer,
                             int                      sample,
                             int                      head,
                             gboolean                 half_exact);
int32_t io_test_token_id    (int                      sample,
                             int                      position);
char   *io_test_token_text  (int                      sample,
                             int                      position);

/* Writes a complete valid file with the contents above; aborts the test on
 * any error. */
void io_test_write_file     (const char              *path,
                             const HlActivationsSpec *spec,
                             gboolean                 half_exact);

/* Rewrites /values of the file at @path with gzip (@level) chunks of
 * @heads kv heads, [1, 1, heads, seq_len, head_dim], the way h5py or another
 * tool may store it. */
void io_test_rechunk_values (const char              *path,
                             int                      heads,
                             int                      level);

/* A new temporary directory, and its recursive removal. */
char *io_test_make_tmpdir   (void);
void  io_test_remove_tmpdir (const char              *dir);

G_END_DECLS
