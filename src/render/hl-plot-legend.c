/* hl-plot-legend.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-plot-legend.h"

#include "hl-plot-paint.h"
#include "hl-plot-text.h"

#define LABEL_SCALE 0.9

/* Sizes relative to the font, so legends scale with the figure's text. */
static double
symbol_width (const HlPlotStyle *style)
{
  return 2.2 * style->font_size;
}

static double
padding (const HlPlotStyle *style)
{
  return 0.4 * style->font_size;
}

void
hl_plot_legend_measure (const HlPlotStyle   *style,
                        const HlLegendEntry *entries,
                        int                  n_entries,
                        double              *width,
                        double              *height)
{
  double w = 0, h = 0;

  g_return_if_fail (style != NULL);
  g_return_if_fail (n_entries == 0 || entries != NULL);

  for (int i = 0; i < n_entries; i++)
    {
      double lw, lh;

      hl_plot_text_measure (style, entries[i].label, LABEL_SCALE, &lw, &lh);
      w = MAX (w, lw);
      h += lh;
    }
  *width = n_entries > 0 ? w + symbol_width (style) + 3 * padding (style) : 0;
  *height = n_entries > 0 ? h + 2 * padding (style) : 0;
}

static void
draw_line_symbol (const HlPlotStyle *style,
                  cairo_t           *cr,
                  double             x,
                  double             cy,
                  gboolean           dashed)
{
  cairo_move_to (cr, x, cy);
  cairo_line_to (cr, x + symbol_width (style), cy);
  cairo_set_line_width (cr, style->line_width);
  if (dashed)
    hl_plot_paint_set_dashed (cr, style->line_width);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

static void
draw_circle_symbol (const HlPlotStyle *style,
                    cairo_t           *cr,
                    double             cx,
                    double             cy,
                    double             r,
                    gboolean           dashed)
{
  cairo_new_path (cr);
  cairo_arc (cr, cx, cy, r, 0, 2 * G_PI);
  cairo_set_line_width (cr, style->line_width);
  if (dashed)
    hl_plot_paint_set_dashed (cr, style->line_width * 0.6);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

static void
draw_symbol (const HlPlotStyle   *style,
             const HlLegendEntry *entry,
             cairo_t             *cr,
             double               x,
             double               cy)
{
  double sw = symbol_width (style), bh = 0.7 * style->font_size;
  double cx = x + sw / 2, m = style->marker_size, lw = style->line_width;

  hl_plot_paint_set_color (cr, &entry->color);
  switch (entry->symbol)
    {
    case HL_LEGEND_LINE:
    case HL_LEGEND_DASHED:
      draw_line_symbol (style, cr, x, cy, entry->symbol == HL_LEGEND_DASHED);
      break;
    case HL_LEGEND_LINE_DOTS:
      draw_line_symbol (style, cr, x, cy, FALSE);
      hl_plot_paint_marker (cr, HL_PLOT_MARKER_DOT, cx, cy, m * 1.2, lw);
      break;
    case HL_LEGEND_BAND:
    case HL_LEGEND_BOX:
      cairo_rectangle (cr, x + sw * 0.15, cy - bh / 2, sw * 0.7, bh);
      cairo_fill (cr);
      break;
    case HL_LEGEND_REGIME:
      cairo_rectangle (cr, x + sw * 0.15, cy - bh / 2, sw * 0.7, bh);
      cairo_fill (cr);
      hl_plot_paint_regime_marks (cr, style, entry->regime, &entry->color,
                                  x + sw * 0.15, cy - bh / 2, sw * 0.7, bh);
      break;
    case HL_LEGEND_HATCH:
      hl_plot_paint_hatch (cr, style, x + sw * 0.15, cy - bh / 2, sw * 0.7, bh);
      break;
    case HL_LEGEND_DOT:
      hl_plot_paint_marker (cr, HL_PLOT_MARKER_DOT, cx, cy, m * 1.3, lw);
      break;
    case HL_LEGEND_RING:
      hl_plot_paint_marker (cr, HL_PLOT_MARKER_RING, cx, cy, m * 2.4, lw);
      break;
    case HL_LEGEND_CROSS:
      hl_plot_paint_marker (cr, HL_PLOT_MARKER_CROSS, cx, cy, m * 2.0, lw * 1.3);
      break;
    case HL_LEGEND_CIRCLE:
    case HL_LEGEND_DASHED_CIRCLE:
    default:
      draw_circle_symbol (style, cr, cx, cy, bh * 0.55, entry->symbol == HL_LEGEND_DASHED_CIRCLE);
      break;
    }
}

static void
draw_box (const HlPlotStyle *style,
          cairo_t           *cr,
          double             x,
          double             y,
          double             w,
          double             h)
{
  HlRgba fill = style->background;

  fill.alpha = MIN (fill.alpha, 0.85);
  cairo_rectangle (cr, x, y, w, h);
  hl_plot_paint_set_color (cr, &fill);
  cairo_fill_preserve (cr);
  hl_plot_paint_set_color (cr, &style->grid);
  cairo_set_line_width (cr, style->axis_width);
  cairo_stroke (cr);
}

void
hl_plot_legend_draw (const HlPlotStyle   *style,
                     const HlLegendEntry *entries,
                     int                  n_entries,
                     cairo_t             *cr,
                     double               x,
                     double               y,
                     gboolean             boxed)
{
  double w, h, pad, row_y;

  g_return_if_fail (style != NULL);
  g_return_if_fail (cr != NULL);

  if (n_entries == 0)
    return;
  hl_plot_legend_measure (style, entries, n_entries, &w, &h);
  pad = padding (style);
  cairo_save (cr);
  if (boxed)
    draw_box (style, cr, x, y, w, h);
  row_y = y + pad;
  for (int i = 0; i < n_entries; i++)
    {
      g_autoptr(PangoLayout) layout = hl_plot_text_layout (style, entries[i].label, LABEL_SCALE, FALSE);
      double lh;

      hl_plot_text_size (layout, NULL, &lh);
      draw_symbol (style, &entries[i], cr, x + pad, row_y + lh / 2);
      hl_plot_text_draw (cr, layout, &style->foreground,
                         x + 2 * pad + symbol_width (style), row_y, 0.0, 0.0, 0.0);
      row_y += lh;
    }
  cairo_restore (cr);
}
