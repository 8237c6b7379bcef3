/* hl-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-session-private.h"

#include <glib/gi18n.h>

#include "hl-background.h"

G_DEFINE_FINAL_TYPE (HlSession, hl_session, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (HlSessionAnalysisState, hl_session_analysis_state,
  G_DEFINE_ENUM_VALUE (HL_SESSION_ANALYSIS_NONE, "none"),
  G_DEFINE_ENUM_VALUE (HL_SESSION_ANALYSIS_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (HL_SESSION_ANALYSIS_DONE, "done"),
  G_DEFINE_ENUM_VALUE (HL_SESSION_ANALYSIS_CANCELLED, "cancelled"),
  G_DEFINE_ENUM_VALUE (HL_SESSION_ANALYSIS_FAILED, "failed"))

GParamSpec *hl_session_properties[N_PROPS];
guint       hl_session_signals[N_SIGNALS];

HlSession *
hl_session_new (void)
{
  return g_object_new (HL_TYPE_SESSION, NULL);
}

void
hl_session_notify (HlSession         *self,
                   HlSessionProperty  prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), hl_session_properties[prop]);
}

const HlActivationsInfo *
hl_session_file_info (HlSession *self)
{
  return hl_activations_get_info (self->file);
}

HlSessionJob *
hl_session_job_new (HlSession    *self,
                    GCancellable *cancellable)
{
  HlSessionJob *job = g_new0 (HlSessionJob, 1);

  g_weak_ref_init (&job->session, self);
  job->cancellable = g_object_ref (cancellable);
  return job;
}

void
hl_session_job_free (gpointer data)
{
  HlSessionJob *job = data;

  g_weak_ref_clear (&job->session);
  g_object_unref (job->cancellable);
  g_free (job);
}

/* The file ---------------------------------------------------------------- */

void
hl_session_set_file (HlSession     *self,
                     HlActivations *file)
{
  g_return_if_fail (HL_IS_SESSION (self));
  g_return_if_fail (file == NULL || HL_IS_ACTIVATIONS (file));

  g_object_freeze_notify (G_OBJECT (self));
  hl_session_drop_run (self);
  hl_session_clear_results (self);
  if (g_set_object (&self->file, file))
    hl_session_notify (self, PROP_FILE);
  hl_session_clear_attention_grid (self);

  /* The paper's setting and the CLI's default: the last query position,
   * the one with the most keys. */
  self->sample = 0;
  self->query = file != NULL ? hl_session_file_info (self)->n_queries - 1 : 0;
  hl_session_set_highlighted_key (self, -1);
  hl_session_notify (self, PROP_SAMPLE);
  hl_session_notify (self, PROP_QUERY);
  hl_session_update_grid (self);
  self->selected_layer = self->selected_head = file != NULL ? 0 : -1;
  hl_session_notify (self, PROP_SELECTED_LAYER);
  hl_session_notify (self, PROP_SELECTED_HEAD);
  hl_session_load_head (self);
  self->pinned_layer = self->pinned_head = -1;
  hl_session_notify (self, PROP_PINNED_LAYER);
  hl_session_notify (self, PROP_PINNED_HEAD);
  hl_session_load_pinned (self);
  hl_session_restart_analysis (self);
  g_object_thaw_notify (G_OBJECT (self));
}

HlActivations *
hl_session_get_file (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return self->file;
}

gboolean
hl_session_get_loading (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), FALSE);

  return self->open_cancellable != NULL;
}

static void
hl_session_set_opening (HlSession    *self,
                        GCancellable *cancellable)
{
  gboolean was_loading = self->open_cancellable != NULL;

  g_clear_object (&self->open_cancellable);
  self->open_cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  if (was_loading != (cancellable != NULL))
    hl_session_notify (self, PROP_LOADING);
}

/* Runs on a worker: HDF5 open and validation may take a while on a large
 * or remote file, or on the many files of a corpus. The reader serialises
 * HDF5 access itself. */
