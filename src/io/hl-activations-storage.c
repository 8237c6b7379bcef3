/* hl-activations-storage.c: where a dataset's numbers come from, checked
 * before anything is read: the links leading to it, the filters that
 * encode it, external raw storage, virtual sources, and that the file
 * stores every byte the dataset claims.
 *
 * HDF5 would otherwise follow an external link or external storage to any
 * file (a FIFO blocks forever, /etc/passwd reads as numbers), read a
 * missing virtual source or a chunk that was never written as zeros, and
 * allocate for a dataset of 2^48 elements that the file does not hold.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-activations-private.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

/* Every function here runs with the HDF5 lock held. */

/* The largest expansion of a gzip stream (zlib's deflate: 1032 to 1),
 * with room for block headers. */
#define MAX_DEFLATE_RATIO 1100

static char *
format_size (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static char *
file_folder (HlActivationsHeader *self)
{
  return g_path_get_dirname (self->path);
}

/* @target resolved against the folder of the activation file; it must be a
 * regular file (not a FIFO, a device or a folder). */
static gboolean
check_external_target (HlActivationsHeader  *self,
                       const char           *what,
                       const char           *target,
                       guint64               min_size,
                       GError              **error)
{
  g_autofree char *folder = file_folder (self);
  g_autofree char *resolved = g_path_is_absolute (target) ? g_strdup (target)
                                                          : g_build_filename (folder, target, NULL);
  GStatBuf st;

  if (g_stat (resolved, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_EXTERNAL,
                   _("%s points at “%s”, which is not a regular file, expected an existing "
                     "file beside the activation file"), what, resolved);
      return FALSE;
    }
  if ((guint64) st.st_size < min_size)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_STORAGE,
                   _("%s points at “%s”, which holds %" PRIu64 " bytes, expected at "
                     "least %" PRIu64), what, resolved, (guint64) st.st_size, min_size);
      return FALSE;
    }
  return TRUE;
}

static gboolean
refuse_external (const char  *what,
                 const char  *target,
                 GError     **error)
{
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_EXTERNAL,
               _("%s points at the external file “%s”; Headlens follows external files only "
                 "when asked to (headlens-cli --allow-external), because they can point "
                 "anywhere on the disk"), what, target);
  return FALSE;
}

/* An environment variable that would make HDF5 resolve external files
 * elsewhere than where they were checked. */
static gboolean
check_prefix_variable (const char  *variable,
                       GError     **error)
{
  if (g_getenv (variable) == NULL)
    return TRUE;
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_EXTERNAL,
               _("The environment variable %s is set: HDF5 would look for external files "
                 "there instead of beside the activation file; unset it to read this file"),
               variable);
  return FALSE;
}

static gboolean
check_external_link (HlActivationsHeader  *self,
                     const char           *path,
                     const H5L_info_t     *link,
                     GError              **error)
{
  g_autofree char *value = g_malloc0 (link->u.val_size + 1);
  g_autofree char *what = g_strdup_printf (_("The external link %s"), path);
  const char *target = NULL, *object = NULL;
  unsigned flags;

  if (H5Lget_val (self->file, path, value, link->u.val_size, self->lapl) < 0
      || H5Lunpack_elink_val (value, link->u.val_size, &flags, &target, &object) < 0
      || target == NULL)
    return hl_activations_set_damaged (error, path);
  if (!(self->flags & HL_ACTIVATIONS_OPEN_ALLOW_EXTERNAL))
    return refuse_external (what, target, error);
  return check_prefix_variable ("HDF5_EXT_PREFIX", error)
         && check_external_target (self, what, target, 0, error);
}

/* The link @prefix (an absolute path in the file) exists and may be
 * followed: *found says whether it exists. */
