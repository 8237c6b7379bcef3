/* test-cli-figure.c: what `headlens-cli render` writes into a figure for a
 * paper: the chosen font family embedded in the PDF, and a clear refusal of
 * a font that is not installed.
 *
 * The first argument is the headlens-cli executable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "hl-test-util.h"

static const char *cli;
static char *tmp_dir;
static char *file;

/* Renders a decay plot (quick: one head) to @out with @extra options. */
static void
render (HlTestRun  *r,
        const char *out,
        const char *first_extra,
        ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *fixed[] = {
    cli, "render", file, "--plot", "decay", "--layer", "1", "--head", "2", "-o", out,
  };
  va_list args;

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (argv, (gpointer) fixed[i]);
  va_start (args, first_extra);
  for (const char *a = first_extra; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  hl_test_run_argv (r, (const char * const *) argv->pdata);
}

/* The output of `pdffonts PATH`. */
static char *
pdf_fonts (const char *path)
{
  g_autofree char *tool = g_find_program_in_path ("pdffonts");
  const char *argv[] = { tool, path, NULL };
  g_auto(HlTestRun) r = { 0 };

  g_assert_nonnull (tool);
  hl_test_run_argv (&r, argv);
  g_assert_cmpint (r.status, ==, 0);
  return g_steal_pointer (&r.out);
}

static void
test_font_family (void)
{
  g_autofree char *pdf = g_build_filename (tmp_dir, "lm.pdf", NULL);
  g_autofree char *fonts = NULL;
  g_auto(HlTestRun) r = { 0 };

  render (&r, pdf, "--font", "Latin Modern Roman", NULL);
  g_assert_cmpint (r.status, ==, 0);
  fonts = pdf_fonts (pdf);
  /* Latin Modern's PostScript names: LMRoman10-Regular, -Italic, -Bold.
   * (Greek letters, which Latin Modern Roman lacks, come from a fallback.) */
  g_assert_nonnull (strstr (fonts, "LMRoman10-Regular"));
  g_assert_nonnull (strstr (fonts, "LMRoman10-Italic"));
  g_remove (pdf);
}

static void
test_default_font (void)
{
  g_autofree char *pdf = g_build_filename (tmp_dir, "default.pdf", NULL);
  g_autofree char *fonts = NULL;
  g_auto(HlTestRun) r = { 0 };

  render (&r, pdf, NULL);
  g_assert_cmpint (r.status, ==, 0);
  fonts = pdf_fonts (pdf);
  g_assert_nonnull (strstr (fonts, "DejaVuSans"));
  g_assert_null (strstr (fonts, "LMRoman"));
  g_remove (pdf);
}

static void
test_missing_font (void)
{
  g_autofree char *pdf = g_build_filename (tmp_dir, "missing.pdf", NULL);
  g_auto(HlTestRun) r = { 0 };

  render (&r, pdf, "--font", "No Such Family Anywhere", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "“No Such Family Anywhere”"));
  g_assert_nonnull (strstr (r.err, "fc-list"));
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
}

static void
make_file (void)
{
  const char *argv[] = {
    cli, "synth", "-o", NULL, "--layers", "2", "--heads", "4", "--kv-heads", "2",
    "--head-dim", "16", "--seq-len", "64", "--samples", "1", "--seed", "5", NULL
  };
  g_auto(HlTestRun) r = { 0 };

  tmp_dir = hl_test_make_tmp_dir ();
  file = g_build_filename (tmp_dir, "tiny.h5", NULL);
  argv[3] = file;
  hl_test_run_argv (&r, argv);
  if (r.status != 0)
    g_error ("synth failed: %s", r.err);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: test-cli-figure HEADLENS-CLI");
  cli = argv[1];
  make_file ();
  g_test_add_func ("/cli/figure/font-family", test_font_family);
  g_test_add_func ("/cli/figure/default-font", test_default_font);
  g_test_add_func ("/cli/figure/missing-font", test_missing_font);
  status = g_test_run ();
  hl_test_remove_tmp_dir (tmp_dir);
  g_free (file);
  g_free (tmp_dir);
  return status;
}
