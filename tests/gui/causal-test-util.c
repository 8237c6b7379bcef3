/* causal-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "causal-test-util.h"

#include "extract-test-util.h"
#include "hl-test-util.h"
#include "hl-extract.h"

#define PROMPT "Once upon a time, there was a little girl named Lily. She loved to play " \
               "outside in the park with her friends."

gboolean
hl_test_extract_story (char **dir,
                       char **checkpoint,
                       char **output)
{
  g_autofree char *shared = test_shared_model_file ("stories260K.bin");
  g_autofree char *contents = NULL;
  g_autoptr(HlExtractOptions) options = NULL;
  g_autoptr(GError) error = NULL;
  HlExtractResult result = { 0 };
  gsize length;

  if (shared == NULL)
    return FALSE;
  *dir = hl_test_make_tmp_dir ();
  *checkpoint = g_build_filename (*dir, "stories260K.bin", NULL);
  *output = g_build_filename (*dir, "lily.h5", NULL);
  g_assert_true (g_file_get_contents (shared, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (*checkpoint, contents, length, NULL));
  options = hl_extract_options_new ();
  options->checkpoint_path = g_strdup (*checkpoint);
  options->tokenizer_path = test_shared_model_file ("tok512.bin");
  options->text = g_strdup (PROMPT);
  options->output_path = g_strdup (*output);
  g_assert_true (hl_extract_run (options, NULL, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  return TRUE;
}
