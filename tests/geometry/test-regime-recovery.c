/* test-regime-recovery.c: on files from the synthetic generator, the regime
 * rule names the pattern each head was planted with (/synth/regime: the
 * last token, the sink, or sink then content; the generator follows the
 * paper's descriptions and never calls the rule) for at least 90% of
 * heads, across seeds and shapes, at the last and at earlier queries. This
 * checks the rule on known inputs; the regime plot of a synthetic file
 * shows these planted patterns, not a finding, and the regime figures and
 * `analyze` say so (hl-planted.h), with the counts checked here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <hdf5.h>
#include <string.h>

#include "hl-analysis.h"
#include "hl-planted.h"
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
  g_autofree char *note = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *caveat = NULL;
  HlSynthModelParams params;
  HlAnalysisOptions options;
  HlPlanted planted;
  gsize n_truth = 0;
  guint hits = 0, n;
  gboolean faded = TRUE;

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

  /* What the figures and analyze say: every result has a planted
   * pattern, and the rule names it for exactly the hits counted here. */
  g_assert_true (hl_planted_compare (analysis, &planted, &error));
  g_assert_no_error (error);
  g_assert_cmpint (planted.n_results, ==, n);
  g_assert_cmpint (planted.n_agree, ==, hits);
  note = hl_planted_regimes_note (analysis, &faded);
  counts = g_strdup_printf ("the rule names %u of %u planted patterns", hits, n);
  g_assert_nonnull (strstr (note, "Planted by the synthetic generator"));
  g_assert_nonnull (strstr (note, counts));
  caveat = hl_assumptions_caveat (hl_analysis_get_assumptions (analysis));
  g_assert_cmpint (faded, ==, caveat != NULL);
  /* And the head detail's pattern of every head. */
  for (int l = 0; l < c->n_layers; l++)
    for (int h = 0; h < c->n_heads; h++)
      {
        HlRegime pattern;

        g_assert_true (hl_planted_pattern (analysis, l, h, &pattern));
        g_assert_cmpint (pattern, ==, truth[l * c->n_heads + h]);
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

static HlAnalysis *
analyse (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) file = hl_activations_open (path, &error);
  HlAnalysisOptions options;
  HlAnalysis *analysis;

  g_assert_no_error (error);
  hl_analysis_options_init (&options);
  options.head.rankings = 1u << HL_RANKING_ATTENTION;
  options.head.distances = 1u << HL_DISTANCE_EUCLIDEAN;
  options.bootstrap = 0;
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return analysis;
}

/* Adds an int32 dataset of @n elements at /synth/regime to the file. */
static void
add_planted (const char    *path,
             const int32_t *data,
             hsize_t        n)
{
  hid_t file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t group = H5Gcreate2 (file, "synth", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t space = H5Screate_simple (1, &n, NULL);
  hid_t set = H5Dcreate2 (group, "regime", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT,
                          H5P_DEFAULT);

  g_assert_cmpint (file, >=, 0);
  g_assert_cmpint (set, >=, 0);
  g_assert_cmpint (H5Dwrite (set, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), >=, 0);
  H5Dclose (set);
  H5Sclose (space);
  H5Gclose (group);
  H5Fclose (file);
}

/* Files that plant nothing say nothing: a file without /synth/regime, a
 * profile ablation (-1 everywhere) and a file whose dataset has another
 * shape (an error naming it, and no note). */
static void
test_nothing_planted (void)
{
  static const FixtureShape shape = {
    .n_layers = 2, .n_heads = 2, .n_kv_heads = 1, .head_dim = 8, .seq_len = 16,
    .n_samples = 1, .n_queries = 1, .seed = 5,
  };
  static const int32_t none[] = { -1, -1, -1, -1 };
  static const int32_t short_set[] = { 0, 1, 2 };
  g_autofree char *dir = hl_test_make_tmp_dir ();
  const char *names[] = { "plain.h5", "ablation.h5", "short.h5" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autoptr(HlAnalysis) analysis = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *note = NULL;
      HlPlanted planted;

      fixture_write_file (path, &shape);
      if (i == 1)
        add_planted (path, none, G_N_ELEMENTS (none));
      else if (i == 2)
        add_planted (path, short_set, G_N_ELEMENTS (short_set));
      analysis = analyse (path);
      g_assert_false (hl_planted_compare (analysis, &planted, &error));
      if (i == 2)
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      else
        g_assert_no_error (error);
      if (error != NULL)
        g_assert_nonnull (strstr (error->message, "/synth/regime has 3 elements, expected"));
      note = hl_planted_regimes_note (analysis, NULL);
      g_assert_true (note == NULL || strstr (note, "Planted") == NULL);
      for (int h = 0; h < 4; h++)
        {
          HlRegime pattern;

          g_assert_false (hl_planted_pattern (analysis, h / 2, h % 2, &pattern));
        }
    }
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/regime-recovery/synthetic", test_recovery);
  g_test_add_func ("/regime-recovery/nothing-planted", test_nothing_planted);
  return g_test_run ();
}
