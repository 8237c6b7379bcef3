/* hl-probe.c: runs headlens-probe (see headlens-probe.c) on a file before
 * this process lets HDF5 read it, with a time and memory limit.
 *
 * Measured cost: about 10 ms per open on the developers' machine (see
 * docs/robustness.md), against crashes, endless loops and gigabytes of
 * memory inside HDF5 that no check of ours could otherwise prevent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-activations-private.h"

#include "hl-output-set.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* The probe says "progress" at least this often while it works; longer
 * silence is a loop inside HDF5. */
#define PROBE_SILENCE_S 5
/* Its memory: enough for any file's metadata, and below 1 GB. */
#define PROBE_MEMORY_BYTES ((rlim_t) 900 << 20)
#define PROBE_CPU_S 600
/* The exit status a sanitizer build's probe reports a memory error with:
 * a bug of ours, not damage in the file. */
#define PROBE_SANITIZER_STATUS 86

/* A sanitizer build reads the probe's reports, to tell HDF5's faults from
 * ours; otherwise its stderr is dropped. */
#ifdef HL_SANITIZED
#define PROBE_CAPTURES_STDERR TRUE
#define PROBE_SPAWN_FLAGS (G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CLOEXEC_PIPES)
#else
#define PROBE_CAPTURES_STDERR FALSE
#define PROBE_SPAWN_FLAGS (G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CLOEXEC_PIPES \
                           | G_SPAWN_STDERR_TO_DEV_NULL)
#endif

/* headlens-probe: $HEADLENS_PROBE, the installed one, the one in the
 * libexec folder beside the running program's bin folder, or one in the
 * build tree near it. */
static char *
find_probe (void)
{
  const char *env = g_getenv ("HEADLENS_PROBE");
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe != NULL ? g_path_get_dirname (exe) : NULL;
  /* Installed (also moved with its prefix, as DESTDIR or a bundle does),
   * then the build tree's layout. */
  const char *candidates[] = { HL_PROBE_PATH, "../" HL_LIBEXECDIR "/headlens-probe",
                               "headlens-probe", "../io/headlens-probe", "io/headlens-probe" };

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *path = g_path_is_absolute (candidates[i])
                              ? g_strdup (candidates[i])
                              : dir != NULL ? g_build_filename (dir, candidates[i], NULL) : NULL;

      if (path != NULL && g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&path);
    }
  return NULL;
}

/* In the child, before exec: the default signal mask, and the limits. */
static void
probe_child_setup (gpointer user_data)
{
  struct rlimit cpu = { PROBE_CPU_S, PROBE_CPU_S + 5 };

  hl_output_set_child_setup (NULL);
  setrlimit (RLIMIT_CPU, &cpu);
#ifndef HL_SANITIZED
  {
    /* A sanitizer reserves terabytes of address space; its own RSS limit
     * (hard_rss_limit_mb, in child_env ()) replaces this one there. */
    struct rlimit memory = { PROBE_MEMORY_BYTES, PROBE_MEMORY_BYTES };

    setrlimit (RLIMIT_AS, &memory);
  }
#endif
}

static char **
child_env (void)
{
  char **env = g_get_environ ();
#ifdef HL_SANITIZED
  const char *asan = g_environ_getenv (env, "ASAN_OPTIONS");
  g_autofree char *options = g_strdup_printf (
    "%s%sexitcode=%d:handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigfpe=0:"
    "hard_rss_limit_mb=%d:max_allocation_size_mb=%d:allocator_may_return_null=1",
    asan != NULL ? asan : "", asan != NULL ? ":" : "", PROBE_SANITIZER_STATUS,
    (int) (PROBE_MEMORY_BYTES >> 20), (int) (PROBE_MEMORY_BYTES >> 20) - 100);

  env = g_environ_setenv (env, "ASAN_OPTIONS", options, TRUE);
#endif
  return env;
}

typedef struct
{
  GString  *out;        /* everything the probe printed */
  GString  *err;        /* its stderr (sanitizer builds only) */
  gboolean  timed_out;
  int       wait_status;
} ProbeRun;

/* Appends what is ready on @fd to @text (bounded: a probe gone mad cannot
 * fill our memory either); FALSE at its end. */
static gboolean
drain (int      fd,
       GString *text)
{
  char buffer[4096];
  gssize n;

  while ((n = read (fd, buffer, sizeof buffer)) < 0 && errno == EINTR)
    ;
  if (n <= 0)
    return FALSE;
  if (text->len < 65536)
    g_string_append_len (text, buffer, n);
  return TRUE;
}

/* Reads the probe's output (and @err_fd, unless -1) until it exits,
 * killing it after PROBE_SILENCE_S seconds without a line. */
static void
collect (GPid      pid,
         int       out_fd,
         int       err_fd,
         ProbeRun *run)
{
  struct pollfd fds[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };

  while (fds[0].fd >= 0)
    {
      int ready = poll (fds, 2, PROBE_SILENCE_S * 1000);

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0)
        {
          run->timed_out = TRUE;
          kill (pid, SIGKILL);
          break;
        }
      if (fds[0].revents != 0 && !drain (out_fd, run->out))
        fds[0].fd = -1;
      if (fds[1].fd >= 0 && fds[1].revents != 0 && !drain (err_fd, run->err))
        fds[1].fd = -1;
    }
  while (waitpid (pid, &run->wait_status, 0) < 0 && errno == EINTR)
    ;
  while (err_fd >= 0 && drain (err_fd, run->err))
    ;
}

