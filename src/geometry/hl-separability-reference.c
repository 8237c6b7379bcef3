/* hl-separability-reference.c: the straightforward implementation of
 * Definition 1, a loop over centres with every distance computed directly in
 * double. It shares no distance code with the fast path: the tests compare
 * the two, and `headlens-cli bench` measures the fast path against it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-separability-private.h"
#include "hl-random.h"

#include <math.h>
#include <string.h>

typedef struct
{
  const HlHeadInput *input;
  int                n, d;
  double            *y;       /* [n * d] y_i = alpha_i v_i in double */
  double            *s;       /* [d] the current centre */
  double            *dist;    /* [n] D_i for the current centre */
  int               *order;   /* [n] the current ranking */
} Reference;

static double
ref_norm (const double *x,
          int           d)
{
  double sum = 0.0;

  for (int k = 0; k < d; k++)
    sum += x[k] * x[k];
  return sqrt (sum);
}

/* Insertion sort on (key descending, index ascending): slow and obviously
 * correct, which is the point here. */
static void
ref_sort (int          *order,
          const double *keys,
          int           n)
{
  for (int i = 0; i < n; i++)
    {
      int j = i;

      order[i] = i;
      while (j > 0 && keys[order[j - 1]] < keys[i])
        {
          order[j] = order[j - 1];
          j--;
        }
      order[j] = i;
    }
}

static void
ref_rank (Reference *ref,
          HlRanking  ranking,
          guint64    seed,
          int        repeat)
{
  g_autofree double *keys = g_new (double, ref->n);
  HlRandom rng;

  if (ranking == HL_RANKING_RANDOM)
    {
      hl_random_init (&rng, seed, (guint64) repeat);
      hl_random_permutation (&rng, ref->order, ref->n);
      return;
    }
  for (int i = 0; i < ref->n; i++)
    keys[i] = ranking == HL_RANKING_ATTENTION
              ? (double) ref->input->alpha[i]
              : ref_norm (ref->y + (gsize) i * ref->d, ref->d);
  ref_sort (ref->order, keys, ref->n);
}

/* s_N from scratch: the sum of the first @n_top ranked points. */
static double
ref_centre (Reference *ref,
            int        n_top)
{
  double mass = 0.0;

  memset (ref->s, 0, sizeof (double) * ref->d);
  for (int p = 0; p < n_top; p++)
    {
      int i = ref->order[p];

      for (int k = 0; k < ref->d; k++)
        ref->s[k] += ref->y[(gsize) i * ref->d + k];
      mass += ref->input->alpha[i];
    }
  return mass;
}

/* The terms of each distance summed in eight partial sums, term k into
 * partial k mod 8, combined in a fixed tree: the order
 * HL_SEPARABILITY_PARTIALS defines, written out here independently. */
static double
ref_partials_total (const double part[8])
{
  return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
}

static double
ref_distance (const Reference *ref,
              int              i,
              HlDistance       distance)
{
  const double *y = ref->y + (gsize) i * ref->d;
  double part[8] = { 0 };

  if (distance == HL_DISTANCE_EUCLIDEAN)
    {
      for (int k = 0; k < ref->d; k++)
        part[k % 8] += (y[k] - ref->s[k]) * (y[k] - ref->s[k]);
      return sqrt (ref_partials_total (part));
    }
  for (int k = 0; k < ref->d; k++)
    part[k % 8] += y[k] * ref->s[k];
  return 1.0 - ref_partials_total (part) / (ref_norm (y, ref->d) * ref_norm (ref->s, ref->d) + 1e-12);
}

static void
ref_measure (Reference           *ref,
             int                  n_top,
             double               mass,
             HlDistance           distance,
             HlSeparabilityExact *point)
{
  double rho_max = -INFINITY, rho_min = INFINITY;
  int n_outer = 0, n_inner = 0;

  for (int i = 0; i < ref->n; i++)
    ref->dist[i] = ref_distance (ref, i, distance);
  for (int p = 0; p < n_top; p++)
    rho_max = MAX (rho_max, ref->dist[ref->order[p]]);
  for (int p = n_top; p < ref->n; p++)
    rho_min = MIN (rho_min, ref->dist[ref->order[p]]);
  for (int p = n_top; p < ref->n; p++)
    n_outer += ref->dist[ref->order[p]] <= rho_max;
  for (int p = 0; p < n_top; p++)
    n_inner += ref->dist[ref->order[p]] < rho_min;
  hl_separability_exact_set (point, n_top, n_outer, n_inner, rho_min, rho_max, mass);
}

