/* hl-window.h: the main window: one activation file, explored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hl-activations.h"
#include "hl-application.h"
#include "hl-explorer.h"

G_BEGIN_DECLS

#define HL_TYPE_WINDOW (hl_window_get_type ())
G_DECLARE_FINAL_TYPE (HlWindow, hl_window, HL, WINDOW, AdwApplicationWindow)

HlWindow      *hl_window_new             (HlApplication *application);

/* Opens @file on a worker thread. On success it replaces the open file; on
 * failure a dialog shows the reader's message and the open file stays. */
void           hl_window_open            (HlWindow      *self,
                                          GFile         *file);

/* Asks for a file with the platform's file chooser, then opens it. */
void           hl_window_choose_file     (HlWindow      *self);

/* The open file, or NULL before the first file opened. */
HlActivations *hl_window_get_activations (HlWindow      *self);

/* The explorer of the open file. */
HlExplorer    *hl_window_get_explorer    (HlWindow      *self);

/* TRUE while a file is being opened. */
gboolean       hl_window_get_loading     (HlWindow      *self);

G_END_DECLS
