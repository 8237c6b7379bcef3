/* hl-hf-tokenizer.h: a Hugging Face tokenizer.json with a BPE model
 * (byte-level as GPT-2, Llama 3 and Qwen2, or SentencePiece-style with
 * byte fallback as Llama 2, Mistral and Gemma), encoding and decoding as
 * the `tokenizers` library does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <stdint.h>

#include "hl-tokenizer.h"

G_BEGIN_DECLS

#define HL_TYPE_HF_TOKENIZER (hl_hf_tokenizer_get_type ())
G_DECLARE_FINAL_TYPE (HlHfTokenizer, hl_hf_tokenizer, HL, HF_TOKENIZER, GObject)

/* Reads @path (errors in HL_TOKENIZER_ERROR). Not thread-safe: encoding
 * keeps a cache of words. */
HlHfTokenizer *hl_hf_tokenizer_new_from_file     (const char     *path,
                                                  GError        **error);

/* Applies what transformers takes from tokenizer_config.json over the
 * post-processor: for the Llama and Gemma tokenizer classes, an explicit
 * add_bos_token / add_eos_token decides whether the BOS / EOS token is
 * added. A missing file is no error. */
gboolean       hl_hf_tokenizer_apply_config      (HlHfTokenizer  *self,
                                                  const char     *config_path,
                                                  GError        **error);

/* Encodes @text (UTF-8): added tokens, normalizer, pre-tokenizer, BPE
 * and, with @add_special_tokens, the post-processor's tokens. */
int32_t       *hl_hf_tokenizer_encode            (HlHfTokenizer  *self,
                                                  const char     *text,
                                                  gboolean        add_special_tokens,
                                                  gsize          *n_tokens);
/* The decoder's text for @ids, special tokens included. */
char          *hl_hf_tokenizer_decode            (HlHfTokenizer  *self,
                                                  const int32_t  *ids,
                                                  gsize           n_ids);

/* The tokens the post-processor puts before and after the text (BOS for
 * Llama and Mistral, none for GPT-2). */
const int32_t *hl_hf_tokenizer_get_prefix        (HlHfTokenizer  *self,
                                                  gsize          *n_tokens);
const int32_t *hl_hf_tokenizer_get_suffix        (HlHfTokenizer  *self,
                                                  gsize          *n_tokens);

/* One more than the highest id of the vocabulary and added tokens. */
int            hl_hf_tokenizer_get_n_ids         (HlHfTokenizer  *self);
/* The token string of @id as stored ("Ġthe", "▁the", "<0x0A>", "<s>"),
 * or NULL for an id no token has. */
const char    *hl_hf_tokenizer_id_to_token       (HlHfTokenizer  *self,
                                                  int             id);
/* The text @id stands for on its own: the decoder without the steps that
 * depend on its place (" the" for "Ġthe" and "▁the", "\n" for "<0x0A>"). */
char          *hl_hf_tokenizer_token_text        (HlHfTokenizer  *self,
                                                  int             id);
/* The id of the token string @token, or -1. */
int            hl_hf_tokenizer_token_to_id       (HlHfTokenizer  *self,
                                                  const char     *token);
/* A one-line description: model type and pipeline ("BPE, byte-level,
 * 50257 ids"). */
const char    *hl_hf_tokenizer_describe          (HlHfTokenizer  *self);

G_END_DECLS
