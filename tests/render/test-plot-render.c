/* test-plot-render.c: every renderer drawn into an image surface, checked
 * for what a user would see: colours of cells, outlines and disks, hit
 * testing, clipping and the style's background.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "hl-colormap.h"
#include "hl-heatmap-plot.h"
#include "hl-plot.h"
#include "hl-plot-text.h"
#include "hl-scatter-plot.h"
#include "render-fixtures.h"

#define W 640
#define H 480

typedef struct
{
  cairo_surface_t *surface;
  cairo_t         *cr;
} Canvas;

static Canvas
canvas_new (int width,
            int height)
{
  Canvas c;

  c.surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  c.cr = cairo_create (c.surface);
  return c;
}

static void
canvas_free (Canvas *c)
{
  cairo_destroy (c->cr);
  cairo_surface_destroy (c->surface);
}

/* The pixel at (x, y) as straight (unpremultiplied) colour. */
static HlRgba
pixel (Canvas *c,
       double  x,
       double  y)
{
  int stride, ix = (int) floor (x), iy = (int) floor (y);
  guint32 v;
  double a;

  if (ix < 0 || iy < 0 || ix >= cairo_image_surface_get_width (c->surface) ||
      iy >= cairo_image_surface_get_height (c->surface))
    return (HlRgba) { 0, 0, 0, 0 };
  cairo_surface_flush (c->surface);
  stride = cairo_image_surface_get_stride (c->surface);
  v = *(guint32 *) (cairo_image_surface_get_data (c->surface) + iy * stride + ix * 4);
  a = ((v >> 24) & 0xff) / 255.0;
  if (a == 0)
    return (HlRgba) { 0, 0, 0, 0 };
  return (HlRgba) { ((v >> 16) & 0xff) / 255.0 / a, ((v >> 8) & 0xff) / 255.0 / a,
                    (v & 0xff) / 255.0 / a, a };
}

static double
distance (HlRgba a,
          HlRgba b)
{
  return MAX (MAX (fabs (a.red - b.red), fabs (a.green - b.green)), fabs (a.blue - b.blue));
}

/* The share of a cell's middle half (in each direction) that has @colour:
 * regime cells also carry their marks (hl_plot_paint_regime_marks). */
static double
share_of_colour (Canvas *c,
                 double  x,
                 double  y,
                 double  w,
                 double  h,
                 HlRgba  colour)
{
  int n = 0, same = 0;

  for (double j = y + h / 4; j < y + 3 * h / 4; j++)
    for (double i = x + w / 4; i < x + 3 * w / 4; i++, n++)
      same += distance (pixel (c, i, j), colour) < 0.02;
  return n > 0 ? (double) same / n : 0;
}

static HlPlotStyle *
screen_style (void)
{
  return hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_SCREEN);
}

static void
test_heatmap_selection_outline (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  const HlHeatmapPlotData *data = render_fixture (HL_PLOT_HEATMAP);
  Canvas c = canvas_new (W, H);
  double x, y, w, h;

  hl_heatmap_plot_draw (style, data, c.cr, W, H);
  hl_heatmap_plot_cell_rect (style, data, W, H, data->selected_layer, data->selected_head,
                             &x, &y, &w, &h);
  /* The outline is 2 units wide on the cell's inner edge: the middle of
   * each side, one unit in, has the foreground colour. */
  g_assert_cmpfloat (distance (pixel (&c, x + w / 2, round (y) + 1), style->foreground), <, 0.05);
  g_assert_cmpfloat (distance (pixel (&c, x + w / 2, round (y + h) - 2), style->foreground), <, 0.05);
  g_assert_cmpfloat (distance (pixel (&c, round (x) + 1, y + h / 2), style->foreground), <, 0.05);
  g_assert_cmpfloat (distance (pixel (&c, round (x + w) - 2, y + h / 2), style->foreground), <, 0.05);
  /* Its middle keeps the regime colour. */
  g_assert_cmpfloat (share_of_colour (&c, x, y, w, h,
                                      style->regime[data->regimes[data->selected_layer * data->n_heads +
                                                                  data->selected_head]]), >, 0.4);
  canvas_free (&c);
}

