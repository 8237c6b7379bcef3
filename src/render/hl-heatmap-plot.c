/* hl-heatmap-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-heatmap-plot.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hl-color-bar.h"
#include "hl-plot-frame.h"
#include "hl-plot-legend.h"
#include "hl-plot-paint.h"
#include "hl-plot-text.h"

#define TICK_SCALE 0.9
#define BAR_TICKS 6
/* Width of the stroke that closes the seams between cells in vector output
 * (points): it reaches a quarter of a point under each neighbour. */
#define SEAM_COVER 0.5

typedef struct
{
  HlPlotFrame frame;
  double      vmin, vmax;
  gboolean    any_pending;
  /* The colour bar (metric mode): its rectangle and value axis. */
  double      bar_x, bar_w;
  double      bar_label_offset;  /* the metric's label, right of frame.right */
  HlPlotAxis  bar_axis;
  double      bar_ticks[HL_PLOT_AXIS_MAX_TICKS];
  int         n_bar_ticks;
} Layout;

static double
em (const HlPlotStyle *style,
    double             f)
{
  return f * style->font_size;
}

static gboolean
cell_pending (const HlHeatmapPlotData *data,
              int                      index)
{
  if (data->mode == HL_HEATMAP_COLOR_REGIME)
    return data->regimes == NULL || data->regimes[index] < 0 || data->regimes[index] >= HL_N_REGIMES;
  return data->values == NULL || !isfinite (data->values[index]);
}

/* The colour range the plot uses for its metric (after the automatic range). */
static void
value_range (const HlHeatmapPlotData *data,
                             double                  *vmin,
                             double                  *vmax)
{
  double lo = INFINITY, hi = -INFINITY;
  int n;

  g_return_if_fail (data != NULL);

  if (data->vmin < data->vmax)
    {
      *vmin = data->vmin;
      *vmax = data->vmax;
      return;
    }
  n = data->values != NULL ? data->n_layers * data->n_heads : 0;
  for (int i = 0; i < n; i++)
    if (isfinite (data->values[i]))
      {
        lo = MIN (lo, data->values[i]);
        hi = MAX (hi, data->values[i]);
      }
  if (!(lo <= hi))
    lo = 0, hi = 1;
  /* A diverging map is centred on zero so white means "no sign". */
  if (data->colormap == HL_COLORMAP_DIVERGING)
    hi = MAX (fabs (lo), fabs (hi)), lo = -hi;
  if (hi <= lo)
    lo -= 0.5, hi += 0.5;
  *vmin = lo;
  *vmax = hi;
}

static gboolean
any_other (const HlHeatmapPlotData *data)
{
  for (int i = 0; data->regimes != NULL && i < data->n_layers * data->n_heads; i++)
    if (data->regimes[i] == HL_REGIME_OTHER)
      return TRUE;
  return FALSE;
}

/* "Other" is listed only when a cell shows it. */
static int
regime_legend (const HlPlotStyle       *style,
               const HlHeatmapPlotData *data,
               gboolean                 any_pending,
               HlLegendEntry           *entries)
{
  int n = 0;

  for (int r = 0; r < HL_N_REGIMES; r++)
    if (r != HL_REGIME_OTHER || any_other (data))
      entries[n++] = (HlLegendEntry) { HL_LEGEND_REGIME, style->regime[r], hl_regime_display_name (r), r };
  if (any_pending)
    entries[n++] = (HlLegendEntry) { HL_LEGEND_HATCH, style->muted, _("pending") };
  return n;
}

static double
color_bar_reserve (const HlPlotStyle       *style,
                    const HlHeatmapPlotData *data,
                    Layout                  *layout)
{
  double widest = 0, label_h = 0, reserve;

  hl_plot_axis_init (&layout->bar_axis, HL_PLOT_SCALE_LINEAR, layout->vmin, layout->vmax, NULL);
  layout->n_bar_ticks = hl_plot_axis_ticks (&layout->bar_axis, BAR_TICKS, layout->bar_ticks);
  for (int i = 0; i < layout->n_bar_ticks; i++)
    {
      g_autofree char *label = hl_plot_axis_tick_label (&layout->bar_axis, layout->bar_ticks,
                                                        layout->n_bar_ticks, i);
      double w;

      hl_plot_text_measure (style, label, TICK_SCALE, &w, NULL);
      widest = MAX (widest, w);
    }
  if (data->value_label != NULL)
    hl_plot_text_measure (style, data->value_label, 1.0, NULL, &label_h);
  layout->bar_w = em (style, 0.9);
  reserve = em (style, 0.8) + layout->bar_w + em (style, 0.55) + widest + em (style, 0.4) + label_h;
  layout->bar_label_offset = reserve;
  if (layout->any_pending)
    {
      HlLegendEntry pending = { HL_LEGEND_HATCH, style->muted, _("pending") };
      double pw, ph;

      hl_plot_legend_measure (style, &pending, 1, &pw, &ph);
      reserve = MAX (reserve, em (style, 0.4) + pw);
    }
  return reserve;
}

