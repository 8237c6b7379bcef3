/* test-matrix-plot.c: attention matrices as a user sees them: every block
 * in its colour with no seams between rows (hundreds of rows a few pixels
 * or less tall), keys a query cannot see blank, the logarithmic scale, the
 * selected query outlined, a click's position, and the grid of every
 * head's matrix with its hit testing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "hl-colormap.h"
#include "hl-matrix-plot.h"

#define W 640
#define H 480

typedef struct
{
  cairo_surface_t *surface;
  cairo_t         *cr;
} Canvas;

static Canvas
canvas_new (void)
{
  Canvas c;

  c.surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  c.cr = cairo_create (c.surface);
  return c;
}

static void
canvas_free (Canvas *c)
{
  cairo_destroy (c->cr);
  cairo_surface_destroy (c->surface);
}

static HlRgba
pixel (Canvas *c,
       int     x,
       int     y)
{
  int stride = cairo_image_surface_get_stride (c->surface);
  guint32 v;

  cairo_surface_flush (c->surface);
  v = *(guint32 *) (cairo_image_surface_get_data (c->surface) + y * stride + x * 4);
  return (HlRgba) { ((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0, (v & 0xff) / 255.0, 1 };
}

static double
distance (HlRgba a,
          HlRgba b)
{
  return MAX (MAX (fabs (a.red - b.red), fabs (a.green - b.green)), fabs (a.blue - b.blue));
}

static HlPlotStyle *
screen_style (void)
{
  return hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_SCREEN);
}

/* @n_rows queries at positions 0 .. n_rows - 1 over as many keys, every
 * visible weight @value. */
typedef struct
{
  float            *values;
  float            *edges;
  HlMatrixPlotData  data;
} Matrix;

static void
matrix_init (Matrix *m,
             int     n_rows,
             float   value)
{
  m->values = g_new (float, n_rows * n_rows);
  m->edges = g_new (float, n_rows + 1);
  for (int r = 0; r < n_rows; r++)
    for (int c = 0; c < n_rows; c++)
      m->values[r * n_rows + c] = c <= r ? value : NAN;
  for (int r = 0; r <= n_rows; r++)
    m->edges[r] = r - 0.5f;
  m->data = (HlMatrixPlotData) {
    .n_rows = n_rows, .n_cols = n_rows, .values = m->values, .row_edges = m->edges,
    .n_keys = n_rows, .selected_lo = 0, .selected_hi = 0,
  };
}

static void
matrix_clear (Matrix *m)
{
  g_free (m->values);
  g_free (m->edges);
}

/* Where the plotting area is: its rows from the renderer's row positions,
 * its columns from hit testing along the middle row. */
typedef struct
{
  double left, right, top, bottom;
} Extent;

static Extent
frame_extent (const HlPlotStyle      *style,
              const HlMatrixPlotData *data)
{
  Extent e = { W, -1, hl_matrix_plot_row_y (style, data, W, H, data->row_edges[0]),
               hl_matrix_plot_row_y (style, data, W, H, data->row_edges[data->n_rows]) };
  double q, k;

  for (int x = 0; x < W; x++)
    if (hl_matrix_plot_position_at (style, data, W, H, x + 0.5, (e.top + e.bottom) / 2, &q, &k))
      {
        e.left = MIN (e.left, x);
        e.right = MAX (e.right, x + 1);
      }
  g_assert_cmpfloat (e.left, <, e.right);
  g_assert_cmpfloat (e.top, <, e.bottom);
  return e;
}

/* 207 rows of one weight over about 1.5 pixels each: every pixel of the
 * lower triangle has the top colour (no darker or lighter seams between
 * rows), the keys after each query the background. */
static void
test_rows_without_seams (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  HlRgba top = hl_colormap_eval (HL_COLORMAP_VIRIDIS, 1.0);
  Canvas c = canvas_new ();
  int bad = 0, checked = 0, blank = 0;
  Extent e;
  Matrix m;

  matrix_init (&m, 207, 0.25f);
  hl_matrix_plot_draw (style, &m.data, c.cr, W, H);
  e = frame_extent (style, &m.data);
  for (int y = (int) e.top + 2; y <= (int) e.bottom - 2; y++)
    for (int x = (int) e.left + 2; x <= (int) e.right - 2; x++)
      {
        double q = -0.5 + (y + 0.5 - e.top) / (e.bottom - e.top) * 207;
        double k = -0.5 + (x + 0.5 - e.left) / (e.right - e.left) * 207;

        /* Away from the diagonal, where a pixel holds both. */
        if (k < q - 2)
          {
            checked++;
            bad += distance (pixel (&c, x, y), top) > 0.02;
          }
        else if (k > q + 2)
          blank += distance (pixel (&c, x, y), style->background) < 0.02;
      }
  g_assert_cmpint (checked, >, 10000);
  g_assert_cmpint (bad, ==, 0);
  g_assert_cmpint (blank, >, 10000);
  canvas_free (&c);
  matrix_clear (&m);
}

/* Linear: 0 is the bottom colour; logarithmic: the largest weight the top,
 * a thousandth of it and less the bottom, a thirtieth-odd (10^-1.5) the
 * middle. */
