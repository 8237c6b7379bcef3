/* test-regime.c: the regime rule (decision list, every threshold's edge),
 * the sentence that explains it, and whole heads built by hand or by the
 * tests' own LLaMA-like generator, one for every outcome.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-head-analysis.h"
#include "hl-regime.h"

#include "llama-like.h"

#include <math.h>

/* Evidence from hand-written numbers ---------------------------------------- */

static const int grid[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512 };
#define N_GRID ((int) G_N_ELEMENTS (grid))

typedef struct
{
  HlDiagnostics        d;
  float                sink[N_GRID];
  float                last[N_GRID];
  HlRegimeTrajectories tr;
  HlRegimeThresholds   thr;
} Case;

/* 1024 keys (t = 1023); shares from a_sink, a_last, a_rest; constant
 * trajectories until changed. */
static void
case_init (Case  *c,
           float  a_sink,
           float  a_last,
           float  a_rest,
           float  sink_mass,
           float  c_0,
           float  c_t)
{
  memset (c, 0, sizeof *c);
  c->d.a_sink = a_sink;
  c->d.a_last = a_last;
  c->d.a_rest = a_rest;
  c->d.sink_mass = sink_mass;
  c->d.last_mass = 0.01f;
  c->d.peak_key = 500;
  c->d.peak_mass = 0.01f;
  for (int g = 0; g < N_GRID; g++)
    {
      c->sink[g] = c_0;
      c->last[g] = c_t;
    }
  c->tr = (HlRegimeTrajectories) { 1024, N_GRID, grid, c->sink, c->last };
  hl_regime_thresholds_init (&c->thr);
}

static HlRegime
case_decide (Case             *c,
             HlRegimeEvidence *ev)
{
  HlRegimeEvidence local;

  if (ev == NULL)
    ev = &local;
  hl_regime_evidence (&c->d, &c->tr, &c->thr, ev);
  return hl_regime_decide (ev);
}

static void
test_thresholds (void)
{
  HlRegimeThresholds thr;
  g_autoptr(GError) error = NULL;

  hl_regime_thresholds_init (&thr);
  g_assert_cmpfloat (thr.retriever_share, ==, 0.5);
  g_assert_cmpfloat (thr.high_alignment, ==, 0.9);
  g_assert_cmpfloat (thr.retriever_fraction, ==, 0.5);
  g_assert_cmpfloat (thr.reset_mass, ==, 0.5);
  g_assert_cmpfloat (thr.reset_share, ==, 0.5);
  g_assert_cmpfloat (thr.weak_alignment, ==, 0.5);
  g_assert_cmpfloat (thr.reset_until, ==, 1.0 / 16);
  g_assert_cmpfloat (thr.mixer_drop, ==, 0.3);
  g_assert_true (hl_regime_thresholds_validate (&thr, &error));

  /* The table: every field once, in order, the defaults in range, and a
   * value just outside each range refused with the name. */
  for (int i = 0; i < HL_REGIME_N_THRESHOLDS; i++)
    {
      const HlRegimeThresholdInfo *info = &hl_regime_threshold_infos ()[i];
      HlRegimeThresholds bad;

      g_assert_cmpuint (info->offset, ==, i * sizeof (double));
      g_assert_cmpfloat (G_STRUCT_MEMBER (double, &thr, info->offset), >=, info->min);
      g_assert_cmpfloat (G_STRUCT_MEMBER (double, &thr, info->offset), <=, info->max);
      bad = thr;
      G_STRUCT_MEMBER (double, &bad, info->offset) = info->max + 1e-9;
      g_assert_false (hl_regime_thresholds_validate (&bad, &error));
      g_assert_nonnull (strstr (error->message, info->name));
      g_clear_error (&error);
    }
  G_STATIC_ASSERT (sizeof (HlRegimeThresholds) == HL_REGIME_N_THRESHOLDS * sizeof (double));

  thr.reset_until = 0.0;
  g_assert_false (hl_regime_thresholds_validate (&thr, &error));
  g_assert_error (error, HL_REGIME_ERROR, HL_REGIME_ERROR_THRESHOLD);
  g_assert_nonnull (strstr (error->message, "reset-until"));
  g_clear_error (&error);
  hl_regime_thresholds_init (&thr);
  thr.retriever_share = NAN;
  g_assert_false (hl_regime_thresholds_validate (&thr, &error));
  g_assert_nonnull (strstr (error->message, "retriever-share"));
}

