/* hl-scatter-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <string.h>

#include "hl-plot-theme.h"
#include "hl-scatter-plot.h"
#include "hl-scatter-view.h"

/* How close the pointer must be to a point to hover it, in pixels. */
#define HOVER_RADIUS 8.0

struct _HlScatterView
{
  GtkWidget           parent_instance;

  HlScatter          *scatter;   /* owned */
  HlScatterPlotData   data;      /* points into scatter */
  const float        *alpha;     /* borrowed */
  const char * const *tokens;    /* borrowed, may be NULL */
};

G_DEFINE_FINAL_TYPE (HlScatterView, hl_scatter_view, GTK_TYPE_WIDGET)

GtkWidget *
hl_scatter_view_new (void)
{
  return g_object_new (HL_TYPE_SCATTER_VIEW, NULL);
}

const HlScatter *
hl_scatter_view_get_scatter (HlScatterView *self)
{
  g_return_val_if_fail (HL_IS_SCATTER_VIEW (self), NULL);

  return self->scatter;
}

const HlScatterPlotData *
hl_scatter_view_get_plot_data (HlScatterView *self)
{
  g_return_val_if_fail (HL_IS_SCATTER_VIEW (self), NULL);

  return self->scatter != NULL ? &self->data : NULL;
}

static void
fill_plot_data (HlScatterPlotData *data,
                const HlScatter   *scatter,
                HlDistance         distance,
                int                query_position)
{
  data->n_points = scatter->n_points;
  data->x = scatter->x;
  data->y = scatter->y;
  data->selected = scatter->selected;
  data->in_max_ball = scatter->in_max_ball;
  data->in_min_ball = scatter->in_min_ball;
  data->in_max_disk = scatter->in_max_disk;
  data->in_min_disk = scatter->in_min_disk;
  data->centre_x = scatter->centre_x;
  data->centre_y = scatter->centre_y;
  data->rho_max = scatter->rho_max;
  data->rho_min = scatter->rho_min;
  data->distance = distance;
  data->explained[0] = scatter->explained[0];
  data->explained[1] = scatter->explained[1];
  data->n = scatter->n;
  data->query_index = query_position;
  data->hovered = -1;
}

void
hl_scatter_view_set_scatter (HlScatterView      *self,
                             HlScatter          *scatter,
                             HlDistance          distance,
                             int                 query_position,
                             const float        *alpha,
                             const char * const *tokens)
{
  g_return_if_fail (HL_IS_SCATTER_VIEW (self));

  g_clear_pointer (&self->scatter, hl_scatter_free);
  memset (&self->data, 0, sizeof self->data);
  self->scatter = scatter;
  self->alpha = alpha;
  self->tokens = tokens;
  if (scatter != NULL)
    fill_plot_data (&self->data, scatter, distance, query_position);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static int
hl_scatter_view_point_at (HlScatterView *self,
                          double         x,
                          double         y)
{
  if (self->scatter == NULL)
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

  if (self->scatter == NULL || hovered == self->data.hovered)
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

static char *
format_point (HlScatterView *self,
              int            index)
{
  g_autofree char *token = NULL;

  if (self->tokens != NULL)
    token = g_markup_escape_text (self->tokens[index], -1);
  else
    token = g_strdup ("—");

  return g_strdup_printf (_("“%s” at position %d\nα = %.4g, D = %.4g%s"),
                          token, index, self->alpha[index],
                          self->scatter->distance[index],
                          self->scatter->selected[index] ? _(" (selected)") : "");
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
hl_scatter_view_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  HlScatterView *self = HL_SCATTER_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (self->scatter == NULL || width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  hl_scatter_plot_draw (hl_plot_theme_get (), &self->data, cr, width, height);
  cairo_destroy (cr);
}

static void
hl_scatter_view_finalize (GObject *object)
{
  HlScatterView *self = HL_SCATTER_VIEW (object);

  g_clear_pointer (&self->scatter, hl_scatter_free);

  G_OBJECT_CLASS (hl_scatter_view_parent_class)->finalize (object);
}

static void
hl_scatter_view_class_init (HlScatterViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = hl_scatter_view_finalize;
  widget_class->snapshot = hl_scatter_view_snapshot;
  widget_class->query_tooltip = hl_scatter_view_query_tooltip;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "scatterview");
}

static void
hl_scatter_view_init (HlScatterView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  g_signal_connect_swapped (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect_swapped (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self), 320, 320);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Value-space scatter of the head’s token contributions"),
                                  -1);
  hl_plot_theme_watch (GTK_WIDGET (self));
}
