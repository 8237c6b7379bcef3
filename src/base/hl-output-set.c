/* hl-output-set.c: the files one command writes, replaced as a set.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-output-set.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_PREFIX ".headlens-"

G_DEFINE_QUARK (hl-output-error-quark, hl_output_error)

typedef struct
{
  dev_t  dev;
  ino_t  ino;
  char  *path;
} InputFile;

typedef struct
{
  char *name;      /* in the destination folder */
  char *tmp_path;  /* in the temporary folder */
} OutputFile;

struct _HlOutputSet
{
  char      *dir;
  char      *tmp_dir;
  GArray    *files;      /* element-type OutputFile */
  GArray    *inputs;     /* element-type InputFile */
  gboolean   committed;
};

/* The temporary folders of live sets; the signal thread removes them. The
 * lock is also held during a commit's renames, so a signal waits for them
 * and never removes half a set. */
static GMutex registry_lock;
static GPtrArray *registry;   /* borrowed tmp_dir strings */

static void
registry_add (const char *tmp_dir)
{
  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_ptr_array_new ();
  g_ptr_array_add (registry, (gpointer) tmp_dir);
  g_mutex_unlock (&registry_lock);
}

/* Requires the registry lock. */
static void
registry_remove_locked (const char *tmp_dir)
{
  if (registry != NULL)
    g_ptr_array_remove_fast (registry, (gpointer) tmp_dir);
}

/* Removes the files directly in @path, then @path itself. Subfolders and
 * what they hold are left alone: a set never creates any. */
static void
remove_tmp_dir (const char *path)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *entry;

  if (dir == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  while ((entry = readdir (dir)) != NULL)
    if (strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0)
      unlinkat (fd, entry->d_name, 0);
  closedir (dir);
  rmdir (path);
}

/* The host part of temporary names: letters and digits of the host name,
 * so that a folder shared between machines is only cleaned by the machine
 * whose process ids it names. */
static char *
host_tag (void)
{
  GString *tag = g_string_new (NULL);

  for (const char *c = g_get_host_name (); *c != '\0' && tag->len < 24; c++)
    if (g_ascii_isalnum (*c))
      g_string_append_c (tag, *c);
  if (tag->len == 0)
    g_string_append (tag, "host");
  return g_string_free (tag, FALSE);
}

/* TRUE when @name is the temporary folder of a set of a process of this
 * host that no longer runs. */
static gboolean
is_stale_name (const char *name,
               const char *host)
{
  gsize prefix = strlen (TMP_PREFIX), host_len = strlen (host);
  const char *rest;
  char *end;
  guint64 pid;

  if (strncmp (name, TMP_PREFIX, prefix) != 0 || strncmp (name + prefix, host, host_len) != 0
      || name[prefix + host_len] != '-')
    return FALSE;
  rest = name + prefix + host_len + 1;
  pid = g_ascii_strtoull (rest, &end, 10);
  if (end == rest || *end != '-' || strlen (end + 1) != 6 || pid == 0 || pid > G_MAXINT)
    return FALSE;
  return kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

static void
remove_stale_sets (const char *dir)
{
  g_autofree char *host = host_tag ();
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!is_stale_name (name, host))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode) && st.st_uid == getuid ())
        remove_tmp_dir (path);
    }
}

/* Sets an HL_OUTPUT_ERROR_IO error; returns FALSE. Callers pass
 * g_strerror (errno) as the last argument, evaluated before anything else
 * can change errno (gettext keeps it). */
static gboolean
set_io_error (GError     **error,
              const char  *format,
              ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_io_error (GError     **error,
              const char  *format,
              ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (HL_OUTPUT_ERROR, HL_OUTPUT_ERROR_IO,
                                                format, args));
  va_end (args);
  return FALSE;
}

