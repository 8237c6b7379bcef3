/* hl-screenshot.c: renders the main window on a file with a head selected
 * into a PNG (docs/screenshot.png), the same on every run.
 *
 * Usage: hl-screenshot FILE OUT.png LAYER HEAD N [dark]
 * Run under Xvfb with the environment of the GUI tests, e.g.
 *   meson devenv -C build xvfb-run -a tests/gui/hl-screenshot …
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>

#include "hl-gui-test.h"
#include "hl-window.h"

static gboolean
analysis_is_done (gpointer user_data)
{
  HlWindow *window = user_data;

  return hl_window_get_activations (window) != NULL
         && !hl_explorer_get_running (hl_window_get_explorer (window));
}

static gboolean
scatter_is_ready (gpointer user_data)
{
  return hl_head_detail_get_scatter (user_data) != NULL;
}

static gboolean
save_window (GtkWidget   *widget,
             const char  *path,
             GError     **error)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not write %s", path);
      return FALSE;
    }

  return TRUE;
}

static void
set_n (HlExplorer *explorer,
       int         n)
{
  for (int i = 0; i < 64 && hl_explorer_get_n (explorer) > n; i++)
    hl_explorer_step_n (explorer, -1);
  for (int i = 0; i < 64 && hl_explorer_get_n (explorer) < n; i++)
    hl_explorer_step_n (explorer, 1);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(HlApplication) app = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  HlExplorer *explorer;
  HlWindow *window;

  if (argc < 6)
    {
      g_printerr ("Usage: hl-screenshot FILE OUT.png LAYER HEAD N [dark]\n");
      return 2;
    }

  gtk_init ();
  adw_init ();
  if (argc > 6 && g_str_equal (argv[6], "dark"))
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                        ADW_COLOR_SCHEME_FORCE_DARK);

  /* A registered application makes its actions (Open…) available. */
  app = hl_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("hl-screenshot: %s\n", error->message);
      return 1;
    }

  window = hl_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1440, 900);
  gtk_window_present (GTK_WINDOW (window));
  file = g_file_new_for_commandline_arg (argv[1]);
  hl_window_open (window, file);
  if (!hl_test_wait_until (analysis_is_done, window, 300000))
    return 1;

  explorer = hl_window_get_explorer (window);
  set_n (explorer, atoi (argv[5]));
  hl_heatmap_view_select (hl_explorer_get_heatmap (explorer), atoi (argv[3]), atoi (argv[4]));
  if (!hl_test_wait_until (scatter_is_ready, hl_explorer_get_head_detail (explorer), 30000))
    return 1;

  /* Let the layout settle and the plots draw once. */
  hl_test_spin (500);
  if (!save_window (GTK_WIDGET (window), argv[2], &error))
    {
      g_printerr ("hl-screenshot: %s\n", error->message);
      return 1;
    }

  return 0;
}