static void
compute_layout (const HlPlotStyle       *style,
                const HlHeatmapPlotData *data,
                double                   width,
                double                   height,
                Layout                  *layout)
{
  HlPlotFrame *frame = &layout->frame;
  HlLegendEntry entries[HL_N_REGIMES + 1];
  double legend_w, legend_h;
  int n_cells = data->n_layers * data->n_heads;

  layout->any_pending = FALSE;
  for (int i = 0; i < n_cells && !layout->any_pending; i++)
    layout->any_pending = cell_pending (data, i);
  value_range (data, &layout->vmin, &layout->vmax);

  hl_plot_frame_init_heads (frame, data->n_layers, data->n_heads, data->title);
  frame->note = data->note;
  if (data->mode == HL_HEATMAP_COLOR_REGIME)
    {
      hl_plot_legend_measure (style, entries, regime_legend (style, data, layout->any_pending, entries),
                              &legend_w, &legend_h);
      frame->reserve_right = legend_w + em (style, 0.6);
    }
  else
    frame->reserve_right = color_bar_reserve (style, data, layout);
  hl_plot_frame_layout (frame, style, width, height);
  layout->bar_x = frame->right + em (style, 0.8);
}

void
hl_heatmap_plot_cell_rect (const HlPlotStyle       *style,
                           const HlHeatmapPlotData *data,
                           double                   width,
                           double                   height,
                           int                      layer,
                           int                      head,
                           double                  *x,
                           double                  *y,
                           double                  *cell_width,
                           double                  *cell_height)
{
  Layout layout;
  double x1, y1;

  g_return_if_fail (style != NULL && data != NULL);

  compute_layout (style, data, width, height, &layout);
  *x = hl_plot_axis_to_pixel (&layout.frame.x, head - 0.5);
  x1 = hl_plot_axis_to_pixel (&layout.frame.x, head + 0.5);
  *y = hl_plot_axis_to_pixel (&layout.frame.y, layer - 0.5);
  y1 = hl_plot_axis_to_pixel (&layout.frame.y, layer + 0.5);
  *cell_width = x1 - *x;
  *cell_height = y1 - *y;
}

gboolean
hl_heatmap_plot_cell_at (const HlPlotStyle       *style,
                         const HlHeatmapPlotData *data,
                         double                   width,
                         double                   height,
                         double                   x,
                         double                   y,
                         int                     *layer,
                         int                     *head)
{
  Layout layout;
  int l, h;

  g_return_val_if_fail (style != NULL && data != NULL, FALSE);

  if (data->n_layers <= 0 || data->n_heads <= 0)
    return FALSE;
  compute_layout (style, data, width, height, &layout);
  if (!hl_plot_frame_contains (&layout.frame, x, y))
    return FALSE;
  h = (int) floor (hl_plot_axis_from_pixel (&layout.frame.x, x) + 0.5);
  l = (int) floor (hl_plot_axis_from_pixel (&layout.frame.y, y) + 0.5);
  if (layer != NULL)
    *layer = CLAMP (l, 0, data->n_layers - 1);
  if (head != NULL)
    *head = CLAMP (h, 0, data->n_heads - 1);
  return TRUE;
}

static void
cell_box (const Layout *layout,
          cairo_t      *cr,
          int           l,
          int           h,
          double       *x,
          double       *y,
          double       *w,
          double       *hh)
{
  double x1 = hl_plot_axis_to_pixel (&layout->frame.x, h + 0.5);
  double y1 = hl_plot_axis_to_pixel (&layout->frame.y, l + 0.5);

  *x = hl_plot_axis_to_pixel (&layout->frame.x, h - 0.5);
  *y = hl_plot_axis_to_pixel (&layout->frame.y, l - 0.5);
  *w = x1 - *x;
  *hh = y1 - *y;
  hl_plot_paint_snap_rect (cr, x, y, w, hh);
}

/* Fills one cell. Vector viewers antialias each cell on its own, so two
 * cells that only touch let a hairline of background through; on vector
 * targets each cell is also stroked in its own colour, reaching a little
 * under its neighbours (the cell drawn later covers the overlap). */
static void
fill_cell (cairo_t      *cr,
           const HlRgba *color,
           double        x,
           double        y,
           double        w,
           double        h)
{
  cairo_rectangle (cr, x, y, w, h);
  hl_plot_paint_set_color (cr, color);
  if (hl_plot_paint_is_raster (cr))
    {
      cairo_fill (cr);
      return;
    }
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, SEAM_COVER);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_MITER);
  cairo_stroke (cr);
}

