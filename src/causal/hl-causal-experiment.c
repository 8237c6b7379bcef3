/* hl-causal-experiment.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-experiment.h"

#include "hl-background.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

static const char * const experiment_names[HL_N_CAUSAL_EXPERIMENTS] = { "truncate", "ablate", "sparsify" };

const char *
hl_causal_experiment_to_string (HlCausalExperiment experiment)
{
  g_return_val_if_fail (experiment < HL_N_CAUSAL_EXPERIMENTS, NULL);
  return experiment_names[experiment];
}

gboolean
hl_causal_experiment_from_string (const char         *str,
                                  HlCausalExperiment *out)
{
  for (int e = 0; e < HL_N_CAUSAL_EXPERIMENTS; e++)
    if (g_strcmp0 (str, experiment_names[e]) == 0)
      {
        *out = (HlCausalExperiment) e;
        return TRUE;
      }
  return FALSE;
}

/* The spec */

void
hl_causal_spec_init (HlCausalSpec *spec)
{
  g_return_if_fail (spec != NULL);

  memset (spec, 0, sizeof *spec);
  spec->layer = HL_CAUSAL_EACH;
  spec->head = HL_CAUSAL_EACH;
  spec->truncate_modes = 1u << HL_TRUNCATE_RENORMALISE;
  spec->rankings = 1u << HL_RANKING_ATTENTION;
  spec->tau = HL_CAUSAL_DEFAULT_TAU;
  spec->ablate_modes = 1u << HL_ABLATE_ZERO;
  spec->policies = (1u << HL_N_PRUNE_POLICIES) - 1;
  spec->repeats = HL_CAUSAL_DEFAULT_REPEATS;
  hl_prune_default_regime_order (spec->regime_order);
  /* The regime rule reads the attention ranking's trajectories; nothing
   * else of the curves is used. */
  hl_head_analysis_options_init (&spec->analysis);
  spec->analysis.rankings = 1u << HL_RANKING_ATTENTION;
  spec->analysis.distances = 1u << HL_DISTANCE_EUCLIDEAN;
  spec->score_n = 4;
  spec->score_distance = HL_DISTANCE_EUCLIDEAN;
}

static gboolean
check_index (const char  *what,
             int          value,
             int          count,
             GError     **error)
{
  if (value == HL_CAUSAL_ALL || value == HL_CAUSAL_EACH || (value >= 0 && value < count))
    return TRUE;
  g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_TARGET,
               _("%s %d does not exist: the model has %d (0 to %d; -1 means all at once)"),
               what, value, count, count - 1);
  return FALSE;
}

static gboolean
check_n_list (const HlCausalSpec  *spec,
              int                  window,
              GError             **error)
{
  for (int i = 0; i < spec->n_n; i++)
    {
      int n = spec->n_list[i];

      if (n < 0 || n > window)
        {
          g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_N,
                       _("N = %d is out of range: expected 0 to %d, the keys the last position of a window sees"),
                       n, window);
          return FALSE;
        }
      if (n == 0 && (spec->truncate_modes & (1u << HL_TRUNCATE_RENORMALISE)))
        {
          g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_N,
                       _("N = 0 keeps no key, which renormalise cannot rescale: expected N from 1 to %d (delete accepts 0)"),
                       window);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_truncate (const HlCausalSpec  *spec,
                int                  window,
                GError             **error)
{
  guint rankings_allowed = (1u << HL_RANKING_ATTENTION) | (1u << HL_RANKING_CONTRIBUTION);

  if (spec->truncate_modes == 0 || spec->truncate_modes >= (1u << HL_N_TRUNCATE_MODES) ||
      spec->rankings == 0 || (spec->rankings & ~rankings_allowed) != 0)
    {
      g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_OPTIONS,
                   _("truncation needs at least one mode (renormalise, delete) and one ranking (attention, contribution)"));
      return FALSE;
    }
  return spec->n_auto || check_n_list (spec, window, error);
}

