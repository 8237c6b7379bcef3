/* hl-head-compare.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-head-compare.h"
#include "hl-plot-view.h"
#include "hl-session-figures.h"
#include "hl-session-watch.h"

struct _HlHeadCompare
{
  GtkWidget   parent_instance;

  GtkWidget  *pin_button;
  GtkWidget  *unpin_button;
  GtkLabel   *status_label;
  HlPlotView *plot_view;
  HlSession  *session;     /* owned, or NULL */
};

G_DEFINE_FINAL_TYPE (HlHeadCompare, hl_head_compare, GTK_TYPE_WIDGET)

GtkWidget *
hl_head_compare_new (void)
{
  return g_object_new (HL_TYPE_HEAD_COMPARE, NULL);
}

HlFigure *
hl_head_compare_get_figure (HlHeadCompare *self)
{
  g_return_val_if_fail (HL_IS_HEAD_COMPARE (self), NULL);

  return hl_plot_view_get_figure (self->plot_view);
}

const char *
hl_head_compare_get_status (HlHeadCompare *self)
{
  g_return_val_if_fail (HL_IS_HEAD_COMPARE (self), NULL);

  return gtk_label_get_text (self->status_label);
}

/* What the comparison shows, or why it shows nothing. */
static char *
dup_status (HlHeadCompare *self,
            HlFigure      *figure)
{
  int layer, head, pinned_layer, pinned_head;

  if (self->session == NULL || !hl_session_get_pinned (self->session, &pinned_layer, &pinned_head))
    return g_strdup (_("Pin this head, then select another to see both side by side."));
  hl_session_get_selected (self->session, &layer, &head);
  if (layer == pinned_layer && head == pinned_head)
    return g_strdup_printf (_("Layer %d · Head %d is pinned: select another head to compare it with."),
                            pinned_layer, pinned_head);
  if (figure == NULL)
    return g_strdup_printf (_("Layer %d · Head %d against the pinned Layer %d · Head %d: waiting for both heads’ results…"),
                            layer, head, pinned_layer, pinned_head);
  return g_strdup_printf (_("Layer %d · Head %d (solid) against the pinned Layer %d · Head %d (dashed), at the same sample, query and N."),
                          layer, head, pinned_layer, pinned_head);
}

static void
hl_head_compare_update (HlHeadCompare *self)
{
  g_autoptr(HlFigure) figure = NULL;
  g_autofree char *status = NULL;
  int layer = -1, head = -1, pinned_layer = -1, pinned_head = -1;

  if (self->session != NULL)
    {
      figure = hl_session_build_figure (self->session, HL_SESSION_FIGURE_COMPARE,
                                        HL_FIGURE_TARGET_SCREEN);
      hl_session_get_selected (self->session, &layer, &head);
      hl_session_get_pinned (self->session, &pinned_layer, &pinned_head);
    }
  status = dup_status (self, figure);
  gtk_label_set_text (self->status_label, status);
  hl_plot_view_set_figure (self->plot_view, figure);
  gtk_widget_set_visible (GTK_WIDGET (self->plot_view), figure != NULL);
  gtk_widget_set_sensitive (self->pin_button,
                            layer >= 0 && (layer != pinned_layer || head != pinned_head));
  gtk_widget_set_visible (self->unpin_button, pinned_layer >= 0);
}

static void
session_notify_cb (HlHeadCompare *self,
                   GParamSpec    *pspec,
                   HlSession     *session)
{
  hl_head_compare_update (self);
}

/* The pinned head's result may arrive after the selected one's. */
static void
session_result_added_cb (HlHeadCompare *self,
                         HlHeadResult  *result,
                         HlSession     *session)
{
  if (hl_plot_view_get_figure (self->plot_view) == NULL
      && hl_session_get_pinned (session, NULL, NULL))
    hl_head_compare_update (self);
}

void
hl_head_compare_set_session (HlHeadCompare *self,
                             HlSession     *session)
{
  static const char * const shown[] = {
    "selected-result", "head-data", "pinned-layer", "pinned-head", "pinned-data", "n",
    "ranking", "distance", "analysis", NULL
  };

  g_return_if_fail (HL_IS_HEAD_COMPARE (self));

  /* The watch moves every handler of this widget, "result-added" too. */
  if (!hl_session_watch (self, &self->session, session, shown, G_CALLBACK (session_notify_cb)))
    return;
  if (session != NULL)
    g_signal_connect_swapped (session, "result-added", G_CALLBACK (session_result_added_cb), self);
  hl_head_compare_update (self);
}

static void
pin_clicked_cb (HlHeadCompare *self,
                GtkButton     *button)
{
  int layer, head;

  if (self->session != NULL && hl_session_get_selected (self->session, &layer, &head))
    hl_session_pin (self->session, layer, head);
}

static void
unpin_clicked_cb (HlHeadCompare *self,
                  GtkButton     *button)
{
  if (self->session != NULL)
    hl_session_pin (self->session, -1, -1);
}

static void
hl_head_compare_dispose (GObject *object)
{
  HlHeadCompare *self = HL_HEAD_COMPARE (object);
  GtkWidget *child;

  hl_head_compare_set_session (self, NULL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (hl_head_compare_parent_class)->dispose (object);
}

static void
hl_head_compare_class_init (HlHeadCompareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_head_compare_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static GtkWidget *
header_new (HlHeadCompare *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *heading = gtk_label_new (_("Comparison"));

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_hexpand (heading, TRUE);
  gtk_widget_add_css_class (heading, "heading");
  self->pin_button = gtk_button_new_with_mnemonic (_("_Pin This Head"));
  gtk_widget_set_tooltip_text (self->pin_button,
                               _("Keep this head to compare it with the next one you select"));
  g_signal_connect_swapped (self->pin_button, "clicked", G_CALLBACK (pin_clicked_cb), self);
  self->unpin_button = gtk_button_new_with_mnemonic (_("_Unpin"));
  g_signal_connect_swapped (self->unpin_button, "clicked", G_CALLBACK (unpin_clicked_cb), self);
  gtk_box_append (GTK_BOX (bar), heading);
  gtk_box_append (GTK_BOX (bar), self->pin_button);
  gtk_box_append (GTK_BOX (bar), self->unpin_button);
  return bar;
}

static void
hl_head_compare_init (HlHeadCompare *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);
  gtk_widget_set_parent (header_new (self), GTK_WIDGET (self));
  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->status_label, 0);
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_widget_set_parent (GTK_WIDGET (self->status_label), GTK_WIDGET (self));
  self->plot_view = HL_PLOT_VIEW (hl_plot_view_new (_("Two heads compared: precision, recall and F1 over N, and their scatters")));
  gtk_widget_set_size_request (GTK_WIDGET (self->plot_view), -1, 400);
  gtk_widget_set_parent (GTK_WIDGET (self->plot_view), GTK_WIDGET (self));
  hl_head_compare_update (self);
}
