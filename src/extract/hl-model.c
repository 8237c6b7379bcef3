/* hl-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-model.h"
#include "hl-float16.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

/* Bounds well above any published model; larger values are a corrupt or
 * mistyped config. */
#define MAX_HIDDEN       (1 << 16)
#define MAX_INTERMEDIATE (1 << 18)
#define MAX_LAYERS       1024
#define MAX_HEADS        1024
#define MAX_HEAD_DIM     1024
#define MAX_VOCAB        (1 << 22)
#define MAX_POSITIONS    (1 << 24)

struct _HlModel
{
  GObject         parent_instance;

  HlModelConfig   config;
  HlModelWeights  weights;      /* layers owned */
  GObject        *owner;        /* owned; keeps the weights' memory */
  char           *name;
  char           *description;
};

G_DEFINE_FINAL_TYPE (HlModel, hl_model, G_TYPE_OBJECT)

G_DEFINE_QUARK (hl-model-error-quark, hl_model_error)

static void
hl_model_finalize (GObject *object)
{
  HlModel *self = HL_MODEL (object);

  g_clear_pointer (&self->weights.layers, g_free);
  g_clear_object (&self->owner);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (hl_model_parent_class)->finalize (object);
}

static void
hl_model_class_init (HlModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hl_model_finalize;
}

static void
hl_model_init (HlModel *self)
{
}

HlModel *
hl_model_new (const HlModelConfig  *config,
              const HlModelWeights *weights,
              GObject              *owner,
              const char           *name,
              const char           *description)
{
  HlModel *self;

  g_return_val_if_fail (config != NULL && weights != NULL, NULL);
  g_return_val_if_fail (config->q_dim == config->n_heads * config->head_dim, NULL);
  g_return_val_if_fail (G_IS_OBJECT (owner), NULL);

  self = g_object_new (HL_TYPE_MODEL, NULL);
  self->config = *config;
  self->weights = *weights;
  self->weights.layers = g_memdup2 (weights->layers, sizeof (HlLayerWeights) * config->n_layers);
  self->owner = g_object_ref (owner);
  self->name = g_strdup (name);
  self->description = g_strdup (description);
  return self;
}

static HlTensor
f32_matrix (const float *data,
            gint64       rows,
            gint64       cols)
{
  return (HlTensor) { data, HL_TENSOR_F32, rows, cols, cols, FALSE };
}

static void
map_checkpoint_layer (const HlCheckpointConfig  *c,
                      const HlCheckpointWeights *w,
                      gsize                      l,
                      HlLayerWeights            *layer)
{
  gsize d = c->dim, kv = c->kv_dim, h = c->hidden_dim;

  layer->attn_norm = f32_matrix (w->rms_att + l * d, 1, d);
  layer->wq = f32_matrix (w->wq + l * d * d, d, d);
  layer->wk = f32_matrix (w->wk + l * kv * d, kv, d);
  layer->wv = f32_matrix (w->wv + l * kv * d, kv, d);
  layer->wo = f32_matrix (w->wo + l * d * d, d, d);
  layer->ffn_norm = f32_matrix (w->rms_ffn + l * d, 1, d);
  layer->w_gate = f32_matrix (w->w1 + l * h * d, h, d);
  layer->w_down = f32_matrix (w->w2 + l * d * h, d, h);
  layer->w_up = f32_matrix (w->w3 + l * h * d, h, d);
}

static void
checkpoint_config (const HlCheckpointConfig *c,
                   HlModelConfig            *config)
{
  memset (config, 0, sizeof *config);
  g_strlcpy (config->model_type, "llama2.c", sizeof config->model_type);
  config->hidden_size = c->dim;
  config->intermediate_size = c->hidden_dim;
  config->n_layers = c->n_layers;
  config->n_heads = c->n_heads;
  config->n_kv_heads = c->n_kv_heads;
  config->head_dim = c->head_dim;
  config->vocab_size = c->vocab_size;
  config->max_positions = c->seq_len;
  config->norm = HL_NORM_RMS;
  config->norm_eps = 1e-5f;
  config->activation = HL_ACTIVATION_SILU;
  config->gated_mlp = TRUE;
  config->positions = HL_POSITIONS_ROPE_INTERLEAVED;
  config->rope_theta = 10000.0;
  config->tied_embeddings = c->shared_classifier;
  config->embedding_scale = 1.0f;
  config->attention_scale = 1.0f / sqrtf ((float) c->head_dim);
  config->q_dim = c->dim;
  config->kv_dim = c->kv_dim;
}

