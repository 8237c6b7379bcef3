/* hl-export-metrics.h: Export Metrics: the files of `headlens-cli analyze`
 * (curves.csv, heads.csv, model.csv, assumptions.csv, provenance.json and,
 * for a file with tokens, tokens.csv) for a finished analysis, written
 * into a folder the user chooses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hl-analysis.h"

G_BEGIN_DECLS

/* Their names, in the order they are written (tokens.csv only for a file
 * with tokens). */
extern const char * const hl_export_metrics_files[6];

/* Asks for a folder with the platform's chooser, then writes into it as
 * hl_export_metrics_to_folder() does. */
void     hl_export_metrics_choose_folder (GtkWindow       *parent,
                                          HlAnalysis      *analysis,
                                          AdwToastOverlay *overlay);

/* Writes the files into @dir. When some of them exist already it asks
 * (an AdwMessageDialog transient for @parent) and writes only when the
 * user agrees. A toast in @overlay (may be NULL) says where they went; an
 * error is shown in a dialog. Returns TRUE when the files were written
 * before returning. */
gboolean hl_export_metrics_to_folder     (GtkWindow       *parent,
                                          HlAnalysis      *analysis,
                                          const char      *dir,
                                          AdwToastOverlay *overlay);

G_END_DECLS
