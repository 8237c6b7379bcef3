/* hl-activations.c: read-only access to activation files (schema v1).
 *
 * Everything in the file header (attributes, dataset types and shapes, query
 * positions) is validated when the file is opened; the contents of a head
 * block are validated each time the block is read, so a file larger than
 * memory opens at once and is explored one block at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-activations.h"
#include "hl-hdf5-private.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <unistd.h>

struct _HlActivations
{
  GObject            parent_instance;

  char              *path;
  hid_t              file;          /* open for the object's lifetime */
  hid_t              values;
  hid_t              attention;
  HlActivationsInfo  info;

  GMutex             warnings_lock; /* guards the two fields below */
  GPtrArray         *warnings;      /* element-type utf8 */
  GHashTable        *warned_blocks; /* keys of blocks already warned about */
};

G_DEFINE_FINAL_TYPE (HlActivations, hl_activations, G_TYPE_OBJECT)

G_DEFINE_QUARK (hl-activations-error-quark, hl_activations_error)

const char *
hl_dtype_to_string (HlDtype dtype)
{
  switch (dtype)
    {
    case HL_DTYPE_FLOAT16:
      return "float16";
    case HL_DTYPE_FLOAT32:
      return "float32";
    case HL_DTYPE_FLOAT64:
      return "float64";
    default:
      return "unknown";
    }
}

static void
close_handles (HlActivations *self)
{
  hl_hdf5_lock ();
  if (self->values >= 0)
    H5Dclose (self->values);
  if (self->attention >= 0)
    H5Dclose (self->attention);
  if (self->file >= 0)
    H5Fclose (self->file);
  self->file = self->values = self->attention = H5I_INVALID_HID;
  hl_hdf5_unlock ();
}

static void
hl_activations_finalize (GObject *object)
{
  HlActivations *self = HL_ACTIVATIONS (object);

  close_handles (self);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->info.model, g_free);
  g_clear_pointer (&self->info.source, g_free);
  g_clear_pointer (&self->info.query_positions, g_free);
  g_clear_pointer (&self->info.kv_head_of, g_free);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->warned_blocks, g_hash_table_unref);
  g_mutex_clear (&self->warnings_lock);

  G_OBJECT_CLASS (hl_activations_parent_class)->finalize (object);
}

static void
hl_activations_class_init (HlActivationsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hl_activations_finalize;
}

static void
hl_activations_init (HlActivations *self)
{
  self->file = self->values = self->attention = H5I_INVALID_HID;
  self->info.model = g_strdup ("");
  g_mutex_init (&self->warnings_lock);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  self->warned_blocks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Header reading. Every helper below runs with the HDF5 lock held. */

static gboolean
set_damaged (GError     **error,
             const char  *item)
{
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
               _("Could not read %s: the file is damaged"), item);
  return FALSE;
}

/* Reads the string attribute @name of @loc into @out, or leaves @out NULL
 * when the attribute is absent. Fixed and variable length strings are
 * accepted; invalid UTF-8 is repaired rather than trusted. */
static gboolean
read_string_attr (hid_t        loc,
                  const char  *name,
                  char       **out,
                  GError     **error)
{
  g_auto(HlH5Attr) attr = H5I_INVALID_HID;
  g_auto(HlH5Type) ftype = H5I_INVALID_HID;
  g_auto(HlH5Type) mtype = H5I_INVALID_HID;
  g_auto(HlH5Space) space = H5I_INVALID_HID;
  g_autofree char *buf = NULL;
  htri_t exists = H5Aexists (loc, name);

  *out = NULL;
  if (exists == 0)
    return TRUE;
  if (exists < 0 || (attr = H5Aopen (loc, name, H5P_DEFAULT)) < 0
      || (ftype = H5Aget_type (attr)) < 0 || (space = H5Aget_space (attr)) < 0)
    return set_damaged (error, name);
  if (H5Tget_class (ftype) != H5T_STRING || H5Sget_simple_extent_npoints (space) != 1)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_TYPE,
                   _("Attribute “%s” holds %" G_GINT64_FORMAT " %s value(s), expected one string"),
                   name, (gint64) H5Sget_simple_extent_npoints (space),
                   hl_hdf5_class_name (H5Tget_class (ftype)));
      return FALSE;
    }

  if (!hl_hdf5_type_is_sane (ftype))
    return set_damaged (error, name);
  mtype = H5Tcopy (H5T_C_S1);
  H5Tset_cset (mtype, H5Tget_cset (ftype));
  if (H5Tis_variable_str (ftype) > 0)
    {
      char *vstr = NULL;

      H5Tset_size (mtype, H5T_VARIABLE);
      if (H5Aread (attr, mtype, &vstr) < 0)
        return set_damaged (error, name);
      buf = g_strdup (vstr != NULL ? vstr : "");
      H5free_memory (vstr);
    }
  else
    {
      size_t size = H5Tget_size (ftype);

      if (size == 0 || size > HL_HDF5_MAX_STRING)
        return set_damaged (error, name);
      H5Tset_size (mtype, size);
      H5Tset_strpad (mtype, H5T_STR_NULLPAD);
      buf = g_malloc0 (size + 1);
      if (H5Aread (attr, mtype, buf) < 0)
        return set_damaged (error, name);
      if (H5Tget_strpad (ftype) == H5T_STR_SPACEPAD)
        g_strchomp (buf);
    }
  *out = g_utf8_make_valid (buf, -1);
  return TRUE;
}

