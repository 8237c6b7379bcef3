/* hl-separability.c: the fast path of the separability metrics: prefix sums
 * build every centre s_N, one SGEMM gives every distance, rigorous float32
 * intervals decide most counts and the rest is recomputed exactly in
 * double. docs/separability.md explains the design, its exactness argument
 * and its cost.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-separability-private.h"

#include "hl-distance-gemm.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* The GEMM output of one block holds at most this many floats (1 MiB), so it
 * stays in the caches between the GEMM and the passes. */
#define BLOCK_FLOATS (1 << 18)
/* Relative slack for the double arithmetic around the bounds (the double
 * rounding errors are below 1e-12 relative for any d <= 10^3). */
#define SLACK 1e-9
/* Lanes of the float32 vectors. */
#define LANES 8
/* Rows of G and the per-key arrays are padded to a multiple of this: the
 * lanes of an AVX-512 register. */
#define PAD 16
/* Keys per test "does this stretch hold a candidate?" in the second pass. */
#define CHUNK (8 * LANES)
/* Components of the centres summed at a time: eight AVX2 registers, or
 * sixteen AVX-512 registers (a whole row of a head of 128 dimensions). */
#define STRIPE 32
#define STRIPE_WIDE 128
/* Keys ahead whose rows of values the prefix sums prefetch. */
#define PREFETCH_AHEAD 8
/* Above this, ||y|| ||s|| could overflow float32: the head is done exactly. */
#define SAFE_MAGNITUDE 0x1.0p60

/* The hot loops are compiled for AVX2 and for the x86-64 baseline, the
 * right one picked at load time. Element-wise loops that convert between
 * float and double are left to the vectoriser at -O3 (GCC 12 lowers
 * __builtin_convertvector of four floats to two halves); the vectoriser
 * never reassociates, so their results are those of the scalar loops, and
 * no product is fused into a sum, so both versions give the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HL_VECTOR_CLONES __attribute__ ((target_clones ("avx2", "default"), optimize ("O3", "fp-contract=off")))
#else
#define HL_VECTOR_CLONES
#endif

typedef float  VecF  __attribute__ ((vector_size (LANES * sizeof (float))));
typedef gint32 VecI  __attribute__ ((vector_size (LANES * sizeof (gint32))));
/* Four doubles and four floats, loaded from and stored to any address. */
typedef double VecD4 __attribute__ ((vector_size (4 * sizeof (double)), aligned (8), may_alias));
typedef float  VecF4 __attribute__ ((vector_size (4 * sizeof (float)), aligned (4), may_alias));

#define SPLAT(x)           ((VecF) { } + (x))
#define SELECT(mask, a, b) ((VecF) (((VecI) (mask) & (VecI) (a)) | (~(VecI) (mask) & (VecI) (b))))
#define VMAX(a, b)         SELECT ((a) > (b), a, b)
#define VMIN(a, b)         SELECT ((a) < (b), a, b)

/* Two loops convert float32 rows to double on the fly, which GCC 12 does
 * through the stack when written with vector extensions: they are written
 * with AVX2 and FMA intrinsics and chosen at run time, with plain loops
 * for other processors. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_FMA_LOOPS 1

/* HEADLENS_NO_AVX2 in the environment forces the plain loops, so that
 * the tests run them on a machine that has AVX2. */
static gboolean
cpu_has_avx2_fma (void)
{
  static gsize answer = 0;  /* 1: no, 2: yes */

  if (g_once_init_enter (&answer))
    g_once_init_leave (&answer, __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma")
                                && g_getenv ("HEADLENS_NO_AVX2") == NULL ? 2 : 1);
  return answer == 2;
}

/* The loops in AVX-512 registers where the processor has them;
 * HEADLENS_NO_AVX512 forces the AVX2 loops, so that the tests run those
 * too (the same answer as for the distance GEMM). */
static gboolean
cpu_has_avx512 (void)
{
  return hl_cpu_has_avx512 ();
}
#endif

gboolean
hl_separability_uses_avx2_fma (void)
{
#ifdef HAVE_AVX2_FMA_LOOPS
  return cpu_has_avx2_fma ();
#else
  return FALSE;
#endif
}

gboolean
hl_separability_uses_avx512 (void)
{
#ifdef HAVE_AVX2_FMA_LOOPS
  return cpu_has_avx512 ();
#else
  return FALSE;
#endif
}

/* The memory of one head's kernel, reused from head to head: fresh
 * megabyte-sized blocks per head cost page faults (the allocator returns
 * them to the system). */
struct _HlSeparabilityWorkspace
{
  gsize   size;
  guint8 *memory;
  /* Bytes at the start of @memory known to be zero: G is laid out first
   * and left zero by every head that runs BLAS (see kernel_gemm ()). */
  gsize   zeroed;
};

/* The brackets of the keys of rho_max (in_lo .. in_hi) and rho_min
 * (out_lo .. out_hi) for one centre and distance. */
typedef struct
{
  float in_lo, in_hi, out_lo, out_hi;
} Brackets;

typedef struct
{
  int n_inner;   /* keys of S_N surely closer than rho_min */
  int n_outer;   /* keys outside surely within rho_max */
  int n_cand;    /* keys collected into cand */
} Tally;

/* The two passes over the keys of a centre (see pass_intervals () and
 * pass_counts ()), in the version the processor runs fastest. */
typedef struct
{
  void (*intervals) (const float *restrict sv, const float *restrict af,
                     const float *restrict ny2f, const float *restrict nyf,
                     const float *restrict nyup, const float *restrict off_in,
                     const float *restrict off_out, const guint16 *restrict in_bits,
                     const guint16 *restrict out_bits, int n_pad, gboolean cosine, float cos_ns,
                     float e_a, float e_b, float e_c, float *restrict lo, float *restrict hi,
                     Brackets *out);
  void (*counts) (const float *restrict lo, const float *restrict hi,
                  const float *restrict off_in, const float *restrict off_out,
                  const guint16 *restrict in_bits, const guint16 *restrict out_bits, int n_pad,
                  const Brackets *br, int *restrict cand, Tally *tally);
} Passes;

static Passes passes_for_processor (void);

typedef struct
{
  const HlHeadInput           *input;
  const HlSeparabilityOptions *options;
  int                          n, d, n_pad;
  int                          n_inst;
  HlRanking                   *inst_ranking;  /* [n_inst] */
  int                         *orders;        /* [n_inst * n] */
  gboolean                     exact_only;    /* float32 bounds not trusted */
  /* [n_pad] per key, zero in the padding: alpha_i, ||y_i||^2 rounded to
   * float32, ||y_i|| rounded to float32, and an upper bound of ||y_i||. */
  float                       *af, *ny2f, *nyf, *nyup;
  double                      *ny2x;          /* [n] exact ||y_i||^2, < 0 until needed */
  double                       y_max;         /* max ||y_i|| */
  double                       v_max;         /* max ||v_i|| */
  /* max |alpha_i| (1 + ||v_i||) and max |alpha_i|: the scale of the
   * underflow term of the bounds */
  double                       under_y, alpha_max;
  double                       nv_sink, nv_last; /* ||v_0||, ||v_t|| */
  /* The theory next to the measurement: the head output o = sum alpha_i
   * v_i, the row's total mass, and per instance and grid point the
   * smallest alpha in S_N, the largest outside and the mass outside. */
  double                      *o;             /* [d] */
  int                         *identity;      /* [n] 0 .. n - 1 */
  double                       alpha_total;
  double                      *in_min, *out_max, *out_mass; /* [n_inst * n_grid] */
  /* One block of centres. */
  int                          block;
  double                      *sd;            /* [block * d] s_N in double */
  float                       *sf;            /* [block * d] s_N in float32 */
  double                      *ns2;           /* [block] ||s_N||^2 (to 1e-13) */
  double                      *ns2x;          /* [block] exact, < 0 until needed */
  double                      *mass;          /* [block] */
  double                      *cos_sink, *cos_last; /* [block] alignment */
  double                      *residual;      /* [block] ||o - s_N|| */
  float                       *g;             /* [block * n_pad] <s_c, v_i> */
  /* The distance GEMM: hl_distance_gemm () where the processor runs it,
   * from the input's panels, or from the values, each panel laid out in
   * @panel_scratch; else BLAS into a G kept zero. */
  gboolean                     own_gemm;
  const float                 *panels;
  gsize                        scratch_floats;
  float                       *panel_scratch;
  /* The prefix sum, mass and length of the last instance of a block,
   * carried to the next block. */
  double                      *running;       /* [d] */
  double                       running_mass;
  int                          running_pos;
  /* Membership of S_N: off_in is 0 in S_N and -inf elsewhere, off_out is 0
   * outside S_N and +inf in it; both are infinite in the padding. */
  float                       *off_in, *off_out;   /* [n_pad] */
  /* The same as bits, sixteen keys a word (key i is bit i % 16 of word
   * i / 16): in S_N, and outside it (not the padding). */
  guint16                     *in_bits, *out_bits;  /* [n_pad / 16] */
  int                          member_inst, member_pos;
  float                       *lo, *hi;       /* [n_pad] interval of each key */
  int                         *cand;          /* [n_pad + PAD] keys to recheck */
  Passes                       passes;
  double                      *cand_d;        /* [n] their exact distances */
  HlSeparabilityAccumulator   *acc;
} Kernel;

