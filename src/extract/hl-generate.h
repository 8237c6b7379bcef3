/* hl-generate.h: text generation with the forward pass, as llama2.c's run.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-checkpoint.h"
#include "hl-tokenizer.h"

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

/* Encodes @prompt with BOS, runs it through the model, then samples
 * @options->steps tokens, stopping early at BOS (run.c's end of sequence)
 * or at the model's seq_len. Returns the prompt and the continuation as
 * run.c prints them (the space after BOS stripped, raw byte tokens decoded,
 * unprintable single bytes dropped). */
char *hl_generate (HlCheckpoint             *checkpoint,
                   HlTokenizer              *tokenizer,
                   const char               *prompt,
                   const HlGenerateOptions  *options,
                   HlGeneratePieceFunc       piece_func,
                   gpointer                  user_data,
                   GError                  **error);

G_END_DECLS
