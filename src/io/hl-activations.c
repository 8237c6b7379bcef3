/* hl-activations.c: read-only access to activation files (schema v1).
 *
 * Everything in the file header (attributes, dataset types and shapes, query
 * positions) is validated when the file is opened; the contents of a head
 * block are validated each time the block is read, so a file larger than
 * memory opens at once and is explored one block at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-activations-private.h"
#include "hl-chunk-reader.h"
#include "hl-file-identity.h"
#include "hl-float16.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <math.h>
#include <unistd.h>

struct _HlActivations
{
  GObject            parent_instance;

  char              *path;
  HlActivationsOpenFlags flags;
  HlFileIdentity     identity;      /* of the file when it was opened */
  guint64            budget;        /* memory budget, bytes */
  hid_t              lapl;          /* how links are followed */
  hid_t              dapl;          /* how datasets are opened */
  hid_t              file;          /* open for the object's lifetime */
  hid_t              values;
  hid_t              attention;
  /* For IEEE float16 and float64 datasets, the file type in host byte
   * order: blocks are read unconverted into the scratch buffer and
   * converted here, because HDF5's own conversions are slow (float16 by
   * 170x). H5I_INVALID_HID for float32 and unusual types, which HDF5
   * converts to float32. */
  hid_t              values_raw;
  hid_t              attention_raw;
  /* For gzip-compressed datasets, their chunks decoded here with bounded
   * buffers (hl-chunk-reader.h); NULL otherwise. */
  HlChunkReader     *values_reader;
  HlChunkReader     *attention_reader;
  /* Whether a block is one unfiltered chunk in the memory type, read by
   * H5Dread_chunk () (see read_stored_locked ()). */
  gboolean           values_direct;
  gboolean           attention_direct;
  gsize              values_element; /* bytes of a stored values number */
  void              *scratch;       /* guarded by the HDF5 lock */
  gsize              scratch_size;  /* in bytes */
  HlActivationsInfo  info;

  GMutex             warnings_lock; /* guards the three fields below */
  GPtrArray         *warnings;      /* element-type utf8 */
  GHashTable        *warned_blocks; /* keys of blocks already warned about */
  guint             *warnings_taken; /* corpus: [n_members] member warnings copied */

  /* A corpus (hl-activations-corpus.c): the member files, whose samples in
   * this order are its samples; NULL for a single file, which then holds
   * the HDF5 handles above. */
  GPtrArray         *members;       /* element-type HlActivations, owned */
  int               *first_sample;  /* [n_members + 1] */
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
  g_clear_pointer (&self->values_reader, hl_chunk_reader_free);
  g_clear_pointer (&self->attention_reader, hl_chunk_reader_free);
  if (self->values_raw >= 0)
    H5Tclose (self->values_raw);
  if (self->attention_raw >= 0)
    H5Tclose (self->attention_raw);
  if (self->file >= 0)
    H5Fclose (self->file);
  if (self->lapl >= 0)
    H5Pclose (self->lapl);
  if (self->dapl >= 0)
    H5Pclose (self->dapl);
  self->file = self->values = self->attention = H5I_INVALID_HID;
  self->values_raw = self->attention_raw = H5I_INVALID_HID;
  self->lapl = self->dapl = H5I_INVALID_HID;
  hl_hdf5_unlock ();
}

static void
hl_activations_finalize (GObject *object)
{
  HlActivations *self = HL_ACTIVATIONS (object);

  close_handles (self);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->scratch, g_free);
  g_clear_pointer (&self->info.model, g_free);
  g_clear_pointer (&self->info.source, g_free);
  g_clear_pointer (&self->info.model_path, g_free);
  g_clear_pointer (&self->info.model_sha256, g_free);
  g_clear_pointer (&self->info.query_positions, g_free);
  g_clear_pointer (&self->info.kv_head_of, g_free);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->warned_blocks, g_hash_table_unref);
  g_clear_pointer (&self->warnings_taken, g_free);
  g_mutex_clear (&self->warnings_lock);
  g_clear_pointer (&self->members, g_ptr_array_unref);
  g_clear_pointer (&self->first_sample, g_free);

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
  self->values_raw = self->attention_raw = H5I_INVALID_HID;
  self->lapl = self->dapl = H5I_INVALID_HID;
  self->info.model = g_strdup ("");
  g_mutex_init (&self->warnings_lock);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  self->warned_blocks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* The memory type that reads @dset's numbers without conversion (but in
 * host byte order), or H5I_INVALID_HID when @dset is neither IEEE float16
 * nor IEEE float64. */