/* Reads the integer attribute @name (any integer type, one element). */
static gboolean
read_int_attr (hid_t        loc,
               const char  *name,
               gboolean    *present,
               gint64      *out,
               GError     **error)
{
  g_auto(HlH5Attr) attr = H5I_INVALID_HID;
  g_auto(HlH5Type) ftype = H5I_INVALID_HID;
  g_auto(HlH5Space) space = H5I_INVALID_HID;
  htri_t exists = H5Aexists (loc, name);

  *present = exists > 0;
  if (exists == 0)
    return TRUE;
  if (exists < 0 || (attr = H5Aopen (loc, name, H5P_DEFAULT)) < 0
      || (ftype = H5Aget_type (attr)) < 0 || (space = H5Aget_space (attr)) < 0)
    return set_damaged (error, name);
  if (H5Tget_class (ftype) != H5T_INTEGER || H5Sget_simple_extent_npoints (space) != 1)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_TYPE,
                   _("Attribute “%s” holds %" G_GINT64_FORMAT " %s value(s), expected one integer"),
                   name, (gint64) H5Sget_simple_extent_npoints (space),
                   hl_hdf5_class_name (H5Tget_class (ftype)));
      return FALSE;
    }
  if (!hl_hdf5_type_is_sane (ftype) || H5Aread (attr, H5T_NATIVE_INT64, out) < 0)
    return set_damaged (error, name);
  return TRUE;
}

static gboolean
check_format (hid_t    file,
              GError **error)
{
  g_autofree char *format = NULL;
  gboolean present;
  gint64 version;

  if (!read_string_attr (file, "format", &format, error))
    return FALSE;
  if (format == NULL || g_strcmp0 (format, "headlens-activations") != 0)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_FORMAT,
                   _("Attribute “format” is %s%s%s, expected “headlens-activations”: "
                     "this is not a Headlens activation file"),
                   format != NULL ? "“" : "", format != NULL ? format : _("missing"),
                   format != NULL ? "”" : "");
      return FALSE;
    }
  if (!read_int_attr (file, "format_version", &present, &version, error))
    return FALSE;
  if (!present)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_FORMAT,
                   _("Attribute “format_version” is missing, expected 1"));
      return FALSE;
    }
  if (version != 1)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_VERSION,
                   _("Attribute “format_version” is %" G_GINT64_FORMAT
                     ", expected 1 (the only version this Headlens reads)"),
                   version);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_size (const char  *name,
            gint64       value,
            gint64       max,
            GError     **error)
{
  if (value >= 1 && value <= max)
    return TRUE;
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_SIZE,
               _("%s is %" G_GINT64_FORMAT ", expected 1 to %" G_GINT64_FORMAT),
               name, value, max);
  return FALSE;
}

static gboolean
read_dim_attr (hid_t        file,
               const char  *name,
               gint64       max,
               int         *out,
               GError     **error)
{
  g_autofree char *label = g_strdup_printf (_("Attribute “%s”"), name);
  gboolean present;
  gint64 value;

  if (!read_int_attr (file, name, &present, &value, error))
    return FALSE;
  if (!present)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_MISSING,
                   _("Attribute “%s” is missing, expected a positive integer"), name);
      return FALSE;
    }
  if (!check_size (label, value, max, error))
    return FALSE;
  *out = (int) value;
  return TRUE;
}

static gboolean
read_kv_head_of (HlActivations  *self,
                 GError        **error)
{
  HlActivationsInfo *info = &self->info;
  g_auto(HlH5Attr) attr = H5I_INVALID_HID;
  g_auto(HlH5Type) ftype = H5I_INVALID_HID;
  g_auto(HlH5Space) space = H5I_INVALID_HID;
  g_autofree gint64 *map = NULL;
  htri_t exists = H5Aexists (self->file, "kv_head_of");
  hssize_t n;

  info->kv_head_of = g_new (int, info->n_heads);
  for (int h = 0; h < info->n_heads; h++)
    info->kv_head_of[h] = h / (info->n_heads / info->n_kv_heads);
  if (exists == 0)
    return TRUE;
  if (exists < 0 || (attr = H5Aopen (self->file, "kv_head_of", H5P_DEFAULT)) < 0
      || (ftype = H5Aget_type (attr)) < 0 || (space = H5Aget_space (attr)) < 0)
    return set_damaged (error, "kv_head_of");

  n = H5Sget_simple_extent_npoints (space);
  if (H5Tget_class (ftype) != H5T_INTEGER || n != info->n_heads)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_HEADS,
                   _("Attribute “kv_head_of” holds %" G_GINT64_FORMAT
                     " %s value(s), expected %d integers (one per query head)"),
                   (gint64) n, hl_hdf5_class_name (H5Tget_class (ftype)), info->n_heads);
      return FALSE;
    }
  map = g_new (gint64, n);
  if (!hl_hdf5_type_is_sane (ftype) || H5Aread (attr, H5T_NATIVE_INT64, map) < 0)
    return set_damaged (error, "kv_head_of");
  for (int h = 0; h < info->n_heads; h++)
    {
      if (map[h] < 0 || map[h] >= info->n_kv_heads)
        {
          g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_HEADS,
                       _("kv_head_of[%d] is %" G_GINT64_FORMAT ", expected 0 to %d (n_kv_heads - 1)"),
                       h, map[h], info->n_kv_heads - 1);
          return FALSE;
        }
      info->kv_head_of[h] = (int) map[h];
    }
  return TRUE;
}

