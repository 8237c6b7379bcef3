/* hl-scatter-plot.h: the value-space picture of one head at one N: the PCA
 * plane of y_i = alpha_i v_i with the selection, s_N and the balls.
 *
 * Both axes use one scale (equal aspect ratio), so a disk of radius rho in
 * data units is a circle of rho times hl_scatter_plot_scale() units.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

/* Plain data, borrowed for one call; the arrays have n_points entries and
 * match HlScatter's, so a widget can point into one without copying. */
typedef struct
{
  int             n_points;
  const float    *x;              /* PC1 coordinates */
  const float    *y;              /* PC2 coordinates */
  const gboolean *selected;       /* i in S_N; NULL: none */
  const gboolean *in_max_ball;    /* full space: D_i <= rho_max; NULL: unknown */
  const gboolean *in_min_ball;    /* full space: D_i <  rho_min */
  const gboolean *in_max_disk;    /* the plane: inside the drawn rho_max disk */
  const gboolean *in_min_disk;    /* the plane: inside the drawn rho_min disk */
  float           centre_x;       /* s_N in the plane */
  float           centre_y;
  float           rho_max;
  float           rho_min;
  HlDistance      distance;       /* disks are drawn for Euclidean distance only */
  gboolean        values;         /* the points are the raw v_i: no s_N, no disks */
  float           explained[2];   /* fraction of variance on PC1 and PC2 */
  int             n;              /* N, shown in the legend */
  int             query_index;    /* t, labelled; -1: none */
  int             hovered;        /* drawn emphasised; -1: none */
  int             highlighted;    /* ringed twice (the token picked elsewhere); -1: none */
  /* The view: zoom 1 (or 0) shows every point, larger zooms in around the
   * middle of the points moved by (pan_x, pan_y) data units. */
  double          zoom;
  double          pan_x;
  double          pan_y;
  const char     *title;          /* Pango markup or NULL */
} HlScatterPlotData;

void     hl_scatter_plot_draw      (const HlPlotStyle       *style,
                                    const HlScatterPlotData *data,
                                    cairo_t                 *cr,
                                    double                   width,
                                    double                   height);
/* The index of the point nearest to (@x, @y) within @radius units, or -1. */
int      hl_scatter_plot_point_at  (const HlPlotStyle       *style,
                                    const HlScatterPlotData *data,
                                    double                   width,
                                    double                   height,
                                    double                   x,
                                    double                   y,
                                    double                   radius);
/* Where the data point (@data_x, @data_y) is drawn. */
void     hl_scatter_plot_to_pixel  (const HlPlotStyle       *style,
                                    const HlScatterPlotData *data,
                                    double                   width,
                                    double                   height,
                                    double                   data_x,
                                    double                   data_y,
                                    double                  *x,
                                    double                  *y);
/* The data point drawn at (@x, @y): hl_scatter_plot_to_pixel () undone. */
void     hl_scatter_plot_from_pixel (const HlPlotStyle       *style,
                                     const HlScatterPlotData *data,
                                     double                   width,
                                     double                   height,
                                     double                   x,
                                     double                   y,
                                     double                  *data_x,
                                     double                  *data_y);
/* Units of the cairo_t per data unit, the same on both axes. */
double   hl_scatter_plot_scale     (const HlPlotStyle       *style,
                                    const HlScatterPlotData *data,
                                    double                   width,
                                    double                   height);
/* The radius of the largest ring drawn around a point (a hovered,
 * highlighted or disk-and-ball-differ point), in units of the cairo_t. */
double   hl_scatter_plot_ring_radius (const HlPlotStyle     *style);
/* Where the label of point @index ("0 (sink)", "t (query)") is drawn:
 * clear of every ring around its point where the plot has room beside it,
 * never left of the plot's frame. FALSE when it has none. */
gboolean hl_scatter_plot_label_rect (const HlPlotStyle       *style,
                                     const HlScatterPlotData *data,
                                     double                   width,
                                     double                   height,
                                     int                      index,
                                     double                  *x,
                                     double                  *y,
                                     double                  *label_width,
                                     double                  *label_height);
/* TRUE when point @index lies on different sides of a disk in the plane
 * than of the ball in the full space: the plot marks it. */
gboolean hl_scatter_plot_differs   (const HlScatterPlotData *data,
                                    int                      index);

G_END_DECLS
