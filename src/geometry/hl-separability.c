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
 * Per centre the work is O(n) and needs no sorting: membership flags of
 * S_N grow along each ranked order (S_N is a prefix of it), one pass
 * computes the intervals and the candidate thresholds, one finds the exact
 * extremes, one counts. Centres are processed in blocks so memory stays
 * bounded for the "every N" grid. The passes, not the GEMM, are most of the
 * time at paper size (head_dim 128, 1024 keys); they are plain scalar loops.
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

/* The memory of one head's kernel, reused from head to head: fresh
 * megabyte-sized blocks per head cost page faults (the allocator returns
 * them to the system), measured at a sixth of the time of a paper-sized
 * head. */
struct _HlSeparabilityWorkspace
{
  gsize   size;
  guint8 *memory;
};

typedef struct
{
  const HlHeadInput           *input;
  const HlSeparabilityOptions *options;
  int                          n, d;
  int                          n_inst;
  HlRanking                   *inst_ranking;  /* [n_inst] */
  int                         *orders;        /* [n_inst * n] */
  float                       *yf;            /* [n * d] y_i in float32 */
  double                      *yd;            /* [n * d] y_i in double (exact) */
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
  /* Per centre and distance, by key index. */
  guint8                      *member;        /* [n] i in S_N */
  int                          member_inst, member_pos;
  double                      *lo, *hi;       /* [n] interval of D^2 or D */
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
        {
          double y = (double) in->alpha[i] * (double) v[c];

          k->yd[(gsize) i * k->d + c] = y;
          k->yf[(gsize) i * k->d + c] = (float) y;
        }
      k->ny2[i] = hl_separability_point_norm2 (v, in->alpha[i], k->d);
      k->ny[i] = sqrt (k->ny2[i]);
    }
  k->nv_sink = sqrt (hl_separability_point_norm2 (in->values, 1.0f, k->d));
  k->nv_last = sqrt (hl_separability_point_norm2 (in->values + (gsize) (k->n - 1) * k->d,
                                                  1.0f, k->d));
}

static void
kernel_rankings (Kernel *k,
                 int    *repeats)
{
  hl_separability_instances (k->options, k->inst_ranking, repeats);
  for (int j = 0; j < k->n_inst; j++)
    hl_separability_rank (k->input, k->inst_ranking[j], k->options->seed,
                          repeats[j], k->orders + (gsize) j * k->n);
}

/* Hands out @count elements of @size bytes from the workspace, 64-byte
 * aligned; with @base NULL only counts the bytes. */
static gpointer
carve (guint8 *base,
       gsize  *used,
       gsize   count,
       gsize   size)
{
  gpointer p = base != NULL ? base + *used : NULL;

  *used += (count * size + 63) & ~(gsize) 63;
  return p;
}

/* Lays every array of the kernel out in one block; returns its size. */
static gsize
kernel_layout (Kernel *k,
               guint8 *base,
               int   **repeats)
{
  gsize used = 0, n = k->n, d = k->d, block = k->block, inst = k->n_inst;

  k->inst_ranking = carve (base, &used, inst, sizeof (HlRanking));
  *repeats = carve (base, &used, inst, sizeof (int));
  k->orders = carve (base, &used, inst * n, sizeof (int));
  k->yf = carve (base, &used, n * d, sizeof (float));
  k->yd = carve (base, &used, n * d, sizeof (double));
  k->ny2 = carve (base, &used, n, sizeof (double));
  k->ny = carve (base, &used, n, sizeof (double));
  k->sd = carve (base, &used, block * d, sizeof (double));
  k->sf = carve (base, &used, block * d, sizeof (float));
  k->ns2 = carve (base, &used, block, sizeof (double));
  k->mass = carve (base, &used, block, sizeof (double));
  k->g = carve (base, &used, block * n, sizeof (float));
  k->running = carve (base, &used, d, sizeof (double));
  k->member = carve (base, &used, n, sizeof (guint8));
  k->lo = carve (base, &used, n, sizeof (double));
  k->hi = carve (base, &used, n, sizeof (double));
  return used;
}

