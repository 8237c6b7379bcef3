/* hl-extract.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-extract.h"
#include "hl-background.h"
#include "hl-file-hash.h"

#include "hl-activations-writer.h"
#include "hl-corpus.h"
#include "hl-model-files.h"
#include "hl-text-codec.h"
#include "hl-transformer.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
  copy->model_dir = g_strdup (options->model_dir);
  copy->corpus_path = g_strdup (options->corpus_path);
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
  g_free (options->model_dir);
  g_free (options->corpus_path);
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
              int                      n_prefix,
              int                      seq_len,
              const HlExtractOptions  *options,
              GError                 **error)
{
  int shortest = MAX (n_prefix + 1, 2);

  if (options->window < 0 || (options->window > 0 && options->window < shortest) ||
      options->stride < 0 || options->max_samples < 0)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_WINDOW,
                   _("window %d, stride %d and samples %d: expected a window of at least %d tokens, a stride and a sample count of at least 1, or 0 for their defaults"),
                   options->window, options->stride, options->max_samples, shortest);
      return FALSE;
    }
  if (seq_len < shortest)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_LONG,
                   _("the model's context of %d tokens is shorter than the smallest window of "
                     "%d (the tokens the tokenizer puts first and one of text)"),
                   seq_len, shortest);
      return FALSE;
    }
  if (options->window > seq_len)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_LONG,
                   _("a window of %d tokens is longer than the model's context of %d"),
                   options->window, seq_len);
      return FALSE;
    }
  if (options->window > n_text_tokens || n_text_tokens < shortest)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_SHORT,
                   _("the text has %d tokens (with %d the tokenizer puts first), fewer than a window of %d"),
                   n_text_tokens, n_prefix, MAX (options->window, shortest));
      return FALSE;
    }
  return TRUE;
}

gboolean
hl_extract_plan_windows (int                      n_text_tokens,
                         int                      n_prefix,
                         int                      seq_len,
                         const HlExtractOptions  *options,
                         HlExtractResult         *result,
                         GError                 **error)
{
  int content, windows, body;

  g_return_val_if_fail (options != NULL && result != NULL, FALSE);
  g_return_val_if_fail (n_prefix >= 0, FALSE);

  if (!check_window (n_text_tokens, n_prefix, seq_len, options, error))
    return FALSE;
  content = n_text_tokens - n_prefix;
  result->n_text_tokens = n_text_tokens;
  result->n_prefix = n_prefix;
  result->window = options->window > 0 ? options->window : MIN (n_text_tokens, seq_len);
  body = result->window - n_prefix;
  result->stride = options->stride > 0 ? options->stride : body;
  windows = (content - body) / result->stride + 1;
  if (options->max_samples > 0)
    windows = MIN (windows, options->max_samples);
  result->n_samples = windows;
  result->n_unused_tokens = content - ((windows - 1) * result->stride + body);
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
  HlModel                  *model;            /* owned */
  HlTextCodec              *codec;            /* owned */
  char                     *config_sha256;    /* owned; NULL for llama2.c */
  char                     *tokenizer_name;   /* owned: its file and kind */
  HlCorpus                 *corpus;           /* owned; NULL for a text */
  HlTransformer            *transformer;      /* owned */
  HlActivationsWriter      *writer;           /* owned */
  const HlModelConfig      *config;           /* the model's */
  const int32_t            *prefix;           /* the codec's */
  int32_t                  *text_tokens;      /* owned, [n_text_tokens], prefix included */
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
  gsize n_prefix;

  if (!hl_model_files_open (ex->options->model_dir, ex->options->checkpoint_path, ex->options->tokenizer_path,
                            &ex->model, &ex->codec, &ex->config_sha256, error))
    return FALSE;
  ex->config = hl_model_get_config (ex->model);
  ex->prefix = hl_text_codec_get_prefix (ex->codec, &n_prefix);
  ex->tokenizer_name = ex->options->model_dir != NULL ?
                       g_strdup_printf ("tokenizer.json (%s)", hl_text_codec_describe (ex->codec)) :
                       g_path_get_basename (ex->options->tokenizer_path);
  ex->result->n_prefix = (int) n_prefix;
  return TRUE;
}

