/* hl-head-scores.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-head-scores.h"

#include "hl-model-summary.h"
#include "hl-random.h"

#include <math.h>
#include <string.h>

static const char * const policy_names[HL_N_PRUNE_POLICIES] = {
  "regime", "random", "low-entropy", "high-sink-mass", "low-a-last", "low-ablation",
};

const char *
hl_prune_policy_to_string (HlPrunePolicy policy)
{
  g_return_val_if_fail (policy < HL_N_PRUNE_POLICIES, NULL);
  return policy_names[policy];
}

gboolean
hl_prune_policy_from_string (const char    *str,
                             HlPrunePolicy *out)
{
  for (int p = 0; p < HL_N_PRUNE_POLICIES; p++)
    if (g_strcmp0 (str, policy_names[p]) == 0)
      {
        *out = (HlPrunePolicy) p;
        return TRUE;
      }
  return FALSE;
}

void
hl_prune_default_regime_order (HlRegime order[HL_N_REGIMES])
{
  order[0] = HL_REGIME_MIXER;
  order[1] = HL_REGIME_OTHER;
  order[2] = HL_REGIME_RESET;
  order[3] = HL_REGIME_RETRIEVER;
}

/* Aggregation */

static HlRegime
most_frequent (const int counts[HL_N_REGIMES])
{
  int best = 0;

  for (int r = 1; r < HL_N_REGIMES; r++)
    if (counts[r] > counts[best])
      best = r;
  return (HlRegime) best;
}

/* F_N and gamma_N of @r at @n with @distance; FALSE when @n is not on its
 * grid or the attention ranking was not computed. */
static gboolean
point_at (const HlHeadResult *r,
          HlDistance          distance,
          int                 n,
          double             *f1,
          double             *margin)
{
  const HlSeparabilityPoint *points = r->curves->points[HL_RANKING_ATTENTION][distance];

  for (int i = 0; points != NULL && i < r->curves->n_grid; i++)
    if (r->curves->grid[i] == n)
      {
        *f1 = points[i].f1;
        *margin = points[i].margin;
        return TRUE;
      }
  return FALSE;
}

static void
add_result (HlHeadScores       *s,
            int                *counts,
            int                *n_points,
            const HlHeadResult *r,
            HlDistance          distance,
            int                 n)
{
  double f1, margin;

  s->n_results++;
  s->entropy += r->diagnostics.entropy;
  s->sink_mass += r->diagnostics.sink_mass;
  s->a_last += r->diagnostics.a_last;
  counts[r->regime]++;
  if (point_at (r, distance, n, &f1, &margin))
    {
      s->f1 += f1;
      s->margin += margin;
      (*n_points)++;
    }
}

void
hl_head_scores_from_results (HlHeadResult * const *results,
                             guint                 n_results,
                             int                   n_layers,
                             int                   n_heads,
                             HlDistance            distance,
                             int                   n,
                             HlHeadScores         *scores)
{
  gsize total = (gsize) n_layers * n_heads;
  g_autofree int *counts = g_new0 (int, total * HL_N_REGIMES);
  g_autofree int *n_points = g_new0 (int, total);

  g_return_if_fail (results != NULL || n_results == 0);
  g_return_if_fail (scores != NULL && distance < HL_N_DISTANCES);

  memset (scores, 0, sizeof (HlHeadScores) * total);
  for (guint i = 0; i < n_results; i++)
    {
      const HlHeadResult *r = results[i];
      gsize k = (gsize) r->layer * n_heads + r->head;

      if (r->layer >= 0 && r->layer < n_layers && r->head >= 0 && r->head < n_heads)
        add_result (&scores[k], counts + k * HL_N_REGIMES, &n_points[k], r, distance, n);
    }
  for (gsize k = 0; k < total; k++)
    {
      HlHeadScores *s = &scores[k];

      s->f1 = n_points[k] > 0 ? s->f1 / n_points[k] : NAN;
      s->margin = n_points[k] > 0 ? s->margin / n_points[k] : NAN;
      if (s->n_results == 0)
        continue;
      s->entropy /= s->n_results;
      s->sink_mass /= s->n_results;
      s->a_last /= s->n_results;
      s->regime = most_frequent (counts + k * HL_N_REGIMES);
    }
}

/* Correlations */

static const char * const quantity_names[HL_N_CAUSAL_QUANTITIES] = {
  "f1", "margin", "sink_mass", "entropy", "a_last", "regime",
};

const char *
hl_causal_quantity_to_string (HlCausalQuantity quantity)
{
  g_return_val_if_fail (quantity < HL_N_CAUSAL_QUANTITIES, NULL);
  return quantity_names[quantity];
}

static double
quantity_of (const HlHeadScores *s,
             HlCausalQuantity    quantity)
{
  switch (quantity)
    {
    case HL_CAUSAL_QUANTITY_F1:
      return s->f1;
    case HL_CAUSAL_QUANTITY_MARGIN:
      return s->margin;
    case HL_CAUSAL_QUANTITY_SINK_MASS:
      return s->sink_mass;
    case HL_CAUSAL_QUANTITY_ENTROPY:
      return s->entropy;
    case HL_CAUSAL_QUANTITY_A_LAST:
      return s->a_last;
    default:
      g_return_val_if_reached (NAN);
    }
}

/* The correlation ratio: sqrt (between-regime sum of squares / total sum
 * of squares) of @effect over the heads with a regime. */
