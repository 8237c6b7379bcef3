/* hl-session-figures.h: the figures of what a session shows: the explorer's
 * plots on screen and the list Export Figure offers, built by the one
 * builder of each kind from the session's results and view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-figure-builders.h"
#include "hl-provenance.h"
#include "hl-session.h"

G_BEGIN_DECLS

typedef enum
{
  HL_SESSION_FIGURE_HEATMAP,
  HL_SESSION_FIGURE_MODEL_CURVES,
  HL_SESSION_FIGURE_MODEL_PANEL,
  HL_SESSION_FIGURE_REGIMES,
  HL_SESSION_FIGURE_CORRELATION,
  HL_SESSION_FIGURE_MODEL_BOUND,
  HL_SESSION_FIGURE_HEAD_CURVES,
  HL_SESSION_FIGURE_HEAD_PANEL,
  HL_SESSION_FIGURE_ALIGNMENT,
  HL_SESSION_FIGURE_SCATTER,
  HL_SESSION_FIGURE_PROFILE,
  HL_SESSION_FIGURE_DECAY,
  HL_SESSION_FIGURE_TOKENS,
  HL_SESSION_FIGURE_HEAD_BOUND,
  HL_SESSION_FIGURE_MATRIX,
  HL_SESSION_FIGURE_MATRICES,
  HL_SESSION_FIGURE_COMPARE,
  HL_N_SESSION_FIGURES
} HlSessionFigure;

/* On screen a plot's title says what it shows beside its neighbours ("This
 * head"); in a file it says which head or model it is, as
 * `headlens-cli render` titles it. */
typedef enum
{
  HL_FIGURE_TARGET_SCREEN,
  HL_FIGURE_TARGET_EXPORT,
} HlFigureTarget;

/* Figure @which of @session, named (hl_figure_get_name (), _basename ()),
 * or NULL when the session has nothing to show there yet: no summary of
 * the scope for the model figures (hl_session_get_summary ()), no result for the head's, no head data
 * for the scatter and profile, and no curve (no N), decay (no lag),
 * scatter or profile (no selection of N tokens) for a head with a single
 * key, and no comparison without a pinned head other than the selected one
 * (hl_session_pin ()) whose result and data have arrived. */
HlFigure  *hl_session_build_figure  (HlSession       *session,
                                     HlSessionFigure  which,
                                     HlFigureTarget   target);

/* Every figure the session has, in the order above. */
GPtrArray *hl_session_build_figures (HlSession       *session,
                                     HlFigureTarget   target);

/* What @figure, built from @session for export, is drawn from and how, as
 * `headlens-cli render` records it in a figure's file (hl-provenance.h),
 * taken now: the session's file or corpus, the analysis options, and in
 * "figure" the plot, the head (of a head's figure), the sample, query and
 * N shown, the scope of the model's figures ("over"), the ranking,
 * distance, heatmap metric and statistic. The files are hashed when the figure is
 * written (hl_provenance_read_inputs ()); the writer adds the style. */
HlProvenance *hl_session_figure_provenance (HlSession  *session,
                                            HlFigure   *figure);

/* The document title of @figure's file: its name and the file's, e.g.
 * "Layer 3 · Head 5: Attention profile, run.h5". */
char      *hl_session_figure_document_title (HlSession     *session,
                                             HlFigure      *figure);

G_END_DECLS
