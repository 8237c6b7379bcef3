/* hl-file-hash.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-file-hash.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <nettle/sha2.h>
#include <sys/stat.h>

/* A hash started ahead; its result is taken once. */
typedef struct
{
  gboolean  done;
  char     *sha256;
  GError   *error;
} Pending;

static GMutex      pending_lock;
static GCond       pending_done;
static GHashTable *pending;    /* path -> Pending, guarded by pending_lock */

static void
pending_free (Pending *p)
{
  g_free (p->sha256);
  g_clear_error (&p->error);
  g_free (p);
}

/* The cache of hashes: one file per hashed file, named by the hash of
 * that file's identity (device, inode, size, modification and change
 * times to the nanosecond) and holding its SHA-256. Any write to the file
 * changes its change time, which no user call can set back, so an entry
 * is only found while the file holds the bytes it was hashed from. */
static char *
cache_entry_path (const struct stat *st)
{
  g_autofree char *identity = g_strdup_printf ("%ju:%ju:%jd:%jd.%09ld:%jd.%09ld",
                                               (uintmax_t) st->st_dev, (uintmax_t) st->st_ino,
                                               (intmax_t) st->st_size,
                                               (intmax_t) st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
                                               (intmax_t) st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
  g_autofree char *key = g_compute_checksum_for_string (G_CHECKSUM_SHA256, identity, -1);

  return g_build_filename (g_get_user_cache_dir (), "headlens", "sha256", key, NULL);
}

static gboolean
same_identity (const struct stat *a,
               const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size
         && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec
         && a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The cached hash of the file with @st, or NULL. */
static char *
cache_lookup (const struct stat *st)
{
  g_autofree char *entry = cache_entry_path (st);
  g_autofree char *text = NULL;
  gsize length;

  if (!g_file_get_contents (entry, &text, &length, NULL) || length != 2 * SHA256_DIGEST_SIZE + 1
      || text[2 * SHA256_DIGEST_SIZE] != '\n')
    return NULL;
  text[2 * SHA256_DIGEST_SIZE] = '\0';
  for (gsize i = 0; i < 2 * SHA256_DIGEST_SIZE; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return NULL;
  return g_steal_pointer (&text);
}

/* Records @sha256 for the file with @st; a cache that cannot be written
 * only costs the next hash. */
static void
cache_store (const struct stat *st,
             const char        *sha256)
{
  g_autofree char *entry = cache_entry_path (st);
  g_autofree char *dir = g_path_get_dirname (entry);
  g_autofree char *text = g_strconcat (sha256, "\n", NULL);

  if (g_mkdir_with_parents (dir, 0700) == 0)
    g_file_set_contents_full (entry, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL);
}

static char *
compute_uncached (const char  *path,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, &local_error);
  struct sha256_ctx context;
  guint8 digest[SHA256_DIGEST_SIZE];
  char *hex;

  if (mapped == NULL)
    {
      /* In GIO's terms, as every other file error of the analysis. */
      g_set_error (error, G_IO_ERROR, g_io_error_from_file_error (local_error->code),
                   _("Cannot read “%s” to record its SHA-256: %s"), path, local_error->message);
      return NULL;
    }
  sha256_init (&context);
  sha256_update (&context, g_mapped_file_get_length (mapped),
                 (const guint8 *) g_mapped_file_get_contents (mapped));
  sha256_digest (&context, sizeof digest, digest);
  hex = g_malloc (2 * sizeof digest + 1);
  for (gsize i = 0; i < sizeof digest; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  return hex;
}

/* The hash from the cache when the file is unchanged since it was
 * hashed, else from its bytes. The kernel stamps a file's times from a
 * clock that advances in ticks of a few milliseconds, so a write within
 * the tick of an earlier one could leave the times as they were: a hash
 * is only cached when the file's last change is older than
 * CACHE_SETTLED_US before hashing began (a later write then has a later
 * change time) and its identity held while it was read.
 * HEADLENS_NO_HASH_CACHE turns the cache off. */
#define CACHE_SETTLED_US G_USEC_PER_SEC

static char *
compute (const char  *path,
         GError     **error)
{
  struct stat before, after;
  gint64 start = g_get_real_time ();
  char *sha256;

  if (g_getenv ("HEADLENS_NO_HASH_CACHE") != NULL || g_stat (path, &before) != 0
      || !S_ISREG (before.st_mode))
    return compute_uncached (path, error);
  if ((sha256 = cache_lookup (&before)) != NULL)
    return sha256;
  sha256 = compute_uncached (path, error);
  if (sha256 != NULL && g_stat (path, &after) == 0 && same_identity (&before, &after)
      && (gint64) before.st_ctim.tv_sec * G_USEC_PER_SEC + before.st_ctim.tv_nsec / 1000
         < start - CACHE_SETTLED_US)
    cache_store (&before, sha256);
  return sha256;
}

char *
hl_file_sha256 (const char  *path,
                GError     **error)
{
  Pending *p;
  char *sha256;

  g_return_val_if_fail (path != NULL, NULL);

  g_mutex_lock (&pending_lock);
  p = pending != NULL ? g_hash_table_lookup (pending, path) : NULL;
  while (p != NULL && !p->done)
    g_cond_wait (&pending_done, &pending_lock);
  if (p != NULL)
    {
      sha256 = g_steal_pointer (&p->sha256);
      if (p->error != NULL)
        g_propagate_error (error, g_steal_pointer (&p->error));
      g_hash_table_remove (pending, path);
      g_mutex_unlock (&pending_lock);
      return sha256;
    }
  g_mutex_unlock (&pending_lock);
  return compute (path, error);
}

gboolean
hl_file_sha256_is_cached (const char *path)
{
  struct stat st;
  g_autofree char *sha256 = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_getenv ("HEADLENS_NO_HASH_CACHE") != NULL || g_stat (path, &st) != 0)
    return FALSE;
  sha256 = cache_lookup (&st);
  return sha256 != NULL;
}

static gpointer
hash_thread (gpointer data)
{
  g_auto(GStrv) paths = data;

  for (int i = 0; paths[i] != NULL; i++)
    {
      GError *error = NULL;
      char *sha256 = compute (paths[i], &error);
      Pending *p;

      g_mutex_lock (&pending_lock);
      p = g_hash_table_lookup (pending, paths[i]);
      p->sha256 = sha256;
      p->error = error;
      p->done = TRUE;
      g_cond_broadcast (&pending_done);
      g_mutex_unlock (&pending_lock);
    }
  return NULL;
}

void
hl_file_sha256_start (const char * const *paths)
{
  GPtrArray *to_hash = g_ptr_array_new ();

  g_return_if_fail (paths != NULL);

  g_mutex_lock (&pending_lock);
  if (pending == NULL)
    pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) pending_free);
  for (int i = 0; paths[i] != NULL; i++)
    if (!g_hash_table_contains (pending, paths[i]))
      {
        g_hash_table_insert (pending, g_strdup (paths[i]), g_new0 (Pending, 1));
        g_ptr_array_add (to_hash, g_strdup (paths[i]));
      }
  g_mutex_unlock (&pending_lock);
  g_ptr_array_add (to_hash, NULL);
  g_thread_unref (g_thread_new ("hl-file-hash", hash_thread, g_ptr_array_free (to_hash, FALSE)));
}
