/* hl-matrix-plot.c
 *
 * A matrix is painted as one image of its blocks, scaled without
 * smoothing so each block keeps its colour.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-matrix-plot.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hl-color-bar.h"
#include "hl-colormap.h"
#include "hl-plot-frame.h"
#include "hl-plot-paint.h"
#include "hl-plot-text.h"

#define TICK_SCALE 0.85
/* The logarithmic scale spans this many decades below the largest weight. */
#define LOG_DECADES 3.0

static double
em (const HlPlotStyle *style,
    double             f)
{
  return f * style->font_size;
}

/* The colour scale: 0 .. the largest weight, or its log over three decades. */
typedef struct
{
  gboolean log;
  double   lo;
  double   hi;
} Scale;

static Scale
scale_of (const HlMatrixPlotData *data,
          gboolean                log_color)
{
  double hi = 0;

  for (int i = 0; i < data->n_rows * data->n_cols; i++)
    if (isfinite (data->values[i]))
      hi = MAX (hi, data->values[i]);
  if (!(hi > 0))
    hi = 1;
  return (Scale) { log_color, log_color ? hi * pow (10, -LOG_DECADES) : 0, hi };
}

static double
scale_position (const Scale *scale,
                double       v)
{
  if (scale->log)
    return v > scale->lo ? log10 (v / scale->lo) / log10 (scale->hi / scale->lo) : 0;
  return v / scale->hi;
}

static guint32
pixel_of (const HlPlotStyle *style,
          const Scale       *scale,
          float              v)
{
  HlRgba c = isfinite (v) ? hl_colormap_eval (HL_COLORMAP_VIRIDIS, scale_position (scale, v))
                          : style->background;

  return 0xff000000u | (guint32) lround (c.red * 255) << 16
         | (guint32) lround (c.green * 255) << 8 | (guint32) lround (c.blue * 255);
}

/* The image's rows: one per position unit of the rows' extent (rows may
 * span unequal position ranges when the file's queries are not evenly
 * spaced), at least one per row, at most 4096. */
static int
image_rows (const HlMatrixPlotData *data)
{
  double span = data->row_edges[data->n_rows] - data->row_edges[0];

  return CLAMP ((int) ceil (span - 1e-6), data->n_rows, MAX (4096, data->n_rows));
}

/* The matrix as an image of @n_image rows evenly over its extent, each the
 * row under its middle. */
static cairo_surface_t *
matrix_image (const HlPlotStyle      *style,
              const HlMatrixPlotData *data,
              const Scale            *scale,
              int                     n_image)
{
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, data->n_cols, n_image);
  double lo = data->row_edges[0], span = data->row_edges[data->n_rows] - lo;
  int stride = cairo_image_surface_get_stride (image);
  guchar *pixels;
  int r = 0;

  cairo_surface_flush (image);
  pixels = cairo_image_surface_get_data (image);
  for (int i = 0; i < n_image; i++)
    {
      double position = lo + (i + 0.5) * span / n_image;

      while (r < data->n_rows - 1 && position >= data->row_edges[r + 1])
        r++;
      for (int c = 0; c < data->n_cols; c++)
        ((guint32 *) (pixels + (gsize) i * stride))[c] =
          pixel_of (style, scale, data->values[(gsize) r * data->n_cols + c]);
    }
  cairo_surface_mark_dirty (image);
  return image;
}

/* Paints the matrix into (x0, @top) .. (x1, @bottom) as one image scaled
 * without smoothing, so each block keeps its colour and no seams show
 * between rows, on screen and in vector files alike. */
static void
paint_matrix (const HlPlotStyle      *style,
              const HlMatrixPlotData *data,
              const Scale            *scale,
              cairo_t                *cr,
              double                  x0,
              double                  x1,
              double                  top,
              double                  bottom)
{
  cairo_surface_t *image;
  cairo_pattern_t *pattern;
  cairo_matrix_t m;
  int n_image;

  if (data->n_rows == 0 || data->n_cols == 0 || !(bottom > top) || !(x1 > x0))
    return;
  n_image = image_rows (data);
  image = matrix_image (style, data, scale, n_image);
  pattern = cairo_pattern_create_for_surface (image);
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
  cairo_matrix_init_scale (&m, data->n_cols / (x1 - x0), n_image / (bottom - top));
  cairo_matrix_translate (&m, -x0, -top);
  cairo_pattern_set_matrix (pattern, &m);
  cairo_set_source (cr, pattern);
  cairo_rectangle (cr, x0, top, x1 - x0, bottom - top);
  cairo_fill (cr);
  cairo_pattern_destroy (pattern);
  cairo_surface_destroy (image);
}

/* One matrix ------------------------------------------------------------------- */

