/* hl-session.h: one activation file explored, without a widget: the file
 * and its opening, the analysis and its options, the results received so
 * far, what is looked at (sample, query, N, ranking, distance, the selected
 * head, the heatmap's metric) and the selected head's data (attention row,
 * tokens, PCA), read off the main thread.
 *
 * The explorer's widgets bind to a session and draw what it holds; they
 * never start threads nor call HDF5 or LAPACKE. Everything here runs on the
 * main context the session was created in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hl-analysis.h"
#include "hl-head-data.h"
#include "hl-metric.h"

G_BEGIN_DECLS

typedef enum
{
  HL_SESSION_ANALYSIS_NONE,       /* no file */
  HL_SESSION_ANALYSIS_RUNNING,
  HL_SESSION_ANALYSIS_DONE,       /* hl_session_get_analysis () has every head */
  HL_SESSION_ANALYSIS_CANCELLED,  /* the heads done stay; no model-level results */
  HL_SESSION_ANALYSIS_FAILED,     /* ::analysis-failed said why */
} HlSessionAnalysisState;

#define HL_TYPE_SESSION_ANALYSIS_STATE (hl_session_analysis_state_get_type ())
GType hl_session_analysis_state_get_type (void) G_GNUC_CONST;

/* What the heatmap and the model panel show: the results of the sample and
 * query shown, or the sets over every sample (at the query shown), every
 * query (of the sample shown) or both. */
typedef enum
{
  HL_SESSION_SCOPE_SHOWN,
  HL_SESSION_SCOPE_SAMPLES,
  HL_SESSION_SCOPE_QUERIES,
  HL_SESSION_SCOPE_ALL,
} HlSessionScope;

#define HL_TYPE_SESSION_SCOPE (hl_session_scope_get_type ())
GType hl_session_scope_get_type (void) G_GNUC_CONST;

#define HL_TYPE_SESSION (hl_session_get_type ())
G_DECLARE_FINAL_TYPE (HlSession, hl_session, HL, SESSION, GObject)

HlSession              *hl_session_new                (void);

/* Opening. Opens @file on a worker (HDF5 open and validation may take a
 * while) and, when it opens, makes it the session's file: the analysis
 * starts at once. A newer open cancels an older one. "loading" is TRUE in
 * between. A folder or a list file opens as a corpus
 * (hl_activations_open_corpus ()), and so do several files given to
 * hl_session_open_files_async (); either finishes with
 * hl_session_open_finish (). */
