/* hl-plot-frame.h: the plot area of a chart: margins computed from the
 * extents of the title, tick labels and axis labels, the two axes mapped to
 * the data rectangle, and the drawing of grid, axes and labels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-axis.h"
#include "hl-plot-style.h"

G_BEGIN_DECLS

typedef struct
{
  /* Set by the renderer before hl_plot_frame_layout(). */
  HlPlotAxis  x;
  HlPlotAxis  y;
  const char *title;          /* Pango markup, borrowed; NULL for none */
  const char *note;           /* a warning under the title in the style's warning
                               * colour (Pango markup, borrowed); NULL for none */
  double      reserve_right;  /* room kept right of the data (legend, colour bar) */
  double      reserve_top;    /* room kept above the data (a label of a marked x) */
  double      reserve_bottom; /* room kept between the x axis and its tick labels
                               * (token labels under their positions) */
  gboolean    grid_x;         /* vertical grid lines at the x ticks */
  gboolean    grid_y;         /* horizontal grid lines at the y ticks */
  gboolean    y_inverted;     /* y.min at the top: layer 0 first */

  /* Computed: the data rectangle in units of the cairo_t, and the ticks. */
  double      left, top, right, bottom;
  double      width;          /* of the whole figure */
  int         n_x_ticks;
  int         n_y_ticks;
  double      x_ticks[HL_PLOT_AXIS_MAX_TICKS];
  double      y_ticks[HL_PLOT_AXIS_MAX_TICKS];
} HlPlotFrame;

/* Zeroes @self with both grids on; the caller then sets axes and options. */
void     hl_plot_frame_init         (HlPlotFrame       *self);
/* A layer × head frame, as the heatmap and the grid of matrices draw it:
 * heads across, layers down (layer 0 at the top), one unit a head, integer
 * ticks, no grid lines, titled @title (markup or NULL); not laid out. */
void     hl_plot_frame_init_heads   (HlPlotFrame       *self,
                                     int                n_layers,
                                     int                n_heads,
                                     const char        *title);
void     hl_plot_frame_layout       (HlPlotFrame       *self,
                                     const HlPlotStyle *style,
                                     double             width,
                                     double             height);
/* Recomputes the ticks after the renderer changed an axis range (equal
 * aspect ratio), keeping the rectangle. */
void     hl_plot_frame_update_ticks (HlPlotFrame       *self,
                                     const HlPlotStyle *style);
void     hl_plot_frame_draw_grid    (const HlPlotFrame *self,
                                     const HlPlotStyle *style,
                                     cairo_t           *cr);
/* Axis lines, ticks, tick labels, axis labels and the title. */
void     hl_plot_frame_draw_axes    (const HlPlotFrame *self,
                                     const HlPlotStyle *style,
                                     cairo_t           *cr);
/* Clips @cr to the data rectangle grown by @margin on every side, so
 * markers on the edge stay whole (inside a cairo_save/restore pair). */
void     hl_plot_frame_clip         (const HlPlotFrame *self,
                                     cairo_t           *cr,
                                     double             margin);
gboolean hl_plot_frame_contains     (const HlPlotFrame *self,
                                     double             x,
                                     double             y);

G_END_DECLS
