/* hl-separability.c: the fast path of the separability metrics.
 *
 * For one head, Y [n x d] holds the points y_i = alpha_i v_i in float32.
 * Prefix sums in double over each ranked order build every centre s_N of
 * every ranking instance (attention, contribution, R random repeats; every
 * N of the grid) into S [m x d]; one SGEMM gives G = S Y^T [m x n], and
 * with the squared norms (in double) every distance follows:
 *   Euclidean  D^2 = ||y||^2 + ||s||^2 - 2 <y, s>
 *   cosine     D   = 1 - <y, s> / (||y|| ||s|| + 1e-12).
 *
 * Exactness. The counts of Definition 1 compare distances with rho_max and
 * rho_min, and the Euclidean formula cancels badly when y is close to s, so
 * the float32 values alone would not reproduce an exact computation. Each
 * approximate value therefore comes with a rigorous error bound: the float32
 * dot product of the rounded inputs differs from the exact one by at most
 * (d + 3) u ||y|| ||s|| (u = 2^-24, any summation order, FMA or not) plus a
 * term for gradual underflow; we use (d + 8) u and add a relative slack of
 * 1e-9 for the double arithmetic. A distance whose interval lies entirely
 * on one side of a threshold is decided from the interval; only the few
 * whose interval straddles rho_max or rho_min (and the candidates for
 * rho_max / rho_min themselves) are recomputed exactly in double, directly
 * from alpha_i v_i and s_N (hl_separability_exact_distance ()). So P, R,
 * rho_min and rho_max are those of the exact computation, and the GEMM does
 * all the bulk work.
 *
 * Per centre the work is O(n): one pass computes the approximate values in
 * ranking order (S_N is a prefix of the order, so no sorting and no
 * membership flags), short passes find the exact extremes and the counts.
 * Centres are processed in blocks so memory stays bounded for the "every N"
 * grid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-separability-private.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* The GEMM output of one block holds at most this many floats (4 MiB). */
#define BLOCK_FLOATS (1 << 20)
/* Relative slack for the double arithmetic around the bounds (the double
 * rounding errors are below 1e-13 relative for any d <= 10^3). */
#define SLACK 1e-9

typedef struct
{
  const HlHeadInput           *input;
  const HlSeparabilityOptions *options;
  int                          n, d;
  int                          n_inst;
  HlRanking                   *inst_ranking;  /* [n_inst] */
  int                         *orders;        /* [n_inst * n] */
  float                       *yf;            /* [n * d] y_i in float32 */
  double                      *ny2, *ny;      /* [n] ||y_i||^2, ||y_i|| */
  double                       nv_sink, nv_last; /* ||v_0||, ||v_t|| */
  double                       tol, tiny;     /* the dot product bound */
  /* One block of centres. */
  int                          block;
  double                      *sd;            /* [block * d] s_N in double */
  float                       *sf;            /* [block * d] s_N in float32 */
  double                      *ns2, *mass;    /* [block] */
  float                       *g;             /* [block * n] <s_c, y_i> */
  /* The prefix sum of the current instance, carried across blocks. */
  double                      *running;       /* [d] */
  double                       running_mass;
  int                          running_pos;
  /* Per centre and distance, in ranking order. */
  double                      *key, *err;     /* [n] */
  HlSeparabilityAccumulator   *acc;
} Kernel;

static void
kernel_points (Kernel *k)
{
  const HlHeadInput *in = k->input;

  for (int i = 0; i < k->n; i++)
    {
      const float *v = in->values + (gsize) i * k->d;

      for (int c = 0; c < k->d; c++)
        k->yf[(gsize) i * k->d + c] = (float) ((double) in->alpha[i] * (double) v[c]);
      k->ny2[i] = hl_separability_point_norm2 (v, in->alpha[i], k->d);
      k->ny[i] = sqrt (k->ny2[i]);
    }
  k->nv_sink = sqrt (hl_separability_point_norm2 (in->values, 1.0f, k->d));
  k->nv_last = sqrt (hl_separability_point_norm2 (in->values + (gsize) (k->n - 1) * k->d,
                                                  1.0f, k->d));
}

static void
kernel_rankings (Kernel *k)
{
  g_autofree int *repeats = g_new (int, HL_N_RANKINGS + k->options->repeats);

  k->n_inst = hl_separability_instances (k->options, NULL, NULL);
  k->inst_ranking = g_new (HlRanking, k->n_inst + 1);
  hl_separability_instances (k->options, k->inst_ranking, repeats);
  k->orders = g_new (int, (gsize) k->n_inst * k->n + 1);
  for (int j = 0; j < k->n_inst; j++)
    hl_separability_rank (k->input, k->inst_ranking[j], k->options->seed,
                          repeats[j], k->orders + (gsize) j * k->n);
}

