/* test-plot-export.c: every plot kind in every format, at exact sizes, byte
 * for byte repeatable, checked with the tools a reader of the paper would
 * use (xmllint, pdfinfo, pdftoppm, pdftotext), and golden images.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "hl-plot-export.h"
#include "hl-plot-text.h"
#include "render-fixtures.h"

/* The golden figures: small PNGs at 100 DPI committed in golden/. */
static const HlPlotKind golden_kinds[] = { HL_PLOT_CURVES, HL_PLOT_HEATMAP, HL_PLOT_SCATTER, HL_PLOT_REGIMES };

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("hl-render-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static HlPlotExportOptions
options_for (HlPlotFormat format)
{
  return (HlPlotExportOptions) { format, 3.5, 2.5, 300, FALSE };
}

static GBytes *
export_bytes (HlPlotKind   kind,
              HlPlotFormat format)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);
  HlPlotExportOptions options = options_for (format);
  g_autoptr(GError) error = NULL;
  GBytes *bytes = hl_plot_export_to_bytes (kind, style, render_fixture (kind), &options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

static cairo_surface_t *
png_from_file (const char *path)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  return surface;
}

static gboolean
have_tool (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

static char *
run_tool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return out;
}

/* TRUE when some pixel differs clearly from white. */
static gboolean
png_has_ink (const char *path)
{
  cairo_surface_t *s = png_from_file (path);
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  int stride = cairo_image_surface_get_stride (s), dark = 0;
  const guchar *data = cairo_image_surface_get_data (s);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      dark += (data[y * stride + 4 * x + 1] < 128);
  cairo_surface_destroy (s);
  return dark > 50;
}

static void
check_png (Fixture    *f,
           HlPlotKind  kind,
           GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (f->dir, "figure.png", NULL);
  cairo_surface_t *s;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL));
  s = png_from_file (path);
  /* 3.5 x 2.5 in at 300 DPI. */
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 1050);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 750);
  cairo_surface_destroy (s);
  g_assert_true (png_has_ink (path));
}

static void
check_svg (Fixture    *f,
           HlPlotKind  kind,
           GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (f->dir, "figure.svg", NULL);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_assert_nonnull (strstr (text, "width=\"252pt\""));
  g_assert_nonnull (strstr (text, "height=\"180pt\""));
  /* Vector all the way: no embedded raster images, but for the attention
   * matrices, whose blocks are one image (a pixel a block, scaled without
   * smoothing: hundreds of thousands of blocks as rectangles would not
   * open). */
  if (kind == HL_PLOT_MATRIX || kind == HL_PLOT_MATRICES)
    g_assert_nonnull (strstr (text, "<image"));
  else
    g_assert_null (strstr (text, "<image"));
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  if (have_tool ("xmllint"))
    {
      const char *argv[] = { "xmllint", "--noout", path, NULL };
      g_autofree char *out = run_tool (argv);
    }
}

static void
check_pdf (Fixture    *f,
           HlPlotKind  kind,
           GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (f->dir, "figure.pdf", NULL);
  g_autofree char *prefix = g_build_filename (f->dir, "page", NULL);
  g_autofree char *png = g_build_filename (f->dir, "page.png", NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL));
  if (!have_tool ("pdfinfo") || !have_tool ("pdftoppm") || !have_tool ("pdftotext"))
    {
      g_test_message ("poppler-utils missing: PDF only checked for its header");
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), 5, "%PDF-", 5);
      return;
    }
  {
    const char *argv[] = { "pdfinfo", path, NULL };
    g_autofree char *info = run_tool (argv);

    g_assert_nonnull (strstr (info, "252 x 180 pts"));
  }
  {
    const char *argv[] = { "pdftoppm", "-r", "40", "-png", "-singlefile", path, prefix, NULL };
    g_autofree char *out = run_tool (argv);

    g_assert_true (png_has_ink (png));
  }
  if (kind == HL_PLOT_CURVES || kind == HL_PLOT_PANEL || kind == HL_PLOT_HEATMAP)
    {
      /* Text stays text: the axis label can be extracted. */
      const char *argv[] = { "pdftotext", path, "-", NULL };
      g_autofree char *text = run_tool (argv);

      g_assert_nonnull (strstr (text, kind == HL_PLOT_HEATMAP ? "Layer" : "selected tokens"));
    }
}

static void
test_every_kind_every_format (Fixture       *f,
                              gconstpointer  user_data)
{
  for (int k = 0; k < HL_N_PLOT_KINDS; k++)
    for (int fmt = HL_PLOT_FORMAT_PNG; fmt <= HL_PLOT_FORMAT_PDF; fmt++)
      {
        g_autoptr(GBytes) first = export_bytes (k, fmt);
        g_autoptr(GBytes) second = export_bytes (k, fmt);

        g_test_message ("%s as format %d", hl_plot_kind_to_string (k), fmt);
        /* Deterministic: the same plot gives the same bytes. */
        g_assert_true (g_bytes_equal (first, second));
        if (fmt == HL_PLOT_FORMAT_PNG)
          check_png (f, k, first);
        else if (fmt == HL_PLOT_FORMAT_SVG)
          check_svg (f, k, first);
        else
          check_pdf (f, k, first);
      }
}

