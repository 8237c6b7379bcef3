/* hl-plot-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-plot-theme.h"
#include "hl-plot-view.h"

struct _HlPlotView
{
  GtkWidget     parent_instance;

  HlPlotKind    kind;
  gconstpointer data;   /* borrowed from the owner */
};

G_DEFINE_FINAL_TYPE (HlPlotView, hl_plot_view, GTK_TYPE_WIDGET)

GtkWidget *
hl_plot_view_new (HlPlotKind  kind,
                  const char *label)
{
  HlPlotView *self = g_object_new (HL_TYPE_PLOT_VIEW, NULL);

  self->kind = kind;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);

  return GTK_WIDGET (self);
}

void
hl_plot_view_set_data (HlPlotView    *self,
                       gconstpointer  data)
{
  g_return_if_fail (HL_IS_PLOT_VIEW (self));

  self->data = data;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
hl_plot_view_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  HlPlotView *self = HL_PLOT_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (self->data == NULL || width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  hl_plot_draw (self->kind, hl_plot_theme_get (), self->data, cr, width, height);
  cairo_destroy (cr);
}

static void
hl_plot_view_class_init (HlPlotViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = hl_plot_view_snapshot;
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "plotview");
}

static void
hl_plot_view_init (HlPlotView *self)
{
  gtk_widget_set_size_request (GTK_WIDGET (self), 240, 200);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  hl_plot_theme_watch (GTK_WIDGET (self));
}