static void
kernel_init (Kernel                      *k,
             const HlHeadInput           *input,
             const HlSeparabilityOptions *options)
{
  int m;

  memset (k, 0, sizeof *k);
  k->input = input;
  k->options = options;
  k->n = input->n_keys;
  k->d = input->head_dim;
  k->tol = (k->d + 8) * 0x1.0p-24;
  k->tiny = 4.0 * k->d * FLT_TRUE_MIN;
  k->yf = g_new (float, (gsize) k->n * k->d);
  k->ny2 = g_new (double, k->n);
  k->ny = g_new (double, k->n);
  kernel_points (k);
  kernel_rankings (k);

  m = k->n_inst * options->n_grid;
  k->block = CLAMP (BLOCK_FLOATS / k->n, 1, MAX (m, 1));
  k->sd = g_new (double, (gsize) k->block * k->d);
  k->sf = g_new (float, (gsize) k->block * k->d);
  k->ns2 = g_new (double, k->block);
  k->mass = g_new (double, k->block);
  k->g = g_new (float, (gsize) k->block * k->n);
  k->running = g_new (double, k->d);
  k->key = g_new (double, k->n);
  k->err = g_new (double, k->n);
  k->acc = hl_separability_accumulator_new (options);
}

static void
kernel_clear (Kernel *k)
{
  g_free (k->inst_ranking);
  g_free (k->orders);
  g_free (k->yf);
  g_free (k->ny2);
  g_free (k->ny);
  g_free (k->sd);
  g_free (k->sf);
  g_free (k->ns2);
  g_free (k->mass);
  g_free (k->g);
  g_free (k->running);
  g_free (k->key);
  g_free (k->err);
}

/* Advances the running prefix sum of instance @inst to the first @n_top
 * keys of its order. Each y_i is formed exactly in double. */
static void
kernel_advance (Kernel *k,
                int     inst,
                int     n_top)
{
  const int *order = k->orders + (gsize) inst * k->n;

  for (; k->running_pos < n_top; k->running_pos++)
    {
      int i = order[k->running_pos];
      const float *v = k->input->values + (gsize) i * k->d;
      double a = k->input->alpha[i];

      for (int c = 0; c < k->d; c++)
        k->running[c] += a * (double) v[c];
      k->running_mass += a;
    }
}

static void
kernel_build_centres (Kernel *k,
                      int     first,
                      int     count)
{
  int n_grid = k->options->n_grid;

  for (int b = 0; b < count; b++)
    {
      int c = first + b, inst = c / n_grid, g = c % n_grid;
      double *sd = k->sd + (gsize) b * k->d;
      double ns2 = 0.0;

      if (g == 0)
        {
          memset (k->running, 0, sizeof (double) * k->d);
          k->running_mass = 0.0;
          k->running_pos = 0;
        }
      kernel_advance (k, inst, k->options->grid[g]);
      for (int j = 0; j < k->d; j++)
        {
          sd[j] = k->running[j];
          k->sf[(gsize) b * k->d + j] = (float) sd[j];
          ns2 += sd[j] * sd[j];
        }
      k->ns2[b] = ns2;
      k->mass[b] = k->running_mass;
    }
}

/* The approximate value of every key (D^2 for Euclidean, D for cosine) and
 * its error bound, stored in ranking order. */
static void
kernel_keys (Kernel     *k,
             int         b,
             const int  *order,
             HlDistance  distance)
{
  const float *g = k->g + (gsize) b * k->n;
  double ns2 = k->ns2[b], ns = sqrt (ns2);

  for (int p = 0; p < k->n; p++)
    {
      int i = order[p];
      double dot = g[i];
      double bound = k->tol * k->ny[i] * ns + k->tiny * (1.0 + k->ny[i] + ns);

      if (distance == HL_DISTANCE_EUCLIDEAN)
        {
          k->key[p] = k->ny2[i] + ns2 - 2.0 * dot;
          k->err[p] = 2.0 * bound + SLACK * (k->ny2[i] + ns2);
        }
      else
        {
          double den = k->ny[i] * ns + 1e-12;

          k->key[p] = 1.0 - dot / den;
          k->err[p] = bound / den + SLACK;
        }
    }
}

static double
kernel_exact (const Kernel *k,
              int           b,
              int           i,
              HlDistance    distance)
{
  return hl_separability_exact_distance (k->input->values + (gsize) i * k->d,
                                         k->input->alpha[i], k->d, k->ny2[i],
                                         k->sd + (gsize) b * k->d, k->ns2[b],
                                         distance);
}

/* The value compared with the keys: D^2 for Euclidean, D for cosine. Both
 * maps are monotone, so comparing keys orders the distances. */
static inline double
key_of (double     rho,
        HlDistance distance)
{
  return distance == HL_DISTANCE_EUCLIDEAN ? rho * rho : rho;
}

/* rho_max over positions 0 .. n_top - 1: only keys whose upper bound
 * reaches the largest lower bound can be the maximum. */