static void
kernel_init (Kernel                      *k,
             HlSeparabilityWorkspace     *workspace,
             const HlHeadInput           *input,
             const HlSeparabilityOptions *options)
{
  int m, *repeats;
  gsize size;

  memset (k, 0, sizeof *k);
  k->input = input;
  k->options = options;
  k->n = input->n_keys;
  k->d = input->head_dim;
  k->tol = (k->d + 8) * 0x1.0p-24;
  k->tiny = 4.0 * k->d * FLT_TRUE_MIN;
  k->n_inst = hl_separability_instances (options, NULL, NULL);
  m = k->n_inst * options->n_grid;
  k->block = CLAMP (BLOCK_FLOATS / k->n, 1, MAX (m, 1));
  k->member_inst = -1;

  size = kernel_layout (k, NULL, &repeats);
  if (workspace->size < size)
    {
      g_free (workspace->memory);
      workspace->memory = g_malloc (size);
      workspace->size = size;
    }
  kernel_layout (k, workspace->memory, &repeats);
  kernel_points (k);
  kernel_rankings (k, repeats);
  k->acc = hl_separability_accumulator_new (options);
}

/* Advances the running prefix sum of instance @inst to the first @n_top
 * keys of its order. The y_i are exact in double, and adding 1.0 * y_i is
 * the same rounding as adding y_i, so the sums are bit for bit those of a
 * plain loop (the projection and the reference sum the same way). */
