/* hl-playground-state.h: everything the teaching playground shows depends on
 * this one value: the parameters of the synthetic head and the view of it
 * (N, ranking, distance).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-synth.h"

G_BEGIN_DECLS

/* The smallest sequence the playground generates: below it the N grid and
 * the similarity decay have too few points to show anything. */
#define HL_PLAYGROUND_MIN_SEQ_LEN 8

/* A plain value: copy it with `=`. */
typedef struct
{
  HlSynthHeadParams params;
  int               n;         /* N of the scatter, 1 .. n_keys - 1 */
  HlRanking         ranking;   /* the ranking the scatter selects by */
  HlDistance        distance;  /* the distance of the scatter's balls */
} HlPlaygroundState;

/* The generator's defaults with seq_len 512, N = 4, attention ranking and
 * Euclidean distance. */
void     hl_playground_state_init            (HlPlaygroundState       *state);
/* Whether two states give the same head (the parameters agree; N, ranking
 * and distance are not compared). */
gboolean hl_playground_state_same_head       (const HlPlaygroundState *a,
                                              const HlPlaygroundState *b);
/* Checks the parameters (hl_synth_head_params_validate), that seq_len is at
 * least HL_PLAYGROUND_MIN_SEQ_LEN, and the view fields. N above the
 * sequence is allowed: hl_playground_state_clamp_n() brings it in. */
gboolean hl_playground_state_validate        (const HlPlaygroundState *state,
                                              GError                 **error);
/* N limited to 1 .. n_keys - 1. */
int      hl_playground_state_clamp_n         (const HlPlaygroundState *state);

G_END_DECLS
