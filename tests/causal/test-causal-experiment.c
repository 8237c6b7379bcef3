/* test-causal-experiment.c: the experiments on top of HlCausalText: the
 * truncation table, the N* search against a brute-force scan, ablation,
 * the sparsification policies, spec validation, the CSV tables, and the
 * worker-thread API with progress and cancellation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-causal-experiment.h"

#include <math.h>
#include <string.h>

static const HlCheckpointConfig tiny = {
  .version = 0, .dim = 32, .hidden_dim = 48, .n_layers = 3, .n_heads = 4, .n_kv_heads = 2,
  .vocab_size = 97, .seq_len = 48, .shared_classifier = FALSE,
};

#define N_WINDOWS 2
#define WINDOW    24

typedef struct
{
  char    *dir;
  HlModel *model;
  int32_t  tokens[N_WINDOWS * WINDOW];
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(TestModel) m = test_model_new_random (&tiny, 21);
  g_autofree char *path = NULL;
  g_autoptr(HlCheckpoint) checkpoint = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (22);
  g_autoptr(GError) error = NULL;

  f->dir = hl_test_make_tmp_dir ();
  path = g_build_filename (f->dir, "tiny.bin", NULL);
  test_model_write (m, path);
  checkpoint = hl_checkpoint_open (path, &error);
  g_assert_no_error (error);
  f->model = hl_model_new_from_checkpoint (checkpoint);
  for (int i = 0; i < N_WINDOWS * WINDOW; i++)
    f->tokens[i] = i % WINDOW == 0 ? 1 : g_rand_int_range (rand, 0, tiny.vocab_size);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->model);
  hl_test_remove_tmp_dir (f->dir);
  g_free (f->dir);
}

static HlCausalText *
new_text (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  HlCausalText *text = hl_causal_text_new (f->model, f->tokens, N_WINDOWS, WINDOW, &error);

  g_assert_no_error (error);
  return text;
}

static HlCausalResult *
run_spec (Fixture            *f,
          const HlCausalSpec *spec)
{
  g_autoptr(HlCausalText) text = new_text (f);
  g_autoptr(GError) error = NULL;
  HlCausalResult *result = hl_causal_run (text, spec, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

/* The loss of one change measured directly on a fresh text. */
static double
direct (Fixture            *f,
        HlInterventionKind  kind,
        int                 layer,
        int                 head,
        HlTruncateMode      mode,
        HlRanking           ranking,
        int                 n,
        HlAblateMode        ablate)
{
  g_autoptr(HlCausalText) text = new_text (f);
  guint8 mask[3 * 4];
  HlIntervention iv = { kind, mask, mode, ranking, n, ablate };
  g_autoptr(GError) error = NULL;
  double nll;

  for (int l = 0; l < 3; l++)
    for (int h = 0; h < 4; h++)
      mask[l * 4 + h] = (layer < 0 || layer == l) && (head < 0 || head == h);
  g_assert_true (hl_causal_text_prepare (text, NULL, 0, NULL, NULL, NULL, &error));
  g_assert_true (hl_causal_text_measure (text, &iv, &nll, NULL, &error));
  return nll;
}

/* Truncation */

static void
test_truncate_rows (Fixture       *f,
                    gconstpointer  data)
{
  static const int ns[] = { 4, 1, WINDOW, 2 };
  HlCausalSpec spec;
  g_autoptr(HlCausalResult) r = NULL;
  guint i = 0;

  hl_causal_spec_init (&spec);
  spec.layer = 1;
  spec.head = 2;
  spec.truncate_modes = 3;
  spec.rankings = (1u << HL_RANKING_ATTENTION) | (1u << HL_RANKING_CONTRIBUTION);
  spec.n_list = ns;
  spec.n_n = G_N_ELEMENTS (ns);
  r = run_spec (f, &spec);
  g_assert_cmpuint (r->truncate->len, ==, 4 * 5);
  for (int m = 0; m < HL_N_TRUNCATE_MODES; m++)
    for (int k = HL_RANKING_ATTENTION; k <= HL_RANKING_CONTRIBUTION; k++)
      {
        static const int sorted[] = { 1, 2, 4, WINDOW, -1 };

        for (int j = 0; j < 5; j++, i++)
          {
            const HlTruncateRow *row = &g_array_index (r->truncate, HlTruncateRow, i);

            g_assert_cmpint (row->target.layer, ==, 1);
            g_assert_cmpint (row->target.head, ==, 2);
            g_assert_cmpint (row->mode, ==, m);
            g_assert_cmpint (row->ranking, ==, k);
            g_assert_cmpint (row->n, ==, sorted[j]);
            g_assert_cmpfloat (row->delta_nll, ==, row->nll - r->baseline_nll);
            if (row->n == -1 || row->n == WINDOW)
              g_assert_cmpfloat (row->nll, ==, r->baseline_nll);
            else
              g_assert_cmpfloat (row->nll, ==, direct (f, HL_INTERVENTION_TRUNCATE, 1, 2, m, k, row->n, 0));
          }
      }
}

