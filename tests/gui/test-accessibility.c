/* test-accessibility.c: the explorer as a keyboard and screen reader user
 * meets it, checked in GTK's accessibility tree (GTK_A11Y=test): the
 * heatmap, the plots and the scatter are focusable images with labels, the
 * heatmap's description follows the selection the arrow keys move, the
 * scatter's follows the token the keyboard is on, every diagnostic value is
 * labelled by its name and described by its definition, and a focused plot
 * shows a focus ring (pixels, rendered).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "analysis-fixture.h"
#include "hl-explorer.h"
#include "hl-gui-test.h"
#include "hl-head-detail.h"
#include "hl-heatmap-view.h"
#include "hl-plot-view.h"
#include "hl-scatter-view.h"
#include "hl-window.h"

static gboolean
analysis_done (gpointer user_data)
{
  return hl_session_get_analysis (hl_window_get_session (user_data)) != NULL;
}

static gboolean
head_ready (gpointer user_data)
{
  return hl_head_detail_get_figure (HL_HEAD_DETAIL (user_data), HL_PLOT_SCATTER) != NULL;
}

static HlWindow *
window_on_fixture (const char *dir)
{
  FixtureShape shape = { 2, 2, 2, 8, 24, 1, 1, NULL, 11 };
  g_autofree char *path = g_build_filename (dir, "fixture.h5", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  HlWindow *window = hl_window_new (NULL);

  fixture_write_file (path, &shape);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  hl_window_open (window, file);
  g_assert_true (hl_test_wait_until (analysis_done, window, 30000));
  return window;
}

/* The first descendant of @widget of @type, depth first. */
static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = G_TYPE_CHECK_INSTANCE_TYPE (child, type) ? child : find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The diagnostics: the grid whose third column holds numeric labels. */
static GtkGrid *
find_diagnostics (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkGrid *found = NULL;

      if (GTK_IS_GRID (child))
        {
          GtkWidget *value = gtk_grid_get_child_at (GTK_GRID (child), 2, 0);

          if (GTK_IS_LABEL (value) && gtk_widget_has_css_class (value, "numeric"))
            return GTK_GRID (child);
        }
      if ((found = find_diagnostics (child)) != NULL)
        return found;
    }
  return NULL;
}

static void
test_heatmap (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  HlWindow *window = window_on_fixture (dir);
  HlExplorer *explorer = hl_window_get_explorer (window);
  GtkWidget *heatmap = GTK_WIDGET (hl_explorer_get_heatmap (explorer));

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (heatmap), GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (heatmap), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Layer × head heatmap");
  g_assert_true (gtk_widget_get_focusable (heatmap));
  g_assert_true (gtk_widget_grab_focus (heatmap));
  /* What the arrow keys do: from no selection to layer 0 head 0, then down. */
  g_assert_true (gtk_widget_activate_action (heatmap, "heatmap.move", "(ii)", 0, 0));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (heatmap),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Selected: Layer 0 · Head 0");
  g_assert_true (gtk_widget_activate_action (heatmap, "heatmap.move", "(ii)", 1, 1));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (heatmap),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Selected: Layer 1 · Head 1");
  /* Shift+F10 and the Menu key open the menu a right click does. */
  g_assert_true (gtk_widget_activate_action (heatmap, "plot.menu", NULL));
  g_assert_nonnull (find_descendant (heatmap, GTK_TYPE_POPOVER_MENU));

  hl_test_destroy_window (GTK_WINDOW (window));
  hl_test_remove_tmp_dir (dir);
}

