/* hl-export-dialog.h: Export Figure: one plot (or a choice of plots) saved
 * as PNG, SVG or PDF at an exact size, with a preview drawn by the real
 * renderer at that size.
 *
 * Figures never change once built, and the dialog holds them, so the
 * window that opened it may move on (an analysis finishing, another head
 * selected) while it is open.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hl-figure.h"
#include "hl-session.h"

G_BEGIN_DECLS

#define HL_TYPE_EXPORT_DIALOG (hl_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HlExportDialog, hl_export_dialog, HL, EXPORT_DIALOG, AdwWindow)

/* A modal dialog transient for @parent (may be NULL). @current is the style
 * the screen uses now, offered besides the light style. */
HlExportDialog *hl_export_dialog_new             (GtkWindow          *parent,
                                                  HlPlotStylePreset   current);

/* Adds a named figure to the choice: its name is listed, its basename is
 * the suggested file name. The first one added is selected. Until a size
 * is chosen, the selected figure's kind sets it (panels are double column,
 * other plots single column). */
void            hl_export_dialog_add_figure      (HlExportDialog     *self,
                                                  HlFigure           *figure);
void            hl_export_dialog_select_figure   (HlExportDialog     *self,
                                                  guint               index);
guint           hl_export_dialog_get_n_figures   (HlExportDialog     *self);
/* The index of the selected figure, in the order they were added. */
guint           hl_export_dialog_get_selected_figure (HlExportDialog *self);

/* The options the file will be written with (size in inches). */
void            hl_export_dialog_get_options     (HlExportDialog     *self,
                                                  HlPlotExportOptions *options);
void            hl_export_dialog_set_format      (HlExportDialog     *self,
                                                  HlPlotFormat        format);
void            hl_export_dialog_set_size        (HlExportDialog     *self,
                                                  double              width,
                                                  double              height);
void            hl_export_dialog_set_dpi         (HlExportDialog     *self,
                                                  double              dpi);
/* The font family of the figure's text (remembered in GSettings
 * export-font-family); setting one that is not installed leaves fontconfig
 * to substitute, so callers offer installed families only. */
char           *hl_export_dialog_dup_font_family (HlExportDialog     *self);
void            hl_export_dialog_set_font_family (HlExportDialog     *self,
                                                  const char         *family);
/* The style the file is drawn with (a copy: the caller frees it). */
HlPlotStyle    *hl_export_dialog_dup_style       (HlExportDialog     *self);

/* Where the last preview drew the figure, in the preview's coordinates;
 * FALSE before the preview has been drawn. */
gboolean        hl_export_dialog_get_preview_rect (HlExportDialog    *self,
                                                   graphene_rect_t   *rect);

/* The session the figures are built from, set before they are added: each
 * file written records what its figure showed when added
 * (hl_session_figure_provenance (): the input and its SHA-256, read when
 * the file is written, the analysis options, the figure's settings and the
 * style) and a title. Without one (the playground's figures) files carry
 * neither. */
void            hl_export_dialog_set_session     (HlExportDialog     *self,
                                                  HlSession          *session);
/* Writes the selected figure to @path (the extension of @path chooses the
 * format when it names one; otherwise the format's extension is added).
 * An existing file is replaced only after the user confirms. Emits
 * ::saved with the path written, or shows the error in a dialog. */
void            hl_export_dialog_save_to_path    (HlExportDialog     *self,
                                                  const char         *path);

/* Asks for a file name with the platform's file chooser, then saves. */
void            hl_export_dialog_choose_file     (HlExportDialog     *self);

G_END_DECLS