/* The default N: powers of two below the window, for every head. */
static void
test_truncate_defaults (Fixture       *f,
                        gconstpointer  data)
{
  HlCausalSpec spec;
  g_autoptr(HlCausalResult) r = NULL;

  hl_causal_spec_init (&spec);
  r = run_spec (f, &spec);
  g_assert_cmpuint (r->truncate->len, ==, 3 * 4 * 6);
  for (guint i = 0; i < r->truncate->len; i++)
    {
      const HlTruncateRow *row = &g_array_index (r->truncate, HlTruncateRow, i);
      static const int grid[] = { 1, 2, 4, 8, 16, -1 };

      g_assert_cmpint (row->target.layer, ==, i / 24);
      g_assert_cmpint (row->target.head, ==, (i / 6) % 4);
      g_assert_cmpint (row->n, ==, grid[i % 6]);
      g_assert_cmpint (row->mode, ==, HL_TRUNCATE_RENORMALISE);
      g_assert_cmpint (row->ranking, ==, HL_RANKING_ATTENTION);
    }
}

static double
row_delta (const HlCausalResult *r,
           guint                 first,
           guint                 last,
           int                   n)
{
  for (guint i = first; i < last; i++)
    if (g_array_index (r->truncate, HlTruncateRow, i).n == n)
      return g_array_index (r->truncate, HlTruncateRow, i).delta_nll;
  g_assert_not_reached ();
}

/* The search against a scan of every N: N* is within tau, N* - 1 is not,
 * and where the scanned curve falls monotonically it is the smallest such
 * N. */
static void
test_effective (Fixture       *f,
                gconstpointer  data)
{
  HlCausalSpec spec, scan;
  g_autoptr(HlCausalResult) r = NULL;
  g_autoptr(HlCausalResult) all = NULL;
  int ns[WINDOW], n_monotone = 0, n_interior = 0;
  guint first = 0;

  hl_causal_spec_init (&spec);
  spec.n_auto = TRUE;
  spec.tau = 0.002;
  r = run_spec (f, &spec);
  for (int n = 1; n <= WINDOW; n++)
    ns[n - 1] = n;
  scan = spec;
  scan.n_auto = FALSE;
  scan.n_list = ns;
  scan.n_n = WINDOW;
  all = run_spec (f, &scan);
  g_assert_cmpuint (r->effective->len, ==, 12);
  for (guint e = 0; e < r->effective->len; e++)
    {
      const HlEffectiveSize *size = &g_array_index (r->effective, HlEffectiveSize, e);
      guint last = first;
      gboolean monotone = TRUE;
      int smallest = 0;

      while (g_array_index (r->truncate, HlTruncateRow, last).n != -1)
        last++;
      g_assert_cmpint (size->evaluations, ==, last - first);
      g_assert_cmpint (size->evaluations, <=, 2 * 5 + 1);
      g_assert_cmpfloat (size->delta_nll, <=, spec.tau);
      g_assert_cmpfloat (row_delta (r, first, last, size->n_star), ==, size->delta_nll);
      if (size->n_star > 1)
        g_assert_cmpfloat (row_delta (r, first, last, size->n_star - 1), >, spec.tau);
      for (int n = 1; n <= WINDOW; n++)
        {
          double d = g_array_index (all->truncate, HlTruncateRow, e * (WINDOW + 1) + n - 1).delta_nll;

          if (smallest == 0 && d <= spec.tau)
            smallest = n;
          if (smallest != 0 && d > spec.tau)
            monotone = FALSE;
        }
      if (monotone)
        {
          g_assert_cmpint (size->n_star, ==, smallest);
          n_monotone++;
        }
      n_interior += size->n_star > 1 && size->n_star < WINDOW;
      first = last + 1;
    }
  /* The case is not trivial: some heads need more than one key. */
  g_assert_cmpint (n_monotone, >, 0);
  g_assert_cmpint (n_interior, >, 0);
  /* N* of each head against its geometry. */
  g_assert_cmpuint (r->correlations->len, ==, 1);
  {
    const HlCausalCorrelationSet *set = &g_array_index (r->correlations, HlCausalCorrelationSet, 0);
    HlCausalCorrelations expected;
    double effect[12];

    for (int k = 0; k < 12; k++)
      effect[k] = g_array_index (r->effective, HlEffectiveSize, k).n_star;
    hl_causal_correlate (effect, r->scores, 12, &expected);
    g_assert_cmpint (set->experiment, ==, HL_CAUSAL_TRUNCATE);
    g_assert_cmpmem (&set->correlations, sizeof expected, &expected, sizeof expected);
  }
}