HlModel *
hl_model_new_from_checkpoint (HlCheckpoint *checkpoint)
{
  const HlCheckpointConfig *c;
  const HlCheckpointWeights *w;
  g_autofree HlLayerWeights *layers = NULL;
  g_autofree char *base = NULL;
  g_autofree char *description = NULL;
  HlModelConfig config;
  HlModelWeights weights = { 0 };

  g_return_val_if_fail (HL_IS_CHECKPOINT (checkpoint), NULL);

  c = hl_checkpoint_get_config (checkpoint);
  w = hl_checkpoint_get_weights (checkpoint);
  checkpoint_config (c, &config);
  layers = g_new0 (HlLayerWeights, c->n_layers);
  for (int l = 0; l < c->n_layers; l++)
    map_checkpoint_layer (c, w, l, &layers[l]);
  weights.embedding = f32_matrix (w->token_embedding, c->vocab_size, c->dim);
  weights.final_norm = f32_matrix (w->rms_final, 1, c->dim);
  weights.classifier = f32_matrix (w->classifier, c->vocab_size, c->dim);
  weights.layers = layers;
  base = g_path_get_basename (hl_checkpoint_get_path (checkpoint));
  description = g_strdup_printf ("llama2.c checkpoint %s (version %d, dim %d, hidden_dim %d, %d layers, "
                                 "%d heads, %d kv heads, vocab %d, seq_len %d, %s classifier)",
                                 base, c->version, c->dim, c->hidden_dim, c->n_layers, c->n_heads,
                                 c->n_kv_heads, c->vocab_size, c->seq_len,
                                 c->shared_classifier ? "shared" : "separate");
  if (g_str_has_suffix (base, ".bin"))
    base[strlen (base) - 4] = '\0';
  return hl_model_new (&config, &weights, G_OBJECT (checkpoint), base, description);
}

const HlModelConfig *
hl_model_get_config (HlModel *self)
{
  g_return_val_if_fail (HL_IS_MODEL (self), NULL);
  return &self->config;
}

const HlModelWeights *
hl_model_get_weights (HlModel *self)
{
  g_return_val_if_fail (HL_IS_MODEL (self), NULL);
  return &self->weights;
}

const char *
hl_model_get_name (HlModel *self)
{
  g_return_val_if_fail (HL_IS_MODEL (self), NULL);
  return self->name;
}

const char *
hl_model_get_description (HlModel *self)
{
  g_return_val_if_fail (HL_IS_MODEL (self), NULL);
  return self->description;
}

/* Validation */

static gboolean
check_range (const char  *source,
             const char  *name,
             gint64       value,
             gint64       min,
             gint64       max,
             GError     **error)
{
  if (value >= min && value <= max)
    return TRUE;
  g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG,
               _("%s has %s = %" PRId64 ", expected %" PRId64 " to %" PRId64),
               source, name, value, min, max);
  return FALSE;
}

static gboolean
check_float (const char  *source,
             const char  *name,
             double       value,
             double       min,
             double       max,
             GError     **error)
{
  if (isfinite (value) && value >= min && value <= max)
    return TRUE;
  g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG,
               _("%s has %s = %g, expected a number from %g to %g"), source, name, value, min, max);
  return FALSE;
}

static gboolean
check_sizes (const HlModelConfig  *c,
             const char           *source,
             GError              **error)
{
  return check_range (source, "hidden_size", c->hidden_size, 1, MAX_HIDDEN, error) &&
         check_range (source, "intermediate_size", c->intermediate_size, 1, MAX_INTERMEDIATE, error) &&
         check_range (source, "num_hidden_layers", c->n_layers, 1, MAX_LAYERS, error) &&
         check_range (source, "num_attention_heads", c->n_heads, 1, MAX_HEADS, error) &&
         check_range (source, "num_key_value_heads", c->n_kv_heads, 1, c->n_heads, error) &&
         check_range (source, "head_dim", c->head_dim, 1, MAX_HEAD_DIM, error) &&
         check_range (source, "vocab_size", c->vocab_size, 1, MAX_VOCAB, error) &&
         check_range (source, "max_position_embeddings", c->max_positions, 1, MAX_POSITIONS, error) &&
         check_range (source, "sliding_window", c->sliding_window, 0, MAX_POSITIONS, error);
}

