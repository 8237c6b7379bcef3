/* hl-session-grid.c: the attention matrices of every head of the sample
 * shown, read on a worker when a view asks for them, and how matrices are
 * coloured.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-session-private.h"

#include "hl-background.h"

/* Each head's matrix in the grid is at most this many blocks a side. */
#define GRID_MATRIX_SIZE HL_ATTENTION_GRID_SIZE

void
hl_session_set_matrix_log_scale (HlSession *self,
                                 gboolean   log_scale)
{
  g_return_if_fail (HL_IS_SESSION (self));

  if (self->matrix_log_scale == !!log_scale)
    return;

  self->matrix_log_scale = !!log_scale;
  hl_session_notify (self, PROP_MATRIX_LOG_SCALE);
}

gboolean
hl_session_get_matrix_log_scale (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), FALSE);

  return self->matrix_log_scale;
}

const HlAttentionGrid *
hl_session_get_attention_grid (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return self->attention_grid;
}

gboolean
hl_session_get_grid_loading (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), FALSE);

  return self->grid_cancellable != NULL;
}

static void
hl_session_set_grid_loading (HlSession    *self,
                             GCancellable *cancellable)
{
  gboolean was_loading = self->grid_cancellable != NULL;

  if (self->grid_cancellable != NULL)
    g_cancellable_cancel (self->grid_cancellable);
  g_clear_object (&self->grid_cancellable);
  self->grid_cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  if (was_loading != (cancellable != NULL))
    hl_session_notify (self, PROP_GRID_LOADING);
}

void
hl_session_clear_attention_grid (HlSession *self)
{
  hl_session_set_grid_loading (self, NULL);
  if (self->attention_grid == NULL)
    return;
  g_clear_pointer (&self->attention_grid, hl_attention_grid_free);
  hl_session_notify (self, PROP_ATTENTION_GRID);
}

typedef struct
{
  HlActivations *file;
  int            sample;
} GridRequest;

static void
grid_request_free (gpointer data)
{
  GridRequest *request = data;

  g_object_unref (request->file);
  g_free (request);
}

static void
grid_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GridRequest *r = task_data;
  GError *error = NULL;
  HlAttentionGrid *grid = hl_attention_grid_read (r->file, r->sample, GRID_MATRIX_SIZE,
                                                  cancellable, &error);

  if (grid == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, grid, (GDestroyNotify) hl_attention_grid_free);
}

static void
grid_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(HlSessionJob) job = user_data;
  g_autoptr(HlSession) self = g_weak_ref_get (&job->session);
  g_autoptr(GError) error = NULL;
  HlAttentionGrid *grid = g_task_propagate_pointer (G_TASK (result), &error);

  if (self == NULL || self->grid_cancellable != job->cancellable)
    {
      g_clear_pointer (&grid, hl_attention_grid_free);
      return;
    }
  g_object_freeze_notify (G_OBJECT (self));
  hl_session_set_grid_loading (self, NULL);
  self->attention_grid = grid;
  if (grid != NULL)
    hl_session_notify (self, PROP_ATTENTION_GRID);
  else
    g_signal_emit (self, hl_session_signals[HEAD_FAILED], 0, error);
  g_object_thaw_notify (G_OBJECT (self));
}

void
hl_session_load_attention_grid (HlSession *self)
{
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GTask) task = NULL;
  GridRequest *request;

  g_return_if_fail (HL_IS_SESSION (self));

  if (self->file == NULL || self->attention_grid != NULL || self->grid_cancellable != NULL
      || hl_session_file_info (self)->n_queries < 2)
    return;
  cancellable = g_cancellable_new ();
  hl_session_set_grid_loading (self, cancellable);
  request = g_new0 (GridRequest, 1);
  *request = (GridRequest) { g_object_ref (self->file), self->sample };
  task = g_task_new (NULL, cancellable, grid_cb, hl_session_job_new (self, cancellable));
  g_task_set_source_tag (task, hl_session_load_attention_grid);
  g_task_set_task_data (task, request, grid_request_free);
  hl_background_run_in_thread (task, grid_thread);
}
