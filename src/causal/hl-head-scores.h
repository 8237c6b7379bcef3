/* hl-head-scores.h: what the pruning policies of the sparsification
 * experiment (the paper's §4.1) read about each head, and the order each
 * policy prunes heads in.
 *
 * The policies' orders are our own reading of the paper's summary (it names
 * type-guided pruning, a random choice and single-metric heuristics on
 * entropy, sink mass and a_L); docs/causal.md states each one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-head-analysis.h"

G_BEGIN_DECLS

/* One head's regime and diagnostics over its results (samples x queries). */
typedef struct
{
  int      n_results;   /* 0: the head was not analysed, every policy prunes it last */
  HlRegime regime;      /* the most frequent regime; ties to the first in HlRegime order */
  double   entropy;     /* means over the results */
  double   sink_mass;
  double   a_last;
  double   f1;          /* F_N and gamma_N of the attention ranking at the N the scores were */
  double   margin;      /* made for, means over the results that have it; NAN when none has */
} HlHeadScores;

/* A causal effect per head (delta NLL, N*) against one geometric quantity
 * across the heads: Pearson's r, or for the regime the correlation ratio
 * eta (the share of the effect's spread between regimes, square-rooted). */
typedef enum
{
  HL_CAUSAL_QUANTITY_F1,
  HL_CAUSAL_QUANTITY_MARGIN,
  HL_CAUSAL_QUANTITY_SINK_MASS,
  HL_CAUSAL_QUANTITY_ENTROPY,
  HL_CAUSAL_QUANTITY_A_LAST,
  HL_CAUSAL_QUANTITY_REGIME,
  HL_N_CAUSAL_QUANTITIES
} HlCausalQuantity;

typedef struct
{
  double r[HL_N_CAUSAL_QUANTITIES];        /* NAN where undefined (fewer than 2 heads, a constant,
                                            * a single regime) */
  int    n_heads[HL_N_CAUSAL_QUANTITIES];  /* heads with both values */
  double regime_mean[HL_N_REGIMES];        /* the effect's mean per regime, NAN for none */
  int    regime_count[HL_N_REGIMES];
} HlCausalCorrelations;

typedef enum
{
  HL_PRUNE_REGIME,           /* type-guided: by regime priority, deeper layers first within a regime */
  HL_PRUNE_RANDOM,           /* a uniform random order per repeat */
  HL_PRUNE_LOW_ENTROPY,      /* lowest attention entropy first */
  HL_PRUNE_HIGH_SINK_MASS,   /* highest alpha_0 first */
  HL_PRUNE_LOW_A_LAST,       /* lowest ||alpha_t v_t|| first */
  HL_PRUNE_LOW_ABLATION,     /* lowest measured delta NLL of the head's own ablation first */
  HL_N_PRUNE_POLICIES
} HlPrunePolicy;

/* "regime", "random", "low-entropy", "high-sink-mass", "low-a-last", "low-ablation". */
const char *hl_prune_policy_to_string   (HlPrunePolicy  policy);
gboolean    hl_prune_policy_from_string (const char    *str,
                                         HlPrunePolicy *out);

/* The default regime priority of HL_PRUNE_REGIME, pruned first to last:
 * Mixer, Other, Reset, Retriever (the paper: Mixer heads tolerate
 * sparsification, Retriever heads are critical). */
void        hl_prune_default_regime_order (HlRegime order[HL_N_REGIMES]);

/* Aggregates @results (any order) into @scores [n_layers * n_heads]; F_N
 * and gamma_N are read at @n with @distance. */
void        hl_head_scores_from_results (HlHeadResult * const *results,
                                         guint                 n_results,
                                         int                   n_layers,
                                         int                   n_heads,
                                         HlDistance            distance,
                                         int                   n,
                                         HlHeadScores         *scores);

/* "f1", "margin", "sink_mass", "entropy", "a_last", "regime": the names
 * of heads.csv and curves.csv. */
const char *hl_causal_quantity_to_string (HlCausalQuantity quantity);

/* @effect [n] (NAN: not measured) against @scores [n] (heads with
 * n_results 0 are left out). */
void        hl_causal_correlate         (const double         *effect,
                                         const HlHeadScores   *scores,
                                         int                   n,
                                         HlCausalCorrelations *out);

/* The order @policy prunes the n_layers * n_heads heads in (head index
 * layer * n_heads + head) into @order; the first k are pruned at k heads.
 * @ablation_delta [n_layers * n_heads] is read by HL_PRUNE_LOW_ABLATION
 * only, @regime_order by HL_PRUNE_REGIME only; the random order is stream
 * @repeat of @seed, so it is nested across fractions. Ties: lower head
 * index first. */
void        hl_prune_order              (HlPrunePolicy        policy,
                                         const HlHeadScores  *scores,
                                         const double        *ablation_delta,
                                         const HlRegime      *regime_order,
                                         int                  n_layers,
                                         int                  n_heads,
                                         guint64              seed,
                                         int                  repeat,
                                         int                 *order);

G_END_DECLS
