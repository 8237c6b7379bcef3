/* test-figure-metadata.c: what a figure file tells the programs that place
 * and edit it. PNG: the pHYs chunk of the requested DPI and the title,
 * software and provenance as text chunks with valid CRCs. SVG: every label
 * a <text> element with its font, size, position and rotation (positions
 * checked against Pango's own layout), no glyph outlines, no seams between
 * heatmap cells once rasterised (librsvg, and poppler for the PDF). PDF:
 * Title, Creator and Subject (the provenance).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <cairo-svg.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "hl-heatmap-plot.h"
#include "hl-plot-export.h"
#include "hl-plot-svg.h"
#include "hl-plot-text.h"
#include "render-fixtures.h"

#define PROVENANCE "{\"version\":\"0.1.0\",\"input\":\"run.h5\",\"seed\":7}"

static GBytes *
export_with (HlPlotKind                 kind,
             gconstpointer              data,
             const HlPlotStyle         *style,
             const HlPlotExportOptions *options)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = hl_plot_export_to_bytes (kind, style, data, options, &error);

  g_assert_no_error (error);
  return bytes;
}

static GBytes *
export_kind (HlPlotKind                 kind,
             const HlPlotExportOptions *options)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);

  return export_with (kind, render_fixture (kind), style, options);
}

static char *
run_tool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return out;
}

static char *
write_temp (const char *dir,
            const char *name,
            GBytes     *bytes)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), NULL));
  return path;
}

/* PNG ------------------------------------------------------------------ */

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* The data of the first chunk of @type (and @keyword for text chunks), or
 * NULL; every chunk's CRC is checked on the way. */
static GBytes *
png_chunk (GBytes     *png,
           const char *type,
           const char *keyword)
{
  gsize size;
  const guint8 *p = g_bytes_get_data (png, &size);
  gsize at = 8;

  g_assert_cmpmem (p, 8, "\211PNG\r\n\032\n", 8);
  while (at + 12 <= size)
    {
      guint32 length = be32 (p + at);
      const guint8 *chunk_type = p + at + 4, *data = p + at + 8;

      g_assert_cmpuint (at + 12 + length, <=, size);
      g_assert_cmpuint (be32 (data + length), ==, crc32 (0, chunk_type, 4 + length));
      if (memcmp (chunk_type, type, 4) == 0 &&
          (keyword == NULL || (length > strlen (keyword) &&
                               memcmp (data, keyword, strlen (keyword) + 1) == 0)))
        return g_bytes_new (data, length);
      at += 12 + length;
    }
  return NULL;
}

static void
test_png_resolution (void)
{
  HlPlotExportOptions options = { HL_PLOT_FORMAT_PNG, 7, 2.5, 300, FALSE };
  g_autoptr(GBytes) png = export_kind (HL_PLOT_PANEL, &options);
  g_autoptr(GBytes) phys = png_chunk (png, "pHYs", NULL);
  g_autoptr(GBytes) ihdr = png_chunk (png, "IHDR", NULL);
  const guint8 *p;

  g_assert_nonnull (phys);
  g_assert_cmpuint (g_bytes_get_size (phys), ==, 9);
  p = g_bytes_get_data (phys, NULL);
  /* 300 per inch = 11811 per metre (11811 * 0.0254 = 299.9994), unit metre. */
  g_assert_cmpuint (be32 (p), ==, 11811);
  g_assert_cmpuint (be32 (p + 4), ==, 11811);
  g_assert_cmpuint (p[8], ==, 1);
  /* 7 x 2.5 in at 300 DPI. */
  p = g_bytes_get_data (ihdr, NULL);
  g_assert_cmpuint (be32 (p), ==, 2100);
  g_assert_cmpuint (be32 (p + 4), ==, 750);
}

