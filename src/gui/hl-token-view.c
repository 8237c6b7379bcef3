/* hl-token-view.c
 *
 * The widget scrolls itself (GtkScrollable): it lays the tokens out at its
 * width once per text and draws only the lines in view, so a document of
 * thousands of tokens scrolls as fast as a short one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>

#include "hl-plot-paint.h"
#include "hl-plot-theme.h"
#include "hl-plot-view.h"
#include "hl-session-figures.h"
#include "hl-session-watch.h"
#include "hl-token-view.h"
#include "hl-tokens-plot.h"

/* Room around the tokens, in pixels. */
#define MARGIN 6.0

struct _HlTokenView
{
  GtkWidget       parent_instance;

  HlSession      *session;      /* owned, or NULL */
  HlFigure       *figure;       /* owned: what is drawn, NULL when out of date */
  HlTokensLayout *layout;       /* owned: the figure's tokens at layout_width */
  HlHeadData     *laid_out;     /* owned ref: the head data the layout is of */
  double          layout_width;
  GtkAdjustment  *hadjustment;
  GtkAdjustment  *vadjustment;
  guint           hscroll_policy : 1;
  guint           vscroll_policy : 1;
  int             scroll_to;    /* a token to bring into view at the next layout, or -1 */
};

static void hl_token_view_scrollable_init (GtkScrollableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HlTokenView, hl_token_view, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE,
                                                      hl_token_view_scrollable_init))

enum {
  PROP_0,
  PROP_SESSION,
  PROP_HADJUSTMENT,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
  N_PROPS = PROP_HADJUSTMENT
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
hl_token_view_new (void)
{
  return g_object_new (HL_TYPE_TOKEN_VIEW, NULL);
}

HlFigure *
hl_token_view_get_figure (HlTokenView *self)
{
  g_return_val_if_fail (HL_IS_TOKEN_VIEW (self), NULL);

  if (self->figure == NULL && self->session != NULL)
    self->figure = hl_session_build_figure (self->session, HL_SESSION_FIGURE_TOKENS,
                                            HL_FIGURE_TARGET_SCREEN);
  return self->figure;
}

static const HlTokensPlotData *
plot_data (HlTokenView *self)
{
  HlFigure *figure = hl_token_view_get_figure (self);

  return figure != NULL ? hl_figure_get_data (figure) : NULL;
}

static double
scroll_value (HlTokenView *self)
{
  return self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0;
}

/* Lays the tokens out for a widget @widget_width wide when the text or
 * the width changed; FALSE when there is nothing to lay out. */
static gboolean
hl_token_view_ensure_layout_at (HlTokenView *self,
                                int          widget_width)
{
  const HlTokensPlotData *data = plot_data (self);
  HlHeadData *head = self->session != NULL ? hl_session_get_head_data (self->session) : NULL;
  double width = MAX (widget_width - 2 * MARGIN, 1);

  if (data == NULL || head == NULL)
    {
      g_clear_pointer (&self->layout, hl_tokens_layout_free);
      g_clear_pointer (&self->laid_out, hl_head_data_unref);
      return FALSE;
    }
  if (self->layout != NULL && self->laid_out == head && self->layout_width == width)
    return TRUE;
  /* A new text starts at its query, where the selection is made. */
  if (self->laid_out != head)
    self->scroll_to = data->n_tokens - 1;
  g_clear_pointer (&self->layout, hl_tokens_layout_free);
  g_clear_pointer (&self->laid_out, hl_head_data_unref);
  self->layout = hl_tokens_layout_new (hl_plot_theme_get (), data, width);
  self->laid_out = hl_head_data_ref (head);
  self->layout_width = width;
  return TRUE;
}

static gboolean
hl_token_view_ensure_layout (HlTokenView *self)
{
  return hl_token_view_ensure_layout_at (self, gtk_widget_get_width (GTK_WIDGET (self)));
}

/* The scroll range: the lines, the margins, the widget's height. */
static void
hl_token_view_configure (HlTokenView *self)
{
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double upper = self->layout != NULL ? hl_tokens_layout_get_height (self->layout) + 2 * MARGIN
                                      : height;

  if (self->vadjustment != NULL)
    gtk_adjustment_configure (self->vadjustment, scroll_value (self), 0, MAX (upper, height),
                              height * 0.1, height * 0.9, height);
  if (self->hadjustment != NULL)
    gtk_adjustment_configure (self->hadjustment, 0, 0, gtk_widget_get_width (GTK_WIDGET (self)),
                              1, 1, gtk_widget_get_width (GTK_WIDGET (self)));
}

/* Scrolls the least that shows token @index whole. */
static void
hl_token_view_scroll_to (HlTokenView *self,
                         int          index)
{
  double x, y, w, h, value = scroll_value (self);
  double page = gtk_widget_get_height (GTK_WIDGET (self)) - 2 * MARGIN;

  if (self->layout == NULL || self->vadjustment == NULL || index < 0
      || index >= plot_data (self)->n_tokens)
    return;
  hl_tokens_layout_get_box (self->layout, index, &x, &y, &w, &h);
  if (y < value)
    value = y;
  else if (y + h > value + page)
    value = y + h - page;
  gtk_adjustment_set_value (self->vadjustment, value);
}

static void
hl_token_view_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  HlTokenView *self = HL_TOKEN_VIEW (widget);