static void
test_heatmap_cell_colors (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  const HlHeatmapPlotData *regimes = render_fixture (HL_PLOT_HEATMAP);
  const HlHeatmapPlotData *metric = render_fixture_heatmap_metric ();
  Canvas c = canvas_new (W, H), m = canvas_new (W, H);

  hl_heatmap_plot_draw (style, regimes, c.cr, W, H);
  hl_heatmap_plot_draw (style, metric, m.cr, W, H);
  for (int l = 0; l < regimes->n_layers; l++)
    for (int hd = 0; hd < regimes->n_heads; hd++)
      {
        int i = l * regimes->n_heads + hd;
        double x, y, w, h;

        if (l == regimes->selected_layer && hd == regimes->selected_head)
          continue;
        hl_heatmap_plot_cell_rect (style, regimes, W, H, l, hd, &x, &y, &w, &h);
        if (regimes->regimes[i] >= 0)
          g_assert_cmpfloat (share_of_colour (&c, x, y, w, h, style->regime[regimes->regimes[i]]),
                             >, 0.4);
        hl_heatmap_plot_cell_rect (style, metric, W, H, l, hd, &x, &y, &w, &h);
        if (isfinite (metric->values[i]))
          g_assert_cmpfloat (distance (pixel (&m, x + w / 2, y + h / 2),
                                       hl_colormap_eval_range (metric->colormap, metric->values[i],
                                                               metric->vmin, metric->vmax)), <, 0.02);
      }
  canvas_free (&c);
  canvas_free (&m);
}

/* A pending cell is hatched: two distinct greys, no map or regime colour. */
static void
test_heatmap_pending_look (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  const HlHeatmapPlotData *data = render_fixture (HL_PLOT_HEATMAP);
  Canvas c = canvas_new (W, H);
  double x, y, w, h, lightest = 0, darkest = 1;

  hl_heatmap_plot_draw (style, data, c.cr, W, H);
  hl_heatmap_plot_cell_rect (style, data, W, H, data->n_layers - 1, data->n_heads - 1, &x, &y, &w, &h);
  for (double py = y + 2; py < y + h - 2; py += 1)
    {
      HlRgba p = pixel (&c, x + w / 2, py);

      g_assert_cmpfloat (fabs (p.red - p.green) + fabs (p.green - p.blue), <, 0.02);
      lightest = MAX (lightest, p.red);
      darkest = MIN (darkest, p.red);
    }
  g_assert_cmpfloat (lightest - darkest, >, 0.1);
  canvas_free (&c);
}

static void
test_heatmap_hit_testing (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  const HlHeatmapPlotData *data = render_fixture (HL_PLOT_HEATMAP);
  int layer = -1, head = -1;

  for (int l = 0; l < data->n_layers; l++)
    for (int hd = 0; hd < data->n_heads; hd++)
      {
        double x, y, w, h;

        hl_heatmap_plot_cell_rect (style, data, W, H, l, hd, &x, &y, &w, &h);
        g_assert_true (hl_heatmap_plot_cell_at (style, data, W, H, x + w / 2, y + h / 2, &layer, &head));
        g_assert_cmpint (layer, ==, l);
        g_assert_cmpint (head, ==, hd);
      }
  /* Layer 0 is the top row. */
  {
    double x0, y0, x1, y1, w, h;

    hl_heatmap_plot_cell_rect (style, data, W, H, 0, 0, &x0, &y0, &w, &h);
    hl_heatmap_plot_cell_rect (style, data, W, H, 1, 0, &x1, &y1, &w, &h);
    g_assert_cmpfloat (y0, <, y1);
  }
  g_assert_false (hl_heatmap_plot_cell_at (style, data, W, H, 1, 1, &layer, &head));
  g_assert_false (hl_heatmap_plot_cell_at (style, data, W, H, W - 2, H / 2, &layer, &head));
}

static double
find_ring_radius (Canvas       *c,
                  double        cx,
                  double        cy,
                  double        r_lo,
                  double        r_hi,
                  const HlRgba *color)
{
  double first = -1, last = -1;

  /* Straight down from the centre, a quarter pixel at a time. */
  for (double r = r_lo; r <= r_hi; r += 0.25)
    if (distance (pixel (c, cx, cy + r), *color) < 0.2)
      {
        if (first < 0)
          first = r;
        last = r;
      }
  return first < 0 ? -1 : (first + last) / 2;
}