static gboolean
read_root_attrs (HlActivations  *self,
                 GError        **error)
{
  HlActivationsInfo *info = &self->info;
  g_autofree char *model = NULL;

  if (!read_dim_attr (self->file, "n_layers", HL_HDF5_MAX_DIM, &info->n_layers, error)
      || !read_dim_attr (self->file, "n_heads", HL_HDF5_MAX_DIM, &info->n_heads, error)
      || !read_dim_attr (self->file, "n_kv_heads", HL_HDF5_MAX_DIM, &info->n_kv_heads, error)
      || !read_dim_attr (self->file, "head_dim", HL_HDF5_MAX_HEAD_DIM, &info->head_dim, error)
      || !read_dim_attr (self->file, "seq_len", HL_HDF5_MAX_DIM, &info->seq_len, error)
      || !read_string_attr (self->file, "model", &model, error)
      || !read_string_attr (self->file, "source", &info->source, error))
    return FALSE;
  if (model != NULL)
    {
      g_free (info->model);
      info->model = g_steal_pointer (&model);
    }
  if (info->n_heads % info->n_kv_heads != 0)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_HEADS,
                   _("n_heads is %d, expected a multiple of n_kv_heads (%d)"),
                   info->n_heads, info->n_kv_heads);
      return FALSE;
    }
  return read_kv_head_of (self, error);
}

/* Opens the dataset @name, checking its type class and rank. Returns a
 * negative id with @error set when it is absent (and @required), damaged or
 * of the wrong kind; a negative id without error when optional and absent. */
static hid_t
open_dataset (hid_t         file,
              const char   *name,
              gboolean      required,
              H5T_class_t   klass,
              int           rank,
              const char   *layout,
              hsize_t      *dims,
              GError      **error)
{
  g_auto(HlH5Dataset) dset = H5I_INVALID_HID;
  g_auto(HlH5Type) ftype = H5I_INVALID_HID;
  g_auto(HlH5Space) space = H5I_INVALID_HID;
  int ndims;

  if (!hl_hdf5_path_exists (file, name))
    {
      if (required)
        g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_MISSING,
                     _("Dataset %s is missing, expected %s"), name, layout);
      return H5I_INVALID_HID;
    }
  if ((dset = H5Dopen2 (file, name, H5P_DEFAULT)) < 0
      || (ftype = H5Dget_type (dset)) < 0 || (space = H5Dget_space (dset)) < 0)
    {
      set_damaged (error, name);
      return H5I_INVALID_HID;
    }
  if (H5Tget_class (ftype) != klass)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_TYPE,
                   _("Dataset %s holds %s elements, expected %s: %s"), name,
                   hl_hdf5_class_name (H5Tget_class (ftype)), hl_hdf5_class_name (klass),
                   layout);
      return H5I_INVALID_HID;
    }
  if (!hl_hdf5_type_is_sane (ftype) || !hl_hdf5_layout_is_sane (dset))
    {
      set_damaged (error, name);
      return H5I_INVALID_HID;
    }
  ndims = H5Sget_simple_extent_ndims (space);
  if (ndims != rank)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_RANK,
                   _("Dataset %s has %d dimensions, expected %d: %s"),
                   name, ndims, rank, layout);
      return H5I_INVALID_HID;
    }
  H5Sget_simple_extent_dims (space, dims, NULL);
  {
    hid_t id = dset;

    dset = H5I_INVALID_HID;
    return id;
  }
}

static gboolean
check_dim (const char  *dataset,
           const char  *layout,
           int          axis,
           hsize_t      found,
           const char  *attribute,
           int          expected,
           GError     **error)
{
  if (found == (hsize_t) expected)
    return TRUE;
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_SHAPE,
               _("Dataset %s has %" G_GUINT64_FORMAT " along axis %d, expected %d (%s): %s"),
               dataset, (guint64) found, axis, expected, attribute, layout);
  return FALSE;
}

