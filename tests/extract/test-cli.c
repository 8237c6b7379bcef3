/* test-cli.c: `headlens-cli extract` and `headlens-cli generate` as a user
 * runs them. The path of headlens-cli is the first argument.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-activations.h"

#include <stdarg.h>
#include <string.h>

static const char *cli_path;

/* Runs headlens-cli with the NULL-terminated arguments after @command. */
static void
run_cli_va (HlTestRun  *run,
            const char *command,
            va_list     args)
{
  g_autoptr(GPtrArray) argv = hl_test_argv_new (cli_path, command, args);

  hl_test_run_argv (run, (const char * const *) argv->pdata);
}

static void
run_cli (HlTestRun  *run,
         const char *command,
         ...)
{
  va_list args;

  va_start (args, command);
  run_cli_va (run, command, args);
  va_end (args);
}

static void
test_generate_stories260k (void)
{
  g_autofree char *model = test_shared_model_file ("stories260K.bin");
  g_autofree char *tok = model != NULL ? test_shared_model_file ("tok512.bin") : NULL;
  g_auto(HlTestRun) run = { 0 };

  if (tok == NULL)
    return;
  run_cli (&run, "generate", "--checkpoint", model, "--tokenizer", tok,
           "--prompt", "Once upon a time", "--steps", "30", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Once upon a time, there was a little girl named Lily. She loved "
                                "to play outside in the park. One day,\n");
}

static void
test_extract_stories260k (void)
{
  g_autofree char *model = test_shared_model_file ("stories260K.bin");
  g_autofree char *tok = model != NULL ? test_shared_model_file ("tok512.bin") : NULL;
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(HlTestRun) run = { 0 };
  const HlActivationsInfo *info;

  if (tok == NULL)
    return;
  dir = hl_test_make_tmp_dir ();
  out = g_build_filename (dir, "out.h5", NULL);
  run_cli (&run, "extract", "--checkpoint", model, "--tokenizer", tok,
           "--prompt", "Lily and Tom played with a ball in the park. Tom was happy.",
           "--window", "8", "--stride", "4", "-o", out, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Next-token loss: "));
  g_assert_nonnull (strstr (run.out, "windows of 8 tokens"));
  file = hl_activations_open (out, &error);
  g_assert_no_error (error);
  info = hl_activations_get_info (file);
  g_assert_cmpstr (info->model, ==, "stories260K");
  g_assert_cmpint (info->seq_len, ==, 8);
  g_assert_cmpint (info->n_queries, ==, 1);
  g_assert_cmpint (info->query_positions[0], ==, 7);
  g_assert_cmpint (info->n_samples, >=, 3);
  g_assert_true (hl_activations_validate_all (file, &error));
  g_clear_object (&file);
  hl_test_remove_tmp_dir (dir);
}

static void
assert_fails (int         status,
              const char *expected,
              const char *command,
              ...)
{
  g_auto(HlTestRun) run = { 0 };
  va_list args;

  va_start (args, command);
  run_cli_va (&run, command, args);
  va_end (args);
  g_assert_cmpint (run.status, ==, status);
  g_assert_nonnull (strstr (run.err, expected));
}

static void
test_errors (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *model = g_build_filename (dir, "absent.bin", NULL);
  g_autofree char *out = g_build_filename (dir, "out.h5", NULL);

  assert_fails (2, "extract needs either --model or --checkpoint", "extract", NULL);
  assert_fails (2, "exactly one of --text-file, --prompt and --corpus", "extract", "--checkpoint", model,
                "--tokenizer", model, "-o", out, NULL);
  assert_fails (1, "--values-dtype is “f64”, expected f16 or f32", "extract", "--checkpoint", model,
                "--tokenizer", model, "--prompt", "a", "--values-dtype", "f64", "-o", out, NULL);
  assert_fails (1, "query position “x” is not a number", "extract", "--checkpoint", model,
                "--tokenizer", model, "--prompt", "a", "--queries", "1,x", "-o", out, NULL);
  assert_fails (1, "cannot read checkpoint", "extract", "--checkpoint", model,
                "--tokenizer", model, "--prompt", "a", "-o", out, NULL);
  assert_fails (2, "generate needs either --model or --checkpoint", "generate", "--steps", "3", NULL);
  assert_fails (1, "cannot read checkpoint", "generate", "--checkpoint", model, "--tokenizer", model, NULL);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  cli_path = argv[1];

  g_test_add_func ("/extract/cli/generate-stories260k", test_generate_stories260k);
  g_test_add_func ("/extract/cli/extract-stories260k", test_extract_stories260k);
  g_test_add_func ("/extract/cli/errors", test_errors);
  return g_test_run ();
}
