/* test-separability-kernel.c: the pieces that make the fast path fast, each
 * against the plain computation it replaces: the division-free random
 * permutations, the radix-sorted rankings, the float32 intervals at extreme
 * magnitudes (and the all-exact fallback), dimensions that do not fill a
 * vector, a workspace reused across head shapes, and the AVX-512 distance
 * GEMM against double sums, alone and with its panels shared.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "hl-distance-gemm.h"
#include "hl-separability-private.h"
#include "test-separability-heads.h"

/* Every position is present once in @order. */
static void
assert_permutation (const int *order,
                    int        n)
{
  g_autofree gboolean *seen = g_new0 (gboolean, n);

  for (int i = 0; i < n; i++)
    {
      g_assert_cmpint (order[i], >=, 0);
      g_assert_cmpint (order[i], <, n);
      g_assert_false (seen[order[i]]);
      seen[order[i]] = TRUE;
    }
}

/* The random orders of every repeat equal hl_random_permutation () on the
 * repeat's stream in their first @prefix positions (all the kernel reads):
 * the shared divisor tables and the steps left out change the cost, not
 * the draws. */
static void
check_random_orders (int     n,
                     int     prefix,
                     guint64 seed)
{
  /* Eight (drawn together in AVX-512 registers where the processor has
   * them) and three more. */
  int n_inst = 11;
  g_autofree float *alpha = g_new0 (float, n);
  g_autofree float *values = g_new0 (float, n);
  g_autofree int *orders = g_new (int, (gsize) n_inst * n);
  g_autofree int *expected = g_new (int, n);
  HlHeadInput input = { n, 1, values, alpha };
  HlRanking rankings[11];
  int repeats[11];

  for (int j = 0; j < n_inst; j++)
    {
      rankings[j] = HL_RANKING_RANDOM;
      repeats[j] = 5 * j;
    }
  hl_separability_rank_instances (&input, seed, rankings, repeats, n_inst, prefix, orders);
  for (int j = 0; j < n_inst; j++)
    {
      HlRandom rng;

      hl_random_init (&rng, seed, (guint64) repeats[j]);
      hl_random_permutation (&rng, expected, n);
      g_assert_cmpmem (orders + (gsize) j * n, sizeof (int) * MIN (prefix, n),
                       expected, sizeof (int) * MIN (prefix, n));
      assert_permutation (orders + (gsize) j * n, n);
    }
}

static void
test_random_orders (void)
{
  static const int lengths[] = { 1, 2, 3, 17, 1000, 1025 };

  for (guint l = 0; l < G_N_ELEMENTS (lengths); l++)
    for (guint64 seed = 0; seed < 3; seed++)
      {
        int n = lengths[l];
        int prefixes[] = { 0, 1, n / 2, n - 1, n };

        for (guint p = 0; p < G_N_ELEMENTS (prefixes); p++)
          check_random_orders (n, prefixes[p], seed);
      }
  /* Bounds near a million reject a draw about once in 5000 (2^32 mod
   * bound of 2^32), so these 20000 steps of eight generators take the
   * rejection path about 18 times. */
  check_random_orders (1000000, 20000, 5);
}

/* A prefix of the permutation is the prefix of the full one, and uses
 * fewer draws: the generator is left where the full one would be after
 * that many steps. */
static void
test_random_permutation_prefix (void)
{
  int full[50], part[50];
  HlRandom a, b;

  hl_random_init (&a, 7, 1);
  hl_random_init (&b, 7, 1);
  hl_random_permutation (&a, full, 50);
  hl_random_permutation_prefix (&b, part, 50, 20);
  g_assert_cmpmem (full, sizeof (int) * 20, part, sizeof (int) * 20);
  assert_permutation (part, 50);
  hl_random_init (&a, 7, 1);
  for (int i = 0; i < 20; i++)
    hl_random_next (&a);
  g_assert_cmpuint (hl_random_next (&a), ==, hl_random_next (&b));
}

/* Descending key, ties by ascending index, by insertion: obviously right. */
static void
insertion_rank (const double *keys,
                int           n,
                int          *order)
{
  for (int i = 0; i < n; i++)
    {
      int j = i;

      while (j > 0 && keys[order[j - 1]] < keys[i])
        {
          order[j] = order[j - 1];
          j--;
        }
      order[j] = i;
    }
}

/* Attention weights with many exact ties, zeros of both signs and values
 * that differ in the last bit, so every byte of the radix sort matters. */
