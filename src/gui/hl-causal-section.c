/* hl-causal-section.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-section.h"

#include <glib/gi18n.h>

#include "hl-causal-store.h"
#include "hl-model-chooser.h"
#include "hl-plot-view.h"
#include "hl-session-figures.h"
#include "hl-session-watch.h"

struct _HlCausalSection
{
  GtkWidget       parent_instance;

  HlSession      *session;    /* owned, or NULL */
  HlCausalStore  *store;      /* owned: the session's, or NULL */
  char           *message;

  GtkWidget      *box;
  GtkWidget      *message_label;
  GtkWidget      *locate_box;
  GtkWidget      *measure_button;
  GtkWidget      *cancel_button;
  GtkWidget      *progress_bar;
  GtkWidget      *status_label;
  GtkWidget      *view;
};

G_DEFINE_FINAL_TYPE (HlCausalSection, hl_causal_section, GTK_TYPE_WIDGET)

GtkWidget *
hl_causal_section_new (void)
{
  return g_object_new (HL_TYPE_CAUSAL_SECTION, NULL);
}

/* Why the model cannot be used, headed by what kind of problem it is. */
static char *
dup_model_message (HlCausalStore *store)
{
  const char *detail = hl_causal_store_get_model_message (store);

  if (hl_causal_store_get_state (store) != HL_CAUSAL_STORE_NO_MODEL)
    return g_strdup_printf (_("Model: %s"), detail);
  switch (hl_causal_store_get_problem (store))
    {
    case HL_CAUSAL_MODEL_NOT_RECORDED:
      return g_strdup_printf (_("No model recorded. %s."), detail);
    case HL_CAUSAL_MODEL_NOT_FOUND:
      return g_strdup_printf (_("Model not found. %s."), detail);
    case HL_CAUSAL_MODEL_CHANGED:
      return g_strdup_printf (_("Model changed. %s. Choose the model the file was extracted with."), detail);
    case HL_CAUSAL_MODEL_UNREADABLE:
    case HL_CAUSAL_MODEL_OK:
    default:
      return g_strdup_printf (_("The model cannot be used: %s"), detail);
    }
}

static void
update_progress (HlCausalSection *self)
{
  gboolean busy = self->store != NULL && hl_causal_store_get_busy (self->store);

  gtk_widget_set_visible (self->progress_bar, busy);
  gtk_widget_set_visible (self->cancel_button, busy);
  gtk_label_set_text (GTK_LABEL (self->status_label), self->store != NULL ? hl_causal_store_get_status (self->store) : "");
  if (busy)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), hl_causal_store_get_progress (self->store));
}

static void
update_figure (HlCausalSection *self)
{
  g_autoptr(HlFigure) figure = NULL;
  int layer = -1, head = -1;

  if (self->store != NULL && hl_session_get_selected (self->session, &layer, &head))
    figure = hl_causal_store_build_head_figure (self->store, layer, head, HL_FIGURE_TARGET_SCREEN);
  hl_plot_view_set_figure (HL_PLOT_VIEW (self->view), figure);
}

static void
update (HlCausalSection *self)
{
  HlCausalStoreState state = self->store != NULL ? hl_causal_store_get_state (self->store)
                                                 : HL_CAUSAL_STORE_NO_FILE;

  g_free (self->message);
  self->message = self->store != NULL ? dup_model_message (self->store) : g_strdup ("");
  gtk_label_set_text (GTK_LABEL (self->message_label), self->message);
  gtk_widget_set_visible (self->locate_box, state == HL_CAUSAL_STORE_NO_MODEL);
  gtk_widget_set_sensitive (self->measure_button,
                            state == HL_CAUSAL_STORE_READY && !hl_causal_store_get_busy (self->store));
  update_progress (self);
  update_figure (self);
}

void
hl_causal_section_set_session (HlCausalSection *self,
                               HlSession       *session)
{
  static const char * const shown[] = { "selected-result", "n", "ranking", "distance", NULL };

  g_return_if_fail (HL_IS_CAUSAL_SECTION (self));

  if (!hl_session_watch (self, &self->session, session, shown, G_CALLBACK (update)))
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  if (session != NULL)
    {
      self->store = g_object_ref (hl_causal_store_get (session));
      g_signal_connect_swapped (self->store, "changed", G_CALLBACK (update), self);
      g_signal_connect_swapped (self->store, "progress", G_CALLBACK (update_progress), self);
    }
  update (self);
}

void
hl_causal_section_measure (HlCausalSection *self)
{
  int layer, head;

  g_return_if_fail (HL_IS_CAUSAL_SECTION (self));

  if (self->store != NULL && hl_session_get_selected (self->session, &layer, &head))
    hl_causal_store_run_head (self->store, layer, head);
}

