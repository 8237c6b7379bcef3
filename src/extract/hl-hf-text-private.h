/* hl-hf-text-private.h: the text stages of a Hugging Face tokenizer.json
 * (normalizer, pre-tokenizer, decoder) and its BPE model, as the
 * `tokenizers` library defines them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* One piece of text on its way through the pipeline. @at_start is TRUE
 * for the piece that begins at offset 0 of the original text (Metaspace's
 * prepend_scheme "first" looks at it). */
typedef struct
{
  char     *text;
  gboolean  at_start;
} HlHfSplit;

/* A parsed normalizer, pre-tokenizer or decoder (a tree of steps). */
typedef struct _HlHfStep HlHfStep;

void      hl_hf_step_free             (HlHfStep   *step);

/* Each parser accepts an absent or null @node (no stage: *@out = NULL)
 * and fails on a type it does not implement, naming it and the types it
 * does. */
gboolean  hl_hf_normalizer_parse      (JsonNode   *node,
                                       HlHfStep  **out,
                                       GError    **error);
gboolean  hl_hf_pre_tokenizer_parse   (JsonNode   *node,
                                       HlHfStep  **out,
                                       GError    **error);
gboolean  hl_hf_decoder_parse         (JsonNode   *node,
                                       HlHfStep  **out,
                                       GError    **error);

/* Returns the normalized copy of @text (@step may be NULL). */
char     *hl_hf_normalize             (const HlHfStep *step,
                                       const char     *text);
/* Splits @splits (of HlHfSplit *) into the words the model encodes. */
GPtrArray *hl_hf_pre_tokenize         (const HlHfStep *step,
                                       GPtrArray      *splits);
/* Runs the decoder over @tokens (of char *) and returns the text; without
 * a decoder the tokens are joined with spaces, as `tokenizers` does. With
 * @alone, the steps that depend on where a token stands in the text
 * (Strip, Metaspace's first token) are skipped, which gives a token's own
 * text for display. */
char     *hl_hf_decode_tokens         (const HlHfStep *step,
                                       GPtrArray      *tokens,
                                       gboolean        alone);

GPtrArray *hl_hf_splits_new           (void);
void       hl_hf_splits_add           (GPtrArray      *splits,
                                       char           *text,
                                       gboolean        at_start);

/* The BPE model: vocabulary, merges, unknown token and byte fallback. */
typedef struct _HlBpe HlBpe;

HlBpe    *hl_bpe_parse                (JsonObject *model,
                                       GError    **error);
void      hl_bpe_free                 (HlBpe      *bpe);
/* The id of @token in the vocabulary, or -1. */
int       hl_bpe_token_to_id          (const HlBpe *bpe,
                                       const char  *token);
/* The vocabulary indexed by id (NULL where an id is unused). */
GPtrArray *hl_bpe_get_vocab           (const HlBpe *bpe);
/* Appends the ids of @word to @ids. */
void      hl_bpe_encode_word          (HlBpe       *bpe,
                                       const char  *word,
                                       GArray      *ids);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlHfStep, hl_hf_step_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlBpe, hl_bpe_free)

G_END_DECLS
