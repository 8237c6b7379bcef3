/* hl-metric.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-metric.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define KEY(field) HL_METRIC_SOURCE_KEY, G_STRUCT_OFFSET (HlHeadResult, field)
#define DIAG(field) HL_METRIC_SOURCE_DIAGNOSTIC, G_STRUCT_OFFSET (HlDiagnostics, field)
#define POINT(field) HL_METRIC_SOURCE_POINT, G_STRUCT_OFFSET (HlSeparabilityPoint, field)
#define RANKING(field) HL_METRIC_SOURCE_RANKING, G_STRUCT_OFFSET (HlCurveSet, field)
#define TEXT(source) HL_METRIC_SOURCE_##source, 0

/* In the order of the CSV columns (docs/metrics.md pins them): the keys and
 * diagnostics of heads.csv, then the per-N columns of curves.csv, then what
 * is in no file. */
static const HlMetric metrics[] = {
  { "layer", { NULL }, NULL, "layer", "layer",
    HL_METRIC_TABLE_HEADS, KEY (layer), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "head", { NULL }, NULL, "head", "head",
    HL_METRIC_TABLE_HEADS, KEY (head), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "sample", { NULL }, NULL, "sample", "sample",
    HL_METRIC_TABLE_HEADS, KEY (sample), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "query", { NULL }, NULL, "t", "query position t",
    HL_METRIC_TABLE_HEADS, KEY (query_position), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "kv_head", { NULL }, NULL, "kv head", "kv head",
    HL_METRIC_TABLE_HEADS, KEY (kv_head), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "norm_cv", { "cv", "norm-cv", NULL }, N_("Norm CV"), "CV", "value-norm variation CV",
    HL_METRIC_TABLE_HEADS, DIAG (norm_cv), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, TRUE },
  { "sink_ratio", { "lambda", "sink-ratio", NULL }, N_("Sink ratio λ"), "λ", "sink ratio λ",
    HL_METRIC_TABLE_HEADS, DIAG (sink_ratio), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, TRUE },
  { "sink_similarity", { "rho0", "sink-similarity", NULL }, N_("Sink similarity ρ₀"),
    "ρ<sub>0</sub>", "sink similarity ρ<sub>0</sub>",
    HL_METRIC_TABLE_HEADS, DIAG (sink_similarity), HL_COLORMAP_DIVERGING,
    HL_METRIC_RANGE_SIGNED_UNIT, TRUE },
  { "beta", { NULL }, N_("Decay β"), "β", "decay rate β",
    HL_METRIC_TABLE_HEADS, DIAG (beta), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, TRUE },
  { "beta_mae", { NULL }, N_("Decay fit error"), "β error", "error of the decay fit",
    HL_METRIC_TABLE_HEADS, DIAG (beta_mae), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "sink_mass", { "sink-mass", NULL }, N_("Sink mass α₀"), "α<sub>0</sub>", "sink mass α<sub>0</sub>",
    HL_METRIC_TABLE_HEADS, DIAG (sink_mass), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_UNIT, TRUE },
  { "last_mass", { NULL }, N_("Last-token mass α_t"), "α<sub>t</sub>", "last-token mass α<sub>t</sub>",
    HL_METRIC_TABLE_HEADS, DIAG (last_mass), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_UNIT, FALSE },
  { "entropy", { NULL }, N_("Entropy"), "H", "attention entropy",
    HL_METRIC_TABLE_HEADS, DIAG (entropy), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, TRUE },
  { "a_sink", { NULL }, NULL, "a<sub>sink</sub>", "sink contribution a<sub>sink</sub>",
    HL_METRIC_TABLE_HEADS, DIAG (a_sink), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "a_last", { NULL }, NULL, "a<sub>last</sub>", "last-token contribution a<sub>last</sub>",
    HL_METRIC_TABLE_HEADS, DIAG (a_last), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "a_rest", { NULL }, NULL, "a<sub>rest</sub>", "contribution of the rest a<sub>rest</sub>",
    HL_METRIC_TABLE_HEADS, DIAG (a_rest), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "regime", { NULL }, NULL, NULL, NULL,
    HL_METRIC_TABLE_HEADS, TEXT (REGIME), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "value_norm_max", { NULL }, N_("Largest value norm B"), "B", "largest value norm B",
    HL_METRIC_TABLE_HEADS, DIAG (value_norm_max), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "regime_reason", { NULL }, NULL, NULL, NULL,
    HL_METRIC_TABLE_HEADS, TEXT (REASON), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  /* The token at t, to join the rows with the text (tokens.csv); -1 and ""
   * (empty fields in the file) when the file has no token ids or texts. */
  { "query_token_id", { NULL }, NULL, "token id", "query token id",
    HL_METRIC_TABLE_HEADS, KEY (query_token_id), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "query_token", { NULL }, NULL, NULL, NULL,
    HL_METRIC_TABLE_HEADS, TEXT (QUERY_TOKEN), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "precision", { NULL }, N_("Precision at N"), "P<sub>N</sub>", "P<sub>N</sub>",
    HL_METRIC_TABLE_CURVES, POINT (precision), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_UNIT, TRUE },
  { "recall", { NULL }, N_("Recall at N"), "R<sub>N</sub>", "R<sub>N</sub>",
    HL_METRIC_TABLE_CURVES, POINT (recall), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_UNIT, TRUE },
  { "f1", { NULL }, N_("F1 at N"), "F<sub>N</sub>", "F<sub>N</sub>",
    HL_METRIC_TABLE_CURVES, POINT (f1), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_UNIT, TRUE },
  { "rho_min", { NULL }, NULL, "ρ<sub>min</sub>", "ρ<sub>min</sub>",
    HL_METRIC_TABLE_CURVES, POINT (rho_min), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "rho_max", { NULL }, NULL, "ρ<sub>max</sub>", "ρ<sub>max</sub>",
    HL_METRIC_TABLE_CURVES, POINT (rho_max), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "retained_mass", { NULL }, N_("Retained mass at N"), "M<sub>N</sub>", "retained mass M<sub>N</sub>",
    HL_METRIC_TABLE_CURVES, POINT (retained_mass), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_UNIT, FALSE },
  { "align_sink", { NULL }, N_("Alignment with the sink at N"), "cos(s<sub>N</sub>, v<sub>0</sub>)",
    "alignment cos(s<sub>N</sub>, v<sub>0</sub>)",
    HL_METRIC_TABLE_CURVES, RANKING (align_sink), HL_COLORMAP_DIVERGING, HL_METRIC_RANGE_SIGNED_UNIT, FALSE },
  { "align_last", { NULL }, N_("Alignment with the last token at N"), "cos(s<sub>N</sub>, v<sub>t</sub>)",
    "alignment cos(s<sub>N</sub>, v<sub>t</sub>)",
    HL_METRIC_TABLE_CURVES, RANKING (align_last), HL_COLORMAP_DIVERGING, HL_METRIC_RANGE_SIGNED_UNIT, FALSE },
  { "gap", { NULL }, N_("Attention gap at N"), "Δ<sub>N</sub>", "attention gap Δ<sub>N</sub>",
    HL_METRIC_TABLE_CURVES, RANKING (gap), HL_COLORMAP_DIVERGING, HL_METRIC_RANGE_DATA, FALSE },
  { "residual", { NULL }, N_("Discarded output at N"), "‖o − s<sub>N</sub>‖",
    "discarded output ‖o − s<sub>N</sub>‖",
    HL_METRIC_TABLE_CURVES, RANKING (residual), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "bound", { NULL }, N_("Bound on the discarded output at N"), "B(1 − M<sub>N</sub>)",
    "bound B(1 − M<sub>N</sub>)",
    HL_METRIC_TABLE_CURVES, RANKING (bound), HL_COLORMAP_VIRIDIS, HL_METRIC_RANGE_DATA, FALSE },
  { "margin", { NULL }, N_("Margin at N"), "γ<sub>N</sub>", "margin γ<sub>N</sub>",
    HL_METRIC_TABLE_NONE, POINT (margin), HL_COLORMAP_DIVERGING, HL_METRIC_RANGE_DATA, TRUE },
};

const HlMetric *
hl_metric_get_all (guint *n_metrics)
{
  g_return_val_if_fail (n_metrics != NULL, NULL);

  *n_metrics = G_N_ELEMENTS (metrics);
  return metrics;
}

gboolean
hl_metric_is_numeric (const HlMetric *metric)
{
  g_return_val_if_fail (metric != NULL, FALSE);

  return metric->source != HL_METRIC_SOURCE_REGIME && metric->source != HL_METRIC_SOURCE_REASON
         && metric->source != HL_METRIC_SOURCE_QUERY_TOKEN;
}

const char *
hl_metric_text (const HlMetric     *metric,
                const HlHeadResult *result)
{
  g_return_val_if_fail (metric != NULL && !hl_metric_is_numeric (metric), NULL);
  g_return_val_if_fail (result != NULL, NULL);

  switch (metric->source)
    {
    case HL_METRIC_SOURCE_REGIME: return hl_regime_to_string (result->regime);
    case HL_METRIC_SOURCE_QUERY_TOKEN: return result->query_token != NULL ? result->query_token : "";
    case HL_METRIC_SOURCE_REASON:
    default: return result->reason;
    }
}

static gboolean
metric_has_name (const HlMetric *metric,
                 const char     *name)
{
  if (g_str_equal (metric->name, name))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (metric->aliases) && metric->aliases[i] != NULL; i++)
    if (g_str_equal (metric->aliases[i], name))
      return TRUE;
  return FALSE;
}

