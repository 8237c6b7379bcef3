/* hl-scatter-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "hl-plot-theme.h"
#include "hl-plot-view.h"
#include "hl-scatter-plot.h"
#include "hl-scatter-view.h"

/* How close the pointer must be to a point to hover it, in pixels. */
#define HOVER_RADIUS 8.0
/* Page Up and Page Down move this many tokens. */
#define PAGE_STEP 10
/* One step of the mouse wheel zooms by this factor; the zoom stays within
 * 1 (every point) and MAX_ZOOM. */
#define WHEEL_ZOOM 1.25
#define MAX_ZOOM 1000.0

struct _HlScatterView
{
  GtkWidget           parent_instance;

  HlFigure           *figure;      /* owned, or NULL */
  HlScatterPlotData   data;        /* the figure's, with the hovered point */
  HlHeadData         *head_data;   /* owned: tokens and attention of the points */
  float              *distances;   /* owned: D_i of each point */
  char               *placeholder;
  /* The view, kept while the same head's figure changes (N, ranking):
   * data.zoom, data.pan_x and data.pan_y; the pointer, where the wheel
   * zooms; the pan when a drag began. */
  double              pointer_x;
  double              pointer_y;
  double              drag_pan_x;
  double              drag_pan_y;
};

G_DEFINE_FINAL_TYPE (HlScatterView, hl_scatter_view, GTK_TYPE_WIDGET)

enum {
  POINT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void hl_scatter_view_update_accessible (HlScatterView *self);

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

  gboolean same_head = figure != NULL && self->head_data == data;
  double zoom = self->data.zoom, pan_x = self->data.pan_x, pan_y = self->data.pan_y;

  g_clear_pointer (&self->figure, hl_figure_unref);
  g_clear_pointer (&self->head_data, hl_head_data_unref);
  g_clear_pointer (&self->distances, g_free);
  memset (&self->data, 0, sizeof self->data);
  if (figure != NULL)
    {
      self->figure = hl_figure_ref (figure);
      self->data = *(const HlScatterPlotData *) hl_figure_get_data (figure);
      if (same_head)
        self->data.zoom = zoom, self->data.pan_x = pan_x, self->data.pan_y = pan_y;
      self->head_data = hl_head_data_ref (data);
      self->distances = g_memdup2 (scatter->distance, sizeof (float) * scatter->n_points);
    }
  hl_scatter_view_update_accessible (self);
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

double
hl_scatter_view_get_zoom (HlScatterView *self)
{
  g_return_val_if_fail (HL_IS_SCATTER_VIEW (self), 1);

  return MAX (self->data.zoom, 1);
}

void
hl_scatter_view_zoom_at (HlScatterView *self,
                         double         x,
                         double         y,
                         double         factor)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double before_x, before_y, after_x, after_y;

  g_return_if_fail (HL_IS_SCATTER_VIEW (self));

