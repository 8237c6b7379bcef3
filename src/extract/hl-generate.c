/* hl-generate.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-generate.h"

#include "hl-extract.h"
#include "hl-transformer.h"

#include <ctype.h>
#include <glib/gi18n.h>
#include <math.h>

/* run.c's xorshift generator, so a seed samples what run.c samples with
 * top-p disabled. */
static float
random_f32 (guint64 *state)
{
  guint32 value;

  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  value = (guint32) ((*state * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D)) >> 32);
  return (value >> 8) / 16777216.0f;
}

static int
argmax (const float *values,
        int          n)
{
  int best = 0;

  for (int i = 1; i < n; i++)
    if (values[i] > values[best])
      best = i;
  return best;
}

/* Softmax of logits / temperature, then the first index whose cumulative
 * probability exceeds a uniform coin. */
static int
sample (float   *logits,
        int      n,
        float    temperature,
        guint64 *state)
{
  float max, sum = 0.0f, coin, cdf = 0.0f;

  if (temperature == 0.0f)
    return argmax (logits, n);
  for (int i = 0; i < n; i++)
    logits[i] /= temperature;
  max = logits[argmax (logits, n)];
  for (int i = 0; i < n; i++)
    {
      logits[i] = expf (logits[i] - max);
      sum += logits[i];
    }
  coin = random_f32 (state);
  for (int i = 0; i < n; i++)
    {
      cdf += logits[i] / sum;
      if (coin < cdf)
        return i;
    }
  return n - 1;
}

/* run.c's safe_printf(): single raw bytes that are neither printable nor
 * white space (control codes, halves of code points) are dropped. */
static void
emit (GString             *text,
      const char          *piece,
      HlGeneratePieceFunc  piece_func,
      gpointer             user_data)
{
  if (piece[0] == '\0')
    return;
  if (piece[1] == '\0' && !(isprint ((guchar) piece[0]) || isspace ((guchar) piece[0])))
    return;
  g_string_append (text, piece);
  if (piece_func != NULL)
    piece_func (piece, user_data);
}

typedef struct
{
  HlTransformer       *transformer;
  HlTokenizer         *tokenizer;
  HlGeneratePieceFunc  piece_func;
  gpointer             user_data;
  GString             *text;
} Generation;

static void
emit_prompt (Generation    *gen,
             const int32_t *tokens,
             gsize          n_tokens)
{
  for (gsize t = 1; t < n_tokens; t++)
    emit (gen->text, hl_tokenizer_decode (gen->tokenizer, tokens[t - 1], tokens[t]),
          gen->piece_func, gen->user_data);
}

static gboolean
sample_steps (Generation               *gen,
              int32_t                   token,
              int                       pos,
              const HlGenerateOptions  *options,
              GError                  **error)
{
  int vocab = hl_tokenizer_get_vocab_size (gen->tokenizer);
  int max_positions = hl_transformer_get_max_positions (gen->transformer);
  g_autofree float *logits = g_new (float, vocab);
  guint64 state = options->seed != 0 ? options->seed : (guint64) g_get_real_time ();

  for (int step = 0; step < options->steps; step++)
    {
      int32_t next;

      /* The prompt's logits are in its last row, a single token's in row 0. */
      hl_transformer_logits (gen->transformer, step == 0 ? pos - 1 : 0, 1, logits);
      next = sample (logits, vocab, options->temperature, &state);
      if (next == HL_TOKEN_BOS)
        break;
      emit (gen->text, hl_tokenizer_decode (gen->tokenizer, token, next),
            gen->piece_func, gen->user_data);
      token = next;
      if (step + 1 == options->steps || pos >= max_positions)
        break;
      if (!hl_transformer_forward (gen->transformer, &token, 1, pos++, NULL, 0, NULL, NULL, error))
        return FALSE;
    }
  return TRUE;
}

char *
hl_generate (HlCheckpoint             *checkpoint,
             HlTokenizer              *tokenizer,
             const char               *prompt,
             const HlGenerateOptions  *options,
             HlGeneratePieceFunc       piece_func,
             gpointer                  user_data,
             GError                  **error)
{
  const HlCheckpointConfig *config;
  g_autoptr(HlTransformer) transformer = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree int32_t *tokens = NULL;
  Generation gen;
  gsize n_tokens;
  int max_positions;

  g_return_val_if_fail (HL_IS_CHECKPOINT (checkpoint), NULL);
  g_return_val_if_fail (HL_IS_TOKENIZER (tokenizer), NULL);
  g_return_val_if_fail (prompt != NULL && options != NULL, NULL);
  g_return_val_if_fail (options->steps >= 0 && options->temperature >= 0.0f, NULL);

  config = hl_checkpoint_get_config (checkpoint);
  tokens = hl_tokenizer_encode (tokenizer, prompt, TRUE, FALSE, &n_tokens);
  if (n_tokens > (gsize) config->seq_len)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_LONG,
                   _("the prompt has %zu tokens, more than the model's seq_len of %d"),
                   n_tokens, config->seq_len);
      return NULL;
    }
  max_positions = MIN ((gint64) config->seq_len, (gint64) n_tokens + options->steps);
  transformer = hl_transformer_new (checkpoint, max_positions);
  gen = (Generation) { transformer, tokenizer, piece_func, user_data, text };
  emit_prompt (&gen, tokens, n_tokens);
  if (options->steps > 0 &&
      (!hl_transformer_forward (transformer, tokens, n_tokens, 0, NULL, 0, NULL, NULL, error) ||
       !sample_steps (&gen, tokens[n_tokens - 1], n_tokens, options, error)))
    return NULL;
  return g_string_free (g_steal_pointer (&text), FALSE);
}
