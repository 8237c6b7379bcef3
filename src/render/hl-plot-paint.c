/* hl-plot-paint.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-plot-paint.h"

#include <math.h>

void
hl_plot_paint_set_color (cairo_t      *cr,
                         const HlRgba *color)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha);
}

void
hl_plot_paint_set_dashed (cairo_t *cr,
                          double   line_width)
{
  double dashes[2] = { 4.0 * line_width, 2.5 * line_width };

  cairo_set_dash (cr, dashes, 2, 0.0);
}

void
hl_plot_paint_marker (cairo_t      *cr,
                      HlPlotMarker  marker,
                      double        x,
                      double        y,
                      double        size,
                      double        line_width)
{
  double r = size / 2.0;

  cairo_new_path (cr);
  switch (marker)
    {
    case HL_PLOT_MARKER_DOT:
      cairo_arc (cr, x, y, r, 0, 2 * G_PI);
      cairo_fill (cr);
      break;
    case HL_PLOT_MARKER_RING:
      cairo_arc (cr, x, y, r, 0, 2 * G_PI);
      cairo_set_line_width (cr, line_width);
      cairo_stroke (cr);
      break;
    case HL_PLOT_MARKER_CROSS:
      cairo_move_to (cr, x - r, y - r);
      cairo_line_to (cr, x + r, y + r);
      cairo_move_to (cr, x - r, y + r);
      cairo_line_to (cr, x + r, y - r);
      cairo_set_line_width (cr, line_width);
      cairo_stroke (cr);
      break;
    case HL_PLOT_MARKER_DIAMOND:
    default:
      cairo_move_to (cr, x, y - r * 1.2);
      cairo_line_to (cr, x + r * 1.2, y);
      cairo_line_to (cr, x, y + r * 1.2);
      cairo_line_to (cr, x - r * 1.2, y);
      cairo_close_path (cr);
      cairo_fill (cr);
      break;
    }
}

void
hl_plot_paint_hatch (cairo_t           *cr,
                     const HlPlotStyle *style,
                     double             x,
                     double             y,
                     double             width,
                     double             height)
{
  HlRgba base = hl_rgba_mix (&style->background, &style->muted, 0.35);
  double spacing = MAX (3.0, style->font_size * 0.45);

  cairo_save (cr);
  cairo_rectangle (cr, x, y, width, height);
  cairo_clip (cr);
  hl_plot_paint_set_color (cr, &base);
  cairo_paint (cr);
  /* Lines at 45 degrees anchored to the origin, so neighbouring pending
   * cells continue one pattern instead of each starting its own. */
  for (double k = floor ((x + y) / spacing) * spacing; k <= x + width + y + height; k += spacing)
    {
      cairo_move_to (cr, k - y, y);
      cairo_line_to (cr, k - y - height, y + height);
    }
  hl_plot_paint_set_color (cr, &style->muted);
  cairo_set_line_width (cr, MAX (0.5, style->axis_width * 0.8));
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
stripes (cairo_t *cr,
         double   x,
         double   y,
         double   width,
         double   height,
         double   spacing,
         gboolean vertical_too)
{
  for (double k = ceil (y / spacing) * spacing; k < y + height; k += spacing)
    {
      cairo_move_to (cr, x, k);
      cairo_line_to (cr, x + width, k);
    }
  for (double k = ceil (x / spacing) * spacing; vertical_too && k < x + width; k += spacing)
    {
      cairo_move_to (cr, k, y);
      cairo_line_to (cr, k, y + height);
    }
  cairo_stroke (cr);
}

static void
dots (cairo_t *cr,
      double   x,
      double   y,
      double   width,
      double   height,
      double   spacing,
      double   radius)
{
  /* Offset by half a step: a dot never sits on a cell's edge. */
  for (double j = floor (y / spacing) * spacing + spacing / 2; j < y + height; j += spacing)
    for (double i = floor (x / spacing) * spacing + spacing / 2; i < x + width; i += spacing)
      {
        cairo_new_sub_path (cr);
        cairo_arc (cr, i, j, radius, 0, 2 * G_PI);
      }
  cairo_fill (cr);
}

void
hl_plot_paint_regime_marks (cairo_t           *cr,
                            const HlPlotStyle *style,
                            HlRegime           regime,
                            const HlRgba      *fill,
                            double             x,
                            double             y,
                            double             width,
                            double             height)
{
  double luminance = 0.2126 * fill->red + 0.7152 * fill->green + 0.0722 * fill->blue;
  HlRgba ink = luminance > 0.45 ? (HlRgba) { 0, 0, 0, 0.55 } : (HlRgba) { 1, 1, 1, 0.75 };
  double spacing = MAX (2.5, style->font_size * 0.42);

  if (regime == HL_REGIME_RETRIEVER)
    return;
  cairo_save (cr);
  cairo_rectangle (cr, x, y, width, height);
  cairo_clip (cr);
  hl_plot_paint_set_color (cr, &ink);
  cairo_set_line_width (cr, MAX (0.4, spacing * 0.2));
  if (regime == HL_REGIME_RESET)
    dots (cr, x, y, width, height, spacing, spacing * 0.2);
  else
    stripes (cr, x, y, width, height, spacing, regime == HL_REGIME_OTHER);
  cairo_restore (cr);
}

gboolean
hl_plot_paint_is_raster (cairo_t *cr)
{
  cairo_surface_type_t type = cairo_surface_get_type (cairo_get_target (cr));

  /* GTK 4 records a widget's cairo drawing and replays it onto pixels, so a
   * recording surface is a screen; export draws on PDF and SVG directly. */
  return type == CAIRO_SURFACE_TYPE_IMAGE || type == CAIRO_SURFACE_TYPE_RECORDING;
}

void
hl_plot_paint_snap_rect (cairo_t *cr,
                         double  *x,
                         double  *y,
                         double  *width,
                         double  *height)
{
  double x0 = *x, y0 = *y, x1 = *x + *width, y1 = *y + *height;

  if (!hl_plot_paint_is_raster (cr))
    return;
  cairo_user_to_device (cr, &x0, &y0);
  cairo_user_to_device (cr, &x1, &y1);
  x0 = round (x0);
  y0 = round (y0);
  x1 = round (x1);
  y1 = round (y1);
  cairo_device_to_user (cr, &x0, &y0);
  cairo_device_to_user (cr, &x1, &y1);
  *x = x0;
  *y = y0;
  *width = x1 - x0;
  *height = y1 - y0;
}

void
hl_plot_paint_background (cairo_t           *cr,
                          const HlPlotStyle *style,
                          double             width,
                          double             height)
{
  /* OVER, not SOURCE: vector surfaces can only express SOURCE by turning
   * the page into an image. A transparent background paints nothing. */
  cairo_rectangle (cr, 0, 0, width, height);
  hl_plot_paint_set_color (cr, &style->background);
  cairo_fill (cr);
}

HlRgba
hl_plot_paint_faded (const HlPlotStyle *style,
                     const HlRgba      *color)
{
  const HlRgba *b = &style->background;
  double keep = 1.0 / 3.0;

  return (HlRgba) { b->red + keep * (color->red - b->red),
                    b->green + keep * (color->green - b->green),
                    b->blue + keep * (color->blue - b->blue), color->alpha };
}
