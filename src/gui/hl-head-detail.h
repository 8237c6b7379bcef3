/* hl-head-detail.h: everything about the selected head: its regime and why,
 * its curves, its value-space scatter, alignment, attention profile and
 * diagnostics.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hl-activations.h"
#include "hl-head-analysis.h"
#include "hl-projection.h"

G_BEGIN_DECLS

#define HL_TYPE_HEAD_DETAIL (hl_head_detail_get_type ())
G_DECLARE_FINAL_TYPE (HlHeadDetail, hl_head_detail, HL, HEAD_DETAIL, GtkWidget)

GtkWidget          *hl_head_detail_new          (void);

/* Shows @result (NULL: no head). The head's values and attention are read
 * from @file and projected on a worker; the scatter and profile appear when
 * that is done. */
void                hl_head_detail_set_head     (HlHeadDetail  *self,
                                                 HlActivations *file,
                                                 HlHeadResult  *result);

/* What the plots show; cheap: changing N only recomputes the scatter's
 * selection and balls from the projection. @n must be on the head's grid
 * or at least below its number of keys. */
void                hl_head_detail_set_view     (HlHeadDetail  *self,
                                                 HlRanking      ranking,
                                                 HlDistance     distance,
                                                 int            n);

HlHeadResult       *hl_head_detail_get_result   (HlHeadDetail  *self);
const char         *hl_head_detail_get_title    (HlHeadDetail  *self);

/* TRUE while the head's projection is being computed. */
gboolean            hl_head_detail_get_loading  (HlHeadDetail  *self);

/* The scatter shown now, or NULL before the projection is ready. */
const HlScatter    *hl_head_detail_get_scatter  (HlHeadDetail  *self);

G_END_DECLS
