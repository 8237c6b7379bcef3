/* test-separability.c: the separability metrics on a case worked out by
 * hand, invariants on random heads, and the random control's determinism.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "hl-separability.h"
#include "test-separability-heads.h"

/* The hand-worked head: five keys in 2-D, with alpha and v chosen so that
 * y_i = alpha_i v_i has integer coordinates (every product is exact):
 *
 *   i   alpha   v          y = alpha v   ||y||
 *   0   1/8     (-8, 16)   (-1, 2)       sqrt 5
 *   1   1/4     ( 4,  0)   ( 1, 0)       1
 *   2   1/4     ( 0,  4)   ( 0, 1)       1
 *   3   1/4     (-4,  0)   (-1, 0)       1
 *   4   1/8     ( 8,  8)   ( 1, 1)       sqrt 2
 *
 * Attention ranking: 1, 2, 3 tie at 1/4 (lower index first), then 0 and 4
 * tie at 1/8: order 1 2 3 0 4. Contribution ranking: 0 (sqrt 5), 4
 * (sqrt 2), then 1, 2, 3 tie at 1: order 0 4 1 2 3. Squared distances are
 * integers, so equal distances are exactly equal. */
static const float hand_alpha[5] = { 0.125f, 0.25f, 0.25f, 0.25f, 0.125f };
static const float hand_values[10] = { -8, 16, 4, 0, 0, 4, -4, 0, 8, 8 };
static const int hand_grid[4] = { 1, 2, 3, 4 };

typedef struct
{
  double precision, recall, f1, rho_min, rho_max, mass;
} Expected;

/* Attention (Euclidean), order 1 2 3 0 4:
 * N=1  s = (1,0). D1 = 0 = rho_max. Others: y2 sqrt 2, y3 2, y0 sqrt 8,
 *      y4 1: rho_min = 1. Nothing outside within 0: P = 1; D1 < 1: R = 1.
 * N=2  s = (1,1). D1 = D2 = 1 = rho_max. y3 sqrt 5, y0 sqrt 5, y4 0:
 *      rho_min = 0. y4 (0 <= 1) is in the outer ball: P = 2/3. No selected
 *      distance is < 0: R = 0, F = 0 (R = 0 does happen).
 * N=3  s = (0,1). D1 = sqrt 2, D2 = 0, D3 = sqrt 2: rho_max = sqrt 2.
 *      y0 (-1,1) is at exactly sqrt 2: the closed outer ball counts it;
 *      y4 at 1 counts too: P = 3/5. rho_min = 1; only D2 = 0 < 1: R = 1/3.
 *      F = 2 (3/5)(1/3) / (3/5 + 1/3) = 3/7.
 * N=4  s = (-1,3). D1 = sqrt 13, D2 = sqrt 5, D3 = 3, D0 = 1: rho_max =
 *      sqrt 13. y4 (2,-2): rho_min = sqrt 8 <= sqrt 13: P = 4/5. Below
 *      sqrt 8: D2, D0: R = 1/2. F = 2 (4/5)(1/2) / (13/10) = 8/13. */
static const Expected hand_attention[4] = {
  { 1.0, 1.0, 1.0, 1.0, 0.0, 0.25 },
  { 2.0 / 3, 0.0, 0.0, 0.0, 1.0, 0.5 },
  { 3.0 / 5, 1.0 / 3, 3.0 / 7, 1.0, G_SQRT2, 0.75 },
  { 4.0 / 5, 1.0 / 2, 8.0 / 13, 2 * G_SQRT2, 3.605551275463989, 0.875 },
};

