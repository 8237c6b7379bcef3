/* test-synth-head.c: the per-head generator follows its parameters.
 *
 * Every statistic is measured here with a small direct computation,
 * independent of the geometry engine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-synth.h"
#include "hl-synth-rng.h"

#include <math.h>
#include <string.h>

static double
norm (const float *v,
      int          d)
{
  double s = 0.0;

  for (int k = 0; k < d; k++)
    s += (double) v[k] * v[k];
  return sqrt (s);
}

static double
cosine (const float *a,
        const float *b,
        int          d)
{
  double s = 0.0;

  for (int k = 0; k < d; k++)
    s += (double) a[k] * b[k];
  return s / (norm (a, d) * norm (b, d));
}

static const float *
value (const HlSynthHead *h,
       int                i)
{
  return h->values + (gsize) i * h->head_dim;
}

static HlSynthHead *
generate (const HlSynthHeadParams *p,
          const int               *queries,
          int                      n_queries)
{
  g_autoptr(GError) error = NULL;
  HlSynthHead *h = hl_synth_head_generate (p, queries, n_queries, &error);

  g_assert_no_error (error);
  g_assert_nonnull (h);
  return h;
}

/* CV and lambda over keys 1..t as FRAMEWORK.md defines them. */
static void
measure_norms (const HlSynthHead *h,
               int                t,
               double            *cv,
               double            *lambda)
{
  double mean = 0.0, var = 0.0;

  for (int i = 1; i <= t; i++)
    mean += norm (value (h, i), h->head_dim);
  mean /= t;
  for (int i = 1; i <= t; i++)
    var += pow (norm (value (h, i), h->head_dim) - mean, 2);
  *cv = sqrt (var / t) / mean;
  *lambda = norm (value (h, 0), h->head_dim) / mean;
}

/* c(k) = mean over i >= 1 of cos(v_i, v_{i+k}) for k = 1..K. */
static void
measure_decay (const HlSynthHead *h,
               int                K,
               double            *c)
{
  for (int k = 1; k <= K; k++)
    {
      double sum = 0.0;
      int n = 0;

      for (int i = 1; i + k < h->n_keys; i++, n++)
        sum += cosine (value (h, i), value (h, i + k), h->head_dim);
      c[k] = sum / n;
    }
}

static double
fit_error (const double *c,
           int           K,
           double        beta)
{
  double e = 0.0;

  for (int k = 1; k <= K; k++)
    e += pow (c[k] - exp (-beta * k), 2);
  return e;
}

/* Least squares of exp(-beta k) on c(k), k = 1..K, by golden-section search
 * over log(beta). */
static double
fit_beta (const double *c,
          int           K)
{
  const double phi = (sqrt (5.0) - 1.0) / 2.0;
  double lo = log (1e-4), hi = log (20.0);

  for (int it = 0; it < 200; it++)
    {
      double a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);

      if (fit_error (c, K, exp (a)) < fit_error (c, K, exp (b)))
        hi = b;
      else
        lo = a;
    }
  return exp (0.5 * (lo + hi));
}

static void
test_rng_reference (void)
{
  HlSynthRng rng;

  /* Values of an independent Python implementation of splitmix64 seeding
   * and xoshiro256**. */
  hl_synth_rng_init (&rng, 42);
  g_assert_cmphex (hl_synth_rng_next (&rng), ==, G_GUINT64_CONSTANT (0x15780b2e0c2ec716));
  g_assert_cmphex (hl_synth_rng_next (&rng), ==, G_GUINT64_CONSTANT (0x6104d9866d113a7e));
  g_assert_cmphex (hl_synth_rng_next (&rng), ==, G_GUINT64_CONSTANT (0xae17533239e499a1));
  hl_synth_rng_init (&rng, 0);
  g_assert_cmphex (hl_synth_rng_next (&rng), ==, G_GUINT64_CONSTANT (0x99ec5f36cb75f2b4));
  g_assert_cmphex (hl_synth_rng_derive_seed (1, 7), ==, G_GUINT64_CONSTANT (0x697b1fe3d1552d79));
}

