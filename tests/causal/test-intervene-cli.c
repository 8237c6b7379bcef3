/* test-intervene-cli.c: `headlens-cli intervene` as a user runs it on
 * stories260K: the pinned truncate columns and the row of the unmodified
 * model (the loss `extract` reports for the same text), N*, the ablate and
 * sparsify tables, and the errors. The path of headlens-cli is the first
 * argument.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

static const char *cli_path;

typedef struct
{
  char *checkpoint;
  char *tokenizer;
  char *text;
  char *dir;
  char *csv;
} Files;

static void
files_clear (Files *f)
{
  g_free (f->checkpoint);
  g_free (f->tokenizer);
  g_free (f->text);
  g_free (f->csv);
  if (f->dir != NULL)
    hl_test_remove_tmp_dir (f->dir);
  g_free (f->dir);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Files, files_clear)

static gboolean
files_init (Files *f)
{
  f->checkpoint = test_shared_model_file ("stories260K.bin");
  if (f->checkpoint == NULL)
    return FALSE;
  f->tokenizer = test_shared_model_file ("tok512.bin");
  f->text = test_shared_model_file ("reference.txt");
  f->dir = hl_test_make_tmp_dir ();
  f->csv = g_build_filename (f->dir, "out.csv", NULL);
  return TRUE;
}

/* Runs `intervene` on stories260K and reference.txt with the
 * NULL-terminated options after @first. */
static void
intervene (HlTestRun   *run,
           const Files *f,
           const char  *first,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *common[] = { cli_path, "intervene", "--checkpoint", f->checkpoint, "--tokenizer", f->tokenizer,
                           "--text-file", f->text, "-o", f->csv };
  va_list args;

  for (gsize i = 0; i < G_N_ELEMENTS (common); i++)
    g_ptr_array_add (argv, (gpointer) common[i]);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  hl_test_run_argv (run, (const char * const *) argv->pdata);
}

static char **
read_lines (const char *path)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return g_strsplit (contents, "\n", -1);
}

/* The loss `extract` prints for the same text: "Next-token loss: X". */
static double
extract_loss (const Files *f)
{
  g_autofree char *out = g_build_filename (f->dir, "out.h5", NULL);
  g_auto(HlTestRun) run = { 0 };
  const char *at;

  hl_test_run (&run, cli_path, "extract", "--checkpoint", f->checkpoint, "--tokenizer", f->tokenizer,
               "--text-file", f->text, "-o", out, NULL);
  g_assert_cmpint (run.status, ==, 0);
  at = strstr (run.out, "Next-token loss: ");
  g_assert_nonnull (at);
  return g_ascii_strtod (at + strlen ("Next-token loss: "), NULL);
}

static void
test_truncate (void)
{
  g_auto(Files) f = { 0 };
  g_auto(HlTestRun) run = { 0 };
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) all = NULL;

  if (!files_init (&f))
    return;
  intervene (&run, &f, "--experiment", "truncate", "--layer", "2", "--head", "5", "--mode", "renormalise,delete",
             "--n", "1,8,288", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "over 287 positions"));
  lines = read_lines (f.csv);
  g_assert_cmpstr (lines[0], ==, "layer,head,mode,ranking,n,nll,delta_nll");
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 2 * 4 + 1);
  g_assert_true (g_str_has_prefix (lines[1], "2,5,renormalise,attention,1,"));
  g_assert_true (g_str_has_prefix (lines[3], "2,5,renormalise,attention,288,"));
  g_assert_true (g_str_has_suffix (lines[3], ",0"));
  g_assert_true (g_str_has_prefix (lines[8], "2,5,delete,attention,all,"));
  /* The unmodified row is the loss extract reports for the text. */
  all = g_strsplit (lines[4], ",", -1);
  g_assert_cmpstr (all[4], ==, "all");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (all[5], NULL), extract_loss (&f), 0.00005);
  g_assert_cmpstr (all[6], ==, "0");
}

static void
test_effective (void)
{
  g_auto(Files) f = { 0 };
  g_auto(HlTestRun) run = { 0 };
  g_auto(GStrv) lines = NULL;
  const char *at;
  int n_star;

  if (!files_init (&f))
    return;
  intervene (&run, &f, "--experiment", "truncate", "--layer", "0", "--head", "3", "--n", "auto", "--tau", "0.005",
             NULL);
  g_assert_cmpint (run.status, ==, 0);
  at = strstr (run.out, "N* = ");
  g_assert_nonnull (at);
  n_star = atoi (at + 5);
  g_assert_nonnull (strstr (at, "for layer 0 head 3 (renormalise, attention)"));
  /* The smallest n within tau among the rows is N*. */
  lines = read_lines (f.csv);
  for (int i = 1; lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);

      if (g_strcmp0 (cells[4], "all") == 0)
        continue;
      if (g_ascii_strtod (cells[6], NULL) <= 0.005)
        g_assert_cmpint (atoi (cells[4]), >=, n_star);
      else
        g_assert_cmpint (atoi (cells[4]), <, n_star);
    }
}

