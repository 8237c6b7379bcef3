/* hl-causal-experiment.h: the causal experiments on one HlCausalText:
 * top-N truncation (at a list of N, or the effective set size N*_tau by an
 * adaptive search), head ablation, and type-guided sparsification, with
 * their tidy CSV tables. Blocking, or in a worker thread with progress and
 * cancellation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-causal-text.h"
#include "hl-head-scores.h"

G_BEGIN_DECLS

typedef enum
{
  HL_CAUSAL_TRUNCATE,
  HL_CAUSAL_ABLATE,
  HL_CAUSAL_SPARSIFY,
  HL_N_CAUSAL_EXPERIMENTS
} HlCausalExperiment;

/* A layer or head of a target: an index, every one at once, or each one
 * separately (which makes one target per index). */
#define HL_CAUSAL_ALL  (-1)
#define HL_CAUSAL_EACH (-2)

#define HL_CAUSAL_DEFAULT_TAU     0.01
#define HL_CAUSAL_DEFAULT_REPEATS 16

/* What heads one measurement changes: indices, or HL_CAUSAL_ALL. */
typedef struct
{
  int layer;
  int head;
} HlCausalTarget;

/* What to run. Pointers are borrowed by the call that takes the spec; the
 * async call copies them. */
typedef struct
{
  HlCausalExperiment  experiment;
  int                 layer;           /* index, HL_CAUSAL_ALL or HL_CAUSAL_EACH (default) */
  int                 head;
  /* truncate */
  guint               truncate_modes;  /* bits 1 << HlTruncateMode; default renormalise */
  guint               rankings;        /* bits 1 << HlRanking (attention, contribution); default attention */
  const int          *n_list;          /* NULL: powers of two below the window */
  int                 n_n;
  gboolean            n_auto;          /* search N*_tau instead of a list */
  double              tau;             /* nats per token, > 0 */
  /* ablate; sparsify prunes with the first mode set */
  guint               ablate_modes;    /* bits 1 << HlAblateMode; default zero */
  /* sparsify */
  const double       *fractions;       /* NULL: 0.1, 0.2, ..., 0.9 */
  int                 n_fractions;
  guint               policies;        /* bits 1 << HlPrunePolicy; default all */
  int                 repeats;         /* of the random policy */
  guint64             seed;
  HlRegime            regime_order[HL_N_REGIMES];
  /* The heads' scores [n_layers * n_heads], read by the metric and regime
   * policies and correlated with per-head effects; NULL: computed from the
   * text's unmodified run at @query_positions (default: the last position
   * of each window), analysed with @analysis, F_N and gamma_N read at
   * @score_n with @score_distance. */
  const HlHeadScores *scores;
  const int          *query_positions;
  int                 n_queries;
  HlHeadAnalysisOptions analysis;
  int                 score_n;         /* default 4 */
  HlDistance          score_distance;  /* default Euclidean */
} HlCausalSpec;

typedef struct
{
  HlCausalTarget target;
  HlTruncateMode mode;
  HlRanking      ranking;
  int            n;            /* -1: every key ("all"), the unmodified model */
  double         nll;
  double         delta_nll;
} HlTruncateRow;

/* The effective set size of one target, mode and ranking. */
typedef struct
{
  HlCausalTarget target;
  HlTruncateMode mode;
  HlRanking      ranking;
  int            n_star;       /* the smallest N >= 1 found with delta NLL <= tau */
  double         delta_nll;    /* at n_star */
  int            evaluations;  /* N values measured by the search */
} HlEffectiveSize;

typedef struct
{
  HlCausalTarget target;
  HlAblateMode   mode;
  double         nll;
  double         delta_nll;
} HlAblateRow;

typedef struct
{
  HlPrunePolicy  policy;
  HlAblateMode   mode;
  double         fraction;
  int            n_pruned;
  int            repeats;      /* 1 for the deterministic policies */
  double         nll;          /* mean over repeats */
  double         delta_nll;    /* mean over repeats */
  double         delta_sd;     /* sample standard deviation over repeats, 0 for one */
  double         delta_min;
  double         delta_max;
} HlSparsifyRow;

