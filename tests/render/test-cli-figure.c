/* test-cli-figure.c: what `headlens-cli render` writes into a figure for a
 * paper: the resolution a PNG reports to an image library (gdk-pixbuf), the
 * same provenance record in PNG, SVG and PDF, labels as SVG <text>, the
 * chosen font family embedded in the PDF, and a clear refusal of a font
 * that is not installed.
 *
 * The first argument is the headlens-cli executable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
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

static JsonObject *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (json);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The record every format carries: this file, this plot. */
static void
assert_provenance (const char *json,
                   const char *plot)
{
  g_autoptr(JsonObject) root = parse (json);
  JsonObject *figure = json_object_get_object_member (root, "figure");

  g_assert_cmpstr (json_object_get_string_member (root, "program"), ==, "headlens-cli render");
  g_assert_cmpstr (json_object_get_string_member (root, "input"), ==, file);
  g_assert_cmpuint (strlen (json_object_get_string_member (root, "input_sha256")), ==, 64);
  g_assert_true (json_object_has_member (root, "options"));
  g_assert_true (json_object_has_member (root, "created"));
  g_assert_cmpstr (json_object_get_string_member (figure, "plot"), ==, plot);
  g_assert_cmpint (json_object_get_int_member (figure, "layer"), ==, 1);
}

static void
test_png_resolution_and_provenance (void)
{
  g_autofree char *png = g_build_filename (tmp_dir, "d.png", NULL);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(HlTestRun) r = { 0 };

  render (&r, png, "--dpi", "300", "--size", "7x2.5in", NULL);
  g_assert_cmpint (r.status, ==, 0);
  pixbuf = gdk_pixbuf_new_from_file (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 2100);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 750);
  /* What LaTeX, Word and LibreOffice read to place it at 7 x 2.5 in. */
  g_assert_cmpstr (gdk_pixbuf_get_option (pixbuf, "x-dpi"), ==, "300");
  g_assert_cmpstr (gdk_pixbuf_get_option (pixbuf, "y-dpi"), ==, "300");
  g_assert_cmpstr (gdk_pixbuf_get_option (pixbuf, "tEXt::Software"), ==, "Headlens " PACKAGE_VERSION);
  g_assert_cmpstr (gdk_pixbuf_get_option (pixbuf, "tEXt::Title"), ==, "decay of layer 1, head 2, tiny.h5");
  assert_provenance (gdk_pixbuf_get_option (pixbuf, "tEXt::Provenance"), "decay");
  g_remove (png);
}

static void
test_svg_text_and_provenance (void)
{
  g_autofree char *svg = g_build_filename (tmp_dir, "d.svg", NULL);
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_auto(HlTestRun) r = { 0 };
  const char *start, *end;

  render (&r, svg, "--title", "Decay <of> head 2", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
  g_assert_null (strstr (text, "id=\"glyph"));
  g_assert_nonnull (strstr (text, "<title>Decay &lt;of&gt; head 2</title>"));
  g_assert_nonnull (strstr (text, ">Decay &lt;of&gt; head 2</text>"));
  g_assert_nonnull (strstr (text, "<tspan x="));
  start = strstr (text, "<metadata id=\"headlens-provenance\">");
  g_assert_nonnull (start);
  start += strlen ("<metadata id=\"headlens-provenance\">");
  end = strstr (start, "</metadata>");
  g_assert_nonnull (end);
  {
    g_autofree char *escaped = g_strndup (start, end - start);
    g_autoptr(GString) unescaped = g_string_new (escaped);

    g_string_replace (unescaped, "&quot;", "\"", 0);
    g_string_replace (unescaped, "&amp;", "&", 0);
    assert_provenance (unescaped->str, "decay");
  }
  g_remove (svg);
}

static void
test_pdf_metadata (void)
{
  g_autofree char *pdf = g_build_filename (tmp_dir, "d.pdf", NULL);
  g_autofree char *tool = g_find_program_in_path ("pdfinfo");
  const char *argv[] = { tool, pdf, NULL };
  g_auto(HlTestRun) info = { 0 };
  g_auto(HlTestRun) r = { 0 };
  g_auto(GStrv) lines = NULL;
  const char *subject = NULL;

  render (&r, pdf, NULL);
  g_assert_cmpint (r.status, ==, 0);
  hl_test_run_argv (&info, argv);
  g_assert_cmpint (info.status, ==, 0);
  g_assert_nonnull (strstr (info.out, "Title:           decay of layer 1, head 2, tiny.h5\n"));
  g_assert_nonnull (strstr (info.out, "Creator:         Headlens " PACKAGE_VERSION "\n"));
  lines = g_strsplit (info.out, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "Subject:"))
      subject = g_strchug (lines[i] + strlen ("Subject:"));
  assert_provenance (subject, "decay");
  g_remove (pdf);
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
  g_test_add_func ("/cli/figure/png-resolution-and-provenance", test_png_resolution_and_provenance);
  g_test_add_func ("/cli/figure/svg-text-and-provenance", test_svg_text_and_provenance);
  g_test_add_func ("/cli/figure/pdf-metadata", test_pdf_metadata);
  g_test_add_func ("/cli/figure/font-family", test_font_family);
  g_test_add_func ("/cli/figure/default-font", test_default_font);
  g_test_add_func ("/cli/figure/missing-font", test_missing_font);
  status = g_test_run ();
  hl_test_remove_tmp_dir (tmp_dir);
  g_free (file);
  g_free (tmp_dir);
  return status;
}
