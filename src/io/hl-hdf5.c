/* hl-hdf5.c: the process-wide HDF5 lock and small HDF5 helpers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-hdf5-private.h"

#include <string.h>

/* Recursive, so a public call made while the lock is held (for example
 * validate_all reading blocks) does not deadlock. */
static GRecMutex hdf5_lock;

void
hl_hdf5_lock (void)
{
  static gsize silenced = 0;

  g_rec_mutex_lock (&hdf5_lock);
  /* HDF5 prints its error stack to stderr by default; our GErrors say what
   * went wrong, so the stack only confuses users. */
  if (g_once_init_enter (&silenced))
    {
      H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
      g_once_init_leave (&silenced, 1);
    }
}

void
hl_hdf5_unlock (void)
{
  g_rec_mutex_unlock (&hdf5_lock);
}

void
hl_h5_file_close (HlH5File id)
{
  H5Fclose (id);
}

void
hl_h5_dataset_close (HlH5Dataset id)
{
  H5Dclose (id);
}

void
hl_h5_attr_close (HlH5Attr id)
{
  H5Aclose (id);
}

void
hl_h5_space_close (HlH5Space id)
{
  H5Sclose (id);
}

void
hl_h5_type_close (HlH5Type id)
{
  H5Tclose (id);
}

void
hl_h5_plist_close (HlH5Plist id)
{
  H5Pclose (id);
}

void
hl_h5_group_close (HlH5Group id)
{
  H5Gclose (id);
}

hid_t
hl_hdf5_float16_type_new (void)
{
  hid_t type = H5Tcopy (H5T_IEEE_F32LE);

  /* Sign bit 15, exponent bits 10..14, mantissa bits 0..9, bias 15. The
   * order of the calls matters: fields must fit the size at every step. */
  H5Tset_fields (type, 15, 10, 5, 0, 10);
  H5Tset_size (type, 2);
  H5Tset_ebias (type, 15);
  H5Tset_precision (type, 16);
  return type;
}

hid_t
hl_hdf5_dtype_to_type (HlDtype dtype)
{
  switch (dtype)
    {
    case HL_DTYPE_FLOAT16:
      return hl_hdf5_float16_type_new ();
    case HL_DTYPE_FLOAT32:
      return H5Tcopy (H5T_IEEE_F32LE);
    case HL_DTYPE_FLOAT64:
      return H5Tcopy (H5T_IEEE_F64LE);
    default:
      g_assert_not_reached ();
    }
}

/* A corrupted type message can describe bit fields outside the type's
 * bytes, or a character type gigabytes wide; HDF5 would then convert past
 * its buffers, so such types are refused before any read. */
static gboolean
bits_fit (hid_t type)
{
  size_t bits = 8 * H5Tget_size (type);
  size_t precision = H5Tget_precision (type);
  int offset = H5Tget_offset (type);

  return precision > 0 && offset >= 0 && offset + precision <= bits;
}

/* HDF5 converts mantissas of at most 64 bits (@max_mantissa); float128's
 * has 112. */
static gboolean
float_fields_fit (hid_t  type,
                  size_t max_mantissa)
{
  size_t spos, epos, esize, mpos, msize;
  size_t precision = H5Tget_precision (type);

  if (H5Tget_fields (type, &spos, &epos, &esize, &mpos, &msize) < 0)
    return FALSE;
  return spos < precision && epos + esize <= precision && mpos + msize <= precision
         && esize > 0 && esize <= 16 && msize > 0 && msize <= max_mantissa;
}

/* The layout every IEEE 754 binary format has (and bfloat16 too): mantissa,
 * exponent and sign packed from bit 0, an implied leading bit, and the bias
 * 2^(esize - 1) - 1. A damaged type message can keep the fields inside
 * the type and change the bias, and HDF5 then converts every number to a
 * wrong finite value (2^2097152 times too small in one mutant). */
