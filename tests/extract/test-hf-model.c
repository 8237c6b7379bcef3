/* test-hf-model.c: Hugging Face model directories. Tiny random checkpoints
 * of every family, written in the Hub layout by hf-reference.py, run
 * through HlTransformer and compared with that script's independent numpy
 * forward pass; the real config.json files of ../shared/huggingface/configs;
 * damaged safetensors headers and config values.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-hf-model.h"
#include "hl-safetensors.h"
#include "hl-transformer.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define TOLERANCE 1e-4

static const char * const cases[] = {
  "llama-gqa-llama3", "llama-bf16-sharded", "mistral-window", "qwen2", "gemma", "gemma2", "gpt2",
};

static const char *
shared_dir (void)
{
  const char *shared = g_getenv ("HL_TEST_SHARED_DIR");
  g_autofree char *huggingface = shared != NULL ? g_build_filename (shared, "huggingface", NULL) : NULL;

  if (huggingface == NULL || !g_file_test (huggingface, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("../shared/huggingface is absent (HL_TEST_SHARED_DIR); it holds the tokenizers the test models use");
      return NULL;
    }
  return shared;
}

static GArray *
read_tokens (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "tokens.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GArray *tokens = g_array_new (FALSE, FALSE, sizeof (int32_t));
  JsonArray *array;

  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      int32_t id = (int32_t) json_array_get_int_element (array, i);
      g_array_append_val (tokens, id);
    }
  return tokens;
}

typedef struct
{
  const HlModelConfig *c;
  int                  n;
  float               *attention;  /* [layers, heads, n, n] */
  float               *values;     /* [layers, n, kv_dim] */
} Capture;

static gboolean
capture_cb (const HlLayerCapture  *cap,
            gpointer               user_data,
            GError               **error)
{
  Capture *k = user_data;
  gsize nn = (gsize) k->n * k->n;

  memcpy (k->attention + (gsize) cap->layer * k->c->n_heads * nn, cap->attention,
          sizeof (float) * k->c->n_heads * nn);
  memcpy (k->values + (gsize) cap->layer * k->n * k->c->kv_dim, cap->values,
          sizeof (float) * k->n * k->c->kv_dim);
  return TRUE;
}

static double
max_difference (const float *a,
                const float *b,
                gsize        n)
{
  double max = 0.0;

  for (gsize i = 0; i < n; i++)
    max = MAX (max, fabs ((double) a[i] - b[i]));
  return max;
}

static void
compare (const char          *name,
         const char          *what,
         const float         *got,
         const float         *expected,
         gsize                n)
{
  double difference = max_difference (got, expected, n);

  g_test_message ("%s: %s differ by at most %.3g", name, what, difference);
  g_assert_cmpfloat (difference, <=, TOLERANCE);
}

/* The streaming loss equals -log softmax of the full logits (to float32
 * rounding: BLAS may sum the two products in different orders). */
static void
check_nll (HlTransformer *transformer,
           const int32_t *tokens,
           int            n,
           const float   *logits,
           int            vocab)
{
  g_autofree double *nll = g_new (double, n - 1);

  hl_transformer_nll (transformer, 0, n - 1, tokens + 1, nll);
  for (int t = 0; t + 1 < n; t++)
    {
      const float *row = logits + (gsize) t * vocab;
      double max = row[0], sum = 0.0;

      for (int i = 1; i < vocab; i++)
        max = MAX (max, row[i]);
      for (int i = 0; i < vocab; i++)
        sum += exp (row[i] - max);
      g_assert_cmpfloat (fabs (nll[t] - (log (sum) + max - row[tokens[t + 1]])), <=, 1e-5);
    }
}