#define VALUES_LAYOUT N_("[layers, samples, kv_heads, seq_len, head_dim]")
#define ATTENTION_LAYOUT N_("[layers, samples, heads, queries, seq_len]")

static gboolean
check_values_shape (const HlActivationsInfo  *info,
                    const hsize_t            *dims,
                    GError                  **error)
{
  const char *layout = _(VALUES_LAYOUT);

  return check_dim ("/values", layout, 0, dims[0], "n_layers", info->n_layers, error)
         && check_dim ("/values", layout, 2, dims[2], "n_kv_heads", info->n_kv_heads, error)
         && check_dim ("/values", layout, 3, dims[3], "seq_len", info->seq_len, error)
         && check_dim ("/values", layout, 4, dims[4], "head_dim", info->head_dim, error)
         && check_size (_("The number of samples in /values"), dims[1], HL_HDF5_MAX_DIM, error);
}

static gboolean
check_attention_shape (const HlActivationsInfo  *info,
                       const hsize_t            *dims,
                       GError                  **error)
{
  const char *layout = _(ATTENTION_LAYOUT);

  return check_dim ("/attention", layout, 0, dims[0], "n_layers", info->n_layers, error)
         && check_dim ("/attention", layout, 1, dims[1], "samples in /values", info->n_samples, error)
         && check_dim ("/attention", layout, 2, dims[2], "n_heads", info->n_heads, error)
         && check_dim ("/attention", layout, 4, dims[4], "seq_len", info->seq_len, error)
         && check_size (_("The number of queries in /attention"), dims[3], info->seq_len, error);
}

/* Refuses shapes whose blocks would not fit in memory or whose element
 * counts overflow, which only corrupt files have. */
static gboolean
check_totals (const HlActivationsInfo  *info,
              GError                  **error)
{
  guint64 per_head = (guint64) info->n_layers * info->n_samples;
  guint64 values_block = (guint64) info->seq_len * info->head_dim;
  guint64 attention_block = (guint64) info->n_queries * info->seq_len;
  guint64 total;

  if (values_block > HL_HDF5_MAX_BLOCK || attention_block > HL_HDF5_MAX_BLOCK
      || !g_uint64_checked_mul (&total, per_head, info->n_heads)
      || !g_uint64_checked_mul (&total, total, MAX (values_block, attention_block))
      || total > G_MAXINT64 / 8)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_SIZE,
                   _("The shape (%d layers, %d samples, %d heads, %d queries, seq_len %d, "
                     "head_dim %d) is too large, expected head blocks of at most "
                     "%" G_GUINT64_FORMAT " elements"),
                   info->n_layers, info->n_samples, info->n_heads, info->n_queries,
                   info->seq_len, info->head_dim, HL_HDF5_MAX_BLOCK);
      return FALSE;
    }
  return TRUE;
}

static gboolean
open_block_datasets (HlActivations  *self,
                     GError        **error)
{
  HlActivationsInfo *info = &self->info;
  hsize_t dims[5];
  g_auto(HlH5Type) vtype = H5I_INVALID_HID;
  g_auto(HlH5Type) atype = H5I_INVALID_HID;

  self->values = open_dataset (self->file, "/values", TRUE, H5T_FLOAT, 5,
                               _(VALUES_LAYOUT), dims, error);
  if (self->values < 0 || !check_values_shape (info, dims, error))
    return FALSE;
  info->n_samples = dims[1];

  self->attention = open_dataset (self->file, "/attention", TRUE, H5T_FLOAT, 5,
                                  _(ATTENTION_LAYOUT), dims, error);
  if (self->attention < 0 || !check_attention_shape (info, dims, error))
    return FALSE;
  info->n_queries = dims[3];

  vtype = H5Dget_type (self->values);
  atype = H5Dget_type (self->attention);
  if (!hl_hdf5_type_to_dtype (vtype, &info->values_dtype)
      || !hl_hdf5_type_to_dtype (atype, &info->attention_dtype))
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_TYPE,
                   _("/values has %d-byte and /attention %d-byte floats, expected "
                     "float16, float32 or float64 (2, 4 or 8 bytes)"),
                   (int) H5Tget_size (vtype), (int) H5Tget_size (atype));
      return FALSE;
    }
  return check_totals (info, error);
}