/* A per-head effect against the heads' geometry: the delta NLL of one
 * ablation mode, or N* of one truncation mode and ranking, when the
 * experiment measured every head on its own. */
typedef struct
{
  HlCausalExperiment   experiment;     /* ablate: delta NLL; truncate: N* */
  HlAblateMode         ablate_mode;
  HlTruncateMode       truncate_mode;
  HlRanking            ranking;
  HlCausalCorrelations correlations;
} HlCausalCorrelationSet;

typedef struct
{
  HlCausalExperiment  experiment;
  double              tau;
  double              baseline_nll;
  gint64              n_scored;
  int                 n_windows;
  int                 window;
  int                 n_layers;
  int                 n_heads;
  GArray             *truncate;     /* HlTruncateRow; N ascending within a group */
  GArray             *effective;    /* HlEffectiveSize, with n_auto */
  GArray             *ablate;       /* HlAblateRow */
  GArray             *sparsify;     /* HlSparsifyRow */
  HlHeadScores       *scores;       /* [n_layers * n_heads] the policies and correlations read;
                                     * NULL when neither needed them */
  int                 score_n;      /* the N of their F_N and gamma_N */
  GArray             *correlations; /* HlCausalCorrelationSet */
  double             *ablation;     /* [n_layers * n_heads] delta NLL of each head's own ablation
                                     * (sparsify with low-ablation), else NULL */
  guint64             layers_run;   /* layer passes of the measurements */
  double              seconds;      /* wall time of the run */
} HlCausalResult;

/* @done of @total measurements (the baseline run counts as one). */
typedef void (*HlCausalProgressFunc) (guint64  done,
                                      guint64  total,
                                      gpointer user_data);

const char     *hl_causal_experiment_to_string   (HlCausalExperiment  experiment);
gboolean        hl_causal_experiment_from_string (const char         *str,
                                                  HlCausalExperiment *out);

void            hl_causal_spec_init      (HlCausalSpec        *spec);
/* Checks @spec against a model of @n_layers x @n_heads and windows of
 * @window tokens: target, N, tau, fractions, repeats. */
gboolean        hl_causal_spec_validate  (const HlCausalSpec  *spec,
                                          int                  n_layers,
                                          int                  n_heads,
                                          int                  window,
                                          GError             **error);

/* Runs @spec on @text (hl_causal_text_prepare() is called here, so @text
 * must be fresh). @progress is called in the calling thread. */
HlCausalResult *hl_causal_run            (HlCausalText        *text,
                                          const HlCausalSpec  *spec,
                                          GCancellable        *cancellable,
                                          HlCausalProgressFunc progress,
                                          gpointer             progress_data,
                                          GError             **error);

/* The same in a worker thread, which owns @text from now on (it is freed
 * with the task). @progress runs on the caller's thread-default main
 * context, never after @callback. */
void            hl_causal_run_async      (HlCausalText        *text,
                                          const HlCausalSpec  *spec,
                                          GCancellable        *cancellable,
                                          HlCausalProgressFunc progress,
                                          gpointer             progress_data,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
HlCausalResult *hl_causal_run_finish     (GAsyncResult        *result,
                                          GError             **error);

void            hl_causal_result_free    (HlCausalResult      *result);

/* What the run measured the effects against, for a status line: the
 * unmodified loss, positions, windows, layer passes and time. */
char           *hl_causal_result_describe (const HlCausalResult *result);

/* The result as CSV (docs/causal.md): truncate
 * `layer,head,mode,ranking,n,nll,delta_nll`, ablate
 * `layer,head,mode,nll,delta_nll`, sparsify
 * `policy,mode,fraction,n_pruned,repeats,nll,delta_nll,delta_nll_sd,delta_nll_min,delta_nll_max`. */
char           *hl_causal_result_to_csv  (const HlCausalResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlCausalResult, hl_causal_result_free)

G_END_DECLS
