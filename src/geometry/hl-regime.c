/* hl-regime.c: our regime rule and the sentence that explains it.
 *
 * The rule reads an HlRegimeEvidence, and the sentence quotes only its
 * numbers, so what is said about a head is exactly what decided its regime
 * (tests/geometry/check-outputs.py recomputes every clause from the data).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-regime.h"
#include "hl-separability-private.h"

#include <glib/gi18n.h>
#include <math.h>

G_DEFINE_QUARK (hl-regime-error-quark, hl_regime_error)

void
hl_regime_thresholds_init (HlRegimeThresholds *thresholds)
{
  g_return_if_fail (thresholds != NULL);

  *thresholds = (HlRegimeThresholds) {
    .retriever_share = 0.5,
    .retriever_fraction = 0.5,
    .high_alignment = 0.9,
    .reset_mass = 0.5,
    .reset_share = 0.5,
    .weak_alignment = 0.5,
    .reset_until = 1.0 / 16.0,
    .mixer_drop = 0.3,
  };
}

#define INFO(name, field, min, max, open_min, description) \
  { name, G_STRUCT_OFFSET (HlRegimeThresholds, field), min, max, open_min, description }

static const HlRegimeThresholdInfo infos[HL_REGIME_N_THRESHOLDS] = {
  INFO ("retriever-share", retriever_share, 0, 1, FALSE,
        N_("Retriever: the last token's share of the output, a_last / (a_sink + a_last + a_rest), is at least this (0.5)")),
  INFO ("retriever-fraction", retriever_fraction, 0, 1, FALSE,
        N_("Retriever: cos(s_N, v_t) is high on at least this fraction of the N grid (0.5)")),
  INFO ("high-alignment", high_alignment, -1, 1, FALSE,
        N_("A cosine of s_N with v_t (retriever) or v_0 (mixer's start) of at least this is high (0.9)")),
  INFO ("reset-mass", reset_mass, 0, 1, FALSE,
        N_("Reset: the sink dominates when its attention alpha_0 is at least this (or its output share reaches reset-share) (0.5)")),
  INFO ("reset-share", reset_share, 0, 1, FALSE,
        N_("Reset: the sink dominates when its share of the output, a_sink / (a_sink + a_last + a_rest), is at least this (or its attention reaches reset-mass) (0.5)")),
  INFO ("weak-alignment", weak_alignment, -1, 1, FALSE,
        N_("Reset: cos(s_N, v_t) below this is weak (0.5)")),
  INFO ("reset-until", reset_until, 0, 1, TRUE,
        N_("Reset: cos(s_N, v_t) must stay weak for N up to this fraction of the keys (1/16)")),
  INFO ("mixer-drop", mixer_drop, 0, 2, FALSE,
        N_("Mixer: cos(s_N, v_0) falls by at least this from its value at the first N (0.3)")),
};

const HlRegimeThresholdInfo *
hl_regime_threshold_infos (void)
{
  return infos;
}

gboolean
hl_regime_thresholds_validate (const HlRegimeThresholds *t,
                               GError                  **error)
{
  g_return_val_if_fail (t != NULL, FALSE);

  for (int i = 0; i < HL_REGIME_N_THRESHOLDS; i++)
    {
      const HlRegimeThresholdInfo *info = &infos[i];
      double value = G_STRUCT_MEMBER (double, t, info->offset);

      if (!isfinite (value) || value > info->max
          || (info->open_min ? value <= info->min : value < info->min))
        {
          g_set_error (error, HL_REGIME_ERROR, HL_REGIME_ERROR_THRESHOLD,
                       _("The regime threshold %s must be in %s%g, %g], not %g"), info->name,
                       info->open_min ? "(" : "[", info->min, info->max, value);
          return FALSE;
        }
    }
  return TRUE;
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

/* Trajectories ------------------------------------------------------------ */

gboolean
hl_regime_trajectories_from_curves (const HlCurveSet     *curves,
                                    int                   n_keys,
                                    HlRegimeTrajectories *out)
{
  g_return_val_if_fail (curves != NULL && out != NULL, FALSE);

  if (curves->align_sink[HL_RANKING_ATTENTION] == NULL)
    return FALSE;
  *out = (HlRegimeTrajectories) {
    .n_keys = n_keys,
    .n_grid = curves->n_grid,
    .grid = curves->grid,
    .align_sink = curves->align_sink[HL_RANKING_ATTENTION],
    .align_last = curves->align_last[HL_RANKING_ATTENTION],
  };
  return TRUE;
}

static double
dot (const double *s,
     const float  *v,
     int           d)
{
  double sum = 0.0;

  for (int c = 0; c < d; c++)
    sum += s[c] * v[c];
  return sum;
}