static gboolean
check_query_positions (const HlActivationsInfo  *info,
                       const gint64             *positions,
                       GError                  **error)
{
  for (int q = 0; q < info->n_queries; q++)
    {
      if (positions[q] < 0 || positions[q] >= info->seq_len)
        {
          g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_QUERIES,
                       _("/query_positions[%d] is %" G_GINT64_FORMAT ", expected a position in [0, %d)"),
                       q, positions[q], info->seq_len);
          return FALSE;
        }
      if (q > 0 && positions[q] <= positions[q - 1])
        {
          g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_QUERIES,
                       _("/query_positions[%d] is %" G_GINT64_FORMAT ", expected more than "
                         "the previous position %" G_GINT64_FORMAT " (strictly increasing)"),
                       q, positions[q], positions[q - 1]);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_query_positions (HlActivations  *self,
                      GError        **error)
{
  HlActivationsInfo *info = &self->info;
  g_auto(HlH5Dataset) dset = H5I_INVALID_HID;
  g_autofree gint64 *positions = NULL;
  GError *local_error = NULL;
  hsize_t dims[1];

  info->query_positions = g_new (int, info->n_queries);
  dset = open_dataset (self->file, "/query_positions", info->n_queries > 1, H5T_INTEGER, 1,
                       _("integer [n_queries], required when /attention has more than one query"),
                       dims, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (dset < 0)
    {
      /* One query and no positions: the schema says it is the last one. */
      info->query_positions[0] = info->seq_len - 1;
      return TRUE;
    }
  if (!check_dim ("/query_positions", "[n_queries]", 0, dims[0],
                  _("queries in /attention"), info->n_queries, error))
    return FALSE;
  positions = g_new (gint64, info->n_queries);
  if (H5Dread (dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, positions) < 0)
    return set_damaged (error, "/query_positions");
  if (!check_query_positions (info, positions, error))
    return FALSE;
  for (int q = 0; q < info->n_queries; q++)
    info->query_positions[q] = (int) positions[q];
  return TRUE;
}

static gboolean
check_token_dataset (HlActivations  *self,
                     const char     *name,
                     H5T_class_t     klass,
                     const char     *layout,
                     gboolean       *present,
                     GError        **error)
{
  g_auto(HlH5Dataset) dset = H5I_INVALID_HID;
  GError *local_error = NULL;
  hsize_t dims[2];

  dset = open_dataset (self->file, name, FALSE, klass, 2, layout, dims, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  *present = dset >= 0;
  return dset < 0
         || (check_dim (name, layout, 0, dims[0], _("samples in /values"), self->info.n_samples, error)
             && check_dim (name, layout, 1, dims[1], "seq_len", self->info.seq_len, error));
}

static gboolean
load_locked (HlActivations  *self,
             GError        **error)
{
  HlActivationsInfo *info = &self->info;

  if (H5Fis_hdf5 (self->path) <= 0
      || (self->file = H5Fopen (self->path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_NOT_HDF5,
                   _("“%s” is not a readable HDF5 file (it may be truncated or damaged), "
                     "expected a Headlens activation file"), self->path);
      return FALSE;
    }
  return check_format (self->file, error)
         && read_root_attrs (self, error)
         && open_block_datasets (self, error)
         && read_query_positions (self, error)
         && check_token_dataset (self, "/tokens/ids", H5T_INTEGER, _("integer [samples, seq_len]"),
                                 &info->has_token_ids, error)
         && check_token_dataset (self, "/tokens/text", H5T_STRING, _("strings [samples, seq_len]"),
                                 &info->has_token_texts, error);
}

HlActivations *
hl_activations_open (const char  *path,
                     GError     **error)
{
  g_autoptr(HlActivations) self = NULL;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_access (path, R_OK) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
                   _("Could not open “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (HL_TYPE_ACTIVATIONS, NULL);
  self->path = g_strdup (path);
  hl_hdf5_lock ();
  ok = load_locked (self, error);
  hl_hdf5_unlock ();
  return ok ? g_steal_pointer (&self) : NULL;
}

const char *
hl_activations_get_path (HlActivations *self)
{
  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), NULL);

  return self->path;
}

const HlActivationsInfo *
hl_activations_get_info (HlActivations *self)
{
  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), NULL);

  return &self->info;
}

GPtrArray *
hl_activations_get_warnings (HlActivations *self)
{
  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), NULL);

  return self->warnings;
}

/* Block reading and validation. */

static gboolean
check_index (const char  *what,
             int          value,
             int          count,
             GError     **error)
{
  if (value >= 0 && value < count)
    return TRUE;
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_RANGE,
               _("%s %d is out of range, expected 0 to %d"), what, value, count - 1);
  return FALSE;
}

/* Reads the [count[3], count[4]] block at @start of the rank-5 @dset,
 * converting to float32. Takes the HDF5 lock. */