static void
draw_cells (const HlPlotStyle       *style,
            const HlHeatmapPlotData *data,
            const Layout            *layout,
            cairo_t                 *cr)
{
  for (int l = 0; l < data->n_layers; l++)
    for (int h = 0; h < data->n_heads; h++)
      {
        int index = l * data->n_heads + h;
        double x, y, w, hh;
        HlRgba color;

        cell_box (layout, cr, l, h, &x, &y, &w, &hh);
        if (cell_pending (data, index))
          {
            hl_plot_paint_hatch (cr, style, x, y, w, hh);
            continue;
          }
        if (data->mode == HL_HEATMAP_COLOR_REGIME && data->faded)
          color = hl_plot_paint_faded (style, &style->regime[data->regimes[index]]);
        else if (data->mode == HL_HEATMAP_COLOR_REGIME)
          color = style->regime[data->regimes[index]];
        else
          color = hl_colormap_eval_range (data->colormap, data->values[index],
                                          layout->vmin, layout->vmax);
        fill_cell (cr, &color, x, y, w, hh);
        if (data->mode == HL_HEATMAP_COLOR_REGIME)
          hl_plot_paint_regime_marks (cr, style, data->regimes[index], &color, x, y, w, hh);
      }
}

/* A dark outline on the cell's edge with a thin background-coloured line
 * inside it, so the selection shows on every cell colour. */
static void
draw_selection (const HlPlotStyle       *style,
                const HlHeatmapPlotData *data,
                const Layout            *layout,
                cairo_t                 *cr)
{
  double x, y, w, h, lw = MAX (2.0 * style->axis_width, 1.5);

  if (data->selected_layer < 0 || data->selected_layer >= data->n_layers ||
      data->selected_head < 0 || data->selected_head >= data->n_heads)
    return;
  cell_box (layout, cr, data->selected_layer, data->selected_head, &x, &y, &w, &h);
  cairo_set_line_width (cr, lw);
  cairo_rectangle (cr, x + lw / 2, y + lw / 2, w - lw, h - lw);
  hl_plot_paint_set_color (cr, &style->foreground);
  cairo_stroke (cr);
  cairo_set_line_width (cr, lw / 2);
  cairo_rectangle (cr, x + 1.25 * lw, y + 1.25 * lw, w - 2.5 * lw, h - 2.5 * lw);
  hl_plot_paint_set_color (cr, &style->background);
  if (w > 4 * lw && h > 4 * lw)
    cairo_stroke (cr);
  cairo_new_path (cr);
}

static void
draw_color_bar (const HlPlotStyle       *style,
                 const HlHeatmapPlotData *data,
                 Layout                  *layout,
                 cairo_t                 *cr)
{
  const HlPlotFrame *frame = &layout->frame;
  double top = frame->top, bottom = frame->bottom;

  /* Room under the bar for the "pending" key while cells are missing. */
  if (layout->any_pending)
    {
      HlLegendEntry pending = { HL_LEGEND_HATCH, style->muted, _("pending") };
      double pw, ph;

      hl_plot_legend_measure (style, &pending, 1, &pw, &ph);
      bottom -= ph + em (style, 0.3);
      hl_plot_legend_draw (style, &pending, 1, cr, layout->bar_x - em (style, 0.4),
                           bottom + em (style, 0.3), FALSE);
    }
  hl_plot_axis_set_pixels (&layout->bar_axis, bottom, top);
  hl_color_bar_draw (style, data->colormap, &layout->bar_axis, layout->bar_ticks,
                     layout->n_bar_ticks, TICK_SCALE, layout->bar_x, layout->bar_w, top, bottom, cr);
  if (data->value_label != NULL)
    {
      g_autoptr(PangoLayout) text = hl_plot_text_layout (style, data->value_label, 1.0, FALSE);

      hl_plot_text_draw (cr, text, &style->foreground, frame->right + layout->bar_label_offset,
                         (top + bottom) / 2, 0.5, 1.0, -G_PI / 2);
    }
}

static void
draw_key (const HlPlotStyle       *style,
          const HlHeatmapPlotData *data,
          Layout                  *layout,
          cairo_t                 *cr)
{
  HlLegendEntry entries[HL_N_REGIMES + 1];

  if (data->mode == HL_HEATMAP_COLOR_METRIC)
    {
      draw_color_bar (style, data, layout, cr);
      return;
    }
  hl_plot_legend_draw (style, entries, regime_legend (style, data, layout->any_pending, entries),
                       cr, layout->frame.right + em (style, 0.4), layout->frame.top, FALSE);
}

void
hl_heatmap_plot_draw (const HlPlotStyle       *style,
                      const HlHeatmapPlotData *data,
                      cairo_t                 *cr,
                      double                   width,
                      double                   height)
{
  Layout layout;

  g_return_if_fail (style != NULL);
  g_return_if_fail (data != NULL);
  g_return_if_fail (cr != NULL);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  hl_plot_paint_background (cr, style, width, height);
  if (data->n_layers > 0 && data->n_heads > 0)
    {
      compute_layout (style, data, width, height, &layout);
      draw_cells (style, data, &layout, cr);
      draw_selection (style, data, &layout, cr);
      hl_plot_frame_draw_axes (&layout.frame, style, cr);
      draw_key (style, data, &layout, cr);
    }
  cairo_restore (cr);
}
