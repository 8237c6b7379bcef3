/* test-window.c: the main window opens files, shows what it opened and
 * survives bad ones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "hl-test-util.h"
#include "hl-gui-test.h"
#include "hl-window.h"

static gboolean
window_is_idle (gpointer user_data)
{
  return !hl_session_get_loading (hl_window_get_session (user_data));
}

static gboolean
window_has_dialog (gpointer user_data)
{
  return hl_test_find_message_dialog (GTK_WINDOW (user_data)) != NULL;
}

static HlWindow *
open_window_on (GFile *file)
{
  HlWindow *window = hl_window_new (NULL);

  gtk_window_present (GTK_WINDOW (window));
  hl_window_open (window, file);
  g_assert_true (hl_session_get_loading (hl_window_get_session (window)));
  g_assert_true (hl_test_wait_until (window_is_idle, window, 20000));

  return window;
}

static void
test_window_opens_sample (void)
{
  g_autoptr(GFile) sample = hl_test_dup_sample ();
  HlActivations *activations;
  HlWindow *window;

  if (sample == NULL)
    return;

  window = open_window_on (sample);
  activations = hl_session_get_file (hl_window_get_session (window));
  g_assert_nonnull (activations);
  g_assert_null (hl_test_find_message_dialog (GTK_WINDOW (window)));

  /* The user sees the model's name as the window title. */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==,
                   hl_activations_get_info (activations)->model);

  hl_test_destroy_window (GTK_WINDOW (window));
}

static gboolean
recent_has_sample (gpointer user_data)
{
  g_autofree char *uri = g_file_get_uri (user_data);

  return gtk_recent_manager_has_item (gtk_recent_manager_get_default (), uri);
}

/* The index of the recent files menu's item opening @uri, or -1. */
static int
recent_index (HlWindow   *window,
              const char *uri)
{
  GMenuModel *menu = hl_window_get_recent_menu (window);

  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *target = NULL;

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_TARGET, "s", &target)
          && g_str_equal (target, uri))
        return i;
    }
  return -1;
}

/* The recent files menu rebuilt since the figure was added (GTK reports
 * a change to the recent files up to 250 ms later), and listing @uri. */
typedef struct
{
  HlWindow   *window;
  const char *uri;
  int         rebuilds;
} RecentRebuild;

static void
count_rebuild (GMenuModel    *menu,
               int            position,
               int            removed,
               int            added,
               RecentRebuild *rebuild)
{
  rebuild->rebuilds++;
}

static gboolean
rebuilt_listing (gpointer user_data)
{
  RecentRebuild *rebuild = user_data;

  return rebuild->rebuilds > 0 && recent_index (rebuild->window, rebuild->uri) >= 0;
}

typedef struct
{
  HlWindow   *window;
  const char *uris[2];
} RecentPair;

static gboolean
recent_lists_both (gpointer user_data)
{
  RecentPair *pair = user_data;

  return recent_index (pair->window, pair->uris[0]) >= 0
         && recent_index (pair->window, pair->uris[1]) >= 0;
}

/* Two files of one name and model (a_b/run_1.h5 in two folders) are listed
 * apart, by their folders; each entry's tooltip is its path, and the
 * underscores show as such. */
