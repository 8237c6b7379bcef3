/* hl-session-private.h: what the parts of HlSession share: its instance
 * struct, its properties and signals, and the helpers of its files
 * (hl-session.c: the object and its file; hl-session-analysis.c: the
 * analysis and its results; hl-session-view.c: what is looked at and the
 * selected head).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-session.h"

G_BEGIN_DECLS

struct _HlSession
{
  GObject                 parent_instance;

  HlActivations          *file;             /* the file shown, or NULL */
  GCancellable           *open_cancellable; /* the open in progress, or NULL */

  HlAnalysisOptions       options;          /* no subsets: the whole file */
  HlAnalysisFocus        *focus;            /* what the runs finish first */
  HlSessionAnalysisState  state;
  GCancellable           *run_cancellable;  /* the current run, or NULL */
  HlAnalysis             *analysis;         /* the finished one, or NULL */
  GError                 *analysis_error;   /* why the last run failed, or NULL */
  HlHeadResult          **results;          /* owned refs, [layers, heads, samples, queries] */
  gsize                   n_slots;
  guint                   n_received;
  double                  progress;

  int                     sample;
  int                     query;
  int                    *grid;             /* the N grid of the query shown */
  int                     n_grid;
  int                     wanted_n;         /* the N asked for */
  int                     n;                /* the grid value nearest to it, or 0 */
  HlRanking               ranking;
  HlDistance              distance;
  const HlMetric         *heatmap_metric;   /* NULL: the regime */
  HlStatistic             statistic;        /* of a heatmap cell over a set */
  HlSessionScope          scope;
  guint                   scope_received;   /* results of the scope received */
  const HlModelSummary   *summary;          /* of the scope: own_summary or the analysis's */
  HlModelSummary         *own_summary;      /* owned, or NULL */
  GCancellable           *summary_cancellable; /* the summary being computed, or NULL */
  gboolean                profile_log_scale;
  gboolean                scatter_values;   /* the scatter shows the raw v_i */
  gboolean                matrix_log_scale;
  HlAttentionGrid        *attention_grid;   /* owned: of the sample shown, or NULL */
  GCancellable           *grid_cancellable; /* the grid being read, or NULL */

  int                     highlighted_key;  /* -1: none */
  int                     selected_layer;   /* -1: none */
  int                     selected_head;
  HlHeadResult           *selected_result;  /* owned ref, or NULL */
  HlHeadData             *head_data;        /* owned ref, or NULL */
  GCancellable           *head_cancellable; /* the head data being read, or NULL */
  HlScatter              *scatter;          /* owned cache of the head data's scatter */

  int                     pinned_layer;     /* the head compared with the selected one; -1: none */
  int                     pinned_head;
  HlHeadData             *pinned_data;      /* owned ref, or NULL */
  GCancellable           *pinned_cancellable; /* the pinned head's data being read, or NULL */
  HlScatter              *pinned_scatter;   /* owned cache of the pinned data's scatter */
};

typedef enum
{
  PROP_0,
  PROP_FILE,
  PROP_LOADING,
  PROP_ANALYSIS_STATE,
  PROP_ANALYSIS,
  PROP_PROGRESS,
  PROP_SAMPLE,
  PROP_QUERY,
  PROP_N,
  PROP_RANKING,
  PROP_DISTANCE,
  PROP_HEATMAP_METRIC,
  PROP_HEATMAP_STATISTIC,
  PROP_SCOPE,
  PROP_SUMMARY,
  PROP_PROFILE_LOG_SCALE,
  PROP_MATRIX_LOG_SCALE,
  PROP_ATTENTION_GRID,
  PROP_GRID_LOADING,
  PROP_HIGHLIGHTED_KEY,
  PROP_SELECTED_LAYER,
  PROP_SELECTED_HEAD,
  PROP_SELECTED_RESULT,
  PROP_HEAD_DATA,
  PROP_HEAD_LOADING,
  PROP_PINNED_LAYER,
  PROP_PINNED_HEAD,
  PROP_PINNED_DATA,
  PROP_SCATTER_VALUES,
  N_PROPS
} HlSessionProperty;

typedef enum
{
  RESULT_ADDED,
  ANALYSIS_FAILED,
  HEAD_FAILED,
  N_SIGNALS
} HlSessionSignal;

extern GParamSpec *hl_session_properties[N_PROPS];
extern guint       hl_session_signals[N_SIGNALS];

void                     hl_session_notify       (HlSession         *self,
                                                  HlSessionProperty  prop);
const HlActivationsInfo *hl_session_file_info    (HlSession         *self);

/* Callbacks of work started for a session hold it weakly: a session
 * dropped by its window cancels its work and is gone before the work's
 * last callback. The work is current while the session still keeps
 * @cancellable as its own. */
typedef struct
{
  GWeakRef      session;
  GCancellable *cancellable;
} HlSessionJob;

HlSessionJob *hl_session_job_new  (HlSession    *self,
                                   GCancellable *cancellable);
void          hl_session_job_free (gpointer      job);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlSessionJob, hl_session_job_free)

/* hl-session-analysis.c */
void hl_session_clear_results          (HlSession *self);
void hl_session_drop_run               (HlSession *self);
void hl_session_update_selected_result (HlSession *self);

/* hl-session-scope.c */
gboolean hl_session_in_scope           (HlSession    *self,
                                        int           sample,
                                        int           query);
void hl_session_update_focus           (HlSession    *self);
void hl_session_update_scope           (HlSession    *self);
void hl_session_update_summary         (HlSession    *self);
void hl_session_scope_result_added     (HlSession    *self,
                                        HlHeadResult *result);

/* hl-session-grid.c */
void hl_session_clear_attention_grid   (HlSession *self);

/* hl-session-view.c */
void hl_session_clear_scatter          (HlSession *self);
void hl_session_update_grid            (HlSession *self);
void hl_session_load_head              (HlSession *self);
/* Reads head (@layer, @head) of the sample and query shown on a worker;
 * @callback gets an HlSessionJob of @cancellable and the task, whose
 * result is the HlHeadData or the error. */
void hl_session_read_head              (HlSession           *self,
                                        int                  layer,
                                        int                  head,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback);
/* The seed of (@layer, @head)'s random ranking at the sample and query
 * shown, as the analysis derives it. */
guint64 hl_session_head_seed           (HlSession *self,
                                        int        layer,
                                        int        head);

/* hl-session-compare.c */
void hl_session_load_pinned            (HlSession *self);
void hl_session_clear_pinned           (HlSession *self);

G_END_DECLS
