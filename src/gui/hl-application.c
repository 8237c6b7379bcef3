/* hl-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-application.h"
#include "hl-background.h"
#include "hl-playground-window.h"
#include "hl-preferences-window.h"
#include "hl-window.h"

struct _HlApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (HlApplication, hl_application, ADW_TYPE_APPLICATION)

HlApplication *
hl_application_new (void)
{
  return g_object_new (HL_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/headlens/Headlens",
                       NULL);
}

GFile *
hl_application_dup_sample_file (void)
{
  const char *path = g_getenv ("HEADLENS_SAMPLE");

  if (path != NULL && path[0] != '\0')
    return g_file_new_for_path (path);

  return g_file_new_build_filename (PKGDATADIR, "sample.h5", NULL);
}

/* The window that receives app-level commands: the active one, else a new
 * one. */
static HlWindow *
get_window (HlApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (HL_IS_WINDOW (window))
    return HL_WINDOW (window);

  return hl_window_new (GTK_APPLICATION (self));
}

static void
hl_application_activate (GApplication *app)
{
  HlApplication *self = HL_APPLICATION (app);
  HlWindow *window = get_window (self);
  HlSession *session = hl_window_get_session (window);

  /* With no file given, the bundled sample shows what Headlens does. */
  if (hl_session_get_file (session) == NULL && !hl_session_get_loading (session))
    {
      g_autoptr(GFile) sample = hl_application_dup_sample_file ();

      hl_window_open (window, sample);
    }

  gtk_window_present (GTK_WINDOW (window));
}

/* The first file goes to the current window, each further one to a window
 * of its own. */
static void
hl_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  HlApplication *self = HL_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      HlWindow *window = i == 0 ? get_window (self) : hl_window_new (GTK_APPLICATION (self));

      hl_window_open (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
hl_application_quit_action (GSimpleAction *action,
                            GVariant      *param,
                            gpointer       user_data)
{
  HlApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing each window saves its size before the application goes. */
  for (GList *l = windows; l != NULL; l = windows)
    {
      windows = l->next;
      gtk_window_close (GTK_WINDOW (l->data));
    }

  g_application_quit (G_APPLICATION (self));
}

static void
hl_application_open_action (GSimpleAction *action,
                            GVariant      *param,
                            gpointer       user_data)
{
  HlWindow *window = get_window (HL_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (window));
  hl_window_choose_file (window);
}

static void
hl_application_open_folder_action (GSimpleAction *action,
                                   GVariant      *param,
                                   gpointer       user_data)
{
  HlWindow *window = get_window (HL_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (window));
  hl_window_choose_folder (window);
}

static void
hl_application_preferences_action (GSimpleAction *action,
                                   GVariant      *param,
                                   gpointer       user_data)
{
  HlApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  HlPreferencesWindow *prefs = hl_preferences_window_new (parent);

  gtk_window_present (GTK_WINDOW (prefs));
}

/* One playground per application: the action brings it back if open. */
static void
hl_application_playground_action (GSimpleAction *action,
                                  GVariant      *param,
                                  gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);

  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (HL_IS_PLAYGROUND_WINDOW (l->data))
      {
        gtk_window_present (GTK_WINDOW (l->data));
        return;
      }

  gtk_window_present (GTK_WINDOW (hl_playground_window_new (app)));
}

static void
hl_application_about_action (GSimpleAction *action,
                             GVariant      *param,
                             gpointer       user_data)
{
  HlApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { _("The Headlens developers"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", _("Headlens"),
                        "application-icon", APPLICATION_ID,
                        "developer-name", _("The Headlens developers"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Explore how attention heads select tokens: the "
                                      "geometry of token selection in the value space "
                                      "of each head."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", _("© 2026 The Headlens developers"),
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
hl_application_shortcuts_action (GSimpleAction *action,
                                 GVariant      *param,
                                 gpointer       user_data)
{
  HlWindow *window = get_window (HL_APPLICATION (user_data));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", hl_application_quit_action },
  { "open", hl_application_open_action },
  { "open-folder", hl_application_open_folder_action },
  { "preferences", hl_application_preferences_action },
  { "playground", hl_application_playground_action },
  { "about", hl_application_about_action },
  { "shortcuts", hl_application_shortcuts_action },
};

static void
hl_application_set_accels (HlApplication *self)
{
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.open", { "<Control>o", NULL } },
    { "app.open-folder", { "<Control><Shift>o", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.playground", { "<Control><Shift>p", NULL } },
    { "app.shortcuts", { "<Control>question", NULL } },
    { "win.export-figure", { "<Control>e", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           accels[i].action, accels[i].accels);
}

static void
hl_application_startup (GApplication *app)
{
  HlApplication *self = HL_APPLICATION (app);

  G_APPLICATION_CLASS (hl_application_parent_class)->startup (app);

  g_set_application_name (_("Headlens"));
  gtk_window_set_default_icon_name (APPLICATION_ID);
  hl_application_set_accels (self);
}

/* Closing the windows cancels their analyses; their threads must then end
 * before the exit handlers of HDF5 and OpenBLAS run (hl-background.h). */
static void
hl_application_shutdown (GApplication *app)
{
  GList *windows;

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
    gtk_window_destroy (windows->data);
  if (!hl_background_wait (5 * G_USEC_PER_SEC))
    g_warning ("Background work still running at exit");

  G_APPLICATION_CLASS (hl_application_parent_class)->shutdown (app);
}

static void
hl_application_class_init (HlApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = hl_application_activate;
  app_class->open = hl_application_open;
  app_class->startup = hl_application_startup;
  app_class->shutdown = hl_application_shutdown;
}

static void
hl_application_init (HlApplication *self)
{
  /* Added here rather than in startup so the actions exist as soon as the
   * application does (the tests check them without a display session). */
  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   self);
}
