/* hl-cli-extract.c: `headlens-cli extract`, activations from a Hugging Face
 * model directory or a llama2.c checkpoint, over a text or a corpus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli.h"
#include "hl-cli-mpi.h"

#include "hl-extract.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct
{
  char *checkpoint;
  char *tokenizer;
  char *model;
  char *corpus;
  char *text_file;
  char *prompt;
  char *queries;
  char *values_dtype;
  char *output;
  int   window;
  int   stride;
  int   samples;
} ExtractArgs;

static void
extract_args_clear (ExtractArgs *args)
{
  g_free (args->checkpoint);
  g_free (args->tokenizer);
  g_free (args->model);
  g_free (args->corpus);
  g_free (args->text_file);
  g_free (args->prompt);
  g_free (args->queries);
  g_free (args->values_dtype);
  g_free (args->output);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ExtractArgs, extract_args_clear)

static gboolean
parse_args (ExtractArgs   *args,
            int           *argc,
            char        ***argv,
            GError       **error)
{
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &args->model, N_("Hugging Face model directory (config.json, *.safetensors, tokenizer.json)"), N_("DIR") },
    { "checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &args->checkpoint, N_("llama2.c checkpoint (version 0 or 1)"), N_("MODEL.bin") },
    { "tokenizer", 0, 0, G_OPTION_ARG_FILENAME, &args->tokenizer, N_("llama2.c tokenizer of the model"), N_("TOKENIZER.bin") },
    { "text-file", 0, 0, G_OPTION_ARG_FILENAME, &args->text_file, N_("UTF-8 text to run the model on"), N_("FILE") },
    { "prompt", 0, 0, G_OPTION_ARG_FILENAME, &args->prompt, N_("text given on the command line instead of a file"), N_("TEXT") },
    { "corpus", 0, 0, G_OPTION_ARG_FILENAME, &args->corpus, N_("a folder of .txt files or a JSONL file with a \"text\" field: one sample per document"), N_("PATH") },
    { "window", 0, 0, G_OPTION_ARG_INT, &args->window, N_("tokens per sample, the tokenizer's BOS included (default: the whole text, at most the model's context)"), N_("T") },
    { "seq-len", 0, 0, G_OPTION_ARG_INT, &args->window, N_("the same as --window (required with --corpus)"), N_("T") },
    { "stride", 0, 0, G_OPTION_ARG_INT, &args->stride, N_("text tokens between the starts of two windows (default: T minus the BOS the tokenizer adds, no overlap)"), N_("S") },
    { "samples", 0, 0, G_OPTION_ARG_INT, &args->samples, N_("at most this many windows (default: all full windows)"), N_("K") },
    { "queries", 0, 0, G_OPTION_ARG_STRING, &args->queries, N_("query positions whose attention rows are stored: last (default), all, or a list like 16,100,287"), N_("last|all|LIST") },
    { "values-dtype", 0, 0, G_OPTION_ARG_STRING, &args->values_dtype, N_("storage type of the values (default f16)"), N_("f16|f32") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args->output, N_("activation file to write"), N_("OUT.h5") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hl_cli_context_new ("extract", NULL,
    _("Runs a Hugging Face model directory or a llama2.c model on a text or a corpus and writes its activations."));
  int n_inputs;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  n_inputs = (args->text_file != NULL) + (args->prompt != NULL) + (args->corpus != NULL);
  if ((args->model == NULL) == (args->checkpoint == NULL) || (args->checkpoint == NULL) != (args->tokenizer == NULL) ||
      args->output == NULL || n_inputs != 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("extract needs either --model or --checkpoint with --tokenizer, -o, and exactly one of --text-file, --prompt and --corpus"));
      return FALSE;
    }
  if (args->corpus != NULL && args->window <= 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("--corpus needs --seq-len (the tokens of each document's sample)"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_text (const ExtractArgs  *args,
           HlExtractOptions   *options,
           GError            **error)
{
  if (args->corpus != NULL)
    {
      options->corpus_path = g_strdup (args->corpus);
      return TRUE;
    }
  if (args->prompt != NULL)
    {
      options->text = g_strdup (args->prompt);
      return hl_cli_check_utf8 ("--prompt", args->prompt, error);
    }
  options->text = hl_cli_read_text_file (args->text_file, NULL, error);
  if (options->text == NULL)
    return FALSE;
  options->text_name = g_path_get_basename (args->text_file);
  options->text_path = g_strdup (args->text_file);
  return TRUE;
}

static gboolean
parse_dtype (const char  *name,
             HlDtype     *out,
             GError     **error)
{
  if (name == NULL || g_strcmp0 (name, "f16") == 0)
    *out = HL_DTYPE_FLOAT16;
  else if (g_strcmp0 (name, "f32") == 0)
    *out = HL_DTYPE_FLOAT32;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--values-dtype is “%s”, expected f16 or f32"), name);
      return FALSE;
    }
  return TRUE;
}

static HlExtractOptions *
build_options (const ExtractArgs  *args,
               GError            **error)
{
  g_autoptr(HlExtractOptions) options = hl_extract_options_new ();

  options->checkpoint_path = g_strdup (args->checkpoint);
  options->tokenizer_path = g_strdup (args->tokenizer);
  options->model_dir = g_strdup (args->model);
  options->output_path = g_strdup (args->output);
  options->window = args->window;
  options->stride = args->stride;
  options->max_samples = args->samples;
  if (!read_text (args, options, error) ||
      !parse_dtype (args->values_dtype, &options->values_dtype, error) ||
      (args->queries != NULL && !hl_extract_options_set_queries (options, args->queries, error)))
    return NULL;
  return g_steal_pointer (&options);
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  hl_cli_progress_update (user_data, done, total);
}

static void
print_summary (const HlExtractOptions *options,
               const HlExtractResult  *result)
{
  double tokens = (double) result->n_samples * result->window;

  printf (ngettext ("Wrote %s: %d window of %d tokens", "Wrote %s: %d windows of %d tokens",
                    result->n_samples),
          options->output_path, result->n_samples, result->window);
  if (options->corpus_path != NULL)
    printf (_(" (%d prefix + %d text tokens), one per document of %d; %d shorter documents skipped;"),
            result->n_prefix, result->window - result->n_prefix, result->n_documents, result->n_skipped);
  else
    printf (_(" (%d prefix + %d text tokens, stride %d) from a text of %d tokens with the prefix, %d unused;"),
            result->n_prefix, result->window - result->n_prefix, result->stride, result->n_text_tokens,
            result->n_unused_tokens);
  printf (_(" %d query positions; values %s\n"), result->n_queries, hl_dtype_to_string (options->values_dtype));
  printf (_("Next-token loss: %.4f nats per token over %" PRId64 " predictions\n"),
          result->loss, result->n_predictions);
  printf (_("Throughput: %.0f tokens per second (forward pass, loss and writing)\n"),
          result->window_seconds > 0 ? tokens / result->window_seconds : 0.0);
}

/* MPI ranks: each extracts its shard of the corpus into a file of its own,
 * OUT-0000r-of-0000K.h5 beside OUT.h5 (a folder or list of them analyses
 * as one corpus equal to OUT.h5), and commits it only when every rank has
 * written its shard. */
