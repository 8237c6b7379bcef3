/* test-projection.c: PCA of the points y_i and the scatter at one N.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "hl-projection.h"
#include "test-separability-heads.h"

static double
dot (const double *a,
     const double *b,
     int           d)
{
  double sum = 0.0;

  for (int k = 0; k < d; k++)
    sum += a[k] * b[k];
  return sum;
}

/* Two random orthonormal directions (Gram-Schmidt). */
static void
random_plane (HlRandom *rng,
              double   *u,
              double   *w,
              int       d)
{
  double nu, proj, nw;

  for (int k = 0; k < d; k++)
    {
      u[k] = test_gaussian (rng);
      w[k] = test_gaussian (rng);
    }
  nu = sqrt (dot (u, u, d));
  for (int k = 0; k < d; k++)
    u[k] /= nu;
  proj = dot (u, w, d);
  for (int k = 0; k < d; k++)
    w[k] -= proj * u[k];
  nw = sqrt (dot (w, w, d));
  for (int k = 0; k < d; k++)
    w[k] /= nw;
}

#define PLANE_N 64
#define PLANE_D 16

/* Points c + a_i u + b_i w + noise with var(a) = 9, var(b) = 1 and noise
 * 1e-4: alpha_i = 1/64, so y_i = v_i / 64 exactly. */
static void
test_planted_plane (void)
{
  HlRandom rng;
  double u[PLANE_D], w[PLANE_D];
  float values[PLANE_N * PLANE_D], alpha[PLANE_N];
  HlHeadInput input = { PLANE_N, PLANE_D, values, alpha };
  g_autoptr(HlProjection) proj = NULL;
  g_autoptr(HlScatter) scatter = NULL;
  g_autoptr(GError) error = NULL;

  hl_random_init (&rng, 11, 0);
  random_plane (&rng, u, w, PLANE_D);
  for (int i = 0; i < PLANE_N; i++)
    {
      double a = 3.0 * test_gaussian (&rng), b = test_gaussian (&rng);

      alpha[i] = 1.0f / PLANE_N;
      for (int k = 0; k < PLANE_D; k++)
        values[i * PLANE_D + k] = (float) (PLANE_N * (0.5 + a * u[k] + b * w[k]
                                                      + 1e-4 * test_gaussian (&rng)));
    }
  proj = hl_projection_new (&input, &error);
  g_assert_no_error (error);
  scatter = hl_projection_scatter (proj, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN, 3, 0, 0);

  g_assert_cmpfloat (scatter->explained[0] + scatter->explained[1], >, 0.99999);
  g_assert_cmpfloat (scatter->explained[0], >, scatter->explained[1]);
  /* Both axes lie in the plane of u and w (the sample correlation of a and
   * b may rotate them within it), and the coordinates are an isometry of
   * the plane: distances within it are preserved. */
  for (int c = 0; c < 2; c++)
    {
      const double *axis = hl_projection_get_axis (proj, c);
      double in_plane = pow (dot (axis, u, PLANE_D), 2) + pow (dot (axis, w, PLANE_D), 2);

      g_assert_cmpfloat_with_epsilon (in_plane, 1.0, 1e-6);
    }
  /* Distances within the plane are preserved. */
  for (int i = 0; i < PLANE_N; i++)
    for (int j = 0; j < i; j++)
      {
        double full = 0.0;

        for (int k = 0; k < PLANE_D; k++)
          {
            double diff = (values[i * PLANE_D + k] - values[j * PLANE_D + k]) / (double) PLANE_N;

            full += diff * diff;
          }
        g_assert_cmpfloat_with_epsilon (hypot (scatter->x[i] - scatter->x[j], scatter->y[i] - scatter->y[j]),
                                        sqrt (full), 2e-3);
      }
}

/* On a head with no planted structure, the variance along each axis over
 * the total variance (both computed directly) is the explained fraction,
 * the axes are orthonormal and signed as documented. */
