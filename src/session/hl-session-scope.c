/* hl-session-scope.c: which results the heatmap and the model panel show
 * (the sample and query shown, or the sets over samples, queries or both),
 * what the analysis finishes first, and the model-level results of that
 * scope.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-session-private.h"

#include <glib/gi18n.h>

#include "hl-background.h"

G_DEFINE_ENUM_TYPE (HlSessionScope, hl_session_scope,
  G_DEFINE_ENUM_VALUE (HL_SESSION_SCOPE_SHOWN, "shown"),
  G_DEFINE_ENUM_VALUE (HL_SESSION_SCOPE_SAMPLES, "samples"),
  G_DEFINE_ENUM_VALUE (HL_SESSION_SCOPE_QUERIES, "queries"),
  G_DEFINE_ENUM_VALUE (HL_SESSION_SCOPE_ALL, "all"))

/* The samples and queries of the scope: [first, last] of each. */
static void
scope_ranges (HlSession *self,
              int       *s0,
              int       *s1,
              int       *q0,
              int       *q1)
{
  const HlActivationsInfo *info = hl_session_file_info (self);
  gboolean all_samples = self->scope == HL_SESSION_SCOPE_SAMPLES
                         || self->scope == HL_SESSION_SCOPE_ALL;
  gboolean all_queries = self->scope == HL_SESSION_SCOPE_QUERIES
                         || self->scope == HL_SESSION_SCOPE_ALL;

  *s0 = all_samples ? 0 : self->sample;
  *s1 = all_samples ? info->n_samples - 1 : self->sample;
  *q0 = all_queries ? 0 : self->query;
  *q1 = all_queries ? info->n_queries - 1 : self->query;
}

gboolean
hl_session_in_scope (HlSession *self,
                     int        sample,
                     int        query)
{
  int s0, s1, q0, q1;

  if (self->file == NULL)
    return FALSE;
  scope_ranges (self, &s0, &s1, &q0, &q1);
  return sample >= s0 && sample <= s1 && query >= q0 && query <= q1;
}

guint
hl_session_get_scope_size (HlSession *self)
{
  int s0, s1, q0, q1;

  g_return_val_if_fail (HL_IS_SESSION (self), 0);

  if (self->file == NULL)
    return 0;
  scope_ranges (self, &s0, &s1, &q0, &q1);
  return (guint) (s1 - s0 + 1) * (q1 - q0 + 1);
}

guint
hl_session_collect (HlSession     *self,
                    int            layer,
                    int            head,
                    HlHeadResult **out)
{
  int s0, s1, q0, q1;
  guint n = 0;

  g_return_val_if_fail (HL_IS_SESSION (self), 0);
  g_return_val_if_fail (out != NULL, 0);

  if (self->results == NULL)
    return 0;
  scope_ranges (self, &s0, &s1, &q0, &q1);
  for (int s = s0; s <= s1; s++)
    for (int q = q0; q <= q1; q++)
      {
        HlHeadResult *result = hl_session_lookup (self, layer, head, s, q);

        if (result != NULL)
          out[n++] = result;
      }
  return n;
}

guint
hl_session_get_scope_received (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), 0);

  return self->scope_received;
}

guint
hl_session_get_scope_expected (HlSession *self)
{
  const HlActivationsInfo *info;

  g_return_val_if_fail (HL_IS_SESSION (self), 0);

  if (self->file == NULL)
    return 0;
  info = hl_session_file_info (self);
  return hl_session_get_scope_size (self) * info->n_layers * info->n_heads;
}

char *
hl_session_dup_scope_label (HlSession *self)
{
  const HlActivationsInfo *info;

  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  if (self->file == NULL)
    return g_strdup ("");
  info = hl_session_file_info (self);
  return hl_scope_label (self->scope == HL_SESSION_SCOPE_SAMPLES || self->scope == HL_SESSION_SCOPE_ALL,
                         self->scope == HL_SESSION_SCOPE_QUERIES || self->scope == HL_SESSION_SCOPE_ALL,
                         info->n_samples, info->n_queries, self->sample,
                         info->query_positions[self->query]);
}

/* What the analysis finishes first: the scope. */
void
hl_session_update_focus (HlSession *self)
{
  int s0, s1, q0, q1;

  if (self->file == NULL)
    {
      hl_analysis_focus_set (self->focus, -1, -1);
      return;
    }
  scope_ranges (self, &s0, &s1, &q0, &q1);
  hl_analysis_focus_set (self->focus, s0 == s1 ? s0 : -1, q0 == q1 ? q0 : -1);
}

/* The summary ------------------------------------------------------------- */

static void
hl_session_set_summary (HlSession      *self,
                        HlModelSummary *own,
                        gboolean        borrowed_from_analysis)
{
  const HlModelSummary *summary = own;

  if (borrowed_from_analysis)
    summary = hl_analysis_get_summary (self->analysis);
  if (summary == self->summary && own == self->own_summary)
    return;
  g_clear_pointer (&self->own_summary, hl_model_summary_free);
  self->own_summary = own;
  self->summary = summary;
  hl_session_notify (self, PROP_SUMMARY);
}

typedef struct
{
  HlHeadResult **results;   /* owned refs */
  guint          n_results;
  int            n_layers;
  int            bootstrap;
  guint64        seed;
} SummaryRequest;