static gboolean
lookup_link (HlActivationsHeader  *self,
             const char           *prefix,
             gboolean             *found,
             GError              **error)
{
  htri_t exists = H5Lexists (self->file, prefix, self->lapl);
  H5L_info_t link;

  /* A negative answer is a damaged group, never "absent". */
  if (exists < 0)
    return hl_activations_set_damaged (error, prefix);
  *found = exists > 0;
  if (!*found)
    return TRUE;
  if (H5Lget_info (self->file, prefix, &link, self->lapl) < 0)
    return hl_activations_set_damaged (error, prefix);
  if (link.type == H5L_TYPE_EXTERNAL)
    return check_external_link (self, prefix, &link, error);
  if (link.type != H5L_TYPE_HARD && link.type != H5L_TYPE_SOFT)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_UNSUPPORTED,
                   _("%s is a user-defined link (type %d), which Headlens does not follow"),
                   prefix, (int) link.type);
      return FALSE;
    }
  return TRUE;
}

gboolean
hl_activations_lookup (HlActivationsHeader  *self,
                       const char           *path,
                       gboolean             *found,
                       GError              **error)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GString) prefix = g_string_new (NULL);

  *found = FALSE;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      H5O_info_t object;

      if (parts[i][0] == '\0')
        continue;
      if (prefix->len > 0)
        {
          /* What holds the next link must be a group. */
          if (H5Oget_info_by_name (self->file, prefix->str, &object, self->lapl) < 0)
            return hl_activations_set_damaged (error, prefix->str);
          /* A dataset where a group would be holds nothing: absent. */
          if (object.type != H5O_TYPE_GROUP)
            {
              *found = FALSE;
              return TRUE;
            }
        }
      g_string_append_c (prefix, '/');
      g_string_append (prefix, parts[i]);
      if (!lookup_link (self, prefix->str, found, error))
        return FALSE;
      if (!*found)
        return TRUE;
    }
  return TRUE;
}

/* Filters. */

typedef struct
{
  H5Z_filter_t  id;
  const char   *name;
} KnownFilter;

/* Registered filters other tools use (https://portal.hdfgroup.org/documentation/hdf5-docs/registered_filter_plugins.html). */
static const KnownFilter known_filters[] = {
  { H5Z_FILTER_SZIP, "szip" },
  { H5Z_FILTER_NBIT, "N-bit" },
  { H5Z_FILTER_SCALEOFFSET, "scale-offset" },
  { 307, "bzip2" },
  { 32000, "LZF" },
  { 32001, "Blosc" },
  { 32004, "LZ4" },
  { 32008, "bitshuffle" },
  { 32013, "ZFP" },
  { 32015, "Zstandard" },
  { 32017, "SZ" },
  { 32026, "Blosc2" },
};

static const char *
filter_name (H5Z_filter_t id,
             const char  *stored_name)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_filters); i++)
    if (known_filters[i].id == id)
      return known_filters[i].name;
  return stored_name[0] != '\0' ? stored_name : _("an unknown filter");
}

/* Only gzip, shuffle, Fletcher32 and (when HDF5 has it) szip are read: the
 * N-bit and scale-offset decoders of HDF5 1.10 overrun their buffers on
 * damaged parameters, and the others need plugins. */
static gboolean
filter_is_readable (H5Z_filter_t id)
{
  return id == H5Z_FILTER_DEFLATE || id == H5Z_FILTER_SHUFFLE || id == H5Z_FILTER_FLETCHER32
         || (id == H5Z_FILTER_SZIP && H5Zfilter_avail (id) > 0);
}

static gboolean
check_filters (hid_t         dcpl,
               const char   *name,
               gboolean     *filtered,
               GError      **error)
{
  int n = H5Pget_nfilters (dcpl);

  if (n < 0)
    return hl_activations_set_damaged (error, name);
  *filtered = n > 0;
  for (int i = 0; i < n; i++)
    {
      char stored_name[64] = "";
      unsigned flags, config;
      size_t n_values = 0;
      H5Z_filter_t id = H5Pget_filter2 (dcpl, i, &flags, &n_values, NULL, sizeof stored_name,
                                        stored_name, &config);

      if (id < 0)
        return hl_activations_set_damaged (error, name);
      stored_name[sizeof stored_name - 1] = '\0';
      if (!filter_is_readable (id))
        {
          g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_UNSUPPORTED,
                       _("Dataset %s is encoded with %s (HDF5 filter %d), which Headlens does "
                         "not read: the file may be fine, but expected gzip, shuffle, "
                         "Fletcher32 or szip; re-save it with gzip (h5py: "
                         "compression=\"gzip\")"),
                       name, filter_name (id, stored_name), (int) id);
          return FALSE;
        }
    }
  return TRUE;
}

