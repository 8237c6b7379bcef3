/* hl-playground-figures.h: the renderers' data for one playground result:
 * the scatter, P/R/F over N with the random baseline, the alignment
 * trajectories and the attention profile. The window shows them and
 * "Export Figure…" writes them.
 *
 * The structs point into the arrays of the figures and into the result,
 * which the figures hold a reference to, so they stay valid as long as the
 * figures do.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-alignment-plot.h"
#include "hl-curves-plot.h"
#include "hl-playground-result.h"
#include "hl-profile-plot.h"
#include "hl-scatter-plot.h"

G_BEGIN_DECLS

typedef struct
{
  HlPlaygroundResult  *result;                 /* owned reference */
  float               *curves;                 /* owned: [2 * HL_N_CURVES * n_grid] */
  HlScatterPlotData    scatter;
  HlCurvesPlotData     pr;
  HlAlignmentPlotData  alignment;
  HlProfilePlotData    profile;
  /* The metrics of the scatter's own selection at its N (for the random
   * ranking: the one permutation it shows). */
  double               precision;
  double               recall;
  double               f1;
  double               margin;
} HlPlaygroundFigures;

HlPlaygroundFigures *hl_playground_figures_new  (HlPlaygroundResult  *result);
void                 hl_playground_figures_free (HlPlaygroundFigures *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlPlaygroundFigures, hl_playground_figures_free)

G_END_DECLS