static char *
describe_source (const Extraction *ex)
{
  const HlExtractResult *r = ex->result;
  g_autofree char *what = NULL;

  if (ex->corpus != NULL && ex->options->n_shards > 1)
    what = g_strdup_printf ("corpus %s: %d documents, %d shorter than the window skipped; shard %d of %d: "
                            "samples %d, the usable documents %d to %d of %d, window %d (%d prefix + %d text tokens)",
                            hl_corpus_describe (ex->corpus), r->n_documents, r->n_skipped,
                            ex->options->shard + 1, ex->options->n_shards, r->n_samples, r->first_document,
                            r->first_document + r->n_samples - 1, r->n_usable, r->window, r->n_prefix,
                            r->window - r->n_prefix);
  else if (ex->corpus != NULL)
    what = g_strdup_printf ("corpus %s: %d documents, %d shorter than the window skipped; samples %d, "
                            "window %d (%d prefix + %d text tokens)",
                            hl_corpus_describe (ex->corpus), r->n_documents, r->n_skipped, r->n_samples,
                            r->window, r->n_prefix, r->window - r->n_prefix);
  else
    what = g_strdup_printf ("%s: %d tokens with %d prefix; samples %d, window %d (%d prefix + %d text tokens), "
                            "stride %d, unused tokens %d",
                            ex->options->text_name != NULL ? ex->options->text_name : "prompt",
                            r->n_text_tokens, r->n_prefix, r->n_samples, r->window, r->n_prefix,
                            r->window - r->n_prefix, r->stride, r->n_unused_tokens);
  return g_strdup_printf ("%s; %s, tokenizer %s", what, hl_model_get_description (ex->model),
                          ex->tokenizer_name);
}

static gboolean
write_provenance (Extraction  *ex,
                  GError     **error)
{
  const char *path = ex->options->model_dir != NULL ? ex->options->model_dir : ex->options->checkpoint_path;
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *checkpoint_sha256 = NULL;

  /* A checkpoint is one file: its hash tells whether a file found later
   * (the app's causal tests) is the same model. */
  if (ex->options->model_dir == NULL &&
      (checkpoint_sha256 = hl_file_sha256 (ex->options->checkpoint_path, error)) == NULL)
    return FALSE;
  return hl_activations_writer_set_string_attribute (ex->writer, "model_path", absolute, error) &&
         (checkpoint_sha256 == NULL ||
          hl_activations_writer_set_string_attribute (ex->writer, "model_sha256", checkpoint_sha256, error)) &&
         hl_activations_writer_set_string_attribute (ex->writer, "model_type", ex->config->model_type, error) &&
         hl_activations_writer_set_string_attribute (ex->writer, "tokenizer", ex->tokenizer_name, error) &&
         (ex->config_sha256 == NULL ||
          hl_activations_writer_set_string_attribute (ex->writer, "model_config_sha256", ex->config_sha256, error));
}

