/* test-model-summary.c: bootstrap intervals, Pearson correlation and the
 * model-level averages on results built by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-model-summary.h"

#include <math.h>

static void
test_bootstrap_constant (void)
{
  double values[7] = { 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3 };
  double lo, hi;

  hl_bootstrap_mean_interval (values, 7, 2000, 1, &lo, &hi);
  g_assert_cmpfloat_with_epsilon (lo, 0.3, 1e-12);
  g_assert_cmpfloat_with_epsilon (hi, 0.3, 1e-12);

  /* One sample: a degenerate interval equal to the value, never NaN. */
  hl_bootstrap_mean_interval (values, 1, 2000, 1, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 0.3);
  g_assert_cmpfloat (hi, ==, 0.3);
}

/* The values 0..9: mean 4.5, population std 2.87, so the standard error of
 * the mean is 0.908 and a 95% interval spans about 4.5 -/+ 1.78. */
static void
test_bootstrap_known (void)
{
  double values[10];
  double lo, hi, lo2, hi2;

  for (int i = 0; i < 10; i++)
    values[i] = i;
  hl_bootstrap_mean_interval (values, 10, 2000, 42, &lo, &hi);
  g_assert_cmpfloat (lo, <, 4.5);
  g_assert_cmpfloat (hi, >, 4.5);
  g_assert_cmpfloat (lo, >, 2.4);
  g_assert_cmpfloat (lo, <, 3.4);
  g_assert_cmpfloat (hi, >, 5.6);
  g_assert_cmpfloat (hi, <, 6.6);

  /* Seeded: the same seed gives the same interval. */
  hl_bootstrap_mean_interval (values, 10, 2000, 42, &lo2, &hi2);
  g_assert_cmpfloat (lo, ==, lo2);
  g_assert_cmpfloat (hi, ==, hi2);
}

