/* hl-hdf5-private.h: HDF5 helpers shared by the activation reader and writer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <hdf5.h>

#include "hl-activations.h"

G_BEGIN_DECLS

/* The largest dimension, head size and block the reader accepts. Anything
 * larger is a corrupt or hostile file, not a real model. */
#define HL_HDF5_MAX_DIM        (1 << 24)
#define HL_HDF5_MAX_HEAD_DIM   65536
#define HL_HDF5_MAX_BLOCK      ((guint64) 1 << 28)
#define HL_HDF5_MAX_STRING     65536
/* The largest chunk (uncompressed) the reader accepts. */
#define HL_HDF5_MAX_CHUNK      ((guint64) 1 << 30)

/* A hid_t that closes itself with the right H5*close function. The caller
 * must hold the HDF5 lock when the variable goes out of scope. */
typedef hid_t HlH5File;
typedef hid_t HlH5Dataset;
typedef hid_t HlH5Attr;
typedef hid_t HlH5Space;
typedef hid_t HlH5Type;
typedef hid_t HlH5Plist;
typedef hid_t HlH5Group;

void hl_h5_file_close    (HlH5File    id);
void hl_h5_dataset_close (HlH5Dataset id);
void hl_h5_attr_close    (HlH5Attr    id);
void hl_h5_space_close   (HlH5Space   id);
void hl_h5_type_close    (HlH5Type    id);
void hl_h5_plist_close   (HlH5Plist   id);
void hl_h5_group_close   (HlH5Group   id);

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (HlH5File, hl_h5_file_close, H5I_INVALID_HID)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (HlH5Dataset, hl_h5_dataset_close, H5I_INVALID_HID)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (HlH5Attr, hl_h5_attr_close, H5I_INVALID_HID)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (HlH5Space, hl_h5_space_close, H5I_INVALID_HID)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (HlH5Type, hl_h5_type_close, H5I_INVALID_HID)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (HlH5Plist, hl_h5_plist_close, H5I_INVALID_HID)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (HlH5Group, hl_h5_group_close, H5I_INVALID_HID)

/* A new IEEE 754 binary16 little-endian type (HDF5 1.10 predefines none). */
hid_t        hl_hdf5_float16_type_new  (void);
/* The little-endian file type for @dtype; close it with H5Tclose. */
hid_t        hl_hdf5_dtype_to_type     (HlDtype      dtype);
/* TRUE when @type is an integer, float or string type whose layout is
 * consistent, so that HDF5 can convert it without overrunning buffers. */
gboolean     hl_hdf5_type_is_sane      (hid_t        type);
/* TRUE when @type is a float whose bit fields fit its size, up to 16
 * bytes: a readable layout, even when Headlens does not read that size. */
gboolean     hl_hdf5_float_layout_is_consistent (hid_t type);
/* TRUE when the storage layout of @dset is consistent with its shape
 * (chunks no larger than a fixed-size dataset, at most 1 GiB). */
gboolean     hl_hdf5_layout_is_sane    (hid_t        dset);
/* TRUE when @type is exactly IEEE 754 binary16, in either byte order. */
gboolean     hl_hdf5_type_is_ieee_half (hid_t        type);
/* A copy of the dataset access property list @base whose chunk cache
 * keeps every chunk that one read of @block (rank 5, e.g. [1, 1, 1,
 * seq_len, head_dim]) touches, when those chunks also hold the blocks read
 * next (chunks spanning several heads, layers or samples, as other tools
 * may write them) and the cache fits a quarter of @budget bytes;
 * otherwise H5I_INVALID_HID, as each chunk is read once. Close it with
 * H5Pclose. */
hid_t        hl_hdf5_block_access_plist (hid_t          dset,
                                         const hsize_t *block,
                                         hid_t          base,
                                         guint64        budget);
/* TRUE when each @block (rank 5) of @dset is exactly one of its chunks,
 * stored unfiltered in @mem_type: H5Dread_chunk () then reads a block
 * straight into memory, without HDF5's chunk cache and its copy. */
gboolean     hl_hdf5_chunk_is_block    (hid_t          dset,
                                        const hsize_t *block,
                                        hid_t          mem_type);
/* TRUE and the dtype when @type is an H5T_FLOAT of 2, 4 or 8 bytes. */
gboolean     hl_hdf5_type_to_dtype     (hid_t        type,
                                        HlDtype     *dtype);
/* A short English name of a type class for error messages. */
const char  *hl_hdf5_class_name        (H5T_class_t  klass);

G_END_DECLS