static void
test_explained_variance (void)
{
  g_autoptr(TestHead) head = test_head_new (3, 50, 10, TEST_HEAD_GENERAL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HlProjection) proj = hl_projection_new (&head->input, &error);
  g_autoptr(HlScatter) scatter = NULL;
  double mean[10] = { 0 }, total = 0.0, var_x = 0.0, var_y = 0.0;

  g_assert_no_error (error);
  scatter = hl_projection_scatter (proj, HL_RANKING_CONTRIBUTION, HL_DISTANCE_COSINE, 5, 0, 0);
  for (int i = 0; i < 50; i++)
    for (int k = 0; k < 10; k++)
      mean[k] += head->alpha[i] * (double) head->values[i * 10 + k] / 50;
  for (int i = 0; i < 50; i++)
    {
      for (int k = 0; k < 10; k++)
        {
          double c = head->alpha[i] * (double) head->values[i * 10 + k] - mean[k];

          total += c * c / 50;
        }
      var_x += (double) scatter->x[i] * scatter->x[i] / 50;
      var_y += (double) scatter->y[i] * scatter->y[i] / 50;
    }
  g_assert_cmpfloat_with_epsilon (scatter->explained[0], var_x / total, 1e-5);
  g_assert_cmpfloat_with_epsilon (scatter->explained[1], var_y / total, 1e-5);
  g_assert_cmpfloat (scatter->explained[0], >=, scatter->explained[1]);
  g_assert_cmpfloat (scatter->explained[1], >, 0.0);
  for (int c = 0; c < 2; c++)
    {
      const double *axis = hl_projection_get_axis (proj, c);
      int best = 0;

      g_assert_cmpfloat_with_epsilon (dot (axis, axis, 10), 1.0, 1e-12);
      for (int k = 1; k < 10; k++)
        if (fabs (axis[k]) > fabs (axis[best]))
          best = k;
      g_assert_cmpfloat (axis[best], >, 0.0);
    }
  g_assert_cmpfloat_with_epsilon (dot (hl_projection_get_axis (proj, 0),
                                       hl_projection_get_axis (proj, 1), 10), 0.0, 1e-12);
  g_assert_null (scatter->in_max_disk);
  g_assert_null (scatter->in_min_disk);
}

/* s_N computed here from the ranking. */
static void
centre_of (const TestHead *head,
           const int      *order,
           int             n_top,
           double         *s)
{
  int d = head->input.head_dim;

  for (int k = 0; k < d; k++)
    s[k] = 0.0;
  for (int p = 0; p < n_top; p++)
    for (int k = 0; k < d; k++)
      s[k] += head->alpha[order[p]] * (double) head->values[order[p] * d + k];
}

/* A point at distance r from s_N along the plane projects at distance r
 * from the projected centre: the disks have the balls' radii. */
static void
test_disk_radius (void)
{
  g_autoptr(TestHead) head = test_head_new (21, 40, 12, TEST_HEAD_GENERAL);
  g_autoptr(HlProjection) proj = hl_projection_new (&head->input, NULL);
  g_autoptr(HlScatter) scatter = hl_projection_scatter (proj, HL_RANKING_ATTENTION,
                                                        HL_DISTANCE_EUCLIDEAN, 6, 0, 0);
  const double *a0 = hl_projection_get_axis (proj, 0), *a1 = hl_projection_get_axis (proj, 1);
  int order[40];
  double s[12], x, y;

  hl_separability_rank (&head->input, HL_RANKING_ATTENTION, 0, 0, order);
  centre_of (head, order, 6, s);
  hl_projection_project (proj, s, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, scatter->centre_x, 1e-6);
  g_assert_cmpfloat_with_epsilon (y, scatter->centre_y, 1e-6);
  for (int t = 0; t < 12; t++)
    {
      double theta = t * G_PI / 6, r = scatter->rho_max * (0.5 + t / 12.0), p[12], px, py;

      for (int k = 0; k < 12; k++)
        p[k] = s[k] + r * (cos (theta) * a0[k] + sin (theta) * a1[k]);
      hl_projection_project (proj, p, &px, &py);
      g_assert_cmpfloat_with_epsilon (hypot (px - x, py - y), r, 1e-12 * (1.0 + r));
    }
}

static int
count_flags (const gboolean *flags,
             const gboolean *selected,
             gboolean        want_selected,
             int             n)
{
  int count = 0;

  for (int i = 0; i < n; i++)
    count += flags[i] && selected[i] == want_selected;
  return count;
}

/* The scatter agrees with the curves: selection, radii, and the counts
 * behind P and R; the disk flags are the planar test. */
