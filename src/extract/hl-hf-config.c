/* hl-hf-config.c: config.json into HlModelConfig, with the defaults of
 * each family's transformers configuration class.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-hf-model.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

typedef struct
{
  JsonObject *object;
  const char *source;
} Reader;

static gboolean
is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* An integer field; a JSON number with a fraction or a string is an
 * error, a missing or null one takes @fallback (or is an error when
 * @fallback is G_MININT64). */
static gboolean
read_int (const Reader  *r,
          const char    *name,
          gint64         fallback,
          gint64        *out,
          GError       **error)
{
  JsonNode *node = json_object_get_member (r->object, name);
  double value;

  if (is_null (node) && fallback != G_MININT64)
    {
      *out = fallback;
      return TRUE;
    }
  if (!is_null (node) && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  value = !is_null (node) && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE ?
          json_node_get_double (node) : NAN;
  if (isfinite (value) && value == floor (value) && fabs (value) < 1e15)
    {
      *out = (gint64) value;
      return TRUE;
    }
  g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG, _("%s: “%s” is missing or not an integer"), r->source, name);
  return FALSE;
}

static gboolean
read_int32 (const Reader  *r,
            const char    *name,
            gint64         fallback,
            int           *out,
            GError       **error)
{
  gint64 value;

  if (!read_int (r, name, fallback, &value, error))
    return FALSE;
  if (value < G_MININT32 || value > G_MAXINT32)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG, _("%s: “%s” is %" PRId64 ", outside the 32-bit range"), r->source, name, value);
      return FALSE;
    }
  *out = (int) value;
  return TRUE;
}

static gboolean
read_double (const Reader  *r,
             const char    *name,
             double         fallback,
             double        *out,
             GError       **error)
{
  JsonNode *node = json_object_get_member (r->object, name);

  if (is_null (node) && !isnan (fallback))
    {
      *out = fallback;
      return TRUE;
    }
  if (!is_null (node) && JSON_NODE_HOLDS_VALUE (node) &&
      (json_node_get_value_type (node) == G_TYPE_DOUBLE || json_node_get_value_type (node) == G_TYPE_INT64))
    {
      *out = json_node_get_double (node);
      return TRUE;
    }
  g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG, _("%s: “%s” is missing or not a number"), r->source, name);
  return FALSE;
}

