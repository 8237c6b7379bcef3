/* test-regime.c: the regime rule, its thresholds' edges and the reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-regime.h"

static HlDiagnostics
shares (float a_sink,
        float a_last,
        float a_rest)
{
  HlDiagnostics d = { 0 };

  d.a_sink = a_sink;
  d.a_last = a_last;
  d.a_rest = a_rest;
  return d;
}

static void
test_classify (void)
{
  HlRegimeThresholds thr;
  HlDiagnostics d;

  hl_regime_thresholds_init (&thr);
  g_assert_cmpfloat (thr.retriever_share, ==, 0.5);
  g_assert_cmpfloat (thr.reset_share, ==, 0.5);

  d = shares (0.2f, 0.6f, 0.2f);
  g_assert_cmpint (hl_regime_classify (&d, &thr), ==, HL_REGIME_RETRIEVER);
  d = shares (0.7f, 0.1f, 0.2f);
  g_assert_cmpint (hl_regime_classify (&d, &thr), ==, HL_REGIME_RESET);
  d = shares (0.3f, 0.3f, 0.4f);
  g_assert_cmpint (hl_regime_classify (&d, &thr), ==, HL_REGIME_MIXER);
  d = shares (0, 0, 0);
  g_assert_cmpint (hl_regime_classify (&d, &thr), ==, HL_REGIME_MIXER);
  /* Only the rest contributes: a Mixer, not a division by zero. */
  d = shares (0, 0, 2);
  g_assert_cmpint (hl_regime_classify (&d, &thr), ==, HL_REGIME_MIXER);
}

/* Shares of exactly 0.5 (1 / (1 + 0.5 + 0.5), exact in binary) sit on the
 * edge: ">=" puts them on the Retriever / Reset side; just below goes on. */
static void
test_edges (void)
{
  HlRegimeThresholds thr;
  HlDiagnostics d;

  hl_regime_thresholds_init (&thr);
  d = shares (0.5f, 1.0f, 0.5f);
  g_assert_cmpint (hl_regime_classify (&d, &thr), ==, HL_REGIME_RETRIEVER);
  d = shares (1.0f, 0.5f, 0.5f);
  g_assert_cmpint (hl_regime_classify (&d, &thr), ==, HL_REGIME_RESET);
  d = shares (0.5f, 0.999f, 0.501f);
  g_assert_cmpint (hl_regime_classify (&d, &thr), ==, HL_REGIME_MIXER);
  d = shares (0.999f, 0.5f, 0.501f);
  g_assert_cmpint (hl_regime_classify (&d, &thr), ==, HL_REGIME_MIXER);
  /* Both at 0.5: the last token wins, the rule checks it first. */
  d = shares (1.0f, 1.0f, 0.0f);
  g_assert_cmpint (hl_regime_classify (&d, &thr), ==, HL_REGIME_RETRIEVER);

  /* Moved thresholds move the edges. */
  thr.retriever_share = 0.7;
  d = shares (0.2f, 0.6f, 0.2f);
  g_assert_cmpint (hl_regime_classify (&d, &thr), ==, HL_REGIME_MIXER);
  thr.reset_share = 0.19;
  g_assert_cmpint (hl_regime_classify (&d, &thr), ==, HL_REGIME_RESET);
}

static void
test_shares (void)
{
  HlDiagnostics d = shares (1.0f, 2.0f, 1.0f);
  double sink, last, rest;

  hl_regime_shares (&d, &sink, &last, &rest);
  g_assert_cmpfloat (sink, ==, 0.25);
  g_assert_cmpfloat (last, ==, 0.5);
  g_assert_cmpfloat (rest, ==, 0.25);
  d = shares (0, 0, 0);
  hl_regime_shares (&d, &sink, &last, &rest);
  g_assert_cmpfloat (sink + last + rest, ==, 0.0);
}

/* A curve set built by hand: grid 1, 2, 4, 8, 16 with the attention
 * ranking's trajectories. */
static void
test_reason (void)
{
  static int grid[] = { 1, 2, 4, 8, 16 };
  static float last_aligned[] = { 0.99f, 0.95f, 0.92f, 0.91f, 0.5f };
  static float sink_weak[] = { 0.1f, 0.1f, 0.2f, 0.3f, 0.4f };
  static float sink_first[] = { 0.9f, 0.8f, 0.1f, 0.1f, 0.1f };
  static float last_late[] = { 0.1f, 0.2f, 0.6f, 0.7f, 0.8f };
  HlCurveSet curves = { 0 };
  HlRegimeThresholds thr;
  HlDiagnostics d;
  g_autofree char *retriever = NULL;
  g_autofree char *mixer = NULL;
  g_autofree char *bare = NULL;

  hl_regime_thresholds_init (&thr);
  curves.n_grid = 5;
  curves.grid = grid;
  curves.align_last[HL_RANKING_ATTENTION] = last_aligned;
  curves.align_sink[HL_RANKING_ATTENTION] = sink_weak;

  d = shares (0.1f, 0.81f, 0.09f);
  retriever = hl_regime_reason (HL_REGIME_RETRIEVER, &d, &curves, &thr);
  g_assert_cmpstr (retriever, ==,
                   "last-token contribution 0.81 of the output; cos(s_N, v_t) ≥ 0.9 for N ≤ 8");

  curves.align_last[HL_RANKING_ATTENTION] = last_late;
  curves.align_sink[HL_RANKING_ATTENTION] = sink_first;
  d = shares (0.3f, 0.3f, 0.4f);
  mixer = hl_regime_reason (HL_REGIME_MIXER, &d, &curves, &thr);
  g_assert_cmpstr (mixer, ==,
                   "no dominant token: sink 0.30, last 0.30, rest 0.40 of the output; "
                   "cos(s_N, v_0) > cos(s_N, v_t) for N ≤ 2, then content takes over");

  /* Without trajectories only the share is quoted. */
  d = shares (0.74f, 0.1f, 0.16f);
  bare = hl_regime_reason (HL_REGIME_RESET, &d, NULL, &thr);
  g_assert_cmpstr (bare, ==, "sink contribution 0.74 of the output");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/regime/classify", test_classify);
  g_test_add_func ("/regime/edges", test_edges);
  g_test_add_func ("/regime/shares", test_shares);
  g_test_add_func ("/regime/reason", test_reason);
  return g_test_run ();
}