static void
assert_same_names_told_apart (HlWindow *window)
{
  g_autofree char *root = hl_test_make_tmp_dir ();
  GtkRecentData data = {
    .display_name = (char *) "synthetic", .mime_type = (char *) "application/x-hdf",
    .app_name = (char *) "Headlens", .app_exec = (char *) "headlens %u",
  };
  char *paths[2] = { NULL, NULL };
  g_autofree char *uri0 = NULL, *uri1 = NULL;
  RecentPair pair = { window, { NULL, NULL } };
  GMenuModel *menu = hl_window_get_recent_menu (window);
  g_autofree char *label0 = NULL, *label1 = NULL;

  for (int i = 0; i < 2; i++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/folder_%d", root, i);

      g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
      paths[i] = g_build_filename (dir, "run_1.h5", NULL);
      g_assert_true (g_file_set_contents (paths[i], "x", -1, NULL));
    }
  uri0 = g_filename_to_uri (paths[0], NULL, NULL);
  uri1 = g_filename_to_uri (paths[1], NULL, NULL);
  pair.uris[0] = uri0;
  pair.uris[1] = uri1;
  g_assert_true (gtk_recent_manager_add_full (gtk_recent_manager_get_default (), uri0, &data));
  g_assert_true (gtk_recent_manager_add_full (gtk_recent_manager_get_default (), uri1, &data));
  g_assert_true (hl_test_wait_until (recent_lists_both, &pair, 5000));

  g_assert_true (g_menu_model_get_item_attribute (menu, recent_index (window, uri0),
                                                  G_MENU_ATTRIBUTE_LABEL, "s", &label0));
  g_assert_true (g_menu_model_get_item_attribute (menu, recent_index (window, uri1),
                                                  G_MENU_ATTRIBUTE_LABEL, "s", &label1));
  g_assert_cmpstr (label0, !=, label1);
  g_assert_true (g_str_has_prefix (label0, "run__1.h5 — synthetic (in "));
  g_assert_nonnull (strstr (label1, "folder__1)"));
  g_assert_cmpstr (hl_window_get_recent_tooltip (window, recent_index (window, uri0)), ==, paths[0]);
  g_assert_cmpstr (hl_window_get_recent_tooltip (window, recent_index (window, uri1)), ==, paths[1]);

  for (int i = 0; i < 2; i++)
    {
      gtk_recent_manager_remove_item (gtk_recent_manager_get_default (), pair.uris[i], NULL);
      g_free (paths[i]);
    }
  hl_test_remove_tmp_dir (root);
}

static void
test_window_recent_files (void)
{
  g_autoptr(GFile) sample = hl_test_dup_sample ();
  g_autoptr(GtkRecentInfo) info = NULL;
  g_autofree char *uri = NULL;
  HlWindow *window;

  if (sample == NULL)
    return;

  window = open_window_on (sample);
  uri = g_file_get_uri (sample);
  g_assert_true (hl_test_wait_until (recent_has_sample, sample, 5000));
  info = gtk_recent_manager_lookup_item (gtk_recent_manager_get_default (), uri, NULL);
  g_assert_true (gtk_recent_info_has_application (info, "Headlens"));

  /* Listed by name and model; a figure or a text file another dialog
   * registered under our name is not. */
  {
    g_autofree char *png = g_build_filename (g_get_tmp_dir (), "headlens-recent-figure.png", NULL);
    g_autofree char *png_uri = NULL;
    g_autofree char *basename = g_file_get_basename (sample);
    GtkRecentData figure = {
      .display_name = (char *) "figure", .mime_type = (char *) "image/png",
      .app_name = (char *) "Headlens", .app_exec = (char *) "headlens %u",
    };
    GMenuModel *menu = hl_window_get_recent_menu (window);
    RecentRebuild rebuild = { window, uri, 0 };
    gboolean listed = FALSE;
    gulong handler;

    g_assert_true (g_file_set_contents (png, "not a png", -1, NULL));
    png_uri = g_filename_to_uri (png, NULL, NULL);
    handler = g_signal_connect (menu, "items-changed", G_CALLBACK (count_rebuild), &rebuild);
    g_assert_true (gtk_recent_manager_add_full (gtk_recent_manager_get_default (), png_uri,
                                                &figure));
    g_assert_true (hl_test_wait_until (rebuilt_listing, &rebuild, 5000));
    g_signal_handler_disconnect (menu, handler);
    for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
      {
        g_autofree char *label = NULL;
        g_autofree char *target = NULL;

        g_assert_true (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s",
                                                        &label));
        g_assert_true (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_TARGET, "s",
                                                        &target));
        g_assert_cmpstr (target, !=, png_uri);
        if (g_str_equal (target, uri))
          {
            listed = TRUE;
            g_assert_true (g_str_has_prefix (label, basename));
          }
      }
    g_assert_true (listed);
    gtk_recent_manager_remove_item (gtk_recent_manager_get_default (), png_uri, NULL);
    g_unlink (png);
  }

  assert_same_names_told_apart (window);

  /* The recent files menu opens it again. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open-recent", "s", uri);
  g_assert_true (hl_session_get_loading (hl_window_get_session (window)));
  g_assert_true (hl_test_wait_until (window_is_idle, window, 20000));
  g_assert_cmpstr (hl_activations_get_path (hl_session_get_file (hl_window_get_session (window))), ==,
                   g_getenv ("HEADLENS_SAMPLE"));

  hl_test_destroy_window (GTK_WINDOW (window));
}

static GtkDropTarget *
find_drop_target (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }

  return NULL;
}

static void
test_window_drop_opens_file (void)
{
  g_autoptr(GFile) sample = hl_test_dup_sample ();
  g_auto(GValue) value = G_VALUE_INIT;
  HlWindow *window;
  GtkDropTarget *target;
  gboolean handled = FALSE;

  if (sample == NULL)
    return;

  window = hl_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  target = find_drop_target (GTK_WIDGET (window));
  g_assert_nonnull (target);

  /* What GTK does when a file is dropped on the window. */
  g_value_init (&value, G_TYPE_FILE);
  g_value_set_object (&value, sample);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &handled);
  g_assert_true (handled);
  g_assert_true (hl_test_wait_until (window_is_idle, window, 20000));
  g_assert_nonnull (hl_session_get_file (hl_window_get_session (window)));

  hl_test_destroy_window (GTK_WINDOW (window));
}

