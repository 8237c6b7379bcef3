/* hl-extract-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-checkpoint.h"
#include "hl-dialogs.h"
#include "hl-extract-dialog.h"
#include "hl-extract.h"
#include "hl-model.h"
#include "hl-tokenizer.h"

typedef enum
{
  QUERIES_LAST,
  QUERIES_ALL,
  QUERIES_LIST,
} QueriesChoice;

/* Which field an open chooser fills. */
typedef enum
{
  FIELD_MODEL_DIR,
  FIELD_CHECKPOINT,
  FIELD_TOKENIZER,
  FIELD_TEXT,
} Field;

struct _HlExtractDialog
{
  AdwWindow          parent_instance;

  /* Template widgets */
  GtkWidget         *form;
  GtkButton         *extract_button;
  AdwActionRow      *model_dir_row;
  AdwActionRow      *checkpoint_row;
  AdwActionRow      *tokenizer_row;
  GtkTextView       *text_view;
  GtkSpinButton     *window_spin;
  GtkSpinButton     *stride_spin;
  AdwComboRow       *queries_row;
  AdwEntryRow       *query_list_row;
  AdwComboRow       *dtype_row;
  AdwActionRow      *output_row;
  GtkRevealer       *progress_revealer;
  GtkProgressBar    *progress_bar;

  char              *model_dir;
  char              *checkpoint_path;
  char              *tokenizer_path;
  char              *output_path;
  char              *text_name;       /* the loaded file's name, NULL once edited */
  gboolean           setting_text;    /* set while the code fills the buffer */
  GCancellable      *cancellable;     /* the running extraction, or NULL */
};

G_DEFINE_FINAL_TYPE (HlExtractDialog, hl_extract_dialog, ADW_TYPE_WINDOW)

enum {
  EXTRACTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The form ---------------------------------------------------------------- */

static char *
dup_text (HlExtractDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
form_complete (HlExtractDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);

  return (self->model_dir != NULL || (self->checkpoint_path != NULL && self->tokenizer_path != NULL))
         && self->output_path != NULL && gtk_text_buffer_get_char_count (buffer) > 0;
}

static void
hl_extract_dialog_update (HlExtractDialog *self)
{
  gboolean running = self->cancellable != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->extract_button), !running && form_complete (self));
  gtk_widget_set_sensitive (self->form, !running);
  gtk_revealer_set_reveal_child (self->progress_revealer, running);
  gtk_widget_set_visible (GTK_WIDGET (self->query_list_row),
                          adw_combo_row_get_selected (self->queries_row) == QUERIES_LIST);
}

/* Shows @path in @row, or says that nothing is chosen yet. */
static void
set_path (HlExtractDialog  *self,
          char            **field,
          AdwActionRow     *row,
          const char       *path)
{
  g_free (*field);
  *field = g_strdup (path);
  adw_action_row_set_subtitle (row, path != NULL ? path : _("Not chosen yet"));
  hl_extract_dialog_update (self);
}

void
hl_extract_dialog_set_model_dir (HlExtractDialog *self,
                                 const char      *path)
{
  g_return_if_fail (HL_IS_EXTRACT_DIALOG (self));

  set_path (self, &self->model_dir, self->model_dir_row, path);
  if (path != NULL)
    {
      set_path (self, &self->checkpoint_path, self->checkpoint_row, NULL);
      set_path (self, &self->tokenizer_path, self->tokenizer_row, NULL);
    }
}

/* A tokenizer given as the checkpoint (the two are both .bin files of
 * llama2.c) is refused with a dialog that says what it is. */
static gboolean
refuse_tokenizer (HlExtractDialog *self,
                  const char      *path)
{
  g_autofree char *name = NULL;
  g_autofree char *body = NULL;
  int n_pieces;

  if (path == NULL || !hl_tokenizer_file_sniff (path, &n_pieces))
    return FALSE;
  name = g_path_get_basename (path);
  body = n_pieces > 0
         /* Translators: a tokenizer chosen as the checkpoint, e.g. "“tok512.bin” is a llama2.c tokenizer of 512 pieces…" */
         ? g_strdup_printf (_("“%s” is a llama2.c tokenizer of %d pieces, expected a llama2.c "
                              "checkpoint: the model’s .bin file, which starts with its "
                              "configuration and holds its weights. Choose the tokenizer "
                              "below."), name, n_pieces)
         : g_strdup_printf (_("“%s” is a Hugging Face tokenizer (JSON), expected a llama2.c "
                              "checkpoint: the model’s .bin file. For a Hugging Face model, "
                              "choose its folder instead."), name);
  hl_dialogs_show_error (GTK_WINDOW (self), _("Not a Checkpoint"), body);
  return TRUE;
}