static gboolean
check_sparsify (const HlCausalSpec  *spec,
                GError             **error)
{
  for (int i = 0; i < spec->n_fractions; i++)
    if (!(spec->fractions[i] >= 0.0 && spec->fractions[i] <= 1.0))
      {
        g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_OPTIONS,
                     _("fraction %g is out of range: expected fractions of the heads from 0 to 1"),
                     spec->fractions[i]);
        return FALSE;
      }
  if (spec->policies == 0 || spec->policies >= (1u << HL_N_PRUNE_POLICIES) || spec->repeats < 1)
    {
      g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_OPTIONS,
                   _("sparsification needs at least one policy and at least 1 repeat (found %d)"), spec->repeats);
      return FALSE;
    }
  return TRUE;
}

gboolean
hl_causal_spec_validate (const HlCausalSpec  *spec,
                         int                  n_layers,
                         int                  n_heads,
                         int                  window,
                         GError             **error)
{
  g_return_val_if_fail (spec != NULL, FALSE);

  if (spec->experiment >= HL_N_CAUSAL_EXPERIMENTS)
    {
      g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_OPTIONS,
                   _("unknown experiment, expected truncate, ablate or sparsify"));
      return FALSE;
    }
  if (spec->experiment != HL_CAUSAL_SPARSIFY &&
      (!check_index (_("layer"), spec->layer, n_layers, error) ||
       !check_index (_("head"), spec->head, n_heads, error)))
    return FALSE;
  if (!(spec->tau > 0.0 && isfinite (spec->tau)))
    {
      g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_TAU,
                   _("tau is %g, expected a positive number of nats per token (default 0.01)"), spec->tau);
      return FALSE;
    }
  if (spec->ablate_modes == 0 || spec->ablate_modes >= (1u << HL_N_ABLATE_MODES))
    {
      g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_OPTIONS,
                   _("ablation needs at least one mode (zero, mean)"));
      return FALSE;
    }
  if (spec->score_n < 1 || (spec->analysis.grid_kind == HL_GRID_POW2 && (spec->score_n & (spec->score_n - 1)) != 0))
    {
      g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_OPTIONS,
                   _("the N of F_N and the margin is %d, expected a power of two (the N grid of the analysis)"),
                   spec->score_n);
      return FALSE;
    }
  switch (spec->experiment)
    {
    case HL_CAUSAL_TRUNCATE:
      return check_truncate (spec, window, error);
    case HL_CAUSAL_SPARSIFY:
      return check_sparsify (spec, error);
    default:
      return TRUE;
    }
}

/* Targets */

static void
expand_targets (int     layer,
                int     head,
                int     n_layers,
                int     n_heads,
                GArray *targets)
{
  int l0 = layer == HL_CAUSAL_EACH ? 0 : layer, l1 = layer == HL_CAUSAL_EACH ? n_layers - 1 : layer;
  int h0 = head == HL_CAUSAL_EACH ? 0 : head, h1 = head == HL_CAUSAL_EACH ? n_heads - 1 : head;

  for (int l = l0; l <= l1; l++)
    for (int h = h0; h <= h1; h++)
      {
        HlCausalTarget t = { l, h };

        g_array_append_val (targets, t);
      }
}

static void
target_mask (const HlCausalTarget *target,
             int                   n_layers,
             int                   n_heads,
             guint8               *mask)
{
  for (int l = 0; l < n_layers; l++)
    for (int h = 0; h < n_heads; h++)
      mask[l * n_heads + h] = (target->layer == HL_CAUSAL_ALL || target->layer == l) &&
                              (target->head == HL_CAUSAL_ALL || target->head == h);
}

/* One run */

typedef struct
{
  HlCausalText         *text;
  const HlCausalSpec   *spec;
  GCancellable         *cancellable;
  HlCausalProgressFunc  progress;
  gpointer              progress_data;
  HlCausalResult       *result;
  GArray               *targets;     /* HlCausalTarget */
  guint8               *mask;        /* [n_layers * n_heads] */
  int                  *default_n;   /* the N grid when the spec has no list */
  int                   n_default_n;
  guint64               done;
  guint64               total;
  HlHeadAnalysisOptions analysis;    /* the spec's, with the scores' distance */
  GPtrArray            *analysed;    /* HlHeadResult, for the scores */
} Run;

static void
report (Run *run)
{
  run->done = MIN (run->done + 1, run->total);
  if (run->progress != NULL)
    run->progress (run->done, run->total, run->progress_data);
}

