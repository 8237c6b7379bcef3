/* hl-model-chooser.h: asks where the model an activation file was
 * extracted with is now: a llama2.c checkpoint or a model folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Called with the path chosen; not called when the user cancels. */
typedef void (*HlModelChosenFunc) (const char *path,
                                   gpointer    user_data);

/* Shows a file chooser for a checkpoint (@folder FALSE) or a model folder
 * over @parent; @user_data is an object, held until the chooser closes. */
void hl_model_chooser_present (GtkWindow         *parent,
                               gboolean           folder,
                               HlModelChosenFunc  func,
                               GObject           *user_data);

G_END_DECLS