/* Per-head preparation ----------------------------------------------------- */

/* ||y_i||^2 = sum (alpha_i v_i)^2, each component exact in double, summed
 * in eight lanes (within 1e-13: it only sets the bounds). */
HL_VECTOR_CLONES
static double
point_norm2_plain (const float *restrict v,
                   float                 alpha,
                   int                   d)
{
  double acc[8] = { 0 }, a = alpha, sum;
  int c = 0;

  for (; c + 8 <= d; c += 8)
    for (int q = 0; q < 8; q++)
      {
        double y = a * (double) v[c + q];

        acc[q] += y * y;
      }
  sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; c < d; c++)
    {
      double y = a * (double) v[c];

      sum += y * y;
    }
  return sum;
}

#ifdef HAVE_AVX2_FMA_LOOPS
/* point_norm2_plain () with the squares summed by FMA in four vectors. */
__attribute__ ((target ("avx2,fma")))
static double
point_norm2_fma (const float *restrict v,
                 float                 alpha,
                 int                   d)
{
  __m256d a = _mm256_set1_pd (alpha), s0 = _mm256_setzero_pd (), s1 = s0, s2 = s0, s3 = s0;
  double lanes[4], sum;
  int c = 0;

  for (; c + 16 <= d; c += 16)
    {
      __m256d y0 = _mm256_mul_pd (a, _mm256_cvtps_pd (_mm_loadu_ps (v + c)));
      __m256d y1 = _mm256_mul_pd (a, _mm256_cvtps_pd (_mm_loadu_ps (v + c + 4)));
      __m256d y2 = _mm256_mul_pd (a, _mm256_cvtps_pd (_mm_loadu_ps (v + c + 8)));
      __m256d y3 = _mm256_mul_pd (a, _mm256_cvtps_pd (_mm_loadu_ps (v + c + 12)));

      s0 = _mm256_fmadd_pd (y0, y0, s0);
      s1 = _mm256_fmadd_pd (y1, y1, s1);
      s2 = _mm256_fmadd_pd (y2, y2, s2);
      s3 = _mm256_fmadd_pd (y3, y3, s3);
    }
  _mm256_storeu_pd (lanes, _mm256_add_pd (_mm256_add_pd (s0, s1), _mm256_add_pd (s2, s3)));
  sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; c < d; c++)
    {
      double y = (double) alpha * v[c];

      sum += y * y;
    }
  return sum;
}
#endif

static double
point_norm2 (const float *v,
             float        alpha,
             int          d)
{
#ifdef HAVE_AVX2_FMA_LOOPS
  if (cpu_has_avx2_fma ())
    return point_norm2_fma (v, alpha, d);
#endif
  return point_norm2_plain (v, alpha, d);
}

static void
kernel_points (Kernel *k)
{
  const HlHeadInput *in = k->input;
  gboolean finite = TRUE;

  k->y_max = k->v_max = k->under_y = k->alpha_max = k->alpha_total = 0.0;
  for (int i = 0; i < k->n; i++)
    {
      const float *v = in->values + (gsize) i * k->d;
      double a = fabs ((double) in->alpha[i]);
      double ny2 = point_norm2 (v, in->alpha[i], k->d);
      double ny = sqrt (ny2);
      /* ||v_i|| = ||y_i|| / |alpha_i| where alpha_i is not zero. */
      double nv = a > 0.0 ? ny / a : sqrt (hl_separability_point_norm2 (v, 1.0f, k->d));

      finite = finite && isfinite (ny2) && isfinite (nv);
      k->af[i] = in->alpha[i];
      k->ny2f[i] = (float) ny2;
      k->nyf[i] = (float) ny;
      /* The lane sum is within 1e-13 of ||y||^2; float32 rounding within
       * 6e-8: 1e-6 more makes an upper bound. */
      k->nyup[i] = (float) (ny * (1.0 + 1e-6));
      k->ny2x[i] = -1.0;
      k->y_max = MAX (k->y_max, ny);
      k->v_max = MAX (k->v_max, nv);
      k->under_y = MAX (k->under_y, a * (1.0 + nv));
      k->alpha_max = MAX (k->alpha_max, a);
      k->alpha_total += in->alpha[i];
    }
  for (int i = k->n; i < k->n_pad; i++)
    k->af[i] = k->ny2f[i] = k->nyf[i] = k->nyup[i] = 0.0f;
  /* Every centre is a sum of at most n points, so ||s|| <= n max ||y||,
   * and the GEMM's sums stay below ||s|| ||v_i||. */
  k->exact_only = !finite || k->y_max * k->n > SAFE_MAGNITUDE || k->v_max > SAFE_MAGNITUDE;
  k->nv_sink = sqrt (hl_separability_point_norm2 (in->values, 1.0f, k->d));
  k->nv_last = sqrt (hl_separability_point_norm2 (in->values + (gsize) (k->n - 1) * k->d,
                                                  1.0f, k->d));
}

