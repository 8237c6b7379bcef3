/* hl-export-figures.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-export-figures.h"
#include "hl-curves-plot.h"
#include "hl-head-detail.h"
#include "hl-heatmap-view.h"
#include "hl-plot-view.h"
#include "hl-scatter-view.h"

/* The figures found so far, and which one to select. */
typedef struct
{
  HlExportDialog *dialog;
  GtkWidget      *preferred;   /* a plot widget, or NULL */
  int             selected;    /* the index of preferred's figure, or -1 */
  guint           n_figures;
} Collect;

HlPlotStylePreset
hl_export_figures_current_style (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  if (adw_style_manager_get_high_contrast (manager))
    return HL_PLOT_STYLE_HIGH_CONTRAST;

  return adw_style_manager_get_dark (manager) ? HL_PLOT_STYLE_DARK : HL_PLOT_STYLE_LIGHT;
}

static void
collect_add (Collect        *c,
             GtkWidget      *source,
             const char     *title,
             const char     *basename,
             HlPlotSnapshot *snapshot)
{
  hl_export_dialog_add_figure (c->dialog, title, basename, snapshot);
  if (source == c->preferred && c->selected < 0)
    c->selected = c->n_figures;
  c->n_figures++;
}

/* The head a plot belongs to, or NULL for the model-level plots. */
static HlHeadResult *
head_of (GtkWidget     *widget,
         HlHeadDetail **detail)
{
  *detail = (HlHeadDetail *) gtk_widget_get_ancestor (widget, HL_TYPE_HEAD_DETAIL);

  return *detail != NULL ? hl_head_detail_get_result (*detail) : NULL;
}

/* "Layer 3 · Head 5: Attention profile" and "layer3-head5-profile", or
 * the plot's own name and "model-curves" for the model-level plots. */
static void
name_figure (GtkWidget   *widget,
             const char  *label,
             const char  *what,
             char       **title,
             char       **basename)
{
  HlHeadDetail *detail;
  HlHeadResult *result = head_of (widget, &detail);

  if (result == NULL)
    {
      *title = g_strdup (label);
      *basename = g_strdup_printf ("model-%s", what);
      return;
    }

  /* Translators: a figure of one head, e.g. "Layer 3 · Head 5: Attention profile" */
  *title = g_strdup_printf (_("%s: %s"), hl_head_detail_get_title (detail), label);
  *basename = g_strdup_printf ("layer%d-head%d-%s", result->layer, result->head, what);
}

/* Over the panels: the head ("Layer 3 · Head 5") or the model plot's own
 * title ("Mean over heads"). */
static const char *
panel_title (GtkWidget              *view,
             const HlCurvesPlotData *curves)
{
  HlHeadDetail *detail;

  if (head_of (view, &detail) != NULL)
    return hl_head_detail_get_title (detail);

  return curves->title;
}

static void
collect_plot_view (Collect    *c,
                   HlPlotView *view)
{
  HlPlotKind kind = hl_plot_view_get_kind (view);
  gconstpointer data = hl_plot_view_get_data (view);
  const char *what = hl_plot_kind_to_string (kind);
  g_autoptr(HlPlotSnapshot) snapshot = NULL;
  g_autofree char *title = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *panel_label = NULL;

  if (data == NULL)
    return;

  snapshot = hl_plot_snapshot_new (kind, data);
  name_figure (GTK_WIDGET (view), hl_plot_view_get_label (view), what, &title, &basename);
  collect_add (c, GTK_WIDGET (view), title, basename, snapshot);
  if (kind != HL_PLOT_CURVES)
    return;

  g_clear_pointer (&snapshot, hl_plot_snapshot_unref);
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&basename, g_free);
  panel_label = g_strdup_printf (_("%s, as three panels"), hl_plot_view_get_label (view));
  name_figure (GTK_WIDGET (view), panel_label, "panel", &title, &basename);
  snapshot = hl_plot_snapshot_new_curves_panel (data, panel_title (GTK_WIDGET (view), data));
  collect_add (c, NULL, title, basename, snapshot);
}