static void
test_ranking_ties (void)
{
  int n = 300;
  g_autofree float *alpha = g_new (float, n);
  g_autofree float *values = g_new (float, (gsize) n * 2);
  g_autofree double *keys = g_new (double, n);
  g_autofree int *order = g_new (int, n);
  g_autofree int *expected = g_new (int, n);
  HlHeadInput input = { n, 2, values, alpha };
  HlRandom rng;

  hl_random_init (&rng, 99, 0);
  for (int i = 0; i < n; i++)
    {
      static const float pool[] = { 0.0f, -0.0f, 0.25f, 1e-30f, 0.5f, 0.125f };
      guint64 pick = hl_random_below (&rng, 8);

      alpha[i] = pick < G_N_ELEMENTS (pool) ? pool[pick]
                 : nextafterf (0.25f, pick == 6 ? 1.0f : 0.0f);
      values[2 * i] = (float) hl_random_below (&rng, 4);
      values[2 * i + 1] = 1.0f;
    }
  for (int i = 0; i < n; i++)
    keys[i] = alpha[i];
  hl_separability_rank (&input, HL_RANKING_ATTENTION, 0, 0, order);
  insertion_rank (keys, n, expected);
  g_assert_cmpmem (order, sizeof (int) * n, expected, sizeof (int) * n);

  for (int i = 0; i < n; i++)
    keys[i] = sqrt (hl_separability_point_norm2 (values + 2 * i, alpha[i], 2));
  hl_separability_rank (&input, HL_RANKING_CONTRIBUTION, 0, 0, order);
  insertion_rank (keys, n, expected);
  g_assert_cmpmem (order, sizeof (int) * n, expected, sizeof (int) * n);
}

/* Every row of the fast path equals the reference: the fast path decides
 * every count on the same double distances as the reference, so P, R and
 * the radii agree exactly, not just on 99.9% of rows. */
static void
assert_same_as_reference (const HlHeadInput *input,
                          int                n_grid,
                          const int         *grid,
                          guint              distances)
{
  HlSeparabilityOptions options = { grid, n_grid, 0x7, distances, 3, 5 };
  g_autoptr(HlCurveSet) fast = hl_separability_compute (input, &options);
  g_autoptr(HlCurveSet) ref = hl_separability_reference (input, &options);

  for (int r = 0; r < HL_N_RANKINGS; r++)
    for (int m = 0; m < HL_N_DISTANCES; m++)
      for (int g = 0; (distances & (1u << m)) && g < n_grid; g++)
        {
          const HlSeparabilityPoint *a = &fast->points[r][m][g], *b = &ref->points[r][m][g];

          g_assert_cmpfloat (a->precision, ==, b->precision);
          g_assert_cmpfloat (a->recall, ==, b->recall);
          g_assert_cmpfloat (a->rho_min, ==, b->rho_min);
          g_assert_cmpfloat (a->rho_max, ==, b->rho_max);
        }
}

static void
check_scaled (guint64 seed,
              int     n,
              int     d,
              float   scale)
{
  g_autoptr(TestHead) head = test_head_new (seed, n, d, TEST_HEAD_NEAR_DUPLICATES);
  g_autofree int *grid = g_new (int, n);
  int n_grid = hl_grid_build (HL_GRID_ALL, NULL, 0, n, grid);

  for (gsize k = 0; k < (gsize) n * d; k++)
    head->values[k] *= scale;
  assert_same_as_reference (&head->input, n_grid, grid, 0x3);
}

/* Far beyond float32's comfortable range the intervals either stay rigorous
 * (large values below the overflow guard, values whose products underflow
 * to subnormals) or are not trusted at all (every distance exact). */
static void
test_extreme_magnitudes (void)
{
  static const float scales[] = { 1.0f, 1e12f, 1e25f, 1e35f, 1e-20f, 1e-35f };

  for (guint s = 0; s < G_N_ELEMENTS (scales); s++)
    {
      check_scaled (300 + s, 40, 7, scales[s]);
      check_scaled (400 + s, 130, 16, scales[s]);
    }
}

/* A value that is not finite sends the head to the all-exact path; it must
 * neither crash nor read outside its arrays. */
static void
test_not_finite (void)
{
  g_autoptr(TestHead) head = test_head_new (7, 20, 5, TEST_HEAD_GENERAL);
  int grid[20], n_grid = hl_grid_build (HL_GRID_POW2, NULL, 0, 20, grid);
  HlSeparabilityOptions options = { grid, n_grid, 0x7, 0x3, 2, 1 };
  g_autoptr(HlCurveSet) set = NULL;

  head->values[33] = INFINITY;
  set = hl_separability_compute (&head->input, &options);
  g_assert_nonnull (set);
  g_assert_cmpint (set->n_grid, ==, n_grid);
}