static void
kernel_rankings (Kernel *k,
                 int    *repeats)
{
  const HlSeparabilityOptions *o = k->options;

  hl_separability_instances (o, k->inst_ranking, repeats);
  hl_separability_rank_instances (k->input, o->seed, k->inst_ranking, repeats, k->n_inst,
                                  o->n_grid > 0 ? o->grid[o->n_grid - 1] : 0, k->orders);
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
  gsize used = 0, n = k->n, np = k->n_pad, d = k->d, block = k->block, inst = k->n_inst;

  /* First: the part of the workspace kept zero from head to head. */
  k->g = carve (base, &used, block * np, sizeof (float));
  k->inst_ranking = carve (base, &used, inst, sizeof (HlRanking));
  *repeats = carve (base, &used, inst, sizeof (int));
  k->orders = carve (base, &used, inst * n, sizeof (int));
  k->af = carve (base, &used, np, sizeof (float));
  k->ny2f = carve (base, &used, np, sizeof (float));
  k->nyf = carve (base, &used, np, sizeof (float));
  k->nyup = carve (base, &used, np, sizeof (float));
  k->ny2x = carve (base, &used, n, sizeof (double));
  k->sd = carve (base, &used, block * d, sizeof (double));
  k->sf = carve (base, &used, block * d, sizeof (float));
  k->ns2 = carve (base, &used, block, sizeof (double));
  k->ns2x = carve (base, &used, block, sizeof (double));
  k->mass = carve (base, &used, block, sizeof (double));
  k->cos_sink = carve (base, &used, block, sizeof (double));
  k->cos_last = carve (base, &used, block, sizeof (double));
  k->residual = carve (base, &used, block, sizeof (double));
  k->o = carve (base, &used, d, sizeof (double));
  k->identity = carve (base, &used, n, sizeof (int));
  k->in_min = carve (base, &used, inst * k->options->n_grid, sizeof (double));
  k->out_max = carve (base, &used, inst * k->options->n_grid, sizeof (double));
  k->out_mass = carve (base, &used, inst * k->options->n_grid, sizeof (double));
  k->running = carve (base, &used, d, sizeof (double));
  k->off_in = carve (base, &used, np, sizeof (float));
  k->off_out = carve (base, &used, np, sizeof (float));
  k->in_bits = carve (base, &used, np / 16, sizeof (guint16));
  k->out_bits = carve (base, &used, np / 16, sizeof (guint16));
  k->lo = carve (base, &used, np, sizeof (float));
  k->hi = carve (base, &used, np, sizeof (float));
  k->cand = carve (base, &used, np + PAD, sizeof (int));
  k->cand_d = carve (base, &used, n, sizeof (double));
  k->panel_scratch = carve (base, &used, k->scratch_floats, sizeof (float));
  return used;
}

gsize
hl_separability_workspace_bytes (int                          n_keys,
                                 int                          head_dim,
                                 const HlSeparabilityOptions *options)
{
  Kernel k = { 0 };
  int *repeats;

  g_return_val_if_fail (options != NULL && n_keys >= 1 && head_dim >= 1, 0);

  k.options = options;
  k.n = n_keys;
  k.d = head_dim;
  k.n_pad = (k.n + PAD - 1) / PAD * PAD;
  k.n_inst = hl_separability_instances (options, NULL, NULL);
  k.block = CLAMP (BLOCK_FLOATS / k.n_pad, 1, MAX (k.n_inst * options->n_grid, 1));
  k.scratch_floats = hl_cpu_has_avx512 () ? hl_values_panels_floats (HL_PANEL_KEYS, head_dim) : 0;
  return kernel_layout (&k, NULL, &repeats);
}

static void
kernel_init (Kernel                      *k,
             HlSeparabilityWorkspace     *workspace,
             const HlHeadInput           *input,
             const HlSeparabilityOptions *options)
{
  int m, *repeats;
  gsize size, g_bytes;

  memset (k, 0, sizeof *k);
  k->input = input;
  k->options = options;
  k->n = input->n_keys;
  k->d = input->head_dim;
  k->n_pad = (k->n + PAD - 1) / PAD * PAD;
  k->n_inst = hl_separability_instances (options, NULL, NULL);
  m = k->n_inst * options->n_grid;
  k->block = CLAMP (BLOCK_FLOATS / k->n_pad, 1, MAX (m, 1));
  k->member_inst = -1;
  k->own_gemm = hl_cpu_has_avx512 ();
  if (k->own_gemm && hl_values_panels_fit (input->panels, k->n, k->d))
    k->panels = hl_values_panels_get_data (input->panels);
  else if (k->own_gemm)
    k->scratch_floats = hl_values_panels_floats (HL_PANEL_KEYS, k->d);

  size = kernel_layout (k, NULL, &repeats);
  if (workspace->size < size)
    {
      g_aligned_free (workspace->memory);
      workspace->memory = g_aligned_alloc (size, 1, 64);
      workspace->size = size;
      workspace->zeroed = 0;
    }
  kernel_layout (k, workspace->memory, &repeats);
  /* For BLAS G must start zero; past this head's G the other arrays
   * overwrite it. hl_distance_gemm () overwrites G. */
  g_bytes = (gsize) k->block * k->n_pad * sizeof (float);
  if (k->own_gemm)
    g_bytes = 0;
  else if (workspace->zeroed < g_bytes)
    memset (workspace->memory + workspace->zeroed, 0, g_bytes - workspace->zeroed);
  workspace->zeroed = g_bytes;
  k->passes = passes_for_processor ();
  kernel_points (k);
  kernel_rankings (k, repeats);
  k->acc = hl_separability_accumulator_new (options);
}

/* Centres ------------------------------------------------------------------ */

/* @to[0 .. width-1] = @from[0 .. width-1] + y_i[0 .. width-1] summed over
 * the keys @order[0 .. count-1], each y_i = alpha_i v_i formed from the
 * float32 values, @v pointing at the first of those components of v_0.
 * A product of two floats is exact in double, so adding it, fused (FMA)
 * or not, rounds once, as adding a stored y_i would: the keys are added
 * one after the other, and the sums are bit for bit those of a plain loop
 * over y_i (the reference and the projection sum the same way). When @mass
 * is not NULL, the alpha_i are added to it in the same order: the retained
 * mass, whose chain of dependent additions then overlaps the sums. */
static void
centre_add_plain (const double *restrict from,
                  double       *restrict to,
                  const float  *restrict v,
                  const float  *restrict alpha,
                  const int    *restrict order,
                  int                    count,
                  int                    d,
                  int                    width,
                  double       *restrict mass)
{
  double m = mass != NULL ? *mass : 0.0;

  for (int q = 0; q < width; q++)
    to[q] = from[q];
  for (int p = 0; p < count; p++)
    {
      const float *x = v + (gsize) order[p] * d;
      double w = alpha[order[p]];

      for (int q = 0; q < width; q++)
        to[q] += w * (double) x[q];
      m += w;
    }
  if (mass != NULL)
    *mass = m;
}

#ifdef HAVE_AVX2_FMA_LOOPS
/* centre_add_plain () for a full stripe with AVX2 and FMA: the stripe
 * stays in eight registers while every key goes by, each row converted
 * four floats at a time; the rows come in random order, so they are
 * prefetched a few keys ahead. */
__attribute__ ((target ("avx2,fma")))
static void
centre_add_fma (const double *restrict from,
                double       *restrict to,
                const float  *restrict v,
                const float  *restrict alpha,
                const int    *restrict order,
                int                    count,
                int                    d,
                double       *restrict mass)
{
  double m = mass != NULL ? *mass : 0.0;
  __m256d a0 = _mm256_loadu_pd (from), a1 = _mm256_loadu_pd (from + 4);
  __m256d a2 = _mm256_loadu_pd (from + 8), a3 = _mm256_loadu_pd (from + 12);
  __m256d a4 = _mm256_loadu_pd (from + 16), a5 = _mm256_loadu_pd (from + 20);
  __m256d a6 = _mm256_loadu_pd (from + 24), a7 = _mm256_loadu_pd (from + 28);

  G_STATIC_ASSERT (STRIPE == 32);
  for (int p = 0; p < count; p++)
    {
      const float *x = v + (gsize) order[p] * d;
      const float *ahead = v + (gsize) order[MIN (p + PREFETCH_AHEAD, count - 1)] * d;
      double a = alpha[order[p]];
      __m256d w = _mm256_set1_pd (a);

      m += a;

      __builtin_prefetch (ahead);
      __builtin_prefetch (ahead + 16);
#define ADD(acc, q) acc = _mm256_fmadd_pd (w, _mm256_cvtps_pd (_mm_loadu_ps (x + (q))), acc)
      ADD (a0, 0); ADD (a1, 4); ADD (a2, 8); ADD (a3, 12);
      ADD (a4, 16); ADD (a5, 20); ADD (a6, 24); ADD (a7, 28);
#undef ADD
    }
  _mm256_storeu_pd (to, a0);
  _mm256_storeu_pd (to + 4, a1);
  _mm256_storeu_pd (to + 8, a2);
  _mm256_storeu_pd (to + 12, a3);
  _mm256_storeu_pd (to + 16, a4);
  _mm256_storeu_pd (to + 20, a5);
  _mm256_storeu_pd (to + 24, a6);
  _mm256_storeu_pd (to + 28, a7);
  if (mass != NULL)
    *mass = m;
}

