/* hl-activations.h: read-only access to activation files (schema v1).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <stdint.h>

G_BEGIN_DECLS

#define HL_ACTIVATIONS_ERROR (hl_activations_error_quark ())

typedef enum
{
  HL_ACTIVATIONS_ERROR_NOT_HDF5,        /* not an HDF5 file, truncated, unreadable */
  HL_ACTIVATIONS_ERROR_FORMAT,          /* missing/wrong format or format_version */
  HL_ACTIVATIONS_ERROR_VERSION,         /* format_version we do not know */
  HL_ACTIVATIONS_ERROR_MISSING,         /* a required attribute or dataset is absent */
  HL_ACTIVATIONS_ERROR_TYPE,            /* wrong datatype class (e.g. strings for values) */
  HL_ACTIVATIONS_ERROR_RANK,            /* wrong number of dimensions */
  HL_ACTIVATIONS_ERROR_SHAPE,           /* shape disagrees with the attributes */
  HL_ACTIVATIONS_ERROR_SIZE,            /* zero, negative or absurd sizes */
  HL_ACTIVATIONS_ERROR_HEADS,           /* n_heads not a multiple of n_kv_heads, kv_head_of out of range */
  HL_ACTIVATIONS_ERROR_QUERIES,         /* query positions out of range or unsorted */
  HL_ACTIVATIONS_ERROR_NON_FINITE,      /* NaN or infinity in values or attention */
  HL_ACTIVATIONS_ERROR_NEGATIVE,        /* negative attention weight */
  HL_ACTIVATIONS_ERROR_CAUSAL,          /* attention on keys after the query */
  HL_ACTIVATIONS_ERROR_ROW_SUM,         /* attention row sum off from 1 by more than 1e-2 */
  HL_ACTIVATIONS_ERROR_IO,              /* a read or write failed */
  HL_ACTIVATIONS_ERROR_RANGE,           /* caller asked for a layer/head/sample out of range */
  HL_ACTIVATIONS_ERROR_UNSUPPORTED,     /* valid HDF5 that Headlens cannot read: LZF, float128, ... */
  HL_ACTIVATIONS_ERROR_EXTERNAL,        /* external raw storage or links, refused unless allowed */
  HL_ACTIVATIONS_ERROR_STORAGE,         /* the file claims more data than it stores */
  HL_ACTIVATIONS_ERROR_BUDGET,          /* reading it needs more memory than the budget */
  HL_ACTIVATIONS_ERROR_DAMAGED,         /* checking its metadata crashed or hung HDF5 */
  HL_ACTIVATIONS_ERROR_CHANGED,         /* the file changed while it was being read */
} HlActivationsError;

typedef enum
{
  HL_ACTIVATIONS_OPEN_DEFAULT        = 0,
  /* Follow external raw storage and external links (resolved relative to
   * the file's folder, to regular files only). */
  HL_ACTIVATIONS_OPEN_ALLOW_EXTERNAL = 1 << 0,
} HlActivationsOpenFlags;

typedef enum
{
  HL_DTYPE_FLOAT16,
  HL_DTYPE_FLOAT32,
  HL_DTYPE_FLOAT64,
} HlDtype;

/* The file's shape and metadata, validated at open time. Owned by the
 * HlActivations that returns it; immutable, so it may be read from any
 * thread. */
typedef struct
{
  char     *model;            /* never NULL ("" when the file has none) */
  char     *source;           /* NULL when absent */
  /* The model a Headlens extraction ran (NULL when absent): its absolute
   * path, and the SHA-256 of the llama2.c checkpoint file or of the model
   * directory's config.json. A corpus names them when all its files agree. */
  char     *model_path;
  char     *model_sha256;
  int       n_layers;
  int       n_heads;
  int       n_kv_heads;
  int       head_dim;
  int       seq_len;
  int       n_samples;
  int       n_queries;
  int      *query_positions;  /* [n_queries], strictly increasing */
  int      *kv_head_of;       /* [n_heads], the kv head each query head reads */
  HlDtype   values_dtype;
  HlDtype   attention_dtype;
  gboolean  has_token_ids;
  gboolean  has_token_texts;
} HlActivationsInfo;

#define HL_TYPE_ACTIVATIONS (hl_activations_get_type ())
G_DECLARE_FINAL_TYPE (HlActivations, hl_activations, HL, ACTIVATIONS, GObject)

GQuark                   hl_activations_error_quark     (void);
const char              *hl_dtype_to_string             (HlDtype dtype);

/* Opens @path read-only and validates every attribute and the shape of every
 * dataset. Block contents (finiteness, attention rows) are validated when a
 * block is read, so a file larger than memory opens instantly.
 *
 * The file's metadata is first read by a separate process with a time and
 * memory limit (headlens-probe, see docs/robustness.md): HDF5 1.10 crashes
 * or loops on some damaged metadata, and a file that does so there is
 * refused (HL_ACTIVATIONS_ERROR_DAMAGED) without harm to this process.
 * Files that use external raw storage or external links are refused
 * (HL_ACTIVATIONS_ERROR_EXTERNAL) unless @flags allow them; files that
 * claim more data than they store (HL_ACTIVATIONS_ERROR_STORAGE) and
 * blocks larger than the memory budget (HL_ACTIVATIONS_ERROR_BUDGET) are
 * refused. */
HlActivations           *hl_activations_open            (const char     *path,
                                                         GError        **error);
HlActivations           *hl_activations_open_full       (const char              *path,
                                                         HlActivationsOpenFlags   flags,
                                                         GError                 **error);
const char              *hl_activations_get_path        (HlActivations  *self);
HlActivationsOpenFlags   hl_activations_get_open_flags  (HlActivations  *self);
const HlActivationsInfo *hl_activations_get_info        (HlActivations  *self);