const HlMetric *
hl_metric_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
    if (hl_metric_is_numeric (&metrics[i]) && metric_has_name (&metrics[i], name))
      return &metrics[i];
  return NULL;
}

char *
hl_metric_dup_names (void)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
    if (hl_metric_is_numeric (&metrics[i]))
      g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", metrics[i].name);
  return g_string_free (names, FALSE);
}

gboolean
hl_metric_is_per_n (const HlMetric *metric)
{
  g_return_val_if_fail (metric != NULL, FALSE);

  return metric->source == HL_METRIC_SOURCE_POINT || metric->source == HL_METRIC_SOURCE_RANKING;
}

const HlSeparabilityPoint *
hl_head_result_point_at (const HlHeadResult *result,
                         HlRanking           ranking,
                         HlDistance          distance,
                         int                 n)
{
  const HlCurveSet *curves;

  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (ranking < HL_N_RANKINGS && distance < HL_N_DISTANCES, NULL);

  curves = result->curves;
  if (curves->points[ranking][distance] == NULL)
    return NULL;
  for (int i = 0; i < curves->n_grid; i++)
    if (curves->grid[i] == n)
      return &curves->points[ranking][distance][i];
  return NULL;
}

double
hl_metric_point_value (const HlMetric            *metric,
                       const HlSeparabilityPoint *point)
{
  g_return_val_if_fail (metric != NULL && metric->source == HL_METRIC_SOURCE_POINT, NAN);
  g_return_val_if_fail (point != NULL, NAN);

  return G_STRUCT_MEMBER (float, point, metric->offset);
}

