/* hl-analysis-schedule.h: the order in which an analysis reads its blocks
 * (one kv head's values of one layer and sample, with the attention rows
 * of the query heads that read them) and which queries of each block it
 * computes.
 *
 * Without a focus the file is read in order (layer, sample, kv head) and
 * every block computes all its queries. With a focus (a sample and/or a
 * query, as HlAnalysisFocus holds it) the blocks of that sample compute
 * that query first, in layer order, before the rest: what the explorer
 * shows is finished first. The focus may move at any time; every (block,
 * query) is handed out exactly once whatever it does.
 *
 * Private to the analysis; plain logic, tested on its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HlAnalysisSchedule HlAnalysisSchedule;

/* One step: the block (@layer_index into the analysed layers, @sample,
 * @kv_head) and @queries ([n_queries], owned by the caller) to compute. */
typedef struct
{
  int       layer_index;
  int       sample;
  int       kv_head;
} HlScheduledBlock;

/* @kv_needed [n_kv_heads]: whether an analysed query head reads it;
 * @query_used [n_queries]: whether the query is analysed. Both copied. */
HlAnalysisSchedule *hl_analysis_schedule_new  (int                 n_layers,
                                               int                 n_samples,
                                               int                 n_kv_heads,
                                               int                 n_queries,
                                               const gboolean     *kv_needed,
                                               const gboolean     *query_used);
/* The next block and its queries (written into @queries, [n_queries]),
 * those of the focus first: @focus_sample and @focus_query are -1 for
 * "any". FALSE when everything has been handed out. */
gboolean            hl_analysis_schedule_next (HlAnalysisSchedule *self,
                                               int                 focus_sample,
                                               int                 focus_query,
                                               HlScheduledBlock   *block,
                                               gboolean           *queries);
void                hl_analysis_schedule_free (HlAnalysisSchedule *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlAnalysisSchedule, hl_analysis_schedule_free)

G_END_DECLS
