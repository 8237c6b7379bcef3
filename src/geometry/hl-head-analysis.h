/* hl-head-analysis.h: everything Headlens computes for one attention
 * operation (layer, head, sample, query): the separability curves, the
 * diagnostics and the regime, in one immutable, refcounted result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hl-diagnostics.h"
#include "hl-regime.h"
#include "hl-separability.h"

G_BEGIN_DECLS

/* What to compute for each head. Pointers are borrowed by the functions that
 * take the options; HlAnalysis copies them. */
typedef struct
{
  guint              rankings;     /* bit mask 1 << HlRanking; default: all three */
  guint              distances;    /* bit mask 1 << HlDistance; default: both */
  HlGridKind         grid_kind;    /* default HL_GRID_POW2 */
  const int         *grid_list;    /* HL_GRID_LIST only */
  int                n_grid_list;
  int                repeats;      /* R of the random control, default 16 */
  guint64            seed;         /* base seed; each head derives its own */
  int                n_lags;       /* K of the similarity decay, default 16 */
  HlRegimeThresholds thresholds;
} HlHeadAnalysisOptions;

/* Which operation an input is. */
typedef struct
{
  int layer;
  int head;          /* query head */
  int sample;
  int query_index;   /* index into the file's query_positions */
  int kv_head;       /* the kv head whose values the query head reads */
} HlHeadId;

/* Immutable once delivered; share it with hl_head_result_ref(). */
typedef struct
{
  int            layer;
  int            head;
  int            sample;
  int            query_index;
  int            query_position;  /* t; the input had t + 1 keys */
  int            kv_head;
  guint64        seed;            /* the seed the random ranking used: pass it to
                                   * hl_projection_scatter() for the same permutations */
  HlCurveSet    *curves;          /* owned */
  HlDiagnostics  diagnostics;
  HlRegimeEvidence evidence;      /* what the regime rule read */
  HlRegime       regime;
  char          *reason;          /* owned, translated: quotes only @evidence */
  int            query_token_id;  /* the token at t, or -1 when the file has no ids */
  char          *query_token;     /* owned: its text, or NULL when the file has none */
} HlHeadResult;

#define HL_TYPE_HEAD_RESULT (hl_head_result_get_type ())

GType         hl_head_result_get_type        (void) G_GNUC_CONST;
HlHeadResult *hl_head_result_ref             (HlHeadResult *self);
void          hl_head_result_unref           (HlHeadResult *self);

void          hl_head_analysis_options_init  (HlHeadAnalysisOptions *options);

/* The per-head seed: a hash of (seed, layer, head, sample, query_index), so
 * results never depend on the order heads are scheduled in. */
guint64       hl_head_analysis_seed          (guint64 seed,
                                              int     layer,
                                              int     head,
                                              int     sample,
                                              int     query_index);

/* Runs separability, diagnostics and regime on one input (n_keys >= 1).
 * The result has no query token (id -1, text NULL) until
 * hl_head_result_set_query_token () gives it one. */
HlHeadResult *hl_head_analysis_compute       (const HlHeadInput           *input,
                                              const HlHeadId              *id,
                                              const HlHeadAnalysisOptions *options);

/* For the code that made @self, before it is shared: the token at the
 * query position (@id < 0: none; @text NULL: none). */
void          hl_head_result_set_query_token (HlHeadResult                *self,
                                              int                          id,
                                              const char                  *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlHeadResult, hl_head_result_unref)

G_END_DECLS
