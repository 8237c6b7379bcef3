/* hl-session-settings.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-session-settings.h"

/* Settings whose change needs a new analysis, besides the regime
 * thresholds (hl_regime_threshold_infos ()) and those of the taxonomy
 * checks (hl_assumption_threshold_infos ()). */
static const char * const analysis_keys[] = {
  "random-repeats", "bootstrap-replicates", "analysis-threads",
};

/* What a binding keeps; freed with the session. */
typedef struct
{
  HlSession *session;   /* borrowed: the binding lives as long as it */
  GSettings *settings;
  gulong     changed_id;
  guint      restart_id;
} Binding;

static GVariant *
metric_name_of_color_mode (GVariant *old_value)
{
  const HlMetric *metric = hl_metric_lookup (g_variant_get_string (old_value, NULL));

  return g_variant_new_string (metric != NULL ? metric->name : "regime");
}

static void
migrate_key (GSettings   *settings,
             const char  *old_key,
             const char  *new_key,
             GVariant *(*convert) (GVariant *old_value))
{
  g_autoptr(GVariant) old_value = g_settings_get_user_value (settings, old_key);
  g_autoptr(GVariant) new_value = g_settings_get_user_value (settings, new_key);

  if (old_value == NULL)
    return;
  /* A value already set under the new name is the newer one. */
  if (new_value == NULL)
    g_settings_set_value (settings, new_key,
                          convert != NULL ? convert (old_value) : old_value);
  g_settings_reset (settings, old_key);
}

void
hl_session_settings_migrate (GSettings *settings)
{
  g_return_if_fail (G_IS_SETTINGS (settings));

  migrate_key (settings, "blas-threads", "analysis-threads", NULL);
  migrate_key (settings, "colour-mode", "heatmap-metric", metric_name_of_color_mode);
}

void
hl_session_settings_get_options (GSettings         *settings,
                                 HlAnalysisOptions *options)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (options != NULL);

  hl_analysis_options_init (options);
  options->head.repeats = g_settings_get_int (settings, "random-repeats");
  for (int i = 0; i < HL_REGIME_N_THRESHOLDS; i++)
    {
      const HlRegimeThresholdInfo *info = &hl_regime_threshold_infos ()[i];

      G_STRUCT_MEMBER (double, &options->head.thresholds, info->offset)
        = g_settings_get_double (settings, info->name);
    }
  for (int i = 0; i < HL_ASSUMPTION_N_THRESHOLDS; i++)
    {
      const HlAssumptionThresholdInfo *info = &hl_assumption_threshold_infos ()[i];

      G_STRUCT_MEMBER (double, &options->assumptions, info->offset)
        = g_settings_get_double (settings, info->name);
    }
  options->bootstrap = g_settings_get_int (settings, "bootstrap-replicates");
  options->threads = g_settings_get_int (settings, "analysis-threads");
}

static void
binding_apply_options (Binding *binding)
{
  HlAnalysisOptions options;

  hl_session_settings_get_options (binding->settings, &options);
  hl_session_set_analysis_options (binding->session, &options);
}

static gboolean
restart_timeout_cb (gpointer user_data)
{
  Binding *binding = user_data;

  binding->restart_id = 0;
  binding_apply_options (binding);
  return G_SOURCE_REMOVE;
}

static gboolean
is_analysis_key (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (analysis_keys); i++)
    if (g_str_equal (key, analysis_keys[i]))
      return TRUE;
  for (int i = 0; i < HL_REGIME_N_THRESHOLDS; i++)
    if (g_str_equal (key, hl_regime_threshold_infos ()[i].name))
      return TRUE;
  for (int i = 0; i < HL_ASSUMPTION_N_THRESHOLDS; i++)
    if (g_str_equal (key, hl_assumption_threshold_infos ()[i].name))
      return TRUE;
  return FALSE;
}

static void
settings_changed_cb (GSettings  *settings,
                     const char *key,
                     Binding    *binding)
{
  if (!is_analysis_key (key))
    return;

  g_clear_handle_id (&binding->restart_id, g_source_remove);
  binding->restart_id = g_timeout_add (HL_SESSION_SETTINGS_RESTART_DELAY_MS,
                                       restart_timeout_cb, binding);
}

/* The N shown is what the user asks for next time; a query with a single
 * key has none (0), which is not stored. */
static void
session_n_changed_cb (HlSession  *session,
                      GParamSpec *pspec,
                      Binding    *binding)
{
  int n = hl_session_get_n (session);

  if (n > 0 && n != g_settings_get_int (binding->settings, "n"))
    g_settings_set_int (binding->settings, "n", n);
}

static void
binding_free (gpointer data)
{
  Binding *binding = data;

  g_clear_handle_id (&binding->restart_id, g_source_remove);
  g_clear_signal_handler (&binding->changed_id, binding->settings);
  g_object_unref (binding->settings);
  g_free (binding);
}

void
hl_session_bind_settings (HlSession *session,
                          GSettings *settings)
{
  Binding *binding;

  g_return_if_fail (HL_IS_SESSION (session));
  g_return_if_fail (G_IS_SETTINGS (settings));

  hl_session_settings_migrate (settings);
  binding = g_new0 (Binding, 1);
  binding->session = session;
  binding->settings = g_object_ref (settings);
  g_object_set_data_full (G_OBJECT (session), "hl-session-settings", binding, binding_free);

  g_settings_bind (settings, "ranking", session, "ranking", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "distance", session, "distance", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "heatmap-metric", session, "heatmap-metric",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "profile-log-scale", session, "profile-log-scale",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "scope", session, "scope", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "matrix-log-scale", session, "matrix-log-scale",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "heatmap-statistic", session, "heatmap-statistic",
                   G_SETTINGS_BIND_DEFAULT);
  hl_session_set_n (session, g_settings_get_int (settings, "n"));
  g_signal_connect (session, "notify::n", G_CALLBACK (session_n_changed_cb), binding);
  binding_apply_options (binding);
  binding->changed_id = g_signal_connect (settings, "changed",
                                          G_CALLBACK (settings_changed_cb), binding);
}