static void
test_scatter_disk_radius (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  const HlScatterPlotData *data = render_fixture (HL_PLOT_SCATTER);
  const HlScatterPlotData *cosine = render_fixture_scatter_cosine ();
  Canvas c = canvas_new (W, H), k = canvas_new (W, H);
  double cx, cy, scale, expected, found;

  hl_scatter_plot_draw (style, data, c.cr, W, H);
  hl_scatter_plot_to_pixel (style, data, W, H, data->centre_x, data->centre_y, &cx, &cy);
  scale = hl_scatter_plot_scale (style, data, W, H);
  expected = data->rho_max * scale;
  g_assert_cmpfloat (expected, >, 50);
  found = find_ring_radius (&c, cx, cy, 0.85 * expected, 1.15 * expected, &style->accent);
  g_assert_cmpfloat (fabs (found - expected), <=, 1.0);

  /* Equal aspect ratio: one data unit is as long on both axes. */
  {
    double x1, y1, x2, y2;

    hl_scatter_plot_to_pixel (style, data, W, H, 0, 0, &x1, &y1);
    hl_scatter_plot_to_pixel (style, data, W, H, 1, 1, &x2, &y2);
    g_assert_cmpfloat_with_epsilon (x2 - x1, y1 - y2, 1e-6);
    g_assert_cmpfloat_with_epsilon (x2 - x1, scale, 1e-6);
  }

  /* Cosine distance: no disk at all. With no point selected nothing in the
   * plot has the accent colour; rays to the left, up and down from s_N stay
   * clear of the legend on the right. */
  {
    HlScatterPlotData unselected = *cosine;

    unselected.selected = NULL;
    hl_scatter_plot_draw (style, &unselected, k.cr, W, H);
    hl_scatter_plot_to_pixel (style, &unselected, W, H, cosine->centre_x, cosine->centre_y, &cx, &cy);
    for (double angle = G_PI / 2; angle <= 3 * G_PI / 2; angle += G_PI / 16)
      for (double r = 2; r < W; r += 0.5)
        g_assert_cmpfloat (distance (pixel (&k, cx + r * cos (angle), cy - r * sin (angle)),
                                     style->accent), >, 0.2);
  }
  canvas_free (&c);
  canvas_free (&k);
}

/* Zoomed in, one data unit (and so every disk's radius) is zoom times
 * longer on both axes, the middle of the view stays where it was, a pan
 * moves the points, and from_pixel undoes to_pixel. */
static void
test_scatter_zoom (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  const HlScatterPlotData *data = render_fixture (HL_PLOT_SCATTER);
  HlScatterPlotData zoomed = *data;
  Canvas c = canvas_new (W, H);
  double scale = hl_scatter_plot_scale (style, data, W, H), x0, y0, x1, y1, dx, dy;

  zoomed.zoom = 4;
  g_assert_cmpfloat_with_epsilon (hl_scatter_plot_scale (style, &zoomed, W, H), 4 * scale, 1e-6);
  /* The middle of the view is a fixed point of the zoom. */
  hl_scatter_plot_from_pixel (style, data, W, H, W / 2.0, H / 2.0, &dx, &dy);
  hl_scatter_plot_to_pixel (style, data, W, H, dx, dy, &x0, &y0);
  g_assert_cmpfloat (fabs (x0 - W / 2.0), <, 1e-6);
  hl_scatter_plot_to_pixel (style, data, W, H, data->centre_x, data->centre_y, &x0, &y0);
  hl_scatter_plot_to_pixel (style, &zoomed, W, H, data->centre_x, data->centre_y, &x1, &y1);
  hl_scatter_plot_from_pixel (style, &zoomed, W, H, x1, y1, &dx, &dy);
  g_assert_cmpfloat (fabs (dx - data->centre_x), <, 1e-6);
  g_assert_cmpfloat (fabs (dy - data->centre_y), <, 1e-6);

  /* A pan of one data unit to the right moves every point 4 scale units
   * to the left. */
  zoomed.pan_x = 1;
  hl_scatter_plot_to_pixel (style, &zoomed, W, H, data->centre_x, data->centre_y, &x0, &y0);
  g_assert_cmpfloat_with_epsilon (x1 - x0, 4 * scale, 1e-6);
  g_assert_cmpfloat_with_epsilon (y1, y0, 1e-6);

  /* Drawn zoomed, the plot still paints only inside the widget. */
  hl_scatter_plot_draw (style, &zoomed, c.cr, W, H);
  canvas_free (&c);
}

/* In a plot too narrow for the query's label on either side of its
 * point, the label starts at the frame's left edge instead of being cut
 * off there: the frame's left edge is the x axis minimum, the data's
 * smallest x less 6 % of the larger data span (points, s_N and disks). */
