/* hl-extract.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-extract.h"
#include "hl-background.h"

#include "hl-activations-writer.h"
#include "hl-checkpoint.h"
#include "hl-tokenizer.h"
#include "hl-transformer.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows of logits computed at once for the loss, bounding the buffer to
 * LOSS_CHUNK x vocab_size floats. */
#define LOSS_CHUNK 64

G_DEFINE_QUARK (hl-extract-error-quark, hl_extract_error)

HlExtractOptions *
hl_extract_options_new (void)
{
  HlExtractOptions *options = g_new0 (HlExtractOptions, 1);

  options->queries = HL_EXTRACT_QUERIES_LAST;
  options->values_dtype = HL_DTYPE_FLOAT16;
  return options;
}

HlExtractOptions *
hl_extract_options_copy (const HlExtractOptions *options)
{
  HlExtractOptions *copy;

  g_return_val_if_fail (options != NULL, NULL);

  copy = g_memdup2 (options, sizeof *options);
  copy->checkpoint_path = g_strdup (options->checkpoint_path);
  copy->tokenizer_path = g_strdup (options->tokenizer_path);
  copy->text = g_strdup (options->text);
  copy->text_name = g_strdup (options->text_name);
  copy->text_path = g_strdup (options->text_path);
  copy->output_path = g_strdup (options->output_path);
  copy->query_positions = g_memdup2 (options->query_positions,
                                     sizeof (int) * options->n_query_positions);
  return copy;
}

void
hl_extract_options_free (HlExtractOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->checkpoint_path);
  g_free (options->tokenizer_path);
  g_free (options->text);
  g_free (options->text_name);
  g_free (options->text_path);
  g_free (options->output_path);
  g_free (options->query_positions);
  g_free (options);
}

static int
compare_ints (gconstpointer a,
              gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;

  return (x > y) - (x < y);
}

static gboolean
parse_position (const char  *item,
                int         *out,
                GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (item));
  guint64 value;

  if (!g_ascii_string_to_unsigned (stripped, 10, 0, G_MAXINT, &value, NULL))
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_QUERIES,
                   _("query position “%s” is not a number, expected “last”, “all” or positions like 16,100,287"),
                   stripped);
      return FALSE;
    }
  *out = (int) value;
  return TRUE;
}

static gboolean
parse_position_list (const char  *spec,
                     GArray      *positions,
                     GError     **error)
{
  g_auto(GStrv) items = g_strsplit (spec, ",", -1);
  int position;

  if (items[0] == NULL)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_QUERIES,
                   _("the query list is empty, expected “last”, “all” or positions like 16,100,287"));
      return FALSE;
    }
  for (guint i = 0; items[i] != NULL; i++)
    {
      if (!parse_position (items[i], &position, error))
        return FALSE;
      g_array_append_val (positions, position);
    }
  g_array_sort (positions, compare_ints);
  for (guint i = positions->len; i > 1; i--)
    if (g_array_index (positions, int, i - 1) == g_array_index (positions, int, i - 2))
      g_array_remove_index (positions, i - 1);
  return TRUE;
}

gboolean
hl_extract_options_set_queries (HlExtractOptions  *options,
                                const char        *spec,
                                GError           **error)
{
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (int));

  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  g_clear_pointer (&options->query_positions, g_free);
  options->n_query_positions = 0;
  if (g_strcmp0 (spec, "last") == 0)
    options->queries = HL_EXTRACT_QUERIES_LAST;
  else if (g_strcmp0 (spec, "all") == 0)
    options->queries = HL_EXTRACT_QUERIES_ALL;
  else
    {
      if (!parse_position_list (spec, positions, error))
        return FALSE;
      options->queries = HL_EXTRACT_QUERIES_LIST;
      options->n_query_positions = positions->len;
      options->query_positions = (int *) g_array_free (g_steal_pointer (&positions), FALSE);
    }
  return TRUE;
}

