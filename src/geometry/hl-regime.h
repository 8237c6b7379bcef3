/* hl-regime.h: the head regime (Retriever / Mixer / Reset) and its reason.
 *
 * The rule is our own (FRAMEWORK.md, "Head regimes"): with
 * total = a_sink + a_last + a_rest, a head is a Retriever when
 * a_last / total >= retriever_share, else a Reset when
 * a_sink / total >= reset_share, else a Mixer. The synthetic generator is
 * tuned against exactly this rule with the default thresholds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-diagnostics.h"
#include "hl-separability.h"

G_BEGIN_DECLS

typedef struct
{
  double retriever_share;   /* default 0.5 */
  double reset_share;       /* default 0.5 */
  double alignment;         /* the cosine quoted in the reason, default 0.9 */
} HlRegimeThresholds;

void      hl_regime_thresholds_init (HlRegimeThresholds *thresholds);

/* The shares a_sink / total, a_last / total, a_rest / total (all 0 when
 * total is 0). Any of the out pointers may be NULL. */
void      hl_regime_shares          (const HlDiagnostics *diagnostics,
                                     double              *sink_share,
                                     double              *last_share,
                                     double              *rest_share);

/* A head whose three contributions are all zero is a Mixer (no share
 * reaches a threshold). */
HlRegime  hl_regime_classify        (const HlDiagnostics      *diagnostics,
                                     const HlRegimeThresholds *thresholds);

/* A translated sentence that quotes the deciding share and the alignment
 * trajectories of the attention ranking from @curves (or of the first
 * ranking present when attention was not computed; the sentence then has no
 * trajectory part when @curves has none), e.g. "last-token contribution
 * 0.81 of the output; cos(s_N, v_t) ≥ 0.9 for N ≤ 8". Free with g_free(). */
char     *hl_regime_reason          (HlRegime                  regime,
                                     const HlDiagnostics      *diagnostics,
                                     const HlCurveSet         *curves,
                                     const HlRegimeThresholds *thresholds);

G_END_DECLS