void
hl_regime_compute_trajectories (const HlHeadInput *input,
                                const int         *grid,
                                int                n_grid,
                                float             *align_sink,
                                float             *align_last)
{
  int n = input->n_keys, d = input->head_dim, pos = 0;
  const float *v_sink = input->values, *v_last = input->values + (gsize) (n - 1) * d;
  g_autofree int *order = g_new (int, n);
  g_autofree double *s = g_new0 (double, d);
  double n_sink, n_last;

  g_return_if_fail (n_grid == 0 || (grid != NULL && align_sink != NULL && align_last != NULL));

  hl_separability_rank (input, HL_RANKING_ATTENTION, 0, 0, order);
  n_sink = sqrt (hl_separability_point_norm2 (v_sink, 1.0f, d));
  n_last = sqrt (hl_separability_point_norm2 (v_last, 1.0f, d));
  for (int g = 0; g < n_grid; g++)
    {
      double ns;

      for (; pos < grid[g]; pos++)
        {
          const float *v = input->values + (gsize) order[pos] * d;

          for (int c = 0; c < d; c++)
            s[c] += (double) input->alpha[order[pos]] * v[c];
        }
      ns = 0.0;
      for (int c = 0; c < d; c++)
        ns += s[c] * s[c];
      ns = sqrt (ns);
      align_sink[g] = (float) (dot (s, v_sink, d) / (ns * n_sink + 1e-12));
      align_last[g] = (float) (dot (s, v_last, d) / (ns * n_last + 1e-12));
    }
}

/* Evidence ----------------------------------------------------------------- */

/* The early part of the grid (N <= reset_until (t + 1), at least the first
 * N) and the largest c_t there. */
static void
evidence_early (const HlRegimeTrajectories *tr,
                const HlRegimeThresholds   *thr,
                HlRegimeEvidence           *ev)
{
  double limit = thr->reset_until * tr->n_keys;

  ev->n_early = 0;
  ev->early_last_max = -G_MAXDOUBLE;
  for (int g = 0; g < tr->n_grid && (g == 0 || tr->grid[g] <= limit); g++)
    {
      ev->n_early = g + 1;
      ev->early_n = tr->grid[g];
      if (tr->align_last[g] > ev->early_last_max)
        {
          ev->early_last_max = tr->align_last[g];
          ev->early_last_max_n = tr->grid[g];
        }
    }
}

static void
evidence_trajectories (const HlRegimeTrajectories *tr,
                       const HlRegimeThresholds   *thr,
                       HlRegimeEvidence           *ev)
{
  ev->n_grid = tr->n_grid;
  if (tr->n_grid == 0)
    return;
  for (int g = 0; g < tr->n_grid; g++)
    ev->n_aligned_last += tr->align_last[g] >= thr->high_alignment;
  evidence_early (tr, thr, ev);
  ev->first_n = tr->grid[0];
  ev->first_sink = tr->align_sink[0];
  ev->sink_min = tr->align_sink[0];
  ev->sink_min_n = tr->grid[0];
  for (int g = 1; g < tr->n_grid; g++)
    if (tr->align_sink[g] < ev->sink_min)
      {
        ev->sink_min = tr->align_sink[g];
        ev->sink_min_n = tr->grid[g];
      }
}

void
hl_regime_evidence (const HlDiagnostics        *diagnostics,
                    const HlRegimeTrajectories *trajectories,
                    const HlRegimeThresholds   *thr,
                    HlRegimeEvidence           *ev)
{
  g_return_if_fail (diagnostics != NULL && trajectories != NULL);
  g_return_if_fail (thr != NULL && ev != NULL);

  *ev = (HlRegimeEvidence) { 0 };
  ev->t = trajectories->n_keys - 1;
  hl_regime_shares (diagnostics, &ev->sink_share, &ev->last_share, &ev->rest_share);
  ev->sink_mass = diagnostics->sink_mass;
  ev->last_mass = ev->t >= 1 ? diagnostics->last_mass : 0.0;
  ev->peak_key = diagnostics->peak_key;
  ev->peak_mass = diagnostics->peak_mass;
  evidence_trajectories (trajectories, thr, ev);

  ev->last_dominates = ev->last_share >= thr->retriever_share && ev->last_share > 0.0;
  ev->last_aligned = ev->n_grid > 0 && ev->n_aligned_last >= thr->retriever_fraction * ev->n_grid;
  ev->sink_dominates = ev->sink_mass >= thr->reset_mass
                       || (ev->sink_share >= thr->reset_share && ev->sink_share > 0.0);
  ev->last_weak_early = ev->n_grid > 0 && ev->early_last_max < thr->weak_alignment;
  ev->sink_top = ev->t >= 1 && ev->sink_mass > ev->last_mass
                 && (ev->peak_key < 0 || ev->sink_mass > ev->peak_mass);
  ev->starts_on_sink = ev->n_grid > 0 && ev->first_sink >= thr->high_alignment;
  ev->leaves_sink = ev->n_grid > 0 && ev->sink_min <= ev->first_sink - thr->mixer_drop;
}

