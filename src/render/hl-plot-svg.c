/* hl-plot-svg.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-plot-svg.h"

#include <math.h>
#include <string.h>

struct _HlPlotSvgText
{
  GString *elements;
};

static const cairo_user_data_key_t svg_text_key;

static void
svg_text_free (gpointer data)
{
  HlPlotSvgText *self = data;

  g_string_free (self->elements, TRUE);
  g_free (self);
}

HlPlotSvgText *
hl_plot_svg_text_attach (cairo_surface_t *surface)
{
  HlPlotSvgText *self;

  g_return_val_if_fail (surface != NULL, NULL);

  self = g_new0 (HlPlotSvgText, 1);
  self->elements = g_string_new (NULL);
  cairo_surface_set_user_data (surface, &svg_text_key, self, svg_text_free);
  return self;
}

HlPlotSvgText *
hl_plot_svg_text_get (cairo_t *cr)
{
  g_return_val_if_fail (cr != NULL, NULL);

  /* The target, not the group target: text drawn inside a pushed group
   * still belongs to the document. */
  return cairo_surface_get_user_data (cairo_get_target (cr), &svg_text_key);
}

const char *
hl_plot_svg_text_elements (HlPlotSvgText *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->elements->str;
}

/* A number as SVG writes it: the C locale, no more digits than a
 * thousandth of a point needs. */
static void
append_number (GString *s,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (fabs (value) < 5e-4)
    value = 0.0;
  g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.3f", value));
  /* 12.500 -> 12.5, 3.000 -> 3 */
  while (s->str[s->len - 1] == '0')
    g_string_truncate (s, s->len - 1);
  if (s->str[s->len - 1] == '.')
    g_string_truncate (s, s->len - 1);
}

static void
append_attribute_number (GString    *s,
                         const char *name,
                         double      value)
{
  g_string_append_printf (s, " %s=\"", name);
  append_number (s, value);
  g_string_append_c (s, '"');
}

static void
append_color (GString      *s,
              const HlRgba *color)
{
  g_string_append_printf (s, " fill=\"#%02x%02x%02x\"",
                          (int) lround (CLAMP (color->red, 0, 1) * 255),
                          (int) lround (CLAMP (color->green, 0, 1) * 255),
                          (int) lround (CLAMP (color->blue, 0, 1) * 255));
  if (color->alpha < 1.0)
    append_attribute_number (s, "fill-opacity", color->alpha);
}

/* font-family, font-size, font-weight and font-style of one run's font,
 * each only when it differs from @parent (NULL: always). @scale converts
 * user units to the document's points. */
static void
append_font (GString                    *s,
             const PangoFontDescription *font,
             const PangoFontDescription *parent,
             double                      scale)
{
  const char *family = pango_font_description_get_family (font);
  /* Pango keeps sizes in 1/1024 points: 7.2 comes back as 7.19922. */
  double size = round (100.0 * scale * pango_font_description_get_size (font) / PANGO_SCALE) / 100.0;
  gboolean bold = pango_font_description_get_weight (font) >= PANGO_WEIGHT_SEMIBOLD;
  gboolean italic = pango_font_description_get_style (font) != PANGO_STYLE_NORMAL;

  if (family != NULL && (parent == NULL || g_strcmp0 (family, pango_font_description_get_family (parent)) != 0))
    {
      g_autofree char *escaped = g_markup_escape_text (family, -1);

      g_string_append_printf (s, " font-family=\"%s\"", escaped);
    }
  if (parent == NULL || pango_font_description_get_size (font) != pango_font_description_get_size (parent))
    append_attribute_number (s, "font-size", size);
  if (parent == NULL ? bold : bold != (pango_font_description_get_weight (parent) >= PANGO_WEIGHT_SEMIBOLD))
    g_string_append_printf (s, " font-weight=\"%s\"", bold ? "bold" : "normal");
  if (parent == NULL ? italic : italic != (pango_font_description_get_style (parent) != PANGO_STYLE_NORMAL))
    g_string_append_printf (s, " font-style=\"%s\"", italic ? "italic" : "normal");
}

/* One run of a layout: its text, its font and where its baseline starts,
 * in layout units (points from the layout's top-left corner). */
typedef struct
{
  const char           *text;
  int                   length;
  PangoFontDescription *font;   /* owned */
  double                x;
  double                baseline;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->font, pango_font_description_free);
}

/* Pango splits text where the script changes ("α<" is Greek, then
 * common); runs that go on in the same font on the same baseline are one
 * span for a reader of the file. */
static gboolean
continues (const Run *previous,
           const Run *run)
{
  return previous->text + previous->length == run->text
         && previous->baseline == run->baseline
         && pango_font_description_equal (previous->font, run->font);
}

static GArray *
layout_runs (PangoLayout *layout)
{
  GArray *runs = g_array_new (FALSE, TRUE, sizeof (Run));
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  const char *text = pango_layout_get_text (layout);

  g_array_set_clear_func (runs, (GDestroyNotify) run_clear);
  do
    {
      PangoGlyphItem *glyphs = pango_layout_iter_get_run_readonly (iter);
      PangoRectangle logical;
      Run run;

      /* NULL marks the end of a line. */
      if (glyphs == NULL)
        continue;
      pango_layout_iter_get_run_extents (iter, NULL, &logical);
      run.text = text + glyphs->item->offset;
      run.length = glyphs->item->length;
      run.font = pango_font_describe_with_absolute_size (glyphs->item->analysis.font);
      run.x = (double) logical.x / PANGO_SCALE;
      /* The run's own baseline, so sub- and superscripts keep their shift. */
      run.baseline = (double) pango_layout_iter_get_run_baseline (iter) / PANGO_SCALE;
      if (runs->len > 0 && continues (&g_array_index (runs, Run, runs->len - 1), &run))
        {
          g_array_index (runs, Run, runs->len - 1).length += run.length;
          run_clear (&run);
          continue;
        }
      g_array_append_val (runs, run);
    }
  while (pango_layout_iter_next_run (iter));
  pango_layout_iter_free (iter);
  return runs;
}

