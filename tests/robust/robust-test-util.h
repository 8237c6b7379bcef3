/* robust-test-util.h: running headlens-cli as a hostile user would: with
 * a time limit, measuring its peak memory, on a nearly full disk, and
 * interrupted by signals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-test-util.h"

G_BEGIN_DECLS

/* How one limited run ended. */
typedef struct
{
  int      status;      /* exit status, or -1 when killed by a signal */
  int      signal;      /* the signal that ended it, or 0 */
  gboolean timed_out;   /* killed by us at the time limit */
  double   seconds;
  double   max_rss_mb;  /* peak resident memory */
  char    *out;
  char    *err;
} RobustRun;

void robust_run_clear (RobustRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RobustRun, robust_run_clear)

/* The headlens-cli under test (the first argument of the test program). */
void         robust_set_cli      (const char *path);
const char  *robust_cli          (void);

/* Runs headlens-cli with the NULL-terminated @argv (after the program
 * name) and @env added to the environment ("NAME=value" strings, or NULL),
 * killing it after @limit_s seconds. */
void robust_run_full (RobustRun          *run,
                      const char * const *env,
                      double              limit_s,
                      const char * const *argv);
/* The same with a 60 s limit and no extra environment. */
void robust_run      (RobustRun          *run,
                      const char         *first,
                      ...) G_GNUC_NULL_TERMINATED;

/* The environment that makes @dir a disk of @bytes (tests/common/hl-full-disk.c). */
char **robust_full_disk_env (const char *dir,
                             gint64      bytes);

/* Starts headlens-cli with @argv in the background; returns its pid. */
GPid robust_spawn          (const char * const *argv);
/* Waits until a file whose name starts with @prefix exists below @dir and
 * holds at least @min_bytes, at most @limit_s seconds; TRUE when it did. */
gboolean robust_wait_for_file (const char *dir,
                               const char *prefix,
                               gint64      min_bytes,
                               double      limit_s);
/* Waits for @pid; returns its wait status. */
int  robust_wait           (GPid        pid);

/* The names in @dir, sorted, hidden ones included, as one string
 * "a b .c" ("" when empty). */
char *robust_list_dir       (const char *dir);

G_END_DECLS