static double
ref_alignment (const Reference *ref,
               int              key_index)
{
  const float *v = ref->input->values + (gsize) key_index * ref->d;
  double dot = 0.0, vv = 0.0;

  for (int k = 0; k < ref->d; k++)
    {
      dot += ref->s[k] * (double) v[k];
      vv += (double) v[k] * (double) v[k];
    }
  return dot / (ref_norm (ref->s, ref->d) * sqrt (vv) + 1e-12);
}

/* Delta_N, ||o - s_N|| and B times the mass outside S_N, each straight
 * from its definition: the discarded part o - s_N is summed over the keys
 * outside S_N. */
static void
ref_theory (const Reference *ref,
            int              n_top,
            double           value_norm_max,
            double          *gap,
            double          *residual,
            double          *bound)
{
  g_autofree double *rest = g_new0 (double, ref->d);
  double in_min = INFINITY, out_max = -INFINITY, outside = 0.0;

  for (int p = 0; p < ref->n; p++)
    {
      int i = ref->order[p];
      double a = ref->input->alpha[i];

      if (p < n_top)
        {
          in_min = MIN (in_min, a);
          continue;
        }
      out_max = MAX (out_max, a);
      outside += a;
      for (int k = 0; k < ref->d; k++)
        rest[k] += ref->y[(gsize) i * ref->d + k];
    }
  *gap = in_min - out_max;
  *residual = ref_norm (rest, ref->d);
  *bound = value_norm_max * outside;
}

static double
ref_value_norm_max (const HlHeadInput *input)
{
  double b = 0.0;

  for (int i = 0; i < input->n_keys; i++)
    b = MAX (b, sqrt (hl_separability_point_norm2 (input->values + (gsize) i * input->head_dim,
                                                   1.0f, input->head_dim)));
  return b;
}

static void
ref_instance (Reference                   *ref,
              const HlSeparabilityOptions *options,
              HlRanking                    ranking,
              double                       value_norm_max,
              HlSeparabilityAccumulator   *acc)
{
  for (int g = 0; g < options->n_grid; g++)
    {
      int n_top = options->grid[g];
      double mass = ref_centre (ref, n_top);
      double gap, residual, bound;

      ref_theory (ref, n_top, value_norm_max, &gap, &residual, &bound);
      hl_separability_accumulator_theory (acc, ranking, g, gap, residual, bound);
      hl_separability_accumulator_align (acc, ranking, g, ref_alignment (ref, 0),
                                         ref_alignment (ref, ref->n - 1));
      for (int m = 0; m < HL_N_DISTANCES; m++)
        {
          HlSeparabilityExact point;

          if (!(options->distances & (1u << m)))
            continue;
          ref_measure (ref, n_top, mass, (HlDistance) m, &point);
          hl_separability_accumulator_add (acc, ranking, (HlDistance) m, g, &point);
        }
    }
}

HlCurveSet *
hl_separability_reference (const HlHeadInput           *input,
                           const HlSeparabilityOptions *options)
{
  HlSeparabilityAccumulator *acc;
  double value_norm_max;
  Reference ref = { input, input ? input->n_keys : 0, input ? input->head_dim : 0 };

  g_return_val_if_fail (hl_separability_arguments_valid (input, options), NULL);

  ref.y = g_new (double, (gsize) ref.n * ref.d);
  ref.s = g_new (double, ref.d);
  ref.dist = g_new (double, ref.n);
  ref.order = g_new (int, ref.n);
  for (int i = 0; i < ref.n; i++)
    for (int k = 0; k < ref.d; k++)
      ref.y[(gsize) i * ref.d + k] = (double) input->alpha[i] * (double) input->values[(gsize) i * ref.d + k];

  value_norm_max = ref_value_norm_max (input);
  acc = hl_separability_accumulator_new (options);
  for (int r = 0; r < HL_N_RANKINGS; r++)
    {
      int count = r == HL_RANKING_RANDOM ? options->repeats : 1;

      for (int repeat = 0; options->rankings & (1u << r) && repeat < count; repeat++)
        {
          ref_rank (&ref, (HlRanking) r, options->seed, repeat);
          ref_instance (&ref, options, (HlRanking) r, value_norm_max, acc);
        }
    }
  g_free (ref.y);
  g_free (ref.s);
  g_free (ref.dist);
  g_free (ref.order);
  return hl_separability_accumulator_finish (acc, value_norm_max);
}