static void
test_png_text (void)
{
  HlPlotExportOptions options = { HL_PLOT_FORMAT_PNG, 3.5, 2.5, 72, FALSE,
                                  "F over N — layer 3", PROVENANCE };
  g_autoptr(GBytes) png = export_kind (HL_PLOT_CURVES, &options);
  g_autoptr(GBytes) software = png_chunk (png, "tEXt", "Software");
  g_autoptr(GBytes) provenance = png_chunk (png, "tEXt", "Provenance");
  g_autoptr(GBytes) title = png_chunk (png, "iTXt", "Title");
  g_autoptr(GBytes) bare = NULL;
  g_autofree char *dir = g_dir_make_tmp ("hl-meta-XXXXXX", NULL);
  g_autofree char *path = write_temp (dir, "f.png", png);
  cairo_surface_t *s;

  g_assert_nonnull (software);
  g_assert_cmpmem (g_bytes_get_data (software, NULL), g_bytes_get_size (software),
                   "Software\0Headlens " PACKAGE_VERSION, strlen ("Software Headlens " PACKAGE_VERSION));
  g_assert_nonnull (provenance);
  g_assert_cmpmem (g_bytes_get_data (provenance, NULL), g_bytes_get_size (provenance),
                   "Provenance\0" PROVENANCE, strlen ("Provenance ") + strlen (PROVENANCE));
  /* A title that is not ASCII goes into iTXt, whose text is UTF-8:
   * keyword, NUL, no compression (0, 0), no language, no translation. */
  g_assert_nonnull (title);
  g_assert_cmpmem (g_bytes_get_data (title, NULL), g_bytes_get_size (title),
                   "Title\0\0\0\0\0F over N — layer 3", 10 + strlen ("F over N — layer 3"));
  /* The file still decodes, at its size. */
  s = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 252);
  cairo_surface_destroy (s);
  g_remove (path);
  g_rmdir (dir);
  /* Without a title or provenance, only the software is named. */
  options.title = options.provenance = NULL;
  bare = export_kind (HL_PLOT_CURVES, &options);
  g_assert_null (png_chunk (bare, "iTXt", "Title"));
  g_assert_null (png_chunk (bare, "tEXt", "Provenance"));
  g_assert_nonnull (png_chunk (bare, "tEXt", "Software"));
}

/* SVG ------------------------------------------------------------------ */

static char *
svg_of (HlPlotKind         kind,
        const HlPlotStyle *style)
{
  HlPlotExportOptions options = { HL_PLOT_FORMAT_SVG, 3.5, 2.5, 300, FALSE,
                                  "Curves", PROVENANCE };
  g_autoptr(GBytes) svg = export_with (kind, render_fixture (kind), style, &options);

  return g_strndup (g_bytes_get_data (svg, NULL), g_bytes_get_size (svg));
}

static int
count (const char *haystack,
       const char *needle)
{
  int n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_svg_labels_are_text (void)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);
  g_autofree char *svg = NULL;
  g_autofree char *lm = NULL;

  for (int k = 0; k < HL_N_PLOT_KINDS; k++)
    {
      g_autofree char *any = svg_of (k, style);

      g_test_message ("%s", hl_plot_kind_to_string (k));
      /* No glyph outlines anywhere: cairo's glyphs are <symbol id="glyph..">. */
      g_assert_null (strstr (any, "id=\"glyph"));
      g_assert_cmpint (count (any, "<text "), >, 3);
    }
  svg = svg_of (HL_PLOT_CURVES, style);
  /* The axis labels, the title and the provenance as text. */
  g_assert_nonnull (strstr (svg, ">N (selected tokens)</text>"));
  g_assert_nonnull (strstr (svg, "<title>Curves</title>"));
  g_assert_nonnull (strstr (svg, "<metadata id=\"headlens-provenance\">"
                                 "{&quot;version&quot;:&quot;0.1.0&quot;,"));
  /* The vertical axis label is turned a quarter left, around its anchor. */
  g_assert_nonnull (strstr (svg, "transform=\"rotate(-90 "));
  g_assert_nonnull (strstr (svg, "font-family=\"DejaVu Sans\" font-size=\"8\""));
  /* Tick labels are 0.9 of the base size; the subscript of P_N is a tspan
   * of its own, smaller and lower. */
  g_assert_nonnull (strstr (svg, "font-size=\"7.2\""));
  g_assert_nonnull (strstr (svg, "<tspan "));
  /* The font setting reaches the file. */
  hl_plot_style_set_font (style, "Latin Modern Roman", 9);
  lm = svg_of (HL_PLOT_CURVES, style);
  g_assert_nonnull (strstr (lm, "font-family=\"Latin Modern Roman\" font-size=\"9\""));
  g_assert_null (strstr (lm, "font-family=\"DejaVu Sans\" font-size=\"9\""));
}

/* The value of attribute @name in the first element that @from starts. */
static double
attribute (const char *from,
           const char *name)
{
  g_autofree char *key = g_strdup_printf (" %s=\"", name);
  const char *at = strstr (from, key);

  g_assert_nonnull (at);
  g_assert_true (at < strchr (from, '>'));
  return g_ascii_strtod (at + strlen (key), NULL);
}

/* Draws @markup with hl_plot_text_show or _draw on an SVG surface that
 * collects text, and returns the <text> element. */
