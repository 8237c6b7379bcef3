/* hl-tokens-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-tokens-plot.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "hl-plot-paint.h"
#include "hl-plot-text.h"

/* Token text is a little smaller than the figure's text; boxes have room
 * around it. All in units of the font size. */
#define TEXT_SCALE   0.9
#define PAD_X        0.12
#define PAD_Y        0.12
#define GAP_WORD     0.55   /* before a token that starts a word */
#define GAP_PIECE    0.08   /* between pieces of one word */
#define LINE_GAP     0.30
#define MAX_CHARS    24     /* longer tokens are cut with "…" */

typedef struct
{
  double x, y, width;
} Box;

struct _HlTokensLayout
{
  int    n_tokens;
  Box   *boxes;        /* [n_tokens] */
  char **texts;        /* [n_tokens] what is drawn, escaped for Pango */
  double line_height;
  double width;
  double height;
  double font_size;
};

/* "<0xE2>" → 0xE2, or -1 when @raw is not a byte token. */
static int
byte_token (const char *raw)
{
  unsigned int value;
  char end;

  if (strlen (raw) != 6 || sscanf (raw, "<0x%2X%c", &value, &end) != 2 || end != '>')
    return -1;
  return (int) value;
}

static const char *
visible_whitespace (gunichar c)
{
  switch (c)
    {
    case ' ': return "␣";
    case '\n': return "↵";
    case '\t': return "⇥";
    case '\r': return "␍";
    default: return NULL;
    }
}

/* The text of a byte token: whitespace made visible, a printable ASCII
 * character itself, anything else its hex value. */
static char *
byte_display (int value)
{
  const char *shown = visible_whitespace (value);

  if (shown != NULL)
    return g_strdup (shown);
  if (value > 0x20 && value < 0x7f)
    return g_strdup_printf ("%c", value);
  return g_strdup_printf ("‹%02X›", value);
}

/* Skips the marks of a word start: spaces, SentencePiece's "▁" and
 * byte-level BPE's "Ġ". */
static const char *
skip_word_start (const char *text,
                 gboolean   *word_start)
{
  static const char * const marks[] = { " ", "▁", "Ġ" };
  gboolean found = TRUE;

  while (found)
    {
      found = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (marks); i++)
        if (g_str_has_prefix (text, marks[i]) && text[strlen (marks[i])] != '\0')
          {
            text += strlen (marks[i]);
            *word_start = found = TRUE;
          }
    }
  return text;
}

/* Every whitespace and control character made visible; "Ċ" (byte-level
 * BPE's newline) too. */
static char *
visible_text (const char *text,
              gboolean   *line_break)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      const char *shown = visible_whitespace (c);

      if (c == '\n' || c == 0x010A)
        *line_break = TRUE, shown = "↵";
      if (shown != NULL)
        g_string_append (out, shown);
      else if (g_unichar_iscntrl (c))
        g_string_append_printf (out, "‹%02X›", c);
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

char *
hl_token_display (const char *raw,
                  gboolean   *word_start,
                  gboolean   *line_break)
{
  g_autofree char *valid = NULL;
  const char *text;
  int byte;

  g_return_val_if_fail (word_start != NULL && line_break != NULL, NULL);

  *word_start = *line_break = FALSE;
  if (raw == NULL || raw[0] == '\0')
    return g_strdup ("∅");
  if ((byte = byte_token (raw)) >= 0)
    {
      *line_break = byte == '\n';
      return byte_display (byte);
    }
  valid = g_utf8_make_valid (raw, -1);
  text = skip_word_start (valid, word_start);
  return visible_text (text, line_break);
}

/* Layout ------------------------------------------------------------------ */

