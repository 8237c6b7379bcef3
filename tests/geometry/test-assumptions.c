/* test-assumptions.c: the taxonomy checks on hand-built head results
 * (medians, each verdict, the CSV rows and the sentences), and on the real
 * stories260K model, which has no attention sink.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-analysis.h"
#include "hl-assumptions.h"

#include <math.h>
#include <string.h>

/* A result with the diagnostics the checks read. */
static HlHeadResult *
result_new (int   layer,
            int   head,
            float cv,
            float sink_mass,
            float lambda,
            float mae,
            float gap)
{
  HlHeadResult *r = g_atomic_rc_box_new0 (HlHeadResult);

  r->layer = layer;
  r->head = head;
  r->curves = g_new0 (HlCurveSet, 1);
  r->diagnostics.norm_cv = cv;
  r->diagnostics.sink_mass = sink_mass;
  r->diagnostics.sink_ratio = lambda;
  r->diagnostics.beta_mae = mae;
  r->diagnostics.attention_gap = gap;
  r->reason = g_strdup ("");
  return r;
}

typedef struct
{
  HlHeadResult *results[6];
  guint         n;
} Results;

static void
results_clear (Results *rs)
{
  for (guint i = 0; i < rs->n; i++)
    hl_head_result_unref (rs->results[i]);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Results, results_clear)

/* Two heads of layer 0 with three results each; head 1 is given by the
 * caller's numbers in its middle result (the median of three). */
static void
results_init (Results *rs,
              float    cv,
              float    sink_mass,
              float    lambda,
              float    mae,
              float    gap)
{
  rs->n = 6;
  rs->results[0] = result_new (0, 1, 0.01f, 0.05f, 0.1f, 0.001f, 0.0f);
  rs->results[1] = result_new (0, 1, cv, sink_mass, lambda, mae, gap);
  rs->results[2] = result_new (0, 1, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f);
  rs->results[3] = result_new (0, 0, 0.04f, 0.8f, 0.2f, 0.01f, 0.3f);
  rs->results[4] = result_new (0, 0, 0.05f, 0.7f, 0.3f, 0.02f, 0.2f);
  rs->results[5] = result_new (0, 0, 0.03f, 0.6f, 0.1f, 0.03f, 0.4f);
}

static void
test_thresholds (void)
{
  HlAssumptionThresholds t;
  g_autoptr(GError) error = NULL;

  hl_assumption_thresholds_init (&t);
  g_assert_cmpfloat (t.norm_cv_max, ==, 0.15);
  g_assert_cmpfloat (t.sink_mass_min, ==, 0.1);
  g_assert_cmpfloat (t.corr_min, ==, 0.3);
  g_assert_true (hl_assumption_thresholds_validate (&t, &error));
  for (int i = 0; i < HL_ASSUMPTION_N_THRESHOLDS; i++)
    {
      const HlAssumptionThresholdInfo *info = &hl_assumption_threshold_infos ()[i];
      HlAssumptionThresholds bad = t;

      G_STRUCT_MEMBER (double, &bad, info->offset) = info->max + 1;
      g_assert_false (hl_assumption_thresholds_validate (&bad, &error));
      g_assert_nonnull (strstr (error->message, info->name));
      g_clear_error (&error);
    }
  G_STATIC_ASSERT (sizeof (HlAssumptionThresholds) == HL_ASSUMPTION_N_THRESHOLDS * sizeof (double));
}

/* Head 1's checks are the medians of its three results, each compared with
 * its threshold; head 0 passes everything. Without a summary the
 * correlation is undefined and does not count against the model. */
