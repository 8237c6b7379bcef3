/* test-plot-axis.c: ticks, value-to-unit mapping, colour maps, styles and
 * size parsing, against values worked out by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "hl-colormap.h"
#include "hl-plot-axis.h"
#include "hl-plot-export.h"
#include "hl-plot-style.h"

static void
test_log2_ticks_are_powers_of_two (void)
{
  HlPlotAxis axis;
  double ticks[HL_PLOT_AXIS_MAX_TICKS];
  int n;

  hl_plot_axis_init (&axis, HL_PLOT_SCALE_LOG2, 1, 512, "N");
  n = hl_plot_axis_ticks (&axis, 12, ticks);
  g_assert_cmpint (n, ==, 10);
  for (int i = 0; i < n; i++)
    g_assert_cmpfloat (ticks[i], ==, exp2 (i));

  /* With room for only four, every third power: still powers of two, 1 kept. */
  n = hl_plot_axis_ticks (&axis, 4, ticks);
  g_assert_cmpint (n, <=, 4);
  g_assert_cmpfloat (ticks[0], ==, 1.0);
  for (int i = 0; i < n; i++)
    {
      double k = log2 (ticks[i]);

      g_assert_cmpfloat (k, ==, round (k));
    }
}

static void
test_linear_ticks_for_scores (void)
{
  HlPlotAxis axis;
  double ticks[HL_PLOT_AXIS_MAX_TICKS];
  const double expected[] = { 0, 0.25, 0.5, 0.75, 1.0 };
  g_autofree char *quarter = NULL, *zero = NULL;
  int n;

  hl_plot_axis_init (&axis, HL_PLOT_SCALE_LINEAR, 0, 1, "P");
  n = hl_plot_axis_ticks (&axis, 5, ticks);
  g_assert_cmpint (n, ==, 5);
  for (int i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (ticks[i], expected[i], 1e-12);
  quarter = hl_plot_axis_tick_label (&axis, ticks, n, 1);
  zero = hl_plot_axis_tick_label (&axis, ticks, n, 0);
  g_assert_cmpstr (quarter, ==, "0.25");
  g_assert_cmpstr (zero, ==, "0.00");
}

static void
test_nice_step (void)
{
  g_assert_cmpfloat_with_epsilon (hl_plot_nice_step (1.0, 4), 0.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (hl_plot_nice_step (7.0, 5), 2.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (hl_plot_nice_step (0.03, 5), 0.01, 1e-12);
  g_assert_cmpfloat_with_epsilon (hl_plot_nice_step (2.0, 4), 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (hl_plot_nice_step (900, 4), 250, 1e-9);
}

static void
test_negative_labels_use_minus_sign (void)
{
  HlPlotAxis axis;
  double ticks[HL_PLOT_AXIS_MAX_TICKS];
  g_autofree char *first = NULL;
  int n;

  hl_plot_axis_init (&axis, HL_PLOT_SCALE_LINEAR, -1, 1, "cos");
  n = hl_plot_axis_ticks (&axis, 5, ticks);
  g_assert_cmpint (n, ==, 5);
  first = hl_plot_axis_tick_label (&axis, ticks, n, 0);
  g_assert_cmpstr (first, ==, "\342\210\222" "1.0");
}

static void
test_log10_labels (void)
{
  HlPlotAxis axis;
  double ticks[HL_PLOT_AXIS_MAX_TICKS];
  g_autofree char *label = NULL;
  int n;

  hl_plot_axis_init (&axis, HL_PLOT_SCALE_LOG10, 0.001, 1, "alpha");
  n = hl_plot_axis_ticks (&axis, 8, ticks);
  g_assert_cmpint (n, ==, 4);
  label = hl_plot_axis_tick_label (&axis, ticks, n, 1);
  g_assert_cmpstr (label, ==, "10<sup>\342\210\222" "2</sup>");
}

static void
test_mapping_round_trip (void)
{
  HlPlotAxis axis;

  hl_plot_axis_init (&axis, HL_PLOT_SCALE_LOG2, 1, 64, "N");
  hl_plot_axis_set_pixels (&axis, 0, 600);
  /* 8 = 2^3 is halfway between 2^0 and 2^6. */
  g_assert_cmpfloat_with_epsilon (hl_plot_axis_to_pixel (&axis, 8), 300, 1e-9);
  g_assert_cmpfloat_with_epsilon (hl_plot_axis_from_pixel (&axis, 300), 8, 1e-9);
  g_assert_cmpfloat (hl_plot_axis_to_pixel (&axis, 0), ==, 0);

  /* An inverted y axis: the minimum at the top (pixel 10). */
  hl_plot_axis_init (&axis, HL_PLOT_SCALE_LINEAR, -0.5, 3.5, "Layer");
  hl_plot_axis_set_pixels (&axis, 10, 410);
  g_assert_cmpfloat_with_epsilon (hl_plot_axis_to_pixel (&axis, 0), 60, 1e-9);
  g_assert_cmpfloat_with_epsilon (hl_plot_axis_from_pixel (&axis, 360), 3, 1e-9);
}

static void
test_nice_bounds (void)
{
  HlPlotAxis axis;

  hl_plot_axis_init (&axis, HL_PLOT_SCALE_LINEAR, 0.013, 0.87, "x");
  hl_plot_axis_nice_bounds (&axis, 6);
  g_assert_cmpfloat_with_epsilon (axis.min, 0.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (axis.max, 1.0, 1e-12);
}

static void
assert_rgb (HlRgba      c,
            const char *hex)
{
  HlRgba e;

  g_assert_true (hl_rgba_parse (hex, &e));
  g_assert_cmpfloat_with_epsilon (c.red, e.red, 1.0 / 255);
  g_assert_cmpfloat_with_epsilon (c.green, e.green, 1.0 / 255);
  g_assert_cmpfloat_with_epsilon (c.blue, e.blue, 1.0 / 255);
}

static void
test_colormaps (void)
{
  /* matplotlib's viridis: 0 -> #440154, 0.5 -> #21918c, 1 -> #fde725. */
  assert_rgb (hl_colormap_eval (HL_COLORMAP_VIRIDIS, 0.0), "#440154");
  assert_rgb (hl_colormap_eval (HL_COLORMAP_VIRIDIS, 0.5), "#21918c");
  assert_rgb (hl_colormap_eval (HL_COLORMAP_VIRIDIS, 1.0), "#fde725");
  assert_rgb (hl_colormap_eval (HL_COLORMAP_VIRIDIS, 7.0), "#fde725");
  /* The diverging map is white-ish at zero, blue below and red above. */
  assert_rgb (hl_colormap_eval_range (HL_COLORMAP_DIVERGING, 0.0, -2, 2), "#f7f7f7");
  g_assert_cmpfloat (hl_colormap_eval_range (HL_COLORMAP_DIVERGING, -1.5, -2, 2).blue, >,
                     hl_colormap_eval_range (HL_COLORMAP_DIVERGING, -1.5, -2, 2).red);
  g_assert_cmpfloat (hl_colormap_eval_range (HL_COLORMAP_DIVERGING, 1.5, -2, 2).red, >,
                     hl_colormap_eval_range (HL_COLORMAP_DIVERGING, 1.5, -2, 2).blue);

  /* Viridis brightens monotonically: a sequential map must. */
  for (int i = 1; i <= 100; i++)
    {
      HlRgba a = hl_colormap_eval (HL_COLORMAP_VIRIDIS, (i - 1) / 100.0);
      HlRgba b = hl_colormap_eval (HL_COLORMAP_VIRIDIS, i / 100.0);

      g_assert_cmpfloat (0.2126 * a.red + 0.7152 * a.green + 0.0722 * a.blue, <,
                         0.2126 * b.red + 0.7152 * b.green + 0.0722 * b.blue);
    }
}

static void
test_styles (void)
{
  g_autoptr(HlPlotStyle) light = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);
  g_autoptr(HlPlotStyle) dark = hl_plot_style_new (HL_PLOT_STYLE_DARK, HL_PLOT_TARGET_SCREEN);
  g_autoptr(HlPlotStyle) copy = NULL, themed = NULL;
  HlRgba bg, fg, accent;
  HlPlotStylePreset preset;

  g_assert_cmpstr (light->font_family, ==, "DejaVu Sans");
  g_assert_cmpstr (dark->font_family, ==, "Cantarell");
  g_assert_cmpfloat (light->background.red, >, 0.9);
  g_assert_cmpfloat (dark->background.red, <, 0.2);
  copy = hl_plot_style_copy (light);
  g_assert_true (copy->font_family != light->font_family);
  g_assert_cmpstr (copy->font_family, ==, light->font_family);

  g_assert_true (hl_rgba_parse ("#242424", &bg));
  g_assert_true (hl_rgba_parse ("#ffffffcc", &fg));
  g_assert_cmpfloat_with_epsilon (fg.alpha, 0.8, 1e-9);
  g_assert_true (hl_rgba_parse ("#3584e4", &accent));
  g_assert_false (hl_rgba_parse ("#12345", &accent));
  g_assert_false (hl_rgba_parse ("red", &accent));
  themed = hl_plot_style_new_from_colors (&bg, &fg, &accent, HL_PLOT_TARGET_SCREEN);
  g_assert_cmpfloat (themed->accent.blue, ==, accent.blue);
  /* Grid and muted colours lie between the theme's background and text. */
  g_assert_cmpfloat (themed->grid.red, >, bg.red);
  g_assert_cmpfloat (themed->muted.red, >, themed->grid.red);

  /* Setting the size alone passes the style's own family string. */
  hl_plot_style_set_font (light, light->font_family, 11.0);
  g_assert_cmpstr (light->font_family, ==, "DejaVu Sans");
  g_assert_cmpfloat (light->font_size, ==, 11.0);

  g_assert_true (hl_plot_style_preset_from_string ("high-contrast", &preset));
  g_assert_cmpint (preset, ==, HL_PLOT_STYLE_HIGH_CONTRAST);
  g_assert_false (hl_plot_style_preset_from_string ("sepia", &preset));
}

static void
test_parse_size (void)
{
  g_autoptr(GError) error = NULL;
  double w, h;

  g_assert_true (hl_plot_parse_size ("7x2.5in", &w, &h, NULL));
  g_assert_cmpfloat (w, ==, 7.0);
  g_assert_cmpfloat (h, ==, 2.5);
  g_assert_true (hl_plot_parse_size ("8.89x6.35cm", &w, &h, NULL));
  g_assert_cmpfloat_with_epsilon (w, 3.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (h, 2.5, 1e-9);
  g_assert_true (hl_plot_parse_size ("3.5x2.5", &w, &h, NULL));
  g_assert_cmpfloat (w, ==, 3.5);
  g_assert_false (hl_plot_parse_size ("7by2in", &w, &h, &error));
  g_assert_error (error, HL_PLOT_EXPORT_ERROR, HL_PLOT_EXPORT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "7by2in"));
  g_clear_error (&error);
  g_assert_false (hl_plot_parse_size ("7x2ft", &w, &h, &error));
  g_clear_error (&error);
  g_assert_false (hl_plot_parse_size ("-1x2in", &w, &h, &error));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render/axis/log2-ticks", test_log2_ticks_are_powers_of_two);
  g_test_add_func ("/render/axis/linear-ticks", test_linear_ticks_for_scores);
  g_test_add_func ("/render/axis/nice-step", test_nice_step);
  g_test_add_func ("/render/axis/minus-sign", test_negative_labels_use_minus_sign);
  g_test_add_func ("/render/axis/log10-labels", test_log10_labels);
  g_test_add_func ("/render/axis/mapping", test_mapping_round_trip);
  g_test_add_func ("/render/axis/nice-bounds", test_nice_bounds);
  g_test_add_func ("/render/colormap/values", test_colormaps);
  g_test_add_func ("/render/style/presets", test_styles);
  g_test_add_func ("/render/export/parse-size", test_parse_size);
  return g_test_run ();
}
