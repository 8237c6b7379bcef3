/* hl-length-sweep.h: the paper's length check, Delta/B at N = 1 and the
 * curves for several window lengths L.
 *
 * Attention is causal, so the query at position t of a sample sees exactly
 * what the last query of a window of L = t + 1 tokens starting at the same
 * first token sees: each query position of a file is a window length. The
 * paper's check (FRAMEWORK.md, "next checks"): Delta/B at N = 1 should not
 * fall by more than 20% as L grows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-model-summary.h"

G_BEGIN_DECLS

/* The largest fall of Delta_1 / B the paper accepts as L grows. */
#define HL_LENGTH_SWEEP_MAX_FALL 0.2

typedef struct
{
  int             window;                      /* L = t + 1 */
  int             n_results;                   /* head results at t = L - 1 */
  double          gap1_over_b;                 /* mean Delta_1 / B over them (attention) */
  double          change;                      /* relative to the shortest window; 0 there */
  HlModelSummary *summary;                     /* their mean curves and Delta_N / B (owned) */
} HlSweepWindow;

typedef struct
{
  int            n_windows;
  HlSweepWindow *windows;                      /* by increasing L */
} HlLengthSweep;

/* The sweep of @results over the windows @windows (each L needs results
 * at query position L - 1), or over every query position present when
 * @windows is NULL. Fails naming the first window without results and the
 * positions there are. */
HlLengthSweep *hl_length_sweep_new      (HlHeadResult * const *results,
                                         guint                 n_results,
                                         const int            *windows,
                                         int                   n_windows,
                                         GError              **error);
void           hl_length_sweep_free     (HlLengthSweep        *self);

/* sweep.csv: `window,ranking,distance,n,n_heads,precision,recall,f1,gap_over_b`,
 * one row per window, computed ranking, distance and N of its grid. */
#define HL_LENGTH_SWEEP_CSV_HEADER \
  "window,ranking,distance,n,n_heads,precision,recall,f1,gap_over_b"
char          *hl_length_sweep_csv      (const HlLengthSweep  *self);

/* One translated line per window: its length, results, Delta_1 / B and
 * its change from the shortest window against the paper's 20%. */
char          *hl_length_sweep_describe (const HlLengthSweep  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlLengthSweep, hl_length_sweep_free)

G_END_DECLS
