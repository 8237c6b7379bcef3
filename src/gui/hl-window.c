/* hl-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-causal-window.h"
#include "hl-dialogs.h"
#include "hl-explorer.h"
#include "hl-export-figures.h"
#include "hl-export-metrics.h"
#include "hl-extract-dialog.h"
#include "hl-session-settings.h"
#include "hl-window.h"

/* The application name the recent files are registered under; not
 * translated so the list survives a change of language. */
#define RECENT_APP_NAME   "Headlens"
#define RECENT_MIME_TYPE  "application/x-hdf"
#define RECENT_MAX_ITEMS  10

struct _HlWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwSplitButton       *open_button;
  GtkSpinner           *spinner;
  AdwWindowTitle       *window_title;
  GtkStack             *content_stack;
  HlExplorer           *explorer;
  GMenu                *recent_menu;

  GSettings            *settings;
  HlSession            *session;           /* what the window shows */
  GSimpleAction        *export_metrics;    /* win.export-metrics */
  GtkRecentManager     *recent_manager;    /* borrowed: the default manager */
  GHashTable           *recent_paths;      /* a recent file's button text -> its path */
  gulong                recent_changed_id;
};

G_DEFINE_FINAL_TYPE (HlWindow, hl_window, ADW_TYPE_APPLICATION_WINDOW)

