/* test-session-settings.c: the settings applied to a session: renamed keys
 * carried over once, the view bound both ways, an analysis option restarting
 * the analysis after the user stops changing it. Runs with the memory
 * settings backend and the schema compiled in the build folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "analysis-fixture.h"
#include "hl-background.h"
#include "hl-session-settings.h"

static GSettings *
new_settings (void)
{
  GSettings *settings = g_settings_new ("io.github.headlens.Headlens");
  g_auto(GStrv) keys = g_settings_schema_list_keys (g_settings_schema_source_lookup (
    g_settings_schema_source_get_default (), "io.github.headlens.Headlens", TRUE));

  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
  return settings;
}

static gboolean
has_user_value (GSettings  *settings,
                const char *key)
{
  g_autoptr(GVariant) value = g_settings_get_user_value (settings, key);

  return value != NULL;
}

static void
test_migrate (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autofree char *metric = NULL;

  g_settings_set_int (settings, "blas-threads", 3);
  g_settings_set_string (settings, "colour-mode", "sink-similarity");
  hl_session_settings_migrate (settings);
  g_assert_cmpint (g_settings_get_int (settings, "analysis-threads"), ==, 3);
  metric = g_settings_get_string (settings, "heatmap-metric");
  g_assert_cmpstr (metric, ==, "sink_similarity");
  g_assert_false (has_user_value (settings, "blas-threads"));
  g_assert_false (has_user_value (settings, "colour-mode"));

  /* Once only: a value set under the new name is not overwritten. */
  g_settings_set_int (settings, "blas-threads", 5);
  g_settings_set_int (settings, "analysis-threads", 2);
  hl_session_settings_migrate (settings);
  g_assert_cmpint (g_settings_get_int (settings, "analysis-threads"), ==, 2);
  g_assert_false (has_user_value (settings, "blas-threads"));
}

static void
test_view_both_ways (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(HlSession) session = hl_session_new ();
  g_autofree char *metric = NULL;

  g_settings_set_string (settings, "ranking", "contribution");
  g_settings_set_string (settings, "heatmap-metric", "f1");
  g_settings_set_int (settings, "n", 16);
  hl_session_bind_settings (session, settings);
  g_assert_cmpint (hl_session_get_ranking (session), ==, HL_RANKING_CONTRIBUTION);
  g_assert_cmpstr (hl_session_get_heatmap_metric (session)->name, ==, "f1");

  g_settings_set_string (settings, "distance", "cosine");
  g_assert_cmpint (hl_session_get_distance (session), ==, HL_DISTANCE_COSINE);
  hl_session_set_heatmap_metric (session, hl_metric_lookup ("entropy"));
  metric = g_settings_get_string (settings, "heatmap-metric");
  g_assert_cmpstr (metric, ==, "entropy");
  g_settings_set_string (settings, "heatmap-metric", "regime");
  g_assert_null (hl_session_get_heatmap_metric (session));
}

/* Every threshold of the regime rule and of the taxonomy checks is a key
 * of the same name with the core's default and range, and the options
 * read from the settings carry it. */
static void
test_thresholds (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(GSettingsSchema) schema = NULL;
  HlAnalysisOptions defaults, options;

  g_object_get (settings, "settings-schema", &schema, NULL);
  hl_analysis_options_init (&defaults);
  for (int i = 0; i < HL_REGIME_N_THRESHOLDS + HL_ASSUMPTION_N_THRESHOLDS; i++)
    {
      gboolean regime = i < HL_REGIME_N_THRESHOLDS;
      const HlRegimeThresholdInfo *r = regime ? &hl_regime_threshold_infos ()[i] : NULL;
      const HlAssumptionThresholdInfo *a =
        regime ? NULL : &hl_assumption_threshold_infos ()[i - HL_REGIME_N_THRESHOLDS];
      const char *name = regime ? r->name : a->name;
      double *field = regime ? &G_STRUCT_MEMBER (double, &options.head.thresholds, r->offset)
                             : &G_STRUCT_MEMBER (double, &options.assumptions, a->offset);
      double want = regime ? G_STRUCT_MEMBER (double, &defaults.head.thresholds, r->offset)
                           : G_STRUCT_MEMBER (double, &defaults.assumptions, a->offset);
      g_autoptr(GSettingsSchemaKey) key = NULL;
      g_autoptr(GVariant) range = NULL;
      g_autoptr(GVariant) bounds = NULL;
      const char *kind;
      double lo, hi;

      g_assert_true (g_settings_schema_has_key (schema, name));
      key = g_settings_schema_get_key (schema, name);
      range = g_settings_schema_key_get_range (key);
      g_variant_get (range, "(&sv)", &kind, &bounds);
      g_assert_cmpstr (kind, ==, "range");
      g_variant_get (bounds, "(dd)", &lo, &hi);
      g_assert_cmpfloat (hi, ==, regime ? r->max : a->max);
      g_assert_cmpfloat (lo, >=, regime ? r->min : a->min);
      g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, name), want, 1e-12);
      g_settings_set_double (settings, name, hi);
      hl_session_settings_get_options (settings, &options);
      g_assert_cmpfloat (*field, ==, hi);
    }
}

static gboolean
analysis_is_done (gpointer user_data)
{
  return !hl_session_get_running (user_data);
}

static gboolean
options_have_15_repeats (gpointer user_data)
{
  return hl_session_get_analysis_options (user_data)->head.repeats == 15;
}

static void
test_option_restarts (void)
{
  static const FixtureShape shape = {
    .n_layers = 2, .n_heads = 2, .n_kv_heads = 1, .head_dim = 8, .seq_len = 32,
    .n_samples = 1, .n_queries = 1, .seed = 4,
  };
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.h5", NULL);
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(HlSession) session = hl_session_new ();
  g_autoptr(HlActivations) file = NULL;
  gint64 changed;

  fixture_write_file (path, &shape);
  file = hl_activations_open (path, NULL);
  hl_session_bind_settings (session, settings);
  hl_session_set_file (session, file);
  g_assert_true (hl_test_wait_until (analysis_is_done, session, 30000));
  g_assert_cmpint (hl_session_get_analysis_options (session)->head.repeats, ==, 16);

  /* Three steps of a spin button: one restart, after the last. */
  changed = g_get_monotonic_time ();
  for (int r = 13; r <= 15; r++)
    g_settings_set_int (settings, "random-repeats", r);
  hl_test_spin (HL_SESSION_SETTINGS_RESTART_DELAY_MS / 2);
  g_assert_cmpint (hl_session_get_analysis_state (session), ==, HL_SESSION_ANALYSIS_DONE);
  g_assert_cmpint (hl_session_get_analysis_options (session)->head.repeats, ==, 16);
  g_assert_true (hl_test_wait_until (options_have_15_repeats, session, 5000));
  g_assert_cmpint (g_get_monotonic_time () - changed, >=,
                   HL_SESSION_SETTINGS_RESTART_DELAY_MS * 1000);
  g_assert_true (hl_test_wait_until (analysis_is_done, session, 30000));
  g_assert_cmpint (hl_session_get_analysis_state (session), ==, HL_SESSION_ANALYSIS_DONE);
  g_clear_object (&session);
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/session-settings/migrate", test_migrate);
  g_test_add_func ("/session-settings/view-both-ways", test_view_both_ways);
  g_test_add_func ("/session-settings/option-restarts", test_option_restarts);
  g_test_add_func ("/session-settings/thresholds", test_thresholds);
  return hl_test_run_and_wait ();
}