double
hl_metric_curve_value (const HlMetric   *metric,
                       const HlCurveSet *curves,
                       HlRanking         ranking,
                       HlDistance        distance,
                       int               index)
{
  const float *values;

  g_return_val_if_fail (metric != NULL && hl_metric_is_per_n (metric), NAN);
  g_return_val_if_fail (curves != NULL && index >= 0 && index < curves->n_grid, NAN);
  g_return_val_if_fail (ranking < HL_N_RANKINGS && distance < HL_N_DISTANCES, NAN);

  if (curves->points[ranking][distance] == NULL)
    return NAN;
  if (metric->source == HL_METRIC_SOURCE_POINT)
    return hl_metric_point_value (metric, &curves->points[ranking][distance][index]);
  values = G_STRUCT_MEMBER (float *, curves, metric->offset + ranking * sizeof (float *));
  return values != NULL ? values[index] : NAN;
}

static int
grid_index (const HlCurveSet *curves,
            int               n)
{
  for (int i = 0; i < curves->n_grid; i++)
    if (curves->grid[i] == n)
      return i;
  return -1;
}

double
hl_metric_value (const HlMetric     *metric,
                 const HlHeadResult *result,
                 HlRanking           ranking,
                 HlDistance          distance,
                 int                 n)
{
  const HlSeparabilityPoint *point;
  int index;

  g_return_val_if_fail (metric != NULL && result != NULL, NAN);
  g_return_val_if_fail (hl_metric_is_numeric (metric), NAN);

  switch (metric->source)
    {
    case HL_METRIC_SOURCE_KEY:
      return G_STRUCT_MEMBER (int, result, metric->offset);
    case HL_METRIC_SOURCE_DIAGNOSTIC:
      return G_STRUCT_MEMBER (float, &result->diagnostics, metric->offset);
    case HL_METRIC_SOURCE_RANKING:
      index = grid_index (result->curves, n);
      return index >= 0 ? hl_metric_curve_value (metric, result->curves, ranking, distance, index)
                        : NAN;
    case HL_METRIC_SOURCE_POINT:
    case HL_METRIC_SOURCE_REGIME:
    case HL_METRIC_SOURCE_REASON:
    case HL_METRIC_SOURCE_QUERY_TOKEN:
    default:
      point = hl_head_result_point_at (result, ranking, distance, n);
      return point != NULL ? hl_metric_point_value (metric, point) : NAN;
    }
}