static gboolean
check_window (int                      n_text_tokens,
              int                      seq_len,
              const HlExtractOptions  *options,
              GError                 **error)
{
  if (options->window < 0 || options->window == 1 || options->stride < 0 || options->max_samples < 0)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_WINDOW,
                   _("window %d, stride %d and samples %d: expected a window of at least 2 tokens, a stride and a sample count of at least 1, or 0 for their defaults"),
                   options->window, options->stride, options->max_samples);
      return FALSE;
    }
  if (options->window > seq_len)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_LONG,
                   _("a window of %d tokens is longer than the model's seq_len of %d"),
                   options->window, seq_len);
      return FALSE;
    }
  if (options->window > n_text_tokens || n_text_tokens < 2)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_SHORT,
                   _("the text has %d tokens with BOS, fewer than a window of %d"),
                   n_text_tokens, MAX (options->window, 2));
      return FALSE;
    }
  return TRUE;
}

gboolean
hl_extract_plan_windows (int                      n_text_tokens,
                         int                      seq_len,
                         const HlExtractOptions  *options,
                         HlExtractResult         *result,
                         GError                 **error)
{
  int content, windows;

  g_return_val_if_fail (options != NULL && result != NULL, FALSE);

  if (!check_window (n_text_tokens, seq_len, options, error))
    return FALSE;
  content = n_text_tokens - 1;
  result->n_text_tokens = n_text_tokens;
  result->window = options->window > 0 ? options->window : MIN (n_text_tokens, seq_len);
  result->stride = options->stride > 0 ? options->stride : result->window - 1;
  windows = (content - (result->window - 1)) / result->stride + 1;
  if (options->max_samples > 0)
    windows = MIN (windows, options->max_samples);
  result->n_samples = windows;
  result->n_unused_tokens = content - ((windows - 1) * result->stride + result->window - 1);
  return TRUE;
}

/* The query positions of every window as one sorted array. */
static int *
resolve_queries (const HlExtractOptions  *options,
                 int                      window,
                 int                     *n_queries,
                 GError                 **error)
{
  int *positions;

  if (options->queries == HL_EXTRACT_QUERIES_LIST)
    {
      if (options->n_query_positions == 0 || options->query_positions[options->n_query_positions - 1] >= window)
        {
          g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_QUERIES,
                       _("query positions must be between 0 and %d (the window has %d tokens)"),
                       window - 1, window);
          return NULL;
        }
      *n_queries = options->n_query_positions;
      return g_memdup2 (options->query_positions, sizeof (int) * *n_queries);
    }
  *n_queries = options->queries == HL_EXTRACT_QUERIES_ALL ? window : 1;
  positions = g_new (int, *n_queries);
  for (int i = 0; i < *n_queries; i++)
    positions[i] = window - *n_queries + i;
  return positions;
}

/* Everything one extraction uses; lives on the stack of hl_extract_run(),
 * which frees the owned members in extraction_clear(). */
typedef struct
{
  const HlExtractOptions   *options;
  GCancellable             *cancellable;
  HlExtractProgressFunc     progress;
  gpointer                  progress_data;
  HlExtractResult          *result;
  HlCheckpoint             *checkpoint;       /* owned */
  HlTokenizer              *tokenizer;        /* owned */
  HlTransformer            *transformer;      /* owned */
  HlActivationsWriter      *writer;           /* owned */
  const HlCheckpointConfig *config;           /* the checkpoint's */
  int32_t                  *text_tokens;      /* owned, [n_text_tokens] */
  int                      *query_positions;  /* owned, [n_queries] */
  float                    *head_values;      /* owned, [window, head_dim] */
  int                       sample;
  guint64                   done;
  guint64                   total;
  double                    loss_sum;
} Extraction;

static gboolean
open_model (Extraction  *ex,
            GError     **error)
{
  ex->checkpoint = hl_checkpoint_open (ex->options->checkpoint_path, error);
  if (ex->checkpoint == NULL)
    return FALSE;
  ex->config = hl_checkpoint_get_config (ex->checkpoint);
  ex->tokenizer = hl_tokenizer_open (ex->options->tokenizer_path, ex->config->vocab_size, error);
  return ex->tokenizer != NULL;
}

static char *
model_name (const char *checkpoint_path)
{
  g_autofree char *base = g_path_get_basename (checkpoint_path);

  if (g_str_has_suffix (base, ".bin"))
    base[strlen (base) - 4] = '\0';
  return g_steal_pointer (&base);
}