/* Head dimensions around the vector widths (4 doubles, 8 floats, blocks of
 * 32 or, with AVX-512, 128 in the prefix sums) and key counts around the
 * padding. */
static void
test_odd_shapes (void)
{
  static const int dims[] = { 1, 3, 5, 31, 32, 33, 67, 127, 128, 161, 256 };
  static const int keys[] = { 2, 7, 9, 65 };

  for (guint a = 0; a < G_N_ELEMENTS (dims); a++)
    for (guint b = 0; b < G_N_ELEMENTS (keys); b++)
      {
        int n = keys[b], d = dims[a];
        g_autoptr(TestHead) head = test_head_new (10 * a + b, n, d, TEST_HEAD_EXACT_DUPLICATES);
        g_autofree int *grid = g_new (int, n);
        int n_grid = hl_grid_build (HL_GRID_ALL, NULL, 0, n, grid);

        assert_same_as_reference (&head->input, n_grid, grid, 0x3);
      }
}

/* One workspace through heads of growing and shrinking shapes gives what a
 * fresh computation gives. */
static void
test_workspace_reuse (void)
{
  static const int shapes[][2] = { { 300, 37 }, { 5, 2 }, { 1100, 3 }, { 1, 4 }, { 64, 128 }, { 9, 9 } };
  g_autoptr(HlSeparabilityWorkspace) workspace = hl_separability_workspace_new ();

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      int n = shapes[s][0], d = shapes[s][1];
      g_autoptr(TestHead) head = test_head_new (50 + s, n, d, TEST_HEAD_GENERAL);
      g_autofree int *grid = g_new (int, n);
      int n_grid = hl_grid_build (HL_GRID_POW2, NULL, 0, n, grid);
      HlSeparabilityOptions options = { grid, n_grid, 0x7, 0x3, 4, s };
      g_autoptr(HlSeparabilityWorkspace) new_workspace = hl_separability_workspace_new ();
      g_autoptr(HlCurveSet) reused = hl_separability_compute_with (workspace, &head->input, &options);
      g_autoptr(HlCurveSet) fresh = hl_separability_compute_with (new_workspace, &head->input, &options);
      gsize size = sizeof (HlSeparabilityPoint) * n_grid;

      for (int r = 0; r < HL_N_RANKINGS; r++)
        {
          for (int m = 0; m < HL_N_DISTANCES; m++)
            g_assert_cmpmem (reused->points[r][m], size, fresh->points[r][m], size);
          g_assert_cmpmem (reused->align_sink[r], sizeof (float) * n_grid,
                           fresh->align_sink[r], sizeof (float) * n_grid);
        }
    }
}

/* Whether this run has the AVX-512 GEMM; the runs with HEADLENS_NO_AVX512
 * or HEADLENS_NO_AVX2 set must not (the kernel calls BLAS there). */
static gboolean
own_gemm_path (void)
{
  if (g_getenv ("HEADLENS_NO_AVX512") != NULL || g_getenv ("HEADLENS_NO_AVX2") != NULL)
    {
      float one = 1.0f;

      g_assert_false (hl_cpu_has_avx512 ());
      g_assert_null (hl_values_panels_new (&one, 1, 1));
      return FALSE;
    }
  return hl_cpu_has_avx512 ();
}

/* G of hl_distance_gemm () for @m centres and the first @n keys of a
 * block of @block_keys (from the block's panels when it holds more keys,
 * else from the values, each panel laid out on the way), each entry within the documented bound of the
 * double sum ((d + 1) u ||s|| ||v|| plus the underflow term), the padding
 * of each row zero and nothing written past it. */
