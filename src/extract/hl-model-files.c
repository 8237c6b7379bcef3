/* hl-model-files.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-model-files.h"

#include "hl-checkpoint.h"
#include "hl-hf-model.h"
#include "hl-tokenizer.h"

static gboolean
open_llama2c (const char    *checkpoint_path,
              const char    *tokenizer_path,
              HlModel      **model,
              HlTextCodec  **codec,
              GError       **error)
{
  g_autoptr(HlCheckpoint) checkpoint = hl_checkpoint_open (checkpoint_path, error);
  g_autoptr(HlTokenizer) tokenizer = NULL;

  if (checkpoint == NULL)
    return FALSE;
  tokenizer = hl_tokenizer_open (tokenizer_path, hl_checkpoint_get_config (checkpoint)->vocab_size, error);
  if (tokenizer == NULL)
    return FALSE;
  *model = hl_model_new_from_checkpoint (checkpoint);
  *codec = hl_text_codec_new_llama2c (tokenizer);
  return TRUE;
}

gboolean
hl_model_files_open (const char    *model_dir,
                     const char    *checkpoint_path,
                     const char    *tokenizer_path,
                     HlModel      **model,
                     HlTextCodec  **codec,
                     char         **config_sha256,
                     GError       **error)
{
  g_return_val_if_fail (model_dir != NULL || (checkpoint_path != NULL && tokenizer_path != NULL), FALSE);
  g_return_val_if_fail (model != NULL && codec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (config_sha256 != NULL)
    *config_sha256 = NULL;
  if (model_dir != NULL)
    return hl_hf_model_open (model_dir, model, codec, config_sha256, error);
  return open_llama2c (checkpoint_path, tokenizer_path, model, codec, error);
}
