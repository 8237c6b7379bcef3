/* hl-hf-model.c: a Hub model directory into an HlModel. Each family's
 * tensor names (transformers' state dict) are mapped onto the layer
 * weights; shapes and dtypes are checked against the config, and tensors
 * the architecture does not use are refused so a wrong model_type cannot
 * load silently.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-hf-model.h"
#include "hl-safetensors.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

typedef struct
{
  HlSafetensors      *file;     /* borrowed from @shards */
  const HlSafetensor *tensor;
  gboolean            used;
} Entry;

typedef struct
{
  const char    *dir;
  HlModelConfig  config;
  GPtrArray     *shards;        /* of HlSafetensors, owned */
  GHashTable    *entries;       /* name -> Entry (owned) */
  const char    *prefix;        /* "model." or "" / "transformer." for GPT-2 */
} Loader;

static JsonNode *
load_json_file (const char  *path,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      gboolean missing = g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

      g_set_error (error, HL_MODEL_ERROR, missing ? HL_MODEL_ERROR_IO : HL_MODEL_ERROR_FORMAT,
                   _("cannot read %s: %s"), path, local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT, _("%s is not a JSON object"), path);
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

/* Shards */

static gboolean
add_shard (Loader      *loader,
           const char  *file_name,
           GError     **error)
{
  g_autofree char *path = g_build_filename (loader->dir, file_name, NULL);
  HlSafetensors *file;

  for (guint i = 0; i < loader->shards->len; i++)
    if (strcmp (hl_safetensors_get_path (g_ptr_array_index (loader->shards, i)), path) == 0)
      return TRUE;
  file = hl_safetensors_open (path, error);
  if (file == NULL)
    return FALSE;
  g_ptr_array_add (loader->shards, file);
  for (guint i = 0; i < hl_safetensors_get_n_tensors (file); i++)
    {
      const HlSafetensor *tensor = hl_safetensors_get_nth (file, i);
      Entry *entry;

      if (g_hash_table_contains (loader->entries, tensor->name))
        {
          g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_TENSOR, _("%s: tensor “%s” is also in another shard"), file_name, tensor->name);
          return FALSE;
        }
      entry = g_new0 (Entry, 1);
      entry->file = file;
      entry->tensor = tensor;
      g_hash_table_insert (loader->entries, (gpointer) tensor->name, entry);
    }
  return TRUE;
}

/* model.safetensors.index.json: {"weight_map": {tensor: shard file}}. */
static gboolean
open_index (Loader      *loader,
            const char  *index_path,
            GError     **error)
{
  g_autoptr(JsonNode) root = load_json_file (index_path, error);
  JsonObject *map;
  JsonObjectIter iter;
  const char *tensor;
  JsonNode *node;

  if (root == NULL)
    return FALSE;
  map = json_object_has_member (json_node_get_object (root), "weight_map") ?
        json_object_get_object_member (json_node_get_object (root), "weight_map") : NULL;
  if (map == NULL)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT, _("%s has no “weight_map” object"), index_path);
      return FALSE;
    }
  json_object_iter_init (&iter, map);
  while (json_object_iter_next (&iter, &tensor, &node))
    {
      const char *file = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
      g_autofree char *holder = NULL;
      Entry *entry;

      if (file == NULL || strchr (file, '/') != NULL || !add_shard (loader, file, error))
        {
          if (file == NULL || strchr (file, '/') != NULL)
            g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT,
                         _("%s maps “%s” to something that is not a file name in the folder"), index_path, tensor);
          return FALSE;
        }
      entry = g_hash_table_lookup (loader->entries, tensor);
      holder = entry != NULL ? g_path_get_basename (hl_safetensors_get_path (entry->file)) : NULL;
      if (entry == NULL || strcmp (holder, file) != 0)
        {
          g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_TENSOR, _("%s maps tensor “%s” to %s, which does not hold it"), index_path, tensor, file);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
