/* hl-scatter-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-scatter-plot.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hl-plot-frame.h"
#include "hl-plot-legend.h"
#include "hl-plot-paint.h"
#include "hl-plot-text.h"

#define MAX_LEGEND 7
/* Ring diameters in marker sizes: a point whose disk and ball differ, the
 * hovered one, the highlighted one (two rings). */
#define RING_DIFFERS     2.4
#define RING_HOVERED     3.0
#define RING_HIGHLIGHTED 3.6

typedef struct
{
  HlPlotFrame frame;
  double      scale;       /* units per data unit on both axes */
  char       *x_label;     /* owned */
  char       *y_label;
  double      legend_x;    /* the legend's top-left corner */
  double      legend_y;
} Layout;

static void
layout_clear (Layout *layout)
{
  g_clear_pointer (&layout->x_label, g_free);
  g_clear_pointer (&layout->y_label, g_free);
}

static gboolean
draws_disks (const HlScatterPlotData *data)
{
  return data->distance == HL_DISTANCE_EUCLIDEAN && !data->values;
}

static char *
pc_label (const HlScatterPlotData *data,
          int                      component,
          float                    explained)
{
  g_autofree char *percent = hl_plot_text_format_number (100.0 * explained, 1);

  if (data->values)
    /* Translators: the axis of a principal component of the raw values v_i and its share of variance. */
    return g_strdup_printf (_("PC%d of v<sub>i</sub> (%s%% of variance)"), component, percent);
  /* Translators: the axis of a principal component and its share of variance. */
  return g_strdup_printf (_("PC%d (%s%% of variance)"), component, percent);
}

static void
extend (double *lo,
        double *hi,
        double  v)
{
  if (!isfinite (v))
    return;
  *lo = MIN (*lo, v);
  *hi = MAX (*hi, v);
}

static void
data_bounds (const HlScatterPlotData *data,
             double                  *x0,
             double                  *x1,
             double                  *y0,
             double                  *y1)
{
  *x0 = *y0 = INFINITY;
  *x1 = *y1 = -INFINITY;
  for (int i = 0; i < data->n_points; i++)
    {
      extend (x0, x1, data->x[i]);
      extend (y0, y1, data->y[i]);
    }
  if (!data->values)
    {
      extend (x0, x1, data->centre_x);
      extend (y0, y1, data->centre_y);
    }
  if (draws_disks (data))
    for (int k = 0; k < 2; k++)
      {
        double r = k == 0 ? data->rho_max : data->rho_min;

        if (!isfinite (r) || r < 0)
          continue;
        extend (x0, x1, data->centre_x - r);
        extend (x0, x1, data->centre_x + r);
        extend (y0, y1, data->centre_y - r);
        extend (y0, y1, data->centre_y + r);
      }
  if (!(*x0 <= *x1))
    *x0 = -1, *x1 = 1;
  if (!(*y0 <= *y1))
    *y0 = -1, *y1 = 1;
}

/* Widens the range of one axis so both axes show the same data length per
 * unit; the rectangle keeps its size. */
static void
equalise_aspect (HlPlotFrame *frame,
                 double      *scale)
{
  double pw = frame->right - frame->left, ph = frame->bottom - frame->top;
  double xr = frame->x.max - frame->x.min, yr = frame->y.max - frame->y.min;
  double s = MIN (pw / xr, ph / yr), cx, cy;

  cx = (frame->x.min + frame->x.max) / 2;
  cy = (frame->y.min + frame->y.max) / 2;
  frame->x.min = cx - pw / s / 2;
  frame->x.max = cx + pw / s / 2;
  frame->y.min = cy - ph / s / 2;
  frame->y.max = cy + ph / s / 2;
  *scale = s;
}

/* Zooms the ranges by the view's zoom around their middle moved by its
 * pan; both axes alike, so the aspect stays equal. */
