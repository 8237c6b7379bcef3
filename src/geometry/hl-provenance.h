/* hl-provenance.h: what a result was made from, as JSON.
 *
 * provenance.json beside the CSV files of every analysis (`headlens-cli
 * analyze`, the app's Export Metrics) holds it, and figures carry the same
 * record (PNG text chunk, SVG <metadata>, PDF
 * Subject), so a number or a figure in a paper can be traced to the
 * program, the exact input file and every setting:
 *
 *   {
 *     "version": "0.1.0",
 *     "program": "headlens-cli analyze",
 *     "input": "run.h5",
 *     "input_sha256": "9f86d0…",
 *     "options": { every setting of the analysis, as used },
 *     "seed": 0,
 *     "repeats": 16,
 *     "bootstrap": 2000,
 *     "created": "2026-11-28T21:05:09Z",
 *     "figure": { the figure's own settings (figures only) }
 *   }
 *
 * For a corpus (several files, hl_activations_open_corpus ()) "input" is
 * its path as given, "input_sha256" is null and "files" lists each file:
 * { "path", "sha256", "first_sample" (its first sample's number in the
 * corpus), "samples" }.
 *
 * "options" names each setting as the analyze command's option does
 * (rankings, distances, grid, repeats, seed, bootstrap, threads, layers,
 * heads, samples, and each regime threshold such as retriever-share) plus
 * those it has no option for (lags). "created" is the
 * time of the run in UTC, or SOURCE_DATE_EPOCH when that is set (for
 * byte-identical reruns). The text is ASCII: other characters are written
 * as \uXXXX escapes, so it fits a PNG tEXt chunk unchanged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-analysis.h"

G_BEGIN_DECLS

typedef struct _HlProvenance HlProvenance;

/* Records @program and @input_path (as given) and hashes the file; fails
 * when it cannot be read. */
HlProvenance *hl_provenance_new               (const char                  *program,
                                               const char                  *input_path,
                                               GError                     **error);
/* The record of @file, one file or a corpus, and how it was opened
 * ("allow-external" among the options once they are set), before its files
 * are read: hl_provenance_read_inputs () hashes them (and sets "created")
 * when the output is written, and must have succeeded before
 * hl_provenance_to_json (). */
HlProvenance *hl_provenance_new_for_file      (const char                  *program,
                                               HlActivations               *file);
/* Reads each file of the record's input to hash it; fails when one cannot
 * be read. Again on each call: a file changed since is hashed as it is. */
gboolean      hl_provenance_read_inputs       (HlProvenance                *self,
                                               GError                     **error);
/* The record of a finished whole-file analysis: the program is the
 * process's name (g_get_prgname (): "headlens-cli analyze", "headlens"),
 * the input the file it analysed, the options those it ran with. */
HlProvenance *hl_provenance_new_for_analysis  (HlAnalysis                  *analysis,
                                               GError                     **error);
/* Sets "options", "seed", "repeats" and "bootstrap" from a whole-file
 * analysis. */
void          hl_provenance_set_analysis      (HlProvenance                *self,
                                               const HlAnalysisOptions     *options);
/* The same for one head: "bootstrap" is null (no bands are drawn from one
 * head), as are "threads", "layers" and "heads". */
void          hl_provenance_set_head_analysis (HlProvenance                *self,
                                               const HlHeadAnalysisOptions *options);
/* Adds a member to "figure". */
void          hl_provenance_add_figure_string (HlProvenance                *self,
                                               const char                  *name,
                                               const char                  *value);
void          hl_provenance_add_figure_int    (HlProvenance                *self,
                                               const char                  *name,
                                               gint64                       value);
void          hl_provenance_add_figure_double (HlProvenance                *self,
                                               const char                  *name,
                                               double                       value);
/* The record as JSON text; @pretty indents it (for provenance.json), else
 * it is one line (for figures). */
char         *hl_provenance_to_json           (HlProvenance                *self,
                                               gboolean                     pretty);
void          hl_provenance_free              (HlProvenance                *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlProvenance, hl_provenance_free)

G_END_DECLS