static void
run_and_compare (const char  *name,
                 HlModel     *model,
                 const char  *dir)
{
  const HlModelConfig *c = hl_model_get_config (model);
  g_autoptr(GArray) tokens = read_tokens (dir);
  g_autofree char *reference_path = g_build_filename (dir, "reference.f32", NULL);
  g_autofree float *reference = NULL;
  g_autoptr(HlTransformer) transformer = hl_transformer_new (model, tokens->len);
  g_autofree int *queries = g_new (int, tokens->len);
  g_autoptr(GError) error = NULL;
  int n = tokens->len;
  gsize n_attention = (gsize) c->n_layers * c->n_heads * n * n;
  gsize n_values = (gsize) c->n_layers * n * c->kv_dim;
  gsize n_logits = (gsize) n * c->vocab_size;
  Capture k = { c, n, g_new (float, n_attention), g_new (float, n_values) };
  g_autofree float *logits = g_new (float, n_logits);
  gsize length;

  g_assert_true (g_file_get_contents (reference_path, (char **) &reference, &length, NULL));
  g_assert_cmpuint (length, ==, sizeof (float) * (n_attention + n_values + n_logits));
  for (int t = 0; t < n; t++)
    queries[t] = t;
  g_assert_true (hl_transformer_forward (transformer, (int32_t *) tokens->data, n, 0, queries, n,
                                         capture_cb, &k, &error));
  g_assert_no_error (error);
  hl_transformer_logits (transformer, 0, n, logits);
  check_nll (transformer, (int32_t *) tokens->data, n, logits, c->vocab_size);
  compare (name, "attention", k.attention, reference, n_attention);
  compare (name, "values", k.values, reference + n_attention, n_values);
  compare (name, "logits", logits, reference + n_attention + n_values, n_logits);
  g_free (k.attention);
  g_free (k.values);
}

