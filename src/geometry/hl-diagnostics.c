/* hl-diagnostics.c: value-norm stability, sink compression and similarity,
 * similarity decay, attention masses and the three output contributions.
 *
 * Sums over keys accumulate in double: the inputs are float32 but sums over
 * 1024 keys of squared norms lose digits otherwise. Everything comes from
 * one vectorised pass over the rows: their norms, the decay (each row
 * against the K rows before it, kept in the L1 cache), their cosines with
 * v_0 and the row sum of the contributions; about 0.07 ms per paper-sized
 * head (1024 keys, head_dim 128, K = 16) on one core with AVX-512.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-diagnostics.h"
#include "hl-distance-gemm.h"

#include <math.h>
#include <string.h>

/* The guard of the cosine distance (docs/metrics.md), reused so that a zero vector
 * has cosine 0 with everything instead of NaN. */
#define COSINE_EPS 1e-12

/* The lanes of the dot products of the decay and of the sink similarity:
 * component c of a row is summed in lane c % SUM_LANES, in float, and the
 * lanes are added in one fixed tree (fold_lanes16 ()). Every processor
 * path computes these same operations, so the results do not depend on
 * the path, nor on the address of the values (the rows are copied into
 * aligned chunks first). */
#define SUM_LANES 16
/* Partner rows of a row whose dot products are summed at a time: with
 * AVX-512 one register a partner, otherwise (sixteen registers of eight
 * lanes) eight partners and each half of the lanes in its own loop. */
#define GROUP_AVX512 16
#define GROUP_PORTABLE 8

/* The portable row pass is compiled for FMA (which implies AVX) and for
 * the x86-64 baseline, the right one picked at load time, and the AVX-512
 * one where the processor has it (hl_cpu_has_avx512 (), which
 * HEADLENS_NO_AVX512 turns off so that the tests compare both). Products
 * are fused into the sums on every path that has FMA, so those paths give
 * the same bits; the baseline without FMA rounds each product first.
 * Everything the passes call is inlined into them, so that it is compiled
 * for the same target. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HL_VECTOR_CLONES __attribute__ ((target_clones ("fma", "default"), optimize ("O3")))
#define HAVE_AVX512_PASS 1
#else
#define HL_VECTOR_CLONES
#endif

/* Sixteen and eight floats at their natural alignment (the ring's chunks). */
typedef float VecF16 __attribute__ ((vector_size (SUM_LANES * sizeof (float))));
typedef float VecF8 __attribute__ ((vector_size (8 * sizeof (float))));
/* Sixteen and eight floats loaded from any address. */
typedef float VecF16u __attribute__ ((vector_size (SUM_LANES * sizeof (float)), aligned (4), may_alias));
typedef float VecF8u __attribute__ ((vector_size (8 * sizeof (float)), aligned (4), may_alias));
/* Eight and four doubles, at any address of a double. */
typedef double VecD8 __attribute__ ((vector_size (8 * sizeof (double)), aligned (8), may_alias));
typedef double VecD __attribute__ ((vector_size (4 * sizeof (double)), aligned (8), may_alias));

static inline const float *
row (const HlHeadInput *input,
     int                i)
{
  return input->values + (gsize) i * input->head_dim;
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

/* Rows are taken BATCH at a time: their norms, contributions and dot
 * products with v_0 in one loop (whose chains of additions overlap), then
 * their decay sums. */
#define BATCH 16

/* The rows of the decay's window, copied in chunks of SUM_LANES
 * components (the last one padded with zeros): chunk m of the row in slot
 * s is at chunks + m * chunk_stride + s * SUM_LANES. Row r is in slot r %
 * n_slots, and rows in the first SUM_LANES slots again in slot n_slots +
 * s, so the partners of a row, up to SUM_LANES rows from any slot, are in
 * consecutive slots: one pointer and fixed offsets address all of them. */
typedef struct
{
  float *memory;
  float *chunks;
  int    n_chunks;
  int    n_slots;       /* a power of two >= K + BATCH: a batch and the K rows before it */
  gsize  chunk_stride;  /* (n_slots + SUM_LANES) * SUM_LANES */
  float *sink;          /* v_0 in chunks, [n_chunks][SUM_LANES] */
  float *pending;       /* the lanes of <v_i, v_0> of a batch, [BATCH][SUM_LANES] */
} Ring;

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
  /* For a values summary (else NULL): sink_cosines and back after each
   * row, [n_keys] and [n_keys][K]. */
  double  *sink_after;
  double  *back_after;
  Ring     ring;
} RowPass;