static gboolean
measure (Run                   *run,
         const HlIntervention  *iv,
         double                *nll,
         GError               **error)
{
  if (!hl_causal_text_measure (run->text, iv, nll, run->cancellable, error))
    return FALSE;
  report (run);
  return TRUE;
}

static guint64
bit_count (guint bits)
{
  guint64 n = 0;

  for (; bits != 0; bits &= bits - 1)
    n++;
  return n;
}

static int
ceil_log2 (int n)
{
  int k = 0;

  while ((1 << k) < n)
    k++;
  return k;
}

/* Truncation */

static gboolean
truncate_at (Run                   *run,
             HlIntervention        *iv,
             const HlCausalTarget  *target,
             int                    n,
             double                *delta,
             GError               **error)
{
  HlTruncateRow row = { *target, iv->truncate_mode, iv->ranking, n, 0.0, 0.0 };

  iv->n = n;
  if (!measure (run, iv, &row.nll, error))
    return FALSE;
  row.delta_nll = row.nll - run->result->baseline_nll;
  g_array_append_val (run->result->truncate, row);
  if (delta != NULL)
    *delta = row.delta_nll;
  return TRUE;
}

/* N*_tau: N = 1, 2, 4, ... until delta NLL <= tau (N = window keeps every
 * key, so it ends there at the latest), then bisection between the last N
 * above tau and the first within it. When delta NLL does not fall
 * monotonically with N, this finds an N within tau whose predecessor is
 * not: docs/causal.md. */
static gboolean
search_effective (Run                   *run,
                  HlIntervention        *iv,
                  const HlCausalTarget  *target,
                  GError               **error)
{
  int window = run->result->window, lo = 0, hi = 1;
  HlEffectiveSize e = { *target, iv->truncate_mode, iv->ranking, 0, 0.0, 0 };
  double delta;

  for (;;)
    {
      if (!truncate_at (run, iv, target, hi, &delta, error))
        return FALSE;
      e.evaluations++;
      if (delta <= run->spec->tau || hi == window)
        break;
      lo = hi;
      hi = MIN (2 * hi, window);
    }
  e.delta_nll = delta;
  while (hi - lo > 1)
    {
      int mid = lo + (hi - lo) / 2;

      if (!truncate_at (run, iv, target, mid, &delta, error))
        return FALSE;
      e.evaluations++;
      if (delta <= run->spec->tau)
        hi = mid, e.delta_nll = delta;
      else
        lo = mid;
    }
  e.n_star = hi;
  g_array_append_val (run->result->effective, e);
  return TRUE;
}

static int
compare_rows_by_n (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  const HlTruncateRow *x = a, *y = b;

  return (x->n > y->n) - (x->n < y->n);
}

static gboolean
truncate_group (Run                   *run,
                const HlCausalTarget  *target,
                HlTruncateMode         mode,
                HlRanking              ranking,
                GError               **error)
{
  const HlCausalSpec *spec = run->spec;
  HlIntervention iv = { HL_INTERVENTION_TRUNCATE, run->mask, mode, ranking, 0, HL_ABLATE_ZERO };
  HlTruncateRow all = { *target, mode, ranking, -1, run->result->baseline_nll, 0.0 };
  guint first = run->result->truncate->len;
  const int *ns = spec->n_list != NULL ? spec->n_list : run->default_n;
  int n_ns = spec->n_list != NULL ? spec->n_n : run->n_default_n;

  target_mask (target, run->result->n_layers, run->result->n_heads, run->mask);
  if (spec->n_auto)
    {
      if (!search_effective (run, &iv, target, error))
        return FALSE;
    }
  else
    for (int i = 0; i < n_ns; i++)
      if (!truncate_at (run, &iv, target, ns[i], NULL, error))
        return FALSE;
  g_qsort_with_data (&g_array_index (run->result->truncate, HlTruncateRow, first),
                     run->result->truncate->len - first, sizeof (HlTruncateRow),
                     compare_rows_by_n, NULL);
  g_array_append_val (run->result->truncate, all);
  return TRUE;
}

