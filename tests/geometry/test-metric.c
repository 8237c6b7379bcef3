/* test-metric.c: the metric registry: every numeric CSV column is a metric
 * under its column name, old spellings still find it, values are the
 * fields they name, and the colour ranges and tooltips say what they should.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "hl-metric.h"
#include "hl-metrics-csv.h"

/* A head with 12 keys: a sink, a heavy last token, a uniform rest. */
static HlHeadResult *
compute_head (void)
{
  enum { N_KEYS = 12, DIM = 4 };
  static float values[N_KEYS * DIM];
  static float alpha[N_KEYS];
  HlHeadInput input = { N_KEYS, DIM, values, alpha };
  HlHeadId id = { 1, 2, 0, 0, 1 };
  HlHeadAnalysisOptions options;

  for (int i = 0; i < N_KEYS * DIM; i++)
    values[i] = sinf (0.7f * i) + (i % DIM == 0 ? 1.5f : 0);
  for (int i = 0; i < N_KEYS; i++)
    alpha[i] = i == 0 ? 0.3f : i == N_KEYS - 1 ? 0.4f : 0.3f / (N_KEYS - 2);
  hl_head_analysis_options_init (&options);
  return hl_head_analysis_compute (&input, &id, &options);
}

static const HlMetric *
find_column (const char *name)
{
  guint n;
  const HlMetric *columns = hl_metric_get_all (&n);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (columns[i].name, name))
      return &columns[i];
  return NULL;
}

/* Each column of the file is a registry entry of that file, and is a
 * metric (found by name) when it is a number. */
static void
assert_every_column_is_listed (HlMetricTable table,
                               guint         first_metric_column,
                               guint         n_text_columns)
{
  g_autofree char *header = hl_metrics_csv_header (table);
  g_auto(GStrv) columns = g_strsplit (header, ",", -1);
  guint n_text = 0;

  for (guint i = first_metric_column; columns[i] != NULL; i++)
    {
      const HlMetric *column = find_column (columns[i]);

      g_assert_nonnull (column);
      g_assert_cmpint (column->table, ==, table);
      if (hl_metric_is_numeric (column))
        g_assert_true (hl_metric_lookup (columns[i]) == column);
      else
        {
          g_assert_null (hl_metric_lookup (columns[i]));
          n_text++;
        }
    }
  g_assert_cmpuint (n_text, ==, n_text_columns);
}

static void
test_columns (void)
{
  /* heads.csv: every column, three of them text (the regime, its reason
   * and the query token); curves.csv: every column after the point's
   * ranking, distance and N. */
  assert_every_column_is_listed (HL_METRIC_TABLE_HEADS, 0, 3);
  assert_every_column_is_listed (HL_METRIC_TABLE_CURVES, 7, 0);
}

static void
test_names_are_unique (void)
{
  guint n;
  const HlMetric *metrics = hl_metric_get_all (&n);

  for (guint i = 0; i < n; i++)
    {
      if (!hl_metric_is_numeric (&metrics[i]))
        continue;
      g_assert_true (hl_metric_lookup (metrics[i].name) == &metrics[i]);
      for (guint a = 0; a < G_N_ELEMENTS (metrics[i].aliases) && metrics[i].aliases[a]; a++)
        g_assert_true (hl_metric_lookup (metrics[i].aliases[a]) == &metrics[i]);
    }
}