static char *
shard_path (const char *output,
            int         shard,
            int         n_shards)
{
  const char *dot = strrchr (output, '.');
  const char *slash = strrchr (output, G_DIR_SEPARATOR);
  gsize stem = dot != NULL && (slash == NULL || dot > slash) ? (gsize) (dot - output) : strlen (output);

  return g_strdup_printf ("%.*s-%05d-of-%05d%s", (int) stem, output, shard + 1, n_shards,
                          output + stem);
}

static gboolean
ranks_agree_cb (const GError *failure,
                gpointer      user_data,
                GError      **error)
{
  g_autoptr(GPtrArray) payloads = NULL;

  return hl_cli_mpi_gather (NULL, failure, &payloads, error);
}

static gboolean
split_across_ranks (ExtractArgs       *args,
                    HlExtractOptions  *options,
                    GError           **error)
{
  int n = hl_cli_mpi_size ();

  if (n <= 1)
    return TRUE;
  if (args->corpus == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("only a corpus (--corpus) can be split across MPI ranks: run extract "
                     "without mpirun for a text"));
      return FALSE;
    }
  options->shard = hl_cli_mpi_rank ();
  options->n_shards = n;
  g_free (options->output_path);
  options->output_path = shard_path (args->output, options->shard, n);
  options->before_commit = ranks_agree_cb;
  return TRUE;
}

static void
print_shards (const ExtractArgs *args)
{
  int n = hl_cli_mpi_size ();
  g_autofree char *first = shard_path (args->output, 0, n);
  g_autofree char *last = shard_path (args->output, n - 1, n);

  printf (ngettext ("%d shard, one per MPI rank, %s to %s: analyse them as one corpus "
                    "(headlens-cli analyze, a folder or a list of them)\n",
                    "%d shards, one per MPI rank, %s to %s: analyse them as one corpus "
                    "(headlens-cli analyze, a folder or a list of them)\n", n),
          n, first, last);
}

int
hl_cli_extract (int    argc,
                char **argv)
{
  g_auto(ExtractArgs) args = { 0 };
  g_autoptr(HlExtractOptions) options = NULL;
  g_autoptr(HlCliProgress) progress = NULL;
  g_autoptr(GError) error = NULL;
  HlExtractResult result;

  if (!parse_args (&args, &argc, &argv, &error))
    return hl_cli_fail_usage (error);
  if ((options = build_options (&args, &error)) == NULL
      || !split_across_ranks (&args, options, &error))
    return hl_cli_fail (error);
  hl_cli_set_blas_threads ();
  if (hl_cli_mpi_rank () == 0)
    progress = hl_cli_progress_new (_("Extracting (layers × windows)"));
  if (!hl_extract_run (options, NULL, progress != NULL ? progress_cb : NULL, progress, &result,
                       &error))
    return hl_cli_fail (error);
  if (hl_cli_mpi_rank () != 0)
    return 0;
  print_summary (options, &result);
  if (hl_cli_mpi_size () > 1)
    print_shards (&args);
  return 0;
}
