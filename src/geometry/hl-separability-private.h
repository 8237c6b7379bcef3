/* hl-separability-private.h: pieces shared by the fast path, the reference
 * and the projection. The distance code of the reference is deliberately not
 * here: it is written independently so the tests compare two
 * implementations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-separability.h"

G_BEGIN_DECLS

/* The metrics at one N for one ranking instance (one repeat), in double. */
typedef struct
{
  double precision;
  double recall;
  double f1;
  double rho_min;
  double rho_max;
  double margin;
  double retained_mass;
} HlSeparabilityExact;

/* Sums the points of every ranking instance and divides by the number of
 * instances of that ranking (1, or R for the random control). */
typedef struct _HlSeparabilityAccumulator HlSeparabilityAccumulator;

gboolean  hl_separability_arguments_valid   (const HlHeadInput           *input,
                                             const HlSeparabilityOptions *options);
/* The number of ranking instances: 1 per deterministic ranking, R for the
 * random control. Fills @rankings and @repeats (capacity
 * HL_N_RANKINGS - 1 + options->repeats) when they are not NULL. */
int       hl_separability_instances         (const HlSeparabilityOptions *options,
                                             HlRanking                   *rankings,
                                             int                         *repeats);

/* hl_separability_rank () for @n_inst ranking instances at once (@rankings
 * and @repeats as filled by hl_separability_instances ()), into @orders
 * [n_inst * n_keys]: the same orders, with the work shared between the
 * random repeats. Random orders are exact in their first @prefix positions
 * only (hl_random_permutation_prefix ()): the kernel never reads further
 * than the largest N. */
void      hl_separability_rank_instances    (const HlHeadInput           *input,
                                             guint64                      seed,
                                             const HlRanking             *rankings,
                                             const int                   *repeats,
                                             int                          n_inst,
                                             int                          prefix,
                                             int                         *orders);

/* Whether the kernel's AVX2+FMA loops run (the processor has them and
 * HEADLENS_NO_AVX2 is not set) rather than their plain equivalents. */
gboolean  hl_separability_uses_avx2_fma     (void);
/* Whether the kernel's AVX-512 loops run (the processor has AVX-512F and
 * neither HEADLENS_NO_AVX512 nor HEADLENS_NO_AVX2 is set). */
gboolean  hl_separability_uses_avx512       (void);

/* Fills P, R, F and the margin from the counts of Definition 1. */
void      hl_separability_exact_set         (HlSeparabilityExact *point,
                                             int                  n,
                                             int                  n_outer,
                                             int                  n_inner,
                                             double               rho_min,
                                             double               rho_max,
                                             double               retained_mass);

/* ||y_i||^2 in double, y_i = alpha_i v_i, summed in index order. */
double    hl_separability_point_norm2       (const float *v,
                                             float        alpha,
                                             int          head_dim);
/* The exact distances sum their d terms (the squared differences, or the
 * products of the cosine's dot product) in this many partial sums: term k
 * into partial k mod 8, in increasing k, the partials then added as
 * ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7)). The fast path, the
 * reference and the projection all sum this way (docs/metrics.md). */
#define HL_SEPARABILITY_PARTIALS 8

/* D(y_i, s) in double with y_i = alpha_i v_i formed exactly (the product of
 * two floats is exact in double), the terms summed as
 * HL_SEPARABILITY_PARTIALS says. @ny2 and @ns2 are the squared norms of
 * y_i and s as computed by hl_separability_point_norm2() and a plain sum of
 * squares of s in index order. This is the exact value every count of the
 * fast path and every projection flag is decided on. */
double    hl_separability_exact_distance    (const float  *v,
                                             float         alpha,
                                             int           head_dim,
                                             double        ny2,
                                             const double *s,
                                             double        ns2,
                                             HlDistance    distance);

HlSeparabilityAccumulator *
          hl_separability_accumulator_new   (const HlSeparabilityOptions *options);
void      hl_separability_accumulator_add   (HlSeparabilityAccumulator   *self,
                                             HlRanking                    ranking,
                                             HlDistance                   distance,
                                             int                          grid_index,
                                             const HlSeparabilityExact   *point);
void      hl_separability_accumulator_align (HlSeparabilityAccumulator   *self,
                                             HlRanking                    ranking,
                                             int                          grid_index,
                                             double                       cos_sink,
                                             double                       cos_last);
/* Delta_N, ||o - s_N|| and B times the mass outside S_N of one ranking
 * instance at one N. */
void      hl_separability_accumulator_theory (HlSeparabilityAccumulator *self,
                                              HlRanking                  ranking,
                                              int                        grid_index,
                                              double                     gap,
                                              double                     residual,
                                              double                     bound);
/* Consumes @self; @value_norm_max is B. */
HlCurveSet *
          hl_separability_accumulator_finish (HlSeparabilityAccumulator  *self,
                                              double                      value_norm_max);

G_END_DECLS
