/* hl-export-figures.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-store.h"
#include "hl-export-figures.h"
#include "hl-plot-theme.h"
#include "hl-session-figures.h"

/* The figure @widget or one of its ancestors shows (their "figure"
 * property), or NULL. */
static HlFigure *
figure_shown_by (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (widget), "figure");
      HlFigure *figure = NULL;

      if (pspec == NULL || pspec->value_type != HL_TYPE_FIGURE)
        continue;
      g_object_get (widget, "figure", &figure, NULL);
      if (figure != NULL)
        {
          /* The widget holds it as long as it is shown; borrow it. */
          hl_figure_unref (figure);
          return figure;
        }
    }
  return NULL;
}

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

/* Ctrl+E exports the plot the user points at, or the focused one. */
static const char *
basename_in_view (GtkWindow *window)
{
  HlFigure *figure = figure_shown_by (widget_under_pointer (window));

  if (figure == NULL)
    figure = figure_shown_by (gtk_window_get_focus (window));
  return figure != NULL ? hl_figure_get_basename (figure) : NULL;
}

HlExportDialog *
hl_export_figures_present (GtkWindow  *window,
                           HlSession  *session,
                           const char *preferred)
{
  g_autoptr(GPtrArray) figures = NULL;
  HlExportDialog *dialog;

  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);
  g_return_val_if_fail (HL_IS_SESSION (session), NULL);

  figures = hl_session_build_figures (session, HL_FIGURE_TARGET_EXPORT);
  if (hl_causal_store_peek (session) != NULL)
    hl_causal_store_append_figures (hl_causal_store_peek (session), figures, HL_FIGURE_TARGET_EXPORT);
  if (figures->len == 0)
    return NULL;

  if (preferred == NULL)
    preferred = basename_in_view (window);
  dialog = hl_export_dialog_new (window, hl_plot_theme_get_preset ());
  hl_export_dialog_set_session (dialog, session);
  for (guint i = 0; i < figures->len; i++)
    hl_export_dialog_add_figure (dialog, g_ptr_array_index (figures, i));
  for (guint i = 0; preferred != NULL && i < figures->len; i++)
    if (g_strcmp0 (hl_figure_get_basename (g_ptr_array_index (figures, i)), preferred) == 0)
      hl_export_dialog_select_figure (dialog, i);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}
