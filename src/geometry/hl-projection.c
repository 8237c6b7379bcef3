/* hl-projection.c: PCA of the points y_i = alpha_i v_i of one head and the
 * picture of the selection at one N.
 *
 * The covariance is d x d (head_dim <= a few hundred), so it is formed in
 * double with one DSYRK and diagonalised with LAPACKE_dsyevr, asking only
 * for the two leading eigenpairs. Distances and ball memberships use the
 * same exact double computation as the separability fast path, so the
 * picture and the curves never disagree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-projection.h"
#include "hl-separability-private.h"

#include <cblas.h>
#include <glib/gi18n.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

struct _HlProjection
{
  int     n, d;
  float  *values;    /* [n * d] copy of v_i */
  float  *alpha;     /* [n] copy of alpha_i */
  double *mean;      /* [d] mean of the y_i */
  double *axis[2];   /* [d] each, unit (or zero) */
  double *px, *py;   /* [n] coordinates of the points */
  float   explained[2];
  HlProjectionSpace space;
};

G_DEFINE_QUARK (hl-projection-error-quark, hl_projection_error)

static gboolean
check_input (const HlHeadInput *input,
             GError           **error)
{
  if (input == NULL || input->values == NULL || input->alpha == NULL)
    {
      g_set_error (error, HL_PROJECTION_ERROR, HL_PROJECTION_ERROR_INVALID_INPUT,
                   _("The head has no values or no attention weights"));
      return FALSE;
    }
  if (input->n_keys < 1 || input->head_dim < 1)
    {
      g_set_error (error, HL_PROJECTION_ERROR, HL_PROJECTION_ERROR_INVALID_INPUT,
                   _("The head has %d keys of dimension %d, expected at least 1 of each"),
                   input->n_keys, input->head_dim);
      return FALSE;
    }
  return TRUE;
}

/* Fills @centred [n * d] with p_i - mean and sets self->mean: the points
 * p_i are the y_i, or the v_i in HL_PROJECTION_VALUES. */
static void
centre_points (HlProjection *self,
               double       *centred)
{
  int n = self->n, d = self->d;

  for (int i = 0; i < n; i++)
    for (int k = 0; k < d; k++)
      {
        double weight = self->space == HL_PROJECTION_VALUES ? 1.0 : (double) self->alpha[i];
        double y = weight * (double) self->values[(gsize) i * d + k];

        centred[(gsize) i * d + k] = y;
        self->mean[k] += y;
      }
  for (int k = 0; k < d; k++)
    self->mean[k] /= n;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < d; k++)
      centred[(gsize) i * d + k] -= self->mean[k];
}

/* The sign convention: the largest-magnitude component is positive. */
static void
fix_sign (double *axis,
          int     d)
{
  int best = 0;

  for (int k = 1; k < d; k++)
    if (fabs (axis[k]) > fabs (axis[best]))
      best = k;
  if (axis[best] < 0.0)
    for (int k = 0; k < d; k++)
      axis[k] = -axis[k];
}

/* Diagonalises @cov (upper triangle, destroyed) and keeps the two leading
 * eigenvectors as the axes and their variance fractions. */
static gboolean
leading_axes (HlProjection *self,
              double       *cov,
              double        total,
              GError      **error)
{
  int d = self->d, want = MIN (d, 2);
  lapack_int found = 0, info;
  g_autofree double *w = g_new0 (double, d);
  g_autofree double *z = g_new0 (double, (gsize) d * want);
  g_autofree lapack_int *support = g_new0 (lapack_int, 2 * d);

  info = LAPACKE_dsyevr (LAPACK_ROW_MAJOR, 'V', 'I', 'U', d, cov, d, 0.0, 0.0,
                         d - want + 1, d, 0.0, &found, w, z, want, support);
  if (info != 0 || found != want)
    {
      g_set_error (error, HL_PROJECTION_ERROR, HL_PROJECTION_ERROR_EIGEN,
                   _("The eigenvalue solver failed on the %d x %d covariance (LAPACK info %d)"),
                   d, d, (int) info);
      return FALSE;
    }
  /* dsyevr returns eigenvalues in ascending order: the leading one last. */
  for (int c = 0; c < want; c++)
    {
      int col = want - 1 - c;

      for (int k = 0; k < d; k++)
        self->axis[c][k] = z[(gsize) k * want + col];
      fix_sign (self->axis[c], d);
      self->explained[c] = total > 0.0 ? (float) (MAX (w[col], 0.0) / total) : 0.0f;
    }
  return TRUE;
}