static gboolean
read_bool (const Reader *r,
           const char   *name,
           gboolean      fallback)
{
  JsonNode *node = json_object_get_member (r->object, name);

  if (is_null (node) || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

static const char *
read_string (const Reader *r,
             const char   *name,
             const char   *fallback)
{
  JsonNode *node = json_object_get_member (r->object, name);

  if (is_null (node) || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

static gboolean
parse_activation (const Reader  *r,
                  const char    *name,
                  HlActivation  *out,
                  GError       **error)
{
  if (g_strcmp0 (name, "silu") == 0 || g_strcmp0 (name, "swish") == 0)
    *out = HL_ACTIVATION_SILU;
  else if (g_strcmp0 (name, "gelu_new") == 0 || g_strcmp0 (name, "gelu_pytorch_tanh") == 0 ||
           g_strcmp0 (name, "gelu_fast") == 0)
    *out = HL_ACTIVATION_GELU_TANH;
  else if (g_strcmp0 (name, "gelu") == 0)
    *out = HL_ACTIVATION_GELU;
  else
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_UNSUPPORTED,
                   _("%s: the activation “%s” is not supported, expected silu, gelu, gelu_new or gelu_pytorch_tanh"),
                   r->source, name != NULL ? name : "(none)");
      return FALSE;
    }
  return TRUE;
}

/* rope_scaling ({"rope_type" or "type": ...}) or, in transformers 5,
 * rope_parameters, which also carries rope_theta. */
static gboolean
parse_rope (const Reader   *r,
            HlModelConfig  *c,
            GError        **error)
{
  JsonNode *params = json_object_get_member (r->object, "rope_parameters");
  JsonNode *scaling = json_object_get_member (r->object, "rope_scaling");
  JsonNode *node = !is_null (params) ? params : scaling;
  Reader sub;
  const char *type;

  if (!read_double (r, "rope_theta", 10000.0, &c->rope_theta, error))
    return FALSE;
  if (is_null (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG, _("%s: “%s” is not an object"), r->source, !is_null (params) ? "rope_parameters" : "rope_scaling");
      return FALSE;
    }
  sub = (Reader) { json_node_get_object (node), r->source };
  if (!read_double (&sub, "rope_theta", c->rope_theta, &c->rope_theta, error))
    return FALSE;
  type = read_string (&sub, "rope_type", read_string (&sub, "type", "default"));
  if (strcmp (type, "default") == 0)
    return TRUE;
  if (strcmp (type, "linear") == 0)
    {
      c->rope_scaling = HL_ROPE_SCALING_LINEAR;
      return read_double (&sub, "factor", NAN, &c->rope_factor, error);
    }
  if (strcmp (type, "llama3") == 0)
    {
      c->rope_scaling = HL_ROPE_SCALING_LLAMA3;
      return read_double (&sub, "factor", NAN, &c->rope_factor, error) &&
             read_double (&sub, "low_freq_factor", NAN, &c->rope_low_freq_factor, error) &&
             read_double (&sub, "high_freq_factor", NAN, &c->rope_high_freq_factor, error) &&
             read_int32 (&sub, "original_max_position_embeddings", G_MININT64, &c->rope_original_max_positions, error);
    }
  g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_UNSUPPORTED,
               _("%s: RoPE scaling “%s” is not supported, expected default, linear or llama3"), r->source, type);
  return FALSE;
}

/* llama, mistral, qwen2, gemma and gemma2 share these names. */
static gboolean
parse_llama_like (const Reader   *r,
                  HlModelConfig  *c,
                  GError        **error)
{
  double eps;

  if (!read_int32 (r, "hidden_size", G_MININT64, &c->hidden_size, error) ||
      !read_int32 (r, "intermediate_size", G_MININT64, &c->intermediate_size, error) ||
      !read_int32 (r, "num_hidden_layers", G_MININT64, &c->n_layers, error) ||
      !read_int32 (r, "num_attention_heads", G_MININT64, &c->n_heads, error) ||
      !read_int32 (r, "num_key_value_heads", c->n_heads, &c->n_kv_heads, error) ||
      !read_int32 (r, "vocab_size", G_MININT64, &c->vocab_size, error) ||
      !read_int32 (r, "max_position_embeddings", 2048, &c->max_positions, error) ||
      !read_double (r, "rms_norm_eps", 1e-6, &eps, error) ||
      !parse_rope (r, c, error))
    return FALSE;
  if (c->n_heads <= 0)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG, _("%s: num_attention_heads is %d, expected at least 1"), r->source, c->n_heads);
      return FALSE;
    }
  if (!read_int32 (r, "head_dim", c->hidden_size / c->n_heads, &c->head_dim, error))
    return FALSE;
  c->norm_eps = (float) eps;
  c->norm = HL_NORM_RMS;
  c->gated_mlp = TRUE;
  c->positions = HL_POSITIONS_ROPE_HALF;
  c->embedding_scale = 1.0f;
  return TRUE;
}

static gboolean
parse_llama (const Reader   *r,
             HlModelConfig  *c,
             GError        **error)
{
  if (!parse_llama_like (r, c, error) ||
      !parse_activation (r, read_string (r, "hidden_act", "silu"), &c->activation, error))
    return FALSE;
  c->qkv_bias = c->o_bias = read_bool (r, "attention_bias", FALSE);
  c->mlp_bias = read_bool (r, "mlp_bias", FALSE);
  c->tied_embeddings = read_bool (r, "tie_word_embeddings", FALSE);
  if (strcmp (c->model_type, "mistral") == 0)
    return read_int32 (r, "sliding_window", 0, &c->sliding_window, error);
  return TRUE;
}

static gboolean
parse_qwen2 (const Reader   *r,
             HlModelConfig  *c,
             GError        **error)
{
  if (!parse_llama_like (r, c, error) ||
      !parse_activation (r, read_string (r, "hidden_act", "silu"), &c->activation, error))
    return FALSE;
  if (read_bool (r, "use_sliding_window", FALSE))
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_UNSUPPORTED,
                   _("%s: use_sliding_window is true; Headlens runs Qwen2 only without its sliding window"), r->source);
      return FALSE;
    }
  c->qkv_bias = TRUE;
  c->tied_embeddings = read_bool (r, "tie_word_embeddings", FALSE);
  return TRUE;
}

