/* test-regime-marks.c: regimes told apart without colour. A heatmap with
 * one cell of each regime is drawn in every style and turned to grey, as
 * a greyscale print or a reader without colour vision sees it (the dark
 * style's regime colours are alike in grey); each cell must still show its
 * own marks: Retriever plain, Mixer horizontal stripes, Reset dots, Other a
 * grid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdlib.h>

#include "hl-heatmap-plot.h"
#include "hl-plot-text.h"

typedef struct
{
  double ink;        /* fraction of pixels away from the cell's own grey */
  double row_spread; /* how much the rows' mean greys differ */
  double col_spread; /* how much the columns' mean greys differ */
} Marks;

static double
grey_at (const guchar *data,
         int           stride,
         int           x,
         int           y)
{
  const guchar *p = data + y * stride + 4 * x;   /* ARGB32, native order: B G R A */

  return 0.0722 * p[0] + 0.7152 * p[1] + 0.2126 * p[2];
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
spread (const double *means,
        int           n)
{
  double mean = 0, var = 0;

  for (int i = 0; i < n; i++)
    mean += means[i] / n;
  for (int i = 0; i < n; i++)
    var += (means[i] - mean) * (means[i] - mean) / n;
  return sqrt (var);
}

/* The marks inside a cell, away from its edges. */
static Marks
marks_of (cairo_surface_t *s,
          double           x,
          double           y,
          double           w,
          double           h)
{
  const guchar *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  int x0 = (int) (x + 0.15 * w), x1 = (int) (x + 0.85 * w);
  int y0 = (int) (y + 0.15 * h), y1 = (int) (y + 0.85 * h);
  int nx = x1 - x0, ny = y1 - y0, inked = 0;
  g_autofree double *greys = g_new (double, nx * ny);
  g_autofree double *rows = g_new0 (double, ny);
  g_autofree double *cols = g_new0 (double, nx);
  double median;

  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++)
      {
        double g = grey_at (data, stride, x0 + i, y0 + j);

        greys[j * nx + i] = g;
        rows[j] += g / nx;
        cols[i] += g / ny;
      }
  {
    g_autofree double *sorted = g_memdup2 (greys, sizeof (double) * nx * ny);

    qsort (sorted, nx * ny, sizeof (double), (int (*) (const void *, const void *)) compare_doubles);
    median = sorted[nx * ny / 2];
  }
  for (int k = 0; k < nx * ny; k++)
    inked += fabs (greys[k] - median) > 20;
  return (Marks) { (double) inked / (nx * ny), spread (rows, ny), spread (cols, nx) };
}

static void
test_heatmap_in_grey (gconstpointer user_data)
{
  HlPlotStylePreset preset = GPOINTER_TO_INT (user_data);
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (preset, HL_PLOT_TARGET_EXPORT);
  static const int regimes[HL_N_REGIMES] = {
    HL_REGIME_RETRIEVER, HL_REGIME_MIXER, HL_REGIME_RESET, HL_REGIME_OTHER,
  };
  HlHeatmapPlotData data = { 1, HL_N_REGIMES, HL_HEATMAP_COLOR_REGIME, regimes, NULL,
                             HL_COLORMAP_VIRIDIS, 0, 0, NULL, -1, -1, NULL };
  /* 4 x 2 in at 150 DPI, in points scaled to pixels as a PNG export does. */
  double scale = 150.0 / 72.0, width = 4 * 72, height = 2 * 72;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  cairo_t *cr = cairo_create (s);
  Marks m[HL_N_REGIMES];

  cairo_scale (cr, scale, scale);
  hl_heatmap_plot_draw (style, &data, cr, width, height);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  for (int r = 0; r < HL_N_REGIMES; r++)
    {
      double x, y, w, h;

      hl_heatmap_plot_cell_rect (style, &data, width, height, 0, r, &x, &y, &w, &h);
      m[r] = marks_of (s, x * scale, y * scale, w * scale, h * scale);
      g_test_message ("%s: ink %.3f, rows %.2f, columns %.2f", hl_regime_to_string (r),
                      m[r].ink, m[r].row_spread, m[r].col_spread);
    }
  cairo_surface_destroy (s);

  /* Retriever: plain. */
  g_assert_cmpfloat (m[HL_REGIME_RETRIEVER].ink, <, 0.01);
  g_assert_cmpfloat (m[HL_REGIME_RETRIEVER].row_spread + m[HL_REGIME_RETRIEVER].col_spread, <, 1.0);
  /* Mixer: horizontal stripes, the rows differ and the columns do not. */
  g_assert_cmpfloat (m[HL_REGIME_MIXER].ink, >, 0.1);
  g_assert_cmpfloat (m[HL_REGIME_MIXER].row_spread, >, 5 * MAX (1.0, m[HL_REGIME_MIXER].col_spread));
  /* Reset: dots, rows and columns alike, less ink than a grid. */
  g_assert_cmpfloat (m[HL_REGIME_RESET].ink, >, 0.04);
  g_assert_cmpfloat (m[HL_REGIME_RESET].col_spread, >, 0.3 * m[HL_REGIME_RESET].row_spread);
  /* Other: a grid, both directions, the most ink. */
  g_assert_cmpfloat (m[HL_REGIME_OTHER].col_spread, >, 0.3 * m[HL_REGIME_OTHER].row_spread);
  g_assert_cmpfloat (m[HL_REGIME_OTHER].ink, >, 1.5 * m[HL_REGIME_RESET].ink);
  g_assert_cmpfloat (m[HL_REGIME_OTHER].ink, >, 1.2 * m[HL_REGIME_MIXER].ink);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/render/regime-marks/light", GINT_TO_POINTER (HL_PLOT_STYLE_LIGHT),
                        test_heatmap_in_grey);
  g_test_add_data_func ("/render/regime-marks/dark", GINT_TO_POINTER (HL_PLOT_STYLE_DARK),
                        test_heatmap_in_grey);
  g_test_add_data_func ("/render/regime-marks/high-contrast",
                        GINT_TO_POINTER (HL_PLOT_STYLE_HIGH_CONTRAST), test_heatmap_in_grey);
  status = g_test_run ();
  hl_plot_text_release_caches ();
  return status;
}