void
hl_metric_color_range (const HlMetric *metric,
                       double         *vmin,
                       double         *vmax)
{
  g_return_if_fail (metric != NULL && vmin != NULL && vmax != NULL);

  switch (metric->range)
    {
    case HL_METRIC_RANGE_UNIT:
      *vmin = 0, *vmax = 1;
      break;
    case HL_METRIC_RANGE_SIGNED_UNIT:
      *vmin = -1, *vmax = 1;
      break;
    case HL_METRIC_RANGE_DATA:
    default:
      *vmin = *vmax = 0;
      break;
    }
}

G_DEFINE_ENUM_TYPE (HlStatistic, hl_statistic,
  G_DEFINE_ENUM_VALUE (HL_STATISTIC_MEAN, "mean"),
  G_DEFINE_ENUM_VALUE (HL_STATISTIC_IQR, "iqr"))

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The @p quantile of @sorted (n >= 1), interpolating linearly between
 * order statistics. */
static double
quantile (const double *sorted,
          int           n,
          double        p)
{
  double position = p * (n - 1);
  int below = (int) floor (position);
  int above = MIN (below + 1, n - 1);

  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

void
hl_metric_stats (const HlMetric       *metric,
                 HlHeadResult * const *results,
                 guint                 n_results,
                 HlRanking             ranking,
                 HlDistance            distance,
                 int                   n,
                 HlMetricStats        *stats)
{
  g_autofree double *values = g_new (double, MAX (n_results, 1));
  double sum = 0;
  int count = 0;

  g_return_if_fail (metric != NULL && hl_metric_is_numeric (metric) && stats != NULL);
  g_return_if_fail (results != NULL || n_results == 0);

  for (guint i = 0; i < n_results; i++)
    {
      double v = hl_metric_value (metric, results[i], ranking, distance, n);

      if (!isnan (v))
        values[count++] = v, sum += v;
    }
  *stats = (HlMetricStats) { count, NAN, NAN, NAN, NAN };
  if (count == 0)
    return;
  qsort (values, count, sizeof (double), compare_doubles);
  stats->mean = sum / count;
  stats->q1 = quantile (values, count, 0.25);
  stats->median = quantile (values, count, 0.5);
  stats->q3 = quantile (values, count, 0.75);
}

double
hl_metric_stats_get (const HlMetricStats *stats,
                     HlStatistic          statistic)
{
  g_return_val_if_fail (stats != NULL, NAN);

  return statistic == HL_STATISTIC_IQR ? stats->q3 - stats->q1 : stats->mean;
}

int
hl_metric_count_regimes (HlHeadResult * const *results,
                         guint                 n_results,
                         int                   counts[HL_N_REGIMES])
{
  int mode = -1;

  g_return_val_if_fail (results != NULL || n_results == 0, -1);

  memset (counts, 0, sizeof (int) * HL_N_REGIMES);
  for (guint i = 0; i < n_results; i++)
    counts[results[i]->regime]++;
  for (int r = 0; r < HL_N_REGIMES; r++)
    if (counts[r] > 0 && (mode < 0 || counts[r] > counts[mode]))
      mode = r;
  return mode;
}

static void
append_values (GString            *out,
               const char * const *names,
               guint               n_names,
               const HlHeadResult *result,
               HlRanking           ranking,
               HlDistance          distance,
               int                 n)
{
  for (guint i = 0; i < n_names; i++)
    {
      const HlMetric *metric = hl_metric_lookup (names[i]);

      g_string_append_printf (out, "%s%s %.3f", i > 0 ? " · " : "", metric->symbol,
                              hl_metric_value (metric, result, ranking, distance, n));
    }
}

char *
hl_metric_describe_head (const HlHeadResult *result,
                         HlRanking           ranking,
                         HlDistance          distance,
                         int                 n)
{
  static const char * const at_n[] = { "precision", "recall", "f1" };
  static const char * const diagnostics[] = {
    "sink_mass", "sink_similarity", "sink_ratio", "entropy"
  };
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (result != NULL, NULL);

  /* Translators: the head and its regime, e.g. "<b>Layer 3 · Head 5</b>: Retriever" */
  g_string_append_printf (out, _("<b>Layer %d · Head %d</b>: %s"), result->layer, result->head,
                          hl_regime_display_name (result->regime));
  if (hl_head_result_point_at (result, ranking, distance, n) != NULL)
    {
      g_string_append_c (out, '\n');
      append_values (out, at_n, G_N_ELEMENTS (at_n), result, ranking, distance, n);
      g_string_append_printf (out, " (N = %d)", n);
    }
  g_string_append_c (out, '\n');
  append_values (out, diagnostics, G_N_ELEMENTS (diagnostics), result, ranking, distance, n);
  return g_string_free (out, FALSE);
}

/* "P_N 0.532 (0.41–0.66, n = 16)": the mean, the interquartile range and
 * how many values. */
static void
append_set_values (GString              *out,
                   const char * const   *names,
                   guint                 n_names,
                   HlHeadResult * const *results,
                   guint                 n_results,
                   HlRanking             ranking,
                   HlDistance            distance,
                   int                   n)
{
  for (guint i = 0; i < n_names; i++)
    {
      const HlMetric *metric = hl_metric_lookup (names[i]);
      HlMetricStats stats;

      hl_metric_stats (metric, results, n_results, ranking, distance, n, &stats);
      g_string_append_printf (out, "\n%s ", metric->symbol);
      if (stats.n == 0)
        g_string_append (out, "—");
      else
        /* Translators: a mean, its interquartile range and the number of values */
        g_string_append_printf (out, _("%.3f (IQR %.3f–%.3f, n = %d)"), stats.mean, stats.q1,
                                stats.q3, stats.n);
    }
}

char *
hl_metric_describe_set (HlHeadResult * const *results,
                        guint                 n_results,
                        guint                 n_expected,
                        const char           *scope,
                        HlRanking             ranking,
                        HlDistance            distance,
                        int                   n)
{
  static const char * const names[] = {
    "precision", "recall", "f1", "sink_mass", "sink_similarity", "entropy"
  };
  GString *out = g_string_new (NULL);
  int counts[HL_N_REGIMES];

  g_return_val_if_fail (n_results > 0 && results != NULL && scope != NULL, NULL);

  /* Translators: the head, what its cell shows and how many results it
   * has, e.g. "<b>Layer 3 · Head 5</b>: mean over 16 queries (16 of 16)" */
  g_string_append_printf (out, _("<b>Layer %d · Head %d</b>: %s (%u of %u)"), results[0]->layer,
                          results[0]->head, scope, n_results, n_expected);
  hl_metric_count_regimes (results, n_results, counts);
  g_string_append_c (out, '\n');
  for (int r = 0, shown = 0; r < HL_N_REGIMES; r++)
    if (counts[r] > 0)
      g_string_append_printf (out, "%s%s %d", shown++ > 0 ? " · " : "",
                              hl_regime_display_name (r), counts[r]);
  append_set_values (out, names, G_N_ELEMENTS (names), results, n_results, ranking, distance, n);
  /* Translators: the N the metrics at N are at */
  g_string_append_printf (out, _("\n(at N = %d where the query has it)"), n);
  return g_string_free (out, FALSE);
}