/* The files the output may not replace: the model's, the text or corpus. */
static GPtrArray *
input_files (const HlExtractOptions *options)
{
  static const char * const model_files[] = {
    "config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors",
    "model.safetensors.index.json",
  };
  GPtrArray *inputs = g_ptr_array_new_with_free_func (g_free);
  const char *paths[] = {
    options->checkpoint_path, options->tokenizer_path, options->text_path, options->corpus_path,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    if (paths[i] != NULL)
      g_ptr_array_add (inputs, g_strdup (paths[i]));
  for (gsize i = 0; options->model_dir != NULL && i < G_N_ELEMENTS (model_files); i++)
    g_ptr_array_add (inputs, g_build_filename (options->model_dir, model_files[i], NULL));
  g_ptr_array_add (inputs, NULL);
  return inputs;
}

static gboolean
create_writer (Extraction  *ex,
               GError     **error)
{
  g_autofree char *source = describe_source (ex);
  g_autoptr(GPtrArray) inputs = input_files (ex->options);
  HlActivationsSpec spec = {
    .model = hl_model_get_name (ex->model),
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
    .inputs = (const char * const *) inputs->pdata,
  };

  ex->writer = hl_activations_writer_new (ex->options->output_path, &spec, error);
  return ex->writer != NULL && write_provenance (ex, error);
}

static gboolean
write_layer_values (Extraction           *ex,
                    const HlLayerCapture *capture,
                    GError              **error)
{
  const HlModelConfig *c = ex->config;

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

/* Adds the next-token losses of positions 0 .. window - 2 of the window
 * just run. */
static void
add_window_loss (Extraction    *ex,
                 const int32_t *tokens)
{
  int rows = ex->result->window - 1;
  g_autofree double *nll = g_new (double, rows);

  hl_transformer_nll (ex->transformer, 0, rows, tokens + 1, nll);
  for (int t = 0; t < rows; t++)
    ex->loss_sum += nll[t];
  ex->result->n_predictions += rows;
}

static gboolean
write_tokens (Extraction    *ex,
              const int32_t *tokens,
              GError       **error)
{
  int window = ex->result->window;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_full (window + 1, g_free);

  for (int t = 0; t < window; t++)
    g_ptr_array_add (texts, hl_text_codec_token_text (ex->codec, tokens[t]));
  g_ptr_array_add (texts, NULL);
  return hl_activations_writer_write_tokens (ex->writer, ex->sample, tokens,
                                             (const char * const *) texts->pdata, error);
}

/* Runs the window @tokens [window] as sample ex->sample. */
static gboolean
run_tokens (Extraction     *ex,
            const int32_t  *tokens,
            GError        **error)
{
  gint64 start = g_get_monotonic_time ();

  if (!write_tokens (ex, tokens, error) ||
      !hl_transformer_forward (ex->transformer, tokens, ex->result->window, 0, ex->query_positions,
                               ex->result->n_queries, layer_done_cb, ex, error))
    return FALSE;
  add_window_loss (ex, tokens);
  ex->result->window_seconds += (g_get_monotonic_time () - start) / 1e6;
  return TRUE;
}

/* The prefix and the text's tokens. */
static int32_t *
encode_with_prefix (HlTextCodec  *codec,
                    const char   *text,
                    gsize        *n_tokens,
                    GError      **error)
{
  gsize n_text, n_prefix;
  const int32_t *prefix = hl_text_codec_get_prefix (codec, &n_prefix);
  g_autofree int32_t *text_tokens = hl_text_codec_encode (codec, text, &n_text);
  int32_t *tokens;

  if (n_text + n_prefix > G_MAXINT)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_LONG,
                   _("the text has %zu tokens, expected at most %d"), n_text, G_MAXINT - (int) n_prefix);
      return NULL;
    }
  tokens = g_new (int32_t, n_text + n_prefix);
  memcpy (tokens, prefix, sizeof (int32_t) * n_prefix);
  memcpy (tokens + n_prefix, text_tokens, sizeof (int32_t) * n_text);
  *n_tokens = n_text + n_prefix;
  return tokens;
}

static int32_t *
encode (Extraction  *ex,
        const char  *text,
        gsize       *n_tokens,
        GError     **error)
{
  return encode_with_prefix (ex->codec, text, n_tokens, error);
}

/* Sample @sample of @plan: the prefix, then the window's text tokens. */
static void
fill_window (const int32_t         *text_tokens,
             const HlExtractResult *plan,
             int                    sample,
             int32_t               *out)
{
  memcpy (out, text_tokens, sizeof (int32_t) * plan->n_prefix);
  memcpy (out + plan->n_prefix, text_tokens + plan->n_prefix + (gsize) sample * plan->stride,
          sizeof (int32_t) * (plan->window - plan->n_prefix));
}

int32_t *
hl_extract_text_windows (HlTextCodec             *codec,
                         const char              *text,
                         int                      seq_len,
                         const HlExtractOptions  *options,
                         HlExtractResult         *plan,
                         GError                 **error)
{
  gsize n_tokens, n_prefix;
  g_autofree int32_t *tokens = NULL;
  int32_t *windows;

  g_return_val_if_fail (codec != NULL && text != NULL && options != NULL && plan != NULL, NULL);

  memset (plan, 0, sizeof *plan);
  hl_text_codec_get_prefix (codec, &n_prefix);
  tokens = encode_with_prefix (codec, text, &n_tokens, error);
  if (tokens == NULL ||
      !hl_extract_plan_windows ((int) n_tokens, (int) n_prefix, seq_len, options, plan, error))
    return NULL;
  windows = g_new (int32_t, (gsize) plan->n_samples * plan->window);
  for (int k = 0; k < plan->n_samples; k++)
    fill_window (tokens, plan, k, windows + (gsize) k * plan->window);
  return windows;
}

