/* hl-assumptions.c: the checks of the taxonomy's assumptions, the verdict
 * and the sentences and CSV rows that report them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-assumptions.h"
#include "hl-csv.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

static const char * const check_names[HL_N_CHECKS] = {
  "norm_cv", "sink_mass", "sink_ratio", "decay_fit", "gap", "corr_recall_rho0",
};

static const char * const verdict_names[HL_N_TAXONOMY_VERDICTS] = {
  "applies", "partly", "does-not-apply",
};

#define INFO(name, field, min, max, description) \
  { name, G_STRUCT_OFFSET (HlAssumptionThresholds, field), min, max, description }

static const HlAssumptionThresholdInfo infos[HL_ASSUMPTION_N_THRESHOLDS] = {
  INFO ("cv-limit", norm_cv_max, 0, 10,
        N_("The taxonomy needs stable value norms: value-norm CV at most this (the paper's 0.15)")),
  INFO ("sink-mass-min", sink_mass_min, 0, 1,
        N_("An attention sink is present when the sink mass alpha_0 is at least this (the paper's 0.1)")),
  INFO ("sink-ratio-max", sink_ratio_max, 0, 100,
        N_("The sink is compressed when lambda = ||v_0|| / mean ||v_i|| is at most this (ours: 0.5)")),
  INFO ("decay-fit-max", decay_fit_max, 0, 10,
        N_("The similarity decay fits exp(-beta k) when its mean absolute error is at most this (ours: 0.1)")),
  INFO ("corr-min", corr_min, -1, 1,
        N_("The model's peak corr(R_N, rho0) is at least this (the paper's 0.3)")),
};

void
hl_assumption_thresholds_init (HlAssumptionThresholds *thresholds)
{
  g_return_if_fail (thresholds != NULL);

  *thresholds = (HlAssumptionThresholds) { 0.15, 0.1, 0.5, 0.1, 0.3 };
}

const HlAssumptionThresholdInfo *
hl_assumption_threshold_infos (void)
{
  return infos;
}

gboolean
hl_assumption_thresholds_validate (const HlAssumptionThresholds *t,
                                   GError                      **error)
{
  g_return_val_if_fail (t != NULL, FALSE);

  for (int i = 0; i < HL_ASSUMPTION_N_THRESHOLDS; i++)
    {
      double value = G_STRUCT_MEMBER (double, t, infos[i].offset);

      if (!isfinite (value) || value < infos[i].min || value > infos[i].max)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("The assumption threshold %s must be in [%g, %g], not %g"),
                       infos[i].name, infos[i].min, infos[i].max, value);
          return FALSE;
        }
    }
  return TRUE;
}

const char *
hl_check_to_string (HlCheck check)
{
  g_return_val_if_fail (check < HL_N_CHECKS, NULL);
  return check_names[check];
}

const char *
hl_taxonomy_verdict_to_string (HlTaxonomyVerdict verdict)
{
  g_return_val_if_fail (verdict < HL_N_TAXONOMY_VERDICTS, NULL);
  return verdict_names[verdict];
}

/* Checks ------------------------------------------------------------------- */

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The median of @values (sorted in place); NaN for none. */
static double
median (double *values,
        int     n)
{
  if (n == 0)
    return NAN;
  qsort (values, n, sizeof (double), compare_doubles);
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

static double
diagnostic (const HlHeadResult *r,
            HlCheck             check)
{
  switch (check)
    {
    case HL_CHECK_NORM_CV:
      return r->diagnostics.norm_cv;
    case HL_CHECK_SINK_MASS:
      return r->diagnostics.sink_mass;
    case HL_CHECK_SINK_RATIO:
      return r->diagnostics.sink_ratio;
    case HL_CHECK_DECAY_FIT:
      return r->diagnostics.beta_mae;
    case HL_CHECK_GAP:
      return r->diagnostics.attention_gap;
    case HL_CHECK_CORR:
    case HL_N_CHECKS:
    default:
      g_assert_not_reached ();
    }
}

static HlCheckResult
judge (HlCheck                       check,
       double                        value,
       const HlAssumptionThresholds *t)
{
  HlCheckResult c = { value, NAN, HL_CHECK_UNDEFINED };
  gboolean holds = FALSE;

  switch (check)
    {
    case HL_CHECK_NORM_CV:
      c.threshold = t->norm_cv_max, holds = value <= c.threshold;
      break;
    case HL_CHECK_SINK_MASS:
      c.threshold = t->sink_mass_min, holds = value >= c.threshold;
      break;
    case HL_CHECK_SINK_RATIO:
      c.threshold = t->sink_ratio_max, holds = value <= c.threshold;
      break;
    case HL_CHECK_DECAY_FIT:
      c.threshold = t->decay_fit_max, holds = value <= c.threshold;
      break;
    case HL_CHECK_GAP:
      c.threshold = 0.0, holds = value > 0.0;
      break;
    case HL_CHECK_CORR:
    case HL_N_CHECKS:
    default:
      c.threshold = t->corr_min, holds = value >= c.threshold;
      break;
    }
  if (!isnan (value))
    c.outcome = holds ? HL_CHECK_HOLDS : HL_CHECK_FAILS;
  return c;
}

/* The checks of @n results: the median of each diagnostic. */
static void
judge_results (HlHeadResult * const        *results,
               guint                        n,
               const HlAssumptionThresholds *t,
               HlCheckResult               *checks)
{
  g_autofree double *values = g_new (double, MAX (n, 1));

  for (int c = 0; c < HL_N_HEAD_CHECKS; c++)
    {
      for (guint i = 0; i < n; i++)
        values[i] = diagnostic (results[i], c);
      checks[c] = judge (c, median (values, n), t);
    }
}

/* The regimes are defined by the sink: without one the taxonomy does not
 * apply; at the model level it does not either when both of the paper's
 * stability checks (CV and the correlation) fail. Otherwise it applies
 * when every defined check holds. */
static HlTaxonomyVerdict
verdict (const HlCheckResult *checks,
         int                  n_checks)
{
  gboolean all = TRUE;

  if (checks[HL_CHECK_SINK_MASS].outcome == HL_CHECK_FAILS)
    return HL_TAXONOMY_DOES_NOT_APPLY;
  if (n_checks > HL_CHECK_CORR && checks[HL_CHECK_NORM_CV].outcome == HL_CHECK_FAILS
      && checks[HL_CHECK_CORR].outcome == HL_CHECK_FAILS)
    return HL_TAXONOMY_DOES_NOT_APPLY;
  for (int c = 0; c < n_checks; c++)
    all = all && checks[c].outcome != HL_CHECK_FAILS;
  return all ? HL_TAXONOMY_APPLIES : HL_TAXONOMY_PARTLY;
}

/* The peak over N of the attention / Euclidean corr(R_N, rho0). */
static double
corr_peak (const HlModelSummary *summary)
{
  const HlModelPoint *points;
  double best = NAN;

  if (summary == NULL)
    return NAN;
  points = summary->points[HL_RANKING_ATTENTION][HL_DISTANCE_EUCLIDEAN];
  for (int g = 0; points != NULL && g < summary->n_grid; g++)
    if (!isnan (points[g].corr_recall_rho0) && (isnan (best) || points[g].corr_recall_rho0 > best))
      best = points[g].corr_recall_rho0;
  return best;
}

static int
compare_heads (const void *a,
               const void *b)
{
  const HlHeadResult *x = *(HlHeadResult * const *) a, *y = *(HlHeadResult * const *) b;

  if (x->layer != y->layer)
    return x->layer < y->layer ? -1 : 1;
  return (x->head > y->head) - (x->head < y->head);
}

static void
assumptions_heads (HlAssumptions        *self,
                   HlHeadResult * const *results,
                   guint                 n)
{
  g_autofree HlHeadResult **sorted = g_memdup2 (results, sizeof (HlHeadResult *) * MAX (n, 1));
  GArray *heads = g_array_new (FALSE, TRUE, sizeof (HlHeadAssumptions));

  qsort (sorted, n, sizeof (HlHeadResult *), compare_heads);
  for (guint start = 0; start < n;)
    {
      guint end = start;
      HlHeadAssumptions h = { sorted[start]->layer, sorted[start]->head };

      while (end < n && compare_heads (&sorted[start], &sorted[end]) == 0)
        end++;
      h.n_results = end - start;
      judge_results (sorted + start, end - start, &self->thresholds, h.checks);
      h.verdict = verdict (h.checks, HL_N_HEAD_CHECKS);
      g_array_append_val (heads, h);
      start = end;
    }
  self->n_heads = heads->len;
  self->heads = (HlHeadAssumptions *) g_array_free (heads, FALSE);
}

HlAssumptions *
hl_assumptions_new (HlHeadResult * const        *results,
                    guint                        n_results,
                    const HlModelSummary        *summary,
                    const HlAssumptionThresholds *thresholds)
{
  HlAssumptions *self;

  g_return_val_if_fail (n_results == 0 || results != NULL, NULL);
  g_return_val_if_fail (thresholds != NULL, NULL);

  self = g_new0 (HlAssumptions, 1);
  self->thresholds = *thresholds;
  self->n_results = n_results;
  judge_results (results, n_results, thresholds, self->checks);
  self->checks[HL_CHECK_CORR] = judge (HL_CHECK_CORR, corr_peak (summary), thresholds);
  self->sink_mass_max = n_results > 0 ? 0.0 : NAN;
  for (guint i = 0; i < n_results; i++)
    self->sink_mass_max = MAX (self->sink_mass_max, results[i]->diagnostics.sink_mass);
  self->verdict = verdict (self->checks, HL_N_CHECKS);
  assumptions_heads (self, results, n_results);
  return self;
}

void
hl_assumptions_free (HlAssumptions *self)
{
  if (self == NULL)
    return;
  g_free (self->heads);
  g_free (self);
}

const HlHeadAssumptions *
hl_assumptions_lookup_head (const HlAssumptions *self,
                            int                  layer,
                            int                  head)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (int i = 0; i < self->n_heads; i++)
    if (self->heads[i].layer == layer && self->heads[i].head == head)
      return &self->heads[i];
  return NULL;
}

