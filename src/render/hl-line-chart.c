/* hl-line-chart.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-line-chart.h"

#include <math.h>

#include "hl-plot-paint.h"
#include "hl-plot-text.h"

void
hl_line_chart_init (HlLineChart *self)
{
  g_return_if_fail (self != NULL);

  *self = (HlLineChart) { .hline = NAN, .mark_x = NAN, .point_x = NAN, .point_y = NAN };
  hl_plot_frame_init (&self->frame);
}

void
hl_line_chart_add_legend (HlLineChart    *self,
                          HlLegendSymbol  symbol,
                          const HlRgba   *color,
                          const char     *label)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->n_legend < HL_LINE_CHART_MAX_LEGEND);

  self->legend[self->n_legend++] = (HlLegendEntry) { symbol, *color, label };
}

double *
hl_line_chart_floats (const float *values,
                      int          n)
{
  double *out;

  if (values == NULL)
    return NULL;
  out = g_new (double, MAX (n, 1));
  for (int i = 0; i < n; i++)
    out[i] = values[i];
  return out;
}

double *
hl_line_chart_ints (const int *values,
                    int        n)
{
  double *out;

  if (values == NULL)
    return NULL;
  out = g_new (double, MAX (n, 1));
  for (int i = 0; i < n; i++)
    out[i] = values[i];
  return out;
}

static gboolean
point_ok (const HlLineChart *self,
          double             x,
          double             y)
{
  if (!isfinite (x) || !isfinite (y))
    return FALSE;
  if (self->frame.x.scale != HL_PLOT_SCALE_LINEAR && !(x > 0))
    return FALSE;
  return self->frame.y.scale == HL_PLOT_SCALE_LINEAR || y > 0;
}

static void
px (const HlLineChart *self,
    double             x,
    double             y,
    double            *out_x,
    double            *out_y)
{
  *out_x = hl_plot_axis_to_pixel (&self->frame.x, x);
  *out_y = hl_plot_axis_to_pixel (&self->frame.y, y);
}

/* A band is filled segment by segment between consecutive valid points. */
static void
draw_band (const HlLineChart  *self,
           const HlLineSeries *s,
           cairo_t            *cr)
{
  HlRgba fill = s->color;

  fill.alpha *= 0.22;
  hl_plot_paint_set_color (cr, &fill);
  for (int i = 0; i + 1 < s->n; i++)
    {
      double ax, ay, bx, by, cx, cy, dx, dy;

      if (!point_ok (self, s->x[i], s->lo[i]) || !point_ok (self, s->x[i + 1], s->lo[i + 1]) ||
          !point_ok (self, s->x[i], s->hi[i]) || !point_ok (self, s->x[i + 1], s->hi[i + 1]))
        continue;
      px (self, s->x[i], s->lo[i], &ax, &ay);
      px (self, s->x[i + 1], s->lo[i + 1], &bx, &by);
      px (self, s->x[i + 1], s->hi[i + 1], &cx, &cy);
      px (self, s->x[i], s->hi[i], &dx, &dy);
      cairo_move_to (cr, ax, ay);
      cairo_line_to (cr, bx, by);
      cairo_line_to (cr, cx, cy);
      cairo_line_to (cr, dx, dy);
      cairo_close_path (cr);
    }
  /* One fill for all segments: WINDING makes shared edges seamless. */
  cairo_fill (cr);
}