static void
test_rng_normal (void)
{
  HlSynthRng rng;
  double mean = 0.0, var = 0.0;
  const int n = 200000;

  hl_synth_rng_init (&rng, 3);
  for (int i = 0; i < n; i++)
    {
      double x = hl_synth_rng_normal (&rng);

      mean += x;
      var += x * x;
    }
  mean /= n;
  var = var / n - mean * mean;
  g_assert_cmpfloat_with_epsilon (mean, 0.0, 0.01);
  g_assert_cmpfloat_with_epsilon (var, 1.0, 0.02);
}

static void
test_norm_statistics (void)
{
  const int shapes[][2] = { { 64, 16 }, { 512, 64 }, { 1024, 128 } };
  const double cvs[] = { 0.0, 0.04, 0.2 };
  const double lambdas[] = { 0.05, 0.2, 1.5 };

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (guint j = 0; j < G_N_ELEMENTS (cvs); j++)
      {
        HlSynthHeadParams p;
        double cv, lambda;

        hl_synth_head_params_init (&p);
        p.n_keys = shapes[s][0];
        p.head_dim = shapes[s][1];
        p.norm_cv = cvs[j];
        p.sink_lambda = lambdas[j];
        p.norm_mean = 3.0;
        p.seed = 10 + s;
        g_autoptr(HlSynthHead) h = generate (&p, NULL, 0);

        /* Exact at the last query: norms are standardised over keys 1..T-1. */
        measure_norms (h, p.n_keys - 1, &cv, &lambda);
        g_assert_cmpfloat_with_epsilon (cv, p.norm_cv, 1e-5);
        g_assert_cmpfloat_with_epsilon (lambda, p.sink_lambda, 1e-5 * (1 + p.sink_lambda));
        /* Close at an earlier query (a random half of the same sequence). */
        measure_norms (h, p.n_keys / 2, &cv, &lambda);
        g_assert_cmpfloat_with_epsilon (cv, p.norm_cv, 0.25 * p.norm_cv + 1e-6);
        g_assert_cmpfloat_with_epsilon (lambda, p.sink_lambda, 0.05 * p.sink_lambda);
      }
}

/* Without spread every key has cosine rho0 with the sink; with a spread
 * the cosines have mean rho0 and that standard deviation over the keys
 * (they are standardised, and nothing is clipped at these values). */
static void
test_sink_similarity (void)
{
  const double rhos[] = { -0.5, 0.0, 0.1, 0.6 };
  const double spreads[] = { 0.0, 0.05, 0.1 };

  for (guint j = 0; j < G_N_ELEMENTS (rhos); j++)
    for (guint k = 0; k < G_N_ELEMENTS (spreads); k++)
      {
        HlSynthHeadParams p;
        double sum = 0.0, sum2 = 0.0, mean;
        int n;

        hl_synth_head_params_init (&p);
        p.n_keys = 256;
        p.head_dim = 32;
        p.sink_similarity = rhos[j];
        p.rho0_spread = spreads[k];
        g_autoptr(HlSynthHead) h = generate (&p, NULL, 0);

        n = p.n_keys - 1;
        for (int i = 1; i <= n; i++)
          {
            double c = cosine (value (h, 0), value (h, i), p.head_dim);

            if (spreads[k] == 0.0)
              g_assert_cmpfloat_with_epsilon (c, rhos[j], 1e-5);
            sum += c;
            sum2 += c * c;
          }
        mean = sum / n;
        g_assert_cmpfloat_with_epsilon (mean, rhos[j], 1e-5);
        g_assert_cmpfloat_with_epsilon (sqrt (MAX (sum2 / n - mean * mean, 0.0)), spreads[k], 1e-4);
      }
}

static void
test_decay_fit (void)
{
  const double betas[] = { 0.05, 0.1, 0.3, 1.0 };
  const int dims[] = { 32, 64, 128 };

  for (guint j = 0; j < G_N_ELEMENTS (betas); j++)
    for (guint s = 0; s < G_N_ELEMENTS (dims); s++)
      {
        HlSynthHeadParams p;
        int K = CLAMP ((int) ceil (2.0 / betas[j]), 3, 32);
        double c[33];
        double beta;

        hl_synth_head_params_init (&p);
        p.n_keys = 1024;
        p.head_dim = dims[s];
        p.beta = betas[j];
        p.sink_similarity = 0.0;
        p.seed = 100 + j * 10 + s;
        g_autoptr(HlSynthHead) h = generate (&p, NULL, 0);

        measure_decay (h, K, c);
        beta = fit_beta (c, K);
        g_test_message ("beta %.3f d %d: fitted %.4f", p.beta, p.head_dim, beta);
        /* The AR(1) process has the requested decay in expectation; one
         * sequence of 1024 keys measures it within 15%. */
        g_assert_cmpfloat (fabs (beta - p.beta), <=, 0.15 * p.beta);
      }
}

