/* hl-plot-export.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-plot-export.h"

#include "hl-creation-time.h"
#include "hl-output-set.h"
#include "hl-plot-svg.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define POINTS_PER_INCH 72.0
#define MAX_INCHES 100.0
#define MAX_PIXELS 32767
#define METRES_PER_INCH 0.0254
#define CREATOR "Headlens " PACKAGE_VERSION

G_DEFINE_QUARK (hl-plot-export-error-quark, hl_plot_export_error)

static cairo_status_t
append_cb (void                *closure,
           const unsigned char *bytes,
           unsigned int         length)
{
  g_byte_array_append (closure, bytes, length);
  return CAIRO_STATUS_SUCCESS;
}

void
hl_plot_export_png_size (const HlPlotExportOptions *options,
                         int                       *width,
                         int                       *height)
{
  g_return_if_fail (options != NULL);

  *width = (int) lround (options->width * options->dpi);
  *height = (int) lround (options->height * options->dpi);
}

static gboolean
validate (const HlPlotExportOptions *options,
          GError                   **error)
{
  int pw, ph;

  if (!(options->width > 0 && options->width <= MAX_INCHES &&
        options->height > 0 && options->height <= MAX_INCHES))
    {
      g_set_error (error, HL_PLOT_EXPORT_ERROR, HL_PLOT_EXPORT_ERROR_INVALID,
                   _("Figure size %g × %g in is not possible: expected each side between 0 and %g in"),
                   options->width, options->height, MAX_INCHES);
      return FALSE;
    }
  if (options->format != HL_PLOT_FORMAT_PNG)
    return TRUE;
  hl_plot_export_png_size (options, &pw, &ph);
  if (!(options->dpi > 0) || pw < 1 || ph < 1 || pw > MAX_PIXELS || ph > MAX_PIXELS)
    {
      g_set_error (error, HL_PLOT_EXPORT_ERROR, HL_PLOT_EXPORT_ERROR_INVALID,
                   _("A PNG of %g × %g in at %g DPI would be %d × %d pixels: expected 1 to %d on each side"),
                   options->width, options->height, options->dpi, pw, ph, MAX_PIXELS);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_status (cairo_status_t status,
              const char    *what,
              GError       **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, HL_PLOT_EXPORT_ERROR, HL_PLOT_EXPORT_ERROR_CAIRO,
               _("Could not render the %s figure: %s"), what, cairo_status_to_string (status));
  return FALSE;
}

/* Draws with a transparent background when asked (PDF pages keep theirs:
 * viewers show a missing background as white anyway). */
static void
draw_figure (HlPlotKind                 kind,
             const HlPlotStyle         *style,
             gconstpointer              data,
             const HlPlotExportOptions *options,
             cairo_t                   *cr,
             double                     width,
             double                     height)
{
  g_autoptr(HlPlotStyle) copy = hl_plot_style_copy (style);

  if (options->transparent && options->format != HL_PLOT_FORMAT_PDF)
    copy->background.alpha = 0.0;
  hl_plot_draw (kind, copy, data, cr, width, height);
}

/* Draws the figure on @surface at @scale (surface units per point) into
 * @width x @height points; returns the drawing's status. */
static cairo_status_t
draw_on_surface (HlPlotKind                 kind,
                 const HlPlotStyle         *style,
                 gconstpointer              data,
                 const HlPlotExportOptions *options,
                 cairo_surface_t           *surface,
                 double                     scale,
                 double                     width,
                 double                     height)
{
  cairo_t *cr = cairo_create (surface);
  cairo_status_t status;

  cairo_scale (cr, scale, scale);
  draw_figure (kind, style, data, options, cr, width, height);
  status = cairo_status (cr);
  cairo_destroy (cr);
  return status;
}

static void
append_be32 (GByteArray *out,
             guint32     value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, bytes, 4);
}

/* One PNG chunk: length, type, data and the CRC of type and data. */
static void
append_chunk (GByteArray   *out,
              const char   *type,
              const guint8 *data,
              gsize         length)
{
  guint32 crc = crc32 (0, (const Bytef *) type, 4);

  crc = crc32 (crc, data, length);
  append_be32 (out, length);
  g_byte_array_append (out, (const guint8 *) type, 4);
  g_byte_array_append (out, data, length);
  append_be32 (out, crc);
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

/* A text chunk: tEXt when @text is ASCII (readable by every tool), else
 * iTXt, whose text is UTF-8. */
static void
append_text_chunk (GByteArray *out,
                   const char *keyword,
                   const char *text)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  gboolean ascii = is_ascii (text);

  g_byte_array_append (data, (const guint8 *) keyword, strlen (keyword) + 1);
  /* iTXt: not compressed, no language tag, no translated keyword. */
  if (!ascii)
    g_byte_array_append (data, (const guint8 *) "\0\0\0", 4);
  g_byte_array_append (data, (const guint8 *) text, strlen (text));
  append_chunk (out, ascii ? "tEXt" : "iTXt", data->data, data->len);
}