/* Retriever: the share and the alignment count, each at its edge. */
static void
test_retriever (void)
{
  HlRegimeEvidence ev;
  Case c;

  case_init (&c, 0.25f, 0.5f, 0.25f, 0.1f, 0.1f, 0.95f);
  g_assert_cmpint (case_decide (&c, &ev), ==, HL_REGIME_RETRIEVER);
  g_assert_cmpint (ev.n_aligned_last, ==, N_GRID);
  /* Just below half the output: not the last token's. */
  c.d.a_last = 0.499f;
  g_assert_cmpint (case_decide (&c, NULL), !=, HL_REGIME_RETRIEVER);
  /* Aligned at exactly half the grid is enough, one fewer is not. */
  c.d.a_last = 0.6f;
  for (int g = N_GRID / 2; g < N_GRID; g++)
    c.last[g] = 0.89f;
  g_assert_cmpint (case_decide (&c, &ev), ==, HL_REGIME_RETRIEVER);
  g_assert_cmpint (ev.n_aligned_last, ==, N_GRID / 2);
  c.last[N_GRID / 2 - 1] = 0.89f;
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_OTHER);
  /* A moved threshold moves the edge. */
  c.thr.high_alignment = 0.85;
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_RETRIEVER);
}

/* Reset: the sink dominates by mass or by share, whatever lambda is, and
 * c_t stays weak over the early grid N <= (t + 1) / 16 = 64. */
static void
test_reset (void)
{
  HlRegimeEvidence ev;
  Case c;

  /* The LLaMA-like case of the issue: alpha_0 = 0.9 with a compressed sink,
   * so its output share is small. */
  case_init (&c, 0.045f, 0.002f, 0.06f, 0.9f, 0.95f, 0.14f);
  g_assert_cmpint (case_decide (&c, &ev), ==, HL_REGIME_RESET);
  g_assert_cmpint (ev.n_early, ==, 7);
  g_assert_cmpint (ev.early_n, ==, 64);
  /* Alignment with v_t later in the grid does not matter... */
  for (int g = 7; g < N_GRID; g++)
    c.last[g] = 0.8f;
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_RESET);
  /* ... at N = 64 it does. */
  c.last[6] = 0.5f;
  g_assert_cmpint (case_decide (&c, &ev), !=, HL_REGIME_RESET);
  g_assert_cmpint (ev.early_last_max_n, ==, 64);
  c.last[6] = 0.49f;
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_RESET);
  /* A mass just below 0.5 and a small share: not dominated. */
  c.d.sink_mass = 0.499f;
  g_assert_cmpint (case_decide (&c, NULL), !=, HL_REGIME_RESET);
  /* A large share alone (an uncompressed sink) is enough: exactly a half
   * (sums exact in binary). */
  c.d.a_sink = 1.0f;
  c.d.a_last = 0.25f;
  c.d.a_rest = 0.75f;
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_RESET);
  /* reset_until moves the early part: 1/8 of the keys is N <= 128. */
  c.thr.reset_until = 1.0 / 8;
  g_assert_cmpint (case_decide (&c, &ev), ==, HL_REGIME_OTHER);
  g_assert_cmpint (ev.early_n, ==, 128);
  /* The early part always has the first N, however small the fraction. */
  c.thr.reset_until = 1e-6;
  case_decide (&c, &ev);
  g_assert_cmpint (ev.n_early, ==, 1);
  g_assert_cmpint (ev.early_n, ==, 1);
}

/* Mixer: the sink has the most attention, s_N starts on it and falls by
 * mixer_drop. */