static AdwWindowTitle *
find_window_title (GtkWidget *widget)
{
  if (ADW_IS_WINDOW_TITLE (widget))
    return ADW_WINDOW_TITLE (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwWindowTitle *title = find_window_title (child);

      if (title != NULL)
        return title;
    }
  return NULL;
}

/* A folder dropped on the window opens as one corpus: here two copies of
 * the sample, so twice its samples, which the subtitle counts. */
static void
test_window_drop_folder_opens_corpus (void)
{
  g_autoptr(GFile) sample = hl_test_dup_sample ();
  g_autofree char *dir = NULL;
  g_autoptr(GFile) folder = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  const char *names[] = { "a.h5", "b.h5" };
  HlActivations *corpus;
  HlWindow *window;
  gboolean handled = FALSE;

  if (sample == NULL)
    return;

  dir = g_dir_make_tmp ("headlens-gui-XXXXXX", &error);
  g_assert_no_error (error);
  folder = g_file_new_for_path (dir);
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GFile) copy = g_file_get_child (folder, names[i]);

      g_assert_true (g_file_copy (sample, copy, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
    }

  window = hl_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_value_init (&value, G_TYPE_FILE);
  g_value_set_object (&value, folder);
  g_signal_emit_by_name (find_drop_target (GTK_WIDGET (window)), "drop", &value, 10.0, 10.0,
                         &handled);
  g_assert_true (handled);
  g_assert_true (hl_test_wait_until (window_is_idle, window, 20000));
  corpus = hl_session_get_file (hl_window_get_session (window));
  g_assert_nonnull (corpus);
  g_assert_cmpint (hl_activations_get_n_files (corpus), ==, 2);
  expected = g_strdup_printf ("%d samples in 2 files", hl_activations_get_info (corpus)->n_samples);
  g_assert_true (g_str_has_suffix (adw_window_title_get_subtitle (find_window_title (GTK_WIDGET (window))),
                                   expected));

  hl_test_destroy_window (GTK_WINDOW (window));
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GFile) copy = g_file_get_child (folder, names[i]);

      g_assert_true (g_file_delete (copy, NULL, NULL));
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static GFile *
write_broken_file (char **dir_out)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("headlens-gui-XXXXXX", &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "broken.h5", NULL);
  g_file_set_contents (path, "this is not an HDF5 file\n", -1, &error);
  g_assert_no_error (error);
  *dir_out = dir;

  return g_file_new_for_path (path);
}