static void
test_pearson (void)
{
  double x[] = { 1, 2, 3, 4 };
  double y[] = { 3, 5, 7, 9 };
  double z[] = { 4, 3, 2, 1 };
  double c[] = { 2, 2, 2, 2 };
  double a[] = { 1, 2, 3 };
  double b[] = { 1, 3, 2 };

  g_assert_cmpfloat_with_epsilon (hl_pearson (x, y, 4), 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (hl_pearson (x, z, 4), -1.0, 1e-12);
  /* Centred: a = (-1, 0, 1), b = (-1, 1, 0); sxy = 1, sxx = syy = 2, so
   * r = 1 / 2. */
  g_assert_cmpfloat_with_epsilon (hl_pearson (a, b, 3), 0.5, 1e-12);
  g_assert_true (isnan (hl_pearson (x, c, 4)));
  g_assert_true (isnan (hl_pearson (x, y, 1)));
}

/* Four results built by hand (attention ranking, Euclidean only):
 *   sample 0: A (layer 0, Retriever), B (layer 0, Reset), C (layer 1, Mixer),
 *             grid 1, 2, 4;
 *   sample 1: D (layer 1, Mixer), an earlier query, grid 1, 2.
 * Precision at N = 2: A 1, B 0.5, C 0 (sample mean 0.5) and D 0.25, so the
 * sample-then-model mean is 0.375 (pooling all heads would give 0.4375).
 * At N = 4 only sample 0 has the N: its mean 0.5 with a degenerate band.
 * Recall against rho0 in sample 0: N = 2 rises with rho0 (corr 1), N = 4
 * falls (corr -1), N = 1 is constant (undefined); sample 1 has one head
 * (undefined). So corr = 1, -1 and NaN, and the peak is at N = 2. */
typedef struct
{
  HlHeadResult        result;
  HlCurveSet          curves;
  HlSeparabilityPoint points[3];
  float               residual[3];
  float               bound[3];
  float               gap[3];
} Fixture;

static void
fixture_init (Fixture    *f,
              int         layer,
              int         sample,
              HlRegime    regime,
              float       rho0,
              int         n_grid,
              const float precision[3],
              const float recall[3])
{
  static int grid[] = { 1, 2, 4 };

  f->curves.n_grid = n_grid;
  f->curves.grid = grid;
  f->curves.points[HL_RANKING_ATTENTION][HL_DISTANCE_EUCLIDEAN] = f->points;
  for (int g = 0; g < n_grid; g++)
    {
      f->points[g].precision = precision[g];
      f->points[g].recall = recall[g];
      f->points[g].f1 = 2 * precision[g] * recall[g] / (precision[g] + recall[g]);
    }
  /* Theory: residual = precision, bound = 1, gap = recall, B = 2. */
  f->curves.residual[HL_RANKING_ATTENTION] = f->residual;
  f->curves.bound[HL_RANKING_ATTENTION] = f->bound;
  f->curves.gap[HL_RANKING_ATTENTION] = f->gap;
  f->curves.value_norm_max = 2.0f;
  for (int g = 0; g < n_grid; g++)
    {
      f->residual[g] = precision[g];
      f->bound[g] = 1.0f;
      f->gap[g] = recall[g];
    }
  f->result.layer = layer;
  f->result.sample = sample;
  f->result.regime = regime;
  f->result.diagnostics.sink_similarity = rho0;
  f->result.curves = &f->curves;
}

static void
test_summary (void)
{
  Fixture f[4] = { 0 };
  HlHeadResult *results[4];
  g_autoptr(HlModelSummary) summary = NULL;
  const HlModelPoint *pts;

  fixture_init (&f[0], 0, 0, HL_REGIME_RETRIEVER, 0.1f, 3,
                (float[]) { 1, 1, 0.5f }, (float[]) { 1, 0.2f, 0.9f });
  fixture_init (&f[1], 0, 0, HL_REGIME_RESET, 0.2f, 3,
                (float[]) { 1, 0.5f, 0.5f }, (float[]) { 1, 0.4f, 0.5f });
  fixture_init (&f[2], 1, 0, HL_REGIME_MIXER, 0.3f, 3,
                (float[]) { 1, 0, 0.5f }, (float[]) { 1, 0.6f, 0.1f });
  fixture_init (&f[3], 1, 1, HL_REGIME_MIXER, 0.9f, 2,
                (float[]) { 1, 0.25f, 0 }, (float[]) { 1, 0.5f, 0 });
  for (int i = 0; i < 4; i++)
    results[i] = &f[i].result;

  summary = hl_model_summary_new (results, 4, 2, 2000, 7);
  g_assert_cmpint (summary->n_grid, ==, 3);
  g_assert_cmpint (summary->grid[2], ==, 4);
  g_assert_cmpint (summary->n_samples, ==, 2);
  g_assert_null (summary->points[HL_RANKING_RANDOM][HL_DISTANCE_EUCLIDEAN]);
  g_assert_null (summary->points[HL_RANKING_ATTENTION][HL_DISTANCE_COSINE]);

  pts = summary->points[HL_RANKING_ATTENTION][HL_DISTANCE_EUCLIDEAN];
  g_assert_cmpfloat_with_epsilon (pts[0].precision.mean, 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (pts[1].precision.mean, 0.375, 1e-9);
  g_assert_cmpint (pts[1].n_samples, ==, 2);
  g_assert_cmpint (pts[1].n_heads, ==, 4);
  g_assert_cmpfloat (pts[1].precision.lo, <=, pts[1].precision.mean);
  g_assert_cmpfloat (pts[1].precision.hi, >=, pts[1].precision.mean);
  /* Two samples: every bootstrap mean is 0.5, 0.375 or 0.25. */
  g_assert_cmpfloat (pts[1].precision.lo, >=, 0.25);
  g_assert_cmpfloat (pts[1].precision.hi, <=, 0.5);
  g_assert_cmpint (pts[2].n_samples, ==, 1);
  g_assert_cmpfloat_with_epsilon (pts[2].precision.mean, 0.5, 1e-9);
  g_assert_cmpfloat (pts[2].precision.lo, ==, pts[2].precision.mean);
  g_assert_cmpfloat (pts[2].precision.hi, ==, pts[2].precision.mean);
  g_assert_cmpfloat_with_epsilon (pts[2].recall.mean, 0.5, 1e-6);

  g_assert_true (isnan (pts[0].corr_recall_rho0));
  g_assert_cmpfloat_with_epsilon (pts[1].corr_recall_rho0, 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (pts[2].corr_recall_rho0, -1.0, 1e-6);
  g_assert_cmpint (summary->corr_peak_n[HL_RANKING_ATTENTION][HL_DISTANCE_EUCLIDEAN], ==, 2);

  /* Theory means, averaged like the curves: residual is precision here
   * (0.375 at N = 2), gap / B is recall / 2: sample 0 (0.2 + 0.4 + 0.6) / 3
   * / 2 = 0.2 and sample 1 0.25, so 0.225; N = 4 only in sample 0. */
  g_assert_null (summary->residual[HL_RANKING_RANDOM]);
  g_assert_cmpfloat_with_epsilon (summary->residual[HL_RANKING_ATTENTION][1], 0.375, 1e-7);
  g_assert_cmpfloat (summary->bound[HL_RANKING_ATTENTION][2], ==, 1.0);
  g_assert_cmpfloat_with_epsilon (summary->gap_over_b[HL_RANKING_ATTENTION][1], 0.225, 1e-7);
  g_assert_cmpfloat_with_epsilon (summary->gap_over_b[HL_RANKING_ATTENTION][2], 0.25, 1e-7);

  g_assert_cmpint (hl_model_summary_get_regime_count (summary, 0, HL_REGIME_RETRIEVER), ==, 1);
  g_assert_cmpint (hl_model_summary_get_regime_count (summary, 0, HL_REGIME_RESET), ==, 1);
  g_assert_cmpint (hl_model_summary_get_regime_count (summary, 0, HL_REGIME_MIXER), ==, 0);
  g_assert_cmpint (hl_model_summary_get_regime_count (summary, 1, HL_REGIME_MIXER), ==, 2);
  g_assert_cmpint (hl_model_summary_get_regime_count (summary, 2, HL_REGIME_MIXER), ==, 0);
}

static void
test_empty (void)
{
  g_autoptr(HlModelSummary) summary = hl_model_summary_new (NULL, 0, 3, 2000, 1);

  g_assert_cmpint (summary->n_grid, ==, 0);
  g_assert_cmpint (summary->n_samples, ==, 0);
  g_assert_cmpint (hl_model_summary_get_regime_count (summary, 1, HL_REGIME_RESET), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model-summary/bootstrap-constant", test_bootstrap_constant);
  g_test_add_func ("/model-summary/bootstrap-known", test_bootstrap_known);
  g_test_add_func ("/model-summary/pearson", test_pearson);
  g_test_add_func ("/model-summary/summary", test_summary);
  g_test_add_func ("/model-summary/empty", test_empty);
  return g_test_run ();
}