static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GPtrArray *files = task_data;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  HlActivations *activations;
  GError *error = NULL;

  for (guint i = 0; i < files->len; i++)
    {
      char *path = g_file_get_path (g_ptr_array_index (files, i));

      if (path == NULL)
        {
          g_autofree char *uri = g_file_get_uri (g_ptr_array_index (files, i));

          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                   _("“%s” is not a local file; only local files can be opened"),
                                   uri);
          return;
        }
      g_ptr_array_add (paths, path);
    }

  /* A folder or a list file opens as a corpus too. */
  activations = hl_activations_open_corpus ((const char * const *) paths->pdata, paths->len,
                                            HL_ACTIVATIONS_OPEN_DEFAULT, &error);
  if (activations == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, activations, g_object_unref);
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HlSession *self = g_task_get_source_object (task);
  g_autoptr(HlActivations) activations = NULL;
  GError *error = NULL;

  activations = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_task_get_cancellable (G_TASK (result)) == self->open_cancellable)
    hl_session_set_opening (self, NULL);
  /* A newer open or the caller cancelled this one: its file is not shown. */
  if (g_task_return_error_if_cancelled (task))
    {
      g_clear_error (&error);
      return;
    }
  if (activations == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  hl_session_set_file (self, activations);
  g_task_return_boolean (task, TRUE);
}

void
hl_session_open_async (HlSession           *self,
                       GFile               *file,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (G_IS_FILE (file));

  hl_session_open_files_async (self, &file, 1, cancellable, callback, user_data);
}

void
hl_session_open_files_async (HlSession           *self,
                             GFile * const       *files,
                             guint                n_files,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GCancellable) own = NULL;
  g_autoptr(GPtrArray) list = NULL;
  GTask *task;
  g_autoptr(GTask) worker = NULL;

  g_return_if_fail (HL_IS_SESSION (self));
  g_return_if_fail (files != NULL && n_files >= 1);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  list = g_ptr_array_new_full (n_files, g_object_unref);
  for (guint i = 0; i < n_files; i++)
    {
      g_return_if_fail (G_IS_FILE (files[i]));
      g_ptr_array_add (list, g_object_ref (files[i]));
    }

  /* A newer open replaces this one. */
  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  own = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  hl_session_set_opening (self, own);

  /* The caller's task holds the session until it returns; the worker's
   * task, which a pool thread may drop last, holds nothing of it. */
  task = g_task_new (self, own, callback, user_data);
  g_task_set_source_tag (task, hl_session_open_async);
  worker = g_task_new (NULL, own, open_cb, task);
  g_task_set_task_data (worker, g_steal_pointer (&list), (GDestroyNotify) g_ptr_array_unref);
  hl_background_run_in_thread (worker, open_thread);
}