static void
test_mixer (void)
{
  HlRegimeEvidence ev;
  Case c;

  case_init (&c, 0.1f, 0.05f, 0.85f, 0.3f, 1.0f, 0.1f);
  c.sink[3] = 0.7f;
  g_assert_cmpint (case_decide (&c, &ev), ==, HL_REGIME_MIXER);
  g_assert_cmpfloat (ev.sink_min, ==, 0.7f);
  g_assert_cmpint (ev.sink_min_n, ==, 8);
  /* A fall of less than 0.3 is no move. */
  c.sink[3] = 0.71f;
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_OTHER);
  c.sink[3] = 0.2f;
  /* Starting below the alignment threshold is no start on the sink. */
  c.sink[0] = 0.89f;
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_OTHER);
  c.sink[0] = 1.0f;
  /* A content key with as much attention as the sink: a tie is not "the
   * most" (uniform attention starts on the sink only through the
   * tie-break). */
  c.d.peak_mass = 0.3f;
  g_assert_cmpint (case_decide (&c, &ev), ==, HL_REGIME_OTHER);
  g_assert_false (ev.sink_top);
  c.d.peak_mass = 0.29f;
  c.d.last_mass = 0.3f;
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_OTHER);
  c.d.last_mass = 0.29f;
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_MIXER);
}

/* The order of the list: a head with every signature is a Retriever, then
 * Reset before Mixer. */
static void
test_order (void)
{
  Case c;

  case_init (&c, 0.0f, 1.0f, 0.0f, 0.6f, 1.0f, 0.95f);
  c.sink[5] = 0.1f;
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_RETRIEVER);
  c.d.a_last = 0.1f;
  c.d.a_rest = 0.2f;
  for (int g = 0; g < N_GRID; g++)
    c.last[g] = 0.1f;
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_RESET);
  c.d.sink_mass = 0.4f;
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_MIXER);
}

/* Nothing to read: a single key, or all contributions zero. */
static void
test_degenerate (void)
{
  HlRegimeEvidence ev;
  g_autofree char *reason = NULL;
  Case c;

  case_init (&c, 0, 0, 0, 0, 0, 0);
  g_assert_cmpint (case_decide (&c, NULL), ==, HL_REGIME_OTHER);
  case_init (&c, 1, 0, 0, 1, 0, 0);
  c.tr.n_keys = 1;
  c.tr.n_grid = 0;
  c.d.peak_key = -1;
  g_assert_cmpint (case_decide (&c, &ev), ==, HL_REGIME_OTHER);
  reason = hl_regime_reason (HL_REGIME_OTHER, &ev, &c.thr);
  g_assert_cmpstr (reason, ==, "none of the three signatures: no N grid at t = 0: the "
                               "alignment trajectories are not defined");
}

/* The sentences quote the evidence, nothing else. */
static void
test_reasons (void)
{
  HlRegimeEvidence ev;
  Case c;
  char *s;

  case_init (&c, 0.1f, 0.81f, 0.09f, 0.1f, 0.1f, 0.95f);
  c.last[9] = 0.5f;
  s = hl_regime_reason (case_decide (&c, &ev), &ev, &c.thr);
  g_assert_cmpstr (s, ==, "the last token gives 0.81 of the output; cos(s_N, v_t) ≥ 0.9 at 9 of 10 N");
  g_free (s);

  case_init (&c, 0.045f, 0.002f, 0.06f, 0.9f, 0.95f, 0.14f);
  c.last[2] = 0.2f;
  s = hl_regime_reason (case_decide (&c, &ev), &ev, &c.thr);
  g_assert_cmpstr (s, ==, "the sink holds 0.90 of the attention and gives 0.42 of the output; "
                          "max cos(s_N, v_t) = 0.20 over N ≤ 64 (at N = 4)");
  g_free (s);

  case_init (&c, 0.1f, 0.05f, 0.85f, 0.3f, 1.0f, 0.1f);
  c.sink[4] = 0.31f;
  s = hl_regime_reason (case_decide (&c, &ev), &ev, &c.thr);
  g_assert_cmpstr (s, ==, "cos(s_N, v_0) = 1.00 at N = 1, min 0.31 at N = 16; "
                          "the sink holds 0.30 of the attention and gives 0.10 of the output");
  g_free (s);

  /* A previous-token head: each signature's failing part, then the key. */
  case_init (&c, 0.01f, 0.04f, 0.95f, 0.0f, 0.29f, 0.3f);
  c.d.peak_key = 1022;
  c.d.peak_mass = 0.96f;
  s = hl_regime_reason (case_decide (&c, &ev), &ev, &c.thr);
  g_assert_cmpstr (s, ==, "none of the three signatures: the last token gives 0.04 of the output; "
                          "the sink holds 0.00 of the attention and gives 0.01 of the output; "
                          "cos(s_N, v_0) = 0.29 at N = 1, min 0.29 at N = 1; "
                          "key 1022 (t − 1) holds 0.96 of the attention");
  g_free (s);

  /* Dominance without the trajectory: the clause quotes the trajectory. */
  case_init (&c, 0.1f, 0.6f, 0.3f, 0.7f, 1.0f, 0.6f);
  s = hl_regime_reason (case_decide (&c, &ev), &ev, &c.thr);
  g_assert_cmpstr (s, ==, "none of the three signatures: cos(s_N, v_t) ≥ 0.9 at 0 of 10 N; "
                          "max cos(s_N, v_t) = 0.60 over N ≤ 64 (at N = 1); "
                          "cos(s_N, v_0) = 1.00 at N = 1, min 1.00 at N = 1; "
                          "key 500 (t − 523) holds 0.01 of the attention");
  g_free (s);
}