  hl_plot_view_allocate_popovers (widget, width, height, baseline);
  hl_token_view_ensure_layout (self);
  hl_token_view_configure (self);
  if (self->scroll_to >= 0 && self->layout != NULL)
    {
      hl_token_view_scroll_to (self, self->scroll_to);
      self->scroll_to = -1;
    }
}

static void
hl_token_view_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  HlTokenView *self = HL_TOKEN_VIEW (widget);

  /* Any size: the widget scrolls. Its natural height is its text's at
   * that width, so a scrolled window decides whether it needs a
   * scrollbar before allocating it, not after (a late change would queue
   * a resize while its parents are being allocated). */
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 120 : 48;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 400 : 160;
  if (orientation == GTK_ORIENTATION_VERTICAL && for_size > 0
      && hl_token_view_ensure_layout_at (self, for_size))
    *natural = MAX (*minimum, (int) ceil (hl_tokens_layout_get_height (self->layout) + 2 * MARGIN));
}

static void
hl_token_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  HlTokenView *self = HL_TOKEN_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (!hl_token_view_ensure_layout (self) || width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  hl_plot_paint_background (cr, hl_plot_theme_get (), width, height);
  cairo_translate (cr, MARGIN, MARGIN);
  hl_tokens_plot_draw_lines (hl_plot_theme_get (), plot_data (self), self->layout, cr,
                             scroll_value (self), height);
  cairo_destroy (cr);
}

/* Hit-testing --------------------------------------------------------------- */

int
hl_token_view_token_at (HlTokenView *self,
                        double       x,
                        double       y)
{
  g_return_val_if_fail (HL_IS_TOKEN_VIEW (self), -1);

  if (!hl_token_view_ensure_layout (self))
    return -1;
  return hl_tokens_layout_token_at (self->layout, x - MARGIN, y - MARGIN + scroll_value (self));
}

gboolean
hl_token_view_token_center (HlTokenView *self,
                            int          index,
                            double      *x,
                            double      *y)
{
  double bx, by, bw, bh;

  g_return_val_if_fail (HL_IS_TOKEN_VIEW (self), FALSE);

  if (!hl_token_view_ensure_layout (self) || index < 0 || index >= plot_data (self)->n_tokens)
    return FALSE;
  hl_tokens_layout_get_box (self->layout, index, &bx, &by, &bw, &bh);
  *x = MARGIN + bx + bw / 2;
  *y = MARGIN + by + bh / 2 - scroll_value (self);
  return *y >= 0 && *y <= gtk_widget_get_height (GTK_WIDGET (self));
}

gboolean
hl_token_view_click (HlTokenView *self,
                     double       x,
                     double       y)
{
  int index;

  g_return_val_if_fail (HL_IS_TOKEN_VIEW (self), FALSE);

  index = hl_token_view_token_at (self, x, y);
  if (index < 0)
    return FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  /* A second click on the highlighted token lets it go. */
  hl_session_set_highlighted_key (self->session,
                                  index == hl_session_get_highlighted_key (self->session)
                                  ? -1 : index);
  return TRUE;
}

/* "stored as “\n”" when the token is drawn differently from its text. */
static char *
stored_as (const char *raw,
           const char *shown)
{
  g_autofree char *escaped = NULL;

  if (raw == NULL || g_strcmp0 (raw, shown) == 0)
    return g_strdup ("");
  escaped = g_strescape (raw, "");
  /* Translators: how a token is stored when it is drawn otherwise */
  return g_strdup_printf (_(", stored as “%s”"), escaped);
}