struct _HlValuesSummary
{
  const float *values;
  int          n_keys;
  int          head_dim;
  int          n_lags;
  double      *norms;       /* [n_keys] */
  double      *sink_after;  /* [n_keys] */
  double      *back_after;  /* [n_keys][n_lags] */
};

static void
ring_init (Ring *ring,
           int   head_dim,
           int   n_lags)
{
  gsize n_floats;

  ring->n_chunks = (head_dim + SUM_LANES - 1) / SUM_LANES;
  ring->n_slots = 1;
  while (ring->n_slots < n_lags + BATCH)
    ring->n_slots *= 2;
  ring->chunk_stride = (gsize) (ring->n_slots + SUM_LANES) * SUM_LANES;
  n_floats = ring->n_chunks * (ring->chunk_stride + SUM_LANES) + BATCH * SUM_LANES;
  ring->memory = g_aligned_alloc0 (n_floats, sizeof (float), 64);
  ring->chunks = ring->memory;
  ring->sink = ring->chunks + ring->n_chunks * ring->chunk_stride;
  ring->pending = ring->sink + ring->n_chunks * SUM_LANES;
}

static inline const float *
ring_slot (const Ring *ring,
           int         r)
{
  return ring->chunks + (gsize) (r & (ring->n_slots - 1)) * SUM_LANES;
}

/* @v (@d components) into the chunks at @dst, @stride floats apart, and
 * the same at @dst + @second (which may be 0); in registers of sixteen
 * floats (@wide) or of eight. */
G_ALWAYS_INLINE static inline void
store_chunks (const float *restrict v,
              int                   d,
              float       *restrict dst,
              gsize                 stride,
              gsize                 second,
              gboolean              wide)
{
  int m = 0;

  for (; (m + 1) * SUM_LANES <= d; m++)
    if (wide)
      {
        VecF16 c = *(const VecF16u *) (v + m * SUM_LANES);

        *(VecF16 *) (dst + m * stride) = c;
        *(VecF16 *) (dst + m * stride + second) = c;
      }
    else
      for (int h = 0; h < SUM_LANES; h += 8)
        {
          VecF8 c = *(const VecF8u *) (v + m * SUM_LANES + h);

          *(VecF8 *) (dst + m * stride + h) = c;
          *(VecF8 *) (dst + m * stride + second + h) = c;
        }
  if (m * SUM_LANES < d)
    {
      float c[SUM_LANES] = { 0 };

      memcpy (c, v + m * SUM_LANES, sizeof (float) * (d - m * SUM_LANES));
      memcpy (dst + m * stride, c, sizeof c);
      memcpy (dst + m * stride + second, c, sizeof c);
    }
}

/* ||v||^2 in double, in eight partial sums of the components c % 8 (each
 * product of two floats is exact in double) added in a fixed tree, then
 * the components past the last eight. */
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

/* Rows whose norms norms_rest () sums together, so that their chains of
 * additions overlap: eight in registers of eight doubles (@wide), four
 * in pairs of registers of four (GCC 12 splits wider vectors through the
 * stack). */
#define NORM_ROWS 8

/* @sums[r] = norm2 () of the @n_rows rows from @v, with its operations,
 * so with the same bits, and, when @rest is not NULL, @rest += @a[r] v_r
 * row after row for each component. */
