/* hl-separability-common.c: argument checks, rankings, the curve set and the
 * averaging over repeats, shared by the fast path and the reference.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-separability-private.h"
#include "hl-random.h"

#include <math.h>
#include <string.h>

#define N_FIELDS 7

struct _HlSeparabilityAccumulator
{
  HlSeparabilityOptions options;
  int                   n_grid;
  int                  *grid;
  /* [n_grid * N_FIELDS] sums in double, NULL when not asked. */
  double               *sums[HL_N_RANKINGS][HL_N_DISTANCES];
  double               *align_sink[HL_N_RANKINGS];
  double               *align_last[HL_N_RANKINGS];
  double               *gap[HL_N_RANKINGS];
  double               *residual[HL_N_RANKINGS];
  double               *bound[HL_N_RANKINGS];
};

static gboolean
grid_valid (const HlSeparabilityOptions *options,
            int                          n_keys)
{
  if (options->n_grid < 0 || (options->n_grid > 0 && options->grid == NULL))
    return FALSE;
  for (int g = 0; g < options->n_grid; g++)
    {
      int n = options->grid[g];

      if (n < 1 || n >= n_keys || (g > 0 && n <= options->grid[g - 1]))
        return FALSE;
    }
  return TRUE;
}

gboolean
hl_separability_arguments_valid (const HlHeadInput           *input,
                                 const HlSeparabilityOptions *options)
{
  if (input == NULL || options == NULL)
    return FALSE;
  if (input->n_keys < 1 || input->head_dim < 1
      || input->values == NULL || input->alpha == NULL)
    return FALSE;
  if (options->rankings >= (1u << HL_N_RANKINGS)
      || options->distances >= (1u << HL_N_DISTANCES))
    return FALSE;
  if ((options->rankings & (1u << HL_RANKING_RANDOM)) && options->repeats < 1)
    return FALSE;
  return grid_valid (options, input->n_keys);
}

int
hl_separability_instances (const HlSeparabilityOptions *options,
                           HlRanking                   *rankings,
                           int                         *repeats)
{
  int n = 0;

  for (int r = 0; r < HL_N_RANKINGS; r++)
    {
      int count;

      if (!(options->rankings & (1u << r)))
        continue;
      count = r == HL_RANKING_RANDOM ? options->repeats : 1;
      for (int k = 0; k < count; k++, n++)
        {
          if (rankings != NULL)
            rankings[n] = (HlRanking) r;
          if (repeats != NULL)
            repeats[n] = k;
        }
    }
  return n;
}

double
hl_separability_gemm_flops (int                          n_keys,
                            int                          head_dim,
                            const HlSeparabilityOptions *options)
{
  double centres;

  g_return_val_if_fail (options != NULL, 0.0);

  centres = (double) hl_separability_instances (options, NULL, NULL) * options->n_grid;
  return 2.0 * n_keys * centres * head_dim;
}

void
hl_separability_exact_set (HlSeparabilityExact *point,
                           int                  n,
                           int                  n_outer,
                           int                  n_inner,
                           double               rho_min,
                           double               rho_max,
                           double               retained_mass)
{
  double p = (double) n / (double) (n + n_outer);
  double r = (double) n_inner / (double) n;

  point->precision = p;
  point->recall = r;
  point->f1 = p + r > 0.0 ? 2.0 * p * r / (p + r) : 0.0;
  point->rho_min = rho_min;
  point->rho_max = rho_max;
  point->margin = rho_min - rho_max;
  point->retained_mass = retained_mass;
}

double
hl_separability_point_norm2 (const float *v,
                             float        alpha,
                             int          head_dim)
{
  double sum = 0.0;

  for (int k = 0; k < head_dim; k++)
    {
      double y = (double) alpha * (double) v[k];

      sum += y * y;
    }
  return sum;
}

