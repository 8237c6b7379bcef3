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