/* Ablation */

static void
test_ablate (Fixture       *f,
             gconstpointer  data)
{
  HlCausalSpec spec;
  g_autoptr(HlCausalResult) r = NULL;

  hl_causal_spec_init (&spec);
  spec.experiment = HL_CAUSAL_ABLATE;
  spec.ablate_modes = 3;
  r = run_spec (f, &spec);
  g_assert_cmpuint (r->ablate->len, ==, 12 * 2);
  for (guint i = 0; i < r->ablate->len; i++)
    {
      const HlAblateRow *row = &g_array_index (r->ablate, HlAblateRow, i);

      g_assert_cmpint (row->mode, ==, i % 2);
      g_assert_cmpint (row->target.layer * 4 + row->target.head, ==, i / 2);
      g_assert_cmpfloat_with_epsilon (row->nll,
                                      direct (f, HL_INTERVENTION_ABLATE, row->target.layer, row->target.head,
                                              0, HL_RANKING_ATTENTION, 0, row->mode), 1e-12);
      g_assert_cmpfloat (row->nll, !=, r->baseline_nll);
    }
  /* Each head measured on its own: its delta NLL against its geometry, per
   * mode, from scores of the last position of each window. */
  g_assert_cmpuint (r->correlations->len, ==, 2);
  for (int m = 0; m < 2; m++)
    {
      const HlCausalCorrelationSet *set = &g_array_index (r->correlations, HlCausalCorrelationSet, m);
      HlCausalCorrelations expected;
      double effect[12];

      for (int k = 0; k < 12; k++)
        {
          effect[k] = g_array_index (r->ablate, HlAblateRow, 2 * k + m).delta_nll;
          g_assert_cmpint (r->scores[k].n_results, ==, N_WINDOWS);
        }
      hl_causal_correlate (effect, r->scores, 12, &expected);
      g_assert_cmpint (set->experiment, ==, HL_CAUSAL_ABLATE);
      g_assert_cmpint (set->ablate_mode, ==, m);
      g_assert_cmpmem (&set->correlations, sizeof expected, &expected, sizeof expected);
      g_assert_cmpint (expected.n_heads[HL_CAUSAL_QUANTITY_SINK_MASS], ==, 12);
      g_assert_true (isfinite (expected.r[HL_CAUSAL_QUANTITY_SINK_MASS]));
    }
}