static hid_t
raw_memory_type (hid_t dset)
{
  g_auto(HlH5Type) ftype = H5Dget_type (dset);
  hid_t mtype;

  if (ftype < 0
      || !(hl_hdf5_type_is_ieee_half (ftype) || H5Tequal (ftype, H5T_IEEE_F64LE) > 0
           || H5Tequal (ftype, H5T_IEEE_F64BE) > 0))
    return H5I_INVALID_HID;
  mtype = H5Tcopy (ftype);
  if (mtype >= 0
      && H5Tset_order (mtype, G_BYTE_ORDER == G_LITTLE_ENDIAN ? H5T_ORDER_LE
                                                              : H5T_ORDER_BE) >= 0)
    return mtype;
  if (mtype >= 0)
    H5Tclose (mtype);
  return H5I_INVALID_HID;
}

/* Opens @name again with a chunk cache that keeps the chunks a block read
 * touches, when other blocks share them (see hl_hdf5_block_access_plist);
 * returns @dset itself otherwise. */
static hid_t
reopen_with_cache (HlActivations *self,
                   hid_t          dset,
                   const char    *name,
                   const hsize_t *block)
{
  hid_t dapl = hl_hdf5_block_access_plist (dset, block, self->dapl, self->budget);

  if (dapl < 0)
    return dset;
  /* While a dataset is open, opening it again shares the first opening's
   * chunk cache and ignores @dapl: close it first. */
  H5Dclose (dset);
  dset = H5Dopen2 (self->file, name, dapl);
  H5Pclose (dapl);
  return dset >= 0 ? dset : H5Dopen2 (self->file, name, self->dapl);
}

/* The decoding of gzip chunks holds three chunks of each dataset: they
 * must fit in half the memory budget. */
static gboolean
create_chunk_readers (HlActivations  *self,
                      GError        **error)
{
  guint64 bytes = 0;

  self->values_reader = hl_chunk_reader_new (self->values);
  self->attention_reader = hl_chunk_reader_new (self->attention);
  if (self->values_reader != NULL)
    bytes += 3 * (guint64) hl_chunk_reader_get_chunk_bytes (self->values_reader);
  if (self->attention_reader != NULL)
    bytes += 3 * (guint64) hl_chunk_reader_get_chunk_bytes (self->attention_reader);
  if (bytes <= self->budget / 2)
    return TRUE;
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_BUDGET,
               _("The compressed chunks of “%s” are too large to decode within the memory "
                 "budget; raise HEADLENS_MEMORY_LIMIT if the machine has the memory"),
               self->path);
  return FALSE;
}

static gboolean
open_for_blocks (HlActivations  *self,
                 GError        **error)
{
  const HlActivationsInfo *info = &self->info;
  hsize_t values_block[5] = { 1, 1, 1, info->seq_len, info->head_dim };
  hsize_t attention_block[5] = { 1, 1, 1, info->n_queries, info->seq_len };

  self->values = reopen_with_cache (self, self->values, "/values", values_block);
  self->attention = reopen_with_cache (self, self->attention, "/attention", attention_block);
  if (self->values < 0 || self->attention < 0)
    return hl_activations_set_damaged (error, self->path);
  self->values_raw = raw_memory_type (self->values);
  self->attention_raw = raw_memory_type (self->attention);
  self->values_element = self->values_raw >= 0 ? H5Tget_size (self->values_raw) : sizeof (float);
  self->values_direct = hl_hdf5_chunk_is_block (self->values, values_block,
                                                self->values_raw >= 0 ? self->values_raw
                                                                      : H5T_NATIVE_FLOAT);
  self->attention_direct = hl_hdf5_chunk_is_block (self->attention, attention_block,
                                                   self->attention_raw >= 0 ? self->attention_raw
                                                                            : H5T_NATIVE_FLOAT);
  return create_chunk_readers (self, error);
}

/* How links are followed and datasets opened: external links (when
 * allowed) and external raw storage resolve beside the file, and a virtual
 * dataset with a missing source ends at it (so its shape no longer
 * matches) instead of reading zeros. */