static char *
collect (const HlPlotStyle *style,
         const char        *markup,
         double             x,
         double             y,
         double             xalign,
         double             yalign,
         double             angle)
{
  cairo_surface_t *surface = cairo_svg_surface_create_for_stream (NULL, NULL, 200, 200);
  HlPlotSvgText *collector = hl_plot_svg_text_attach (surface);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(PangoLayout) layout = hl_plot_text_layout (style, markup, 1.0, FALSE);
  HlRgba red = { 1, 0, 0, 0.5 };
  char *element;

  /* A translation, as a panel's sub-plot has. */
  cairo_translate (cr, 5, 7);
  hl_plot_text_draw (cr, layout, &red, x, y, xalign, yalign, angle);
  element = g_strdup (hl_plot_svg_text_elements (collector));
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return element;
}

static void
test_svg_text_position (void)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);
  g_autoptr(PangoLayout) layout = hl_plot_text_layout (style, "Layer", 1.0, FALSE);
  double w, h, baseline = (double) pango_layout_get_baseline (layout) / PANGO_SCALE;
  g_autofree char *plain = NULL;
  g_autofree char *turned = NULL;

  hl_plot_text_size (layout, &w, &h);
  /* Left-top anchored at (10, 20), plus the translation (5, 7): the text's
   * baseline starts at (15, 27 + baseline). */
  plain = collect (style, "Layer", 10, 20, 0, 0, 0);
  g_assert_true (g_str_has_prefix (plain, "<text "));
  g_assert_cmpfloat_with_epsilon (attribute (plain, "x"), 15, 1e-3);
  g_assert_cmpfloat_with_epsilon (attribute (plain, "y"), 27 + baseline, 1e-3);
  g_assert_nonnull (strstr (plain, " fill=\"#ff0000\" fill-opacity=\"0.5\">Layer</text>"));
  g_assert_null (strstr (plain, "transform"));

  /* Centred on (50, 60) and turned to read bottom to top: the box's
   * top-left corner (-w/2, -h/2) turned by -90 degrees lands at
   * (50 - h/2, 60 + w/2); the baseline is `baseline` to its right. */
  turned = collect (style, "Layer", 50, 60, 0.5, 0.5, -G_PI / 2);
  g_assert_cmpfloat_with_epsilon (attribute (turned, "x"), 5 + 50 - h / 2 + baseline, 1e-3);
  g_assert_cmpfloat_with_epsilon (attribute (turned, "y"), 7 + 60 + w / 2, 1e-3);
  g_assert_nonnull (strstr (turned, "transform=\"rotate(-90 "));
}

static void
test_svg_markup_runs (void)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);
  g_autofree char *element = collect (style, "α<sub><i>i</i></sub> &amp; <b>x</b>", 0, 0, 0, 0, 0);
  const char *sub, *bold;

  /* Four runs: α, the italic subscript i, " & ", bold x. */
  g_assert_cmpint (count (element, "<tspan "), ==, 4);
  sub = strstr (element, "font-style=\"italic\"");
  g_assert_nonnull (sub);
  /* The subscript: smaller than the base size and below the baseline. */
  sub = g_strrstr_len (element, sub - element, "<tspan ");
  g_assert_cmpfloat (attribute (sub, "font-size"), <, style->font_size);
  g_assert_cmpfloat (attribute (sub, "y"), >, attribute (element, "y"));
  g_assert_nonnull (strstr (element, ">i</tspan>"));
  /* Text is escaped as XML. */
  g_assert_nonnull (strstr (element, "&amp;"));
  bold = strstr (element, "font-weight=\"bold\"");
  g_assert_nonnull (bold);
  g_assert_nonnull (strstr (bold, ">x</tspan>"));
}

/* A heatmap whose cells all have one colour, as PNG pixels after the
 * vector file went through @tool. */
static cairo_surface_t *
rasterised_heatmap (const char   *dir,
                    HlPlotFormat  format,
                    double        dpi)
{
  static int regimes[8 * 12];
  HlHeatmapPlotData data = { 8, 12, HL_HEATMAP_COLOR_REGIME, regimes, NULL,
                             HL_COLORMAP_VIRIDIS, 0, 0, NULL, -1, -1, NULL };
  HlPlotExportOptions options = { format, 4, 3, 300, FALSE };
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);
  g_autoptr(GBytes) bytes = export_with (HL_PLOT_HEATMAP, &data, style, &options);
  g_autofree char *input = write_temp (dir, format == HL_PLOT_FORMAT_SVG ? "h.svg" : "h.pdf", bytes);
  g_autofree char *png = g_build_filename (dir, "h.png", NULL);
  g_autofree char *prefix = g_build_filename (dir, "h", NULL);
  g_autofree char *res = g_strdup_printf ("%g", dpi);
  g_autofree char *out = NULL;
  cairo_surface_t *surface;

  if (format == HL_PLOT_FORMAT_SVG)
    {
      const char *argv[] = { "rsvg-convert", "-d", res, "-p", res, "-o", png, input, NULL };

      out = run_tool (argv);
    }
  else
    {
      const char *argv[] = { "pdftoppm", "-r", res, "-png", "-singlefile", input, prefix, NULL };

      out = run_tool (argv);
    }
  surface = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_remove (input);
  g_remove (png);
  return surface;
}