gboolean
hl_session_open_finish (HlSession     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hl_session_open_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Life cycle -------------------------------------------------------------- */

static void
hl_session_dispose (GObject *object)
{
  HlSession *self = HL_SESSION (object);

  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  hl_session_drop_run (self);
  if (self->head_cancellable != NULL)
    g_cancellable_cancel (self->head_cancellable);
  g_clear_object (&self->head_cancellable);
  hl_session_clear_results (self);
  g_clear_error (&self->analysis_error);
  hl_session_clear_scatter (self);
  g_clear_pointer (&self->selected_result, hl_head_result_unref);
  g_clear_pointer (&self->head_data, hl_head_data_unref);
  hl_session_clear_pinned (self);
  if (self->summary_cancellable != NULL)
    g_cancellable_cancel (self->summary_cancellable);
  g_clear_object (&self->summary_cancellable);
  g_clear_pointer (&self->own_summary, hl_model_summary_free);
  self->summary = NULL;
  hl_session_clear_attention_grid (self);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (hl_session_parent_class)->dispose (object);
}

static void
hl_session_finalize (GObject *object)
{
  HlSession *self = HL_SESSION (object);

  g_clear_pointer (&self->grid, g_free);
  g_clear_pointer (&self->focus, hl_analysis_focus_unref);

  G_OBJECT_CLASS (hl_session_parent_class)->finalize (object);
}

static void
hl_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  HlSession *self = HL_SESSION (object);

  switch (prop_id)
    {
    case PROP_FILE: g_value_set_object (value, self->file); break;
    case PROP_LOADING: g_value_set_boolean (value, hl_session_get_loading (self)); break;
    case PROP_ANALYSIS_STATE: g_value_set_enum (value, self->state); break;
    case PROP_ANALYSIS: g_value_set_object (value, self->analysis); break;
    case PROP_PROGRESS: g_value_set_double (value, self->progress); break;
    case PROP_SAMPLE: g_value_set_int (value, self->sample); break;
    case PROP_QUERY: g_value_set_int (value, self->query); break;
    case PROP_N: g_value_set_int (value, self->n); break;
    case PROP_RANKING: g_value_set_enum (value, self->ranking); break;
    case PROP_DISTANCE: g_value_set_enum (value, self->distance); break;
    case PROP_HEATMAP_METRIC:
      g_value_set_string (value, self->heatmap_metric != NULL ? self->heatmap_metric->name
                                                              : "regime");
      break;
    case PROP_PROFILE_LOG_SCALE: g_value_set_boolean (value, self->profile_log_scale); break;
    case PROP_MATRIX_LOG_SCALE: g_value_set_boolean (value, self->matrix_log_scale); break;
    case PROP_ATTENTION_GRID: g_value_set_pointer (value, self->attention_grid); break;
    case PROP_GRID_LOADING: g_value_set_boolean (value, self->grid_cancellable != NULL); break;
    case PROP_HEATMAP_STATISTIC: g_value_set_enum (value, self->statistic); break;
    case PROP_SCOPE: g_value_set_enum (value, self->scope); break;
    case PROP_SUMMARY: g_value_set_pointer (value, (gpointer) self->summary); break;
    case PROP_HIGHLIGHTED_KEY: g_value_set_int (value, self->highlighted_key); break;
    case PROP_SELECTED_LAYER: g_value_set_int (value, self->selected_layer); break;
    case PROP_SELECTED_HEAD: g_value_set_int (value, self->selected_head); break;
    case PROP_SELECTED_RESULT: g_value_set_boxed (value, self->selected_result); break;
    case PROP_HEAD_DATA: g_value_set_boxed (value, self->head_data); break;
    case PROP_HEAD_LOADING: g_value_set_boolean (value, hl_session_get_head_loading (self)); break;
    case PROP_PINNED_LAYER: g_value_set_int (value, self->pinned_layer); break;
    case PROP_PINNED_HEAD: g_value_set_int (value, self->pinned_head); break;
    case PROP_PINNED_DATA: g_value_set_boxed (value, self->pinned_data); break;
    case PROP_SCATTER_VALUES: g_value_set_boolean (value, self->scatter_values); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  HlSession *self = HL_SESSION (object);

  switch (prop_id)
    {
    case PROP_SAMPLE: hl_session_set_sample (self, g_value_get_int (value)); break;
    case PROP_QUERY: hl_session_set_query (self, g_value_get_int (value)); break;
    case PROP_N: hl_session_set_n (self, g_value_get_int (value)); break;
    case PROP_RANKING: hl_session_set_ranking (self, g_value_get_enum (value)); break;
    case PROP_DISTANCE: hl_session_set_distance (self, g_value_get_enum (value)); break;
    case PROP_HEATMAP_METRIC:
      /* "regime" and unknown names colour by regime. */
      hl_session_set_heatmap_metric (self, hl_metric_lookup (g_value_get_string (value)));
      break;
    case PROP_PROFILE_LOG_SCALE:
      hl_session_set_profile_log_scale (self, g_value_get_boolean (value));
      break;
    case PROP_MATRIX_LOG_SCALE:
      hl_session_set_matrix_log_scale (self, g_value_get_boolean (value));
      break;
    case PROP_HEATMAP_STATISTIC:
      hl_session_set_heatmap_statistic (self, g_value_get_enum (value));
      break;
    case PROP_SCOPE: hl_session_set_scope (self, g_value_get_enum (value)); break;
    case PROP_SCATTER_VALUES:
      hl_session_set_scatter_values (self, g_value_get_boolean (value));
      break;
    case PROP_HIGHLIGHTED_KEY:
      hl_session_set_highlighted_key (self, g_value_get_int (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RO (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)
#define RW (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

static void
hl_session_class_init_properties (GObjectClass *object_class)
{
  GParamSpec **p = hl_session_properties;

  p[PROP_FILE] = g_param_spec_object ("file", NULL, NULL, HL_TYPE_ACTIVATIONS, RO);
  p[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, RO);
  p[PROP_ANALYSIS_STATE] = g_param_spec_enum ("analysis-state", NULL, NULL,
                                              HL_TYPE_SESSION_ANALYSIS_STATE,
                                              HL_SESSION_ANALYSIS_NONE, RO);
  p[PROP_ANALYSIS] = g_param_spec_object ("analysis", NULL, NULL, HL_TYPE_ANALYSIS, RO);
  p[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0, 1, 0, RO);
  p[PROP_SAMPLE] = g_param_spec_int ("sample", NULL, NULL, 0, G_MAXINT, 0, RW);
  p[PROP_QUERY] = g_param_spec_int ("query", NULL, NULL, 0, G_MAXINT, 0, RW);
  p[PROP_N] = g_param_spec_int ("n", NULL, NULL, 0, G_MAXINT, 0, RW);
  p[PROP_RANKING] = g_param_spec_enum ("ranking", NULL, NULL, HL_TYPE_RANKING,
                                       HL_RANKING_ATTENTION, RW);
  p[PROP_DISTANCE] = g_param_spec_enum ("distance", NULL, NULL, HL_TYPE_DISTANCE,
                                        HL_DISTANCE_EUCLIDEAN, RW);
  p[PROP_HEATMAP_METRIC] = g_param_spec_string ("heatmap-metric", NULL, NULL, "regime", RW);
  p[PROP_PROFILE_LOG_SCALE] = g_param_spec_boolean ("profile-log-scale", NULL, NULL, FALSE, RW);
  p[PROP_MATRIX_LOG_SCALE] = g_param_spec_boolean ("matrix-log-scale", NULL, NULL, FALSE, RW);
  p[PROP_ATTENTION_GRID] = g_param_spec_pointer ("attention-grid", NULL, NULL, RO);
  p[PROP_GRID_LOADING] = g_param_spec_boolean ("grid-loading", NULL, NULL, FALSE, RO);
  p[PROP_HEATMAP_STATISTIC] = g_param_spec_enum ("heatmap-statistic", NULL, NULL,
                                                 HL_TYPE_STATISTIC, HL_STATISTIC_MEAN, RW);
  p[PROP_SCOPE] = g_param_spec_enum ("scope", NULL, NULL, HL_TYPE_SESSION_SCOPE,
                                     HL_SESSION_SCOPE_SHOWN, RW);
  p[PROP_SUMMARY] = g_param_spec_pointer ("summary", NULL, NULL, RO);
  p[PROP_HIGHLIGHTED_KEY] = g_param_spec_int ("highlighted-key", NULL, NULL, -1, G_MAXINT, -1, RW);
  p[PROP_SELECTED_LAYER] = g_param_spec_int ("selected-layer", NULL, NULL, -1, G_MAXINT, -1, RO);
  p[PROP_SELECTED_HEAD] = g_param_spec_int ("selected-head", NULL, NULL, -1, G_MAXINT, -1, RO);
  p[PROP_SELECTED_RESULT] = g_param_spec_boxed ("selected-result", NULL, NULL,
                                                HL_TYPE_HEAD_RESULT, RO);
  p[PROP_HEAD_DATA] = g_param_spec_boxed ("head-data", NULL, NULL, HL_TYPE_HEAD_DATA, RO);
  p[PROP_HEAD_LOADING] = g_param_spec_boolean ("head-loading", NULL, NULL, FALSE, RO);
  p[PROP_PINNED_LAYER] = g_param_spec_int ("pinned-layer", NULL, NULL, -1, G_MAXINT, -1, RO);
  p[PROP_PINNED_HEAD] = g_param_spec_int ("pinned-head", NULL, NULL, -1, G_MAXINT, -1, RO);
  p[PROP_PINNED_DATA] = g_param_spec_boxed ("pinned-data", NULL, NULL, HL_TYPE_HEAD_DATA, RO);
  p[PROP_SCATTER_VALUES] = g_param_spec_boolean ("scatter-values", NULL, NULL, FALSE, RW);
  g_object_class_install_properties (object_class, N_PROPS, p);
}

static void
hl_session_class_init (HlSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hl_session_dispose;
  object_class->finalize = hl_session_finalize;
  object_class->get_property = hl_session_get_property;
  object_class->set_property = hl_session_set_property;
  hl_session_class_init_properties (object_class);

  hl_session_signals[RESULT_ADDED] =
    g_signal_new ("result-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, HL_TYPE_HEAD_RESULT | G_SIGNAL_TYPE_STATIC_SCOPE);
  hl_session_signals[ANALYSIS_FAILED] =
    g_signal_new ("analysis-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  hl_session_signals[HEAD_FAILED] =
    g_signal_new ("head-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
hl_session_init (HlSession *self)
{
  hl_analysis_options_init (&self->options);
  self->focus = hl_analysis_focus_new ();
  self->ranking = HL_RANKING_ATTENTION;
  self->distance = HL_DISTANCE_EUCLIDEAN;
  self->wanted_n = 8;
  self->selected_layer = self->selected_head = -1;
  self->pinned_layer = self->pinned_head = -1;
  self->highlighted_key = -1;
  self->grid = g_new (int, 1);
}
