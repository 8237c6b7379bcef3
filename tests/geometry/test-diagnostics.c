/* test-diagnostics.c: the diagnostics on hand-worked heads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-diagnostics.h"

#include <math.h>

/* Five keys in 2-D, worked by hand:
 *   v_0 = (0.5, 0)  v_1 = (1, 0)  v_2 = (0, 3)  v_3 = (-1, 0)  v_4 = (3, 0)
 *   content norms 1, 3, 1, 3: mean 2, population std 1, so CV = 0.5;
 *   lambda = 0.5 / 2 = 0.25;
 *   cos(v_0, v_i) = 1, 0, -1, 1, so rho0 = 0.25;
 *   c(1) = (cos(v1,v2) + cos(v2,v3) + cos(v3,v4)) / 3 = (0 + 0 - 1) / 3;
 *   c(2) = (cos(v1,v3) + cos(v2,v4)) / 2 = (-1 + 0) / 2;
 *   c(3) = cos(v1,v4) = 1; K is capped at t - 1 = 3.
 *   alpha = (0.4, 0.1, 0.2, 0.1, 0.2): a_sink = 0.4 * 0.5 = 0.2,
 *   a_last = 0.2 * 3 = 0.6, a_rest = ||0.1 v1 + 0.2 v2 + 0.1 v3|| = ||(0, 0.6)|| = 0.6. */