static void
draw_line (const HlLineChart  *self,
           const HlLineSeries *s,
           const HlPlotStyle  *style,
           cairo_t            *cr)
{
  gboolean pen_down = FALSE;
  double lw = style->line_width * (s->width > 0 ? s->width : 1.0);

  for (int i = 0; i < s->n; i++)
    {
      double x, y;

      if (!point_ok (self, s->x[i], s->y[i]))
        {
          pen_down = FALSE;
          continue;
        }
      px (self, s->x[i], s->y[i], &x, &y);
      if (pen_down)
        cairo_line_to (cr, x, y);
      else
        cairo_move_to (cr, x, y);
      pen_down = TRUE;
    }
  hl_plot_paint_set_color (cr, &s->color);
  cairo_set_line_width (cr, lw);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  if (s->line == HL_LINE_DASHED)
    hl_plot_paint_set_dashed (cr, lw);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

static void
draw_markers (const HlLineChart  *self,
              const HlLineSeries *s,
              const HlPlotStyle  *style,
              cairo_t            *cr)
{
  hl_plot_paint_set_color (cr, &s->color);
  for (int i = 0; i < s->n; i++)
    {
      double x, y;

      if (!point_ok (self, s->x[i], s->y[i]))
        continue;
      px (self, s->x[i], s->y[i], &x, &y);
      hl_plot_paint_marker (cr, HL_PLOT_MARKER_DOT, x, y, style->marker_size, style->line_width);
    }
}

static void
draw_marks (const HlLineChart *self,
            const HlPlotStyle *style,
            cairo_t           *cr)
{
  const HlPlotFrame *f = &self->frame;
  double x, y;

  if (isfinite (self->hline))
    {
      y = hl_plot_axis_to_pixel (&f->y, self->hline);
      cairo_move_to (cr, f->left, y);
      cairo_line_to (cr, f->right, y);
      hl_plot_paint_set_color (cr, &style->muted);
      cairo_set_line_width (cr, style->axis_width);
      cairo_stroke (cr);
    }
  if (point_ok (self, self->mark_x, 1.0))
    {
      double dots[2] = { style->axis_width, 2.5 * style->axis_width };

      x = hl_plot_axis_to_pixel (&f->x, self->mark_x);
      cairo_move_to (cr, x, f->bottom);
      cairo_line_to (cr, x, f->top);
      hl_plot_paint_set_color (cr, &style->foreground);
      cairo_set_line_width (cr, style->axis_width * 1.2);
      cairo_set_dash (cr, dots, 2, 0);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
}

#define MARK_SCALE 0.85

static double
mark_label_height (const HlLineChart *self,
                   const HlPlotStyle *style)
{
  double h;

  if (self->mark_label == NULL || !isfinite (self->mark_x))
    return 0;
  hl_plot_text_measure (style, self->mark_label, MARK_SCALE, NULL, &h);
  return h + 0.1 * style->font_size;
}

/* The label of the marked x sits in the strip kept above the data (outside
 * the data clip), so neither the curves nor the legend can hide it. It is
 * centred on its x, moved inward where it would cross the figure's edge
 * (the chosen N is often the last of the grid). */
static void
place_mark_label (HlLineChart       *self,
                  const HlPlotStyle *style)
{
  double w, h, x;

  self->mark_box = (cairo_rectangle_t) { 0 };
  if (self->mark_label == NULL || !point_ok (self, self->mark_x, 1.0))
    return;
  hl_plot_text_measure (style, self->mark_label, MARK_SCALE, &w, &h);
  x = hl_plot_axis_to_pixel (&self->frame.x, self->mark_x) - w / 2;
  x = CLAMP (x, 0, MAX (0, self->frame.width - w - 0.2 * style->font_size));
  self->mark_box = (cairo_rectangle_t) { x, self->frame.top - 0.1 * style->font_size - h, w, h };
}

static void
draw_mark_label (const HlLineChart *self,
                 const HlPlotStyle *style,
                 cairo_t           *cr)
{
  if (self->mark_box.width <= 0)
    return;
  hl_plot_text_show (cr, style, self->mark_label, MARK_SCALE, &style->foreground,
                     self->mark_box.x, self->mark_box.y, 0.0, 0.0);
}

static void
draw_point (const HlLineChart *self,
            const HlPlotStyle *style,
            cairo_t           *cr)
{
  double x, y;

  if (!point_ok (self, self->point_x, self->point_y))
    return;
  px (self, self->point_x, self->point_y, &x, &y);
  hl_plot_paint_set_color (cr, &style->foreground);
  hl_plot_paint_marker (cr, HL_PLOT_MARKER_RING, x, y, style->marker_size * 2.6, style->line_width);
  if (self->point_label != NULL)
    hl_plot_text_show (cr, style, self->point_label, 0.85, &style->foreground,
                       x, y - style->marker_size * 1.5, 0.5, 1.0);
}

/* How many of @s's samples fall in the box: every point, and points
 * sampled along each segment (lines and band edges), so a legend over a
 * line between two far points counts too. */
static int
points_in_box (const HlLineChart       *self,
               const HlLineSeries      *s,
               const double            *y,
               const cairo_rectangle_t *box)
{
  int hits = 0;

  for (int i = 0; i < s->n; i++)
    {
      double ax, ay, bx, by;
      int steps;

      if (!point_ok (self, s->x[i], y[i]))
        continue;
      px (self, s->x[i], y[i], &ax, &ay);
      bx = ax, by = ay, steps = 0;
      if (s->line != HL_LINE_NONE && i + 1 < s->n && point_ok (self, s->x[i + 1], y[i + 1]))
        {
          px (self, s->x[i + 1], y[i + 1], &bx, &by);
          steps = 16;
        }
      for (int j = 0; j < MAX (steps, 1); j++)
        {
          double x = ax + (bx - ax) * j / 16.0, yy = ay + (by - ay) * j / 16.0;

          hits += x >= box->x && x <= box->x + box->width &&
                  yy >= box->y && yy <= box->y + box->height;
        }
    }
  return hits;
}

/* How much of the data a legend in @box would cover. */
static int
legend_overlap (const HlLineChart       *self,
                const cairo_rectangle_t *box)
{
  int hits = 0;

  for (int k = 0; k < self->n_series; k++)
    {
      const HlLineSeries *s = &self->series[k];

      hits += points_in_box (self, s, s->y, box);
      if (s->lo != NULL && s->hi != NULL)
        hits += points_in_box (self, s, s->lo, box) + points_in_box (self, s, s->hi, box);
    }
  return hits;
}

/* Whether a legend of @w x @h fits in the data area with margin @m. */
static gboolean
legend_fits_inside (const HlLineChart *self,
                    double             w,
                    double             h,
                    double             m)
{
  const HlPlotFrame *f = &self->frame;

  return w + 2 * m <= f->right - f->left && h + 2 * m <= f->bottom - f->top;
}

/* Inside the data area: of the corners and the middles of the edges, in
 * this order of preference, the first that covers the least data. Returns
 * how much it covers. */
static int
place_legend_inside (HlLineChart *self,
                     double       w,
                     double       h,
                     double       m)
{
  const HlPlotFrame *f = &self->frame;
  /* Fractions of the free room: 0 left or top, 1 right or bottom. */
  static const double spots[][2] = {
    { 1, 0 }, { 1, 1 }, { 0, 0 }, { 0, 1 }, { 0.5, 0 }, { 0.5, 1 }, { 1, 0.5 }, { 0, 0.5 },
  };
  int best = G_MAXINT;

  for (guint i = 0; i < G_N_ELEMENTS (spots); i++)
    {
      cairo_rectangle_t box = {
        f->left + m + spots[i][0] * (f->right - f->left - 2 * m - w),
        f->top + m + spots[i][1] * (f->bottom - f->top - 2 * m - h),
        w, h,
      };
      int overlap = legend_overlap (self, &box);

      if (overlap < best)
        best = overlap, self->legend_box = box;
    }
  return best;
}

/* Outside the data, in room kept for it (the frame is laid out again):
 * right of the data when that leaves it at least half the figure's width,
 * else above it. */
static void
place_legend_outside (HlLineChart       *self,
                      const HlPlotStyle *style,
                      double             width,
                      double             height,
                      double             w,
                      double             h,
                      double             m)
{
  const HlPlotFrame *f = &self->frame;
  double edge = 0.2 * style->font_size;

  if ((f->right - f->left) - (w + m) >= width / 2)
    {
      self->frame.reserve_right += w + m;
      hl_plot_frame_layout (&self->frame, style, width, height);
      self->legend_box = (cairo_rectangle_t) { width - w - m, f->top, w, h };
      return;
    }
  self->frame.reserve_top += h + m;
  hl_plot_frame_layout (&self->frame, style, width, height);
  self->legend_box = (cairo_rectangle_t) {
    CLAMP (f->left, 0, MAX (0, width - w - edge)),
    f->top - mark_label_height (self, style) - m - h, w, h,
  };
}

/* Where the data is not: inside when a spot is free, else outside. */
static void
place_legend (HlLineChart       *self,
              const HlPlotStyle *style,
              double             width,
              double             height)
{
  double w, h, m = 0.4 * style->font_size;

  self->legend_box = (cairo_rectangle_t) { 0 };
  if (self->n_legend == 0)
    return;
  hl_plot_legend_measure (style, self->legend, self->n_legend, &w, &h);
  if (!legend_fits_inside (self, w, h, m) || place_legend_inside (self, w, h, m) > 0)
    place_legend_outside (self, style, width, height, w, h, m);
}

static void
draw_legend (const HlLineChart *self,
             const HlPlotStyle *style,
             cairo_t           *cr)
{
  if (self->legend_box.width <= 0)
    return;
  hl_plot_legend_draw (style, self->legend, self->n_legend, cr,
                       self->legend_box.x, self->legend_box.y, TRUE);
}

static void
draw_data (HlLineChart       *self,
           const HlPlotStyle *style,
           cairo_t           *cr)
{
  cairo_save (cr);
  hl_plot_frame_clip (&self->frame, cr, style->marker_size);
  for (int k = 0; k < self->n_series; k++)
    if (self->series[k].lo != NULL && self->series[k].hi != NULL)
      draw_band (self, &self->series[k], cr);
  draw_marks (self, style, cr);
  for (int k = 0; k < self->n_series; k++)
    {
      if (self->series[k].line != HL_LINE_NONE)
        draw_line (self, &self->series[k], style, cr);
      if (self->series[k].markers)
        draw_markers (self, &self->series[k], style, cr);
    }
  cairo_restore (cr);
}

void
hl_line_chart_draw (HlLineChart       *self,
                    const HlPlotStyle *style,
                    cairo_t           *cr,
                    double             width,
                    double             height)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (style != NULL);
  g_return_if_fail (cr != NULL);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  hl_plot_paint_background (cr, style, width, height);
  self->frame.reserve_top = mark_label_height (self, style);
  hl_plot_frame_layout (&self->frame, style, width, height);
  place_legend (self, style, width, height);
  place_mark_label (self, style);
  hl_plot_frame_draw_grid (&self->frame, style, cr);
  draw_data (self, style, cr);
  hl_plot_frame_draw_axes (&self->frame, style, cr);
  draw_mark_label (self, style, cr);
  draw_point (self, style, cr);
  draw_legend (self, style, cr);
  cairo_restore (cr);
}
