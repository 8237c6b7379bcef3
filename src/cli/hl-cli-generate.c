/* hl-cli-generate.c: `headlens-cli generate`, text from a Hugging Face model
 * directory or a llama2.c checkpoint, to check the forward pass end to end.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli.h"

#include "hl-generate.h"
#include "hl-model-files.h"

#include <glib/gi18n.h>
#include <stdio.h>

static void
piece_cb (const char *piece,
          gpointer    user_data)
{
  fputs (piece, stdout);
  fflush (stdout);
}

static int
generate (const char              *model_dir,
          const char              *checkpoint_path,
          const char              *tokenizer_path,
          const char              *prompt,
          const HlGenerateOptions *options)
{
  g_autoptr(HlModel) model = NULL;
  g_autoptr(HlTextCodec) codec = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!hl_model_files_open (model_dir, checkpoint_path, tokenizer_path, &model, &codec, NULL, &error))
    return hl_cli_fail (error);
  hl_cli_set_blas_threads ();
  text = hl_generate (model, codec, prompt, options, piece_cb, NULL, &error);
  if (text == NULL)
    {
      fputc ('\n', stdout);
      return hl_cli_fail (error);
    }
  fputc ('\n', stdout);
  return 0;
}

int
hl_cli_generate (int    argc,
                 char **argv)
{
  g_autofree char *model = NULL;
  g_autofree char *checkpoint = NULL;
  g_autofree char *tokenizer = NULL;
  g_autofree char *prompt = NULL;
  HlGenerateOptions options = { .steps = 256, .temperature = 0.0f, .seed = 0 };
  double temperature = 0.0;
  gint64 seed = 0;
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model, N_("Hugging Face model directory (config.json, *.safetensors, tokenizer.json)"), N_("DIR") },
    { "checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &checkpoint, N_("llama2.c checkpoint (version 0 or 1)"), N_("MODEL.bin") },
    { "tokenizer", 0, 0, G_OPTION_ARG_FILENAME, &tokenizer, N_("llama2.c tokenizer of the model"), N_("TOKENIZER.bin") },
    { "prompt", 0, 0, G_OPTION_ARG_FILENAME, &prompt, N_("text to continue (default: empty)"), N_("TEXT") },
    { "steps", 0, 0, G_OPTION_ARG_INT, &options.steps, N_("tokens to generate after the prompt (default 256)"), N_("N") },
    { "temperature", 0, 0, G_OPTION_ARG_DOUBLE, &temperature, N_("sampling temperature; 0 (default) is greedy"), N_("T") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("random seed for sampling (default: from the clock)"), N_("S") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hl_cli_context_new ("generate", NULL,
    _("Continues a prompt with a Hugging Face model directory or a llama2.c model."));
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hl_cli_fail_usage (error);
  if ((model == NULL) == (checkpoint == NULL) || (checkpoint == NULL) != (tokenizer == NULL))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("generate needs either --model or --checkpoint with --tokenizer"));
      return hl_cli_fail_usage (error);
    }
  if (!hl_cli_check_int ("--steps", options.steps, 0, G_MAXINT, &error)
      || !hl_cli_check_double ("--temperature", temperature, 0.0, 1000.0, &error)
      || !hl_cli_check_int ("--seed", seed, 0, G_MAXINT64, &error)
      || !hl_cli_check_utf8 ("--prompt", prompt, &error))
    return hl_cli_fail_usage (error);
  options.temperature = (float) temperature;
  options.seed = (guint64) seed;
  return generate (model, checkpoint, tokenizer, prompt != NULL ? prompt : "", &options);
}
