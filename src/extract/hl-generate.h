/* hl-generate.h: text generation with the forward pass, as llama2.c's run.c
 * does it, for any HlModel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-model.h"
#include "hl-text-codec.h"

G_BEGIN_DECLS

/* Called with each piece of text as soon as it is known. */
typedef void (*HlGeneratePieceFunc) (const char *piece,
                                     gpointer    user_data);

typedef struct
{
  int     steps;        /* tokens to generate after the prompt */
  float   temperature;  /* 0 = greedy (argmax) */
  guint64 seed;         /* run.c's xorshift state; 0 picks one from the clock */
} HlGenerateOptions;

/* Encodes @prompt after the tokenizer's prefix (BOS where the model's
 * tokenizer adds one), runs it through the model, then samples
 * @options->steps tokens, stopping early at a stop token (BOS for
 * llama2.c as run.c, eos_token_id for Hugging Face models) or at the
 * model's context. Returns the prompt and the continuation as text (for
 * llama2.c exactly as run.c prints them). */
char *hl_generate (HlModel                  *model,
                   HlTextCodec              *codec,
                   const char               *prompt,
                   const HlGenerateOptions  *options,
                   HlGeneratePieceFunc       piece_func,
                   gpointer                  user_data,
                   GError                  **error);

G_END_DECLS
