/* hl-causal-section.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-section.h"

#include <glib/gi18n.h>

#include "hl-causal-bar.h"
#include "hl-causal-store.h"
#include "hl-plot-view.h"
#include "hl-session-watch.h"

struct _HlCausalSection
{
  GtkWidget       parent_instance;

  HlSession      *session;    /* owned, or NULL */
  HlCausalStore  *store;      /* owned: the session's, or NULL */

  GtkWidget      *box;
  HlCausalBar    *bar;
  GtkWidget      *view;
};

G_DEFINE_FINAL_TYPE (HlCausalSection, hl_causal_section, GTK_TYPE_WIDGET)

GtkWidget *
hl_causal_section_new (void)
{
  return g_object_new (HL_TYPE_CAUSAL_SECTION, NULL);
}

/* The selected head's delta NLL against N when it was measured. */
static void
update (HlCausalSection *self)
{
  g_autoptr(HlFigure) figure = NULL;
  int layer = -1, head = -1;

  if (self->store != NULL && hl_session_get_selected (self->session, &layer, &head))
    figure = hl_causal_store_build_head_figure (self->store, layer, head, HL_FIGURE_TARGET_SCREEN);
  hl_plot_view_set_figure (HL_PLOT_VIEW (self->view), figure);
}

void
hl_causal_section_set_session (HlCausalSection *self,
                               HlSession       *session)
{
  static const char * const shown[] = { "selected-result", "n", "ranking", "distance", NULL };

  g_return_if_fail (HL_IS_CAUSAL_SECTION (self));

  if (!hl_session_watch (self, &self->session, session, shown, G_CALLBACK (update)))
    return;
  hl_causal_bar_follow_session (self->bar, &self->store, session, G_CALLBACK (update), self);
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

const char *
hl_causal_section_get_message (HlCausalSection *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_SECTION (self), NULL);

  return hl_causal_bar_get_message (self->bar);
}

const char *
hl_causal_section_get_status (HlCausalSection *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_SECTION (self), NULL);

  return hl_causal_bar_get_status (self->bar);
}

HlFigure *
hl_causal_section_get_figure (HlCausalSection *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_SECTION (self), NULL);

  return hl_plot_view_get_figure (HL_PLOT_VIEW (self->view));
}

static void
hl_causal_section_dispose (GObject *object)
{
  HlCausalSection *self = HL_CAUSAL_SECTION (object);

  if (self->bar != NULL)
    hl_causal_section_set_session (self, NULL);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  self->bar = NULL;

  G_OBJECT_CLASS (hl_causal_section_parent_class)->dispose (object);
}

static void
hl_causal_section_class_init (HlCausalSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_causal_section_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hl_causal_section_init (HlCausalSection *self)
{
  GtkWidget *heading = gtk_label_new (_("Causal"));

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  self->bar = HL_CAUSAL_BAR (hl_causal_bar_new (_("_Measure Δ NLL against N"),
                                                _("Keep only each query’s top N keys of this head, N = 1, 2, 4, …, "
                                                  "in the model the file was extracted with, and measure the "
                                                  "next-token loss on the file’s windows"),
                                                G_CALLBACK (hl_causal_section_measure), self));
  self->view = hl_plot_view_new (_("Δ NLL against N beside precision, recall and F1"));
  hl_plot_view_set_placeholder (HL_PLOT_VIEW (self->view),
                                _("Measure this head to plot its Δ NLL against N beside its P/R/F curves"));
  gtk_widget_set_size_request (self->view, 560, 300);
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (self->box), heading);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->bar));
  gtk_box_append (GTK_BOX (self->box), self->view);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}