static gboolean
run_truncate (Run     *run,
              GError **error)
{
  for (guint t = 0; t < run->targets->len; t++)
    for (int m = 0; m < HL_N_TRUNCATE_MODES; m++)
      for (int r = 0; r < HL_N_RANKINGS; r++)
        if ((run->spec->truncate_modes & (1u << m)) && (run->spec->rankings & (1u << r)) &&
            !truncate_group (run, &g_array_index (run->targets, HlCausalTarget, t),
                             (HlTruncateMode) m, (HlRanking) r, error))
          return FALSE;
  return TRUE;
}

/* Ablation */

static gboolean
ablate_target (Run                   *run,
               const HlCausalTarget  *target,
               HlAblateMode           mode,
               double                *delta,
               GError               **error)
{
  HlIntervention iv = { HL_INTERVENTION_ABLATE, run->mask, HL_TRUNCATE_DELETE, HL_RANKING_ATTENTION, 0, mode };
  double nll;

  target_mask (target, run->result->n_layers, run->result->n_heads, run->mask);
  if (!measure (run, &iv, &nll, error))
    return FALSE;
  *delta = nll - run->result->baseline_nll;
  return TRUE;
}

static gboolean
run_ablate (Run     *run,
            GError **error)
{
  for (guint t = 0; t < run->targets->len; t++)
    for (int m = 0; m < HL_N_ABLATE_MODES; m++)
      {
        HlAblateRow row = { g_array_index (run->targets, HlCausalTarget, t), (HlAblateMode) m, 0.0, 0.0 };

        if (!(run->spec->ablate_modes & (1u << m)))
          continue;
        if (!ablate_target (run, &row.target, row.mode, &row.delta_nll, error))
          return FALSE;
        row.nll = row.delta_nll + run->result->baseline_nll;
        g_array_append_val (run->result->ablate, row);
      }
  return TRUE;
}

/* Sparsification */

static HlAblateMode
prune_mode (const HlCausalSpec *spec)
{
  return (spec->ablate_modes & (1u << HL_ABLATE_ZERO)) ? HL_ABLATE_ZERO : HL_ABLATE_MEAN;
}

static gboolean
measure_own_ablations (Run     *run,
                       GError **error)
{
  HlCausalResult *r = run->result;

  r->ablation = g_new (double, (gsize) r->n_layers * r->n_heads);
  for (int l = 0; l < r->n_layers; l++)
    for (int h = 0; h < r->n_heads; h++)
      {
        HlCausalTarget target = { l, h };

        if (!ablate_target (run, &target, prune_mode (run->spec), &r->ablation[l * r->n_heads + h], error))
          return FALSE;
      }
  return TRUE;
}

static int
heads_for_fraction (double fraction,
                    int    n_heads)
{
  return (int) floor (fraction * n_heads + 0.5);
}

/* The loss with the first @k heads of @order pruned. */
static gboolean
prune_first (Run        *run,
             const int  *order,
             int         k,
             double     *delta,
             GError    **error)
{
  HlCausalResult *r = run->result;
  HlIntervention iv = { HL_INTERVENTION_ABLATE, run->mask, HL_TRUNCATE_DELETE, HL_RANKING_ATTENTION, 0,
                        prune_mode (run->spec) };
  double nll;

  memset (run->mask, 0, (gsize) r->n_layers * r->n_heads);
  for (int i = 0; i < k; i++)
    run->mask[order[i]] = 1;
  if (!measure (run, &iv, &nll, error))
    return FALSE;
  *delta = nll - r->baseline_nll;
  return TRUE;
}

static void
summarise_repeats (HlSparsifyRow *row,
                   const double  *deltas,
                   int            repeats,
                   double         baseline)
{
  double sum = 0.0, ss = 0.0;

  row->delta_min = row->delta_max = deltas[0];
  for (int i = 0; i < repeats; i++)
    {
      sum += deltas[i];
      row->delta_min = MIN (row->delta_min, deltas[i]);
      row->delta_max = MAX (row->delta_max, deltas[i]);
    }
  row->delta_nll = sum / repeats;
  for (int i = 0; i < repeats; i++)
    ss += (deltas[i] - row->delta_nll) * (deltas[i] - row->delta_nll);
  row->delta_sd = repeats > 1 ? sqrt (ss / (repeats - 1)) : 0.0;
  row->nll = baseline + row->delta_nll;
}

