/* hl-file-hash.h: the SHA-256 of input files, for provenance records.
 *
 * Hashed from a mapping of the file (no copy through a read buffer) with
 * nettle, which uses the processor's SHA instructions where it has them:
 * about 1.4 GB/s of one core here against 0.3 GB/s for GLib's portable
 * code, which made hashing the paper-scale file cost as much CPU as a
 * third of its analysis. A command can start the hashes of its inputs on a
 * thread of their own when it starts, so they are ready when the provenance
 * record is written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The lowercase hex SHA-256 of the file at @path; waits for the result
 * of hl_file_sha256_start () when it hashes @path. Fails (in @path's
 * words) when the file cannot be read. Hashes are cached in the user's
 * cache folder (headlens/sha256/) by the file's identity (device, inode,
 * size, modification and change times), so an unchanged file is hashed
 * once; HEADLENS_NO_HASH_CACHE in the environment turns the cache off. */
char *hl_file_sha256       (const char         *path,
                            GError            **error);

/* Whether the cache holds the SHA-256 of the file at @path as it is now
 * (so hl_file_sha256 () would not read it). */
gboolean hl_file_sha256_is_cached (const char *path);

/* Starts hashing @paths (NULL-terminated) in order on a thread of its own;
 * the next hl_file_sha256 () of each takes its result. */
void  hl_file_sha256_start (const char * const *paths);

G_END_DECLS
