/* hl-chunk-reader.c: gzip-compressed head blocks decoded with bounded
 * buffers (see hl-chunk-reader.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-chunk-reader.h"

#include <string.h>
#include <zlib.h>

#define RANK 5

struct _HlChunkReader
{
  hid_t         dset;           /* borrowed */
  hid_t         file_type;      /* owned */
  gsize         element;        /* bytes of a stored number */
  hsize_t       chunk[RANK];
  gsize         chunk_bytes;
  int           n_filters;
  H5Z_filter_t  ids[H5Z_MAX_NFILTERS];
  unsigned      shuffle_sizes[H5Z_MAX_NFILTERS];
  guint8       *raw;            /* a chunk as stored */
  gsize         raw_size;
  guint8       *work;           /* chunk_bytes + HL_CHUNK_SLACK */
  guint8       *decoded;        /* likewise: the last chunk decoded */
  hsize_t       decoded_at[RANK];
  gboolean      has_decoded;
  guint8       *block;          /* the block assembled, in the file's type */
  gsize         block_size;
};

/* HDF5's Fletcher32 (H5_checksum_fletcher32 in H5checksum.c): sums of
 * big-endian 16-bit words. */
static guint32
fletcher32 (const guint8 *data,
            gsize         length)
{
  gsize words = length / 2;
  guint32 sum1 = 0, sum2 = 0;

  while (words > 0)
    {
      gsize run = MIN (words, 360);

      words -= run;
      for (; run > 0; run--, data += 2)
        {
          sum1 += ((guint32) data[0] << 8) | data[1];
          sum2 += sum1;
        }
      sum1 = (sum1 & 0xffff) + (sum1 >> 16);
      sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
  if (length % 2 != 0)
    {
      sum1 += (guint32) data[0] << 8;
      sum2 += sum1;
      sum1 = (sum1 & 0xffff) + (sum1 >> 16);
      sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
  sum1 = (sum1 & 0xffff) + (sum1 >> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  return (sum2 << 16) | sum1;
}

/* Checks and removes the 4-byte checksum at the end of @data; HDF5 also
 * accepts the byte-swapped sum older versions wrote. */
static gboolean
undo_fletcher32 (const guint8 *data,
                 gsize        *length)
{
  guint32 stored, sum;

  if (*length < 4)
    return FALSE;
  *length -= 4;
  memcpy (&stored, data + *length, sizeof stored);
  stored = GUINT32_FROM_LE (stored);
  sum = fletcher32 (data, *length);
  return stored == sum || stored == GUINT32_SWAP_LE_BE (sum);
}

/* Inflates @length bytes at @in into @out, at most @capacity bytes: a
 * stream that goes on further fails. */
static gboolean
undo_deflate (const guint8 *in,
              gsize        *length,
              guint8       *out,
              gsize         capacity)
{
  z_stream stream = { 0 };
  int status;

  stream.next_in = (Bytef *) in;
  stream.avail_in = *length;
  stream.next_out = out;
  stream.avail_out = capacity;
  if (inflateInit (&stream) != Z_OK)
    return FALSE;
  status = inflate (&stream, Z_FINISH);
  inflateEnd (&stream);
  if (status != Z_STREAM_END)
    return FALSE;
  *length = stream.total_out;
  return TRUE;
}

/* HDF5's byte shuffle, reversed: byte b of element e was stored at
 * b * n + e; trailing bytes of a partial element stay where they are. */
static void
undo_shuffle (const guint8 *in,
              gsize         length,
              unsigned      size,
              guint8       *out)
{
  gsize n = size > 0 ? length / size : 0;

  for (gsize b = 0; b < size && n > 0; b++)
    for (gsize e = 0; e < n; e++)
      out[e * size + b] = in[b * n + e];
  memcpy (out + n * size, in + n * size, length - n * size);
}

gboolean
hl_chunk_decode (const H5Z_filter_t *ids,
                 const unsigned     *shuffle_sizes,
                 int                 n_filters,
                 unsigned            mask,
                 guint8             *raw,
                 gsize               size,
                 gsize               chunk_bytes,
                 guint8             *work,
                 guint8             *out)
{
  gsize capacity = chunk_bytes + HL_CHUNK_SLACK, length = size;
  guint8 *data = raw, *spare = out;

  for (int i = n_filters - 1; i >= 0; i--)
    {
      if (mask & (1u << i))
        continue;
      if (ids[i] == H5Z_FILTER_FLETCHER32)
        {
          if (!undo_fletcher32 (data, &length))
            return FALSE;
          continue;
        }
      if (ids[i] == H5Z_FILTER_DEFLATE && !undo_deflate (data, &length, spare, capacity))
        return FALSE;
      if (ids[i] == H5Z_FILTER_SHUFFLE)
        {
          if (length > capacity)
            return FALSE;
          undo_shuffle (data, length, shuffle_sizes[i], spare);
        }
      if (ids[i] != H5Z_FILTER_DEFLATE && ids[i] != H5Z_FILTER_SHUFFLE)
        return FALSE;
      data = spare;
      spare = data == out ? work : out;
    }
  if (length != chunk_bytes)
    return FALSE;
  if (data != out)
    memcpy (out, data, length);
  return TRUE;
}

/* Reads @dcpl's filters; FALSE unless they are gzip (at least once),
 * shuffle and Fletcher32 only. */
static gboolean
read_filters (HlChunkReader *self,
              hid_t          dcpl)
{
  gboolean gzip = FALSE;

  self->n_filters = H5Pget_nfilters (dcpl);
  if (self->n_filters < 1 || self->n_filters > H5Z_MAX_NFILTERS)
    return FALSE;
  for (int i = 0; i < self->n_filters; i++)
    {
      unsigned flags, config, values[4] = { 0 };
      size_t n_values = G_N_ELEMENTS (values);

      self->ids[i] = H5Pget_filter2 (dcpl, i, &flags, &n_values, values, 0, NULL, &config);
      if (self->ids[i] == H5Z_FILTER_SHUFFLE)
        self->shuffle_sizes[i] = n_values > 0 ? values[0] : (unsigned) self->element;
      else if (self->ids[i] != H5Z_FILTER_DEFLATE && self->ids[i] != H5Z_FILTER_FLETCHER32)
        return FALSE;
      gzip = gzip || self->ids[i] == H5Z_FILTER_DEFLATE;
    }
  return gzip;
}

HlChunkReader *
hl_chunk_reader_new (hid_t dset)
{
  HlChunkReader *self = g_new0 (HlChunkReader, 1);
  hid_t dcpl = H5Dget_create_plist (dset);
  gboolean ok;

  self->dset = dset;
  self->file_type = H5Dget_type (dset);
  self->element = self->file_type >= 0 ? H5Tget_size (self->file_type) : 0;
  ok = dcpl >= 0 && self->element > 0 && H5Pget_layout (dcpl) == H5D_CHUNKED
       && H5Pget_chunk (dcpl, RANK, self->chunk) == RANK && read_filters (self, dcpl);
  if (dcpl >= 0)
    H5Pclose (dcpl);
  if (!ok)
    {
      hl_chunk_reader_free (self);
      return NULL;
    }
  self->chunk_bytes = self->element;
  for (int d = 0; d < RANK; d++)
    self->chunk_bytes *= self->chunk[d];
  self->work = g_malloc (self->chunk_bytes + HL_CHUNK_SLACK);
  self->decoded = g_malloc (self->chunk_bytes + HL_CHUNK_SLACK);
  return self;
}

gsize
hl_chunk_reader_get_chunk_bytes (HlChunkReader *self)
{
  return self->chunk_bytes;
}

/* The chunk whose first element is at @origin, decoded into
 * self->decoded (kept for the next block that reads it). */
static gboolean
decode_chunk (HlChunkReader *self,
              const hsize_t *origin)
{
  hsize_t stored = 0;
  uint32_t mask = 0;

  if (self->has_decoded && memcmp (origin, self->decoded_at, sizeof self->decoded_at) == 0)
    return TRUE;
  self->has_decoded = FALSE;
  /* gzip expands incompressible data by a few bytes per 16 KiB. */
  if (H5Dget_chunk_storage_size (self->dset, origin, &stored) < 0 || stored == 0
      || stored > self->chunk_bytes + self->chunk_bytes / 256 + 1024)
    return FALSE;
  if (self->raw_size < stored)
    {
      g_free (self->raw);
      self->raw = g_malloc (stored);
      self->raw_size = stored;
    }
  if (H5Dread_chunk (self->dset, H5P_DEFAULT, origin, &mask, self->raw) < 0
      || !hl_chunk_decode (self->ids, self->shuffle_sizes, self->n_filters, mask, self->raw,
                           stored, self->chunk_bytes, self->work, self->decoded))
    return FALSE;
  memcpy (self->decoded_at, origin, sizeof self->decoded_at);
  self->has_decoded = TRUE;
  return TRUE;
}

/* Copies the part of the decoded chunk at @origin inside the block at
 * @start of @count into self->block, row by row. */
static void
copy_overlap (HlChunkReader *self,
              const hsize_t *origin,
              const hsize_t *start,
              const hsize_t *count)
{
  const hsize_t *c = self->chunk;
  hsize_t row0 = MAX (origin[3], start[3]), row1 = MIN (origin[3] + c[3], start[3] + count[3]);
  hsize_t col0 = MAX (origin[4], start[4]), col1 = MIN (origin[4] + c[4], start[4] + count[4]);
  gsize plane = ((start[0] - origin[0]) * c[1] + (start[1] - origin[1])) * c[2]
                + (start[2] - origin[2]);

  for (hsize_t r = row0; r < row1; r++)
    {
      gsize from = (plane * c[3] + (r - origin[3])) * c[4] + (col0 - origin[4]);
      gsize to = (r - start[3]) * count[4] + (col0 - start[4]);

      memcpy (self->block + to * self->element, self->decoded + from * self->element,
              (col1 - col0) * self->element);
    }
}

static gboolean
assemble (HlChunkReader *self,
          const hsize_t *start,
          const hsize_t *count)
{
  const hsize_t *c = self->chunk;
  hsize_t origin[RANK];

  for (int d = 0; d < 3; d++)
    origin[d] = start[d] / c[d] * c[d];
  for (origin[3] = start[3] / c[3] * c[3]; origin[3] < start[3] + count[3]; origin[3] += c[3])
    for (origin[4] = start[4] / c[4] * c[4]; origin[4] < start[4] + count[4]; origin[4] += c[4])
      {
        if (!decode_chunk (self, origin))
          return FALSE;
        copy_overlap (self, origin, start, count);
      }
  return TRUE;
}

/* TRUE when one chunk is exactly the block (the layout Headlens writes). */
static gboolean
chunk_is_block (const HlChunkReader *self,
                const hsize_t       *start,
                const hsize_t       *count)
{
  for (int d = 0; d < RANK; d++)
    if (self->chunk[d] != count[d] || start[d] % self->chunk[d] != 0)
      return FALSE;
  return TRUE;
}

gboolean
hl_chunk_reader_read (HlChunkReader  *self,
                      const hsize_t  *start,
                      const hsize_t  *count,
                      hid_t           mem_type,
                      void           *out)
{
  gsize n = count[3] * count[4], mem_element = H5Tget_size (mem_type);
  gsize size = n * MAX (self->element, mem_element);
  gboolean same_type = H5Tequal (self->file_type, mem_type) > 0;
  const guint8 *data;

  g_return_val_if_fail (count[0] == 1 && count[1] == 1 && count[2] == 1, FALSE);

  if (self->block_size < size)
    {
      g_free (self->block);
      self->block = g_malloc (size);
      self->block_size = size;
    }
  if (chunk_is_block (self, start, count))
    {
      if (!decode_chunk (self, start))
        return FALSE;
      data = self->decoded;
    }
  else
    {
      if (!assemble (self, start, count))
        return FALSE;
      data = self->block;
    }
  if (!same_type)
    {
      if (data != self->block)
        memcpy (self->block, data, n * self->element);
      if (H5Tconvert (self->file_type, mem_type, n, self->block, NULL, H5P_DEFAULT) < 0)
        return FALSE;
      data = self->block;
    }
  memcpy (out, data, n * mem_element);
  return TRUE;
}

void
hl_chunk_reader_free (HlChunkReader *self)
{
  if (self == NULL)
    return;
  if (self->file_type >= 0)
    H5Tclose (self->file_type);
  g_free (self->raw);
  g_free (self->work);
  g_free (self->decoded);
  g_free (self->block);
  g_free (self);
}
