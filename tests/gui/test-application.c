/* test-application.c: the application's actions, the bundled sample, and
 * quitting in the middle of an analysis.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-test-util.h"
#include "hl-application.h"
#include "hl-gui-test.h"
#include "hl-synth-model.h"
#include "hl-window.h"

static void
test_application_actions (void)
{
  static const char * const actions[] = {
    "quit", "open", "open-folder", "preferences", "about", "shortcuts",
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

  return !hl_session_get_loading (hl_window_get_session (window))
         && hl_session_get_file (hl_window_get_session (window)) != NULL;
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
  g_assert_cmpstr (hl_activations_get_path (hl_session_get_file (hl_window_get_session (HL_WINDOW (window)))),
                   ==, g_getenv ("HEADLENS_SAMPLE"));

  hl_test_destroy_window (window);
  /* A registered application is not finalized here (something of its
   * registration keeps a reference); the window is checked above. */
  g_object_unref (app);
}

/* What the quitting application does and measures. */
typedef struct
{
  HlApplication *app;
  gint64         quit_at;
} Quitting;

static gboolean
quit_when_analysing_cb (gpointer user_data)
{
  Quitting *q = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (q->app));
  HlSession *session = HL_IS_WINDOW (window) ? hl_window_get_session (HL_WINDOW (window)) : NULL;

  if (session == NULL || !hl_session_get_running (session)
      || hl_session_get_n_received (session) < 8)
    return G_SOURCE_CONTINUE;

  /* Ctrl+Q */
  q->quit_at = g_get_monotonic_time ();
  g_action_group_activate_action (G_ACTION_GROUP (q->app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

/* In the child: `headlens FILE`, then Ctrl+Q while the analysis runs. */
static void
run_and_quit (const char *path)
{
  char *argv[] = { (char *) "headlens", (char *) path, NULL };
  Quitting q = { hl_application_new (), 0 };
  gint64 elapsed;

  g_application_set_flags (G_APPLICATION (q.app),
                           G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_timeout_add (10, quit_when_analysing_cb, &q);
  g_assert_cmpint (g_application_run (G_APPLICATION (q.app), 2, argv), ==, 0);
  g_assert_cmpint (q.quit_at, >, 0);
  elapsed = g_get_monotonic_time () - q.quit_at;
  g_print ("quit after %.3f s\n", elapsed / 1e6);
  g_assert_cmpint (elapsed, <, G_USEC_PER_SEC);
}

/* Quitting during an analysis cancels it and returns within a second,
 * printing nothing (no warning about background work, no HDF5 trace). */
static void
test_application_quit_during_analysis (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  HlSynthModelParams params;

  if (g_test_subprocess ())
    {
      run_and_quit (g_getenv ("HL_TEST_QUIT_FILE"));
      return;
    }

  dir = hl_test_make_tmp_dir ();
  path = g_build_filename (dir, "long.h5", NULL);
  hl_synth_model_params_init (&params);
  /* Long enough that the window is up and has received results before the
   * analysis ends, also on a loaded machine (12 layers took under half a
   * second: the whole analysis could end, and be delivered, while the
   * first frames were drawn, and the quit never came). */
  params.n_layers = 48;
  params.n_heads = 8;
  params.n_kv_heads = 4;
  params.head_dim = 64;
  params.seq_len = 2048;
  params.n_samples = 2;
  params.head.head_dim = 64;
  params.head.n_keys = 2048;
  g_assert_true (hl_synth_model_write (&params, path, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_setenv ("HL_TEST_QUIT_FILE", path, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*quit after*");
  g_test_trap_assert_stderr_unmatched ("*Background work*");
  g_test_trap_assert_stderr_unmatched ("*HDF5*");
  g_test_trap_assert_stderr_unmatched ("*WARNING*");
  g_test_trap_assert_stderr_unmatched ("*CRITICAL*");
  hl_test_remove_tmp_dir (dir);
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
  g_test_add_func ("/gui/application/quit-during-analysis", test_application_quit_during_analysis);

  return hl_test_run_and_wait ();
}
