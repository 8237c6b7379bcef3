/* hl-projection.h: the value-space picture of one head: PCA of the points
 * y_i = alpha_i v_i and, for a chosen N, the selection, s_N and the balls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-geometry-types.h"

G_BEGIN_DECLS

/* Built once per head (the PCA does not depend on N); immutable after. */
typedef struct _HlProjection HlProjection;

typedef struct
{
  int       n_points;          /* n_keys */
  float    *x, *y;             /* [n_points] PCA coordinates of y_i (centred) */
  float     explained[2];      /* fraction of total variance on PC1, PC2 */
  float     centre_x, centre_y;/* where s_N falls in the plane */
  float     rho_min, rho_max;  /* in the full space, for the chosen distance */
  int       n;                 /* N */
  gboolean *selected;          /* [n_points] i in S_N */
  float    *distance;          /* [n_points] D_i = d(y_i, s_N) in the full space */
  /* Full-space membership (the truth, not the projection): */
  gboolean *in_max_ball;       /* D_i <= rho_max */
  gboolean *in_min_ball;       /* D_i <  rho_min */
  /* Projected membership, Euclidean only: inside the drawn disk of radius
   * rho_max / rho_min around the projected centre. Differences from the
   * full-space flags are what a plot must make visible. */
  gboolean *in_max_disk;
  gboolean *in_min_disk;
} HlScatter;

HlProjection *hl_projection_new        (const HlHeadInput *input,
                                        GError           **error);
/* @seed and @repeat choose the permutation for the random ranking. */
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