static void
apply_view (const HlScatterPlotData *data,
            HlPlotFrame             *frame,
            double                  *scale)
{
  double zoom = data->zoom > 1 ? data->zoom : 1;
  double cx = (frame->x.min + frame->x.max) / 2 + data->pan_x;
  double cy = (frame->y.min + frame->y.max) / 2 + data->pan_y;
  double hx = (frame->x.max - frame->x.min) / 2 / zoom;
  double hy = (frame->y.max - frame->y.min) / 2 / zoom;

  frame->x.min = cx - hx;
  frame->x.max = cx + hx;
  frame->y.min = cy - hy;
  frame->y.max = cy + hy;
  *scale *= zoom;
}

static int build_legend (const HlPlotStyle       *style,
                         const HlScatterPlotData *data,
                         HlLegendEntry           *entries,
                         char                   **owned);

/* The legend goes right of the data when that leaves the data at least
 * half the width, else above it (narrow plots, such as the comparison's
 * two scatters side by side). */
static gboolean
place_legend (const HlPlotStyle       *style,
              const HlScatterPlotData *data,
              double                   width,
              HlPlotFrame             *frame)
{
  HlLegendEntry entries[MAX_LEGEND];
  g_autofree char *owned = NULL;
  double w, h, m = 0.6 * style->font_size;

  hl_plot_legend_measure (style, entries, build_legend (style, data, entries, &owned), &w, &h);
  if (w + m <= width / 2)
    {
      frame->reserve_right = w + m;
      return TRUE;
    }
  frame->reserve_top = h + m;
  return FALSE;
}

static void
compute_layout (const HlPlotStyle       *style,
                const HlScatterPlotData *data,
                double                   width,
                double                   height,
                Layout                  *layout)
{
  HlPlotFrame *frame = &layout->frame;
  double x0, x1, y0, y1, span;
  gboolean beside;

  data_bounds (data, &x0, &x1, &y0, &y1);
  span = MAX (MAX (x1 - x0, y1 - y0), 1e-12);
  layout->x_label = pc_label (data, 1, data->explained[0]);
  layout->y_label = pc_label (data, 2, data->explained[1]);
  hl_plot_frame_init (frame);
  frame->title = data->title;
  beside = place_legend (style, data, width, frame);
  hl_plot_axis_init (&frame->x, HL_PLOT_SCALE_LINEAR, x0 - 0.06 * span, x1 + 0.06 * span,
                     layout->x_label);
  hl_plot_axis_init (&frame->y, HL_PLOT_SCALE_LINEAR, y0 - 0.06 * span, y1 + 0.06 * span,
                     layout->y_label);
  hl_plot_frame_layout (frame, style, width, height);
  layout->legend_x = beside ? frame->right + 0.4 * style->font_size : frame->left;
  layout->legend_y = beside ? frame->top : frame->top - frame->reserve_top;
  equalise_aspect (frame, &layout->scale);
  apply_view (data, frame, &layout->scale);
  hl_plot_frame_update_ticks (frame, style);
}

void
hl_scatter_plot_to_pixel (const HlPlotStyle       *style,
                          const HlScatterPlotData *data,
                          double                   width,
                          double                   height,
                          double                   data_x,
                          double                   data_y,
                          double                  *x,
                          double                  *y)
{
  Layout layout = { 0 };

  g_return_if_fail (style != NULL && data != NULL);

  compute_layout (style, data, width, height, &layout);
  *x = hl_plot_axis_to_pixel (&layout.frame.x, data_x);
  *y = hl_plot_axis_to_pixel (&layout.frame.y, data_y);
  layout_clear (&layout);
}

void
hl_scatter_plot_from_pixel (const HlPlotStyle       *style,
                            const HlScatterPlotData *data,
                            double                   width,
                            double                   height,
                            double                   x,
                            double                   y,
                            double                  *data_x,
                            double                  *data_y)
{
  Layout layout = { 0 };

  g_return_if_fail (style != NULL && data != NULL);

  compute_layout (style, data, width, height, &layout);
  *data_x = hl_plot_axis_from_pixel (&layout.frame.x, x);
  *data_y = hl_plot_axis_from_pixel (&layout.frame.y, y);
  layout_clear (&layout);
}

double
hl_scatter_plot_scale (const HlPlotStyle       *style,
                       const HlScatterPlotData *data,
                       double                   width,
                       double                   height)
{
  Layout layout = { 0 };

  g_return_val_if_fail (style != NULL && data != NULL, 0.0);

  compute_layout (style, data, width, height, &layout);
  layout_clear (&layout);
  return layout.scale;
}

