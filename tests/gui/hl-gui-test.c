/* hl-gui-test.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-gui-test.h"

GFile *
hl_test_dup_sample (void)
{
  const char *path = g_getenv ("HEADLENS_SAMPLE");

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("the bundled sample ($HEADLENS_SAMPLE) has not been generated");
      return NULL;
    }

  return g_file_new_for_path (path);
}

AdwMessageDialog *
hl_test_find_message_dialog (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window)
          && gtk_window_get_transient_for (window) == parent)
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

void
hl_test_destroy_window (GtkWindow *window)
{
  g_object_ref (window);
  gtk_window_destroy (window);
  /* Let pending idles and frame callbacks drop their references. */
  hl_test_spin (50);
  g_assert_finalize_object (window);
}