static gboolean
create_access_lists (HlActivations *self)
{
  g_autofree char *folder = g_path_get_dirname (self->path);

  self->lapl = H5Pcreate (H5P_LINK_ACCESS);
  self->dapl = H5Pcreate (H5P_DATASET_ACCESS);
  return self->lapl >= 0 && self->dapl >= 0
         && H5Pset_elink_prefix (self->lapl, folder) >= 0
         && H5Pset_elink_acc_flags (self->lapl, H5F_ACC_RDONLY) >= 0
         && H5Pset_efile_prefix (self->dapl, "${ORIGIN}") >= 0
         && H5Pset_virtual_view (self->dapl, H5D_VDS_FIRST_MISSING) >= 0;
}

/* What the checks of hl-activations-storage.c need of an open file. */
static void
header_for (HlActivations       *self,
            HlActivationsHeader *header)
{
  *header = (HlActivationsHeader) {
    .file = self->file, .path = self->path, .flags = self->flags, .lapl = self->lapl,
    .dapl = self->dapl, .budget = self->budget, .info = &self->info,
    .values = H5I_INVALID_HID, .attention = H5I_INVALID_HID,
  };
}

static gboolean
load_locked (HlActivations  *self,
             GError        **error)
{
  HlActivationsHeader header;
  gboolean ok;

  if (!create_access_lists (self))
    return hl_activations_set_damaged (error, self->path);
  if (H5Fis_hdf5 (self->path) <= 0
      || (self->file = H5Fopen (self->path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_NOT_HDF5,
                   _("“%s” is not a readable HDF5 file (it may be truncated or damaged), "
                     "expected a Headlens activation file"), self->path);
      return FALSE;
    }
  header_for (self, &header);
  ok = hl_activations_header_read (&header, error);
  /* The datasets stay open for block reads; on failure finalize closes
   * whatever was opened. */
  self->values = header.values;
  self->attention = header.attention;
  return ok && open_for_blocks (self, error);
}

HlActivations *
hl_activations_open_in_process (const char              *path,
                                HlActivationsOpenFlags   flags,
                                GError                 **error)
{
  g_autoptr(HlActivations) self = NULL;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HL_TYPE_ACTIVATIONS, NULL);
  self->path = g_strdup (path);
  self->flags = flags;
  if (!hl_file_identity_read (path, &self->identity, error)
      || !hl_memory_budget_for_file (self->identity.size, &self->budget, error))
    return NULL;
  if (g_access (path, R_OK) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
                   _("Could not open “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  hl_hdf5_lock ();
  ok = load_locked (self, error);
  hl_hdf5_unlock ();
  return ok ? g_steal_pointer (&self) : NULL;
}

HlActivations *
hl_activations_open_full (const char              *path,
                          HlActivationsOpenFlags   flags,
                          GError                 **error)
{
  g_autoptr(HlActivations) self = NULL;
  HlFileIdentity before;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The file the checking process read must be the one opened here. */
  if (!hl_file_identity_read (path, &before, error)
      || !hl_activations_probe (path, flags, error))
    return NULL;
  self = hl_activations_open_in_process (path, flags, error);
  if (self != NULL && !hl_file_identity_equal (&before, &self->identity))
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_CHANGED,
                   _("“%s” changed while it was being opened; open it again once it is "
                     "written"), path);
      return NULL;
    }
  return g_steal_pointer (&self);
}

HlActivations *
hl_activations_open (const char  *path,
                     GError     **error)
{
  return hl_activations_open_full (path, HL_ACTIVATIONS_OPEN_DEFAULT, error);
}

gboolean
hl_activations_check_unchanged (HlActivations  *self,
                                GError        **error)
{
  HlFileIdentity now;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), FALSE);

  for (guint i = 0; self->members != NULL && i < self->members->len; i++)
    if (!hl_activations_check_unchanged (g_ptr_array_index (self->members, i), error))
      return FALSE;
  if (self->members != NULL)
    return TRUE;
  if (hl_file_identity_read (self->path, &now, &local_error)
      && hl_file_identity_equal (&now, &self->identity))
    return TRUE;
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_CHANGED,
               _("“%s” changed on disk while it was being read (%s), so results from it "
                 "may mix two versions; run again once it is written"),
               self->path, local_error != NULL ? local_error->message
                           : now.ino != self->identity.ino ? _("it was replaced")
                           : _("it was rewritten"));
  return FALSE;
}

guint64
hl_activations_get_memory_budget (HlActivations *self)
{
  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), 0);

  return self->budget;
}

const char *
hl_activations_get_path (HlActivations *self)
{
  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), NULL);

  return self->path;
}