static gboolean
run_window (Extraction  *ex,
            GError     **error)
{
  g_autofree int32_t *tokens = g_new (int32_t, ex->result->window);

  fill_window (ex->text_tokens, ex->result, ex->sample, tokens);
  return run_tokens (ex, tokens, error);
}

static gboolean
prepare_outputs (Extraction  *ex,
                 GError     **error)
{
  ex->query_positions = resolve_queries (ex->options, ex->result->window, &ex->result->n_queries, error);
  if (ex->query_positions == NULL)
    return FALSE;
  ex->total = (guint64) ex->result->n_samples * ex->config->n_layers;
  ex->transformer = hl_transformer_new (ex->model, ex->result->window);
  ex->head_values = g_new (float, (gsize) ex->result->window * ex->config->head_dim);
  return create_writer (ex, error);
}

static gboolean
extract_text (Extraction  *ex,
              GError     **error)
{
  gsize n_text_tokens;

  ex->text_tokens = encode (ex, ex->options->text, &n_text_tokens, error);
  if (ex->text_tokens == NULL ||
      !hl_extract_plan_windows ((int) n_text_tokens, ex->result->n_prefix, ex->config->max_positions,
                                ex->options, ex->result, error) ||
      !prepare_outputs (ex, error))
    return FALSE;
  for (ex->sample = 0; ex->sample < ex->result->n_samples; ex->sample++)
    if (!run_window (ex, error))
      return FALSE;
  return TRUE;
}

/* Reads the next document with at least one window of tokens: its first
 * window into @tokens. FALSE at the end (no error) or on an error. */
static gboolean
next_document (Extraction  *ex,
               int32_t     *tokens,
               GError     **error)
{
  for (;;)
    {
      g_autofree char *name = NULL;
      g_autofree char *text = NULL;
      g_autofree int32_t *ids = NULL;
      gsize n;

      if (!hl_corpus_next (ex->corpus, &name, &text, error))
        return FALSE;
      ids = encode (ex, text, &n, error);
      if (ids == NULL)
        return FALSE;
      if (n >= (gsize) ex->result->window)
        {
          memcpy (tokens, ids, sizeof (int32_t) * ex->result->window);
          return TRUE;
        }
      ex->result->n_skipped++;
    }
}

static gboolean
check_corpus_window (Extraction  *ex,
                     GError     **error)
{
  int window = ex->options->window;

  if (window <= ex->result->n_prefix || window > ex->config->max_positions)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_WINDOW,
                   _("a corpus needs a window (--seq-len) of %d to %d tokens, found %d"),
                   ex->result->n_prefix + 1, ex->config->max_positions, window);
      return FALSE;
    }
  ex->result->window = window;
  ex->result->stride = window - ex->result->n_prefix;
  return TRUE;
}

/* Two passes over the corpus: the first counts the documents long enough
 * for a window (the file's shape needs the count), the second runs them.
 * Only one document's tokens and activations are in memory at a time. */
static gboolean
count_documents (Extraction  *ex,
                 GError     **error)
{
  g_autofree int32_t *tokens = g_new (int32_t, ex->result->window);
  GError *local_error = NULL;

  while (next_document (ex, tokens, &local_error))
    ex->result->n_samples++;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  ex->result->n_documents = ex->result->n_samples + ex->result->n_skipped;
  if (ex->result->n_samples == 0)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_TOO_SHORT,
                   _("none of the %d documents of the corpus has %d tokens (a window), so there is nothing to extract"),
                   ex->result->n_documents, ex->result->window);
      return FALSE;
    }
  return hl_corpus_rewind (ex->corpus, error);
}

void
hl_extract_shard_range (int  n,
                        int  shard,
                        int  n_shards,
                        int *first,
                        int *count)
{
  g_return_if_fail (n >= 0 && n_shards >= 1 && shard >= 0 && shard < n_shards);

  *first = (int) ((gint64) n * shard / n_shards);
  *count = (int) ((gint64) n * (shard + 1) / n_shards) - *first;
}