/* Contribution (Euclidean), order 0 4 1 2 3:
 * N=1  s = (-1,2). D0 = 0. y4 sqrt 5, y1 sqrt 8, y2 sqrt 2, y3 2:
 *      rho_min = sqrt 2. P = R = F = 1.
 * N=2  s = (0,3). D0 = sqrt 2, D4 = sqrt 5 = rho_max. y1 sqrt 10, y2 2,
 *      y3 sqrt 10: rho_min = 2. y2 (2 <= sqrt 5): P = 2/3. D0 < 2:
 *      R = 1/2. F = 2 (2/3)(1/2) / (7/6) = 4/7.
 * N=3  s = (1,3). D0 = sqrt 5, D4 = 2, D1 = 3 = rho_max. y2 sqrt 5,
 *      y3 sqrt 13: rho_min = sqrt 5; y2 <= 3: P = 3/4. D0 is exactly
 *      rho_min, which the strict inner ball does not count; D4 = 2 does:
 *      R = 1/3. F = 6/13.
 * N=4  s = (1,4). D0 sqrt 8, D4 3, D1 4, D2 sqrt 10: rho_max = 4.
 *      y3 (-2,-4): rho_min = sqrt 20 > 4: P = R = F = 1. */
static const Expected hand_contribution[4] = {
  { 1.0, 1.0, 1.0, G_SQRT2, 0.0, 0.125 },
  { 2.0 / 3, 1.0 / 2, 4.0 / 7, 2.0, 2.23606797749979, 0.25 },
  { 3.0 / 4, 1.0 / 3, 6.0 / 13, 2.23606797749979, 3.0, 0.5 },
  { 1.0, 1.0, 1.0, 4.47213595499958, 4.0, 0.75 },
};

static HlHeadInput
hand_input (void)
{
  return (HlHeadInput) { 5, 2, hand_values, hand_alpha };
}

static HlSeparabilityOptions
hand_options (guint rankings,
              guint distances)
{
  return (HlSeparabilityOptions) { hand_grid, 4, rankings, distances, 4, 99 };
}

static void
assert_point (const HlSeparabilityPoint *got,
              const Expected            *want)
{
  /* Counts are exact, so P, R and F are the nearest floats of fractions. */
  g_assert_cmpfloat (got->precision, ==, (float) want->precision);
  g_assert_cmpfloat (got->recall, ==, (float) want->recall);
  g_assert_cmpfloat (got->f1, ==, (float) want->f1);
  g_assert_cmpfloat_with_epsilon (got->rho_min, want->rho_min, 1e-6);
  g_assert_cmpfloat_with_epsilon (got->rho_max, want->rho_max, 1e-6);
  g_assert_cmpfloat_with_epsilon (got->margin, want->rho_min - want->rho_max, 1e-6);
  g_assert_cmpfloat (got->retained_mass, ==, (float) want->mass);
}

static void
test_hand_rankings (void)
{
  HlHeadInput input = hand_input ();
  static const int attention[5] = { 1, 2, 3, 0, 4 };
  static const int contribution[5] = { 0, 4, 1, 2, 3 };
  int order[5];

  hl_separability_rank (&input, HL_RANKING_ATTENTION, 0, 0, order);
  g_assert_cmpmem (order, sizeof order, attention, sizeof attention);
  hl_separability_rank (&input, HL_RANKING_CONTRIBUTION, 0, 0, order);
  g_assert_cmpmem (order, sizeof order, contribution, sizeof contribution);
}

typedef HlCurveSet *(*ComputeFunc) (const HlHeadInput *, const HlSeparabilityOptions *);

static void
check_hand_euclidean (ComputeFunc compute)
{
  HlHeadInput input = hand_input ();
  HlSeparabilityOptions options = hand_options (0x3, 1u << HL_DISTANCE_EUCLIDEAN);
  g_autoptr(HlCurveSet) set = compute (&input, &options);

  g_assert_cmpint (set->n_grid, ==, 4);
  g_assert_null (set->points[HL_RANKING_RANDOM][HL_DISTANCE_EUCLIDEAN]);
  g_assert_null (set->points[HL_RANKING_ATTENTION][HL_DISTANCE_COSINE]);
  for (int g = 0; g < 4; g++)
    {
      assert_point (&set->points[HL_RANKING_ATTENTION][HL_DISTANCE_EUCLIDEAN][g],
                    &hand_attention[g]);
      assert_point (&set->points[HL_RANKING_CONTRIBUTION][HL_DISTANCE_EUCLIDEAN][g],
                    &hand_contribution[g]);
    }
}

