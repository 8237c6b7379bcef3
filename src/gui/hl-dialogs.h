/* hl-dialogs.h: the two message dialogs several windows ask: an error
 * report and the question before a file is overwritten.
 *
 * Both are AdwMessageDialogs transient for the window that asks, so they
 * look and answer the same everywhere (and tests find them the same way):
 * the error has one "close" response; the question has "cancel" (the
 * default, also what closing it answers) and a destructive "replace".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Called when the user picks Replace, with the window that asked (NULL if
 * it asked with no window) and the caller's data. */
typedef void (*HlDialogsReplaceFunc) (GtkWindow *parent,
                                      gpointer   user_data);

/* Shows @heading and @body with a Close button. */
void hl_dialogs_show_error     (GtkWindow            *parent,
                                const char           *heading,
                                const char           *body);
/* Asks @heading and @body with Cancel and Replace, and calls @replace on
 * Replace, unless @parent has been finalized meanwhile. @destroy frees
 * @user_data when the dialog goes away, whatever the answer. */
void hl_dialogs_confirm_replace (GtkWindow            *parent,
                                 const char           *heading,
                                 const char           *body,
                                 HlDialogsReplaceFunc  replace,
                                 gpointer              user_data,
                                 GDestroyNotify        destroy);

G_END_DECLS