/* centre_add_plain () for STRIPE_WIDE components in sixteen AVX-512
 * registers: each row of a random order is read once rather than once a
 * stripe, eight floats converted to double a register. */
__attribute__ ((target ("avx512f")))
static void
centre_add_avx512 (const double *restrict from,
                   double       *restrict to,
                   const float  *restrict v,
                   const float  *restrict alpha,
                   const int    *restrict order,
                   int                    count,
                   int                    d,
                   double       *restrict mass)
{
  double m = mass != NULL ? *mass : 0.0;
  __m512d acc[STRIPE_WIDE / 8];

#pragma GCC unroll 16
  for (int q = 0; q < STRIPE_WIDE / 8; q++)
    acc[q] = _mm512_loadu_pd (from + 8 * q);
  for (int p = 0; p < count; p++)
    {
      const float *x = v + (gsize) order[p] * d;
      double a = alpha[order[p]];
      __m512d w = _mm512_set1_pd (a);

      m += a;

#pragma GCC unroll 16
      for (int q = 0; q < STRIPE_WIDE / 8; q++)
        acc[q] = _mm512_fmadd_pd (w, _mm512_cvtps_pd (_mm256_loadu_ps (x + 8 * q)), acc[q]);
    }
#pragma GCC unroll 16
  for (int q = 0; q < STRIPE_WIDE / 8; q++)
    _mm512_storeu_pd (to + 8 * q, acc[q]);
  if (mass != NULL)
    *mass = m;
}
#endif

static void
centre_add (const double *restrict from,
            double       *restrict to,
            const float  *restrict v,
            const float  *restrict alpha,
            const int    *restrict order,
            int                    count,
            int                    d,
            int                    width,
            double       *restrict mass)
{
#ifdef HAVE_AVX2_FMA_LOOPS
  if (width == STRIPE_WIDE && cpu_has_avx512 ())
    {
      centre_add_avx512 (from, to, v, alpha, order, count, d, mass);
      return;
    }
  if (width == STRIPE && cpu_has_avx2_fma ())
    {
      centre_add_fma (from, to, v, alpha, order, count, d, mass);
      return;
    }
#endif
  centre_add_plain (from, to, v, alpha, order, count, d, width, mass);
}

/* The width of the stripe of components starting at @c0 that centre_add ()
 * sums at once: whole rows of 128 where AVX-512 holds them. Each component
 * is summed on its own, so the width does not change the sums. */
static int
stripe_width (int d,
              int c0)
{
#ifdef HAVE_AVX2_FMA_LOOPS
  if (d - c0 >= STRIPE_WIDE && cpu_has_avx512 ())
    return STRIPE_WIDE;
#endif
  return MIN (STRIPE, d - c0);
}

/* From a centre in double: its float32 copy, ||s||^2 summed in lanes, the
 * dot products with v_0 and v_t for the alignment (in lanes too: those
 * are reported in float32), and ||o - s||^2 for the residual. */
HL_VECTOR_CLONES
static double
centre_finish (const double *restrict sd,
               const float  *restrict v_sink,
               const float  *restrict v_last,
               const double *restrict o,
               int                    d,
               float        *restrict sf,
               double       *restrict dots)
{
  VecD4 ss = { 0 }, ds = { 0 }, dl = { 0 }, rr = { 0 };
  double ns2, dot_sink, dot_last, res2;
  int c = 0;

  for (; c + 4 <= d; c += 4)
    {
      VecD4 s = *(const VecD4 *) (sd + c);
      VecD4 e = *(const VecD4 *) (o + c) - s;

      *(VecF4 *) (sf + c) = __builtin_convertvector (s, VecF4);
      ss += s * s;
      ds += s * __builtin_convertvector (*(const VecF4 *) (v_sink + c), VecD4);
      dl += s * __builtin_convertvector (*(const VecF4 *) (v_last + c), VecD4);
      rr += e * e;
    }
  ns2 = (ss[0] + ss[1]) + (ss[2] + ss[3]);
  dot_sink = (ds[0] + ds[1]) + (ds[2] + ds[3]);
  dot_last = (dl[0] + dl[1]) + (dl[2] + dl[3]);
  res2 = (rr[0] + rr[1]) + (rr[2] + rr[3]);
  for (; c < d; c++)
    {
      sf[c] = (float) sd[c];
      ns2 += sd[c] * sd[c];
      dot_sink += sd[c] * (double) v_sink[c];
      dot_last += sd[c] * (double) v_last[c];
      res2 += (o[c] - sd[c]) * (o[c] - sd[c]);
    }
  dots[0] = dot_sink;
  dots[1] = dot_last;
  dots[2] = res2;
  return ns2;
}

/* The components [c0, c0 + width) of every centre of the block, instance
 * by instance along its order, and with the first stripe the retained
 * mass of every centre. A stripe of STRIPE floats of the values (128 KiB
 * for a thousand keys) stays in the L2 cache from one instance to the
 * next; whole rows (STRIPE_WIDE) are read once per instance. The first
 * instance of a block may continue the last one of the previous block:
 * its sums and mass start from the carried running ones, and the last
 * instance's are carried on. */
static void
kernel_build_stripe (Kernel *k,
                     int     first,
                     int     count,
                     int     c0,
                     int     width)
{
  int n_grid = k->options->n_grid;

  for (int b = 0; b < count;)
    {
      int inst = (first + b) / n_grid, g = (first + b) % n_grid;
      int pos = g == 0 ? 0 : k->running_pos;
      const int *order = k->orders + (gsize) inst * k->n;
      static const double zeros[STRIPE_WIDE];
      const double *from = g == 0 ? zeros : k->running + c0;
      double *to = NULL, mass = g == 0 ? 0.0 : k->running_mass;

      for (; b < count && (first + b) / n_grid == inst; b++)
        {
          int n_top = k->options->grid[(first + b) % n_grid];

          to = k->sd + (gsize) b * k->d + c0;
          centre_add (from, to, k->input->values + c0, k->input->alpha, order + pos, n_top - pos,
                      k->d, width, c0 == 0 ? &mass : NULL);
          if (c0 == 0)
            k->mass[b] = mass;
          pos = n_top;
          from = to;
        }
      memcpy (k->running + c0, to, sizeof (double) * width);
      if (c0 == 0)
        k->running_mass = mass;
    }
}

/* Theory ------------------------------------------------------------------ */

/* o = sum_i alpha_i v_i in double, in index order, stripe by stripe. */
static void
kernel_output (Kernel *k)
{
  static const double zeros[STRIPE_WIDE];

  for (int i = 0; i < k->n; i++)
    k->identity[i] = i;
  for (int c0 = 0, width; c0 < k->d; c0 += width)
    {
      width = stripe_width (k->d, c0);
      centre_add (zeros, k->o + c0, k->input->values + c0, k->input->alpha, k->identity, k->n,
                  k->d, width, NULL);
    }
}

/* The smallest and largest alpha and the sum of alpha over the positions
 * [@from, @to) of @order, in four independent chains: the loops over
 * every key of every ranking instance would otherwise wait on one
 * addition after the other. */
