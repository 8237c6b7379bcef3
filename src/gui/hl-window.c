/* hl-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-dialogs.h"
#include "hl-background.h"
#include "hl-explorer.h"
#include "hl-export-figures.h"
#include "hl-export-metrics.h"
#include "hl-extract-dialog.h"
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
  HlActivations        *activations;       /* the open file, or NULL */
  GCancellable         *open_cancellable;  /* the open in progress, or NULL */
  GtkRecentManager     *recent_manager;    /* borrowed: the default manager */
  gulong                recent_changed_id;
};

G_DEFINE_FINAL_TYPE (HlWindow, hl_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_ACTIVATIONS,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

HlWindow *
hl_window_new (HlApplication *application)
{
  return g_object_new (HL_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

HlActivations *
hl_window_get_activations (HlWindow *self)
{
  g_return_val_if_fail (HL_IS_WINDOW (self), NULL);

  return self->activations;
}

HlExplorer *
hl_window_get_explorer (HlWindow *self)
{
  g_return_val_if_fail (HL_IS_WINDOW (self), NULL);

  return self->explorer;
}

gboolean
hl_window_get_loading (HlWindow *self)
{
  g_return_val_if_fail (HL_IS_WINDOW (self), FALSE);

  return self->open_cancellable != NULL;
}

/* "12 layers × 12 heads · 512 tokens · 4 samples" */
static char *
format_shape (const HlActivationsInfo *info)
{
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
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  if (self->activations == NULL)
    {
      adw_window_title_set_title (self->window_title, _("Headlens"));
      adw_window_title_set_subtitle (self->window_title, "");
      gtk_window_set_title (GTK_WINDOW (self), _("Headlens"));
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
      return;
    }

  title = dup_display_title (self->activations);
  subtitle = format_shape (hl_activations_get_info (self->activations));
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

static void
hl_window_set_activations (HlWindow      *self,
                           HlActivations *activations)
{
  if (!g_set_object (&self->activations, activations))
    return;

  hl_window_update_title (self);
  hl_explorer_set_file (self->explorer, activations);
  if (activations != NULL)
    {
      hl_window_add_recent (self, activations);
      hl_window_show_warnings (self, activations);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVATIONS]);
}

static void
hl_window_set_loading (HlWindow     *self,
                       GCancellable *cancellable)
{
  g_clear_object (&self->open_cancellable);
  self->open_cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  gtk_spinner_set_spinning (self->spinner, cancellable != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), cancellable != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
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

/* Runs on a worker: HDF5 open and validation may take a while on a large
 * or remote file. The reader serialises HDF5 access itself. */
static void
open_file_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(HlActivations) activations = NULL;
  GError *error = NULL;

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("“%s” is not a local file; only local files can be opened"),
                               uri);
      return;
    }

  activations = hl_activations_open (path, &error);
  if (activations == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&activations), g_object_unref);
}

static void
open_file_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  HlWindow *self = HL_WINDOW (object);
  GTask *task = G_TASK (result);
  g_autoptr(HlActivations) activations = NULL;
  g_autoptr(GError) error = NULL;

  activations = g_task_propagate_pointer (task, &error);

  /* A newer open replaced this one: its result no longer matters. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  hl_window_set_loading (self, NULL);
  if (activations == NULL)
    hl_window_show_error (self, g_task_get_task_data (task), error);
  else
    hl_window_set_activations (self, activations);
}

void
hl_window_open (HlWindow *self,
                GFile    *file)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HL_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  hl_window_set_loading (self, cancellable);

  task = g_task_new (self, cancellable, open_file_cb, NULL);
  g_task_set_source_tag (task, hl_window_open);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  hl_background_run_in_thread (task, open_file_thread);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  HlWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      hl_window_open (self, file);
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
  chooser = gtk_file_chooser_native_new (_("Open Activation File"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

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

      if (gtk_recent_info_has_application (info, RECENT_APP_NAME)
          && gtk_recent_info_exists (info))
        g_ptr_array_add (recent, gtk_recent_info_ref (info));
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  g_ptr_array_sort (recent, compare_recent_by_date);

  return recent;
}

static void
hl_window_rebuild_recent_menu (HlWindow *self)
{
  g_autoptr(GPtrArray) recent = collect_recent_files (self->recent_manager);

  g_menu_remove_all (self->recent_menu);
  for (guint i = 0; i < recent->len && i < RECENT_MAX_ITEMS; i++)
    {
      GtkRecentInfo *info = g_ptr_array_index (recent, i);
      g_autoptr(GMenuItem) item = NULL;

      item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
      g_menu_item_set_action_and_target (item, "win.open-recent", "s",
                                         gtk_recent_info_get_uri (info));
      g_menu_append_item (self->recent_menu, item);
    }

  /* An empty dropdown would be a dead end: say why it is empty. */
  if (recent->len == 0)
    g_menu_append (self->recent_menu, _("No Recent Files"), "win.no-recent");
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
explorer_analysis_failed_cb (HlWindow     *self,
                             const GError *error,
                             HlExplorer   *explorer)
{
  g_autofree char *name = g_path_get_basename (hl_activations_get_path (self->activations));
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

  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);

  return GTK_WINDOW_CLASS (hl_window_parent_class)->close_request (window);
}

