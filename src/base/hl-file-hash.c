/* hl-file-hash.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-file-hash.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#define HASH_BLOCK (1 << 20)

char *
hl_file_sha256 (const char  *path,
                GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guchar *block = g_malloc (HASH_BLOCK);
  gssize n = 0;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_file_new_for_path (path);
  in = g_file_read (file, NULL, &local_error);
  while (in != NULL && (n = g_input_stream_read (G_INPUT_STREAM (in), block, HASH_BLOCK,
                                                 NULL, &local_error)) > 0)
    g_checksum_update (sum, block, n);
  if (in == NULL || n < 0)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Cannot read “%s” to compute its SHA-256: %s"), path, local_error->message);
      return NULL;
    }
  return g_strdup (g_checksum_get_string (sum));
}
