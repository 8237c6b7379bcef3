/* test-cli-synth.c: `headlens-cli synth` as a user runs it.
 *
 * The path of headlens-cli is the first argument.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-activations.h"
#include "hl-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

static const char *cli_path;

/* Runs headlens-cli synth with the NULL-terminated arguments of @args from
 * @first on. */
static void
run_synth_va (HlTestRun  *run,
              const char *first,
              va_list     args)
{
  g_autoptr(GPtrArray) argv = hl_test_argv_new (cli_path, first, args);

  g_ptr_array_insert (argv, 1, (char *) "synth");
  hl_test_run_argv (run, (const char * const *) argv->pdata);
}

/* Runs headlens-cli synth with the NULL-terminated arguments. */
static void
run_synth (HlTestRun  *run,
           const char *first,
           ...)
{
  va_list args;

  va_start (args, first);
  run_synth_va (run, first, args);
  va_end (args);
}

static gboolean
exited_ok (const HlTestRun *run)
{
  return run->status == 0;
}

static void
test_help (void)
{
  g_auto(HlTestRun) run = { 0 };

  run_synth (&run, "--help", NULL);
  g_assert_true (exited_ok (&run));
  for (const char * const *o = (const char * const[]) { "--output", "--layers", "--kv-heads",
         "--queries", "--dtype", "--seed", "--cv", "--lambda", "--beta", "--gzip", NULL }; *o; o++)
    g_assert_nonnull (strstr (run.out, *o));
}

static void
assert_fails (const char *expected,
              const char *first,
              ...)
{
  g_auto(HlTestRun) run = { 0 };
  va_list args;

  va_start (args, first);
  run_synth_va (&run, first, args);
  va_end (args);
  g_assert_false (exited_ok (&run));
  g_assert_nonnull (strstr (run.err, expected));
  g_assert_cmpstr (run.out, ==, "");
}

static void
test_bad_options (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "bad.h5", NULL);

  assert_fails ("-o FILE", "--layers", "2", NULL);
  assert_fails ("--dtype", "-o", out, "--dtype", "f8", NULL);
  assert_fails ("kv heads", "-o", out, "--kv-heads", "5", NULL);
  assert_fails ("--queries", "-o", out, "--queries", "3,x", NULL);
  assert_fails ("query position", "-o", out, "--queries", "600", NULL);
  assert_fails ("--cv", "-o", out, "--cv", "abc", NULL);
  assert_fails ("--cv is 0.9, expected a number from 0 to 0.3", "-o", out, "--cv", "0.9", NULL);
  assert_fails ("--cv is nan", "-o", out, "--cv", "nan", NULL);
  assert_fails ("--gzip", "-o", out, "--gzip=12", NULL);
  assert_fails ("unexpected argument", "-o", out, "extra", NULL);
  assert_fails ("--seed", "-o", out, "--seed", "-3", NULL);
  assert_fails ("--profile", "-o", out, "--profile", "flat", NULL);
  assert_fails ("--sink-mass is 1.5", "-o", out, "--sink-mass", "1.5", NULL);
  assert_fails ("--rho0-spread is 0.9", "-o", out, "--rho0-spread", "0.9", NULL);
  assert_fails ("gamma", "-o", out, "--profile", "power-law", "--gamma", "9", NULL);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_writes_file (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "small.h5", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(HlTestRun) run = { 0 };

  run_synth (&run, "-o", out, "--layers", "3", "--heads", "4", "--kv-heads", "2",
             "--head-dim", "8", "--seq-len", "40", "--samples", "2", "--queries", "9,19,39",
             "--dtype", "f64", "--seed", "3", "--gzip=4", NULL);
  g_assert_true (exited_ok (&run));
  g_autoptr(HlActivations) file = hl_activations_open (out, &error);
  g_assert_no_error (error);
  const HlActivationsInfo *info = hl_activations_get_info (file);

  g_assert_cmpint (info->n_layers, ==, 3);
  g_assert_cmpint (info->n_heads, ==, 4);
  g_assert_cmpint (info->n_kv_heads, ==, 2);
  g_assert_cmpint (info->head_dim, ==, 8);
  g_assert_cmpint (info->seq_len, ==, 40);
  g_assert_cmpint (info->n_samples, ==, 2);
  g_assert_cmpint (info->n_queries, ==, 3);
  g_assert_cmpint (info->query_positions[1], ==, 19);
  g_assert_cmpint (info->values_dtype, ==, HL_DTYPE_FLOAT64);
  g_assert_true (g_str_has_prefix (info->source, "headlens-cli synth "));
  g_assert_nonnull (strstr (info->source, " --seed 3 "));
  g_assert_nonnull (strstr (info->source, " --queries 9,19,39 "));
  g_assert_true (hl_activations_validate_all (file, &error));
  g_assert_no_error (error);
  g_clear_object (&file);
  g_assert_cmpint (g_remove (out), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* The attention rows of layer 0, sample 0, head @head and /synth/regime. */
static void
read_profile_file (const char *path,
                   int         head,
                   float      *row,
                   int32_t    *planted)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) file = hl_activations_open (path, &error);
  g_autofree int32_t *regimes = NULL;
  gsize n = 0;

  g_assert_no_error (error);
  g_assert_true (hl_activations_read_attention (file, 0, 0, head, row, &error));
  regimes = hl_activations_read_int_dataset (file, "/synth/regime", &n, &error);
  g_assert_no_error (error);
  *planted = regimes[head];
}