open_weights (Loader  *loader,
              GError **error)
{
  g_autofree char *single = g_build_filename (loader->dir, "model.safetensors", NULL);
  g_autofree char *index = g_build_filename (loader->dir, "model.safetensors.index.json", NULL);

  if (g_file_test (index, G_FILE_TEST_EXISTS))
    return open_index (loader, index, error);
  if (g_file_test (single, G_FILE_TEST_EXISTS))
    return add_shard (loader, "model.safetensors", error);
  g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_IO,
               _("%s has neither model.safetensors nor model.safetensors.index.json (PyTorch .bin weights are not read: save the model with safe_serialization=True)"),
               loader->dir);
  return FALSE;
}

/* Tensors */

static gboolean
take (Loader      *loader,
      const char  *name,
      gint64       rows,
      gint64       cols,
      HlTensor    *out,
      GError     **error)
{
  g_autofree char *full = g_strconcat (loader->prefix, name, NULL);
  Entry *entry = g_hash_table_lookup (loader->entries, full);
  const HlSafetensor *t;
  g_autofree char *file = NULL;
  gboolean shape_ok;

  if (entry == NULL)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_TENSOR, _("%s: tensor “%s” [%" PRId64 ", %" PRId64 "] is missing from the safetensors files"),
                        loader->dir, full, rows, cols);
      return FALSE;
    }
  t = entry->tensor;
  file = g_path_get_basename (hl_safetensors_get_path (entry->file));
  shape_ok = (t->n_dims == 2 && t->shape[0] == rows && t->shape[1] == cols) ||
             (t->n_dims == 1 && rows == 1 && t->shape[0] == cols);
  if (!shape_ok)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_TENSOR, _("%s: tensor “%s” has %d dimensions [%" PRId64 ", …], expected [%" PRId64 ", %" PRId64 "] for this config"),
                        file, full, t->n_dims, t->n_dims > 0 ? t->shape[0] : 0, rows, cols);
      return FALSE;
    }
  entry->used = TRUE;
  return hl_safetensor_to_tensor (t, file, out, error);
}

static gboolean
take_vector (Loader      *loader,
             const char  *name,
             gint64       size,
             HlTensor    *out,
             GError     **error)
{
  return take (loader, name, 1, size, out, error);
}

static gboolean
take_if (Loader      *loader,
         gboolean     present,
         const char  *name,
         gint64       rows,
         gint64       cols,
         HlTensor    *out,
         GError     **error)
{
  return !present || take (loader, name, rows, cols, out, error);
}

/* llama, mistral, qwen2, gemma, gemma2 */

static gboolean
take_llama_attention (Loader          *loader,
                      int              l,
                      HlLayerWeights  *w,
                      GError         **error)
{
  const HlModelConfig *c = &loader->config;
  g_autofree char *p = g_strdup_printf ("layers.%d.self_attn.", l);
  g_autofree char *q = g_strconcat (p, "q_proj.weight", NULL), *qb = g_strconcat (p, "q_proj.bias", NULL);
  g_autofree char *k = g_strconcat (p, "k_proj.weight", NULL), *kb = g_strconcat (p, "k_proj.bias", NULL);
  g_autofree char *v = g_strconcat (p, "v_proj.weight", NULL), *vb = g_strconcat (p, "v_proj.bias", NULL);
  g_autofree char *o = g_strconcat (p, "o_proj.weight", NULL), *ob = g_strconcat (p, "o_proj.bias", NULL);

  return take (loader, q, c->q_dim, c->hidden_size, &w->wq, error) &&
         take (loader, k, c->kv_dim, c->hidden_size, &w->wk, error) &&
         take (loader, v, c->kv_dim, c->hidden_size, &w->wv, error) &&
         take (loader, o, c->hidden_size, c->q_dim, &w->wo, error) &&
         take_if (loader, c->qkv_bias, qb, 1, c->q_dim, &w->bq, error) &&
         take_if (loader, c->qkv_bias, kb, 1, c->kv_dim, &w->bk, error) &&
         take_if (loader, c->qkv_bias, vb, 1, c->kv_dim, &w->bv, error) &&
         take_if (loader, c->o_bias, ob, 1, c->hidden_size, &w->bo, error);
}

