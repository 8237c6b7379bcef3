/* test-plot-theme.c: the plots follow the light, dark and high-contrast
 * styles.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-test-util.h"
#include "hl-gui-test.h"
#include "hl-plot-theme.h"

static double
luminance (const HlRgba *c)
{
  return 0.2126 * c->red + 0.7152 * c->green + 0.0722 * c->blue;
}

static void
test_plot_theme_follows_dark_style (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  double light, dark;

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  light = luminance (&hl_plot_theme_get ()->background);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  dark = luminance (&hl_plot_theme_get ()->background);

  /* A dark background under light text, and the other way round. */
  g_assert_cmpfloat (light, >, 0.8);
  g_assert_cmpfloat (dark, <, 0.3);
  g_assert_cmpfloat (luminance (&hl_plot_theme_get ()->foreground), >, 0.7);

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
test_plot_theme_redraws_watchers (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkWidget *label = g_object_ref_sink (gtk_label_new ("plot"));

  /* Watching must not keep the widget alive. */
  hl_plot_theme_watch (label);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  g_assert_finalize_object (label);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/gui/plot-theme/follows-dark-style", test_plot_theme_follows_dark_style);
  g_test_add_func ("/gui/plot-theme/watch-does-not-leak", test_plot_theme_redraws_watchers);

  return hl_test_run_and_wait ();
}