void                    hl_session_open_async         (HlSession            *self,
                                                       GFile                *file,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
void                    hl_session_open_files_async   (HlSession            *self,
                                                       GFile * const        *files,
                                                       guint                 n_files,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean                hl_session_open_finish        (HlSession            *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* Shows @file (NULL: none), cancelling what ran for the previous one. The
 * view starts at sample 0, the last query position (the paper's setting
 * and the CLI's default) and layer 0, head 0. */
void                    hl_session_set_file           (HlSession            *self,
                                                       HlActivations        *file);
HlActivations          *hl_session_get_file           (HlSession            *self);
gboolean                hl_session_get_loading        (HlSession            *self);

/* The analysis. Options take effect at once: a file's analysis restarts
 * when they change. Signals: ::result-added (HlHeadResult *) for each head
 * as it arrives, ::analysis-failed (const GError *) when a run ends with an
 * error other than its cancellation. */
void                    hl_session_set_analysis_options (HlSession               *self,
                                                         const HlAnalysisOptions *options);
const HlAnalysisOptions *hl_session_get_analysis_options (HlSession            *self);
void                    hl_session_restart_analysis   (HlSession            *self);
void                    hl_session_cancel_analysis    (HlSession            *self);
HlSessionAnalysisState  hl_session_get_analysis_state (HlSession            *self);
gboolean                hl_session_get_running        (HlSession            *self);
/* Why the last run failed (state FAILED), else NULL. */
const GError           *hl_session_get_analysis_error (HlSession            *self);
/* The finished analysis, NULL until the state is DONE. */
HlAnalysis             *hl_session_get_analysis       (HlSession            *self);
/* The share of head results received, 0 … 1 ("progress"). */
double                  hl_session_get_progress       (HlSession            *self);
/* Head results received so far and how many the run will deliver. */
guint                   hl_session_get_n_received     (HlSession            *self);
guint                   hl_session_get_n_expected     (HlSession            *self);

/* Results received so far; NULL while pending or out of range. */
HlHeadResult           *hl_session_lookup             (HlSession            *self,
                                                       int                   layer,
                                                       int                   head,
                                                       int                   sample,
                                                       int                   query);
/* The same at the sample and query shown. */
HlHeadResult           *hl_session_lookup_shown       (HlSession            *self,
                                                       int                   layer,
                                                       int                   head);

/* What is looked at. Each is a property with notification. */
void                    hl_session_set_sample         (HlSession            *self,
                                                       int                   sample);
int                     hl_session_get_sample         (HlSession            *self);
void                    hl_session_set_query          (HlSession            *self,
                                                       int                   query);
int                     hl_session_get_query          (HlSession            *self);
/* The N grid of the query shown (powers of two below its number of keys,
 * as the analysis uses); empty for a query with a single key. */
const int              *hl_session_get_grid           (HlSession            *self,
                                                       int                  *n_grid);
/* N asked for; the session shows the grid value nearest to it (and keeps
 * asking for it when the query changes). "n" is the N shown, 0 when the
 * grid is empty. */
void                    hl_session_set_n              (HlSession            *self,
                                                       int                   n);
int                     hl_session_get_n              (HlSession            *self);
/* Moves N by @delta steps along the grid, staying on it. */
void                    hl_session_step_n             (HlSession            *self,
                                                       int                   delta);
void                    hl_session_set_ranking        (HlSession            *self,
                                                       HlRanking             ranking);
HlRanking               hl_session_get_ranking        (HlSession            *self);
void                    hl_session_set_distance       (HlSession            *self,
                                                       HlDistance            distance);
HlDistance              hl_session_get_distance       (HlSession            *self);
/* The heatmap's colouring: a metric, or NULL for the regime. */
void                    hl_session_set_heatmap_metric (HlSession            *self,
                                                       const HlMetric       *metric);
const HlMetric         *hl_session_get_heatmap_metric (HlSession            *self);

/* The scope ("scope"): what the heatmap and the model panel show, and
 * what the analysis finishes first (hl-analysis-schedule.h). */
void                    hl_session_set_scope          (HlSession            *self,
                                                       HlSessionScope        scope);
HlSessionScope          hl_session_get_scope          (HlSession            *self);
/* How many results a head has in the scope (1 for the sample and query
 * shown); the received ones of head (@layer, @head) are written into @out
 * (room for hl_session_get_scope_size () of them) and counted. */
guint                   hl_session_get_scope_size     (HlSession            *self);
guint                   hl_session_collect            (HlSession            *self,
                                                       int                   layer,
                                                       int                   head,
                                                       HlHeadResult        **out);
/* Results of the scope received so far over every head, and how many it
 * has. */
guint                   hl_session_get_scope_received (HlSession            *self);
guint                   hl_session_get_scope_expected (HlSession            *self);
/* What the scope is, for people: "sample 0, t = 287", "mean over 16
 * queries of sample 0", … */
char                   *hl_session_dup_scope_label    (HlSession            *self);
/* Which statistic of a set a heatmap cell shows ("heatmap-statistic"). */
void                    hl_session_set_heatmap_statistic (HlSession         *self,
                                                          HlStatistic        statistic);
HlStatistic             hl_session_get_heatmap_statistic (HlSession         *self);
/* The model-level results of the scope ("summary"): the analysis's for
 * every sample and query once it has finished; for a smaller scope,
 * computed on a worker as soon as every head of it has arrived, while the
 * rest of the file is analysed. NULL until then. */
const HlModelSummary   *hl_session_get_summary        (HlSession            *self);

/* Whether attention matrices are coloured on a logarithmic scale
 * ("matrix-log-scale"). */
void                    hl_session_set_matrix_log_scale (HlSession          *self,
                                                         gboolean            log_scale);
gboolean                hl_session_get_matrix_log_scale (HlSession          *self);
/* Every head's attention matrix of the sample shown ("attention-grid"),
 * read on a worker when first asked for (it reads every head), again
 * after the sample or the file changes; NULL until then, and for a file
 * with a single query. "grid-loading" is TRUE while it is read. */
void                    hl_session_load_attention_grid  (HlSession          *self);
const HlAttentionGrid  *hl_session_get_attention_grid   (HlSession          *self);
gboolean                hl_session_get_grid_loading     (HlSession          *self);

/* Whether the attention profile has a logarithmic axis. */
void                    hl_session_set_profile_log_scale (HlSession         *self,
                                                          gboolean           log_scale);
gboolean                hl_session_get_profile_log_scale (HlSession         *self);

/* The selected head ("selected-layer", "selected-head"; -1: none). */
void                    hl_session_select             (HlSession            *self,
                                                       int                   layer,
                                                       int                   head);
gboolean                hl_session_get_selected       (HlSession            *self,
                                                       int                  *layer,
                                                       int                  *head);
/* Its result at the sample and query shown ("selected-result"), NULL while
 * pending. */
HlHeadResult           *hl_session_get_selected_result (HlSession           *self);
/* Its data ("head-data"), read and projected on a worker when the
 * selection, the sample or the query changes; NULL while that runs
 * ("head-loading") or when it failed (::head-failed (const GError *)). */
HlHeadData             *hl_session_get_head_data      (HlSession            *self);
gboolean                hl_session_get_head_loading   (HlSession            *self);
/* The key highlighted in the head's views ("highlighted-key"): a token
 * clicked in the token view or a point in the scatter, -1 for none. It
 * stays when another head is selected (the same text) and goes when the
 * sample or the query changes. */
void                    hl_session_set_highlighted_key (HlSession           *self,
                                                        int                  key);
int                     hl_session_get_highlighted_key (HlSession           *self);
/* Its scatter at the N, ranking and distance shown; NULL without head data
 * or for a head with fewer than two keys. Borrowed until they change. */
const HlScatter        *hl_session_get_scatter        (HlSession            *self);
/* Whether the scatters show the raw values v_i instead of the points
 * y_i = alpha_i v_i ("scatter-values"): the PCA of the v_i, without s_N
 * and the balls, which are defined for the y_i. */
void                    hl_session_set_scatter_values (HlSession            *self,
                                                       gboolean              values);
gboolean                hl_session_get_scatter_values (HlSession            *self);

/* A head pinned to be compared with the selected one ("pinned-layer",
 * "pinned-head"; -1: none; a head outside the file unpins). Its result at
 * the sample and query shown (NULL while pending), its data ("pinned-data",
 * read on a worker like the selected head's; NULL while that runs) and its
 * scatter at the N, ranking and distance shown. A new file unpins. */
void                    hl_session_pin                (HlSession            *self,
                                                       int                   layer,
                                                       int                   head);
gboolean                hl_session_get_pinned         (HlSession            *self,
                                                       int                  *layer,
                                                       int                  *head);
HlHeadResult           *hl_session_get_pinned_result  (HlSession            *self);
HlHeadData             *hl_session_get_pinned_data    (HlSession            *self);
const HlScatter        *hl_session_get_pinned_scatter (HlSession            *self);

G_END_DECLS