static void
summary_request_free (gpointer data)
{
  SummaryRequest *request = data;

  for (guint i = 0; i < request->n_results; i++)
    hl_head_result_unref (request->results[i]);
  g_free (request->results);
  g_free (request);
}

static void
summary_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SummaryRequest *r = task_data;

  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task, hl_model_summary_new (r->results, r->n_results, r->n_layers,
                                                     r->bootstrap, r->seed),
                         (GDestroyNotify) hl_model_summary_free);
}

static void
summary_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HlSessionJob) job = user_data;
  g_autoptr(HlSession) self = g_weak_ref_get (&job->session);
  HlModelSummary *summary = g_task_propagate_pointer (G_TASK (result), NULL);

  if (self == NULL || self->summary_cancellable != job->cancellable)
    {
      g_clear_pointer (&summary, hl_model_summary_free);
      return;
    }
  g_clear_object (&self->summary_cancellable);
  hl_session_set_summary (self, summary, FALSE);
}

/* The scope's results of every head, referenced, for the worker. */
static SummaryRequest *
summary_request_new (HlSession *self)
{
  const HlActivationsInfo *info = hl_session_file_info (self);
  SummaryRequest *request = g_new0 (SummaryRequest, 1);
  guint size = hl_session_get_scope_size (self);

  request->results = g_new (HlHeadResult *, MAX (hl_session_get_scope_expected (self), 1));
  for (int l = 0; l < info->n_layers; l++)
    for (int h = 0; h < info->n_heads; h++)
      request->n_results += hl_session_collect (self, l, h, request->results + request->n_results);
  for (guint i = 0; i < request->n_results; i++)
    hl_head_result_ref (request->results[i]);
  g_assert (request->n_results <= size * info->n_layers * info->n_heads);
  request->n_layers = info->n_layers;
  request->bootstrap = self->options.bootstrap;
  request->seed = self->options.head.seed;
  return request;
}

static void
hl_session_compute_summary (HlSession *self)
{
  g_autoptr(GTask) task = NULL;

  self->summary_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->summary_cancellable, summary_cb,
                     hl_session_job_new (self, self->summary_cancellable));
  g_task_set_source_tag (task, hl_session_compute_summary);
  g_task_set_task_data (task, summary_request_new (self), summary_request_free);
  hl_background_run_in_thread (task, summary_thread);
}

/* The model-level results of the scope: the analysis's when the scope is
 * the whole file (once it has finished), else computed once every head of
 * the scope has arrived; nothing in between. */
void
hl_session_update_summary (HlSession *self)
{
  const HlActivationsInfo *info = self->file != NULL ? hl_session_file_info (self) : NULL;
  gboolean complete = info != NULL
                      && self->scope_received == hl_session_get_scope_expected (self);
  gboolean whole = info != NULL
                   && hl_session_get_scope_size (self) == (guint) info->n_samples * info->n_queries;

  if (self->summary_cancellable != NULL)
    g_cancellable_cancel (self->summary_cancellable);
  g_clear_object (&self->summary_cancellable);
  if (complete && whole && self->analysis != NULL)
    hl_session_set_summary (self, NULL, TRUE);
  else
    {
      hl_session_set_summary (self, NULL, FALSE);
      if (complete && !whole)
        hl_session_compute_summary (self);
    }
}

const HlModelSummary *
hl_session_get_summary (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return self->summary;
}

/* The scope moved (another scope, sample or query, or new results): count
 * what it has, move the focus, and start its summary over. */
void
hl_session_update_scope (HlSession *self)
{
  const HlActivationsInfo *info = self->file != NULL ? hl_session_file_info (self) : NULL;
  g_autofree HlHeadResult **cell = g_new (HlHeadResult *, MAX (hl_session_get_scope_size (self), 1));

  self->scope_received = 0;
  for (int l = 0; info != NULL && l < info->n_layers; l++)
    for (int h = 0; h < info->n_heads; h++)
      self->scope_received += hl_session_collect (self, l, h, cell);
  hl_session_update_focus (self);
  hl_session_update_summary (self);
}

/* A result arrived: one more of the scope, whose summary may now be due. */
void
hl_session_scope_result_added (HlSession    *self,
                               HlHeadResult *result)
{
  if (!hl_session_in_scope (self, result->sample, result->query_index))
    return;
  self->scope_received++;
  if (self->scope_received == hl_session_get_scope_expected (self))
    hl_session_update_summary (self);
}

void
hl_session_set_scope (HlSession      *self,
                      HlSessionScope  scope)
{
  g_return_if_fail (HL_IS_SESSION (self));
  g_return_if_fail (scope <= HL_SESSION_SCOPE_ALL);

  if (self->scope == scope)
    return;

  self->scope = scope;
  hl_session_update_scope (self);
  hl_session_notify (self, PROP_SCOPE);
}

HlSessionScope
hl_session_get_scope (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), HL_SESSION_SCOPE_SHOWN);

  return self->scope;
}

void
hl_session_set_heatmap_statistic (HlSession   *self,
                                  HlStatistic  statistic)
{
  g_return_if_fail (HL_IS_SESSION (self));
  g_return_if_fail (statistic <= HL_STATISTIC_IQR);

  if (self->statistic == statistic)
    return;

  self->statistic = statistic;
  hl_session_notify (self, PROP_HEATMAP_STATISTIC);
}

HlStatistic
hl_session_get_heatmap_statistic (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), HL_STATISTIC_MEAN);

  return self->statistic;
}