/* The lightest pixel along the middle row of the grid, which crosses
 * every boundary between two columns of cells. */
static int
lightest_on_row (cairo_surface_t *s,
                 double           y_fraction)
{
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  int stride = cairo_image_surface_get_stride (s), y = (int) (h * y_fraction);
  const guchar *row = cairo_image_surface_get_data (s) + y * stride;
  int lightest = 0;

  /* From a tenth to two thirds of the width: inside the grid, left of the
   * legend. */
  for (int x = w / 10; x < 2 * w / 3; x++)
    lightest = MAX (lightest, row[4 * x + 1]);
  return lightest;
}

static void
test_no_seams (void)
{
  g_autofree char *dir = g_dir_make_tmp ("hl-seams-XXXXXX", NULL);
  /* Okabe-Ito blue (#0072B2): green channel 0x72 = 114. */
  const int cell_green = 0x72;
  double dpis[] = { 72, 100, 150, 300 };

  for (guint i = 0; i < G_N_ELEMENTS (dpis); i++)
    for (int fmt = HL_PLOT_FORMAT_SVG; fmt <= HL_PLOT_FORMAT_PDF; fmt++)
      {
        cairo_surface_t *s = rasterised_heatmap (dir, fmt, dpis[i]);

        g_test_message ("%s at %g DPI", fmt == HL_PLOT_FORMAT_SVG ? "SVG" : "PDF", dpis[i]);
        /* A seam lets the white background through: the green channel
         * would rise well above the cell's. */
        g_assert_cmpint (lightest_on_row (s, 0.5), <=, cell_green + 8);
        cairo_surface_destroy (s);
      }
  g_rmdir (dir);
}

/* PDF ------------------------------------------------------------------ */

static void
test_pdf_metadata (void)
{
  HlPlotExportOptions options = { HL_PLOT_FORMAT_PDF, 3.5, 2.5, 300, FALSE,
                                  "Heatmap of run.h5", PROVENANCE };
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *dir = g_dir_make_tmp ("hl-meta-XXXXXX", NULL);
  g_autofree char *path = NULL;
  const char *argv[] = { "pdfinfo", "-isodates", NULL, NULL };
  g_autofree char *info = NULL;
  g_autofree char *now_info = NULL;
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) created = NULL;
  g_autofree char *text = NULL;
  const char *date;

  /* The creation date is SOURCE_DATE_EPOCH's when it is set, */
  g_setenv ("SOURCE_DATE_EPOCH", "86400", TRUE);
  pdf = export_kind (HL_PLOT_HEATMAP, &options);
  argv[2] = path = write_temp (dir, "f.pdf", pdf);
  info = run_tool (argv);
  g_assert_nonnull (strstr (info, "Title:           Heatmap of run.h5\n"));
  g_assert_nonnull (strstr (info, "Creator:         Headlens " PACKAGE_VERSION "\n"));
  g_assert_nonnull (strstr (info, "Subject:         " PROVENANCE "\n"));
  g_assert_nonnull (strstr (info, "CreationDate:    1970-01-02T00:00:00Z\n"));
  /* else now. */
  g_unsetenv ("SOURCE_DATE_EPOCH");
  g_bytes_unref (pdf);
  pdf = export_kind (HL_PLOT_HEATMAP, &options);
  g_file_set_contents (path, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), NULL);
  now_info = run_tool (argv);
  date = strstr (now_info, "CreationDate:    ");
  g_assert_nonnull (date);
  date += strlen ("CreationDate:    ");
  text = g_strndup (date, strcspn (date, "\n"));
  created = g_date_time_new_from_iso8601 (text, NULL);
  g_assert_nonnull (created);
  g_assert_cmpint (g_date_time_difference (created, before), >, -2 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (g_date_time_difference (created, before), <, 600 * G_TIME_SPAN_SECOND);
  g_remove (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render/metadata/png-resolution", test_png_resolution);
  g_test_add_func ("/render/metadata/png-text", test_png_text);
  g_test_add_func ("/render/metadata/svg-labels-are-text", test_svg_labels_are_text);
  g_test_add_func ("/render/metadata/svg-text-position", test_svg_text_position);
  g_test_add_func ("/render/metadata/svg-markup-runs", test_svg_markup_runs);
  g_test_add_func ("/render/metadata/no-seams", test_no_seams);
  g_test_add_func ("/render/metadata/pdf-metadata", test_pdf_metadata);
  status = g_test_run ();
  render_fixture_free_all ();
  hl_plot_text_release_caches ();
  return status;
}
