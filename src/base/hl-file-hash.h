/* hl-file-hash.h: the SHA-256 of a file, read in blocks, as provenance.json
 * and activation files record it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The lower-case hexadecimal SHA-256 of the file at @path, or NULL with an
 * error that names the file. */
char *hl_file_sha256 (const char  *path,
                      GError     **error);

G_END_DECLS