G_ALWAYS_INLINE static inline void
norms_rest (const float  *restrict v,
            int                    n_rows,
            int                    d,
            const double          *a,
            double       *restrict rest,
            gboolean               wide,
            double                *sums)
{
  VecD8 acc[NORM_ROWS];
  VecD lo[NORM_ROWS], hi[NORM_ROWS];
  int c = 0;

  for (int r = 0; r < n_rows; r++)
    {
      acc[r] = (VecD8) { 0 };
      lo[r] = hi[r] = (VecD) { 0 };
    }
  for (; c + 8 <= d; c += 8)
    {
      VecD8 sum8 = rest != NULL ? *(VecD8 *) (rest + c) : (VecD8) { 0 };
      VecD sum_lo = rest != NULL ? *(VecD *) (rest + c) : (VecD) { 0 };
      VecD sum_hi = rest != NULL ? *(VecD *) (rest + c + 4) : (VecD) { 0 };

      for (int r = 0; r < n_rows; r++)
        {
          const float *w = v + (gsize) r * d + c;

          if (wide)
            {
              VecD8 x = { w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7] };

              acc[r] += x * x;
              sum8 += a[r] * x;
            }
          else
            {
              VecD x_lo = { w[0], w[1], w[2], w[3] }, x_hi = { w[4], w[5], w[6], w[7] };

              lo[r] += x_lo * x_lo;
              hi[r] += x_hi * x_hi;
              sum_lo += a[r] * x_lo;
              sum_hi += a[r] * x_hi;
            }
        }
      if (rest != NULL && wide)
        *(VecD8 *) (rest + c) = sum8;
      else if (rest != NULL)
        {
          *(VecD *) (rest + c) = sum_lo;
          *(VecD *) (rest + c + 4) = sum_hi;
        }
    }
  for (int r = 0; r < n_rows; r++)
    {
      const float *w = v + (gsize) r * d;
      double q[8];

      for (int l = 0; l < 4; l++)
        {
          q[l] = wide ? acc[r][l] : lo[r][l];
          q[l + 4] = wide ? acc[r][l + 4] : hi[r][l];
        }
      sums[r] = ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
      for (int k = c; k < d; k++)
        {
          sums[r] += (double) w[k] * w[k];
          if (rest != NULL)
            rest[k] += a[r] * w[k];
        }
    }
}

/* Lane j of @out: the sum of the SUM_LANES lanes of @acc[j], as
 * t_l = s_l + s_{l+8} (l < 8), u_l = t_l + t_{l+4}, w_l = u_l + u_{l+2},
 * then w_0 + w_1: four roundings after the head_dim / SUM_LANES of each
 * lane's chain of multiply-adds, so within (head_dim / 16 + 4) * 6e-8 of
 * the sum of the products' magnitudes. */
