/* hl-background.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-background.h"

static GMutex lock;
static GCond  idle;
static int    n_running;

void
hl_background_begin (void)
{
  g_mutex_lock (&lock);
  n_running++;
  g_mutex_unlock (&lock);
}

void
hl_background_end (void)
{
  g_mutex_lock (&lock);
  g_assert (n_running > 0);
  if (--n_running == 0)
    g_cond_broadcast (&idle);
  g_mutex_unlock (&lock);
}

gboolean
hl_background_wait (gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gboolean done;

  g_mutex_lock (&lock);
  while (n_running > 0 && g_cond_wait_until (&idle, &lock, deadline))
    ;
  done = n_running == 0;
  g_mutex_unlock (&lock);
  return done;
}

static void
bracketed_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GTaskThreadFunc func = (GTaskThreadFunc) g_object_get_data (G_OBJECT (task), "hl-background-func");

  func (task, source_object, task_data, cancellable);
  hl_background_end ();
}

void
hl_background_run_in_thread (GTask           *task,
                             GTaskThreadFunc  func)
{
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  g_object_set_data (G_OBJECT (task), "hl-background-func", (gpointer) func);
  hl_background_begin ();
  g_task_run_in_thread (task, bracketed_thread);
}

typedef struct
{
  GTask          *task;        /* owned reference */
  HlProgressFunc  func;
  gpointer        user_data;
  guint64         done;
  guint64         total;
} ProgressUpdate;

static gboolean
progress_update_cb (gpointer data)
{
  ProgressUpdate *update = data;

  if (!g_task_get_completed (update->task))
    update->func (update->done, update->total, update->user_data);
  return G_SOURCE_REMOVE;
}

static void
progress_update_free (gpointer data)
{
  ProgressUpdate *update = data;

  g_object_unref (update->task);
  g_free (update);
}

void
hl_background_post_progress (GTask          *task,
                             HlProgressFunc  func,
                             gpointer        user_data,
                             guint64         done,
                             guint64         total)
{
  ProgressUpdate *update;
  GSource *source;

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  update = g_new (ProgressUpdate, 1);
  update->task = g_object_ref (task);
  update->func = func;
  update->user_data = user_data;
  update->done = done;
  update->total = total;
  /* g_main_context_invoke () would run the callback in this worker when
   * the context happens to be free, and queue it behind the completion
   * otherwise. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, progress_update_cb, update, progress_update_free);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}
