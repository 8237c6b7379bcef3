/* hl-session-watch.h: how the widgets showing a session hold it and follow
 * the properties they draw.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-session.h"

G_BEGIN_DECLS

/* Replaces the session @view keeps in *@field with @session (a new
 * reference, or NULL), moving @view's handlers: @notify_cb (connected
 * swapped, as a "notify" handler of @view) runs when any of @properties
 * (NULL-terminated; NULL: every property) changes. Returns FALSE, and does
 * nothing, when @session is already there. */
gboolean hl_session_watch (gpointer             view,
                           HlSession          **field,
                           HlSession           *session,
                           const char * const  *properties,
                           GCallback            notify_cb);

G_END_DECLS
