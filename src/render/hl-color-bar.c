/* hl-color-bar.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-color-bar.h"

#include "hl-plot-paint.h"
#include "hl-plot-text.h"

/* Stops along the gradient: enough that no band shows between them. */
#define GRADIENT_STOPS 32

static void
draw_gradient (HlColormap  colormap,
               cairo_t    *cr,
               double      x,
               double      width,
               double      top,
               double      bottom)
{
  cairo_pattern_t *gradient = cairo_pattern_create_linear (0, bottom, 0, top);

  for (int k = 0; k <= GRADIENT_STOPS; k++)
    {
      HlRgba c = hl_colormap_eval (colormap, k / (double) GRADIENT_STOPS);

      cairo_pattern_add_color_stop_rgb (gradient, k / (double) GRADIENT_STOPS, c.red, c.green,
                                        c.blue);
    }
  cairo_rectangle (cr, x, top, width, bottom - top);
  cairo_set_source (cr, gradient);
  cairo_fill (cr);
  cairo_pattern_destroy (gradient);
}

void
hl_color_bar_draw (const HlPlotStyle *style,
                   HlColormap         colormap,
                   const HlPlotAxis  *axis,
                   const double      *ticks,
                   int                n_ticks,
                   double             tick_scale,
                   double             x,
                   double             width,
                   double             top,
                   double             bottom,
                   cairo_t           *cr)
{
  double right = x + width, em = style->font_size;

  g_return_if_fail (style != NULL && axis != NULL && cr != NULL);
  g_return_if_fail (n_ticks == 0 || ticks != NULL);

  draw_gradient (colormap, cr, x, width, top, bottom);
  hl_plot_paint_set_color (cr, &style->foreground);
  cairo_set_line_width (cr, style->axis_width);
  for (int i = 0; i < n_ticks; i++)
    {
      g_autofree char *label = hl_plot_axis_tick_label (axis, ticks, n_ticks, i);
      double py = hl_plot_axis_to_pixel (axis, ticks[i]);

      cairo_move_to (cr, right, py);
      cairo_line_to (cr, right + 0.3 * em, py);
      cairo_stroke (cr);
      hl_plot_text_show (cr, style, label, tick_scale, &style->foreground,
                         right + 0.55 * em, py, 0.0, 0.5);
    }
}