/* What token @i shows: its display, cut when very long, escaped. */
static char *
token_markup (const HlTokensPlotData *data,
              int                     i,
              gboolean               *word_start,
              gboolean               *line_break)
{
  g_autofree char *shown = NULL;

  if (data->texts == NULL)
    {
      *word_start = TRUE;
      *line_break = FALSE;
      return g_strdup_printf ("%d", i);
    }
  shown = hl_token_display (data->texts[i], word_start, line_break);
  if (g_utf8_strlen (shown, -1) > MAX_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (shown, 0, MAX_CHARS - 1);

      g_free (shown);
      shown = g_strconcat (cut, "…", NULL);
    }
  return g_markup_escape_text (shown, -1);
}

static double
measure (PangoLayout *layout,
         const char  *markup)
{
  double width;

  pango_layout_set_markup (layout, markup, -1);
  hl_plot_text_size (layout, &width, NULL);
  return width;
}

HlTokensLayout *
hl_tokens_layout_new (const HlPlotStyle      *style,
                      const HlTokensPlotData *data,
                      double                  width)
{
  g_autoptr(PangoLayout) text = NULL;
  double em, x = 0, y = 0, text_height;
  gboolean next_on_new_line = FALSE;
  HlTokensLayout *self;

  g_return_val_if_fail (style != NULL && data != NULL, NULL);

  em = style->font_size;
  text = hl_plot_text_layout (style, "Ag", TEXT_SCALE, FALSE);
  hl_plot_text_size (text, NULL, &text_height);
  self = g_new0 (HlTokensLayout, 1);
  self->n_tokens = data->n_tokens;
  self->boxes = g_new0 (Box, MAX (data->n_tokens, 1));
  self->texts = g_new0 (char *, data->n_tokens + 1);
  self->line_height = text_height + 2 * PAD_Y * em;
  self->width = width;
  self->font_size = em;
  for (int i = 0; i < data->n_tokens; i++)
    {
      gboolean word_start, line_break;
      double w, gap;

      self->texts[i] = token_markup (data, i, &word_start, &line_break);
      w = measure (text, self->texts[i]) + 2 * PAD_X * em;
      gap = x == 0 ? 0 : (word_start ? GAP_WORD : GAP_PIECE) * em;
      if (next_on_new_line || (x > 0 && x + gap + w > width))
        {
          x = gap = 0;
          y += self->line_height + LINE_GAP * em;
        }
      self->boxes[i] = (Box) { x + gap, y, w };
      x += gap + w;
      next_on_new_line = line_break;
    }
  self->height = data->n_tokens > 0 ? y + self->line_height : 0;
  return self;
}

void
hl_tokens_layout_free (HlTokensLayout *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->texts);
  g_free (self->boxes);
  g_free (self);
}

double
hl_tokens_layout_get_height (const HlTokensLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->height;
}

double
hl_tokens_layout_get_width (const HlTokensLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->width;
}

void
hl_tokens_layout_get_box (const HlTokensLayout *self,
                          int                   index,
                          double               *x,
                          double               *y,
                          double               *width,
                          double               *height)
{
  g_return_if_fail (self != NULL && index >= 0 && index < self->n_tokens);

  *x = self->boxes[index].x;
  *y = self->boxes[index].y;
  *width = self->boxes[index].width;
  *height = self->line_height;
}