/* Pearson's r and the correlation ratio on numbers worked by hand. */
static void
test_correlate (void)
{
  /* Effects 1, 2, 3, 4, 5 (and a head not measured) against F 2, 4, 6, 8,
   * 11; regimes A A B B B. */
  double effect[6] = { 1, 2, 3, 4, 5, NAN };
  HlHeadScores scores[6] = {
    { 1, HL_REGIME_RETRIEVER, 1.0, 0.5, 0.0, 2.0, 1.0 },
    { 1, HL_REGIME_RETRIEVER, 1.0, 0.5, 0.0, 4.0, NAN },
    { 1, HL_REGIME_MIXER, 1.0, 0.5, 0.0, 6.0, 1.0 },
    { 1, HL_REGIME_MIXER, 1.0, 0.5, 0.0, 8.0, 2.0 },
    { 1, HL_REGIME_MIXER, 1.0, 0.5, 0.0, 11.0, 3.0 },
    { 1, HL_REGIME_RESET, 1.0, 0.5, 0.0, 1.0, 1.0 },
  };
  HlCausalCorrelations c;
  /* x = 1..5 (mean 3, deviations -2..2, sum of squares 10); y = 2, 4, 6,
   * 8, 11 (mean 6.2, deviations -4.2, -2.2, -0.2, 1.8, 4.8, sum of squares
   * 48.8); the sum of products is 8.4 + 2.2 + 0 + 1.8 + 9.6 = 22. */
  double r_f1 = 22.0 / sqrt (10.0 * 48.8);
  /* Group means 1.5 and 4: between 2 (1.5 - 3)^2 + 3 (4 - 3)^2 = 7.5 of
   * the total 10. */
  double eta = sqrt (7.5 / 10.0);

  hl_causal_correlate (effect, scores, 6, &c);
  g_assert_cmpfloat_with_epsilon (c.r[HL_CAUSAL_QUANTITY_F1], r_f1, 1e-12);
  g_assert_cmpint (c.n_heads[HL_CAUSAL_QUANTITY_F1], ==, 5);
  /* The margin misses head 1: effects 1, 3, 4, 5 against 1, 1, 2, 3. */
  g_assert_cmpint (c.n_heads[HL_CAUSAL_QUANTITY_MARGIN], ==, 4);
  g_assert_true (c.r[HL_CAUSAL_QUANTITY_MARGIN] > 0.8);
  /* Constant sink mass: undefined. */
  g_assert_true (isnan (c.r[HL_CAUSAL_QUANTITY_SINK_MASS]));
  g_assert_cmpfloat_with_epsilon (c.r[HL_CAUSAL_QUANTITY_REGIME], eta, 1e-12);
  g_assert_cmpfloat (c.regime_mean[HL_REGIME_RETRIEVER], ==, 1.5);
  g_assert_cmpfloat (c.regime_mean[HL_REGIME_MIXER], ==, 4.0);
  g_assert_cmpint (c.regime_count[HL_REGIME_MIXER], ==, 3);
  g_assert_cmpint (c.regime_count[HL_REGIME_RESET], ==, 0);
  g_assert_true (isnan (c.regime_mean[HL_REGIME_RESET]));
  /* One regime only: nothing to tell apart. */
  for (int k = 0; k < 6; k++)
    scores[k].regime = HL_REGIME_OTHER;
  hl_causal_correlate (effect, scores, 6, &c);
  g_assert_true (isnan (c.r[HL_CAUSAL_QUANTITY_REGIME]));
}

/* A head's scores are the means of its results, its regime the most
 * frequent, F_N and gamma_N read at the asked N. */
static void
test_scores_from_results (void)
{
  float values[9 * 2], alpha_a[9], alpha_b[9];
  HlHeadAnalysisOptions options;
  HlHeadResult *results[3];
  HlHeadScores scores[2 * 3];
  HlHeadId ids[3] = { { 1, 2, 0, 0, 0 }, { 1, 2, 1, 0, 0 }, { 0, 0, 0, 0, 0 } };
  const HlSeparabilityPoint *p0, *p1;

  for (int i = 0; i < 9; i++)
    {
      values[2 * i] = 1.0f + 0.1f * i;
      values[2 * i + 1] = (float) (i % 3);
      alpha_a[i] = i == 8 ? 0.6f : 0.05f;
      alpha_b[i] = i == 0 ? 0.6f : 0.05f;
    }
  hl_head_analysis_options_init (&options);
  {
    HlHeadInput a = { 9, 2, values, alpha_a }, b = { 9, 2, values, alpha_b };

    results[0] = hl_head_analysis_compute (&a, &ids[0], &options);
    results[1] = hl_head_analysis_compute (&b, &ids[1], &options);
    results[2] = hl_head_analysis_compute (&a, &ids[2], &options);
  }
  hl_head_scores_from_results (results, 3, 2, 3, HL_DISTANCE_COSINE, 4, scores);
  g_assert_cmpint (scores[1 * 3 + 2].n_results, ==, 2);
  g_assert_cmpint (scores[0].n_results, ==, 1);
  g_assert_cmpint (scores[1].n_results, ==, 0);
  g_assert_cmpfloat_with_epsilon (scores[5].sink_mass, (0.05 + 0.6) / 2, 1e-6);
  g_assert_cmpfloat_with_epsilon (scores[5].entropy,
                                  (results[0]->diagnostics.entropy + results[1]->diagnostics.entropy) / 2, 1e-6);
  g_assert_cmpfloat_with_epsilon (scores[5].a_last,
                                  (results[0]->diagnostics.a_last + results[1]->diagnostics.a_last) / 2, 1e-6);
  /* N = 4 is the third point of the grid 1, 2, 4, 8. */
  p0 = &results[0]->curves->points[HL_RANKING_ATTENTION][HL_DISTANCE_COSINE][2];
  p1 = &results[1]->curves->points[HL_RANKING_ATTENTION][HL_DISTANCE_COSINE][2];
  g_assert_cmpint (results[0]->curves->grid[2], ==, 4);
  g_assert_cmpfloat_with_epsilon (scores[5].f1, (p0->f1 + p1->f1) / 2, 1e-6);
  g_assert_cmpfloat_with_epsilon (scores[5].margin, (p0->margin + p1->margin) / 2, 1e-6);
  g_assert_cmpint (scores[0].regime, ==, results[2]->regime);
  g_assert_true (isnan (scores[1].f1));
  /* Off the grid: no F_N. */
  hl_head_scores_from_results (results, 3, 2, 3, HL_DISTANCE_COSINE, 3, scores);
  g_assert_true (isnan (scores[5].f1) && isnan (scores[5].margin));
  for (int i = 0; i < 3; i++)
    hl_head_result_unref (results[i]);
}