HlOutputSet *
hl_output_set_new (const char        *dir,
                   HlOutputSetFlags   flags,
                   GError           **error)
{
  HlOutputSet *self;
  g_autofree char *host = NULL;
  g_autofree char *tmp_name = NULL;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((flags & HL_OUTPUT_SET_CREATE_FOLDER) && g_mkdir_with_parents (dir, 0777) != 0)
    {
      set_io_error (error, _("Cannot create the output folder “%s”: %s"), dir, g_strerror (errno));
      return NULL;
    }
  remove_stale_sets (dir);
  host = host_tag ();
  tmp_name = g_strdup_printf (TMP_PREFIX "%s-%d-XXXXXX", host, (int) getpid ());

  self = g_new0 (HlOutputSet, 1);
  self->dir = g_strdup (dir);
  self->tmp_dir = g_build_filename (dir, tmp_name, NULL);
  self->files = g_array_new (FALSE, FALSE, sizeof (OutputFile));
  self->inputs = g_array_new (FALSE, FALSE, sizeof (InputFile));
  if (g_mkdtemp_full (self->tmp_dir, 0700) == NULL)
    {
      set_io_error (error, _("Cannot create a temporary folder in “%s”: %s"), dir, g_strerror (errno));
      g_clear_pointer (&self->tmp_dir, g_free);
      hl_output_set_free (self);
      return NULL;
    }
  registry_add (self->tmp_dir);
  return self;
}

const char *
hl_output_set_get_dir (HlOutputSet *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->dir;
}

void
hl_output_set_add_input (HlOutputSet *self,
                         const char  *path)
{
  GStatBuf st;
  InputFile input;

  g_return_if_fail (self != NULL && path != NULL);

  if (g_stat (path, &st) != 0)
    return;
  input.dev = st.st_dev;
  input.ino = st.st_ino;
  input.path = g_strdup (path);
  g_array_append_val (self->inputs, input);
}

