/* hl-plot-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-export-figures.h"
#include "hl-plot-theme.h"
#include "hl-plot-view.h"

struct _HlPlotView
{
  GtkWidget     parent_instance;

  HlPlotKind    kind;
  gconstpointer data;   /* borrowed from the owner */
  char         *label;
};

G_DEFINE_FINAL_TYPE (HlPlotView, hl_plot_view, GTK_TYPE_WIDGET)

GtkWidget *
hl_plot_view_new (HlPlotKind  kind,
                  const char *label)
{
  HlPlotView *self = g_object_new (HL_TYPE_PLOT_VIEW, NULL);

  self->kind = kind;
  self->label = g_strdup (label);
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

HlPlotKind
hl_plot_view_get_kind (HlPlotView *self)
{
  g_return_val_if_fail (HL_IS_PLOT_VIEW (self), HL_PLOT_CURVES);

  return self->kind;
}

const char *
hl_plot_view_get_label (HlPlotView *self)
{
  g_return_val_if_fail (HL_IS_PLOT_VIEW (self), NULL);

  return self->label;
}

gconstpointer
hl_plot_view_get_data (HlPlotView *self)
{
  g_return_val_if_fail (HL_IS_PLOT_VIEW (self), NULL);

  return self->data;
}

static void
popover_closed_cb (GtkPopover *popover)
{
  gtk_widget_unparent (GTK_WIDGET (popover));
}

/* Right-click offers Export Figure with this plot selected. */
static void
context_click_pressed_cb (GtkGestureClick *gesture,
                          int              n_press,
                          double           x,
                          double           y,
                          HlPlotView      *self)
{
  GtkWidget *popover;
  g_autoptr(GMenu) menu = g_menu_new ();

  if (self->data == NULL)
    return;

  g_menu_append (menu, _("Export Figure…"), "plotview.export-figure");
  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_widget_set_parent (popover, GTK_WIDGET (self));
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { x, y, 1, 1 });
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  g_signal_connect (popover, "closed", G_CALLBACK (popover_closed_cb), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
}

static void
export_figure_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  if (GTK_IS_WINDOW (root))
    hl_export_figures_present (GTK_WINDOW (root), widget);
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
hl_plot_view_init_context_menu (HlPlotView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (context_click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

/* A popover is positioned by its parent's allocation. */
static void
hl_plot_view_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child))
      gtk_popover_present (GTK_POPOVER (child));
}

/* The context menu's popover, if open, is the view's only child. */
static void
hl_plot_view_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (hl_plot_view_parent_class)->dispose (object);
}

static void
hl_plot_view_finalize (GObject *object)
{
  g_free (HL_PLOT_VIEW (object)->label);

  G_OBJECT_CLASS (hl_plot_view_parent_class)->finalize (object);
}

static void
hl_plot_view_class_init (HlPlotViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = hl_plot_view_dispose;
  G_OBJECT_CLASS (klass)->finalize = hl_plot_view_finalize;
  gtk_widget_class_install_action (widget_class, "plotview.export-figure", NULL,
                                   export_figure_action);

  widget_class->snapshot = hl_plot_view_snapshot;
  widget_class->size_allocate = hl_plot_view_size_allocate;
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "plotview");
}

static void
hl_plot_view_init (HlPlotView *self)
{
  gtk_widget_set_size_request (GTK_WIDGET (self), 240, 200);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  hl_plot_theme_watch (GTK_WIDGET (self));
  hl_plot_view_init_context_menu (self);
}
