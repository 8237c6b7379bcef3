/* test-separability-reference.c: the fast path (float32 GEMM with exact
 * rechecks) against the straightforward reference (every distance directly
 * in double) on many random heads, including near and exact duplicates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <float.h>
#include <math.h>

#include "hl-separability.h"
#include "test-separability-heads.h"

typedef struct
{
  int rows;
  int mismatches;   /* rows whose P or R differ */
  int explained;    /* of those, rows whose radii agree within float32 rounding */
} Tally;

/* Two float32 values that differ only by the rounding of float32 storage
 * or arithmetic on values of this size. */
static gboolean
equal_within_float (double a,
                    double b,
                    double scale)
{
  return fabs (a - b) <= 64 * FLT_EPSILON * (fabs (a) + fabs (b) + scale);
}

static void
compare_row (const HlSeparabilityPoint *fast,
             const HlSeparabilityPoint *ref,
             Tally                     *tally)
{
  double scale = fabs (ref->rho_min) + fabs (ref->rho_max);

  tally->rows++;
  /* The radii, the mass and the margin come from the same exact double
   * values in both implementations; P and R from counts. */
  g_assert_true (equal_within_float (fast->rho_min, ref->rho_min, 0.0));
  g_assert_true (equal_within_float (fast->rho_max, ref->rho_max, 0.0));
  g_assert_true (equal_within_float (fast->margin, ref->margin, scale));
  g_assert_true (equal_within_float (fast->retained_mass, ref->retained_mass, 0.0));
  if (fast->precision == ref->precision && fast->recall == ref->recall)
    {
      g_assert_cmpfloat (fast->f1, ==, ref->f1);
      return;
    }
  tally->mismatches++;
  /* A count can only differ when a distance sits on the threshold within
   * float32 rounding: then rho_min and rho_max are that close too. */
  if (equal_within_float (fast->rho_min, ref->rho_max, scale)
      || equal_within_float (fast->rho_max, ref->rho_min, scale))
    tally->explained++;
}

/* Delta_N from the same alphas (exact); B times the mass outside summed in
 * another order; the residual from the difference of two sums (fast) or
 * summed over the keys outside (reference): within float32 rounding plus
 * the rounding of those sums, 1e-12 B. Both below their bound. */
static void
compare_theory (const HlCurveSet *fast,
                const HlCurveSet *ref,
                int               r,
                int               g)
{
  double b = ref->value_norm_max;

  g_assert_true (equal_within_float (fast->value_norm_max, b, 0.0));
  g_assert_cmpfloat (fast->gap[r][g], ==, ref->gap[r][g]);
  g_assert_true (equal_within_float (fast->bound[r][g], ref->bound[r][g], 0.0));
  g_assert_cmpfloat (fabs (fast->residual[r][g] - ref->residual[r][g]), <=,
                     64 * FLT_EPSILON * ref->residual[r][g] + 1e-12 * b);
  g_assert_cmpfloat (fast->residual[r][g], <=, fast->bound[r][g]);
  g_assert_cmpfloat (ref->residual[r][g], <=, ref->bound[r][g]);
}

static void
compare_sets (const HlCurveSet *fast,
              const HlCurveSet *ref,
              Tally            *tally)
{
  g_assert_cmpint (fast->n_grid, ==, ref->n_grid);
  for (int r = 0; r < HL_N_RANKINGS; r++)
    {
      for (int m = 0; m < HL_N_DISTANCES; m++)
        for (int g = 0; g < fast->n_grid; g++)
          compare_row (&fast->points[r][m][g], &ref->points[r][m][g], tally);
      for (int g = 0; g < fast->n_grid; g++)
        {
          g_assert_true (equal_within_float (fast->align_sink[r][g], ref->align_sink[r][g], 1.0));
          g_assert_true (equal_within_float (fast->align_last[r][g], ref->align_last[r][g], 1.0));
          compare_theory (fast, ref, r, g);
        }
    }
}

static void
compare_head (guint64       seed,
              int           n,
              int           d,
              TestHeadKind  kind,
              HlGridKind    grid_kind,
              Tally        *tally)
{
  g_autoptr(TestHead) head = test_head_new (seed, n, d, kind);
  g_autofree int *grid = g_new (int, n);
  int n_grid = hl_grid_build (grid_kind, NULL, 0, n, grid);
  HlSeparabilityOptions options = { grid, n_grid, 0x7, 0x3, 4, seed * 31 };
  g_autoptr(HlCurveSet) fast = hl_separability_compute (&head->input, &options);
  g_autoptr(HlCurveSet) ref = hl_separability_reference (&head->input, &options);

  compare_sets (fast, ref, tally);
}