  if (self->figure == NULL || !(factor > 0))
    return;
  hl_scatter_plot_from_pixel (hl_plot_theme_get (), &self->data, width, height, x, y,
                              &before_x, &before_y);
  self->data.zoom = CLAMP (hl_scatter_view_get_zoom (self) * factor, 1, MAX_ZOOM);
  if (self->data.zoom == 1)
    self->data.pan_x = self->data.pan_y = 0;
  hl_scatter_plot_from_pixel (hl_plot_theme_get (), &self->data, width, height, x, y,
                              &after_x, &after_y);
  /* The point under (x, y) stays there. */
  if (self->data.zoom > 1)
    {
      self->data.pan_x += before_x - after_x;
      self->data.pan_y += before_y - after_y;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
hl_scatter_view_pan_by (HlScatterView *self,
                        double         dx,
                        double         dy)
{
  double scale;

  g_return_if_fail (HL_IS_SCATTER_VIEW (self));

  if (self->figure == NULL)
    return;
  scale = hl_scatter_plot_scale (hl_plot_theme_get (), &self->data,
                                 gtk_widget_get_width (GTK_WIDGET (self)),
                                 gtk_widget_get_height (GTK_WIDGET (self)));
  /* The points follow the pointer; the y axis grows upwards. */
  self->data.pan_x -= dx / scale;
  self->data.pan_y += dy / scale;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
hl_scatter_view_reset_view (HlScatterView *self)
{
  g_return_if_fail (HL_IS_SCATTER_VIEW (self));

  self->data.zoom = 1;
  self->data.pan_x = self->data.pan_y = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
scroll_cb (HlScatterView            *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *controller)
{
  /* Ctrl and the wheel zoom; the wheel alone scrolls the page. */
  if (self->figure == NULL || dy == 0
      || !(gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller))
           & GDK_CONTROL_MASK))
    return FALSE;
  hl_scatter_view_zoom_at (self, self->pointer_x, self->pointer_y, pow (WHEEL_ZOOM, -dy));
  return TRUE;
}

static void
drag_begin_cb (HlScatterView  *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  self->drag_pan_x = self->data.pan_x;
  self->drag_pan_y = self->data.pan_y;
}

static void
drag_update_cb (HlScatterView  *self,
                double          dx,
                double          dy,
                GtkGestureDrag *gesture)
{
  /* A drag only moves a zoomed view: at zoom 1 every point is shown. */
  if (hl_scatter_view_get_zoom (self) <= 1)
    return;
  self->data.pan_x = self->drag_pan_x;
  self->data.pan_y = self->drag_pan_y;
  hl_scatter_view_pan_by (self, dx, dy);
}

static void
motion_cb (HlScatterView            *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *controller)
{
  self->pointer_x = x;
  self->pointer_y = y;
  int hovered = hl_scatter_view_point_at (self, x, y);

  if (self->figure == NULL || hovered == self->data.hovered)
    return;

  self->data.hovered = hovered;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
hl_scatter_view_click (HlScatterView *self,
                       double         x,
                       double         y)
{
  int index;

  g_return_val_if_fail (HL_IS_SCATTER_VIEW (self), FALSE);

  index = hl_scatter_view_point_at (self, x, y);
  if (index < 0)
    return FALSE;
  g_signal_emit (self, signals[POINT_ACTIVATED], 0, index);
  return TRUE;
}

void
hl_scatter_view_point_center (HlScatterView *self,
                              int            index,
                              double        *x,
                              double        *y)
{
  g_return_if_fail (HL_IS_SCATTER_VIEW (self));
  g_return_if_fail (self->figure != NULL && index >= 0 && index < self->data.n_points);

  hl_scatter_plot_to_pixel (hl_plot_theme_get (), &self->data,
                            gtk_widget_get_width (GTK_WIDGET (self)),
                            gtk_widget_get_height (GTK_WIDGET (self)),
                            self->data.x[index], self->data.y[index], x, y);
}

static void
click_pressed_cb (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  HlScatterView   *self)
{
  /* A double click shows every point again. */
  if (n_press == 2)
    hl_scatter_view_reset_view (self);
  else if (hl_scatter_view_click (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
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

char *
hl_scatter_view_dup_point_text (HlScatterView *self)
{
  g_return_val_if_fail (HL_IS_SCATTER_VIEW (self), NULL);

  if (self->figure == NULL || self->data.hovered < 0)
    return NULL;
  return format_point (self, self->data.hovered);
}

/* What a screen reader says about the plot: the point the keyboard is on,
 * or how to reach one. */
static void
hl_scatter_view_update_accessible (HlScatterView *self)
{
  g_autofree char *text = hl_scatter_view_dup_point_text (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text != NULL ? text
                                  : _("Left and Right go from token to token; the tooltip and this "
                                      "description name the token at that point"),
                                  -1);
}

/* The keyboard's point: @delta tokens on (positions 0 … t), staying on
 * the plot; from no point, the sink. */
static void
hl_scatter_view_move (HlScatterView *self,
                      int            delta)
{
  int index;

  if (self->figure == NULL || self->data.n_points == 0)
    return;

  index = self->data.hovered < 0 ? 0 : self->data.hovered + delta;
  self->data.hovered = CLAMP (index, 0, self->data.n_points - 1);
  hl_scatter_view_update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  gtk_widget_trigger_tooltip_query (GTK_WIDGET (self));
}

static void
hl_scatter_view_move_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  hl_scatter_view_move (HL_SCATTER_VIEW (widget), g_variant_get_int32 (param));
}

static void
hl_scatter_view_menu_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  hl_plot_view_popup_menu (widget, HL_SCATTER_VIEW (widget)->figure,
                           gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
}

/* The rectangle around point @index, in the widget's coordinates. */
static void
point_area (HlScatterView *self,
            int            index,
            GdkRectangle  *area)
{
  double x, y;

  hl_scatter_plot_to_pixel (hl_plot_theme_get (), &self->data,
                            gtk_widget_get_width (GTK_WIDGET (self)),
                            gtk_widget_get_height (GTK_WIDGET (self)),
                            self->data.x[index], self->data.y[index], &x, &y);
  *area = (GdkRectangle) { (int) (x - HOVER_RADIUS), (int) (y - HOVER_RADIUS),
                           (int) (2 * HOVER_RADIUS), (int) (2 * HOVER_RADIUS) };
}

static gboolean
hl_scatter_view_query_tooltip (GtkWidget  *widget,
                               int         x,
                               int         y,
                               gboolean    keyboard,
                               GtkTooltip *tooltip)
{
  HlScatterView *self = HL_SCATTER_VIEW (widget);
  /* From the keyboard, the point it is on; the tooltip shows beside it. */
  int index = keyboard ? hl_scatter_view_get_point (self) : hl_scatter_view_point_at (self, x, y);
  g_autofree char *text = NULL;
  GdkRectangle area;

  if (index < 0)
    return FALSE;

  text = format_point (self, index);
  gtk_tooltip_set_text (tooltip, text);
  point_area (self, index, &area);
  gtk_tooltip_set_tip_area (tooltip, &area);
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

int
hl_scatter_view_get_point (HlScatterView *self)
{
  g_return_val_if_fail (HL_IS_SCATTER_VIEW (self), -1);

  return self->figure != NULL ? self->data.hovered : -1;
}

static void
hl_scatter_view_finalize (GObject *object)
{
  g_free (HL_SCATTER_VIEW (object)->placeholder);

  G_OBJECT_CLASS (hl_scatter_view_parent_class)->finalize (object);
}

/* Left and Right go from token to token, Page Up and Down ten at a time,
 * Home and End to the sink and the query. */
static void
hl_scatter_view_class_init_keys (GtkWidgetClass *widget_class)
{
  static const struct {
    guint keyval;
    int   delta;
  } keys[] = {
    { GDK_KEY_Left, -1 }, { GDK_KEY_KP_Left, -1 }, { GDK_KEY_Right, 1 }, { GDK_KEY_KP_Right, 1 },
    { GDK_KEY_Page_Up, -PAGE_STEP }, { GDK_KEY_Page_Down, PAGE_STEP },
    { GDK_KEY_Home, G_MININT32 / 2 }, { GDK_KEY_End, G_MAXINT32 / 2 },
  };

  gtk_widget_class_install_action (widget_class, "scatter.move", "i", hl_scatter_view_move_action);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_widget_class_add_binding_action (widget_class, keys[i].keyval, 0, "scatter.move", "i",
                                         keys[i].delta);
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

  /* The point clicked, by index: the head detail highlights its token. */
  signals[POINT_ACTIVATED] =
    g_signal_new ("point-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "scatterview");
  hl_scatter_view_class_init_keys (widget_class);
  hl_plot_view_class_add_menu_keys (widget_class, hl_scatter_view_menu_action);
}

static void
hl_scatter_view_init_controllers (HlScatterView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *primary = gtk_gesture_click_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkGesture *drag = gtk_gesture_drag_new ();

  g_signal_connect_swapped (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  g_signal_connect_swapped (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect_swapped (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect_swapped (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect_swapped (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (context_click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (primary, "pressed", G_CALLBACK (click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (primary));
}

static void
hl_scatter_view_init (HlScatterView *self)
{
  hl_scatter_view_init_controllers (self);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self), 320, 320);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Value-space scatter of the head’s token contributions"),
                                  -1);
  hl_plot_theme_watch (GTK_WIDGET (self));
}