static void
segment_stats (const float *alpha,
               const int   *order,
               int          from,
               int          to,
               double      *lo,
               double      *hi,
               double      *sum)
{
  double s[4] = { 0 }, l[4] = { INFINITY, INFINITY, INFINITY, INFINITY };
  double h[4] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY };
  int p = from;

  for (; p + 4 <= to; p += 4)
    for (int q = 0; q < 4; q++)
      {
        double a = alpha[order[p + q]];

        s[q] += a;
        l[q] = MIN (l[q], a);
        h[q] = MAX (h[q], a);
      }
  for (; p < to; p++)
    {
      double a = alpha[order[p]];

      s[0] += a;
      l[0] = MIN (l[0], a);
      h[0] = MAX (h[0], a);
    }
  *sum = (s[0] + s[1]) + (s[2] + s[3]);
  *lo = MIN (MIN (l[0], l[1]), MIN (l[2], l[3]));
  *hi = MAX (MAX (h[0], h[1]), MAX (h[2], h[3]));
}

/* Per instance and grid point: the smallest alpha of S_N, the largest
 * alpha outside S_N and the mass outside, from the statistics of the
 * stretches of the order between grid points: the mass outside is summed
 * directly, not as the difference of two numbers near 1. Random orders
 * hold the keys outside S_N past the largest N too, in some order, which
 * is all this needs. */
static void
kernel_theory_prepare (Kernel *k)
{
  int n_grid = k->options->n_grid;
  const int *grid = k->options->grid;

  for (int inst = 0; inst < k->n_inst && n_grid > 0; inst++)
    {
      const int *order = k->orders + (gsize) inst * k->n;
      double *in_min = k->in_min + (gsize) inst * n_grid;
      double *out_max = k->out_max + (gsize) inst * n_grid;
      double *out_mass = k->out_mass + (gsize) inst * n_grid;
      double lo = INFINITY, hi = -INFINITY, mass = 0.0, seg_lo, seg_hi, seg_sum;

      for (int g = 0; g < n_grid; g++)
        {
          segment_stats (k->input->alpha, order, g == 0 ? 0 : grid[g - 1], grid[g],
                         &seg_lo, &seg_hi, &seg_sum);
          lo = MIN (lo, seg_lo);
          in_min[g] = lo;
        }
      for (int g = n_grid - 1; g >= 0; g--)
        {
          segment_stats (k->input->alpha, order, grid[g], g == n_grid - 1 ? k->n : grid[g + 1],
                         &seg_lo, &seg_hi, &seg_sum);
          hi = MAX (hi, seg_hi);
          mass += seg_sum;
          out_max[g] = hi;
          out_mass[g] = mass;
        }
    }
}

/* ||o - s_N|| of centre @c from @diff2, the squared norm of the
 * difference of the two sums. That difference carries the rounding of both
 * sums, about n u sum ||y_i||; when the mass outside S_N is below 1e-4 of
 * the row (the bound is then that small) the discarded part is summed
 * directly over the keys outside S_N instead, so the residual stays
 * accurate relative to its bound. */
static double
kernel_residual (Kernel *k,
                 int     c,
                 double  diff2)
{
  int n_grid = k->options->n_grid, inst = c / n_grid, g = c % n_grid;
  const int *order = k->orders + (gsize) inst * k->n;
  g_autofree double *rest = NULL;
  double sum = 0.0;

  if (k->out_mass[c] >= 1e-4 * k->alpha_total)
    return sqrt (diff2);
  rest = g_new0 (double, k->d);
  for (int p = k->options->grid[g]; p < k->n; p++)
    {
      const float *v = k->input->values + (gsize) order[p] * k->d;
      double a = k->input->alpha[order[p]];

      for (int q = 0; q < k->d; q++)
        rest[q] += a * (double) v[q];
    }
  for (int q = 0; q < k->d; q++)
    sum += rest[q] * rest[q];
  return sqrt (sum);
}

static void
kernel_build_centres (Kernel *k,
                      int     first,
                      int     count)
{
  const float *v_sink = k->input->values;
  const float *v_last = k->input->values + (gsize) (k->n - 1) * k->d;

  for (int c0 = 0, width; c0 < k->d; c0 += width)
    {
      width = stripe_width (k->d, c0);
      kernel_build_stripe (k, first, count, c0, width);
    }
  /* Where the last instance of the block stops, for the next block. */
  k->running_pos = k->options->grid[(first + count - 1) % k->options->n_grid];
  for (int b = 0; b < count; b++)
    {
      double dots[3], ns;

      k->ns2[b] = centre_finish (k->sd + (gsize) b * k->d, v_sink, v_last, k->o, k->d,
                                 k->sf + (gsize) b * k->d, dots);
      k->ns2x[b] = -1.0;
      ns = sqrt (k->ns2[b]);
      k->cos_sink[b] = dots[0] / (ns * k->nv_sink + 1e-12);
      k->cos_last[b] = dots[1] / (ns * k->nv_last + 1e-12);
      k->residual[b] = kernel_residual (k, first + b, dots[2]);
    }
}

/* Marks S_N of instance @inst in the offset arrays. Centres come in order
 * (inst, N increasing), so S_N only ever grows within one instance. */
/* @n copies of @value from @p (vectorised at -O3, where the file's -O2
 * left a scalar loop). */
HL_VECTOR_CLONES
static void
fill_floats (float *restrict p,
             int             n,
             float           value)
{
  for (int i = 0; i < n; i++)
    p[i] = value;
}

static void
kernel_select (Kernel *k,
               int     inst,
               int     n_top)
{
  const int *order = k->orders + (gsize) inst * k->n;

  if (inst != k->member_inst)
    {
      fill_floats (k->off_in, k->n_pad, -INFINITY);
      fill_floats (k->off_out, k->n, 0.0f);
      fill_floats (k->off_out + k->n, k->n_pad - k->n, INFINITY);
      memset (k->in_bits, 0, sizeof (guint16) * (k->n_pad / 16));
      memset (k->out_bits, 0xff, sizeof (guint16) * (k->n_pad / 16));
      k->out_bits[k->n_pad / 16 - 1] = (guint16) ((1u << (k->n - (k->n_pad - 16))) - 1);
      k->member_inst = inst;
      k->member_pos = 0;
    }
  for (; k->member_pos < n_top; k->member_pos++)
    {
      int i = order[k->member_pos];

      k->off_in[i] = 0.0f;
      k->off_out[i] = INFINITY;
      k->in_bits[i / 16] |= (guint16) (1u << (i % 16));
      k->out_bits[i / 16] &= (guint16) ~(1u << (i % 16));
    }
}

/* Pass 1: intervals and brackets ------------------------------------------- */

/* Stores the interval of every key and reduces the four brackets. With
 * g = af <s, v> (@gv holds <s, v>), the key is ny2f - 2 g (Euclidean) or
 * -g / (nyf ||s|| + 1e-12) (cosine, @cos_ns = ||s||); the half-width of its
 * interval is e_a nyup + e_b ny2f + e_c. */
HL_VECTOR_CLONES
static void
pass_intervals (const float *restrict sv,
                const float *restrict af,
                const float *restrict ny2f,
                const float *restrict nyf,
                const float *restrict nyup,
                const float *restrict off_in,
                const float *restrict off_out,
                G_GNUC_UNUSED const guint16 *restrict in_bits,
                G_GNUC_UNUSED const guint16 *restrict out_bits,
                int                   n_pad,
                gboolean              cosine,
                float                 cos_ns,
                float                 e_a,
                float                 e_b,
                float                 e_c,
                float       *restrict lo,
                float       *restrict hi,
                Brackets             *out)
{
  VecF in_lo = SPLAT (-INFINITY), in_hi = in_lo, out_lo = SPLAT (INFINITY), out_hi = out_lo;

  for (int i = 0; i < n_pad; i += LANES)
    {
      VecF gv = *(const VecF *) (af + i) * *(const VecF *) (sv + i);
      VecF n2 = *(const VecF *) (ny2f + i);
      VecF x, e, l, h, oi = *(const VecF *) (off_in + i), oo = *(const VecF *) (off_out + i);

      if (cosine)
        x = -gv / (*(const VecF *) (nyf + i) * cos_ns + 1e-12f);
      else
        x = n2 - (gv + gv);
      e = *(const VecF *) (nyup + i) * e_a + n2 * e_b + e_c;
      l = x - e;
      h = x + e;
      *(VecF *) (lo + i) = l;
      *(VecF *) (hi + i) = h;
      in_lo = VMAX (in_lo, l + oi);
      in_hi = VMAX (in_hi, h + oi);
      out_lo = VMIN (out_lo, l + oo);
      out_hi = VMIN (out_hi, h + oo);
    }
  *out = (Brackets) { in_lo[0], in_hi[0], out_lo[0], out_hi[0] };
  for (int l = 1; l < LANES; l++)
    {
      out->in_lo = MAX (out->in_lo, in_lo[l]);
      out->in_hi = MAX (out->in_hi, in_hi[l]);
      out->out_lo = MIN (out->out_lo, out_lo[l]);
      out->out_hi = MIN (out->out_hi, out_hi[l]);
    }
}

