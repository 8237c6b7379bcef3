/* hl-playground-result.h: what the playground shows for one state: the
 * generated head, its analysis (curves, diagnostics, regime and reason),
 * the PCA projection and the scatter at the chosen N.
 *
 * Immutable and refcounted, so the worker that built it can hand it to the
 * main context and several views can hold it. Results that differ only in
 * N, ranking or distance share the head, its analysis and its projection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hl-head-analysis.h"
#include "hl-playground-state.h"
#include "hl-projection.h"

G_BEGIN_DECLS

typedef struct _HlPlaygroundResult HlPlaygroundResult;

#define HL_TYPE_PLAYGROUND_RESULT (hl_playground_result_get_type ())

GType                     hl_playground_result_get_type        (void) G_GNUC_CONST;

/* The analysis options of the playground: hl_head_analysis_options_init()
 * (every ranking, both distances, the powers-of-two grid, R = 16, seed 0).
 * The head is analysed as layer 0, head 0, sample 0, query 0, so a file
 * written by hl_playground_write_activations() analyses to the same
 * result. */
void                      hl_playground_analysis_options_init  (HlHeadAnalysisOptions *options);

/* Generates the head of @state, analyses it and projects it: the whole
 * work, for a worker thread. */
HlPlaygroundResult       *hl_playground_result_new             (const HlPlaygroundState *state,
                                                                guint64                  generation,
                                                                GError                 **error);
/* The same head as @base (whose parameters must equal those of @state)
 * seen at @state's N, ranking and distance: only the scatter is computed. */
HlPlaygroundResult       *hl_playground_result_new_view        (HlPlaygroundResult      *base,
                                                                const HlPlaygroundState *state,
                                                                guint64                  generation);

HlPlaygroundResult       *hl_playground_result_ref             (HlPlaygroundResult *self);
void                      hl_playground_result_unref           (HlPlaygroundResult *self);

/* The engine's generation counter when the state was requested. */
guint64                   hl_playground_result_get_generation  (const HlPlaygroundResult *self);
const HlPlaygroundState  *hl_playground_result_get_state       (const HlPlaygroundResult *self);
/* N as used: the state's N limited to 1 .. n_keys - 1. */
int                       hl_playground_result_get_n           (const HlPlaygroundResult *self);
const HlSynthHead        *hl_playground_result_get_head        (const HlPlaygroundResult *self);
/* The view of the head's only query the analysis used (borrowed). */
void                      hl_playground_result_get_input       (const HlPlaygroundResult *self,
                                                                HlHeadInput              *input);
HlHeadResult             *hl_playground_result_get_analysis    (const HlPlaygroundResult *self);
const HlProjection       *hl_playground_result_get_projection  (const HlPlaygroundResult *self);
const HlScatter          *hl_playground_result_get_scatter     (const HlPlaygroundResult *self);
/* Wall time of generating, analysing and projecting the head, and of the
 * scatter alone, in microseconds (a view result reports its base's head
 * time). */
gint64                    hl_playground_result_get_head_usec   (const HlPlaygroundResult *self);
gint64                    hl_playground_result_get_scatter_usec (const HlPlaygroundResult *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlPlaygroundResult, hl_playground_result_unref)

G_END_DECLS