double
hl_separability_exact_distance (const float  *v,
                                float         alpha,
                                int           head_dim,
                                double        ny2,
                                const double *s,
                                double        ns2,
                                HlDistance    distance)
{
  double part[HL_SEPARABILITY_PARTIALS] = { 0 };

  G_STATIC_ASSERT (HL_SEPARABILITY_PARTIALS == 8);
  if (distance == HL_DISTANCE_EUCLIDEAN)
    {
      for (int k = 0; k < head_dim; k++)
        {
          double diff = (double) alpha * (double) v[k] - s[k];

          part[k % HL_SEPARABILITY_PARTIALS] += diff * diff;
        }
      return sqrt (((part[0] + part[1]) + (part[2] + part[3]))
                   + ((part[4] + part[5]) + (part[6] + part[7])));
    }

  for (int k = 0; k < head_dim; k++)
    part[k % HL_SEPARABILITY_PARTIALS] += (double) alpha * (double) v[k] * s[k];
  return 1.0 - (((part[0] + part[1]) + (part[2] + part[3]))
                + ((part[4] + part[5]) + (part[6] + part[7])))
               / (sqrt (ny2) * sqrt (ns2) + 1e-12);
}

/* Rankings ----------------------------------------------------------------- */

/* A 64-bit integer whose unsigned order is the descending order of @key
 * (-0 counts as +0): sorting these ascending with a stable sort over keys
 * in index order gives the "descending, ties: lower index first" ranking
 * of docs/metrics.md. */
static guint64
descending_bits (double key)
{
  guint64 bits;

  if (key == 0.0)
    key = 0.0;
  memcpy (&bits, &key, sizeof bits);
  bits = (bits >> 63) != 0 ? ~bits : bits | (G_GUINT64_CONSTANT (1) << 63);
  return ~bits;
}

/* descending_bits () for a float key, in 32 bits: a float widens to double
 * exactly and in order, so the ranking is the same, with half the bytes to
 * sort (the low 29 bits of the widened double are zero). */
static guint64
descending_bits_float (float key)
{
  guint32 bits;

  if (key == 0.0f)
    key = 0.0f;
  memcpy (&bits, &key, sizeof bits);
  bits = (bits >> 31) != 0 ? ~bits : bits | 0x80000000u;
  return (guint32) ~bits;
}

/* One stable counting pass on the byte at @shift, from (@keys, @order) into
 * (@keys_out, @order_out). The bytes are counted in four tables summed
 * afterwards: keys sharing a byte (the exponent bytes of attention weights)
 * would otherwise each wait on the previous increment of one counter. */
static void
radix_pass (const guint64 *keys,
            const int     *order,
            int            n,
            int            shift,
            guint64       *keys_out,
            int           *order_out)
{
  int count[4][256] = { { 0 } }, start[256];
  int i = 0, total = 0;

  for (; i + 4 <= n; i += 4)
    for (int q = 0; q < 4; q++)
      count[q][(keys[i + q] >> shift) & 0xff]++;
  for (; i < n; i++)
    count[0][(keys[i] >> shift) & 0xff]++;
  for (int b = 0; b < 256; b++)
    {
      start[b] = total;
      total += (count[0][b] + count[1][b]) + (count[2][b] + count[3][b]);
    }
  for (i = 0; i < n; i++)
    {
      int pos = start[(keys[i] >> shift) & 0xff]++;

      keys_out[pos] = keys[i];
      order_out[pos] = order[i];
    }
}

/* Sorts key indices by descending key, ties by ascending index: a least
 * significant digit radix sort (stable, O(n) per byte) over the bytes in
 * which the keys differ, far cheaper than a comparison sort on the
 * thousand keys of a head. */
