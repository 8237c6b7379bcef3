/* hl-playground-engine.h: the live computation behind the playground.
 *
 * The engine owns the current state (the parameters of one synthetic head,
 * N, ranking and distance). Every change schedules a recomputation on a
 * worker thread, with coalescing: while a computation runs, further changes
 * only replace the pending state, and when it finishes, exactly one new
 * computation of the latest state starts. A change of N, ranking or
 * distance alone recomputes only the scatter of the head already computed.
 *
 * Results arrive on the main context of the thread that made the change
 * (the "result" property is notified). Each change increments a generation
 * counter; a result is delivered only when it is of the latest generation,
 * so a stale picture is never shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hl-playground-result.h"

G_BEGIN_DECLS

#define HL_TYPE_PLAYGROUND_ENGINE (hl_playground_engine_get_type ())
G_DECLARE_FINAL_TYPE (HlPlaygroundEngine, hl_playground_engine, HL, PLAYGROUND_ENGINE, GObject)

/* Starts at hl_playground_state_init() and computes it right away. */
HlPlaygroundEngine       *hl_playground_engine_new                 (void);

const HlPlaygroundState  *hl_playground_engine_get_state           (HlPlaygroundEngine       *self);
/* Replaces the whole state; recomputes the head only when the parameters
 * changed. FALSE (and nothing changes) when @state is invalid. */
gboolean                  hl_playground_engine_set_state           (HlPlaygroundEngine       *self,
                                                                    const HlPlaygroundState  *state,
                                                                    GError                  **error);
/* Replaces the head's parameters; FALSE (and nothing changes) when they
 * are invalid. */
gboolean                  hl_playground_engine_set_params          (HlPlaygroundEngine       *self,
                                                                    const HlSynthHeadParams  *params,
                                                                    GError                  **error);
/* The view: each recomputes only the scatter. */
void                      hl_playground_engine_set_n               (HlPlaygroundEngine       *self,
                                                                    int                       n);
void                      hl_playground_engine_set_ranking         (HlPlaygroundEngine       *self,
                                                                    HlRanking                 ranking);
void                      hl_playground_engine_set_distance        (HlPlaygroundEngine       *self,
                                                                    HlDistance                distance);

/* The last delivered result, or NULL before the first one (borrowed). */
HlPlaygroundResult       *hl_playground_engine_get_result          (HlPlaygroundEngine       *self);
/* The generation of the current state. */
guint64                   hl_playground_engine_get_generation      (HlPlaygroundEngine       *self);
/* TRUE while a computation runs. */
gboolean                  hl_playground_engine_get_busy            (HlPlaygroundEngine       *self);
/* How many head computations (generation, analysis and projection) and how
 * many scatter-only computations have started: what coalescing saves is
 * visible in these, and the tests count them. */
guint                     hl_playground_engine_get_n_head_computations (HlPlaygroundEngine *self);
guint                     hl_playground_engine_get_n_view_computations (HlPlaygroundEngine *self);

G_END_DECLS
