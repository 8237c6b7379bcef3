/* test-chunk-reader.c: head blocks decoded from gzip chunks here equal
 * what HDF5's own pipeline reads, for every filter combination, chunk
 * shape and type Headlens reads; a chunk that inflates past its size or
 * fails its checksum is refused.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-chunk-reader.h"
#include "hl-activations.h"
#include "hl-test-util.h"

#include <string.h>
#include <zlib.h>

#define L 2
#define S 1
#define G 3
#define T 20
#define D 12

typedef struct
{
  const char *name;
  gboolean    shuffle;
  gboolean    fletcher;
  hsize_t     chunk[5];
  int         type;     /* F32LE, F32BE or F64BE */
} Layout;

enum { F32LE, F32BE, F64BE };

static hid_t
file_type (int type)
{
  return type == F32LE ? H5T_IEEE_F32LE : type == F32BE ? H5T_IEEE_F32BE : H5T_IEEE_F64BE;
}

static void
write_dataset (const char   *path,
               const Layout *layout)
{
  hsize_t dims[5] = { L, S, G, T, D };
  g_autofree float *data = g_new (float, L * S * G * T * D);
  hid_t file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t space = H5Screate_simple (5, dims, NULL);
  hid_t dcpl = H5Pcreate (H5P_DATASET_CREATE);
  hid_t dset;

  for (int i = 0; i < L * S * G * T * D; i++)
    data[i] = (float) ((i * 37) % 101) / 7.0f - 3.0f;
  H5Pset_chunk (dcpl, 5, layout->chunk);
  if (layout->shuffle)
    H5Pset_shuffle (dcpl);
  H5Pset_deflate (dcpl, 6);
  if (layout->fletcher)
    H5Pset_fletcher32 (dcpl);
  dset = H5Dcreate2 (file, "/values", file_type (layout->type), space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), >=, 0);
  H5Dclose (dset);
  H5Pclose (dcpl);
  H5Sclose (space);
  H5Fclose (file);
}

static void
read_with_hdf5 (hid_t          dset,
                const hsize_t *start,
                const hsize_t *count,
                float         *out)
{
  hid_t fspace = H5Dget_space (dset);
  hid_t mspace = H5Screate_simple (5, count, NULL);

  H5Sselect_hyperslab (fspace, H5S_SELECT_SET, start, NULL, count, NULL);
  g_assert_cmpint (H5Dread (dset, H5T_NATIVE_FLOAT, mspace, fspace, H5P_DEFAULT, out), >=, 0);
  H5Sclose (mspace);
  H5Sclose (fspace);
}

/* Every block read both ways, byte for byte. */
static void
test_matches_hdf5 (gconstpointer data)
{
  const Layout *layout = data;
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "chunks.h5", NULL);
  float ours[T * D], theirs[T * D];
  HlChunkReader *reader;
  hid_t file, dset;

  hl_hdf5_lock ();
  write_dataset (path, layout);
  file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  dset = H5Dopen2 (file, "/values", H5P_DEFAULT);
  reader = hl_chunk_reader_new (dset);
  g_assert_nonnull (reader);
  for (hsize_t l = 0; l < L; l++)
    for (hsize_t g = 0; g < G; g++)
      {
        hsize_t start[5] = { l, 0, g, 0, 0 }, count[5] = { 1, 1, 1, T, D };

        g_assert_true (hl_chunk_reader_read (reader, start, count, H5T_NATIVE_FLOAT, ours));
        read_with_hdf5 (dset, start, count, theirs);
        g_assert_cmpmem (ours, sizeof ours, theirs, sizeof theirs);
      }
  hl_chunk_reader_free (reader);
  H5Dclose (dset);
  H5Fclose (file);
  hl_hdf5_unlock ();
  hl_test_remove_tmp_dir (dir);
}

static const Layout layouts[] = {
  { "gzip-block", FALSE, FALSE, { 1, 1, 1, T, D }, F32LE },
  { "shuffle-gzip-fletcher-block", TRUE, TRUE, { 1, 1, 1, T, D }, F32LE },
  { "gzip-f64-be", FALSE, TRUE, { 1, 1, 1, T, D }, F64BE },
  { "shuffle-gzip-f32-be-tiles", TRUE, FALSE, { 1, 1, 2, 7, 5 }, F32BE },
  { "gzip-two-layers", FALSE, FALSE, { 2, 1, 3, 8, D }, F32LE },
};

static guint8 *
deflate_bytes (const guint8 *data,
               gsize         size,
               gsize        *out_size)
{
  uLongf bound = compressBound (size);
  guint8 *out = g_malloc (bound);

  g_assert_cmpint (compress2 (out, &bound, data, size, 6), ==, Z_OK);
  *out_size = bound;
  return out;
}

/* A stream that inflates past the chunk's size, and a chunk whose
 * Fletcher32 sum is wrong, are refused; the same chunk decodes when whole. */
static void
test_bounds (void)
{
  const H5Z_filter_t gzip[] = { H5Z_FILTER_DEFLATE };
  const H5Z_filter_t checked[] = { H5Z_FILTER_DEFLATE, H5Z_FILTER_FLETCHER32 };
  const unsigned sizes[] = { 4, 4 };
  guint8 chunk[1024], big[4096], work[1024 + HL_CHUNK_SLACK], out[1024 + HL_CHUNK_SLACK];
  g_autofree guint8 *stream = NULL;
  g_autofree guint8 *bomb = NULL;
  g_autofree guint8 *summed = NULL;
  gsize size, bomb_size;

  for (guint i = 0; i < sizeof chunk; i++)
    chunk[i] = (guint8) (i * 7);
  memset (big, 0, sizeof big);
  stream = deflate_bytes (chunk, sizeof chunk, &size);
  g_assert_true (hl_chunk_decode (gzip, sizes, 1, 0, stream, size, sizeof chunk, work, out));
  g_assert_cmpmem (out, sizeof chunk, chunk, sizeof chunk);
  /* Four times the chunk: refused at the chunk's size plus slack. */
  bomb = deflate_bytes (big, sizeof big, &bomb_size);
  g_assert_false (hl_chunk_decode (gzip, sizes, 1, 0, bomb, bomb_size, sizeof chunk, work, out));
  /* A filter skipped by the mask (bit set) is not undone. */
  g_assert_false (hl_chunk_decode (gzip, sizes, 1, 1, stream, size, sizeof chunk, work, out));
  /* A wrong checksum. */
  summed = g_malloc (size + 4);
  memcpy (summed, stream, size);
  memset (summed + size, 0xab, 4);
  g_assert_false (hl_chunk_decode (checked, sizes, 2, 0, summed, size + 4, sizeof chunk, work,
                                   out));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (layouts); i++)
    {
      g_autofree char *name = g_strdup_printf ("/io/chunk-reader/%s", layouts[i].name);

      g_test_add_data_func (name, &layouts[i], test_matches_hdf5);
    }
  g_test_add_func ("/io/chunk-reader/bounds", test_bounds);
  return g_test_run ();
}