static gboolean
read_block (hid_t          dset,
            const hsize_t *start,
            const hsize_t *count,
            float         *out)
{
  hsize_t n = count[3] * count[4];
  gboolean ok;

  hl_hdf5_lock ();
  {
    g_auto(HlH5Space) fspace = H5Dget_space (dset);
    g_auto(HlH5Space) mspace = H5Screate_simple (1, &n, NULL);

    ok = fspace >= 0
         && H5Sselect_hyperslab (fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0
         && H5Dread (dset, H5T_NATIVE_FLOAT, mspace, fspace, H5P_DEFAULT, out) >= 0;
  }
  hl_hdf5_unlock ();
  return ok;
}

static void
add_warning (HlActivations *self,
             char          *key,
             char          *message)
{
  g_mutex_lock (&self->warnings_lock);
  if (g_hash_table_add (self->warned_blocks, key))
    g_ptr_array_add (self->warnings, g_steal_pointer (&message));
  g_mutex_unlock (&self->warnings_lock);
  g_free (message);
}

gboolean
hl_activations_read_values (HlActivations  *self,
                            int             layer,
                            int             sample,
                            int             kv_head,
                            float          *out,
                            GError        **error)
{
  const HlActivationsInfo *info;
  gsize n;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  info = &self->info;

  if (!check_index (_("Layer"), layer, info->n_layers, error)
      || !check_index (_("Sample"), sample, info->n_samples, error)
      || !check_index (_("KV head"), kv_head, info->n_kv_heads, error))
    return FALSE;

  hsize_t start[5] = { layer, sample, kv_head, 0, 0 };
  hsize_t count[5] = { 1, 1, 1, info->seq_len, info->head_dim };
  if (!read_block (self->values, start, count, out))
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
                   _("Could not read /values of layer %d, sample %d, kv head %d: "
                     "the file is damaged"), layer, sample, kv_head);
      return FALSE;
    }
  n = (gsize) info->seq_len * info->head_dim;
  for (gsize i = 0; i < n; i++)
    if (!isfinite (out[i]))
      {
        g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_NON_FINITE,
                     _("/values of layer %d, sample %d, kv head %d is %g at position %d, "
                       "dimension %d, expected a finite number"),
                     layer, sample, kv_head, out[i],
                     (int) (i / info->head_dim), (int) (i % info->head_dim));
        return FALSE;
      }
  return TRUE;
}

/* Checks one attention row of the query at @position; returns its sum. */
static gboolean
check_attention_row (const float  *row,
                     int           seq_len,
                     int           position,
                     const char   *where,
                     double       *sum,
                     GError      **error)
{
  *sum = 0.0;
  for (int k = 0; k < seq_len; k++)
    {
      int code = !isfinite (row[k]) ? HL_ACTIVATIONS_ERROR_NON_FINITE
                 : row[k] < 0.0f ? HL_ACTIVATIONS_ERROR_NEGATIVE
                 : k > position && row[k] != 0.0f ? HL_ACTIVATIONS_ERROR_CAUSAL : -1;

      if (code >= 0)
        {
          const char *expected = code == HL_ACTIVATIONS_ERROR_NON_FINITE ? _("a finite weight")
                                 : code == HL_ACTIVATIONS_ERROR_NEGATIVE ? _("a weight ≥ 0")
                                 : _("0 on keys after the query position");

          g_set_error (error, HL_ACTIVATIONS_ERROR, code,
                       _("/attention of %s, query position %d, is %g on key %d, expected %s"),
                       where, position, row[k], k, expected);
          return FALSE;
        }
      *sum += row[k];
    }
  return TRUE;
}

static gboolean
check_attention_block (HlActivations  *self,
                       int             layer,
                       int             sample,
                       int             head,
                       const float    *rows,
                       GError        **error)
{
  const HlActivationsInfo *info = &self->info;
  g_autofree char *where = g_strdup_printf (_("layer %d, sample %d, head %d"),
                                            layer, sample, head);
  int worst_q = -1;
  double worst_off = 0.0, worst_sum = 1.0;

  for (int q = 0; q < info->n_queries; q++)
    {
      int position = info->query_positions[q];
      double sum, off;

      if (!check_attention_row (rows + (gsize) q * info->seq_len, info->seq_len,
                                position, where, &sum, error))
        return FALSE;
      off = fabs (sum - 1.0);
      if (off > 1e-2)
        {
          g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_ROW_SUM,
                       _("/attention of %s, query position %d, sums to %.6g, expected 1 "
                         "within 0.01"), where, position, sum);
          return FALSE;
        }
      if (off > 1e-3 && off > worst_off)
        {
          worst_q = q;
          worst_off = off;
          worst_sum = sum;
        }
    }
  if (worst_q >= 0)
    add_warning (self, g_strdup_printf ("%d:%d:%d", layer, sample, head),
                 g_strdup_printf (_("/attention of %s, query position %d, sums to %.6g, "
                                    "expected 1 within 0.001"),
                                  where, info->query_positions[worst_q], worst_sum));
  return TRUE;
}

gboolean
hl_activations_read_attention (HlActivations  *self,
                               int             layer,
                               int             sample,
                               int             head,
                               float          *out,
                               GError        **error)
{
  const HlActivationsInfo *info;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  info = &self->info;

  if (!check_index (_("Layer"), layer, info->n_layers, error)
      || !check_index (_("Sample"), sample, info->n_samples, error)
      || !check_index (_("Head"), head, info->n_heads, error))
    return FALSE;

  hsize_t start[5] = { layer, sample, head, 0, 0 };
  hsize_t count[5] = { 1, 1, 1, info->n_queries, info->seq_len };
  if (!read_block (self->attention, start, count, out))
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
                   _("Could not read /attention of layer %d, sample %d, head %d: "
                     "the file is damaged"), layer, sample, head);
      return FALSE;
    }
  return check_attention_block (self, layer, sample, head, out, error);
}