void
hl_extract_dialog_set_checkpoint (HlExtractDialog *self,
                                  const char      *path)
{
  g_return_if_fail (HL_IS_EXTRACT_DIALOG (self));

  if (refuse_tokenizer (self, path))
    return;
  set_path (self, &self->checkpoint_path, self->checkpoint_row, path);
  if (path != NULL)
    set_path (self, &self->model_dir, self->model_dir_row, NULL);
}

void
hl_extract_dialog_set_tokenizer (HlExtractDialog *self,
                                 const char      *path)
{
  g_return_if_fail (HL_IS_EXTRACT_DIALOG (self));

  set_path (self, &self->tokenizer_path, self->tokenizer_row, path);
  if (path != NULL)
    set_path (self, &self->model_dir, self->model_dir_row, NULL);
}

void
hl_extract_dialog_set_output (HlExtractDialog *self,
                              const char      *path)
{
  g_return_if_fail (HL_IS_EXTRACT_DIALOG (self));

  set_path (self, &self->output_path, self->output_row, path);
}

void
hl_extract_dialog_set_text (HlExtractDialog *self,
                            const char      *text,
                            const char      *name)
{
  g_return_if_fail (HL_IS_EXTRACT_DIALOG (self));
  g_return_if_fail (text != NULL);

  self->setting_text = TRUE;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);
  self->setting_text = FALSE;
  g_free (self->text_name);
  self->text_name = g_strdup (name);
  hl_extract_dialog_update (self);
}

void
hl_extract_dialog_set_queries (HlExtractDialog *self,
                               const char      *spec)
{
  g_return_if_fail (HL_IS_EXTRACT_DIALOG (self));
  g_return_if_fail (spec != NULL);

  if (g_strcmp0 (spec, "last") == 0)
    adw_combo_row_set_selected (self->queries_row, QUERIES_LAST);
  else if (g_strcmp0 (spec, "all") == 0)
    adw_combo_row_set_selected (self->queries_row, QUERIES_ALL);
  else
    {
      adw_combo_row_set_selected (self->queries_row, QUERIES_LIST);
      gtk_editable_set_text (GTK_EDITABLE (self->query_list_row), spec);
    }
}

void
hl_extract_dialog_set_window (HlExtractDialog *self,
                              int              window,
                              int              stride)
{
  g_return_if_fail (HL_IS_EXTRACT_DIALOG (self));

  gtk_spin_button_set_value (self->window_spin, window);
  gtk_spin_button_set_value (self->stride_spin, stride);
}

static void
text_buffer_changed_cb (HlExtractDialog *self,
                        GtkTextBuffer   *buffer)
{
  /* Edited text no longer is the file it was loaded from. */
  if (!self->setting_text)
    g_clear_pointer (&self->text_name, g_free);
  hl_extract_dialog_update (self);
}

static void
queries_row_selected_cb (HlExtractDialog *self)
{
  hl_extract_dialog_update (self);
}

/* Choosers ---------------------------------------------------------------- */

static void
hl_extract_dialog_load_text (HlExtractDialog *self,
                             GFile           *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *name = g_file_get_basename (file);

  if (g_file_load_contents (file, NULL, &contents, NULL, NULL, &error)
      && g_utf8_validate (contents, -1, NULL))
    {
      hl_extract_dialog_set_text (self, contents, name);
      return;
    }

  hl_dialogs_show_error (GTK_WINDOW (self), _("Could Not Load the Text"),
                         error != NULL ? error->message : _("The file is not UTF-8 text."));
}

static void
open_chooser_response_cb (GtkNativeDialog *chooser,
                          int              response,
                          gpointer         user_data)
{
  g_autoptr(HlExtractDialog) self = user_data;
  Field field = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "field"));
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT && !gtk_widget_in_destruction (GTK_WIDGET (self)))
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = g_file_get_path (file);
      if (field == FIELD_MODEL_DIR)
        hl_extract_dialog_set_model_dir (self, path);
      else if (field == FIELD_CHECKPOINT)
        hl_extract_dialog_set_checkpoint (self, path);
      else if (field == FIELD_TOKENIZER)
        hl_extract_dialog_set_tokenizer (self, path);
      else
        hl_extract_dialog_load_text (self, file);
    }

  g_object_unref (chooser);
}

