/* hl-background.h: work on other threads that must end before the process.
 *
 * HDF5 and OpenBLAS tear themselves down in exit handlers. A thread still
 * reading a file or running a GEMM at that moment crashes the process, even
 * though its work was already cancelled. Threads that use either library
 * bracket their work with begin/end, and whoever ends the process (the
 * application's shutdown, a test's main) waits for them first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void     hl_background_begin (void);
void     hl_background_end   (void);

/* Waits until no bracketed work is running, at most @timeout_us; returns
 * FALSE when work was still running at the deadline. */
gboolean hl_background_wait  (gint64 timeout_us);

/* g_task_run_in_thread() with @func bracketed by begin/end: counted from
 * the moment it is queued, so a task not yet started is waited for too. */
void     hl_background_run_in_thread (GTask           *task,
                                      GTaskThreadFunc  func);

/* @done of @total units of a task's work. */
typedef void (*HlProgressFunc) (guint64  done,
                                guint64  total,
                                gpointer user_data);

/* Called in @task's worker: delivers (@done, @total) to @func with
 * @user_data on the task's context, always through an idle source there
 * (never in the worker, even when that context is free), and drops it when
 * the task has completed by then, so that the task's callback is the last
 * thing the caller hears. */
void     hl_background_post_progress (GTask           *task,
                                      HlProgressFunc   func,
                                      gpointer         user_data,
                                      guint64          done,
                                      guint64          total);

G_END_DECLS
