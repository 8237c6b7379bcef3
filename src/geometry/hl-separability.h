/* hl-separability.h: top-N selection and the separability metrics of one
 * attention operation (FRAMEWORK.md, "Selection" and "Separability").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-geometry-types.h"

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
 * the R repeats (each repeat measured around its own aggregate). */
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
  int                  n_grid;
  int                 *grid;                                   /* owned copy */
  /* [n_grid] each, NULL when that ranking or distance was not asked for. */
  HlSeparabilityPoint *points[HL_N_RANKINGS][HL_N_DISTANCES];
  /* The alignment trajectories cos(s_N, v_0) and cos(s_N, v_t) over the
   * grid, per ranking (random: mean over repeats); NULL when not asked. */
  float               *align_sink[HL_N_RANKINGS];
  float               *align_last[HL_N_RANKINGS];
} HlCurveSet;

/* The fast path: prefix sums build every centre s_N of every ranking, one
 * GEMM gives every distance. Never fails on a valid input. */
HlCurveSet *hl_separability_compute   (const HlHeadInput           *input,
                                       const HlSeparabilityOptions *options);

/* The straightforward implementation (a loop over centres, distances in
 * double): the reference the tests and `headlens-cli bench` compare with. */
HlCurveSet *hl_separability_reference (const HlHeadInput           *input,
                                       const HlSeparabilityOptions *options);

/* The selection S_N for one ranking: writes the ranked key indices
 * (n_keys of them; the first N are S_N) into @order. For the random ranking
 * @repeat picks the permutation (0 .. repeats-1) drawn from @seed. */
void        hl_separability_rank      (const HlHeadInput *input,
                                       HlRanking          ranking,
                                       guint64            seed,
                                       int                repeat,
                                       int               *order);

void        hl_curve_set_free         (HlCurveSet *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlCurveSet, hl_curve_set_free)

G_END_DECLS