/* What each file chooser offers first: the kind of file the field takes,
 * then any file. */
static void
add_filters (GtkFileChooser *chooser,
             Field           field)
{
  static const struct {
    const char *name;
    const char *patterns[3];
  } kinds[] = {
    [FIELD_CHECKPOINT] = { N_("llama2.c checkpoints (.bin)"), { "*.bin", NULL } },
    [FIELD_TOKENIZER] = { N_("Tokenizers (.bin, tokenizer.json)"), { "*.bin", "*.json", NULL } },
    [FIELD_TEXT] = { N_("Text files (.txt)"), { "*.txt", NULL } },
  };
  g_autoptr(GtkFileFilter) kind = NULL;
  g_autoptr(GtkFileFilter) any = NULL;

  if (field >= G_N_ELEMENTS (kinds) || kinds[field].name == NULL)
    return;
  kind = gtk_file_filter_new ();
  gtk_file_filter_set_name (kind, _(kinds[field].name));
  for (int i = 0; kinds[field].patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (kind, kinds[field].patterns[i]);
  if (field == FIELD_TEXT)
    gtk_file_filter_add_mime_type (kind, "text/plain");
  any = gtk_file_filter_new ();
  gtk_file_filter_set_name (any, _("All files"));
  gtk_file_filter_add_pattern (any, "*");
  gtk_file_chooser_add_filter (chooser, kind);
  gtk_file_chooser_add_filter (chooser, any);
}

static void
hl_extract_dialog_choose (HlExtractDialog      *self,
                          GtkFileChooserAction  action,
                          const char           *title,
                          const char           *accept,
                          GCallback             callback,
                          Field                 field)
{
  GtkFileChooserNative *chooser;

  /* GTK 4.8 has no GtkFileDialog; the native chooser uses the portal. */
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "field", GINT_TO_POINTER (field));
  if (action == GTK_FILE_CHOOSER_ACTION_SAVE)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "activations.h5");
  else if (action == GTK_FILE_CHOOSER_ACTION_OPEN)
    add_filters (GTK_FILE_CHOOSER (chooser), field);
  g_signal_connect (chooser, "response", callback, g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
model_dir_button_clicked_cb (HlExtractDialog *self)
{
  hl_extract_dialog_choose (self, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("Choose a Model Folder"),
                            _("_Choose"), G_CALLBACK (open_chooser_response_cb),
                            FIELD_MODEL_DIR);
}

static void
checkpoint_button_clicked_cb (HlExtractDialog *self)
{
  hl_extract_dialog_choose (self, GTK_FILE_CHOOSER_ACTION_OPEN, _("Choose a Checkpoint"),
                            _("_Choose"), G_CALLBACK (open_chooser_response_cb),
                            FIELD_CHECKPOINT);
}

static void
tokenizer_button_clicked_cb (HlExtractDialog *self)
{
  hl_extract_dialog_choose (self, GTK_FILE_CHOOSER_ACTION_OPEN, _("Choose a Tokenizer"),
                            _("_Choose"), G_CALLBACK (open_chooser_response_cb),
                            FIELD_TOKENIZER);
}

static void
text_file_button_clicked_cb (HlExtractDialog *self)
{
  hl_extract_dialog_choose (self, GTK_FILE_CHOOSER_ACTION_OPEN, _("Load a Text File"),
                            _("_Load"), G_CALLBACK (open_chooser_response_cb), FIELD_TEXT);
}

static void
save_chooser_response_cb (GtkNativeDialog *chooser,
                          int              response,
                          gpointer         user_data)
{
  g_autoptr(HlExtractDialog) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && !gtk_widget_in_destruction (GTK_WIDGET (self)))
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      hl_extract_dialog_set_output (self, path);
    }

  g_object_unref (chooser);
}

static void
output_button_clicked_cb (HlExtractDialog *self)
{
  hl_extract_dialog_choose (self, GTK_FILE_CHOOSER_ACTION_SAVE, _("Save the Activation File"),
                            _("_Save"), G_CALLBACK (save_chooser_response_cb), FIELD_TEXT);
}

/* Running ------------------------------------------------------------------ */