static void
check_scatter (const TestHead     *head,
               const HlProjection *proj,
               HlRanking           ranking,
               HlDistance          distance,
               int                 n_top)
{
  int n = head->input.n_keys, order[64];
  HlSeparabilityOptions options = { &n_top, 1, 1u << ranking, 1u << distance, 1, 5 };
  g_autoptr(HlCurveSet) set = hl_separability_compute (&head->input, &options);
  g_autoptr(HlScatter) sc = hl_projection_scatter (proj, ranking, distance, n_top, 5, 0);
  const HlSeparabilityPoint *point = &set->points[ranking][distance][0];

  hl_separability_rank (&head->input, ranking, 5, 0, order);
  for (int p = 0; p < n; p++)
    g_assert_cmpint (sc->selected[order[p]], ==, p < n_top);
  g_assert_cmpfloat (sc->rho_min, ==, point->rho_min);
  g_assert_cmpfloat (sc->rho_max, ==, point->rho_max);
  g_assert_cmpint (count_flags (sc->in_max_ball, sc->selected, TRUE, n), ==, n_top);
  g_assert_cmpfloat ((float) ((double) n_top / (n_top + count_flags (sc->in_max_ball, sc->selected, FALSE, n))),
                     ==, point->precision);
  g_assert_cmpfloat ((float) ((double) count_flags (sc->in_min_ball, sc->selected, TRUE, n) / n_top),
                     ==, point->recall);
  g_assert_cmpint (count_flags (sc->in_min_ball, sc->selected, FALSE, n), ==, 0);
  if (distance == HL_DISTANCE_COSINE)
    return;
  for (int i = 0; i < n; i++)
    {
      double r = hypot (sc->x[i] - sc->centre_x, sc->y[i] - sc->centre_y);

      /* Planar distance never exceeds the full one, so the disk holds
       * at least the ball; flags far from a rim follow the radius. */
      if (sc->in_max_ball[i])
        g_assert_true (sc->in_max_disk[i]);
      if (fabs (r - sc->rho_max) > 1e-4)
        g_assert_cmpint (sc->in_max_disk[i], ==, r <= sc->rho_max);
      if (fabs (r - sc->rho_min) > 1e-4)
        g_assert_cmpint (sc->in_min_disk[i], ==, r < sc->rho_min);
    }
}

static void
test_scatter_matches_curves (void)
{
  g_autoptr(TestHead) head = test_head_new (8, 64, 8, TEST_HEAD_NEAR_DUPLICATES);
  g_autoptr(HlProjection) proj = hl_projection_new (&head->input, NULL);

  for (int r = 0; r < HL_N_RANKINGS; r++)
    for (int m = 0; m < HL_N_DISTANCES; m++)
      for (int n_top = 1; n_top < 64; n_top += 9)
        check_scatter (head, proj, (HlRanking) r, (HlDistance) m, n_top);
}

static void
test_degenerate_inputs (void)
{
  static const float alpha[3] = { 0.25f, 0.5f, 0.25f };
  static const float values[3] = { 1.0f, 2.0f, 4.0f };
  HlHeadInput line = { 3, 1, values, alpha };
  HlHeadInput empty = { 0, 1, values, alpha };
  g_autoptr(GError) error = NULL;
  g_autoptr(HlProjection) proj = hl_projection_new (&line, &error);
  g_autoptr(HlProjection) none = NULL;
  g_autoptr(HlScatter) sc = NULL;

  /* y = 0.25, 1, 1: one axis carries all the variance, the second is 0. */
  g_assert_no_error (error);
  sc = hl_projection_scatter (proj, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN, 1, 0, 0);
  g_assert_cmpfloat_with_epsilon (sc->explained[0], 1.0, 1e-6);
  g_assert_cmpfloat (sc->explained[1], ==, 0.0f);
  g_assert_cmpfloat_with_epsilon (sc->x[0], 0.25 - 0.75, 1e-6);
  g_assert_cmpfloat (sc->y[0], ==, 0.0f);

  none = hl_projection_new (&empty, &error);
  g_assert_null (none);
  g_assert_error (error, HL_PROJECTION_ERROR, HL_PROJECTION_ERROR_INVALID_INPUT);
}


/* The leading unit eigenvector of the symmetric @cov [d * d] by power
 * iteration, signed so its largest-magnitude component is positive. */
