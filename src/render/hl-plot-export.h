/* hl-plot-export.h: any plot written to PNG, SVG or PDF at an exact size.
 *
 * Renderers draw in points: a PNG at D dots per inch scales the context by
 * D / 72 and records D in its pHYs chunk, so LaTeX, Word and LibreOffice
 * place it at its size; vector files use points directly. SVG labels are
 * <text> elements (hl-plot-svg.h). Each format carries the title and the
 * provenance when given: PNG as tEXt/iTXt chunks (Title, Software,
 * Provenance), SVG as <title> and <metadata>, PDF as its Title, Creator and
 * Subject. Output is deterministic: the same plot and options give the
 * same bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hl-plot.h"

G_BEGIN_DECLS

#define HL_PLOT_EXPORT_ERROR (hl_plot_export_error_quark ())

typedef enum
{
  HL_PLOT_EXPORT_ERROR_INVALID,   /* a size, DPI or format that cannot be written */
  HL_PLOT_EXPORT_ERROR_CAIRO,     /* cairo failed to produce the file's contents */
  HL_PLOT_EXPORT_ERROR_WRITE,     /* the file could not be written */
} HlPlotExportError;

typedef enum
{
  HL_PLOT_FORMAT_PNG,
  HL_PLOT_FORMAT_SVG,
  HL_PLOT_FORMAT_PDF,
} HlPlotFormat;

typedef struct
{
  HlPlotFormat format;
  double       width;        /* inches */
  double       height;       /* inches */
  double       dpi;          /* PNG only: pixels per inch */
  gboolean     transparent;  /* PNG and SVG: no background fill */
  const char  *title;        /* the document's title, or NULL */
  const char  *provenance;   /* what the figure was made from (JSON, see
                              * hl-provenance.h), or NULL */
} HlPlotExportOptions;

GQuark   hl_plot_export_error_quark (void);

/* The file's contents in memory (the dialog's preview, tests). */
GBytes  *hl_plot_export_to_bytes    (HlPlotKind                 kind,
                                     const HlPlotStyle         *style,
                                     gconstpointer              data,
                                     const HlPlotExportOptions *options,
                                     GError                   **error);
/* Writes atomically: a temporary file in the same folder, then a rename, so
 * a reader never sees half a figure and a failure leaves the old file. */
gboolean hl_plot_export_to_file     (HlPlotKind                 kind,
                                     const HlPlotStyle         *style,
                                     gconstpointer              data,
                                     const HlPlotExportOptions *options,
                                     const char                *path,
                                     GError                   **error);
/* The format named by @path's extension (.png, .svg, .pdf; any case). */
gboolean hl_plot_format_from_path   (const char                *path,
                                     HlPlotFormat              *format);
/* Parses "7x2.5in", "8.9x6.4cm" or "3.5x2.5" (inches) into inches. */
gboolean hl_plot_parse_size         (const char                *str,
                                     double                    *width,
                                     double                    *height,
                                     GError                   **error);
/* Pixel size of a PNG export: round (inches * dpi). */
void     hl_plot_export_png_size    (const HlPlotExportOptions *options,
                                     int                       *width,
                                     int                       *height);

G_END_DECLS