HlActivationsOpenFlags
hl_activations_get_open_flags (HlActivations *self)
{
  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), HL_ACTIVATIONS_OPEN_DEFAULT);

  return self->flags;
}

const HlActivationsInfo *
hl_activations_get_info (HlActivations *self)
{
  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), NULL);

  return &self->info;
}

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

/* Corpora ------------------------------------------------------------------ */

/* Whether every file of a corpus names the same model (its path and
 * hash): only then does the corpus name it. */
static gboolean
members_share_model (GPtrArray *members)
{
  const HlActivationsInfo *first = &((HlActivations *) g_ptr_array_index (members, 0))->info;

  for (guint i = 1; i < members->len; i++)
    {
      const HlActivationsInfo *info = &((HlActivations *) g_ptr_array_index (members, i))->info;

      if (g_strcmp0 (info->model_path, first->model_path) != 0 ||
          g_strcmp0 (info->model_sha256, first->model_sha256) != 0)
        return FALSE;
    }
  return TRUE;
}

HlActivations *
hl_activations_new_corpus (const char             *path,
                           GPtrArray              *members,
                           HlActivationsOpenFlags  flags)
{
  HlActivations *self = g_object_new (HL_TYPE_ACTIVATIONS, NULL);
  const HlActivationsInfo *first = &((HlActivations *) g_ptr_array_index (members, 0))->info;
  HlActivationsInfo *info = &self->info;
  guint64 size = 0;

  g_assert (members->len >= 1);
  self->path = g_strdup (path);
  self->flags = flags;
  self->members = members;
  self->first_sample = g_new (int, members->len + 1);
  self->warnings_taken = g_new0 (guint, members->len);
  g_free (info->model);
  *info = *first;
  info->model = g_strdup (first->model);
  info->source = g_strdup (first->source);
  info->model_path = info->model_sha256 = NULL;
  if (members_share_model (members))
    {
      info->model_path = g_strdup (first->model_path);
      info->model_sha256 = g_strdup (first->model_sha256);
    }
  info->query_positions = g_memdup2 (first->query_positions, sizeof (int) * first->n_queries);
  info->kv_head_of = g_memdup2 (first->kv_head_of, sizeof (int) * first->n_heads);
  info->n_samples = 0;
  for (guint i = 0; i < members->len; i++)
    {
      HlActivations *member = g_ptr_array_index (members, i);

      self->first_sample[i] = info->n_samples;
      info->n_samples += member->info.n_samples;
      info->has_token_ids &= member->info.has_token_ids;
      info->has_token_texts &= member->info.has_token_texts;
      /* Blocks are read as each file stores them: room for the widest. */
      self->values_element = MAX (self->values_element, member->values_element);
      size += member->identity.size;
    }
  self->first_sample[members->len] = info->n_samples;
  /* The budget of the whole corpus; a bad HEADLENS_MEMORY_LIMIT failed the
   * members' opening already. */
  if (!hl_memory_budget_for_file (size, &self->budget, NULL))
    self->budget = ((HlActivations *) g_ptr_array_index (members, 0))->budget;
  return self;
}

void
hl_activations_add_warning (HlActivations *self,
                            char          *message)
{
  g_mutex_lock (&self->warnings_lock);
  g_ptr_array_add (self->warnings, message);
  g_mutex_unlock (&self->warnings_lock);
}

int
hl_activations_get_n_files (HlActivations *self)
{
  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), 0);

  return self->members != NULL ? (int) self->members->len : 1;
}

HlActivations *
hl_activations_get_file (HlActivations *self,
                         int            index)
{
  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), NULL);
  g_return_val_if_fail (index >= 0 && index < hl_activations_get_n_files (self), NULL);

  return self->members != NULL ? g_ptr_array_index (self->members, index) : self;
}

int
hl_activations_get_file_first_sample (HlActivations *self,
                                      int            index)
{
  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), 0);
  g_return_val_if_fail (index >= 0 && index < hl_activations_get_n_files (self), 0);

  return self->members != NULL ? self->first_sample[index] : 0;
}

