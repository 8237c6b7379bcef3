/* hl-regime.c: our regime rule and the sentence that explains it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-regime.h"

#include <glib/gi18n.h>

void
hl_regime_thresholds_init (HlRegimeThresholds *thresholds)
{
  g_return_if_fail (thresholds != NULL);

  thresholds->retriever_share = 0.5;
  thresholds->reset_share = 0.5;
  thresholds->alignment = 0.9;
}

void
hl_regime_shares (const HlDiagnostics *diagnostics,
                  double              *sink_share,
                  double              *last_share,
                  double              *rest_share)
{
  double total;

  g_return_if_fail (diagnostics != NULL);

  total = (double) diagnostics->a_sink + diagnostics->a_last + diagnostics->a_rest;
  if (sink_share != NULL)
    *sink_share = total > 0.0 ? diagnostics->a_sink / total : 0.0;
  if (last_share != NULL)
    *last_share = total > 0.0 ? diagnostics->a_last / total : 0.0;
  if (rest_share != NULL)
    *rest_share = total > 0.0 ? diagnostics->a_rest / total : 0.0;
}

HlRegime
hl_regime_classify (const HlDiagnostics      *diagnostics,
                    const HlRegimeThresholds *thresholds)
{
  double sink, last;

  g_return_val_if_fail (diagnostics != NULL, HL_REGIME_MIXER);
  g_return_val_if_fail (thresholds != NULL, HL_REGIME_MIXER);

  hl_regime_shares (diagnostics, &sink, &last, NULL);
  if (sink + last == 0.0)
    return HL_REGIME_MIXER;
  if (last >= thresholds->retriever_share)
    return HL_REGIME_RETRIEVER;
  if (sink >= thresholds->reset_share)
    return HL_REGIME_RESET;
  return HL_REGIME_MIXER;
}

/* The ranking whose trajectories the reason quotes: attention when it was
 * computed, else the first one present; -1 when there is none. */
static int
reason_ranking (const HlCurveSet *curves)
{
  if (curves == NULL || curves->n_grid == 0)
    return -1;
  if (curves->align_last[HL_RANKING_ATTENTION] != NULL)
    return HL_RANKING_ATTENTION;
  for (int r = 0; r < HL_N_RANKINGS; r++)
    if (curves->align_last[r] != NULL && curves->align_sink[r] != NULL)
      return r;
  return -1;
}

/* "cos(s_N, v_t) ≥ 0.9 for N ≤ 8": the longest run of the grid, from its
 * start, over which s_N stays aligned with the last token. */
static char *
describe_last_alignment (const HlCurveSet *curves,
                         int               ranking,
                         double            threshold)
{
  const float *last = curves->align_last[ranking];
  int run = 0;

  while (run < curves->n_grid && last[run] >= threshold)
    run++;
  if (run == 0)
    return g_strdup_printf (_("cos(s_N, v_t) < %.2g already at N = %d"),
                            threshold, curves->grid[0]);
  if (run == curves->n_grid)
    return g_strdup_printf (_("cos(s_N, v_t) ≥ %.2g for every N up to %d"),
                            threshold, curves->grid[run - 1]);
  return g_strdup_printf (_("cos(s_N, v_t) ≥ %.2g for N ≤ %d"),
                          threshold, curves->grid[run - 1]);
}

/* Where cos(s_N, v_0) exceeds cos(s_N, v_t): the first and last such N of
 * the grid and how many grid points that is. */
static char *
describe_sink_alignment (const HlCurveSet *curves,
                         int               ranking)
{
  const float *sink = curves->align_sink[ranking];
  const float *last = curves->align_last[ranking];
  int first = -1, final = -1, count = 0;

  for (int j = 0; j < curves->n_grid; j++)
    if (sink[j] > last[j])
      {
        if (first < 0)
          first = j;
        final = j;
        count++;
      }
  if (count == 0)
    return g_strdup (_("cos(s_N, v_0) never exceeds cos(s_N, v_t)"));
  if (first == 0 && count == final + 1 && final + 1 < curves->n_grid)
    return g_strdup_printf (_("cos(s_N, v_0) > cos(s_N, v_t) for N ≤ %d, then content takes over"),
                            curves->grid[final]);
  if (count == curves->n_grid)
    return g_strdup_printf (_("cos(s_N, v_0) > cos(s_N, v_t) for every N up to %d"),
                            curves->grid[final]);
  return g_strdup_printf (_("cos(s_N, v_0) > cos(s_N, v_t) at %d of %d N, from N = %d to %d"),
                          count, curves->n_grid, curves->grid[first], curves->grid[final]);
}

static char *
describe_shares (HlRegime             regime,
                 const HlDiagnostics *diagnostics)
{
  double sink, last, rest;

  hl_regime_shares (diagnostics, &sink, &last, &rest);
  switch (regime)
    {
    case HL_REGIME_RETRIEVER:
      return g_strdup_printf (_("last-token contribution %.2f of the output"), last);
    case HL_REGIME_RESET:
      return g_strdup_printf (_("sink contribution %.2f of the output"), sink);
    case HL_REGIME_MIXER:
    case HL_N_REGIMES:
    default:
      return g_strdup_printf (_("no dominant token: sink %.2f, last %.2f, rest %.2f of the output"),
                              sink, last, rest);
    }
}

char *
hl_regime_reason (HlRegime                  regime,
                  const HlDiagnostics      *diagnostics,
                  const HlCurveSet         *curves,
                  const HlRegimeThresholds *thresholds)
{
  g_autofree char *shares = NULL;
  g_autofree char *alignment = NULL;
  int ranking = reason_ranking (curves);

  g_return_val_if_fail (regime < HL_N_REGIMES, NULL);
  g_return_val_if_fail (diagnostics != NULL, NULL);
  g_return_val_if_fail (thresholds != NULL, NULL);

  shares = describe_shares (regime, diagnostics);
  if (ranking < 0)
    return g_steal_pointer (&shares);
  if (regime == HL_REGIME_RETRIEVER)
    alignment = describe_last_alignment (curves, ranking, thresholds->alignment);
  else
    alignment = describe_sink_alignment (curves, ranking);
  /* Translators: the two halves of a regime explanation, e.g. "sink
   * contribution 0.74 of the output; cos(s_N, v_0) > cos(s_N, v_t) for
   * N ≤ 16, then content takes over". */
  return g_strdup_printf (_("%s; %s"), shares, alignment);
}