/* Sparsification */

static void
test_prune_orders (void)
{
  HlHeadScores scores[6] = {
    /* n_results, regime, entropy, sink mass, a_last */
    { 1, HL_REGIME_RETRIEVER, 0.5, 0.1, 0.9 },
    { 1, HL_REGIME_MIXER, 2.0, 0.6, 0.2 },
    { 1, HL_REGIME_RESET, 1.0, 0.9, 0.1 },
    { 1, HL_REGIME_MIXER, 0.1, 0.2, 0.5 },
    { 0, HL_REGIME_RETRIEVER, 0.0, 0.0, 0.0 },   /* not analysed: last */
    { 1, HL_REGIME_OTHER, 1.0, 0.9, 0.3 },
  };
  double ablation[6] = { 0.3, 0.1, 0.2, 0.05, 0.0, 0.1 };
  HlRegime order_default[HL_N_REGIMES];
  int order[6], again[6];
  static const struct { HlPrunePolicy policy; int expected[6]; } cases[] = {
    /* 3 layers of 2 heads: mixers (layer 1 before 0), other, reset, retriever. */
    { HL_PRUNE_REGIME, { 3, 1, 5, 2, 0, 4 } },
    { HL_PRUNE_LOW_ENTROPY, { 3, 0, 2, 5, 1, 4 } },
    { HL_PRUNE_HIGH_SINK_MASS, { 2, 5, 1, 3, 0, 4 } },
    { HL_PRUNE_LOW_A_LAST, { 2, 1, 5, 3, 0, 4 } },
    { HL_PRUNE_LOW_ABLATION, { 4, 3, 1, 5, 2, 0 } },
  };

  hl_prune_default_regime_order (order_default);
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      hl_prune_order (cases[c].policy, scores, ablation, order_default, 3, 2, 0, 0, order);
      for (int i = 0; i < 6; i++)
        g_assert_cmpint (order[i], ==, cases[c].expected[i]);
    }
  /* Random: a permutation, the same for a repeat, another for the next. */
  hl_prune_order (HL_PRUNE_RANDOM, NULL, NULL, NULL, 3, 2, 5, 1, order);
  hl_prune_order (HL_PRUNE_RANDOM, NULL, NULL, NULL, 3, 2, 5, 1, again);
  g_assert_cmpmem (order, sizeof order, again, sizeof again);
  {
    int seen = 0, differs = 0;

    for (int rep = 2; rep < 6; rep++)
      {
        hl_prune_order (HL_PRUNE_RANDOM, NULL, NULL, NULL, 3, 2, 5, rep, again);
        differs += memcmp (order, again, sizeof order) != 0;
      }
    for (int i = 0; i < 6; i++)
      seen |= 1 << order[i];
    g_assert_cmpint (seen, ==, 0x3f);
    g_assert_cmpint (differs, >, 0);
  }
}

