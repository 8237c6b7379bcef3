/* hl-plot-theme.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-plot-theme.h"

/* One style for the whole process: every plot on screen looks the same and
 * follows the same AdwStyleManager. */
static HlPlotStyle *current_style;

HlPlotStylePreset
hl_plot_theme_get_preset (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  if (adw_style_manager_get_high_contrast (manager))
    return HL_PLOT_STYLE_HIGH_CONTRAST;
  if (adw_style_manager_get_dark (manager))
    return HL_PLOT_STYLE_DARK;

  return HL_PLOT_STYLE_LIGHT;
}

static void
style_manager_notify_cb (AdwStyleManager *manager,
                         GParamSpec      *pspec,
                         gpointer         user_data)
{
  g_clear_pointer (&current_style, hl_plot_style_free);
}

const HlPlotStyle *
hl_plot_theme_get (void)
{
  static gsize connected;
  AdwStyleManager *manager = adw_style_manager_get_default ();

  if (g_once_init_enter (&connected))
    {
      g_signal_connect (manager, "notify::dark", G_CALLBACK (style_manager_notify_cb), NULL);
      g_signal_connect (manager, "notify::high-contrast",
                        G_CALLBACK (style_manager_notify_cb), NULL);
      g_once_init_leave (&connected, 1);
    }

  if (current_style == NULL)
    current_style = hl_plot_style_new (hl_plot_theme_get_preset (), HL_PLOT_TARGET_SCREEN);

  return current_style;
}

static void
widget_style_changed_cb (AdwStyleManager *manager,
                         GParamSpec      *pspec,
                         GtkWidget       *widget)
{
  gtk_widget_queue_draw (widget);
}

void
hl_plot_theme_watch (GtkWidget *widget)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  g_return_if_fail (GTK_IS_WIDGET (widget));

  /* Make sure the theme's own handler runs first, so the widget redraws
   * with the new style. */
  hl_plot_theme_get ();
  g_signal_connect_object (manager, "notify::dark",
                           G_CALLBACK (widget_style_changed_cb), widget, 0);
  g_signal_connect_object (manager, "notify::high-contrast",
                           G_CALLBACK (widget_style_changed_cb), widget, 0);
}
