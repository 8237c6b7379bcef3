/* hl-activations-header.c: reads and validates the header of an activation
 * file: attributes, dataset types, ranks and shapes, query positions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-activations-private.h"

#include <glib/gi18n.h>
#include <inttypes.h>

/* Every function here runs with the HDF5 lock held. */

gboolean
hl_activations_set_damaged (GError     **error,
                            const char  *item)
{
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
               _("Could not read %s: the file is damaged"), item);
  return FALSE;
}

/* Opens the attribute @name of @loc when it exists and checks that it holds
 * one value of class @klass (@expected names it in the message). Returns
 * FALSE with @error set on failure; when the attribute is absent, returns
 * TRUE with *attr left invalid. */
static gboolean
open_single_attr (hid_t         loc,
                  const char   *name,
                  H5T_class_t   klass,
                  const char   *expected,
                  hid_t        *attr,
                  hid_t        *ftype,
                  GError      **error)
{
  g_auto(HlH5Space) space = H5I_INVALID_HID;
  htri_t exists = H5Aexists (loc, name);

  if (exists == 0)
    return TRUE;
  if (exists < 0 || (*attr = H5Aopen (loc, name, H5P_DEFAULT)) < 0
      || (*ftype = H5Aget_type (*attr)) < 0 || (space = H5Aget_space (*attr)) < 0)
    return hl_activations_set_damaged (error, name);
  if (H5Tget_class (*ftype) != klass || H5Sget_simple_extent_npoints (space) != 1)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_TYPE,
                   /* Translators: the last %s is "string" or "integer". */
                   _("Attribute “%s” holds %" PRId64 " %s value(s), expected one %s"),
                   name, (gint64) H5Sget_simple_extent_npoints (space),
                   hl_hdf5_class_name (H5Tget_class (*ftype)), expected);
      return FALSE;
    }
  if (!hl_hdf5_type_is_sane (*ftype))
    return hl_activations_set_damaged (error, name);
  return TRUE;
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
  g_autofree char *buf = NULL;

  *out = NULL;
  if (!open_single_attr (loc, name, H5T_STRING, _("string"), &attr, &ftype, error))
    return FALSE;
  if (attr == H5I_INVALID_HID)
    return TRUE;
  mtype = H5Tcopy (H5T_C_S1);
  H5Tset_cset (mtype, H5Tget_cset (ftype));
  if (H5Tis_variable_str (ftype) > 0)
    {
      char *vstr = NULL;

      H5Tset_size (mtype, H5T_VARIABLE);
      if (H5Aread (attr, mtype, &vstr) < 0)
        return hl_activations_set_damaged (error, name);
      buf = g_strdup (vstr != NULL ? vstr : "");
      H5free_memory (vstr);
    }
  else
    {
      size_t size = H5Tget_size (ftype);

      if (size == 0 || size > HL_HDF5_MAX_STRING)
        return hl_activations_set_damaged (error, name);
      H5Tset_size (mtype, size);
      H5Tset_strpad (mtype, H5T_STR_NULLPAD);
      buf = g_malloc0 (size + 1);
      if (H5Aread (attr, mtype, buf) < 0)
        return hl_activations_set_damaged (error, name);
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

  *present = FALSE;
  if (!open_single_attr (loc, name, H5T_INTEGER, _("integer"), &attr, &ftype, error))
    return FALSE;
  *present = attr != H5I_INVALID_HID;
  if (!*present)
    return TRUE;
  if (H5Aread (attr, H5T_NATIVE_INT64, out) < 0)
    return hl_activations_set_damaged (error, name);
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
                   _("Attribute “format_version” is %" PRId64
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
               _("%s is %" PRId64 ", expected 1 to %" PRId64),
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
read_kv_head_of (HlActivationsHeader  *self,
                 GError        **error)
{
  HlActivationsInfo *info = self->info;
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
    return hl_activations_set_damaged (error, "kv_head_of");

  n = H5Sget_simple_extent_npoints (space);
  if (H5Tget_class (ftype) != H5T_INTEGER || n != info->n_heads)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_HEADS,
                   _("Attribute “kv_head_of” holds %" PRId64
                     " %s value(s), expected %d integers (one per query head)"),
                   (gint64) n, hl_hdf5_class_name (H5Tget_class (ftype)), info->n_heads);
      return FALSE;
    }
  map = g_new (gint64, n);
  if (!hl_hdf5_type_is_sane (ftype) || H5Aread (attr, H5T_NATIVE_INT64, map) < 0)
    return hl_activations_set_damaged (error, "kv_head_of");
  for (int h = 0; h < info->n_heads; h++)
    {
      if (map[h] < 0 || map[h] >= info->n_kv_heads)
        {
          g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_HEADS,
                       _("kv_head_of[%d] is %" PRId64 ", expected 0 to %d (n_kv_heads - 1)"),
                       h, map[h], info->n_kv_heads - 1);
          return FALSE;
        }
      info->kv_head_of[h] = (int) map[h];
    }
  return TRUE;
}

