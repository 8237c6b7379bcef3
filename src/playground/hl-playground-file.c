/* hl-playground-file.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-playground-file.h"
#include "hl-background.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hl-activations-writer.h"

/* More heads than this would be a model, which `headlens-cli synth` makes
 * better. */
#define MAX_HEADS 64

static void
fill_spec (const HlSynthHeadParams *params,
           int                      n_heads,
           const char              *source,
           const int               *query,
           HlActivationsSpec       *spec)
{
  memset (spec, 0, sizeof *spec);
  spec->model = HL_PLAYGROUND_MODEL_NAME;
  spec->source = source;
  spec->n_layers = 1;
  spec->n_heads = n_heads;
  spec->n_kv_heads = n_heads;
  spec->head_dim = params->head_dim;
  spec->seq_len = params->n_keys;
  spec->n_samples = 1;
  spec->n_queries = 1;
  spec->query_positions = query;
  /* float32 for both, so the explorer analyses exactly the playground's
   * numbers. */
  spec->values_dtype = HL_DTYPE_FLOAT32;
  spec->attention_dtype = HL_DTYPE_FLOAT32;
}

/* Where the file came from, in words a reader of the file understands. */
static char *
describe_source (const HlSynthHeadParams *params)
{
  return g_strdup_printf ("Headlens playground: %s profile, seq_len %d, head_dim %d, "
                          "lambda %g, beta %g, CV %g, rho0 %g, seed %" G_GUINT64_FORMAT,
                          hl_synth_profile_to_string (params->profile), params->n_keys,
                          params->head_dim, params->sink_lambda, params->beta,
                          params->norm_cv, params->sink_similarity, params->seed);
}

static gboolean
write_head (HlActivationsWriter     *writer,
            const HlSynthHeadParams *params,
            int                      head,
            GError                 **error)
{
  HlSynthHeadParams p = *params;
  g_autoptr(HlSynthHead) synth = NULL;

  p.seed = params->seed + (guint64) head;
  synth = hl_synth_head_generate (&p, NULL, 0, error);
  return synth != NULL
         && hl_activations_writer_write_values (writer, 0, 0, head, synth->values, error)
         && hl_activations_writer_write_attention (writer, 0, 0, head, synth->attention,
                                                   error);
}

/* /synth/regime [1, n_heads], as `headlens-cli synth` writes it: the
 * pattern of the playground's preset when its profile is exactly one,
 * else -1 (nothing planted), so a regime plot of the file says what was
 * put in. */
static gboolean
write_planted (HlActivationsWriter     *writer,
               const HlSynthHeadParams *params,
               int                      n_heads,
               GError                 **error)
{
  g_autofree int32_t *patterns = g_new (int32_t, n_heads);
  const gsize dims[2] = { 1, n_heads };
  HlRegime preset;
  int32_t value = hl_synth_head_params_find_preset (params, &preset) ? (int32_t) preset : -1;

  for (int head = 0; head < n_heads; head++)
    patterns[head] = value;
  return hl_activations_writer_write_int_dataset (writer, "/synth/regime", 2, dims, patterns,
                                                  error);
}

gboolean
hl_playground_write_activations (const HlSynthHeadParams *params,
                                 int                      n_heads,
                                 const char              *path,
                                 GError                 **error)
{
  g_autoptr(HlActivationsWriter) writer = NULL;
  g_autofree char *source = NULL;
  HlActivationsSpec spec;
  int query;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_heads < 1 || n_heads > MAX_HEADS)
    {
      g_set_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID,
                   _("The number of heads is %d, expected 1 to %d"), n_heads, MAX_HEADS);
      return FALSE;
    }
  if (!hl_synth_head_params_validate (params, error))
    return FALSE;

  query = params->n_keys - 1;
  source = describe_source (params);
  fill_spec (params, n_heads, source, &query, &spec);
  writer = hl_activations_writer_new (path, &spec, error);
  if (writer == NULL)
    return FALSE;
  for (int head = 0; head < n_heads; head++)
    if (!write_head (writer, params, head, error))
      return FALSE;
  return write_planted (writer, params, n_heads, error)
         && hl_activations_writer_commit (writer, error);
}

typedef struct
{
  HlSynthHeadParams  params;
  int                n_heads;
  char              *path;
} WriteData;

static void
write_data_free (gpointer data)
{
  WriteData *wd = data;

  g_free (wd->path);
  g_free (wd);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteData *wd = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (hl_playground_write_activations (&wd->params, wd->n_heads, wd->path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
hl_playground_write_activations_async (const HlSynthHeadParams *params,
                                       int                      n_heads,
                                       const char              *path,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  WriteData *wd;

  g_return_if_fail (params != NULL);
  g_return_if_fail (path != NULL);

  wd = g_new0 (WriteData, 1);
  wd->params = *params;
  wd->n_heads = n_heads;
  wd->path = g_strdup (path);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hl_playground_write_activations_async);
  g_task_set_task_data (task, wd, write_data_free);
  hl_background_run_in_thread (task, write_thread);
}

gboolean
hl_playground_write_activations_finish (GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
