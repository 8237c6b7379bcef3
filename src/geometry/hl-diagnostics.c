/* hl-diagnostics.c: value-norm stability, sink compression and similarity,
 * similarity decay, attention masses and the three output contributions.
 *
 * Sums over keys accumulate in double: the inputs are float32 but sums over
 * 1024 keys of squared norms lose digits otherwise. Everything comes from two
 * vectorised passes over the rows: the norms, then one pass for the sink
 * similarity, the similarity decay (each row against its next K rows while
 * they are in the L1 cache) and the contributions; about 0.1 ms per
 * paper-sized head.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-diagnostics.h"

#include <math.h>

/* The guard of FRAMEWORK.md's cosine distance, reused so that a zero vector
 * has cosine 0 with everything instead of NaN. */
#define COSINE_EPS 1e-12

/* Float lanes of the lag products. */
#define LANES 8
/* Partner rows whose products with one row are summed at a time: eight
 * independent chains of multiply-adds hide their latency. */
#define PARTNERS 8

/* The row loops are compiled for FMA (which implies AVX) and for the
 * x86-64 baseline, the right one picked at load time (as in
 * hl-separability.c; nothing here needs the exact rounding sequence of the
 * kernel, so products may be fused into sums). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HL_VECTOR_CLONES __attribute__ ((target_clones ("fma", "default"), optimize ("O3")))
#else
#define HL_VECTOR_CLONES
#endif

/* Eight floats loaded from any address. */
typedef float VecF __attribute__ ((vector_size (LANES * sizeof (float)), aligned (4), may_alias));
/* Four doubles, at 32-byte aligned addresses. */
typedef double VecD __attribute__ ((vector_size (4 * sizeof (double)), may_alias));

static const float *
row (const HlHeadInput *input,
     int                i)
{
  return input->values + (gsize) i * input->head_dim;
}

/* ||v||^2 in double, in eight independent partial sums (each product of two
 * floats is exact in double), so the loop vectorises without reassociating
 * one long chain. */
HL_VECTOR_CLONES
static double
norm2 (const float *restrict v,
       int                   d)
{
  double acc[8] = { 0 }, sum;
  int c = 0;

  for (; c + 8 <= d; c += 8)
    for (int q = 0; q < 8; q++)
      acc[q] += (double) v[c + q] * v[c + q];
  sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; c < d; c++)
    sum += (double) v[c] * v[c];
  return sum;
}

/* @rest += @a_rest @v and @weighted += @a_weighted @v in double, component
 * by component: the two row sums of one pass. */
HL_VECTOR_CLONES
static void
add_scaled2 (double      *restrict rest,
             double      *restrict weighted,
             const float *restrict v,
             double                a_rest,
             double                a_weighted,
             int                   d)
{
  for (int c = 0; c < d; c++)
    {
      double x = v[c];

      rest[c] += a_rest * x;
      weighted[c] += a_weighted * x;
    }
}