static void
test_sparsify (Fixture       *f,
               gconstpointer  data)
{
  static const double fractions[] = { 0.0, 0.25, 0.5, 1.0 };
  static const int pruned[] = { 0, 3, 6, 12 };
  HlCausalSpec spec;
  g_autoptr(HlCausalResult) r = NULL;
  double all_heads = direct (f, HL_INTERVENTION_ABLATE, -1, -1, 0, HL_RANKING_ATTENTION, 0, HL_ABLATE_ZERO);

  hl_causal_spec_init (&spec);
  spec.experiment = HL_CAUSAL_SPARSIFY;
  spec.fractions = fractions;
  spec.n_fractions = G_N_ELEMENTS (fractions);
  spec.repeats = 5;
  spec.seed = 3;
  r = run_spec (f, &spec);
  g_assert_cmpuint (r->sparsify->len, ==, HL_N_PRUNE_POLICIES * 4);
  /* Scores of the last position of each window: two results a head. */
  for (int k = 0; k < 12; k++)
    {
      g_assert_cmpint (r->scores[k].n_results, ==, N_WINDOWS);
      g_assert_cmpint (r->scores[k].regime, <, HL_N_REGIMES);
      g_assert_true (r->scores[k].entropy >= 0.0 && r->scores[k].sink_mass >= 0.0 && r->scores[k].sink_mass <= 1.0);
      g_assert_cmpfloat (r->ablation[k], ==,
                         direct (f, HL_INTERVENTION_ABLATE, k / 4, k % 4, 0, HL_RANKING_ATTENTION, 0, HL_ABLATE_ZERO)
                         - r->baseline_nll);
    }
  for (guint i = 0; i < r->sparsify->len; i++)
    {
      const HlSparsifyRow *row = &g_array_index (r->sparsify, HlSparsifyRow, i);

      g_assert_cmpint (row->policy, ==, i / 4);
      g_assert_cmpfloat (row->fraction, ==, fractions[i % 4]);
      g_assert_cmpint (row->n_pruned, ==, pruned[i % 4]);
      g_assert_cmpint (row->repeats, ==, row->policy == HL_PRUNE_RANDOM ? 5 : 1);
      g_assert_cmpfloat (row->delta_min, <=, row->delta_nll + 1e-12);
      g_assert_cmpfloat (row->delta_max, >=, row->delta_nll - 1e-12);
      g_assert_cmpfloat (row->nll, ==, r->baseline_nll + row->delta_nll);
      if (row->n_pruned == 0)
        g_assert_cmpfloat (row->delta_nll, ==, 0.0);
      if (row->n_pruned == 12)
        g_assert_cmpfloat_with_epsilon (row->nll, all_heads, 1e-12);
      if (row->policy == HL_PRUNE_RANDOM && row->n_pruned == 3)
        g_assert_cmpfloat (row->delta_sd, >, 0.0);
      if (row->policy != HL_PRUNE_RANDOM)
        g_assert_cmpfloat (row->delta_sd, ==, 0.0);
    }
}

/* Scores given by the caller (the app's analysis) are used as they are. */
static void
test_sparsify_given_scores (Fixture       *f,
                            gconstpointer  data)
{
  static const double fractions[] = { 0.25 };
  HlHeadScores scores[12] = { { 0 } };
  HlCausalSpec spec;
  g_autoptr(HlCausalResult) r = NULL;
  double expected;

  for (int k = 0; k < 12; k++)
    scores[k] = (HlHeadScores) { 1, HL_REGIME_OTHER, 1.0, k == 5 || k == 6 || k == 9 ? 0.9 : 0.1, 1.0 };
  hl_causal_spec_init (&spec);
  spec.experiment = HL_CAUSAL_SPARSIFY;
  spec.fractions = fractions;
  spec.n_fractions = 1;
  spec.policies = 1u << HL_PRUNE_HIGH_SINK_MASS;
  spec.scores = scores;
  r = run_spec (f, &spec);
  g_assert_cmpuint (r->sparsify->len, ==, 1);
  g_assert_null (r->ablation);
  g_assert_cmpmem (r->scores, sizeof scores, scores, sizeof scores);
  {
    g_autoptr(HlCausalText) text = new_text (f);
    guint8 mask[12] = { 0 };
    HlIntervention iv = { HL_INTERVENTION_ABLATE, mask, 0, HL_RANKING_ATTENTION, 0, HL_ABLATE_ZERO };

    mask[5] = mask[6] = mask[9] = 1;
    g_assert_true (hl_causal_text_prepare (text, NULL, 0, NULL, NULL, NULL, NULL));
    g_assert_true (hl_causal_text_measure (text, &iv, &expected, NULL, NULL));
  }
  g_assert_cmpfloat (g_array_index (r->sparsify, HlSparsifyRow, 0).nll, ==, expected);
}