/* The index of the member file that holds @sample (in range). */
static guint
corpus_find (HlActivations *self,
             int            sample)
{
  guint lo = 0, hi = self->members->len;

  /* The last member whose first sample is at most @sample. */
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (self->first_sample[mid] <= sample)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

gboolean
hl_activations_locate_sample (HlActivations *self,
                              int            sample,
                              int           *file_index,
                              int           *file_sample)
{
  guint index;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), FALSE);

  if (sample < 0 || sample >= self->info.n_samples)
    return FALSE;
  index = self->members != NULL ? corpus_find (self, sample) : 0;
  if (file_index != NULL)
    *file_index = (int) index;
  if (file_sample != NULL)
    *file_sample = sample - (self->members != NULL ? self->first_sample[index] : 0);
  return TRUE;
}

/* For a corpus: the member file holding @sample, with *@sample set to its
 * number there; NULL with an error when @sample is out of range. */
static HlActivations *
corpus_member (HlActivations  *self,
               int            *sample,
               GError        **error)
{
  guint index;

  if (!check_index (_("Sample"), *sample, self->info.n_samples, error))
    return NULL;
  index = corpus_find (self, *sample);
  *sample -= self->first_sample[index];
  return g_ptr_array_index (self->members, index);
}

/* Passes on a member's result; a failure's message says which file and
 * which of its samples it is about. */
static gboolean
corpus_result (gboolean        ok,
               HlActivations  *member,
               int             sample,
               int             file_sample,
               GError        **error)
{
  if (!ok)
    g_prefix_error (error, _("“%s” (its sample %d, sample %d of the corpus): "),
                    member->path, file_sample, sample);
  return ok;
}

/* Copies the members' new warnings, each prefixed with its file. */
static void
corpus_take_warnings (HlActivations *self)
{
  g_mutex_lock (&self->warnings_lock);
  for (guint i = 0; i < self->members->len; i++)
    {
      HlActivations *member = g_ptr_array_index (self->members, i);

      g_mutex_lock (&member->warnings_lock);
      for (; self->warnings_taken[i] < member->warnings->len; self->warnings_taken[i]++)
        g_ptr_array_add (self->warnings,
                         g_strdup_printf ("“%s”: %s", member->path,
                                          (const char *) g_ptr_array_index (member->warnings,
                                                                            self->warnings_taken[i])));
      g_mutex_unlock (&member->warnings_lock);
    }
  g_mutex_unlock (&self->warnings_lock);
}

GPtrArray *
hl_activations_get_warnings (HlActivations *self)
{
  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), NULL);

  if (self->members != NULL)
    corpus_take_warnings (self);
  return self->warnings;
}

/* Block reading and validation. */

/* The scratch buffer, grown to @size bytes. Requires the HDF5 lock. */
static void *
scratch_buffer (HlActivations *self,
                gsize          size)
{
  if (self->scratch_size < size)
    {
      g_free (self->scratch);
      self->scratch = g_malloc (size);
      self->scratch_size = size;
    }
  return self->scratch;
}

/* Converts @n numbers of @element bytes each (IEEE float16 or float64 in
 * host order, or float32) to float32. Returns TRUE when the conversion
 * showed every number finite (float16), so the caller can skip its own
 * check. */
static gboolean
convert_to_float (gconstpointer  stored,
                  gsize          element,
                  gsize          n,
                  float         *out)
{
  if (element == 2)
    return hl_float16_to_float_finite (stored, out, n);
  if (element == 8)
    hl_float64_to_float (stored, out, n);
  else
    memcpy (out, stored, n * sizeof (float));
  return FALSE;
}

/* The block at @start, @bytes long, read as the one chunk that holds it
 * straight into @out (no chunk cache, no copy out of it). FALSE when the
 * chunk is not stored (HDF5 fills a chunk never written) or the read
 * fails: the caller then reads the block through H5Dread (). */
static gboolean
read_chunk_directly (hid_t          dset,
                     const hsize_t *start,
                     gsize          bytes,
                     void          *out)
{
  hsize_t stored = 0;
  uint32_t filters = 0;

  return H5Dget_chunk_storage_size (dset, start, &stored) >= 0 && stored == bytes
         && H5Dread_chunk (dset, H5P_DEFAULT, start, &filters, out) >= 0;
}

/* Reads the [count[3], count[4]] block at @start of the rank-5 @dset into
 * @stored: unconverted when @raw_type is valid, converted to float32 by
 * HDF5 otherwise; as one chunk when @direct (hl_hdf5_chunk_is_block ()).
 * Requires the HDF5 lock. */