/* Stored bytes. */

static gboolean
refuse_unstored (const char  *name,
                 guint64      logical,
                 guint64      stored,
                 const char  *how,
                 GError     **error)
{
  g_autofree char *logical_text = format_size (logical);
  g_autofree char *stored_text = format_size (stored);

  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_STORAGE,
               _("Dataset %s holds %s by its shape but the file stores %s of it (%s): the "
                 "file claims more data than it holds"),
               name, logical_text, stored_text, how);
  return FALSE;
}

/* External raw storage. */

/* Each external file must exist beside the activation file, be a regular
 * file and hold its segment; together the segments must hold @logical
 * bytes. */
static gboolean
check_external_storage (HlActivationsHeader  *self,
                        hid_t                 dcpl,
                        const char           *name,
                        int                   count,
                        guint64               logical,
                        GError              **error)
{
  g_autofree char *what = g_strdup_printf (_("Dataset %s"), name);
  guint64 total = 0;

  for (int i = 0; i < count; i++)
    {
      char target[4096] = "";
      off_t offset;
      hsize_t size;

      if (H5Pget_external (dcpl, i, sizeof target, target, &offset, &size) < 0 || offset < 0)
        return hl_activations_set_damaged (error, name);
      target[sizeof target - 1] = '\0';
      if (!(self->flags & HL_ACTIVATIONS_OPEN_ALLOW_EXTERNAL))
        return refuse_external (what, target, error);
      if (!check_prefix_variable ("HDF5_EXTFILE_PREFIX", error)
          || !check_external_target (self, what, target,
                                     (guint64) offset + (size == H5F_UNLIMITED ? 0 : size),
                                     error))
        return FALSE;
      total = size == H5F_UNLIMITED ? G_MAXUINT64 : total + MIN (size, G_MAXUINT64 - total);
    }
  if (total < logical)
    return refuse_unstored (name, logical, total, _("in external files"), error);
  return TRUE;
}

/* Virtual datasets. */

static gboolean
check_virtual_source (HlActivationsHeader  *self,
                      hid_t                 dcpl,
                      const char           *name,
                      size_t                i,
                      int                   depth,
                      GError              **error);

static gboolean
check_virtual (HlActivationsHeader  *self,
               hid_t                 dcpl,
               const char           *name,
               int                   depth,
               GError              **error)
{
  size_t count = 0;

  if (depth > 0)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_UNSUPPORTED,
                   _("Dataset %s is a virtual dataset whose sources are virtual too, which "
                     "Headlens does not read"), name);
      return FALSE;
    }
  if (H5Pget_virtual_count (dcpl, &count) < 0)
    return hl_activations_set_damaged (error, name);
  for (size_t i = 0; i < count; i++)
    if (!check_virtual_source (self, dcpl, name, i, depth, error))
      return FALSE;
  return TRUE;
}

/* TRUE when the dataset @source covers the source selection @space of a
 * mapping onto @virtual_space: all of it (a selection of "all" has no
 * extent of its own) or the selection's bounding box. */
static gboolean
source_covers (hid_t source,
               hid_t space,
               hid_t virtual_space)
{
  hsize_t start[H5S_MAX_RANK], end[H5S_MAX_RANK], dims[H5S_MAX_RANK];
  g_auto(HlH5Space) source_space = H5Dget_space (source);
  int rank;

  if (source_space < 0)
    return FALSE;
  if (H5Sget_select_type (space) == H5S_SEL_ALL)
    return H5Sget_select_npoints (virtual_space) >= 0
           && H5Sget_simple_extent_npoints (source_space) >= H5Sget_select_npoints (virtual_space);
  rank = H5Sget_simple_extent_ndims (source_space);
  if (rank < 1 || rank > H5S_MAX_RANK || H5Sget_select_bounds (space, start, end) < 0
      || H5Sget_simple_extent_dims (source_space, dims, NULL) < 0)
    return FALSE;
  for (int d = 0; d < rank; d++)
    if (end[d] >= dims[d])
      return FALSE;
  return TRUE;
}