static void
correlate_regime (const double         *effect,
                  const HlHeadScores   *scores,
                  int                   n,
                  HlCausalCorrelations *out)
{
  double sums[HL_N_REGIMES] = { 0 }, total = 0.0, ss_total = 0.0, ss_between = 0.0, mean;
  int count = 0, groups = 0;

  memset (out->regime_count, 0, sizeof out->regime_count);
  for (int k = 0; k < n; k++)
    if (scores[k].n_results > 0 && isfinite (effect[k]))
      {
        sums[scores[k].regime] += effect[k];
        out->regime_count[scores[k].regime]++;
        total += effect[k];
        count++;
      }
  mean = count > 0 ? total / count : 0.0;
  for (int k = 0; k < n; k++)
    if (scores[k].n_results > 0 && isfinite (effect[k]))
      ss_total += (effect[k] - mean) * (effect[k] - mean);
  for (int r = 0; r < HL_N_REGIMES; r++)
    {
      out->regime_mean[r] = out->regime_count[r] > 0 ? sums[r] / out->regime_count[r] : NAN;
      if (out->regime_count[r] > 0)
        ss_between += out->regime_count[r] * (out->regime_mean[r] - mean) * (out->regime_mean[r] - mean);
      groups += out->regime_count[r] > 0;
    }
  out->n_heads[HL_CAUSAL_QUANTITY_REGIME] = count;
  /* With one regime there is nothing to tell apart. */
  out->r[HL_CAUSAL_QUANTITY_REGIME] = groups >= 2 && ss_total > 0.0 ? sqrt (ss_between / ss_total) : NAN;
}

void
hl_causal_correlate (const double         *effect,
                     const HlHeadScores   *scores,
                     int                   n,
                     HlCausalCorrelations *out)
{
  g_autofree double *x = g_new (double, MAX (n, 1));
  g_autofree double *y = g_new (double, MAX (n, 1));

  g_return_if_fail (effect != NULL && scores != NULL && out != NULL);

  for (int q = 0; q < HL_CAUSAL_QUANTITY_REGIME; q++)
    {
      int m = 0;

      for (int k = 0; k < n; k++)
        {
          double value = scores[k].n_results > 0 ? quantity_of (&scores[k], (HlCausalQuantity) q) : NAN;

          if (isfinite (value) && isfinite (effect[k]))
            {
              x[m] = effect[k];
              y[m++] = value;
            }
        }
      out->n_heads[q] = m;
      out->r[q] = hl_pearson (x, y, m);
    }
  correlate_regime (effect, scores, n, out);
}

/* Orders */

typedef struct
{
  double key;
  int    index;
} Keyed;

static int
compare_keyed (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const Keyed *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

static double
regime_rank (const HlRegime *regime_order,
             HlRegime        regime)
{
  for (int i = 0; i < HL_N_REGIMES; i++)
    if (regime_order[i] == regime)
      return i;
  return HL_N_REGIMES;
}

/* The sort key of head @k under @policy: lower is pruned first. */
static double
policy_key (HlPrunePolicy       policy,
            const HlHeadScores *s,
            const double       *ablation_delta,
            const HlRegime     *regime_order,
            int                 n_layers,
            int                 layer,
            int                 k)
{
  if (policy == HL_PRUNE_LOW_ABLATION)
    return ablation_delta[k];
  if (s->n_results == 0)
    return INFINITY;
  switch (policy)
    {
    case HL_PRUNE_REGIME:
      /* Within a regime, deeper layers first: the paper finds heads near
       * the input critical. */
      return regime_rank (regime_order, s->regime) * (n_layers + 1) + (n_layers - 1 - layer);
    case HL_PRUNE_LOW_ENTROPY:
      return s->entropy;
    case HL_PRUNE_HIGH_SINK_MASS:
      return -s->sink_mass;
    case HL_PRUNE_LOW_A_LAST:
      return s->a_last;
    default:
      g_return_val_if_reached (0.0);
    }
}

void
hl_prune_order (HlPrunePolicy        policy,
                const HlHeadScores  *scores,
                const double        *ablation_delta,
                const HlRegime      *regime_order,
                int                  n_layers,
                int                  n_heads,
                guint64              seed,
                int                  repeat,
                int                 *order)
{
  int n = n_layers * n_heads;
  g_autofree Keyed *keyed = NULL;

  g_return_if_fail (policy < HL_N_PRUNE_POLICIES && order != NULL);
  g_return_if_fail (policy != HL_PRUNE_LOW_ABLATION || ablation_delta != NULL);
  g_return_if_fail (policy != HL_PRUNE_REGIME || regime_order != NULL);
  g_return_if_fail (policy == HL_PRUNE_RANDOM || policy == HL_PRUNE_LOW_ABLATION || scores != NULL);

  if (policy == HL_PRUNE_RANDOM)
    {
      HlRandom rng;

      hl_random_init (&rng, seed, (guint64) repeat);
      hl_random_permutation (&rng, order, n);
      return;
    }
  keyed = g_new (Keyed, n);
  for (int k = 0; k < n; k++)
    {
      keyed[k].index = k;
      keyed[k].key = policy_key (policy, scores != NULL ? &scores[k] : NULL, ablation_delta, regime_order,
                                 n_layers, k / n_heads, k);
    }
  g_qsort_with_data (keyed, n, sizeof (Keyed), compare_keyed, NULL);
  for (int k = 0; k < n; k++)
    order[k] = keyed[k].index;
}