static void
test_hand_euclidean_fast (void)
{
  check_hand_euclidean (hl_separability_compute);
}

static void
test_hand_euclidean_reference (void)
{
  check_hand_euclidean (hl_separability_reference);
}

/* Cosine, attention, N = 2: s = (1,1). D1 = D2 = 1 - 1/sqrt 2 = rho_max.
 * y4 = (1,1) points the same way: D4 = 1 - 2/(2 + 1e-12), about 5e-13,
 * which is rho_min; y0: 1 - 1/sqrt 10; y3: 1 + 1/sqrt 2. So P = 2/3 (y4)
 * and R = 0. N = 1: s = y1, D1 = 1 - 1/(1 + 1e-12) (about 1e-12), the
 * nearest other is y4 at 1 - 1/sqrt 2: P = R = 1.
 * Alignment at N = 1: cos(y1, v0) = -8/sqrt 320 = -1/sqrt 5 and
 * cos(y1, v4) = 8/sqrt 128 = 1/sqrt 2; contribution N = 2, s = (0,3):
 * cos(s, v0) = 48/(3 sqrt 320) = 2/sqrt 5, cos(s, v4) = 1/sqrt 2. */
static void
test_hand_cosine_and_alignment (void)
{
  HlHeadInput input = hand_input ();
  HlSeparabilityOptions options = hand_options (0x3, 1u << HL_DISTANCE_COSINE);
  g_autoptr(HlCurveSet) set = hl_separability_compute (&input, &options);
  const HlSeparabilityPoint *p = set->points[HL_RANKING_ATTENTION][HL_DISTANCE_COSINE];

  g_assert_cmpfloat (p[0].precision, ==, 1.0f);
  g_assert_cmpfloat (p[0].recall, ==, 1.0f);
  g_assert_cmpfloat_with_epsilon (p[0].rho_max, 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (p[0].rho_min, 1.0 - 1.0 / G_SQRT2, 1e-6);
  g_assert_cmpfloat (p[1].precision, ==, 2.0f / 3);
  g_assert_cmpfloat (p[1].recall, ==, 0.0f);
  g_assert_cmpfloat_with_epsilon (p[1].rho_max, 1.0 - 1.0 / G_SQRT2, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[1].rho_min, 0.0, 1e-9);

  g_assert_cmpfloat_with_epsilon (set->align_sink[HL_RANKING_ATTENTION][0], -1.0 / sqrt (5.0), 1e-6);
  g_assert_cmpfloat_with_epsilon (set->align_last[HL_RANKING_ATTENTION][0], 1.0 / G_SQRT2, 1e-6);
  g_assert_cmpfloat_with_epsilon (set->align_sink[HL_RANKING_CONTRIBUTION][1], 2.0 / sqrt (5.0), 1e-6);
  g_assert_cmpfloat_with_epsilon (set->align_last[HL_RANKING_CONTRIBUTION][1], 1.0 / G_SQRT2, 1e-6);
}

/* Theory on the hand-worked head: B = ||v_0|| = sqrt 320 = 8 sqrt 5, the
 * output o = sum y_i = (0, 4).
 * Attention, order 1 2 3 0 4:
 *   N=1  s (1,0), o - s (-1,4): sqrt 17; outside 3/4: bound 6 sqrt 5;
 *        Delta = 1/4 - 1/4 = 0 (a tie).
 *   N=2  s (1,1), (-1,3): sqrt 10; 1/2: 4 sqrt 5; Delta 0.
 *   N=3  s (0,1), (0,3): 3; 1/4: 2 sqrt 5; Delta 1/4 - 1/8 = 1/8.
 *   N=4  s (-1,3), (1,1): sqrt 2; 1/8: sqrt 5; Delta 0.
 * Contribution, order 0 4 1 2 3:
 *   N=1  s (-1,2), (1,2): sqrt 5; 7/8: 7 sqrt 5; Delta 1/8 - 1/4.
 *   N=2  s (0,3), (0,1): 1; 3/4: 6 sqrt 5; Delta -1/8.
 *   N=3  s (1,3), (-1,1): sqrt 2; 1/2: 4 sqrt 5; Delta -1/8.
 *   N=4  s (1,4), (-1,0): 1; 1/4: 2 sqrt 5; Delta -1/8. */
static void
check_hand_theory (ComputeFunc compute)
{
  static const double attention[4][3] = {
    { 0, 4.123105625617661, 6 }, { 0, 3.1622776601683795, 4 },
    { 0.125, 3, 2 }, { 0, G_SQRT2, 1 },
  };
  static const double contribution[4][3] = {
    { -0.125, 2.23606797749979, 7 }, { -0.125, 1, 6 },
    { -0.125, G_SQRT2, 4 }, { -0.125, 1, 2 },
  };
  HlHeadInput input = hand_input ();
  HlSeparabilityOptions options = hand_options (0x3, 1u << HL_DISTANCE_EUCLIDEAN);
  g_autoptr(HlCurveSet) set = compute (&input, &options);
  double root5 = sqrt (5.0);

  g_assert_cmpfloat_with_epsilon (set->value_norm_max, 8 * root5, 1e-5);
  g_assert_null (set->gap[HL_RANKING_RANDOM]);
  for (int g = 0; g < 4; g++)
    {
      g_assert_cmpfloat (set->gap[HL_RANKING_ATTENTION][g], ==, (float) attention[g][0]);
      g_assert_cmpfloat_with_epsilon (set->residual[HL_RANKING_ATTENTION][g], attention[g][1], 1e-6);
      g_assert_cmpfloat_with_epsilon (set->bound[HL_RANKING_ATTENTION][g], attention[g][2] * root5, 1e-5);
      g_assert_cmpfloat (set->gap[HL_RANKING_CONTRIBUTION][g], ==, (float) contribution[g][0]);
      g_assert_cmpfloat_with_epsilon (set->residual[HL_RANKING_CONTRIBUTION][g], contribution[g][1], 1e-6);
      g_assert_cmpfloat_with_epsilon (set->bound[HL_RANKING_CONTRIBUTION][g], contribution[g][2] * root5, 1e-5);
    }
}

static void
test_hand_theory_fast (void)
{
  check_hand_theory (hl_separability_compute);
}

static void
test_hand_theory_reference (void)
{
  check_hand_theory (hl_separability_reference);
}

/* The random control: S_N of a repeat is the first N of its permutation,
 * so the retained mass is the mean over repeats of those prefixes' mass. */
static void
test_random_nested (void)
{
  g_autoptr(TestHead) head = test_head_new (5, 40, 6, TEST_HEAD_GENERAL);
  int grid[40], n_grid = hl_grid_build (HL_GRID_ALL, NULL, 0, 40, grid);
  HlSeparabilityOptions options = { grid, n_grid, 1u << HL_RANKING_RANDOM, 0x3, 7, 1234 };
  g_autoptr(HlCurveSet) set = hl_separability_compute (&head->input, &options);
  int order[40];
  double mass[40] = { 0 };

  for (int r = 0; r < 7; r++)
    {
      double sum = 0.0;

      hl_separability_rank (&head->input, HL_RANKING_RANDOM, 1234, r, order);
      for (int p = 0; p < 39; p++)
        {
          sum += head->alpha[order[p]];
          mass[p] += sum / 7;
        }
    }
  for (int g = 0; g < n_grid; g++)
    g_assert_cmpfloat_with_epsilon (set->points[HL_RANKING_RANDOM][HL_DISTANCE_COSINE][g].retained_mass,
                                    mass[grid[g] - 1], 1e-6);
}

static void
check_invariants (const HlCurveSet *set,
                  gboolean          single_repeat)
{
  for (int r = 0; r < HL_N_RANKINGS; r++)
    for (int m = 0; m < HL_N_DISTANCES; m++)
      for (int g = 0; g < set->n_grid; g++)
        {
          const HlSeparabilityPoint *p = &set->points[r][m][g];

          g_assert_cmpfloat (p->precision, >, 0.0f);
          g_assert_cmpfloat (p->precision, <=, 1.0f);
          g_assert_cmpfloat (p->recall, >=, 0.0f);
          g_assert_cmpfloat (p->recall, <=, 1.0f);
          if (m == HL_DISTANCE_EUCLIDEAN && set->grid[g] == 1)
            g_assert_cmpfloat (p->f1, ==, 1.0f);
          /* The margin is positive exactly when P = R = 1 (per repeat). */
          if (r != HL_RANKING_RANDOM || single_repeat)
            g_assert_cmpint (p->margin > 0.0f, ==,
                             p->precision == 1.0f && p->recall == 1.0f);
        }
}

static void
test_invariants (void)
{
  static const int shapes[][2] = { { 2, 3 }, { 9, 2 }, { 33, 4 }, { 100, 16 }, { 257, 64 } };

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int repeats = 1; repeats <= 5; repeats += 4)
      {
        int n = shapes[s][0], d = shapes[s][1];
        g_autoptr(TestHead) head = test_head_new (100 + s, n, d, TEST_HEAD_GENERAL);
        g_autofree int *grid = g_new (int, n);
        int n_grid = hl_grid_build (HL_GRID_ALL, NULL, 0, n, grid);
        HlSeparabilityOptions options = { grid, n_grid, 0x7, 0x3, repeats, 7 * s };
        g_autoptr(HlCurveSet) set = hl_separability_compute (&head->input, &options);

        check_invariants (set, repeats == 1);
      }
}