static void
hl_window_dispose (GObject *object)
{
  HlWindow *self = HL_WINDOW (object);

  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_signal_handler (&self->recent_changed_id, self->recent_manager);
  gtk_widget_dispose_template (GTK_WIDGET (self), HL_TYPE_WINDOW);

  G_OBJECT_CLASS (hl_window_parent_class)->dispose (object);
}

static void
hl_window_finalize (GObject *object)
{
  HlWindow *self = HL_WINDOW (object);

  g_clear_object (&self->activations);
  g_clear_object (&self->open_cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (hl_window_parent_class)->finalize (object);
}

static void
hl_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  HlWindow *self = HL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ACTIVATIONS:
      g_value_set_object (value, self->activations);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, hl_window_get_loading (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Export Figure, Export Metrics and Extract from Model (the dialogs keep
 * their own copies, so the window may move on while they are open). */
static void
hl_window_export_figure_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  HlWindow *self = HL_WINDOW (widget);

  if (hl_export_figures_present (GTK_WINDOW (self), NULL) == NULL)
    adw_toast_overlay_add_toast (self->toast_overlay,
                                 adw_toast_new (_("There is no figure to export yet")));
}

static void
hl_window_export_metrics_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  HlWindow *self = HL_WINDOW (widget);
  HlAnalysis *analysis = hl_explorer_get_analysis (self->explorer);

  if (analysis != NULL)
    hl_export_metrics_choose_folder (GTK_WINDOW (self), analysis, self->toast_overlay);
}

static void
extract_dialog_extracted_cb (HlWindow        *self,
                             GFile           *file,
                             HlExtractDialog *dialog)
{
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

/* The metrics exist once the analysis has finished. */
static void
explorer_running_changed_cb (HlWindow   *self,
                             GParamSpec *pspec,
                             HlExplorer *explorer)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-metrics",
                                 hl_explorer_get_analysis (explorer) != NULL);
}

static void
hl_window_class_init (HlWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hl_window_dispose;
  object_class->finalize = hl_window_finalize;
  object_class->get_property = hl_window_get_property;
  window_class->close_request = hl_window_close_request;

  properties[PROP_ACTIVATIONS] =
    g_param_spec_object ("activations", NULL, NULL,
                         HL_TYPE_ACTIVATIONS,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  gtk_widget_class_install_action (widget_class, "win.export-metrics", NULL,
                                   hl_window_export_metrics_action);
  gtk_widget_class_install_action (widget_class, "win.extract", NULL,
                                   hl_window_extract_action);
}

static void
hl_window_init_drop_target (HlWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);

  g_signal_connect_swapped (target, "drop", G_CALLBACK (drop_target_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

static void
hl_window_init (HlWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  hl_window_restore_size (self);
  hl_window_init_drop_target (self);

  self->recent_manager = gtk_recent_manager_get_default ();
  self->recent_changed_id =
    g_signal_connect_swapped (self->recent_manager, "changed",
                              G_CALLBACK (recent_manager_changed_cb), self);
  hl_window_rebuild_recent_menu (self);
  hl_window_update_title (self);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  g_signal_connect_object (self->explorer, "analysis-failed",
                           G_CALLBACK (explorer_analysis_failed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->explorer, "notify::running",
                           G_CALLBACK (explorer_running_changed_cb), self, G_CONNECT_SWAPPED);
  explorer_running_changed_cb (self, NULL, self->explorer);
}
