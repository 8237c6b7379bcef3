/* hl-window.h: the main window: one activation file, explored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hl-explorer.h"

G_BEGIN_DECLS

#define HL_TYPE_WINDOW (hl_window_get_type ())
G_DECLARE_FINAL_TYPE (HlWindow, hl_window, HL, WINDOW, AdwApplicationWindow)

HlWindow      *hl_window_new             (GtkApplication *application);

/* Opens @file in the window's session (on a worker thread). On success it
 * replaces the open file; on failure a dialog shows the reader's message
 * and the open file stays. */
void           hl_window_open            (HlWindow      *self,
                                          GFile         *file);

/* Asks for a file with the platform's file chooser, then opens it. */
void           hl_window_choose_file     (HlWindow      *self);
/* A folder of activation files, opened as one corpus. */
void           hl_window_choose_folder   (HlWindow      *self);

/* What the window shows: the open file, its analysis and view. */
HlSession     *hl_window_get_session     (HlWindow      *self);
/* The Recent Files menu: the activation files opened last, newest first,
 * each "name — model". */
GMenuModel    *hl_window_get_recent_menu (HlWindow      *self);
/* The tooltip of item @index of the recent files menu as its button shows
 * it: the file's full path (NULL: none). */
const char    *hl_window_get_recent_tooltip (HlWindow   *self,
                                             guint       index);

/* The explorer of the open file. */
HlExplorer    *hl_window_get_explorer    (HlWindow      *self);

/* Actions: win.export-figure (Ctrl+E; the figure pointed at is selected),
 * win.export-named-figure (s: a figure's basename), win.export-metrics
 * (enabled once the analysis has finished), win.extract. */

G_END_DECLS