static void
test_ablate_and_sparsify (void)
{
  g_auto(Files) f = { 0 };
  g_auto(HlTestRun) run = { 0 };
  g_auto(HlTestRun) sparse = { 0 };
  g_auto(GStrv) lines = NULL;

  if (!files_init (&f))
    return;
  intervene (&run, &f, "--experiment", "ablate", "--mode", "zero,mean", NULL);
  g_assert_cmpint (run.status, ==, 0);
  lines = read_lines (f.csv);
  g_assert_cmpstr (lines[0], ==, "layer,head,mode,nll,delta_nll");
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 40 * 2 + 1);
  g_assert_true (g_str_has_prefix (lines[1], "0,0,zero,"));
  g_assert_true (g_str_has_prefix (lines[80], "4,7,mean,"));
  /* Every head on its own: the damage against the heads' geometry. */
  g_assert_nonnull (strstr (run.out, "Does geometry predict the damage? Delta NLL of the zero ablation across heads"));
  g_assert_nonnull (strstr (run.out, "Delta NLL of the mean ablation"));
  g_assert_nonnull (strstr (run.out, "  F_4        r = "));
  g_assert_nonnull (strstr (run.out, "(40 heads)"));
  g_clear_pointer (&lines, g_strfreev);

  intervene (&sparse, &f, "--experiment", "sparsify", "--fractions", "0.25,0.5", "--policies", "regime,random",
             "--repeats", "3", "--seed", "4", NULL);
  g_assert_cmpint (sparse.status, ==, 0);
  lines = read_lines (f.csv);
  g_assert_cmpstr (lines[0], ==, "policy,mode,fraction,n_pruned,repeats,nll,delta_nll,delta_nll_sd,delta_nll_min,delta_nll_max");
  g_assert_true (g_str_has_prefix (lines[1], "regime,zero,0.25,10,1,"));
  g_assert_true (g_str_has_prefix (lines[2], "regime,zero,0.5,20,1,"));
  g_assert_true (g_str_has_prefix (lines[3], "random,zero,0.25,10,3,"));
  g_assert_true (g_str_has_prefix (lines[4], "random,zero,0.5,20,3,"));
}

/* --figure: the map of every head's ablation as a PNG of the size asked,
 * one head's curve as a PDF; an experiment with no figure is refused
 * before anything runs. */
static void
test_figure (void)
{
  g_auto(Files) f = { 0 };
  g_auto(HlTestRun) map = { 0 };
  g_auto(HlTestRun) head = { 0 };
  g_auto(HlTestRun) refused = { 0 };
  g_autofree char *png = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!files_init (&f))
    return;
  png = g_build_filename (f.dir, "ablation.png", NULL);
  pdf = g_build_filename (f.dir, "head.pdf", NULL);
  intervene (&map, &f, "--experiment", "ablate", "--figure", png, NULL);
  g_assert_cmpint (map.status, ==, 0);
  g_assert_true (g_file_get_contents (png, &contents, &length, NULL));
  g_assert_cmpmem (contents, 8, "\x89PNG\r\n\x1a\n", 8);
  /* 3.5 x 2.6 inches at 300 dpi: the IHDR's width and height. */
  g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (contents + 16)), ==, 1050);
  g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (contents + 20)), ==, 780);
  g_clear_pointer (&contents, g_free);

  intervene (&head, &f, "--experiment", "truncate", "--layer", "4", "--head", "4", "--mode", "renormalise,delete",
             "--figure", pdf, NULL);
  g_assert_cmpint (head.status, ==, 0);
  g_assert_true (g_file_get_contents (pdf, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "%PDF"));

  g_assert_cmpint (g_remove (f.csv), ==, 0);
  g_assert_cmpint (g_remove (png), ==, 0);
  intervene (&refused, &f, "--experiment", "truncate", "--n", "1,2", "--figure", png, NULL);
  g_assert_cmpint (refused.status, ==, 2);
  g_assert_nonnull (strstr (refused.err, "--figure draws ablate or truncate --n auto of every head"));
  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (f.csv, G_FILE_TEST_EXISTS));
}

/* Each bad input: the exit status and a part of the message. */
static void
expect_failure (const Files *f,
                int          status,
                const char  *fragment,
                const char  *first,
                ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(HlTestRun) run = { 0 };
  const char *common[] = { cli_path, "intervene", "--checkpoint", f->checkpoint, "--tokenizer", f->tokenizer };
  va_list args;

  for (gsize i = 0; i < G_N_ELEMENTS (common); i++)
    g_ptr_array_add (argv, (gpointer) common[i]);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  hl_test_run_argv (&run, (const char * const *) argv->pdata);
  g_assert_cmpint (run.status, ==, status);
  g_assert_nonnull (strstr (run.err, fragment));
  g_assert_false (g_file_test (f->csv, G_FILE_TEST_EXISTS));
}