/* "inside the ρ_max ball (D ≤ ρ_max = 0.25)" and the like. */
static char *
ball_membership (const HlScatter *scatter,
                 int              index)
{
  g_autofree char *max = NULL;
  g_autofree char *min = NULL;

  max = scatter->in_max_ball[index]
        ? g_strdup_printf (_("inside the ρ_max ball (D ≤ %.4g)"), scatter->rho_max)
        : g_strdup_printf (_("outside the ρ_max ball (D > %.4g)"), scatter->rho_max);
  min = scatter->in_min_ball[index]
        ? g_strdup_printf (_("inside the ρ_min ball (D < %.4g)"), scatter->rho_min)
        : g_strdup_printf (_("outside the ρ_min ball (D ≥ %.4g)"), scatter->rho_min);
  return g_strdup_printf ("%s, %s", max, min);
}

char *
hl_token_view_describe (HlTokenView *self,
                        int          index)
{
  HlHeadData *head;
  const HlScatter *scatter;
  const HlTokensPlotData *data;
  g_autofree char *shown = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *id = NULL;
  g_autofree char *balls = NULL;
  gboolean word_start, line_break;

  g_return_val_if_fail (HL_IS_TOKEN_VIEW (self), NULL);

  data = plot_data (self);
  head = self->session != NULL ? hl_session_get_head_data (self->session) : NULL;
  scatter = self->session != NULL ? hl_session_get_scatter (self->session) : NULL;
  if (data == NULL || head == NULL || scatter == NULL || index < 0 || index >= data->n_tokens)
    return NULL;
  shown = head->tokens != NULL ? hl_token_display (head->tokens[index], &word_start, &line_break)
                               : g_strdup_printf ("%d", index);
  stored = stored_as (head->tokens != NULL ? head->tokens[index] : NULL, shown);
  /* Translators: a token's id in the vocabulary */
  id = head->token_ids != NULL ? g_strdup_printf (_(", id %d"), head->token_ids[index])
                               : g_strdup ("");
  balls = ball_membership (scatter, index);
  /* Translators: a token's tooltip: its position and text, then its numbers */
  return g_strdup_printf (_("Position %d%s: “%s”%s%s\n"
                            "α = %.4g · ‖y‖ = α‖v‖ = %.4g\n"
                            "distance to s_N: D = %.4g, %s\n"
                            "%s"),
                          index, index == 0 ? _(" (sink)")
                                 : index == data->n_tokens - 1 ? _(" (query)") : "",
                          shown, stored, id, head->alpha[index],
                          head->alpha[index] * head->value_norms[index], scatter->distance[index],
                          balls,
                          scatter->selected[index]
                          ? _("selected: in S_N") : _("not selected"));
}

