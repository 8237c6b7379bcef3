/* hl-analysis.h: the analysis of a whole activation file on a worker pool.
 *
 * One reader thread streams head blocks (the values of a kv head are read
 * once and shared by its query heads) through a bounded queue, so memory
 * does not grow with the number of layers; N worker threads compute
 * hl_head_analysis_compute() on each (layer, head, sample, query). While a
 * run works, OpenBLAS runs on one thread so the pool and BLAS do not
 * oversubscribe the cores; its thread count is restored when the last run
 * ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hl-activations.h"
#include "hl-assumptions.h"
#include "hl-head-analysis.h"
#include "hl-model-summary.h"

G_BEGIN_DECLS

#define HL_ANALYSIS_ERROR (hl_analysis_error_quark ())

typedef enum
{
  HL_ANALYSIS_ERROR_OPTIONS,   /* an option out of range for this file */
  HL_ANALYSIS_ERROR_MEMORY,    /* the results would not fit in the memory budget */
} HlAnalysisError;

/* What the caller looks at, which a run finishes first: a sample and a
 * query index, each -1 for "any" (hl-analysis-schedule.h). The caller
 * moves it whenever the view moves; a run holds a reference and reads it
 * before each block it reads. Thread-safe. */
typedef struct _HlAnalysisFocus HlAnalysisFocus;

HlAnalysisFocus *hl_analysis_focus_new   (void);
HlAnalysisFocus *hl_analysis_focus_ref   (HlAnalysisFocus *self);
void             hl_analysis_focus_unref (HlAnalysisFocus *self);
void             hl_analysis_focus_set   (HlAnalysisFocus *self,
                                          int              sample,
                                          int              query_index);
void             hl_analysis_focus_get   (HlAnalysisFocus *self,
                                          int             *sample,
                                          int             *query_index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlAnalysisFocus, hl_analysis_focus_unref)

/* Pointers are borrowed by the call that takes the options; the analysis
 * keeps its own copy (and a reference to the focus). */
typedef struct
{
  HlHeadAnalysisOptions head;
  int                   bootstrap;  /* replicates, default 2000 */
  int                   threads;    /* workers; 0 = number of cores */
  const int            *layers;     /* subset of layers, NULL = all */
  int                   n_layers;
  const int            *heads;      /* subset of query heads, NULL = all */
  int                   n_heads;
  const int            *samples;    /* subset of samples (documents), NULL = all */
  int                   n_samples;
  /* Window lengths L: only the queries at positions L - 1 (each must be
   * one of the file's), NULL = every query. Attention is causal, so the
   * query at t sees exactly a window of t + 1 tokens (hl-length-sweep.h). */
  const int            *windows;
  int                   n_windows;
  HlAssumptionThresholds assumptions; /* of the taxonomy checks */
  HlAnalysisFocus      *focus;      /* what to finish first; NULL: file order */
} HlAnalysisOptions;

/* Called on the caller's main context (async) or in the calling thread
 * (sync), at most a few dozen times a second: heads done out of total. */
typedef void (*HlAnalysisProgressFunc) (guint    done,
                                        guint    total,
                                        gpointer user_data);

/* Called on the caller's main context for each finished head, in batches;
 * @result is borrowed (ref it to keep it). Never called after the finish
 * callback nor after cancellation was seen by the main context. */
typedef void (*HlAnalysisHeadFunc)     (HlHeadResult *result,
                                        gpointer      user_data);

#define HL_TYPE_ANALYSIS (hl_analysis_get_type ())
G_DECLARE_FINAL_TYPE (HlAnalysis, hl_analysis, HL, ANALYSIS, GObject)

GQuark                   hl_analysis_error_quark   (void);
void                     hl_analysis_options_init  (HlAnalysisOptions *options);

/* Starts the analysis; @progress and @head_done (either may be NULL) run on
 * the thread-default main context of the caller. @notify frees @user_data
 * after the last callback. */
void                     hl_analysis_run_async     (HlActivations           *file,
                                                    const HlAnalysisOptions *options,
                                                    HlAnalysisProgressFunc   progress,
                                                    HlAnalysisHeadFunc       head_done,
                                                    gpointer                 user_data,
                                                    GDestroyNotify           notify,
                                                    GCancellable            *cancellable,
                                                    GAsyncReadyCallback      callback,
                                                    gpointer                 callback_data);
HlAnalysis              *hl_analysis_run_finish    (GAsyncResult            *result,
                                                    GError                 **error);

/* The same, blocking; @progress runs in the calling thread. */
HlAnalysis              *hl_analysis_run           (HlActivations           *file,
                                                    const HlAnalysisOptions *options,
                                                    HlAnalysisProgressFunc   progress,
                                                    gpointer                 user_data,
                                                    GCancellable            *cancellable,
                                                    GError                 **error);

/* An upper bound, in bytes, of the memory an analysis of @file with
 * @options holds at its peak, CSV text included (hl-analysis-memory.c). */
guint64                  hl_analysis_estimate_memory (HlActivations           *file,
                                                      const HlAnalysisOptions *options);
/* Fails with HL_ANALYSIS_ERROR_MEMORY when that bound exceeds the file's
 * memory budget (hl_activations_get_memory_budget ()). The runs above
 * check it before they start. */
gboolean                 hl_analysis_check_memory  (HlActivations           *file,
                                                    const HlAnalysisOptions *options,
                                                    GError                 **error);

HlActivations           *hl_analysis_get_file      (HlAnalysis *self);
const HlAnalysisOptions *hl_analysis_get_options   (HlAnalysis *self);
/* Results sorted by (layer, head, sample, query_index). */
guint                    hl_analysis_get_n_results (HlAnalysis *self);
HlHeadResult            *hl_analysis_get_result    (HlAnalysis *self,
                                                    guint       index);
/* NULL when that head was not analysed (subsets) or is out of range. */
HlHeadResult            *hl_analysis_lookup        (HlAnalysis *self,
                                                    int         layer,
                                                    int         head,
                                                    int         sample,
                                                    int         query_index);
const HlModelSummary    *hl_analysis_get_summary   (HlAnalysis *self);
/* The taxonomy's assumptions checked on every result and the summary. */
const HlAssumptions     *hl_analysis_get_assumptions (HlAnalysis *self);
/* The largest number of kv-head values blocks that were in memory at once
 * during the run: bounded by the queue, whatever the number of layers. */
guint                    hl_analysis_get_peak_blocks (HlAnalysis *self);

G_END_DECLS
