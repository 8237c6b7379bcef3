/* hl-file-identity.h: which file a path names, to notice when it changes,
 * and the memory budget that follows from its size.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct
{
  dev_t   dev;
  ino_t   ino;
  guint64 size;
  gint64  mtime_ns;
  gint64  ctime_ns;
} HlFileIdentity;

/* Reads the identity of the regular file @path; fails (in the
 * HL_ACTIVATIONS_ERROR domain) when it cannot be read or is not a regular
 * file: opening a FIFO would block forever. */
gboolean hl_file_identity_read   (const char            *path,
                                  HlFileIdentity        *identity,
                                  GError               **error);
gboolean hl_file_identity_equal  (const HlFileIdentity  *a,
                                  const HlFileIdentity  *b);

/* The memory budget for reading a file of @file_size bytes: see
 * hl_activations_get_memory_budget (). Fails when HEADLENS_MEMORY_LIMIT is
 * set to something that is not a size. */
gboolean hl_memory_budget_for_file (guint64   file_size,
                                    guint64  *budget,
                                    GError  **error);

G_END_DECLS
