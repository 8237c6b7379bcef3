/* hl-separability.h: top-N selection and the separability metrics of one
 * attention operation (docs/metrics.md, "Separability").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-types.h"

G_BEGIN_DECLS

typedef struct
{
  const int *grid;          /* the N values, each in 1 .. n_keys - 1, increasing */
  int        n_grid;
  guint      rankings;      /* bit mask: 1 << HlRanking */
  guint      distances;     /* bit mask: 1 << HlDistance */
  int        repeats;       /* R for the random control (default 16) */
  guint64    seed;          /* seeds the random permutations of this head */
} HlSeparabilityOptions;

/* The metrics at one N. For the random ranking each field is the mean over
 * the R repeats (each repeat measured around its own aggregate). Ranges:
 * P in (0, 1]; R in [0, 1] (R = 0 happens: a key outside S_N can sit closer
 * to s_N than every key of S_N); F = 0 when R = 0. */
typedef struct
{
  float precision;
  float recall;
  float f1;
  float rho_min;
  float rho_max;
  float margin;             /* rho_min - rho_max */
  float retained_mass;      /* M_N = sum of alpha over S_N */
} HlSeparabilityPoint;

typedef struct
{
  int                  n_grid;                                  /* may be 0 */
  int                 *grid;                                   /* owned copy */
  /* [n_grid] each, NULL when that ranking or distance was not asked for. */
  HlSeparabilityPoint *points[HL_N_RANKINGS][HL_N_DISTANCES];
  /* The alignment trajectories cos(s_N, v_0) and cos(s_N, v_t) over the
   * grid, per ranking (random: mean over repeats); NULL when not asked. */
  float               *align_sink[HL_N_RANKINGS];
  float               *align_last[HL_N_RANKINGS];
  /* Theory next to measurement, per ranking over the grid (random: mean
   * over repeats), NULL when not asked (docs/metrics.md, "Theory"):
   *   gap      Delta_N = min alpha over S_N - max alpha outside S_N;
   *   residual ||o - s_N||, o = sum_i alpha_i v_i the head output;
   *   bound    B (1 - M_N), with 1 - M_N the attention mass outside S_N
   *            summed directly (so never negative when the row sums to
   *            1 +- a rounding); residual <= bound always. */
  float               *gap[HL_N_RANKINGS];
  float               *residual[HL_N_RANKINGS];
  float               *bound[HL_N_RANKINGS];
  float                value_norm_max;                         /* B = max ||v_i|| */
} HlCurveSet;

/* The fast path: prefix sums build every centre s_N of every ranking, one
 * GEMM gives every distance. Never fails on a valid input. The counts (so P
 * and R) and rho_min / rho_max equal those of an exact computation in double
 * (see docs/separability.md). Reuses a workspace
 * kept per calling thread (freed when the thread ends; see
 * hl_separability_compute_with () to manage one yourself); does not change
 * the number of BLAS threads. */
HlCurveSet *hl_separability_compute   (const HlHeadInput           *input,
                                       const HlSeparabilityOptions *options);

/* Scratch memory for hl_separability_compute_with (), grown to the largest
 * head seen and reused: keep one per worker thread (never share one between
 * threads at the same time). */
typedef struct _HlSeparabilityWorkspace HlSeparabilityWorkspace;

HlSeparabilityWorkspace *hl_separability_workspace_new  (void);
void                     hl_separability_workspace_free (HlSeparabilityWorkspace *self);

/* The bytes a workspace grows to for a head of @n_keys keys of @head_dim
 * dimensions (options->n_grid, rankings, distances and repeats are used):
 * what the analysis' memory budget counts per worker. */
gsize                    hl_separability_workspace_bytes (int                          n_keys,
                                                          int                          head_dim,
                                                          const HlSeparabilityOptions *options);

/* hl_separability_compute () in @workspace: the same results, without
 * allocating the kernel's memory for every head. */
HlCurveSet *hl_separability_compute_with (HlSeparabilityWorkspace     *workspace,
                                          const HlHeadInput           *input,
                                          const HlSeparabilityOptions *options);

/* The straightforward implementation (a loop over centres, distances in
 * double): the reference the tests and `headlens-cli bench` compare with. */
HlCurveSet *hl_separability_reference (const HlHeadInput           *input,
                                       const HlSeparabilityOptions *options);

/* The selection S_N for one ranking: writes the ranked key indices
 * (n_keys of them; the first N are S_N) into @order. For the random ranking
 * @repeat picks the permutation (0 .. repeats-1) drawn from @seed: stream
 * @repeat of hl_random_init (), so repeat r is the same whatever R is. */
void        hl_separability_rank      (const HlHeadInput *input,
                                       HlRanking          ranking,
                                       guint64            seed,
                                       int                repeat,
                                       int               *order);

/* The work of the distance GEMMs of hl_separability_compute() for one head
 * with @n_keys visible keys: 2 n m d floating-point operations, m the number
 * of centres (one per ranking instance and N). For reporting GFLOP/s. */
double      hl_separability_gemm_flops (int                          n_keys,
                                        int                          head_dim,
                                        const HlSeparabilityOptions *options);

void        hl_curve_set_free         (HlCurveSet *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlCurveSet, hl_curve_set_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlSeparabilityWorkspace, hl_separability_workspace_free)

G_END_DECLS
