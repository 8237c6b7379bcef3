/* hl-causal-bar.h: the controls the explorer's causal views share, over a
 * session's HlCausalStore: what the model is (or why it cannot be used,
 * with buttons to locate it), a button that starts an experiment, Cancel
 * and the progress while one runs, and what the last run said.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-causal-store.h"

G_BEGIN_DECLS

#define HL_TYPE_CAUSAL_BAR (hl_causal_bar_get_type ())
G_DECLARE_FINAL_TYPE (HlCausalBar, hl_causal_bar, HL, CAUSAL_BAR, GtkWidget)

/* @label (with a mnemonic) and @tooltip name the button that runs; its
 * "clicked" goes to @callback (swapped: @user_data first). */
GtkWidget  *hl_causal_bar_new         (const char    *label,
                                       const char    *tooltip,
                                       GCallback      callback,
                                       gpointer       user_data);
/* The store followed, or NULL. */
void        hl_causal_bar_set_store   (HlCausalBar   *self,
                                       HlCausalStore *store);
/* A view's move to @session's store: *@store (the view's field, owned)
 * becomes it (NULL without a session), with @changed_cb connected swapped
 * (@view first) to its "changed", and the bar follows it too. */
void        hl_causal_bar_follow_session (HlCausalBar    *self,
                                          HlCausalStore **store,
                                          HlSession      *session,
                                          GCallback       changed_cb,
                                          gpointer        view);
const char *hl_causal_bar_get_message (HlCausalBar   *self);
const char *hl_causal_bar_get_status  (HlCausalBar   *self);

G_END_DECLS