static gboolean
read_stored_locked (hid_t          dset,
                    HlChunkReader *reader,
                    gboolean       direct,
                    hid_t          raw_type,
                    const hsize_t *start,
                    const hsize_t *count,
                    void          *stored)
{
  g_auto(HlH5Space) fspace = H5I_INVALID_HID;
  g_auto(HlH5Space) mspace = H5I_INVALID_HID;
  hid_t mem_type = raw_type >= 0 ? raw_type : H5T_NATIVE_FLOAT;

  if (reader != NULL)
    return hl_chunk_reader_read (reader, start, count, mem_type, stored);
  if (direct && read_chunk_directly (dset, start, count[3] * count[4] * H5Tget_size (mem_type),
                                     stored))
    return TRUE;
  fspace = H5Dget_space (dset);
  /* The memory space has the selection's shape: with any other shape HDF5
   * 1.10 maps every element to its chunk one by one (100x slower). */
  mspace = H5Screate_simple (5, count, NULL);
  if (fspace < 0 || mspace < 0
      || H5Sselect_hyperslab (fspace, H5S_SELECT_SET, start, NULL, count, NULL) < 0)
    return FALSE;
  return H5Dread (dset, mem_type, mspace, fspace, H5P_DEFAULT, stored) >= 0;
}

static HlChunkReader *
reader_of (HlActivations *self,
           hid_t          dset)
{
  return dset == self->values ? self->values_reader : self->attention_reader;
}

static gboolean
direct_of (HlActivations *self,
           hid_t          dset)
{
  return dset == self->values ? self->values_direct : self->attention_direct;
}

/* Reads a block as read_stored_locked () does and converts it into @out
 * (through the scratch buffer when it is stored unconverted). @finite is
 * set when the block is known to be all finite (and left alone
 * otherwise). */
static gboolean
read_block (HlActivations *self,
            hid_t          dset,
            hid_t          raw_type,
            const hsize_t *start,
            const hsize_t *count,
            float         *out,
            gboolean      *finite)
{
  gsize n = count[3] * count[4];
  gboolean ok;

  hl_hdf5_lock ();
  if (raw_type >= 0)
    {
      gsize element = H5Tget_size (raw_type);
      void *raw = scratch_buffer (self, n * element);

      ok = read_stored_locked (dset, reader_of (self, dset), direct_of (self, dset), raw_type,
                               start, count, raw);
      if (ok)
        *finite = convert_to_float (raw, element, n, out);
    }
  else
    ok = read_stored_locked (dset, reader_of (self, dset), direct_of (self, dset), raw_type,
                             start, count, out);
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

/* Fails naming the first non-finite number of a values block. The quick
 * vectorised test runs first, as nearly every block is fine. */
static gboolean
check_values_finite (const HlActivationsInfo  *info,
                     int                       layer,
                     int                       sample,
                     int                       kv_head,
                     const float              *block,
                     GError                  **error)
{
  gsize n = (gsize) info->seq_len * info->head_dim;

  if (hl_float_all_finite (block, n))
    return TRUE;
  for (gsize i = 0; i < n; i++)
    if (!isfinite (block[i]))
      {
        g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_NON_FINITE,
                     _("/values of layer %d, sample %d, kv head %d is %g at position %d, "
                       "dimension %d, expected a finite number"),
                     layer, sample, kv_head, block[i],
                     (int) (i / info->head_dim), (int) (i % info->head_dim));
        return FALSE;
      }
  return TRUE;
}

/* Checks the indices of a values block and gives its hyperslab. */
static gboolean
values_block_slab (HlActivations  *self,
                   int             layer,
                   int             sample,
                   int             kv_head,
                   hsize_t        *start,
                   hsize_t        *count,
                   GError        **error)
{
  const HlActivationsInfo *info = &self->info;

  if (!check_index (_("Layer"), layer, info->n_layers, error)
      || !check_index (_("Sample"), sample, info->n_samples, error)
      || !check_index (_("KV head"), kv_head, info->n_kv_heads, error))
    return FALSE;
  memcpy (start, (hsize_t[5]) { layer, sample, kv_head, 0, 0 }, sizeof (hsize_t) * 5);
  memcpy (count, (hsize_t[5]) { 1, 1, 1, info->seq_len, info->head_dim }, sizeof (hsize_t) * 5);
  return TRUE;
}

static void
set_values_io_error (GError **error,
                     int      layer,
                     int      sample,
                     int      kv_head)
{
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
               _("Could not read /values of layer %d, sample %d, kv head %d: "
                 "the file is damaged"), layer, sample, kv_head);
}