static gboolean
check_virtual_source (HlActivationsHeader  *self,
                      hid_t                 dcpl,
                      const char           *name,
                      size_t                i,
                      int                   depth,
                      GError              **error)
{
  char file_name[4096] = "", source_name[4096] = "";
  g_autofree char *what = g_strdup_printf (_("The virtual dataset %s"), name);
  g_auto(HlH5Space) space = H5Pget_virtual_srcspace (dcpl, i);
  g_auto(HlH5Space) virtual_space = H5Pget_virtual_vspace (dcpl, i);
  g_auto(HlH5Dataset) source = H5I_INVALID_HID;
  gboolean found;

  if (space < 0 || virtual_space < 0 || H5Pget_virtual_filename (dcpl, i, file_name, sizeof file_name) < 0
      || H5Pget_virtual_dsetname (dcpl, i, source_name, sizeof source_name) < 0)
    return hl_activations_set_damaged (error, name);
  file_name[sizeof file_name - 1] = source_name[sizeof source_name - 1] = '\0';
  if (strcmp (file_name, ".") != 0)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_EXTERNAL,
                   _("%s reads from the other file “%s”; Headlens reads virtual datasets "
                     "only when their sources are in the same file"), what, file_name);
      return FALSE;
    }
  if (!hl_activations_lookup (self, source_name, &found, error))
    return FALSE;
  if (found)
    source = H5Dopen2 (self->file, source_name, self->dapl);
  if (!found || source < 0 || !source_covers (source, space, virtual_space))
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_STORAGE,
                   _("%s maps part of itself to %s, which is %s: that part would read as "
                     "zeros"), what, source_name, found ? _("smaller than the mapping")
                                                        : _("missing"));
      return FALSE;
    }
  return hl_activations_check_storage_at_depth (self, source, source_name, depth + 1, error);
}

/* Every chunk the shape needs must be stored, and compressed chunks cannot
 * expand more than gzip can. */
static gboolean
check_chunks_stored (hid_t         dset,
                     hid_t         dcpl,
                     const char   *name,
                     guint64       element,
                     gboolean      variable,
                     gboolean      filtered,
                     GError      **error)
{
  hsize_t dims[H5S_MAX_RANK], chunk[H5S_MAX_RANK], n_stored = 0;
  g_auto(HlH5Space) space = H5Dget_space (dset);
  int rank = space >= 0 ? H5Sget_simple_extent_dims (space, dims, NULL) : -1;
  guint64 expected = 1, chunk_bytes = element, stored;

  if (rank < 1 || H5Pget_chunk (dcpl, rank, chunk) != rank)
    return hl_activations_set_damaged (error, name);
  for (int d = 0; d < rank; d++)
    {
      expected *= (dims[d] + chunk[d] - 1) / chunk[d];
      chunk_bytes *= chunk[d];
    }
  if (H5Dget_num_chunks (dset, space, &n_stored) < 0 || n_stored > expected)
    return hl_activations_set_damaged (error, name);
  if (n_stored < expected)
    {
      g_autofree char *how = g_strdup_printf (_("%" PRIu64 " of its %" PRIu64 " chunks"),
                                              (guint64) n_stored, expected);

      return refuse_unstored (name, expected * chunk_bytes, n_stored * chunk_bytes, how, error);
    }
  stored = H5Dget_storage_size (dset);
  if (!filtered && !variable && stored != expected * chunk_bytes)
    return hl_activations_set_damaged (error, name);
  if (filtered && stored * MAX_DEFLATE_RATIO < expected * chunk_bytes)
    return refuse_unstored (name, expected * chunk_bytes, stored,
                            _("compressed further than gzip can"), error);
  return TRUE;
}

