/* hl-causal-bar.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-bar.h"

#include <glib/gi18n.h>

#include "hl-model-chooser.h"

struct _HlCausalBar
{
  GtkWidget       parent_instance;

  HlCausalStore  *store;      /* owned, or NULL */

  GtkWidget      *box;
  GtkWidget      *message_label;
  GtkWidget      *locate_box;
  GtkWidget      *run_button;
  GtkWidget      *cancel_button;
  GtkWidget      *progress_bar;
  GtkWidget      *status_label;
};

G_DEFINE_FINAL_TYPE (HlCausalBar, hl_causal_bar, GTK_TYPE_WIDGET)

static void
update_progress (HlCausalBar *self)
{
  gboolean busy = self->store != NULL && hl_causal_store_get_busy (self->store);

  gtk_widget_set_visible (self->progress_bar, busy);
  gtk_widget_set_visible (self->cancel_button, busy);
  gtk_label_set_text (GTK_LABEL (self->status_label), self->store != NULL ? hl_causal_store_get_status (self->store) : "");
  if (busy)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), hl_causal_store_get_progress (self->store));
}

static void
update (HlCausalBar *self)
{
  HlCausalStoreState state = self->store != NULL ? hl_causal_store_get_state (self->store) : HL_CAUSAL_STORE_NO_FILE;
  g_autofree char *message = self->store != NULL ? hl_causal_store_dup_explanation (self->store) : g_strdup ("");

  gtk_label_set_text (GTK_LABEL (self->message_label), message);
  gtk_widget_set_visible (self->locate_box, state == HL_CAUSAL_STORE_NO_MODEL);
  gtk_widget_set_sensitive (self->run_button, (state == HL_CAUSAL_STORE_READY || state == HL_CAUSAL_STORE_FOUND) &&
                                              !hl_causal_store_get_busy (self->store));
  update_progress (self);
}

void
hl_causal_bar_set_store (HlCausalBar   *self,
                         HlCausalStore *store)
{
  g_return_if_fail (HL_IS_CAUSAL_BAR (self));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    {
      g_signal_connect_swapped (store, "changed", G_CALLBACK (update), self);
      g_signal_connect_swapped (store, "progress", G_CALLBACK (update_progress), self);
    }
  update (self);
}

void
hl_causal_bar_follow_session (HlCausalBar    *self,
                              HlCausalStore **store,
                              HlSession      *session,
                              GCallback       changed_cb,
                              gpointer        view)
{
  g_return_if_fail (HL_IS_CAUSAL_BAR (self));

  if (*store != NULL)
    g_signal_handlers_disconnect_by_data (*store, view);
  g_clear_object (store);
  if (session != NULL)
    {
      *store = g_object_ref (hl_causal_store_get (session));
      g_signal_connect_swapped (*store, "changed", changed_cb, view);
    }
  hl_causal_bar_set_store (self, *store);
}

const char *
hl_causal_bar_get_message (HlCausalBar *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_BAR (self), NULL);

  return gtk_label_get_text (GTK_LABEL (self->message_label));
}

const char *
hl_causal_bar_get_status (HlCausalBar *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_BAR (self), NULL);

  return gtk_label_get_text (GTK_LABEL (self->status_label));
}

static void
cancel_clicked_cb (HlCausalBar *self)
{
  if (self->store != NULL)
    hl_causal_store_cancel (self->store);
}

static void
model_chosen_cb (const char *path,
                 gpointer    user_data)
{
  HlCausalBar *self = user_data;

  if (self->store != NULL)
    hl_causal_store_locate_model (self->store, path);
}

static void
locate (HlCausalBar *self,
        gboolean     folder)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  hl_model_chooser_present (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, folder, model_chosen_cb,
                            G_OBJECT (self));
}

static void
locate_checkpoint_clicked_cb (HlCausalBar *self)
{
  locate (self, FALSE);
}

static void
locate_folder_clicked_cb (HlCausalBar *self)
{
  locate (self, TRUE);
}

/* Building ----------------------------------------------------------------- */

static GtkWidget *
button_new (const char *label,
            GCallback   callback,
            gpointer    user_data)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  g_signal_connect_swapped (button, "clicked", callback, user_data);
  return button;
}

static GtkWidget *
dim_label_new (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static GtkWidget *
build_locate_row (HlCausalBar *self)
{
  self->locate_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (self->locate_box),
                  button_new (_("Locate C_heckpoint…"), G_CALLBACK (locate_checkpoint_clicked_cb), self));
  gtk_box_append (GTK_BOX (self->locate_box),
                  button_new (_("Locate Model _Folder…"), G_CALLBACK (locate_folder_clicked_cb), self));
  return self->locate_box;
}

static GtkWidget *
build_run_row (HlCausalBar *self,
               const char  *label,
               const char  *tooltip,
               GCallback    callback,
               gpointer     user_data)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  self->run_button = button_new (label, callback, user_data);
  gtk_widget_set_tooltip_text (self->run_button, tooltip);
  self->cancel_button = button_new (_("_Cancel"), G_CALLBACK (cancel_clicked_cb), self);
  self->progress_bar = gtk_progress_bar_new ();
  gtk_widget_set_hexpand (self->progress_bar, TRUE);
  gtk_widget_set_valign (self->progress_bar, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (row), self->run_button);
  gtk_box_append (GTK_BOX (row), self->cancel_button);
  gtk_box_append (GTK_BOX (row), self->progress_bar);
  return row;
}

GtkWidget *
hl_causal_bar_new (const char *label,
                   const char *tooltip,
                   GCallback   callback,
                   gpointer    user_data)
{
  HlCausalBar *self = g_object_new (HL_TYPE_CAUSAL_BAR, NULL);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  self->message_label = dim_label_new ();
  self->status_label = dim_label_new ();
  gtk_label_set_selectable (GTK_LABEL (self->status_label), TRUE);
  gtk_box_append (GTK_BOX (self->box), self->message_label);
  gtk_box_append (GTK_BOX (self->box), build_locate_row (self));
  gtk_box_append (GTK_BOX (self->box), build_run_row (self, label, tooltip, callback, user_data));
  gtk_box_append (GTK_BOX (self->box), self->status_label);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  update (self);
  return GTK_WIDGET (self);
}

static void
hl_causal_bar_dispose (GObject *object)
{
  HlCausalBar *self = HL_CAUSAL_BAR (object);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (hl_causal_bar_parent_class)->dispose (object);
}

static void
hl_causal_bar_class_init (HlCausalBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_causal_bar_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hl_causal_bar_init (HlCausalBar *self)
{
}
