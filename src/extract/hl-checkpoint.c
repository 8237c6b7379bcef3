/* hl-checkpoint.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-checkpoint.h"

#include "hl-float16.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

/* Bounds well above any llama2.c-exportable model (Llama-2-70B has dim
 * 8192, hidden 28672, 80 layers); anything larger is a corrupt header. */
#define MAX_DIM        (1 << 16)
#define MAX_HIDDEN_DIM (1 << 18)
#define MAX_LAYERS     1024
#define MAX_VOCAB      (1 << 22)
#define MAX_SEQ_LEN    (1 << 20)

#define LEGACY_HEADER_SIZE (7 * 4)

struct _HlCheckpoint
{
  GObject             parent_instance;

  char               *path;
  GMappedFile        *mapping;   /* owned; the weights point into it */
  HlCheckpointConfig  config;
  HlCheckpointWeights weights;
};

G_DEFINE_FINAL_TYPE (HlCheckpoint, hl_checkpoint, G_TYPE_OBJECT)

G_DEFINE_QUARK (hl-checkpoint-error-quark, hl_checkpoint_error)

static void
hl_checkpoint_finalize (GObject *object)
{
  HlCheckpoint *self = HL_CHECKPOINT (object);

  g_clear_pointer (&self->mapping, g_mapped_file_unref);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (hl_checkpoint_parent_class)->finalize (object);
}

static void
hl_checkpoint_class_init (HlCheckpointClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hl_checkpoint_finalize;
}

static void
hl_checkpoint_init (HlCheckpoint *self)
{
}

static gint32
read_int32 (const guint8 *data)
{
  gint32 value;

  memcpy (&value, data, sizeof value);
  return GINT32_FROM_LE (value);
}

/* Reads the seven int32 dimensions shared by both versions. A negative
 * vocabulary size is the legacy way to say the classifier is stored
 * separately. */
static void
read_dims (const guint8       *data,
           HlCheckpointConfig *config)
{
  gint32 vocab;

  config->dim = read_int32 (data);
  config->hidden_dim = read_int32 (data + 4);
  config->n_layers = read_int32 (data + 8);
  config->n_heads = read_int32 (data + 12);
  config->n_kv_heads = read_int32 (data + 16);
  vocab = read_int32 (data + 20);
  config->seq_len = read_int32 (data + 24);
  config->shared_classifier = vocab > 0;
  config->vocab_size = vocab == G_MININT32 ? 0 : ABS (vocab);
}

static gboolean
check_range_from (const char  *name,
                  gint64       value,
                  gint64       min,
                  gint64       max,
                  GError     **error)
{
  if (value >= min && value <= max)
    return TRUE;
  g_set_error (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_HEADER,
               _("checkpoint header has %s = %" PRId64 ", expected %" PRId64 " to %" PRId64),
               name, value, min, max);
  return FALSE;
}

static gboolean
check_range (const char  *name,
             gint64       value,
             gint64       max,
             GError     **error)
{
  return check_range_from (name, value, 1, max, error);
}

static gboolean
check_ranges (const HlCheckpointConfig  *config,
              GError                   **error)
{
  return check_range ("dim", config->dim, MAX_DIM, error) &&
         check_range ("hidden_dim", config->hidden_dim, MAX_HIDDEN_DIM, error) &&
         check_range ("n_layers", config->n_layers, MAX_LAYERS, error) &&
         check_range ("n_heads", config->n_heads, config->dim, error) &&
         check_range ("n_kv_heads", config->n_kv_heads, config->n_heads, error) &&
         check_range ("vocab_size", config->vocab_size, MAX_VOCAB, error) &&
         /* A window holds BOS and at least one token of text. */
         check_range_from ("seq_len", config->seq_len, 2, MAX_SEQ_LEN, error);
}