static void
test_scatter_label_in_narrow_plot (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  HlScatterPlotData data = *(const HlScatterPlotData *) render_fixture (HL_PLOT_SCATTER);
  const double width = 200, height = 480;
  double x0 = data.centre_x - data.rho_max, x1 = data.centre_x + data.rho_max;
  double y0 = data.centre_y - data.rho_max, y1 = data.centre_y + data.rho_max;
  double left, unused, x, y, w, h, px;
  float *xs = g_memdup2 (data.x, data.n_points * sizeof *xs);

  for (int i = 0; i < data.n_points; i++)
    x0 = MIN (x0, xs[i]), x1 = MAX (x1, xs[i]), y0 = MIN (y0, data.y[i]), y1 = MAX (y1, data.y[i]);
  /* The query becomes the leftmost point. */
  xs[data.query_index] = x0;
  data.x = xs;
  hl_scatter_plot_to_pixel (style, &data, width, height,
                            x0 - 0.06 * MAX (x1 - x0, y1 - y0), 0, &left, &unused);
  hl_scatter_plot_to_pixel (style, &data, width, height, x0, 0, &px, &unused);
  g_assert_true (hl_scatter_plot_label_rect (style, &data, width, height, data.query_index,
                                             &x, &y, &w, &h));
  /* Too wide for the room to the point's left. */
  g_assert_cmpfloat (w, >, px - left);
  g_assert_cmpfloat (x, >=, left - 1e-6);
  g_free (xs);
}

/* A point whose centre no other mark covers: no neighbour, not near s_N's
 * cross, not one of the labelled or ringed points. */
static gboolean
point_unobstructed (const HlPlotStyle       *style,
                    const HlScatterPlotData *data,
                    int                      i,
                    double                   x,
                    double                   y)
{
  double cx, cy, scale = hl_scatter_plot_scale (style, data, W, H), m = style->marker_size;

  if (hl_scatter_plot_differs (data, i) || i == data->query_index || i == 0)
    return FALSE;
  hl_scatter_plot_to_pixel (style, data, W, H, data->centre_x, data->centre_y, &cx, &cy);
  if (hypot (x - cx, y - cy) < 3 * m)
    return FALSE;
  /* Not on a disk's outline either. */
  if (fabs (hypot (x - cx, y - cy) - data->rho_min * scale) < m ||
      fabs (hypot (x - cx, y - cy) - data->rho_max * scale) < m)
    return FALSE;
  for (int j = 0; j < data->n_points; j++)
    if (j != i && hypot ((data->x[j] - data->x[i]) * scale, (data->y[j] - data->y[i]) * scale) < 1.5 * m)
      return FALSE;
  return TRUE;
}

static void
test_scatter_points (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  const HlScatterPlotData *data = render_fixture (HL_PLOT_SCATTER);
  Canvas c = canvas_new (W, H);
  int differing = 0, checked = 0;

  hl_scatter_plot_draw (style, data, c.cr, W, H);
  for (int i = 0; i < data->n_points; i++)
    {
      double x, y;
      int hit;

      hl_scatter_plot_to_pixel (style, data, W, H, data->x[i], data->y[i], &x, &y);
      hit = hl_scatter_plot_point_at (style, data, W, H, x + 0.3, y - 0.2, 4.0);
      g_assert_cmpfloat (hypot (data->x[hit] - data->x[i], data->y[hit] - data->y[i]), <, 1e-6);
      /* Selected points are filled with the accent colour, others grey. */
      if (point_unobstructed (style, data, i, x, y))
        {
          g_assert_cmpfloat (distance (pixel (&c, x, y), data->selected[i] ? style->accent : style->muted),
                             <, 0.25);
          checked++;
        }
      differing += hl_scatter_plot_differs (data, i);
    }
  g_assert_cmpint (checked, >, data->n_points / 2);
  /* The fixture puts two points on the wrong side of a disk. */
  g_assert_cmpint (differing, ==, 2);
  g_assert_true (hl_scatter_plot_differs (data, 12));
  g_assert_true (hl_scatter_plot_differs (data, 20));
  g_assert_cmpint (hl_scatter_plot_point_at (style, data, W, H, 2, 2, 4.0), ==, -1);
  canvas_free (&c);
}

/* A ring in the warning colour surrounds a point whose disk membership
 * differs from its full-space ball membership. */
static void
test_scatter_differs_ring (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();
  const HlScatterPlotData *data = render_fixture (HL_PLOT_SCATTER);
  Canvas c = canvas_new (W, H);
  double x, y, best = 1;

  hl_scatter_plot_draw (style, data, c.cr, W, H);
  hl_scatter_plot_to_pixel (style, data, W, H, data->x[12], data->y[12], &x, &y);
  for (double r = 0.8 * style->marker_size; r <= 1.6 * style->marker_size; r += 0.25)
    best = MIN (best, distance (pixel (&c, x, y + r), style->warning));
  g_assert_cmpfloat (best, <, 0.15);
  canvas_free (&c);
}

