/* hl-tokenizer.h: llama2.c's tokenizer.bin, encoding exactly as run.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <stdint.h>

G_BEGIN_DECLS

#define HL_TOKENIZER_ERROR (hl_tokenizer_error_quark ())

typedef enum
{
  HL_TOKENIZER_ERROR_IO,         /* the file cannot be read */
  HL_TOKENIZER_ERROR_TRUNCATED,  /* ends before vocab_size entries */
  HL_TOKENIZER_ERROR_FORMAT,     /* negative lengths, trailing bytes, too few tokens; a tokenizer.json
                                  * that is not the documented JSON */
  HL_TOKENIZER_ERROR_UNSUPPORTED, /* a tokenizer.json model or step type Headlens does not implement */
} HlTokenizerError;

#define HL_TOKEN_BOS 1
#define HL_TOKEN_EOS 2

#define HL_TYPE_TOKENIZER (hl_tokenizer_get_type ())
G_DECLARE_FINAL_TYPE (HlTokenizer, hl_tokenizer, HL, TOKENIZER, GObject)

GQuark        hl_tokenizer_error_quark    (void);

/* Reads @vocab_size entries (the model's vocabulary size: the file does not
 * store it) and fails when the file is shorter or longer. */
HlTokenizer  *hl_tokenizer_open           (const char   *path,
                                           int           vocab_size,
                                           GError      **error);
int           hl_tokenizer_get_vocab_size (HlTokenizer  *self);

/* Whether @path holds a tokenizer rather than a model: a llama2.c
 * tokenizer (max_token_length, then pieces of score, length and bytes
 * that end exactly at the end of the file; *@n_pieces their number) or a
 * Hugging Face tokenizer.json (a JSON object; *@n_pieces -1). Reads until
 * the first piece that does not fit, so a checkpoint is told apart at
 * once; FALSE for a file that cannot be read. */
gboolean      hl_tokenizer_file_sniff     (const char   *path,
                                           int          *n_pieces);

/* The vocabulary piece of @token as stored ("\n<s>\n", " the", "<0x0A>"). */
const char   *hl_tokenizer_get_piece      (HlTokenizer  *self,
                                           int           token);
float         hl_tokenizer_get_score      (HlTokenizer  *self,
                                           int           token);

/* Encodes @text as run.c's encode(): optional BOS, a dummy " " prefix when
 * the text is not empty, one token per UTF-8 code point (byte fallback
 * id = byte + 3), then merges of the adjacent pair whose merged piece has
 * the highest score (the leftmost on ties) until none applies, then an
 * optional EOS. Returns a new array of *@n_tokens ids. */
int32_t      *hl_tokenizer_encode         (HlTokenizer  *self,
                                           const char   *text,
                                           gboolean      bos,
                                           gboolean      eos,
                                           gsize        *n_tokens);

/* The text @token adds after @prev_token, as run.c's decode(): the
 * leading space is dropped after BOS and "<0xXX>" pieces become the raw
 * byte. The string belongs to the tokenizer. */
const char   *hl_tokenizer_decode         (HlTokenizer  *self,
                                           int           prev_token,
                                           int           token);

G_END_DECLS