/* Opens a [n_samples, seq_len] token dataset and selects the row of
 * @sample in *fspace. Runs with the HDF5 lock held. */
static hid_t
open_token_row (HlActivations *self,
                const char    *name,
                int            sample,
                hid_t         *fspace)
{
  hsize_t start[2] = { sample, 0 };
  hsize_t count[2] = { 1, self->info.seq_len };
  hid_t dset = H5Dopen2 (self->file, name, H5P_DEFAULT);

  *fspace = dset >= 0 ? H5Dget_space (dset) : H5I_INVALID_HID;
  if (*fspace >= 0
      && H5Sselect_hyperslab (*fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0)
    return dset;
  if (dset >= 0)
    H5Dclose (dset);
  return H5I_INVALID_HID;
}

static gboolean
read_token_ids_locked (HlActivations *self,
                       int            sample,
                       int32_t       *out)
{
  hsize_t n = self->info.seq_len;
  g_auto(HlH5Space) fspace = H5I_INVALID_HID;
  g_auto(HlH5Dataset) dset = open_token_row (self, "/tokens/ids", sample, &fspace);
  g_auto(HlH5Space) mspace = H5Screate_simple (1, &n, NULL);

  return dset >= 0
         && H5Dread (dset, H5T_NATIVE_INT32, mspace, fspace, H5P_DEFAULT, out) >= 0;
}

gboolean
hl_activations_read_token_ids (HlActivations  *self,
                               int             sample,
                               int32_t        *out,
                               GError        **error)
{
  gboolean ok;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!self->info.has_token_ids)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_MISSING,
                   _("Dataset /tokens/ids is absent from “%s”"), self->path);
      return FALSE;
    }
  if (!check_index (_("Sample"), sample, self->info.n_samples, error))
    return FALSE;
  hl_hdf5_lock ();
  ok = read_token_ids_locked (self, sample, out);
  hl_hdf5_unlock ();
  if (!ok)
    set_damaged (error, "/tokens/ids");
  return ok;
}

static gboolean
read_vlen_texts (hid_t   dset,
                 hid_t   ftype,
                 hid_t   mspace,
                 hid_t   fspace,
                 char  **texts,
                 int     n)
{
  g_auto(HlH5Type) mtype = H5Tcopy (H5T_C_S1);
  g_autofree char **buf = g_new0 (char *, n);
  gboolean ok;

  H5Tset_size (mtype, H5T_VARIABLE);
  H5Tset_cset (mtype, H5Tget_cset (ftype));
  ok = H5Dread (dset, mtype, mspace, fspace, H5P_DEFAULT, buf) >= 0;
  for (int i = 0; ok && i < n; i++)
    texts[i] = g_utf8_make_valid (buf[i] != NULL ? buf[i] : "", -1);
  /* Frees what HDF5 allocated, even after a partial read. */
  H5Dvlen_reclaim (mtype, mspace, H5P_DEFAULT, buf);
  return ok;
}

static gboolean
read_fixed_texts (hid_t   dset,
                  hid_t   ftype,
                  hid_t   mspace,
                  hid_t   fspace,
                  char  **texts,
                  int     n)
{
  size_t size = H5Tget_size (ftype);
  g_auto(HlH5Type) mtype = H5Tcopy (H5T_C_S1);
  g_autofree char *buf = NULL;

  if (size == 0 || size > HL_HDF5_MAX_STRING || (guint64) size * n > HL_HDF5_MAX_BLOCK)
    return FALSE;
  H5Tset_size (mtype, size);
  H5Tset_strpad (mtype, H5T_STR_NULLPAD);
  H5Tset_cset (mtype, H5Tget_cset (ftype));
  buf = g_malloc0 (size * n);
  if (H5Dread (dset, mtype, mspace, fspace, H5P_DEFAULT, buf) < 0)
    return FALSE;
  for (int i = 0; i < n; i++)
    {
      g_autofree char *text = g_strndup (buf + (gsize) i * size, size);

      texts[i] = g_utf8_make_valid (text, -1);
    }
  return TRUE;
}

static gboolean
read_token_texts_locked (HlActivations  *self,
                         int             sample,
                         char          **texts)
{
  hsize_t n = self->info.seq_len;
  g_auto(HlH5Space) fspace = H5I_INVALID_HID;
  g_auto(HlH5Dataset) dset = open_token_row (self, "/tokens/text", sample, &fspace);
  g_auto(HlH5Space) mspace = H5Screate_simple (1, &n, NULL);
  g_auto(HlH5Type) ftype = dset >= 0 ? H5Dget_type (dset) : H5I_INVALID_HID;

  if (ftype < 0 || H5Tget_class (ftype) != H5T_STRING || !hl_hdf5_type_is_sane (ftype))
    return FALSE;
  if (H5Tis_variable_str (ftype) > 0)
    return read_vlen_texts (dset, ftype, mspace, fspace, texts, n);
  return read_fixed_texts (dset, ftype, mspace, fspace, texts, n);
}

