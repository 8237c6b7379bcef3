/* test-regime-recovery.c: on files from the synthetic generator, the regime
 * rule names the pattern each head was planted with (/synth/regime: the
 * last token, the sink, or sink then content; the generator follows the
 * paper's descriptions and never calls the rule) for at least 90% of
 * heads, across seeds and shapes, at the last and at earlier queries. This
 * checks the rule on known inputs; the regime plot of a synthetic file
 * shows these planted patterns, not a finding.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-analysis.h"
#include "hl-synth-model.h"

#include "analysis-fixture.h"

typedef struct
{
  guint64    seed;
  int        n_layers;
  int        n_heads;
  int        n_kv_heads;
  int        head_dim;
  int        seq_len;
  int        n_queries;
  const int *query_positions;
} Case;

static const int early_queries[] = { 47, 100, 127 };

static const Case cases[] = {
  { 1, 6, 8, 8, 32, 128, 1, NULL },
  { 2, 4, 8, 2, 16, 256, 1, NULL },
  { 3, 5, 6, 3, 64, 64, 1, NULL },
  { 4, 4, 4, 4, 24, 128, 3, early_queries },
  { 5, 2, 4, 4, 128, 1024, 1, NULL },
};

/* Returns the fraction of (head, sample, query) results whose regime is the
 * generated one. */
static double
recovered_fraction (const Case *c,
                    const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "synth.h5", NULL);
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree int32_t *truth = NULL;
  HlSynthModelParams params;
  HlAnalysisOptions options;
  gsize n_truth = 0;
  guint hits = 0, n;

  hl_synth_model_params_init (&params);
  params.seed = c->seed;
  params.n_layers = c->n_layers;
  params.n_heads = c->n_heads;
  params.n_kv_heads = c->n_kv_heads;
  params.head_dim = c->head_dim;
  params.seq_len = c->seq_len;
  params.n_samples = 2;
  params.n_queries = c->n_queries;
  params.query_positions = c->query_positions;
  g_assert_true (hl_synth_model_write (&params, path, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  truth = hl_activations_read_int_dataset (file, "/synth/regime", &n_truth, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_truth, ==, (gsize) c->n_layers * c->n_heads);

  /* One cheap ranking: the rule reads the attention ranking's trajectories. */
  hl_analysis_options_init (&options);
  options.head.rankings = 1u << HL_RANKING_ATTENTION;
  options.head.distances = 1u << HL_DISTANCE_EUCLIDEAN;
  options.bootstrap = 0;
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  n = hl_analysis_get_n_results (analysis);
  for (guint i = 0; i < n; i++)
    {
      HlHeadResult *r = hl_analysis_get_result (analysis, i);

      if ((int) r->regime == truth[r->layer * c->n_heads + r->head])
        hits++;
    }
  return (double) hits / n;
}

static void
test_recovery (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double fraction = recovered_fraction (&cases[i], dir);

      g_test_message ("seed %" G_GUINT64_FORMAT ", seq_len %d, head_dim %d: %.1f%% recovered",
                      cases[i].seed, cases[i].seq_len, cases[i].head_dim, 100 * fraction);
      g_assert_cmpfloat (fraction, >=, 0.9);
    }
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/regime-recovery/synthetic", test_recovery);
  return g_test_run ();
}