static gboolean
float_is_ieee_like (hid_t type)
{
  size_t spos, epos, esize, mpos, msize;
  H5T_order_t order = H5Tget_order (type);

  return H5Tget_fields (type, &spos, &epos, &esize, &mpos, &msize) >= 0
         && mpos == 0 && epos == msize && spos == epos + esize
         && H5Tget_precision (type) == spos + 1 && H5Tget_offset (type) == 0
         && esize >= 2 && esize <= 15 && H5Tget_ebias (type) == ((size_t) 1 << (esize - 1)) - 1
         && H5Tget_norm (type) == H5T_NORM_IMPLIED
         && (order == H5T_ORDER_LE || order == H5T_ORDER_BE);
}

gboolean
hl_hdf5_float_layout_is_consistent (hid_t type)
{
  return H5Tget_class (type) == H5T_FLOAT && H5Tget_size (type) <= 16 && bits_fit (type)
         && float_fields_fit (type, 128);
}

gboolean
hl_hdf5_type_is_sane (hid_t type)
{
  switch (H5Tget_class (type))
    {
    case H5T_INTEGER:
      return H5Tget_size (type) <= 8 && bits_fit (type);
    case H5T_FLOAT:
      return H5Tget_size (type) <= 8 && bits_fit (type) && float_fields_fit (type, 64)
             && float_is_ieee_like (type);
    case H5T_STRING:
      /* HDF5 keeps character sets 2..15 reserved; a string claiming one is
       * a damaged type message, not text of an unknown encoding. */
      if (H5Tget_cset (type) != H5T_CSET_ASCII && H5Tget_cset (type) != H5T_CSET_UTF8)
        return FALSE;
      if (H5Tis_variable_str (type) > 0)
        {
          hid_t super = H5Tget_super (type);
          gboolean ok = super >= 0 && H5Tget_size (super) == 1;

          if (super >= 0)
            H5Tclose (super);
          return ok;
        }
      return H5Tget_size (type) > 0 && H5Tget_size (type) <= HL_HDF5_MAX_STRING;
    default:
      return FALSE;
    }
}

gboolean
hl_hdf5_layout_is_sane (hid_t dset)
{
  hid_t dcpl = H5Dget_create_plist (dset);
  hid_t space = H5Dget_space (dset);
  hid_t type = H5Dget_type (dset);
  hsize_t chunk[H5S_MAX_RANK], maxdims[H5S_MAX_RANK];
  guint64 bytes = type >= 0 ? H5Tget_size (type) : 0;
  int rank = space >= 0 ? H5Sget_simple_extent_dims (space, NULL, maxdims) : -1;
  gboolean ok = dcpl >= 0 && rank >= 0 && bytes > 0;

  /* A fixed-size dataset cannot have chunks larger than itself (H5Dcreate
   * refuses them), and HDF5 1.10 copies past its buffers when a corrupted
   * layout message claims so. Chunks are also capped at 1 GiB. */
  if (ok && H5Pget_layout (dcpl) == H5D_CHUNKED)
    {
      ok = H5Pget_chunk (dcpl, H5S_MAX_RANK, chunk) == rank;
      for (int i = 0; ok && i < rank; i++)
        {
          ok = chunk[i] > 0 && (maxdims[i] == H5S_UNLIMITED || chunk[i] <= maxdims[i])
               && g_uint64_checked_mul (&bytes, bytes, chunk[i]) && bytes <= HL_HDF5_MAX_CHUNK;
        }
    }
  if (type >= 0)
    H5Tclose (type);
  if (space >= 0)
    H5Sclose (space);
  if (dcpl >= 0)
    H5Pclose (dcpl);
  return ok;
}

gboolean
hl_hdf5_type_is_ieee_half (hid_t type)
{
  size_t spos, epos, esize, mpos, msize;
  H5T_order_t order = H5Tget_order (type);

  /* Anything else of two bytes (bfloat16, another bias, no implied bit)
   * is left to HDF5's generic conversion. */
  return H5Tget_class (type) == H5T_FLOAT && H5Tget_size (type) == 2
         && H5Tget_precision (type) == 16 && H5Tget_offset (type) == 0
         && (order == H5T_ORDER_LE || order == H5T_ORDER_BE)
         && H5Tget_fields (type, &spos, &epos, &esize, &mpos, &msize) >= 0
         && spos == 15 && epos == 10 && esize == 5 && mpos == 0 && msize == 10
         && H5Tget_ebias (type) == 15 && H5Tget_norm (type) == H5T_NORM_IMPLIED;
}

