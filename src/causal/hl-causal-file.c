/* hl-causal-file.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-file.h"

#include <glib/gi18n.h>

#include "hl-checkpoint.h"
#include "hl-file-hash.h"
#include "hl-hf-model.h"

static gboolean
model_error (GError    **error,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
model_error (GError    **error,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_MODEL, format, args));
  va_end (args);
  return FALSE;
}

/* @sha256 against the one @file recorded (none recorded: nothing to check). */
static gboolean
check_hash (const HlActivationsInfo  *info,
            const char               *path,
            const char               *what,
            const char               *sha256,
            HlCausalModelProblem     *problem,
            GError                  **error)
{
  if (info->model_sha256 == NULL || g_ascii_strcasecmp (info->model_sha256, sha256) == 0)
    return TRUE;
  *problem = HL_CAUSAL_MODEL_CHANGED;
  return model_error (error, _("“%s” is not the model the file was extracted with: the SHA-256 of %s is %s, "
                               "the file recorded %s"), path, what, sha256, info->model_sha256);
}

static HlModel *
open_directory (const HlActivationsInfo  *info,
                const char               *path,
                HlCausalModelProblem     *problem,
                GError                  **error)
{
  g_autoptr(HlModel) model = NULL;
  g_autoptr(HlTextCodec) codec = NULL;
  g_autofree char *sha256 = NULL;

  if (!hl_hf_model_open (path, &model, &codec, &sha256, error))
    {
      *problem = HL_CAUSAL_MODEL_UNREADABLE;
      return NULL;
    }
  if (!check_hash (info, path, "config.json", sha256, problem, error))
    return NULL;
  return g_steal_pointer (&model);
}

static HlModel *
open_checkpoint (const HlActivationsInfo  *info,
                 const char               *path,
                 HlCausalModelProblem     *problem,
                 GError                  **error)
{
  g_autoptr(HlCheckpoint) checkpoint = NULL;
  g_autofree char *sha256 = hl_file_sha256 (path, error);

  *problem = HL_CAUSAL_MODEL_UNREADABLE;
  if (sha256 == NULL || !check_hash (info, path, _("the checkpoint"), sha256, problem, error))
    return NULL;
  checkpoint = hl_checkpoint_open (path, error);
  if (checkpoint == NULL)
    return NULL;
  *problem = HL_CAUSAL_MODEL_OK;
  return hl_model_new_from_checkpoint (checkpoint);
}

static gboolean
check_shape (const HlActivationsInfo  *info,
             HlModel                  *model,
             const char               *path,
             GError                  **error)
{
  const HlModelConfig *c = hl_model_get_config (model);

  if (c->n_layers == info->n_layers && c->n_heads == info->n_heads && c->head_dim == info->head_dim)
    return TRUE;
  return model_error (error, _("“%s” has %d layers of %d heads of size %d, the file %d layers of %d heads "
                               "of size %d"), path, c->n_layers, c->n_heads, c->head_dim,
                      info->n_layers, info->n_heads, info->head_dim);
}

HlModel *
hl_causal_file_open_model (HlActivations  *file,
                           const char     *path,
                           GError        **error)
{
  return hl_causal_file_open_model_full (file, path, NULL, error);
}

const char *
hl_causal_file_find_model (HlActivations        *file,
                           const char           *path,
                           HlCausalModelProblem *problem,
                           GError              **error)
{
  HlCausalModelProblem unused;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (file), NULL);

  problem = problem != NULL ? problem : &unused;
  *problem = HL_CAUSAL_MODEL_OK;
  path = path != NULL ? path : hl_activations_get_info (file)->model_path;
  if (path == NULL)
    {
      *problem = HL_CAUSAL_MODEL_NOT_RECORDED;
      model_error (error, _("The file does not say which model it was extracted with (a file Headlens "
                            "extracts records it); choose the model"));
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      *problem = HL_CAUSAL_MODEL_NOT_FOUND;
      model_error (error, _("The model the file was extracted with, “%s”, is not there any more; "
                            "choose where it is now"), path);
      return NULL;
    }
  return path;
}

HlModel *
hl_causal_file_open_model_full (HlActivations        *file,
                                const char           *path,
                                HlCausalModelProblem *problem,
                                GError              **error)
{
  const HlActivationsInfo *info;
  g_autoptr(HlModel) model = NULL;
  HlCausalModelProblem unused;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  problem = problem != NULL ? problem : &unused;
  info = hl_activations_get_info (file);
  path = hl_causal_file_find_model (file, path, problem, error);
  if (path == NULL)
    return NULL;
  model = g_file_test (path, G_FILE_TEST_IS_DIR) ? open_directory (info, path, problem, error)
                                                 : open_checkpoint (info, path, problem, error);
  if (model == NULL)
    return NULL;
  if (!check_shape (info, model, path, error))
    {
      *problem = HL_CAUSAL_MODEL_CHANGED;
      return NULL;
    }
  return g_steal_pointer (&model);
}

typedef struct
{
  HlActivations        *file;      /* owned */
  char                 *path;      /* NULL: the recorded one */
  HlCausalModelProblem  problem;   /* set by the worker */
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_object_unref (data->file);
  g_free (data->path);
  g_free (data);
}

static void
open_model_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;
  HlModel *model = hl_causal_file_open_model_full (data->file, data->path, &data->problem, &error);

  if (model == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, model, g_object_unref);
}

void
hl_causal_file_open_model_async (HlActivations       *file,
                                 const char          *path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (HL_IS_ACTIVATIONS (file));

  data = g_new0 (OpenData, 1);
  data->file = g_object_ref (file);
  data->path = g_strdup (path);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hl_causal_file_open_model_async);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_model_thread);
}

HlModel *
hl_causal_file_open_model_finish (GAsyncResult         *result,
                                  HlCausalModelProblem *problem,
                                  GError              **error)
{
  OpenData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (problem != NULL)
    *problem = data->problem;
  return g_task_propagate_pointer (G_TASK (result), error);
}

HlCausalText *
hl_causal_file_new_text (HlModel        *model,
                         HlActivations  *file,
                         GError        **error)
{
  const HlActivationsInfo *info;
  g_autofree int32_t *tokens = NULL;

  g_return_val_if_fail (HL_IS_MODEL (model), NULL);
  g_return_val_if_fail (HL_IS_ACTIVATIONS (file), NULL);

  info = hl_activations_get_info (file);
  if (!info->has_token_ids)
    {
      g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_TEXT,
                   _("The file stores no token ids, so the text its model ran on is unknown"));
      return NULL;
    }
  tokens = g_new (int32_t, (gsize) info->n_samples * info->seq_len);
  for (int s = 0; s < info->n_samples; s++)
    if (!hl_activations_read_token_ids (file, s, tokens + (gsize) s * info->seq_len, error))
      return NULL;
  return hl_causal_text_new (model, tokens, info->n_samples, info->seq_len, error);
}
