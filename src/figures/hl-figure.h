/* hl-figure.h: one figure, ready to draw: a plot kind and its renderer's
 * data, owned by the figure (every array and string it points to), shared
 * by reference counting and never changed once built. The window shows it,
 * the export dialog writes it, `headlens-cli render` writes the same one;
 * builders (hl-figure-builders.h) make them from analysis results.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hl-plot-export.h"

G_BEGIN_DECLS

typedef struct _HlFigure HlFigure;

#define HL_TYPE_FIGURE (hl_figure_get_type ())

GType          hl_figure_get_type     (void) G_GNUC_CONST;

HlFigure      *hl_figure_ref          (HlFigure           *self);
void           hl_figure_unref        (HlFigure           *self);

HlPlotKind     hl_figure_get_kind     (HlFigure           *self);
/* The renderer's struct of the figure's kind, valid as long as @self. */
gconstpointer  hl_figure_get_data     (HlFigure           *self);
/* What the figure is called in a list ("Layer 3 · Head 5: Attention
 * profile") and its file name without extension ("layer3-head5-profile");
 * NULL until named. Figures of the same thing on screen and in an export
 * share the file name. */
const char    *hl_figure_get_name     (HlFigure           *self);
const char    *hl_figure_get_basename (HlFigure           *self);

void           hl_figure_draw         (HlFigure           *self,
                                       const HlPlotStyle  *style,
                                       cairo_t            *cr,
                                       double              width,
                                       double              height);
gboolean       hl_figure_export_to_file  (HlFigure                  *self,
                                          const HlPlotStyle         *style,
                                          const HlPlotExportOptions *options,
                                          const char                *path,
                                          GError                   **error);

/* For builders, before the figure is shared: a new figure whose data is a
 * zeroed struct of @data_size bytes (returned through @data), memory the
 * figure owns, and its names. */
HlFigure      *hl_figure_new          (HlPlotKind          kind,
                                       gsize               data_size,
                                       gpointer           *data);
gpointer       hl_figure_alloc        (HlFigure           *self,
                                       gsize               size);
gpointer       hl_figure_dup          (HlFigure           *self,
                                       gconstpointer       mem,
                                       gsize               size);
/* @str copied (NULL stays NULL); @owned taken. */
const char    *hl_figure_strdup       (HlFigure           *self,
                                       const char         *str);
const char    *hl_figure_take_string  (HlFigure           *self,
                                       char               *owned);
/* Keeps @object alive (released with @destroy) as long as the figure. */
void           hl_figure_keep         (HlFigure           *self,
                                       gpointer            object,
                                       GDestroyNotify      destroy);
void           hl_figure_set_names    (HlFigure           *self,
                                       const char         *name,
                                       const char         *basename);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlFigure, hl_figure_unref)

G_END_DECLS