gboolean
hl_activations_read_values (HlActivations  *self,
                            int             layer,
                            int             sample,
                            int             kv_head,
                            float          *out,
                            GError        **error)
{
  hsize_t start[5], count[5];
  gboolean finite = FALSE;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (self->members != NULL)
    {
      int file_sample = sample;
      HlActivations *member = corpus_member (self, &file_sample, error);

      return member != NULL
             && corpus_result (hl_activations_read_values (member, layer, file_sample, kv_head,
                                                           out, error),
                               member, sample, file_sample, error);
    }

  if (!values_block_slab (self, layer, sample, kv_head, start, count, error))
    return FALSE;
  if (!read_block (self, self->values, self->values_raw, start, count, out, &finite))
    {
      set_values_io_error (error, layer, sample, kv_head);
      return FALSE;
    }
  /* Float16 blocks were checked while they were widened. */
  return finite || check_values_finite (&self->info, layer, sample, kv_head, out, error);
}

gsize
hl_activations_get_values_stored_size (HlActivations *self)
{
  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), 0);

  return self->values_element * self->info.seq_len * self->info.head_dim;
}

gboolean
hl_activations_read_values_stored (HlActivations  *self,
                                   int             layer,
                                   int             sample,
                                   int             kv_head,
                                   gpointer        stored,
                                   GError        **error)
{
  hsize_t start[5], count[5];
  gboolean ok;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), FALSE);
  g_return_val_if_fail (stored != NULL, FALSE);

  if (self->members != NULL)
    {
      int file_sample = sample;
      HlActivations *member = corpus_member (self, &file_sample, error);

      return member != NULL
             && corpus_result (hl_activations_read_values_stored (member, layer, file_sample,
                                                                  kv_head, stored, error),
                               member, sample, file_sample, error);
    }

  if (!values_block_slab (self, layer, sample, kv_head, start, count, error))
    return FALSE;
  hl_hdf5_lock ();
  ok = read_stored_locked (self->values, self->values_reader, self->values_direct,
                           self->values_raw, start, count, stored);
  hl_hdf5_unlock ();
  if (!ok)
    set_values_io_error (error, layer, sample, kv_head);
  return ok;
}

gboolean
hl_activations_values_from_stored (HlActivations  *self,
                                   int             layer,
                                   int             sample,
                                   int             kv_head,
                                   gconstpointer   stored,
                                   float          *out,
                                   GError        **error)
{
  const HlActivationsInfo *info;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), FALSE);
  g_return_val_if_fail (stored != NULL && out != NULL, FALSE);
  if (self->members != NULL)
    {
      int file_sample = sample;
      HlActivations *member = corpus_member (self, &file_sample, error);

      return member != NULL
             && corpus_result (hl_activations_values_from_stored (member, layer, file_sample,
                                                                  kv_head, stored, out, error),
                               member, sample, file_sample, error);
    }
  info = &self->info;

  return convert_to_float (stored, self->values_element, (gsize) info->seq_len * info->head_dim,
                           out)
         || check_values_finite (info, layer, sample, kv_head, out, error);
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
  if (self->members != NULL)
    {
      int file_sample = sample;
      HlActivations *member = corpus_member (self, &file_sample, error);
      gboolean ok;

      if (member == NULL)
        return FALSE;
      ok = hl_activations_read_attention (member, layer, file_sample, head, out, error);
      corpus_take_warnings (self);
      return corpus_result (ok, member, sample, file_sample, error);
    }
  info = &self->info;

  if (!check_index (_("Layer"), layer, info->n_layers, error)
      || !check_index (_("Sample"), sample, info->n_samples, error)
      || !check_index (_("Head"), head, info->n_heads, error))
    return FALSE;

  hsize_t start[5] = { layer, sample, head, 0, 0 };
  hsize_t count[5] = { 1, 1, 1, info->n_queries, info->seq_len };
  /* Every row is checked below, with the sum and the range of its weights. */
  gboolean finite = FALSE;
  if (!read_block (self, self->attention, self->attention_raw, start, count, out, &finite))
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
  hid_t dset = H5Dopen2 (self->file, name, self->dapl);

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

  /* A file of a corpus may have the tokens when another has none. */
  if (self->members != NULL)
    {
      int file_sample = sample;
      HlActivations *member = corpus_member (self, &file_sample, error);

      return member != NULL
             && corpus_result (hl_activations_read_token_ids (member, file_sample, out, error),
                               member, sample, file_sample, error);
    }

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
    hl_activations_set_damaged (error, "/tokens/ids");
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

  if (self->members != NULL)
    {
      int file_sample = sample;
      HlActivations *member = corpus_member (self, &file_sample, error);
      char **member_texts = NULL;

      if (member != NULL)
        corpus_result ((member_texts = hl_activations_read_token_texts (member, file_sample,
                                                                        error)) != NULL,
                       member, sample, file_sample, error);
      return member_texts;
    }

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
      hl_activations_set_damaged (error, "/tokens/text");
      return NULL;
    }
  return g_steal_pointer (&texts);
}