/* --profile gives every head the paper's ablation profiles and plants no
 * pattern; --sink-mass with a small --lambda makes compressed sinks whose
 * alpha_0 is the mass asked for. */
static void
test_profiles (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "p.h5", NULL);
  float row[64];
  int32_t planted;

  for (const char * const *p = (const char * const[]) { "uniform", "bimodal", "power-law", NULL };
       *p != NULL; p++)
    {
      g_auto(HlTestRun) run = { 0 };

      run_synth (&run, "-o", out, "--layers", "1", "--heads", "2", "--head-dim", "8",
                 "--seq-len", "64", "--samples", "1", "--profile", *p, "--gamma", "2", NULL);
      g_assert_true (exited_ok (&run));
      read_profile_file (out, 1, row, &planted);
      g_assert_cmpint (planted, ==, -1);
      if (g_str_equal (*p, "uniform"))
        g_assert_cmpfloat_with_epsilon (row[17], 1.0 / 64, 1e-7);
      else if (g_str_equal (*p, "bimodal"))
        {
          g_assert_cmpfloat_with_epsilon (row[0], 0.5, 1e-6);
          g_assert_cmpfloat_with_epsilon (row[63], 0.5, 1e-6);
          g_assert_cmpfloat (row[20], ==, 0.0f);
        }
      else
        g_assert_cmpfloat_with_epsilon (row[1] / row[3], 4.0, 1e-4);
      g_assert_cmpint (g_remove (out), ==, 0);
    }

  /* 24 layers of one head: the middle ones are mostly the sink pattern. */
  {
    g_auto(HlTestRun) run = { 0 };
    g_autoptr(HlActivations) file = NULL;
    g_autofree int32_t *regimes = NULL;
    gsize n = 0;
    int sinks = 0;

    run_synth (&run, "-o", out, "--layers", "24", "--heads", "1", "--head-dim", "8",
               "--seq-len", "64", "--samples", "1", "--sink-mass", "0.9", "--lambda", "0.05",
               "--jitter", "0", NULL);
    g_assert_true (exited_ok (&run));
    file = hl_activations_open (out, NULL);
    regimes = hl_activations_read_int_dataset (file, "/synth/regime", &n, NULL);
    for (int l = 0; l < 24; l++)
      if (regimes[l] == 2)
        {
          g_assert_true (hl_activations_read_attention (file, l, 0, 0, row, NULL));
          g_assert_cmpfloat_with_epsilon (row[0], 0.9, 1e-6);
          sinks++;
        }
    g_assert_cmpint (sinks, >, 0);
    g_clear_object (&file);
    g_assert_cmpint (g_remove (out), ==, 0);
  }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
read_all_values (const char *path,
                 float      *out)
{
  g_autoptr(HlActivations) file = hl_activations_open (path, NULL);
  const HlActivationsInfo *info = hl_activations_get_info (file);
  gsize block = (gsize) info->seq_len * info->head_dim;

  for (int l = 0; l < info->n_layers; l++)
    for (int g = 0; g < info->n_kv_heads; g++, out += block)
      g_assert_true (hl_activations_read_values (file, l, 0, g, out, NULL));
}

/* The source attribute is a command that writes the same data again. */
static void
test_source_reproduces (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *a = g_build_filename (dir, "a.h5", NULL);
  g_autofree char *b = g_build_filename (dir, "b.h5", NULL);
  g_autofree char *source = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_null_terminated (32, NULL, TRUE);
  g_auto(GStrv) argv = NULL;
  g_auto(HlTestRun) run = { 0 };
  g_auto(HlTestRun) rerun = { 0 };
  gsize n = 2 * 3 * 20 * 8;
  g_autofree float *va = g_new (float, n), *vb = g_new (float, n);

  run_synth (&run, "-o", a, "--layers", "2", "--heads", "3", "--head-dim", "8",
             "--seq-len", "20", "--samples", "1", "--seed", "11", "--lambda", "0.35", NULL);
  g_assert_true (exited_ok (&run));
  {
    g_autoptr(HlActivations) file = hl_activations_open (a, NULL);
    source = g_strdup (hl_activations_get_info (file)->source);
  }
  g_assert_nonnull (strstr (source, " --lambda 0.35 "));
  g_assert_true (g_shell_parse_argv (source, NULL, &argv, NULL));
  g_assert_cmpstr (argv[1], ==, "synth");
  /* The same command, only with this build's headlens-cli and another
   * output file. */
  g_ptr_array_add (args, (char *) cli_path);
  for (int i = 1; argv[i] != NULL; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, "-o");
  g_ptr_array_add (args, b);
  hl_test_run_argv (&rerun, (const char * const *) args->pdata);
  g_assert_true (exited_ok (&rerun));
  read_all_values (a, va);
  read_all_values (b, vb);
  g_assert_cmpmem (va, n * sizeof (float), vb, n * sizeof (float));
  g_assert_cmpint (g_remove (a), ==, 0);
  g_assert_cmpint (g_remove (b), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: test-cli-synth PATH-OF-HEADLENS-CLI");
  cli_path = argv[1];

  g_test_add_func ("/synth/cli/help", test_help);
  g_test_add_func ("/synth/cli/bad-options", test_bad_options);
  g_test_add_func ("/synth/cli/writes-file", test_writes_file);
  g_test_add_func ("/synth/cli/source-reproduces", test_source_reproduces);
  g_test_add_func ("/synth/cli/profiles", test_profiles);

  return g_test_run ();
}
