/* test-application.c: the application's actions and the bundled sample.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-test-util.h"
#include "hl-application.h"
#include "hl-gui-test.h"
#include "hl-window.h"

static void
test_application_actions (void)
{
  static const char * const actions[] = {
    "quit", "open", "preferences", "about", "shortcuts",
  };
  HlApplication *app = hl_application_new ();

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    g_assert_nonnull (g_action_map_lookup_action (G_ACTION_MAP (app), actions[i]));

  g_assert_cmpstr (g_application_get_application_id (G_APPLICATION (app)), ==,
                   "io.github.headlens.Headlens");
  g_assert_true (g_application_get_flags (G_APPLICATION (app)) & G_APPLICATION_HANDLES_OPEN);

  g_assert_finalize_object (app);
}

static void
test_application_sample_from_environment (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("HEADLENS_SAMPLE"));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) fallback = NULL;
  g_autofree char *path = NULL;
  g_autofree char *basename = NULL;

  g_setenv ("HEADLENS_SAMPLE", "/some/where/sample.h5", TRUE);
  file = hl_application_dup_sample_file ();
  path = g_file_get_path (file);
  g_assert_cmpstr (path, ==, "/some/where/sample.h5");

  /* Without the variable the installed copy is used. */
  g_unsetenv ("HEADLENS_SAMPLE");
  fallback = hl_application_dup_sample_file ();
  basename = g_file_get_basename (fallback);
  g_assert_cmpstr (basename, ==, "sample.h5");

  if (saved != NULL)
    g_setenv ("HEADLENS_SAMPLE", saved, TRUE);
}

static gboolean
window_has_file (gpointer user_data)
{
  HlWindow *window = user_data;

  return !hl_window_get_loading (window) && hl_window_get_activations (window) != NULL;
}

/* `headlens FILE` reaches the application as ::open. */
static void
test_application_opens_command_line_file (void)
{
  g_autoptr(GFile) sample = hl_test_dup_sample ();
  g_autoptr(GError) error = NULL;
  HlApplication *app;
  GtkWindow *window;

  if (sample == NULL)
    return;

  app = hl_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  g_application_open (G_APPLICATION (app), &sample, 1, "");
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (HL_IS_WINDOW (window));
  g_assert_true (hl_test_wait_until (window_has_file, window, 20000));
  g_assert_cmpstr (hl_activations_get_path (hl_window_get_activations (HL_WINDOW (window))),
                   ==, g_getenv ("HEADLENS_SAMPLE"));

  hl_test_destroy_window (window);
  /* A registered application is not finalized here (something of its
   * registration keeps a reference); the window is checked above. */
  g_object_unref (app);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/gui/application/actions", test_application_actions);
  g_test_add_func ("/gui/application/sample-from-environment", test_application_sample_from_environment);
  g_test_add_func ("/gui/application/opens-command-line-file", test_application_opens_command_line_file);

  return hl_test_run_and_wait ();
}