/* The model a Headlens extraction recorded: its path, and the SHA-256 of
 * the llama2.c checkpoint or else of the model directory's config.json. */
static gboolean
read_model_identity (hid_t               file,
                     HlActivationsInfo  *info,
                     GError            **error)
{
  g_autofree char *config_sha256 = NULL;

  if (!read_string_attr (file, "model_path", &info->model_path, error)
      || !read_string_attr (file, "model_sha256", &info->model_sha256, error)
      || !read_string_attr (file, "model_config_sha256", &config_sha256, error))
    return FALSE;
  if (info->model_sha256 == NULL)
    info->model_sha256 = g_steal_pointer (&config_sha256);
  return TRUE;
}

static gboolean
read_root_attrs (HlActivationsHeader  *self,
                 GError        **error)
{
  HlActivationsInfo *info = self->info;
  g_autofree char *model = NULL;

  if (!read_dim_attr (self->file, "n_layers", HL_HDF5_MAX_DIM, &info->n_layers, error)
      || !read_dim_attr (self->file, "n_heads", HL_HDF5_MAX_DIM, &info->n_heads, error)
      || !read_dim_attr (self->file, "n_kv_heads", HL_HDF5_MAX_DIM, &info->n_kv_heads, error)
      || !read_dim_attr (self->file, "head_dim", HL_HDF5_MAX_HEAD_DIM, &info->head_dim, error)
      || !read_dim_attr (self->file, "seq_len", HL_HDF5_MAX_DIM, &info->seq_len, error)
      || !read_string_attr (self->file, "model", &model, error)
      || !read_string_attr (self->file, "source", &info->source, error)
      || !read_model_identity (self->file, info, error))
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
  return TRUE;
}

/* Opens the dataset @name, checking its type class and rank. Returns a
 * negative id with @error set when it is absent (and @required), damaged or
 * of the wrong kind; a negative id without error when optional and absent. */
static hid_t
open_dataset (HlActivationsHeader  *self,
              const char           *name,
              gboolean              required,
              H5T_class_t           klass,
              int                   rank,
              const char           *layout,
              hsize_t              *dims,
              GError              **error)
{
  g_auto(HlH5Dataset) dset = H5I_INVALID_HID;
  g_auto(HlH5Type) ftype = H5I_INVALID_HID;
  g_auto(HlH5Space) space = H5I_INVALID_HID;
  gboolean found;
  int ndims;

  if (!hl_activations_lookup (self, name, &found, error))
    return H5I_INVALID_HID;
  if (!found)
    {
      if (required)
        g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_MISSING,
                     _("Dataset %s is missing, expected %s"), name, layout);
      return H5I_INVALID_HID;
    }
  if ((dset = H5Dopen2 (self->file, name, self->dapl)) < 0
      || (ftype = H5Dget_type (dset)) < 0 || (space = H5Dget_space (dset)) < 0)
    {
      hl_activations_set_damaged (error, name);
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
  if (!hl_activations_check_float_type (ftype, name, error))
    return H5I_INVALID_HID;
  if (!hl_hdf5_type_is_sane (ftype) || !hl_hdf5_layout_is_sane (dset))
    {
      hl_activations_set_damaged (error, name);
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
               _("Dataset %s has %" PRIu64 " along axis %d, expected %d (%s): %s"),
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
                     "%" PRIu64 " elements"),
                   info->n_layers, info->n_samples, info->n_heads, info->n_queries,
                   info->seq_len, info->head_dim, HL_HDF5_MAX_BLOCK);
      return FALSE;
    }
  return TRUE;
}

static gsize
dtype_size (HlDtype dtype)
{
  return dtype == HL_DTYPE_FLOAT16 ? 2 : dtype == HL_DTYPE_FLOAT32 ? 4 : 8;
}

/* Reading one values block and one attention block (as stored and as
 * float32) must fit in the memory budget. */
