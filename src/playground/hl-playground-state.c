/* hl-playground-state.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-playground-state.h"

#include <glib/gi18n.h>
#include <string.h>

void
hl_playground_state_init (HlPlaygroundState *state)
{
  g_return_if_fail (state != NULL);

  memset (state, 0, sizeof *state);
  hl_synth_head_params_init (&state->params);
  state->n = 4;
  state->ranking = HL_RANKING_ATTENTION;
  state->distance = HL_DISTANCE_EUCLIDEAN;
}

gboolean
hl_playground_state_same_head (const HlPlaygroundState *a,
                               const HlPlaygroundState *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  const HlSynthHeadParams *p = &a->params, *q = &b->params;

  /* Field by field: the struct has padding, which a copy need not keep. */
  return p->n_keys == q->n_keys && p->head_dim == q->head_dim
         && p->norm_mean == q->norm_mean && p->norm_cv == q->norm_cv
         && p->sink_lambda == q->sink_lambda && p->beta == q->beta
         && p->sink_similarity == q->sink_similarity
         && p->content_size == q->content_size
         && p->content_similarity == q->content_similarity
         && p->profile == q->profile && p->sink_mass == q->sink_mass
         && p->plateau_level == q->plateau_level
         && p->osc_amplitude == q->osc_amplitude && p->osc_period == q->osc_period
         && p->tail_length == q->tail_length && p->tail_strength == q->tail_strength
         && p->content_mass == q->content_mass && p->previous_mass == q->previous_mass
         && p->noise == q->noise
         && p->temperature == q->temperature && p->gamma == q->gamma
         && p->seed == q->seed;
}

gboolean
hl_playground_state_validate (const HlPlaygroundState *state,
                              GError                 **error)
{
  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!hl_synth_head_params_validate (&state->params, error))
    return FALSE;
  if (state->params.n_keys < HL_PLAYGROUND_MIN_SEQ_LEN)
    {
      g_set_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID,
                   _("seq_len is %d, expected at least %d"),
                   state->params.n_keys, HL_PLAYGROUND_MIN_SEQ_LEN);
      return FALSE;
    }
  if (state->n < 1 || state->ranking >= HL_N_RANKINGS || state->distance >= HL_N_DISTANCES)
    {
      g_set_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID,
                   _("N is %d, ranking %d and distance %d, expected N ≥ 1, "
                     "a ranking below %d and a distance below %d"),
                   state->n, (int) state->ranking, (int) state->distance,
                   HL_N_RANKINGS, HL_N_DISTANCES);
      return FALSE;
    }
  return TRUE;
}

int
hl_playground_state_clamp_n (const HlPlaygroundState *state)
{
  g_return_val_if_fail (state != NULL, 1);

  return CLAMP (state->n, 1, MAX (state->params.n_keys - 1, 1));
}