HlRegime
hl_regime_decide (const HlRegimeEvidence *ev)
{
  g_return_val_if_fail (ev != NULL, HL_REGIME_OTHER);

  if (ev->last_dominates && ev->last_aligned)
    return HL_REGIME_RETRIEVER;
  if (ev->sink_dominates && ev->last_weak_early)
    return HL_REGIME_RESET;
  if (ev->sink_top && ev->starts_on_sink && ev->leaves_sink)
    return HL_REGIME_MIXER;
  return HL_REGIME_OTHER;
}

/* The sentence ------------------------------------------------------------- */

static void
add_clause (GPtrArray  *clauses,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static void
add_clause (GPtrArray  *clauses,
            const char *format,
            ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (clauses, g_strdup_vprintf (format, args));
  va_end (args);
}

static void
clause_last_share (GPtrArray              *clauses,
                   const HlRegimeEvidence *ev)
{
  add_clause (clauses, _("the last token gives %.2f of the output"), ev->last_share);
}

static void
clause_last_aligned (GPtrArray                *clauses,
                     const HlRegimeEvidence   *ev,
                     const HlRegimeThresholds *thr)
{
  add_clause (clauses, _("cos(s_N, v_t) ≥ %g at %d of %d N"), thr->high_alignment,
              ev->n_aligned_last, ev->n_grid);
}

static void
clause_sink (GPtrArray              *clauses,
             const HlRegimeEvidence *ev)
{
  add_clause (clauses, _("the sink holds %.2f of the attention and gives %.2f of the output"),
              ev->sink_mass, ev->sink_share);
}

static void
clause_early_last (GPtrArray              *clauses,
                   const HlRegimeEvidence *ev)
{
  add_clause (clauses, _("max cos(s_N, v_t) = %.2f over N ≤ %d (at N = %d)"),
              ev->early_last_max, ev->early_n, ev->early_last_max_n);
}

static void
clause_sink_path (GPtrArray              *clauses,
                  const HlRegimeEvidence *ev)
{
  add_clause (clauses, _("cos(s_N, v_0) = %.2f at N = %d, min %.2f at N = %d"),
              ev->first_sink, ev->first_n, ev->sink_min, ev->sink_min_n);
}

static void
clause_peak (GPtrArray              *clauses,
             const HlRegimeEvidence *ev)
{
  if (ev->peak_key >= 0)
    add_clause (clauses, _("key %d (t − %d) holds %.2f of the attention"),
                ev->peak_key, ev->t - ev->peak_key, ev->peak_mass);
}

/* For `other`: the part of each signature that failed. */
static void
clauses_other (GPtrArray                *clauses,
               const HlRegimeEvidence   *ev,
               const HlRegimeThresholds *thr)
{
  if (ev->n_grid == 0)
    {
      add_clause (clauses, _("no N grid at t = %d: the alignment trajectories are not defined"),
                  ev->t);
      return;
    }
  if (!ev->last_dominates)
    clause_last_share (clauses, ev);
  else
    clause_last_aligned (clauses, ev, thr);
  if (!ev->sink_dominates)
    clause_sink (clauses, ev);
  else
    clause_early_last (clauses, ev);
  clause_sink_path (clauses, ev);
  clause_peak (clauses, ev);
}

static char *
join_clauses (GPtrArray *clauses)
{
  g_ptr_array_add (clauses, NULL);
  /* Translators: separates the clauses of a regime explanation. */
  return g_strjoinv (_("; "), (char **) clauses->pdata);
}

char *
hl_regime_reason (HlRegime                  regime,
                  const HlRegimeEvidence   *ev,
                  const HlRegimeThresholds *thr)
{
  g_autoptr(GPtrArray) clauses = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *body = NULL;

  g_return_val_if_fail (regime < HL_N_REGIMES, NULL);
  g_return_val_if_fail (ev != NULL && thr != NULL, NULL);

  switch (regime)
    {
    case HL_REGIME_RETRIEVER:
      clause_last_share (clauses, ev);
      clause_last_aligned (clauses, ev, thr);
      break;
    case HL_REGIME_RESET:
      clause_sink (clauses, ev);
      clause_early_last (clauses, ev);
      break;
    case HL_REGIME_MIXER:
      clause_sink_path (clauses, ev);
      clause_sink (clauses, ev);
      break;
    case HL_REGIME_OTHER:
    case HL_N_REGIMES:
    default:
      clauses_other (clauses, ev, thr);
      body = join_clauses (clauses);
      /* Translators: %s lists why each regime's signature failed. */
      return g_strdup_printf (_("none of the three signatures: %s"), body);
    }
  return join_clauses (clauses);
}