/* Corpora: several activation files read as one, every sample of every
 * file a document. The files must have the same shape (layers, heads, kv
 * heads and their mapping, head_dim, seq_len, query positions); their
 * samples, in the order given, are the corpus's samples 0 .. n - 1, so a
 * corpus reads exactly like one file holding the same samples. Reads fail
 * with the file's path and its own sample number in the message.
 *
 * @paths: each an activation file, a folder (its *.h5 and *.hdf5 files in
 * name order) or a list file (UTF-8 text, one path a line, relative to the
 * list's folder; empty lines and lines starting with # are skipped). Each
 * file opens with hl_activations_open_full () and @flags; one activation
 * file in all opens as that file. The path
 * of the corpus (hl_activations_get_path ()) is its only argument when
 * there is one, else the first file's. */
HlActivations           *hl_activations_open_corpus     (const char * const     *paths,
                                                         int                     n_paths,
                                                         HlActivationsOpenFlags  flags,
                                                         GError                **error);
/* The activation files @path stands for (a folder, a list file or a single
 * file, as above), in order; NULL with an error when a folder has none, a
 * listed file does not exist or the list cannot be read. */
char                   **hl_activations_expand_corpus_path (const char  *path,
                                                            GError     **error);
/* 1 for a single file. hl_activations_get_file () returns the file of that
 * index (@self itself for a single file), whose samples start at
 * hl_activations_get_file_first_sample () in @self. */
int                      hl_activations_get_n_files     (HlActivations  *self);
HlActivations           *hl_activations_get_file        (HlActivations  *self,
                                                         int             index);
int                      hl_activations_get_file_first_sample (HlActivations *self,
                                                               int            index);
/* Which file holds @sample and its number there; FALSE out of range. */
gboolean                 hl_activations_locate_sample   (HlActivations  *self,
                                                         int             sample,
                                                         int            *file_index,
                                                         int            *file_sample);

/* Non-fatal findings (for example an attention row whose sum is off from 1
 * by more than 1e-3 but less than 1e-2), in the order found, at most one per
 * head block. (transfer none): the array belongs to @self and grows as
 * blocks are read; read it on the thread that reads blocks, or after. */
GPtrArray               *hl_activations_get_warnings    (HlActivations  *self);

/* Reads one kv head's values, converted to float32, into @out
 * ([seq_len, head_dim], row-major). Fails on non-finite values. */
gboolean                 hl_activations_read_values     (HlActivations  *self,
                                                         int             layer,
                                                         int             sample,
                                                         int             kv_head,
                                                         float          *out,
                                                         GError        **error);

/* hl_activations_read_values () in two steps, so that a reading thread
 * does only the reading (HDF5 is serial) and the thread that uses a block
 * converts it, into memory its own cache holds: the first reads the block
 * as stored (float16 or float64 unconverted, anything else as float32)
 * into @stored, hl_activations_get_values_stored_size () bytes; the second,
 * which makes no HDF5 call and may run on any thread, converts it into
 * @out and fails on non-finite values, with the errors of
 * hl_activations_read_values (). */
gsize                    hl_activations_get_values_stored_size (HlActivations *self);
gboolean                 hl_activations_read_values_stored (HlActivations  *self,
                                                            int             layer,
                                                            int             sample,
                                                            int             kv_head,
                                                            gpointer        stored,
                                                            GError        **error);
gboolean                 hl_activations_values_from_stored (HlActivations  *self,
                                                            int             layer,
                                                            int             sample,
                                                            int             kv_head,
                                                            gconstpointer   stored,
                                                            float          *out,
                                                            GError        **error);

/* Reads one query head's attention rows into @out ([n_queries, seq_len]).
 * Fails on non-finite or negative weights, weight on keys after the query,
 * or a row sum off from 1 by more than 1e-2. */
gboolean                 hl_activations_read_attention  (HlActivations  *self,
                                                         int             layer,
                                                         int             sample,
                                                         int             head,
                                                         float          *out,
                                                         GError        **error);

/* [seq_len] token ids of @sample; FALSE with an error when absent. */
gboolean                 hl_activations_read_token_ids  (HlActivations  *self,
                                                         int             sample,
                                                         int32_t        *out,
                                                         GError        **error);

/* NULL-terminated [seq_len] token texts of @sample, or NULL with an error. */
char                   **hl_activations_read_token_texts (HlActivations *self,
                                                          int            sample,
                                                          GError       **error);

/* Reads an optional int32 dataset of any rank (e.g. "/synth/regime") into a
 * new array; returns NULL without error when it is absent. */
int32_t                 *hl_activations_read_int_dataset (HlActivations *self,
                                                          const char    *name,
                                                          gsize         *n_elements,
                                                          GError       **error);

/* Fails with HL_ACTIVATIONS_ERROR_CHANGED when the file on disk is no
 * longer the one opened (another inode, size or modification time): a
 * result computed from it may mix two versions. */
gboolean                 hl_activations_check_unchanged (HlActivations  *self,
                                                         GError        **error);

/* The memory an analysis of this file may use, in bytes: 8 times the
 * file's size, at least 768 MiB and at most half the physical memory (but
 * never below 768 MiB), or the HEADLENS_MEMORY_LIMIT environment variable
 * (a size like 4G or 512M) when set. */
guint64                  hl_activations_get_memory_budget (HlActivations *self);

/* Reads every block once and validates it; used by `headlens-cli info` and
 * tests. */
gboolean                 hl_activations_validate_all    (HlActivations  *self,
                                                         GError        **error);

/* HDF5 (serial build) may be entered by one thread at a time in the whole
 * process; the reader and writer take this lock around every HDF5 call. */
void                     hl_hdf5_lock                   (void);
void                     hl_hdf5_unlock                 (void);

G_END_DECLS
