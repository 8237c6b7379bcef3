/* hl-preferences-window.h: the analysis settings (GSettings), edited.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HL_TYPE_PREFERENCES_WINDOW (hl_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (HlPreferencesWindow, hl_preferences_window, HL, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* @parent may be NULL. */
HlPreferencesWindow *hl_preferences_window_new (GtkWindow *parent);

G_END_DECLS
