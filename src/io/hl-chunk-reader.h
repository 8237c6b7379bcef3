/* hl-chunk-reader.h: reads head blocks of a gzip-compressed dataset by
 * decoding its chunks here instead of in HDF5.
 *
 * HDF5's gzip filter doubles its output buffer for as long as a stream
 * goes on, so a 1.5 MB chunk can inflate to gigabytes before HDF5 notices
 * that the chunk holds a few hundred bytes (a decompression bomb), and the
 * filter cannot be replaced (HDF5 refuses to register over its own
 * filters). The reader takes each chunk's stored bytes (H5Dread_chunk),
 * undoes gzip, shuffle and Fletcher32 itself with every output bounded by
 * the chunk's size, and converts the block with H5Tconvert ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <hdf5.h>

G_BEGIN_DECLS

typedef struct _HlChunkReader HlChunkReader;

/* A reader for @dset (rank 5), or NULL when its chunks are not gzip
 * compressed (HDF5 reads those without risk) or its filters include one
 * this reader does not decode. Requires the HDF5 lock; @dset is borrowed
 * and must outlive the reader. */
HlChunkReader *hl_chunk_reader_new  (hid_t           dset);
/* The bytes of one uncompressed chunk. */
gsize          hl_chunk_reader_get_chunk_bytes (HlChunkReader *self);
/* Reads the block at @start of @count elements ([1, 1, 1, a, b]) into
 * @out as @mem_type; FALSE when a chunk is missing, damaged or decodes to
 * any size other than its own. Requires the HDF5 lock. */
gboolean       hl_chunk_reader_read (HlChunkReader  *self,
                                     const hsize_t  *start,
                                     const hsize_t  *count,
                                     hid_t           mem_type,
                                     void           *out);
void           hl_chunk_reader_free (HlChunkReader  *self);

/* Undoes, in reverse order, the filters @ids (gzip, shuffle with element
 * size @shuffle_sizes[i], Fletcher32) not skipped in @mask, on the @size
 * bytes at @raw; the result must be exactly @chunk_bytes bytes, written to
 * @out. @work holds chunk_bytes + HL_CHUNK_SLACK bytes. Exposed for tests. */
#define HL_CHUNK_SLACK 256
gboolean       hl_chunk_decode      (const H5Z_filter_t *ids,
                                     const unsigned     *shuffle_sizes,
                                     int                 n_filters,
                                     unsigned            mask,
                                     guint8             *raw,
                                     gsize               size,
                                     gsize               chunk_bytes,
                                     guint8             *work,
                                     guint8             *out);

G_END_DECLS
