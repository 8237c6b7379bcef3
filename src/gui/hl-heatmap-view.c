/* hl-heatmap-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-heatmap-plot.h"
#include "hl-heatmap-view.h"
#include "hl-plot-theme.h"
#include "hl-plot-view.h"
#include "hl-session-figures.h"
#include "hl-session-watch.h"

struct _HlHeatmapView
{
  GtkWidget   parent_instance;

  HlSession  *session;   /* owned, or NULL */
  HlFigure   *figure;    /* owned: what is drawn, NULL when out of date */
  const HlHeatmapColouring *colouring;   /* or NULL: the session's */
  gpointer    colouring_data;
};

G_DEFINE_FINAL_TYPE (HlHeatmapView, hl_heatmap_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
hl_heatmap_view_new (void)
{
  return g_object_new (HL_TYPE_HEATMAP_VIEW, NULL);
}

/* The figure is rebuilt when next drawn or hit-tested: many results
 * arriving between two frames cost one build. */
static void
hl_heatmap_view_invalidate (HlHeatmapView *self)
{
  g_clear_pointer (&self->figure, hl_figure_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

HlFigure *
hl_heatmap_view_get_figure (HlHeatmapView *self)
{
  g_return_val_if_fail (HL_IS_HEATMAP_VIEW (self), NULL);

  if (self->figure == NULL && self->session != NULL && self->colouring != NULL)
    self->figure = self->colouring->build (self->colouring_data);
  if (self->figure == NULL && self->session != NULL)
    self->figure = hl_session_build_figure (self->session, HL_SESSION_FIGURE_HEATMAP,
                                            HL_FIGURE_TARGET_SCREEN);
  return self->figure;
}

void
hl_heatmap_view_set_colouring (HlHeatmapView            *self,
                               const HlHeatmapColouring *colouring,
                               gpointer                  user_data)
{
  g_return_if_fail (HL_IS_HEATMAP_VIEW (self));

  self->colouring = colouring;
  self->colouring_data = user_data;
  hl_heatmap_view_invalidate (self);
}

static const HlHeatmapPlotData *
plot_data (HlHeatmapView *self)
{
  HlFigure *figure = hl_heatmap_view_get_figure (self);

  return figure != NULL ? hl_figure_get_data (figure) : NULL;
}

static void
hl_heatmap_view_update_accessible (HlHeatmapView *self)
{
  g_autofree char *description = NULL;
  int layer, head;

  if (self->session == NULL || !hl_session_get_selected (self->session, &layer, &head))
    description = g_strdup (_("No head selected"));
  else
    description = g_strdup_printf (_("Selected: Layer %d · Head %d"), layer, head);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

/* Any change may change the figure (a new result changes the progress). */
static void
session_notify_cb (HlHeatmapView *self,
                   GParamSpec    *pspec,
                   HlSession     *session)
{
  hl_heatmap_view_invalidate (self);
  if (g_str_equal (pspec->name, "selected-head"))
    hl_heatmap_view_update_accessible (self);
}

static void
session_result_added_cb (HlHeatmapView *self,
                         HlHeadResult  *result,
                         HlSession     *session)
{
  if (hl_session_get_scope_size (session) > 1
      || (result->sample == hl_session_get_sample (session)
          && result->query_index == hl_session_get_query (session)))
    hl_heatmap_view_invalidate (self);
}

void
hl_heatmap_view_set_session (HlHeatmapView *self,
                             HlSession     *session)
{
  g_return_if_fail (HL_IS_HEATMAP_VIEW (self));

  if (!hl_session_watch (self, &self->session, session, NULL,
                        G_CALLBACK (session_notify_cb)))
    return;

  if (session != NULL)
    g_signal_connect_swapped (session, "result-added", G_CALLBACK (session_result_added_cb),
                              self);
  hl_heatmap_view_invalidate (self);
  hl_heatmap_view_update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

HlSession *
hl_heatmap_view_get_session (HlHeatmapView *self)
{
  g_return_val_if_fail (HL_IS_HEATMAP_VIEW (self), NULL);

  return self->session;
}

static gboolean
hl_heatmap_view_cell_at (HlHeatmapView *self,
                         double         x,
                         double         y,
                         int           *layer,
                         int           *head)
{
  const HlHeatmapPlotData *data = plot_data (self);

  if (data == NULL || data->n_layers * data->n_heads == 0)
    return FALSE;

  return hl_heatmap_plot_cell_at (hl_plot_theme_get (), data,
                                  gtk_widget_get_width (GTK_WIDGET (self)),
                                  gtk_widget_get_height (GTK_WIDGET (self)),
                                  x, y, layer, head);
}

gboolean
hl_heatmap_view_click (HlHeatmapView *self,
                       double         x,
                       double         y)
{
  int layer, head;

  g_return_val_if_fail (HL_IS_HEATMAP_VIEW (self), FALSE);

  if (!hl_heatmap_view_cell_at (self, x, y, &layer, &head))
    return FALSE;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  hl_session_select (self->session, layer, head);
  return TRUE;
}

void
hl_heatmap_view_cell_center (HlHeatmapView *self,
                             int            layer,
                             int            head,
                             double        *x,
                             double        *y)
{
  const HlHeatmapPlotData *data;
  double cx, cy, cw, ch;

  g_return_if_fail (HL_IS_HEATMAP_VIEW (self));

  data = plot_data (self);
  g_return_if_fail (data != NULL);
  hl_heatmap_plot_cell_rect (hl_plot_theme_get (), data,
                             gtk_widget_get_width (GTK_WIDGET (self)),
                             gtk_widget_get_height (GTK_WIDGET (self)),
                             layer, head, &cx, &cy, &cw, &ch);
  *x = cx + cw / 2;
  *y = cy + ch / 2;
}

static void
click_pressed_cb (HlHeatmapView   *self,
                  int              n_press,
                  double           x,
                  double           y,
                  GtkGestureClick *gesture)
{
  if (hl_heatmap_view_click (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

/* "Compare with Selected Head" for the head under the pointer, when it is
 * not the selected one. */
static GMenuModel *
compare_section_new (HlHeatmapView *self,
                     double         x,
                     double         y)
{
  GMenu *section = g_menu_new ();
  g_autoptr(GMenuItem) item = NULL;
  int layer, head, selected_layer, selected_head;

  if (self->session == NULL || !hl_heatmap_view_cell_at (self, x, y, &layer, &head)
      || !hl_session_get_selected (self->session, &selected_layer, &selected_head)
      || (layer == selected_layer && head == selected_head))
    return G_MENU_MODEL (section);
  item = g_menu_item_new (_("Compare with Selected Head"), NULL);
  g_menu_item_set_action_and_target (item, "heatmap.compare", "(ii)", layer, head);
  g_menu_append_item (section, item);
  return G_MENU_MODEL (section);
}

static void
context_click_pressed_cb (HlHeatmapView   *self,
                          int              n_press,
                          double           x,
                          double           y,
                          GtkGestureClick *gesture)
{
  g_autoptr(GMenuModel) section = compare_section_new (self, x, y);

  hl_plot_view_popup_menu_with (GTK_WIDGET (self), hl_heatmap_view_get_figure (self), section,
                                x, y);
}

/* Pins the head given, so the head detail compares it with the selected
 * one. */
static void
hl_heatmap_view_compare_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  HlHeatmapView *self = HL_HEATMAP_VIEW (widget);
  int layer, head;

  g_variant_get (param, "(ii)", &layer, &head);
  if (self->session != NULL)
    hl_session_pin (self->session, layer, head);
}

/* Moves the selection by (@dl, @dh) cells, staying on the grid; from no
 * selection it starts at layer 0, head 0. */
static void
hl_heatmap_view_move (HlHeatmapView *self,
                      int            dl,
                      int            dh)
{
  const HlActivationsInfo *info;
  int layer, head;

  if (self->session == NULL || hl_session_get_file (self->session) == NULL)
    return;
  info = hl_activations_get_info (hl_session_get_file (self->session));
  if (!hl_session_get_selected (self->session, &layer, &head))
    layer = head = dl = dh = 0;

  hl_session_select (self->session, CLAMP (layer + dl, 0, info->n_layers - 1),
                     CLAMP (head + dh, 0, info->n_heads - 1));
}

static void
hl_heatmap_view_move_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  int dl, dh;

  g_variant_get (param, "(ii)", &dl, &dh);
  hl_heatmap_view_move (HL_HEATMAP_VIEW (widget), dl, dh);
  gtk_widget_grab_focus (widget);
}

static gboolean
hl_heatmap_view_query_tooltip (GtkWidget  *widget,
                               int         x,
                               int         y,
                               gboolean    keyboard,
                               GtkTooltip *tooltip)
{
  HlHeatmapView *self = HL_HEATMAP_VIEW (widget);
  guint size = self->session != NULL ? hl_session_get_scope_size (self->session) : 0;
  g_autofree HlHeadResult **results = g_new (HlHeadResult *, MAX (size, 1));
  g_autofree char *scope = NULL;
  g_autofree char *text = NULL;
  guint n;
  int layer, head;

  if (!hl_heatmap_view_cell_at (self, x, y, &layer, &head))
    return FALSE;

  text = self->colouring != NULL ? self->colouring->describe (self->colouring_data, layer, head) : NULL;
  if (text != NULL)
    {
      gtk_tooltip_set_markup (tooltip, text);
      return TRUE;
    }
  n = hl_session_collect (self->session, layer, head, results);
  if (n == 0)
    {
      text = g_strdup_printf (_("Layer %d · Head %d: not analysed yet"), layer, head);
      gtk_tooltip_set_text (tooltip, text);
      return TRUE;
    }
  scope = hl_session_dup_scope_label (self->session);
  text = size == 1 ? hl_metric_describe_head (results[0], hl_session_get_ranking (self->session),
                                              hl_session_get_distance (self->session),
                                              hl_session_get_n (self->session))
                   : hl_metric_describe_set (results, n, size, scope,
                                             hl_session_get_ranking (self->session),
                                             hl_session_get_distance (self->session),
                                             hl_session_get_n (self->session));
  gtk_tooltip_set_markup (tooltip, text);
  return TRUE;
}

static void
hl_heatmap_view_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  HlHeatmapView *self = HL_HEATMAP_VIEW (widget);
  HlFigure *figure = hl_heatmap_view_get_figure (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (figure == NULL || width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  hl_figure_draw (figure, hl_plot_theme_get (), cr, width, height);
  cairo_destroy (cr);
}

static void
hl_heatmap_view_dispose (GObject *object)
{
  HlHeatmapView *self = HL_HEATMAP_VIEW (object);

  hl_plot_view_remove_popovers (GTK_WIDGET (object));
  hl_session_watch (self, &self->session, NULL, NULL, NULL);
  g_clear_pointer (&self->figure, hl_figure_unref);

  G_OBJECT_CLASS (hl_heatmap_view_parent_class)->dispose (object);
}

static void
hl_heatmap_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, HL_HEATMAP_VIEW (object)->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_heatmap_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_SESSION:
      hl_heatmap_view_set_session (HL_HEATMAP_VIEW (object), g_value_get_object (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_heatmap_view_menu_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  hl_plot_view_popup_menu (widget, hl_heatmap_view_get_figure (HL_HEATMAP_VIEW (widget)),
                           gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
}

/* The arrow keys move the selection while the heatmap has the focus. */
static void
hl_heatmap_view_class_init_keys (GtkWidgetClass *widget_class)
{
  static const struct {
    guint keyval;
    int   dl, dh;
  } keys[] = {
    { GDK_KEY_Up, -1, 0 }, { GDK_KEY_KP_Up, -1, 0 },
    { GDK_KEY_Down, 1, 0 }, { GDK_KEY_KP_Down, 1, 0 },
    { GDK_KEY_Left, 0, -1 }, { GDK_KEY_KP_Left, 0, -1 },
    { GDK_KEY_Right, 0, 1 }, { GDK_KEY_KP_Right, 0, 1 },
  };

  gtk_widget_class_install_action (widget_class, "heatmap.move", "(ii)",
                                   hl_heatmap_view_move_action);
  gtk_widget_class_install_action (widget_class, "heatmap.compare", "(ii)",
                                   hl_heatmap_view_compare_action);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_widget_class_add_binding_action (widget_class, keys[i].keyval, 0,
                                         "heatmap.move", "(ii)", keys[i].dl, keys[i].dh);
}

static void
hl_heatmap_view_class_init (HlHeatmapViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_heatmap_view_dispose;
  object_class->get_property = hl_heatmap_view_get_property;
  object_class->set_property = hl_heatmap_view_set_property;
  widget_class->snapshot = hl_heatmap_view_snapshot;
  widget_class->size_allocate = hl_plot_view_allocate_popovers;
  widget_class->query_tooltip = hl_heatmap_view_query_tooltip;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, HL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "heatmapview");
  hl_heatmap_view_class_init_keys (widget_class);
  hl_plot_view_class_add_menu_keys (widget_class, hl_heatmap_view_menu_action);
}

static void
hl_heatmap_view_init_controllers (HlHeatmapView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *context = gtk_gesture_click_new ();

  g_signal_connect_swapped (click, "pressed", G_CALLBACK (click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (context), GDK_BUTTON_SECONDARY);
  g_signal_connect_swapped (context, "pressed", G_CALLBACK (context_click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (context));
}

static void
hl_heatmap_view_init (HlHeatmapView *self)
{
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self), 320, 280);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Layer × head heatmap"),
                                  -1);
  hl_heatmap_view_init_controllers (self);
  hl_plot_theme_watch (GTK_WIDGET (self));
}
