/* hl-diagnostics.h: the assumption diagnostics of one attention operation
 * (docs/metrics.md, "Assumption diagnostics" and the regime quantities).
 *
 * The operational definitions are ours ("as implemented here"); see
 * docs/metrics.md for every formula and the degenerate cases.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-types.h"

G_BEGIN_DECLS

/* The largest lag K of the similarity decay c(k) that is stored. */
#define HL_DIAGNOSTICS_MAX_LAGS 64

/* The default K. */
#define HL_DIAGNOSTICS_DEFAULT_LAGS 16

typedef struct
{
  float norm_cv;          /* std / mean of ||v_i|| over i = 1..t (population std) */
  float value_norm_max;   /* B = max ||v_i|| over i = 0..t */
  float sink_ratio;       /* lambda = ||v_0|| / mean_{i>=1} ||v_i|| */
  float sink_similarity;  /* rho0 = mean_{i>=1} cos(v_0, v_i) */
  float beta;             /* least-squares fit of c(k) ~ exp(-beta k), k = 1..n_lags */
  float beta_mae;         /* mean |c(k) - exp(-beta k)| over k = 1..n_lags */
  int   n_lags;           /* K actually used: min(requested, t - 1), 0 when t < 2 */
  float decay[HL_DIAGNOSTICS_MAX_LAGS]; /* decay[k - 1] = c(k), k = 1..n_lags */
  float sink_mass;        /* alpha_0 */
  float last_mass;        /* alpha_t */
  int   peak_key;         /* the key 0 < i < t with the largest alpha_i (the lowest
                           * such index on ties); -1 when t < 2 */
  float peak_mass;        /* its alpha, 0 when t < 2 */
  float attention_gap;    /* Delta_1 of the attention ranking: the largest alpha_i
                           * minus the second largest (0 on a tie, and when t = 0) */
  float entropy;          /* -sum alpha_i log alpha_i (natural log, 0 log 0 = 0) */
  float a_sink;           /* ||alpha_0 v_0|| */
  float a_last;           /* ||alpha_t v_t|| */
  float a_rest;           /* ||sum_{0<i<t} alpha_i v_i|| */
} HlDiagnostics;

/* Computes every diagnostic of @input with K = @n_lags (capped by t - 1 and
 * HL_DIAGNOSTICS_MAX_LAGS). Never produces NaN: degenerate cases (t = 0 or 1,
 * zero vectors) report the values documented in docs/metrics.md. */
void   hl_diagnostics_compute   (const HlHeadInput *input,
                                 int                n_lags,
                                 HlDiagnostics     *out);

/* Fits c(k) ~ exp(-beta k) for k = 1..@n (c[k - 1] = c(k)) by minimising the
 * exact least-squares objective over beta in [0, HL_DIAGNOSTICS_MAX_BETA];
 * stores the mean absolute error in @mae (may be NULL). Returns 0 (and
 * mae 0) when @n is 0. */
#define HL_DIAGNOSTICS_MAX_BETA 50.0
double hl_diagnostics_fit_decay (const float *c,
                                 int          n,
                                 double      *mae);

G_END_DECLS