static gboolean
validate_config (HlCheckpointConfig  *config,
                 GError             **error)
{
  if (!check_ranges (config, error))
    return FALSE;
  if (config->n_heads % config->n_kv_heads != 0)
    {
      g_set_error (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_HEADER,
                   _("checkpoint has %d heads and %d kv heads, expected n_heads to be a multiple of n_kv_heads"),
                   config->n_heads, config->n_kv_heads);
      return FALSE;
    }
  if (config->dim % config->n_heads != 0 || (config->dim / config->n_heads) % 2 != 0)
    {
      g_set_error (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_HEADER,
                   _("checkpoint has dim %d and %d heads, expected dim to be divisible by n_heads with an even head size (RoPE rotates pairs)"),
                   config->dim, config->n_heads);
      return FALSE;
    }
  config->head_dim = config->dim / config->n_heads;
  config->kv_dim = config->n_kv_heads * config->head_dim;
  return TRUE;
}

guint64
hl_checkpoint_config_count_weights (const HlCheckpointConfig *config)
{
  guint64 dim, hidden, vocab, kv_dim, per_layer;

  g_return_val_if_fail (config != NULL, 0);

  dim = config->dim;
  hidden = config->hidden_dim;
  vocab = config->vocab_size;
  kv_dim = config->kv_dim;
  per_layer = 2 * dim + 2 * dim * dim + 2 * kv_dim * dim + 3 * dim * hidden;
  return vocab * dim * (config->shared_classifier ? 1 : 2) + dim + config->n_layers * per_layer;
}

/* Legacy checkpoints also carry two unused RoPE tables of
 * seq_len * head_dim / 2 floats each. */
static guint64
expected_size (const HlCheckpointConfig *config)
{
  guint64 floats = hl_checkpoint_config_count_weights (config);

  if (config->version == 0)
    return LEGACY_HEADER_SIZE + 4 * (floats + (guint64) config->seq_len * config->head_dim);
  return HL_CHECKPOINT_V1_HEADER_SIZE + 4 * floats;
}

static gboolean
parse_v1_header (const guint8        *data,
                 gsize                length,
                 HlCheckpointConfig  *config,
                 GError             **error)
{
  gint32 version;

  if (length < HL_CHECKPOINT_V1_HEADER_SIZE)
    {
      g_set_error (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_TRUNCATED,
                   _("checkpoint has %zu bytes, shorter than the %d-byte version 1 header"),
                   length, HL_CHECKPOINT_V1_HEADER_SIZE);
      return FALSE;
    }
  version = read_int32 (data + 4);
  if (version != 1)
    {
      g_set_error (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_VERSION,
                   _("checkpoint has magic “ak42” and version %d, expected version 1 (float32 weights; version 2 is llama2.c's int8 format, which Headlens does not read)"),
                   version);
      return FALSE;
    }
  config->version = 1;
  read_dims (data + 8, config);
  /* Version 1 stores the vocabulary size unsigned and the sharing as a
   * separate flag byte. */
  config->shared_classifier = data[8 + LEGACY_HEADER_SIZE] != 0;
  return TRUE;
}

static gboolean
parse_header (const guint8        *data,
              gsize                length,
              HlCheckpointConfig  *config,
              GError             **error)
{
  if (length < LEGACY_HEADER_SIZE)
    {
      g_set_error (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_TRUNCATED,
                   _("checkpoint has %zu bytes, shorter than the %d-byte llama2.c header"),
                   length, LEGACY_HEADER_SIZE);
      return FALSE;
    }
  if ((guint32) read_int32 (data) == HL_CHECKPOINT_MAGIC)
    {
      if (!parse_v1_header (data, length, config, error))
        return FALSE;
    }
  else
    {
      config->version = 0;
      read_dims (data, config);
    }
  return validate_config (config, error);
}

static const float *
take (const float **cursor,
      guint64       n_floats)
{
  const float *start = *cursor;

  *cursor += n_floats;
  return start;
}