static void
hl_extract_dialog_show_error (HlExtractDialog *self,
                              const GError    *error)
{
  const char *heading = _("Could Not Extract Activations");

  if (error->domain == HL_MODEL_ERROR)
    heading = _("Not a Usable Model Folder");
  else if (error->domain == HL_CHECKPOINT_ERROR)
    heading = _("Not a Usable llama2.c Checkpoint");
  else if (error->domain == HL_TOKENIZER_ERROR)
    heading = _("Not a Usable Tokenizer");

  hl_dialogs_show_error (GTK_WINDOW (self), heading, error->message);
}

static HlExtractOptions *
hl_extract_dialog_build_options (HlExtractDialog  *self,
                                 GError          **error)
{
  g_autoptr(HlExtractOptions) options = hl_extract_options_new ();
  static const char *specs[] = { "last", "all" };
  guint choice = adw_combo_row_get_selected (self->queries_row);
  const char *spec;

  if (self->model_dir != NULL)
    options->model_dir = g_strdup (self->model_dir);
  else
    {
      options->checkpoint_path = g_strdup (self->checkpoint_path);
      options->tokenizer_path = g_strdup (self->tokenizer_path);
    }
  options->output_path = g_strdup (self->output_path);
  options->text = dup_text (self);
  options->text_name = g_strdup (self->text_name);
  options->window = gtk_spin_button_get_value_as_int (self->window_spin);
  options->stride = gtk_spin_button_get_value_as_int (self->stride_spin);
  options->values_dtype = adw_combo_row_get_selected (self->dtype_row) == 1 ? HL_DTYPE_FLOAT32
                                                                            : HL_DTYPE_FLOAT16;
  spec = choice == QUERIES_LIST ? gtk_editable_get_text (GTK_EDITABLE (self->query_list_row))
                                : specs[choice];
  if (!hl_extract_options_set_queries (options, spec, error))
    return NULL;

  return g_steal_pointer (&options);
}

static void
extract_progress_cb (guint64  done,
                     guint64  total,
                     gpointer user_data)
{
  HlExtractDialog *self = user_data;
  double fraction = total > 0 ? (double) done / total : 0.0;
  g_autofree char *text = NULL;

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  /* Translators: the progress of an extraction, e.g. "Running the model… 42 %" */
  text = g_strdup_printf (_("Running the model… %.0f %%"), 100.0 * fraction);
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  gtk_progress_bar_set_text (self->progress_bar, text);
}

static void
extract_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HlExtractDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *summary = NULL;
  HlExtractResult out;
  gboolean ok;

  ok = hl_extract_finish (result, &out, &error);
  g_clear_object (&self->cancellable);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  hl_extract_dialog_update (self);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!ok)
    {
      hl_extract_dialog_show_error (self, error);
      return;
    }

  /* Every layer of every window ran, whichever progress reports the
   * main loop got to before this. */
  extract_progress_cb (1, 1, self);
  file = g_file_new_for_path (self->output_path);
  /* Translators: after an extraction, e.g. "288 text tokens in 1 sample; mean next-token loss 1.234 nats per token" */
  summary = g_strdup_printf (_("%d text tokens in %d samples; mean next-token loss %.3f nats "
                               "per token"), out.n_text_tokens, out.n_samples, out.loss);
  g_signal_emit (self, signals[EXTRACTED], 0, file, summary);
  gtk_window_close (GTK_WINDOW (self));
}

static void
hl_extract_dialog_run (HlExtractDialog *self)
{
  g_autoptr(HlExtractOptions) options = NULL;
  g_autoptr(GError) error = NULL;

  options = hl_extract_dialog_build_options (self, &error);
  if (options == NULL)
    {
      hl_extract_dialog_show_error (self, error);
      return;
    }

  self->cancellable = g_cancellable_new ();
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Reading the model…"));
  hl_extract_dialog_update (self);
  /* The callback's reference keeps @self, the progress data, alive. */
  hl_extract_async (options, self->cancellable, extract_progress_cb, self,
                    extract_done_cb, g_object_ref (self));
}

static void
replace_confirmed_cb (GtkWindow *parent,
                      gpointer   user_data)
{
  HlExtractDialog *self = HL_EXTRACT_DIALOG (parent);

  /* A run may have started since the question was asked: never start a
   * second one over it. */
  if (self->cancellable == NULL)
    hl_extract_dialog_run (self);
}

static void
hl_extract_dialog_confirm_replace (HlExtractDialog *self)
{
  g_autofree char *name = g_path_get_basename (self->output_path);
  g_autofree char *heading = g_strdup_printf (_("Replace “%s”?"), name);

  hl_dialogs_confirm_replace (GTK_WINDOW (self), heading,
                              _("The file exists already. The extraction writes a new "
                                "activation file in its place."),
                              replace_confirmed_cb, NULL, NULL);
}