static HlCurveSet *
random_curves (const TestHead *head,
               const int      *grid,
               int             n_grid,
               guint64         seed)
{
  HlSeparabilityOptions options = { grid, n_grid, 1u << HL_RANKING_RANDOM, 0x3, 8, seed };

  return hl_separability_compute (&head->input, &options);
}

static void
test_random_determinism (void)
{
  g_autoptr(TestHead) head = test_head_new (77, 64, 8, TEST_HEAD_GENERAL);
  int grid[64], n_grid = hl_grid_build (HL_GRID_POW2, NULL, 0, 64, grid);
  g_autoptr(HlCurveSet) a = random_curves (head, grid, n_grid, 1);
  g_autoptr(HlCurveSet) b = random_curves (head, grid, n_grid, 1);
  g_autoptr(HlCurveSet) c = random_curves (head, grid, n_grid, 2);
  int order_a[64], order_c[64];
  gsize size = sizeof (HlSeparabilityPoint) * n_grid;

  for (int m = 0; m < HL_N_DISTANCES; m++)
    {
      g_assert_cmpmem (a->points[HL_RANKING_RANDOM][m], size, b->points[HL_RANKING_RANDOM][m], size);
      g_assert_true (memcmp (a->points[HL_RANKING_RANDOM][m], c->points[HL_RANKING_RANDOM][m], size) != 0);
    }
  g_assert_cmpmem (a->align_sink[HL_RANKING_RANDOM], sizeof (float) * n_grid,
                   b->align_sink[HL_RANKING_RANDOM], sizeof (float) * n_grid);
  hl_separability_rank (&head->input, HL_RANKING_RANDOM, 1, 0, order_a);
  hl_separability_rank (&head->input, HL_RANKING_RANDOM, 2, 0, order_c);
  g_assert_true (memcmp (order_a, order_c, sizeof order_a) != 0);
  /* Repeat 1 of seed 1 is another permutation than repeat 0. */
  hl_separability_rank (&head->input, HL_RANKING_RANDOM, 1, 1, order_c);
  g_assert_true (memcmp (order_a, order_c, sizeof order_a) != 0);
}