/* Sentences ---------------------------------------------------------------- */

/* One check as a clause with its value and threshold, e.g. "median
 * value-norm CV 0.30 > 0.15". */
static char *
describe_check (HlCheck              check,
                const HlCheckResult *c)
{
  gboolean holds = c->outcome == HL_CHECK_HOLDS;

  switch (check)
    {
    case HL_CHECK_NORM_CV:
      return g_strdup_printf (_("median value-norm CV %.2f %s %g (the paper reports 0.02–0.05)"),
                              c->value, holds ? "≤" : ">", c->threshold);
    case HL_CHECK_SINK_MASS:
      return g_strdup_printf (_("median sink mass α₀ %.3f %s %g"), c->value,
                              holds ? "≥" : "<", c->threshold);
    case HL_CHECK_SINK_RATIO:
      return g_strdup_printf (_("median sink compression λ %.2f %s %g"), c->value,
                              holds ? "≤" : ">", c->threshold);
    case HL_CHECK_DECAY_FIT:
      return g_strdup_printf (_("median decay-fit error %.3f %s %g"), c->value,
                              holds ? "≤" : ">", c->threshold);
    case HL_CHECK_GAP:
      return g_strdup_printf (_("median attention gap Δ₁ %.3f %s 0"), c->value, holds ? ">" : "≤");
    case HL_CHECK_CORR:
    case HL_N_CHECKS:
    default:
      if (c->outcome == HL_CHECK_UNDEFINED)
        return g_strdup (_("corr(R_N, ρ₀) undefined (attention ranking and Euclidean distance "
                           "not computed, or too few heads)"));
      return g_strdup_printf (_("peak corr(R_N, ρ₀) %.2f %s %g"), c->value,
                              holds ? "≥" : "<", c->threshold);
    }
}