static void
remove_broken_file (GFile *file,
                    char  *dir)
{
  g_autofree char *path = g_file_get_path (file);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (dir);
}

static void
test_window_broken_file_keeps_previous (void)
{
  g_autoptr(GFile) sample = hl_test_dup_sample ();
  g_autoptr(GFile) broken = NULL;
  g_autofree char *title = NULL;
  HlActivations *before;
  AdwMessageDialog *dialog;
  HlWindow *window;
  char *dir = NULL;

  if (sample == NULL)
    return;

  window = open_window_on (sample);
  before = hl_session_get_file (hl_window_get_session (window));
  g_assert_nonnull (before);
  title = g_strdup (gtk_window_get_title (GTK_WINDOW (window)));

  broken = write_broken_file (&dir);
  hl_window_open (window, broken);
  g_assert_true (hl_test_wait_until (window_has_dialog, window, 20000));
  dialog = hl_test_find_message_dialog (GTK_WINDOW (window));

  /* The dialog names the file and carries the reader's explanation. */
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "broken.h5"));
  g_assert_nonnull (adw_message_dialog_get_body (dialog));
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), !=, "");

  /* The file that was open stays open, and so does its title. */
  g_assert_false (hl_session_get_loading (hl_window_get_session (window)));
  g_assert_true (hl_session_get_file (hl_window_get_session (window)) == before);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, title);

  gtk_window_destroy (GTK_WINDOW (dialog));
  remove_broken_file (broken, dir);
  hl_test_destroy_window (GTK_WINDOW (window));
}

static void
test_window_missing_file_without_previous (void)
{
  g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/headlens/nothing.h5");
  HlWindow *window = hl_window_new (NULL);

  gtk_window_present (GTK_WINDOW (window));
  hl_window_open (window, missing);
  g_assert_true (hl_test_wait_until (window_has_dialog, window, 20000));
  g_assert_null (hl_session_get_file (hl_window_get_session (window)));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Headlens");

  gtk_window_destroy (GTK_WINDOW (hl_test_find_message_dialog (GTK_WINDOW (window))));
  hl_test_destroy_window (GTK_WINDOW (window));
}

static void
test_window_size_is_saved (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.headlens.Headlens");
  HlWindow *window;

  g_settings_set_int (settings, "window-width", 1000);
  g_settings_set_int (settings, "window-height", 700);
  window = hl_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 650);
  gtk_window_present (GTK_WINDOW (window));
  hl_test_spin (100);

  /* Closing (not destroying) is what saves the size, as a user closes it. */
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 650);
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");

  hl_test_spin (50);
  g_assert_finalize_object (window);
}

static void
test_window_restores_size (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.headlens.Headlens");
  HlWindow *window;
  int width, height;

  g_settings_set_int (settings, "window-width", 812);
  g_settings_set_int (settings, "window-height", 613);
  window = hl_window_new (NULL);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 812);
  g_assert_cmpint (height, ==, 613);
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");

  hl_test_destroy_window (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/gui/window/opens-sample", test_window_opens_sample);
  g_test_add_func ("/gui/window/broken-file-keeps-previous", test_window_broken_file_keeps_previous);
  g_test_add_func ("/gui/window/missing-file", test_window_missing_file_without_previous);
  g_test_add_func ("/gui/window/recent-files", test_window_recent_files);
  g_test_add_func ("/gui/window/drop-opens-file", test_window_drop_opens_file);
  g_test_add_func ("/gui/window/drop-folder-opens-corpus", test_window_drop_folder_opens_corpus);
  g_test_add_func ("/gui/window/size-saved", test_window_size_is_saved);
  g_test_add_func ("/gui/window/size-restored", test_window_restores_size);

  return hl_test_run_and_wait ();
}
