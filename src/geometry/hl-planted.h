/* hl-planted.h: what a synthetic file's generator planted, beside what the
 * regime rule says.
 *
 * headlens-cli synth plants an attention pattern in every query head and
 * stores it as /synth/regime [n_layers, n_heads] (HlRegime order; -1 where
 * nothing is planted, as in the profile ablations). A regime plot of such a
 * file shows these patterns, the input, not a finding: every figure of the
 * regimes and `analyze` say so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-analysis.h"

G_BEGIN_DECLS

#define HL_PLANTED_DATASET "/synth/regime"

typedef struct
{
  int n_results;   /* results of heads with a planted pattern */
  int n_agree;     /* of them, those the rule gives the planted regime */
} HlPlanted;

/* Compares every result of @analysis with the pattern planted in its head.
 * FALSE without an error when the file plants no pattern (no dataset, or
 * -1 for every analysed head); FALSE with an error when the dataset cannot
 * be read or has another shape than [n_layers, n_heads]. */
gboolean hl_planted_compare     (HlAnalysis  *analysis,
                                 HlPlanted   *planted,
                                 GError     **error);

/* The pattern planted in query head @head of @layer: FALSE when the file
 * plants none there (or none at all). Reads the file once per analysis. */
gboolean hl_planted_pattern     (HlAnalysis  *analysis,
                                 int          layer,
                                 int          head,
                                 HlRegime    *pattern);

/* A translated sentence saying that the regimes of a synthetic file were
 * planted by its generator, with @planted's counts. */
char    *hl_planted_describe    (const HlPlanted *planted);

/* The note of a figure of @analysis's regimes: the taxonomy's caveat
 * (hl_assumptions_caveat (); @faded is then set: the regimes are drawn
 * faded) and, on the next lines, that a synthetic file's generator planted
 * its patterns, with hl_planted_compare ()'s counts. NULL when there is neither. Reads the file
 * once per analysis. */
char    *hl_planted_regimes_note (HlAnalysis *analysis,
                                  gboolean   *faded);

G_END_DECLS