static gboolean
parse_gemma (const Reader   *r,
             HlModelConfig  *c,
             GError        **error)
{
  /* transformers uses the tanh approximation unless hidden_activation
   * names another. */
  const char *activation = read_string (r, "hidden_activation", "gelu_pytorch_tanh");
  double scalar, attn_cap, final_cap;
  int window;

  if (!parse_llama_like (r, c, error) || !parse_activation (r, activation, &c->activation, error))
    return FALSE;
  c->norm = HL_NORM_RMS_PLUS_ONE;
  c->embedding_scale = sqrtf ((float) c->hidden_size);
  c->qkv_bias = c->o_bias = read_bool (r, "attention_bias", FALSE);
  c->tied_embeddings = read_bool (r, "tie_word_embeddings", TRUE);
  if (strcmp (c->model_type, "gemma2") != 0)
    return TRUE;
  if (!read_double (r, "query_pre_attn_scalar", c->head_dim, &scalar, error) ||
      !read_double (r, "attn_logit_softcapping", 0.0, &attn_cap, error) ||
      !read_double (r, "final_logit_softcapping", 0.0, &final_cap, error) ||
      !read_int32 (r, "sliding_window", 4096, &window, error))
    return FALSE;
  c->attention_scale = scalar > 0 ? (float) (1.0 / sqrt (scalar)) : NAN;
  c->attention_softcap = (float) attn_cap;
  c->final_softcap = (float) final_cap;
  c->sliding_window = window;
  c->sliding_even_only = TRUE;
  c->sandwich_norms = TRUE;
  return TRUE;
}

static gboolean
parse_gpt2 (const Reader   *r,
            HlModelConfig  *c,
            GError        **error)
{
  double eps;
  int inner;

  if (!read_int32 (r, "n_embd", G_MININT64, &c->hidden_size, error) ||
      !read_int32 (r, "n_layer", G_MININT64, &c->n_layers, error) ||
      !read_int32 (r, "n_head", G_MININT64, &c->n_heads, error) ||
      !read_int32 (r, "vocab_size", G_MININT64, &c->vocab_size, error) ||
      !read_int32 (r, "n_positions", 1024, &c->max_positions, error) ||
      !read_int32 (r, "n_inner", 0, &inner, error) ||
      !read_double (r, "layer_norm_epsilon", 1e-5, &eps, error) ||
      !parse_activation (r, read_string (r, "activation_function", "gelu_new"), &c->activation, error))
    return FALSE;
  if (c->n_heads <= 0 || c->hidden_size % c->n_heads != 0)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG, _("%s: n_embd %d is not a multiple of n_head %d"), r->source, c->hidden_size, c->n_heads);
      return FALSE;
    }
  c->intermediate_size = inner > 0 ? inner : 4 * c->hidden_size;
  c->n_kv_heads = c->n_heads;
  c->head_dim = c->hidden_size / c->n_heads;
  c->norm = HL_NORM_LAYER;
  c->norm_eps = (float) eps;
  c->positions = HL_POSITIONS_LEARNED;
  c->rope_theta = 0.0;
  c->qkv_bias = c->o_bias = c->mlp_bias = TRUE;
  c->tied_embeddings = TRUE;
  c->embedding_scale = 1.0f;
  return TRUE;
}

void
hl_hf_read_token_ids (JsonNode *node,
                      GArray   *ids)
{
  if (is_null (node))
    return;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      int32_t id = (int32_t) json_node_get_int (node);
      g_array_append_val (ids, id);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
      hl_hf_read_token_ids (json_array_get_element (json_node_get_array (node), i), ids);
}

gboolean
hl_hf_config_parse (JsonObject     *config,
                    const char     *source,
                    HlModelConfig  *out,
                    GArray         *eos_ids,
                    GError        **error)
{
  Reader r = { config, source };
  const char *type = read_string (&r, "model_type", NULL);
  gboolean ok;

  g_return_val_if_fail (config != NULL && source != NULL && out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (type == NULL)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG, _("%s has no “model_type”, expected one of: %s"), source, HL_HF_MODEL_TYPES);
      return FALSE;
    }
  g_strlcpy (out->model_type, type, sizeof out->model_type);
  if (strcmp (type, "llama") == 0 || strcmp (type, "mistral") == 0)
    ok = parse_llama (&r, out, error);
  else if (strcmp (type, "qwen2") == 0)
    ok = parse_qwen2 (&r, out, error);
  else if (strcmp (type, "gemma") == 0 || strcmp (type, "gemma2") == 0)
    ok = parse_gemma (&r, out, error);
  else if (strcmp (type, "gpt2") == 0)
    ok = parse_gpt2 (&r, out, error);
  else
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_UNSUPPORTED,
                   _("%s has model_type “%s”, expected one of: %s"), source, type, HL_HF_MODEL_TYPES);
      return FALSE;
    }
  if (!ok)
    return FALSE;
  if (out->attention_scale == 0.0f && out->head_dim > 0)
    out->attention_scale = 1.0f / sqrtf ((float) out->head_dim);
  if (eos_ids != NULL)
    hl_hf_read_token_ids (json_object_get_member (config, "eos_token_id"), eos_ids);
  return hl_model_config_validate (out, source, error);
}
