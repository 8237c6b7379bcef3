/* hl-diagnostics.c: value-norm stability, sink compression and similarity,
 * similarity decay, attention masses and the three output contributions.
 *
 * Everything accumulates in double: the inputs are float32 but sums over
 * 1024 keys of squared norms lose digits otherwise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-diagnostics.h"

#include <cblas.h>
#include <math.h>

/* The guard of FRAMEWORK.md's cosine distance, reused so that a zero vector
 * has cosine 0 with everything instead of NaN. */
#define COSINE_EPS 1e-12

static const float *
row (const HlHeadInput *input,
     int                i)
{
  return input->values + (gsize) i * input->head_dim;
}

/* Four independent partial sums let the compiler keep several
 * multiply-adds in flight (and vectorise them) without reassociating one
 * long chain, which it may not do for doubles on its own: the similarity
 * decay alone calls this K * t times per head. */
static double
dot (const float *restrict a,
     const float *restrict b,
     int                   d)
{
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  int k = 0;

  for (; k + 4 <= d; k += 4)
    {
      s0 += (double) a[k] * b[k];
      s1 += (double) a[k + 1] * b[k + 1];
      s2 += (double) a[k + 2] * b[k + 2];
      s3 += (double) a[k + 3] * b[k + 3];
    }
  for (; k < d; k++)
    s0 += (double) a[k] * b[k];
  return (s0 + s1) + (s2 + s3);
}

/* Fills @norms[i] = ||v_i|| for every key. */
static void
compute_norms (const HlHeadInput *input,
               double            *norms)
{
  for (int i = 0; i < input->n_keys; i++)
    norms[i] = sqrt (dot (row (input, i), row (input, i), input->head_dim));
}

static double
cosine (const HlHeadInput *input,
        const double      *norms,
        int                i,
        int                j)
{
  double num = dot (row (input, i), row (input, j), input->head_dim);

  return num / (norms[i] * norms[j] + COSINE_EPS);
}

/* CV and lambda over the content keys i = 1..t. Without content keys, or
 * with all of them zero, both are reported as 0. */
static void
compute_norm_stats (const HlHeadInput *input,
                    const double      *norms,
                    HlDiagnostics     *out)
{
  int t = input->n_keys - 1;
  double mean = 0.0, var = 0.0;

  out->norm_cv = 0.0f;
  out->sink_ratio = 0.0f;
  if (t < 1)
    return;
  for (int i = 1; i <= t; i++)
    mean += norms[i];
  mean /= t;
  if (mean <= 0.0)
    return;
  for (int i = 1; i <= t; i++)
    var += (norms[i] - mean) * (norms[i] - mean);
  out->norm_cv = (float) (sqrt (var / t) / mean);
  out->sink_ratio = (float) (norms[0] / mean);
}

static void
compute_sink_similarity (const HlHeadInput *input,
                         const double      *norms,
                         HlDiagnostics     *out)
{
  int t = input->n_keys - 1;
  double sum = 0.0;

  out->sink_similarity = 0.0f;
  if (t < 1)
    return;
  for (int i = 1; i <= t; i++)
    sum += cosine (input, norms, 0, i);
  out->sink_similarity = (float) (sum / t);
}

/* v_i / ||v_i|| for every key, as float; a zero vector stays zero, so its
 * cosine with everything is 0 as with the guarded formula. Rounding the unit
 * vectors to float changes a cosine by about 1e-7. */
static float *
unit_rows (const HlHeadInput *input,
           const double      *norms)
{
  int d = input->head_dim;
  float *units = g_new (float, (gsize) input->n_keys * d);

  for (int i = 0; i < input->n_keys; i++)
    {
      double scale = norms[i] > 0.0 ? 1.0 / norms[i] : 0.0;

      for (int c = 0; c < d; c++)
        units[(gsize) i * d + c] = (float) (row (input, i)[c] * scale);
    }
  return units;
}

/* c(k) = mean over i = 1..t-k of cos(v_i, v_{i+k}). */
static void
compute_decay (const HlHeadInput *input,
               const double      *norms,
               int                n_lags,
               HlDiagnostics     *out)
{
  int t = input->n_keys - 1;

  out->n_lags = CLAMP (MIN (n_lags, t - 1), 0, HL_DIAGNOSTICS_MAX_LAGS);
  if (out->n_lags > 0)
    {
      g_autofree float *units = unit_rows (input, norms);
      int d = input->head_dim;

      /* With unit rows stored one after another, the K * t cosines of all
       * lags are K dot products of two overlapping stretches of memory. */
      for (int k = 1; k <= out->n_lags; k++)
        {
          double sum = cblas_dsdot ((t - k) * d, units + d, 1, units + (gsize) (1 + k) * d, 1);

          out->decay[k - 1] = (float) (sum / (t - k));
        }
    }
  out->beta = 0.0f;
  out->beta_mae = 0.0f;
  if (out->n_lags > 0)
    {
      double mae;

      out->beta = (float) hl_diagnostics_fit_decay (out->decay, out->n_lags, &mae);
      out->beta_mae = (float) mae;
    }
}