static double
kernel_rho_max (const Kernel *k,
                int           b,
                const int    *order,
                int           n_top,
                HlDistance    distance)
{
  double lower = -INFINITY, rho = -INFINITY;

  for (int p = 0; p < n_top; p++)
    lower = MAX (lower, k->key[p] - k->err[p]);
  for (int p = 0; p < n_top; p++)
    if (k->key[p] + k->err[p] >= lower)
      rho = MAX (rho, kernel_exact (k, b, order[p], distance));
  return rho;
}

static double
kernel_rho_min (const Kernel *k,
                int           b,
                const int    *order,
                int           n_top,
                HlDistance    distance)
{
  double upper = INFINITY, rho = INFINITY;

  for (int p = n_top; p < k->n; p++)
    upper = MIN (upper, k->key[p] + k->err[p]);
  for (int p = n_top; p < k->n; p++)
    if (k->key[p] - k->err[p] <= upper)
      rho = MIN (rho, kernel_exact (k, b, order[p], distance));
  return rho;
}

/* #{ j not in S_N : D_j <= rho_max } (the closed outer ball). */
static int
kernel_count_outer (const Kernel *k,
                    int           b,
                    const int    *order,
                    int           n_top,
                    double        rho_max,
                    HlDistance    distance)
{
  double limit = key_of (rho_max, distance);
  int count = 0;

  for (int p = n_top; p < k->n; p++)
    {
      if (k->key[p] + k->err[p] < limit)
        count++;
      else if (k->key[p] - k->err[p] <= limit)
        count += kernel_exact (k, b, order[p], distance) <= rho_max;
    }
  return count;
}

/* #{ i in S_N : D_i < rho_min } (the strict inner ball). */
static int
kernel_count_inner (const Kernel *k,
                    int           b,
                    const int    *order,
                    int           n_top,
                    double        rho_min,
                    HlDistance    distance)
{
  double limit = key_of (rho_min, distance);
  int count = 0;

  for (int p = 0; p < n_top; p++)
    {
      if (k->key[p] + k->err[p] < limit)
        count++;
      else if (k->key[p] - k->err[p] <= limit)
        count += kernel_exact (k, b, order[p], distance) < rho_min;
    }
  return count;
}

static void
kernel_measure (Kernel     *k,
                int         b,
                int         inst,
                int         g,
                HlDistance  distance)
{
  const int *order = k->orders + (gsize) inst * k->n;
  int n_top = k->options->grid[g];
  double rho_max, rho_min;
  HlSeparabilityExact point;

  kernel_keys (k, b, order, distance);
  rho_max = kernel_rho_max (k, b, order, n_top, distance);
  rho_min = kernel_rho_min (k, b, order, n_top, distance);
  hl_separability_exact_set (&point, n_top,
                             kernel_count_outer (k, b, order, n_top, rho_max, distance),
                             kernel_count_inner (k, b, order, n_top, rho_min, distance),
                             rho_min, rho_max, k->mass[b]);
  hl_separability_accumulator_add (k->acc, k->inst_ranking[inst], distance, g, &point);
}

static double
kernel_cosine (const Kernel *k,
               int           b,
               int           key_index,
               double        nv)
{
  const float *v = k->input->values + (gsize) key_index * k->d;
  const double *s = k->sd + (gsize) b * k->d;
  double dot = 0.0;

  for (int c = 0; c < k->d; c++)
    dot += s[c] * (double) v[c];
  return dot / (sqrt (k->ns2[b]) * nv + 1e-12);
}

static void
kernel_centre (Kernel *k,
               int     b,
               int     c)
{
  int n_grid = k->options->n_grid, inst = c / n_grid, g = c % n_grid;

  hl_separability_accumulator_align (k->acc, k->inst_ranking[inst], g,
                                     kernel_cosine (k, b, 0, k->nv_sink),
                                     kernel_cosine (k, b, k->n - 1, k->nv_last));
  for (int m = 0; m < HL_N_DISTANCES; m++)
    if (k->options->distances & (1u << m))
      kernel_measure (k, b, inst, g, (HlDistance) m);
}

static void
kernel_run (Kernel *k)
{
  int m = k->n_inst * k->options->n_grid;

  for (int first = 0; first < m; first += k->block)
    {
      int count = MIN (k->block, m - first);

      kernel_build_centres (k, first, count);
      /* G [count x n] = S [count x d] * Y^T. */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                   count, k->n, k->d, 1.0f, k->sf, k->d, k->yf, k->d,
                   0.0f, k->g, k->n);
      for (int b = 0; b < count; b++)
        kernel_centre (k, b, first + b);
    }
}

HlCurveSet *
hl_separability_compute (const HlHeadInput           *input,
                         const HlSeparabilityOptions *options)
{
  Kernel k;

  g_return_val_if_fail (hl_separability_arguments_valid (input, options), NULL);

  kernel_init (&k, input, options);
  kernel_run (&k);
  kernel_clear (&k);
  return hl_separability_accumulator_finish (k.acc);
}