static int32_t *
read_int_dataset_locked (HlActivations        *self,
                         HlActivationsHeader  *header,
                         const char           *name,
                         gsize                *n_elements,
                         GError              **error)
{
  g_auto(HlH5Dataset) dset = H5Dopen2 (self->file, name, self->dapl);
  g_auto(HlH5Type) ftype = dset >= 0 ? H5Dget_type (dset) : H5I_INVALID_HID;
  g_auto(HlH5Space) space = dset >= 0 ? H5Dget_space (dset) : H5I_INVALID_HID;
  g_autofree int32_t *data = NULL;
  hssize_t n;

  if (ftype < 0 || space < 0 || (n = H5Sget_simple_extent_npoints (space)) < 0)
    {
      hl_activations_set_damaged (error, name);
      return NULL;
    }
  if (H5Tget_class (ftype) != H5T_INTEGER || (guint64) n > HL_HDF5_MAX_BLOCK)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_TYPE,
                   _("Dataset %s holds %" PRId64 " %s elements, expected at most "
                     "%" PRIu64 " integers"),
                   name, (gint64) n, hl_hdf5_class_name (H5Tget_class (ftype)),
                   HL_HDF5_MAX_BLOCK);
      return NULL;
    }
  if (!hl_hdf5_type_is_sane (ftype) || !hl_hdf5_layout_is_sane (dset))
    {
      hl_activations_set_damaged (error, name);
      return NULL;
    }
  if (!hl_activations_check_storage (header, dset, name, error))
    return NULL;
  if ((guint64) n * sizeof (int32_t) > self->budget)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_BUDGET,
                   _("Dataset %s holds %" PRId64 " integers, more than the memory "
                     "budget allows"), name, (gint64) n);
      return NULL;
    }
  data = g_new0 (int32_t, MAX (n, 1));
  if (n > 0 && H5Dread (dset, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    {
      hl_activations_set_damaged (error, name);
      return NULL;
    }
  *n_elements = n;
  return g_steal_pointer (&data);
}

/* A dataset of a corpus is the one its files share: absent when they
 * differ (such datasets, like /synth/regime, are not per sample). */
static int32_t *
corpus_read_int_dataset (HlActivations  *self,
                         const char     *name,
                         gsize          *n_elements,
                         GError        **error)
{
  g_autofree int32_t *first = NULL;
  gsize n_first = 0;

  if (n_elements != NULL)
    *n_elements = 0;
  for (guint i = 0; i < self->members->len; i++)
    {
      HlActivations *member = g_ptr_array_index (self->members, i);
      g_autofree int32_t *data = NULL;
      GError *local_error = NULL;
      gsize n = 0;

      data = hl_activations_read_int_dataset (member, name, &n, &local_error);
      if (local_error != NULL)
        {
          g_propagate_prefixed_error (error, local_error, "“%s”: ", member->path);
          return NULL;
        }
      if (data == NULL || (i > 0 && (n != n_first || memcmp (data, first, n * sizeof (int32_t)) != 0)))
        return NULL;
      if (i == 0)
        {
          first = g_steal_pointer (&data);
          n_first = n;
        }
    }
  if (n_elements != NULL)
    *n_elements = n_first;
  return g_steal_pointer (&first);
}

int32_t *
hl_activations_read_int_dataset (HlActivations  *self,
                                 const char     *name,
                                 gsize          *n_elements,
                                 GError        **error)
{
  HlActivationsHeader header;
  int32_t *data = NULL;
  gboolean found = FALSE;
  gsize n = 0;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (self->members != NULL)
    return corpus_read_int_dataset (self, name, n_elements, error);
  hl_hdf5_lock ();
  header_for (self, &header);
  if (hl_activations_lookup (&header, name, &found, error) && found)
    data = read_int_dataset_locked (self, &header, name, &n, error);
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

