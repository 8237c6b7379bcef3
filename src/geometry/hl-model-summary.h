/* hl-model-summary.h: model-level results over many head results
 * (docs/metrics.md, "Model-level results").
 *
 * Averaging order (the follow-up's): at each N, a sample's value is the mean
 * over every head result of that sample (all layers, heads and queries)
 * where N is on the grid; the model value is the mean over the samples that
 * have N. The 95% interval is a percentile bootstrap over samples. With one
 * sample the interval is degenerate: lo = hi = mean (never NaN).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-head-analysis.h"

G_BEGIN_DECLS

#define HL_MODEL_SUMMARY_DEFAULT_BOOTSTRAP 2000

typedef struct
{
  double mean;
  double lo;      /* 2.5th percentile of the bootstrap means */
  double hi;      /* 97.5th percentile */
} HlBand;

typedef struct
{
  int    n;                    /* N */
  int    n_samples;            /* samples with at least one head where N is defined */
  int    n_heads;              /* head results where N is defined */
  HlBand precision;
  HlBand recall;
  HlBand f1;
  /* Pearson corr(R_N, rho0) across the heads of a sample, averaged over the
   * samples where it is defined (at least two heads, neither variable
   * constant); NAN when it is defined in no sample. */
  double corr_recall_rho0;
} HlModelPoint;

typedef struct
{
  int           n_grid;
  int          *grid;        /* [n_grid] the union of every head's N, increasing */
  /* [n_grid] each; NULL when that ranking or distance was not computed. */
  HlModelPoint *points[HL_N_RANKINGS][HL_N_DISTANCES];
  /* The N where corr_recall_rho0 is largest; 0 when it is never defined. */
  int           corr_peak_n[HL_N_RANKINGS][HL_N_DISTANCES];
  /* Theory next to measurement, per ranking over the grid, averaged like
   * the curves (over a sample's results, then over samples): the mean
   * ||o - s_N||, B (1 - M_N) and Delta_N / B; NaN where no result has N,
   * NULL when the ranking was not computed. */
  double       *residual[HL_N_RANKINGS];
  double       *bound[HL_N_RANKINGS];
  double       *gap_over_b[HL_N_RANKINGS];
  int           n_samples;   /* distinct samples among the results */
  int           n_layers;
  int          *regime_counts; /* [n_layers * HL_N_REGIMES]: results (heads x
                                * samples x queries) of each layer per regime */
  int           bootstrap;   /* replicates used */
} HlModelSummary;

/* @results in any order; @n_layers sizes regime_counts (results with
 * layer >= n_layers are not counted). @seed seeds the bootstrap. */
HlModelSummary *hl_model_summary_new    (HlHeadResult * const *results,
                                         guint                 n_results,
                                         int                   n_layers,
                                         int                   bootstrap,
                                         guint64               seed);
void            hl_model_summary_free   (HlModelSummary *self);

/* The regime count of @layer, or 0 out of range. */
int             hl_model_summary_get_regime_count (const HlModelSummary *self,
                                                   int                   layer,
                                                   HlRegime              regime);

/* The building blocks, public for tests and for the app. */

/* Percentile bootstrap of the mean of @values (n >= 1): @replicates
 * resamples with replacement drawn from @seed. Writes the 2.5th and 97.5th
 * percentiles (linear interpolation between order statistics). With n = 1 or
 * replicates = 0: lo = hi = the mean. */
void            hl_bootstrap_mean_interval (const double *values,
                                            int           n,
                                            int           replicates,
                                            guint64       seed,
                                            double       *lo,
                                            double       *hi);

/* Pearson correlation of @x and @y (computed in double, two-pass); NAN when
 * n < 2 or either variable is constant. */
double          hl_pearson                 (const double *x,
                                            const double *y,
                                            int           n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlModelSummary, hl_model_summary_free)

G_END_DECLS
