/* hl-plot-text.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-plot-text.h"

#include "hl-plot-svg.h"

#include <math.h>
#include <string.h>

static PangoContext *
create_context (void)
{
  PangoFontMap *map = pango_cairo_font_map_get_default ();
  PangoContext *context = pango_font_map_create_context (map);
  cairo_font_options_t *options = cairo_font_options_create ();

  /* Hinting would make text extents depend on the target and the scale;
   * unhinted metrics keep screen, PNG and vector output laid out alike. */
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (context, options);
  pango_cairo_context_set_resolution (context, 72.0);
  pango_context_set_round_glyph_positions (context, FALSE);
  cairo_font_options_destroy (options);
  return context;
}

static void
set_markup_or_text (PangoLayout *layout,
                    const char  *markup)
{
  if (pango_parse_markup (markup, -1, 0, NULL, NULL, NULL, NULL))
    pango_layout_set_markup (layout, markup, -1);
  else
    pango_layout_set_text (layout, markup, -1);
}

PangoLayout *
hl_plot_text_layout (const HlPlotStyle *style,
                     const char        *markup,
                     double             scale,
                     gboolean           bold)
{
  PangoContext *context;
  PangoFontDescription *font;
  PangoLayout *layout;

  g_return_val_if_fail (style != NULL, NULL);
  g_return_val_if_fail (markup != NULL, NULL);

  context = create_context ();
  layout = pango_layout_new (context);
  g_object_unref (context);
  font = pango_font_description_new ();
  pango_font_description_set_family (font, style->font_family);
  pango_font_description_set_absolute_size (font, style->font_size * scale * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  set_markup_or_text (layout, markup);
  return layout;
}

void
hl_plot_text_size (PangoLayout *layout,
                   double      *width,
                   double      *height)
{
  PangoRectangle logical;

  g_return_if_fail (PANGO_IS_LAYOUT (layout));

  pango_layout_get_extents (layout, NULL, &logical);
  if (width != NULL)
    *width = (double) logical.width / PANGO_SCALE;
  if (height != NULL)
    *height = (double) logical.height / PANGO_SCALE;
}

void
hl_plot_text_measure (const HlPlotStyle *style,
                      const char        *markup,
                      double             scale,
                      double            *width,
                      double            *height)
{
  g_autoptr(PangoLayout) layout = hl_plot_text_layout (style, markup, scale, FALSE);

  hl_plot_text_size (layout, width, height);
}

void
hl_plot_text_draw (cairo_t      *cr,
                   PangoLayout  *layout,
                   const HlRgba *color,
                   double        x,
                   double        y,
                   double        xalign,
                   double        yalign,
                   double        angle)
{
  HlPlotSvgText *svg_text;
  double w, h;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (PANGO_IS_LAYOUT (layout));

  hl_plot_text_size (layout, &w, &h);
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rotate (cr, angle);
  cairo_move_to (cr, -xalign * w, -yalign * h);
  svg_text = hl_plot_svg_text_get (cr);
  if (svg_text != NULL)
    hl_plot_svg_text_add (svg_text, cr, layout, color);
  else
    {
      cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha);
      pango_cairo_show_layout (cr, layout);
    }
  cairo_restore (cr);
}

void
hl_plot_text_show (cairo_t           *cr,
                   const HlPlotStyle *style,
                   const char        *markup,
                   double             scale,
                   const HlRgba      *color,
                   double             x,
                   double             y,
                   double             xalign,
                   double             yalign)
{
  g_autoptr(PangoLayout) layout = hl_plot_text_layout (style, markup, scale, FALSE);

  hl_plot_text_draw (cr, layout, color, x, y, xalign, yalign, 0.0);
}

char *
hl_plot_text_format_number (double value,
                            int    decimals)
{
  char format[16];
  char digits[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (decimals >= 0 && decimals <= 9, NULL);

  /* Rounding may leave -0.00; a tick at zero reads "0". The C locale keeps
   * the figure the same on every machine. */
  if (fabs (value) < 0.5 * pow (10.0, -decimals))
    value = 0.0;
  g_snprintf (format, sizeof format, "%%.%df", decimals);
  g_ascii_formatd (digits, sizeof digits, format, fabs (value));
  return g_strconcat (value < 0 ? "\342\210\222" : "", digits, NULL);
}

gboolean
hl_plot_text_has_family (const char *family)
{
  PangoFontFamily **families = NULL;
  int n_families = 0;
  gboolean found = FALSE;

  g_return_val_if_fail (family != NULL, FALSE);

  pango_font_map_list_families (pango_cairo_font_map_get_default (), &families, &n_families);
  for (int i = 0; i < n_families && !found; i++)
    found = g_ascii_strcasecmp (pango_font_family_get_name (families[i]), family) == 0;
  g_free (families);
  return found;
}

void
hl_plot_text_release_caches (void)
{
  /* cairo_debug_reset_static_data() and FcFini() would free more, but they
   * abort when any font or surface is still referenced anywhere in the
   * process; the caches they hold stay reachable, which leak checkers do not
   * report. */
  pango_cairo_font_map_set_default (NULL);
}