static gboolean
take_llama_mlp (Loader          *loader,
                int              l,
                HlLayerWeights  *w,
                GError         **error)
{
  const HlModelConfig *c = &loader->config;
  g_autofree char *p = g_strdup_printf ("layers.%d.mlp.", l);
  g_autofree char *g = g_strconcat (p, "gate_proj.weight", NULL), *gb = g_strconcat (p, "gate_proj.bias", NULL);
  g_autofree char *u = g_strconcat (p, "up_proj.weight", NULL), *ub = g_strconcat (p, "up_proj.bias", NULL);
  g_autofree char *d = g_strconcat (p, "down_proj.weight", NULL), *db = g_strconcat (p, "down_proj.bias", NULL);
  int h = c->hidden_size, i = c->intermediate_size;

  return take (loader, g, i, h, &w->w_gate, error) &&
         take (loader, u, i, h, &w->w_up, error) &&
         take (loader, d, h, i, &w->w_down, error) &&
         take_if (loader, c->mlp_bias, gb, 1, i, &w->b_gate, error) &&
         take_if (loader, c->mlp_bias, ub, 1, i, &w->b_up, error) &&
         take_if (loader, c->mlp_bias, db, 1, h, &w->b_down, error);
}

/* Llama's post_attention_layernorm is the norm before the MLP; Gemma 2
 * has a norm after attention under that name and pre_feedforward_layernorm
 * before the MLP. */
static gboolean
take_llama_norms (Loader          *loader,
                  int              l,
                  HlLayerWeights  *w,
                  GError         **error)
{
  const HlModelConfig *c = &loader->config;
  g_autofree char *input = g_strdup_printf ("layers.%d.input_layernorm.weight", l);
  g_autofree char *post_attn = g_strdup_printf ("layers.%d.post_attention_layernorm.weight", l);
  g_autofree char *pre_ffn = g_strdup_printf ("layers.%d.pre_feedforward_layernorm.weight", l);
  g_autofree char *post_ffn = g_strdup_printf ("layers.%d.post_feedforward_layernorm.weight", l);

  if (!take_vector (loader, input, c->hidden_size, &w->attn_norm, error))
    return FALSE;
  if (!c->sandwich_norms)
    return take_vector (loader, post_attn, c->hidden_size, &w->ffn_norm, error);
  return take_vector (loader, post_attn, c->hidden_size, &w->post_attn_norm, error) &&
         take_vector (loader, pre_ffn, c->hidden_size, &w->ffn_norm, error) &&
         take_vector (loader, post_ffn, c->hidden_size, &w->post_ffn_norm, error);
}

static gboolean
take_llama (Loader          *loader,
            HlModelWeights  *w,
            GError         **error)
{
  const HlModelConfig *c = &loader->config;

  loader->prefix = "model.";
  if (!take (loader, "embed_tokens.weight", c->vocab_size, c->hidden_size, &w->embedding, error) ||
      !take_vector (loader, "norm.weight", c->hidden_size, &w->final_norm, error))
    return FALSE;
  for (int l = 0; l < c->n_layers; l++)
    if (!take_llama_norms (loader, l, &w->layers[l], error) ||
        !take_llama_attention (loader, l, &w->layers[l], error) ||
        !take_llama_mlp (loader, l, &w->layers[l], error))
      return FALSE;
  loader->prefix = "";
  if (c->tied_embeddings && !g_hash_table_contains (loader->entries, "lm_head.weight"))
    {
      w->classifier = w->embedding;
      return TRUE;
    }
  return take (loader, "lm_head.weight", c->vocab_size, c->hidden_size, &w->classifier, error);
}

/* gpt2 */

static HlTensor
column_block (const HlTensor *t,
              gint64          first,
              gint64          n)
{
  HlTensor block = *t;

  block.data = (const guint8 *) t->data + first * hl_tensor_dtype_size (t->dtype);
  block.cols = n;
  return block;
}

