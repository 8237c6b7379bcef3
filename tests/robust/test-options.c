/* test-options.c: every numeric option of every command refuses NaN,
 * infinities and out-of-range values with a message naming the option;
 * text options are UTF-8 whatever the locale; checkpoints whose seq_len,
 * weights or sizes cannot work are refused naming the checkpoint and the
 * field. The path of headlens-cli is the first argument.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "robust-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* The files the commands run on, made once. */
typedef struct
{
  char *dir;
  char *acts;         /* a small activation file */
  char *checkpoint;   /* a small llama2.c model */
  char *tokenizer;
  char *out;          /* a folder for outputs */
} Files;

static Files files;

static const HlCheckpointConfig small_config = {
  .version = 1, .dim = 16, .hidden_dim = 32, .n_layers = 2, .n_heads = 4, .n_kv_heads = 2,
  .vocab_size = 262, .seq_len = 64, .shared_classifier = TRUE,
};

static void
write_tokenizer (const char *path)
{
  static const char * const extra[] = { " the", "ll", "ar" };
  static const float scores[] = { -1.f, -2.f, -3.f };

  test_write_byte_tokenizer (path, extra, scores, G_N_ELEMENTS (extra));
}

static void
files_init (void)
{
  g_autoptr(TestModel) model = test_model_new_random (&small_config, 5);
  g_auto(RobustRun) run = { 0 };

  files.dir = hl_test_make_tmp_dir ();
  files.acts = g_build_filename (files.dir, "acts.h5", NULL);
  files.checkpoint = g_build_filename (files.dir, "model.bin", NULL);
  files.tokenizer = g_build_filename (files.dir, "tok.bin", NULL);
  files.out = g_build_filename (files.dir, "out", NULL);
  g_assert_cmpint (g_mkdir (files.out, 0700), ==, 0);
  test_model_write (model, files.checkpoint);
  write_tokenizer (files.tokenizer);
  robust_run (&run, "synth", "-o", files.acts, "--layers", "1", "--heads", "2", "--seq-len",
              "32", "--head-dim", "8", "--samples", "1", NULL);
  g_assert_cmpint (run.status, ==, 0);
}

/* The arguments that make @command run quickly on the files above, so that
 * the option under test is what decides. */
static GPtrArray *
base_arguments (const char *command)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *png = g_build_filename (files.out, "figure.png", NULL);
  g_autofree char *h5 = g_build_filename (files.out, "x.h5", NULL);
  g_autofree char *line = NULL;

  if (g_str_equal (command, "synth"))
    line = g_strdup_printf ("synth|-o|%s|--layers|1|--heads|1|--seq-len|16|--head-dim|4|"
                            "--samples|1", h5);
  else if (g_str_equal (command, "analyze"))
    line = g_strdup_printf ("analyze|%s|--out|%s|--bootstrap|10", files.acts, files.out);
  else if (g_str_equal (command, "render"))
    line = g_strdup_printf ("render|%s|--plot|heatmap|-o|%s|--bootstrap|10", files.acts, png);
  else if (g_str_equal (command, "extract"))
    line = g_strdup_printf ("extract|--checkpoint|%s|--tokenizer|%s|--prompt|Lily and Tom|-o|%s",
                            files.checkpoint, files.tokenizer, h5);
  else if (g_str_equal (command, "generate"))
    line = g_strdup_printf ("generate|--checkpoint|%s|--tokenizer|%s|--steps|2",
                            files.checkpoint, files.tokenizer);
  else if (g_str_equal (command, "bench"))
    line = g_strdup ("bench|--layers|1|--heads|1|--seq-len|64|--head-dim|8|--samples|1|"
                     "--peak-size|64|--runs|1|--reference-heads|1");
  else
    line = g_strdup_printf ("%s|%s", command, files.acts);
  {
    g_auto(GStrv) parts = g_strsplit (line, "|", -1);

    for (guint i = 0; parts[i] != NULL; i++)
      g_ptr_array_add (argv, g_strdup (parts[i]));
  }
  return argv;
}

/* Runs @command with the base arguments and then `--@option=@value`;
 * it must fail (status 1 or 2, no signal, in time) naming the option. */
