/* hl-model-chooser.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-model-chooser.h"

#include <glib/gi18n.h>

typedef struct
{
  HlModelChosenFunc  func;
  GObject           *user_data;   /* owned */
} Chooser;

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         data)
{
  Chooser *chooser = data;

  if (response == GTK_RESPONSE_ACCEPT &&
      !(GTK_IS_WIDGET (chooser->user_data) && gtk_widget_in_destruction (GTK_WIDGET (chooser->user_data))))
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        chooser->func (path, chooser->user_data);
    }
  g_object_unref (chooser->user_data);
  g_free (chooser);
  g_object_unref (dialog);
}

void
hl_model_chooser_present (GtkWindow         *parent,
                          gboolean           folder,
                          HlModelChosenFunc  func,
                          GObject           *user_data)
{
  /* GTK 4.8 has no GtkFileDialog; the native chooser uses the portal. */
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (folder ? _("Choose the Model Folder") : _("Choose the llama2.c Checkpoint"),
                                 parent,
                                 folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN,
                                 _("_Choose"), _("_Cancel"));
  Chooser *chooser = g_new (Chooser, 1);

  g_return_if_fail (func != NULL && G_IS_OBJECT (user_data));

  chooser->func = func;
  chooser->user_data = g_object_ref (user_data);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (chooser_response_cb), chooser);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}
