/* hl-matrix-plot.h: attention matrices. One head's queries (rows, by their
 * position t, t growing downwards) over its keys (columns, by position i),
 * coloured by the attention weight on a linear or logarithmic scale, the
 * keys a query cannot see left blank and the selected query outlined; and
 * the grid of every head's matrix (layers down, heads across), each
 * coloured on its own scale, the selected head outlined.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

/* Plain data, borrowed for one call. */
typedef struct
{
  int          n_rows;
  int          n_cols;
  const float *values;        /* [n_rows * n_cols]: a weight per block, NaN: not visible */
  const float *row_edges;     /* [n_rows + 1]: each row's extent in query positions */
  int          n_keys;        /* the columns cover keys 0 .. n_keys - 1 evenly */
  gboolean     log_color;     /* log10 colour scale over three decades below the largest */
  float        selected_lo;   /* the selected query's extent, outlined; lo >= hi: none */
  float        selected_hi;
  const char  *title;         /* Pango markup or NULL */
} HlMatrixPlotData;

typedef struct
{
  int                     n_layers;
  int                     n_heads;
  const HlMatrixPlotData *cells;         /* [n_layers * n_heads], l * n_heads + h */
  gboolean                log_color;
  int                     selected_layer; /* outlined; -1: none */
  int                     selected_head;
  const char             *title;
} HlMatrixGridPlotData;

void     hl_matrix_plot_draw          (const HlPlotStyle      *style,
                                       const HlMatrixPlotData *data,
                                       cairo_t                *cr,
                                       double                  width,
                                       double                  height);
/* The query position and the key under (@x, @y) of a matrix drawn at
 * @width x @height; FALSE outside the matrix. */
gboolean hl_matrix_plot_position_at   (const HlPlotStyle      *style,
                                       const HlMatrixPlotData *data,
                                       double                  width,
                                       double                  height,
                                       double                  x,
                                       double                  y,
                                       double                 *query_position,
                                       double                 *key);
/* Where query position @position is drawn (the middle of its row). */
double   hl_matrix_plot_row_y         (const HlPlotStyle      *style,
                                       const HlMatrixPlotData *data,
                                       double                  width,
                                       double                  height,
                                       double                  position);

void     hl_matrix_grid_plot_draw     (const HlPlotStyle          *style,
                                       const HlMatrixGridPlotData *data,
                                       cairo_t                    *cr,
                                       double                      width,
                                       double                      height);
/* The head whose matrix is under (@x, @y); FALSE between or outside. */
gboolean hl_matrix_grid_plot_cell_at  (const HlPlotStyle          *style,
                                       const HlMatrixGridPlotData *data,
                                       double                      width,
                                       double                      height,
                                       double                      x,
                                       double                      y,
                                       int                        *layer,
                                       int                        *head);
/* The rectangle of head (@layer, @head)'s matrix. */
void     hl_matrix_grid_plot_cell_rect (const HlPlotStyle          *style,
                                        const HlMatrixGridPlotData *data,
                                        double                      width,
                                        double                      height,
                                        int                         layer,
                                        int                         head,
                                        double                     *x,
                                        double                     *y,
                                        double                     *cell_width,
                                        double                     *cell_height);

G_END_DECLS