static void
test_nothing_drawn_outside (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();

  for (int k = 0; k < HL_N_PLOT_KINDS; k++)
    {
      Canvas c = canvas_new (500, 400);
      const HlRgba sentinel = { 1, 0, 1, 1 };

      cairo_set_source_rgb (c.cr, 1, 0, 1);
      cairo_paint (c.cr);
      cairo_save (c.cr);
      cairo_translate (c.cr, 60, 50);
      hl_plot_draw (k, style, render_fixture (k), c.cr, 300, 250);
      cairo_restore (c.cr);
      for (int y = 0; y < 400; y++)
        for (int x = 0; x < 500; x++)
          if (x < 60 || x >= 360 || y < 50 || y >= 300)
            {
              if (distance (pixel (&c, x, y), sentinel) > 0)
                g_error ("%s drew at (%d, %d), outside its rectangle",
                         hl_plot_kind_to_string (k), x, y);
            }
      /* And inside, it drew its background. */
      g_assert_cmpfloat (distance (pixel (&c, 61, 51), style->background), <, 0.01);
      canvas_free (&c);
    }
}

static void
test_dark_style_background (void)
{
  g_autoptr(HlPlotStyle) light = screen_style ();
  g_autoptr(HlPlotStyle) dark = hl_plot_style_new (HL_PLOT_STYLE_DARK, HL_PLOT_TARGET_SCREEN);

  for (int k = 0; k < HL_N_PLOT_KINDS; k++)
    {
      Canvas a = canvas_new (320, 240), b = canvas_new (320, 240);

      hl_plot_draw (k, light, render_fixture (k), a.cr, 320, 240);
      hl_plot_draw (k, dark, render_fixture (k), b.cr, 320, 240);
      g_assert_cmpfloat (distance (pixel (&a, 318, 238), light->background), <, 0.01);
      g_assert_cmpfloat (distance (pixel (&b, 318, 238), dark->background), <, 0.01);
      g_assert_cmpfloat (distance (pixel (&a, 318, 238), pixel (&b, 318, 238)), >, 0.5);
      canvas_free (&a);
      canvas_free (&b);
    }
}

/* Rendering the same plot twice gives the same pixels, and a tiny size
 * neither crashes nor draws outside. */
static void
test_repeatable_and_tiny (void)
{
  g_autoptr(HlPlotStyle) style = screen_style ();

  for (int k = 0; k < HL_N_PLOT_KINDS; k++)
    {
      Canvas a = canvas_new (200, 150), b = canvas_new (200, 150), t = canvas_new (12, 9);

      hl_plot_draw (k, style, render_fixture (k), a.cr, 200, 150);
      hl_plot_draw (k, style, render_fixture (k), b.cr, 200, 150);
      hl_plot_draw (k, style, render_fixture (k), t.cr, 12, 9);
      cairo_surface_flush (a.surface);
      cairo_surface_flush (b.surface);
      g_assert_cmpmem (cairo_image_surface_get_data (a.surface), 150 * cairo_image_surface_get_stride (a.surface),
                       cairo_image_surface_get_data (b.surface), 150 * cairo_image_surface_get_stride (b.surface));
      g_assert_cmpint (cairo_status (t.cr), ==, CAIRO_STATUS_SUCCESS);
      canvas_free (&a);
      canvas_free (&b);
      canvas_free (&t);
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render/heatmap/selection-outline", test_heatmap_selection_outline);
  g_test_add_func ("/render/scatter/zoom", test_scatter_zoom);
  g_test_add_func ("/render/scatter/label-in-narrow-plot", test_scatter_label_in_narrow_plot);
  g_test_add_func ("/render/heatmap/cell-colors", test_heatmap_cell_colors);
  g_test_add_func ("/render/heatmap/pending", test_heatmap_pending_look);
  g_test_add_func ("/render/heatmap/hit-testing", test_heatmap_hit_testing);
  g_test_add_func ("/render/scatter/disk-radius", test_scatter_disk_radius);
  g_test_add_func ("/render/scatter/points", test_scatter_points);
  g_test_add_func ("/render/scatter/differs-ring", test_scatter_differs_ring);
  g_test_add_func ("/render/all/clipped", test_nothing_drawn_outside);
  g_test_add_func ("/render/all/dark-style", test_dark_style_background);
  g_test_add_func ("/render/all/repeatable", test_repeatable_and_tiny);
  status = g_test_run ();
  render_fixture_free_all ();
  hl_plot_text_release_caches ();
  return status;
}