/* With a sink similarity s every content direction shares s e0, so
 * c(k) = s^2 + (1 - s^2) exp(-beta k): the documented offset. */
static void
test_decay_with_sink_similarity (void)
{
  HlSynthHeadParams p;
  double c[9];

  hl_synth_head_params_init (&p);
  p.n_keys = 1024;
  p.sink_similarity = 0.5;
  p.beta = 0.2;
  g_autoptr(HlSynthHead) h = generate (&p, NULL, 0);

  measure_decay (h, 8, c);
  for (int k = 1; k <= 8; k++)
    g_assert_cmpfloat_with_epsilon (c[k], 0.25 + 0.75 * exp (-0.2 * k), 0.04);
}

static void
test_determinism (void)
{
  HlSynthHeadParams p;
  const int queries[] = { 10, 100, 511 };

  hl_synth_head_params_init (&p);
  p.seed = 77;
  g_autoptr(HlSynthHead) a = generate (&p, queries, 3);
  g_autoptr(HlSynthHead) b = generate (&p, queries, 3);
  p.seed = 78;
  g_autoptr(HlSynthHead) c = generate (&p, queries, 3);
  gsize n_values = sizeof (float) * p.n_keys * p.head_dim;
  gsize n_rows = sizeof (float) * p.n_keys * 3;

  g_assert_cmpmem (a->values, n_values, b->values, n_values);
  g_assert_cmpmem (a->attention, n_rows, b->attention, n_rows);
  g_assert_cmpint (memcmp (a->values, c->values, n_values), !=, 0);
  g_assert_cmpint (memcmp (a->attention, c->attention, n_rows), !=, 0);
}

/* Every row: non-negative, zero after its query, sum 1 within 1e-6. */
static void
assert_rows_valid (const HlSynthHead *h)
{
  for (int q = 0; q < h->n_queries; q++)
    {
      const float *row = h->attention + (gsize) q * h->n_keys;
      int t = h->query_positions[q];
      double sum = 0.0;

      for (int i = 0; i < h->n_keys; i++)
        {
          g_assert_true (isfinite (row[i]));
          g_assert_cmpfloat (row[i], >=, 0.0f);
          if (i > t)
            g_assert_cmpfloat (row[i], ==, 0.0f);
          sum += row[i];
        }
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-6);
    }
}

static void
test_causality_and_sums (void)
{
  for (int profile = 0; profile < HL_SYNTH_N_PROFILES; profile++)
    for (int regime = 0; regime < HL_N_REGIMES; regime++)
      {
        HlSynthHeadParams p;
        g_autofree int *all = g_new (int, 300);

        hl_synth_head_params_init (&p);
        hl_synth_head_params_init_preset (&p, regime);
        p.profile = profile;
        p.n_keys = 300;
        p.head_dim = 16;
        p.temperature = regime == HL_REGIME_MIXER ? 0.5 : 1.0;
        for (int t = 0; t < p.n_keys; t++)
          all[t] = t;
        g_autoptr(HlSynthHead) h = generate (&p, all, p.n_keys);

        assert_rows_valid (h);
      }
}

static const float *
last_row (const HlSynthHead *h)
{
  return h->attention + (gsize) (h->n_queries - 1) * h->n_keys;
}