static gboolean
check_floats (const HlModelConfig  *c,
              const char           *source,
              GError              **error)
{
  return check_float (source, "rms_norm_eps", c->norm_eps, 0.0, 1.0, error) &&
         check_float (source, "rope_theta", c->rope_theta,
                      c->positions == HL_POSITIONS_LEARNED ? 0.0 : 1.0, 1e12, error) &&
         check_float (source, "attention scale", c->attention_scale, 1e-6, 1e6, error) &&
         check_float (source, "embedding scale", c->embedding_scale, 1e-6, 1e6, error) &&
         check_float (source, "attn_logit_softcapping", c->attention_softcap, 0.0, 1e6, error) &&
         check_float (source, "final_logit_softcapping", c->final_softcap, 0.0, 1e6, error);
}

static gboolean
check_rope_scaling (const HlModelConfig  *c,
                    const char           *source,
                    GError              **error)
{
  if (c->rope_scaling == HL_ROPE_SCALING_NONE)
    return TRUE;
  if (!check_float (source, "rope_scaling factor", c->rope_factor, 1e-3, 1e6, error))
    return FALSE;
  if (c->rope_scaling != HL_ROPE_SCALING_LLAMA3)
    return TRUE;
  if (!check_float (source, "rope_scaling low_freq_factor", c->rope_low_freq_factor, 1e-6, 1e6, error) ||
      !check_float (source, "rope_scaling high_freq_factor", c->rope_high_freq_factor, 1e-6, 1e6, error) ||
      !check_range (source, "rope_scaling original_max_position_embeddings",
                    c->rope_original_max_positions, 1, MAX_POSITIONS, error))
    return FALSE;
  if (c->rope_high_freq_factor <= c->rope_low_freq_factor)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG,
                   _("%s has rope_scaling high_freq_factor %g and low_freq_factor %g, expected high > low"),
                   source, c->rope_high_freq_factor, c->rope_low_freq_factor);
      return FALSE;
    }
  return TRUE;
}

gboolean
hl_model_config_validate (HlModelConfig  *config,
                          const char     *source,
                          GError        **error)
{
  g_return_val_if_fail (config != NULL && source != NULL, FALSE);

  if (!check_sizes (config, source, error) || !check_floats (config, source, error) ||
      !check_rope_scaling (config, source, error))
    return FALSE;
  if (config->n_heads % config->n_kv_heads != 0)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG,
                   _("%s has %d attention heads and %d key/value heads, expected the heads to be a multiple of the key/value heads"),
                   source, config->n_heads, config->n_kv_heads);
      return FALSE;
    }
  if (config->positions != HL_POSITIONS_LEARNED && config->head_dim % 2 != 0)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG,
                   _("%s has head_dim %d, expected an even number (RoPE rotates pairs)"),
                   source, config->head_dim);
      return FALSE;
    }
  config->q_dim = config->n_heads * config->head_dim;
  config->kv_dim = config->n_kv_heads * config->head_dim;
  return TRUE;
}

/* Tensors */

gsize
hl_tensor_dtype_size (HlTensorDtype dtype)
{
  return dtype == HL_TENSOR_F32 ? 4 : 2;
}

static void
bf16_to_float (const uint16_t *in,
               float          *out,
               gsize           n)
{
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits = (guint32) in[i] << 16;
      memcpy (&out[i], &bits, sizeof bits);
    }
}

void
hl_tensor_read_row (const HlTensor *tensor,
                    gint64          row,
                    gint64          col0,
                    gint64          n,
                    float          *out)
{
  gsize size = hl_tensor_dtype_size (tensor->dtype);
  const guint8 *start = (const guint8 *) tensor->data + (row * tensor->stride + col0) * size;

  g_return_if_fail (row >= 0 && row < tensor->rows && col0 >= 0 && col0 + n <= tensor->cols);

  /* The mapping may leave float data unaligned, so the first two cases
   * copy bytes rather than casting. */
  switch (tensor->dtype)
    {
    case HL_TENSOR_F32:
      memcpy (out, start, n * sizeof (float));
      break;
    case HL_TENSOR_F16:
      if ((guintptr) start % 2 == 0)
        hl_float16_to_float ((const uint16_t *) start, out, n);
      else
        for (gint64 i = 0; i < n; i++)
          {
            uint16_t half;
            memcpy (&half, start + 2 * i, 2);
            hl_float16_to_float (&half, out + i, 1);
          }
      break;
    case HL_TENSOR_BF16:
      if ((guintptr) start % 2 == 0)
        bf16_to_float ((const uint16_t *) start, out, n);
      else
        for (gint64 i = 0; i < n; i++)
          {
            uint16_t half;
            memcpy (&half, start + 2 * i, 2);
            bf16_to_float (&half, out + i, 1);
          }
      break;
    }
}
