/* hl-matrix-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-matrix-plot.h"
#include "hl-matrix-view.h"
#include "hl-plot-theme.h"
#include "hl-plot-view.h"
#include "hl-session-figures.h"
#include "hl-session-watch.h"

struct _HlMatrixView
{
  GtkWidget  parent_instance;

  gboolean   grid;       /* every head's matrices, or the selected head's */
  HlSession *session;    /* owned, or NULL */
  HlFigure  *figure;     /* owned: what is drawn, NULL when out of date */
};

G_DEFINE_FINAL_TYPE (HlMatrixView, hl_matrix_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_FIGURE,
  PROP_GRID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
hl_matrix_view_new (gboolean grid)
{
  return g_object_new (HL_TYPE_MATRIX_VIEW, "grid", grid, NULL);
}

HlFigure *
hl_matrix_view_get_figure (HlMatrixView *self)
{
  g_return_val_if_fail (HL_IS_MATRIX_VIEW (self), NULL);

  if (self->figure == NULL && self->session != NULL)
    self->figure = hl_session_build_figure (self->session,
                                            self->grid ? HL_SESSION_FIGURE_MATRICES
                                                       : HL_SESSION_FIGURE_MATRIX,
                                            HL_FIGURE_TARGET_SCREEN);
  return self->figure;
}

static const HlActivationsInfo *
file_info (HlMatrixView *self)
{
  HlActivations *file = self->session != NULL ? hl_session_get_file (self->session) : NULL;

  return file != NULL ? hl_activations_get_info (file) : NULL;
}

/* Why nothing is drawn, or NULL. */
static const char *
placeholder (HlMatrixView *self)
{
  const HlActivationsInfo *info = file_info (self);

  if (info == NULL)
    return NULL;
  if (info->n_queries < 2)
    return _("This file has one query position: there is no matrix of queries over keys. "
             "Extract with every query position (headlens-cli extract --queries all) to see "
             "one.");
  if (self->grid && hl_session_get_grid_loading (self->session))
    return _("Reading the attention of every head…");
  return NULL;
}

/* The grid reads every head: only once it is looked at. */
static void
hl_matrix_view_load (HlMatrixView *self)
{
  if (self->grid && self->session != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    hl_session_load_attention_grid (self->session);
}

static void
session_notify_cb (HlMatrixView *self,
                   GParamSpec   *pspec,
                   HlSession    *session)
{
  g_clear_pointer (&self->figure, hl_figure_unref);
  hl_matrix_view_load (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIGURE]);
}

void
hl_matrix_view_set_session (HlMatrixView *self,
                            HlSession    *session)
{
  static const char * const shown[] = {
    "file", "head-data", "matrix-log-scale", "attention-grid", "grid-loading",
    "selected-head", "query", NULL
  };

  g_return_if_fail (HL_IS_MATRIX_VIEW (self));

  if (!hl_session_watch (self, &self->session, session, shown, G_CALLBACK (session_notify_cb)))
    return;
  g_clear_pointer (&self->figure, hl_figure_unref);
  hl_matrix_view_load (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The query whose row holds position @position. */
static int
query_at (const HlActivationsInfo *info,
          double                   position)
{
  for (int q = 0; q < info->n_queries; q++)
    {
      float lo, hi;

      hl_attention_query_extent (info->query_positions, info->n_queries, q, &lo, &hi);
      if (position >= lo && position < hi)
        return q;
    }
  return position < info->query_positions[0] ? 0 : info->n_queries - 1;
}

static gboolean
target_at (HlMatrixView *self,
           double        x,
           double        y,
           int          *a,
           int          *b)
{
  HlFigure *figure = hl_matrix_view_get_figure (self);
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double position, key;

  if (figure == NULL)
    return FALSE;
  if (self->grid)
    return hl_matrix_grid_plot_cell_at (hl_plot_theme_get (), hl_figure_get_data (figure), width,
                                        height, x, y, a, b);
  if (!hl_matrix_plot_position_at (hl_plot_theme_get (), hl_figure_get_data (figure), width,
                                   height, x, y, &position, &key))
    return FALSE;
  *a = query_at (file_info (self), position);
  *b = (int) round (key);
  return TRUE;
}

gboolean
hl_matrix_view_click (HlMatrixView *self,
                      double        x,
                      double        y)
{
  int a, b;

  g_return_val_if_fail (HL_IS_MATRIX_VIEW (self), FALSE);

  if (!target_at (self, x, y, &a, &b))
    return FALSE;
  if (self->grid)
    hl_session_select (self->session, a, b);
  else
    hl_session_set_query (self->session, a);
  return TRUE;
}

void
hl_matrix_view_target_center (HlMatrixView *self,
                              int           query,
                              int           head,
                              double       *x,
                              double       *y)
{
  HlFigure *figure;
  int width, height;
  double cx, cy, cw, ch;
  float lo, hi;

  g_return_if_fail (HL_IS_MATRIX_VIEW (self));
  figure = hl_matrix_view_get_figure (self);
  g_return_if_fail (figure != NULL);

  width = gtk_widget_get_width (GTK_WIDGET (self));
  height = gtk_widget_get_height (GTK_WIDGET (self));
  if (self->grid)
    {
      hl_matrix_grid_plot_cell_rect (hl_plot_theme_get (), hl_figure_get_data (figure), width,
                                     height, query, head, &cx, &cy, &cw, &ch);
      *x = cx + cw / 2;
      *y = cy + ch / 2;
      return;
    }
  hl_attention_query_extent (file_info (self)->query_positions, file_info (self)->n_queries,
                             query, &lo, &hi);
  *y = hl_matrix_plot_row_y (hl_plot_theme_get (), hl_figure_get_data (figure), width, height,
                             (lo + hi) / 2);
  *x = width / 2.0;
}

static gboolean
hl_matrix_view_query_tooltip (GtkWidget  *widget,
                              int         x,
                              int         y,
                              gboolean    keyboard,
                              GtkTooltip *tooltip)
{
  HlMatrixView *self = HL_MATRIX_VIEW (widget);
  const HlActivationsInfo *info = file_info (self);
  HlHeadData *data = self->session != NULL ? hl_session_get_head_data (self->session) : NULL;
  g_autofree char *text = NULL;
  int a, b;

  if (!target_at (self, x, y, &a, &b))
    return FALSE;
  if (self->grid)
    text = g_strdup_printf (_("Layer %d · Head %d: click to select"), a, b);
  else if (data != NULL && b >= 0 && b <= info->query_positions[a] && b < data->seq_len)
    text = g_strdup_printf (_("Query at t = %d, key %d: α = %.4g\nclick to look at this query"),
                            info->query_positions[a], b,
                            data->rows[(gsize) a * data->seq_len + b]);
  else
    text = g_strdup_printf (_("Query at t = %d: the keys after it are not visible to it"),
                            info->query_positions[a]);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
click_pressed_cb (HlMatrixView    *self,
                  int              n_press,
                  double           x,
                  double           y,
                  GtkGestureClick *gesture)
{
  if (hl_matrix_view_click (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
context_click_pressed_cb (HlMatrixView    *self,
                          int              n_press,
                          double           x,
                          double           y,
                          GtkGestureClick *gesture)
{
  hl_plot_view_popup_menu (GTK_WIDGET (self), hl_matrix_view_get_figure (self), x, y);
}

static void
hl_matrix_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  HlMatrixView *self = HL_MATRIX_VIEW (widget);
  HlFigure *figure = hl_matrix_view_get_figure (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (figure == NULL || placeholder (self) != NULL)
    {
      hl_plot_view_draw_placeholder (widget, snapshot, placeholder (self));
      return;
    }
  if (width <= 0 || height <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  hl_figure_draw (figure, hl_plot_theme_get (), cr, width, height);
  cairo_destroy (cr);
}

static void
hl_matrix_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (hl_matrix_view_parent_class)->map (widget);
  hl_matrix_view_load (HL_MATRIX_VIEW (widget));
}

static void
hl_matrix_view_dispose (GObject *object)
{
  HlMatrixView *self = HL_MATRIX_VIEW (object);

  hl_plot_view_remove_popovers (GTK_WIDGET (self));
  hl_session_watch (self, &self->session, NULL, NULL, NULL);
  g_clear_pointer (&self->figure, hl_figure_unref);

  G_OBJECT_CLASS (hl_matrix_view_parent_class)->dispose (object);
}

static void
hl_matrix_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_FIGURE:
      g_value_set_boxed (value, hl_matrix_view_get_figure (HL_MATRIX_VIEW (object)));
      break;
    case PROP_GRID: g_value_set_boolean (value, HL_MATRIX_VIEW (object)->grid); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_matrix_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  HlMatrixView *self = HL_MATRIX_VIEW (object);

  switch (prop_id)
    {
    case PROP_GRID:
      self->grid = g_value_get_boolean (value);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      self->grid ? _("Attention matrices of every head")
                                                 : _("Attention matrix of the selected head"),
                                      -1);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_matrix_view_class_init (HlMatrixViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_matrix_view_dispose;
  object_class->get_property = hl_matrix_view_get_property;
  object_class->set_property = hl_matrix_view_set_property;
  widget_class->snapshot = hl_matrix_view_snapshot;
  widget_class->map = hl_matrix_view_map;
  widget_class->size_allocate = hl_plot_view_allocate_popovers;
  widget_class->query_tooltip = hl_matrix_view_query_tooltip;

  /* Export Figure finds the figure under the pointer by this property. */
  properties[PROP_FIGURE] =
    g_param_spec_boxed ("figure", NULL, NULL, HL_TYPE_FIGURE,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_GRID] =
    g_param_spec_boolean ("grid", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "matrixview");
}

static void
hl_matrix_view_init (HlMatrixView *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  hl_plot_view_add_clicks (GTK_WIDGET (self), G_CALLBACK (click_pressed_cb),
                           G_CALLBACK (context_click_pressed_cb));
  hl_plot_theme_watch (GTK_WIDGET (self));
}
