/* hl-plot-frame.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-plot-frame.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hl-plot-paint.h"
#include "hl-plot-text.h"

#define TICK_SCALE 0.9
/* The size of a note under the title, relative to the base size. */
#define NOTE_SCALE 0.85

/* Every distance of the layout is a multiple of the font size, so a figure
 * keeps its proportions when the text grows. */
static double
em (const HlPlotStyle *style,
    double             f)
{
  return f * style->font_size;
}

void
hl_plot_frame_init (HlPlotFrame *self)
{
  g_return_if_fail (self != NULL);

  *self = (HlPlotFrame) { .grid_x = TRUE, .grid_y = TRUE };
}

static double
widest_tick_label (const HlPlotAxis  *axis,
                   const HlPlotStyle *style,
                   const double      *ticks,
                   int                n_ticks)
{
  double widest = 0;

  for (int i = 0; i < n_ticks; i++)
    {
      g_autofree char *label = hl_plot_axis_tick_label (axis, ticks, n_ticks, i);
      double w;

      hl_plot_text_measure (style, label, TICK_SCALE, &w, NULL);
      widest = MAX (widest, w);
    }
  return widest;
}

static void
set_pixels (HlPlotFrame *self)
{
  hl_plot_axis_set_pixels (&self->x, self->left, self->right);
  if (self->y_inverted)
    hl_plot_axis_set_pixels (&self->y, self->top, self->bottom);
  else
    hl_plot_axis_set_pixels (&self->y, self->bottom, self->top);
}

static int
max_y_ticks (const HlPlotFrame *self,
             const HlPlotStyle *style)
{
  double tick_h;

  hl_plot_text_measure (style, "0", TICK_SCALE, NULL, &tick_h);
  return MAX (2, (int) floor ((self->bottom - self->top) / (tick_h * 2.6)) + 1);
}

/* Fits as many x ticks as there is room for their widest label. */
static void
compute_x_ticks (HlPlotFrame       *self,
                 const HlPlotStyle *style)
{
  double label_w = em (style, 1.5);

  for (int pass = 0; pass < 3; pass++)
    {
      int max_ticks = MAX (2, (int) floor ((self->right - self->left) / (label_w + em (style, 1.2))) + 1);

      self->n_x_ticks = hl_plot_axis_ticks (&self->x, max_ticks, self->x_ticks);
      label_w = MAX (label_w, widest_tick_label (&self->x, style, self->x_ticks, self->n_x_ticks));
    }
}

void
hl_plot_frame_update_ticks (HlPlotFrame       *self,
                            const HlPlotStyle *style)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (style != NULL);

  set_pixels (self);
  self->n_y_ticks = hl_plot_axis_ticks (&self->y, max_y_ticks (self, style), self->y_ticks);
  compute_x_ticks (self, style);
}

static double
label_height (const HlPlotStyle *style,
              const char        *markup,
              double             scale)
{
  double h = 0;

  if (markup != NULL)
    hl_plot_text_measure (style, markup, scale, NULL, &h);
  return h;
}

void
hl_plot_frame_init_heads (HlPlotFrame *self,
                          int          n_layers,
                          int          n_heads,
                          const char  *title)
{
  g_return_if_fail (self != NULL);

  hl_plot_frame_init (self);
  self->grid_x = self->grid_y = FALSE;
  self->y_inverted = TRUE;
  self->title = title;
  hl_plot_axis_init (&self->x, HL_PLOT_SCALE_LINEAR, -0.5, n_heads - 0.5, _("Head"));
  hl_plot_axis_init (&self->y, HL_PLOT_SCALE_LINEAR, -0.5, n_layers - 0.5, _("Layer"));
  self->x.integer_ticks = self->y.integer_ticks = TRUE;
}

void
hl_plot_frame_layout (HlPlotFrame       *self,
                      const HlPlotStyle *style,
                      double             width,
                      double             height)
{
  double pad = em (style, 0.4), tick_len = em (style, 0.35), tick_h, title_h, y_tick_w;

  g_return_if_fail (self != NULL);
  g_return_if_fail (style != NULL);

  self->width = width;
  tick_h = label_height (style, "0", TICK_SCALE);
  title_h = label_height (style, self->title, 1.0);
  self->top = self->title != NULL ? pad + title_h + em (style, 0.5) : pad + tick_h / 2;
  if (self->note != NULL)
    self->top += label_height (style, self->note, NOTE_SCALE) + em (style, 0.4);
  self->top += self->reserve_top;
  self->bottom = height - pad - tick_len - em (style, 0.2) - tick_h - self->reserve_bottom;
  if (self->x.label != NULL)
    self->bottom -= label_height (style, self->x.label, 1.0) + em (style, 0.15);
  self->bottom = MAX (self->bottom, self->top + 1);

  self->n_y_ticks = hl_plot_axis_ticks (&self->y, max_y_ticks (self, style), self->y_ticks);
  y_tick_w = widest_tick_label (&self->y, style, self->y_ticks, self->n_y_ticks);
  self->left = pad + y_tick_w + em (style, 0.25) + tick_len;
  if (self->y.label != NULL)
    self->left += label_height (style, self->y.label, 1.0) + em (style, 0.35);
  self->right = width - self->reserve_right - em (style, 1.0);
  self->right = MAX (self->right, self->left + 1);
  hl_plot_frame_update_ticks (self, style);
}

