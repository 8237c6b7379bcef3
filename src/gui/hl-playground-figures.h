/* hl-playground-figures.h: the figures of one playground result, built by
 * the explorer's builders (src/figures): the scatter, P/R/F over N with the
 * random baseline, the alignment trajectories and the attention profile.
 * The window shows them and "Export Figure…" writes them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-figure.h"
#include "hl-playground-result.h"

G_BEGIN_DECLS

typedef struct
{
  HlPlaygroundResult  *result;      /* owned reference */
  HlFigure            *scatter;     /* owned, named */
  HlFigure            *curves;
  HlFigure            *alignment;
  HlFigure            *profile;
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
