/* hl-activations-writer.c: writes activation files (schema v1) atomically.
 *
 * The file is written as an output set of one file (hl-output-set.h): in a
 * hidden temporary folder beside the target, renamed over it by
 * hl_activations_writer_commit(), so readers never see a half-written file,
 * a crash leaves the previous file intact and an input is never replaced.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/* memfd_create () */
#define _GNU_SOURCE

#include "hl-activations-writer.h"
#include "hl-float16.h"
#include "hl-hdf5-private.h"
#include "hl-output-set.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <sys/mman.h>
#include <unistd.h>

/* The largest finite float16. */
#define FLOAT16_MAX 65504.0f

struct _HlActivationsWriter
{
  char              *path;
  HlOutputSet       *set;
  gboolean           failed;       /* a write failed: the file is discarded */
  const char        *tmp_path;     /* owned by set */
  hid_t              file;
  hid_t              values;
  hid_t              attention;
  hid_t              token_ids;    /* H5I_INVALID_HID without tokens */
  hid_t              token_texts;  /* H5I_INVALID_HID without texts */
  HlActivationsSpec  spec;         /* pointers are not kept */
  gboolean           committed;
};

static gboolean
set_error_from_spec (const HlActivationsSpec  *spec,
                     GError                  **error)
{
  struct { const char *name; int value; int max; } dims[] = {
    { "n_layers", spec->n_layers, HL_HDF5_MAX_DIM },
    { "n_heads", spec->n_heads, HL_HDF5_MAX_DIM },
    { "n_kv_heads", spec->n_kv_heads, HL_HDF5_MAX_DIM },
    { "head_dim", spec->head_dim, HL_HDF5_MAX_HEAD_DIM },
    { "seq_len", spec->seq_len, HL_HDF5_MAX_DIM },
    { "n_samples", spec->n_samples, HL_HDF5_MAX_DIM },
    { "n_queries", spec->n_queries, spec->seq_len },
  };

  for (guint i = 0; i < G_N_ELEMENTS (dims); i++)
    if (dims[i].value < 1 || dims[i].value > dims[i].max)
      {
        g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_SIZE,
                     _("%s is %d, expected 1 to %d"),
                     dims[i].name, dims[i].value, dims[i].max);
        return FALSE;
      }
  if ((guint64) spec->seq_len * spec->head_dim > HL_HDF5_MAX_BLOCK
      || (guint64) spec->n_queries * spec->seq_len > HL_HDF5_MAX_BLOCK)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_SIZE,
                   _("a head block would exceed %" PRIu64 " elements"),
                   HL_HDF5_MAX_BLOCK);
      return FALSE;
    }
  if (spec->n_heads % spec->n_kv_heads != 0)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_HEADS,
                   _("n_heads (%d) is not a multiple of n_kv_heads (%d)"),
                   spec->n_heads, spec->n_kv_heads);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_spec_arrays (const HlActivationsSpec  *spec,
                   GError                  **error)
{
  for (int q = 0; q < spec->n_queries; q++)
    {
      int p = spec->query_positions[q];
      int lower = q > 0 ? spec->query_positions[q - 1] + 1 : 0;

      if (p < lower || p >= spec->seq_len)
        {
          g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_QUERIES,
                       _("query position %d is %d, expected strictly increasing positions in [0, %d)"),
                       q, p, spec->seq_len);
          return FALSE;
        }
    }
  for (int h = 0; spec->kv_head_of != NULL && h < spec->n_heads; h++)
    if (spec->kv_head_of[h] < 0 || spec->kv_head_of[h] >= spec->n_kv_heads)
      {
        g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_HEADS,
                     _("kv_head_of[%d] is %d, expected 0 to %d"),
                     h, spec->kv_head_of[h], spec->n_kv_heads - 1);
        return FALSE;
      }
  return TRUE;
}

/* @saved_errno is errno after the failed HDF5 call: HDF5 does not clear
 * it, so it holds the reason of the write that failed (ENOSPC on a full
 * disk), or 0 when HDF5 failed on its own. */
