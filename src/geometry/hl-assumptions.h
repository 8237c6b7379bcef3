/* hl-assumptions.h: does the paper's taxonomy apply to these heads?
 *
 * The regimes (Retriever, Mixer, Reset) are defined by how a compressed
 * attention sink and the last token shape the head output, and the
 * paper's bounds need stable value norms, a similarity that decays with
 * distance and a positive attention gap. Each of these assumptions is
 * checked per head (over its samples and queries) and for the model (over
 * every head result), and the model gets a verdict: the taxonomy applies,
 * applies partly, or does not apply (docs/metrics.md, "Does the taxonomy
 * apply?"). The checks are the paper's where it names a threshold (CV
 * 0.15, sink mass 0.1, corr(R, rho0) 0.3) and ours otherwise, marked so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-head-analysis.h"
#include "hl-model-summary.h"

G_BEGIN_DECLS

typedef enum
{
  HL_CHECK_NORM_CV,      /* median value-norm CV <= norm_cv_max (paper: 0.15) */
  HL_CHECK_SINK_MASS,    /* median alpha_0 >= sink_mass_min (paper: 0.1) */
  HL_CHECK_SINK_RATIO,   /* median lambda <= sink_ratio_max (ours: 0.5) */
  HL_CHECK_DECAY_FIT,    /* median decay-fit error <= decay_fit_max (ours: 0.1) */
  HL_CHECK_GAP,          /* median Delta_1 > 0 (paper: Delta <= 0 makes the bounds vacuous) */
  HL_CHECK_CORR,         /* model only: the peak of corr(R_N, rho0) >= corr_min (paper: 0.3) */
  HL_N_CHECKS
} HlCheck;

/* The checks a head has (all but the correlation, a model-level quantity). */
#define HL_N_HEAD_CHECKS HL_CHECK_CORR

typedef enum
{
  HL_TAXONOMY_APPLIES,
  HL_TAXONOMY_PARTLY,
  HL_TAXONOMY_DOES_NOT_APPLY,
  HL_N_TAXONOMY_VERDICTS
} HlTaxonomyVerdict;

typedef struct
{
  double norm_cv_max;     /* 0.15 */
  double sink_mass_min;   /* 0.1 */
  double sink_ratio_max;  /* 0.5 */
  double decay_fit_max;   /* 0.1 */
  double corr_min;        /* 0.3 */
} HlAssumptionThresholds;

/* One threshold: its name (GSettings key and --NAME option), where it
 * lives, its range and a translatable description (as
 * HlRegimeThresholdInfo). */
typedef struct
{
  const char *name;
  gsize       offset;
  double      min;
  double      max;
  const char *description;
} HlAssumptionThresholdInfo;

#define HL_ASSUMPTION_N_THRESHOLDS 5

typedef enum
{
  HL_CHECK_UNDEFINED = -1,  /* no value (for example no correlation) */
  HL_CHECK_FAILS,
  HL_CHECK_HOLDS,
} HlCheckOutcome;

typedef struct
{
  double         value;      /* NaN when undefined */
  double         threshold;
  HlCheckOutcome outcome;
} HlCheckResult;

typedef struct
{
  int               layer;
  int               head;
  int               n_results;              /* samples x queries */
  HlCheckResult     checks[HL_N_HEAD_CHECKS];
  HlTaxonomyVerdict verdict;
} HlHeadAssumptions;

typedef struct
{
  HlAssumptionThresholds thresholds;
  int                    n_results;
  HlCheckResult          checks[HL_N_CHECKS];
  double                 sink_mass_max;     /* the largest alpha_0 of any result */
  HlTaxonomyVerdict      verdict;
  int                    n_heads;
  HlHeadAssumptions     *heads;             /* [n_heads] by (layer, head) */
} HlAssumptions;

void        hl_assumption_thresholds_init  (HlAssumptionThresholds *thresholds);
const HlAssumptionThresholdInfo *
            hl_assumption_threshold_infos  (void);
gboolean    hl_assumption_thresholds_validate (const HlAssumptionThresholds *thresholds,
                                               GError                      **error);

/* "norm_cv", "sink_mass", "sink_ratio", "decay_fit", "gap", "corr_recall_rho0". */
const char *hl_check_to_string             (HlCheck           check);
/* "applies", "partly", "does-not-apply". */
const char *hl_taxonomy_verdict_to_string  (HlTaxonomyVerdict verdict);

/* The checks of @results (any order) and @summary (its attention /
 * Euclidean correlation; NULL or without that curve: undefined). */
HlAssumptions *hl_assumptions_new  (HlHeadResult * const        *results,
                                    guint                        n_results,
                                    const HlModelSummary        *summary,
                                    const HlAssumptionThresholds *thresholds);
void           hl_assumptions_free (HlAssumptions *self);

/* The assumptions of one head, or NULL when it has no result. */
const HlHeadAssumptions *
               hl_assumptions_lookup_head (const HlAssumptions *self,
                                           int                  layer,
                                           int                  head);

/* Translated sentences that quote the measured values, for the model:
 * "The taxonomy does not apply: no attention sink (median α₀ 0.000, the
 * largest 0.048; the paper asks > 0.1); …", and for a head. */
char          *hl_assumptions_describe      (const HlAssumptions     *self);
char          *hl_assumptions_describe_head (const HlAssumptions     *self,
                                             const HlHeadAssumptions *head);

/* One short translated line for a figure of the model's regimes when the
 * taxonomy does not apply, with the deciding medians ("Taxonomy does not
 * apply: no sink (α₀ 0.000 < 0.1)"); NULL otherwise. */
char          *hl_assumptions_caveat        (const HlAssumptions     *self);

/* assumptions.csv: `scope,layer,head,check,value,threshold,holds`, the
 * model rows first (layer and head empty; the last one `taxonomy`), then
 * every head's. */
char          *hl_assumptions_csv          (const HlAssumptions *self);

#define HL_ASSUMPTIONS_CSV_HEADER "scope,layer,head,check,value,threshold,holds"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlAssumptions, hl_assumptions_free)

G_END_DECLS
