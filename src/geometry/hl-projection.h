/* hl-projection.h: the value-space picture of one head: PCA of the points
 * y_i = alpha_i v_i and, for a chosen N, the selection, s_N and the balls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-types.h"

G_BEGIN_DECLS

#define HL_PROJECTION_ERROR (hl_projection_error_quark ())

typedef enum
{
  HL_PROJECTION_ERROR_INVALID_INPUT,  /* no keys, no dimensions, or no data */
  HL_PROJECTION_ERROR_EIGEN,          /* LAPACK could not diagonalise */
} HlProjectionError;

/* Built once per head (the PCA does not depend on N); immutable after, so
 * it can be read from several threads. Copies what it needs of the input.
 *
 * The axes are the two leading eigenvectors of the covariance
 * (1/n) sum (y_i - mean)(y_i - mean)^T of the points y_i = alpha_i v_i,
 * computed in double with LAPACKE_dsyevr. Each axis is signed so that its
 * largest-magnitude component (the first one on a tie) is positive, so the
 * picture does not flip between runs or machines. With head_dim 1 the
 * second axis is zero. Projection: (p - mean) . axis. */
typedef struct _HlProjection HlProjection;

/* What the PCA is of: the points y_i = alpha_i v_i (the paper's picture)
 * or the raw values v_i, where s_N and the rho balls have no place (they
 * are defined for the y_i). */
typedef enum
{
  HL_PROJECTION_POINTS,
  HL_PROJECTION_VALUES,
} HlProjectionSpace;

typedef struct
{
  int       n_points;          /* n_keys */
  float    *x, *y;             /* [n_points] PCA coordinates of y_i (centred) */
  float     explained[2];      /* fraction of total variance on PC1, PC2
                                  (0 when the points do not vary) */
  float     centre_x, centre_y;/* where s_N falls in the plane */
  float     rho_min, rho_max;  /* in the full space, for the chosen distance */
  int       n;                 /* N */
  gboolean *selected;          /* [n_points] i in S_N */
  float    *distance;          /* [n_points] D_i = d(y_i, s_N) in the full space */
  /* Full-space membership (the truth, not the projection): */
  gboolean *in_max_ball;       /* D_i <= rho_max */
  gboolean *in_min_ball;       /* D_i <  rho_min */
  /* Projected membership, Euclidean only: inside the drawn disk of radius
   * rho_max / rho_min around the projected centre (closed for rho_max,
   * open for rho_min, like the balls). The projection onto an orthonormal
   * plane maps the ball of radius r around s_N onto the disk of radius r
   * around the projected centre, so the disks are exact pictures of the
   * balls' shadows; differences from the full-space flags are what a plot
   * must make visible. NULL for the cosine distance, whose balls are not
   * disks in the plane. */
  gboolean *in_max_disk;
  gboolean *in_min_disk;
  /* The points are the raw v_i (HL_PROJECTION_VALUES): centre_x and
   * centre_y are NaN and there are no disks; distance and the ball flags
   * are still those of the y_i in the full space. */
  gboolean  values;
} HlScatter;

GQuark        hl_projection_error_quark (void);

HlProjection *hl_projection_new        (const HlHeadInput *input,
                                        GError           **error);
/* The same of the points of @space: hl_projection_new () is
 * HL_PROJECTION_POINTS; HL_PROJECTION_VALUES takes the PCA of the v_i
 * (every weight 1), with the same sign convention. */
HlProjection *hl_projection_new_in     (const HlHeadInput *input,
                                        HlProjectionSpace  space,
                                        GError           **error);
/* The unit axis of component @component (0 or 1): head_dim doubles. */
const double *hl_projection_get_axis   (const HlProjection *self,
                                        int                 component);
/* Projects any point of the value space (head_dim doubles) into the plane. */
void          hl_projection_project    (const HlProjection *self,
                                        const double       *point,
                                        double             *x,
                                        double             *y);
/* The picture at one N (1 <= @n < n_keys). @seed and @repeat choose the
 * permutation for the random ranking, as hl_separability_rank () does, so
 * selected, rho_min and rho_max equal those of hl_separability_compute ()
 * for that ranking (for random: for that one repeat). */
HlScatter    *hl_projection_scatter    (const HlProjection *self,
                                        HlRanking           ranking,
                                        HlDistance          distance,
                                        int                 n,
                                        guint64             seed,
                                        int                 repeat);
void          hl_projection_free       (HlProjection *self);
void          hl_scatter_free          (HlScatter    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlProjection, hl_projection_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlScatter, hl_scatter_free)

G_END_DECLS