G_ALWAYS_INLINE static inline void
fold_lanes16 (const VecF16 *acc,
              VecF16       *out)
{
  VecF16 b[8], c[4], e[2];

  for (int p = 0; p < 8; p++)
    b[p] = __builtin_shufflevector (acc[2 * p], acc[2 * p + 1],
                                    0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23)
           + __builtin_shufflevector (acc[2 * p], acc[2 * p + 1],
                                      8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
  for (int q = 0; q < 4; q++)
    c[q] = __builtin_shufflevector (b[2 * q], b[2 * q + 1],
                                    0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27)
           + __builtin_shufflevector (b[2 * q], b[2 * q + 1],
                                      4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
  for (int r = 0; r < 2; r++)
    e[r] = __builtin_shufflevector (c[2 * r], c[2 * r + 1],
                                    0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29)
           + __builtin_shufflevector (c[2 * r], c[2 * r + 1],
                                      2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
  *out = __builtin_shufflevector (e[0], e[1], 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
         + __builtin_shufflevector (e[0], e[1], 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

/* fold_lanes16 () of eight accumulators from the halves of their lanes,
 * @lo[j] lanes 0..7 and @hi[j] lanes 8..15: the same additions, with
 * shuffles that stay within the 128-bit halves of AVX registers where
 * they can. */
G_ALWAYS_INLINE static inline void
fold_lanes8 (const VecF8 *lo,
             const VecF8 *hi,
             VecF8       *out)
{
  VecF8 t[8], u[4], w[2];

  for (int j = 0; j < 8; j++)
    t[j] = lo[j] + hi[j];
  /* u[p]: u_0..u_3 of accumulator p, then of p + 4. */
  for (int p = 0; p < 4; p++)
    u[p] = __builtin_shufflevector (t[p], t[p + 4], 0, 1, 2, 3, 8, 9, 10, 11)
           + __builtin_shufflevector (t[p], t[p + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  /* w[q]: w_0, w_1 of accumulators 2q, 2q + 1, 2q + 4, 2q + 5. */
  for (int q = 0; q < 2; q++)
    w[q] = __builtin_shufflevector (u[2 * q], u[2 * q + 1], 0, 1, 8, 9, 4, 5, 12, 13)
           + __builtin_shufflevector (u[2 * q], u[2 * q + 1], 2, 3, 10, 11, 6, 7, 14, 15);
  *out = __builtin_shufflevector (w[0], w[1], 0, 2, 8, 10, 4, 6, 12, 14)
         + __builtin_shufflevector (w[0], w[1], 1, 3, 9, 11, 5, 7, 13, 15);
}

/* @dots[j] = <v_x, v_{p+j}> for the GROUP_AVX512 rows from slot @p, v_x
 * in slot @x. */
G_ALWAYS_INLINE static inline void
lag_dots16 (const Ring  *ring,
            const float *x,
            const float *p,
            float       *dots)
{
  VecF16 acc[GROUP_AVX512];

  for (int j = 0; j < GROUP_AVX512; j++)
    acc[j] = (VecF16) { 0 };
  for (int m = 0; m < ring->n_chunks; m++)
    {
      VecF16 xm = *(const VecF16 *) (x + m * ring->chunk_stride);
      const float *pm = p + m * ring->chunk_stride;

      for (int j = 0; j < GROUP_AVX512; j++)
        acc[j] += xm * *(const VecF16 *) (pm + j * SUM_LANES);
    }
  fold_lanes16 (acc, (VecF16 *) dots);
}

/* The same for GROUP_PORTABLE rows: the lower eight lanes of every
 * chunk, then the upper eight. */
G_ALWAYS_INLINE static inline void
lag_dots8 (const Ring  *ring,
           const float *x,
           const float *p,
           float       *dots)
{
  VecF8 lo[GROUP_PORTABLE], hi[GROUP_PORTABLE];

  for (int h = 0; h < 2; h++)
    {
      VecF8 *acc = h == 0 ? lo : hi;

      for (int j = 0; j < GROUP_PORTABLE; j++)
        acc[j] = (VecF8) { 0 };
      for (int m = 0; m < ring->n_chunks; m++)
        {
          VecF8 xm = *(const VecF8 *) (x + m * ring->chunk_stride + 8 * h);
          const float *pm = p + m * ring->chunk_stride + 8 * h;

          for (int j = 0; j < GROUP_PORTABLE; j++)
            acc[j] += xm * *(const VecF8 *) (pm + j * SUM_LANES);
        }
    }
  fold_lanes8 (lo, hi, (VecF8 *) dots);
}

/* @lags[j] += @dots[j] / (@n_x @norms[j] + eps) for j < @n, four at a
 * time in double vectors when the group is full. */
G_ALWAYS_INLINE static inline void
add_cosines (const float  *dots,
             int           n,
             int           group,
             double        n_x,
             const double *norms,
             double       *lags)
{
  if (n == group)
    for (int h = 0; h < group / 4; h++)
      {
        const float *f = dots + 4 * h;
        VecD dot = { f[0], f[1], f[2], f[3] };

        *(VecD *) (lags + 4 * h) += dot / (n_x * *(const VecD *) (norms + 4 * h) + COSINE_EPS);
      }
  else
    for (int j = 0; j < n; j++)
      lags[j] += dots[j] / (n_x * norms[j] + COSINE_EPS);
}

/* The decay sums of row @i against the rows before it, max(1, i - K) to
 * i - 1, @group at a time from the earliest: pair (i - k, i) adds to the
 * sum of lag k after the pairs of the rows before i, so each lag is
 * summed in the order of its first row. */
G_ALWAYS_INLINE static inline void
row_lags (RowPass *pass,
          int      i,
          int      group)
{
  const float *x = ring_slot (&pass->ring, i);
  float dots[SUM_LANES] __attribute__ ((aligned (64)));

  for (int p = MAX (1, i - pass->n_lags); p < i; p += group)
    {
      if (group == GROUP_AVX512)
        lag_dots16 (&pass->ring, x, ring_slot (&pass->ring, p), dots);
      else
        lag_dots8 (&pass->ring, x, ring_slot (&pass->ring, p), dots);
      add_cosines (dots, MIN (group, i - p), group, pass->norms[i], pass->norms + p,
                   pass->back + pass->n_lags - i + p);
    }
}

/* The lanes of <v_i, v_0> for the BATCH rows in the slots from @x, into
 * ring->pending, the rows one after another in both loops so that their
 * chains overlap. */
G_ALWAYS_INLINE static inline void
sink_lanes (const Ring  *ring,
            const float *x,
            int          group)
{
  if (group == GROUP_AVX512)
    {
      VecF16 acc[BATCH];

      for (int r = 0; r < BATCH; r++)
        acc[r] = (VecF16) { 0 };
      for (int m = 0; m < ring->n_chunks; m++)
        {
          VecF16 z = *(const VecF16 *) (ring->sink + m * SUM_LANES);

          for (int r = 0; r < BATCH; r++)
            acc[r] += *(const VecF16 *) (x + m * ring->chunk_stride + r * SUM_LANES) * z;
        }
      for (int r = 0; r < BATCH; r++)
        *(VecF16 *) (ring->pending + r * SUM_LANES) = acc[r];
      return;
    }
  for (int h = 0; h < SUM_LANES; h += 8)
    for (int r0 = 0; r0 < BATCH; r0 += 8)
      {
        VecF8 acc[8];

        for (int r = 0; r < 8; r++)
          acc[r] = (VecF8) { 0 };
        for (int m = 0; m < ring->n_chunks; m++)
          {
            VecF8 z = *(const VecF8 *) (ring->sink + m * SUM_LANES + h);

            for (int r = 0; r < 8; r++)
              acc[r] += *(const VecF8 *) (x + m * ring->chunk_stride + (r0 + r) * SUM_LANES + h) * z;
          }
        for (int r = 0; r < 8; r++)
          *(VecF8 *) (ring->pending + (r0 + r) * SUM_LANES + h) = acc[r];
      }
}

/* The sink dot products of the @n rows of the batch from @first folded,
 * @group at a time, and their cosines added to sink_cosines in row order. */
G_ALWAYS_INLINE static inline void
sink_fold (RowPass *pass,
           int      first,
           int      n,
           int      group)
{
  float dots[SUM_LANES] __attribute__ ((aligned (64)));

  for (int k = 0; k < n; k += group)
    {
      const float *lanes = pass->ring.pending + k * SUM_LANES;

      if (group == GROUP_AVX512)
        fold_lanes16 ((const VecF16 *) lanes, (VecF16 *) dots);
      else
        {
          VecF8 lo[GROUP_PORTABLE], hi[GROUP_PORTABLE];

          for (int j = 0; j < GROUP_PORTABLE; j++)
            {
              lo[j] = *(const VecF8 *) (lanes + j * SUM_LANES);
              hi[j] = *(const VecF8 *) (lanes + j * SUM_LANES + 8);
            }
          fold_lanes8 (lo, hi, (VecF8 *) dots);
        }
      for (int q = 0; q < MIN (group, n - k); q++)
        {
          int i = first + k + q;

          pass->sink_cosines += dots[q] / (pass->norms[0] * pass->norms[i] + COSINE_EPS);
          if (pass->sink_after != NULL)
            pass->sink_after[i] = pass->sink_cosines;
        }
    }
}

/* The @n rows of a batch from @first into the ring, their norms, their
 * shares of rest and the lanes of their dot products with v_0. */
G_ALWAYS_INLINE static inline void
batch_arrive (RowPass *pass,
              int      first,
              int      n,
              int      group)
{
  const HlHeadInput *input = pass->input;
  Ring *ring = &pass->ring;
  int t = input->n_keys - 1, d = input->head_dim;
  int n_norm = group == GROUP_AVX512 ? NORM_ROWS : NORM_ROWS / 2;

  for (int i = first; i < first + n; i++)
    store_chunks (row (input, i), d, (float *) ring_slot (ring, i), ring->chunk_stride,
                  (i & (ring->n_slots - 1)) < SUM_LANES ? (gsize) ring->n_slots * SUM_LANES : 0,
                  group == GROUP_AVX512);
  for (int i = first; i < first + n; i += n_norm)
    {
      int n_rows = MIN (n_norm, first + n - i);
      double a[NORM_ROWS], sums[NORM_ROWS];
      double *rest = input->alpha != NULL ? pass->rest : NULL;

      for (int r = 0; r < n_rows; r++)
        a[r] = i + r < t && input->alpha != NULL ? (double) input->alpha[i + r] : 0.0;
      /* A whole group with its size known to the compiler, so that its
       * sums stay in registers. */
      if (n_rows == n_norm)
        norms_rest (row (input, i), n_norm, d, a, rest, group == GROUP_AVX512, sums);
      else
        norms_rest (row (input, i), n_rows, d, a, rest, group == GROUP_AVX512, sums);
      for (int r = 0; r < n_rows; r++)
        pass->norms[i + r] = sqrt (sums[r]);
    }
  sink_lanes (ring, ring_slot (ring, first), group);
}

/* One pass over the content rows for the norms, the sink similarity, the
 * decay and the contributions: BATCH rows at a time are copied into the
 * ring, read for their norms, contributions and dot products with v_0,
 * and then each against the K rows before it, in the ring in the L1
 * cache. */
G_ALWAYS_INLINE static inline void
row_pass_with (RowPass *pass,
               int      group)
{
  const HlHeadInput *input = pass->input;
  int t = input->n_keys - 1;

  for (int k = 0; k < pass->n_lags; k++)
    pass->back[k] = 0.0;
  pass->norms[0] = sqrt (norm2 (row (input, 0), input->head_dim));
  store_chunks (row (input, 0), input->head_dim, pass->ring.sink, SUM_LANES, 0,
                group == GROUP_AVX512);
  for (int first = 1; first <= t; first += BATCH)
    {
      int n = MIN (BATCH, t + 1 - first);

      batch_arrive (pass, first, n, group);
      sink_fold (pass, first, n, group);
      for (int i = first; i < first + n; i++)
        {
          row_lags (pass, i, group);
          if (pass->back_after != NULL)
            memcpy (pass->back_after + (gsize) i * pass->n_lags, pass->back,
                    sizeof (double) * pass->n_lags);
        }
    }
}

HL_VECTOR_CLONES
static void
row_pass_portable (RowPass *pass)
{
  row_pass_with (pass, GROUP_PORTABLE);
}

#ifdef HAVE_AVX512_PASS
__attribute__ ((target ("avx512f,fma"), optimize ("O3")))
static void
row_pass_avx512 (RowPass *pass)
{
  row_pass_with (pass, GROUP_AVX512);
}
#endif

static void
row_pass (RowPass *pass)
{
  ring_init (&pass->ring, pass->input->head_dim, pass->n_lags);
#ifdef HAVE_AVX512_PASS
  if (hl_cpu_has_avx512 ())
    row_pass_avx512 (pass);
  else
#endif
    row_pass_portable (pass);
  g_aligned_free (pass->ring.memory);
}

/* Components of rest that rest_columns () keeps in registers: sixteen
 * vectors of eight doubles with AVX-512. */
#define REST_COLUMNS 128

/* rest[c] += alpha_i v_i[c] for the components c0 <= c < c0 + 8 @n_vectors
 * (@n_vectors <= REST_COLUMNS / 8) and the rows 0 < i < t, row after row,
 * their sums kept in registers across the rows. */
G_ALWAYS_INLINE static inline void
rest_columns (const HlHeadInput *input,
              int                c0,
              int                n_vectors,
              double            *rest)
{
  VecD8 acc[REST_COLUMNS / 8];

  for (int k = 0; k < n_vectors; k++)
    acc[k] = *(const VecD8 *) (rest + c0 + 8 * k);
  for (int i = 1; i < input->n_keys - 1; i++)
    {
      const float *w = row (input, i) + c0;
      double a = input->alpha[i];

      for (int k = 0; k < n_vectors; k++)
        {
          const float *x = w + 8 * k;
          VecD8 x8 = { x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7] };

          acc[k] += a * x8;
        }
    }
  for (int k = 0; k < n_vectors; k++)
    *(VecD8 *) (rest + c0 + 8 * k) = acc[k];
}

/* The components past the last eight, and with @wide all others, row
 * after row in memory (registers of four doubles: GCC 12 splits wider
 * vectors through the stack). */
G_ALWAYS_INLINE static inline void
rest_rows (const HlHeadInput *input,
           int                c0,
           double *restrict   rest)
{
  int d = input->head_dim;

  for (int i = 1; i < input->n_keys - 1; i++)
    {
      const float *w = row (input, i);
      double a = input->alpha[i];
      int c = c0;

      for (; c + 8 <= d; c += 8)
        {
          VecD lo = { w[c], w[c + 1], w[c + 2], w[c + 3] };
          VecD hi = { w[c + 4], w[c + 5], w[c + 6], w[c + 7] };

          *(VecD *) (rest + c) += a * lo;
          *(VecD *) (rest + c + 4) += a * hi;
        }
      for (; c < d; c++)
        rest[c] += a * w[c];
    }
}

/* @rest = sum_{0<i<t} alpha_i v_i, each component summed row after row
 * with the operations of norms_rest (), so with the same bits; for a
 * query whose values' part comes from a summary. */
HL_VECTOR_CLONES
static void
rest_pass_portable (const HlHeadInput *input,
                    double            *rest)
{
  rest_rows (input, 0, rest);
}

#ifdef HAVE_AVX512_PASS
__attribute__ ((target ("avx512f,fma"), optimize ("O3")))
static void
rest_pass_avx512 (const HlHeadInput *input,
                  double            *rest)
{
  int c0 = 0, d = input->head_dim;

  /* Whole blocks with their size known to the compiler, so that their
   * sums stay in registers. */
  for (; c0 + REST_COLUMNS <= d; c0 += REST_COLUMNS)
    rest_columns (input, c0, REST_COLUMNS / 8, rest);
  if (c0 + 64 <= d)
    {
      rest_columns (input, c0, 8, rest);
      c0 += 64;
    }
  rest_rows (input, c0, rest);
}
#endif

static void
rest_pass (const HlHeadInput *input,
           double            *rest)
{
#ifdef HAVE_AVX512_PASS
  if (hl_cpu_has_avx512 ())
    {
      rest_pass_avx512 (input, rest);
      return;
    }
#endif
  rest_pass_portable (input, rest);
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

HlValuesSummary *
hl_values_summary_new (const float *values,
                       int          n_keys,
                       int          head_dim,
                       int          n_lags)
{
  HlHeadInput input = { n_keys, head_dim, values, NULL };
  g_autofree double *rest = NULL;
  HlValuesSummary *self;
  RowPass pass;

  g_return_val_if_fail (values != NULL && n_keys >= 1 && head_dim >= 1, NULL);

  self = g_new0 (HlValuesSummary, 1);
  self->values = values;
  self->n_keys = n_keys;
  self->head_dim = head_dim;
  self->n_lags = CLAMP (MIN (n_lags, n_keys - 2), 0, HL_DIAGNOSTICS_MAX_LAGS);
  self->norms = g_new (double, n_keys);
  self->sink_after = g_new0 (double, n_keys);
  self->back_after = g_new0 (double, (gsize) n_keys * MAX (self->n_lags, 1));
  /* The row pass also sums the contributions, here of no weights. */
  rest = g_new0 (double, head_dim);
  pass = (RowPass) {
    .input = &input,
    .n_lags = self->n_lags,
    .norms = self->norms,
    .rest = rest,
    .sink_after = self->sink_after,
    .back_after = self->back_after,
  };
  row_pass (&pass);
  return self;
}

void
hl_values_summary_free (HlValuesSummary *self)
{
  if (self == NULL)
    return;
  g_free (self->norms);
  g_free (self->sink_after);
  g_free (self->back_after);
  g_free (self);
}

/* Whether @self holds the values' part of @input's diagnostics with K =
 * @n_lags. */
static gboolean
summary_covers (const HlValuesSummary *self,
                const HlHeadInput     *input,
                int                    n_lags)
{
  return self != NULL && self->values == input->values && self->head_dim == input->head_dim
         && input->n_keys >= 2 && input->n_keys <= self->n_keys && self->n_lags == n_lags;
}

void
hl_diagnostics_compute_shared (const HlHeadInput     *input,
                               int                    n_lags,
                               const HlValuesSummary *summary,
                               HlDiagnostics         *out)
{
  g_autofree double *rest = NULL;
  RowPass sums;
  int t, k;

  g_return_if_fail (input != NULL);
  g_return_if_fail (input->n_keys >= 1 && input->head_dim >= 1);
  g_return_if_fail (out != NULL);

  t = input->n_keys - 1;
  k = CLAMP (MIN (n_lags, t - 1), 0, HL_DIAGNOSTICS_MAX_LAGS);
  if (!summary_covers (summary, input, k))
    {
      hl_diagnostics_compute (input, n_lags, out);
      return;
    }
  *out = (HlDiagnostics) { .n_lags = k };
  rest = g_new0 (double, input->head_dim);
  rest_pass (input, rest);
  sums = (RowPass) {
    .input = input,
    .n_lags = k,
    .norms = summary->norms,
    .rest = rest,
    .sink_cosines = summary->sink_after[t],
  };
  memcpy (sums.back, summary->back_after + (gsize) t * k, sizeof (double) * k);
  compute_norm_stats (input, summary->norms, out);
  compute_sink_similarity (input, &sums, out);
  compute_decay (input, &sums, out);
  compute_masses (input, out);
  compute_contributions (input, summary->norms, &sums, out);
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

/* The candidates scanned together by scan_objectives (), and their
 * number rounded up to a multiple of it. */
#define SCAN_LANES 4
#define N_SCAN_PADDED ((N_SCAN + SCAN_LANES - 1) / SCAN_LANES * SCAN_LANES)

typedef struct
{
  double beta[N_SCAN];
  double q[N_SCAN_PADDED];     /* exp (-beta); 0 past N_SCAN */
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

/* @f[j] = decay_objective_q (@c, @n, @q[j]) for every scan candidate,
 * SCAN_LANES at a time in vectors: the same operations for each (no
 * product fused into a sum, as in decay_objective_q () compiled for the
 * x86-64 baseline), so the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__ ((target_clones ("avx2", "default"), optimize ("O3", "fp-contract=off")))
#endif
static void
scan_objectives (const float  *c,
                 int           n,
                 const double *q,
                 double       *f)
{
  typedef double VecScan __attribute__ ((vector_size (SCAN_LANES * sizeof (double)), aligned (8),
                                         may_alias));

  for (int j = 0; j < N_SCAN_PADDED; j += SCAN_LANES)
    {
      VecScan qj = *(const VecScan *) (q + j), e = { 1.0, 1.0, 1.0, 1.0 }, sum = { 0.0 };

      for (int k = 1; k <= n; k++)
        {
          VecScan r;

          e *= qj;
          r = (double) c[k - 1] - e;
          sum += r * r;
        }
      *(VecScan *) (f + j) = sum;
    }
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
  double objective[N_SCAN_PADDED];
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
  scan_objectives (c, n, scan->q, objective);
  for (int j = 0; j < N_SCAN; j++)
    if (objective[j] < best_f)
      best_f = objective[j], best = j;
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