/* Validation */

static void
expect_invalid (const HlCausalSpec *spec,
                int                 code,
                const char         *fragment)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (hl_causal_spec_validate (spec, 3, 4, WINDOW, &error));
  g_assert_error (error, HL_CAUSAL_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, fragment));
}

static void
test_validate (void)
{
  HlCausalSpec spec;
  static const int too_big[] = { 1, WINDOW + 1 };
  static const int zero[] = { 0 };
  static const double bad_fraction[] = { 0.5, 1.5 };
  double taus[] = { 0.0, -0.01, NAN, INFINITY };

  hl_causal_spec_init (&spec);
  g_assert_true (hl_causal_spec_validate (&spec, 3, 4, WINDOW, NULL));
  spec.layer = 3;
  expect_invalid (&spec, HL_CAUSAL_ERROR_TARGET, "layer 3 does not exist: the model has 3 (0 to 2");
  spec.layer = -3;
  expect_invalid (&spec, HL_CAUSAL_ERROR_TARGET, "layer -3 does not exist");
  spec.layer = HL_CAUSAL_ALL;
  spec.head = 4;
  expect_invalid (&spec, HL_CAUSAL_ERROR_TARGET, "head 4 does not exist: the model has 4 (0 to 3");
  spec.head = 0;
  spec.n_list = too_big;
  spec.n_n = 2;
  expect_invalid (&spec, HL_CAUSAL_ERROR_N, "N = 25 is out of range: expected 0 to 24");
  spec.n_list = zero;
  spec.n_n = 1;
  expect_invalid (&spec, HL_CAUSAL_ERROR_N, "renormalise cannot rescale");
  spec.truncate_modes = 1u << HL_TRUNCATE_DELETE;
  g_assert_true (hl_causal_spec_validate (&spec, 3, 4, WINDOW, NULL));
  spec.n_auto = TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (taus); i++)
    {
      spec.tau = taus[i];
      expect_invalid (&spec, HL_CAUSAL_ERROR_TAU, "expected a positive number of nats per token");
    }
  hl_causal_spec_init (&spec);
  spec.experiment = HL_CAUSAL_SPARSIFY;
  spec.fractions = bad_fraction;
  spec.n_fractions = 2;
  expect_invalid (&spec, HL_CAUSAL_ERROR_OPTIONS, "fraction 1.5 is out of range");
  spec.n_fractions = 1;
  spec.repeats = 0;
  expect_invalid (&spec, HL_CAUSAL_ERROR_OPTIONS, "at least 1 repeat (found 0)");
}

/* CSV */

static void
test_csv (Fixture       *f,
          gconstpointer  data)
{
  static const int ns[] = { 1 };
  static const double fractions[] = { 0.5 };
  HlCausalSpec spec;
  g_autoptr(HlCausalResult) truncated = NULL;
  g_autoptr(HlCausalResult) ablated = NULL;
  g_autoptr(HlCausalResult) pruned = NULL;
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;

  hl_causal_spec_init (&spec);
  spec.layer = spec.head = HL_CAUSAL_ALL;
  spec.n_list = ns;
  spec.n_n = 1;
  truncated = run_spec (f, &spec);
  csv = hl_causal_result_to_csv (truncated);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "layer,head,mode,ranking,n,nll,delta_nll");
  g_assert_true (g_str_has_prefix (lines[1], "-1,-1,renormalise,attention,1,"));
  g_assert_true (g_str_has_prefix (lines[2], "-1,-1,renormalise,attention,all,"));
  g_assert_true (g_str_has_suffix (lines[2], ",0"));
  g_assert_cmpstr (lines[3], ==, "");
  g_assert_null (lines[4]);
  g_clear_pointer (&lines, g_strfreev);
  g_clear_pointer (&csv, g_free);

  spec.experiment = HL_CAUSAL_ABLATE;
  spec.layer = 2;
  spec.head = 1;
  ablated = run_spec (f, &spec);
  csv = hl_causal_result_to_csv (ablated);
  g_assert_true (g_str_has_prefix (csv, "layer,head,mode,nll,delta_nll\n2,1,zero,"));
  g_clear_pointer (&csv, g_free);

  spec.experiment = HL_CAUSAL_SPARSIFY;
  spec.fractions = fractions;
  spec.n_fractions = 1;
  spec.policies = 1u << HL_PRUNE_RANDOM;
  spec.repeats = 2;
  pruned = run_spec (f, &spec);
  csv = hl_causal_result_to_csv (pruned);
  g_assert_true (g_str_has_prefix (csv, "policy,mode,fraction,n_pruned,repeats,nll,delta_nll,delta_nll_sd,"
                                        "delta_nll_min,delta_nll_max\nrandom,zero,0.5,6,2,"));
}

