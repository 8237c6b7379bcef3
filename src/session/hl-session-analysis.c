/* hl-session-analysis.c: the session's analysis and the results it has
 * received.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-session-private.h"

/* Results ------------------------------------------------------------------ */

static gsize
result_slot (HlSession *self,
             int        layer,
             int        head,
             int        sample,
             int        query)
{
  const HlActivationsInfo *info = hl_session_file_info (self);

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
  info = hl_session_file_info (self);
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

void
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
      hl_session_notify (self, PROP_ANALYSIS);
    }
  hl_session_update_scope (self);
}

/* The selected head's result follows the selection, the sample and the
 * query, and appears when the analysis delivers it. */
void
hl_session_update_selected_result (HlSession *self)
{
  HlHeadResult *result = NULL;

  if (self->selected_layer >= 0)
    result = hl_session_lookup_shown (self, self->selected_layer, self->selected_head);
  if (result == self->selected_result)
    return;

  g_clear_pointer (&self->selected_result, hl_head_result_unref);
  self->selected_result = result != NULL ? hl_head_result_ref (result) : NULL;
  hl_session_notify (self, PROP_SELECTED_RESULT);
}

/* The analysis ------------------------------------------------------------- */


static void
hl_session_set_state (HlSession              *self,
                      HlSessionAnalysisState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  hl_session_notify (self, PROP_ANALYSIS_STATE);
}

static void
hl_session_set_progress (HlSession *self,
                         double     progress)
{
  if (self->progress == progress)
    return;

  self->progress = progress;
  hl_session_notify (self, PROP_PROGRESS);
}

static void
analysis_head_cb (HlHeadResult *result,
                  gpointer      user_data)
{
  HlSessionJob *job = user_data;
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
  hl_session_scope_result_added (self, result);
  g_signal_emit (self, hl_session_signals[RESULT_ADDED], 0, result);
  hl_session_update_selected_result (self);
}

static void
analysis_finished_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(HlSessionJob) job = user_data;
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
      hl_session_notify (self, PROP_ANALYSIS);
      hl_session_update_summary (self);
      hl_session_set_state (self, HL_SESSION_ANALYSIS_DONE);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    hl_session_set_state (self, HL_SESSION_ANALYSIS_CANCELLED);
  else
    {
      self->analysis_error = g_error_copy (error);
      hl_session_set_state (self, HL_SESSION_ANALYSIS_FAILED);
      g_signal_emit (self, hl_session_signals[ANALYSIS_FAILED], 0, error);
    }
}

/* Stops the current run; its callbacks are ignored from now on. */
void
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
  HlAnalysisOptions options;

  g_return_if_fail (HL_IS_SESSION (self));

  hl_session_drop_run (self);
  hl_session_clear_results (self);
  g_clear_error (&self->analysis_error);
  hl_session_update_selected_result (self);
  if (self->file == NULL)
    {
      hl_session_set_progress (self, 0);
      hl_session_set_state (self, HL_SESSION_ANALYSIS_NONE);
      return;
    }

  cancellable = g_cancellable_new ();
  self->run_cancellable = g_object_ref (cancellable);
  options = self->options;
  options.focus = self->focus;
  self->n_slots = result_slot (self, hl_session_file_info (self)->n_layers, 0, 0, 0);
  self->results = g_new0 (HlHeadResult *, MAX (self->n_slots, 1));
  hl_session_update_scope (self);
  hl_session_set_progress (self, 0);
  hl_session_set_state (self, HL_SESSION_ANALYSIS_RUNNING);
  hl_analysis_run_async (self->file, &options,
                         NULL, analysis_head_cb,
                         hl_session_job_new (self, cancellable), hl_session_job_free,
                         cancellable, analysis_finished_cb, hl_session_job_new (self, cancellable));
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
  self->options.focus = NULL;
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

const GError *
hl_session_get_analysis_error (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return self->analysis_error;
}

HlAnalysis *
hl_session_get_analysis (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return self->analysis;
}

double
hl_session_get_progress (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), 0);

  return self->progress;
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

