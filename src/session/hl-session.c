/* hl-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-session.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "hl-background.h"

struct _HlSession
{
  GObject                 parent_instance;

  HlActivations          *file;             /* the file shown, or NULL */
  GCancellable           *open_cancellable; /* the open in progress, or NULL */

  HlAnalysisOptions       options;          /* no subsets: the whole file */
  HlSessionAnalysisState  state;
  GCancellable           *run_cancellable;  /* the current run, or NULL */
  HlAnalysis             *analysis;         /* the finished one, or NULL */
  HlHeadResult          **results;          /* owned refs, [layers × heads × samples × queries] */
  gsize                   n_slots;
  guint                   n_received;
  double                  progress;

  int                     sample;
  int                     query;
  int                    *grid;             /* the N grid of the query shown */
  int                     n_grid;
  int                     wanted_n;         /* the N asked for */
  int                     n;                /* the grid value nearest to it, or 0 */
  HlRanking               ranking;
  HlDistance              distance;
  const HlMetric         *heatmap_metric;   /* NULL: the regime */

  int                     selected_layer;   /* -1: none */
  int                     selected_head;
  HlHeadResult           *selected_result;  /* owned ref, or NULL */
  HlHeadData             *head_data;        /* owned ref, or NULL */
  GCancellable           *head_cancellable; /* the head data being read, or NULL */
  HlScatter              *scatter;          /* owned cache of the head data's scatter */
};