#ifdef HAVE_AVX2_FMA_LOOPS
/* pass_intervals () sixteen keys at a time in AVX-512 registers: the same
 * operations on each key in the same order, none fused (fp-contract=off),
 * so the same intervals; the brackets take the extremes over the keys of
 * the membership masks (@in_bits, @out_bits) instead of adding offsets,
 * the same values up to the sign of a zero, which no comparison sees. */
__attribute__ ((target ("avx512f"), optimize ("fp-contract=off")))
static void
pass_intervals_avx512 (const float *restrict sv,
                       const float *restrict af,
                       const float *restrict ny2f,
                       const float *restrict nyf,
                       const float *restrict nyup,
                       G_GNUC_UNUSED const float *restrict off_in,
                       G_GNUC_UNUSED const float *restrict off_out,
                       const guint16 *restrict in_bits,
                       const guint16 *restrict out_bits,
                       int                   n_pad,
                       gboolean              cosine,
                       float                 cos_ns,
                       float                 e_a,
                       float                 e_b,
                       float                 e_c,
                       float       *restrict lo,
                       float       *restrict hi,
                       Brackets             *out)
{
  __m512 in_lo = _mm512_set1_ps (-INFINITY), in_hi = in_lo;
  __m512 out_lo = _mm512_set1_ps (INFINITY), out_hi = out_lo;
  __m512 va = _mm512_set1_ps (e_a), vb = _mm512_set1_ps (e_b), vc = _mm512_set1_ps (e_c);
  __m512 vns = _mm512_set1_ps (cos_ns), eps = _mm512_set1_ps (1e-12f);
  __m512i sign = _mm512_set1_epi32 ((int) 0x80000000u);

  for (int i = 0; i < n_pad; i += 16)
    {
      __m512 gv = _mm512_mul_ps (_mm512_load_ps (af + i), _mm512_load_ps (sv + i));
      __m512 n2 = _mm512_load_ps (ny2f + i);
      __m512 x, e, l, h;

      if (cosine)
        x = _mm512_div_ps (_mm512_castsi512_ps (_mm512_xor_si512 (_mm512_castps_si512 (gv), sign)),
                           _mm512_add_ps (_mm512_mul_ps (_mm512_load_ps (nyf + i), vns), eps));
      else
        x = _mm512_sub_ps (n2, _mm512_add_ps (gv, gv));
      e = _mm512_add_ps (_mm512_add_ps (_mm512_mul_ps (_mm512_load_ps (nyup + i), va),
                                        _mm512_mul_ps (n2, vb)), vc);
      l = _mm512_sub_ps (x, e);
      h = _mm512_add_ps (x, e);
      _mm512_store_ps (lo + i, l);
      _mm512_store_ps (hi + i, h);
      in_lo = _mm512_mask_max_ps (in_lo, in_bits[i / 16], in_lo, l);
      in_hi = _mm512_mask_max_ps (in_hi, in_bits[i / 16], in_hi, h);
      out_lo = _mm512_mask_min_ps (out_lo, out_bits[i / 16], out_lo, l);
      out_hi = _mm512_mask_min_ps (out_hi, out_bits[i / 16], out_hi, h);
    }
  /* The extremes of the lanes: max and min are exact, in any order. */
  *out = (Brackets) { _mm512_reduce_max_ps (in_lo), _mm512_reduce_max_ps (in_hi),
                      _mm512_reduce_min_ps (out_lo), _mm512_reduce_min_ps (out_hi) };
}
#endif

/* Rounds up to float32 (for bound coefficients computed in double). */
static float
float_up (double x)
{
  float f = (float) x;

  return (double) f < x ? nextafterf (f, INFINITY) : f;
}

/* The half-width of the interval of each key is e_a ||y|| + e_b ||y||^2 +
 * e_c, from the error analysis of the key computed in float32 with
 * G = alpha <s, v> against the exact key of the double computation:
 *  - |G - <y, s>| <= (d + 3) u ||y|| ||s|| + U: rounding s to float32 and
 *    the dot product with the float32 v in any order (OpenBLAS's, or
 *    hl_distance_gemm ()'s index order by FMA) give (d + 1) u
 *    ||v|| ||s||, the product with alpha one more u, all times |alpha|
 *    (||y|| = |alpha| ||v||); U = 4 d 2^-149 |alpha| (1 + ||v|| + ||s||)
 *    + 2^-149 for gradual underflow;
 *  - Euclidean key ||y||^2 - 2 G: the rounding of ||y||^2 and of the key
 *    add (2 + 1) u ||y||^2 + 2 u |G|; with the rounding of lo and hi this
 *    stays under 2 (d + 8) u ||s|| ||y|| + 4 u ||y||^2 + 4 U;
 *  - cosine key -G / (||y|| ||s|| + 1e-12): |key| < 1.01 and the
 *    denominator is within 5u, so (d + 16) u + 2 U / 1e-12 holds;
 *  - the double computation of D differs from the real value by far less
 *    than SLACK (||y||^2 + ||s||^2) for D^2, SLACK for the cosine;
 *  - 64 2^-149 covers the absolute rounding of float32 underflow.
 * Coefficients are rounded up; max |alpha_i| (1 + ||v_i||) and max
 * |alpha_i| bound U over the keys. */
static void
kernel_bound_coefficients (const Kernel *k,
                           int           b,
                           HlDistance    distance,
                           float        *e_a,
                           float        *e_b,
                           float        *e_c)
{
  double u = 0x1.0p-24, d = k->d, ns2 = k->ns2[b];
  double ns = sqrt (ns2) * (1.0 + 1e-6);
  double under = 4.0 * d * FLT_TRUE_MIN * (k->under_y + k->alpha_max * ns) + FLT_TRUE_MIN;

  if (distance == HL_DISTANCE_EUCLIDEAN)
    {
      *e_a = float_up (2.0 * (d + 8.0) * u * ns * (1.0 + 1e-6));
      *e_b = float_up (4.0 * u + SLACK);
      *e_c = float_up (4.0 * under + 2.0 * SLACK * ns2 + 64.0 * FLT_TRUE_MIN);
    }
  else
    {
      *e_a = *e_b = 0.0f;
      *e_c = float_up ((d + 16.0) * u + 2.0 * under / 1e-12 + SLACK + 64.0 * FLT_TRUE_MIN);
    }
}

/* Pass 2: definite counts and candidates ----------------------------------- */

/* A key needs its exact distance when it may be the farthest of S_N
 * (hi >= in_lo) or the nearest outside (lo <= out_hi), or when its
 * interval straddles the bracket its count is decided against: for a key
 * of S_N, "D < rho_min" is sure when hi < out_lo and surely false when
 * lo >= out_hi; for a key outside, "D <= rho_max" is sure when
 * hi <= in_lo and surely false when lo > in_hi. */