char **
hl_activations_read_token_texts (HlActivations  *self,
                                 int             sample,
                                 GError        **error)
{
  g_auto(GStrv) texts = NULL;
  gboolean ok;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), NULL);

  if (!self->info.has_token_texts)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_MISSING,
                   _("Dataset /tokens/text is absent from “%s”"), self->path);
      return NULL;
    }
  if (!check_index (_("Sample"), sample, self->info.n_samples, error))
    return NULL;
  texts = g_new0 (char *, self->info.seq_len + 1);
  hl_hdf5_lock ();
  ok = read_token_texts_locked (self, sample, texts);
  hl_hdf5_unlock ();
  if (!ok)
    {
      set_damaged (error, "/tokens/text");
      return NULL;
    }
  return g_steal_pointer (&texts);
}

static int32_t *
read_int_dataset_locked (HlActivations  *self,
                         const char     *name,
                         gsize          *n_elements,
                         GError        **error)
{
  g_auto(HlH5Dataset) dset = H5Dopen2 (self->file, name, H5P_DEFAULT);
  g_auto(HlH5Type) ftype = dset >= 0 ? H5Dget_type (dset) : H5I_INVALID_HID;
  g_auto(HlH5Space) space = dset >= 0 ? H5Dget_space (dset) : H5I_INVALID_HID;
  g_autofree int32_t *data = NULL;
  hssize_t n;

  if (ftype < 0 || space < 0 || (n = H5Sget_simple_extent_npoints (space)) < 0)
    {
      set_damaged (error, name);
      return NULL;
    }
  if (H5Tget_class (ftype) != H5T_INTEGER || (guint64) n > HL_HDF5_MAX_BLOCK)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_TYPE,
                   _("Dataset %s holds %" G_GINT64_FORMAT " %s elements, expected at most "
                     "%" G_GUINT64_FORMAT " integers"),
                   name, (gint64) n, hl_hdf5_class_name (H5Tget_class (ftype)),
                   HL_HDF5_MAX_BLOCK);
      return NULL;
    }
  if (!hl_hdf5_type_is_sane (ftype) || !hl_hdf5_layout_is_sane (dset))
    {
      set_damaged (error, name);
      return NULL;
    }
  data = g_new0 (int32_t, MAX (n, 1));
  if (n > 0 && H5Dread (dset, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    {
      set_damaged (error, name);
      return NULL;
    }
  *n_elements = n;
  return g_steal_pointer (&data);
}

int32_t *
hl_activations_read_int_dataset (HlActivations  *self,
                                 const char     *name,
                                 gsize          *n_elements,
                                 GError        **error)
{
  int32_t *data = NULL;
  gsize n = 0;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  hl_hdf5_lock ();
  if (hl_hdf5_path_exists (self->file, name))
    data = read_int_dataset_locked (self, name, &n, error);
  hl_hdf5_unlock ();
  if (n_elements != NULL)
    *n_elements = n;
  return data;
}

static gboolean
validate_sample (HlActivations  *self,
                 int             layer,
                 int             sample,
                 float          *values,
                 float          *attention,
                 GError        **error)
{
  for (int g = 0; g < self->info.n_kv_heads; g++)
    if (!hl_activations_read_values (self, layer, sample, g, values, error))
      return FALSE;
  for (int h = 0; h < self->info.n_heads; h++)
    if (!hl_activations_read_attention (self, layer, sample, h, attention, error))
      return FALSE;
  return TRUE;
}

static gboolean
validate_tokens (HlActivations  *self,
                 int             sample,
                 GError        **error)
{
  g_autofree int32_t *ids = g_new (int32_t, self->info.seq_len);
  g_auto(GStrv) texts = NULL;

  if (self->info.has_token_ids
      && !hl_activations_read_token_ids (self, sample, ids, error))
    return FALSE;
  if (self->info.has_token_texts
      && (texts = hl_activations_read_token_texts (self, sample, error)) == NULL)
    return FALSE;
  return TRUE;
}

gboolean
hl_activations_validate_all (HlActivations  *self,
                             GError        **error)
{
  const HlActivationsInfo *info;
  g_autofree float *values = NULL;
  g_autofree float *attention = NULL;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), FALSE);
  info = &self->info;

  values = g_new (float, (gsize) info->seq_len * info->head_dim);
  attention = g_new (float, (gsize) info->n_queries * info->seq_len);
  for (int s = 0; s < info->n_samples; s++)
    if (!validate_tokens (self, s, error))
      return FALSE;
  for (int l = 0; l < info->n_layers; l++)
    for (int s = 0; s < info->n_samples; s++)
      if (!validate_sample (self, l, s, values, attention, error))
        return FALSE;
  return TRUE;
}