static gboolean
run_policy (Run            *run,
            HlPrunePolicy   policy,
            const double   *fractions,
            int             n_fractions,
            GError        **error)
{
  HlCausalResult *r = run->result;
  int n = r->n_layers * r->n_heads;
  int repeats = policy == HL_PRUNE_RANDOM ? run->spec->repeats : 1;
  g_autofree int *orders = g_new (int, (gsize) repeats * n);
  g_autofree double *deltas = g_new (double, repeats);

  for (int rep = 0; rep < repeats; rep++)
    hl_prune_order (policy, r->scores, r->ablation, run->spec->regime_order, r->n_layers, r->n_heads,
                    run->spec->seed, rep, orders + (gsize) rep * n);
  for (int f = 0; f < n_fractions; f++)
    {
      HlSparsifyRow row = { policy, prune_mode (run->spec), fractions[f],
                            heads_for_fraction (fractions[f], n), repeats };

      for (int rep = 0; rep < repeats; rep++)
        if (!prune_first (run, orders + (gsize) rep * n, row.n_pruned, &deltas[rep], error))
          return FALSE;
      summarise_repeats (&row, deltas, repeats, r->baseline_nll);
      g_array_append_val (r->sparsify, row);
    }
  return TRUE;
}

static const double default_fractions[] = { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };

static gboolean
run_sparsify (Run     *run,
              GError **error)
{
  const HlCausalSpec *spec = run->spec;
  const double *fractions = spec->fractions != NULL ? spec->fractions : default_fractions;
  int n_fractions = spec->fractions != NULL ? spec->n_fractions : (int) G_N_ELEMENTS (default_fractions);

  if ((spec->policies & (1u << HL_PRUNE_LOW_ABLATION)) && !measure_own_ablations (run, error))
    return FALSE;
  for (int p = 0; p < HL_N_PRUNE_POLICIES; p++)
    if ((spec->policies & (1u << p)) && !run_policy (run, (HlPrunePolicy) p, fractions, n_fractions, error))
      return FALSE;
  return TRUE;
}

/* The heads' scores from the unmodified run */

/* TRUE when the experiment measures every head on its own (one effect
 * per head to correlate with the heads' geometry). */
static gboolean
per_head (const HlCausalSpec *spec)
{
  return spec->layer == HL_CAUSAL_EACH && spec->head == HL_CAUSAL_EACH &&
         (spec->experiment == HL_CAUSAL_ABLATE || (spec->experiment == HL_CAUSAL_TRUNCATE && spec->n_auto));
}

static gboolean
needs_scores (const HlCausalSpec *spec)
{
  guint metric_policies = (1u << HL_N_PRUNE_POLICIES) - 1;

  metric_policies &= ~((1u << HL_PRUNE_RANDOM) | (1u << HL_PRUNE_LOW_ABLATION));
  return per_head (spec) || (spec->experiment == HL_CAUSAL_SPARSIFY && (spec->policies & metric_policies) != 0);
}

static gboolean
analyse_layer_cb (int                    window,
                  const HlLayerCapture  *capture,
                  gpointer               user_data,
                  GError               **error)
{
  Run *run = user_data;
  const HlModelConfig *c = hl_model_get_config (hl_causal_text_get_model (run->text));
  int group = c->n_heads / c->n_kv_heads;
  g_autofree float *values = g_new (float, (gsize) capture->n_positions * c->head_dim);

  for (int h = 0; h < c->n_heads; h++)
    {
      for (int i = 0; i < capture->n_positions; i++)
        memcpy (values + (gsize) i * c->head_dim, capture->values + (gsize) i * c->kv_dim + (h / group) * c->head_dim,
                sizeof (float) * c->head_dim);
      for (int q = 0; q < capture->n_queries; q++)
        {
          const float *row = capture->attention + ((gsize) h * capture->n_queries + q) * capture->n_positions;
          HlHeadInput input = { capture->query_positions[q] + 1, c->head_dim, values, row };
          HlHeadId id = { capture->layer, h, window, q, h / group };

          g_ptr_array_add (run->analysed, hl_head_analysis_compute (&input, &id, &run->analysis));
        }
    }
  return TRUE;
}