static void
map_legacy_weights (HlCheckpoint *self,
                    const float  *cursor)
{
  const HlCheckpointConfig *c = &self->config;
  HlCheckpointWeights *w = &self->weights;
  guint64 layers = c->n_layers;

  w->token_embedding = take (&cursor, (guint64) c->vocab_size * c->dim);
  w->rms_att = take (&cursor, layers * c->dim);
  w->wq = take (&cursor, layers * c->dim * c->dim);
  w->wk = take (&cursor, layers * c->kv_dim * c->dim);
  w->wv = take (&cursor, layers * c->kv_dim * c->dim);
  w->wo = take (&cursor, layers * c->dim * c->dim);
  w->rms_ffn = take (&cursor, layers * c->dim);
  w->w1 = take (&cursor, layers * c->hidden_dim * c->dim);
  w->w2 = take (&cursor, layers * c->dim * c->hidden_dim);
  w->w3 = take (&cursor, layers * c->hidden_dim * c->dim);
  w->rms_final = take (&cursor, c->dim);
  take (&cursor, (guint64) c->seq_len * c->head_dim);
  w->classifier = c->shared_classifier ? w->token_embedding : cursor;
}

/* export.py's version1_export writes the norms first, then the embedding,
 * then each projection stacked over layers, then the classifier. */
static void
map_v1_weights (HlCheckpoint *self,
                const float  *cursor)
{
  const HlCheckpointConfig *c = &self->config;
  HlCheckpointWeights *w = &self->weights;
  guint64 layers = c->n_layers;

  w->rms_att = take (&cursor, layers * c->dim);
  w->rms_ffn = take (&cursor, layers * c->dim);
  w->rms_final = take (&cursor, c->dim);
  w->token_embedding = take (&cursor, (guint64) c->vocab_size * c->dim);
  w->wq = take (&cursor, layers * c->dim * c->dim);
  w->wk = take (&cursor, layers * c->kv_dim * c->dim);
  w->wv = take (&cursor, layers * c->kv_dim * c->dim);
  w->wo = take (&cursor, layers * c->dim * c->dim);
  w->w1 = take (&cursor, layers * c->hidden_dim * c->dim);
  w->w2 = take (&cursor, layers * c->dim * c->hidden_dim);
  w->w3 = take (&cursor, layers * c->hidden_dim * c->dim);
  w->classifier = c->shared_classifier ? w->token_embedding : cursor;
}

static gboolean
check_size (const HlCheckpointConfig  *config,
            gsize                      length,
            GError                   **error)
{
  guint64 expected = expected_size (config);

  if (expected == length)
    return TRUE;
  g_set_error (error, HL_CHECKPOINT_ERROR,
               length < expected ? HL_CHECKPOINT_ERROR_TRUNCATED : HL_CHECKPOINT_ERROR_SIZE,
               _("checkpoint has %zu bytes, the header implies %" PRIu64
                 " (version %d, dim %d, hidden_dim %d, %d layers, %d heads, %d kv heads, vocab %d, seq_len %d, %s classifier)"),
               length, expected, config->version, config->dim, config->hidden_dim,
               config->n_layers, config->n_heads, config->n_kv_heads, config->vocab_size,
               config->seq_len, config->shared_classifier ? "shared" : "separate");
  return FALSE;
}

/* Fails naming the tensor, its layer and the element when @n weights of
 * @name, stacked over layers of @per_layer weights (0: not stacked), are
 * not all finite. */
static gboolean
check_tensor_finite (const char   *name,
                     const float  *weights,
                     guint64       n,
                     guint64       per_layer,
                     GError      **error)
{
  if (hl_float_all_finite (weights, n))
    return TRUE;
  for (guint64 i = 0; i < n; i++)
    if (!isfinite (weights[i]))
      {
        g_autofree char *where = per_layer > 0
          ? g_strdup_printf (_("%s of layer %" PRIu64), name, i / per_layer)
          : g_strdup (name);

        g_set_error (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_WEIGHTS,
                     _("checkpoint weight %s is %g at element %" PRIu64 ", expected a finite "
                       "number"), where, weights[i], per_layer > 0 ? i % per_layer : i);
        return FALSE;
      }
  return TRUE;
}