static void
test_scatter_keyboard (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  HlWindow *window = window_on_fixture (dir);
  HlExplorer *explorer = hl_window_get_explorer (window);
  HlHeadDetail *detail = hl_explorer_get_head_detail (explorer);
  HlScatterView *scatter;
  g_autofree char *text = NULL;
  int n_keys = 24;

  hl_session_select (hl_window_get_session (window), 1, 0);
  g_assert_true (hl_test_wait_until (head_ready, detail, 10000));
  scatter = HL_SCATTER_VIEW (find_descendant (GTK_WIDGET (detail), HL_TYPE_SCATTER_VIEW));
  g_assert_nonnull (scatter);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (scatter), GTK_ACCESSIBLE_ROLE_IMG);
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (scatter)));
  g_assert_cmpint (hl_scatter_view_get_point (scatter), ==, -1);
  /* Before any point, the description says how to reach one. */
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (scatter),
                                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));

  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (scatter)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (scatter), "scatter.move", "i", 1));
  g_assert_cmpint (hl_scatter_view_get_point (scatter), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (scatter), "scatter.move", "i", 1));
  g_assert_cmpint (hl_scatter_view_get_point (scatter), ==, 1);
  text = hl_scatter_view_dup_point_text (scatter);
  g_assert_nonnull (strstr (text, "at position 1\n"));
  g_assert_nonnull (strstr (text, "α = "));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (scatter),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text);
  /* Page Down ten on, End the query (the last key), Home the sink. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (scatter), "scatter.move", "i", 10));
  g_assert_cmpint (hl_scatter_view_get_point (scatter), ==, 11);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (scatter), "scatter.move", "i", G_MAXINT32 / 2));
  g_assert_cmpint (hl_scatter_view_get_point (scatter), ==, n_keys - 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (scatter), "scatter.move", "i", G_MININT32 / 2));
  g_assert_cmpint (hl_scatter_view_get_point (scatter), ==, 0);

  hl_test_destroy_window (GTK_WINDOW (window));
  hl_test_remove_tmp_dir (dir);
}

static void
test_diagnostics_labelled (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  HlWindow *window = window_on_fixture (dir);
  HlHeadDetail *detail = hl_explorer_get_head_detail (hl_window_get_explorer (window));
  GtkGrid *grid;
  int rows = 0;

  hl_session_select (hl_window_get_session (window), 0, 1);
  g_assert_true (hl_test_wait_until (head_ready, detail, 10000));
  grid = find_diagnostics (GTK_WIDGET (detail));
  g_assert_nonnull (grid);
  for (int row = 0; gtk_grid_get_child_at (grid, 2, row) != NULL; row++, rows++)
    {
      GtkWidget *name = gtk_grid_get_child_at (grid, 0, row);
      GtkWidget *meaning = gtk_grid_get_child_at (grid, 1, row);
      GtkWidget *value = gtk_grid_get_child_at (grid, 2, row);

      g_test_message ("%s: %s", gtk_label_get_text (GTK_LABEL (name)),
                      gtk_label_get_text (GTK_LABEL (value)));
      /* A value, read by a screen reader, comes with its name. */
      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (value)), !=, "");
      gtk_test_accessible_assert_relation (GTK_ACCESSIBLE (value),
                                           GTK_ACCESSIBLE_RELATION_LABELLED_BY, name, NULL);
      gtk_test_accessible_assert_relation (GTK_ACCESSIBLE (value),
                                           GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, meaning, NULL);
    }
  g_assert_cmpint (rows, >=, 8);

  hl_test_destroy_window (GTK_WINDOW (window));
  hl_test_remove_tmp_dir (dir);
}

/* @widget as it is drawn now, as a texture. */
static GdkTexture *
render (GtkWidget *widget)
{
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                      node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* How many pixels of the 3-pixel band along the widget's top edge, away
 * from the corners, differ between two renderings. */
static int
edge_difference (GdkTexture *a,
                 GdkTexture *b)
{
  int width = gdk_texture_get_width (a), height = gdk_texture_get_height (a);
  int stride = 4 * width, changed = 0;
  g_autofree guchar *pa = g_malloc ((gsize) stride * height);
  g_autofree guchar *pb = g_malloc ((gsize) stride * height);

  g_assert_cmpint (gdk_texture_get_width (b), ==, width);
  g_assert_cmpint (gdk_texture_get_height (b), ==, height);
  gdk_texture_download (a, pa, stride);
  gdk_texture_download (b, pb, stride);
  for (int y = 0; y < 3; y++)
    for (int x = 12; x < width - 12; x++)
      changed += memcmp (pa + y * stride + 4 * x, pb + y * stride + 4 * x, 4) != 0;
  return changed;
}

static gboolean
focus_drawn (gpointer user_data)
{
  return gtk_widget_has_visible_focus (user_data);
}

static void
test_focus_ring (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  HlWindow *window = window_on_fixture (dir);
  GtkWidget *heatmap = GTK_WIDGET (hl_explorer_get_heatmap (hl_window_get_explorer (window)));
  g_autoptr(GdkTexture) plain = NULL;
  g_autoptr(GdkTexture) focused = NULL;

  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  hl_test_spin (200);
  plain = render (heatmap);
  /* As after Tab: the focus and its ring are shown. */
  gtk_window_set_focus_visible (GTK_WINDOW (window), TRUE);
  g_assert_true (gtk_widget_grab_focus (heatmap));
  g_assert_true (hl_test_wait_until (focus_drawn, heatmap, 2000));
  hl_test_spin (200);
  focused = render (heatmap);
  /* The ring runs along the whole edge. */
  g_assert_cmpint (edge_difference (plain, focused), >, gtk_widget_get_width (heatmap));

  hl_test_destroy_window (GTK_WINDOW (window));
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* What AdwApplication loads from the resource base path for the app. */
  gtk_css_provider_load_from_resource (css, "/io/github/headlens/Headlens/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_test_add_func ("/gui/accessibility/heatmap", test_heatmap);
  g_test_add_func ("/gui/accessibility/scatter-keyboard", test_scatter_keyboard);
  g_test_add_func ("/gui/accessibility/diagnostics-labelled", test_diagnostics_labelled);
  g_test_add_func ("/gui/accessibility/focus-ring", test_focus_ring);
  return hl_test_run_and_wait ();
}