/* Whole heads ------------------------------------------------------------- */

static HlHeadResult *
analyse (const HlHeadInput *input,
         guint              rankings)
{
  static const HlHeadId id = { 0, 0, 0, 0, 0 };
  HlHeadAnalysisOptions options;

  hl_head_analysis_options_init (&options);
  options.rankings = rankings;
  options.distances = 1u << HL_DISTANCE_EUCLIDEAN;
  return hl_head_analysis_compute (input, &id, &options);
}

/* The LLaMA-like sink heads of the tests' own generator are Resets, their
 * previous-token heads Other, over seeds and shapes; the regime is the
 * same when the attention ranking was not computed (the trajectories are
 * then computed apart). */
static void
test_llama_like (void)
{
  static const int shapes[][2] = { { 1024, 128 }, { 512, 64 }, { 256, 32 } };

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (guint32 seed = 1; seed <= 6; seed++)
      {
        g_autoptr(LlamaLikeHead) sink = llama_like_head_new (LLAMA_LIKE_SINK, shapes[s][0],
                                                             shapes[s][1], seed);
        g_autoptr(LlamaLikeHead) prev = llama_like_head_new (LLAMA_LIKE_PREVIOUS, shapes[s][0],
                                                             shapes[s][1], seed);
        g_autoptr(HlHeadResult) a = analyse (&sink->input, 1u << HL_RANKING_ATTENTION);
        g_autoptr(HlHeadResult) b = analyse (&sink->input, 1u << HL_RANKING_RANDOM);
        g_autoptr(HlHeadResult) p = analyse (&prev->input, 7u);

        g_test_message ("%d keys, seed %u: alpha_0 %.3f, lambda %.3f: %s (%s)", shapes[s][0],
                        seed, a->diagnostics.sink_mass, a->diagnostics.sink_ratio,
                        hl_regime_to_string (a->regime), a->reason);
        g_assert_cmpfloat (a->diagnostics.sink_mass, >=, 0.9);
        g_assert_cmpfloat (a->diagnostics.sink_ratio, <, 0.15);
        g_assert_cmpint (a->regime, ==, HL_REGIME_RESET);
        g_assert_cmpint (b->regime, ==, HL_REGIME_RESET);
        g_assert_cmpstr (a->reason, ==, b->reason);
        g_assert_cmpint (p->regime, ==, HL_REGIME_OTHER);
        g_assert_cmpint (p->diagnostics.peak_key, ==, shapes[s][0] - 2);
        g_assert_cmpfloat (p->diagnostics.peak_mass, >=, 0.85);
        g_assert_nonnull (strstr (p->reason, "(t − 1) holds 0."));
      }
}

typedef struct
{
  int    n, d;
  float *values;
  float *alpha;
} Built;

static void
built_free (Built *b)
{
  g_free (b->values);
  g_free (b->alpha);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Built, built_free)

/* @n keys in @d dimensions: key i is the unit vector e_(i mod d) scaled by
 * @norm, the sink by @lambda; rows to be filled by the caller. */
static void
built_init (Built *b,
            int    n,
            int    d,
            double lambda)
{
  b->n = n;
  b->d = d;
  b->values = g_new0 (float, (gsize) n * d);
  b->alpha = g_new0 (float, n);
  b->values[0] = (float) lambda;
  for (int i = 1; i < n; i++)
    b->values[(gsize) i * d + (i % (d - 1)) + 1] = 1.0f;
}