static gboolean
hl_token_view_query_tooltip (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard,
                             GtkTooltip *tooltip)
{
  HlTokenView *self = HL_TOKEN_VIEW (widget);
  int index = keyboard && self->session != NULL ? hl_session_get_highlighted_key (self->session)
                                                : hl_token_view_token_at (self, x, y);
  g_autofree char *text = hl_token_view_describe (self, index);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
click_pressed_cb (HlTokenView     *self,
                  int              n_press,
                  double           x,
                  double           y,
                  GtkGestureClick *gesture)
{
  if (hl_token_view_click (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
context_click_pressed_cb (HlTokenView     *self,
                          int              n_press,
                          double           x,
                          double           y,
                          GtkGestureClick *gesture)
{
  hl_plot_view_popup_menu (GTK_WIDGET (self), hl_token_view_get_figure (self), x, y);
}

/* Left and right move the highlighted token. */
static void
hl_token_view_move_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  HlTokenView *self = HL_TOKEN_VIEW (widget);
  const HlTokensPlotData *data = plot_data (self);
  int key;

  if (data == NULL || data->n_tokens == 0)
    return;
  key = hl_session_get_highlighted_key (self->session);
  key = key < 0 ? data->n_tokens - 1 : key + g_variant_get_int32 (param);
  hl_session_set_highlighted_key (self->session, CLAMP (key, 0, data->n_tokens - 1));
}

/* The session ----------------------------------------------------------------- */

static void
session_notify_cb (HlTokenView *self,
                   GParamSpec  *pspec,
                   HlSession   *session)
{
  g_clear_pointer (&self->figure, hl_figure_unref);
  if (g_str_equal (pspec->name, "highlighted-key"))
    self->scroll_to = hl_session_get_highlighted_key (session);
  /* Another text may need another height. */
  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
hl_token_view_set_session (HlTokenView *self,
                           HlSession   *session)
{
  static const char * const shown[] = {
    "head-data", "n", "ranking", "distance", "highlighted-key", NULL
  };

  g_return_if_fail (HL_IS_TOKEN_VIEW (self));

  if (!hl_session_watch (self, &self->session, session, shown, G_CALLBACK (session_notify_cb)))
    return;
  g_clear_pointer (&self->figure, hl_figure_unref);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

HlSession *
hl_token_view_get_session (HlTokenView *self)
{
  g_return_val_if_fail (HL_IS_TOKEN_VIEW (self), NULL);

  return self->session;
}

/* GtkScrollable --------------------------------------------------------------- */

static void
adjustment_value_changed_cb (HlTokenView   *self,
                             GtkAdjustment *adjustment)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_adjustment (HlTokenView    *self,
                GtkAdjustment **field,
                GtkAdjustment  *adjustment)
{
  if (*field == adjustment)
    return;
  if (*field != NULL)
    g_signal_handlers_disconnect_by_data (*field, self);
  g_set_object (field, adjustment);
  if (adjustment != NULL)
    g_signal_connect_swapped (adjustment, "value-changed",
                              G_CALLBACK (adjustment_value_changed_cb), self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
hl_token_view_scrollable_init (GtkScrollableInterface *iface)
{
}

static void
hl_token_view_dispose (GObject *object)
{
  HlTokenView *self = HL_TOKEN_VIEW (object);

  hl_plot_view_remove_popovers (GTK_WIDGET (self));
  hl_session_watch (self, &self->session, NULL, NULL, NULL);
  set_adjustment (self, &self->hadjustment, NULL);
  set_adjustment (self, &self->vadjustment, NULL);
  g_clear_pointer (&self->figure, hl_figure_unref);
  g_clear_pointer (&self->layout, hl_tokens_layout_free);
  g_clear_pointer (&self->laid_out, hl_head_data_unref);

  G_OBJECT_CLASS (hl_token_view_parent_class)->dispose (object);
}

static void
hl_token_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HlTokenView *self = HL_TOKEN_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    case PROP_HADJUSTMENT: g_value_set_object (value, self->hadjustment); break;
    case PROP_VADJUSTMENT: g_value_set_object (value, self->vadjustment); break;
    case PROP_HSCROLL_POLICY: g_value_set_enum (value, self->hscroll_policy); break;
    case PROP_VSCROLL_POLICY: g_value_set_enum (value, self->vscroll_policy); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_token_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  HlTokenView *self = HL_TOKEN_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION: hl_token_view_set_session (self, g_value_get_object (value)); break;
    case PROP_HADJUSTMENT: set_adjustment (self, &self->hadjustment, g_value_get_object (value)); break;
    case PROP_VADJUSTMENT: set_adjustment (self, &self->vadjustment, g_value_get_object (value)); break;
    case PROP_HSCROLL_POLICY: self->hscroll_policy = g_value_get_enum (value); break;
    case PROP_VSCROLL_POLICY: self->vscroll_policy = g_value_get_enum (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_token_view_class_init (HlTokenViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_token_view_dispose;
  object_class->get_property = hl_token_view_get_property;
  object_class->set_property = hl_token_view_set_property;
  widget_class->snapshot = hl_token_view_snapshot;
  widget_class->size_allocate = hl_token_view_size_allocate;
  widget_class->measure = hl_token_view_measure;
  widget_class->query_tooltip = hl_token_view_query_tooltip;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, HL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  gtk_widget_class_install_action (widget_class, "tokens.move", "i", hl_token_view_move_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "tokens.move", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "tokens.move", "i", 1);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "tokenview");
}

static void
hl_token_view_init_controllers (HlTokenView *self)
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
hl_token_view_init (HlTokenView *self)
{
  self->scroll_to = -1;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The query’s tokens shaded by attention"), -1);
  hl_token_view_init_controllers (self);
  hl_plot_theme_watch (GTK_WIDGET (self));
}