/* This run's part of the usable documents: all of them, or its shard's. */
static gboolean
choose_shard (Extraction  *ex,
              GError     **error)
{
  const HlExtractOptions *o = ex->options;
  HlExtractResult *r = ex->result;

  r->n_usable = r->n_samples;
  if (o->n_shards <= 1)
    return TRUE;
  hl_extract_shard_range (r->n_usable, o->shard, o->n_shards, &r->first_document, &r->n_samples);
  if (r->n_samples > 0)
    return TRUE;
  g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_CORPUS,
               _("the corpus has %d documents with a window for %d shards: each shard needs "
                 "at least one"), r->n_usable, o->n_shards);
  return FALSE;
}

/* Reads past the usable documents before the shard's first. */
static gboolean
skip_documents (Extraction  *ex,
                int32_t     *tokens,
                GError     **error)
{
  for (int i = 0; i < ex->result->first_document; i++)
    if (!next_document (ex, tokens, error))
      return FALSE;
  return TRUE;
}

static gboolean
extract_corpus (Extraction  *ex,
                GError     **error)
{
  g_autofree int32_t *tokens = NULL;
  int n_skipped;

  ex->corpus = hl_corpus_open (ex->options->corpus_path, error);
  if (ex->corpus == NULL || !check_corpus_window (ex, error) || !count_documents (ex, error) ||
      !choose_shard (ex, error) || !prepare_outputs (ex, error))
    return FALSE;
  tokens = g_new (int32_t, ex->result->window);
  /* The first pass counted the short documents of the whole corpus. */
  n_skipped = ex->result->n_skipped;
  if (!skip_documents (ex, tokens, error))
    return FALSE;
  for (ex->sample = 0; ex->sample < ex->result->n_samples; ex->sample++)
    if (!next_document (ex, tokens, error) || !run_tokens (ex, tokens, error))
      {
        if (error != NULL && *error == NULL)
          g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_CORPUS,
                       _("the corpus changed while it was read (fewer documents on the second pass)"));
        return FALSE;
      }
  ex->result->n_skipped = n_skipped;
  return TRUE;
}

static void
extraction_clear (Extraction *ex)
{
  g_clear_pointer (&ex->writer, hl_activations_writer_free);
  g_clear_pointer (&ex->transformer, hl_transformer_free);
  g_clear_pointer (&ex->codec, hl_text_codec_free);
  g_clear_pointer (&ex->corpus, hl_corpus_free);
  g_clear_object (&ex->model);
  g_clear_pointer (&ex->config_sha256, g_free);
  g_clear_pointer (&ex->tokenizer_name, g_free);
  g_clear_pointer (&ex->text_tokens, g_free);
  g_clear_pointer (&ex->query_positions, g_free);
  g_clear_pointer (&ex->head_values, g_free);
}

/* Everything but the commit. */
static gboolean
extract_windows (Extraction  *ex,
                 GError     **error)
{
  if (!open_model (ex, error) ||
      !(ex->options->corpus_path != NULL ? extract_corpus (ex, error) : extract_text (ex, error)))
    return FALSE;
  ex->result->loss = ex->loss_sum / MAX (ex->result->n_predictions, 1);
  return hl_activations_writer_set_double_attribute (ex->writer, "loss_nats_per_token", ex->result->loss, error);
}

static gboolean
extract (Extraction  *ex,
         GError     **error)
{
  g_autoptr(GError) failure = NULL;
  gboolean ok = extract_windows (ex, &failure);

  if (ex->options->before_commit != NULL
      && !ex->options->before_commit (failure, ex->options->before_commit_data, error))
    {
      /* The gate's own error, else the extraction's. */
      if (error != NULL && *error == NULL && failure != NULL)
        g_propagate_error (error, g_steal_pointer (&failure));
      return FALSE;
    }
  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&failure));
      return FALSE;
    }
  return hl_activations_writer_commit (ex->writer, error);
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
  g_return_val_if_fail (options->model_dir != NULL ||
                        (options->checkpoint_path != NULL && options->tokenizer_path != NULL), FALSE);
  g_return_val_if_fail ((options->text != NULL) != (options->corpus_path != NULL), FALSE);
  g_return_val_if_fail (options->output_path != NULL, FALSE);
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

static void
worker_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  GTask *task = user_data;
  TaskData *data = g_task_get_task_data (task);

  hl_background_post_progress (task, data->progress, data->progress_data, done, total);
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