/* Fails when @dest exists and is one of @inputs, or is a folder. */
static gboolean
check_destination (const char  *dest,
                   GArray      *inputs,
                   GError     **error)
{
  GStatBuf st;

  if (g_stat (dest, &st) != 0)
    return TRUE;
  for (guint i = 0; i < inputs->len; i++)
    {
      const InputFile *input = &g_array_index (inputs, InputFile, i);

      if (input->dev == st.st_dev && input->ino == st.st_ino)
        {
          g_set_error (error, HL_OUTPUT_ERROR, HL_OUTPUT_ERROR_IS_INPUT,
                       _("The output “%s” is the input “%s” (the same file), expected a "
                         "different file: writing it would replace the input"),
                       dest, input->path);
          return FALSE;
        }
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, HL_OUTPUT_ERROR, HL_OUTPUT_ERROR_NAME,
                   _("The output “%s” is a folder, expected a file name"), dest);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_name (HlOutputSet  *self,
            const char   *name,
            GError      **error)
{
  g_autofree char *dest = NULL;

  if (name[0] == '\0' || strchr (name, '/') != NULL || strcmp (name, ".") == 0
      || strcmp (name, "..") == 0)
    {
      g_set_error (error, HL_OUTPUT_ERROR, HL_OUTPUT_ERROR_NAME,
                   _("“%s” is not a file name, expected a name without “/”"), name);
      return FALSE;
    }
  for (guint i = 0; i < self->files->len; i++)
    if (strcmp (g_array_index (self->files, OutputFile, i).name, name) == 0)
      {
        g_set_error (error, HL_OUTPUT_ERROR, HL_OUTPUT_ERROR_NAME,
                     _("“%s” was already added to the output set"), name);
        return FALSE;
      }
  dest = g_build_filename (self->dir, name, NULL);
  return check_destination (dest, self->inputs, error);
}

const char *
hl_output_set_add_file (HlOutputSet  *self,
                        const char   *name,
                        GError      **error)
{
  g_return_val_if_fail (self != NULL && !self->committed, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  OutputFile file;

  if (!check_name (self, name, error))
    return NULL;
  file.name = g_strdup (name);
  file.tmp_path = g_build_filename (self->tmp_dir, name, NULL);
  g_array_append_val (self->files, file);
  return file.tmp_path;
}

static gboolean
write_all (int          fd,
           const char  *contents,
           gsize        length)
{
  while (length > 0)
    {
      gssize n = write (fd, contents, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      contents += n;
      length -= n;
    }
  return TRUE;
}

/* Writes the @n texts one after the other as the file @name of the set. */
static gboolean
add_texts (HlOutputSet        *self,
           const char         *name,
           const char * const *texts,
           const gsize        *lengths,
           guint               n,
           GError            **error)
{
  const char *path;
  g_autofree char *dest = NULL;
  int fd;
  gboolean ok = TRUE;

  if ((path = hl_output_set_add_file (self, name, error)) == NULL)
    return FALSE;
  dest = g_build_filename (self->dir, name, NULL);
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0)
    return set_io_error (error, _("Could not write “%s”: %s"), dest, g_strerror (errno));
  for (guint i = 0; i < n && ok; i++)
    ok = write_all (fd, texts[i], lengths[i]);
  if (!ok)
    set_io_error (error, _("Could not write “%s”: %s"), dest, g_strerror (errno));
  if (close (fd) != 0 && ok)
    ok = set_io_error (error, _("Could not write “%s”: %s"), dest, g_strerror (errno));
  return ok;
}

gboolean
hl_output_set_add_contents (HlOutputSet  *self,
                            const char   *name,
                            const char   *contents,
                            gssize        length,
                            GError      **error)
{
  gsize n;

  g_return_val_if_fail (self != NULL && !self->committed, FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);

  n = length >= 0 ? (gsize) length : strlen (contents);
  return add_texts (self, name, &contents, &n, 1, error);
}

gboolean
hl_output_set_add_parts (HlOutputSet    *self,
                         const char     *name,
                         GString * const *parts,
                         guint           n_parts,
                         GError        **error)
{
  g_autofree const char **texts = g_new (const char *, MAX (n_parts, 1));
  g_autofree gsize *lengths = g_new (gsize, MAX (n_parts, 1));

  g_return_val_if_fail (self != NULL && !self->committed, FALSE);
  g_return_val_if_fail (n_parts == 0 || parts != NULL, FALSE);

  for (guint i = 0; i < n_parts; i++)
    {
      texts[i] = parts[i]->str;
      lengths[i] = parts[i]->len;
    }
  return add_texts (self, name, texts, lengths, n_parts, error);
}

static gboolean
sync_path (const char *path)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = fsync (fd) == 0;
  close (fd);
  return ok;
}

/* Syncs every file and checks every destination, before anything is
 * renamed. */
static gboolean
prepare_commit (HlOutputSet  *self,
                GError      **error)
{
  for (guint i = 0; i < self->files->len; i++)
    {
      const OutputFile *file = &g_array_index (self->files, OutputFile, i);
      g_autofree char *dest = g_build_filename (self->dir, file->name, NULL);

      if (!sync_path (file->tmp_path))
        return set_io_error (error, _("Could not write “%s”: %s"), dest, g_strerror (errno));
      if (!check_destination (dest, self->inputs, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
rename_all_locked (HlOutputSet  *self,
                   GError      **error)
{
  for (guint i = 0; i < self->files->len; i++)
    {
      const OutputFile *file = &g_array_index (self->files, OutputFile, i);
      g_autofree char *dest = g_build_filename (self->dir, file->name, NULL);

      if (g_rename (file->tmp_path, dest) != 0)
        return set_io_error (error, _("Could not move the new “%s” into place: %s"), dest, g_strerror (errno));
    }
  return TRUE;
}

gboolean
hl_output_set_commit (HlOutputSet  *self,
                      GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL && !self->committed, FALSE);

  if (!prepare_commit (self, error))
    return FALSE;
  g_mutex_lock (&registry_lock);
  ok = rename_all_locked (self, error);
  if (ok)
    {
      registry_remove_locked (self->tmp_dir);
      self->committed = TRUE;
    }
  g_mutex_unlock (&registry_lock);
  if (!ok)
    return FALSE;
  g_rmdir (self->tmp_dir);
  /* The renames themselves reach the disk with the folder. */
  sync_path (self->dir);
  return TRUE;
}

void
hl_output_set_free (HlOutputSet *self)
{
  if (self == NULL)
    return;
  if (self->tmp_dir != NULL && !self->committed)
    {
      g_mutex_lock (&registry_lock);
      registry_remove_locked (self->tmp_dir);
      g_mutex_unlock (&registry_lock);
      remove_tmp_dir (self->tmp_dir);
    }
  for (guint i = 0; i < self->inputs->len; i++)
    g_free (g_array_index (self->inputs, InputFile, i).path);
  for (guint i = 0; i < self->files->len; i++)
    {
      g_free (g_array_index (self->files, OutputFile, i).name);
      g_free (g_array_index (self->files, OutputFile, i).tmp_path);
    }
  g_array_unref (self->inputs);
  g_array_unref (self->files);
  g_free (self->tmp_dir);
  g_free (self->dir);
  g_free (self);
}

gboolean
hl_output_check_not_input (const char          *output,
                           const char * const  *inputs,
                           GError             **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (InputFile));
  gboolean ok;

  g_return_val_if_fail (output != NULL, FALSE);

  for (guint i = 0; inputs != NULL && inputs[i] != NULL; i++)
    {
      GStatBuf st;

      if (g_stat (inputs[i], &st) == 0)
        g_array_append_val (ids, ((InputFile) { st.st_dev, st.st_ino, (char *) inputs[i] }));
    }
  ok = check_destination (output, ids, error);
  return ok;
}

/* Signals. */

/* The signals handled: SIGINT, SIGTERM and SIGHUP, except those the
 * process was started with ignored (nohup, a shell's background job),
 * which stay ignored. Set once, before the thread starts. */
static sigset_t handled;

/* Waits for a signal, removes the live sets' temporary folders and ends
 * the process by that signal, as if it had not been caught. The registry
 * lock stays held, so no commit starts meanwhile. */
static gpointer
signal_thread (gpointer data)
{
  sigset_t one;
  struct sigaction dfl = { 0 };
  int sig = 0;

  while (sigwait (&handled, &sig) != 0)
    ;
  g_mutex_lock (&registry_lock);
  for (guint i = 0; registry != NULL && i < registry->len; i++)
    remove_tmp_dir (registry->pdata[i]);
  dfl.sa_handler = SIG_DFL;
  sigaction (sig, &dfl, NULL);
  sigemptyset (&one);
  sigaddset (&one, sig);
  pthread_sigmask (SIG_UNBLOCK, &one, NULL);
  raise (sig);
  _exit (128 + sig);
}

void
hl_output_set_install_signal_cleanup (void)
{
  static gsize installed = 0;
  const int signals[] = { SIGINT, SIGTERM, SIGHUP };

  if (!g_once_init_enter (&installed))
    return;
  sigemptyset (&handled);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      struct sigaction current;

      if (sigaction (signals[i], NULL, &current) == 0 && current.sa_handler != SIG_IGN)
        sigaddset (&handled, signals[i]);
    }
  pthread_sigmask (SIG_BLOCK, &handled, NULL);
  g_thread_unref (g_thread_new ("hl-signal-cleanup", signal_thread, NULL));
  g_once_init_leave (&installed, 1);
}

void
hl_output_set_child_setup (gpointer user_data)
{
  sigset_t set;

  sigemptyset (&set);
  pthread_sigmask (SIG_SETMASK, &set, NULL);
}
