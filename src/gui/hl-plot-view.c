/* hl-plot-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-plot-theme.h"
#include "hl-plot-view.h"

/* Room left and right of a placeholder's text, in pixels. */
#define PLACEHOLDER_MARGIN 12

struct _HlPlotView
{
  GtkWidget  parent_instance;

  HlFigure  *figure;       /* owned, or NULL */
  char      *label;
  char      *placeholder;
};

G_DEFINE_FINAL_TYPE (HlPlotView, hl_plot_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_FIGURE,
  PROP_LABEL,
  PROP_PLACEHOLDER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

GtkWidget *
hl_plot_view_new (const char *label)
{
  return g_object_new (HL_TYPE_PLOT_VIEW, "label", label, NULL);
}

void
hl_plot_view_set_figure (HlPlotView *self,
                         HlFigure   *figure)
{
  g_return_if_fail (HL_IS_PLOT_VIEW (self));

  if (self->figure == figure)
    return;

  g_clear_pointer (&self->figure, hl_figure_unref);
  self->figure = figure != NULL ? hl_figure_ref (figure) : NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIGURE]);
}

HlFigure *
hl_plot_view_get_figure (HlPlotView *self)
{
  g_return_val_if_fail (HL_IS_PLOT_VIEW (self), NULL);

  return self->figure;
}

void
hl_plot_view_set_label (HlPlotView *self,
                        const char *label)
{
  g_return_if_fail (HL_IS_PLOT_VIEW (self));

  if (!set_string (&self->label, label))
    return;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label != NULL ? label : "",
                                  -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

const char *
hl_plot_view_get_label (HlPlotView *self)
{
  g_return_val_if_fail (HL_IS_PLOT_VIEW (self), NULL);

  return self->label;
}

void
hl_plot_view_set_placeholder (HlPlotView *self,
                              const char *placeholder)
{
  g_return_if_fail (HL_IS_PLOT_VIEW (self));

  if (!set_string (&self->placeholder, placeholder))
    return;

  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLACEHOLDER]);
}

const char *
hl_plot_view_get_placeholder (HlPlotView *self)
{
  g_return_val_if_fail (HL_IS_PLOT_VIEW (self), NULL);

  return self->placeholder;
}

static void
popover_closed_cb (GtkPopover *popover)
{
  gtk_widget_unparent (GTK_WIDGET (popover));
}

void
hl_plot_view_popup_menu (GtkWidget *widget,
                         HlFigure  *figure,
                         double     x,
                         double     y)
{
  hl_plot_view_popup_menu_with (widget, figure, NULL, x, y);
}

void
hl_plot_view_popup_menu_with (GtkWidget  *widget,
                              HlFigure   *figure,
                              GMenuModel *section,
                              double      x,
                              double      y)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) item = NULL;
  gboolean exportable;
  GtkWidget *popover;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  exportable = figure != NULL && hl_figure_get_basename (figure) != NULL;
  if (!exportable && (section == NULL || g_menu_model_get_n_items (section) == 0))
    return;

  if (section != NULL)
    g_menu_append_section (menu, NULL, section);
  if (exportable)
    {
      item = g_menu_item_new (_("Export Figure…"), NULL);
      g_menu_item_set_action_and_target (item, "win.export-named-figure", "s",
                                         hl_figure_get_basename (figure));
      g_menu_append_item (menu, item);
    }
  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_widget_set_parent (popover, widget);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { x, y, 1, 1 });
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  g_signal_connect (popover, "closed", G_CALLBACK (popover_closed_cb), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
}

void
hl_plot_view_draw_placeholder (GtkWidget   *widget,
                               GtkSnapshot *snapshot,
                               const char  *text)
{
  g_autoptr(PangoLayout) layout = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int text_height;
  GdkRGBA color;

  if (text == NULL || width <= 0 || height <= 0)
    return;


  /* The layout centres each line within the widget's width, less a margin. */
  layout = gtk_widget_create_pango_layout (widget, text);
  pango_layout_set_width (layout, PANGO_SCALE * MAX (width - 2 * PLACEHOLDER_MARGIN, 1));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_get_pixel_size (layout, NULL, &text_height);
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  color.alpha *= 0.55;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (PLACEHOLDER_MARGIN,
                                                          (height - text_height) / 2.0));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

void
hl_plot_view_class_add_menu_keys (GtkWidgetClass              *widget_class,
                                  GtkWidgetActionActivateFunc  activate)
{
  gtk_widget_class_install_action (widget_class, "plot.menu", NULL, activate);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "plot.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "plot.menu", NULL);
}

/* A popover is positioned by its parent's allocation. */
void
hl_plot_view_allocate_popovers (GtkWidget *widget,
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

void
hl_plot_view_remove_popovers (GtkWidget *widget)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (widget)) != NULL)
    gtk_widget_unparent (child);
}

static void
context_click_pressed_cb (GtkGestureClick *gesture,
                          int              n_press,
                          double           x,
                          double           y,
                          HlPlotView      *self)
{
  hl_plot_view_popup_menu (GTK_WIDGET (self), self->figure, x, y);
}

static void
hl_plot_view_menu_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  hl_plot_view_popup_menu (widget, HL_PLOT_VIEW (widget)->figure,
                           gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
}

static void
hl_plot_view_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  HlPlotView *self = HL_PLOT_VIEW (widget);
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
  hl_figure_draw (self->figure, hl_plot_theme_get (), cr, width, height);
  cairo_destroy (cr);
}

static void
hl_plot_view_dispose (GObject *object)
{
  HlPlotView *self = HL_PLOT_VIEW (object);

  hl_plot_view_remove_popovers (GTK_WIDGET (self));
  g_clear_pointer (&self->figure, hl_figure_unref);

  G_OBJECT_CLASS (hl_plot_view_parent_class)->dispose (object);
}

static void
hl_plot_view_finalize (GObject *object)
{
  HlPlotView *self = HL_PLOT_VIEW (object);

  g_free (self->label);
  g_free (self->placeholder);

  G_OBJECT_CLASS (hl_plot_view_parent_class)->finalize (object);
}

static void
hl_plot_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HlPlotView *self = HL_PLOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_FIGURE: g_value_set_boxed (value, self->figure); break;
    case PROP_LABEL: g_value_set_string (value, self->label); break;
    case PROP_PLACEHOLDER: g_value_set_string (value, self->placeholder); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_plot_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HlPlotView *self = HL_PLOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_FIGURE: hl_plot_view_set_figure (self, g_value_get_boxed (value)); break;
    case PROP_LABEL: hl_plot_view_set_label (self, g_value_get_string (value)); break;
    case PROP_PLACEHOLDER: hl_plot_view_set_placeholder (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_plot_view_class_init (HlPlotViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_plot_view_dispose;
  object_class->finalize = hl_plot_view_finalize;
  object_class->get_property = hl_plot_view_get_property;
  object_class->set_property = hl_plot_view_set_property;

  properties[PROP_FIGURE] =
    g_param_spec_boxed ("figure", NULL, NULL, HL_TYPE_FIGURE,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PLACEHOLDER] =
    g_param_spec_string ("placeholder", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  widget_class->snapshot = hl_plot_view_snapshot;
  widget_class->size_allocate = hl_plot_view_allocate_popovers;
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "plotview");
  hl_plot_view_class_add_menu_keys (widget_class, hl_plot_view_menu_action);
}

static void
hl_plot_view_init (HlPlotView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  /* Reached with Tab: its focus ring shows, Shift+F10 opens its menu. */
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self), 240, 200);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  hl_plot_theme_watch (GTK_WIDGET (self));

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (context_click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}