int
hl_scatter_plot_point_at (const HlPlotStyle       *style,
                          const HlScatterPlotData *data,
                          double                   width,
                          double                   height,
                          double                   x,
                          double                   y,
                          double                   radius)
{
  Layout layout = { 0 };
  double best = radius * radius;
  int found = -1;

  g_return_val_if_fail (style != NULL && data != NULL, -1);

  compute_layout (style, data, width, height, &layout);
  for (int i = 0; i < data->n_points; i++)
    {
      double dx = hl_plot_axis_to_pixel (&layout.frame.x, data->x[i]) - x;
      double dy = hl_plot_axis_to_pixel (&layout.frame.y, data->y[i]) - y;

      if (dx * dx + dy * dy <= best)
        best = dx * dx + dy * dy, found = i;
    }
  layout_clear (&layout);
  return found;
}

gboolean
hl_scatter_plot_differs (const HlScatterPlotData *data,
                         int                      index)
{
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (index >= 0 && index < data->n_points, FALSE);

  if (!draws_disks (data))
    return FALSE;
  if (data->in_max_ball != NULL && data->in_max_disk != NULL &&
      !data->in_max_ball[index] != !data->in_max_disk[index])
    return TRUE;
  return data->in_min_ball != NULL && data->in_min_disk != NULL &&
         !data->in_min_ball[index] != !data->in_min_disk[index];
}

static void
draw_disks (const HlPlotStyle       *style,
            const HlScatterPlotData *data,
            const Layout            *layout,
            cairo_t                 *cr)
{
  double cx = hl_plot_axis_to_pixel (&layout->frame.x, data->centre_x);
  double cy = hl_plot_axis_to_pixel (&layout->frame.y, data->centre_y);
  HlRgba fill = style->accent;

  if (!draws_disks (data))
    return;
  fill.alpha *= 0.08;
  if (isfinite (data->rho_max) && data->rho_max >= 0)
    {
      cairo_new_path (cr);
      cairo_arc (cr, cx, cy, data->rho_max * layout->scale, 0, 2 * G_PI);
      hl_plot_paint_set_color (cr, &fill);
      cairo_fill_preserve (cr);
      hl_plot_paint_set_color (cr, &style->accent);
      cairo_set_line_width (cr, style->line_width);
      cairo_stroke (cr);
    }
  if (isfinite (data->rho_min) && data->rho_min >= 0)
    {
      cairo_new_path (cr);
      cairo_arc (cr, cx, cy, data->rho_min * layout->scale, 0, 2 * G_PI);
      hl_plot_paint_set_color (cr, &style->foreground);
      cairo_set_line_width (cr, style->line_width * 0.8);
      hl_plot_paint_set_dashed (cr, style->line_width);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
}

static void
draw_points (const HlPlotStyle       *style,
             const HlScatterPlotData *data,
             const Layout            *layout,
             cairo_t                 *cr)
{
  /* Two passes so selected points are never hidden under grey ones. */
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < data->n_points; i++)
      {
        gboolean sel = data->selected != NULL && data->selected[i];
        double x, y;

        if (sel != (pass == 1) || !isfinite (data->x[i]) || !isfinite (data->y[i]))
          continue;
        x = hl_plot_axis_to_pixel (&layout->frame.x, data->x[i]);
        y = hl_plot_axis_to_pixel (&layout->frame.y, data->y[i]);
        hl_plot_paint_set_color (cr, sel ? &style->accent : &style->muted);
        hl_plot_paint_marker (cr, HL_PLOT_MARKER_DOT, x, y,
                              style->marker_size * (sel ? 1.3 : 1.0), style->line_width);
      }
}

static void
draw_differences (const HlPlotStyle       *style,
                  const HlScatterPlotData *data,
                  const Layout            *layout,
                  cairo_t                 *cr)
{
  hl_plot_paint_set_color (cr, &style->warning);
  for (int i = 0; i < data->n_points; i++)
    {
      if (!hl_scatter_plot_differs (data, i))
        continue;
      hl_plot_paint_marker (cr, HL_PLOT_MARKER_RING,
                            hl_plot_axis_to_pixel (&layout->frame.x, data->x[i]),
                            hl_plot_axis_to_pixel (&layout->frame.y, data->y[i]),
                            style->marker_size * RING_DIFFERS, style->line_width);
    }
}