static void
test_transparent_png (Fixture       *f,
                      gconstpointer  user_data)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);
  g_autofree char *path = g_build_filename (f->dir, "clear.png", NULL);
  HlPlotExportOptions options = { HL_PLOT_FORMAT_PNG, 2, 1.5, 72, TRUE };
  g_autoptr(GError) error = NULL;
  cairo_surface_t *s;
  const guchar *data;

  g_assert_true (hl_plot_export_to_file (HL_PLOT_CURVES, style, render_fixture (HL_PLOT_CURVES),
                                         &options, path, &error));
  g_assert_no_error (error);
  s = png_from_file (path);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 144);
  data = cairo_image_surface_get_data (s);
  /* The top-left corner has no background; cairo stores ARGB32 native-endian. */
  g_assert_cmpuint (((const guint32 *) data)[0] >> 24, ==, 0);
  cairo_surface_destroy (s);
}

static void
test_atomic_write_and_errors (Fixture       *f,
                              gconstpointer  user_data)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);
  g_autofree char *path = g_build_filename (f->dir, "figure.svg", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", "figure.svg", NULL);
  HlPlotExportOptions options = options_for (HL_PLOT_FORMAT_SVG);
  HlPlotExportOptions bad = options_for (HL_PLOT_FORMAT_PNG);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GDir) dir = NULL;
  HlPlotFormat format;
  int n_files = 0;

  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  g_assert_true (hl_plot_export_to_file (HL_PLOT_DECAY, style, render_fixture (HL_PLOT_DECAY),
                                         &options, path, &error));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "<?xml"));
  /* No temporary file is left next to it. */
  dir = g_dir_open (f->dir, 0, NULL);
  while (g_dir_read_name (dir) != NULL)
    n_files++;
  g_assert_cmpint (n_files, ==, 1);

  g_assert_false (hl_plot_export_to_file (HL_PLOT_DECAY, style, render_fixture (HL_PLOT_DECAY),
                                          &options, missing, &error));
  g_assert_error (error, HL_PLOT_EXPORT_ERROR, HL_PLOT_EXPORT_ERROR_WRITE);
  g_clear_error (&error);

  bad.dpi = 100000;
  g_assert_null (hl_plot_export_to_bytes (HL_PLOT_DECAY, style, render_fixture (HL_PLOT_DECAY), &bad, &error));
  g_assert_error (error, HL_PLOT_EXPORT_ERROR, HL_PLOT_EXPORT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "pixels"));

  g_assert_true (hl_plot_format_from_path ("a/b/Figure.PDF", &format));
  g_assert_cmpint (format, ==, HL_PLOT_FORMAT_PDF);
  g_assert_false (hl_plot_format_from_path ("figure.jpg", &format));
}

static char *
golden_path (HlPlotKind kind)
{
  g_autofree char *name = g_strdup_printf ("%s.png", hl_plot_kind_to_string (kind));
  const char *srcdir = g_getenv ("HL_TEST_SRCDIR");

  return g_build_filename (srcdir != NULL ? srcdir : ".", "render", "golden", name, NULL);
}

/* Differences allowed for other FreeType or pixman builds: a few stray
 * pixels at glyph edges, never a moved line or a changed colour. */
static void
compare_images (cairo_surface_t *a,
                cairo_surface_t *b,
                const char      *what)
{
  int w = cairo_image_surface_get_width (a), h = cairo_image_surface_get_height (a);
  int stride = cairo_image_surface_get_stride (a), off = 0;
  const guchar *pa = cairo_image_surface_get_data (a), *pb = cairo_image_surface_get_data (b);
  double total = 0;

  g_assert_cmpint (cairo_image_surface_get_width (b), ==, w);
  g_assert_cmpint (cairo_image_surface_get_height (b), ==, h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < 4 * w; x++)
      {
        int d = abs (pa[y * stride + x] - pb[y * stride + x]);

        total += d;
        off += d > 48;
      }
  if (total / (4.0 * w * h) > 1.0 || off > w * h / 200)
    g_error ("%s differs from its golden image: mean difference %.3f, %d values off by more than 48",
             what, total / (4.0 * w * h), off);
}

static void
test_golden_images (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);
  HlPlotExportOptions options = { HL_PLOT_FORMAT_PNG, 3.5, 2.5, 100, FALSE };
  gboolean update = g_getenv ("HL_UPDATE_GOLDEN") != NULL;

  for (guint i = 0; i < G_N_ELEMENTS (golden_kinds); i++)
    {
      HlPlotKind kind = golden_kinds[i];
      g_autofree char *golden = golden_path (kind);
      g_autofree char *fresh = g_build_filename (f->dir, "fresh.png", NULL);
      g_autoptr(GError) error = NULL;
      cairo_surface_t *a, *b;

      g_assert_true (hl_plot_export_to_file (kind, style, render_fixture (kind), &options,
                                             update ? golden : fresh, &error));
      g_assert_no_error (error);
      if (update)
        continue;
      if (!g_file_test (golden, G_FILE_TEST_EXISTS))
        g_error ("golden image %s is missing: run the test with HL_UPDATE_GOLDEN=1", golden);
      a = png_from_file (golden);
      b = png_from_file (fresh);
      compare_images (a, b, hl_plot_kind_to_string (kind));
      cairo_surface_destroy (a);
      cairo_surface_destroy (b);
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add ("/render/export/every-kind-every-format", Fixture, NULL,
              fixture_set_up, test_every_kind_every_format, fixture_tear_down);
  g_test_add ("/render/export/transparent-png", Fixture, NULL,
              fixture_set_up, test_transparent_png, fixture_tear_down);
  g_test_add ("/render/export/atomic-write-and-errors", Fixture, NULL,
              fixture_set_up, test_atomic_write_and_errors, fixture_tear_down);
  g_test_add ("/render/export/golden-images", Fixture, NULL,
              fixture_set_up, test_golden_images, fixture_tear_down);
  status = g_test_run ();
  render_fixture_free_all ();
  hl_plot_text_release_caches ();
  return status;
}
