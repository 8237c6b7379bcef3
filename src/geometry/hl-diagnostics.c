/* hl-diagnostics.c: value-norm stability, sink compression and similarity,
 * similarity decay, attention masses and the three output contributions.
 *
 * Sums over keys accumulate in double: the inputs are float32 but sums over
 * 1024 keys of squared norms lose digits otherwise. Everything comes from
 * one vectorised pass over the rows: their norms, the decay (each row
 * against the K rows before it, still in the L1 cache), their cosines with
 * v_0 and the row sum of the contributions; about 0.2 ms per paper-sized
 * head (1024 keys, head_dim 128, K = 16) on one core.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-diagnostics.h"

#include <math.h>

/* The guard of the cosine distance (docs/metrics.md), reused so that a zero vector
 * has cosine 0 with everything instead of NaN. */
#define COSINE_EPS 1e-12

/* Float lanes of the lag products. */
#define LANES 8
/* Partner rows whose products with one row are summed at a time: eight
 * independent chains of multiply-adds hide their latency. */
#define PARTNERS 8
/* Rows added to rest (and dotted with v_0) together. */
#define SUM_ROWS 4

/* The row loops are compiled for FMA (which implies AVX) and for the
 * x86-64 baseline, the right one picked at load time (as in
 * hl-separability.c; nothing here needs the exact rounding sequence of the
 * kernel, so products may be fused into sums). Everything row_pass () calls
 * is inlined into it, so that it is compiled for the same target. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HL_VECTOR_CLONES __attribute__ ((target_clones ("fma", "default"), optimize ("O3")))
#else
#define HL_VECTOR_CLONES
#endif

/* Eight floats loaded from any address. */
typedef float VecF __attribute__ ((vector_size (LANES * sizeof (float)), aligned (4), may_alias));
/* Four floats loaded from any address. */
typedef float VecF4 __attribute__ ((vector_size (4 * sizeof (float)), aligned (4), may_alias));
/* Four doubles, at any address of a double. */
typedef double VecD __attribute__ ((vector_size (4 * sizeof (double)), aligned (8), may_alias));

static inline const float *
row (const HlHeadInput *input,
     int                i)
{
  return input->values + (gsize) i * input->head_dim;
}

/* ||v||^2 in double, in eight independent partial sums (each product of two
 * floats is exact in double), so the loop vectorises without reassociating
 * one long chain. */
G_ALWAYS_INLINE static inline double
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
  out->value_norm_max = 0.0f;
  for (int i = 0; i <= t; i++)
    out->value_norm_max = MAX (out->value_norm_max, (float) norms[i]);
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

/* The lane sums of PARTNERS accumulators at once, lane j of the result for
 * acc[j], each as ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) in
 * float: three more roundings, relative 2e-7 at most, against a reduction
 * one lane at a time in double that cost as much as the products. Adjacent
 * lanes first, so that only the last step crosses the halves of the
 * vectors (the slow shuffles). */
G_STATIC_ASSERT (PARTNERS == LANES);

G_ALWAYS_INLINE static inline void
partner_lane_sums (const VecF *acc,
                   VecF       *out)
{
  VecF h[PARTNERS / 2], w[2];

  /* h[p]: l0 + l1, l2 + l3 of acc[2p], then of acc[2p + 1], then the same
   * for l4..l7 in the upper half. */
  for (int p = 0; p < PARTNERS / 2; p++)
    h[p] = __builtin_shufflevector (acc[2 * p], acc[2 * p + 1], 0, 2, 8, 10, 4, 6, 12, 14)
           + __builtin_shufflevector (acc[2 * p], acc[2 * p + 1], 1, 3, 9, 11, 5, 7, 13, 15);
  /* w[r]: l0 + .. + l3 of acc[4r] .. acc[4r + 3], then l4 + .. + l7. */
  for (int r = 0; r < 2; r++)
    w[r] = __builtin_shufflevector (h[2 * r], h[2 * r + 1], 0, 2, 8, 10, 4, 6, 12, 14)
           + __builtin_shufflevector (h[2 * r], h[2 * r + 1], 1, 3, 9, 11, 5, 7, 13, 15);
  *out = __builtin_shufflevector (w[0], w[1], 0, 1, 2, 3, 8, 9, 10, 11)
         + __builtin_shufflevector (w[0], w[1], 4, 5, 6, 7, 12, 13, 14, 15);
}

/* @dots[j] = <@x, @b[j]> in double, from the lanes of @acc[j] (the first @c
 * components) plus the products of the components past the last full
 * vector (head_dim not a multiple of LANES). */