static void
test_checks_and_verdicts (void)
{
  HlAssumptionThresholds t;
  g_auto(Results) rs = { { 0 } };
  g_autoptr(HlAssumptions) a = NULL;
  const HlHeadAssumptions *h0, *h1;

  hl_assumption_thresholds_init (&t);
  results_init (&rs, 0.2f, 0.5f, 0.3f, 0.05f, 0.1f);
  a = hl_assumptions_new (rs.results, rs.n, NULL, &t);
  g_assert_cmpint (a->n_heads, ==, 2);
  h0 = hl_assumptions_lookup_head (a, 0, 0);
  h1 = hl_assumptions_lookup_head (a, 0, 1);
  g_assert_nonnull (h0);
  g_assert_nonnull (h1);
  g_assert_null (hl_assumptions_lookup_head (a, 1, 0));
  g_assert_cmpint (h1->n_results, ==, 3);
  g_assert_cmpfloat (h1->checks[HL_CHECK_NORM_CV].value, ==, 0.2f);
  g_assert_cmpint (h1->checks[HL_CHECK_NORM_CV].outcome, ==, HL_CHECK_FAILS);
  g_assert_cmpint (h1->checks[HL_CHECK_SINK_MASS].outcome, ==, HL_CHECK_HOLDS);
  g_assert_cmpint (h1->checks[HL_CHECK_GAP].outcome, ==, HL_CHECK_HOLDS);
  g_assert_cmpint (h1->verdict, ==, HL_TAXONOMY_PARTLY);
  g_assert_cmpint (h0->verdict, ==, HL_TAXONOMY_APPLIES);
  /* Model: medians over all six results. CV: 0.01 0.03 0.04 0.05 0.2 0.9:
   * (0.04 + 0.05) / 2. */
  g_assert_cmpfloat_with_epsilon (a->checks[HL_CHECK_NORM_CV].value, 0.045, 1e-7);
  g_assert_cmpint (a->checks[HL_CHECK_CORR].outcome, ==, HL_CHECK_UNDEFINED);
  g_assert_cmpint (a->verdict, ==, HL_TAXONOMY_APPLIES);
  g_assert_cmpfloat (a->sink_mass_max, ==, 0.9f);
}

/* No sink: the taxonomy does not apply, and the sentence says why with the
 * measured values. A gap of exactly 0 (ties) fails its check. */
static void
test_no_sink (void)
{
  HlAssumptionThresholds t;
  g_auto(Results) rs = { { 0 } };
  g_autoptr(HlAssumptions) a = NULL;
  g_autofree char *text = NULL;
  const HlHeadAssumptions *h1;

  hl_assumption_thresholds_init (&t);
  results_init (&rs, 0.02f, 0.03f, 0.3f, 0.05f, 0.0f);
  rs.results[4]->diagnostics.sink_mass = 0.01f;
  rs.results[5]->diagnostics.sink_mass = 0.02f;
  rs.results[3]->diagnostics.sink_mass = 0.04f;
  a = hl_assumptions_new (rs.results, rs.n, NULL, &t);
  h1 = hl_assumptions_lookup_head (a, 0, 1);
  g_assert_cmpint (h1->checks[HL_CHECK_GAP].outcome, ==, HL_CHECK_FAILS);
  g_assert_cmpint (h1->verdict, ==, HL_TAXONOMY_DOES_NOT_APPLY);
  g_assert_cmpint (a->verdict, ==, HL_TAXONOMY_DOES_NOT_APPLY);
  text = hl_assumptions_describe (a);
  g_test_message ("%s", text);
  g_assert_true (g_str_has_prefix (text, "The taxonomy does not apply: "));
  /* The median of 0.01 0.02 0.03 0.04 0.05 0.9 and the largest value. */
  g_assert_nonnull (strstr (text, "no attention sink: median sink mass α₀ 0.035 < 0.1 (the largest 0.900)"));
  g_assert_nonnull (strstr (text, "Holding: "));
}

/* The correlation comes from the summary's attention / Euclidean curve,
 * its peak over N. One failing check other than the sink makes the
 * verdict "partly"; both of the paper's stability checks (CV and the
 * correlation) failing make it "does not apply". */
