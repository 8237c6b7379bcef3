/* hl-session-watch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-session-watch.h"

gboolean
hl_session_watch (gpointer             view,
                  HlSession          **field,
                  HlSession           *session,
                  const char * const  *properties,
                  GCallback            notify_cb)
{
  g_return_val_if_fail (G_IS_OBJECT (view), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);
  g_return_val_if_fail (session == NULL || HL_IS_SESSION (session), FALSE);

  if (*field == session)
    return FALSE;

  if (*field != NULL)
    g_signal_handlers_disconnect_by_data (*field, view);
  g_set_object (field, session);
  if (session == NULL)
    return TRUE;

  if (properties == NULL)
    g_signal_connect_swapped (session, "notify", notify_cb, view);
  for (guint i = 0; properties != NULL && properties[i] != NULL; i++)
    {
      g_autofree char *signal = g_strconcat ("notify::", properties[i], NULL);

      g_signal_connect_swapped (session, signal, notify_cb, view);
    }
  return TRUE;
}