G_DEFINE_FINAL_TYPE (HlSession, hl_session, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (HlSessionAnalysisState, hl_session_analysis_state,
  G_DEFINE_ENUM_VALUE (HL_SESSION_ANALYSIS_NONE, "none"),
  G_DEFINE_ENUM_VALUE (HL_SESSION_ANALYSIS_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (HL_SESSION_ANALYSIS_DONE, "done"),
  G_DEFINE_ENUM_VALUE (HL_SESSION_ANALYSIS_CANCELLED, "cancelled"),
  G_DEFINE_ENUM_VALUE (HL_SESSION_ANALYSIS_FAILED, "failed"))

enum {
  PROP_0,
  PROP_FILE,
  PROP_LOADING,
  PROP_ANALYSIS_STATE,
  PROP_ANALYSIS,
  PROP_PROGRESS,
  PROP_SAMPLE,
  PROP_QUERY,
  PROP_N,
  PROP_RANKING,
  PROP_DISTANCE,
  PROP_HEATMAP_METRIC,
  PROP_SELECTED_LAYER,
  PROP_SELECTED_HEAD,
  PROP_SELECTED_RESULT,
  PROP_HEAD_DATA,
  PROP_HEAD_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  RESULT_ADDED,
  ANALYSIS_FAILED,
  HEAD_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void hl_session_load_head (HlSession *self);

HlSession *
hl_session_new (void)
{
  return g_object_new (HL_TYPE_SESSION, NULL);
}

static void
notify (HlSession *self,
        guint      prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static const HlActivationsInfo *
file_info (HlSession *self)
{
  return hl_activations_get_info (self->file);
}

/* Callbacks of work started for a session hold it weakly: a session
 * dropped by its window cancels its work and is gone before the work's
 * last callback. */
typedef struct
{
  GWeakRef      session;
  GCancellable *cancellable;
} Job;

static Job *
job_new (HlSession    *self,
         GCancellable *cancellable)
{
  Job *job = g_new0 (Job, 1);

  g_weak_ref_init (&job->session, self);
  job->cancellable = g_object_ref (cancellable);
  return job;
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_weak_ref_clear (&job->session);
  g_object_unref (job->cancellable);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

/* Results ------------------------------------------------------------------ */

static gsize
result_slot (HlSession *self,
             int        layer,
             int        head,
             int        sample,
             int        query)
{
  const HlActivationsInfo *info = file_info (self);

  return (((gsize) layer * info->n_heads + head) * info->n_samples + sample)
         * info->n_queries + query;
}

HlHeadResult *
hl_session_lookup (HlSession *self,
                   int        layer,
                   int        head,
                   int        sample,
                   int        query)
{
  const HlActivationsInfo *info;

  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  if (self->results == NULL)
    return NULL;
  info = file_info (self);
  if (layer < 0 || layer >= info->n_layers || head < 0 || head >= info->n_heads
      || sample < 0 || sample >= info->n_samples || query < 0 || query >= info->n_queries)
    return NULL;
  return self->results[result_slot (self, layer, head, sample, query)];
}

HlHeadResult *
hl_session_lookup_shown (HlSession *self,
                         int        layer,
                         int        head)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return hl_session_lookup (self, layer, head, self->sample, self->query);
}

static void
hl_session_clear_results (HlSession *self)
{
  for (gsize i = 0; self->results != NULL && i < self->n_slots; i++)
    g_clear_pointer (&self->results[i], hl_head_result_unref);
  g_clear_pointer (&self->results, g_free);
  self->n_slots = 0;
  self->n_received = 0;
  if (self->analysis != NULL)
    {
      g_clear_object (&self->analysis);
      notify (self, PROP_ANALYSIS);
    }
}

/* The selected head's result follows the selection, the sample and the
 * query, and appears when the analysis delivers it. */
static void
hl_session_update_selected_result (HlSession *self)
{
  HlHeadResult *result = NULL;

  if (self->selected_layer >= 0)
    result = hl_session_lookup_shown (self, self->selected_layer, self->selected_head);
  if (result == self->selected_result)
    return;

  g_clear_pointer (&self->selected_result, hl_head_result_unref);
  self->selected_result = result != NULL ? hl_head_result_ref (result) : NULL;
  notify (self, PROP_SELECTED_RESULT);
}

/* The analysis ------------------------------------------------------------- */

static void
hl_session_set_state (HlSession              *self,
                      HlSessionAnalysisState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  notify (self, PROP_ANALYSIS_STATE);
}

static void
hl_session_set_progress (HlSession *self,
                         double     progress)
{
  if (self->progress == progress)
    return;

  self->progress = progress;
  notify (self, PROP_PROGRESS);
}

static void
analysis_head_cb (HlHeadResult *result,
                  gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(HlSession) self = g_weak_ref_get (&job->session);
  HlHeadResult **slot;

  if (self == NULL || self->run_cancellable != job->cancellable)
    return;

  slot = &self->results[result_slot (self, result->layer, result->head,
                                     result->sample, result->query_index)];
  if (*slot == NULL)
    self->n_received++;
  g_clear_pointer (slot, hl_head_result_unref);
  *slot = hl_head_result_ref (result);
  hl_session_set_progress (self, (double) self->n_received / MAX (self->n_slots, 1));
  g_signal_emit (self, signals[RESULT_ADDED], 0, result);
  hl_session_update_selected_result (self);
}

static void
analysis_finished_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(HlSession) self = g_weak_ref_get (&job->session);
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;

  analysis = hl_analysis_run_finish (result, &error);
  if (self == NULL || self->run_cancellable != job->cancellable)
    return;

  g_clear_object (&self->run_cancellable);
  if (analysis != NULL)
    {
      self->analysis = g_steal_pointer (&analysis);
      notify (self, PROP_ANALYSIS);
      hl_session_set_state (self, HL_SESSION_ANALYSIS_DONE);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    hl_session_set_state (self, HL_SESSION_ANALYSIS_CANCELLED);
  else
    {
      hl_session_set_state (self, HL_SESSION_ANALYSIS_FAILED);
      g_signal_emit (self, signals[ANALYSIS_FAILED], 0, error);
    }
}

/* Stops the current run; its callbacks are ignored from now on. */
static void
hl_session_drop_run (HlSession *self)
{
  if (self->run_cancellable == NULL)
    return;

  g_cancellable_cancel (self->run_cancellable);
  g_clear_object (&self->run_cancellable);
}

void
hl_session_restart_analysis (HlSession *self)
{
  g_autoptr(GCancellable) cancellable = NULL;

  g_return_if_fail (HL_IS_SESSION (self));

  hl_session_drop_run (self);
  hl_session_clear_results (self);
  hl_session_update_selected_result (self);
  if (self->file == NULL)
    {
      hl_session_set_progress (self, 0);
      hl_session_set_state (self, HL_SESSION_ANALYSIS_NONE);
      return;
    }

  cancellable = g_cancellable_new ();
  self->run_cancellable = g_object_ref (cancellable);
  self->n_slots = result_slot (self, file_info (self)->n_layers, 0, 0, 0);
  self->results = g_new0 (HlHeadResult *, MAX (self->n_slots, 1));
  hl_session_set_progress (self, 0);
  hl_session_set_state (self, HL_SESSION_ANALYSIS_RUNNING);
  hl_analysis_run_async (self->file, &self->options,
                         NULL, analysis_head_cb, job_new (self, cancellable), job_free,
                         cancellable, analysis_finished_cb, job_new (self, cancellable));
}

void
hl_session_cancel_analysis (HlSession *self)
{
  g_return_if_fail (HL_IS_SESSION (self));

  /* The finish callback moves the state to CANCELLED. */
  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
}

void
hl_session_set_analysis_options (HlSession               *self,
                                 const HlAnalysisOptions *options)
{
  g_return_if_fail (HL_IS_SESSION (self));
  g_return_if_fail (options != NULL);
  g_return_if_fail (options->layers == NULL && options->heads == NULL);
  g_return_if_fail (options->head.grid_kind != HL_GRID_LIST);

  self->options = *options;
  if (self->file != NULL)
    hl_session_restart_analysis (self);
}

const HlAnalysisOptions *
hl_session_get_analysis_options (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return &self->options;
}

HlSessionAnalysisState
hl_session_get_analysis_state (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), HL_SESSION_ANALYSIS_NONE);

  return self->state;
}

gboolean
hl_session_get_running (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), FALSE);

  return self->state == HL_SESSION_ANALYSIS_RUNNING;
}