static void
cancel_clicked_cb (HlCausalSection *self)
{
  if (self->store != NULL)
    hl_causal_store_cancel (self->store);
}

static void
model_chosen_cb (const char *path,
                 gpointer    user_data)
{
  HlCausalSection *self = user_data;

  if (self->store != NULL)
    hl_causal_store_locate_model (self->store, path);
}

static void
locate (HlCausalSection *self,
        gboolean         folder)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  hl_model_chooser_present (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, folder, model_chosen_cb,
                            G_OBJECT (self));
}

static void
locate_checkpoint_clicked_cb (HlCausalSection *self)
{
  locate (self, FALSE);
}

static void
locate_folder_clicked_cb (HlCausalSection *self)
{
  locate (self, TRUE);
}

/* Accessors --------------------------------------------------------------- */

const char *
hl_causal_section_get_message (HlCausalSection *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_SECTION (self), NULL);

  return self->message != NULL ? self->message : "";
}

const char *
hl_causal_section_get_status (HlCausalSection *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_SECTION (self), NULL);

  return gtk_label_get_text (GTK_LABEL (self->status_label));
}

HlFigure *
hl_causal_section_get_figure (HlCausalSection *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_SECTION (self), NULL);

  return hl_plot_view_get_figure (HL_PLOT_VIEW (self->view));
}

/* Building ----------------------------------------------------------------- */

static GtkWidget *
button_new (const char *label,
            GCallback   callback,
            gpointer    self)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  g_signal_connect_swapped (button, "clicked", callback, self);
  return button;
}

static GtkWidget *
label_new (const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
build_run_row (HlCausalSection *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  self->measure_button = button_new (_("_Measure Δ NLL against N"), G_CALLBACK (hl_causal_section_measure), self);
  gtk_widget_set_tooltip_text (self->measure_button,
                               _("Keep only each query’s top N keys of this head, N = 1, 2, 4, …, in the model "
                                 "the file was extracted with, and measure the next-token loss on the file’s "
                                 "windows"));
  self->cancel_button = button_new (_("_Cancel"), G_CALLBACK (cancel_clicked_cb), self);
  self->progress_bar = gtk_progress_bar_new ();
  gtk_widget_set_hexpand (self->progress_bar, TRUE);
  gtk_widget_set_valign (self->progress_bar, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (row), self->measure_button);
  gtk_box_append (GTK_BOX (row), self->cancel_button);
  gtk_box_append (GTK_BOX (row), self->progress_bar);
  return row;
}

static GtkWidget *
build_locate_row (HlCausalSection *self)
{
  self->locate_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (self->locate_box),
                  button_new (_("Locate C_heckpoint…"), G_CALLBACK (locate_checkpoint_clicked_cb), self));
  gtk_box_append (GTK_BOX (self->locate_box),
                  button_new (_("Locate Model _Folder…"), G_CALLBACK (locate_folder_clicked_cb), self));
  return self->locate_box;
}

static void
build (HlCausalSection *self)
{
  GtkWidget *heading = gtk_label_new (_("Causal"));

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  self->message_label = label_new ("dim-label");
  self->status_label = label_new ("dim-label");
  gtk_label_set_selectable (GTK_LABEL (self->status_label), TRUE);
  self->view = hl_plot_view_new (_("Δ NLL against N beside precision, recall and F1"));
  hl_plot_view_set_placeholder (HL_PLOT_VIEW (self->view),
                                _("Measure this head to plot its Δ NLL against N beside its P/R/F curves"));
  gtk_widget_set_size_request (self->view, 560, 300);
  gtk_box_append (GTK_BOX (self->box), heading);
  gtk_box_append (GTK_BOX (self->box), self->message_label);
  gtk_box_append (GTK_BOX (self->box), build_locate_row (self));
  gtk_box_append (GTK_BOX (self->box), build_run_row (self));
  gtk_box_append (GTK_BOX (self->box), self->status_label);
  gtk_box_append (GTK_BOX (self->box), self->view);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}

static void
hl_causal_section_dispose (GObject *object)
{
  HlCausalSection *self = HL_CAUSAL_SECTION (object);

  hl_causal_section_set_session (self, NULL);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (hl_causal_section_parent_class)->dispose (object);
}

static void
hl_causal_section_finalize (GObject *object)
{
  HlCausalSection *self = HL_CAUSAL_SECTION (object);

  g_free (self->message);

  G_OBJECT_CLASS (hl_causal_section_parent_class)->finalize (object);
}

static void
hl_causal_section_class_init (HlCausalSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_causal_section_dispose;
  object_class->finalize = hl_causal_section_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hl_causal_section_init (HlCausalSection *self)
{
  build (self);
  update (self);
}