static void
kernel_advance (Kernel *k,
                int     inst,
                int     n_top)
{
  const int *order = k->orders + (gsize) inst * k->n;

  for (; k->running_pos < n_top; k->running_pos++)
    {
      int i = order[k->running_pos];

      cblas_daxpy (k->d, 1.0, k->yd + (gsize) i * k->d, 1, k->running, 1);
      k->running_mass += k->input->alpha[i];
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

/* Marks S_N of instance @inst in the membership flags. Centres come in
 * order (inst, N increasing), so the flags only ever grow within one
 * instance. */
static void
kernel_select (Kernel *k,
               int     inst,
               int     n_top)
{
  const int *order = k->orders + (gsize) inst * k->n;

  if (inst != k->member_inst)
    {
      memset (k->member, 0, k->n);
      k->member_inst = inst;
      k->member_pos = 0;
    }
  for (; k->member_pos < n_top; k->member_pos++)
    k->member[order[k->member_pos]] = 1;
}

/* The interval [lo_i, hi_i] holding the exact value of every key (D^2 for
 * Euclidean, D for cosine), and the two thresholds that limit the
 * candidates: @lower, the largest lo over S_N (rho_max is at least that),
 * and @upper, the smallest hi outside S_N (rho_min is at most that). */
static void
kernel_bounds (Kernel     *k,
               int         b,
               HlDistance  distance,
               double     *lower,
               double     *upper)
{
  const float *g = k->g + (gsize) b * k->n;
  double ns2 = k->ns2[b], ns = sqrt (ns2);
  /* The dot product bound tol ||y|| ||s|| + tiny (1 + ||y|| + ||s||),
   * written as slope ||y|| + offset. */
  double slope = k->tol * ns + k->tiny, offset = k->tiny * (1.0 + ns);
  double lo_in = -INFINITY, hi_out = INFINITY;

  for (int i = 0; i < k->n; i++)
    {
      double key, err;

      if (distance == HL_DISTANCE_EUCLIDEAN)
        {
          key = k->ny2[i] + ns2 - 2.0 * g[i];
          err = 2.0 * (slope * k->ny[i] + offset) + SLACK * (k->ny2[i] + ns2);
        }
      else
        {
          double den = k->ny[i] * ns + 1e-12;

          key = 1.0 - g[i] / den;
          err = (slope * k->ny[i] + offset) / den + SLACK;
        }
      k->lo[i] = key - err;
      k->hi[i] = key + err;
      if (k->member[i])
        lo_in = MAX (lo_in, k->lo[i]);
      else
        hi_out = MIN (hi_out, k->hi[i]);
    }
  *lower = lo_in;
  *upper = hi_out;
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

/* rho_max and rho_min, exactly: only keys of S_N whose interval reaches
 * @lower can be the maximum, only keys outside whose interval reaches
 * @upper can be the minimum. */
static void
kernel_extremes (const Kernel *k,
                 int           b,
                 HlDistance    distance,
                 double        lower,
                 double        upper,
                 double       *rho_min,
                 double       *rho_max)
{
  double r_max = -INFINITY, r_min = INFINITY;

  for (int i = 0; i < k->n; i++)
    {
      if (k->member[i] && k->hi[i] >= lower)
        r_max = MAX (r_max, kernel_exact (k, b, i, distance));
      else if (!k->member[i] && k->lo[i] <= upper)
        r_min = MIN (r_min, kernel_exact (k, b, i, distance));
    }
  *rho_min = r_min;
  *rho_max = r_max;
}

/* The value compared with the intervals: D^2 for Euclidean, D for cosine.
 * Both maps are monotone, so an interval entirely below key_of (rho) holds
 * a distance below rho. */
static inline double
key_of (double     rho,
        HlDistance distance)
{
  return distance == HL_DISTANCE_EUCLIDEAN ? rho * rho : rho;
}

/* #{ j not in S_N : D_j <= rho_max } (the closed outer ball) and
 * #{ i in S_N : D_i < rho_min } (the strict inner ball); a key whose
 * interval straddles the limit is decided on its exact distance. */
static void
kernel_counts (const Kernel *k,
               int           b,
               HlDistance    distance,
               double        rho_min,
               double        rho_max,
               int          *n_outer,
               int          *n_inner)
{
  double limit_in = key_of (rho_min, distance), limit_out = key_of (rho_max, distance);
  int outer = 0, inner = 0;

  for (int i = 0; i < k->n; i++)
    {
      if (k->member[i])
        {
          if (k->hi[i] < limit_in)
            inner++;
          else if (k->lo[i] <= limit_in)
            inner += kernel_exact (k, b, i, distance) < rho_min;
        }
      else
        {
          if (k->hi[i] < limit_out)
            outer++;
          else if (k->lo[i] <= limit_out)
            outer += kernel_exact (k, b, i, distance) <= rho_max;
        }
    }
  *n_outer = outer;
  *n_inner = inner;
}

static void
kernel_measure (Kernel     *k,
                int         b,
                int         inst,
                int         g,
                HlDistance  distance)
{
  int n_top = k->options->grid[g], n_outer, n_inner;
  double lower, upper, rho_min, rho_max;
  HlSeparabilityExact point;

  kernel_bounds (k, b, distance, &lower, &upper);
  kernel_extremes (k, b, distance, lower, upper, &rho_min, &rho_max);
  kernel_counts (k, b, distance, rho_min, rho_max, &n_outer, &n_inner);
  hl_separability_exact_set (&point, n_top, n_outer, n_inner, rho_min, rho_max, k->mass[b]);
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

  kernel_select (k, inst, k->options->grid[g]);
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

HlSeparabilityWorkspace *
hl_separability_workspace_new (void)
{
  return g_new0 (HlSeparabilityWorkspace, 1);
}

void
hl_separability_workspace_free (HlSeparabilityWorkspace *self)
{
  if (self == NULL)
    return;
  g_free (self->memory);
  g_free (self);
}

HlCurveSet *
hl_separability_compute_with (HlSeparabilityWorkspace     *workspace,
                              const HlHeadInput           *input,
                              const HlSeparabilityOptions *options)
{
  Kernel k;

  g_return_val_if_fail (workspace != NULL, NULL);
  g_return_val_if_fail (hl_separability_arguments_valid (input, options), NULL);

  kernel_init (&k, workspace, input, options);
  kernel_run (&k);
  return hl_separability_accumulator_finish (k.acc);
}

HlCurveSet *
hl_separability_compute (const HlHeadInput           *input,
                         const HlSeparabilityOptions *options)
{
  g_autoptr(HlSeparabilityWorkspace) workspace = NULL;

  g_return_val_if_fail (hl_separability_arguments_valid (input, options), NULL);

  workspace = hl_separability_workspace_new ();
  return hl_separability_compute_with (workspace, input, options);
}
