/* hl-text-codec.h: one interface over the two tokenizers a model can
 * come with (llama2.c's tokenizer.bin, a Hugging Face tokenizer.json), for
 * extraction and generation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-hf-tokenizer.h"
#include "hl-tokenizer.h"

G_BEGIN_DECLS

typedef struct _HlTextCodec HlTextCodec;

HlTextCodec   *hl_text_codec_new_llama2c   (HlTokenizer   *tokenizer);
/* @stop_ids: the ids that end generation (config's eos_token_id), may be
 * NULL. */
HlTextCodec   *hl_text_codec_new_hf        (HlHfTokenizer *tokenizer,
                                            const int32_t *stop_ids,
                                            gsize          n_stop_ids);
void           hl_text_codec_free          (HlTextCodec   *self);

/* The text's tokens, without the tokens the tokenizer adds around it. */
int32_t       *hl_text_codec_encode        (HlTextCodec   *self,
                                            const char    *text,
                                            gsize         *n_tokens);
/* What the model's tokenizer puts before every text: BOS for llama2.c,
 * Llama and Mistral; nothing for GPT-2 and Qwen2. */
const int32_t *hl_text_codec_get_prefix    (HlTextCodec   *self,
                                            gsize         *n_tokens);
/* One more than the highest token id. */
int            hl_text_codec_get_n_ids     (HlTextCodec   *self);
/* The text of @token on its own, for display (" the", "\n", "<s>"); bytes
 * that are not whole UTF-8 characters become U+FFFD. */
char          *hl_text_codec_token_text    (HlTextCodec   *self,
                                            int32_t        token);
/* Appends @token to a generation that has produced @history so far and
 * returns the text it adds (possibly empty while a UTF-8 character is
 * incomplete). */
char          *hl_text_codec_continue      (HlTextCodec   *self,
                                            GArray        *history,
                                            int32_t        token);
/* TRUE when @token ends a generation. */
gboolean       hl_text_codec_is_stop       (HlTextCodec   *self,
                                            int32_t        token);
/* "llama2.c tokenizer tok512.bin" or the tokenizer.json description. */
const char    *hl_text_codec_describe      (HlTextCodec   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlTextCodec, hl_text_codec_free)

G_END_DECLS