static char *
describe_source (const Extraction *ex)
{
  const HlCheckpointConfig *c = ex->config;
  const HlExtractResult *r = ex->result;
  g_autofree char *checkpoint = g_path_get_basename (ex->options->checkpoint_path);
  g_autofree char *tokenizer = g_path_get_basename (ex->options->tokenizer_path);

  return g_strdup_printf ("%s: %d tokens with BOS; samples %d, window %d (BOS + %d text tokens), "
                          "stride %d, unused tokens %d; llama2.c checkpoint %s (version %d, dim %d, "
                          "hidden_dim %d, %d layers, %d heads, %d kv heads, vocab %d, seq_len %d, "
                          "%s classifier), tokenizer %s",
                          ex->options->text_name != NULL ? ex->options->text_name : "prompt",
                          r->n_text_tokens, r->n_samples, r->window, r->window - 1, r->stride,
                          r->n_unused_tokens, checkpoint, c->version, c->dim, c->hidden_dim,
                          c->n_layers, c->n_heads, c->n_kv_heads, c->vocab_size, c->seq_len,
                          c->shared_classifier ? "shared" : "separate", tokenizer);
}

static gboolean
create_writer (Extraction  *ex,
               GError     **error)
{
  g_autofree char *model = model_name (ex->options->checkpoint_path);
  g_autofree char *source = describe_source (ex);
  const char *inputs[] = {
    ex->options->checkpoint_path, ex->options->tokenizer_path, ex->options->text_path, NULL
  };
  HlActivationsSpec spec = {
    .model = model,
    .source = source,
    .n_layers = ex->config->n_layers,
    .n_heads = ex->config->n_heads,
    .n_kv_heads = ex->config->n_kv_heads,
    .head_dim = ex->config->head_dim,
    .seq_len = ex->result->window,
    .n_samples = ex->result->n_samples,
    .n_queries = ex->result->n_queries,
    .query_positions = ex->query_positions,
    .kv_head_of = NULL,
    .values_dtype = ex->options->values_dtype,
    .attention_dtype = HL_DTYPE_FLOAT32,
    .gzip_level = 0,
    .with_token_ids = TRUE,
    .with_token_texts = TRUE,
    .inputs = inputs,
  };

  ex->writer = hl_activations_writer_new (ex->options->output_path, &spec, error);
  return ex->writer != NULL;
}