/* In a worker thread */

typedef struct
{
  guint64         last_done;
  guint64         total;
  guint           calls;
  HlCausalResult *result;
  GError         *error;
  gboolean        finished;
} AsyncState;

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  AsyncState *state = user_data;

  g_assert_false (state->finished);
  g_assert_cmpuint (done, >=, state->last_done);
  g_assert_cmpuint (done, <=, total);
  state->last_done = done;
  state->total = total;
  state->calls++;
}

static void
finished_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncState *state = user_data;

  state->result = hl_causal_run_finish (result, &state->error);
  state->finished = TRUE;
}

static gboolean
is_finished (gpointer user_data)
{
  return ((AsyncState *) user_data)->finished;
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  HlCausalSpec spec;
  AsyncState state = { 0 }, cancelled = { 0 };
  g_autoptr(HlCausalResult) sync = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  int *ns = g_new (int, 2);

  hl_causal_spec_init (&spec);
  spec.experiment = HL_CAUSAL_ABLATE;
  sync = run_spec (f, &spec);
  hl_causal_run_async (new_text (f), &spec, NULL, progress_cb, &state, finished_cb, &state);
  g_assert_true (hl_test_wait_until (is_finished, &state, 60000));
  g_assert_no_error (state.error);
  g_assert_cmpuint (state.result->ablate->len, ==, sync->ablate->len);
  for (guint i = 0; i < sync->ablate->len; i++)
    g_assert_cmpfloat (g_array_index (state.result->ablate, HlAblateRow, i).nll, ==,
                       g_array_index (sync->ablate, HlAblateRow, i).nll);
  /* The progress counts the baseline and every measurement, up to the
   * total, possibly not each step (updates queued after the end drop). */
  g_assert_cmpuint (state.calls, >, 0);
  g_assert_cmpuint (state.total, ==, 1 + 12);
  hl_causal_result_free (state.result);

  /* The spec's arrays are copied: the caller may free them at once. */
  ns[0] = 1, ns[1] = 2;
  spec.experiment = HL_CAUSAL_TRUNCATE;
  spec.n_list = ns;
  spec.n_n = 2;
  g_cancellable_cancel (cancellable);
  hl_causal_run_async (new_text (f), &spec, cancellable, progress_cb, &cancelled, finished_cb, &cancelled);
  g_free (ns);
  g_assert_true (hl_test_wait_until (is_finished, &cancelled, 60000));
  g_assert_error (cancelled.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (cancelled.result);
  g_clear_error (&cancelled.error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/causal/experiment/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("truncate-rows", test_truncate_rows);
  ADD ("truncate-defaults", test_truncate_defaults);
  ADD ("effective", test_effective);
  ADD ("ablate", test_ablate);
  ADD ("sparsify", test_sparsify);
  ADD ("sparsify-given-scores", test_sparsify_given_scores);
  ADD ("csv", test_csv);
  ADD ("async", test_async);
  g_test_add_func ("/causal/experiment/prune-orders", test_prune_orders);
  g_test_add_func ("/causal/experiment/correlate", test_correlate);
  g_test_add_func ("/causal/experiment/scores-from-results", test_scores_from_results);
  g_test_add_func ("/causal/experiment/validate", test_validate);
  return hl_test_run_and_wait ();
}
