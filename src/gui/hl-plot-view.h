/* hl-plot-view.h: a widget that shows one figure (src/figures), or a
 * placeholder saying why there is none. Right-click offers Export Figure
 * with this figure selected.
 *
 * Properties: "figure" (HlFigure, may be NULL), "label" (names the plot for
 * assistive technologies), "placeholder" (shown without a figure; NULL:
 * nothing).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-figure.h"

G_BEGIN_DECLS

#define HL_TYPE_PLOT_VIEW (hl_plot_view_get_type ())
G_DECLARE_FINAL_TYPE (HlPlotView, hl_plot_view, HL, PLOT_VIEW, GtkWidget)

GtkWidget  *hl_plot_view_new             (const char *label);

void        hl_plot_view_set_figure      (HlPlotView *self,
                                          HlFigure   *figure);
HlFigure   *hl_plot_view_get_figure      (HlPlotView *self);
void        hl_plot_view_set_label       (HlPlotView *self,
                                          const char *label);
const char *hl_plot_view_get_label       (HlPlotView *self);
void        hl_plot_view_set_placeholder (HlPlotView *self,
                                          const char *placeholder);
const char *hl_plot_view_get_placeholder (HlPlotView *self);

/* The right-click menu of a view showing @figure: Export Figure with it
 * selected ("win.export-named-figure" with its basename). Shared by the
 * plot widgets. */
void        hl_plot_view_popup_menu      (GtkWidget  *widget,
                                          HlFigure   *figure,
                                          double      x,
                                          double      y);
/* The same with @section (NULL: none) of the widget's own commands
 * above Export Figure; a menu even without a figure when @section has
 * items. */
void        hl_plot_view_popup_menu_with (GtkWidget  *widget,
                                          HlFigure   *figure,
                                          GMenuModel *section,
                                          double      x,
                                          double      y);
/* A plot widget's only children are its context menu's popovers: its
 * size_allocate presents them where they point, its dispose removes them. */
/* Shift+F10 and the Menu key run @activate as action plot.menu: the
 * keyboard's way to the menu a right click opens (hl_plot_view_popup_menu
 * at the plot's centre). */
void        hl_plot_view_class_add_menu_keys (GtkWidgetClass              *widget_class,
                                              GtkWidgetActionActivateFunc  activate);
void        hl_plot_view_allocate_popovers (GtkWidget *widget,
                                            int        width,
                                            int        height,
                                            int        baseline);
void        hl_plot_view_remove_popovers   (GtkWidget *widget);
/* Draws @text centred and dimmed: what a plot widget shows without a
 * figure. */
void        hl_plot_view_draw_placeholder (GtkWidget   *widget,
                                           GtkSnapshot *snapshot,
                                           const char  *text);

G_END_DECLS