/* NaN or infinite weights make every activation NaN: refused when the
 * checkpoint is opened, by extract and generate alike. */
static gboolean
check_weights_finite (const HlCheckpoint  *self,
                      GError             **error)
{
  const HlCheckpointConfig *c = &self->config;
  const HlCheckpointWeights *w = &self->weights;
  guint64 dim = c->dim, kv = c->kv_dim, hidden = c->hidden_dim, layers = c->n_layers;
  struct { const char *name; const float *data; guint64 per_layer; guint64 n_layers; } tensors[] = {
    { "token_embedding", w->token_embedding, 0, (guint64) c->vocab_size * dim },
    { "rms_att", w->rms_att, dim, layers }, { "wq", w->wq, dim * dim, layers },
    { "wk", w->wk, kv * dim, layers }, { "wv", w->wv, kv * dim, layers },
    { "wo", w->wo, dim * dim, layers }, { "rms_ffn", w->rms_ffn, dim, layers },
    { "w1", w->w1, hidden * dim, layers }, { "w2", w->w2, dim * hidden, layers },
    { "w3", w->w3, hidden * dim, layers }, { "rms_final", w->rms_final, 0, dim },
    { "classifier", w->classifier, 0, (guint64) c->vocab_size * dim },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tensors); i++)
    {
      guint64 n = tensors[i].per_layer > 0 ? tensors[i].per_layer * tensors[i].n_layers
                                           : tensors[i].n_layers;

      if (!check_tensor_finite (tensors[i].name, tensors[i].data, n, tensors[i].per_layer, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
map_checkpoint (HlCheckpoint  *self,
                GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  const guint8 *data;
  gsize length;
  GStatBuf st;

  /* Opening a FIFO or a device would block or read forever. */
  if (g_stat (self->path, &st) == 0 && !S_ISREG (st.st_mode))
    {
      g_set_error (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_IO,
                   _("cannot read checkpoint: it is not a regular file"));
      return FALSE;
    }
  self->mapping = g_mapped_file_new (self->path, FALSE, &local_error);
  if (self->mapping == NULL)
    {
      g_set_error (error, HL_CHECKPOINT_ERROR, HL_CHECKPOINT_ERROR_IO,
                   _("cannot read checkpoint: %s"), local_error->message);
      return FALSE;
    }
  data = (const guint8 *) g_mapped_file_get_contents (self->mapping);
  length = g_mapped_file_get_length (self->mapping);
  if (!parse_header (data, length, &self->config, error) ||
      !check_size (&self->config, length, error))
    return FALSE;
  if (self->config.version == 0)
    map_legacy_weights (self, (const float *) (data + LEGACY_HEADER_SIZE));
  else
    map_v1_weights (self, (const float *) (data + HL_CHECKPOINT_V1_HEADER_SIZE));
  return check_weights_finite (self, error);
}

HlCheckpoint *
hl_checkpoint_open (const char  *path,
                    GError     **error)
{
  g_autoptr(HlCheckpoint) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HL_TYPE_CHECKPOINT, NULL);
  self->path = g_strdup (path);
  if (!map_checkpoint (self, error))
    {
      /* Every message names the checkpoint it is about. */
      g_prefix_error (error, "“%s”: ", path);
      return NULL;
    }
  return g_steal_pointer (&self);
}

const char *
hl_checkpoint_get_path (HlCheckpoint *self)
{
  g_return_val_if_fail (HL_IS_CHECKPOINT (self), NULL);
  return self->path;
}

const HlCheckpointConfig *
hl_checkpoint_get_config (HlCheckpoint *self)
{
  g_return_val_if_fail (HL_IS_CHECKPOINT (self), NULL);
  return &self->config;
}

const HlCheckpointWeights *
hl_checkpoint_get_weights (HlCheckpoint *self)
{
  g_return_val_if_fail (HL_IS_CHECKPOINT (self), NULL);
  return &self->weights;
}