/* Fills @norms[i] = ||v_i|| for every key. */
static void
compute_norms (const HlHeadInput *input,
               double            *norms)
{
  for (int i = 0; i < input->n_keys; i++)
    norms[i] = sqrt (norm2 (row (input, i), input->head_dim));
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

/* The lanes of @acc summed pairwise (three more float roundings, relative
 * 2e-7 at most, against a reduction of eight lanes one by one in double
 * that cost as much as the products), plus the products of the components
 * past the last full vector. */
static inline double
lanes_sum (VecF                  acc,
           const float *restrict a,
           const float *restrict b,
           int                   c,
           int                   d)
{
  float h4[4] = { acc[0] + acc[4], acc[1] + acc[5], acc[2] + acc[6], acc[3] + acc[7] };
  double s = (double) ((h4[0] + h4[2]) + (h4[1] + h4[3]));

  for (; c < d; c++)
    s += (double) a[c] * b[c];
  return s;
}

/* The lane sums of PARTNERS accumulators at once, lane j of the result for
 * acc[j], each in exactly lanes_sum ()'s order of float additions (so the
 * same bits): the horizontal sums one partner at a time went through the
 * stack and were about half of the time of row_lag_cosines (). */
G_STATIC_ASSERT (PARTNERS == LANES);

static inline void
partner_lane_sums (const VecF *acc,
                   VecF       *out)
{
  VecF h[PARTNERS / 2], w[2];

  /* h[p] = h4 of acc[2p] in lanes 0..3, of acc[2p + 1] in lanes 4..7. */
  for (int p = 0; p < PARTNERS / 2; p++)
    h[p] = __builtin_shufflevector (acc[2 * p], acc[2 * p + 1], 0, 1, 2, 3, 8, 9, 10, 11)
           + __builtin_shufflevector (acc[2 * p], acc[2 * p + 1], 4, 5, 6, 7, 12, 13, 14, 15);
  /* w[r]: h4[0] + h4[2] and h4[1] + h4[3] of four partners, side by side. */
  for (int r = 0; r < 2; r++)
    w[r] = __builtin_shufflevector (h[2 * r], h[2 * r + 1], 0, 1, 4, 5, 8, 9, 12, 13)
           + __builtin_shufflevector (h[2 * r], h[2 * r + 1], 2, 3, 6, 7, 10, 11, 14, 15);
  *out = __builtin_shufflevector (w[0], w[1], 0, 2, 4, 6, 8, 10, 12, 14)
         + __builtin_shufflevector (w[0], w[1], 1, 3, 5, 7, 9, 11, 13, 15);
}

/* @dots[j] = the dot products (from @lanes, or already in @dots when
 * @lanes is NULL) divided by @den[j], four at a time in double vectors: one
 * by one, the conversions and the latency of the divisions were a third of
 * the time of row_lag_cosines (). */
static inline void
partner_cosines (const VecF   *lanes,
                 double       *dots,
                 const double *den)
{
  for (int h = 0; h < PARTNERS; h += 4)
    {
      VecD num;

      if (lanes != NULL)
        num = (VecD) { (*lanes)[h], (*lanes)[h + 1], (*lanes)[h + 2], (*lanes)[h + 3] };
      else
        num = *(const VecD *) (dots + h);
      *(VecD *) (dots + h) = num / *(const VecD *) (den + h);
    }
}

/* @sums[k - 1] += cos(v_i, v_{i+k}) for k = 1..@k_max, v_i at @a, the rows
 * one after another and @norms[k] = ||v_{i+k}||. PARTNERS rows at a time
 * share the loads of v_i; when fewer remain, the last one is repeated and
 * its sums dropped. Each dot product is summed in float over LANES lanes (at
 * most d / LANES + 3 roundings, so within about (d / LANES + 3) * 6e-8 of
 * ||v_i|| ||v_{i+k}||, far below the float32 the decay is reported in) and
 * the cosines in double, so the error does not grow with the number of
 * keys. */
HL_VECTOR_CLONES
static void
row_lag_cosines (const float  *restrict a,
                 const double *restrict norms,
                 int                    d,
                 int                    k_max,
                 double       *restrict sums)
{
  for (int k0 = 1; k0 <= k_max; k0 += PARTNERS)
    {
      const float *b[PARTNERS];
      VecF acc[PARTNERS];
      double dots[PARTNERS] __attribute__ ((aligned (32)));
      double den[PARTNERS] __attribute__ ((aligned (32)));
      VecF lanes;
      int c = 0;

      for (int j = 0; j < PARTNERS; j++)
        {
          b[j] = a + (gsize) MIN (k0 + j, k_max) * d;
          acc[j] = (VecF) { 0 };
        }
      for (; c + LANES <= d; c += LANES)
        {
          VecF x = *(const VecF *) (a + c);

          for (int j = 0; j < PARTNERS; j++)
            acc[j] += x * *(const VecF *) (b[j] + c);
        }
      /* Components past the last full vector (head_dim not a multiple of
       * LANES) are added to each partner's sum in lanes_sum (). */
      if (c == d)
        partner_lane_sums (acc, &lanes);
      else
        for (int j = 0; j < PARTNERS; j++)
          dots[j] = lanes_sum (acc[j], a, b[j], c, d);
      for (int j = 0; j < PARTNERS; j++)
        den[j] = norms[0] * norms[MIN (k0 + j, k_max)] + COSINE_EPS;
      partner_cosines (c == d ? &lanes : NULL, dots, den);
      for (int j = 0; j < PARTNERS && k0 + j <= k_max; j++)
        sums[k0 + j - 1] += dots[j];
    }
}

/* The sums of one pass over the content rows i = 1..t. */
typedef struct
{
  double *rest;       /* [d] sum_{0<i<t} alpha_i v_i */
  double *weighted;   /* [d] sum_{i>=1} v_i / (||v_0|| ||v_i|| + eps) */
  double  lags[HL_DIAGNOSTICS_MAX_LAGS]; /* sum_i cos(v_i, v_{i+k}) */
} RowSums;

/* One pass over the content rows for the sink similarity, the decay and
 * the contributions: each row once against its next K rows (still in the
 * L1 cache) and into the two row sums. */
static void
row_sums (const HlHeadInput *input,
          const double      *norms,
          int                n_lags,
          RowSums           *sums)
{
  int t = input->n_keys - 1, d = input->head_dim;

  for (int k = 0; k < n_lags; k++)
    sums->lags[k] = 0.0;
  for (int i = 1; i <= t; i++)
    {
      add_scaled2 (sums->rest, sums->weighted, row (input, i),
                   i < t ? (double) input->alpha[i] : 0.0,
                   1.0 / (norms[0] * norms[i] + COSINE_EPS), d);
      if (i < t && n_lags > 0)
        row_lag_cosines (row (input, i), norms + i, d, MIN (n_lags, t - i), sums->lags);
    }
}

/* rho0 = (1/t) sum_i <v_0, v_i> / (||v_0|| ||v_i|| + eps)
 *      = (1/t) <v_0, sum_i v_i / (||v_0|| ||v_i|| + eps)>:
 * one weighted sum of the rows in double, then one dot product, instead of
 * t dot products. */
static void
compute_sink_similarity (const HlHeadInput *input,
                         const RowSums     *sums,
                         HlDiagnostics     *out)
{
  int t = input->n_keys - 1;
  double sum = 0.0;

  out->sink_similarity = 0.0f;
  if (t < 1)
    return;
  for (int c = 0; c < input->head_dim; c++)
    sum += (double) row (input, 0)[c] * sums->weighted[c];
  out->sink_similarity = (float) (sum / t);
}

/* c(k) = mean over i = 1..t-k of cos(v_i, v_{i+k}). */
static void
compute_decay (const HlHeadInput *input,
               const RowSums     *sums,
               HlDiagnostics     *out)
{
  int t = input->n_keys - 1;

  for (int k = 1; k <= out->n_lags; k++)
    out->decay[k - 1] = (float) (sums->lags[k - 1] / (t - k));
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
                       const RowSums     *sums,
                       HlDiagnostics     *out)
{
  int t = input->n_keys - 1;
  double sq = 0.0;

  out->a_sink = (float) (fabs ((double) input->alpha[0]) * norms[0]);
  out->a_last = t >= 1 ? (float) (fabs ((double) input->alpha[t]) * norms[t]) : 0.0f;
  for (int k = 0; k < input->head_dim; k++)
    sq += sums->rest[k] * sums->rest[k];
  out->a_rest = (float) sqrt (sq);
}

void
hl_diagnostics_compute (const HlHeadInput *input,
                        int                n_lags,
                        HlDiagnostics     *out)
{
  g_autofree double *norms = NULL;
  g_autofree double *row_memory = NULL;
  RowSums sums;
  int t;

  g_return_if_fail (input != NULL);
  g_return_if_fail (input->n_keys >= 1 && input->head_dim >= 1);
  g_return_if_fail (out != NULL);

  *out = (HlDiagnostics) { 0 };
  t = input->n_keys - 1;
  out->n_lags = CLAMP (MIN (n_lags, t - 1), 0, HL_DIAGNOSTICS_MAX_LAGS);
  norms = g_new (double, input->n_keys);
  row_memory = g_new0 (double, 2 * (gsize) input->head_dim);
  sums.rest = row_memory;
  sums.weighted = row_memory + input->head_dim;
  compute_norms (input, norms);
  compute_norm_stats (input, norms, out);
  row_sums (input, norms, out->n_lags, &sums);
  compute_sink_similarity (input, &sums, out);
  compute_decay (input, &sums, out);
  compute_masses (input, out);
  compute_contributions (input, norms, &sums, out);
}

static double
decay_objective (const float *c,
                 int          n,
                 double       beta)
{
  double sum = 0.0, q = exp (-beta), e = 1.0;

  /* exp (-beta k) as the k-th power of exp (-beta): within k roundings
   * (1e-14 for k <= 64) of the exponential, for one exp per call. */
  for (int k = 1; k <= n; k++)
    {
      double r;

      e *= q;
      r = c[k - 1] - e;
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
