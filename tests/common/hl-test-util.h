/* hl-test-util.h: what many test programs need: running a program (mostly
 * headlens-cli) and capturing its output, and a temporary folder for
 * fixtures that is removed afterwards.
 *
 * Failures here are test failures (g_assert), never errors to handle.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdarg.h>

G_BEGIN_DECLS

/* The outcome of one run: the exit status and all it printed. */
typedef struct
{
  int   status;
  char *out;
  char *err;
} HlTestRun;

void       hl_test_run_clear      (HlTestRun          *run);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HlTestRun, hl_test_run_clear)

/* A NULL-terminated argument vector: @program, then @first and the
 * following arguments of @args up to a NULL (@first may be NULL). */
GPtrArray *hl_test_argv_new       (const char         *program,
                                   const char         *first,
                                   va_list             args);
/* Runs the NULL-terminated @argv and fills @run. The program must exit
 * (a crash fails the test); its output is logged with g_test_message(). */
void       hl_test_run_argv       (HlTestRun          *run,
                                   const char * const *argv);
/* Runs @program with the NULL-terminated arguments from @first on. */
void       hl_test_run            (HlTestRun          *run,
                                   const char         *program,
                                   const char         *first,
                                   ...) G_GNUC_NULL_TERMINATED;

/* Runs @program under @mpirun with @n_ranks ranks (oversubscribing the
 * cores; as root, mpirun wants to be told that is meant), with the
 * NULL-terminated arguments from @first on. */
void       hl_test_run_ranks      (HlTestRun          *run,
                                   const char         *mpirun,
                                   int                 n_ranks,
                                   const char         *program,
                                   const char         *first,
                                   ...) G_GNUC_NULL_TERMINATED;

/* For programs started under mpirun: in the sanitizer build, leak
 * detection is turned off in their environment (memory errors stay fatal).
 * Open MPI's plugins allocate and are unloaded before the leak check, so
 * their allocations cannot be told apart from ours; our code's leaks are
 * checked by the single-process tests of the same functions. */
void       hl_test_prepare_mpirun (void);

/* A new empty folder under the system's temporary folder. */
char      *hl_test_make_tmp_dir   (void);
/* Removes @dir and everything below it, failing the test if anything
 * cannot be removed. */
void       hl_test_remove_tmp_dir (const char         *dir);

/* g_test_run (), then waits for background threads (hl-background.h) so
 * none is still inside HDF5 or OpenBLAS when the process exits. */
typedef gboolean (*HlTestCondition) (gpointer user_data);

/* Iterates the default main context until @condition holds or @timeout_ms
 * passes; returns whether it holds. */
gboolean   hl_test_wait_until     (HlTestCondition     condition,
                                   gpointer            user_data,
                                   guint               timeout_ms);

/* Iterates the default main context for @ms milliseconds. */
void       hl_test_spin           (guint               ms);

int        hl_test_run_and_wait   (void);

G_END_DECLS