double
hl_scatter_plot_ring_radius (const HlPlotStyle *style)
{
  g_return_val_if_fail (style != NULL, 0);

  return style->marker_size * RING_HIGHLIGHTED / 2 + style->axis_width * 2;
}

/* The sink's label sits above its point, the query's below, so the two do
 * not collide when the points are close; both start beyond the largest ring
 * so no marker hides them. */
static const char *
label_of (const HlScatterPlotData *data,
          int                      index,
          gboolean                *below)
{
  *below = index > 0;
  if (index == 0)
    return _("0 (sink)");
  if (index == data->query_index && index > 0)
    return _("<i>t</i> (query)");
  return NULL;
}

static gboolean
place_label (const HlPlotStyle       *style,
             const HlScatterPlotData *data,
             const Layout            *layout,
             int                      index,
             PangoLayout            **text,
             double                  *x,
             double                  *y,
             double                  *w,
             double                  *h)
{
  double px, py, off = hl_scatter_plot_ring_radius (style) * 0.75;
  const char *markup;
  gboolean below;

  if (index < 0 || index >= data->n_points || !isfinite (data->x[index])
      || (markup = label_of (data, index, &below)) == NULL)
    return FALSE;
  px = hl_plot_axis_to_pixel (&layout->frame.x, data->x[index]);
  py = hl_plot_axis_to_pixel (&layout->frame.y, data->y[index]);
  *text = hl_plot_text_layout (style, markup, 0.85, FALSE);
  hl_plot_text_size (*text, w, h);
  /* Diagonally off the point, by the ring's radius along each axis:
   * labels near the right edge go to the left of their point, and a label
   * wider than the room on either side starts at the frame's left edge. */
  *x = px + off + *w > layout->frame.right ? px - off - *w : px + off;
  *x = MAX (*x, layout->frame.left);
  *y = below ? py + off : py - off - *h;
  return TRUE;
}

gboolean
hl_scatter_plot_label_rect (const HlPlotStyle       *style,
                            const HlScatterPlotData *data,
                            double                   width,
                            double                   height,
                            int                      index,
                            double                  *x,
                            double                  *y,
                            double                  *label_width,
                            double                  *label_height)
{
  g_autoptr(PangoLayout) text = NULL;
  Layout layout = { 0 };
  gboolean placed;

  g_return_val_if_fail (style != NULL && data != NULL, FALSE);

  compute_layout (style, data, width, height, &layout);
  placed = place_label (style, data, &layout, index, &text, x, y, label_width, label_height);
  layout_clear (&layout);
  return placed;
}

static void
label_point (const HlPlotStyle       *style,
             const HlScatterPlotData *data,
             const Layout            *layout,
             cairo_t                 *cr,
             int                      index)
{
  g_autoptr(PangoLayout) text = NULL;
  double x, y, w, h;

  if (place_label (style, data, layout, index, &text, &x, &y, &w, &h))
    hl_plot_text_draw (cr, text, &style->foreground, x, y, 0.0, 0.0, 0.0);
}

static void
ring_point (const HlPlotStyle       *style,
            const HlScatterPlotData *data,
            const Layout            *layout,
            cairo_t                 *cr,
            int                      index,
            double                   diameter)
{
  if (index < 0 || index >= data->n_points)
    return;
  hl_plot_paint_set_color (cr, &style->foreground);
  hl_plot_paint_marker (cr, HL_PLOT_MARKER_RING,
                        hl_plot_axis_to_pixel (&layout->frame.x, data->x[index]),
                        hl_plot_axis_to_pixel (&layout->frame.y, data->y[index]),
                        style->marker_size * diameter, style->axis_width * 1.5);
}