static void
test_family (gconstpointer data)
{
  const char *name = data;
  g_autofree char *dir = test_write_hf_model (name);
  g_autoptr(HlModel) model = NULL;
  g_autoptr(HlTextCodec) codec = NULL;
  g_autofree char *sha256 = NULL;
  g_autoptr(GError) error = NULL;

  if (dir == NULL)
    return;
  g_assert_true (hl_hf_model_open (dir, &model, &codec, &sha256, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (sha256), ==, 64);
  g_test_message ("%s", hl_model_get_description (model));
  run_and_compare (name, model, dir);
  g_clear_object (&model);
  g_clear_pointer (&codec, hl_text_codec_free);
  hl_test_remove_tmp_dir (dir);
}

static void write_named (const char *dir,
                         const char *name,
                         const void *data,
                         gsize       length);

/* The tokenizer's template decides the prefix: BOS for TinyLlama's,
 * nothing for GPT-2's. */
static void
test_prefix (void)
{
  g_autofree char *llama = test_write_hf_model ("llama-gqa-llama3");
  g_autofree char *gpt2 = llama != NULL ? test_write_hf_model ("gpt2") : NULL;
  g_autoptr(HlModel) model = NULL;
  g_autoptr(HlTextCodec) codec = NULL;
  g_autoptr(HlModel) model2 = NULL;
  g_autoptr(HlTextCodec) codec2 = NULL;
  gsize n;
  const int32_t *prefix;
  g_autofree char *text = NULL;
  const char *generation = "{\"eos_token_id\": [50256, 13]}";

  if (gpt2 == NULL)
    return;
  g_assert_true (hl_hf_model_open (llama, &model, &codec, NULL, NULL));
  prefix = hl_text_codec_get_prefix (codec, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (prefix[0], ==, 1);
  text = hl_text_codec_token_text (codec, 278);
  g_assert_cmpstr (text, ==, " the");
  /* generation_config.json adds its end tokens to config.json's. */
  write_named (gpt2, "generation_config.json", generation, strlen (generation));
  g_assert_true (hl_hf_model_open (gpt2, &model2, &codec2, NULL, NULL));
  hl_text_codec_get_prefix (codec2, &n);
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (hl_text_codec_is_stop (codec2, 50256));
  g_assert_true (hl_text_codec_is_stop (codec2, 13));
  g_assert_false (hl_text_codec_is_stop (codec2, 14));
  hl_test_remove_tmp_dir (llama);
  hl_test_remove_tmp_dir (gpt2);
}

/* ---- the real configs ---- */

typedef struct
{
  const char *file;
  const char *type;
  int         hidden, intermediate, layers, heads, kv_heads, head_dim, vocab;
  double      theta;
  HlRopeScaling scaling;
  gboolean    tied;
  int         window;
  float       eps;
} ConfigCase;

static const ConfigCase config_cases[] = {
  { "Llama-2-7b-hf.json", "llama", 4096, 11008, 32, 32, 32, 128, 32000, 10000, HL_ROPE_SCALING_NONE, FALSE, 0, 1e-5f },
  { "Llama-3.2-1B.json", "llama", 2048, 8192, 16, 32, 8, 64, 128256, 500000, HL_ROPE_SCALING_LLAMA3, TRUE, 0, 1e-5f },
  { "Meta-Llama-3-8B.json", "llama", 4096, 14336, 32, 32, 8, 128, 128256, 500000, HL_ROPE_SCALING_NONE, FALSE, 0, 1e-5f },
  { "Mistral-7B-v0.1.json", "mistral", 4096, 14336, 32, 32, 8, 128, 32000, 10000, HL_ROPE_SCALING_NONE, FALSE, 4096, 1e-5f },
  { "Qwen2.5-0.5B.json", "qwen2", 896, 4864, 24, 14, 2, 64, 151936, 1000000, HL_ROPE_SCALING_NONE, TRUE, 0, 1e-6f },
  { "SmolLM2-135M.json", "llama", 576, 1536, 30, 9, 3, 64, 49152, 100000, HL_ROPE_SCALING_NONE, TRUE, 0, 1e-5f },
  { "TinyLlama-1.1B-Chat-v1.0.json", "llama", 2048, 5632, 22, 32, 4, 64, 32000, 10000, HL_ROPE_SCALING_NONE, FALSE, 0, 1e-5f },
  { "gpt2.json", "gpt2", 768, 3072, 12, 12, 12, 64, 50257, 0, HL_ROPE_SCALING_NONE, TRUE, 0, 1e-5f },
};

static gboolean
parse_config_file (const char     *path,
                   HlModelConfig  *config,
                   GArray         *eos,
                   GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_file (parser, path, error))
    return FALSE;
  return hl_hf_config_parse (json_node_get_object (json_parser_get_root (parser)), path, config, eos, error);
}

static void
test_real_configs (void)
{
  const char *shared = shared_dir ();
  g_autofree char *dir = shared != NULL ? g_build_filename (shared, "huggingface", "configs", NULL) : NULL;
  g_autoptr(GDir) listing = NULL;
  const char *name;
  guint n_files = 0;

  if (dir == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (config_cases); i++)
    {
      const ConfigCase *e = &config_cases[i];
      g_autofree char *path = g_build_filename (dir, e->file, NULL);
      g_autoptr(GArray) eos = g_array_new (FALSE, FALSE, sizeof (int32_t));
      g_autoptr(GError) error = NULL;
      HlModelConfig c;

      g_assert_true (parse_config_file (path, &c, eos, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (c.model_type, ==, e->type);
      g_assert_cmpint (c.hidden_size, ==, e->hidden);
      g_assert_cmpint (c.intermediate_size, ==, e->intermediate);
      g_assert_cmpint (c.n_layers, ==, e->layers);
      g_assert_cmpint (c.n_heads, ==, e->heads);
      g_assert_cmpint (c.n_kv_heads, ==, e->kv_heads);
      g_assert_cmpint (c.head_dim, ==, e->head_dim);
      g_assert_cmpint (c.vocab_size, ==, e->vocab);
      g_assert_cmpfloat (c.rope_theta, ==, e->theta);
      g_assert_cmpint (c.rope_scaling, ==, e->scaling);
      g_assert_cmpint (c.tied_embeddings, ==, e->tied);
      g_assert_cmpint (c.sliding_window, ==, e->window);
      g_assert_cmpfloat (c.norm_eps, ==, e->eps);
      g_assert_cmpuint (eos->len, ==, 1);
    }
  /* Every file of the folder is one of the cases above. */
  listing = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      gboolean known = FALSE;

      for (gsize i = 0; i < G_N_ELEMENTS (config_cases); i++)
        known |= strcmp (name, config_cases[i].file) == 0;
      g_assert_true (known);
      n_files++;
    }
  g_assert_cmpuint (n_files, ==, G_N_ELEMENTS (config_cases));
}

static void
test_llama3_details (void)
{
  const char *shared = shared_dir ();
  g_autofree char *path = shared != NULL ? g_build_filename (shared, "huggingface", "configs", "Llama-3.2-1B.json", NULL) : NULL;
  g_autofree char *gpt2 = shared != NULL ? g_build_filename (shared, "huggingface", "configs", "gpt2.json", NULL) : NULL;
  HlModelConfig c;

  if (path == NULL)
    return;
  g_assert_true (parse_config_file (path, &c, NULL, NULL));
  g_assert_cmpfloat (c.rope_factor, ==, 32.0);
  g_assert_cmpfloat (c.rope_low_freq_factor, ==, 1.0);
  g_assert_cmpfloat (c.rope_high_freq_factor, ==, 4.0);
  g_assert_cmpint (c.rope_original_max_positions, ==, 8192);
  g_assert_cmpint (c.max_positions, ==, 131072);
  g_assert_cmpint (c.activation, ==, HL_ACTIVATION_SILU);
  g_assert_cmpint (c.positions, ==, HL_POSITIONS_ROPE_HALF);
  g_assert_true (parse_config_file (gpt2, &c, NULL, NULL));
  g_assert_cmpint (c.norm, ==, HL_NORM_LAYER);
  g_assert_cmpint (c.positions, ==, HL_POSITIONS_LEARNED);
  g_assert_cmpint (c.activation, ==, HL_ACTIVATION_GELU_TANH);
  g_assert_cmpint (c.max_positions, ==, 1024);
  g_assert_true (c.qkv_bias && c.o_bias && c.mlp_bias && !c.gated_mlp);
}

/* ---- bad configs ---- */

typedef struct
{
  const char *json;
  int         code;
  const char *part;
} BadConfig;

static void
test_bad_configs (void)
{
#define LLAMA "\"model_type\": \"llama\", \"hidden_size\": 32, \"intermediate_size\": 64, \"num_attention_heads\": 4, \"vocab_size\": 100"
  static const BadConfig bad[] = {
    { "{\"hidden_size\": 8}", HL_MODEL_ERROR_CONFIG, "has no “model_type”, expected one of: llama, mistral, qwen2, gemma, gemma2, gpt2" },
    { "{\"model_type\": \"bert\"}", HL_MODEL_ERROR_UNSUPPORTED, "model_type “bert”, expected one of: llama, mistral" },
    { "{" LLAMA "}", HL_MODEL_ERROR_CONFIG, "“num_hidden_layers” is missing or not an integer" },
    { "{" LLAMA ", \"num_hidden_layers\": \"two\"}", HL_MODEL_ERROR_CONFIG, "“num_hidden_layers” is missing or not an integer" },
    { "{" LLAMA ", \"num_hidden_layers\": 2.5}", HL_MODEL_ERROR_CONFIG, "“num_hidden_layers” is missing or not an integer" },
    { "{" LLAMA ", \"num_hidden_layers\": -2}", HL_MODEL_ERROR_CONFIG, "num_hidden_layers = -2, expected 1 to 1024" },
    { "{" LLAMA ", \"num_hidden_layers\": 2, \"num_key_value_heads\": 3}", HL_MODEL_ERROR_CONFIG, "4 attention heads and 3 key/value heads" },
    { "{" LLAMA ", \"num_hidden_layers\": 2, \"num_key_value_heads\": 8}", HL_MODEL_ERROR_CONFIG, "num_key_value_heads = 8, expected 1 to 4" },
    { "{" LLAMA ", \"num_hidden_layers\": 2, \"head_dim\": 7}", HL_MODEL_ERROR_CONFIG, "head_dim 7, expected an even number" },
    { "{" LLAMA ", \"num_hidden_layers\": 2, \"rms_norm_eps\": -1}", HL_MODEL_ERROR_CONFIG, "rms_norm_eps = -1" },
    { "{" LLAMA ", \"num_hidden_layers\": 2, \"rope_theta\": 0}", HL_MODEL_ERROR_CONFIG, "rope_theta = 0" },
    { "{" LLAMA ", \"num_hidden_layers\": 2, \"hidden_act\": \"relu6\"}", HL_MODEL_ERROR_UNSUPPORTED, "activation “relu6”" },
    { "{" LLAMA ", \"num_hidden_layers\": 2, \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4}}", HL_MODEL_ERROR_UNSUPPORTED, "RoPE scaling “yarn”" },
    { "{" LLAMA ", \"num_hidden_layers\": 2, \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8}}", HL_MODEL_ERROR_CONFIG, "“low_freq_factor” is missing" },
    { "{" LLAMA ", \"num_hidden_layers\": 2, \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8, \"low_freq_factor\": 4, \"high_freq_factor\": 1, \"original_max_position_embeddings\": 8192}}", HL_MODEL_ERROR_CONFIG, "expected high > low" },
    { "{" LLAMA ", \"num_hidden_layers\": 2, \"rope_parameters\": 7}", HL_MODEL_ERROR_CONFIG, "“rope_parameters” is not an object" },
    { "{" LLAMA ", \"num_hidden_layers\": 2, \"max_position_embeddings\": 0}", HL_MODEL_ERROR_CONFIG, "max_position_embeddings = 0" },
    { "{\"model_type\": \"gpt2\", \"n_embd\": 10, \"n_layer\": 1, \"n_head\": 3, \"vocab_size\": 5}", HL_MODEL_ERROR_CONFIG, "n_embd 10 is not a multiple of n_head 3" },
    { "{\"model_type\": \"qwen2\", \"hidden_size\": 32, \"intermediate_size\": 64, \"num_attention_heads\": 4, \"vocab_size\": 100, \"num_hidden_layers\": 1, \"use_sliding_window\": true}", HL_MODEL_ERROR_UNSUPPORTED, "use_sliding_window" },
    { "{\"model_type\": \"gemma2\", \"hidden_size\": 32, \"intermediate_size\": 64, \"num_attention_heads\": 4, \"vocab_size\": 100, \"num_hidden_layers\": 1, \"query_pre_attn_scalar\": -4}", HL_MODEL_ERROR_CONFIG, "attention scale" },
  };
#undef LLAMA

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      HlModelConfig c;

      g_assert_true (json_parser_load_from_data (parser, bad[i].json, -1, NULL));
      g_assert_false (hl_hf_config_parse (json_node_get_object (json_parser_get_root (parser)), "config.json", &c, NULL, &error));
      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, error->message);
      g_assert_error (error, HL_MODEL_ERROR, bad[i].code);
      g_assert_nonnull (strstr (error->message, bad[i].part));
      g_assert_true (g_str_has_prefix (error->message, "config.json"));
    }
}

