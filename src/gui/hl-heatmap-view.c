/* hl-heatmap-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>

#include "hl-heatmap-view.h"
#include "hl-plot-theme.h"

struct _HlHeatmapView
{
  GtkWidget          parent_instance;

  HlHeatmapPlotData  data;       /* its arrays point at the ones below */
  int               *regimes;    /* [n_layers * n_heads] */
  float             *values;     /* [n_layers * n_heads] */
  char             **tooltips;   /* [n_layers * n_heads], entries may be NULL */
  char              *value_label;
};

G_DEFINE_FINAL_TYPE (HlHeatmapView, hl_heatmap_view, GTK_TYPE_WIDGET)

enum {
  SELECTION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GtkWidget *
hl_heatmap_view_new (void)
{
  return g_object_new (HL_TYPE_HEATMAP_VIEW, NULL);
}

static int
n_cells (HlHeatmapView *self)
{
  return self->data.n_layers * self->data.n_heads;
}

static void
hl_heatmap_view_free_cells (HlHeatmapView *self)
{
  if (self->tooltips != NULL)
    for (int i = 0; i < n_cells (self); i++)
      g_free (self->tooltips[i]);
  g_clear_pointer (&self->tooltips, g_free);
  g_clear_pointer (&self->regimes, g_free);
  g_clear_pointer (&self->values, g_free);
}

void
hl_heatmap_view_set_shape (HlHeatmapView *self,
                           int            n_layers,
                           int            n_heads)
{
  g_return_if_fail (HL_IS_HEATMAP_VIEW (self));
  g_return_if_fail (n_layers >= 0 && n_heads >= 0);

  hl_heatmap_view_free_cells (self);
  self->data.n_layers = n_layers;
  self->data.n_heads = n_heads;
  self->regimes = g_new (int, MAX (n_cells (self), 1));
  self->values = g_new (float, MAX (n_cells (self), 1));
  self->tooltips = g_new0 (char *, MAX (n_cells (self), 1));
  for (int i = 0; i < n_cells (self); i++)
    {
      self->regimes[i] = -1;
      self->values[i] = NAN;
    }
  self->data.regimes = self->regimes;
  self->data.values = self->values;
  self->data.selected_layer = -1;
  self->data.selected_head = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
hl_heatmap_view_set_cell (HlHeatmapView *self,
                          int            layer,
                          int            head,
                          int            regime,
                          float          value,
                          const char    *tooltip)
{
  int index;

  g_return_if_fail (HL_IS_HEATMAP_VIEW (self));
  g_return_if_fail (layer >= 0 && layer < self->data.n_layers);
  g_return_if_fail (head >= 0 && head < self->data.n_heads);

  index = layer * self->data.n_heads + head;
  self->regimes[index] = regime;
  self->values[index] = value;
  g_free (self->tooltips[index]);
  self->tooltips[index] = g_strdup (tooltip);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
hl_heatmap_view_set_mode (HlHeatmapView      *self,
                          HlHeatmapColorMode  mode,
                          HlColormap          colormap,
                          double              vmin,
                          double              vmax,
                          const char         *value_label)
{
  g_return_if_fail (HL_IS_HEATMAP_VIEW (self));

  self->data.mode = mode;
  self->data.colormap = colormap;
  self->data.vmin = vmin;
  self->data.vmax = vmax;
  g_free (self->value_label);
  self->value_label = g_strdup (value_label);
  self->data.value_label = self->value_label;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
hl_heatmap_view_update_accessible (HlHeatmapView *self)
{
  g_autofree char *description = NULL;

  if (self->data.selected_layer < 0)
    description = g_strdup (_("No head selected"));
  else
    description = g_strdup_printf (_("Selected: Layer %d · Head %d"),
                                   self->data.selected_layer, self->data.selected_head);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

void
hl_heatmap_view_select (HlHeatmapView *self,
                        int            layer,
                        int            head)
{
  g_return_if_fail (HL_IS_HEATMAP_VIEW (self));

  if (layer < 0 || head < 0 || layer >= self->data.n_layers || head >= self->data.n_heads)
    layer = head = -1;
  if (layer == self->data.selected_layer && head == self->data.selected_head)
    return;

  self->data.selected_layer = layer;
  self->data.selected_head = head;
  hl_heatmap_view_update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

gboolean
hl_heatmap_view_get_selected (HlHeatmapView *self,
                              int           *layer,
                              int           *head)
{
  g_return_val_if_fail (HL_IS_HEATMAP_VIEW (self), FALSE);

  if (layer != NULL)
    *layer = self->data.selected_layer;
  if (head != NULL)
    *head = self->data.selected_head;

  return self->data.selected_layer >= 0;
}

static gboolean
hl_heatmap_view_cell_at (HlHeatmapView *self,
                         double         x,
                         double         y,
                         int           *layer,
                         int           *head)
{
  if (n_cells (self) == 0)
    return FALSE;

  return hl_heatmap_plot_cell_at (hl_plot_theme_get (), &self->data,
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
  hl_heatmap_view_select (self, layer, head);
  return TRUE;
}

void
hl_heatmap_view_cell_center (HlHeatmapView *self,
                             int            layer,
                             int            head,
                             double        *x,
                             double        *y)
{
  double cx, cy, cw, ch;

  g_return_if_fail (HL_IS_HEATMAP_VIEW (self));

  hl_heatmap_plot_cell_rect (hl_plot_theme_get (), &self->data,
                             gtk_widget_get_width (GTK_WIDGET (self)),
                             gtk_widget_get_height (GTK_WIDGET (self)),
                             layer, head, &cx, &cy, &cw, &ch);
  *x = cx + cw / 2;
  *y = cy + ch / 2;
}

const HlHeatmapPlotData *
hl_heatmap_view_get_plot_data (HlHeatmapView *self)
{
  g_return_val_if_fail (HL_IS_HEATMAP_VIEW (self), NULL);

  return n_cells (self) > 0 ? &self->data : NULL;
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

/* Moves the selection by (@dl, @dh) cells, staying on the grid; from no
 * selection it starts at layer 0, head 0. */
static void
hl_heatmap_view_move (HlHeatmapView *self,
                      int            dl,
                      int            dh)
{
  int layer = self->data.selected_layer;
  int head = self->data.selected_head;

  if (n_cells (self) == 0)
    return;
  if (layer < 0)
    layer = head = dl = dh = 0;

  hl_heatmap_view_select (self,
                          CLAMP (layer + dl, 0, self->data.n_layers - 1),
                          CLAMP (head + dh, 0, self->data.n_heads - 1));
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
  int layer, head;
  const char *text;

  if (!hl_heatmap_view_cell_at (self, x, y, &layer, &head))
    return FALSE;

  text = self->tooltips[layer * self->data.n_heads + head];
  if (text == NULL)
    {
      g_autofree char *pending = g_strdup_printf (_("Layer %d · Head %d: not analysed yet"),
                                                  layer, head);
      gtk_tooltip_set_text (tooltip, pending);
    }
  else
    gtk_tooltip_set_markup (tooltip, text);

  return TRUE;
}

static void
hl_heatmap_view_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  HlHeatmapView *self = HL_HEATMAP_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (n_cells (self) == 0 || width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  hl_heatmap_plot_draw (hl_plot_theme_get (), &self->data, cr, width, height);
  cairo_destroy (cr);
}

static void
hl_heatmap_view_finalize (GObject *object)
{
  HlHeatmapView *self = HL_HEATMAP_VIEW (object);

  hl_heatmap_view_free_cells (self);
  g_clear_pointer (&self->value_label, g_free);

  G_OBJECT_CLASS (hl_heatmap_view_parent_class)->finalize (object);
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
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_widget_class_add_binding_action (widget_class, keys[i].keyval, 0,
                                         "heatmap.move", "(ii)", keys[i].dl, keys[i].dh);
}

static void
hl_heatmap_view_class_init (HlHeatmapViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = hl_heatmap_view_finalize;
  widget_class->snapshot = hl_heatmap_view_snapshot;
  widget_class->query_tooltip = hl_heatmap_view_query_tooltip;

  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "heatmapview");
  hl_heatmap_view_class_init_keys (widget_class);
}

static void
hl_heatmap_view_init_controllers (HlHeatmapView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  g_signal_connect_swapped (click, "pressed", G_CALLBACK (click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

static void
hl_heatmap_view_init (HlHeatmapView *self)
{
  self->data.selected_layer = -1;
  self->data.selected_head = -1;
  self->data.mode = HL_HEATMAP_COLOR_REGIME;

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