/* The bytes of the chunks that one read of @block touches, or 0 when no
 * chunk holds more than one block. */
static guint64
block_chunk_bytes (hid_t          dset,
                   const hsize_t *block)
{
  g_auto(HlH5Plist) dcpl = H5Dget_create_plist (dset);
  g_auto(HlH5Type) type = H5Dget_type (dset);
  hsize_t chunk[5];
  guint64 bytes, n_chunks = 1;

  if (dcpl < 0 || type < 0 || H5Pget_layout (dcpl) != H5D_CHUNKED
      || H5Pget_chunk (dcpl, 5, chunk) != 5)
    return 0;
  bytes = H5Tget_size (type);
  for (int i = 0; i < 5; i++)
    {
      bytes *= chunk[i];
      n_chunks *= (block[i] + chunk[i] - 1) / chunk[i];
    }
  if (chunk[0] * chunk[1] * chunk[2] <= block[0] * block[1] * block[2])
    return 0;
  return bytes * n_chunks;
}

hid_t
hl_hdf5_block_access_plist (hid_t          dset,
                            const hsize_t *block,
                            hid_t          base,
                            guint64        budget)
{
  /* HDF5's default is 1 MiB; beyond 256 MiB (or a quarter of the memory
   * budget), rather decompress again. */
  const guint64 default_bytes = 1 << 20, max_bytes = MIN ((guint64) 256 << 20, budget / 4);
  guint64 bytes = block_chunk_bytes (dset, block);
  hid_t dapl;

  if (bytes <= default_bytes || bytes > max_bytes)
    return H5I_INVALID_HID;
  dapl = H5Pcopy (base);
  /* 12421 hash slots (a prime) keep collisions rare; w0 = 1 evicts the
   * chunks already read in full first. */
  if (dapl >= 0 && H5Pset_chunk_cache (dapl, 12421, bytes, 1.0) >= 0)
    return dapl;
  if (dapl >= 0)
    H5Pclose (dapl);
  return H5I_INVALID_HID;
}

gboolean
hl_hdf5_chunk_is_block (hid_t          dset,
                        const hsize_t *block,
                        hid_t          mem_type)
{
  g_auto(HlH5Plist) dcpl = H5Dget_create_plist (dset);
  g_auto(HlH5Type) type = H5Dget_type (dset);
  hsize_t chunk[5];

  if (dcpl < 0 || type < 0 || H5Pget_layout (dcpl) != H5D_CHUNKED
      || H5Pget_chunk (dcpl, 5, chunk) != 5 || H5Pget_nfilters (dcpl) != 0
      || H5Tequal (type, mem_type) <= 0)
    return FALSE;
  for (int i = 0; i < 5; i++)
    if (chunk[i] != block[i])
      return FALSE;
  return TRUE;
}

gboolean
hl_hdf5_type_to_dtype (hid_t    type,
                       HlDtype *dtype)
{
  if (H5Tget_class (type) != H5T_FLOAT || !hl_hdf5_type_is_sane (type))
    return FALSE;
  switch (H5Tget_size (type))
    {
    case 2:
      *dtype = HL_DTYPE_FLOAT16;
      return TRUE;
    case 4:
      *dtype = HL_DTYPE_FLOAT32;
      return TRUE;
    case 8:
      *dtype = HL_DTYPE_FLOAT64;
      return TRUE;
    default:
      return FALSE;
    }
}

const char *
hl_hdf5_class_name (H5T_class_t klass)
{
  switch (klass)
    {
    case H5T_INTEGER:
      return "integer";
    case H5T_FLOAT:
      return "float";
    case H5T_STRING:
      return "string";
    case H5T_COMPOUND:
      return "compound";
    case H5T_ENUM:
      return "enum";
    case H5T_VLEN:
      return "variable-length sequence";
    case H5T_ARRAY:
      return "array";
    default:
      return "unsupported type";
    }
}
