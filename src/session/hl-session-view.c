/* hl-session-view.c: what the session looks at (sample, query, N, ranking,
 * distance, colouring) and the selected head with its data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-session-private.h"

#include <stdlib.h>

#include "hl-background.h"

/* What is looked at ------------------------------------------------------- */

void
hl_session_clear_scatter (HlSession *self)
{
  g_clear_pointer (&self->scatter, hl_scatter_free);
  g_clear_pointer (&self->pinned_scatter, hl_scatter_free);
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
  hl_session_notify (self, PROP_N);
}

/* The grid of the query shown: what the analysis computes for it. */
void
hl_session_update_grid (HlSession *self)
{
  const HlActivationsInfo *info = self->file != NULL ? hl_session_file_info (self) : NULL;
  int n_keys = info != NULL ? info->query_positions[self->query] + 1 : 0;

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
  hl_session_load_pinned (self);
}

void
hl_session_set_sample (HlSession *self,
                       int        sample)
{
  g_return_if_fail (HL_IS_SESSION (self));
  g_return_if_fail (self->file != NULL || sample == 0);
  g_return_if_fail (self->file == NULL
                    || (sample >= 0 && sample < hl_session_file_info (self)->n_samples));

  if (self->sample == sample)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->sample = sample;
  hl_session_notify (self, PROP_SAMPLE);
  hl_session_set_highlighted_key (self, -1);
  hl_session_clear_attention_grid (self);
  hl_session_update_scope (self);
  hl_session_view_moved (self);
  g_object_thaw_notify (G_OBJECT (self));
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
  g_return_if_fail (self->file == NULL
                    || (query >= 0 && query < hl_session_file_info (self)->n_queries));

  if (self->query == query)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->query = query;
  hl_session_notify (self, PROP_QUERY);
  hl_session_set_highlighted_key (self, -1);
  hl_session_update_scope (self);
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
  hl_session_notify (self, PROP_RANKING);
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
  hl_session_notify (self, PROP_DISTANCE);
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
  hl_session_notify (self, PROP_HEATMAP_METRIC);
}

const HlMetric *
hl_session_get_heatmap_metric (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return self->heatmap_metric;
}

void
hl_session_set_profile_log_scale (HlSession *self,
                                  gboolean   log_scale)
{
  g_return_if_fail (HL_IS_SESSION (self));

  if (self->profile_log_scale == !!log_scale)
    return;

  self->profile_log_scale = !!log_scale;
  hl_session_notify (self, PROP_PROFILE_LOG_SCALE);
}

gboolean
hl_session_get_profile_log_scale (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), FALSE);

  return self->profile_log_scale;
}

void
hl_session_set_highlighted_key (HlSession *self,
                                int        key)
{
  g_return_if_fail (HL_IS_SESSION (self));

  key = MAX (key, -1);
  if (self->highlighted_key == key)
    return;

  self->highlighted_key = key;
  hl_session_notify (self, PROP_HIGHLIGHTED_KEY);
}

int
hl_session_get_highlighted_key (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), -1);

  return self->highlighted_key;
}

void
hl_session_set_scatter_values (HlSession *self,
                               gboolean   values)
{
  g_return_if_fail (HL_IS_SESSION (self));

  if (self->scatter_values == !!values)
    return;

  self->scatter_values = !!values;
  hl_session_clear_scatter (self);
  hl_session_notify (self, PROP_SCATTER_VALUES);
}

gboolean
hl_session_get_scatter_values (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), FALSE);

  return self->scatter_values;
}

/* The selected head ------------------------------------------------------- */

void
hl_session_select (HlSession *self,
                   int        layer,
                   int        head)
{
  g_return_if_fail (HL_IS_SESSION (self));

  if (self->file == NULL || layer < 0 || head < 0 || layer >= hl_session_file_info (self)->n_layers
      || head >= hl_session_file_info (self)->n_heads)
    layer = head = -1;
  if (layer == self->selected_layer && head == self->selected_head)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->selected_layer = layer;
  self->selected_head = head;
  hl_session_notify (self, PROP_SELECTED_LAYER);
  hl_session_notify (self, PROP_SELECTED_HEAD);
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

/* The scatter shows the permutation the head's curves used. */
guint64
hl_session_head_seed (HlSession *self,
                      int        layer,
                      int        head)
{
  return hl_head_analysis_seed (self->options.head.seed, layer, head, self->sample, self->query);
}

const HlScatter *
hl_session_get_scatter (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  if (self->scatter == NULL && self->head_data != NULL && self->n > 0)
    self->scatter = hl_head_data_scatter (self->head_data, self->ranking, self->distance,
                                          self->n,
                                          hl_session_head_seed (self, self->selected_layer,
                                                                self->selected_head),
                                          self->scatter_values);
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
  hl_session_notify (self, PROP_HEAD_DATA);
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
    hl_session_notify (self, PROP_HEAD_LOADING);
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
  g_autoptr(HlSessionJob) job = user_data;
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
    g_signal_emit (self, hl_session_signals[HEAD_FAILED], 0, error);
  g_object_thaw_notify (G_OBJECT (self));
}

void
hl_session_read_head (HlSession           *self,
                      int                  layer,
                      int                  head,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) task = NULL;
  HeadRequest *request = g_new0 (HeadRequest, 1);

  *request = (HeadRequest) { g_object_ref (self->file), layer, head, self->sample, self->query };
  task = g_task_new (NULL, cancellable, callback, hl_session_job_new (self, cancellable));
  g_task_set_source_tag (task, hl_session_read_head);
  g_task_set_task_data (task, request, head_request_free);
  hl_background_run_in_thread (task, load_head_thread);
}

/* Reads the selected head's data on a worker; the old data goes at once,
 * so no view shows one head's data under another's name. */
void
hl_session_load_head (HlSession *self)
{
  g_autoptr(GCancellable) cancellable = NULL;

  g_object_freeze_notify (G_OBJECT (self));
  hl_session_set_head_data (self, NULL);
  hl_session_set_head_loading (self, NULL);
  if (self->file != NULL && self->selected_layer >= 0)
    {
      cancellable = g_cancellable_new ();
      hl_session_set_head_loading (self, cancellable);
      hl_session_read_head (self, self->selected_layer, self->selected_head, cancellable,
                            load_head_cb);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