/* ---- damaged directories and safetensors files ---- */

static char *
read_file (const char *dir,
           const char *name,
           gsize      *length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents;

  g_assert_true (g_file_get_contents (path, &contents, length, NULL));
  return contents;
}

static void
write_named (const char *dir,
             const char *name,
             const void *data,
             gsize       length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  test_write_file (path, data, length);
}

static GError *
open_error (const char *dir)
{
  g_autoptr(HlModel) model = NULL;
  g_autoptr(HlTextCodec) codec = NULL;
  GError *error = NULL;

  g_assert_false (hl_hf_model_open (dir, &model, &codec, NULL, &error));
  g_assert_null (model);
  g_assert_null (codec);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  return error;
}

/* A safetensors file with @header (JSON) over @data_length zero bytes. */
static void
write_safetensors (const char *dir,
                   const char *header,
                   gsize       data_length)
{
  gsize header_length = strlen (header);
  g_autofree guint8 *bytes = g_malloc0 (8 + header_length + data_length);
  guint64 le = GUINT64_TO_LE (header_length);

  memcpy (bytes, &le, 8);
  memcpy (bytes + 8, header, header_length);
  write_named (dir, "model.safetensors", bytes, 8 + header_length + data_length);
}

typedef struct
{
  const char *header;
  gsize       data_length;
  int         code;
  const char *part;
} BadHeader;

