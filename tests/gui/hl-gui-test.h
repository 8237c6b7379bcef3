/* hl-gui-test.h: what the widget tests share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hl-test-util.h"

G_BEGIN_DECLS

/* The bundled sample ($HEADLENS_SAMPLE); skips the test and returns NULL
 * when it is not there. */
GFile     *hl_test_dup_sample           (void);

/* The AdwMessageDialog transient for @parent, or NULL. */
AdwMessageDialog *hl_test_find_message_dialog (GtkWindow *parent);

/* Destroys @window and asserts it is finalized. */
void       hl_test_destroy_window       (GtkWindow      *window);

G_END_DECLS
