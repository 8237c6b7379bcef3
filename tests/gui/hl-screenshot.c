/* hl-screenshot.c: renders the main window on a file with a head selected
 * into a PNG (docs/screenshot.png), the same on every run.
 *
 * Usage: hl-screenshot FILE OUT.png LAYER HEAD N [dark] [query=Q] [metric=NAME]
 *                      [export=FIGURE] [app=ACTION] [point=I]
 *                      [page=table|matrices] [sort=COLUMN] [size=WxH] [causal]
 *                      [causal-views|causal-panel] [pin=L,H] [values]
 * export=FIGURE renders the Export Figure dialog opened on that figure
 * (its file name, e.g. model-heatmap) instead of the window; app=ACTION
 * the window that the application's action opens (playground,
 * preferences); point=I shows the scatter as the keyboard leaves it on
 * token I (focused, its focus ring and tooltip showing); page= shows that
 * overview page instead of the heatmap, sort= sorts the head table by that
 * column (largest first), size= sets the window's size (1440x900 by
 * default); causal opens Causal Tests from the main menu's action (for a
 * file extracted from a model), runs zero ablation, N*, the selected head
 * and sparsification, and renders that window; pin=L,H pins that head and
 * scrolls the head detail to its comparison with the selected one; values
 * shows the scatter of the raw values v_i; causal-views measures
 * every head and the selected head in the explorer itself (the model
 * panel's Measure Every Head, the Causal section's Measure), colours the
 * heatmap by ablation delta NLL and scrolls the head detail to its Causal
 * section; causal-panel does the same and scrolls the overview to the
 * model panel's causal part.
 * Run under Xvfb with the environment of the GUI tests, e.g.
 *   meson devenv -C build xvfb-run -a tests/gui/hl-screenshot …
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl-application.h"
#include "hl-causal-heatmap.h"
#include "hl-causal-store.h"
#include "hl-causal-window.h"
#include "hl-explorer.h"
#include "hl-export-dialog.h"
#include "hl-gui-test.h"
#include "hl-head-detail.h"
#include "hl-scatter-view.h"
#include "hl-window.h"

static gboolean
analysis_is_done (gpointer user_data)
{
  HlWindow *window = user_data;

  HlSession *session = hl_window_get_session (window);

  return hl_session_get_file (session) != NULL && !hl_session_get_running (session);
}

static gboolean
head_is_read (gpointer user_data)
{
  return !hl_session_get_head_loading (user_data);
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

static gboolean
is_drawn (gpointer user_data)
{
  return gtk_widget_get_mapped (user_data) && gtk_widget_get_width (user_data) > 0;
}

static GtkWidget *
find_scatter (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = HL_IS_SCATTER_VIEW (child) ? child : find_scatter (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Focuses the scatter as Tab does and moves its keyboard point to @index. */
static void
focus_scatter_point (HlWindow *window,
                     int       index)
{
  HlHeadDetail *detail = hl_explorer_get_head_detail (hl_window_get_explorer (window));
  GtkWidget *scatter = find_scatter (GTK_WIDGET (detail));

  gtk_window_set_focus_visible (GTK_WINDOW (window), TRUE);
  gtk_widget_grab_focus (scatter);
  gtk_widget_activate_action (scatter, "scatter.move", "i", 0);
  gtk_widget_activate_action (scatter, "scatter.move", "i", index);
}

/* Pins (@layer, @head) and scrolls the head detail to the comparison. */
static void
show_comparison (HlWindow *window,
                 int       layer,
                 int       head)
{
  HlHeadDetail *detail = hl_explorer_get_head_detail (hl_window_get_explorer (window));
  GtkWidget *compare = GTK_WIDGET (hl_head_detail_get_compare (detail));
  GtkWidget *pane = gtk_widget_get_ancestor (compare, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (pane));
  graphene_point_t top;

  hl_session_pin (hl_window_get_session (window), layer, head);
  hl_test_spin (800);
  if (gtk_widget_compute_point (compare, content, &GRAPHENE_POINT_INIT (0, 0), &top))
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (pane)),
                              top.y - 12);
}