HlAnalysis *
hl_session_get_analysis (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return self->analysis;
}

guint
hl_session_get_n_received (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), 0);

  return self->n_received;
}

guint
hl_session_get_n_expected (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), 0);

  return self->n_slots;
}

/* What is looked at ------------------------------------------------------- */

static void
hl_session_clear_scatter (HlSession *self)
{
  g_clear_pointer (&self->scatter, hl_scatter_free);
}

/* Moves N to the grid value nearest to the one asked for. */
static void
hl_session_snap_n (HlSession *self)
{
  int best = 0;

  for (int i = 1; i < self->n_grid; i++)
    if (abs (self->grid[i] - self->wanted_n) < abs (self->grid[best] - self->wanted_n))
      best = i;
  if (self->n == (self->n_grid > 0 ? self->grid[best] : 0))
    return;

  self->n = self->n_grid > 0 ? self->grid[best] : 0;
  hl_session_clear_scatter (self);
  notify (self, PROP_N);
}

/* The grid of the query shown: what the analysis computes for it. */
static void
hl_session_update_grid (HlSession *self)
{
  int n_keys = self->file != NULL ? file_info (self)->query_positions[self->query] + 1 : 0;

  g_free (self->grid);
  self->grid = g_new (int, MAX (n_keys, 1));
  self->n_grid = n_keys > 0 ? hl_grid_build (HL_GRID_POW2, NULL, 0, n_keys, self->grid) : 0;
  hl_session_snap_n (self);
}

/* The view moved to another sample or query: its results and its data. */
static void
hl_session_view_moved (HlSession *self)
{
  hl_session_update_selected_result (self);
  hl_session_load_head (self);
}

void
hl_session_set_sample (HlSession *self,
                       int        sample)
{
  g_return_if_fail (HL_IS_SESSION (self));
  g_return_if_fail (self->file != NULL || sample == 0);
  g_return_if_fail (self->file == NULL || (sample >= 0 && sample < file_info (self)->n_samples));

  if (self->sample == sample)
    return;

  self->sample = sample;
  notify (self, PROP_SAMPLE);
  hl_session_view_moved (self);
}

int
hl_session_get_sample (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), 0);

  return self->sample;
}

void
hl_session_set_query (HlSession *self,
                      int        query)
{
  g_return_if_fail (HL_IS_SESSION (self));
  g_return_if_fail (self->file != NULL || query == 0);
  g_return_if_fail (self->file == NULL || (query >= 0 && query < file_info (self)->n_queries));

  if (self->query == query)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->query = query;
  notify (self, PROP_QUERY);
  hl_session_update_grid (self);
  hl_session_view_moved (self);
  g_object_thaw_notify (G_OBJECT (self));
}