static void
test_errors (void)
{
  g_auto(Files) f = { 0 };
  g_autofree char *empty = NULL;
  const char *t;

  if (!files_init (&f))
    return;
  empty = g_build_filename (f.dir, "empty.txt", NULL);
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  t = f.text;
  expect_failure (&f, 1, "layer 7 does not exist: the model has 5 (0 to 4; -1 means all at once)",
                  "--text-file", t, "--experiment", "truncate", "--layer", "7", "-o", f.csv, NULL);
  expect_failure (&f, 1, "head 8 does not exist: the model has 8 (0 to 7",
                  "--text-file", t, "--experiment", "ablate", "--head", "8", "-o", f.csv, NULL);
  expect_failure (&f, 1, "N = 289 is out of range: expected 0 to 288",
                  "--text-file", t, "--experiment", "truncate", "--n", "1,289", "-o", f.csv, NULL);
  expect_failure (&f, 1, "N = 0 keeps no key",
                  "--text-file", t, "--experiment", "truncate", "--n", "0", "-o", f.csv, NULL);
  expect_failure (&f, 1, "tau is 0, expected a positive number",
                  "--text-file", t, "--experiment", "truncate", "--n", "auto", "--tau", "0", "-o", f.csv, NULL);
  expect_failure (&f, 1, "tau is -0.5, expected a positive number",
                  "--text-file", t, "--experiment", "truncate", "--n", "auto", "--tau", "-0.5", "-o", f.csv, NULL);
  expect_failure (&f, 1, "tau is nan, expected a positive number",
                  "--text-file", t, "--experiment", "truncate", "--n", "auto", "--tau", "nan", "-o", f.csv, NULL);
  expect_failure (&f, 1, "the text is empty",
                  "--text-file", empty, "--experiment", "truncate", "-o", f.csv, NULL);
  /* A device would block or read forever (the check extract has too). */
  expect_failure (&f, 1, "--text-file “/dev/zero” is not a regular file",
                  "--text-file", "/dev/zero", "--experiment", "truncate", "-o", f.csv, NULL);
  expect_failure (&f, 2, "--mode: the list is empty",
                  "--text-file", t, "--experiment", "truncate", "--mode", "", "-o", f.csv, NULL);
  expect_failure (&f, 1, "expected a window of at least 2 tokens",
                  "--text-file", t, "--experiment", "truncate", "--window", "1", "-o", f.csv, NULL);
  expect_failure (&f, 2, "--experiment is “prune”, expected truncate, ablate or sparsify",
                  "--text-file", t, "--experiment", "prune", "-o", f.csv, NULL);
  expect_failure (&f, 2, "--n: “x” is not a whole number",
                  "--text-file", t, "--experiment", "truncate", "--n", "1,x", "-o", f.csv, NULL);
  expect_failure (&f, 2, "--mode: unknown name “zero”",
                  "--text-file", t, "--experiment", "truncate", "--mode", "zero", "-o", f.csv, NULL);
  expect_failure (&f, 2, "intervene needs either --model or --checkpoint with --tokenizer",
                  "--text-file", t, "--experiment", "truncate", NULL);
  expect_failure (&f, 1, "the N of F_N and the margin is 3, expected a power of two",
                  "--text-file", t, "--experiment", "ablate", "--corr-n", "3", "-o", f.csv, NULL);
  expect_failure (&f, 2, "--figure out.jpg: expected a name ending in .png, .svg or .pdf",
                  "--text-file", t, "--experiment", "ablate", "--figure", "out.jpg", "-o", f.csv, NULL);
  expect_failure (&f, 1, "fraction 2 is out of range",
                  "--text-file", t, "--experiment", "sparsify", "--fractions", "0.5,2", "-o", f.csv, NULL);
  /* The output may not replace an input. */
  {
    g_autofree char *copy = g_build_filename (f.dir, "text.txt", NULL);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_auto(HlTestRun) run = { 0 };

    g_assert_true (g_file_get_contents (t, &before, NULL, NULL));
    g_assert_true (g_file_set_contents (copy, before, -1, NULL));
    hl_test_run (&run, cli_path, "intervene", "--checkpoint", f.checkpoint, "--tokenizer", f.tokenizer,
                 "--text-file", copy, "--experiment", "ablate", "--layer", "0", "--head", "0", "-o", copy, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_true (g_file_get_contents (copy, &after, NULL, NULL));
    g_assert_cmpstr (after, ==, before);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  cli_path = argv[1];

  g_test_add_func ("/causal/cli/truncate", test_truncate);
  g_test_add_func ("/causal/cli/effective", test_effective);
  g_test_add_func ("/causal/cli/ablate-and-sparsify", test_ablate_and_sparsify);
  g_test_add_func ("/causal/cli/errors", test_errors);
  g_test_add_func ("/causal/cli/figure", test_figure);
  return hl_test_run_and_wait ();
}