static const char *
verdict_phrase (HlTaxonomyVerdict v)
{
  switch (v)
    {
    case HL_TAXONOMY_APPLIES:
      return _("The taxonomy applies");
    case HL_TAXONOMY_PARTLY:
      return _("The taxonomy applies only in part");
    case HL_TAXONOMY_DOES_NOT_APPLY:
    case HL_N_TAXONOMY_VERDICTS:
    default:
      return _("The taxonomy does not apply");
    }
}

/* "<verdict>: <failed checks>. Holding: <the others>.", the sink first:
 * the regimes are defined by it. */
static char *
describe (HlTaxonomyVerdict    v,
          const HlCheckResult *checks,
          int                  n_checks,
          double               sink_mass_max)
{
  static const HlCheck order[HL_N_CHECKS] = {
    HL_CHECK_SINK_MASS, HL_CHECK_SINK_RATIO, HL_CHECK_NORM_CV, HL_CHECK_CORR,
    HL_CHECK_DECAY_FIT, HL_CHECK_GAP,
  };
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (verdict_phrase (v));

  for (int k = 0; k < HL_N_CHECKS; k++)
    {
      HlCheck c = order[k];
      char *clause;

      if ((int) c >= n_checks)
        continue;
      clause = describe_check (c, &checks[c]);

      if (c == HL_CHECK_SINK_MASS && checks[c].outcome == HL_CHECK_FAILS && !isnan (sink_mass_max))
        {
          char *more = g_strdup_printf (_("no attention sink: %s (the largest %.3f)"), clause,
                                        sink_mass_max);
          g_free (clause);
          clause = more;
        }
      g_ptr_array_add (checks[c].outcome == HL_CHECK_FAILS ? failed : held, clause);
    }
  g_ptr_array_add (failed, NULL);
  g_ptr_array_add (held, NULL);
  if (failed->len > 1)
    {
      g_autofree char *list = g_strjoinv ("; ", (char **) failed->pdata);
      g_string_append_printf (out, ": %s", list);
    }
  g_string_append (out, ".");
  if (held->len > 1)
    {
      g_autofree char *list = g_strjoinv ("; ", (char **) held->pdata);
      /* Translators: followed by the checks that hold, separated by ";". */
      g_string_append_printf (out, _(" Holding: %s."), list);
    }
  return g_string_free (out, FALSE);
}

