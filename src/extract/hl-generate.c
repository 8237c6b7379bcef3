/* hl-generate.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-generate.h"

#include "hl-extract.h"
#include "hl-transformer.h"

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

static void
emit (GString             *text,
      char                *piece,
      HlGeneratePieceFunc  piece_func,
      gpointer             user_data)
{
  if (piece[0] != '\0')
    {
      g_string_append (text, piece);
      if (piece_func != NULL)
        piece_func (piece, user_data);
    }
  g_free (piece);
}

typedef struct
{
  HlTransformer       *transformer;
  HlTextCodec         *codec;
  HlGeneratePieceFunc  piece_func;
  gpointer             user_data;
  GString             *text;
  GArray              *history;     /* int32 ids shown so far */
} Generation;

static void
emit_token (Generation *gen,
            int32_t     token)
{
  emit (gen->text, hl_text_codec_continue (gen->codec, gen->history, token), gen->piece_func, gen->user_data);
}

static gboolean
sample_steps (Generation               *gen,
              int                       pos,
              const HlGenerateOptions  *options,
              GError                  **error)
{
  int vocab = hl_model_get_config (hl_transformer_get_model (gen->transformer))->vocab_size;
  int max_positions = hl_transformer_get_max_positions (gen->transformer);
  g_autofree float *logits = g_new (float, vocab);
  guint64 state = options->seed != 0 ? options->seed : (guint64) g_get_real_time ();

  for (int step = 0; step < options->steps; step++)
    {
      int32_t next;

      /* The prompt's logits are in its last row, a single token's in row 0. */
      hl_transformer_logits (gen->transformer, step == 0 ? pos - 1 : 0, 1, logits);
      next = sample (logits, vocab, options->temperature, &state);
      if (hl_text_codec_is_stop (gen->codec, next))
        break;
      emit_token (gen, next);
      if (step + 1 == options->steps || pos >= max_positions)
        break;
      if (!hl_transformer_forward (gen->transformer, &next, 1, pos++, NULL, 0, NULL, NULL, error))
        return FALSE;
    }
  return TRUE;
}

char *
hl_generate (HlModel                  *model,
             HlTextCodec              *codec,
             const char               *prompt,
             const HlGenerateOptions  *options,
             HlGeneratePieceFunc       piece_func,
             gpointer                  user_data,
             GError                  **error)
{
  const HlModelConfig *config;
  g_autoptr(HlTransformer) transformer = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GArray) tokens = g_array_new (FALSE, FALSE, sizeof (int32_t));
  g_autoptr(GArray) history = g_array_new (FALSE, FALSE, sizeof (int32_t));
  g_autofree int32_t *prompt_tokens = NULL;
  const int32_t *prefix;
  Generation gen;
  gsize n_prefix, n_prompt;
  int max_positions;

  g_return_val_if_fail (HL_IS_MODEL (model), NULL);
  g_return_val_if_fail (codec != NULL, NULL);
  g_return_val_if_fail (prompt != NULL && options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options->steps < 0 || !(options->temperature >= 0.0f) || isinf (options->temperature))
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_OPTIONS,
                   _("%d steps at temperature %g: expected at least 0 steps and a finite "
                     "temperature of at least 0"), options->steps, options->temperature);
      return NULL;
    }

  config = hl_model_get_config (model);
  prefix = hl_text_codec_get_prefix (codec, &n_prefix);
  prompt_tokens = hl_text_codec_encode (codec, prompt, &n_prompt);
  g_array_append_vals (tokens, prefix, n_prefix);
  g_array_append_vals (tokens, prompt_tokens, n_prompt);
  if (tokens->len == 0 || tokens->len > (guint) config->max_positions)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_LONG,
                   _("the prompt has %u tokens, expected 1 to the model's context of %d"),
                   tokens->len, config->max_positions);
      return NULL;
    }
  max_positions = MIN ((gint64) config->max_positions, (gint64) tokens->len + options->steps);
  transformer = hl_transformer_new (model, max_positions);
  gen = (Generation) { transformer, codec, piece_func, user_data, text, history };
  for (gsize t = 0; t < n_prompt; t++)
    emit_token (&gen, prompt_tokens[t]);
  if (options->steps > 0 &&
      (!hl_transformer_forward (transformer, (int32_t *) tokens->data, tokens->len, 0, NULL, 0, NULL, NULL, error) ||
       !sample_steps (&gen, tokens->len, options, error)))
    return NULL;
  return g_string_free (g_steal_pointer (&text), FALSE);
}