/* Runs app.@action and returns the window it opened, or NULL. */
static GtkWidget *
open_app_window (GApplication *app,
                 HlWindow     *window,
                 const char   *action)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  g_action_group_activate_action (G_ACTION_GROUP (app), action, NULL);
  hl_test_spin (300);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (toplevel != GTK_WINDOW (window) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return GTK_WIDGET (toplevel);
    }
  return NULL;
}

/* Opens Export Figure on @figure and returns the dialog, or NULL. */
static GtkWidget *
open_export_dialog (HlWindow   *window,
                    const char *figure)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  if (!gtk_widget_activate_action (GTK_WIDGET (window), "win.export-named-figure", "s", figure))
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (HL_IS_EXPORT_DIALOG (toplevel))
        {
          /* Tall enough to show every option without scrolling. */
          gtk_window_set_default_size (toplevel, 1100, 980);
          return GTK_WIDGET (toplevel);
        }
    }
  return NULL;
}

static gboolean
causal_is_idle (gpointer user_data)
{
  return !hl_causal_window_get_busy (user_data);
}

/* Causal Tests as the menu opens it, after its four kinds of run. */
static GtkWidget *
run_causal_window (HlWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  const HlCausalRun runs[] = {
    HL_CAUSAL_RUN_ABLATE_ZERO, HL_CAUSAL_RUN_N_STAR, HL_CAUSAL_RUN_HEAD, HL_CAUSAL_RUN_SPARSIFY,
  };
  HlCausalWindow *causal = NULL;

  if (!gtk_widget_activate_action (GTK_WIDGET (window), "win.causal", NULL))
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && causal == NULL; i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (HL_IS_CAUSAL_WINDOW (toplevel))
        causal = HL_CAUSAL_WINDOW (toplevel);
    }
  if (causal == NULL || !hl_test_wait_until (causal_is_idle, causal, 60000))
    return NULL;
  for (guint r = 0; r < G_N_ELEMENTS (runs); r++)
    {
      hl_causal_window_run (causal, runs[r]);
      if (!hl_test_wait_until (causal_is_idle, causal, 600000))
        return NULL;
    }
  return GTK_WIDGET (causal);
}

static gboolean
store_is_idle (gpointer user_data)
{
  return !hl_causal_store_get_busy (user_data) && hl_causal_store_get_state (user_data) != HL_CAUSAL_STORE_OPENING;
}

static GtkDropDown *
find_causal_dropdown (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkDropDown *found;

      if (GTK_IS_DROP_DOWN (child) &&
          hl_causal_heatmap_find_entry (GTK_DROP_DOWN (child), HL_CAUSAL_MAP_ABLATION) != GTK_INVALID_LIST_POSITION)
        return GTK_DROP_DOWN (child);
      if ((found = find_causal_dropdown (child)) != NULL)
        return found;
    }
  return NULL;
}

/* The explorer's causal views after Measure Every Head and the selected
 * head's Measure, the heatmap coloured by ablation, the head detail
 * scrolled to its Causal section. */
/* Scrolls the scrolled window around @widget so that @widget is at the top. */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  graphene_point_t top;

  if (scroller != NULL &&
      gtk_widget_compute_point (widget, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)),
                                &GRAPHENE_POINT_INIT (0, 0), &top))
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), top.y - 12);
}