void
hl_extract_dialog_start (HlExtractDialog *self)
{
  g_return_if_fail (HL_IS_EXTRACT_DIALOG (self));

  if (self->cancellable != NULL || !form_complete (self))
    return;

  if (g_file_test (self->output_path, G_FILE_TEST_EXISTS))
    hl_extract_dialog_confirm_replace (self);
  else
    hl_extract_dialog_run (self);
}

void
hl_extract_dialog_cancel (HlExtractDialog *self)
{
  g_return_if_fail (HL_IS_EXTRACT_DIALOG (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

gboolean
hl_extract_dialog_get_running (HlExtractDialog *self)
{
  g_return_val_if_fail (HL_IS_EXTRACT_DIALOG (self), FALSE);

  return self->cancellable != NULL;
}

double
hl_extract_dialog_get_fraction (HlExtractDialog *self)
{
  g_return_val_if_fail (HL_IS_EXTRACT_DIALOG (self), 0.0);

  return gtk_progress_bar_get_fraction (self->progress_bar);
}

static void
extract_button_clicked_cb (HlExtractDialog *self)
{
  hl_extract_dialog_start (self);
}

static void
cancel_button_clicked_cb (HlExtractDialog *self)
{
  hl_extract_dialog_cancel (self);
}

/* GObject ------------------------------------------------------------------ */

HlExtractDialog *
hl_extract_dialog_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (HL_TYPE_EXTRACT_DIALOG,
                       "transient-for", parent,
                       NULL);
}

/* Closing the dialog abandons a running extraction: nothing is written. */
static gboolean
hl_extract_dialog_close_request (GtkWindow *window)
{
  hl_extract_dialog_cancel (HL_EXTRACT_DIALOG (window));

  return GTK_WINDOW_CLASS (hl_extract_dialog_parent_class)->close_request (window);
}

static void
hl_extract_dialog_dispose (GObject *object)
{
  HlExtractDialog *self = HL_EXTRACT_DIALOG (object);

  hl_extract_dialog_cancel (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), HL_TYPE_EXTRACT_DIALOG);

  G_OBJECT_CLASS (hl_extract_dialog_parent_class)->dispose (object);
}

static void
hl_extract_dialog_finalize (GObject *object)
{
  HlExtractDialog *self = HL_EXTRACT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_free (self->model_dir);
  g_free (self->checkpoint_path);
  g_free (self->tokenizer_path);
  g_free (self->output_path);
  g_free (self->text_name);

  G_OBJECT_CLASS (hl_extract_dialog_parent_class)->finalize (object);
}

static void
hl_extract_dialog_class_init (HlExtractDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hl_extract_dialog_dispose;
  object_class->finalize = hl_extract_dialog_finalize;
  window_class->close_request = hl_extract_dialog_close_request;

  /**
   * HlExtractDialog::extracted:
   * @file: the activation file written
   * @summary: what was measured: the text's tokens, the samples and the
   *   model's mean next-token loss
   *
   * Emitted when an extraction has finished, just before the dialog
   * closes.
   */
  signals[EXTRACTED] = g_signal_new ("extracted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_FILE,
                                     G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/headlens/Headlens/ui/hl-extract-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, form);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, extract_button);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, model_dir_row);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, checkpoint_row);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, tokenizer_row);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, text_view);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, window_spin);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, stride_spin);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, queries_row);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, query_list_row);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, dtype_row);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, output_row);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, HlExtractDialog, progress_bar);
  gtk_widget_class_bind_template_callback (widget_class, extract_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, model_dir_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, checkpoint_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, tokenizer_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, text_file_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, output_button_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hl_extract_dialog_init (HlExtractDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (gtk_text_view_get_buffer (self->text_view), "changed",
                            G_CALLBACK (text_buffer_changed_cb), self);
  g_signal_connect_swapped (self->queries_row, "notify::selected",
                            G_CALLBACK (queries_row_selected_cb), self);
  set_path (self, &self->model_dir, self->model_dir_row, NULL);
  set_path (self, &self->checkpoint_path, self->checkpoint_row, NULL);
  set_path (self, &self->tokenizer_path, self->tokenizer_row, NULL);
  set_path (self, &self->output_path, self->output_row, NULL);
}
