/* hl-scatter-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <string.h>

#include "hl-plot-theme.h"
#include "hl-plot-view.h"
#include "hl-scatter-plot.h"
#include "hl-scatter-view.h"

/* How close the pointer must be to a point to hover it, in pixels. */
#define HOVER_RADIUS 8.0

struct _HlScatterView
{
  GtkWidget           parent_instance;

  HlFigure           *figure;      /* owned, or NULL */
  HlScatterPlotData   data;        /* the figure's, with the hovered point */
  HlHeadData         *head_data;   /* owned: tokens and attention of the points */
  float              *distances;   /* owned: D_i of each point */
  char               *placeholder;
};

G_DEFINE_FINAL_TYPE (HlScatterView, hl_scatter_view, GTK_TYPE_WIDGET)

GtkWidget *
hl_scatter_view_new (void)
{
  return g_object_new (HL_TYPE_SCATTER_VIEW, NULL);
}

void
hl_scatter_view_set_figure (HlScatterView   *self,
                            HlFigure        *figure,
                            HlHeadData      *data,
                            const HlScatter *scatter)
{
  g_return_if_fail (HL_IS_SCATTER_VIEW (self));
  g_return_if_fail (figure == NULL || hl_figure_get_kind (figure) == HL_PLOT_SCATTER);
  g_return_if_fail (figure == NULL || (data != NULL && scatter != NULL
                                       && scatter->n_points == data->n_keys));

  g_clear_pointer (&self->figure, hl_figure_unref);
  g_clear_pointer (&self->head_data, hl_head_data_unref);
  g_clear_pointer (&self->distances, g_free);
  memset (&self->data, 0, sizeof self->data);
  if (figure != NULL)
    {
      self->figure = hl_figure_ref (figure);
      self->data = *(const HlScatterPlotData *) hl_figure_get_data (figure);
      self->head_data = hl_head_data_ref (data);
      self->distances = g_memdup2 (scatter->distance, sizeof (float) * scatter->n_points);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

HlFigure *
hl_scatter_view_get_figure (HlScatterView *self)
{
  g_return_val_if_fail (HL_IS_SCATTER_VIEW (self), NULL);

  return self->figure;
}

void
hl_scatter_view_set_placeholder (HlScatterView *self,
                                 const char    *placeholder)
{
  g_return_if_fail (HL_IS_SCATTER_VIEW (self));

  g_free (self->placeholder);
  self->placeholder = g_strdup (placeholder);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static int
hl_scatter_view_point_at (HlScatterView *self,
                          double         x,
                          double         y)
{
  if (self->figure == NULL)
    return -1;

  return hl_scatter_plot_point_at (hl_plot_theme_get (), &self->data,
                                   gtk_widget_get_width (GTK_WIDGET (self)),
                                   gtk_widget_get_height (GTK_WIDGET (self)),
                                   x, y, HOVER_RADIUS);
}

static void
motion_cb (HlScatterView            *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *controller)
{
  int hovered = hl_scatter_view_point_at (self, x, y);

  if (self->figure == NULL || hovered == self->data.hovered)
    return;

  self->data.hovered = hovered;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
leave_cb (HlScatterView            *self,
          GtkEventControllerMotion *controller)
{
  if (self->data.hovered != -1)
    {
      self->data.hovered = -1;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

/* Plain text: the token is shown as it is, never as markup. */
static char *
format_point (HlScatterView *self,
              int            index)
{
  const char *token = self->head_data->tokens != NULL ? self->head_data->tokens[index] : "—";

  return g_strdup_printf (_("“%s” at position %d\nα = %.4g, D = %.4g%s"),
                          token, index, self->head_data->alpha[index], self->distances[index],
                          self->data.selected[index] ? _(" (selected)") : "");
}

static gboolean
hl_scatter_view_query_tooltip (GtkWidget  *widget,
                               int         x,
                               int         y,
                               gboolean    keyboard,
                               GtkTooltip *tooltip)
{
  HlScatterView *self = HL_SCATTER_VIEW (widget);
  int index = hl_scatter_view_point_at (self, x, y);
  g_autofree char *text = NULL;

  if (index < 0)
    return FALSE;

  text = format_point (self, index);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
context_click_pressed_cb (GtkGestureClick *gesture,
                          int              n_press,
                          double           x,
                          double           y,
                          HlScatterView   *self)
{
  hl_plot_view_popup_menu (GTK_WIDGET (self), self->figure, x, y);
}

static void
hl_scatter_view_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  HlScatterView *self = HL_SCATTER_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (self->figure == NULL)
    {
      hl_plot_view_draw_placeholder (widget, snapshot, self->placeholder);
      return;
    }
  if (width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  hl_scatter_plot_draw (hl_plot_theme_get (), &self->data, cr, width, height);
  cairo_destroy (cr);
}

static void
hl_scatter_view_dispose (GObject *object)
{
  hl_plot_view_remove_popovers (GTK_WIDGET (object));
  hl_scatter_view_set_figure (HL_SCATTER_VIEW (object), NULL, NULL, NULL);

  G_OBJECT_CLASS (hl_scatter_view_parent_class)->dispose (object);
}

static void
hl_scatter_view_finalize (GObject *object)
{
  g_free (HL_SCATTER_VIEW (object)->placeholder);

  G_OBJECT_CLASS (hl_scatter_view_parent_class)->finalize (object);
}

static void
hl_scatter_view_class_init (HlScatterViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_scatter_view_dispose;
  object_class->finalize = hl_scatter_view_finalize;
  widget_class->snapshot = hl_scatter_view_snapshot;
  widget_class->size_allocate = hl_plot_view_allocate_popovers;
  widget_class->query_tooltip = hl_scatter_view_query_tooltip;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "scatterview");
}

static void
hl_scatter_view_init_controllers (HlScatterView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  g_signal_connect_swapped (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect_swapped (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (context_click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

static void
hl_scatter_view_init (HlScatterView *self)
{
  hl_scatter_view_init_controllers (self);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self), 320, 320);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Value-space scatter of the head’s token contributions"),
                                  -1);
  hl_plot_theme_watch (GTK_WIDGET (self));
}