/* Conv1D weights are [in, out]; c_attn holds q, k and v side by side. */
static gboolean
take_gpt2_layer (Loader          *loader,
                 int              l,
                 HlLayerWeights  *w,
                 GError         **error)
{
  const HlModelConfig *c = &loader->config;
  int h = c->hidden_size, inner = c->intermediate_size;
  g_autofree char *p = g_strdup_printf ("h.%d.", l);
  g_autofree char *ln1 = g_strconcat (p, "ln_1.weight", NULL), *ln1b = g_strconcat (p, "ln_1.bias", NULL);
  g_autofree char *ln2 = g_strconcat (p, "ln_2.weight", NULL), *ln2b = g_strconcat (p, "ln_2.bias", NULL);
  g_autofree char *qkv = g_strconcat (p, "attn.c_attn.weight", NULL), *qkvb = g_strconcat (p, "attn.c_attn.bias", NULL);
  g_autofree char *o = g_strconcat (p, "attn.c_proj.weight", NULL), *ob = g_strconcat (p, "attn.c_proj.bias", NULL);
  g_autofree char *fc = g_strconcat (p, "mlp.c_fc.weight", NULL), *fcb = g_strconcat (p, "mlp.c_fc.bias", NULL);
  g_autofree char *pr = g_strconcat (p, "mlp.c_proj.weight", NULL), *prb = g_strconcat (p, "mlp.c_proj.bias", NULL);
  HlTensor fused, fused_bias;

  if (!take_vector (loader, ln1, h, &w->attn_norm, error) || !take_vector (loader, ln1b, h, &w->attn_norm_bias, error) ||
      !take_vector (loader, ln2, h, &w->ffn_norm, error) || !take_vector (loader, ln2b, h, &w->ffn_norm_bias, error) ||
      !take (loader, qkv, h, 3 * h, &fused, error) || !take_vector (loader, qkvb, 3 * h, &fused_bias, error) ||
      !take (loader, o, h, h, &w->wo, error) || !take_vector (loader, ob, h, &w->bo, error) ||
      !take (loader, fc, h, inner, &w->w_up, error) || !take_vector (loader, fcb, inner, &w->b_up, error) ||
      !take (loader, pr, inner, h, &w->w_down, error) || !take_vector (loader, prb, h, &w->b_down, error))
    return FALSE;
  fused.in_major = w->wo.in_major = w->w_up.in_major = w->w_down.in_major = TRUE;
  w->wq = column_block (&fused, 0, h);
  w->wk = column_block (&fused, h, h);
  w->wv = column_block (&fused, 2 * h, h);
  w->bq = column_block (&fused_bias, 0, h);
  w->bk = column_block (&fused_bias, h, h);
  w->bv = column_block (&fused_bias, 2 * h, h);
  return TRUE;
}

/* GPT-2 checkpoints also carry the causal mask buffers. */
static void
skip_gpt2_buffers (Loader *loader)
{
  GHashTableIter iter;
  Entry *entry;
  const char *name;

  g_hash_table_iter_init (&iter, loader->entries);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &entry))
    if (g_str_has_suffix (name, ".attn.bias") || g_str_has_suffix (name, ".attn.masked_bias") ||
        strcmp (name, "lm_head.weight") == 0)
      entry->used = TRUE;
}

static gboolean
take_gpt2 (Loader          *loader,
           HlModelWeights  *w,
           GError         **error)
{
  const HlModelConfig *c = &loader->config;

  loader->prefix = g_hash_table_contains (loader->entries, "transformer.wte.weight") ? "transformer." : "";
  if (!take (loader, "wte.weight", c->vocab_size, c->hidden_size, &w->embedding, error) ||
      !take (loader, "wpe.weight", c->max_positions, c->hidden_size, &w->position_embedding, error) ||
      !take_vector (loader, "ln_f.weight", c->hidden_size, &w->final_norm, error) ||
      !take_vector (loader, "ln_f.bias", c->hidden_size, &w->final_norm_bias, error))
    return FALSE;
  for (int l = 0; l < c->n_layers; l++)
    if (!take_gpt2_layer (loader, l, &w->layers[l], error))
      return FALSE;
  w->classifier = w->embedding;
  skip_gpt2_buffers (loader);
  return TRUE;
}