/* A sanitizer's report blames the file when it says the memory limit was
 * reached, or when its first frame outside the sanitizer's own
 * interceptors is in libhdf5: HDF5 misreading a damaged file, which is
 * what the probe is for. Anything else is a bug of ours. */
static gboolean
report_blames_file (const char *report)
{
  g_auto(GStrv) lines = g_strsplit (report, "\n", -1);

  if (strstr (report, "hard rss limit exhausted") != NULL
      || strstr (report, "out of memory") != NULL)
    return TRUE;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *frame = g_strstrip (lines[i]);

      if (frame[0] != '#' || strstr (frame, "__interceptor_") != NULL
          || strstr (frame, "sanitizer") != NULL)
        continue;
      return strstr (frame, "libhdf5") != NULL;
    }
  return FALSE;
}

static gboolean
probe_error (GError     **error,
             const char  *path,
             const char  *what)
{
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_DAMAGED,
               _("“%s” is damaged: %s while its metadata was read in a separate process, "
                 "so Headlens refuses it (HDF5 1.10 cannot read such damage safely)"),
               path, what);
  return FALSE;
}

/* The probe's last line, "ok" or "error CODE MESSAGE", as a result. */
static gboolean
parse_verdict (const char  *path,
               const char  *out,
               GError     **error)
{
  const char *last = out, *line;
  char *end = NULL;
  gint64 code;

  for (line = out; (line = strstr (line, "\n")) != NULL && line[1] != '\0'; line++)
    last = line + 1;
  if (g_str_has_prefix (last, "ok\n"))
    return TRUE;
  if (!g_str_has_prefix (last, "error "))
    return probe_error (error, path, _("the checking process ended without a verdict"));
  code = g_ascii_strtoll (last + 6, &end, 10);
  if (end == last + 6 || *end != ' ' || code < 0 || code > HL_ACTIVATIONS_ERROR_CHANGED)
    return probe_error (error, path, _("the checking process ended without a verdict"));
  {
    g_autofree char *message = g_strndup (end + 1, strcspn (end + 1, "\n"));

    g_set_error_literal (error, HL_ACTIVATIONS_ERROR, (int) code, message);
  }
  return FALSE;
}

static gboolean
judge (const char      *path,
       const ProbeRun  *run,
       GError         **error)
{
  int status = run->wait_status;

  if (run->timed_out)
    {
      g_autofree char *what = g_strdup_printf (_("HDF5 made no progress for %d s"),
                                               PROBE_SILENCE_S);

      return probe_error (error, path, what);
    }
  if (WIFSIGNALED (status))
    {
      g_autofree char *what = g_strdup_printf (_("HDF5 crashed (%s)"),
                                               g_strsignal (WTERMSIG (status)));

      return probe_error (error, path, what);
    }
  if (WIFEXITED (status) && WEXITSTATUS (status) == PROBE_SANITIZER_STATUS)
    {
      if (!report_blames_file (run->err->str))
        g_critical ("headlens-probe reported a sanitizer error on “%s”:\n%s", path,
                    run->err->str);
      return probe_error (error, path, _("HDF5 overran its memory"));
    }
  return parse_verdict (path, run->out->str, error);
}

gboolean
hl_activations_probe (const char              *path,
                      HlActivationsOpenFlags   flags,
                      GError                 **error)
{
  g_autofree char *probe = find_probe ();
  g_auto(GStrv) env = child_env ();
  const char *argv[4] = { probe, NULL, NULL, NULL };
  g_autoptr(GError) spawn_error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) err = g_string_new (NULL);
  ProbeRun run = { out, err, FALSE, 0 };
  GPid pid;
  int fd, err_fd = -1;

  if (probe == NULL)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
                   _("Could not find headlens-probe, which checks files before Headlens "
                     "opens them; reinstall Headlens or set HEADLENS_PROBE to its path"));
      return FALSE;
    }
  argv[1] = (flags & HL_ACTIVATIONS_OPEN_ALLOW_EXTERNAL) ? "--allow-external" : path;
  argv[2] = (flags & HL_ACTIVATIONS_OPEN_ALLOW_EXTERNAL) ? path : NULL;
  if (!g_spawn_async_with_pipes (NULL, (char **) argv, env, PROBE_SPAWN_FLAGS,
                                 probe_child_setup, NULL, &pid, NULL, &fd,
                                 PROBE_CAPTURES_STDERR ? &err_fd : NULL, &spawn_error))
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
                   _("Could not run %s to check “%s”: %s"), probe, path, spawn_error->message);
      return FALSE;
    }
  collect (pid, fd, err_fd, &run);
  close (fd);
  if (err_fd >= 0)
    close (err_fd);
  g_spawn_close_pid (pid);
  return judge (path, &run, error);
}