static void
check_gemm (int m,
            int n,
            int block_keys,
            int d,
            guint64 seed)
{
  int ld = (n + 15) / 16 * 16;
  g_autofree float *s = g_new (float, (gsize) m * d);
  g_autofree float *v = g_new (float, (gsize) block_keys * d);
  float *g = g_aligned_alloc ((gsize) m * ld + 16, sizeof (float), 64);
  float *scratch = g_aligned_alloc (hl_values_panels_floats (HL_PANEL_KEYS, d), sizeof (float), 64);
  g_autoptr(HlValuesPanels) panels = NULL;
  HlRandom rng;

  hl_random_init (&rng, seed, 7);
  /* Magnitudes over many binades, and some subnormal values whose
   * products underflow, so each sum's rounding differs from the double
   * sum's. */
  for (gsize k = 0; k < (gsize) m * d; k++)
    s[k] = (float) (test_gaussian (&rng) * pow (2.0, (double) hl_random_below (&rng, 40) - 20.0));
  for (gsize k = 0; k < (gsize) block_keys * d; k++)
    v[k] = (float) (test_gaussian (&rng) * (k % 11 == 5 ? 1e-40 : 1.0));
  for (gsize k = 0; k < (gsize) m * ld + 16; k++)
    g[k] = NAN;
  if (block_keys > n)
    {
      panels = hl_values_panels_new (v, block_keys, d);
      g_assert_nonnull (panels);
      hl_distance_gemm (s, m, d, hl_values_panels_get_data (panels), NULL, NULL, n, g, ld);
    }
  else
    hl_distance_gemm (s, m, d, NULL, v, scratch, n, g, ld);
  for (int c = 0; c < m; c++)
    {
      const float *sc = s + (gsize) c * d;
      double ns = sqrt (hl_separability_point_norm2 (sc, 1.0f, d));

      for (int i = 0; i < n; i++)
        {
          const float *vi = v + (gsize) i * d;
          double exact = 0.0, nv = sqrt (hl_separability_point_norm2 (vi, 1.0f, d));
          double bound = (d + 1.0) * 0x1.0p-24 * ns * nv + 4.0 * d * FLT_TRUE_MIN * (1.0 + nv + ns)
                         + FLT_TRUE_MIN;

          for (int k = 0; k < d; k++)
            exact += (double) sc[k] * vi[k];
          g_assert_true (isfinite (g[(gsize) c * ld + i]));
          g_assert_cmpfloat (fabs (g[(gsize) c * ld + i] - exact), <=, bound);
        }
      for (int i = n; i < ld; i++)
        g_assert_cmpfloat (g[(gsize) c * ld + i], ==, 0.0f);
    }
  for (int k = 0; k < 16; k++)
    g_assert_true (isnan (g[(gsize) m * ld + k]));
  g_aligned_free (g);
  g_aligned_free (scratch);
}

/* Key counts around the 16-key vectors and the 64-key panels, centre
 * counts around the tile of six, dimensions of one, three and beyond a
 * vector; the values alone (as a head computed alone) and the panels of a
 * longer block used for its first keys (as the queries of a values block
 * use them). */
static void
test_distance_gemm (void)
{
  static const int dims[] = { 1, 3, 64, 128, 200 };
  static const int keys[] = { 1, 15, 16, 17, 63, 64, 65, 130 };
  static const int centres[] = { 1, 5, 6, 7, 13 };
  guint64 seed = 0;

  if (!own_gemm_path ())
    {
      g_test_skip ("the kernel calls BLAS on this path");
      return;
    }
  for (guint a = 0; a < G_N_ELEMENTS (dims); a++)
    for (guint b = 0; b < G_N_ELEMENTS (keys); b++)
      for (guint c = 0; c < G_N_ELEMENTS (centres); c++)
        {
          check_gemm (centres[c], keys[b], keys[b], dims[a], seed++);
          check_gemm (centres[c], keys[b], keys[b] + 50, dims[a], seed++);
        }
}

/* A head given the panels of its values block (which holds later keys
 * too) gives what it gives laying its values out itself. */
static void
test_shared_panels (void)
{
  static const int shapes[][2] = { { 100, 128 }, { 65, 3 }, { 1000, 64 }, { 17, 200 } };

  if (!own_gemm_path ())
    {
      g_test_skip ("the kernel calls BLAS on this path");
      return;
    }
  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      int block = shapes[s][0], d = shapes[s][1];
      g_autoptr(TestHead) head = test_head_new (70 + s, block, d, TEST_HEAD_NEAR_DUPLICATES);
      g_autoptr(HlValuesPanels) panels = hl_values_panels_new (head->values, block, d);

      for (int n = block; n >= 2; n = n * 2 / 3)
        {
          HlHeadInput alone = { n, d, head->values, head->alpha, NULL };
          HlHeadInput shared = { n, d, head->values, head->alpha, panels };
          g_autofree int *grid = g_new (int, n);
          int n_grid = hl_grid_build (HL_GRID_POW2, NULL, 0, n, grid);
          HlSeparabilityOptions options = { grid, n_grid, 0x7, 0x3, 4, s };
          g_autoptr(HlCurveSet) a = hl_separability_compute (&alone, &options);
          g_autoptr(HlCurveSet) b = hl_separability_compute (&shared, &options);

          for (int r = 0; r < HL_N_RANKINGS; r++)
            for (int m = 0; m < HL_N_DISTANCES; m++)
              g_assert_cmpmem (a->points[r][m], sizeof (HlSeparabilityPoint) * n_grid,
                               b->points[r][m], sizeof (HlSeparabilityPoint) * n_grid);
          assert_same_as_reference (&shared, n_grid, grid, 0x3);
        }
    }
}