char *
hl_assumptions_describe (const HlAssumptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return describe (self->verdict, self->checks, HL_N_CHECKS, self->sink_mass_max);
}

char *
hl_assumptions_describe_head (const HlAssumptions     *self,
                              const HlHeadAssumptions *head)
{
  g_return_val_if_fail (self != NULL && head != NULL, NULL);

  return describe (head->verdict, head->checks, HL_N_HEAD_CHECKS, NAN);
}

char *
hl_assumptions_caveat (const HlAssumptions *self)
{
  const HlCheckResult *c;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->verdict != HL_TAXONOMY_DOES_NOT_APPLY)
    return NULL;
  c = self->checks;
  if (c[HL_CHECK_SINK_MASS].outcome == HL_CHECK_FAILS)
    return g_strdup_printf (_("Taxonomy does not apply: no sink (α₀ %.3f < %g)"),
                            c[HL_CHECK_SINK_MASS].value, c[HL_CHECK_SINK_MASS].threshold);
  return g_strdup_printf (_("Taxonomy does not apply: CV %.2f > %g, corr %.2f < %g"),
                          c[HL_CHECK_NORM_CV].value, c[HL_CHECK_NORM_CV].threshold,
                          c[HL_CHECK_CORR].value, c[HL_CHECK_CORR].threshold);
}

/* CSV ---------------------------------------------------------------------- */

static void
append_row (GString             *out,
            const HlHeadAssumptions *head,
            HlCheck              check,
            const HlCheckResult *c)
{
  if (head != NULL)
    g_string_append_printf (out, "head,%d,%d,%s,", head->layer, head->head, check_names[check]);
  else
    g_string_append_printf (out, "model,,,%s,", check_names[check]);
  hl_csv_append_value (out, c->value);
  hl_csv_append_number (out, c->threshold);
  g_string_append_printf (out, ",%s\n", c->outcome == HL_CHECK_UNDEFINED ? ""
                                        : c->outcome == HL_CHECK_HOLDS ? "true" : "false");
}

static void
append_verdict (GString                 *out,
                const HlHeadAssumptions *head,
                HlTaxonomyVerdict        v)
{
  if (head != NULL)
    g_string_append_printf (out, "head,%d,%d,", head->layer, head->head);
  else
    g_string_append (out, "model,,,");
  g_string_append_printf (out, "taxonomy,%s,,%s\n", verdict_names[v],
                          v == HL_TAXONOMY_APPLIES ? "true" : "false");
}

char *
hl_assumptions_csv (const HlAssumptions *self)
{
  GString *out = g_string_new (HL_ASSUMPTIONS_CSV_HEADER "\n");

  g_return_val_if_fail (self != NULL, NULL);

  for (int c = 0; c < HL_N_CHECKS; c++)
    append_row (out, NULL, c, &self->checks[c]);
  append_verdict (out, NULL, self->verdict);
  for (int h = 0; h < self->n_heads; h++)
    {
      for (int c = 0; c < HL_N_HEAD_CHECKS; c++)
        append_row (out, &self->heads[h], c, &self->heads[h].checks[c]);
      append_verdict (out, &self->heads[h], self->heads[h].verdict);
    }
  return g_string_free (out, FALSE);
}