static void
set_io_error (GError     **error,
              const char  *what,
              const char  *path,
              int          saved_errno)
{
  if (saved_errno != 0)
    g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
                 _("Could not write %s to “%s”: %s"), what, path, g_strerror (saved_errno));
  else
    g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
                 _("Could not write %s to “%s”"), what, path);
}

static gboolean
write_string_attr (hid_t       loc,
                   const char *name,
                   const char *value)
{
  g_auto(HlH5Type) type = H5Tcopy (H5T_C_S1);
  g_auto(HlH5Space) space = H5Screate (H5S_SCALAR);
  g_auto(HlH5Attr) attr = H5I_INVALID_HID;

  H5Tset_size (type, H5T_VARIABLE);
  H5Tset_cset (type, H5T_CSET_UTF8);
  attr = H5Acreate2 (loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  return attr >= 0 && H5Awrite (attr, type, &value) >= 0;
}

static gboolean
write_int_attr (hid_t          loc,
                const char    *name,
                const int64_t *values,
                hsize_t        n,
                gboolean       scalar)
{
  g_auto(HlH5Space) space = scalar ? H5Screate (H5S_SCALAR)
                                   : H5Screate_simple (1, &n, NULL);
  g_auto(HlH5Attr) attr = H5Acreate2 (loc, name, H5T_STD_I64LE, space,
                                      H5P_DEFAULT, H5P_DEFAULT);

  return attr >= 0 && H5Awrite (attr, H5T_NATIVE_INT64, values) >= 0;
}

static gboolean
write_root_attrs (HlActivationsWriter *self,
                  const char          *model,
                  const char          *source,
                  const int           *kv_head_of)
{
  const HlActivationsSpec *s = &self->spec;
  struct { const char *name; int64_t value; } ints[] = {
    { "format_version", 1 }, { "n_layers", s->n_layers },
    { "n_heads", s->n_heads }, { "n_kv_heads", s->n_kv_heads },
    { "head_dim", s->head_dim }, { "seq_len", s->seq_len },
  };

  if (!write_string_attr (self->file, "format", "headlens-activations")
      || !write_string_attr (self->file, "model", model != NULL ? model : ""))
    return FALSE;
  if (source != NULL && !write_string_attr (self->file, "source", source))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    if (!write_int_attr (self->file, ints[i].name, &ints[i].value, 1, TRUE))
      return FALSE;
  if (kv_head_of != NULL)
    {
      g_autofree int64_t *map = g_new (int64_t, s->n_heads);

      for (int h = 0; h < s->n_heads; h++)
        map[h] = kv_head_of[h];
      return write_int_attr (self->file, "kv_head_of", map, s->n_heads, FALSE);
    }
  return TRUE;
}

/* HDF5 stamps each object with its creation time by default, so the same
 * data written twice would give different files (and the bundled sample
 * would differ between builds). Every object is created without it. */
static hid_t
untimed_plist (hid_t plist_class)
{
  hid_t plist = H5Pcreate (plist_class);

  H5Pset_obj_track_times (plist, 0);
  return plist;
}

/* Creates the groups above @name that do not exist yet ("/tokens" for
 * "/tokens/ids"), untimed. */
static gboolean
create_parent_groups (hid_t       file,
                      const char *name)
{
  g_autofree char *path = g_strdup (name);

  for (char *slash = strchr (path + 1, '/'); slash != NULL; slash = strchr (slash + 1, '/'))
    {
      g_auto(HlH5Plist) gcpl = untimed_plist (H5P_GROUP_CREATE);
      htri_t exists;

      *slash = '\0';
      exists = H5Lexists (file, path, H5P_DEFAULT);
      if (exists < 0)
        return FALSE;
      if (!exists)
        {
          hid_t group = H5Gcreate2 (file, path, H5P_DEFAULT, gcpl, H5P_DEFAULT);

          if (group < 0)
            return FALSE;
          H5Gclose (group);
        }
      *slash = '/';
    }
  return TRUE;
}

static hid_t
create_chunked (hid_t          loc,
                const char    *name,
                hid_t          type,
                int            rank,
                const hsize_t *dims,
                const hsize_t *chunk,
                int            gzip_level)
{
  g_auto(HlH5Space) space = H5Screate_simple (rank, dims, NULL);
  g_auto(HlH5Plist) dcpl = untimed_plist (H5P_DATASET_CREATE);
  g_auto(HlH5Plist) dapl = H5Pcreate (H5P_DATASET_ACCESS);

  if (!create_parent_groups (loc, name))
    return H5I_INVALID_HID;
  H5Pset_chunk (dcpl, rank, chunk);
  if (gzip_level > 0)
    H5Pset_deflate (dcpl, gzip_level);
  /* Every write is one whole chunk, so a chunk cache gains nothing; without
   * one a chunk is on disk when H5Dwrite returns, and a failed write (a
   * full disk) leaves no dirty chunk that closing would try to write. */
  H5Pset_chunk_cache (dapl, 0, 0, 1.0);
  return H5Dcreate2 (loc, name, type, space, H5P_DEFAULT, dcpl, dapl);
}

static gboolean
create_block_datasets (HlActivationsWriter *self)
{
  const HlActivationsSpec *s = &self->spec;
  hsize_t vdims[5] = { s->n_layers, s->n_samples, s->n_kv_heads, s->seq_len, s->head_dim };
  hsize_t vchunk[5] = { 1, 1, 1, s->seq_len, s->head_dim };
  hsize_t adims[5] = { s->n_layers, s->n_samples, s->n_heads, s->n_queries, s->seq_len };
  hsize_t achunk[5] = { 1, 1, 1, s->n_queries, s->seq_len };
  g_auto(HlH5Type) vtype = hl_hdf5_dtype_to_type (s->values_dtype);
  g_auto(HlH5Type) atype = hl_hdf5_dtype_to_type (s->attention_dtype);

  self->values = create_chunked (self->file, "/values", vtype, 5, vdims, vchunk,
                                 s->gzip_level);
  self->attention = create_chunked (self->file, "/attention", atype, 5, adims, achunk,
                                    s->gzip_level);
  return self->values >= 0 && self->attention >= 0;
}

static gboolean
create_token_datasets (HlActivationsWriter *self)
{
  const HlActivationsSpec *s = &self->spec;
  hsize_t dims[2] = { s->n_samples, s->seq_len };
  hsize_t chunk[2] = { 1, s->seq_len };

  if (s->with_token_ids)
    {
      self->token_ids = create_chunked (self->file, "/tokens/ids", H5T_STD_I32LE,
                                        2, dims, chunk, s->gzip_level);
      if (self->token_ids < 0)
        return FALSE;
    }
  if (s->with_token_texts)
    {
      g_auto(HlH5Type) type = H5Tcopy (H5T_C_S1);

      H5Tset_size (type, H5T_VARIABLE);
      H5Tset_cset (type, H5T_CSET_UTF8);
      self->token_texts = create_chunked (self->file, "/tokens/text", type,
                                          2, dims, chunk, s->gzip_level);
      if (self->token_texts < 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_query_positions (HlActivationsWriter *self,
                       const int           *positions)
{
  hsize_t n = self->spec.n_queries;
  g_auto(HlH5Space) space = H5Screate_simple (1, &n, NULL);
  g_auto(HlH5Plist) dcpl = untimed_plist (H5P_DATASET_CREATE);
  g_auto(HlH5Dataset) dset = H5Dcreate2 (self->file, "/query_positions", H5T_STD_I32LE,
                                         space, H5P_DEFAULT, dcpl, H5P_DEFAULT);

  return dset >= 0
         && H5Dwrite (dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, positions) >= 0;
}

/* Creates the output set of one file, and refuses a target that is one of
 * @inputs. */
static gboolean
create_set (HlActivationsWriter  *self,
            const char * const   *inputs,
            GError              **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *base = g_path_get_basename (self->path);

  self->set = hl_output_set_new (dir, HL_OUTPUT_SET_NONE, error);
  if (self->set == NULL)
    return FALSE;
  for (guint i = 0; inputs != NULL && inputs[i] != NULL; i++)
    hl_output_set_add_input (self->set, inputs[i]);
  self->tmp_path = hl_output_set_add_file (self->set, base, error);
  return self->tmp_path != NULL;
}

static gboolean
create_file (HlActivationsWriter  *self,
             const char           *model,
             const char           *source,
             const int            *query_positions,
             const int            *kv_head_of,
             GError              **error)
{
  /* The file creation list also holds the root group's properties. */
  g_auto(HlH5Plist) fcpl = untimed_plist (H5P_FILE_CREATE);

  errno = 0;
  self->file = H5Fcreate (self->tmp_path, H5F_ACC_EXCL, fcpl, H5P_DEFAULT);
  if (self->file < 0
      || !write_root_attrs (self, model, source, kv_head_of)
      || !write_query_positions (self, query_positions)
      || !create_block_datasets (self)
      || !create_token_datasets (self))
    {
      self->failed = TRUE;
      set_io_error (error, _("the file header"), self->path, errno);
      return FALSE;
    }
  return TRUE;
}

HlActivationsWriter *
hl_activations_writer_new (const char               *path,
                           const HlActivationsSpec  *spec,
                           GError                  **error)
{
  g_autoptr(HlActivationsWriter) self = NULL;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (spec->query_positions != NULL, NULL);
  g_return_val_if_fail (spec->gzip_level >= 0 && spec->gzip_level <= 9, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!set_error_from_spec (spec, error) || !check_spec_arrays (spec, error))
    return NULL;

  self = g_new0 (HlActivationsWriter, 1);
  self->path = g_strdup (path);
  self->spec = *spec;
  self->spec.model = self->spec.source = NULL;
  self->spec.query_positions = self->spec.kv_head_of = NULL;
  self->spec.inputs = NULL;
  self->file = self->values = self->attention = H5I_INVALID_HID;
  self->token_ids = self->token_texts = H5I_INVALID_HID;

  if (!create_set (self, spec->inputs, error))
    return NULL;
  hl_hdf5_lock ();
  ok = create_file (self, spec->model, spec->source, spec->query_positions,
                    spec->kv_head_of, error);
  hl_hdf5_unlock ();
  return ok ? g_steal_pointer (&self) : NULL;
}

static gboolean
check_range (const char  *what,
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

static gboolean
check_block_finite (const float  *data,
                    gsize         n,
                    HlDtype       dtype,
                    const char   *dataset,
                    GError      **error)
{
  float limit = dtype == HL_DTYPE_FLOAT16 ? FLOAT16_MAX : G_MAXFLOAT;

  for (gsize i = 0; i < n; i++)
    if (!isfinite (data[i]) || fabsf (data[i]) > limit)
      {
        g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_NON_FINITE,
                     _("%s element %zu is %g, expected a finite number"
                       " that %s can hold"),
                     dataset, i, data[i], hl_dtype_to_string (dtype));
        return FALSE;
      }
  return TRUE;
}

/* Writes @n floats rounded to float16 by hl_float_to_float16(): HDF5's own
 * float16 conversion takes about 170 ns a number. */
static gboolean
write_halves (hid_t        dset,
              hid_t        mspace,
              hid_t        fspace,
              const float *data,
              gsize        n)
{
  g_autofree uint16_t *halves = g_new (uint16_t, n);
  g_auto(HlH5Type) mtype = hl_hdf5_float16_type_new ();

  hl_float_to_float16 (data, halves, n);
  return H5Tset_order (mtype, G_BYTE_ORDER == G_LITTLE_ENDIAN ? H5T_ORDER_LE
                                                               : H5T_ORDER_BE) >= 0
         && H5Dwrite (dset, mtype, mspace, fspace, H5P_DEFAULT, halves) >= 0;
}

static gboolean
write_block (hid_t          dset,
             HlDtype        dtype,
             const hsize_t *start,
             const hsize_t *count,
             const float   *data)
{
  g_auto(HlH5Space) fspace = H5Dget_space (dset);
  /* The memory space has the selection's shape: with any other shape HDF5
   * 1.10 maps every element to its chunk one by one (100x slower). */
  g_auto(HlH5Space) mspace = H5Screate_simple (5, count, NULL);

  if (H5Sselect_hyperslab (fspace, H5S_SELECT_SET, start, NULL, count, NULL) < 0)
    return FALSE;
  if (dtype == HL_DTYPE_FLOAT16)
    return write_halves (dset, mspace, fspace, data, count[3] * count[4]);
  return H5Dwrite (dset, H5T_NATIVE_FLOAT, mspace, fspace, H5P_DEFAULT, data) >= 0;
}

static gboolean
write_block_locked (HlActivationsWriter  *self,
                    hid_t                 dset,
                    HlDtype               dtype,
                    const hsize_t        *start,
                    const hsize_t        *count,
                    const float          *data,
                    GError              **error)
{
  gboolean ok;
  int saved_errno;

  hl_hdf5_lock ();
  errno = 0;
  ok = write_block (dset, dtype, start, count, data);
  saved_errno = errno;
  hl_hdf5_unlock ();
  if (!ok)
    {
      self->failed = TRUE;
      set_io_error (error, _("a head block"), self->path, saved_errno);
    }
  return ok;
}

gboolean
hl_activations_writer_write_values (HlActivationsWriter  *self,
                                    int                   layer,
                                    int                   sample,
                                    int                   kv_head,
                                    const float          *values,
                                    GError              **error)
{
  const HlActivationsSpec *s;

  g_return_val_if_fail (self != NULL && !self->committed, FALSE);
  g_return_val_if_fail (values != NULL, FALSE);
  s = &self->spec;

  if (!check_range (_("layer"), layer, s->n_layers, error)
      || !check_range (_("sample"), sample, s->n_samples, error)
      || !check_range (_("kv head"), kv_head, s->n_kv_heads, error)
      || !check_block_finite (values, (gsize) s->seq_len * s->head_dim,
                              s->values_dtype, "/values", error))
    return FALSE;

  hsize_t start[5] = { layer, sample, kv_head, 0, 0 };
  hsize_t count[5] = { 1, 1, 1, s->seq_len, s->head_dim };
  return write_block_locked (self, self->values, s->values_dtype, start, count, values, error);
}

gboolean
hl_activations_writer_write_attention (HlActivationsWriter  *self,
                                       int                   layer,
                                       int                   sample,
                                       int                   head,
                                       const float          *rows,
                                       GError              **error)
{
  const HlActivationsSpec *s;

  g_return_val_if_fail (self != NULL && !self->committed, FALSE);
  g_return_val_if_fail (rows != NULL, FALSE);
  s = &self->spec;

  if (!check_range (_("layer"), layer, s->n_layers, error)
      || !check_range (_("sample"), sample, s->n_samples, error)
      || !check_range (_("head"), head, s->n_heads, error)
      || !check_block_finite (rows, (gsize) s->n_queries * s->seq_len,
                              s->attention_dtype, "/attention", error))
    return FALSE;

  hsize_t start[5] = { layer, sample, head, 0, 0 };
  hsize_t count[5] = { 1, 1, 1, s->n_queries, s->seq_len };
  return write_block_locked (self, self->attention, s->attention_dtype, start, count, rows,
                             error);
}

static gboolean
write_token_row (hid_t       dset,
                 hid_t       memtype,
                 int         sample,
                 int         seq_len,
                 const void *data)
{
  g_auto(HlH5Space) fspace = H5Dget_space (dset);
  hsize_t start[2] = { sample, 0 };
  hsize_t count[2] = { 1, seq_len };
  hsize_t n = seq_len;
  g_auto(HlH5Space) mspace = H5Screate_simple (1, &n, NULL);

  if (H5Sselect_hyperslab (fspace, H5S_SELECT_SET, start, NULL, count, NULL) < 0)
    return FALSE;
  return H5Dwrite (dset, memtype, mspace, fspace, H5P_DEFAULT, data) >= 0;
}

static gboolean
write_tokens_locked (HlActivationsWriter *self,
                     int                  sample,
                     const int32_t       *ids,
                     const char * const  *texts)
{
  g_auto(HlH5Type) strtype = H5Tcopy (H5T_C_S1);

  H5Tset_size (strtype, H5T_VARIABLE);
  H5Tset_cset (strtype, H5T_CSET_UTF8);
  if (ids != NULL
      && !write_token_row (self->token_ids, H5T_NATIVE_INT32, sample,
                           self->spec.seq_len, ids))
    return FALSE;
  if (texts != NULL
      && !write_token_row (self->token_texts, strtype, sample,
                           self->spec.seq_len, texts))
    return FALSE;
  return TRUE;
}

gboolean
hl_activations_writer_write_tokens (HlActivationsWriter  *self,
                                    int                   sample,
                                    const int32_t        *ids,
                                    const char * const   *texts,
                                    GError              **error)
{
  gboolean ok;
  int saved_errno;

  g_return_val_if_fail (self != NULL && !self->committed, FALSE);
  g_return_val_if_fail (ids == NULL || self->spec.with_token_ids, FALSE);
  g_return_val_if_fail (texts == NULL || self->spec.with_token_texts, FALSE);

  if (!check_range (_("sample"), sample, self->spec.n_samples, error))
    return FALSE;
  for (int i = 0; texts != NULL && i < self->spec.seq_len; i++)
    if (texts[i] == NULL || !g_utf8_validate (texts[i], -1, NULL))
      {
        g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_TYPE,
                     _("token text %d of sample %d is not valid UTF-8"), i, sample);
        return FALSE;
      }

  hl_hdf5_lock ();
  errno = 0;
  ok = write_tokens_locked (self, sample, ids, texts);
  saved_errno = errno;
  hl_hdf5_unlock ();
  if (!ok)
    {
      self->failed = TRUE;
      set_io_error (error, _("tokens"), self->path, saved_errno);
    }
  return ok;
}

static gboolean
write_int_dataset_locked (HlActivationsWriter *self,
                          const char          *name,
                          int                  rank,
                          const gsize         *dims,
                          const int32_t       *data)
{
  hsize_t hdims[H5S_MAX_RANK];
  g_auto(HlH5Space) space = H5I_INVALID_HID;
  g_auto(HlH5Plist) dcpl = untimed_plist (H5P_DATASET_CREATE);
  g_auto(HlH5Dataset) dset = H5I_INVALID_HID;

  for (int i = 0; i < rank; i++)
    hdims[i] = dims[i];
  space = H5Screate_simple (rank, hdims, NULL);
  if (!create_parent_groups (self->file, name))
    return FALSE;
  dset = H5Dcreate2 (self->file, name, H5T_STD_I32LE, space, H5P_DEFAULT, dcpl,
                     H5P_DEFAULT);
  return dset >= 0
         && H5Dwrite (dset, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
}

gboolean
hl_activations_writer_write_int_dataset (HlActivationsWriter  *self,
                                         const char           *name,
                                         int                   rank,
                                         const gsize          *dims,
                                         const int32_t        *data,
                                         GError              **error)
{
  gboolean ok;
  int saved_errno;

  g_return_val_if_fail (self != NULL && !self->committed, FALSE);
  g_return_val_if_fail (name != NULL && name[0] != '\0', FALSE);
  g_return_val_if_fail (rank >= 1 && rank <= H5S_MAX_RANK, FALSE);
  g_return_val_if_fail (dims != NULL && data != NULL, FALSE);

  hl_hdf5_lock ();
  errno = 0;
  ok = write_int_dataset_locked (self, name, rank, dims, data);
  saved_errno = errno;
  hl_hdf5_unlock ();
  if (!ok)
    {
      g_autofree char *what = g_strdup_printf (_("dataset %s"), name);

      self->failed = TRUE;
      set_io_error (error, what, self->path, saved_errno);
    }
  return ok;
}

static hid_t *
dataset_ids (HlActivationsWriter *self,
             guint                i)
{
  hid_t *ids[] = { &self->values, &self->attention, &self->token_ids, &self->token_texts };

  return i < G_N_ELEMENTS (ids) ? ids[i] : NULL;
}

/* Writes whatever HDF5 still holds in memory; FALSE when that failed. */
static gboolean
flush_locked (HlActivationsWriter *self)
{
  gboolean ok = self->file >= 0;

  for (guint i = 0; ok && dataset_ids (self, i) != NULL; i++)
    ok = *dataset_ids (self, i) < 0 || H5Dflush (*dataset_ids (self, i)) >= 0;
  return ok && H5Fflush (self->file, H5F_SCOPE_LOCAL) >= 0;
}

/* A file that is being discarded goes on in memory: HDF5's own closing
 * writes (flushing metadata) then cannot fail. A close that fails leaves
 * HDF5 with a file it has half torn down, which its exit handler then
 * crashes on; this is how a write that failed on a full disk never gets
 * there. The temporary file itself is removed with the output set. */
static void
redirect_to_memory_locked (HlActivationsWriter *self)
{
  int *fd = NULL;
  int memory = memfd_create ("headlens-discarded", MFD_CLOEXEC);

  if (memory >= 0 && H5Fget_vfd_handle (self->file, H5P_DEFAULT, (void **) &fd) >= 0
      && fd != NULL)
    dup2 (memory, *fd);
  if (memory >= 0)
    close (memory);
}

/* Closes every handle. Unless @discard, writes everything first and
 * returns FALSE (then discarding the file) when that fails. */
static gboolean
close_file_locked (HlActivationsWriter *self,
                   gboolean             discard)
{
  gboolean ok = TRUE;

  if (self->file < 0)
    return !discard;
  if (!discard && !(ok = flush_locked (self)))
    discard = TRUE;
  if (discard)
    redirect_to_memory_locked (self);
  for (guint i = 0; dataset_ids (self, i) != NULL; i++)
    if (*dataset_ids (self, i) >= 0)
      {
        ok = H5Dclose (*dataset_ids (self, i)) >= 0 && ok;
        *dataset_ids (self, i) = H5I_INVALID_HID;
      }
  ok = H5Fclose (self->file) >= 0 && ok;
  self->file = H5I_INVALID_HID;
  return ok;
}

gboolean
hl_activations_writer_set_string_attribute (HlActivationsWriter  *self,
                                            const char           *name,
                                            const char           *value,
                                            GError              **error)
{
  g_return_val_if_fail (self != NULL && !self->committed, FALSE);
  g_return_val_if_fail (name != NULL && value != NULL, FALSE);

  if (!write_string_attr (self->file, name, value))
    {
      set_io_error (error, name, self->path, 0);
      return FALSE;
    }
  return TRUE;
}

gboolean
hl_activations_writer_set_double_attribute (HlActivationsWriter  *self,
                                            const char           *name,
                                            double                value,
                                            GError              **error)
{
  g_auto(HlH5Space) space = H5I_INVALID_HID;
  g_auto(HlH5Attr) attr = H5I_INVALID_HID;

  g_return_val_if_fail (self != NULL && !self->committed, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  space = H5Screate (H5S_SCALAR);
  attr = H5Acreate2 (self->file, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0 || H5Awrite (attr, H5T_NATIVE_DOUBLE, &value) < 0)
    {
      set_io_error (error, name, self->path, 0);
      return FALSE;
    }
  return TRUE;
}

gboolean
hl_activations_writer_commit (HlActivationsWriter  *self,
                              GError              **error)
{
  gboolean closed;
  int saved_errno;

  g_return_val_if_fail (self != NULL && !self->committed, FALSE);

  hl_hdf5_lock ();
  errno = 0;
  closed = close_file_locked (self, self->failed);
  saved_errno = errno;
  hl_hdf5_unlock ();
  if (!closed)
    {
      self->failed = TRUE;
      set_io_error (error, _("the file"), self->path, saved_errno);
      return FALSE;
    }
  if (!hl_output_set_commit (self->set, error))
    return FALSE;
  self->committed = TRUE;
  return TRUE;
}

void
hl_activations_writer_free (HlActivationsWriter *self)
{
  if (self == NULL)
    return;
  hl_hdf5_lock ();
  close_file_locked (self, TRUE);
  hl_hdf5_unlock ();
  g_clear_pointer (&self->set, hl_output_set_free);
  g_free (self->path);
  g_free (self);
}
