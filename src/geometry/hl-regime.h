/* hl-regime.h: the head regime (Retriever / Mixer / Reset / Other) and the
 * sentence that explains it.
 *
 * The rule is our own reading of the paper's signatures (docs/metrics.md,
 * "Head regimes"): it uses the output-norm shares, the sink's attention
 * mass and the alignment trajectories c_0(N) = cos(s_N, v_0) and
 * c_t(N) = cos(s_N, v_t) of the attention ranking. A short decision list,
 * the first signature that holds wins (docs/metrics.md, "Head regimes"):
 *
 *   1. retriever: a_last / total >= retriever_share and
 *      c_t(N) >= high_alignment on at least retriever_fraction of the grid;
 *   2. reset: the sink dominates (alpha_0 >= reset_mass or
 *      a_sink / total >= reset_share) and c_t(N) < weak_alignment for
 *      every N <= reset_until * (t + 1) (at least the first N);
 *   3. mixer: the sink has the most attention of any key, s_N starts on it
 *      (c_0 at the first N >= high_alignment) and moves off it (the smallest
 *      c_0 on the grid is at least mixer_drop below that start);
 *   4. other: none of the three.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-diagnostics.h"
#include "hl-separability.h"

G_BEGIN_DECLS

#define HL_REGIME_ERROR (hl_regime_error_quark ())

typedef enum
{
  HL_REGIME_ERROR_THRESHOLD,   /* a threshold out of its range */
} HlRegimeError;

typedef struct
{
  double retriever_share;     /* a_last / total, default 0.5 */
  double retriever_fraction;  /* of the grid with c_t >= high_alignment, default 0.5 */
  double high_alignment;      /* a "high" cosine, default 0.9 */
  double reset_mass;          /* alpha_0, default 0.5 */
  double reset_share;         /* a_sink / total, default 0.5 */
  double weak_alignment;      /* c_t below it is weak, default 0.5 */
  double reset_until;         /* the early part of the grid: N <= this * (t + 1),
                               * default 1/16 */
  double mixer_drop;          /* how far c_0 must fall from its start, default 0.3 */
} HlRegimeThresholds;

/* One threshold: its name (the GSettings key and the command-line option
 * --NAME), where it lives in HlRegimeThresholds, its range and a
 * translatable description. The app and headlens-cli both read this
 * table, so the names agree everywhere. */
typedef struct
{
  const char *name;
  gsize       offset;
  double      min;
  double      max;
  gboolean    open_min;      /* the range excludes min */
  const char *description;   /* marked for translation, untranslated */
} HlRegimeThresholdInfo;

#define HL_REGIME_N_THRESHOLDS 8

/* The trajectories of the attention ranking over the grid, borrowed. */
typedef struct
{
  int          n_keys;        /* t + 1 */
  int          n_grid;
  const int   *grid;
  const float *align_sink;    /* [n_grid] c_0(N) */
  const float *align_last;    /* [n_grid] c_t(N) */
} HlRegimeTrajectories;

/* Every number the rule reads, and which signatures hold: the reason
 * quotes only these. */
typedef struct
{
  int      t;
  double   sink_share;        /* a_sink / total (0 when total is 0) */
  double   last_share;
  double   rest_share;
  double   sink_mass;         /* alpha_0 */
  double   last_mass;         /* alpha_t */
  int      peak_key;          /* HlDiagnostics.peak_key */
  double   peak_mass;
  int      n_grid;
  /* Retriever: grid points with c_t(N) >= high_alignment. */
  int      n_aligned_last;
  /* Reset: the early part of the grid and the largest c_t(N) there. */
  int      n_early;
  int      early_n;           /* the largest N of the early part */
  double   early_last_max;
  int      early_last_max_n;
  /* Mixer: c_0 at the first N and its smallest value on the grid. */
  int      first_n;
  double   first_sink;
  double   sink_min;
  int      sink_min_n;
  /* The signatures. */
  gboolean last_dominates;    /* last_share >= retriever_share */
  gboolean last_aligned;      /* n_aligned_last >= retriever_fraction * n_grid, n_grid > 0 */
  gboolean sink_dominates;    /* sink_mass >= reset_mass or sink_share >= reset_share */
  gboolean sink_top;          /* alpha_0 above every other alpha_i (ties: not) */
  gboolean last_weak_early;   /* early_last_max < weak_alignment, n_grid > 0 */
  gboolean starts_on_sink;    /* first_sink >= high_alignment, n_grid > 0 */
  gboolean leaves_sink;       /* sink_min <= first_sink - mixer_drop */
} HlRegimeEvidence;

GQuark    hl_regime_error_quark     (void);
void      hl_regime_thresholds_init (HlRegimeThresholds *thresholds);
/* The HL_REGIME_N_THRESHOLDS thresholds, in the order of the struct. */
const HlRegimeThresholdInfo *hl_regime_threshold_infos (void);
/* FALSE with a message naming the threshold unless every field is in its
 * range: [0, 1] for the shares, masses and fractions, [-1, 1] for the
 * cosines, (0, 1] for reset_until, [0, 2] for mixer_drop. */
gboolean  hl_regime_thresholds_validate (const HlRegimeThresholds *thresholds,
                                         GError                  **error);

/* The shares a_sink / total, a_last / total, a_rest / total (all 0 when
 * total is 0). Any of the out pointers may be NULL. */
void      hl_regime_shares          (const HlDiagnostics *diagnostics,
                                     double              *sink_share,
                                     double              *last_share,
                                     double              *rest_share);

/* The attention ranking's trajectories from @curves; FALSE when the
 * attention ranking was not computed. */
gboolean  hl_regime_trajectories_from_curves (const HlCurveSet      *curves,
                                              int                    n_keys,
                                              HlRegimeTrajectories  *out);

/* c_0(N) and c_t(N) of the attention ranking over @grid computed directly
 * from @input (prefix sums in double, the cosine of docs/metrics.md), for
 * analyses that did not compute that ranking. */
void      hl_regime_compute_trajectories (const HlHeadInput *input,
                                          const int         *grid,
                                          int                n_grid,
                                          float             *align_sink,
                                          float             *align_last);

void      hl_regime_evidence        (const HlDiagnostics        *diagnostics,
                                     const HlRegimeTrajectories *trajectories,
                                     const HlRegimeThresholds   *thresholds,
                                     HlRegimeEvidence           *out);

/* The first signature of the decision list that holds. */
HlRegime  hl_regime_decide          (const HlRegimeEvidence *evidence);

/* A translated sentence of "; "-separated clauses, each quoting numbers of
 * @evidence (and the thresholds it was compared with), e.g. "the last
 * token gives 0.81 of the output; cos(s_N, v_t) ≥ 0.9 at 9 of 9 N". For
 * `other` it says which part of each signature failed and which content
 * key holds the most attention. Free with g_free(). */
char     *hl_regime_reason          (HlRegime                  regime,
                                     const HlRegimeEvidence   *evidence,
                                     const HlRegimeThresholds *thresholds);

G_END_DECLS
