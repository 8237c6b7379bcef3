/* test-length-sweep.c: the length sweep on hand-built head results (which
 * results each window takes, the mean Delta_1 / B and its change, the
 * sentences and the CSV rows), and its errors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-analysis.h"
#include "hl-length-sweep.h"

#include <math.h>
#include <string.h>

static const int grid[] = { 1, 2 };

/* A result at query position @t with Delta_1 = @gap, B = @b, and an
 * attention / Euclidean curve with P = R = F = @f at N = 1 and 2. */
static HlHeadResult *
result_new (int   index,
            int   t,
            float gap,
            float b,
            float f)
{
  HlHeadResult *r = g_atomic_rc_box_new0 (HlHeadResult);
  HlCurveSet *c = g_new0 (HlCurveSet, 1);
  HlSeparabilityPoint *p = g_new0 (HlSeparabilityPoint, 2);

  r->head = index;
  r->query_position = t;
  r->diagnostics.attention_gap = gap;
  r->diagnostics.value_norm_max = b;
  r->reason = g_strdup ("");
  c->n_grid = 2;
  c->grid = g_memdup2 (grid, sizeof grid);
  for (int g = 0; g < 2; g++)
    p[g] = (HlSeparabilityPoint) { f, f, f, 0, 0, 0, 0.5f };
  c->points[HL_RANKING_ATTENTION][HL_DISTANCE_EUCLIDEAN] = p;
  c->gap[HL_RANKING_ATTENTION] = g_new0 (float, 2);
  c->gap[HL_RANKING_ATTENTION][0] = gap;
  c->gap[HL_RANKING_ATTENTION][1] = gap / 2;
  c->align_sink[HL_RANKING_ATTENTION] = g_new0 (float, 2);
  c->align_last[HL_RANKING_ATTENTION] = g_new0 (float, 2);
  c->residual[HL_RANKING_ATTENTION] = g_new0 (float, 2);
  c->bound[HL_RANKING_ATTENTION] = g_new0 (float, 2);
  c->value_norm_max = b;
  r->curves = c;
  return r;
}

typedef struct
{
  HlHeadResult *r[5];
} Results;

static void
results_clear (Results *rs)
{
  for (int i = 0; i < 5; i++)
    hl_head_result_unref (rs->r[i]);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Results, results_clear)

/* Windows 10 (two results, Delta_1/B 0.2 and 0.4) and 20 (three: 0.25,
 * 0.25, 0.1). */
static void
results_init (Results *rs)
{
  rs->r[0] = result_new (0, 9, 0.2f, 1.0f, 1.0f);
  rs->r[1] = result_new (1, 19, 0.5f, 2.0f, 0.5f);
  rs->r[2] = result_new (2, 9, 0.8f, 2.0f, 0.5f);
  rs->r[3] = result_new (3, 19, 0.25f, 1.0f, 0.5f);
  rs->r[4] = result_new (4, 19, 0.1f, 1.0f, 0.5f);
}

static void
test_windows (void)
{
  g_auto(Results) rs = { { 0 } };
  g_autoptr(HlLengthSweep) all = NULL;
  g_autoptr(HlLengthSweep) one = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *csv = NULL;
  static const int only_20[] = { 20 };

  results_init (&rs);
  all = hl_length_sweep_new (rs.r, 5, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (all->n_windows, ==, 2);
  g_assert_cmpint (all->windows[0].window, ==, 10);
  g_assert_cmpint (all->windows[0].n_results, ==, 2);
  g_assert_cmpfloat_with_epsilon (all->windows[0].gap1_over_b, 0.3, 1e-7);
  g_assert_cmpint (all->windows[1].n_results, ==, 3);
  g_assert_cmpfloat_with_epsilon (all->windows[1].gap1_over_b, 0.2, 1e-7);
  g_assert_cmpfloat_with_epsilon (all->windows[1].change, 0.2 / 0.3 - 1, 1e-7);
  /* The curves of a window average only its results: F = 0.5 at L = 20. */
  g_assert_cmpfloat_with_epsilon (all->windows[1].summary->points[0][0][0].f1.mean, 0.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (all->windows[0].summary->points[0][0][0].f1.mean, 0.75, 1e-7);
  /* Delta_N / B at N = 2: half of N = 1 here. */
  g_assert_cmpfloat_with_epsilon (all->windows[0].summary->gap_over_b[HL_RANKING_ATTENTION][1], 0.15, 1e-7);
  g_assert_null (all->windows[0].summary->gap_over_b[HL_RANKING_RANDOM]);

  text = hl_length_sweep_describe (all);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "L = 10: 2 head results, mean Δ₁/B 0.3\n"));
  g_assert_nonnull (strstr (text, "L = 20: 3 head results, mean Δ₁/B 0.2, -33.3% from L = 10 "
                                  "(beyond the paper's limit of −20%)"));
  csv = hl_length_sweep_csv (all);
  g_test_message ("%s", csv);
  g_assert_true (g_str_has_prefix (csv, HL_LENGTH_SWEEP_CSV_HEADER "\n"
                                        "10,attention,euclidean,1,2,0.75,0.75,0.75,0.300000004\n"));
  g_assert_nonnull (strstr (csv, "\n20,attention,euclidean,2,3,0.5,0.5,0.5,0.1\n"));

  one = hl_length_sweep_new (rs.r, 5, only_20, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (one->n_windows, ==, 1);
  g_assert_cmpfloat (one->windows[0].change, ==, 0.0);
}

static void
test_missing_window (void)
{
  g_auto(Results) rs = { { 0 } };
  g_autoptr(GError) error = NULL;
  static const int windows[] = { 10, 64 };

  results_init (&rs);
  g_assert_null (hl_length_sweep_new (rs.r, 5, windows, 2, &error));
  g_assert_error (error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_OPTIONS);
  g_assert_nonnull (strstr (error->message, "64 tokens needs the query at position 63"));
  g_assert_nonnull (strstr (error->message, "9, 19"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/length-sweep/windows", test_windows);
  g_test_add_func ("/length-sweep/missing-window", test_missing_window);
  return g_test_run ();
}