G_ALWAYS_INLINE static inline void
partner_dots (const VecF         *acc,
              const float        *x,
              const float *const *b,
              int                 c,
              int                 d,
              VecD               *dots)
{
  float lanes[PARTNERS] __attribute__ ((aligned (32)));

  partner_lane_sums (acc, (VecF *) lanes);
  /* Converted from memory: GCC 12 splits the conversion of a register's
   * half into four instructions. */
  dots[0] = (VecD) { lanes[0], lanes[1], lanes[2], lanes[3] };
  dots[1] = (VecD) { lanes[4], lanes[5], lanes[6], lanes[7] };
  for (; c < d; c++)
    for (int j = 0; j < PARTNERS; j++)
      dots[j / 4][j % 4] += (double) x[c] * b[j][c];
}

/* ||v||, @lo and @hi holding the partial sums of norm2 () over the first
 * @c components, so with the same bits. */
G_ALWAYS_INLINE static inline double
norm_finish (VecD         lo,
             VecD         hi,
             const float *v,
             int          c,
             int          d)
{
  double sum = ((lo[0] + lo[1]) + (lo[2] + lo[3])) + ((hi[0] + hi[1]) + (hi[2] + hi[3]));

  for (; c < d; c++)
    sum += (double) v[c] * v[c];
  return sqrt (sum);
}

/* <@a, @b> from the lanes of @acc (its first @c components, summed in
 * partner_lane_sums ()'s order) and the products of the components past
 * them. */
G_ALWAYS_INLINE static inline double
lane_sum (VecF         acc,
          const float *a,
          const float *b,
          int          c,
          int          d)
{
  float h2[4] = { acc[0] + acc[1], acc[2] + acc[3], acc[4] + acc[5], acc[6] + acc[7] };
  double sum = (double) ((h2[0] + h2[1]) + (h2[2] + h2[3]));

  for (; c < d; c++)
    sum += (double) a[c] * b[c];
  return sum;
}

/* @rest += @alpha[q] v_q for the @n_rows <= SUM_ROWS rows from @v, in
 * double, row after row for each component (so the same sums as one row
 * at a time) while each sum is loaded and stored once for all of them;
 * @sink[q] = <v_q, @v0>, summed like the decay's dot products. */
G_ALWAYS_INLINE static inline void
block_vectors (double       *restrict rest,
               const float  *restrict v,
               const float  *restrict v0,
               const double          *alpha,
               int                    n_rows,
               int                    d,
               double                *sink)
{
  VecF acc[SUM_ROWS];
  int c = 0;

  for (int q = 0; q < n_rows; q++)
    acc[q] = (VecF) { 0 };
  for (; c + LANES <= d; c += LANES)
    {
      VecF z = *(const VecF *) (v0 + c);
      VecD lo = *(const VecD *) (rest + c), hi = *(const VecD *) (rest + c + 4);

      for (int q = 0; q < n_rows; q++)
        {
          const float *w = v + (gsize) q * d + c;
          VecD w_lo = { w[0], w[1], w[2], w[3] }, w_hi = { w[4], w[5], w[6], w[7] };

          acc[q] += *(const VecF *) w * z;
          lo += alpha[q] * w_lo;
          hi += alpha[q] * w_hi;
        }
      *(VecD *) (rest + c) = lo;
      *(VecD *) (rest + c + 4) = hi;
    }
  for (int q = 0; q < n_rows; q++)
    sink[q] = lane_sum (acc[q], v + (gsize) q * d, v0, c, d);
  for (; c < d; c++)
    {
      double r = rest[c];

      for (int q = 0; q < n_rows; q++)
        r += alpha[q] * v[(gsize) q * d + c];
      rest[c] = r;
    }
}

/* acc[j] += the products of the components @c..@c + LANES - 1 of @x and
 * @b[j]. */
G_ALWAYS_INLINE static inline void
partner_products (VecF               *acc,
                  const float        *x,
                  const float *const *b,
                  int                 c)
{
  VecF v = *(const VecF *) (x + c);

  for (int j = 0; j < PARTNERS; j++)
    acc[j] += v * *(const VecF *) (b[j] + c);
}

/* The components @c..@c + 3 of @v in lanes 4..7 (@high) or 0..3 of
 * @out, the other lanes 0. */
G_ALWAYS_INLINE static inline void
load_quarter (const float *v,
              int          c,
              gboolean     high,
              VecF        *out)
{
  VecF4 q = *(const VecF4 *) (v + c), zero = { 0 };

  if (high)
    *out = __builtin_shufflevector (zero, q, 0, 1, 2, 3, 4, 5, 6, 7);
  else
    *out = __builtin_shufflevector (q, zero, 0, 1, 2, 3, 4, 5, 6, 7);
}

