/* test-bound-plot.c: the theory figure drawn into an image surface: the
 * measured residual and its bound in the accent colour, the bound above
 * the residual, the model's means in the muted colour.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "hl-bound-plot.h"

#define W 640
#define H 420

static const int grid[] = { 1, 2, 4, 8, 16, 32, 64 };
static const float residual[] = { 0.9f, 0.8f, 0.6f, 0.5f, 0.4f, 0.3f, 0.2f };
static const float bound[] = { 1.8f, 1.7f, 1.6f, 1.5f, 1.4f, 1.3f, 1.2f };
static const float model_residual[] = { 0.7f, 0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f };
static const float model_bound[] = { 1.9f, 1.8f, 1.7f, 1.6f, 1.5f, 1.4f, 1.3f };

typedef struct
{
  cairo_surface_t *surface;
  HlPlotStyle     *style;
} Canvas;

static Canvas
draw (const HlBoundPlotData *data)
{
  Canvas c = { cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H),
               hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_SCREEN) };
  cairo_t *cr = cairo_create (c.surface);

  hl_bound_plot_draw (c.style, data, cr, W, H);
  cairo_destroy (cr);
  cairo_surface_flush (c.surface);
  return c;
}

static void
canvas_clear (Canvas *c)
{
  cairo_surface_destroy (c->surface);
  hl_plot_style_free (c->style);
}

static gboolean
is_colour (Canvas       *c,
           int           x,
           int           y,
           const HlRgba *colour)
{
  int stride = cairo_image_surface_get_stride (c->surface);
  guint32 v = *(guint32 *) (cairo_image_surface_get_data (c->surface) + y * stride + x * 4);
  double a = ((v >> 24) & 0xff) / 255.0;

  return a > 0.9 && fabs (((v >> 16) & 0xff) / 255.0 / a - colour->red) < 0.05
         && fabs (((v >> 8) & 0xff) / 255.0 / a - colour->green) < 0.05
         && fabs ((v & 0xff) / 255.0 / a - colour->blue) < 0.05;
}

/* The rows of column @x in @colour: the first and the last, and how many. */
static int
column_rows (Canvas       *c,
             int           x,
             const HlRgba *colour,
             int          *first,
             int          *last)
{
  int n = 0;

  *first = H, *last = -1;
  for (int y = 0; y < H; y++)
    if (is_colour (c, x, y, colour))
      {
        *first = MIN (*first, y);
        *last = MAX (*last, y);
        n++;
      }
  return n;
}

static int
count_colour (Canvas       *c,
              const HlRgba *colour)
{
  int n = 0;

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      n += is_colour (c, x, y, colour);
  return n;
}

/* The bound (higher values) is drawn above the residual in some column
 * where both lines are. */
static void
test_bound_above_residual (void)
{
  HlBoundPlotData data = { G_N_ELEMENTS (grid), grid, residual, bound, 0, NULL, NULL, NULL,
                           0, NULL };
  Canvas c = draw (&data);
  gboolean seen = FALSE;

  for (int x = W / 3; x < 2 * W / 3 && !seen; x++)
    {
      int first, last;

      if (column_rows (&c, x, &c.style->accent, &first, &last) >= 2 && last - first > 20)
        seen = TRUE;
    }
  g_assert_true (seen);
  canvas_clear (&c);
}

/* The model's means add muted lines (the axes' text is muted too, so
 * compare with the same figure without them); an empty figure draws no
 * line. */
static void
test_model_and_empty (void)
{
  HlBoundPlotData data = { G_N_ELEMENTS (grid), grid, residual, bound, G_N_ELEMENTS (grid), grid,
                           model_residual, model_bound, 8, "<b>Head</b>" };
  HlBoundPlotData alone = data;
  HlBoundPlotData empty = { 0 };
  Canvas with_model, without, none;

  alone.n_model = 0;
  with_model = draw (&data);
  without = draw (&alone);
  none = draw (&empty);
  g_assert_cmpint (count_colour (&with_model, &with_model.style->muted), >,
                   count_colour (&without, &without.style->muted) + 300);
  g_assert_cmpint (count_colour (&none, &none.style->accent), ==, 0);
  canvas_clear (&with_model);
  canvas_clear (&without);
  canvas_clear (&none);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bound-plot/bound-above-residual", test_bound_above_residual);
  g_test_add_func ("/bound-plot/model-and-empty", test_model_and_empty);
  return g_test_run ();
}