static void
assert_option_refused (const char *command,
                       const char *option,
                       const char *value)
{
  g_autoptr(GPtrArray) argv = base_arguments (command);
  g_autofree char *name = g_str_has_prefix (option, "--") ? g_strdup (option + 2)
                                                          : g_strdup (option);
  g_auto(RobustRun) run = { 0 };

  g_ptr_array_add (argv, g_strdup_printf ("--%s=%s", name, value));
  g_ptr_array_add (argv, NULL);
  robust_run_full (&run, NULL, 60.0, (const char * const *) argv->pdata);
  g_assert_false (run.timed_out);
  g_assert_cmpint (run.signal, ==, 0);
  if (run.status != 1 && run.status != 2)
    g_error ("headlens-cli %s --%s=%s exited with %d, expected a refusal", command, name,
             value, run.status);
  /* Messages name the option as --name, or (thresholds) by its name. */
  if (strstr (run.err, name) == NULL)
    g_error ("headlens-cli %s --%s=%s: “%s” does not name the option", command, name, value,
             run.err);
}

/* The options of @command that take a number, from its --help: those whose
 * value is written N, X, T, S, K, R, B, L, H, Q, DPI, PT or SEED. */
static GPtrArray *
numeric_options (const char *command)
{
  const char *numeric[] = { "N", "X", "T", "S", "K", "R", "B", "L", "H", "Q", "DPI", "PT", "SEED",
                            NULL };
  g_autoptr(GRegex) regex = g_regex_new ("^  --([a-z0-9-]+)=([A-Z]+) ", G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  GPtrArray *options = g_ptr_array_new_with_free_func (g_free);
  g_auto(RobustRun) run = { 0 };

  robust_run (&run, command, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_regex_match (regex, run.out, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *metavar = g_match_info_fetch (match, 2);

      if (g_strv_contains (numeric, metavar))
        g_ptr_array_add (options, g_match_info_fetch (match, 1));
    }
  g_assert_cmpuint (options->len, >, 0);
  return options;
}

/* NaN, infinities and numbers no option can take, for every numeric option
 * of every command. */
static void
test_non_finite (gconstpointer data)
{
  const char *command = data;
  /* NaN and infinity parse as doubles (-inf takes the same checks); the
   * last is beyond every option's range and an int's. */
  const char *values[] = { "nan", "inf", "99999999999" };
  g_autoptr(GPtrArray) options = numeric_options (command);

  for (guint i = 0; i < options->len; i++)
    for (guint v = 0; v < G_N_ELEMENTS (values); v++)
      {
        /* Seeds are 64-bit: 99999999999 is one. */
        if (g_str_equal (options->pdata[i], "seed") && v == G_N_ELEMENTS (values) - 1)
          continue;
        assert_option_refused (command, options->pdata[i], values[v]);
      }
}

/* Values out of each option's own range. */
static void
test_out_of_range (void)
{
  const struct { const char *command, *option, *value; } cases[] = {
    { "synth", "layers", "0" }, { "synth", "kv-heads", "0" }, { "synth", "cv", "0.5" },
    { "synth", "temperature", "0" }, { "synth", "content-size", "-1" },
    { "synth", "seed", "-1" },
    { "analyze", "repeats", "0" }, { "analyze", "bootstrap", "-1" },
    { "analyze", "threads", "-1" }, { "analyze", "seed", "-1" },
    { "analyze", "reset-mass", "2" }, { "analyze", "cv-limit", "-1" },
    { "render", "dpi", "0" }, { "render", "font-size", "100" }, { "render", "n", "-1" },
    { "render", "repeats", "0" }, { "render", "sample", "-1" },
    { "extract", "window", "1" }, { "extract", "stride", "-1" }, { "extract", "samples", "-1" },
    { "generate", "steps", "-1" }, { "generate", "temperature", "-1" },
    { "generate", "seed", "-1" },
    { "bench", "runs", "0" }, { "bench", "layers", "0" },
    { "assumptions", "threads", "-1" }, { "assumptions", "corr-min", "5" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_option_refused (cases[i].command, cases[i].option, cases[i].value);
}

/* Text options are UTF-8 under LC_ALL=C too (they used to fail there with
 * an iconv message naming no option), and invalid UTF-8 is refused naming
 * the option. */
static void
test_text_options_utf8 (void)
{
  const char *c_locale[] = { "LC_ALL=C", NULL };
  g_autofree char *h5 = g_build_filename (files.out, "utf8.h5", NULL);
  g_autofree char *png = g_build_filename (files.out, "utf8.png", NULL);
  const char *generate[] = { "generate", "--checkpoint", files.checkpoint, "--tokenizer",
                             files.tokenizer, "--steps", "2", "--prompt", "Café naïve", NULL };
  const char *extract[] = { "extract", "--checkpoint", files.checkpoint, "--tokenizer",
                            files.tokenizer, "--prompt", "Café naïve", "-o", h5, NULL };
  const char *render[] = { "render", files.acts, "--plot", "heatmap", "--bootstrap", "10",
                           "--title", "Tête · α", "-o", png, NULL };
  const char *synth[] = { "synth", "-o", h5, "--layers", "1", "--heads", "1", "--seq-len", "16",
                          "--head-dim", "4", "--samples", "1", "--model", "modèle", NULL };
  const char * const *runs[] = { generate, extract, render, synth };
  const char *bad[] = { "generate", "--checkpoint", files.checkpoint, "--tokenizer",
                        files.tokenizer, "--prompt", "\xff\xfe", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_auto(RobustRun) run = { 0 };

      robust_run_full (&run, c_locale, 60.0, runs[i]);
      g_assert_cmpint (run.status, ==, 0);
    }
  {
    g_auto(RobustRun) run = { 0 };

    robust_run_full (&run, c_locale, 60.0, bad);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "--prompt is not valid UTF-8"));
  }
}

/* Writes the small model with @edit applied to its weights or config. */
static char *
write_model (const char *name,
             void      (*edit) (TestModel *model))
{
  g_autoptr(TestModel) model = test_model_new_random (&small_config, 5);
  char *path = g_build_filename (files.dir, name, NULL);

  edit (model);
  test_model_write (model, path);
  return path;
}

static void
seq_len_one (TestModel *model)
{
  model->config.seq_len = 1;
}

static void
nan_weight (TestModel *model)
{
  /* Element 7 of wq in layer 1. */
  model->wq[(gsize) model->config.dim * model->config.dim + 7] = NAN;
}

static void
infinite_weight (TestModel *model)
{
  model->rms_final[3] = INFINITY;
}

static void
assert_checkpoint_refused (const char *checkpoint,
                           const char *expected)
{
  g_autofree char *h5 = g_build_filename (files.out, "bad.h5", NULL);
  const char *extract[] = { "extract", "--checkpoint", checkpoint, "--tokenizer", files.tokenizer,
                            "--prompt", "Lily and Tom played", "-o", h5, NULL };
  const char *generate[] = { "generate", "--checkpoint", checkpoint, "--tokenizer",
                             files.tokenizer, "--steps", "3", NULL };
  const char * const *runs[] = { extract, generate };

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_auto(RobustRun) run = { 0 };

      robust_run_full (&run, NULL, 60.0, runs[i]);
      g_assert_cmpint (run.signal, ==, 0);
      g_assert_cmpint (run.status, ==, 1);
      g_assert_nonnull (strstr (run.err, checkpoint));
      if (strstr (run.err, expected) == NULL)
        g_error ("“%s” does not contain “%s”", run.err, expected);
    }
  g_assert_false (g_file_test (h5, G_FILE_TEST_EXISTS));
}

/* seq_len 1 made extract divide by zero (SIGFPE); NaN weights were taken
 * by generate and reported by extract as "/values element 0 is nan". */
static void
test_checkpoints (void)
{
  g_autofree char *short_context = write_model ("seq-len-1.bin", seq_len_one);
  g_autofree char *nan = write_model ("nan.bin", nan_weight);
  g_autofree char *inf = write_model ("inf.bin", infinite_weight);

  assert_checkpoint_refused (short_context, "seq_len = 1, expected 2 to");
  assert_checkpoint_refused (nan, "weight wq of layer 1 is nan at element 7");
  assert_checkpoint_refused (inf, "weight rms_final is inf at element 3");
}

int
main (int    argc,
      char **argv)
{
  const char *commands[] = { "synth", "analyze", "render", "extract", "generate", "bench",
                             "assumptions" };
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  robust_set_cli (argv[1]);
  files_init ();

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *path = g_strdup_printf ("/options/non-finite/%s", commands[i]);

      g_test_add_data_func (path, commands[i], test_non_finite);
    }
  g_test_add_func ("/options/out-of-range", test_out_of_range);
  g_test_add_func ("/options/text-utf8", test_text_options_utf8);
  g_test_add_func ("/options/checkpoints", test_checkpoints);
  status = g_test_run ();
  hl_test_remove_tmp_dir (files.dir);
  g_free (files.dir);
  g_free (files.acts);
  g_free (files.checkpoint);
  g_free (files.tokenizer);
  g_free (files.out);
  return status;
}