/* acc[j] += the products of the components @c..@c + 3 of @x and @b[j] in
 * lanes 4..7 (@high) or 0..3 (adding 0 to the others, which changes
 * nothing: a sum of products is never -0), and @squares += those of @next
 * if not NULL. */
G_ALWAYS_INLINE static inline void
partner_quarter (VecF               *acc,
                 const float        *x,
                 const float *const *b,
                 int                 c,
                 gboolean            high,
                 const float        *next,
                 VecD               *squares)
{
  VecF v;

  load_quarter (x, c, high, &v);
  for (int j = 0; j < PARTNERS; j++)
    {
      VecF y;

      load_quarter (b[j], c, high, &y);
      acc[j] += v * y;
    }
  if (next != NULL)
    {
      const float *w = next + c;
      VecD w4 = { w[0], w[1], w[2], w[3] };

      *squares += w4 * w4;
    }
}

/* @lags[j] += @dots[j] / (@n_x @norms[j] + eps) for j < @n, four at a
 * time in double vectors when all PARTNERS are there. */
G_ALWAYS_INLINE static inline void
add_cosines (const VecD   *dots,
             int           n,
             double        n_x,
             const double *norms,
             double       *lags)
{
  if (n == PARTNERS)
    for (int h = 0; h < 2; h++)
      *(VecD *) (lags + 4 * h) += dots[h] / (n_x * *(const VecD *) (norms + 4 * h) + COSINE_EPS);
  else
    for (int j = 0; j < n; j++)
      lags[j] += dots[j / 4][j % 4] / (n_x * norms[j] + COSINE_EPS);
}

/* Each dot product of the decay and of the sink similarity is summed in
 * float over LANES lanes (at most d / LANES + 3 roundings, so within about
 * (d / LANES + 3) * 6e-8 of ||v_i|| ||v_j||, far below the float32 they
 * are reported in) and the cosines in double, so the error does not grow
 * with the number of keys.
 *
 * @lags[j] += cos(v_x, v_{p+j}) for the @n partner rows p + j, j < @n <=
 * PARTNERS, from @p on (the rows one after another), v_x at @x, @n_x =
 * ||v_x|| and @norms[j] = ||v_{p+j}||. With fewer than PARTNERS partners,
 * the last one is repeated and its sums dropped. When @next is not NULL,
 * also returns the norm of the row there, the row after v_x: its squares
 * fill the gaps of the chains of multiply-adds, and its norm is known long
 * before its own cosines need it.
 *
 * With @shift, the rows start 16 bytes past a 32-byte boundary (as a
 * block from malloc () may) and head_dim is a multiple of LANES: the
 * vectors are then loaded four components further on, from aligned
 * addresses, so that their halves are swapped against the plain layout;
 * the first four components go into the upper lanes before them and the
 * last four into the lower lanes after them. Every lane sums the same
 * products in the same order as in the plain layout, and the lane sums
 * only swap the two halves' sums, so the results have the same bits
 * whatever the alignment. Otherwise half of the loads would cross a cache
 * line, which made the loop 1.5 times slower. */
G_ALWAYS_INLINE static inline double
partner_cosines (const float  *restrict x,
                 const float  *restrict p,
                 int                    n,
                 int                    d,
                 double                 n_x,
                 const double *restrict norms,
                 double       *restrict lags,
                 const float  *restrict next,
                 gboolean               shift)
{
  const float *b[PARTNERS];
  VecF acc[PARTNERS];
  /* The squares of the first and second half of each vector loaded. */
  VecD dots[2], first = { 0 }, second = { 0 };
  int c = shift ? LANES / 2 : 0, end = shift ? d - LANES / 2 : d;

  for (int j = 0; j < PARTNERS; j++)
    {
      b[j] = p + (gsize) MIN (j, n - 1) * d;
      acc[j] = (VecF) { 0 };
    }
  if (shift)
    partner_quarter (acc, x, b, 0, TRUE, next, &second);
  /* Two loops, so that the one without a next row does not test for it. */
  if (next != NULL)
    for (; c + LANES <= end; c += LANES)
      {
        const float *w = next + c;
        VecD w_lo = { w[0], w[1], w[2], w[3] }, w_hi = { w[4], w[5], w[6], w[7] };

        partner_products (acc, x, b, c);
        first += w_lo * w_lo;
        second += w_hi * w_hi;
      }
  else
    for (; c + LANES <= end; c += LANES)
      partner_products (acc, x, b, c);
  if (shift)
    {
      partner_quarter (acc, x, b, d - LANES / 2, FALSE, next, &first);
      c = d;
    }
  partner_dots (acc, x, b, c, d, dots);
  add_cosines (dots, n, n_x, norms, lags);
  if (next == NULL)
    return 0.0;
  /* norm2 ()'s partial sums of the components 0..3 and 4..7 modulo 8. */
  return shift ? norm_finish (second, first, next, c, d) : norm_finish (first, second, next, c, d);
}