/* The order of the exact distances' sums (HL_SEPARABILITY_PARTIALS): a
 * hand-built head whose counts depend on it. d = 58, keys by attention:
 * key 0 (alpha 0.5) has y_0 = s_2 = (1, then 2^-27 in components 1..7, 9,
 * 10, 11); key 1 (alpha 0.25) is zero, so D_1^2 has the partials 1,
 * 2^-53 (three times) and 2^-54 (four times), whose tree
 * ((1 + 2^-53) + 2^-52) + 2^-52 gives 1 + 2^-51, D_1 = rho_max = 1 + 2^-52
 * (in index order, or adding the partials one after the other, every
 * small term vanishes against 1, and D_1 = 1). Key 2 (alpha 0.125) differs
 * from s_2 by 1 in component 0 and 2^-26 in components 16 and 17:
 * D_2^2 = 1 + 2^-51 in any order, so D_2 = D_1: key 2 is inside the closed
 * outer ball (P = 2/3) and key 1 not inside the strict inner one
 * (R = 1/2); in index order P = R = 1. Key 3 is far away. The fast path
 * (whose float32 intervals cannot tell these keys apart, so it recomputes
 * them exactly) and the reference must both give 2/3 and 1/2. */
static void
test_exact_sum_order (void)
{
  enum { N = 4, D = 58 };
  static const float alpha[N] = { 0.5f, 0.25f, 0.125f, 0.0625f };
  static const int small[] = { 1, 2, 3, 4, 5, 6, 7, 9, 10, 11 };
  float values[N * D] = { 0 };
  HlHeadInput input = { N, D, values, alpha };
  int grid[] = { 2 };
  HlSeparabilityOptions options = { grid, 1, 1u << HL_RANKING_ATTENTION,
                                    1u << HL_DISTANCE_EUCLIDEAN, 1, 0 };
  g_autoptr(HlCurveSet) fast = NULL;
  g_autoptr(HlCurveSet) reference = NULL;

  values[0] = 2.0f;
  values[2 * D] = 16.0f;
  for (guint j = 0; j < G_N_ELEMENTS (small); j++)
    {
      values[small[j]] = 0x1.0p-26f;
      values[2 * D + small[j]] = 0x1.0p-24f;
    }
  values[2 * D + 16] = values[2 * D + 17] = 0x1.0p-23f;
  values[3 * D] = 1000.0f;
  fast = hl_separability_compute (&input, &options);
  reference = hl_separability_reference (&input, &options);
  for (int which = 0; which < 2; which++)
    {
      const HlSeparabilityPoint *point = (which == 0 ? fast : reference)
                                         ->points[HL_RANKING_ATTENTION][HL_DISTANCE_EUCLIDEAN];

      g_assert_cmpfloat (point->precision, ==, 2.0f / 3.0f);
      g_assert_cmpfloat (point->recall, ==, 0.5f);
    }
}

/* HEADLENS_NO_AVX2 selects the plain loops (this program and the
 * reference comparison run again with it set, see meson.build). */
static void
test_loop_path (void)
{
  if (g_getenv ("HEADLENS_NO_AVX2") != NULL)
    g_assert_false (hl_separability_uses_avx2_fma ());
  g_test_message ("AVX2+FMA loops: %s", hl_separability_uses_avx2_fma () ? "yes" : "no");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/separability/kernel/random-orders", test_random_orders);
  g_test_add_func ("/separability/kernel/random-permutation-prefix", test_random_permutation_prefix);
  g_test_add_func ("/separability/kernel/ranking-ties", test_ranking_ties);
  g_test_add_func ("/separability/kernel/extreme-magnitudes", test_extreme_magnitudes);
  g_test_add_func ("/separability/kernel/not-finite", test_not_finite);
  g_test_add_func ("/separability/kernel/odd-shapes", test_odd_shapes);
  g_test_add_func ("/separability/kernel/exact-sum-order", test_exact_sum_order);
  g_test_add_func ("/separability/kernel/workspace-reuse", test_workspace_reuse);
  g_test_add_func ("/separability/kernel/loop-path", test_loop_path);
  g_test_add_func ("/separability/kernel/distance-gemm", test_distance_gemm);
  g_test_add_func ("/separability/kernel/shared-panels", test_shared_panels);
  return g_test_run ();
}