static void
power_axis (const double *cov,
            int           d,
            double       *axis)
{
  g_autofree double *next = g_new (double, d);
  int best = 0;

  for (int k = 0; k < d; k++)
    axis[k] = 1.0 + 0.01 * k;
  for (int it = 0; it < 20000; it++)
    {
      double norm = 0.0;

      for (int r = 0; r < d; r++)
        {
          next[r] = 0.0;
          for (int k = 0; k < d; k++)
            next[r] += cov[r * d + k] * axis[k];
          norm += next[r] * next[r];
        }
      norm = sqrt (norm);
      for (int k = 0; k < d; k++)
        axis[k] = next[k] / norm;
    }
  for (int k = 1; k < d; k++)
    if (fabs (axis[k]) > fabs (axis[best]))
      best = k;
  if (axis[best] < 0)
    for (int k = 0; k < d; k++)
      axis[k] = -axis[k];
}

/* The scatter of the raw values v_i: the PCA of the v_i (every weight 1),
 * computed here independently (covariance in double, power iteration with
 * deflation), gives the same coordinates; s_N and the disks are absent,
 * the selection and the full-space balls are those of the y_i. */
static void
test_values_space (void)
{
  enum { N = 40, D = 6 };
  g_autoptr(TestHead) head = test_head_new (5, N, D, TEST_HEAD_GENERAL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HlProjection) values = hl_projection_new_in (&head->input, HL_PROJECTION_VALUES, &error);
  g_autoptr(HlProjection) points = hl_projection_new (&head->input, NULL);
  g_autoptr(HlScatter) v = NULL;
  g_autoptr(HlScatter) y = NULL;
  double mean[D] = { 0 }, cov[D * D] = { 0 }, axis[2][D], lambda0 = 0.0;

  g_assert_no_error (error);
  v = hl_projection_scatter (values, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN, 5, 0, 0);
  y = hl_projection_scatter (points, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN, 5, 0, 0);
  for (int i = 0; i < N; i++)
    for (int k = 0; k < D; k++)
      mean[k] += head->values[i * D + k] / (double) N;
  for (int i = 0; i < N; i++)
    for (int r = 0; r < D; r++)
      for (int k = 0; k < D; k++)
        cov[r * D + k] += (head->values[i * D + r] - mean[r])
                          * (head->values[i * D + k] - mean[k]) / N;
  power_axis (cov, D, axis[0]);
  for (int r = 0; r < D; r++)
    for (int k = 0; k < D; k++)
      lambda0 += axis[0][r] * cov[r * D + k] * axis[0][k];
  for (int r = 0; r < D; r++)
    for (int k = 0; k < D; k++)
      cov[r * D + k] -= lambda0 * axis[0][r] * axis[0][k];
  power_axis (cov, D, axis[1]);
  for (int i = 0; i < N; i++)
    {
      double px = 0.0, py = 0.0;

      for (int k = 0; k < D; k++)
        {
          px += (head->values[i * D + k] - mean[k]) * axis[0][k];
          py += (head->values[i * D + k] - mean[k]) * axis[1][k];
        }
      g_assert_cmpfloat_with_epsilon (v->x[i], px, 1e-4 * (1 + fabs (px)));
      g_assert_cmpfloat_with_epsilon (v->y[i], py, 1e-4 * (1 + fabs (py)));
      g_assert_true (v->selected[i] == y->selected[i]);
      g_assert_true (v->in_max_ball[i] == y->in_max_ball[i]);
      g_assert_cmpfloat (v->distance[i], ==, y->distance[i]);
    }
  g_assert_true (v->values);
  g_assert_false (y->values);
  g_assert_true (isnan (v->centre_x) && isnan (v->centre_y));
  g_assert_null (v->in_max_disk);
  g_assert_nonnull (y->in_max_disk);
  g_assert_cmpfloat (v->rho_max, ==, y->rho_max);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/projection/planted-plane", test_planted_plane);
  g_test_add_func ("/projection/explained-variance", test_explained_variance);
  g_test_add_func ("/projection/disk-radius", test_disk_radius);
  g_test_add_func ("/projection/scatter-matches-curves", test_scatter_matches_curves);
  g_test_add_func ("/projection/degenerate-inputs", test_degenerate_inputs);
  g_test_add_func ("/projection/values-space", test_values_space);
  return g_test_run ();
}
