/* hl-export-metrics.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-dialogs.h"
#include "hl-export-metrics.h"
#include "hl-metrics-csv.h"

const char * const hl_export_metrics_files[6] = {
  "curves.csv", "heads.csv", "model.csv", "assumptions.csv", "provenance.json", "tokens.csv",
};

/* What a pending export needs once the user has answered. */
typedef struct
{
  HlAnalysis      *analysis;
  char            *dir;
  AdwToastOverlay *overlay;   /* weak: the window may close meanwhile */
} Pending;

static Pending *
pending_new (HlAnalysis      *analysis,
             const char      *dir,
             AdwToastOverlay *overlay)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->analysis = g_object_ref (analysis);
  pending->dir = g_strdup (dir);
  g_set_weak_pointer (&pending->overlay, overlay);
  return pending;
}

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->analysis);
  g_free (pending->dir);
  g_clear_weak_pointer (&pending->overlay);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static gboolean
write_files (GtkWindow       *parent,
             HlAnalysis      *analysis,
             const char      *dir,
             AdwToastOverlay *overlay)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!hl_metrics_csv_write (analysis, dir, &error))
    {
      hl_dialogs_show_error (parent, _("Could Not Export the Metrics"), error->message);
      return FALSE;
    }

  if (overlay != NULL)
    {
      const HlActivationsInfo *info = hl_activations_get_info (hl_analysis_get_file (analysis));

      /* Translators: %s is a folder */
      message = info->has_token_ids || info->has_token_texts
                ? g_strdup_printf (_("Saved the metrics and tokens.csv in “%s”"), dir)
                : g_strdup_printf (_("Saved the metrics in “%s”"), dir);
      adw_toast_overlay_add_toast (overlay, adw_toast_new (message));
    }
  return TRUE;
}

/* Those of the files that are in @dir already, as a list for the
 * question ("curves.csv, heads.csv"), or NULL. */
static char *
existing_files (const char *dir)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (G_N_ELEMENTS (hl_export_metrics_files), NULL, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (hl_export_metrics_files); i++)
    {
      g_autofree char *path = g_build_filename (dir, hl_export_metrics_files[i], NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        g_ptr_array_add (names, (gpointer) hl_export_metrics_files[i]);
    }
  if (names->len == 0)
    return NULL;

  return g_strjoinv (", ", (char **) names->pdata);
}

static void
replace_confirmed_cb (GtkWindow *parent,
                      gpointer   user_data)
{
  Pending *pending = user_data;

  write_files (parent, pending->analysis, pending->dir, pending->overlay);
}

static void
confirm_replace (GtkWindow       *parent,
                 HlAnalysis      *analysis,
                 const char      *dir,
                 const char      *existing,
                 AdwToastOverlay *overlay)
{
  g_autofree char *body = NULL;

  body = g_strdup_printf (_("“%s” already has %s from an earlier export. "
                            "Replacing them overwrites their contents."), dir, existing);
  hl_dialogs_confirm_replace (parent, _("Replace the Metrics Files?"), body,
                              replace_confirmed_cb, pending_new (analysis, dir, overlay),
                              (GDestroyNotify) pending_free);
}

gboolean
hl_export_metrics_to_folder (GtkWindow       *parent,
                             HlAnalysis      *analysis,
                             const char      *dir,
                             AdwToastOverlay *overlay)
{
  g_autofree char *existing = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), FALSE);
  g_return_val_if_fail (HL_IS_ANALYSIS (analysis), FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (overlay == NULL || ADW_IS_TOAST_OVERLAY (overlay), FALSE);

  existing = existing_files (dir);
  if (existing != NULL)
    {
      confirm_replace (parent, analysis, dir, existing, overlay);
      return FALSE;
    }

  return write_files (parent, analysis, dir, overlay);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(Pending) pending = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *dir = g_file_get_path (folder);

      if (dir != NULL)
        hl_export_metrics_to_folder (gtk_native_dialog_get_transient_for (chooser),
                                     pending->analysis, dir, pending->overlay);
    }

  g_object_unref (chooser);
}

void
hl_export_metrics_choose_folder (GtkWindow       *parent,
                                 HlAnalysis      *analysis,
                                 AdwToastOverlay *overlay)
{
  GtkFileChooserNative *chooser;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (HL_IS_ANALYSIS (analysis));

  chooser = gtk_file_chooser_native_new (_("Export Metrics to a Folder"), parent,
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb),
                    pending_new (analysis, "", overlay));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