static void
test_aliases (void)
{
  /* The spellings of `render --metric` and of the settings before they
   * took the CSV names. */
  static const struct { const char *alias, *name; } cases[] = {
    { "rho0", "sink_similarity" }, { "sink-similarity", "sink_similarity" },
    { "lambda", "sink_ratio" }, { "sink-ratio", "sink_ratio" },
    { "cv", "norm_cv" }, { "norm-cv", "norm_cv" }, { "sink-mass", "sink_mass" },
    { "f1", "f1" }, { "margin", "margin" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (hl_metric_lookup (cases[i].alias)->name, ==, cases[i].name);
  g_assert_null (hl_metric_lookup ("regime"));
  g_assert_null (hl_metric_lookup ("regime_reason"));
  g_assert_cmpstr (hl_metric_lookup ("value_norm_max")->name, ==, "value_norm_max");
  g_assert_null (hl_metric_lookup ("F1"));
  g_assert_null (hl_metric_lookup (""));
}

static void
test_values (void)
{
  g_autoptr(HlHeadResult) r = compute_head ();
  const HlSeparabilityPoint *p;

  g_assert_cmpfloat (hl_metric_value (hl_metric_lookup ("sink_mass"), r, 0, 0, 0), ==,
                     r->diagnostics.sink_mass);
  g_assert_cmpfloat (hl_metric_value (hl_metric_lookup ("a_rest"), r, 0, 0, 0), ==,
                     r->diagnostics.a_rest);
  g_assert_cmpfloat (hl_metric_value (hl_metric_lookup ("kv_head"), r, 0, 0, 0), ==, 1);
  g_assert_cmpfloat (hl_metric_value (hl_metric_lookup ("query"), r, 0, 0, 0), ==, 11);

  /* The grid of 12 keys is 1, 2, 4, 8: N = 4 is its third point. */
  p = &r->curves->points[HL_RANKING_CONTRIBUTION][HL_DISTANCE_COSINE][2];
  g_assert_true (hl_head_result_point_at (r, HL_RANKING_CONTRIBUTION, HL_DISTANCE_COSINE, 4) == p);
  g_assert_cmpfloat (hl_metric_value (hl_metric_lookup ("recall"), r, HL_RANKING_CONTRIBUTION,
                                      HL_DISTANCE_COSINE, 4), ==, p->recall);
  g_assert_cmpfloat (hl_metric_value (hl_metric_lookup ("margin"), r, HL_RANKING_CONTRIBUTION,
                                      HL_DISTANCE_COSINE, 4), ==, p->margin);
  g_assert_true (hl_metric_is_per_n (hl_metric_lookup ("f1")));
  g_assert_false (hl_metric_is_per_n (hl_metric_lookup ("entropy")));

  /* N off the grid has no value. */
  g_assert_true (isnan (hl_metric_value (hl_metric_lookup ("f1"), r, 0, 0, 3)));
  g_assert_true (isnan (hl_metric_value (hl_metric_lookup ("f1"), r, 0, 0, 16)));
}

static void
test_color_ranges (void)
{
  double lo, hi;

  hl_metric_color_range (hl_metric_lookup ("f1"), &lo, &hi);
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (hi, ==, 1);
  hl_metric_color_range (hl_metric_lookup ("sink_similarity"), &lo, &hi);
  g_assert_cmpfloat (lo, ==, -1);
  g_assert_cmpfloat (hi, ==, 1);
  g_assert_cmpint (hl_metric_lookup ("sink_similarity")->colormap, ==, HL_COLORMAP_DIVERGING);
  hl_metric_color_range (hl_metric_lookup ("entropy"), &lo, &hi);
  g_assert_cmpfloat (lo, ==, hi);
}

static void
test_describe (void)
{
  g_autoptr(HlHeadResult) r = compute_head ();
  g_autofree char *at_grid = hl_metric_describe_head (r, 0, 0, 4);
  g_autofree char *off_grid = hl_metric_describe_head (r, 0, 0, 3);
  g_autofree char *precision = g_strdup_printf ("P<sub>N</sub> %.3f",
                                                r->curves->points[0][0][2].precision);

  g_assert_true (g_str_has_prefix (at_grid, "<b>Layer 1 · Head 2</b>: "));
  g_assert_nonnull (strstr (at_grid, hl_regime_display_name (r->regime)));
  g_assert_nonnull (strstr (at_grid, precision));
  g_assert_nonnull (strstr (at_grid, "(N = 4)"));
  g_assert_nonnull (strstr (at_grid, "ρ<sub>0</sub>"));
  /* Without a point at N, only the diagnostics. */
  g_assert_null (strstr (off_grid, "P<sub>N</sub>"));
  g_assert_nonnull (strstr (off_grid, "α<sub>0</sub>"));
}

/* A head result whose sink mass is @sink_mass, in regime @regime. */
static HlHeadResult *
result_with (float    sink_mass,
             HlRegime regime)
{
  static const float values[] = { 1, 0, 0, 1, 1, 1 };
  static const float alpha[] = { 0.5f, 0.25f, 0.25f };
  HlHeadInput input = { 3, 2, values, alpha };
  HlHeadId id = { 0 };
  HlHeadAnalysisOptions options;
  HlHeadResult *result;

  hl_head_analysis_options_init (&options);
  options.repeats = 1;
  result = hl_head_analysis_compute (&input, &id, &options);
  result->diagnostics.sink_mass = sink_mass;
  result->regime = regime;
  return result;
}

/* Mean and quartiles by hand: {1, 2, 3, 4} and a NaN left out: mean 2.5,
 * quartiles at positions 0.75, 1.5 and 2.25 of the sorted values: 1.75,
 * 2.5, 3.25; the regimes counted and the most frequent chosen. */
static void
test_stats (void)
{
  const float masses[] = { 3, NAN, 1, 4, 2 };
  const HlRegime regimes[] = { HL_REGIME_MIXER, HL_REGIME_RESET, HL_REGIME_RESET,
                               HL_REGIME_MIXER, HL_REGIME_OTHER };
  const HlMetric *sink_mass = hl_metric_lookup ("sink_mass");
  HlHeadResult *results[5];
  HlMetricStats stats;
  int counts[HL_N_REGIMES];

  for (int i = 0; i < 5; i++)
    results[i] = result_with (masses[i], regimes[i]);
  hl_metric_stats (sink_mass, results, 5, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN, 1, &stats);
  g_assert_cmpint (stats.n, ==, 4);
  g_assert_cmpfloat (stats.mean, ==, 2.5);
  g_assert_cmpfloat (stats.q1, ==, 1.75);
  g_assert_cmpfloat (stats.median, ==, 2.5);
  g_assert_cmpfloat (stats.q3, ==, 3.25);
  g_assert_cmpfloat (hl_metric_stats_get (&stats, HL_STATISTIC_IQR), ==, 1.5);
  g_assert_cmpfloat (hl_metric_stats_get (&stats, HL_STATISTIC_MEAN), ==, 2.5);
  /* One value: every quartile is it; none: NaN and n = 0. */
  hl_metric_stats (sink_mass, results + 2, 1, 0, 0, 1, &stats);
  g_assert_cmpint (stats.n, ==, 1);
  g_assert_cmpfloat (stats.q1, ==, 1);
  g_assert_cmpfloat (stats.q3, ==, 1);
  hl_metric_stats (sink_mass, results + 1, 1, 0, 0, 1, &stats);
  g_assert_cmpint (stats.n, ==, 0);
  g_assert_true (isnan (stats.mean));

  /* Mixer 2, Reset 2, Other 1: a tie goes to the first, Mixer. */
  g_assert_cmpint (hl_metric_count_regimes (results, 5, counts), ==, HL_REGIME_MIXER);
  g_assert_cmpint (counts[HL_REGIME_RETRIEVER], ==, 0);
  g_assert_cmpint (counts[HL_REGIME_MIXER], ==, 2);
  g_assert_cmpint (counts[HL_REGIME_RESET], ==, 2);
  g_assert_cmpint (counts[HL_REGIME_OTHER], ==, 1);
  g_assert_cmpint (hl_metric_count_regimes (results, 0, counts), ==, -1);
  for (int i = 0; i < 5; i++)
    hl_head_result_unref (results[i]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metric/columns", test_columns);
  g_test_add_func ("/metric/names-are-unique", test_names_are_unique);
  g_test_add_func ("/metric/aliases", test_aliases);
  g_test_add_func ("/metric/values", test_values);
  g_test_add_func ("/metric/color-ranges", test_color_ranges);
  g_test_add_func ("/metric/describe", test_describe);
  g_test_add_func ("/metric/stats", test_stats);
  return g_test_run ();
}