int
hl_session_get_query (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), 0);

  return self->query;
}

const int *
hl_session_get_grid (HlSession *self,
                     int       *n_grid)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);
  g_return_val_if_fail (n_grid != NULL, NULL);

  *n_grid = self->n_grid;
  return self->grid;
}

void
hl_session_set_n (HlSession *self,
                  int        n)
{
  g_return_if_fail (HL_IS_SESSION (self));
  g_return_if_fail (n >= 1);

  self->wanted_n = n;
  hl_session_snap_n (self);
}

int
hl_session_get_n (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), 0);

  return self->n;
}

void
hl_session_step_n (HlSession *self,
                   int        delta)
{
  int index = 0;

  g_return_if_fail (HL_IS_SESSION (self));

  if (self->n_grid == 0)
    return;
  while (index < self->n_grid - 1 && self->grid[index] < self->n)
    index++;
  hl_session_set_n (self, self->grid[CLAMP (index + delta, 0, self->n_grid - 1)]);
}

void
hl_session_set_ranking (HlSession *self,
                        HlRanking  ranking)
{
  g_return_if_fail (HL_IS_SESSION (self));
  g_return_if_fail (ranking < HL_N_RANKINGS);

  if (self->ranking == ranking)
    return;

  self->ranking = ranking;
  hl_session_clear_scatter (self);
  notify (self, PROP_RANKING);
}

HlRanking
hl_session_get_ranking (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), HL_RANKING_ATTENTION);

  return self->ranking;
}

void
hl_session_set_distance (HlSession  *self,
                         HlDistance  distance)
{
  g_return_if_fail (HL_IS_SESSION (self));
  g_return_if_fail (distance < HL_N_DISTANCES);

  if (self->distance == distance)
    return;

  self->distance = distance;
  hl_session_clear_scatter (self);
  notify (self, PROP_DISTANCE);
}

HlDistance
hl_session_get_distance (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), HL_DISTANCE_EUCLIDEAN);

  return self->distance;
}

void
hl_session_set_heatmap_metric (HlSession      *self,
                               const HlMetric *metric)
{
  g_return_if_fail (HL_IS_SESSION (self));

  if (self->heatmap_metric == metric)
    return;

  self->heatmap_metric = metric;
  notify (self, PROP_HEATMAP_METRIC);
}

const HlMetric *
hl_session_get_heatmap_metric (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return self->heatmap_metric;
}

/* The selected head ------------------------------------------------------- */

void
hl_session_select (HlSession *self,
                   int        layer,
                   int        head)
{
  g_return_if_fail (HL_IS_SESSION (self));

  if (self->file == NULL || layer < 0 || head < 0 || layer >= file_info (self)->n_layers
      || head >= file_info (self)->n_heads)
    layer = head = -1;
  if (layer == self->selected_layer && head == self->selected_head)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->selected_layer = layer;
  self->selected_head = head;
  notify (self, PROP_SELECTED_LAYER);
  notify (self, PROP_SELECTED_HEAD);
  hl_session_view_moved (self);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
hl_session_get_selected (HlSession *self,
                         int       *layer,
                         int       *head)
{
  g_return_val_if_fail (HL_IS_SESSION (self), FALSE);

  if (layer != NULL)
    *layer = self->selected_layer;
  if (head != NULL)
    *head = self->selected_head;
  return self->selected_layer >= 0;
}

HlHeadResult *
hl_session_get_selected_result (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return self->selected_result;
}

HlHeadData *
hl_session_get_head_data (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return self->head_data;
}

gboolean
hl_session_get_head_loading (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), FALSE);

  return self->head_cancellable != NULL;
}

guint64
hl_session_get_selected_seed (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), 0);

  return hl_head_analysis_seed (self->options.head.seed, self->selected_layer,
                                self->selected_head, self->sample, self->query);
}

const HlScatter *
hl_session_get_scatter (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  if (self->scatter == NULL && self->head_data != NULL && self->n > 0)
    self->scatter = hl_head_data_scatter (self->head_data, self->ranking, self->distance,
                                          self->n, hl_session_get_selected_seed (self));
  return self->scatter;
}