static void
test_stability (void)
{
  HlAssumptionThresholds t;
  g_auto(Results) rs = { { 0 } };
  g_autoptr(HlAssumptions) partly = NULL;
  g_autoptr(HlAssumptions) none = NULL;
  g_autoptr(HlAssumptions) good = NULL;
  HlModelPoint points[3] = { { 0 } };
  HlModelSummary summary = { 0 };

  hl_assumption_thresholds_init (&t);
  summary.n_grid = 3;
  summary.points[HL_RANKING_ATTENTION][HL_DISTANCE_EUCLIDEAN] = points;
  points[0].corr_recall_rho0 = NAN;
  points[1].corr_recall_rho0 = 0.25;
  points[2].corr_recall_rho0 = 0.1;
  results_init (&rs, 0.5f, 0.5f, 0.3f, 0.05f, 0.1f);
  for (guint i = 3; i < rs.n; i++)
    rs.results[i]->diagnostics.norm_cv = 0.3f;
  partly = hl_assumptions_new (rs.results, rs.n, NULL, &t);
  g_assert_cmpint (partly->checks[HL_CHECK_NORM_CV].outcome, ==, HL_CHECK_FAILS);
  g_assert_cmpint (partly->verdict, ==, HL_TAXONOMY_PARTLY);
  none = hl_assumptions_new (rs.results, rs.n, &summary, &t);
  g_assert_cmpfloat (none->checks[HL_CHECK_CORR].value, ==, 0.25);
  g_assert_cmpint (none->checks[HL_CHECK_CORR].outcome, ==, HL_CHECK_FAILS);
  g_assert_cmpint (none->verdict, ==, HL_TAXONOMY_DOES_NOT_APPLY);
  /* A peak of exactly 0.3 reaches the threshold. */
  points[2].corr_recall_rho0 = 0.3;
  for (guint i = 0; i < rs.n; i++)
    rs.results[i]->diagnostics.norm_cv = 0.05f;
  good = hl_assumptions_new (rs.results, rs.n, &summary, &t);
  g_assert_cmpint (good->checks[HL_CHECK_CORR].outcome, ==, HL_CHECK_HOLDS);
  g_assert_cmpint (good->verdict, ==, HL_TAXONOMY_APPLIES);
}

static char *
csv_line (const char *csv,
          const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (csv, "\n", -1);

  for (int i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i]);
  return NULL;
}

static void
test_csv (void)
{
  HlAssumptionThresholds t;
  g_auto(Results) rs = { { 0 } };
  g_autoptr(HlAssumptions) a = NULL;
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  char *line;

  hl_assumption_thresholds_init (&t);
  results_init (&rs, 0.2f, 0.5f, 0.3f, 0.05f, 0.1f);
  a = hl_assumptions_new (rs.results, rs.n, NULL, &t);
  csv = hl_assumptions_csv (a);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "scope,layer,head,check,value,threshold,holds");
  /* 6 model checks + taxonomy, then 5 checks + taxonomy per head. */
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 7 + 2 * 6 + 1);
  g_assert_cmpstr (lines[7], ==, "model,,,taxonomy,applies,,true");
  g_assert_cmpstr (lines[6], ==, "model,,,corr_recall_rho0,,0.3,");
  line = csv_line (csv, "head,0,1,norm_cv,");
  g_assert_cmpstr (line, ==, "head,0,1,norm_cv,0.200000003,0.15,false");
  g_free (line);
  line = csv_line (csv, "head,0,1,taxonomy,");
  g_assert_cmpstr (line, ==, "head,0,1,taxonomy,partly,,false");
  g_free (line);
}

/* stories260K has no attention sink: the taxonomy does not apply. */
static void
test_stories260k (void)
{
  const char *shared = g_getenv ("HL_TEST_SHARED_DIR");
  g_autofree char *path = NULL;
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  HlAnalysisOptions options;
  const HlAssumptions *a;

  path = g_build_filename (shared != NULL ? shared : "../shared", "models", "stories260K",
                           "reference.h5", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("../shared/models/stories260K is not here");
      return;
    }
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  hl_analysis_options_init (&options);
  options.bootstrap = 0;
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  a = hl_analysis_get_assumptions (analysis);
  text = hl_assumptions_describe (a);
  g_test_message ("%s", text);
  g_assert_cmpint (a->verdict, ==, HL_TAXONOMY_DOES_NOT_APPLY);
  g_assert_cmpint (a->checks[HL_CHECK_SINK_MASS].outcome, ==, HL_CHECK_FAILS);
  g_assert_cmpfloat (a->checks[HL_CHECK_SINK_MASS].value, <, 0.01);
  g_assert_cmpint (a->checks[HL_CHECK_NORM_CV].outcome, ==, HL_CHECK_FAILS);
  g_assert_cmpint (a->n_heads, ==, 5 * 8);
  g_assert_nonnull (strstr (text, "no attention sink"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/assumptions/thresholds", test_thresholds);
  g_test_add_func ("/assumptions/checks-and-verdicts", test_checks_and_verdicts);
  g_test_add_func ("/assumptions/no-sink", test_no_sink);
  g_test_add_func ("/assumptions/stability", test_stability);
  g_test_add_func ("/assumptions/csv", test_csv);
  g_test_add_func ("/assumptions/stories260k", test_stories260k);
  return g_test_run ();
}