static void
draw_marks (const HlPlotStyle       *style,
            const HlScatterPlotData *data,
            const Layout            *layout,
            cairo_t                 *cr)
{
  double cx = hl_plot_axis_to_pixel (&layout->frame.x, data->centre_x);
  double cy = hl_plot_axis_to_pixel (&layout->frame.y, data->centre_y);

  hl_plot_paint_set_color (cr, &style->foreground);
  if (!data->values)
    hl_plot_paint_marker (cr, HL_PLOT_MARKER_CROSS, cx, cy, style->marker_size * 2.2,
                          style->line_width * 1.4);
  label_point (style, data, layout, cr, 0);
  label_point (style, data, layout, cr, data->query_index);
  ring_point (style, data, layout, cr, data->hovered, RING_HOVERED);
  ring_point (style, data, layout, cr, data->highlighted, RING_HIGHLIGHTED - 1.2);
  ring_point (style, data, layout, cr, data->highlighted, RING_HIGHLIGHTED);
}

static int
build_legend (const HlPlotStyle       *style,
              const HlScatterPlotData *data,
              HlLegendEntry           *entries,
              char                   **owned)
{
  gboolean any_differs = FALSE;
  int n = 0;

  *owned = g_strdup_printf (_("selected, N = %d"), data->n);
  entries[n++] = (HlLegendEntry) { HL_LEGEND_DOT, style->accent, *owned };
  entries[n++] = (HlLegendEntry) { HL_LEGEND_DOT, style->muted, _("other tokens") };
  if (data->values)
    return n;
  entries[n++] = (HlLegendEntry) { HL_LEGEND_CROSS, style->foreground, "s<sub>N</sub>" };
  if (!draws_disks (data))
    return n;
  entries[n++] = (HlLegendEntry) { HL_LEGEND_CIRCLE, style->accent, _("ρ<sub>max</sub> disk") };
  entries[n++] = (HlLegendEntry) { HL_LEGEND_DASHED_CIRCLE, style->foreground, _("ρ<sub>min</sub> disk") };
  for (int i = 0; i < data->n_points && !any_differs; i++)
    any_differs = hl_scatter_plot_differs (data, i);
  if (any_differs)
    entries[n++] = (HlLegendEntry) { HL_LEGEND_RING, style->warning, _("disk ≠ full-space ball") };
  return n;
}

static void
draw_legend (const HlPlotStyle       *style,
             const HlScatterPlotData *data,
             const Layout            *layout,
             cairo_t                 *cr)
{
  HlLegendEntry entries[MAX_LEGEND];
  g_autofree char *owned = NULL;
  int n = build_legend (style, data, entries, &owned);

  hl_plot_legend_draw (style, entries, n, cr, layout->legend_x, layout->legend_y, FALSE);
}

static void
draw_cosine_note (const HlPlotStyle       *style,
                  const HlScatterPlotData *data,
                  const Layout            *layout,
                  cairo_t                 *cr)
{
  hl_plot_text_show (cr, style,
                     data->values ? _("No s<sub>N</sub> or ρ balls: defined for y<sub>i</sub> only")
                                  : _("Cosine distance: the balls are not disks in this plane"),
                     0.8, &style->muted, layout->frame.left + 0.4 * style->font_size,
                     layout->frame.bottom - 0.3 * style->font_size, 0.0, 1.0);
}

void
hl_scatter_plot_draw (const HlPlotStyle       *style,
                      const HlScatterPlotData *data,
                      cairo_t                 *cr,
                      double                   width,
                      double                   height)
{
  Layout layout = { 0 };

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);
  g_return_if_fail (data->n_points == 0 || (data->x != NULL && data->y != NULL));

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  hl_plot_paint_background (cr, style, width, height);
  compute_layout (style, data, width, height, &layout);
  hl_plot_frame_draw_grid (&layout.frame, style, cr);
  cairo_save (cr);
  hl_plot_frame_clip (&layout.frame, cr, style->marker_size);
  draw_disks (style, data, &layout, cr);
  draw_points (style, data, &layout, cr);
  draw_differences (style, data, &layout, cr);
  draw_marks (style, data, &layout, cr);
  cairo_restore (cr);
  hl_plot_frame_draw_axes (&layout.frame, style, cr);
  if (!draws_disks (data))
    draw_cosine_note (style, data, &layout, cr);
  draw_legend (style, data, &layout, cr);
  cairo_restore (cr);
  layout_clear (&layout);
}