static void
test_color_scales (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  const float row_values[4] = { 1.0f, 0.001f, 0.0316228f, 0.0f };
  float values[4 * 4], edges[5] = { -0.5f, 0.5f, 1.5f, 2.5f, 3.5f };
  HlMatrixPlotData data = {
    .n_rows = 4, .n_cols = 4, .values = values, .row_edges = edges, .n_keys = 4,
  };
  const double expected_log[4] = { 1.0, 0.0, 0.5, 0.0 };

  for (int r = 0; r < 4; r++)
    for (int k = 0; k < 4; k++)
      values[r * 4 + k] = row_values[r];
  for (int log_color = 0; log_color < 2; log_color++)
    {
      Canvas c = canvas_new ();

      data.log_color = log_color;
      hl_matrix_plot_draw (style, &data, c.cr, W, H);
      for (int r = 0; r < 4; r++)
        {
          double x, y = hl_matrix_plot_row_y (style, &data, W, H, r), q, k;
          HlRgba want = hl_colormap_eval (HL_COLORMAP_VIRIDIS,
                                          log_color ? expected_log[r] : row_values[r]);

          /* The middle of key 1's column. */
          for (x = 0; x < W; x++)
            if (hl_matrix_plot_position_at (style, &data, W, H, x, y, &q, &k) && k >= 1.0)
              break;
          g_assert_cmpfloat (distance (pixel (&c, (int) x + 3, (int) y), want), <, 0.03);
        }
      canvas_free (&c);
    }
}

/* The selected query's row is outlined in the warning colour; clicking a
 * pixel gives the query position and key under it. */
static void
test_selection_and_hit_testing (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  Canvas c = canvas_new ();
  int outlined = 0;
  double q, k;
  Extent e;
  Matrix m;

  matrix_init (&m, 40, 0.5f);
  m.data.selected_lo = 19.5f;
  m.data.selected_hi = 20.5f;
  hl_matrix_plot_draw (style, &m.data, c.cr, W, H);
  e = frame_extent (style, &m.data);
  /* Two horizontal lines across the matrix: every column crosses both. */
  for (int x = (int) e.left + 2; x < (int) e.right - 2; x++)
    {
      int crossings = 0;

      for (int y = (int) e.top; y < (int) e.bottom; y++)
        crossings += distance (pixel (&c, x, y), style->warning) < 0.2
                     && distance (pixel (&c, x, y - 1), style->warning) >= 0.2;
      outlined += crossings == 2;
    }
  g_assert_cmpint (outlined, ==, (int) e.right - 2 - ((int) e.left + 2));
  g_assert_cmpfloat (fabs (hl_matrix_plot_row_y (style, &m.data, W, H, 20)
                           - (e.top + (e.bottom - e.top) * 20.5 / 40)), <, 1.0);

  g_assert_true (hl_matrix_plot_position_at (style, &m.data, W, H, e.left + 1,
                                             hl_matrix_plot_row_y (style, &m.data, W, H, 30), &q,
                                             &k));
  g_assert_cmpfloat (fabs (q - 30), <, 0.5);
  g_assert_cmpfloat (fabs (k), <, 0.5);
  g_assert_false (hl_matrix_plot_position_at (style, &m.data, W, H, 1, 1, &q, &k));
  canvas_free (&c);
  matrix_clear (&m);
}

/* The grid: each head's matrix in its cell, the cell under a point found,
 * the selected head outlined in the foreground colour. */
static void
test_grid (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  Matrix cells[6];
  HlMatrixPlotData data[6];
  HlMatrixGridPlotData grid = {
    .n_layers = 2, .n_heads = 3, .cells = data, .selected_layer = 1, .selected_head = 2,
  };
  Canvas c = canvas_new ();

  for (int i = 0; i < 6; i++)
    {
      matrix_init (&cells[i], 16, 0.1f * (i + 1));
      data[i] = cells[i].data;
    }
  hl_matrix_grid_plot_draw (style, &grid, c.cr, W, H);
  for (int l = 0; l < 2; l++)
    for (int h = 0; h < 3; h++)
      {
        double x, y, w, ch;
        int layer, head;

        hl_matrix_grid_plot_cell_rect (style, &grid, W, H, l, h, &x, &y, &w, &ch);
        g_assert_true (hl_matrix_grid_plot_cell_at (style, &grid, W, H, x + w / 2, y + ch / 2,
                                                    &layer, &head));
        g_assert_cmpint (layer, ==, l);
        g_assert_cmpint (head, ==, h);
        /* Each on its own scale: the lower triangle in the top colour. */
        g_assert_cmpfloat (distance (pixel (&c, (int) (x + w * 0.1), (int) (y + ch * 0.9)),
                                     hl_colormap_eval (HL_COLORMAP_VIRIDIS, 1.0)), <, 0.03);
        /* Only the selected one has a dark line just above it. */
        {
          gboolean line = FALSE;

          for (int py = (int) y - 8; py < (int) y; py++)
            line |= distance (pixel (&c, (int) (x + w / 2), py), style->foreground) < 0.3;
          g_assert_true (line == (l == 1 && h == 2));
        }
      }
  for (int i = 0; i < 6; i++)
    matrix_clear (&cells[i]);
  canvas_free (&c);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/matrix-plot/rows-without-seams", test_rows_without_seams);
  g_test_add_func ("/matrix-plot/color-scales", test_color_scales);
  g_test_add_func ("/matrix-plot/selection-and-hit-testing", test_selection_and_hit_testing);
  g_test_add_func ("/matrix-plot/grid", test_grid);
  return g_test_run ();
}