typedef struct
{
  HlPlotFrame frame;
  Scale       scale;
  HlPlotAxis  bar;
  double      bar_x;
} Layout;

static double
bar_reserve (const HlPlotStyle *style,
             const Layout      *layout)
{
  double w;

  hl_plot_text_measure (style, "0.0001", TICK_SCALE, &w, NULL);
  return em (style, 0.8) + em (style, 0.9) + em (style, 0.55) + w + em (style, 1.6);
}

static void
compute_layout (const HlPlotStyle      *style,
                const HlMatrixPlotData *data,
                double                  width,
                double                  height,
                Layout                 *layout)
{
  HlPlotFrame *frame = &layout->frame;

  layout->scale = scale_of (data, data->log_color);
  hl_plot_frame_init (frame);
  frame->grid_x = frame->grid_y = FALSE;
  frame->y_inverted = TRUE;
  frame->title = data->title;
  hl_plot_axis_init (&frame->x, HL_PLOT_SCALE_LINEAR, -0.5, data->n_keys - 0.5,
                     _("key position <i>i</i>"));
  hl_plot_axis_init (&frame->y, HL_PLOT_SCALE_LINEAR, data->row_edges[0],
                     data->row_edges[data->n_rows], _("query position <i>t</i>"));
  frame->x.integer_ticks = frame->y.integer_ticks = TRUE;
  frame->reserve_right = bar_reserve (style, layout);
  hl_plot_frame_layout (frame, style, width, height);
  layout->bar_x = frame->right + em (style, 0.8);
}

gboolean
hl_matrix_plot_position_at (const HlPlotStyle      *style,
                            const HlMatrixPlotData *data,
                            double                  width,
                            double                  height,
                            double                  x,
                            double                  y,
                            double                 *query_position,
                            double                 *key)
{
  Layout layout;

  g_return_val_if_fail (style != NULL && data != NULL, FALSE);

  if (data->n_rows == 0)
    return FALSE;
  compute_layout (style, data, width, height, &layout);
  if (!hl_plot_frame_contains (&layout.frame, x, y))
    return FALSE;
  *query_position = hl_plot_axis_from_pixel (&layout.frame.y, y);
  *key = hl_plot_axis_from_pixel (&layout.frame.x, x);
  return TRUE;
}

double
hl_matrix_plot_row_y (const HlPlotStyle      *style,
                      const HlMatrixPlotData *data,
                      double                  width,
                      double                  height,
                      double                  position)
{
  Layout layout;

  g_return_val_if_fail (style != NULL && data != NULL && data->n_rows > 0, 0);

  compute_layout (style, data, width, height, &layout);
  return hl_plot_axis_to_pixel (&layout.frame.y, position);
}

static void
draw_selection (const HlPlotStyle      *style,
                const HlMatrixPlotData *data,
                const HlPlotFrame      *frame,
                cairo_t                *cr)
{
  double top, bottom, lw = style->axis_width * 1.6;

  if (!(data->selected_lo < data->selected_hi))
    return;
  top = hl_plot_axis_to_pixel (&frame->y, data->selected_lo);
  bottom = hl_plot_axis_to_pixel (&frame->y, data->selected_hi);
  /* At least a few pixels tall, so a single query of hundreds shows. */
  if (bottom - top < 3 * lw)
    top = (top + bottom) / 2 - 1.5 * lw, bottom = top + 3 * lw;
  cairo_rectangle (cr, frame->left - lw, top, frame->right - frame->left + 2 * lw, bottom - top);
  hl_plot_paint_set_color (cr, &style->warning);
  cairo_set_line_width (cr, lw);
  cairo_stroke (cr);
}

static void
draw_bar (const HlPlotStyle *style,
          Layout            *layout,
          cairo_t           *cr)
{
  const HlPlotFrame *frame = &layout->frame;
  double ticks[HL_PLOT_AXIS_MAX_TICKS];
  int n_ticks;

  hl_plot_axis_init (&layout->bar, layout->scale.log ? HL_PLOT_SCALE_LOG10 : HL_PLOT_SCALE_LINEAR,
                     layout->scale.lo, layout->scale.hi, NULL);
  hl_plot_axis_set_pixels (&layout->bar, frame->bottom, frame->top);
  n_ticks = hl_plot_axis_ticks (&layout->bar, 6, ticks);
  hl_color_bar_draw (style, HL_COLORMAP_VIRIDIS, &layout->bar, ticks, n_ticks, TICK_SCALE,
                     layout->bar_x,
                     em (style, 0.9), frame->top, frame->bottom, cr);
}