/* The bytes of @dset by its shape and type, in *@element and *@logical. */
static gboolean
logical_size (hid_t         dset,
              const char   *name,
              guint64      *element,
              guint64      *logical,
              GError      **error)
{
  g_auto(HlH5Type) type = H5Dget_type (dset);
  g_auto(HlH5Space) space = H5Dget_space (dset);
  hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints (space) : -1;

  *element = type >= 0 ? H5Tget_size (type) : 0;
  if (n < 0 || *element == 0 || !g_uint64_checked_mul (logical, n, *element))
    return hl_activations_set_damaged (error, name);
  return TRUE;
}

static gboolean
check_stored (hid_t         dset,
              hid_t         dcpl,
              const char   *name,
              gboolean      filtered,
              guint64       element,
              guint64       logical,
              GError      **error)
{
  g_auto(HlH5Type) type = H5Dget_type (dset);
  gboolean variable = type >= 0 && (H5Tis_variable_str (type) > 0 || H5Tget_class (type) == H5T_VLEN);
  guint64 stored;

  /* A variable-length element is stored as a reference into the global
   * heap: 16 bytes in the chunk (length, collection address, index). */
  if (variable)
    {
      element = 16;
      logical = 0;
    }
  switch (H5Pget_layout (dcpl))
    {
    case H5D_CHUNKED:
      return check_chunks_stored (dset, dcpl, name, element, variable, filtered, error);
    case H5D_CONTIGUOUS:
    case H5D_COMPACT:
      stored = H5Dget_storage_size (dset);
      if (stored < logical)
        return refuse_unstored (name, logical, stored, _("it was never written in full"), error);
      return TRUE;
    case H5D_VIRTUAL:
      return TRUE;
    case H5D_LAYOUT_ERROR:
    case H5D_NLAYOUTS:
    default:
      return hl_activations_set_damaged (error, name);
    }
}

gboolean
hl_activations_check_storage_at_depth (HlActivationsHeader  *self,
                                       hid_t                 dset,
                                       const char           *name,
                                       int                   depth,
                                       GError              **error)
{
  g_auto(HlH5Plist) dcpl = H5Dget_create_plist (dset);
  gboolean filtered = FALSE;
  guint64 element = 0, logical = 0;
  int n_external;

  if (dcpl < 0 || (n_external = H5Pget_external_count (dcpl)) < 0)
    return hl_activations_set_damaged (error, name);
  if (!logical_size (dset, name, &element, &logical, error)
      || !check_filters (dcpl, name, &filtered, error))
    return FALSE;
  if (n_external > 0)
    return check_external_storage (self, dcpl, name, n_external, logical, error);
  if (H5Pget_layout (dcpl) == H5D_VIRTUAL && !check_virtual (self, dcpl, name, depth, error))
    return FALSE;
  return check_stored (dset, dcpl, name, filtered, element, logical, error);
}

gboolean
hl_activations_check_storage (HlActivationsHeader  *self,
                              hid_t                 dset,
                              const char           *name,
                              GError              **error)
{
  return hl_activations_check_storage_at_depth (self, dset, name, 0, error);
}

/* Types. */

gboolean
hl_activations_check_float_type (hid_t        type,
                                 const char  *name,
                                 GError     **error)
{
  size_t size = H5Tget_size (type);

  if (H5Tget_class (type) != H5T_FLOAT || size == 2 || size == 4 || size == 8)
    return TRUE;
  if (!hl_hdf5_float_layout_is_consistent (type))
    return hl_activations_set_damaged (error, name);
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_UNSUPPORTED,
               _("Dataset %s holds %d-byte floats (%d bits of precision: %s), which Headlens "
                 "does not read: the file may be fine, but expected float16, float32 or "
                 "float64; convert it, e.g. with numpy's astype(\"float32\")"),
               name, (int) size, (int) H5Tget_precision (type),
               size == 16 && H5Tget_precision (type) == 128 ? "float128"
               : size >= 10 && H5Tget_precision (type) == 80 ? _("x87 extended precision")
               : _("an unusual float"));
  return FALSE;
}