/* cairo writes neither the resolution nor any text; both go right after
 * the IHDR chunk (the signature's 8 bytes, then 25 of IHDR). pHYs gives
 * pixels per metre, the unit PNG knows. */
static GByteArray *
png_with_metadata (GByteArray                *png,
                   const HlPlotExportOptions *options)
{
  const guint ihdr_end = 8 + 25;
  guint32 per_metre = (guint32) lround (options->dpi / METRES_PER_INCH);
  guint8 phys[9] = { per_metre >> 24, per_metre >> 16, per_metre >> 8, per_metre,
                     per_metre >> 24, per_metre >> 16, per_metre >> 8, per_metre, 1 };
  GByteArray *out = g_byte_array_sized_new (png->len + 256);

  g_assert (png->len > ihdr_end && memcmp (png->data + 12, "IHDR", 4) == 0);
  g_byte_array_append (out, png->data, ihdr_end);
  append_chunk (out, "pHYs", phys, sizeof phys);
  if (options->title != NULL)
    append_text_chunk (out, "Title", options->title);
  append_text_chunk (out, "Software", CREATOR);
  if (options->provenance != NULL)
    append_text_chunk (out, "Provenance", options->provenance);
  g_byte_array_append (out, png->data + ihdr_end, png->len - ihdr_end);
  g_byte_array_unref (png);
  return out;
}

static gboolean
render_png (HlPlotKind                 kind,
            const HlPlotStyle         *style,
            gconstpointer              data,
            const HlPlotExportOptions *options,
            GByteArray                *out,
            GError                   **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  double scale = options->dpi / POINTS_PER_INCH;
  int pw, ph;

  hl_plot_export_png_size (options, &pw, &ph);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, pw, ph);
  /* The renderer draws in points; the drawn size is the pixel size in
   * points, so rounding to whole pixels never leaves an empty edge. */
  status = draw_on_surface (kind, style, data, options, surface, scale, pw / scale, ph / scale);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png_stream (surface, append_cb, out);
  cairo_surface_destroy (surface);
  return check_status (status, "PNG", error);
}


static void
set_pdf_metadata (cairo_surface_t           *surface,
                  const HlPlotExportOptions *options)
{
  g_autofree char *created = hl_creation_time ();

  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, CREATOR);
  /* When it was made, as the provenance's "created" (SOURCE_DATE_EPOCH too). */
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, created);
  if (options->title != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, options->title);
  if (options->provenance != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_SUBJECT, options->provenance);
}

/* Cairo names an SVG's embedded images by a number counted over every
 * surface the process made ("image1234"): renumbered in the order they
 * appear, the same figure gives the same bytes every time. */
static void
renumber_svg_images (GByteArray *svg)
{
  static const char prefix[] = "image";
  g_autoptr(GHashTable) numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GString) text = g_string_new_len ((const char *) svg->data, svg->len);
  GString *out = g_string_sized_new (svg->len);
  const char *p = text->str, *end = text->str + text->len;

  while (p < end)
    {
      const char *hit = g_strstr_len (p, end - p, prefix);
      const char *digits;
      g_autofree char *number = NULL;
      gpointer id;

      if (hit == NULL || !(hit > text->str && (hit[-1] == '"' || hit[-1] == '#')))
        {
          const char *stop = hit != NULL ? hit + 1 : end;

          g_string_append_len (out, p, stop - p);
          p = stop;
          continue;
        }
      g_string_append_len (out, p, hit + strlen (prefix) - p);
      digits = hit + strlen (prefix);
      for (p = digits; p < end && g_ascii_isdigit (*p); p++)
        ;
      number = g_strndup (digits, p - digits);
      if (!g_hash_table_lookup_extended (numbers, number, NULL, &id))
        {
          id = GUINT_TO_POINTER (g_hash_table_size (numbers) + 1);
          g_hash_table_insert (numbers, g_steal_pointer (&number), id);
        }
      if (digits == p)
        continue;
      g_string_append_printf (out, "%u", GPOINTER_TO_UINT (id));
    }
  g_byte_array_set_size (svg, 0);
  g_byte_array_append (svg, (const guint8 *) out->str, out->len);
  g_string_free (out, TRUE);
}

