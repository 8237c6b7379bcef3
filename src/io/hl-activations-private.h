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
  hid_t              file;       /* borrowed */
  hid_t              values;     /* set by hl_activations_header_read(), owned by the caller */
  hid_t              attention;  /* likewise */
  HlActivationsInfo *info;       /* borrowed, filled in */
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
HlActivations *hl_activations_new_corpus  (const char    *path,
                                           GPtrArray     *members);
/* Adds @message (transfer full) to the warnings of @self. */
void           hl_activations_add_warning (HlActivations *self,
                                           char          *message);

G_END_DECLS