static void
store_scores (Run *run)
{
  HlCausalResult *r = run->result;
  gsize n = (gsize) r->n_layers * r->n_heads;

  if (run->spec->scores != NULL)
    r->scores = g_memdup2 (run->spec->scores, sizeof (HlHeadScores) * n);
  else
    {
      r->scores = g_new0 (HlHeadScores, n);
      hl_head_scores_from_results ((HlHeadResult * const *) run->analysed->pdata, run->analysed->len,
                                   r->n_layers, r->n_heads, run->spec->score_distance, run->spec->score_n,
                                   r->scores);
    }
}

static gboolean
prepare (Run     *run,
         GError **error)
{
  const HlCausalSpec *spec = run->spec;
  int last = run->result->window - 1;
  gboolean analyse = needs_scores (spec) && spec->scores == NULL;
  const int *queries = spec->n_queries > 0 ? spec->query_positions : &last;
  int n_queries = spec->n_queries > 0 ? spec->n_queries : 1;

  if (analyse)
    run->analysed = g_ptr_array_new_with_free_func ((GDestroyNotify) hl_head_result_unref);
  if (!hl_causal_text_prepare (run->text, analyse ? queries : NULL, analyse ? n_queries : 0,
                               analyse ? analyse_layer_cb : NULL, run, run->cancellable, error))
    return FALSE;
  run->result->baseline_nll = hl_causal_text_get_baseline_nll (run->text);
  if (needs_scores (spec) || spec->scores != NULL)
    store_scores (run);
  report (run);
  return TRUE;
}

/* Progress */


static guint64
count_measurements (const Run *run)
{
  const HlCausalSpec *spec = run->spec;
  const HlCausalResult *r = run->result;
  guint64 targets = run->targets->len;
  int n_heads = r->n_layers * r->n_heads;
  int n_fractions = spec->fractions != NULL ? spec->n_fractions : (int) G_N_ELEMENTS (default_fractions);
  guint64 per_target;

  switch (spec->experiment)
    {
    case HL_CAUSAL_TRUNCATE:
      per_target = (guint64) (spec->n_auto ? 2 * ceil_log2 (r->window) + 1
                                            : spec->n_list != NULL ? spec->n_n : run->n_default_n);
      return targets * bit_count (spec->truncate_modes) * bit_count (spec->rankings) * per_target;
    case HL_CAUSAL_ABLATE:
      return targets * bit_count (spec->ablate_modes);
    case HL_CAUSAL_SPARSIFY:
      per_target = 0;
      for (int p = 0; p < HL_N_PRUNE_POLICIES; p++)
        if (spec->policies & (1u << p))
          per_target += (guint64) n_fractions * (p == HL_PRUNE_RANDOM ? spec->repeats : 1);
      return per_target + ((spec->policies & (1u << HL_PRUNE_LOW_ABLATION)) ? n_heads : 0);
    default:
      g_return_val_if_reached (0);
    }
}

/* The run */

static HlCausalResult *
result_new (HlCausalText       *text,
            const HlCausalSpec *spec)
{
  const HlModelConfig *c = hl_model_get_config (hl_causal_text_get_model (text));
  HlCausalResult *r = g_new0 (HlCausalResult, 1);

  r->experiment = spec->experiment;
  r->tau = spec->tau;
  r->n_scored = hl_causal_text_get_n_scored (text);
  r->n_windows = hl_causal_text_get_n_windows (text);
  r->window = hl_causal_text_get_window (text);
  r->n_layers = c->n_layers;
  r->n_heads = c->n_heads;
  r->truncate = g_array_new (FALSE, FALSE, sizeof (HlTruncateRow));
  r->effective = g_array_new (FALSE, FALSE, sizeof (HlEffectiveSize));
  r->ablate = g_array_new (FALSE, FALSE, sizeof (HlAblateRow));
  r->sparsify = g_array_new (FALSE, FALSE, sizeof (HlSparsifyRow));
  r->correlations = g_array_new (FALSE, FALSE, sizeof (HlCausalCorrelationSet));
  r->score_n = spec->score_n;
  return r;
}