static void
compute_masses (const HlHeadInput *input,
                HlDiagnostics     *out)
{
  double entropy = 0.0;

  for (int i = 0; i < input->n_keys; i++)
    {
      double a = input->alpha[i];

      /* 0 log 0 = 0; negative weights cannot occur in a validated file. */
      if (a > 0.0)
        entropy -= a * log (a);
    }
  out->entropy = (float) entropy;
  out->sink_mass = input->alpha[0];
  out->last_mass = input->alpha[input->n_keys - 1];
}

/* With a single key (t = 0) that key is the sink, so it is counted once, as
 * a_sink, and a_last is 0: total must not count one token twice. */
static void
compute_contributions (const HlHeadInput *input,
                       const double      *norms,
                       HlDiagnostics     *out)
{
  int t = input->n_keys - 1;
  int d = input->head_dim;
  g_autofree double *rest = g_new0 (double, d);
  double sq = 0.0;

  out->a_sink = (float) (fabs ((double) input->alpha[0]) * norms[0]);
  out->a_last = t >= 1 ? (float) (fabs ((double) input->alpha[t]) * norms[t]) : 0.0f;
  for (int i = 1; i < t; i++)
    {
      const float *v = row (input, i);

      for (int k = 0; k < d; k++)
        rest[k] += (double) input->alpha[i] * v[k];
    }
  for (int k = 0; k < d; k++)
    sq += rest[k] * rest[k];
  out->a_rest = (float) sqrt (sq);
}

void
hl_diagnostics_compute (const HlHeadInput *input,
                        int                n_lags,
                        HlDiagnostics     *out)
{
  g_autofree double *norms = NULL;

  g_return_if_fail (input != NULL);
  g_return_if_fail (input->n_keys >= 1 && input->head_dim >= 1);
  g_return_if_fail (out != NULL);

  *out = (HlDiagnostics) { 0 };
  norms = g_new (double, input->n_keys);
  compute_norms (input, norms);
  compute_norm_stats (input, norms, out);
  compute_sink_similarity (input, norms, out);
  compute_decay (input, norms, n_lags, out);
  compute_masses (input, out);
  compute_contributions (input, norms, out);
}

static double
decay_objective (const float *c,
                 int          n,
                 double       beta)
{
  double sum = 0.0;

  for (int k = 1; k <= n; k++)
    {
      double r = c[k - 1] - exp (-beta * k);
      sum += r * r;
    }
  return sum;
}

/* The candidates of the coarse scan: 0, then geometric steps from 1e-4 to
 * HL_DIAGNOSTICS_MAX_BETA, fine enough that the bracket around the best
 * candidate holds a single minimum for any realistic c(k). */
#define N_SCAN 241

static double
scan_point (int j)
{
  if (j == 0)
    return 0.0;
  return 1e-4 * pow (HL_DIAGNOSTICS_MAX_BETA / 1e-4, (double) (j - 1) / (N_SCAN - 2));
}

/* Golden-section search of the objective on [lo, hi]. */
static double
golden_section (const float *c,
                int          n,
                double       lo,
                double       hi)
{
  const double g = (sqrt (5.0) - 1.0) / 2.0;
  double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
  double f1 = decay_objective (c, n, x1), f2 = decay_objective (c, n, x2);

  for (int iter = 0; iter < 200 && hi - lo > 1e-12 * (1.0 + hi); iter++)
    {
      if (f1 <= f2)
        {
          hi = x2, x2 = x1, f2 = f1;
          x1 = hi - g * (hi - lo);
          f1 = decay_objective (c, n, x1);
        }
      else
        {
          lo = x1, x1 = x2, f1 = f2;
          x2 = lo + g * (hi - lo);
          f2 = decay_objective (c, n, x2);
        }
    }
  return (lo + hi) / 2.0;
}

double
hl_diagnostics_fit_decay (const float *c,
                          int          n,
                          double      *mae)
{
  int best = 0;
  double best_f = G_MAXDOUBLE, beta, err = 0.0;

  g_return_val_if_fail (n == 0 || c != NULL, 0.0);

  if (n <= 0)
    {
      if (mae != NULL)
        *mae = 0.0;
      return 0.0;
    }
  for (int j = 0; j < N_SCAN; j++)
    {
      double f = decay_objective (c, n, scan_point (j));
      if (f < best_f)
        best_f = f, best = j;
    }
  beta = golden_section (c, n, scan_point (MAX (best - 1, 0)),
                         scan_point (MIN (best + 1, N_SCAN - 1)));
  /* The bracket's ends were scanned too: keep the best of the three. */
  if (decay_objective (c, n, scan_point (best)) < decay_objective (c, n, beta))
    beta = scan_point (best);
  /* When no neighbour is positively similar the objective flattens out for
   * large beta (exp(-beta k) underflows against c); report the bound then,
   * so the value does not depend on where the search stopped. */
  if (decay_objective (c, n, HL_DIAGNOSTICS_MAX_BETA) <= decay_objective (c, n, beta))
    beta = HL_DIAGNOSTICS_MAX_BETA;
  for (int k = 1; k <= n; k++)
    err += fabs (c[k - 1] - exp (-beta * k));
  if (mae != NULL)
    *mae = err / n;
  return beta;
}