/* A query that sees a single key has an empty grid; the asked-for curves
 * exist and are empty. */
static void
test_empty_grid (void)
{
  static const float alpha[1] = { 1.0f };
  static const float values[2] = { 1.0f, 2.0f };
  HlHeadInput input = { 1, 2, values, alpha };
  HlSeparabilityOptions options = { NULL, 0, 0x7, 0x3, 16, 0 };
  g_autoptr(HlCurveSet) set = hl_separability_compute (&input, &options);

  g_assert_cmpint (set->n_grid, ==, 0);
  g_assert_nonnull (set->points[HL_RANKING_RANDOM][HL_DISTANCE_COSINE]);
  g_assert_nonnull (set->align_last[HL_RANKING_ATTENTION]);
}

static void
assert_sets_equal (const HlCurveSet *a,
                   const HlCurveSet *b)
{
  gsize size = sizeof (HlSeparabilityPoint) * a->n_grid;

  g_assert_cmpint (a->n_grid, ==, b->n_grid);
  for (int r = 0; r < HL_N_RANKINGS; r++)
    for (int m = 0; m < HL_N_DISTANCES; m++)
      g_assert_cmpmem (a->points[r][m], size, b->points[r][m], size);
}

/* One workspace reused over heads that grow and shrink gives the results
 * of a fresh computation for each. */