void
hl_causal_result_free (HlCausalResult *result)
{
  if (result == NULL)
    return;
  g_array_unref (result->truncate);
  g_array_unref (result->effective);
  g_array_unref (result->ablate);
  g_array_unref (result->sparsify);
  g_array_unref (result->correlations);
  g_free (result->scores);
  g_free (result->ablation);
  g_free (result);
}

/* Correlations */

static void
add_correlations (Run                    *run,
                  HlCausalCorrelationSet *set,
                  const double           *effect)
{
  const HlCausalResult *r = run->result;

  hl_causal_correlate (effect, r->scores, r->n_layers * r->n_heads, &set->correlations);
  g_array_append_val (run->result->correlations, *set);
}

/* With every head measured on its own, the targets are the heads in
 * order: one effect per head for each mode (and ranking). */
static void
correlate_effects (Run *run)
{
  const HlCausalResult *r = run->result;
  int n = r->n_layers * r->n_heads;
  g_autofree double *effect = g_new (double, n);
  guint i = 0;

  if (!per_head (run->spec) || r->scores == NULL)
    return;
  for (int m = 0; r->experiment == HL_CAUSAL_ABLATE && m < HL_N_ABLATE_MODES; m++)
    {
      HlCausalCorrelationSet set = { HL_CAUSAL_ABLATE, (HlAblateMode) m };

      if (!(run->spec->ablate_modes & (1u << m)))
        continue;
      for (int k = 0; k < n; k++)
        effect[k] = g_array_index (r->ablate, HlAblateRow, k * bit_count (run->spec->ablate_modes) + i).delta_nll;
      add_correlations (run, &set, effect);
      i++;
    }
  for (guint g = 0; r->experiment == HL_CAUSAL_TRUNCATE && g < r->effective->len / n; g++)
    {
      const HlEffectiveSize *first = &g_array_index (r->effective, HlEffectiveSize, g);
      HlCausalCorrelationSet set = { HL_CAUSAL_TRUNCATE, HL_ABLATE_ZERO, first->mode, first->ranking };
      guint groups = r->effective->len / n;

      for (int k = 0; k < n; k++)
        effect[k] = g_array_index (r->effective, HlEffectiveSize, k * groups + g).n_star;
      add_correlations (run, &set, effect);
    }
}

static gboolean
run_experiment (Run     *run,
                GError **error)
{
  switch (run->spec->experiment)
    {
    case HL_CAUSAL_TRUNCATE:
      return run_truncate (run, error);
    case HL_CAUSAL_ABLATE:
      return run_ablate (run, error);
    case HL_CAUSAL_SPARSIFY:
      return run_sparsify (run, error);
    default:
      g_return_val_if_reached (FALSE);
    }
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->targets, g_array_unref);
  g_clear_pointer (&run->mask, g_free);
  g_clear_pointer (&run->default_n, g_free);
  g_clear_pointer (&run->analysed, g_ptr_array_unref);
  g_clear_pointer (&run->result, hl_causal_result_free);
}

static void
run_init (Run                *run,
          HlCausalText       *text,
          const HlCausalSpec *spec)
{
  HlCausalResult *r;

  run->text = text;
  run->spec = spec;
  run->analysis = spec->analysis;
  run->analysis.distances |= 1u << spec->score_distance;
  run->result = r = result_new (text, spec);
  run->targets = g_array_new (FALSE, FALSE, sizeof (HlCausalTarget));
  if (spec->experiment != HL_CAUSAL_SPARSIFY)
    expand_targets (spec->layer, spec->head, r->n_layers, r->n_heads, run->targets);
  run->mask = g_new0 (guint8, (gsize) r->n_layers * r->n_heads);
  run->default_n = g_new (int, r->window);
  run->n_default_n = hl_grid_build (HL_GRID_POW2, NULL, 0, r->window, run->default_n);
  run->total = 1 + count_measurements (run);
}