static HlRegime
built_regime (Built *b)
{
  HlHeadInput input = { b->n, b->d, b->values, b->alpha };
  g_autoptr(HlHeadResult) r = analyse (&input, 7u);

  g_test_message ("%s: %s", hl_regime_to_string (r->regime), r->reason);
  return r->regime;
}

/* One hand-built head per outcome, with orthogonal values so every cosine
 * is known: s_N's alignment with v_0 is 1 while only the sink is selected
 * and falls as content enters. */
static void
test_built_heads (void)
{
  g_auto(Built) retriever = { 0 };
  g_auto(Built) reset = { 0 };
  g_auto(Built) mixer = { 0 };
  g_auto(Built) previous = { 0 };
  g_auto(Built) uniform = { 0 };
  int n = 64, d = 32;

  /* 0.8 on the last key, the rest spread. */
  built_init (&retriever, n, d, 0.2);
  for (int i = 0; i < n; i++)
    retriever.alpha[i] = i == n - 1 ? 0.8f : 0.2f / (n - 1);
  g_assert_cmpint (built_regime (&retriever), ==, HL_REGIME_RETRIEVER);

  /* 0.95 on a compressed sink (lambda 0.05): output share below a half. */
  built_init (&reset, n, d, 0.05);
  for (int i = 0; i < n; i++)
    reset.alpha[i] = i == 0 ? 0.95f : 0.05f / (n - 1);
  g_assert_cmpint (built_regime (&reset), ==, HL_REGIME_RESET);

  /* 0.3 on the sink, 0.6 on four keys sharing one direction. */
  built_init (&mixer, n, d, 1.0);
  for (int i = 0; i < n; i++)
    mixer.alpha[i] = i == 0 ? 0.3f : 0.1f / (n - 5);
  for (int i = 10; i < 14; i++)
    {
      mixer.alpha[i] = 0.15f;
      memset (mixer.values + (gsize) i * d, 0, sizeof (float) * d);
      mixer.values[(gsize) i * d + 1] = 1.0f;
    }
  g_assert_cmpint (built_regime (&mixer), ==, HL_REGIME_MIXER);

  /* 0.9 on key t - 1. */
  built_init (&previous, n, d, 0.2);
  for (int i = 0; i < n; i++)
    previous.alpha[i] = i == n - 2 ? 0.9f : 0.1f / (n - 1);
  g_assert_cmpint (built_regime (&previous), ==, HL_REGIME_OTHER);

  /* Uniform attention: the sink comes first only through the tie-break. */
  built_init (&uniform, n, d, 0.2);
  for (int i = 0; i < n; i++)
    uniform.alpha[i] = 1.0f / n;
  g_assert_cmpint (built_regime (&uniform), ==, HL_REGIME_OTHER);
}

/* The trajectories computed apart equal the kernel's. */
static void
test_trajectories (void)
{
  g_autoptr(LlamaLikeHead) head = llama_like_head_new (LLAMA_LIKE_SINK, 300, 16, 9);
  g_autoptr(HlHeadResult) r = analyse (&head->input, 1u << HL_RANKING_ATTENTION);
  const HlCurveSet *curves = r->curves;
  g_autofree float *sink = g_new (float, curves->n_grid);
  g_autofree float *last = g_new (float, curves->n_grid);

  hl_regime_compute_trajectories (&head->input, curves->grid, curves->n_grid, sink, last);
  for (int g = 0; g < curves->n_grid; g++)
    {
      g_assert_cmpfloat_with_epsilon (sink[g], curves->align_sink[HL_RANKING_ATTENTION][g], 1e-6);
      g_assert_cmpfloat_with_epsilon (last[g], curves->align_last[HL_RANKING_ATTENTION][g], 1e-6);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/regime/thresholds", test_thresholds);
  g_test_add_func ("/regime/retriever", test_retriever);
  g_test_add_func ("/regime/reset", test_reset);
  g_test_add_func ("/regime/mixer", test_mixer);
  g_test_add_func ("/regime/order", test_order);
  g_test_add_func ("/regime/degenerate", test_degenerate);
  g_test_add_func ("/regime/reasons", test_reasons);
  g_test_add_func ("/regime/llama-like", test_llama_like);
  g_test_add_func ("/regime/built-heads", test_built_heads);
  g_test_add_func ("/regime/trajectories", test_trajectories);
  return g_test_run ();
}