static void
test_profile_piecewise (void)
{
  HlSynthHeadParams p;
  const float *row;
  int t;
  double tail = 0.0;

  hl_synth_head_params_init (&p);
  hl_synth_head_params_init_preset (&p, HL_REGIME_MIXER);
  p.sink_mass = 0.2;
  p.plateau_level = 0.3;
  p.tail_strength = 0.3;
  p.tail_length = 4.0;
  p.content_mass = 0.2;
  g_autoptr(HlSynthHead) h = generate (&p, NULL, 0);
  row = last_row (h);
  t = p.n_keys - 1;

  /* The parts' weights sum to 1, so they are masses. */
  g_assert_cmpfloat_with_epsilon (row[0], 0.2, 1e-6);
  /* The tail rises towards the query: the last keys beat the plateau. */
  for (int i = t - 3; i <= t; i++)
    g_assert_cmpfloat (row[i], >, row[i - 1]);
  for (int i = t - 40; i <= t; i++)
    tail += row[i];
  g_assert_cmpfloat (tail, >, 0.3);
  /* The content span holds its mass plus its share of the plateau. */
  double span = 0.0;
  for (int j = 0; j < h->n_content; j++)
    span += row[h->content_positions[j]];
  g_assert_cmpint (h->n_content, ==, 8);
  g_assert_cmpfloat (span, >, 0.2);
  g_assert_cmpfloat (span, <, 0.2 + 0.3 * 8 * 4.0 / t);
}

static double
entropy (const float *row,
         int          n)
{
  double e = 0.0;

  for (int i = 0; i < n; i++)
    if (row[i] > 0)
      e -= row[i] * log (row[i]);
  return e;
}

static void
test_profile_temperature (void)
{
  HlSynthHeadParams p;
  double e[3];
  const double temps[] = { 0.5, 1.0, 2.0 };

  hl_synth_head_params_init (&p);
  for (int j = 0; j < 3; j++)
    {
      p.temperature = temps[j];
      g_autoptr(HlSynthHead) h = generate (&p, NULL, 0);
      e[j] = entropy (last_row (h), p.n_keys);
    }
  /* A higher temperature flattens the row. */
  g_assert_cmpfloat (e[0], <, e[1]);
  g_assert_cmpfloat (e[1], <, e[2]);
}

static void
test_profile_uniform_bimodal (void)
{
  HlSynthHeadParams p;
  const int queries[] = { 0, 9, 99 };

  hl_synth_head_params_init (&p);
  p.n_keys = 100;
  p.profile = HL_SYNTH_PROFILE_UNIFORM;
  g_autoptr(HlSynthHead) u = generate (&p, queries, 3);
  p.profile = HL_SYNTH_PROFILE_BIMODAL;
  g_autoptr(HlSynthHead) b = generate (&p, queries, 3);

  for (int i = 0; i <= 9; i++)
    g_assert_cmpfloat_with_epsilon (u->attention[100 + i], 0.1, 1e-6);
  g_assert_cmpfloat (b->attention[0], ==, 1.0f);
  g_assert_cmpfloat_with_epsilon (b->attention[200], 0.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (b->attention[299], 0.5, 1e-7);
  for (int i = 1; i < 99; i++)
    g_assert_cmpfloat (b->attention[200 + i], ==, 0.0f);
}

static void
test_profile_power_law (void)
{
  const double gammas[] = { 0.5, 1.0, 2.0 };

  for (guint j = 0; j < G_N_ELEMENTS (gammas); j++)
    {
      HlSynthHeadParams p;
      double sx = 0, sy = 0, sxx = 0, sxy = 0;
      int n;

      hl_synth_head_params_init (&p);
      p.profile = HL_SYNTH_PROFILE_POWER_LAW;
      p.gamma = gammas[j];
      g_autoptr(HlSynthHead) h = generate (&p, NULL, 0);
      n = p.n_keys;
      for (int i = 0; i < n; i++)
        {
          double x = log (i + 1.0), y = log (h->attention[i]);

          sx += x; sy += y; sxx += x * x; sxy += x * y;
        }
      /* Slope of log alpha against log(i + 1). */
      g_assert_cmpfloat_with_epsilon ((n * sxy - sx * sy) / (n * sxx - sx * sx), -p.gamma, 1e-3);
    }
}

/* The pattern each preset plants, stated on the attention row alone (the
 * regime rule is not used: how it classifies these patterns is tested in
 * tests/geometry/test-regime-recovery.c). */
static gboolean
pattern_holds (HlRegime     regime,
               const float *a,
               int          t)
{
  int top = 0;

  for (int i = 1; i <= t; i++)
    if (a[i] > a[top])
      top = i;
  switch (regime)
    {
    case HL_REGIME_RETRIEVER:
      return top == t && a[t] >= 0.4f;
    case HL_REGIME_RESET:
      return a[0] >= 0.85f;
    case HL_REGIME_MIXER:
      return top == 0 && a[0] <= 0.6f && a[t] <= 0.1f;
    case HL_REGIME_OTHER:
    case HL_N_REGIMES:
    default:
      return top == t - 1 && a[t - 1] >= 0.8f;
    }
}

static void
check_planted (HlRegime regime)
{
  const int lens[] = { 64, 256, 1024 };
  const double lambdas[] = { 0.05, 0.2, 1.0 };
  int total = 0, right = 0;

  for (guint a = 0; a < 3; a++)
    for (guint l = 0; l < 3; l++)
      for (guint64 seed = 1; seed <= 3; seed++)
        {
          HlSynthHeadParams p;
          int n = lens[a];
          int queries[] = { n / 4, n / 2, n - 1 };

          hl_synth_head_params_init (&p);
          hl_synth_head_params_init_preset (&p, regime);
          p.n_keys = n;
          p.head_dim = 16;
          p.sink_lambda = lambdas[l];
          p.seed = seed * 1000 + a * 10 + l;
          g_autoptr(HlSynthHead) h = generate (&p, queries, 3);

          for (int q = 0; q < 3; q++, total++)
            right += pattern_holds (regime, h->attention + (gsize) q * n, queries[q]);
        }
  g_test_message ("%s pattern: %d of %d rows", hl_regime_to_string (regime), right, total);
  g_assert_cmpint (right, ==, total);
}

static void
test_planted_patterns (void)
{
  for (int regime = 0; regime < HL_N_REGIMES; regime++)
    check_planted (regime);
}

static void
test_validation (void)
{
  HlSynthHeadParams p;
  g_autoptr(GError) error = NULL;
  int unsorted[] = { 10, 5 };

  hl_synth_head_params_init (&p);
  p.norm_cv = 0.5;
  g_assert_false (hl_synth_head_params_validate (&p, &error));
  g_assert_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "norm_cv"));
  g_clear_error (&error);

  hl_synth_head_params_init (&p);
  p.head_dim = 1;
  g_assert_null (hl_synth_head_generate (&p, NULL, 0, &error));
  g_assert_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "head_dim"));
  g_clear_error (&error);

  hl_synth_head_params_init (&p);
  p.beta = NAN;
  g_assert_false (hl_synth_head_params_validate (&p, &error));
  g_assert_nonnull (strstr (error->message, "beta"));
  g_clear_error (&error);

  hl_synth_head_params_init (&p);
  g_assert_null (hl_synth_head_generate (&p, unsorted, 2, &error));
  g_assert_nonnull (strstr (error->message, "query position 1"));
}