static void
project_centred (const HlProjection *self,
                 const double       *centred,
                 double             *x,
                 double             *y)
{
  *x = cblas_ddot (self->d, centred, 1, self->axis[0], 1);
  *y = cblas_ddot (self->d, centred, 1, self->axis[1], 1);
}

static gboolean
projection_compute (HlProjection *self,
                    GError      **error)
{
  int n = self->n, d = self->d;
  g_autofree double *centred = g_new (double, (gsize) n * d);
  g_autofree double *cov = g_new0 (double, (gsize) d * d);
  double total = 0.0;

  centre_points (self, centred);
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, d, n, 1.0 / n,
               centred, d, 0.0, cov, d);
  for (int k = 0; k < d; k++)
    total += cov[(gsize) k * d + k];
  if (!leading_axes (self, cov, total, error))
    return FALSE;
  for (int i = 0; i < n; i++)
    project_centred (self, centred + (gsize) i * d, &self->px[i], &self->py[i]);
  return TRUE;
}

HlProjection *
hl_projection_new (const HlHeadInput *input,
                   GError           **error)
{
  return hl_projection_new_in (input, HL_PROJECTION_POINTS, error);
}

HlProjection *
hl_projection_new_in (const HlHeadInput *input,
                      HlProjectionSpace  space,
                      GError           **error)
{
  g_autoptr(HlProjection) self = NULL;
  int n, d;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_input (input, error))
    return NULL;
  n = input->n_keys;
  d = input->head_dim;
  self = g_new0 (HlProjection, 1);
  self->n = n;
  self->d = d;
  self->space = space;
  self->values = g_memdup2 (input->values, sizeof (float) * n * d);
  self->alpha = g_memdup2 (input->alpha, sizeof (float) * n);
  self->mean = g_new0 (double, d);
  self->axis[0] = g_new0 (double, d);
  self->axis[1] = g_new0 (double, d);
  self->px = g_new0 (double, n);
  self->py = g_new0 (double, n);
  if (!projection_compute (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const double *
hl_projection_get_axis (const HlProjection *self,
                        int                 component)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (component == 0 || component == 1, NULL);

  return self->axis[component];
}

void
hl_projection_project (const HlProjection *self,
                       const double       *point,
                       double             *x,
                       double             *y)
{
  g_autofree double *centred = NULL;

  g_return_if_fail (self != NULL && point != NULL && x != NULL && y != NULL);

  centred = g_new (double, self->d);
  for (int k = 0; k < self->d; k++)
    centred[k] = point[k] - self->mean[k];
  project_centred (self, centred, x, y);
}

void
hl_projection_free (HlProjection *self)
{
  if (self == NULL)
    return;
  g_free (self->values);
  g_free (self->alpha);
  g_free (self->mean);
  g_free (self->axis[0]);
  g_free (self->axis[1]);
  g_free (self->px);
  g_free (self->py);
  g_free (self);
}

/* The scatter at one N ------------------------------------------------------ */

/* s_N: the prefix sum over the ranked order, in the same order and the same
 * arithmetic as the fast path, so the distances are bit for bit its exact
 * distances. */
static double *
scatter_centre (const HlProjection *self,
                const int          *order,
                int                 n_top)
{
  double *s = g_new0 (double, self->d);

  for (int p = 0; p < n_top; p++)
    {
      int i = order[p];
      const float *v = self->values + (gsize) i * self->d;
      double a = self->alpha[i];

      for (int k = 0; k < self->d; k++)
        s[k] += a * (double) v[k];
    }
  return s;
}

static HlScatter *
scatter_new (const HlProjection *self,
             int                 n_top)
{
  HlScatter *scatter = g_new0 (HlScatter, 1);
  int n = self->n;

  scatter->n_points = n;
  scatter->n = n_top;
  scatter->x = g_new (float, n);
  scatter->y = g_new (float, n);
  scatter->selected = g_new0 (gboolean, n);
  scatter->distance = g_new (float, n);
  scatter->in_max_ball = g_new0 (gboolean, n);
  scatter->in_min_ball = g_new0 (gboolean, n);
  scatter->values = self->space == HL_PROJECTION_VALUES;
  scatter->explained[0] = self->explained[0];
  scatter->explained[1] = self->explained[1];
  for (int i = 0; i < n; i++)
    {
      scatter->x[i] = (float) self->px[i];
      scatter->y[i] = (float) self->py[i];
    }
  return scatter;
}

/* Fills distance, rho_min, rho_max and the ball flags from exact double
 * distances to @s; returns the radii in double through @rho_min_out and
 * @rho_max_out. */
static void
scatter_balls (HlScatter          *scatter,
               const HlProjection *self,
               const double       *s,
               HlDistance          distance,
               double             *rho_min_out,
               double             *rho_max_out)
{
  g_autofree double *dist = g_new (double, self->n);
  double ns2 = 0.0, rho_max = -INFINITY, rho_min = INFINITY;

  for (int k = 0; k < self->d; k++)
    ns2 += s[k] * s[k];
  for (int i = 0; i < self->n; i++)
    {
      const float *v = self->values + (gsize) i * self->d;
      double ny2 = hl_separability_point_norm2 (v, self->alpha[i], self->d);

      dist[i] = hl_separability_exact_distance (v, self->alpha[i], self->d, ny2,
                                                s, ns2, distance);
      scatter->distance[i] = (float) dist[i];
      if (scatter->selected[i])
        rho_max = MAX (rho_max, dist[i]);
      else
        rho_min = MIN (rho_min, dist[i]);
    }
  for (int i = 0; i < self->n; i++)
    {
      scatter->in_max_ball[i] = dist[i] <= rho_max;
      scatter->in_min_ball[i] = dist[i] < rho_min;
    }
  scatter->rho_max = (float) rho_max;
  scatter->rho_min = (float) rho_min;
  *rho_min_out = rho_min;
  *rho_max_out = rho_max;
}

/* The disks of radius rho_max (closed) and rho_min (open) around the
 * projected centre, decided in double. */
static void
scatter_disks (HlScatter          *scatter,
               const HlProjection *self,
               double              cx,
               double              cy,
               double              rho_min,
               double              rho_max)
{
  scatter->in_max_disk = g_new0 (gboolean, self->n);
  scatter->in_min_disk = g_new0 (gboolean, self->n);
  for (int i = 0; i < self->n; i++)
    {
      double dx = self->px[i] - cx, dy = self->py[i] - cy;
      double r2 = dx * dx + dy * dy;

      scatter->in_max_disk[i] = r2 <= rho_max * rho_max;
      scatter->in_min_disk[i] = r2 < rho_min * rho_min;
    }
}

HlScatter *
hl_projection_scatter (const HlProjection *self,
                       HlRanking           ranking,
                       HlDistance          distance,
                       int                 n,
                       guint64             seed,
                       int                 repeat)
{
  HlHeadInput input;
  HlScatter *scatter;
  g_autofree int *order = NULL;
  g_autofree double *s = NULL;
  double cx, cy, rho_min, rho_max;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (ranking < HL_N_RANKINGS && distance < HL_N_DISTANCES, NULL);
  g_return_val_if_fail (n >= 1 && n < self->n, NULL);
  g_return_val_if_fail (repeat >= 0, NULL);

  input = (HlHeadInput) { self->n, self->d, self->values, self->alpha };
  order = g_new (int, self->n);
  hl_separability_rank (&input, ranking, seed, repeat, order);
  scatter = scatter_new (self, n);
  for (int p = 0; p < n; p++)
    scatter->selected[order[p]] = TRUE;
  s = scatter_centre (self, order, n);
  scatter_balls (scatter, self, s, distance, &rho_min, &rho_max);
  /* s_N is a sum of y_i: it has no place among the v_i. */
  if (scatter->values)
    {
      scatter->centre_x = scatter->centre_y = NAN;
      return scatter;
    }
  hl_projection_project (self, s, &cx, &cy);
  scatter->centre_x = (float) cx;
  scatter->centre_y = (float) cy;
  if (distance == HL_DISTANCE_EUCLIDEAN)
    scatter_disks (scatter, self, cx, cy, rho_min, rho_max);
  return scatter;
}

void
hl_scatter_free (HlScatter *self)
{
  if (self == NULL)
    return;
  g_free (self->x);
  g_free (self->y);
  g_free (self->selected);
  g_free (self->distance);
  g_free (self->in_max_ball);
  g_free (self->in_min_ball);
  g_free (self->in_max_disk);
  g_free (self->in_min_disk);
  g_free (self);
}