static gboolean
write_layer_values (Extraction           *ex,
                    const HlLayerCapture *capture,
                    GError              **error)
{
  const HlCheckpointConfig *c = ex->config;

  for (int g = 0; g < c->n_kv_heads; g++)
    {
      for (int t = 0; t < capture->n_positions; t++)
        memcpy (ex->head_values + (gsize) t * c->head_dim,
                capture->values + (gsize) t * c->kv_dim + g * c->head_dim,
                sizeof (float) * c->head_dim);
      if (!hl_activations_writer_write_values (ex->writer, capture->layer, ex->sample, g,
                                               ex->head_values, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_layer_attention (Extraction           *ex,
                       const HlLayerCapture *capture,
                       GError              **error)
{
  gsize block = (gsize) capture->n_queries * capture->n_positions;

  for (int h = 0; h < ex->config->n_heads; h++)
    if (!hl_activations_writer_write_attention (ex->writer, capture->layer, ex->sample, h,
                                                capture->attention + h * block, error))
      return FALSE;
  return TRUE;
}

static gboolean
layer_done_cb (const HlLayerCapture  *capture,
               gpointer               user_data,
               GError               **error)
{
  Extraction *ex = user_data;

  if (g_cancellable_set_error_if_cancelled (ex->cancellable, error) ||
      !write_layer_values (ex, capture, error) ||
      !write_layer_attention (ex, capture, error))
    return FALSE;
  ex->done++;
  if (ex->progress != NULL)
    ex->progress (ex->done, ex->total, ex->progress_data);
  return TRUE;
}

/* -log softmax(logits)[target], in double for the sum over the vocabulary. */
static double
token_loss (const float *logits,
            int          vocab,
            int          target)
{
  float max = logits[0];
  double sum = 0.0;

  for (int i = 1; i < vocab; i++)
    max = MAX (max, logits[i]);
  for (int i = 0; i < vocab; i++)
    sum += exp ((double) logits[i] - max);
  return log (sum) - ((double) logits[target] - max);
}

/* Adds the next-token losses of positions 0 .. window - 2 of the window
 * just run. */
static void
add_window_loss (Extraction    *ex,
                 const int32_t *tokens)
{
  int vocab = ex->config->vocab_size;
  int rows = ex->result->window - 1;
  g_autofree float *logits = g_new (float, (gsize) MIN (rows, LOSS_CHUNK) * vocab);

  for (int first = 0; first < rows; first += LOSS_CHUNK)
    {
      int n = MIN (LOSS_CHUNK, rows - first);

      hl_transformer_logits (ex->transformer, first, n, logits);
      for (int t = 0; t < n; t++)
        ex->loss_sum += token_loss (logits + (gsize) t * vocab, vocab, tokens[first + t + 1]);
    }
  ex->result->n_predictions += rows;
}

static gboolean
write_tokens (Extraction    *ex,
              const int32_t *tokens,
              GError       **error)
{
  int window = ex->result->window;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_full (window + 1, g_free);

  /* Pieces of byte-level vocabularies can be partial UTF-8; the file
   * stores text, so those bytes become U+FFFD. */
  for (int t = 0; t < window; t++)
    g_ptr_array_add (texts, g_utf8_make_valid (hl_tokenizer_get_piece (ex->tokenizer, tokens[t]), -1));
  g_ptr_array_add (texts, NULL);
  return hl_activations_writer_write_tokens (ex->writer, ex->sample, tokens,
                                             (const char * const *) texts->pdata, error);
}

static gboolean
run_window (Extraction  *ex,
            GError     **error)
{
  int window = ex->result->window;
  g_autofree int32_t *tokens = g_new (int32_t, window);
  gint64 start = g_get_monotonic_time ();

  tokens[0] = HL_TOKEN_BOS;
  memcpy (tokens + 1, ex->text_tokens + 1 + (gsize) ex->sample * ex->result->stride,
          sizeof (int32_t) * (window - 1));
  if (!write_tokens (ex, tokens, error) ||
      !hl_transformer_forward (ex->transformer, tokens, window, 0, ex->query_positions,
                               ex->result->n_queries, layer_done_cb, ex, error))
    return FALSE;
  add_window_loss (ex, tokens);
  ex->result->window_seconds += (g_get_monotonic_time () - start) / 1e6;
  return TRUE;
}

static gboolean
prepare (Extraction  *ex,
         GError     **error)
{
  gsize n_text_tokens;

  if (!open_model (ex, error))
    return FALSE;
  ex->text_tokens = hl_tokenizer_encode (ex->tokenizer, ex->options->text, TRUE, FALSE, &n_text_tokens);
  if (n_text_tokens > G_MAXINT)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_LONG,
                   _("the text has %zu tokens, expected at most %d"),
                   n_text_tokens, G_MAXINT);
      return FALSE;
    }
  if (!hl_extract_plan_windows ((int) n_text_tokens, ex->config->seq_len, ex->options, ex->result, error))
    return FALSE;
  ex->query_positions = resolve_queries (ex->options, ex->result->window, &ex->result->n_queries, error);
  if (ex->query_positions == NULL)
    return FALSE;
  ex->total = (guint64) ex->result->n_samples * ex->config->n_layers;
  ex->transformer = hl_transformer_new (ex->checkpoint, ex->result->window);
  ex->head_values = g_new (float, (gsize) ex->result->window * ex->config->head_dim);
  return create_writer (ex, error);
}

static void
extraction_clear (Extraction *ex)
{
  g_clear_pointer (&ex->writer, hl_activations_writer_free);
  g_clear_pointer (&ex->transformer, hl_transformer_free);
  g_clear_object (&ex->tokenizer);
  g_clear_object (&ex->checkpoint);
  g_clear_pointer (&ex->text_tokens, g_free);
  g_clear_pointer (&ex->query_positions, g_free);
  g_clear_pointer (&ex->head_values, g_free);
}

static gboolean
extract (Extraction  *ex,
         GError     **error)
{
  if (!prepare (ex, error))
    return FALSE;
  for (ex->sample = 0; ex->sample < ex->result->n_samples; ex->sample++)
    if (!run_window (ex, error))
      return FALSE;
  if (!hl_activations_writer_commit (ex->writer, error))
    return FALSE;
  ex->result->loss = ex->loss_sum / MAX (ex->result->n_predictions, 1);
  return TRUE;
}

gboolean
hl_extract_run (const HlExtractOptions  *options,
                GCancellable            *cancellable,
                HlExtractProgressFunc    progress,
                gpointer                 progress_data,
                HlExtractResult         *result,
                GError                 **error)
{
  Extraction ex = { 0 };
  gboolean ok;

  g_return_val_if_fail (options != NULL && result != NULL, FALSE);
  g_return_val_if_fail (options->checkpoint_path != NULL && options->tokenizer_path != NULL, FALSE);
  g_return_val_if_fail (options->text != NULL && options->output_path != NULL, FALSE);
  g_return_val_if_fail (options->values_dtype != HL_DTYPE_FLOAT64, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (result, 0, sizeof *result);
  ex.options = options;
  ex.cancellable = cancellable;
  ex.progress = progress;
  ex.progress_data = progress_data;
  ex.result = result;
  ok = extract (&ex, error);
  extraction_clear (&ex);
  return ok;
}

/* The GTask wrapper: the worker gets its own copy of the options, and
 * progress is bounced to the caller's main context. */
typedef struct
{
  HlExtractOptions      *options;
  HlExtractProgressFunc  progress;
  gpointer               progress_data;
} TaskData;

static void
task_data_free (TaskData *data)
{
  hl_extract_options_free (data->options);
  g_free (data);
}

typedef struct
{
  GTask   *task;   /* owned reference */
  guint64  done;
  guint64  total;
} ProgressUpdate;

static gboolean
progress_update_cb (gpointer user_data)
{
  ProgressUpdate *update = user_data;
  TaskData *data = g_task_get_task_data (update->task);

  /* Updates still queued when the task completed are dropped, so the
   * callback is the last thing the caller hears. */
  if (!g_task_get_completed (update->task))
    data->progress (update->done, update->total, data->progress_data);
  return G_SOURCE_REMOVE;
}

static void
progress_update_free (gpointer user_data)
{
  ProgressUpdate *update = user_data;

  g_object_unref (update->task);
  g_free (update);
}

static void
worker_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  GTask *task = user_data;
  ProgressUpdate *update = g_new (ProgressUpdate, 1);

  update->task = g_object_ref (task);
  update->done = done;
  update->total = total;
  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT,
                              progress_update_cb, update, progress_update_free);
}

static void
extract_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  TaskData *data = task_data;
  g_autofree HlExtractResult *result = g_new0 (HlExtractResult, 1);
  GError *error = NULL;

  if (!hl_extract_run (data->options, cancellable,
                       data->progress != NULL ? worker_progress_cb : NULL, task,
                       result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&result), g_free);
}

void
hl_extract_async (const HlExtractOptions *options,
                  GCancellable           *cancellable,
                  HlExtractProgressFunc   progress,
                  gpointer                progress_data,
                  GAsyncReadyCallback     callback,
                  gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *data;

  g_return_if_fail (options != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hl_extract_async);
  data = g_new0 (TaskData, 1);
  data->options = hl_extract_options_copy (options);
  data->progress = progress;
  data->progress_data = progress_data;
  g_task_set_task_data (task, data, (GDestroyNotify) task_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  /* A cancel that arrives after the file was committed must not report
   * failure for a file that exists: the worker's own result is the truth. */
  g_task_set_check_cancellable (task, FALSE);
  hl_background_run_in_thread (task, extract_thread);
}

gboolean
hl_extract_finish (GAsyncResult     *result,
                   HlExtractResult  *out,
                   GError          **error)
{
  g_autofree HlExtractResult *value = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hl_extract_async, FALSE);

  value = g_task_propagate_pointer (G_TASK (result), error);
  if (value == NULL)
    return FALSE;
  if (out != NULL)
    *out = *value;
  return TRUE;
}