static void
test_workspace_reuse (void)
{
  static const int sizes[][2] = { { 50, 8 }, { 300, 32 }, { 7, 2 }, { 120, 64 } };
  g_autoptr(HlSeparabilityWorkspace) workspace = hl_separability_workspace_new ();

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(TestHead) head = test_head_new (60 + s, sizes[s][0], sizes[s][1], TEST_HEAD_GENERAL);
      g_autofree int *grid = g_new (int, sizes[s][0]);
      int n_grid = hl_grid_build (HL_GRID_POW2, NULL, 0, sizes[s][0], grid);
      HlSeparabilityOptions options = { grid, n_grid, 0x7, 0x3, 3, s };
      g_autoptr(HlCurveSet) fresh = hl_separability_compute (&head->input, &options);
      g_autoptr(HlCurveSet) reused = hl_separability_compute_with (workspace, &head->input, &options);

      assert_sets_equal (fresh, reused);
    }
}

static void
test_gemm_flops (void)
{
  static const int grid[10] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512 };
  HlSeparabilityOptions options = { grid, 10, (1u << HL_RANKING_ATTENTION) | (1u << HL_RANKING_RANDOM),
                                    1u << HL_DISTANCE_EUCLIDEAN, 16, 0 };

  /* 17 instances x 10 N = 170 centres; 2 n m d. */
  g_assert_cmpfloat (hl_separability_gemm_flops (1024, 128, &options), ==, 2.0 * 1024 * 170 * 128);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/separability/hand/rankings", test_hand_rankings);
  g_test_add_func ("/separability/hand/euclidean-fast", test_hand_euclidean_fast);
  g_test_add_func ("/separability/hand/euclidean-reference", test_hand_euclidean_reference);
  g_test_add_func ("/separability/hand/cosine-and-alignment", test_hand_cosine_and_alignment);
  g_test_add_func ("/separability/hand/theory-fast", test_hand_theory_fast);
  g_test_add_func ("/separability/hand/theory-reference", test_hand_theory_reference);
  g_test_add_func ("/separability/random/nested", test_random_nested);
  g_test_add_func ("/separability/random/determinism", test_random_determinism);
  g_test_add_func ("/separability/invariants", test_invariants);
  g_test_add_func ("/separability/empty-grid", test_empty_grid);
  g_test_add_func ("/separability/workspace-reuse", test_workspace_reuse);
  g_test_add_func ("/separability/gemm-flops", test_gemm_flops);
  return g_test_run ();
}
