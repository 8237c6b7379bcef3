/* hl-model-files.h: opens the model a user names, a Hugging Face model
 * directory or a llama2.c checkpoint with its tokenizer, with the text
 * codec that goes with it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-model.h"
#include "hl-text-codec.h"

G_BEGIN_DECLS

/* Opens @model_dir when it is not NULL, else @checkpoint_path with
 * @tokenizer_path (both required then). @config_sha256 (may be NULL)
 * receives the SHA-256 of a model directory's config.json, NULL for a
 * checkpoint. On failure nothing is returned. */
gboolean hl_model_files_open (const char    *model_dir,
                              const char    *checkpoint_path,
                              const char    *tokenizer_path,
                              HlModel      **model,
                              HlTextCodec  **codec,
                              char         **config_sha256,
                              GError       **error);

G_END_DECLS