int
hl_tokens_layout_token_at (const HlTokensLayout *self,
                           double                x,
                           double                y)
{
  int lo = 0, hi;

  g_return_val_if_fail (self != NULL, -1);

  /* Boxes are in reading order: the first box of the line at y, then the
   * one under x. */
  hi = self->n_tokens;
  while (lo < hi)
    {
      int mid = (lo + hi) / 2;

      if (self->boxes[mid].y + self->line_height < y)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (int i = lo; i < self->n_tokens && self->boxes[i].y <= y; i++)
    if (x >= self->boxes[i].x && x <= self->boxes[i].x + self->boxes[i].width
        && y >= self->boxes[i].y)
      return i;
  return -1;
}

/* Drawing ------------------------------------------------------------------ */

static double
max_alpha (const HlTokensPlotData *data)
{
  double max = 0;

  for (int i = 0; i < data->n_tokens; i++)
    if (isfinite (data->alpha[i]))
      max = MAX (max, data->alpha[i]);
  return max;
}

/* The shade of a token: from the background (no attention) to the
 * strongest attention of the row. */
static HlRgba
token_fill (const HlPlotStyle *style,
            double             alpha,
            double             max)
{
  double t = max > 0 && isfinite (alpha) ? sqrt (CLAMP (alpha / max, 0, 1)) : 0;

  return hl_rgba_mix (&style->background, &style->curve[1], t);
}

/* Black or white text, whichever reads better on @fill. */
static const HlRgba *
text_color (const HlPlotStyle *style,
            const HlRgba      *fill)
{
  static const HlRgba white = { 1, 1, 1, 1 }, black = { 0, 0, 0, 1 };
  double luma = 0.2126 * fill->red + 0.7152 * fill->green + 0.0722 * fill->blue;

  return luma < 0.45 ? &white : &black;
}

static void
rounded_box (cairo_t *cr,
             double   x,
             double   y,
             double   w,
             double   h,
             double   r)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* The outlines: S_N in the accent colour, the query dashed, the
 * highlighted token thick. */
static void
outline_token (const HlPlotStyle      *style,
               const HlTokensPlotData *data,
               int                     i,
               cairo_t                *cr,
               double                  x,
               double                  y,
               double                  w,
               double                  h)
{
  double r = 0.2 * style->font_size;

  if (data->selected != NULL && data->selected[i])
    {
      rounded_box (cr, x, y, w, h, r);
      hl_plot_paint_set_color (cr, &style->accent);
      cairo_set_line_width (cr, style->line_width * 1.1);
      cairo_stroke (cr);
    }
  if (i == data->n_tokens - 1 || i == 0)
    {
      rounded_box (cr, x - 1.5 * style->axis_width, y - 1.5 * style->axis_width,
                   w + 3 * style->axis_width, h + 3 * style->axis_width, r * 1.3);
      hl_plot_paint_set_color (cr, &style->foreground);
      cairo_set_line_width (cr, style->axis_width);
      hl_plot_paint_set_dashed (cr, style->axis_width);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  if (i == data->highlighted)
    {
      rounded_box (cr, x - 2.5 * style->axis_width, y - 2.5 * style->axis_width,
                   w + 5 * style->axis_width, h + 5 * style->axis_width, r * 1.5);
      hl_plot_paint_set_color (cr, &style->foreground);
      cairo_set_line_width (cr, style->axis_width * 2.2);
      cairo_stroke (cr);
    }
}

static void
draw_token (const HlPlotStyle      *style,
            const HlTokensPlotData *data,
            const HlTokensLayout   *layout,
            PangoLayout            *text,
            int                     i,
            double                  max,
            cairo_t                *cr,
            double                  y_offset)
{
  const Box *box = &layout->boxes[i];
  double y = box->y - y_offset, h = layout->line_height;
  HlRgba fill = token_fill (style, data->alpha[i], max);

  rounded_box (cr, box->x, y, box->width, h, 0.2 * style->font_size);
  hl_plot_paint_set_color (cr, &fill);
  cairo_fill (cr);
  outline_token (style, data, i, cr, box->x, y, box->width, h);
  pango_layout_set_markup (text, layout->texts[i], -1);
  hl_plot_text_draw (cr, text, text_color (style, &fill), box->x + box->width / 2,
                     y + h / 2, 0.5, 0.5, 0.0);
}

void
hl_tokens_plot_draw_lines (const HlPlotStyle      *style,
                           const HlTokensPlotData *data,
                           const HlTokensLayout   *layout,
                           cairo_t                *cr,
                           double                  y_offset,
                           double                  height)
{
  g_autoptr(PangoLayout) text = NULL;
  double max;

  g_return_if_fail (style != NULL && data != NULL && layout != NULL && cr != NULL);
  g_return_if_fail (layout->n_tokens == data->n_tokens);

  text = hl_plot_text_layout (style, "", TEXT_SCALE, FALSE);
  max = max_alpha (data);
  for (int i = 0; i < data->n_tokens; i++)
    {
      const Box *box = &layout->boxes[i];

      if (box->y + layout->line_height < y_offset - style->font_size
          || box->y > y_offset + height + style->font_size)
        continue;
      draw_token (style, data, layout, text, i, max, cr, y_offset);
    }
}

/* The figure --------------------------------------------------------------- */

/* A legend line: what the shade, the outlines and the marks mean. */
static char *
legend_markup (const HlTokensPlotData *data)
{
  g_autofree char *max = hl_plot_text_format_number (max_alpha (data), 3);

  /* Translators: the legend of the token figure; keep the markup */
  return g_strdup_printf (_("shade: α<sub><i>i</i></sub> (darkest %s) · outlined: selected, "
                            "N = %d · dashed: sink (0) and query (<i>t</i>)"), max, data->n);
}

/* The first line to show so that the query's line is the last that fits in
 * @room. */
static double
scroll_to_query (const HlTokensLayout *layout,
                 double                room)
{
  double query_bottom;

  if (layout->n_tokens == 0)
    return 0;
  query_bottom = layout->boxes[layout->n_tokens - 1].y + layout->line_height;
  return MAX (0, query_bottom - room);
}

static int
first_shown (const HlTokensLayout *layout,
             double                y_offset)
{
  for (int i = 0; i < layout->n_tokens; i++)
    if (layout->boxes[i].y >= y_offset)
      return i;
  return 0;
}

void
hl_tokens_plot_draw (const HlPlotStyle      *style,
                     const HlTokensPlotData *data,
                     cairo_t                *cr,
                     double                  width,
                     double                  height)
{
  g_autofree char *legend = NULL;
  g_autoptr(HlTokensLayout) layout = NULL;
  double em, top, legend_h, room, y_offset;
  double margin;

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);
  g_return_if_fail (data->n_tokens == 0 || data->alpha != NULL);

  em = style->font_size;
  margin = 0.5 * em;
  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  hl_plot_paint_background (cr, style, width, height);
  top = margin;
  if (data->title != NULL)
    {
      double title_h;

      hl_plot_text_measure (style, data->title, 1.0, NULL, &title_h);
      hl_plot_text_show (cr, style, data->title, 1.0, &style->foreground, width / 2, top, 0.5, 0.0);
      top += title_h + 0.3 * em;
    }
  legend = legend_markup (data);
  hl_plot_text_measure (style, legend, 0.8, NULL, &legend_h);
  hl_plot_text_show (cr, style, legend, 0.8, &style->muted, margin, top, 0.0, 0.0);
  top += legend_h + 0.4 * em;
  layout = hl_tokens_layout_new (style, data, MAX (width - 2 * margin, em));
  room = height - top - margin - legend_h;
  y_offset = scroll_to_query (layout, room);
  cairo_save (cr);
  cairo_rectangle (cr, 0, top - 0.2 * em, width, room + 0.4 * em);
  cairo_clip (cr);
  cairo_translate (cr, margin, top);
  hl_tokens_plot_draw_lines (style, data, layout, cr, y_offset, room);
  cairo_restore (cr);
  if (y_offset > 0)
    {
      g_autofree char *note = NULL;

      /* Translators: which tokens a figure shows when not all fit */
      note = g_strdup_printf (_("positions %d to %d of 0 to %d"), first_shown (layout, y_offset),
                              data->n_tokens - 1, data->n_tokens - 1);
      hl_plot_text_show (cr, style, note, 0.8, &style->muted, width - margin, height - margin,
                         1.0, 1.0);
    }
  cairo_restore (cr);
}