static void
test_tiny_shapes (void)
{
  const int lens[] = { 1, 2, 3 };

  for (guint j = 0; j < G_N_ELEMENTS (lens); j++)
    {
      HlSynthHeadParams p;

      hl_synth_head_params_init (&p);
      p.n_keys = lens[j];
      p.head_dim = 2;
      p.content_size = MIN (8, lens[j]);
      g_autoptr(HlSynthHead) h = generate (&p, NULL, 0);

      assert_rows_valid (h);
      for (int i = 0; i < p.n_keys * p.head_dim; i++)
        g_assert_true (isfinite (h->values[i]));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/synth/rng/reference", test_rng_reference);
  g_test_add_func ("/synth/rng/normal", test_rng_normal);
  g_test_add_func ("/synth/head/norm-statistics", test_norm_statistics);
  g_test_add_func ("/synth/head/sink-similarity", test_sink_similarity);
  g_test_add_func ("/synth/head/decay-fit", test_decay_fit);
  g_test_add_func ("/synth/head/decay-with-sink-similarity", test_decay_with_sink_similarity);
  g_test_add_func ("/synth/head/determinism", test_determinism);
  g_test_add_func ("/synth/head/causality-and-sums", test_causality_and_sums);
  g_test_add_func ("/synth/head/profile-piecewise", test_profile_piecewise);
  g_test_add_func ("/synth/head/profile-temperature", test_profile_temperature);
  g_test_add_func ("/synth/head/profile-uniform-bimodal", test_profile_uniform_bimodal);
  g_test_add_func ("/synth/head/profile-power-law", test_profile_power_law);
  g_test_add_func ("/synth/head/planted-patterns", test_planted_patterns);
  g_test_add_func ("/synth/head/validation", test_validation);
  g_test_add_func ("/synth/head/tiny-shapes", test_tiny_shapes);

  return g_test_run ();
}