static void
assert_tally (const Tally *tally)
{
  g_test_message ("%d rows, %d with different P or R, %d of them explained",
                  tally->rows, tally->mismatches, tally->explained);
  g_assert_cmpint (tally->rows, >, 0);
  g_assert_cmpint (tally->mismatches * 1000, <=, tally->rows);
  g_assert_cmpint (tally->explained, ==, tally->mismatches);
}

static void
test_fast_matches_reference (void)
{
  static const int shapes[][2] = {
    { 2, 1 }, { 3, 2 }, { 5, 2 }, { 8, 3 }, { 17, 8 }, { 64, 16 }, { 130, 64 }, { 300, 128 },
  };
  Tally tally = { 0 };
  guint64 seed = 1;

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int kind = TEST_HEAD_GENERAL; kind <= TEST_HEAD_EXACT_DUPLICATES; kind++)
      for (int copy = 0; copy < 3; copy++)
        {
          HlGridKind grid_kind = shapes[s][0] <= 130 ? HL_GRID_ALL : HL_GRID_POW2;

          compare_head (seed++, shapes[s][0], shapes[s][1], kind, grid_kind, &tally);
        }
  assert_tally (&tally);
}

/* Enough centres that the fast path works through several GEMM blocks,
 * carrying the prefix sums from one block to the next. */
static void
test_fast_matches_reference_blocks (void)
{
  Tally tally = { 0 };

  compare_head (4242, 1100, 3, TEST_HEAD_NEAR_DUPLICATES, HL_GRID_ALL, &tally);
  assert_tally (&tally);
}

/* Points far from the origin and nearly on top of each other: the
 * Euclidean formula ||y||^2 + ||s||^2 - 2 y.s loses every significant digit
 * in float32 here, so only the exact recheck gets the counts right. */
static void
test_fast_matches_reference_cancellation (void)
{
  Tally tally = { 0 };

  for (int h = 0; h < 6; h++)
    {
      g_autoptr(TestHead) head = test_head_new (900 + h, 48, 8, TEST_HEAD_GENERAL);
      int grid[48], n_grid = hl_grid_build (HL_GRID_ALL, NULL, 0, 48, grid);
      HlSeparabilityOptions options = { grid, n_grid, 0x7, 0x3, 3, h };
      g_autoptr(HlCurveSet) fast = NULL;
      g_autoptr(HlCurveSet) ref = NULL;

      for (int i = 0; i < 48; i++)
        {
          head->alpha[i] = 1.0f / 64;
          for (int k = 0; k < 8; k++)
            head->values[i * 8 + k] = (k == 0 ? 1000.0f : 0.0f) + 1e-3f * head->values[i * 8 + k];
        }
      fast = hl_separability_compute (&head->input, &options);
      ref = hl_separability_reference (&head->input, &options);
      compare_sets (fast, ref, &tally);
    }
  assert_tally (&tally);
}

/* A row with almost all of its mass on one key (the rest 1e-20 each, as
 * real heads have): the mass outside S_N is so small that the difference
 * o - s_N would be rounding noise far above the bound; the discarded part
 * is summed directly then, and agrees with the reference. */
static void
test_fast_matches_reference_peaked (void)
{
  Tally tally = { 0 };

  for (int h = 0; h < 4; h++)
    {
      g_autoptr(TestHead) head = test_head_new (700 + h, 200, 16, TEST_HEAD_GENERAL);
      int grid[200], n_grid = hl_grid_build (HL_GRID_POW2, NULL, 0, 200, grid);
      HlSeparabilityOptions options = { grid, n_grid, 0x7, 0x3, 3, h };
      g_autoptr(HlCurveSet) fast = NULL;
      g_autoptr(HlCurveSet) ref = NULL;

      for (int i = 0; i < 200; i++)
        head->alpha[i] = i == 7 * h ? 1.0f : 1e-20f * (1 + i % 3);
      fast = hl_separability_compute (&head->input, &options);
      ref = hl_separability_reference (&head->input, &options);
      compare_sets (fast, ref, &tally);
      g_assert_cmpfloat (fast->residual[HL_RANKING_ATTENTION][n_grid - 1], >, 0.0f);
      g_assert_cmpfloat (fast->bound[HL_RANKING_ATTENTION][n_grid - 1], <, 1e-16f);
    }
  assert_tally (&tally);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/separability/reference/random-heads", test_fast_matches_reference);
  g_test_add_func ("/separability/reference/blocks", test_fast_matches_reference_blocks);
  g_test_add_func ("/separability/reference/cancellation", test_fast_matches_reference_cancellation);
  g_test_add_func ("/separability/reference/peaked", test_fast_matches_reference_peaked);
  return g_test_run ();
}