HL_VECTOR_CLONES
static void
pass_counts (const float *restrict lo,
             const float *restrict hi,
             const float *restrict off_in,
             const float *restrict off_out,
             G_GNUC_UNUSED const guint16 *restrict in_bits,
             G_GNUC_UNUSED const guint16 *restrict out_bits,
             int                   n_pad,
             const Brackets       *br,
             int         *restrict cand,
             Tally                *tally)
{
  VecF a1 = SPLAT (br->in_lo), a2 = SPLAT (br->in_hi);
  VecF b1 = SPLAT (br->out_lo), b2 = SPLAT (br->out_hi);
  VecI inner = { 0 }, outer = { 0 };
  gint32 flags[CHUNK] __attribute__ ((aligned (sizeof (VecI))));
  int n_cand = 0;

  for (int start = 0; start < n_pad; start += CHUNK)
    {
      VecI any = { 0 };
      int end = MIN (start + CHUNK, n_pad);

      for (int i = start; i < end; i += LANES)
        {
          VecF l = *(const VecF *) (lo + i), h = *(const VecF *) (hi + i);
          VecI in = *(const VecF *) (off_in + i) == 0.0f;
          VecI out = *(const VecF *) (off_out + i) == 0.0f;
          VecI need = (in & ((h >= a1) | ((h >= b1) & (l < b2))))
                      | (out & ((l <= b2) | ((h > a1) & (l <= a2))));

          inner -= in & (h < b1);
          outer -= out & (h <= a1);
          any |= need;
          *(VecI *) (flags + (i - start)) = need;
        }
      for (int l = 1; l < LANES; l++)
        any[0] |= any[l];
      if (any[0] == 0)
        continue;
      for (int i = start; i < end; i++)
        if (flags[i - start] != 0)
          cand[n_cand++] = i;
    }
  tally->n_inner = tally->n_outer = 0;
  for (int l = 0; l < LANES; l++)
    {
      tally->n_inner += inner[l];
      tally->n_outer += outer[l];
    }
  tally->n_cand = n_cand;
}

#ifdef HAVE_AVX2_FMA_LOOPS
/* pass_counts () sixteen keys at a time in AVX-512 registers, with the
 * same comparisons as masks; the keys needing their exact distance are
 * packed into @cand in index order by one compress a vector (@cand has
 * PAD entries of room past the last key). */
__attribute__ ((target ("avx512f")))
static void
pass_counts_avx512 (const float *restrict lo,
                    const float *restrict hi,
                    G_GNUC_UNUSED const float *restrict off_in,
                    G_GNUC_UNUSED const float *restrict off_out,
                    const guint16 *restrict in_bits,
                    const guint16 *restrict out_bits,
                    int                   n_pad,
                    const Brackets       *br,
                    int         *restrict cand,
                    Tally                *tally)
{
  __m512 a1 = _mm512_set1_ps (br->in_lo), a2 = _mm512_set1_ps (br->in_hi);
  __m512 b1 = _mm512_set1_ps (br->out_lo), b2 = _mm512_set1_ps (br->out_hi);
  __m512i index = _mm512_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512i step = _mm512_set1_epi32 (16);
  int inner = 0, outer = 0, n_cand = 0;

  for (int i = 0; i < n_pad; i += 16)
    {
      __m512 l = _mm512_load_ps (lo + i), h = _mm512_load_ps (hi + i);
      __mmask16 in = in_bits[i / 16], out = out_bits[i / 16];
      __mmask16 need =
        (in & (_mm512_cmp_ps_mask (h, a1, _CMP_GE_OQ)
               | (_mm512_cmp_ps_mask (h, b1, _CMP_GE_OQ) & _mm512_cmp_ps_mask (l, b2, _CMP_LT_OQ))))
        | (out & (_mm512_cmp_ps_mask (l, b2, _CMP_LE_OQ)
                  | (_mm512_cmp_ps_mask (h, a1, _CMP_GT_OQ) & _mm512_cmp_ps_mask (l, a2, _CMP_LE_OQ))));

      inner += __builtin_popcount (in & _mm512_cmp_ps_mask (h, b1, _CMP_LT_OQ));
      outer += __builtin_popcount (out & _mm512_cmp_ps_mask (h, a1, _CMP_LE_OQ));
      if (need != 0)
        {
          _mm512_storeu_si512 (cand + n_cand, _mm512_maskz_compress_epi32 (need, index));
          n_cand += __builtin_popcount (need);
        }
      index = _mm512_add_epi32 (index, step);
    }
  tally->n_inner = inner;
  tally->n_outer = outer;
  tally->n_cand = n_cand;
}
#endif

static Passes
passes_for_processor (void)
{
#ifdef HAVE_AVX2_FMA_LOOPS
  if (cpu_has_avx512 ())
    return (Passes) { pass_intervals_avx512, pass_counts_avx512 };
#endif
  return (Passes) { pass_intervals, pass_counts };
}

/* Exact distances ---------------------------------------------------------- */

#ifdef HAVE_AVX2_FMA_LOOPS
/* The Euclidean distances of two keys to @s with the arithmetic of
 * hl_separability_exact_distance (), so bit for bit its results: the eight
 * partial sums of each key are the eight lanes of one register (a v is
 * exact in double, so alpha v - s rounds once, fused or not; the squares
 * and their sums are not fused), the lanes past d zero (adding +0 to a
 * sum of squares changes nothing). The two keys' sums hide each other's
 * latency. */
__attribute__ ((target ("avx512f"), optimize ("fp-contract=off")))
static void
exact_euclidean_pair_avx512 (const HlHeadInput *input,
                             int                key0,
                             int                key1,
                             const double      *s,
                             double            *out)
{
  int d = input->head_dim;
  const float *v0 = input->values + (gsize) key0 * d, *v1 = input->values + (gsize) key1 * d;
  __m512d a0 = _mm512_set1_pd (input->alpha[key0]), a1 = _mm512_set1_pd (input->alpha[key1]);
  __m512d sum0 = _mm512_setzero_pd (), sum1 = sum0;
  double part[2][HL_SEPARABILITY_PARTIALS];

  G_STATIC_ASSERT (HL_SEPARABILITY_PARTIALS == 8);
  for (int c = 0; c < d; c += 8)
    {
      __mmask8 lanes = d - c >= 8 ? 0xff : (__mmask8) ((1u << (d - c)) - 1);
      __m512d sc = _mm512_maskz_loadu_pd (lanes, s + c);
      __m256 x0 = _mm512_castps512_ps256 (_mm512_maskz_loadu_ps (lanes, v0 + c));
      __m256 x1 = _mm512_castps512_ps256 (_mm512_maskz_loadu_ps (lanes, v1 + c));
      __m512d e0 = _mm512_fmsub_pd (a0, _mm512_cvtps_pd (x0), sc);
      __m512d e1 = _mm512_fmsub_pd (a1, _mm512_cvtps_pd (x1), sc);

      sum0 = _mm512_add_pd (sum0, _mm512_mul_pd (e0, e0));
      sum1 = _mm512_add_pd (sum1, _mm512_mul_pd (e1, e1));
    }
  _mm512_storeu_pd (part[0], sum0);
  _mm512_storeu_pd (part[1], sum1);
  for (int q = 0; q < 2; q++)
    {
      const double *p = part[q];

      out[q] = sqrt (((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7])));
    }
}
#endif

/* The exact distance of key @i to centre @b, with the exact squared norms
 * computed the first time they are needed (only cosine uses them). */