static gboolean
check_all_used (Loader  *loader,
                GError **error)
{
  GHashTableIter iter;
  Entry *entry;
  const char *name;

  g_hash_table_iter_init (&iter, loader->entries);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &entry))
    if (!entry->used && !g_str_has_suffix (name, "rotary_emb.inv_freq"))
      {
        g_autofree char *file = g_path_get_basename (hl_safetensors_get_path (entry->file));

        g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_TENSOR, _("%s: tensor “%s” is not part of a %s model of this config (is model_type right?)"),
                          file, name, loader->config.model_type);
        return FALSE;
      }
  return TRUE;
}

/* The directory */

static char *
model_name (const char *dir)
{
  g_autofree char *base = g_path_get_basename (dir);
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *parent_base = g_path_get_basename (parent);

  /* A Hub cache snapshot: models--org--name/snapshots/<commit>. */
  if (strcmp (parent_base, "snapshots") == 0)
    {
      g_autofree char *repo = g_path_get_dirname (parent);
      g_autofree char *repo_base = g_path_get_basename (repo);

      if (g_str_has_prefix (repo_base, "models--"))
        return g_strdup (repo_base + strlen ("models--"));
    }
  return g_steal_pointer (&base);
}

static const char *
dtype_name (HlTensorDtype dtype)
{
  return dtype == HL_TENSOR_F32 ? "float32" : dtype == HL_TENSOR_F16 ? "float16" : "bfloat16";
}

static char *
describe (const Loader         *loader,
          const HlModelWeights *w)
{
  const HlModelConfig *c = &loader->config;
  g_autoptr(GString) s = g_string_new (NULL);

  g_string_append_printf (s, "Hugging Face %s model (hidden %d, intermediate %d, %d layers, %d heads, "
                          "%d kv heads, head_dim %d, vocab %d", c->model_type, c->hidden_size,
                          c->intermediate_size, c->n_layers, c->n_heads, c->n_kv_heads, c->head_dim,
                          c->vocab_size);
  if (c->positions != HL_POSITIONS_LEARNED)
    g_string_append_printf (s, ", RoPE theta %g", c->rope_theta);
  if (c->rope_scaling == HL_ROPE_SCALING_LLAMA3)
    g_string_append_printf (s, " with llama3 scaling x%g", c->rope_factor);
  else if (c->rope_scaling == HL_ROPE_SCALING_LINEAR)
    g_string_append_printf (s, " with linear scaling x%g", c->rope_factor);
  if (c->sliding_window > 0)
    g_string_append_printf (s, ", sliding window %d", c->sliding_window);
  g_string_append_printf (s, ", %s weights in %u safetensors file%s)", dtype_name (w->embedding.dtype),
                          loader->shards->len, loader->shards->len == 1 ? "" : "s");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
read_config (Loader   *loader,
             GArray   *eos_ids,
             char    **sha256,
             GError  **error)
{
  g_autofree char *path = g_build_filename (loader->dir, "config.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) root = NULL;
  gsize length;

  root = load_json_file (path, error);
  if (root == NULL)
    return FALSE;
  if (!hl_hf_config_parse (json_node_get_object (root), path, &loader->config, eos_ids, error))
    return FALSE;
  if (g_file_get_contents (path, &contents, &length, NULL))
    *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
  return TRUE;
}

/* generation_config.json may name more end tokens (Llama 3's instruct
 * models end a turn with <|eot_id|>). A missing file is no error. */
static gboolean
read_generation_config (const Loader  *loader,
                        GArray        *eos_ids,
                        GError       **error)
{
  g_autofree char *path = g_build_filename (loader->dir, "generation_config.json", NULL);
  g_autoptr(JsonNode) root = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  root = load_json_file (path, error);
  if (root == NULL)
    return FALSE;
  hl_hf_read_token_ids (json_object_get_member (json_node_get_object (root), "eos_token_id"), eos_ids);
  return TRUE;
}

static HlTextCodec *
open_tokenizer (const Loader  *loader,
                GArray        *eos_ids,
                GError       **error)
{
  g_autofree char *path = g_build_filename (loader->dir, "tokenizer.json", NULL);
  g_autofree char *config = g_build_filename (loader->dir, "tokenizer_config.json", NULL);
  g_autoptr(HlHfTokenizer) tokenizer = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_IO,
                   _("%s has no tokenizer.json (Headlens reads the fast tokenizer's tokenizer.json, not tokenizer.model)"),
                   loader->dir);
      return NULL;
    }
  tokenizer = hl_hf_tokenizer_new_from_file (path, error);
  if (tokenizer == NULL || !hl_hf_tokenizer_apply_config (tokenizer, config, error) ||
      !read_generation_config (loader, eos_ids, error))
    return NULL;
  if (hl_hf_tokenizer_get_n_ids (tokenizer) > loader->config.vocab_size)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_CONFIG,
                   _("%s has %d token ids, more than the %d rows of the model's embedding (vocab_size)"),
                   path, hl_hf_tokenizer_get_n_ids (tokenizer), loader->config.vocab_size);
      return NULL;
    }
  return hl_text_codec_new_hf (tokenizer, (int32_t *) eos_ids->data, eos_ids->len);
}

