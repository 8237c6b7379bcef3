/* robust-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "robust-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *cli;

void
robust_run_clear (RobustRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

void
robust_set_cli (const char *path)
{
  cli = path;
}

const char *
robust_cli (void)
{
  g_assert_nonnull (cli);
  return cli;
}

static char *
read_and_remove (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_unlink (path);
  return text;
}

/* The environment of the child: ours plus @env; a sanitizer build is told
 * not to insist on coming first when a test preloads a library. */
static char **
child_env (const char * const *env)
{
  char **envp = g_get_environ ();

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      envp = g_environ_setenv (envp, pair[0], pair[1], TRUE);
    }
  if (g_environ_getenv (envp, "LD_PRELOAD") != NULL)
    {
      const char *asan = g_environ_getenv (envp, "ASAN_OPTIONS");
      g_autofree char *options = g_strdup_printf ("%s%sverify_asan_link_order=0",
                                                  asan != NULL ? asan : "",
                                                  asan != NULL ? ":" : "");

      envp = g_environ_setenv (envp, "ASAN_OPTIONS", options, TRUE);
    }
  return envp;
}

static GPid
spawn_to_files (const char * const *argv,
                char              **envp,
                const char         *out_path,
                const char         *err_path)
{
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int out = open (out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = open (err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

      dup2 (out, STDOUT_FILENO);
      dup2 (err, STDERR_FILENO);
      /* Its own process group, so that the time limit kills it all. */
      setpgid (0, 0);
      execve (argv[0], (char **) argv, envp);
      _exit (127);
    }
  return pid;
}

void
robust_run_full (RobustRun          *run,
                 const char * const *env,
                 double              limit_s,
                 const char * const *argv)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *out_path = g_build_filename (dir, "out", NULL);
  g_autofree char *err_path = g_build_filename (dir, "err", NULL);
  g_autoptr(GPtrArray) full = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  g_auto(GStrv) envp = child_env (env);
  gint64 start = g_get_monotonic_time ();
  struct rusage usage;
  int wait_status = 0;
  pid_t pid, done;

  robust_run_clear (run);
  g_ptr_array_add (full, (char *) robust_cli ());
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, (char *) argv[i]);
  pid = spawn_to_files ((const char * const *) full->pdata, envp, out_path, err_path);
  run->timed_out = FALSE;
  while ((done = wait4 (pid, &wait_status, WNOHANG, &usage)) == 0)
    {
      if (g_get_monotonic_time () - start > limit_s * G_USEC_PER_SEC)
        {
          run->timed_out = TRUE;
          kill (-pid, SIGKILL);
          done = wait4 (pid, &wait_status, 0, &usage);
          break;
        }
      g_usleep (2000);
    }
  g_assert_cmpint (done, ==, pid);
  run->seconds = (g_get_monotonic_time () - start) / 1e6;
  run->max_rss_mb = usage.ru_maxrss / 1024.0;
  run->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  run->signal = WIFSIGNALED (wait_status) ? WTERMSIG (wait_status) : 0;
  run->out = read_and_remove (out_path);
  run->err = read_and_remove (err_path);
  g_rmdir (dir);
  g_test_message ("%s %s: status %d, signal %d%s, %.2f s, %.0f MB\nstdout: %s\nstderr: %s",
                  robust_cli (), argv[0], run->status, run->signal,
                  run->timed_out ? " (time limit)" : "", run->seconds, run->max_rss_mb,
                  run->out, run->err);
}

void
robust_run (RobustRun  *run,
            const char *first,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  va_list args;

  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  robust_run_full (run, NULL, 60.0, (const char * const *) argv->pdata);
}

char **
robust_full_disk_env (const char *dir,
                      gint64      bytes)
{
  const char *preload = g_getenv ("HL_TEST_FULL_DISK");
  char **env = g_new0 (char *, 4);

  g_assert_nonnull (preload);
  env[0] = g_strdup_printf ("LD_PRELOAD=%s", preload);
  env[1] = g_strdup_printf ("HL_FULL_DISK_DIR=%s", dir);
  env[2] = g_strdup_printf ("HL_FULL_DISK_BYTES=%" G_GINT64_FORMAT, bytes);
  return env;
}

GPid
robust_spawn (const char * const *argv)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  g_auto(GStrv) envp = child_env (NULL);
  pid_t pid;

  g_ptr_array_add (full, (char *) robust_cli ());
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, (char *) argv[i]);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int null = open ("/dev/null", O_WRONLY);

      /* A test run as a background job would otherwise pass SIGINT on
       * ignored, and the program under test rightly keeps it ignored. */
      signal (SIGINT, SIG_DFL);
      signal (SIGTERM, SIG_DFL);
      dup2 (null, STDOUT_FILENO);
      execve (full->pdata[0], (char **) full->pdata, envp);
      _exit (127);
    }
  return pid;
}

static gint64
largest_file (const char *dir,
              const char *prefix)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  gint64 largest = -1;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        largest = MAX (largest, largest_file (path, prefix));
      else if (g_str_has_prefix (name, prefix))
        largest = MAX (largest, (gint64) st.st_size);
    }
  return largest;
}

gboolean
robust_wait_for_file (const char *dir,
                      const char *prefix,
                      gint64      min_bytes,
                      double      limit_s)
{
  gint64 deadline = g_get_monotonic_time () + limit_s * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      if (largest_file (dir, prefix) >= min_bytes)
        return TRUE;
      g_usleep (1000);
    }
  return FALSE;
}

int
robust_wait (GPid pid)
{
  int wait_status;

  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  return wait_status;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

char *
robust_list_dir (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}
