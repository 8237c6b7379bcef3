/* hl-panel-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-panel-plot.h"

#include "hl-plot-paint.h"
#include "hl-plot-text.h"

static double
title_height (const HlPlotStyle     *style,
              const HlPanelPlotData *data)
{
  double h = 0;

  if (data->title != NULL)
    hl_plot_text_measure (style, data->title, 1.1, NULL, &h);
  return data->title != NULL ? h + 0.6 * style->font_size : 0;
}

/* The rectangle of panel @index in a figure of @width x @height. */
static void
panel_cell (const HlPlotStyle     *style,
                    const HlPanelPlotData *data,
                    double                 width,
                    double                 height,
                    int                    index,
                    double                *x,
                    double                *y,
                    double                *cell_width,
                    double                *cell_height)
{
  int columns, rows;
  double top;

  g_return_if_fail (style != NULL && data != NULL);
  g_return_if_fail (index >= 0 && index < data->n_items);

  columns = data->columns > 0 ? MIN (data->columns, data->n_items) : data->n_items;
  rows = (data->n_items + columns - 1) / columns;
  top = title_height (style, data);
  *cell_width = width / columns;
  *cell_height = (height - top) / rows;
  *x = (index % columns) * *cell_width;
  *y = top + (index / columns) * *cell_height;
}

static double
letter_height (const HlPlotStyle *style)
{
  double h;

  hl_plot_text_measure (style, "(a)", 1.0, NULL, &h);
  return h + 0.2 * style->font_size;
}

static void
draw_letter (const HlPlotStyle *style,
             cairo_t           *cr,
             int                index)
{
  g_autofree char *markup = g_strdup_printf ("(%c)", 'a' + index % 26);
  g_autoptr(PangoLayout) layout = hl_plot_text_layout (style, markup, 1.0, TRUE);

  hl_plot_text_draw (cr, layout, &style->foreground, 0.3 * style->font_size,
                     0.1 * style->font_size, 0.0, 0.0, 0.0);
}

void
hl_panel_plot_draw (const HlPlotStyle     *style,
                    const HlPanelPlotData *data,
                    cairo_t               *cr,
                    double                 width,
                    double                 height)
{
  g_return_if_fail (style != NULL && data != NULL && cr != NULL);
  g_return_if_fail (data->n_items == 0 || data->items != NULL);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  hl_plot_paint_background (cr, style, width, height);
  if (data->title != NULL)
    {
      g_autoptr(PangoLayout) layout = hl_plot_text_layout (style, data->title, 1.1, TRUE);

      hl_plot_text_draw (cr, layout, &style->foreground, width / 2, 0.4 * style->font_size,
                         0.5, 0.0, 0.0);
    }
  for (int i = 0; i < data->n_items; i++)
    {
      double x, y, w, h;

      g_return_if_fail (data->items[i].kind != HL_PLOT_PANEL);
      panel_cell (style, data, width, height, i, &x, &y, &w, &h);
      cairo_save (cr);
      cairo_translate (cr, x, y);
      if (data->letters)
        {
          /* The letter gets its own strip so it never covers a tick label. */
          double strip = letter_height (style);

          hl_plot_paint_background (cr, style, w, strip);
          draw_letter (style, cr, i);
          cairo_translate (cr, 0, strip);
          h -= strip;
        }
      hl_plot_draw (data->items[i].kind, style, data->items[i].data, cr, w, h);
      cairo_restore (cr);
    }
  cairo_restore (cr);
}
