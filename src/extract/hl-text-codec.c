/* hl-text-codec.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-text-codec.h"

#include <ctype.h>
#include <string.h>

struct _HlTextCodec
{
  HlTokenizer   *llama2c;     /* owned, or NULL */
  HlHfTokenizer *hf;          /* owned, or NULL */
  GArray        *stop_ids;    /* int32 */
  int32_t        bos;
};

HlTextCodec *
hl_text_codec_new_llama2c (HlTokenizer *tokenizer)
{
  HlTextCodec *self;

  g_return_val_if_fail (HL_IS_TOKENIZER (tokenizer), NULL);

  self = g_new0 (HlTextCodec, 1);
  self->llama2c = g_object_ref (tokenizer);
  self->bos = HL_TOKEN_BOS;
  /* run.c stops at BOS, which its models emit between stories. */
  self->stop_ids = g_array_new (FALSE, FALSE, sizeof (int32_t));
  g_array_append_val (self->stop_ids, self->bos);
  return self;
}

HlTextCodec *
hl_text_codec_new_hf (HlHfTokenizer *tokenizer,
                      const int32_t *stop_ids,
                      gsize          n_stop_ids)
{
  HlTextCodec *self;

  g_return_val_if_fail (HL_IS_HF_TOKENIZER (tokenizer), NULL);

  self = g_new0 (HlTextCodec, 1);
  self->hf = g_object_ref (tokenizer);
  self->stop_ids = g_array_new (FALSE, FALSE, sizeof (int32_t));
  g_array_append_vals (self->stop_ids, stop_ids, n_stop_ids);
  return self;
}

void
hl_text_codec_free (HlTextCodec *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->llama2c);
  g_clear_object (&self->hf);
  g_array_unref (self->stop_ids);
  g_free (self);
}

int32_t *
hl_text_codec_encode (HlTextCodec *self,
                      const char  *text,
                      gsize       *n_tokens)
{
  g_return_val_if_fail (self != NULL && text != NULL && n_tokens != NULL, NULL);

  if (self->hf != NULL)
    return hl_hf_tokenizer_encode (self->hf, text, FALSE, n_tokens);
  return hl_tokenizer_encode (self->llama2c, text, FALSE, FALSE, n_tokens);
}

const int32_t *
hl_text_codec_get_prefix (HlTextCodec *self,
                          gsize       *n_tokens)
{
  g_return_val_if_fail (self != NULL && n_tokens != NULL, NULL);

  if (self->hf != NULL)
    return hl_hf_tokenizer_get_prefix (self->hf, n_tokens);
  *n_tokens = 1;
  return &self->bos;
}

int
hl_text_codec_get_n_ids (HlTextCodec *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->hf != NULL)
    return hl_hf_tokenizer_get_n_ids (self->hf);
  return hl_tokenizer_get_vocab_size (self->llama2c);
}

char *
hl_text_codec_token_text (HlTextCodec *self,
                          int32_t      token)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->hf != NULL)
    text = hl_hf_tokenizer_token_text (self->hf, token);
  else
    text = g_strdup (hl_tokenizer_get_piece (self->llama2c, token));
  return g_utf8_make_valid (text, -1);
}

/* run.c's safe_printf(): single raw bytes that are neither printable nor
 * white space (control codes, halves of code points) are dropped. */
static char *
llama2c_continue (HlTextCodec *self,
                  GArray      *history,
                  int32_t      token)
{
  int32_t prev = history->len > 0 ? g_array_index (history, int32_t, history->len - 1) : self->bos;
  const char *piece = hl_tokenizer_decode (self->llama2c, prev, token);

  g_array_append_val (history, token);
  if (piece[0] != '\0' && piece[1] == '\0' && !(isprint ((guchar) piece[0]) || isspace ((guchar) piece[0])))
    return g_strdup ("");
  return g_strdup (piece);
}

/* The decoded text without a trailing run of U+FFFD: the bytes of an
 * incomplete character, shown once the character is complete. */
static char *
stable_text (HlHfTokenizer *tokenizer,
             GArray        *history)
{
  char *text = hl_hf_tokenizer_decode (tokenizer, (int32_t *) history->data, history->len);
  gsize length = strlen (text);

  while (length >= 3 && memcmp (text + length - 3, "\xEF\xBF\xBD", 3) == 0)
    length -= 3;
  text[length] = '\0';
  return text;
}

static char *
hf_continue (HlTextCodec *self,
             GArray      *history,
             int32_t      token)
{
  g_autofree char *before = stable_text (self->hf, history);
  g_autofree char *after = NULL;

  g_array_append_val (history, token);
  after = stable_text (self->hf, history);
  if (!g_str_has_prefix (after, before))
    return g_strdup ("");
  return g_strdup (after + strlen (before));
}

char *
hl_text_codec_continue (HlTextCodec *self,
                        GArray      *history,
                        int32_t      token)
{
  g_return_val_if_fail (self != NULL && history != NULL, NULL);

  if (self->hf != NULL)
    return hf_continue (self, history, token);
  return llama2c_continue (self, history, token);
}

gboolean
hl_text_codec_is_stop (HlTextCodec *self,
                       int32_t      token)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->stop_ids->len; i++)
    if (g_array_index (self->stop_ids, int32_t, i) == token)
      return TRUE;
  return FALSE;
}

const char *
hl_text_codec_describe (HlTextCodec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->hf != NULL)
    return hl_hf_tokenizer_describe (self->hf);
  return "llama2.c tokenizer";
}
