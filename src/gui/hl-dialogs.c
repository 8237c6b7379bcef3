/* hl-dialogs.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-dialogs.h"

/* What the answer to a replace question needs. The parent is held weakly,
 * as g_signal_connect_object() would: a window closed while its question is
 * open must not be written through afterwards. */
typedef struct
{
  GWeakRef             parent;
  gboolean             has_parent;
  HlDialogsReplaceFunc replace;
  gpointer             user_data;
  GDestroyNotify       destroy;
} Confirm;

static void
confirm_free (gpointer  data,
              GClosure *closure)
{
  Confirm *confirm = data;

  g_weak_ref_clear (&confirm->parent);
  if (confirm->destroy != NULL)
    confirm->destroy (confirm->user_data);
  g_free (confirm);
}

static void
confirm_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  Confirm *confirm = user_data;
  g_autoptr(GtkWindow) parent = g_weak_ref_get (&confirm->parent);

  if (g_strcmp0 (response, "replace") != 0)
    return;
  if (confirm->has_parent && parent == NULL)
    return;

  confirm->replace (parent, confirm->user_data);
}

void
hl_dialogs_show_error (GtkWindow  *parent,
                       const char *heading,
                       const char *body)
{
  GtkWidget *dialog;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (heading != NULL);

  dialog = adw_message_dialog_new (parent, heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
hl_dialogs_confirm_replace (GtkWindow            *parent,
                            const char           *heading,
                            const char           *body,
                            HlDialogsReplaceFunc  replace,
                            gpointer              user_data,
                            GDestroyNotify        destroy)
{
  Confirm *confirm;
  GtkWidget *dialog;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (heading != NULL);
  g_return_if_fail (replace != NULL);

  confirm = g_new0 (Confirm, 1);
  g_weak_ref_init (&confirm->parent, parent);
  confirm->has_parent = parent != NULL;
  confirm->replace = replace;
  confirm->user_data = user_data;
  confirm->destroy = destroy;

  dialog = adw_message_dialog_new (parent, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "replace", _("_Replace"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "replace",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (confirm_response_cb),
                         confirm, confirm_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