static void
hl_session_set_head_data (HlSession  *self,
                          HlHeadData *data)
{
  if (self->head_data == data)
    return;

  hl_session_clear_scatter (self);
  g_clear_pointer (&self->head_data, hl_head_data_unref);
  self->head_data = data != NULL ? hl_head_data_ref (data) : NULL;
  notify (self, PROP_HEAD_DATA);
}

static void
hl_session_set_head_loading (HlSession    *self,
                             GCancellable *cancellable)
{
  gboolean was_loading = self->head_cancellable != NULL;

  if (self->head_cancellable != NULL)
    g_cancellable_cancel (self->head_cancellable);
  g_clear_object (&self->head_cancellable);
  self->head_cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  if (was_loading != (cancellable != NULL))
    notify (self, PROP_HEAD_LOADING);
}

/* Which head to read, for the worker. */
typedef struct
{
  HlActivations *file;
  int            layer, head, sample, query;
} HeadRequest;

static void
head_request_free (gpointer data)
{
  HeadRequest *request = data;

  g_object_unref (request->file);
  g_free (request);
}

static void
load_head_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  HeadRequest *r = task_data;
  GError *error = NULL;
  HlHeadData *data;

  if (g_task_return_error_if_cancelled (task))
    return;
  data = hl_head_data_load (r->file, r->layer, r->head, r->sample, r->query, &error);
  if (data == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, data, (GDestroyNotify) hl_head_data_unref);
}

static void
load_head_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(HlSession) self = g_weak_ref_get (&job->session);
  g_autoptr(HlHeadData) data = NULL;
  g_autoptr(GError) error = NULL;

  data = g_task_propagate_pointer (G_TASK (result), &error);
  if (self == NULL || self->head_cancellable != job->cancellable)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  hl_session_set_head_loading (self, NULL);
  hl_session_set_head_data (self, data);
  if (data == NULL)
    g_signal_emit (self, signals[HEAD_FAILED], 0, error);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Reads the selected head's data on a worker; the old data goes at once,
 * so no view shows one head's data under another's name. */
static void
hl_session_load_head (HlSession *self)
{
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GTask) task = NULL;
  HeadRequest *request;

  g_object_freeze_notify (G_OBJECT (self));
  hl_session_set_head_data (self, NULL);
  hl_session_set_head_loading (self, NULL);
  if (self->file != NULL && self->selected_layer >= 0)
    {
      cancellable = g_cancellable_new ();
      hl_session_set_head_loading (self, cancellable);
      request = g_new0 (HeadRequest, 1);
      *request = (HeadRequest) { g_object_ref (self->file), self->selected_layer,
                                 self->selected_head, self->sample, self->query };
      task = g_task_new (NULL, cancellable, load_head_cb, job_new (self, cancellable));
      g_task_set_source_tag (task, hl_session_load_head);
      g_task_set_task_data (task, request, head_request_free);
      hl_background_run_in_thread (task, load_head_thread);
    }
  g_object_thaw_notify (G_OBJECT (self));
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
    notify (self, PROP_FILE);

  /* The paper's setting and the CLI's default: the last query position,
   * the one with the most keys. */
  self->sample = 0;
  self->query = file != NULL ? file_info (self)->n_queries - 1 : 0;
  notify (self, PROP_SAMPLE);
  notify (self, PROP_QUERY);
  hl_session_update_grid (self);
  self->selected_layer = self->selected_head = file != NULL ? 0 : -1;
  notify (self, PROP_SELECTED_LAYER);
  notify (self, PROP_SELECTED_HEAD);
  hl_session_load_head (self);
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
    notify (self, PROP_LOADING);
}

/* Runs on a worker: HDF5 open and validation may take a while on a large
 * or remote file. The reader serialises HDF5 access itself. */