void
hl_matrix_plot_draw (const HlPlotStyle      *style,
                     const HlMatrixPlotData *data,
                     cairo_t                *cr,
                     double                  width,
                     double                  height)
{
  Layout layout;

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  hl_plot_paint_background (cr, style, width, height);
  if (data->n_rows > 0 && data->n_cols > 0)
    {
      compute_layout (style, data, width, height, &layout);
      paint_matrix (style, data, &layout.scale, cr, layout.frame.left, layout.frame.right,
                    hl_plot_axis_to_pixel (&layout.frame.y, data->row_edges[0]),
                    hl_plot_axis_to_pixel (&layout.frame.y, data->row_edges[data->n_rows]));
      draw_selection (style, data, &layout.frame, cr);
      hl_plot_frame_draw_axes (&layout.frame, style, cr);
      draw_bar (style, &layout, cr);
    }
  cairo_restore (cr);
}

/* The grid ----------------------------------------------------------------------- */

typedef struct
{
  HlPlotFrame frame;
  double      cell_w;
  double      cell_h;
  double      gap;
} GridLayout;

static void
compute_grid_layout (const HlPlotStyle          *style,
                     const HlMatrixGridPlotData *data,
                     double                      width,
                     double                      height,
                     GridLayout                 *layout)
{
  HlPlotFrame *frame = &layout->frame;

  hl_plot_frame_init_heads (frame, data->n_layers, data->n_heads, data->title);
  hl_plot_frame_layout (frame, style, width, height);
  layout->cell_w = (frame->right - frame->left) / MAX (data->n_heads, 1);
  layout->cell_h = (frame->bottom - frame->top) / MAX (data->n_layers, 1);
  layout->gap = MIN (MIN (layout->cell_w, layout->cell_h) * 0.08, em (style, 0.3));
}

void
hl_matrix_grid_plot_cell_rect (const HlPlotStyle          *style,
                               const HlMatrixGridPlotData *data,
                               double                      width,
                               double                      height,
                               int                         layer,
                               int                         head,
                               double                     *x,
                               double                     *y,
                               double                     *cell_width,
                               double                     *cell_height)
{
  GridLayout layout;

  g_return_if_fail (style != NULL && data != NULL);

  compute_grid_layout (style, data, width, height, &layout);
  *x = layout.frame.left + head * layout.cell_w + layout.gap / 2;
  *y = layout.frame.top + layer * layout.cell_h + layout.gap / 2;
  *cell_width = layout.cell_w - layout.gap;
  *cell_height = layout.cell_h - layout.gap;
}

gboolean
hl_matrix_grid_plot_cell_at (const HlPlotStyle          *style,
                             const HlMatrixGridPlotData *data,
                             double                      width,
                             double                      height,
                             double                      x,
                             double                      y,
                             int                        *layer,
                             int                        *head)
{
  GridLayout layout;

  g_return_val_if_fail (style != NULL && data != NULL, FALSE);

  compute_grid_layout (style, data, width, height, &layout);
  if (!hl_plot_frame_contains (&layout.frame, x, y) || data->n_layers * data->n_heads == 0)
    return FALSE;
  *head = CLAMP ((int) ((x - layout.frame.left) / layout.cell_w), 0, data->n_heads - 1);
  *layer = CLAMP ((int) ((y - layout.frame.top) / layout.cell_h), 0, data->n_layers - 1);
  return TRUE;
}

void
hl_matrix_grid_plot_draw (const HlPlotStyle          *style,
                          const HlMatrixGridPlotData *data,
                          cairo_t                    *cr,
                          double                      width,
                          double                      height)
{
  GridLayout layout;

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  hl_plot_paint_background (cr, style, width, height);
  compute_grid_layout (style, data, width, height, &layout);
  for (int l = 0; l < data->n_layers; l++)
    for (int h = 0; h < data->n_heads; h++)
      {
        const HlMatrixPlotData *cell = &data->cells[l * data->n_heads + h];
        Scale scale = scale_of (cell, data->log_color);
        double x, y, w, ch;

        hl_matrix_grid_plot_cell_rect (style, data, width, height, l, h, &x, &y, &w, &ch);
        if (cell->n_rows == 0)
          {
            hl_plot_paint_hatch (cr, style, x, y, w, ch);
            continue;
          }
        paint_matrix (style, cell, &scale, cr, x, x + w, y, y + ch);
        if (l == data->selected_layer && h == data->selected_head)
          {
            cairo_rectangle (cr, x - layout.gap / 2, y - layout.gap / 2, w + layout.gap,
                             ch + layout.gap);
            hl_plot_paint_set_color (cr, &style->foreground);
            cairo_set_line_width (cr, style->axis_width * 2);
            cairo_stroke (cr);
          }
      }
  hl_plot_frame_draw_axes (&layout.frame, style, cr);
  cairo_restore (cr);
}