static void
test_bad_safetensors (void)
{
  static const BadHeader bad[] = {
    { "[]", 0, HL_MODEL_ERROR_FORMAT, "not a JSON object" },
    { "{\"a\": ", 0, HL_MODEL_ERROR_FORMAT, "the header is not JSON" },
    { "{\"a\": {\"dtype\": \"F99\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 8, HL_MODEL_ERROR_FORMAT, "dtype “F99”" },
    { "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 16]}}", 8, HL_MODEL_ERROR_FORMAT, "data_offsets" },
    { "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 4]}}", 8, HL_MODEL_ERROR_FORMAT, "data_offsets" },
    { "{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8, HL_MODEL_ERROR_FORMAT, "its dtype and shape need 12" },
    { "{\"a\": {\"dtype\": \"F32\", \"shape\": [-3], \"data_offsets\": [0, 8]}}", 8, HL_MODEL_ERROR_FORMAT, "dimension 0" },
    { "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12, HL_MODEL_ERROR_FORMAT, "overlap" },
    { "{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 8]}}", 8, HL_MODEL_ERROR_FORMAT, "dimension 0" },
    { "{\"a\": {\"dtype\": \"F32\", \"shape\": [2]}}", 8, HL_MODEL_ERROR_FORMAT, "data_offsets" },
  };
  g_autofree char *dir = hl_test_make_tmp_dir ();

  const char *config = "{\"model_type\": \"gpt2\", \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"vocab_size\": 2}";

  write_named (dir, "config.json", config, strlen (config));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      write_safetensors (dir, bad[i].header, bad[i].data_length);
      error = open_error (dir);
      g_assert_error (error, HL_MODEL_ERROR, bad[i].code);
      g_assert_nonnull (strstr (error->message, "model.safetensors"));
      g_assert_nonnull (strstr (error->message, bad[i].part));
    }
  hl_test_remove_tmp_dir (dir);
}

/* A real model with a tensor missing, an extra one, one of the wrong
 * shape or dtype; then truncations and flipped header bytes of its file,
 * which must all fail cleanly (the sanitizer build checks the reads). */
static void
test_damaged_model (void)
{
  g_autofree char *dir = test_write_hf_model ("qwen2");
  g_autofree char *contents = NULL;
  g_autofree char *config = NULL;
  gsize length, config_length;
  guint64 header_length;
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);

  if (dir == NULL)
    return;
  contents = read_file (dir, "model.safetensors", &length);
  config = read_file (dir, "config.json", &config_length);
  memcpy (&header_length, contents, 8);
  header_length = GUINT64_FROM_LE (header_length);
  {
    /* Renaming a tensor makes one missing and one extra. */
    g_autofree char *renamed = g_memdup2 (contents, length);
    char *hit = g_strstr_len (renamed + 8, header_length, "model.layers.1.mlp.up_proj.weight");
    g_autoptr(GError) error = NULL;

    g_assert_nonnull (hit);
    hit[strlen ("model.layers.1.mlp.")] = 'U';
    write_named (dir, "model.safetensors", renamed, length);
    error = open_error (dir);
    g_assert_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_TENSOR);
    g_assert_nonnull (strstr (error->message, "“model.layers.1.mlp.up_proj.weight” [48, 32] is missing"));
  }
  {
    /* A config with another intermediate size: every MLP shape is wrong. */
    g_auto(GStrv) parts = g_strsplit (config, "\"intermediate_size\": 48", -1);
    g_autofree char *other = g_strjoinv ("\"intermediate_size\": 40", parts);
    g_autoptr(GError) error = NULL;

    write_named (dir, "model.safetensors", contents, length);
    write_named (dir, "config.json", other, strlen (other));
    error = open_error (dir);
    g_assert_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_TENSOR);
    g_assert_nonnull (strstr (error->message, "expected [40, 32] for this config"));
    write_named (dir, "config.json", config, config_length);
  }
  {
    /* An extra tensor: the same file read as a llama model without biases. */
    g_auto(GStrv) parts = g_strsplit (config, "\"model_type\": \"qwen2\"", -1);
    g_autofree char *other = g_strjoinv ("\"model_type\": \"llama\"", parts);
    g_autoptr(GError) error = NULL;

    write_named (dir, "config.json", other, strlen (other));
    error = open_error (dir);
    g_assert_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_TENSOR);
    g_assert_nonnull (strstr (error->message, "_proj.bias” is not part of a llama model"));
    write_named (dir, "config.json", config, config_length);
  }
  for (int i = 0; i < 40; i++)
    {
      g_autofree char *damaged = g_memdup2 (contents, length);
      gsize cut = length;
      g_autoptr(GError) error = NULL;
      g_autoptr(HlModel) model = NULL;
      g_autoptr(HlTextCodec) codec = NULL;

      if (i % 2 == 0)
        cut = g_rand_int_range (rand, 0, (gint32) (8 + header_length + 64));
      else
        for (int flips = 0; flips < 3; flips++)
          damaged[g_rand_int_range (rand, 0, (gint32) (8 + header_length))] = (char) g_rand_int_range (rand, 0, 256);
      write_named (dir, "model.safetensors", damaged, cut);
      /* A flip inside a float's digits can leave a valid file. */
      if (!hl_hf_model_open (dir, &model, &codec, NULL, &error))
        g_assert_true (error->domain == HL_MODEL_ERROR || error->domain == HL_TOKENIZER_ERROR);
    }
  hl_test_remove_tmp_dir (dir);
}