HlWindow *
hl_window_new (GtkApplication *application)
{
  return g_object_new (HL_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

HlSession *
hl_window_get_session (HlWindow *self)
{
  g_return_val_if_fail (HL_IS_WINDOW (self), NULL);

  return self->session;
}

HlExplorer *
hl_window_get_explorer (HlWindow *self)
{
  g_return_val_if_fail (HL_IS_WINDOW (self), NULL);

  return self->explorer;
}

/* "12 layers × 12 heads · 512 tokens · 4 samples", and "in 3 files" for a
 * corpus. */
static char *
format_shape (HlActivations *activations)
{
  const HlActivationsInfo *info = hl_activations_get_info (activations);
  int n_files = hl_activations_get_n_files (activations);
  g_autofree char *layers = NULL;
  g_autofree char *heads = NULL;
  g_autofree char *tokens = NULL;
  g_autofree char *samples = NULL;

  layers = g_strdup_printf (ngettext ("%d layer", "%d layers", info->n_layers),
                            info->n_layers);
  heads = g_strdup_printf (ngettext ("%d head", "%d heads", info->n_heads),
                           info->n_heads);
  tokens = g_strdup_printf (ngettext ("%d token", "%d tokens", info->seq_len),
                            info->seq_len);
  if (n_files > 1)
    /* Translators: the samples of a corpus, e.g. "6 samples in 3 files" */
    samples = g_strdup_printf (ngettext ("%d samples in %d file", "%d samples in %d files", n_files),
                               info->n_samples, n_files);
  else
    samples = g_strdup_printf (ngettext ("%d sample", "%d samples", info->n_samples),
                               info->n_samples);

  /* Translators: layers × heads · tokens · samples, e.g. "12 layers × 12 heads · 512 tokens · 4 samples" */
  return g_strdup_printf (_("%s × %s · %s · %s"), layers, heads, tokens, samples);
}

static char *
dup_display_title (HlActivations *activations)
{
  const HlActivationsInfo *info = hl_activations_get_info (activations);

  if (info->model[0] != '\0')
    return g_strdup (info->model);

  return g_path_get_basename (hl_activations_get_path (activations));
}

static void
hl_window_update_title (HlWindow *self)
{
  HlActivations *activations = hl_session_get_file (self->session);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  if (activations == NULL)
    {
      adw_window_title_set_title (self->window_title, _("Headlens"));
      adw_window_title_set_subtitle (self->window_title, "");
      gtk_window_set_title (GTK_WINDOW (self), _("Headlens"));
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
      return;
    }

  title = dup_display_title (activations);
  subtitle = format_shape (activations);
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_stack_set_visible_child_name (self->content_stack, "file");
}

static void
hl_window_add_recent (HlWindow      *self,
                      HlActivations *activations)
{
  g_autoptr(GFile) file = g_file_new_for_path (hl_activations_get_path (activations));
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *title = dup_display_title (activations);
  GtkRecentData data = {
    .display_name = title,
    .mime_type = (char *) RECENT_MIME_TYPE,
    .app_name = (char *) RECENT_APP_NAME,
    .app_exec = (char *) "headlens %u",
  };

  gtk_recent_manager_add_full (self->recent_manager, uri, &data);
}

/* Shows the reader's warnings without interrupting: the file is usable. */
static void
hl_window_show_warnings (HlWindow      *self,
                         HlActivations *activations)
{
  GPtrArray *warnings = hl_activations_get_warnings (activations);
  g_autofree char *title = NULL;

  if (warnings == NULL || warnings->len == 0)
    return;

  title = g_strdup_printf (ngettext ("The file has %u warning: %s",
                                     "The file has %u warnings, the first: %s",
                                     warnings->len),
                           warnings->len, (const char *) g_ptr_array_index (warnings, 0));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

/* A new file is shown: the title says which, the recent files list it, and
 * the reader's warnings are told. */
static void
session_file_changed_cb (HlWindow   *self,
                         GParamSpec *pspec,
                         HlSession  *session)
{
  HlActivations *activations = hl_session_get_file (session);

  hl_window_update_title (self);
  if (activations == NULL)
    return;
  hl_window_add_recent (self, activations);
  hl_window_show_warnings (self, activations);
}

static void
hl_window_show_error (HlWindow     *self,
                      GFile        *file,
                      const GError *error)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *heading = g_strdup_printf (_("Could Not Open “%s”"), name);

  hl_dialogs_show_error (GTK_WINDOW (self), heading, error->message);
}

typedef struct
{
  HlWindow *window;   /* owned */
  GFile    *file;     /* owned: the first file, which names the error */
  guint     n_files;
} Opening;

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Opening *opening = user_data;
  g_autoptr(GError) error = NULL;

  /* A newer open replaced this one: its result no longer matters. */
  if (!hl_session_open_finish (HL_SESSION (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (opening->n_files > 1)
        hl_dialogs_show_error (GTK_WINDOW (opening->window), _("Could Not Open the Corpus"),
                               error->message);
      else
        hl_window_show_error (opening->window, opening->file, error);
    }
  g_object_unref (opening->window);
  g_object_unref (opening->file);
  g_free (opening);
}

static Opening *
opening_new (HlWindow *self,
             GFile    *first,
             guint     n_files)
{
  Opening *opening = g_new0 (Opening, 1);

  opening->window = g_object_ref (self);
  opening->file = g_object_ref (first);
  opening->n_files = n_files;
  return opening;
}

void
hl_window_open (HlWindow *self,
                GFile    *file)
{
  g_return_if_fail (HL_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  hl_session_open_async (self->session, file, NULL, open_cb, opening_new (self, file, 1));
}

/* Several files open as one corpus (a folder does through hl_window_open). */
static void
hl_window_open_files (HlWindow   *self,
                      GListModel *files)
{
  guint n = g_list_model_get_n_items (files);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (list, g_list_model_get_item (files, i));
  if (n == 1)
    hl_window_open (self, g_ptr_array_index (list, 0));
  else if (n > 1)
    hl_session_open_files_async (self->session, (GFile * const *) list->pdata, n, NULL,
                                 open_cb, opening_new (self, g_ptr_array_index (list, 0), n));
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  HlWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      hl_window_open_files (self, files);
    }

  g_object_unref (chooser);
}

static void
add_filter (GtkFileChooser *chooser,
            GtkFileFilter  *filter)
{
  gtk_file_chooser_add_filter (chooser, filter);
  g_object_unref (filter);
}

void
hl_window_choose_file (HlWindow *self)
{
  GtkFileChooserNative *chooser;
  GtkFileFilter *hdf5;
  GtkFileFilter *all;

  g_return_if_fail (HL_IS_WINDOW (self));

  /* GTK 4.8 has no GtkFileDialog; the native chooser uses the portal when
   * there is one. */
  chooser = gtk_file_chooser_native_new (_("Open Activation Files"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  /* Several files chosen together are one corpus. */
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);

  hdf5 = gtk_file_filter_new ();
  gtk_file_filter_set_name (hdf5, _("Activation Files (HDF5)"));
  gtk_file_filter_add_pattern (hdf5, "*.h5");
  gtk_file_filter_add_pattern (hdf5, "*.hdf5");
  gtk_file_filter_add_mime_type (hdf5, RECENT_MIME_TYPE);
  add_filter (GTK_FILE_CHOOSER (chooser), hdf5);

  all = gtk_file_filter_new ();
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  add_filter (GTK_FILE_CHOOSER (chooser), all);

  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
hl_window_choose_folder (HlWindow *self)
{
  GtkFileChooserNative *chooser;

  g_return_if_fail (HL_IS_WINDOW (self));

  chooser = gtk_file_chooser_native_new (_("Open a Folder of Activation Files"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
drop_target_drop_cb (HlWindow      *self,
                     const GValue  *value,
                     double         x,
                     double         y,
                     GtkDropTarget *target)
{
  GFile *file = g_value_get_object (value);

  if (file == NULL)
    return FALSE;

  hl_window_open (self, file);
  return TRUE;
}

static int
compare_recent_by_date (gconstpointer a,
                        gconstpointer b)
{
  GtkRecentInfo *info_a = *(GtkRecentInfo **) a;
  GtkRecentInfo *info_b = *(GtkRecentInfo **) b;

  return g_date_time_compare (gtk_recent_info_get_modified (info_b),
                              gtk_recent_info_get_modified (info_a));
}

/* Our recent activation files that still exist, newest first. */
static GPtrArray *
collect_recent_files (GtkRecentManager *manager)
{
  GPtrArray *recent = g_ptr_array_new_with_free_func ((GDestroyNotify) gtk_recent_info_unref);
  GList *items = gtk_recent_manager_get_items (manager);

  for (GList *l = items; l != NULL; l = l->next)
    {
      GtkRecentInfo *info = l->data;

      /* Registered by us as an activation file: file choosers register
       * the checkpoints, tokenizers, texts and exported figures they
       * pick under the application's name too. */
      if (gtk_recent_info_has_application (info, RECENT_APP_NAME)
          && g_strcmp0 (gtk_recent_info_get_mime_type (info), RECENT_MIME_TYPE) == 0
          && gtk_recent_info_exists (info))
        g_ptr_array_add (recent, gtk_recent_info_ref (info));
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  g_ptr_array_sort (recent, compare_recent_by_date);

  return recent;
}

GMenuModel *
hl_window_get_recent_menu (HlWindow *self)
{
  g_return_val_if_fail (HL_IS_WINDOW (self), NULL);

  return G_MENU_MODEL (self->recent_menu);
}

/* A recent file's menu label: its name and model ("run3.h5 — stories260K"),
 * and its folder when another listed file has the same name; underscores
 * doubled, so the menu shows them instead of taking them for mnemonics. */
static char *
recent_label (GtkRecentInfo *info,
              const char    *path,
              GHashTable    *names)
{
  g_autofree char *basename = g_path_get_basename (path);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *label = NULL;
  g_auto(GStrv) parts = NULL;

  if (GPOINTER_TO_INT (g_hash_table_lookup (names, basename)) > 1)
    /* Translators: a recent file listed with its folder, e.g. "run.h5 — stories260K (in /data/a)" */
    label = g_strdup_printf (_("%s — %s (in %s)"), basename, gtk_recent_info_get_display_name (info),
                             dir);
  else
    /* Translators: a recent file: its name, then the model, e.g. "run3.h5 — stories260K" */
    label = g_strdup_printf (_("%s — %s"), basename, gtk_recent_info_get_display_name (info));
  parts = g_strsplit (label, "_", -1);
  return g_strjoinv ("__", parts);
}

/* The text a menu button shows for @label: its doubled underscores single. */
static char *
recent_button_text (const char *label)
{
  g_auto(GStrv) parts = g_strsplit (label, "__", -1);

  return g_strjoinv ("_", parts);
}

/* GTK 4.8's menus take no tooltips from their model: each recent file's
 * button under @widget gets its full path as tooltip by its text. */
static void
hl_window_set_recent_tooltips (HlWindow  *self,
                               GtkWidget *widget)
{
  if (widget == NULL)
    return;
  if (g_str_equal (G_OBJECT_TYPE_NAME (widget), "GtkModelButton"))
    {
      g_autofree char *text = NULL;

      g_object_get (widget, "text", &text, NULL);
      gtk_widget_set_tooltip_text (widget, text != NULL ? g_hash_table_lookup (self->recent_paths, text)
                                                        : NULL);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    hl_window_set_recent_tooltips (self, child);
}

/* The tooltip of the menu button under @widget that shows @text. */
static const char *
find_tooltip (GtkWidget  *widget,
              const char *text)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (widget), "GtkModelButton"))
    {
      g_autofree char *shown = NULL;

      g_object_get (widget, "text", &shown, NULL);
      if (g_strcmp0 (shown, text) == 0)
        return gtk_widget_get_tooltip_text (widget);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *found = find_tooltip (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

const char *
hl_window_get_recent_tooltip (HlWindow *self,
                              guint     index)
{
  GtkWidget *popover;
  g_autofree char *label = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (HL_IS_WINDOW (self), NULL);

  if (!g_menu_model_get_item_attribute (G_MENU_MODEL (self->recent_menu), index,
                                        G_MENU_ATTRIBUTE_LABEL, "s", &label))
    return NULL;
  text = recent_button_text (label);
  popover = GTK_WIDGET (adw_split_button_get_popover (self->open_button));
  return find_tooltip (popover, text);
}

static void
hl_window_rebuild_recent_menu (HlWindow *self)
{
  g_autoptr(GPtrArray) recent = collect_recent_files (self->recent_manager);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n = MIN (recent->len, RECENT_MAX_ITEMS);

  g_menu_remove_all (self->recent_menu);
  g_hash_table_remove_all (self->recent_paths);
  /* How often each file name is listed: a name listed twice gets its
   * folder. */
  for (guint i = 0; i < n; i++)
    {
      GtkRecentInfo *info = g_ptr_array_index (recent, i);
      g_autofree char *path = g_strdup (gtk_recent_info_get_uri_display (info));
      char *name = g_path_get_basename (path);
      int count = GPOINTER_TO_INT (g_hash_table_lookup (names, name));

      g_hash_table_insert (names, name, GINT_TO_POINTER (count + 1));
    }
  for (guint i = 0; i < n; i++)
    {
      GtkRecentInfo *info = g_ptr_array_index (recent, i);
      g_autofree char *path = g_strdup (gtk_recent_info_get_uri_display (info));
      g_autofree char *label = recent_label (info, path, names);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target (item, "win.open-recent", "s",
                                         gtk_recent_info_get_uri (info));
      g_menu_append_item (self->recent_menu, item);
      g_hash_table_insert (self->recent_paths, recent_button_text (label), g_steal_pointer (&path));
    }

  /* An empty dropdown would be a dead end: say why it is empty. */
  if (recent->len == 0)
    g_menu_append (self->recent_menu, _("No Recent Files"), "win.no-recent");
  hl_window_set_recent_tooltips (self, GTK_WIDGET (adw_split_button_get_popover (self->open_button)));
}

static void
recent_manager_changed_cb (HlWindow         *self,
                           GtkRecentManager *manager)
{
  hl_window_rebuild_recent_menu (self);
}

static void
hl_window_open_recent_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  HlWindow *self = HL_WINDOW (widget);
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (param, NULL));

  hl_window_open (self, file);
}

/* Blocks are validated as the analysis reads them, so a file that opened
 * may still fail here: say so where the user looks. */
static void
session_analysis_failed_cb (HlWindow     *self,
                            const GError *error,
                            HlSession    *session)
{
  HlActivations *activations = hl_session_get_file (session);
  g_autofree char *name = g_path_get_basename (hl_activations_get_path (activations));
  g_autofree char *heading = g_strdup_printf (_("The Analysis of “%s” Failed"), name);

  hl_dialogs_show_error (GTK_WINDOW (self), heading, error->message);
}

static void
hl_window_restore_size (HlWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");

  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
hl_window_close_request (GtkWindow *window)
{
  HlWindow *self = HL_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (hl_window_parent_class)->close_request (window);
}

static void
hl_window_dispose (GObject *object)
{
  HlWindow *self = HL_WINDOW (object);

  g_clear_signal_handler (&self->recent_changed_id, self->recent_manager);
  /* The session's work is cancelled when the last of the window and its
   * views lets go of it. */
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), HL_TYPE_WINDOW);
  g_clear_object (&self->session);
  g_clear_object (&self->export_metrics);
  g_clear_pointer (&self->recent_paths, g_hash_table_unref);

  G_OBJECT_CLASS (hl_window_parent_class)->dispose (object);
}

static void
hl_window_finalize (GObject *object)
{
  HlWindow *self = HL_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (hl_window_parent_class)->finalize (object);
}

/* Export Figure, Export Metrics and Extract from Model (the dialogs keep
 * their own copies, so the window may move on while they are open). */
static void
hl_window_export_figure (HlWindow   *self,
                         const char *preferred)
{
  if (hl_export_figures_present (GTK_WINDOW (self), self->session, preferred) == NULL)
    adw_toast_overlay_add_toast (self->toast_overlay,
                                 adw_toast_new (_("There is no figure to export yet")));
}

/* Ctrl+E and the main menu: the figure pointed at is selected. */
static void
hl_window_export_figure_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  hl_window_export_figure (HL_WINDOW (widget), NULL);
}

/* A plot's context menu: that figure is selected. */
static void
hl_window_export_named_figure_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *param)
{
  hl_window_export_figure (HL_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
export_metrics_activate_cb (GSimpleAction *action,
                            GVariant      *param,
                            gpointer       user_data)
{
  HlWindow *self = user_data;
  HlAnalysis *analysis = hl_session_get_analysis (self->session);

  if (analysis != NULL)
    hl_export_metrics_choose_folder (GTK_WINDOW (self), analysis, self->toast_overlay);
}

/* The new file opens; a toast says what the extraction measured. */
static void
extract_dialog_extracted_cb (HlWindow        *self,
                             GFile           *file,
                             const char      *summary,
                             HlExtractDialog *dialog)
{
  AdwToast *toast = adw_toast_new (summary);

  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  hl_window_open (self, file);
}

static void
hl_window_extract_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  HlWindow *self = HL_WINDOW (widget);
  HlExtractDialog *dialog = hl_extract_dialog_new (GTK_WINDOW (self));

  g_signal_connect_object (dialog, "extracted", G_CALLBACK (extract_dialog_extracted_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Causal Tests on the model of the file shown (docs/causal.md). */
static void
hl_window_causal_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  HlWindow *self = HL_WINDOW (widget);

  if (hl_session_get_file (self->session) == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("Open a file extracted from a model first")));
      return;
    }
  gtk_window_present (GTK_WINDOW (hl_causal_window_new (GTK_WINDOW (self), self->session)));
}

/* The metrics exist once the analysis has finished. */
static gboolean
analysis_to_enabled (GBinding     *binding,
                     const GValue *from,
                     GValue       *to,
                     gpointer      user_data)
{
  g_value_set_boolean (to, g_value_get_object (from) != NULL);
  return TRUE;
}

static void
hl_window_class_init (HlWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hl_window_dispose;
  object_class->finalize = hl_window_finalize;
  window_class->close_request = hl_window_close_request;

  g_type_ensure (HL_TYPE_EXPLORER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/headlens/Headlens/ui/hl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HlWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HlWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, HlWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, HlWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, HlWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, HlWindow, explorer);
  gtk_widget_class_bind_template_child (widget_class, HlWindow, recent_menu);

  gtk_widget_class_install_action (widget_class, "win.open-recent", "s",
                                   hl_window_open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.export-figure", NULL,
                                   hl_window_export_figure_action);
  gtk_widget_class_install_action (widget_class, "win.export-named-figure", "s",
                                   hl_window_export_named_figure_action);
  gtk_widget_class_install_action (widget_class, "win.extract", NULL,
                                   hl_window_extract_action);
  gtk_widget_class_install_action (widget_class, "win.causal", NULL,
                                   hl_window_causal_action);
}

static void
hl_window_init_drop_target (HlWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);

  g_signal_connect_swapped (target, "drop", G_CALLBACK (drop_target_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

/* The window's session: the app's settings apply to it, the explorer shows
 * it, and the header follows its file. */
static void
hl_window_init_session (HlWindow *self)
{
  self->session = hl_session_new ();
  hl_session_bind_settings (self->session, self->settings);
  hl_explorer_set_session (self->explorer, self->session);
  g_object_bind_property (self->session, "loading", self->spinner, "spinning",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->session, "loading", self->spinner, "visible",
                          G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->session, "notify::file",
                            G_CALLBACK (session_file_changed_cb), self);
  g_signal_connect_swapped (self->session, "analysis-failed",
                            G_CALLBACK (session_analysis_failed_cb), self);

  self->export_metrics = g_simple_action_new ("export-metrics", NULL);
  g_signal_connect (self->export_metrics, "activate",
                    G_CALLBACK (export_metrics_activate_cb), self);
  g_object_bind_property_full (self->session, "analysis", self->export_metrics, "enabled",
                               G_BINDING_SYNC_CREATE, analysis_to_enabled, NULL, NULL, NULL);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (self->export_metrics));
}

static void
hl_window_init (HlWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  hl_window_restore_size (self);
  hl_window_init_drop_target (self);

  self->recent_manager = gtk_recent_manager_get_default ();
  self->recent_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->recent_changed_id =
    g_signal_connect_swapped (self->recent_manager, "changed",
                              G_CALLBACK (recent_manager_changed_cb), self);
  hl_window_rebuild_recent_menu (self);
  hl_window_init_session (self);
  hl_window_update_title (self);
}