static void
collect_scatter_view (Collect       *c,
                      HlScatterView *view)
{
  const HlScatterPlotData *data = hl_scatter_view_get_plot_data (view);
  g_autoptr(HlPlotSnapshot) snapshot = NULL;
  g_autofree char *title = NULL;
  g_autofree char *basename = NULL;

  if (data == NULL)
    return;

  snapshot = hl_plot_snapshot_new (HL_PLOT_SCATTER, data);
  name_figure (GTK_WIDGET (view), _("Value-space scatter"), "scatter", &title, &basename);
  collect_add (c, GTK_WIDGET (view), title, basename, snapshot);
}

static void
collect_heatmap_view (Collect       *c,
                      HlHeatmapView *view)
{
  const HlHeatmapPlotData *data = hl_heatmap_view_get_plot_data (view);
  g_autoptr(HlPlotSnapshot) snapshot = NULL;

  if (data == NULL || data->n_layers * data->n_heads == 0)
    return;

  snapshot = hl_plot_snapshot_new (HL_PLOT_HEATMAP, data);
  collect_add (c, GTK_WIDGET (view), _("Layer × head overview"), "model-heatmap", snapshot);
}

static void
collect (Collect   *c,
         GtkWidget *widget)
{
  /* Hidden widgets and the pages a stack does not show are not figures
   * the user can see. */
  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return;
  if (HL_IS_PLOT_VIEW (widget))
    collect_plot_view (c, HL_PLOT_VIEW (widget));
  else if (HL_IS_SCATTER_VIEW (widget))
    collect_scatter_view (c, HL_SCATTER_VIEW (widget));
  else if (HL_IS_HEATMAP_VIEW (widget))
    collect_heatmap_view (c, HL_HEATMAP_VIEW (widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (c, child);
}

/* The plot widget @widget is, or is inside, or NULL. */
static GtkWidget *
plot_of (GtkWidget *widget)
{
  GtkWidget *plot;

  if (widget == NULL)
    return NULL;
  plot = gtk_widget_get_ancestor (widget, HL_TYPE_PLOT_VIEW);
  if (plot == NULL)
    plot = gtk_widget_get_ancestor (widget, HL_TYPE_SCATTER_VIEW);
  if (plot == NULL)
    plot = gtk_widget_get_ancestor (widget, HL_TYPE_HEATMAP_VIEW);

  return plot;
}

/* Ctrl+E exports the plot the user is pointing at. */
static GtkWidget *
widget_under_pointer (GtkWindow *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  GdkSeat *seat = gdk_display_get_default_seat (gtk_widget_get_display (GTK_WIDGET (window)));
  GdkDevice *pointer = seat != NULL ? gdk_seat_get_pointer (seat) : NULL;
  double x, y, dx, dy;

  if (surface == NULL || pointer == NULL
      || !gdk_surface_get_device_position (surface, pointer, &x, &y, NULL))
    return NULL;

  gtk_native_get_surface_transform (GTK_NATIVE (window), &dx, &dy);
  return gtk_widget_pick (GTK_WIDGET (window), x - dx, y - dy, GTK_PICK_DEFAULT);
}

HlExportDialog *
hl_export_figures_present (GtkWindow *window,
                           GtkWidget *preferred)
{
  Collect c = { NULL, plot_of (preferred), -1, 0 };

  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);
  g_return_val_if_fail (preferred == NULL || GTK_IS_WIDGET (preferred), NULL);

  if (c.preferred == NULL)
    c.preferred = plot_of (widget_under_pointer (window));
  if (c.preferred == NULL)
    c.preferred = plot_of (gtk_window_get_focus (window));

  c.dialog = g_object_ref_sink (hl_export_dialog_new (window, hl_export_figures_current_style ()));
  collect (&c, GTK_WIDGET (window));
  if (c.n_figures == 0)
    {
      gtk_window_destroy (GTK_WINDOW (c.dialog));
      g_object_unref (c.dialog);
      return NULL;
    }

  if (c.selected >= 0)
    hl_export_dialog_select_figure (c.dialog, c.selected);
  gtk_window_present (GTK_WINDOW (c.dialog));
  g_object_unref (c.dialog);
  return c.dialog;
}