static double
kernel_exact (Kernel     *k,
              int         b,
              int         i,
              HlDistance  distance)
{
  const float *v = k->input->values + (gsize) i * k->d;

  if (distance == HL_DISTANCE_COSINE && k->ny2x[i] < 0.0)
    k->ny2x[i] = hl_separability_point_norm2 (v, k->input->alpha[i], k->d);
  if (distance == HL_DISTANCE_COSINE && k->ns2x[b] < 0.0)
    {
      const double *s = k->sd + (gsize) b * k->d;
      double sum = 0.0;

      for (int c = 0; c < k->d; c++)
        sum += s[c] * s[c];
      k->ns2x[b] = sum;
    }
  return hl_separability_exact_distance (v, k->input->alpha[i], k->d, MAX (k->ny2x[i], 0.0),
                                         k->sd + (gsize) b * k->d, MAX (k->ns2x[b], 0.0),
                                         distance);
}

static void
kernel_exact_candidates (Kernel     *k,
                         int         b,
                         HlDistance  distance,
                         int         n_cand)
{
  int j = 0;

#ifdef HAVE_AVX2_FMA_LOOPS
  if (distance == HL_DISTANCE_EUCLIDEAN && cpu_has_avx512 ())
    for (; j < n_cand; j += 2)
      {
        double dist[2];

        /* An odd last key is paired with itself. */
        exact_euclidean_pair_avx512 (k->input, k->cand[j], k->cand[MIN (j + 1, n_cand - 1)],
                                     k->sd + (gsize) b * k->d, dist);
        k->cand_d[j] = dist[0];
        if (j + 1 < n_cand)
          k->cand_d[j + 1] = dist[1];
      }
#endif
  for (; j < n_cand; j++)
    k->cand_d[j] = kernel_exact (k, b, k->cand[j], distance);
}

/* Settles the candidates: rho_max and rho_min from their exact distances,
 * then the counts of the keys whose interval straddled a bracket. */
static void
kernel_settle (const Kernel   *k,
               const Brackets *br,
               Tally          *tally,
               double         *rho_min,
               double         *rho_max)
{
  double r_max = -INFINITY, r_min = INFINITY;

  for (int j = 0; j < tally->n_cand; j++)
    {
      int i = k->cand[j];

      if (k->off_in[i] == 0.0f && k->hi[i] >= br->in_lo)
        r_max = MAX (r_max, k->cand_d[j]);
      else if (k->off_out[i] == 0.0f && k->lo[i] <= br->out_hi)
        r_min = MIN (r_min, k->cand_d[j]);
    }
  for (int j = 0; j < tally->n_cand; j++)
    {
      int i = k->cand[j];
      float l = k->lo[i], h = k->hi[i];

      if (k->off_in[i] == 0.0f && h >= br->out_lo && l < br->out_hi)
        tally->n_inner += k->cand_d[j] < r_min;
      else if (k->off_out[i] == 0.0f && h > br->in_lo && l <= br->in_hi)
        tally->n_outer += k->cand_d[j] <= r_max;
    }
  *rho_min = r_min;
  *rho_max = r_max;
}

/* Every key a candidate: for heads whose float32 bounds are not trusted. */
static void
kernel_all_candidates (Kernel   *k,
                       Brackets *br)
{
  for (int i = 0; i < k->n_pad; i++)
    {
      k->lo[i] = -INFINITY;
      k->hi[i] = INFINITY;
    }
  *br = (Brackets) { -INFINITY, INFINITY, -INFINITY, INFINITY };
}

/* Per centre ---------------------------------------------------------------- */

static void
kernel_measure (Kernel     *k,
                int         b,
                int         inst,
                int         g,
                HlDistance  distance)
{
  int n_top = k->options->grid[g];
  double rho_min, rho_max;
  HlSeparabilityExact point;
  Brackets br;
  Tally tally;

  if (k->exact_only)
    kernel_all_candidates (k, &br);
  else
    {
      float e_a, e_b, e_c;

      kernel_bound_coefficients (k, b, distance, &e_a, &e_b, &e_c);
      k->passes.intervals (k->g + (gsize) b * k->n_pad, k->af, k->ny2f, k->nyf, k->nyup,
                           k->off_in, k->off_out, k->in_bits, k->out_bits, k->n_pad,
                           distance == HL_DISTANCE_COSINE,
                           (float) sqrt (k->ns2[b]), e_a, e_b, e_c, k->lo, k->hi, &br);
    }
  k->passes.counts (k->lo, k->hi, k->off_in, k->off_out, k->in_bits, k->out_bits, k->n_pad, &br,
                    k->cand, &tally);
  kernel_exact_candidates (k, b, distance, tally.n_cand);
  kernel_settle (k, &br, &tally, &rho_min, &rho_max);
  hl_separability_exact_set (&point, n_top, tally.n_outer, tally.n_inner,
                             rho_min, rho_max, k->mass[b]);
  hl_separability_accumulator_add (k->acc, k->inst_ranking[inst], distance, g, &point);
}

static void
kernel_centre (Kernel *k,
               int     b,
               int     c)
{
  int n_grid = k->options->n_grid, inst = c / n_grid, g = c % n_grid;

  kernel_select (k, inst, k->options->grid[g]);
  hl_separability_accumulator_align (k->acc, k->inst_ranking[inst], g,
                                     k->cos_sink[b], k->cos_last[b]);
  hl_separability_accumulator_theory (k->acc, k->inst_ranking[inst], g,
                                      k->in_min[c] - k->out_max[c], k->residual[b],
                                      k->v_max * k->out_mass[c]);
  for (int m = 0; m < HL_N_DISTANCES; m++)
    if (k->options->distances & (1u << m))
      kernel_measure (k, b, inst, g, (HlDistance) m);
  if (!k->own_gemm)
    memset (k->g + (gsize) b * k->n_pad, 0, sizeof (float) * k->n);
}

/* <s, v_i> [count x n] = S [count x d] V^T, rows padded to n_pad with
 * zeros (the products with alpha_i, G = S Y^T, are taken in
 * pass_intervals ()). With AVX-512, hl_distance_gemm () writes G from
 * the panels. Else BLAS: G is zero on entry (kernel_init () and
 * kernel_centre () keep it so), so the GEMM adds into it (beta = 1):
 * with beta = 0 OpenBLAS clears the whole block in a separate pass over
 * memory that has left the cache, about a tenth of the GEMM's time, where
 * clearing each row right after its last use touches cached lines. */
static void
kernel_gemm (Kernel *k,
             int     count)
{
  if (k->exact_only)
    return;
  if (k->own_gemm)
    {
      hl_distance_gemm (k->sf, count, k->d, k->panels, k->input->values, k->panel_scratch, k->n,
                        k->g, k->n_pad);
      return;
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
               count, k->n, k->d, 1.0f, k->sf, k->d, k->input->values, k->d,
               1.0f, k->g, k->n_pad);
}

static void
kernel_run (Kernel *k)
{
  int m = k->n_inst * k->options->n_grid;

  kernel_output (k);
  kernel_theory_prepare (k);
  for (int first = 0; first < m; first += k->block)
    {
      int count = MIN (k->block, m - first);

      kernel_build_centres (k, first, count);
      kernel_gemm (k, count);
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
  g_aligned_free (self->memory);
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
  return hl_separability_accumulator_finish (k.acc, k.v_max);
}

/* Each thread keeps the workspace of its last head: a fresh multi-megabyte
 * allocation per head comes back from the kernel as zeroed pages, and the
 * page faults cost the analysis pool about a tenth of its time. The memory
 * is released when the thread ends. */
static GPrivate thread_workspace = G_PRIVATE_INIT ((GDestroyNotify) hl_separability_workspace_free);

HlCurveSet *
hl_separability_compute (const HlHeadInput           *input,
                         const HlSeparabilityOptions *options)
{
  HlSeparabilityWorkspace *workspace;

  g_return_val_if_fail (hl_separability_arguments_valid (input, options), NULL);

  workspace = g_private_get (&thread_workspace);
  if (workspace == NULL)
    {
      workspace = hl_separability_workspace_new ();
      g_private_set (&thread_workspace, workspace);
    }
  return hl_separability_compute_with (workspace, input, options);
}
