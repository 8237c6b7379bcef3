/* hl-hf-model.h: a Hugging Face model directory (config.json, one or
 * sharded .safetensors files, tokenizer.json) of the llama, mistral, qwen2,
 * gemma, gemma2 and gpt2 families.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "hl-model.h"
#include "hl-text-codec.h"

G_BEGIN_DECLS

/* The model types hl_hf_config_parse() accepts, comma-separated. */
#define HL_HF_MODEL_TYPES "llama, mistral, qwen2, gemma, gemma2, gpt2"

/* Reads the hyper-parameters of @config (config.json's root object) into
 * @out and validates them; @eos_ids receives eos_token_id (one id or a
 * list). @source names the file in messages. */
gboolean  hl_hf_config_parse       (JsonObject     *config,
                                    const char     *source,
                                    HlModelConfig  *out,
                                    GArray         *eos_ids,
                                    GError        **error);

/* Appends the ids of @node (one integer or a list; null adds nothing) to
 * @ids. */
void      hl_hf_read_token_ids     (JsonNode       *node,
                                    GArray         *ids);

/* Opens the model directory @dir: config.json, model.safetensors or
 * model.safetensors.index.json with its shards (mapped read-only),
 * tokenizer.json with tokenizer_config.json, and generation_config.json's
 * eos_token_id (generation stops there too) when present. Every tensor the
 * architecture needs must be present with its shape and a float dtype;
 * tensors it does not use are an error. @config_sha256 receives the
 * SHA-256 of config.json. */
gboolean  hl_hf_model_open         (const char     *dir,
                                    HlModel       **model,
                                    HlTextCodec   **codec,
                                    char          **config_sha256,
                                    GError        **error);

/* TRUE when @path is a folder with a config.json. */
gboolean  hl_hf_model_dir_looks_valid (const char  *path);

G_END_DECLS