static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autofree char *path = g_file_get_path (file);
  HlActivations *activations;
  GError *error = NULL;

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("“%s” is not a local file; only local files can be opened"),
                               uri);
      return;
    }

  activations = hl_activations_open (path, &error);
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
  g_autoptr(GCancellable) own = NULL;
  GTask *task;
  g_autoptr(GTask) worker = NULL;

  g_return_if_fail (HL_IS_SESSION (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

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
  g_task_set_task_data (worker, g_object_ref (file), g_object_unref);
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
  hl_session_clear_scatter (self);
  g_clear_pointer (&self->selected_result, hl_head_result_unref);
  g_clear_pointer (&self->head_data, hl_head_data_unref);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (hl_session_parent_class)->dispose (object);
}

static void
hl_session_finalize (GObject *object)
{
  HlSession *self = HL_SESSION (object);

  g_clear_pointer (&self->grid, g_free);

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
    case PROP_SELECTED_LAYER: g_value_set_int (value, self->selected_layer); break;
    case PROP_SELECTED_HEAD: g_value_set_int (value, self->selected_head); break;
    case PROP_SELECTED_RESULT: g_value_set_boxed (value, self->selected_result); break;
    case PROP_HEAD_DATA: g_value_set_boxed (value, self->head_data); break;
    case PROP_HEAD_LOADING: g_value_set_boolean (value, hl_session_get_head_loading (self)); break;
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
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RO (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)
#define RW (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

static void
hl_session_class_init_properties (GObjectClass *object_class)
{
  properties[PROP_FILE] = g_param_spec_object ("file", NULL, NULL, HL_TYPE_ACTIVATIONS, RO);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, RO);
  properties[PROP_ANALYSIS_STATE] =
    g_param_spec_enum ("analysis-state", NULL, NULL, HL_TYPE_SESSION_ANALYSIS_STATE,
                       HL_SESSION_ANALYSIS_NONE, RO);
  properties[PROP_ANALYSIS] = g_param_spec_object ("analysis", NULL, NULL, HL_TYPE_ANALYSIS, RO);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0, 1, 0, RO);
  properties[PROP_SAMPLE] = g_param_spec_int ("sample", NULL, NULL, 0, G_MAXINT, 0, RW);
  properties[PROP_QUERY] = g_param_spec_int ("query", NULL, NULL, 0, G_MAXINT, 0, RW);
  properties[PROP_N] = g_param_spec_int ("n", NULL, NULL, 0, G_MAXINT, 0, RW);
  properties[PROP_RANKING] = g_param_spec_enum ("ranking", NULL, NULL, HL_TYPE_RANKING,
                                                HL_RANKING_ATTENTION, RW);
  properties[PROP_DISTANCE] = g_param_spec_enum ("distance", NULL, NULL, HL_TYPE_DISTANCE,
                                                 HL_DISTANCE_EUCLIDEAN, RW);
  properties[PROP_HEATMAP_METRIC] = g_param_spec_string ("heatmap-metric", NULL, NULL,
                                                         "regime", RW);
  properties[PROP_SELECTED_LAYER] = g_param_spec_int ("selected-layer", NULL, NULL,
                                                      -1, G_MAXINT, -1, RO);
  properties[PROP_SELECTED_HEAD] = g_param_spec_int ("selected-head", NULL, NULL,
                                                     -1, G_MAXINT, -1, RO);
  properties[PROP_SELECTED_RESULT] = g_param_spec_boxed ("selected-result", NULL, NULL,
                                                         HL_TYPE_HEAD_RESULT, RO);
  properties[PROP_HEAD_DATA] = g_param_spec_boxed ("head-data", NULL, NULL,
                                                   HL_TYPE_HEAD_DATA, RO);
  properties[PROP_HEAD_LOADING] = g_param_spec_boolean ("head-loading", NULL, NULL, FALSE, RO);
  g_object_class_install_properties (object_class, N_PROPS, properties);
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

  signals[RESULT_ADDED] =
    g_signal_new ("result-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, HL_TYPE_HEAD_RESULT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[ANALYSIS_FAILED] =
    g_signal_new ("analysis-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[HEAD_FAILED] =
    g_signal_new ("head-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
hl_session_init (HlSession *self)
{
  hl_analysis_options_init (&self->options);
  self->ranking = HL_RANKING_ATTENTION;
  self->distance = HL_DISTANCE_EUCLIDEAN;
  self->wanted_n = 8;
  self->selected_layer = self->selected_head = -1;
  self->grid = g_new (int, 1);
}
