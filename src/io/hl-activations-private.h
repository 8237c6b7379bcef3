/* hl-activations-private.h: what the parts of the reader share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-activations.h"
#include "hl-hdf5-private.h"

G_BEGIN_DECLS

/* The open file, and what reading its header fills in. */
typedef struct
{
  hid_t                   file;       /* borrowed */
  const char             *path;       /* borrowed; external files resolve beside it */
  HlActivationsOpenFlags  flags;
  hid_t                   lapl;       /* borrowed: how links are followed */
  hid_t                   dapl;       /* borrowed: how datasets are opened */
  guint64                 budget;     /* the memory budget, bytes */
  hid_t                   values;     /* set by hl_activations_header_read(), owned by the caller */
  hid_t                   attention;  /* likewise */
  HlActivationsInfo      *info;       /* borrowed, filled in */
} HlActivationsHeader;

/* Validates every attribute, the type, rank and shape of every dataset and
 * the query positions, and opens /values and /attention. Requires the HDF5
 * lock. On failure, opened datasets are still returned for closing. */
gboolean hl_activations_header_read (HlActivationsHeader  *self,
                                     GError              **error);

/* Sets an HL_ACTIVATIONS_ERROR_IO error saying @item could not be read;
 * returns FALSE. */
gboolean hl_activations_set_damaged (GError     **error,
                                     const char  *item);

/* A corpus of @members (transfer full; HlActivations of single files
 * whose shapes were checked equal): the first's shape and metadata, every
 * member's samples in order. Reads are passed to the member holding the
 * sample. */
HlActivations *hl_activations_new_corpus  (const char             *path,
                                           GPtrArray              *members,
                                           HlActivationsOpenFlags  flags);
/* Adds @message (transfer full) to the warnings of @self. */
void           hl_activations_add_warning (HlActivations *self,
                                           char          *message);

/* hl-activations-storage.c */

/* Follows @path link by link: FALSE with @error when a group on the way is
 * damaged, or a link is external (unless allowed, and then only to a
 * regular file) or user-defined; otherwise *@found says whether it exists
 * (a dataset where a group would be holds nothing). H5Lexists () < 0 is
 * damage, never absence. */
gboolean hl_activations_lookup         (HlActivationsHeader  *self,
                                        const char           *path,
                                        gboolean             *found,
                                        GError              **error);
/* Checks where the numbers of @dset (named @name) come from: its filters
 * (named when Headlens cannot read them), external raw storage (refused
 * unless allowed, then only regular files beside the file that hold the
 * bytes), virtual sources (in the same file, existing and large enough),
 * and that the file stores every byte the shape claims (every chunk, no
 * more than gzip's expansion). */
gboolean hl_activations_check_storage  (HlActivationsHeader  *self,
                                        hid_t                 dset,
                                        const char           *name,
                                        GError              **error);
gboolean hl_activations_check_storage_at_depth (HlActivationsHeader  *self,
                                                hid_t                 dset,
                                                const char           *name,
                                                int                   depth,
                                                GError              **error);
/* Refuses floats that are valid HDF5 but neither 2, 4 nor 8 bytes
 * (float128, x87 extended) with HL_ACTIVATIONS_ERROR_UNSUPPORTED. */
gboolean hl_activations_check_float_type (hid_t        type,
                                          const char  *name,
                                          GError     **error);

/* hl-activations.c */

/* hl_activations_open_full () without the separate checking process: what
 * that process (headlens-probe) runs, and what the caller runs after it. */
HlActivations *hl_activations_open_in_process (const char              *path,
                                               HlActivationsOpenFlags   flags,
                                               GError                 **error);

/* hl-probe.c */

/* Runs headlens-probe on @path with a time and memory limit: TRUE when it
 * opened the file and read all its metadata; its error, or
 * HL_ACTIVATIONS_ERROR_DAMAGED when it crashed, hung or ran out of
 * memory. */
gboolean       hl_activations_probe           (const char              *path,
                                               HlActivationsOpenFlags   flags,
                                               GError                 **error);

G_END_DECLS