void
hl_plot_frame_draw_grid (const HlPlotFrame *self,
                         const HlPlotStyle *style,
                         cairo_t           *cr)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  cairo_save (cr);
  for (int i = 0; self->grid_x && i < self->n_x_ticks; i++)
    {
      double px = hl_plot_axis_to_pixel (&self->x, self->x_ticks[i]);

      cairo_move_to (cr, px, self->top);
      cairo_line_to (cr, px, self->bottom);
    }
  for (int i = 0; self->grid_y && i < self->n_y_ticks; i++)
    {
      double py = hl_plot_axis_to_pixel (&self->y, self->y_ticks[i]);

      cairo_move_to (cr, self->left, py);
      cairo_line_to (cr, self->right, py);
    }
  hl_plot_paint_set_color (cr, &style->grid);
  cairo_set_line_width (cr, style->axis_width * 0.8);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_x_ticks (const HlPlotFrame *self,
              const HlPlotStyle *style,
              cairo_t           *cr)
{
  double tick_len = em (style, 0.35);

  for (int i = 0; i < self->n_x_ticks; i++)
    {
      g_autofree char *label = hl_plot_axis_tick_label (&self->x, self->x_ticks, self->n_x_ticks, i);
      double px = hl_plot_axis_to_pixel (&self->x, self->x_ticks[i]);

      cairo_move_to (cr, px, self->bottom);
      cairo_line_to (cr, px, self->bottom + tick_len);
      cairo_stroke (cr);
      hl_plot_text_show (cr, style, label, TICK_SCALE, &style->foreground,
                         px, self->bottom + tick_len + em (style, 0.2) + self->reserve_bottom,
                         0.5, 0.0);
    }
}

static void
draw_y_ticks (const HlPlotFrame *self,
              const HlPlotStyle *style,
              cairo_t           *cr)
{
  double tick_len = em (style, 0.35);

  for (int i = 0; i < self->n_y_ticks; i++)
    {
      g_autofree char *label = hl_plot_axis_tick_label (&self->y, self->y_ticks, self->n_y_ticks, i);
      double py = hl_plot_axis_to_pixel (&self->y, self->y_ticks[i]);

      cairo_move_to (cr, self->left, py);
      cairo_line_to (cr, self->left - tick_len, py);
      cairo_stroke (cr);
      hl_plot_text_show (cr, style, label, TICK_SCALE, &style->foreground,
                         self->left - tick_len - em (style, 0.25), py, 1.0, 0.5);
    }
}

static void
draw_labels (const HlPlotFrame *self,
             const HlPlotStyle *style,
             cairo_t           *cr)
{
  double pad = em (style, 0.4);

  if (self->x.label != NULL)
    {
      g_autoptr(PangoLayout) layout = hl_plot_text_layout (style, self->x.label, 1.0, FALSE);

      hl_plot_text_draw (cr, layout, &style->foreground,
                         (self->left + self->right) / 2,
                         self->bottom + em (style, 0.55) + label_height (style, "0", TICK_SCALE)
                         + em (style, 0.15) + self->reserve_bottom,
                         0.5, 0.0, 0.0);
    }
  if (self->y.label != NULL)
    {
      g_autoptr(PangoLayout) layout = hl_plot_text_layout (style, self->y.label, 1.0, FALSE);

      hl_plot_text_draw (cr, layout, &style->foreground,
                         pad, (self->top + self->bottom) / 2, 0.5, 0.0, -G_PI / 2);
    }
  if (self->title != NULL)
    {
      g_autoptr(PangoLayout) layout = hl_plot_text_layout (style, self->title, 1.0, TRUE);

      hl_plot_text_draw (cr, layout, &style->foreground,
                         (self->left + self->right) / 2, pad, 0.5, 0.0, 0.0);
    }
  if (self->note != NULL)
    {
      g_autoptr(PangoLayout) layout = hl_plot_text_layout (style, self->note, NOTE_SCALE, FALSE);
      double below = self->title != NULL ? label_height (style, self->title, 1.0) + em (style, 0.3)
                                         : 0.0;
      double w, h, x = (self->left + self->right) / 2;

      /* Over the data, but never cut by the figure's edges. */
      hl_plot_text_size (layout, &w, &h);
      if (w + 2 * pad >= self->width)
        x = self->width / 2;
      else
        x = CLAMP (x, pad + w / 2, self->width - pad - w / 2);
      hl_plot_text_draw (cr, layout, &style->warning, x, pad + below, 0.5, 0.0, 0.0);
    }
}

void
hl_plot_frame_draw_axes (const HlPlotFrame *self,
                         const HlPlotStyle *style,
                         cairo_t           *cr)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  cairo_save (cr);
  hl_plot_paint_set_color (cr, &style->foreground);
  cairo_set_line_width (cr, style->axis_width);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_SQUARE);
  cairo_move_to (cr, self->left, self->top);
  cairo_line_to (cr, self->left, self->bottom);
  cairo_line_to (cr, self->right, self->bottom);
  cairo_stroke (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  draw_x_ticks (self, style, cr);
  draw_y_ticks (self, style, cr);
  draw_labels (self, style, cr);
  cairo_restore (cr);
}

void
hl_plot_frame_clip (const HlPlotFrame *self,
                    cairo_t           *cr,
                    double             margin)
{
  g_return_if_fail (self != NULL);

  cairo_rectangle (cr, self->left - margin, self->top - margin,
                   self->right - self->left + 2 * margin, self->bottom - self->top + 2 * margin);
  cairo_clip (cr);
}

gboolean
hl_plot_frame_contains (const HlPlotFrame *self,
                        double             x,
                        double             y)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return x >= self->left && x <= self->right && y >= self->top && y <= self->bottom;
}