static gboolean
check_block_budget (HlActivationsHeader  *self,
                    GError              **error)
{
  const HlActivationsInfo *info = self->info;
  guint64 values = (guint64) info->seq_len * info->head_dim * (4 + dtype_size (info->values_dtype));
  guint64 attention = (guint64) info->n_queries * info->seq_len
                      * (4 + dtype_size (info->attention_dtype));
  g_autofree char *need = NULL;
  g_autofree char *budget = NULL;

  if (values + attention <= self->budget)
    return TRUE;
  need = g_format_size_full (values + attention, G_FORMAT_SIZE_IEC_UNITS);
  budget = g_format_size_full (self->budget, G_FORMAT_SIZE_IEC_UNITS);
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_BUDGET,
               _("Reading one head of this file (seq_len %d, head_dim %d, %d queries) needs "
                 "%s of memory, more than the budget of %s; raise it with "
                 "HEADLENS_MEMORY_LIMIT if the machine has the memory"),
               info->seq_len, info->head_dim, info->n_queries, need, budget);
  return FALSE;
}

static gboolean
open_block_datasets (HlActivationsHeader  *self,
                     GError        **error)
{
  HlActivationsInfo *info = self->info;
  hsize_t dims[5];
  g_auto(HlH5Type) vtype = H5I_INVALID_HID;
  g_auto(HlH5Type) atype = H5I_INVALID_HID;

  self->values = open_dataset (self, "/values", TRUE, H5T_FLOAT, 5,
                               _(VALUES_LAYOUT), dims, error);
  if (self->values < 0 || !check_values_shape (info, dims, error))
    return FALSE;
  info->n_samples = dims[1];

  self->attention = open_dataset (self, "/attention", TRUE, H5T_FLOAT, 5,
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
  /* The shapes first (the most specific messages), then what is stored. */
  return check_totals (info, error) && check_block_budget (self, error)
         && hl_activations_check_storage (self, self->values, "/values", error)
         && hl_activations_check_storage (self, self->attention, "/attention", error);
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
                       _("/query_positions[%d] is %" PRId64 ", expected a position in [0, %d)"),
                       q, positions[q], info->seq_len);
          return FALSE;
        }
      if (q > 0 && positions[q] <= positions[q - 1])
        {
          g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_QUERIES,
                       _("/query_positions[%d] is %" PRId64 ", expected more than "
                         "the previous position %" PRId64 " (strictly increasing)"),
                       q, positions[q], positions[q - 1]);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_query_positions (HlActivationsHeader  *self,
                      GError        **error)
{
  HlActivationsInfo *info = self->info;
  g_auto(HlH5Dataset) dset = H5I_INVALID_HID;
  g_autofree gint64 *positions = NULL;
  GError *local_error = NULL;
  hsize_t dims[1];

  info->query_positions = g_new (int, info->n_queries);
  dset = open_dataset (self, "/query_positions", info->n_queries > 1, H5T_INTEGER, 1,
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
                  _("queries in /attention"), info->n_queries, error)
      || !hl_activations_check_storage (self, dset, "/query_positions", error))
    return FALSE;
  positions = g_new (gint64, info->n_queries);
  if (H5Dread (dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, positions) < 0)
    return hl_activations_set_damaged (error, "/query_positions");
  if (!check_query_positions (info, positions, error))
    return FALSE;
  for (int q = 0; q < info->n_queries; q++)
    info->query_positions[q] = (int) positions[q];
  return TRUE;
}

static gboolean
check_token_dataset (HlActivationsHeader  *self,
                     const char     *name,
                     H5T_class_t     klass,
                     const char     *layout,
                     gboolean       *present,
                     GError        **error)
{
  g_auto(HlH5Dataset) dset = H5I_INVALID_HID;
  GError *local_error = NULL;
  hsize_t dims[2];

  dset = open_dataset (self, name, FALSE, klass, 2, layout, dims, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  *present = dset >= 0;
  return dset < 0
         || (check_dim (name, layout, 0, dims[0], _("samples in /values"), self->info->n_samples, error)
             && check_dim (name, layout, 1, dims[1], "seq_len", self->info->seq_len, error)
             && hl_activations_check_storage (self, dset, name, error));
}

gboolean
hl_activations_header_read (HlActivationsHeader  *self,
                            GError              **error)
{
  HlActivationsInfo *info = self->info;

  /* The datasets are checked against the file's stored bytes before
   * anything is allocated from the attributes (kv_head_of, the query
   * positions): a header alone cannot make Headlens allocate. */
  return check_format (self->file, error)
         && read_root_attrs (self, error)
         && open_block_datasets (self, error)
         && read_kv_head_of (self, error)
         && read_query_positions (self, error)
         && check_token_dataset (self, "/tokens/ids", H5T_INTEGER, _("integer [samples, seq_len]"),
                                 &info->has_token_ids, error)
         && check_token_dataset (self, "/tokens/text", H5T_STRING, _("strings [samples, seq_len]"),
                                 &info->has_token_texts, error);
}
