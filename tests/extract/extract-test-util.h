/* extract-test-util.h: synthetic llama2.c checkpoints and tokenizers for
 * the extraction tests, and access to ../shared/models.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-checkpoint.h"
#include "hl-test-util.h"

G_BEGIN_DECLS

/* The weights of a model as separate tensors, in llama2.c's [out, in]
 * layout, so a test can serialise them in either version's order. */
typedef struct
{
  HlCheckpointConfig config;
  float *token_embedding, *rms_att, *wq, *wk, *wv, *wo, *rms_ffn;
  float *w1, *w2, *w3, *rms_final, *classifier;
} TestModel;

/* Random weights (uniform, scaled by 1/sqrt(fan-in), norms near 1) for
 * @config (version, shared_classifier and the seven dims are used). */
TestModel *test_model_new_random  (const HlCheckpointConfig *config,
                                   guint32                   seed);
void       test_model_free        (TestModel *model);

/* Serialises @model in config.version's layout into @path. */
void       test_model_write       (const TestModel *model,
                                   const char      *path);

/* A tokenizer file of @n_pieces pieces and scores. */
void       test_write_tokenizer   (const char         *path,
                                   const char * const *pieces,
                                   const float        *scores,
                                   int                 n_pieces);

/* The base vocabulary every llama2.c tokenizer starts with (unk, BOS, EOS,
 * 256 byte tokens), followed by @extra pieces with @extra_scores. */
void       test_write_byte_tokenizer (const char         *path,
                                      const char * const *extra,
                                      const float        *extra_scores,
                                      int                 n_extra);

/* ../shared/models/stories260K/<name>, or NULL after g_test_skip() with a
 * message when the shared folder is absent. */
char      *test_shared_model_file (const char *name);

/* Writes @length bytes to @path without g_file_set_contents()'s fsync,
 * which would make the fuzz tests slow. */
void       test_write_file        (const char *path,
                                   const void *data,
                                   gsize       length);

/* A tiny random-weight Hugging Face model directory of the case @name of
 * hf-reference.py (with its reference activations beside it), in a new
 * temporary folder; NULL after g_test_skip() when /usr/bin/python3 lacks
 * numpy or ../shared/huggingface (its tokenizers) is absent. */
char      *test_write_hf_model    (const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestModel, test_model_free)

G_END_DECLS