/* An SVG's text elements go to @svg_elements (owned by the caller). */
static gboolean
render_vector (HlPlotKind                 kind,
               const HlPlotStyle         *style,
               gconstpointer              data,
               const HlPlotExportOptions *options,
               GByteArray                *out,
               char                     **svg_elements,
               GError                   **error)
{
  double w = options->width * POINTS_PER_INCH, h = options->height * POINTS_PER_INCH;
  gboolean svg = options->format == HL_PLOT_FORMAT_SVG;
  HlPlotSvgText *svg_text = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;

  if (svg)
    {
      surface = cairo_svg_surface_create_for_stream (append_cb, out, w, h);
      cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PT);
      svg_text = hl_plot_svg_text_attach (surface);
    }
  else
    {
      surface = cairo_pdf_surface_create_for_stream (append_cb, out, w, h);
      set_pdf_metadata (surface, options);
    }
  /* Vector surfaces are in points already. */
  status = draw_on_surface (kind, style, data, options, surface, 1.0, w, h);
  cairo_surface_finish (surface);
  if (svg)
    renumber_svg_images (out);
  if (svg_text != NULL)
    *svg_elements = g_strdup (hl_plot_svg_text_elements (svg_text));
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  return check_status (status, svg ? "SVG" : "PDF", error);
}

GBytes *
hl_plot_export_to_bytes (HlPlotKind                 kind,
                         const HlPlotStyle         *style,
                         gconstpointer              data,
                         const HlPlotExportOptions *options,
                         GError                   **error)
{
  g_autoptr(GByteArray) out = NULL;
  g_autofree char *svg_elements = NULL;
  gboolean ok;

  g_return_val_if_fail (kind < HL_N_PLOT_KINDS, NULL);
  g_return_val_if_fail (style != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!validate (options, error))
    return NULL;
  out = g_byte_array_new ();
  if (options->format == HL_PLOT_FORMAT_PNG)
    ok = render_png (kind, style, data, options, out, error);
  else
    ok = render_vector (kind, style, data, options, out, &svg_elements, error);
  if (!ok)
    return NULL;
  if (options->format == HL_PLOT_FORMAT_PNG)
    out = png_with_metadata (g_steal_pointer (&out), options);
  else if (options->format == HL_PLOT_FORMAT_SVG)
    out = hl_plot_svg_finish (g_steal_pointer (&out), svg_elements, options->title,
                              options->provenance);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* A set of one file (hl-output-set.h), so that a killed export leaves no
 * temporary file behind. */
static gboolean
write_as_set (const char  *path,
              const char  *contents,
              gsize        size,
              GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(HlOutputSet) set = hl_output_set_new (dir, HL_OUTPUT_SET_NONE, error);

  return set != NULL
         && hl_output_set_add_contents (set, name, contents, size, error)
         && hl_output_set_commit (set, error);
}

gboolean
hl_plot_export_to_file (HlPlotKind                 kind,
                        const HlPlotStyle         *style,
                        gconstpointer              data,
                        const HlPlotExportOptions *options,
                        const char                *path,
                        GError                   **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize size;
  const char *contents;

  g_return_val_if_fail (path != NULL, FALSE);

  bytes = hl_plot_export_to_bytes (kind, style, data, options, error);
  if (bytes == NULL)
    return FALSE;
  contents = g_bytes_get_data (bytes, &size);
  if (!write_as_set (path, contents, size, &local_error))
    {
      g_set_error (error, HL_PLOT_EXPORT_ERROR, HL_PLOT_EXPORT_ERROR_WRITE,
                   _("Could not write the figure: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
hl_plot_format_from_path (const char   *path,
                          HlPlotFormat *format)
{
  static const char * const extensions[] = { ".png", ".svg", ".pdf" };
  size_t len;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (format != NULL, FALSE);

  len = strlen (path);
  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    if (len > 4 && g_ascii_strcasecmp (path + len - 4, extensions[i]) == 0)
      {
        *format = (HlPlotFormat) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
hl_plot_parse_size (const char *str,
                    double     *width,
                    double     *height,
                    GError    **error)
{
  const char *p = str;
  char *end;
  double w, h, unit = 1.0;

  g_return_val_if_fail (str != NULL, FALSE);

  w = g_ascii_strtod (p, &end);
  if (end == p || (*end != 'x' && *end != 'X'))
    goto fail;
  p = end + 1;
  h = g_ascii_strtod (p, &end);
  if (end == p)
    goto fail;
  if (g_ascii_strcasecmp (end, "cm") == 0)
    unit = 1.0 / 2.54;
  else if (g_ascii_strcasecmp (end, "mm") == 0)
    unit = 1.0 / 25.4;
  else if (*end != '\0' && g_ascii_strcasecmp (end, "in") != 0)
    goto fail;
  if (!(w > 0) || !(h > 0) || !isfinite (w) || !isfinite (h))
    goto fail;
  *width = w * unit;
  *height = h * unit;
  return TRUE;

fail:
  g_set_error (error, HL_PLOT_EXPORT_ERROR, HL_PLOT_EXPORT_ERROR_INVALID,
               _("Size “%s” is not valid: expected WIDTHxHEIGHT with a unit in, cm or mm, "
                 "for example 7x2.5in"), str);
  return FALSE;
}