static void
test_hand_worked (void)
{
  static const float values[] = { 0.5f, 0, 1, 0, 0, 3, -1, 0, 3, 0 };
  static const float alpha[] = { 0.4f, 0.1f, 0.2f, 0.1f, 0.2f };
  HlHeadInput input = { 5, 2, values, alpha };
  HlDiagnostics d;
  double entropy = -(0.4 * log (0.4) + 2 * 0.2 * log (0.2) + 2 * 0.1 * log (0.1));

  hl_diagnostics_compute (&input, 16, &d);
  g_assert_cmpfloat_with_epsilon (d.norm_cv, 0.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (d.sink_ratio, 0.25, 1e-6);
  g_assert_cmpfloat_with_epsilon (d.sink_similarity, 0.25, 1e-6);
  g_assert_cmpint (d.n_lags, ==, 3);
  g_assert_cmpfloat_with_epsilon (d.decay[0], -1.0 / 3.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (d.decay[1], -0.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (d.decay[2], 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (d.sink_mass, 0.4, 1e-7);
  g_assert_cmpfloat_with_epsilon (d.last_mass, 0.2, 1e-7);
  g_assert_cmpfloat_with_epsilon (d.entropy, entropy, 1e-6);
  g_assert_cmpfloat_with_epsilon (d.a_sink, 0.2, 1e-6);
  g_assert_cmpfloat_with_epsilon (d.a_last, 0.6, 1e-6);
  g_assert_cmpfloat_with_epsilon (d.a_rest, 0.6, 1e-6);
  g_assert_true (isfinite (d.beta) && isfinite (d.beta_mae));
}

/* v_1 = e_1 and v_i = r v_{i-1} + sqrt(1 - r^2) e_i with orthonormal e_i:
 * every v_i is a unit vector and cos(v_i, v_{i+k}) = r^k exactly, so
 * c(k) = r^k and the fit must give beta = -log r with no error. */
static void
test_geometric_decay (void)
{
  const int t = 24, d = 25;
  const double r = 0.8;
  g_autofree float *values = g_new0 (float, (t + 1) * d);
  g_autofree float *alpha = g_new (float, t + 1);
  g_autofree double *v = g_new0 (double, d);
  HlHeadInput input = { t + 1, d, values, alpha };
  HlDiagnostics diag;

  values[0] = 1.0f;                     /* v_0 = e_0, orthogonal to the content */
  for (int i = 1; i <= t; i++)
    {
      for (int k = 0; k < d; k++)
        v[k] *= r;
      v[i] += i == 1 ? 1.0 : sqrt (1.0 - r * r);
      for (int k = 0; k < d; k++)
        values[i * d + k] = (float) v[k];
    }
  for (int i = 0; i <= t; i++)
    alpha[i] = 1.0f / (t + 1);

  hl_diagnostics_compute (&input, 16, &diag);
  g_assert_cmpint (diag.n_lags, ==, 16);
  for (int k = 1; k <= 16; k++)
    g_assert_cmpfloat_with_epsilon (diag.decay[k - 1], pow (r, k), 1e-5);
  g_assert_cmpfloat_with_epsilon (diag.beta, -log (r), 1e-5);
  g_assert_cmpfloat (diag.beta_mae, <, 1e-5);
  g_assert_cmpfloat_with_epsilon (diag.norm_cv, 0.0, 1e-5);
  g_assert_cmpfloat_with_epsilon (diag.sink_ratio, 1.0, 1e-5);
  g_assert_cmpfloat_with_epsilon (diag.sink_similarity, 0.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (diag.entropy, log (t + 1), 1e-5);
}

static void
test_fit_decay (void)
{
  float c[16];
  double mae;

  for (int k = 1; k <= 16; k++)
    c[k - 1] = (float) exp (-0.05 * k);
  g_assert_cmpfloat_with_epsilon (hl_diagnostics_fit_decay (c, 16, &mae), 0.05, 1e-6);
  g_assert_cmpfloat (mae, <, 1e-7);

  /* No decay at all: beta = 0 exactly, where the scan starts. */
  for (int k = 0; k < 16; k++)
    c[k] = 1.0f;
  g_assert_cmpfloat (hl_diagnostics_fit_decay (c, 16, &mae), ==, 0.0);
  g_assert_cmpfloat (mae, ==, 0.0);

  /* Anti-correlated neighbours (c <= 0) break a log-linear fit; the exact
   * objective is smallest as beta grows, so the fit ends at the bound and
   * the error is the mean |c|. */
  for (int k = 0; k < 16; k++)
    c[k] = -0.5f;
  g_assert_cmpfloat_with_epsilon (hl_diagnostics_fit_decay (c, 16, &mae),
                                  HL_DIAGNOSTICS_MAX_BETA, 1e-3);
  g_assert_cmpfloat_with_epsilon (mae, 0.5, 1e-6);

  /* A noisy exponential: the fit beats every other beta on a fine grid. */
  for (int k = 1; k <= 16; k++)
    c[k - 1] = (float) (exp (-0.3 * k) + ((k % 3) - 1) * 0.02);
  {
    double beta = hl_diagnostics_fit_decay (c, 16, NULL);
    double best = G_MAXDOUBLE;
    double f_beta = 0.0;

    for (int k = 1; k <= 16; k++)
      f_beta += pow (c[k - 1] - exp (-beta * k), 2);
    for (double b = 0.0; b < 2.0; b += 1e-4)
      {
        double f = 0.0;
        for (int k = 1; k <= 16; k++)
          f += pow (c[k - 1] - exp (-b * k), 2);
        best = MIN (best, f);
      }
    g_assert_cmpfloat (f_beta, <=, best + 1e-12);
  }

  g_assert_cmpfloat (hl_diagnostics_fit_decay (NULL, 0, &mae), ==, 0.0);
  g_assert_cmpfloat (mae, ==, 0.0);
}

static void
assert_all_finite (const HlDiagnostics *d)
{
  g_assert_true (isfinite (d->norm_cv) && isfinite (d->sink_ratio));
  g_assert_true (isfinite (d->sink_similarity) && isfinite (d->beta));
  g_assert_true (isfinite (d->beta_mae) && isfinite (d->entropy));
  g_assert_true (isfinite (d->a_sink) && isfinite (d->a_last) && isfinite (d->a_rest));
  for (int k = 0; k < d->n_lags; k++)
    g_assert_true (isfinite (d->decay[k]));
}

/* t = 0: the single key is the sink, counted once (a_last = 0); t = 1: one
 * content key, so CV = 0 and no lag fits (K = t - 1 = 0); all-zero values:
 * every cosine is 0 through the guard. Nothing may be NaN. */
static void
test_degenerate (void)
{
  static const float one_value[] = { 3, 4 };
  static const float one_alpha[] = { 1 };
  static const float two_values[] = { 3, 4, 0, 10 };
  static const float two_alpha[] = { 0.25f, 0.75f };
  static const float zeros[12] = { 0 };
  static const float zero_alpha[] = { 0.5f, 0, 0, 0.5f, 0, 0 };
  HlHeadInput one = { 1, 2, one_value, one_alpha };
  HlHeadInput two = { 2, 2, two_values, two_alpha };
  HlHeadInput zero = { 6, 2, zeros, zero_alpha };
  HlDiagnostics d;

  hl_diagnostics_compute (&one, 16, &d);
  assert_all_finite (&d);
  g_assert_cmpint (d.n_lags, ==, 0);
  g_assert_cmpfloat (d.norm_cv, ==, 0.0);
  g_assert_cmpfloat (d.sink_ratio, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (d.a_sink, 5.0, 1e-6);
  g_assert_cmpfloat (d.a_last, ==, 0.0);
  g_assert_cmpfloat (d.a_rest, ==, 0.0);
  g_assert_cmpfloat (d.entropy, ==, 0.0);

  hl_diagnostics_compute (&two, 16, &d);
  assert_all_finite (&d);
  g_assert_cmpint (d.n_lags, ==, 0);
  g_assert_cmpfloat (d.norm_cv, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (d.sink_ratio, 0.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (d.sink_similarity, 0.8, 1e-6);
  g_assert_cmpfloat_with_epsilon (d.a_last, 7.5, 1e-6);

  hl_diagnostics_compute (&zero, 16, &d);
  assert_all_finite (&d);
  g_assert_cmpint (d.n_lags, ==, 4);
  g_assert_cmpfloat (d.sink_ratio, ==, 0.0);
  g_assert_cmpfloat (d.sink_similarity, ==, 0.0);
  g_assert_cmpfloat (d.decay[0], ==, 0.0);
  g_assert_cmpfloat_with_epsilon (d.entropy, log (2.0), 1e-6);
}

static void
test_lag_cap (void)
{
  const int n = 200, d = 3;
  g_autofree float *values = g_new (float, n * d);
  g_autofree float *alpha = g_new (float, n);
  HlHeadInput input = { n, d, values, alpha };
  HlDiagnostics diag;

  for (int i = 0; i < n * d; i++)
    values[i] = (float) sin (i * 0.37);
  for (int i = 0; i < n; i++)
    alpha[i] = 1.0f / n;
  hl_diagnostics_compute (&input, 1000, &diag);
  g_assert_cmpint (diag.n_lags, ==, HL_DIAGNOSTICS_MAX_LAGS);
  hl_diagnostics_compute (&input, 5, &diag);
  g_assert_cmpint (diag.n_lags, ==, 5);
  assert_all_finite (&diag);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/diagnostics/hand-worked", test_hand_worked);
  g_test_add_func ("/diagnostics/geometric-decay", test_geometric_decay);
  g_test_add_func ("/diagnostics/fit-decay", test_fit_decay);
  g_test_add_func ("/diagnostics/degenerate", test_degenerate);
  g_test_add_func ("/diagnostics/lag-cap", test_lag_cap);
  return g_test_run ();
}