static void
append_text (GString    *s,
             const char *text,
             int         length)
{
  g_autofree char *escaped = g_markup_escape_text (text, length);

  g_string_append (s, escaped);
}

void
hl_plot_svg_text_add (HlPlotSvgText *self,
                      cairo_t       *cr,
                      PangoLayout   *layout,
                      const HlRgba  *color)
{
  g_autoptr(GArray) runs = NULL;
  cairo_matrix_t m;
  double cx, cy, x0, y0, scale, degrees;
  const Run *first;
  GString *s;

  g_return_if_fail (self != NULL);
  g_return_if_fail (PANGO_IS_LAYOUT (layout));

  runs = layout_runs (layout);
  if (runs->len == 0)
    return;
  first = &g_array_index (runs, Run, 0);
  cairo_get_current_point (cr, &cx, &cy);
  cairo_get_matrix (cr, &m);
  /* The user space is the document's points turned and scaled alike in
   * both directions (renderers only translate and rotate). */
  scale = sqrt (fabs (m.xx * m.yy - m.xy * m.yx));
  degrees = atan2 (m.yx, m.xx) * 180.0 / G_PI;
  x0 = cx + first->x;
  y0 = cy + first->baseline;
  cairo_user_to_device (cr, &x0, &y0);

  s = self->elements;
  g_string_append (s, "<text xml:space=\"preserve\"");
  append_attribute_number (s, "x", x0);
  append_attribute_number (s, "y", y0);
  if (fabs (degrees) > 1e-6)
    {
      g_string_append (s, " transform=\"rotate(");
      append_number (s, degrees);
      g_string_append_c (s, ' ');
      append_number (s, x0);
      g_string_append_c (s, ' ');
      append_number (s, y0);
      g_string_append (s, ")\"");
    }
  append_font (s, first->font, NULL, scale);
  append_color (s, color);
  g_string_append_c (s, '>');
  if (runs->len == 1)
    append_text (s, first->text, first->length);
  else
    for (guint i = 0; i < runs->len; i++)
      {
        const Run *run = &g_array_index (runs, Run, i);

        /* Positions in the text's own (unturned) frame around (x0, y0). */
        g_string_append (s, "<tspan");
        append_attribute_number (s, "x", x0 + scale * (run->x - first->x));
        append_attribute_number (s, "y", y0 + scale * (run->baseline - first->baseline));
        append_font (s, run->font, first->font, scale);
        g_string_append_c (s, '>');
        append_text (s, run->text, run->length);
        g_string_append (s, "</tspan>");
      }
  g_string_append (s, "</text>\n");
}

typedef struct
{
  GHashTable *names;   /* cairo's id -> its stable replacement */
} Renumber;

static gboolean
renumber_cb (const GMatchInfo *match,
             GString          *result,
             gpointer          user_data)
{
  Renumber *r = user_data;
  g_autofree char *id = g_match_info_fetch (match, 0);
  const char *stable = g_hash_table_lookup (r->names, id);

  if (stable == NULL)
    {
      stable = g_strdup_printf ("surface%u", g_hash_table_size (r->names) + 1);
      g_hash_table_insert (r->names, g_steal_pointer (&id), (gpointer) stable);
    }
  g_string_append (result, stable);
  return FALSE;
}

/* cairo 1.16 names SVG groups after a process-wide surface counter, so the
 * same figure exported twice would differ; numbering them in order of
 * appearance makes the file depend on the figure alone. */
static char *
stable_ids (GByteArray *svg)
{
  g_autoptr(GRegex) regex = g_regex_new ("\\bsurface[0-9]+\\b", G_REGEX_RAW, 0, NULL);
  Renumber r = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) };
  char *fixed;

  fixed = g_regex_replace_eval (regex, (const char *) svg->data, svg->len, 0, 0,
                                renumber_cb, &r, NULL);
  g_hash_table_unref (r.names);
  return fixed;
}

static void
append_header (GString    *s,
               const char *title,
               const char *provenance)
{
  if (title != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (title, -1);

      g_string_append_printf (s, "\n<title>%s</title>", escaped);
    }
  if (provenance != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (provenance, -1);

      g_string_append_printf (s, "\n<metadata id=\"headlens-provenance\">%s</metadata>", escaped);
    }
}

GByteArray *
hl_plot_svg_finish (GByteArray *svg,
                    const char *elements,
                    const char *title,
                    const char *provenance)
{
  g_autofree char *fixed = NULL;
  g_autoptr(GString) s = NULL;
  const char *open_end, *close;

  g_return_val_if_fail (svg != NULL, NULL);

  fixed = stable_ids (svg);
  g_byte_array_unref (svg);
  /* cairo writes one <svg ...> start tag and ends with </svg>. */
  open_end = strstr (fixed, "<svg");
  open_end = open_end != NULL ? strchr (open_end, '>') : NULL;
  close = g_strrstr (fixed, "</svg>");
  g_return_val_if_fail (open_end != NULL && close != NULL && close > open_end, NULL);

  s = g_string_new_len (fixed, open_end + 1 - fixed);
  append_header (s, title, provenance);
  g_string_append_len (s, open_end + 1, close - (open_end + 1));
  if (elements != NULL && elements[0] != '\0')
    g_string_append_printf (s, "<g id=\"labels\">\n%s</g>\n", elements);
  g_string_append (s, close);
  return g_bytes_unref_to_array (g_string_free_to_bytes (g_steal_pointer (&s)));
}
