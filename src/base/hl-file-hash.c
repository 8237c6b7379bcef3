/* hl-file-hash.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-file-hash.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <nettle/sha2.h>

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

static char *
compute (const char  *path,
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