static void
test_missing_files (void)
{
  g_autofree char *dir = test_write_hf_model ("gpt2");
  g_autofree char *weights = NULL;
  g_autofree char *tokenizer = NULL;
  g_autofree char *moved = NULL;
  g_autoptr(GError) no_weights = NULL;
  g_autoptr(GError) no_tokenizer = NULL;
  g_autoptr(GError) no_config = NULL;

  if (dir == NULL)
    return;
  weights = g_build_filename (dir, "model.safetensors", NULL);
  moved = g_build_filename (dir, "elsewhere", NULL);
  g_assert_cmpint (g_rename (weights, moved), ==, 0);
  no_weights = open_error (dir);
  g_assert_nonnull (strstr (no_weights->message, "has neither model.safetensors nor model.safetensors.index.json"));
  g_assert_cmpint (g_rename (moved, weights), ==, 0);
  tokenizer = g_build_filename (dir, "tokenizer.json", NULL);
  g_assert_cmpint (g_unlink (tokenizer), ==, 0);
  no_tokenizer = open_error (dir);
  g_assert_nonnull (strstr (no_tokenizer->message, "has no tokenizer.json"));
  hl_test_remove_tmp_dir (dir);
  no_config = open_error (dir);
  g_assert_error (no_config, HL_MODEL_ERROR, HL_MODEL_ERROR_IO);
  g_assert_nonnull (strstr (no_config->message, "config.json"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/hf-model/reference/%s", cases[i]);
      g_test_add_data_func (name, cases[i], test_family);
    }
  g_test_add_func ("/hf-model/prefix", test_prefix);
  g_test_add_func ("/hf-model/real-configs", test_real_configs);
  g_test_add_func ("/hf-model/llama3-and-gpt2-details", test_llama3_details);
  g_test_add_func ("/hf-model/bad-configs", test_bad_configs);
  g_test_add_func ("/hf-model/bad-safetensors", test_bad_safetensors);
  g_test_add_func ("/hf-model/damaged-model", test_damaged_model);
  g_test_add_func ("/hf-model/missing-files", test_missing_files);
  return g_test_run ();
}
