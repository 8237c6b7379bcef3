/* hl-line-chart.h: the chart behind every "value over N" plot (curves,
 * alignment, correlation, decay, profile): series as lines or points with
 * optional bands, a reference line, a marked x, a highlighted point and a
 * legend placed where it covers no data: a free corner or edge of the data
 * area, else beside or above it.
 *
 * Internal to src/render: the public renderers fill it from their data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-frame.h"
#include "hl-plot-legend.h"

G_BEGIN_DECLS

typedef enum
{
  HL_LINE_SOLID,
  HL_LINE_DASHED,
  HL_LINE_NONE,            /* points only */
} HlLineKind;

typedef struct
{
  int           n;
  const double *x;         /* [n] */
  const double *y;         /* [n]; NaN leaves a gap */
  const double *lo;        /* [n] band, or NULL */
  const double *hi;        /* [n] band, or NULL */
  HlRgba        color;
  HlLineKind    line;
  gboolean      markers;   /* a dot at each point */
  double        width;     /* times the style's line width; 0 means 1 */
} HlLineSeries;

#define HL_LINE_CHART_MAX_LEGEND 10

typedef struct
{
  HlPlotFrame         frame;        /* axes, labels, title: set by the caller */
  const HlLineSeries *series;
  int                 n_series;
  double              hline;        /* a thin reference line at this y, NaN for none */
  double              mark_x;       /* a vertical line at this x (the chosen N), NaN for none */
  const char         *mark_label;   /* its label, markup */
  double              point_x;      /* a highlighted point (a peak), NaN for none */
  double              point_y;
  const char         *point_label;
  HlLegendEntry       legend[HL_LINE_CHART_MAX_LEGEND];
  int                 n_legend;
  /* Set by the layout: where the legend and the mark's label were drawn,
   * measured from their text (zero size when absent). */
  cairo_rectangle_t   legend_box;
  cairo_rectangle_t   mark_box;
} HlLineChart;

/* Zeroes @self, with the frame initialised and no marks. */
void          hl_line_chart_init        (HlLineChart       *self);
void          hl_line_chart_add_legend  (HlLineChart       *self,
                                         HlLegendSymbol     symbol,
                                         const HlRgba      *color,
                                         const char        *label);
/* Lays out and draws into (0, 0, @width, @height), clipped to it. Every
 * label is measured and kept inside the figure: the mark's label moves
 * inward at the edges, and a legend that does not fit inside the data goes
 * outside it; so does a legend that would cover data. */
void          hl_line_chart_draw        (HlLineChart       *self,
                                         const HlPlotStyle *style,
                                         cairo_t           *cr,
                                         double             width,
                                         double             height);
/* Helpers for the renderers' float and int arrays (NULL stays NULL). */
double       *hl_line_chart_floats      (const float       *values,
                                         int                n);
double       *hl_line_chart_ints        (const int         *values,
                                         int                n);

G_END_DECLS
