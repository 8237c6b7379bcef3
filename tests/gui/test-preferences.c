/* test-preferences.c: the preferences window edits the settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-test-util.h"
#include "hl-gui-test.h"
#include "hl-preferences-window.h"

/* The first descendant of @widget of @type whose "title" is @title. */
static GtkWidget *
find_row (GtkWidget  *widget,
          GType       type,
          const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type)
          && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), title) == 0)
        return child;

      if ((found = find_row (child, type, title)) != NULL)
        return found;
    }

  return NULL;
}

static GtkSpinButton *
find_spin_of_row (GtkWidget *row)
{
  for (GtkWidget *child = gtk_widget_get_first_child (row);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkSpinButton *spin;

      if (GTK_IS_SPIN_BUTTON (child))
        return GTK_SPIN_BUTTON (child);
      if ((spin = find_spin_of_row (child)) != NULL)
        return spin;
    }

  return NULL;
}

static void
test_preferences_combo_changes_key (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.headlens.Headlens");
  HlPreferencesWindow *prefs = hl_preferences_window_new (NULL);
  GtkWidget *row;

  gtk_window_present (GTK_WINDOW (prefs));
  row = find_row (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW, "_Distance");
  g_assert_nonnull (row);

  g_assert_cmpstr (g_settings_get_string (settings, "distance"), ==, "euclidean");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 1);
  g_assert_cmpstr (g_settings_get_string (settings, "distance"), ==, "cosine");

  /* And the other way: the row follows the key. */
  g_settings_set_string (settings, "distance", "euclidean");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, 0);

  hl_test_destroy_window (GTK_WINDOW (prefs));
}

static void
test_preferences_spin_changes_key (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.headlens.Headlens");
  HlPreferencesWindow *prefs = hl_preferences_window_new (NULL);
  GtkSpinButton *spin;
  GtkWidget *row;

  gtk_window_present (GTK_WINDOW (prefs));
  row = find_row (GTK_WIDGET (prefs), ADW_TYPE_ACTION_ROW, "Random _Repeats");
  g_assert_nonnull (row);
  spin = find_spin_of_row (row);
  g_assert_nonnull (spin);

  g_assert_cmpint ((int) gtk_spin_button_get_value (spin), ==, 16);
  gtk_spin_button_set_value (spin, 32);
  g_assert_cmpint (g_settings_get_int (settings, "random-repeats"), ==, 32);
  g_settings_reset (settings, "random-repeats");

  row = find_row (GTK_WIDGET (prefs), ADW_TYPE_ACTION_ROW, "R_etriever Threshold");
  spin = find_spin_of_row (row);
  gtk_spin_button_set_value (spin, 0.65);
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "retriever-share"),
                                  0.65, 1e-9);
  g_settings_reset (settings, "retriever-share");

  /* The worker count is the analysis-threads key (once blas-threads). */
  row = find_row (GTK_WIDGET (prefs), ADW_TYPE_ACTION_ROW, "Analysis _Threads");
  spin = find_spin_of_row (row);
  gtk_spin_button_set_value (spin, 3);
  g_assert_cmpint (g_settings_get_int (settings, "analysis-threads"), ==, 3);
  g_settings_reset (settings, "analysis-threads");

  hl_test_destroy_window (GTK_WINDOW (prefs));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/gui/preferences/combo-changes-key", test_preferences_combo_changes_key);
  g_test_add_func ("/gui/preferences/spin-changes-key", test_preferences_spin_changes_key);

  return hl_test_run_and_wait ();
}
