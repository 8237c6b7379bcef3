/* hl-regimes-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-regimes-plot.h"

#include <glib/gi18n.h>

#include "hl-plot-frame.h"
#include "hl-plot-legend.h"
#include "hl-plot-paint.h"

#define BAR_FRACTION 0.78

static gboolean
any_other (const HlRegimesPlotData *data)
{
  for (int l = 0; l < data->n_layers; l++)
    if (data->counts[l * HL_N_REGIMES + HL_REGIME_OTHER] > 0)
      return TRUE;
  return FALSE;
}

/* Listed top to bottom as the bars stack them; "Other" only when a bar
 * has it. */
static int
legend_entries (const HlPlotStyle       *style,
                const HlRegimesPlotData *data,
                HlLegendEntry           *entries)
{
  int n = 0;

  for (int r = HL_N_REGIMES - 1; r >= 0; r--)
    if (r != HL_REGIME_OTHER || any_other (data))
      entries[n++] = (HlLegendEntry) { HL_LEGEND_REGIME, style->regime[r], hl_regime_display_name (r), r };
  return n;
}

/* The declared head count, or the tallest bar when it is larger or unset. */
static int
y_max (const HlRegimesPlotData *data)
{
  int top = data->n_heads;

  for (int l = 0; l < data->n_layers; l++)
    {
      int sum = 0;

      for (int r = 0; r < HL_N_REGIMES; r++)
        sum += data->counts[l * HL_N_REGIMES + r];
      top = MAX (top, sum);
    }
  return MAX (top, 1);
}

static void
draw_bars (const HlPlotStyle       *style,
           const HlRegimesPlotData *data,
           const HlPlotFrame       *frame,
           cairo_t                 *cr)
{
  for (int l = 0; l < data->n_layers; l++)
    {
      double x0 = hl_plot_axis_to_pixel (&frame->x, l - BAR_FRACTION / 2);
      double x1 = hl_plot_axis_to_pixel (&frame->x, l + BAR_FRACTION / 2);
      int base = 0;

      for (int r = 0; r < HL_N_REGIMES; r++)
        {
          int count = data->counts[l * HL_N_REGIMES + r];
          double y0 = hl_plot_axis_to_pixel (&frame->y, base + count);
          double y1 = hl_plot_axis_to_pixel (&frame->y, base);
          double x = x0, y = y0, w = x1 - x0, h = y1 - y0;
          HlRgba colour;

          base += count;
          if (count <= 0)
            continue;
          colour = data->faded ? hl_plot_paint_faded (style, &style->regime[r])
                               : style->regime[r];
          hl_plot_paint_snap_rect (cr, &x, &y, &w, &h);
          cairo_rectangle (cr, x, y, w, h);
          hl_plot_paint_set_color (cr, &colour);
          cairo_fill (cr);
          hl_plot_paint_regime_marks (cr, style, r, &colour, x, y, w, h);
        }
    }
}

void
hl_regimes_plot_draw (const HlPlotStyle       *style,
                      const HlRegimesPlotData *data,
                      cairo_t                 *cr,
                      double                   width,
                      double                   height)
{
  HlLegendEntry entries[HL_N_REGIMES];
  HlPlotFrame frame;
  double lw, lh;
  int n_entries;

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);
  g_return_if_fail (data->n_layers == 0 || data->counts != NULL);

  n_entries = legend_entries (style, data, entries);
  hl_plot_legend_measure (style, entries, n_entries, &lw, &lh);
  hl_plot_frame_init (&frame);
  frame.grid_x = FALSE;
  frame.title = data->title;
  frame.note = data->note;
  frame.reserve_right = lw + 0.6 * style->font_size;
  hl_plot_axis_init (&frame.x, HL_PLOT_SCALE_LINEAR, -0.5, MAX (data->n_layers, 1) - 0.5, _("Layer"));
  hl_plot_axis_init (&frame.y, HL_PLOT_SCALE_LINEAR, 0, y_max (data),
                     data->y_label != NULL ? data->y_label : _("heads"));
  frame.x.integer_ticks = frame.y.integer_ticks = TRUE;

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  hl_plot_paint_background (cr, style, width, height);
  hl_plot_frame_layout (&frame, style, width, height);
  hl_plot_frame_draw_grid (&frame, style, cr);
  draw_bars (style, data, &frame, cr);
  hl_plot_frame_draw_axes (&frame, style, cr);
  hl_plot_legend_draw (style, entries, n_entries, cr, frame.right + 0.4 * style->font_size,
                       frame.top, FALSE);
  cairo_restore (cr);
}