HlCausalResult *
hl_causal_run (HlCausalText         *text,
               const HlCausalSpec   *spec,
               GCancellable         *cancellable,
               HlCausalProgressFunc  progress,
               gpointer              progress_data,
               GError              **error)
{
  const HlModelConfig *c;
  Run run = { 0 };
  gint64 start = g_get_monotonic_time ();
  HlCausalResult *result = NULL;

  g_return_val_if_fail (text != NULL && spec != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  c = hl_model_get_config (hl_causal_text_get_model (text));
  if (!hl_causal_spec_validate (spec, c->n_layers, c->n_heads, hl_causal_text_get_window (text), error))
    return NULL;
  run.cancellable = cancellable;
  run.progress = progress;
  run.progress_data = progress_data;
  run_init (&run, text, spec);
  if (prepare (&run, error) && run_experiment (&run, error))
    {
      correlate_effects (&run);
      run.result->layers_run = hl_causal_text_get_layers_run (text);
      run.result->seconds = (g_get_monotonic_time () - start) / 1e6;
      if (progress != NULL)
        progress (run.total, run.total, progress_data);
      result = g_steal_pointer (&run.result);
    }
  run_clear (&run);
  return result;
}

/* In a worker thread */

/* The worker's own copy of the spec: its arrays are borrowed by the
 * caller's. */
typedef struct
{
  HlCausalText         *text;       /* owned */
  HlCausalSpec          spec;
  int                  *n_list;     /* owned copies of the spec's arrays */
  double               *fractions;
  HlHeadScores         *scores;
  int                  *query_positions;
  int                  *grid_list;
  HlCausalProgressFunc  progress;
  gpointer              progress_data;
} TaskData;

static void
task_data_free (TaskData *data)
{
  hl_causal_text_free (data->text);
  g_free (data->n_list);
  g_free (data->fractions);
  g_free (data->scores);
  g_free (data->query_positions);
  g_free (data->grid_list);
  g_free (data);
}

static TaskData *
task_data_new (HlCausalText       *text,
               const HlCausalSpec *spec)
{
  const HlModelConfig *c = hl_model_get_config (hl_causal_text_get_model (text));
  TaskData *data = g_new0 (TaskData, 1);

  data->text = text;
  data->spec = *spec;
  data->spec.n_list = data->n_list = g_memdup2 (spec->n_list, sizeof (int) * spec->n_n);
  data->spec.fractions = data->fractions = g_memdup2 (spec->fractions, sizeof (double) * spec->n_fractions);
  data->spec.query_positions = data->query_positions =
    g_memdup2 (spec->query_positions, sizeof (int) * spec->n_queries);
  data->spec.analysis.grid_list = data->grid_list =
    g_memdup2 (spec->analysis.grid_list, sizeof (int) * spec->analysis.n_grid_list);
  if (spec->scores != NULL)
    data->spec.scores = data->scores =
      g_memdup2 (spec->scores, sizeof (HlHeadScores) * c->n_layers * c->n_heads);
  return data;
}

static void
worker_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  GTask *task = user_data;
  TaskData *data = g_task_get_task_data (task);

  hl_background_post_progress (task, data->progress, data->progress_data, done, total);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;
  HlCausalResult *result;

  result = hl_causal_run (data->text, &data->spec, cancellable,
                          data->progress != NULL ? worker_progress_cb : NULL, task, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) hl_causal_result_free);
}

void
hl_causal_run_async (HlCausalText         *text,
                     const HlCausalSpec   *spec,
                     GCancellable         *cancellable,
                     HlCausalProgressFunc  progress,
                     gpointer              progress_data,
                     GAsyncReadyCallback   callback,
                     gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *data;

  g_return_if_fail (text != NULL && spec != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hl_causal_run_async);
  data = task_data_new (text, spec);
  data->progress = progress;
  data->progress_data = progress_data;
  g_task_set_task_data (task, data, (GDestroyNotify) task_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  hl_background_run_in_thread (task, run_thread);
}

HlCausalResult *
hl_causal_run_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hl_causal_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
hl_causal_result_describe (const HlCausalResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return g_strdup_printf (ngettext ("Unmodified loss %.4f nats per token over %" PRId64 " positions of %d "
                                      "window; %" PRIu64 " layer passes in %.1f s.",
                                      "Unmodified loss %.4f nats per token over %" PRId64 " positions of %d "
                                      "windows; %" PRIu64 " layer passes in %.1f s.", result->n_windows),
                          result->baseline_nll, (int64_t) result->n_scored, result->n_windows,
                          (uint64_t) result->layers_run, result->seconds);
}