static void
rank_by_key (const HlHeadInput *input,
             HlRanking          ranking,
             int               *order)
{
  int n = input->n_keys, d = input->head_dim;
  g_autofree guint64 *keys = g_new (guint64, 2 * (gsize) n);
  g_autofree int *spare = g_new (int, n);
  guint64 *k_in = keys, *k_out = keys + n, all_or = 0, all_and = ~(guint64) 0;
  int *o_in = order, *o_out = spare;

  for (int i = 0; i < n; i++)
    {
      k_in[i] = ranking == HL_RANKING_ATTENTION
                ? descending_bits_float (input->alpha[i])
                : descending_bits (sqrt (hl_separability_point_norm2 (input->values + (gsize) i * d,
                                                                      input->alpha[i], d)));
      all_or |= k_in[i];
      all_and &= k_in[i];
      order[i] = i;
    }
  for (int shift = 0; shift < 64; shift += 8)
    if ((((all_or ^ all_and) >> shift) & 0xff) != 0)
      {
        guint64 *k = k_in;
        int *o = o_in;

        radix_pass (k_in, o_in, n, shift, k_out, o_out);
        k_in = k_out, k_out = k;
        o_in = o_out, o_out = o;
      }
  if (o_in != order)
    memcpy (order, o_in, sizeof (int) * n);
}

void
hl_separability_rank (const HlHeadInput *input,
                      HlRanking          ranking,
                      guint64            seed,
                      int                repeat,
                      int               *order)
{
  HlRandom rng;

  g_return_if_fail (input != NULL && input->n_keys >= 1 && order != NULL);
  g_return_if_fail (ranking < HL_N_RANKINGS);
  g_return_if_fail (repeat >= 0);

  if (ranking != HL_RANKING_RANDOM)
    {
      rank_by_key (input, ranking, order);
      return;
    }
  hl_random_init (&rng, seed, (guint64) repeat);
  hl_random_permutation (&rng, order, input->n_keys);
}

/* hl_random_next () (xoshiro256**), inlined into the permutation loop: a
 * call per draw is a sizeable part of the cost of a permutation. The test
 * /separability/kernel/random-orders checks that the draws are the same. */
static inline guint64
random_next (HlRandom *rng)
{
  guint64 *s = rng->s;
  guint64 x = s[1] * 5, result = ((x << 7) | (x >> 57)) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return result;
}

/* The first @k positions of hl_random_permutation_prefix () for @count
 * generators at once: step i of every permutation before step i + 1 of
 * any, so the independent draws overlap in the processor instead of
 * waiting on each other. Each permutation sees exactly the draws of its
 * own generator, in order: hl_random_below32 () inlined, its rare
 * rejections (probability below n / 2^32) left to the library call. */