static gboolean
show_causal_views (HlWindow *window,
                   gboolean  panel)
{
  HlSession *session = hl_window_get_session (window);
  HlCausalStore *store = hl_causal_store_get (session);
  HlExplorer *explorer = hl_window_get_explorer (window);
  GtkWidget *section = GTK_WIDGET (hl_head_detail_get_causal_section (hl_explorer_get_head_detail (explorer)));
  GtkDropDown *dropdown;
  int layer, head;

  if (!hl_test_wait_until (store_is_idle, store, 60000) || !hl_causal_store_run_model (store) ||
      !hl_test_wait_until (store_is_idle, store, 600000) || !hl_session_get_selected (session, &layer, &head) ||
      !hl_causal_store_run_head (store, layer, head) || !hl_test_wait_until (store_is_idle, store, 600000))
    return FALSE;
  dropdown = find_causal_dropdown (GTK_WIDGET (explorer));
  if (dropdown == NULL)
    return FALSE;
  gtk_drop_down_set_selected (dropdown, hl_causal_heatmap_find_entry (dropdown, HL_CAUSAL_MAP_ABLATION));
  hl_test_spin (300);
  scroll_to (section);
  if (panel)
    scroll_to (GTK_WIDGET (hl_model_panel_get_causal_panel (hl_explorer_get_model_panel (explorer))));
  hl_test_spin (800);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(HlApplication) app = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  HlSession *session;
  HlWindow *window;

  if (argc < 6)
    {
      g_printerr ("Usage: hl-screenshot FILE OUT.png LAYER HEAD N [dark] [query=Q] [metric=NAME]\n");
      return 2;
    }

  /* As main.c does: LANGUAGE=de renders the window in German. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("HEADLENS_LOCALEDIR") != NULL
                                   ? g_getenv ("HEADLENS_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  gtk_init ();
  adw_init ();
  for (int i = 6; i < argc; i++)
    if (g_str_equal (argv[i], "dark"))
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

  window = hl_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1440, 900);
  for (int i = 6; i < argc; i++)
    if (g_str_has_prefix (argv[i], "size="))
      {
        int width, height;

        if (sscanf (argv[i] + strlen ("size="), "%dx%d", &width, &height) == 2)
          gtk_window_set_default_size (GTK_WINDOW (window), width, height);
      }
  gtk_window_present (GTK_WINDOW (window));
  file = g_file_new_for_commandline_arg (argv[1]);
  hl_window_open (window, file);
  if (!hl_test_wait_until (analysis_is_done, window, 300000))
    return 1;

  session = hl_window_get_session (window);
  for (int i = 6; i < argc; i++)
    if (g_str_has_prefix (argv[i], "query="))
      hl_session_set_query (session, atoi (argv[i] + strlen ("query=")));
    else if (g_str_has_prefix (argv[i], "metric="))
      g_object_set (session, "heatmap-metric", argv[i] + strlen ("metric="), NULL);
    else if (g_str_has_prefix (argv[i], "page="))
      hl_explorer_show_overview (hl_window_get_explorer (window), argv[i] + strlen ("page="));
    else if (g_str_equal (argv[i], "values"))
      hl_session_set_scatter_values (session, TRUE);
    else if (g_str_has_prefix (argv[i], "sort="))
      hl_head_table_sort_by (hl_explorer_get_head_table (hl_window_get_explorer (window)),
                             argv[i] + strlen ("sort="), TRUE);
  hl_session_set_n (session, atoi (argv[5]));
  hl_session_select (session, atoi (argv[3]), atoi (argv[4]));
  if (!hl_test_wait_until (head_is_read, session, 30000))
    return 1;

  for (int i = 6; i < argc; i++)
    if (g_str_has_prefix (argv[i], "point="))
      focus_scatter_point (window, atoi (argv[i] + strlen ("point=")));
    else if (g_str_has_prefix (argv[i], "pin="))
      {
        int layer, head;

        if (sscanf (argv[i] + strlen ("pin="), "%d,%d", &layer, &head) == 2)
          show_comparison (window, layer, head);
      }
  /* Let the layout settle and the plots draw once. */
  hl_test_spin (500);
  for (int i = 6; i < argc; i++)
    if ((g_str_equal (argv[i], "causal-views") || g_str_equal (argv[i], "causal-panel")) &&
        !show_causal_views (window, g_str_equal (argv[i], "causal-panel")))
      return 1;
  for (int i = 6; i < argc; i++)
    if (g_str_has_prefix (argv[i], "export=") || g_str_has_prefix (argv[i], "app=") ||
        g_str_equal (argv[i], "causal"))
      {
        GtkWidget *dialog = g_str_equal (argv[i], "causal") ? run_causal_window (window)
                            : g_str_has_prefix (argv[i], "app=")
                            ? open_app_window (G_APPLICATION (app), window, argv[i] + strlen ("app="))
                            : open_export_dialog (window, argv[i] + strlen ("export="));

        if (dialog == NULL || !hl_test_wait_until (is_drawn, dialog, 10000))
          return 1;
        hl_test_spin (800);
        if (!save_window (dialog, argv[2], &error))
          break;
        return 0;
      }
  if (error == NULL && !save_window (GTK_WIDGET (window), argv[2], &error))
    {
      g_printerr ("hl-screenshot: %s\n", error->message);
      return 1;
    }

  return 0;
}