/* The state of the one pass over the rows. */
typedef struct
{
  const HlHeadInput *input;
  int      n_lags;
  double  *norms;      /* [n_keys] ||v_i|| */
  double  *rest;       /* [d] sum_{0<i<t} alpha_i v_i */
  double   sink_cosines; /* sum_{i>=1} cos(v_0, v_i) */
  /* back[K - k] = sum_i cos(v_{i-k}, v_i): the lags backwards, so that
   * the partners of a row, the rows before it, are in memory order. */
  double   back[HL_DIAGNOSTICS_MAX_LAGS];
} RowPass;

/* The decay sums of row @i against the rows before it, max(1, i - K) to
 * i - 1, PARTNERS at a time from the earliest: pair (i - k, i) adds to the
 * sum of lag k after the pairs of the rows before i, so each lag is
 * summed in the order of its first row. Also fills the norm of row i + 1
 * (if any). */
G_ALWAYS_INLINE static inline void
row_lags (RowPass *pass,
          int      i)
{
  const HlHeadInput *input = pass->input;
  const float *next = i < input->n_keys - 1 ? row (input, i + 1) : NULL;
  int p = MAX (1, i - pass->n_lags), d = input->head_dim;
  gboolean shift = (guintptr) input->values % 32 == 16 && d % LANES == 0;

  if (p == i && next != NULL)
    pass->norms[i + 1] = sqrt (norm2 (next, input->head_dim));
  for (; p < i; p += PARTNERS)
    {
      gboolean last = p + PARTNERS >= i;
      double n_next;

      n_next = partner_cosines (row (input, i), row (input, p), MIN (PARTNERS, i - p),
                                input->head_dim, pass->norms[i], pass->norms + p,
                                pass->back + pass->n_lags - i + p, last ? next : NULL,
                                shift);
      if (last && next != NULL)
        pass->norms[i + 1] = n_next;
    }
}

/* rest and the cosines with v_0 of the @n_rows rows from @i, whose norms
 * are known. */
G_ALWAYS_INLINE static inline void
block_row_sums (RowPass *pass,
                int      i,
                int      n_rows)
{
  const HlHeadInput *input = pass->input;
  double alpha[SUM_ROWS], sink[SUM_ROWS];

  for (int q = 0; q < n_rows; q++)
    alpha[q] = i + q < input->n_keys - 1 ? (double) input->alpha[i + q] : 0.0;
  if (n_rows == SUM_ROWS)
    block_vectors (pass->rest, row (input, i), row (input, 0), alpha, SUM_ROWS,
                   input->head_dim, sink);
  else
    for (int q = 0; q < n_rows; q++)
      block_vectors (pass->rest, row (input, i + q), row (input, 0), alpha + q, 1,
                     input->head_dim, sink + q);
  for (int q = 0; q < n_rows; q++)
    pass->sink_cosines += sink[q] / (pass->norms[0] * pass->norms[i + q] + COSINE_EPS);
}

/* One pass over the content rows for the norms, the sink similarity, the
 * decay and the contributions: each row is read for its norm and against
 * the K rows before it (still in the L1 cache), and SUM_ROWS rows at a time
 * into rest and against v_0. */
HL_VECTOR_CLONES
static void
row_pass (RowPass *pass)
{
  const HlHeadInput *input = pass->input;
  int t = input->n_keys - 1, first = 1;

  for (int k = 0; k < pass->n_lags; k++)
    pass->back[k] = 0.0;
  pass->norms[0] = sqrt (norm2 (row (input, 0), input->head_dim));
  if (t >= 1)
    pass->norms[1] = sqrt (norm2 (row (input, 1), input->head_dim));
  for (int i = 1; i <= t; i++)
    {
      row_lags (pass, i);
      if (i + 1 - first == SUM_ROWS)
        {
          block_row_sums (pass, first, SUM_ROWS);
          first = i + 1;
        }
    }
  if (first <= t)
    block_row_sums (pass, first, t + 1 - first);
}

/* rho0 = (1/t) sum_i cos(v_0, v_i). */
static void
compute_sink_similarity (const HlHeadInput *input,
                         const RowPass     *sums,
                         HlDiagnostics     *out)
{
  int t = input->n_keys - 1;

  out->sink_similarity = t >= 1 ? (float) (sums->sink_cosines / t) : 0.0f;
}