static gboolean
load (Loader        *loader,
      HlModel      **model,
      HlTextCodec  **codec,
      char         **sha256,
      GError       **error)
{
  g_autoptr(GArray) eos_ids = g_array_new (FALSE, FALSE, sizeof (int32_t));
  g_autofree HlLayerWeights *layers = NULL;
  g_autoptr(GObject) owner = NULL;
  g_autofree char *name = NULL;
  g_autofree char *description = NULL;
  HlModelWeights weights = { 0 };
  gboolean is_gpt2;

  if (!read_config (loader, eos_ids, sha256, error) || !open_weights (loader, error))
    return FALSE;
  layers = g_new0 (HlLayerWeights, loader->config.n_layers);
  weights.layers = layers;
  is_gpt2 = strcmp (loader->config.model_type, "gpt2") == 0;
  if (!(is_gpt2 ? take_gpt2 (loader, &weights, error) : take_llama (loader, &weights, error)) ||
      !check_all_used (loader, error))
    return FALSE;
  *codec = open_tokenizer (loader, eos_ids, error);
  if (*codec == NULL)
    return FALSE;
  owner = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data_full (owner, "shards", g_ptr_array_ref (loader->shards), (GDestroyNotify) g_ptr_array_unref);
  name = model_name (loader->dir);
  description = describe (loader, &weights);
  *model = hl_model_new (&loader->config, &weights, owner, name, description);
  return TRUE;
}

gboolean
hl_hf_model_open (const char    *dir,
                  HlModel      **model,
                  HlTextCodec  **codec,
                  char         **config_sha256,
                  GError       **error)
{
  Loader loader = { 0 };
  g_autofree char *sha256 = NULL;
  gboolean ok;

  g_return_val_if_fail (dir != NULL && model != NULL && codec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *model = NULL;
  *codec = NULL;
  loader.dir = dir;
  loader.shards = g_ptr_array_new_with_free_func (g_object_unref);
  loader.entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  ok = load (&loader, model, codec, &sha256, error);
  g_hash_table_unref (loader.entries);
  g_ptr_array_unref (loader.shards);
  if (!ok)
    {
      g_clear_pointer (codec, hl_text_codec_free);
      return FALSE;
    }
  if (config_sha256 != NULL)
    *config_sha256 = g_steal_pointer (&sha256);
  return TRUE;
}

gboolean
hl_hf_model_dir_looks_valid (const char *path)
{
  g_autofree char *config = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  config = g_build_filename (path, "config.json", NULL);
  return g_file_test (path, G_FILE_TEST_IS_DIR) && g_file_test (config, G_FILE_TEST_IS_REGULAR);
}
