/* hl-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-test-util.h"

#include "hl-background.h"

#include <glib/gstdio.h>
#include <sys/wait.h>
#include <unistd.h>

void
hl_test_run_clear (HlTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

GPtrArray *
hl_test_argv_new (const char *program,
                  const char *first,
                  va_list     args)
{
  GPtrArray *argv = g_ptr_array_new_null_terminated (8, NULL, TRUE);

  g_ptr_array_add (argv, (char *) program);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  return argv;
}

void
hl_test_run_argv (HlTestRun          *run,
                  const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  int wait_status;

  hl_test_run_clear (run);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &run->out, &run->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
  g_test_message ("%s: exit %d\nstdout: %s\nstderr: %s", argv[0], run->status, run->out,
                  run->err);
}

void
hl_test_run_ranks (HlTestRun  *run,
                   const char *mpirun,
                   int         n_ranks,
                   const char *program,
                   const char *first,
                   ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_null_terminated (16, NULL, TRUE);
  g_autoptr(GPtrArray) rest = NULL;
  g_autofree char *ranks = g_strdup_printf ("%d", n_ranks);
  va_list args;

  g_ptr_array_add (argv, (char *) mpirun);
  g_ptr_array_add (argv, "--oversubscribe");
  if (getuid () == 0)
    g_ptr_array_add (argv, "--allow-run-as-root");
  g_ptr_array_add (argv, "-n");
  g_ptr_array_add (argv, ranks);
  va_start (args, first);
  rest = hl_test_argv_new (program, first, args);
  va_end (args);
  for (guint i = 0; i < rest->len; i++)
    g_ptr_array_add (argv, g_ptr_array_index (rest, i));
  hl_test_run_argv (run, (const char * const *) argv->pdata);
}

void
hl_test_run (HlTestRun  *run,
             const char *program,
             const char *first,
             ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  va_list args;

  va_start (args, first);
  argv = hl_test_argv_new (program, first, args);
  va_end (args);
  hl_test_run_argv (run, (const char * const *) argv->pdata);
}

char *
hl_test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("headlens-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
hl_test_remove_tmp_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      /* Folders are not followed through symbolic links: only what the test
       * made is removed. */
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        hl_test_remove_tmp_dir (path);
      else
        g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

gboolean
hl_test_wait_until (HlTestCondition condition,
                    gpointer        user_data,
                    guint           timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (user_data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

void
hl_test_prepare_mpirun (void)
{
  const char *options = g_getenv ("ASAN_OPTIONS");
  g_autofree char *with_no_leaks = NULL;

  if (g_getenv ("HL_TEST_SANITIZED") == NULL)
    return;
  with_no_leaks = g_strconcat (options != NULL ? options : "halt_on_error=1:abort_on_error=1",
                               ":detect_leaks=0", NULL);
  g_setenv ("ASAN_OPTIONS", with_no_leaks, TRUE);
}

void
hl_test_spin (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

int
hl_test_run_and_wait (void)
{
  int status = g_test_run ();

  if (!hl_background_wait (10 * G_USEC_PER_SEC))
    g_error ("background work still running 10 s after the last test");
  return status;
}