static void
permutations_with (HlRandom *rngs,
                   int     **outs,
                   int       count,
                   int       n,
                   int       k)
{
  for (int j = 0; j < count; j++)
    for (int i = 0; i < n; i++)
      outs[j][i] = i;
  for (int i = 0; i < MIN (k, n - 1); i++)
    {
      guint32 bound = (guint32) (n - i);

      for (int j = 0; j < count; j++)
        {
          int *out = outs[j];
          guint64 m = (random_next (&rngs[j]) >> 32) * bound;
          int pick, tmp;

          if (G_UNLIKELY ((guint32) m < bound && (guint32) m < (0u - bound) % bound))
            m = (guint64) hl_random_below32 (&rngs[j], bound) << 32;
          pick = i + (int) (m >> 32);
          tmp = out[i];
          out[i] = out[pick];
          out[pick] = tmp;
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX512_PERMUTATIONS 1

/* The draw of one step for eight generators, one a lane of @s0 .. @s3:
 * hl_random_next () in vector form, then Lemire's product with @bound. A
 * lane whose low half falls below the rejection threshold (probability
 * below bound / 2^32) is redrawn by hl_random_below32 () on that lane's
 * state, so each generator sees exactly its own draws. */
__attribute__ ((target ("avx512f"), always_inline))
static inline __m512i
draw_eight (__m512i *s0,
            __m512i *s1,
            __m512i *s2,
            __m512i *s3,
            guint32  bound)
{
  __m512i x = _mm512_add_epi64 (_mm512_slli_epi64 (*s1, 2), *s1);
  __m512i r = _mm512_rol_epi64 (x, 7);
  __m512i result = _mm512_add_epi64 (_mm512_slli_epi64 (r, 3), r);
  __m512i t = _mm512_slli_epi64 (*s1, 17);
  __m512i vbound = _mm512_set1_epi64 (bound), low32 = _mm512_set1_epi64 (0xffffffff);
  __m512i m;
  __mmask8 rejected;

  *s2 = _mm512_xor_si512 (*s2, *s0);
  *s3 = _mm512_xor_si512 (*s3, *s1);
  *s1 = _mm512_xor_si512 (*s1, *s2);
  *s0 = _mm512_xor_si512 (*s0, *s3);
  *s2 = _mm512_xor_si512 (*s2, t);
  *s3 = _mm512_rol_epi64 (*s3, 45);
  m = _mm512_mul_epu32 (_mm512_srli_epi64 (result, 32), vbound);
  if (G_LIKELY (_mm512_cmplt_epu64_mask (_mm512_and_si512 (m, low32), vbound) == 0))
    return m;
  rejected = _mm512_cmplt_epu64_mask (_mm512_and_si512 (m, low32),
                                      _mm512_set1_epi64 ((0u - bound) % bound));
  if (rejected != 0)
    {
      guint64 state[4][8], picks[8];

      _mm512_storeu_si512 (state[0], *s0);
      _mm512_storeu_si512 (state[1], *s1);
      _mm512_storeu_si512 (state[2], *s2);
      _mm512_storeu_si512 (state[3], *s3);
      _mm512_storeu_si512 (picks, m);
      for (int j = 0; j < 8; j++)
        if (rejected & (1u << j))
          {
            HlRandom rng = { { state[0][j], state[1][j], state[2][j], state[3][j] } };

            picks[j] = (guint64) hl_random_below32 (&rng, bound) << 32;
            for (int w = 0; w < 4; w++)
              state[w][j] = rng.s[w];
          }
      *s0 = _mm512_loadu_si512 (state[0]);
      *s1 = _mm512_loadu_si512 (state[1]);
      *s2 = _mm512_loadu_si512 (state[2]);
      *s3 = _mm512_loadu_si512 (state[3]);
      m = _mm512_loadu_si512 (picks);
    }
  return m;
}

/* permutations_with () for eight generators whose permutations lie one
 * after the other from @base (@n entries each), in AVX-512 registers: the
 * eight draws of a step at once, the eight swaps by one gather and one
 * scatter of each side (position i and the pick; when they are the same,
 * both write the same value). The same draws, so the same permutations. */
__attribute__ ((target ("avx512f")))
static void
permutations_eight_avx512 (HlRandom *rngs,
                           int      *base,
                           int       n,
                           int       k)
{
  guint64 state[4][8];
  __m512i s0, s1, s2, s3, at;

  for (int j = 0; j < 8; j++)
    {
      for (int w = 0; w < 4; w++)
        state[w][j] = rngs[j].s[w];
      for (int i = 0; i < n; i++)
        base[(gsize) j * n + i] = i;
    }
  s0 = _mm512_loadu_si512 (state[0]);
  s1 = _mm512_loadu_si512 (state[1]);
  s2 = _mm512_loadu_si512 (state[2]);
  s3 = _mm512_loadu_si512 (state[3]);
  at = _mm512_setr_epi64 (0, n, 2 * (gint64) n, 3 * (gint64) n, 4 * (gint64) n,
                          5 * (gint64) n, 6 * (gint64) n, 7 * (gint64) n);
  for (int i = 0; i < MIN (k, n - 1); i++)
    {
      __m512i m = draw_eight (&s0, &s1, &s2, &s3, (guint32) (n - i));
      __m512i pick = _mm512_add_epi64 (at, _mm512_srli_epi64 (m, 32));
      __m256i here = _mm512_i64gather_epi32 (at, base, 4);
      __m256i there = _mm512_i64gather_epi32 (pick, base, 4);

      _mm512_i64scatter_epi32 (base, at, there, 4);
      _mm512_i64scatter_epi32 (base, pick, here, 4);
      at = _mm512_add_epi64 (at, _mm512_set1_epi64 (1));
    }
  _mm512_storeu_si512 (state[0], s0);
  _mm512_storeu_si512 (state[1], s1);
  _mm512_storeu_si512 (state[2], s2);
  _mm512_storeu_si512 (state[3], s3);
  for (int j = 0; j < 8; j++)
    for (int w = 0; w < 4; w++)
      rngs[j].s[w] = state[w][j];
}
#endif

void
hl_separability_rank_instances (const HlHeadInput *input,
                                guint64            seed,
                                const HlRanking   *rankings,
                                const int         *repeats,
                                int                n_inst,
                                int                prefix,
                                int               *orders)
{
  int n = input->n_keys, n_random = 0;
  g_autofree HlRandom *rngs = g_new (HlRandom, MAX (n_inst, 1));
  g_autofree int **outs = g_new (int *, MAX (n_inst, 1));

  for (int j = 0; j < n_inst; j++)
    {
      int *order = orders + (gsize) j * n;

      if (rankings[j] == HL_RANKING_RANDOM)
        {
          hl_random_init (&rngs[n_random], seed, (guint64) repeats[j]);
          outs[n_random++] = order;
        }
      else
        hl_separability_rank (input, rankings[j], seed, repeats[j], order);
    }
  /* Eight at a time in vector registers where they lie one after the
   * other (they do: the random instances come last), else a few at a
   * time: enough independent draws, and their arrays stay in the L1 cache
   * for a thousand keys. */
  for (int j = 0; j < n_random;)
    {
#ifdef HAVE_AVX512_PERMUTATIONS
      if (n_random - j >= 8 && outs[j + 7] == outs[j] + 7 * (gsize) n
          && hl_separability_uses_avx512 ())
        {
          permutations_eight_avx512 (rngs + j, outs[j], n, prefix);
          j += 8;
          continue;
        }
#endif
      permutations_with (rngs + j, outs + j, MIN (4, n_random - j), n, prefix);
      j += MIN (4, n_random - j);
    }
}

/* The curve set and the accumulator --------------------------------------- */

void
hl_curve_set_free (HlCurveSet *self)
{
  if (self == NULL)
    return;
  for (int r = 0; r < HL_N_RANKINGS; r++)
    {
      for (int m = 0; m < HL_N_DISTANCES; m++)
        g_free (self->points[r][m]);
      g_free (self->align_sink[r]);
      g_free (self->align_last[r]);
      g_free (self->gap[r]);
      g_free (self->residual[r]);
      g_free (self->bound[r]);
    }
  g_free (self->grid);
  g_free (self);
}

HlSeparabilityAccumulator *
hl_separability_accumulator_new (const HlSeparabilityOptions *options)
{
  HlSeparabilityAccumulator *self = g_new0 (HlSeparabilityAccumulator, 1);
  /* One more element than needed keeps "asked for" non-NULL when the grid is
   * empty (a query with a single visible key). */
  gsize len = (gsize) options->n_grid + 1;

  self->options = *options;
  self->n_grid = options->n_grid;
  self->grid = g_new0 (int, len);
  if (options->n_grid > 0)
    memcpy (self->grid, options->grid, sizeof (int) * options->n_grid);
  for (int r = 0; r < HL_N_RANKINGS; r++)
    {
      if (!(options->rankings & (1u << r)))
        continue;
      for (int m = 0; m < HL_N_DISTANCES; m++)
        if (options->distances & (1u << m))
          self->sums[r][m] = g_new0 (double, len * N_FIELDS);
      self->align_sink[r] = g_new0 (double, len);
      self->align_last[r] = g_new0 (double, len);
      self->gap[r] = g_new0 (double, len);
      self->residual[r] = g_new0 (double, len);
      self->bound[r] = g_new0 (double, len);
    }
  return self;
}

void
hl_separability_accumulator_add (HlSeparabilityAccumulator *self,
                                 HlRanking                  ranking,
                                 HlDistance                 distance,
                                 int                        grid_index,
                                 const HlSeparabilityExact *point)
{
  double *sum = self->sums[ranking][distance] + (gsize) grid_index * N_FIELDS;

  g_assert (self->sums[ranking][distance] != NULL);
  g_assert (grid_index >= 0 && grid_index < self->n_grid);

  sum[0] += point->precision;
  sum[1] += point->recall;
  sum[2] += point->f1;
  sum[3] += point->rho_min;
  sum[4] += point->rho_max;
  sum[5] += point->margin;
  sum[6] += point->retained_mass;
}

void
hl_separability_accumulator_align (HlSeparabilityAccumulator *self,
                                   HlRanking                  ranking,
                                   int                        grid_index,
                                   double                     cos_sink,
                                   double                     cos_last)
{
  g_assert (self->align_sink[ranking] != NULL);
  g_assert (grid_index >= 0 && grid_index < self->n_grid);

  self->align_sink[ranking][grid_index] += cos_sink;
  self->align_last[ranking][grid_index] += cos_last;
}

void
hl_separability_accumulator_theory (HlSeparabilityAccumulator *self,
                                    HlRanking                  ranking,
                                    int                        grid_index,
                                    double                     gap,
                                    double                     residual,
                                    double                     bound)
{
  g_assert (self->gap[ranking] != NULL);
  g_assert (grid_index >= 0 && grid_index < self->n_grid);

  self->gap[ranking][grid_index] += gap;
  self->residual[ranking][grid_index] += residual;
  self->bound[ranking][grid_index] += bound;
}

static HlSeparabilityPoint *
finish_points (const double *sums,
               int           n_grid,
               double        count)
{
  HlSeparabilityPoint *points = g_new0 (HlSeparabilityPoint, n_grid + 1);

  for (int g = 0; g < n_grid; g++)
    {
      const double *s = sums + (gsize) g * N_FIELDS;
      HlSeparabilityPoint *p = &points[g];

      p->precision = (float) (s[0] / count);
      p->recall = (float) (s[1] / count);
      p->f1 = (float) (s[2] / count);
      p->rho_min = (float) (s[3] / count);
      p->rho_max = (float) (s[4] / count);
      p->margin = (float) (s[5] / count);
      p->retained_mass = (float) (s[6] / count);
    }
  return points;
}

static float *
finish_trajectory (const double *sums,
                   int           n_grid,
                   double        count)
{
  float *out = g_new0 (float, n_grid + 1);

  for (int g = 0; g < n_grid; g++)
    out[g] = (float) (sums[g] / count);
  return out;
}

/* The mean residual and bound over the instances, as floats: each
 * instance's residual is at most its bound, so their means are too, and
 * rounding both to float keeps the order. */
HlCurveSet *
hl_separability_accumulator_finish (HlSeparabilityAccumulator *self,
                                    double                     value_norm_max)
{
  HlCurveSet *set = g_new0 (HlCurveSet, 1);

  set->n_grid = self->n_grid;
  set->value_norm_max = (float) value_norm_max;
  set->grid = g_steal_pointer (&self->grid);
  for (int r = 0; r < HL_N_RANKINGS; r++)
    {
      double count = r == HL_RANKING_RANDOM ? self->options.repeats : 1;

      if (self->align_sink[r] == NULL)
        continue;
      for (int m = 0; m < HL_N_DISTANCES; m++)
        if (self->sums[r][m] != NULL)
          set->points[r][m] = finish_points (self->sums[r][m], self->n_grid, count);
      set->align_sink[r] = finish_trajectory (self->align_sink[r], self->n_grid, count);
      set->align_last[r] = finish_trajectory (self->align_last[r], self->n_grid, count);
      set->gap[r] = finish_trajectory (self->gap[r], self->n_grid, count);
      set->residual[r] = finish_trajectory (self->residual[r], self->n_grid, count);
      set->bound[r] = finish_trajectory (self->bound[r], self->n_grid, count);
      for (int m = 0; m < HL_N_DISTANCES; m++)
        g_free (self->sums[r][m]);
      g_free (self->align_sink[r]);
      g_free (self->align_last[r]);
      g_free (self->gap[r]);
      g_free (self->residual[r]);
      g_free (self->bound[r]);
    }
  g_free (self);
  return set;
}