/* c(k) = mean over i = 1..t-k of cos(v_i, v_{i+k}). */
static void
compute_decay (const HlHeadInput *input,
               const RowPass     *sums,
               HlDiagnostics     *out)
{
  int t = input->n_keys - 1;

  for (int k = 1; k <= out->n_lags; k++)
    out->decay[k - 1] = (float) (sums->back[out->n_lags - k] / (t - k));
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
  float first = -G_MAXFLOAT, second = -G_MAXFLOAT;

  for (int i = 0; i < input->n_keys; i++)
    {
      double a = input->alpha[i];

      if (input->alpha[i] > first)
        second = first, first = input->alpha[i];
      else if (input->alpha[i] > second)
        second = input->alpha[i];
      /* 0 log 0 = 0; negative weights cannot occur in a validated file. */
      if (a > 0.0)
        entropy -= a * log (a);
    }
  out->entropy = (float) entropy;
  out->attention_gap = input->n_keys >= 2 ? (float) ((double) first - second) : 0.0f;
  out->sink_mass = input->alpha[0];
  out->last_mass = input->alpha[input->n_keys - 1];
  out->peak_key = -1;
  out->peak_mass = 0.0f;
  for (int i = 1; i < input->n_keys - 1; i++)
    if (out->peak_key < 0 || input->alpha[i] > out->peak_mass)
      {
        out->peak_key = i;
        out->peak_mass = input->alpha[i];
      }
}

/* With a single key (t = 0) that key is the sink, so it is counted once, as
 * a_sink, and a_last is 0: total must not count one token twice. */
static void
compute_contributions (const HlHeadInput *input,
                       const double      *norms,
                       const RowPass     *sums,
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
  g_autofree double *rest = NULL;
  RowPass pass;
  int t;

  g_return_if_fail (input != NULL);
  g_return_if_fail (input->n_keys >= 1 && input->head_dim >= 1);
  g_return_if_fail (out != NULL);

  *out = (HlDiagnostics) { 0 };
  t = input->n_keys - 1;
  out->n_lags = CLAMP (MIN (n_lags, t - 1), 0, HL_DIAGNOSTICS_MAX_LAGS);
  norms = g_new (double, input->n_keys);
  rest = g_new0 (double, input->head_dim);
  pass = (RowPass) {
    .input = input,
    .n_lags = out->n_lags,
    .norms = norms,
    .rest = rest,
  };
  row_pass (&pass);
  compute_norm_stats (input, norms, out);
  compute_sink_similarity (input, &pass, out);
  compute_decay (input, &pass, out);
  compute_masses (input, out);
  compute_contributions (input, norms, &pass, out);
}

/* The objective at beta with @q = exp (-beta). */
static double
decay_objective_q (const float *c,
                   int          n,
                   double       q)
{
  double sum = 0.0, e = 1.0;

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

static double
decay_objective (const float *c,
                 int          n,
                 double       beta)
{
  return decay_objective_q (c, n, exp (-beta));
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

typedef struct
{
  double beta[N_SCAN];
  double q[N_SCAN];     /* exp (-beta) */
} ScanTable;

/* The scan candidates and their exp (-beta), computed once: a pow () and
 * an exp () for each of them per head were a third of the time of the
 * fit. */
static const ScanTable *
scan_table (void)
{
  static ScanTable table;
  static gsize ready = 0;

  if (g_once_init_enter (&ready))
    {
      for (int j = 0; j < N_SCAN; j++)
        {
          table.beta[j] = scan_point (j);
          table.q[j] = exp (-table.beta[j]);
        }
      g_once_init_leave (&ready, 1);
    }
  return &table;
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
  const ScanTable *scan;
  int best = 0;
  double best_f = G_MAXDOUBLE, beta, err = 0.0;

  g_return_val_if_fail (n == 0 || c != NULL, 0.0);

  if (n <= 0)
    {
      if (mae != NULL)
        *mae = 0.0;
      return 0.0;
    }
  scan = scan_table ();
  for (int j = 0; j < N_SCAN; j++)
    {
      double f = decay_objective_q (c, n, scan->q[j]);
      if (f < best_f)
        best_f = f, best = j;
    }
  beta = golden_section (c, n, scan->beta[MAX (best - 1, 0)],
                         scan->beta[MIN (best + 1, N_SCAN - 1)]);
  /* The bracket's ends were scanned too: keep the best of the three. */
  if (decay_objective_q (c, n, scan->q[best]) < decay_objective (c, n, beta))
    beta = scan->beta[best];
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
