/* hl-causal-store.h: the causal experiments (docs/causal.md) of one
 * explorer session: the model its file was extracted with (found at the
 * path and SHA-256 the file recorded, or where the user says it is now),
 * one experiment at a time on a worker with progress and Cancel, and the
 * results kept for the session: each head's delta NLL against N, and for
 * every head its ablation delta NLL, its N* and the sparsification curves.
 * The head detail's Causal section, the heatmap's causal colourings and
 * the model panel's causal figures all read the one store of a session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-causal-experiment.h"
#include "hl-causal-figures.h"
#include "hl-causal-file.h"
#include "hl-session-figures.h"

G_BEGIN_DECLS

typedef enum
{
  HL_CAUSAL_STORE_NO_FILE,
  HL_CAUSAL_STORE_FOUND,          /* the model is there; it is read and checked when first needed */
  HL_CAUSAL_STORE_OPENING,
  HL_CAUSAL_STORE_READY,
  HL_CAUSAL_STORE_NO_MODEL,       /* hl_causal_store_get_problem () says why */
} HlCausalStoreState;

/* The runs over every head, in the order "every head" runs them. */
typedef enum
{
  HL_CAUSAL_STORE_ABLATION,       /* each head zero-ablated on its own */
  HL_CAUSAL_STORE_N_STAR,         /* N*_tau of each head (renormalise, attention) */
  HL_CAUSAL_STORE_SPARSIFY,       /* every policy at 10 % .. 90 % */
  HL_CAUSAL_STORE_N_MODEL_RUNS
} HlCausalStoreRun;

#define HL_TYPE_CAUSAL_STORE (hl_causal_store_get_type ())
G_DECLARE_FINAL_TYPE (HlCausalStore, hl_causal_store, HL, CAUSAL_STORE, GObject)

/* The store of @session, made on the first call; it lives as long as the
 * session and starts over when the session opens another file. */
HlCausalStore        *hl_causal_store_get          (HlSession     *session);
/* The store of @session when one was made, else NULL. */
HlCausalStore        *hl_causal_store_peek         (HlSession     *session);

HlCausalStoreState    hl_causal_store_get_state    (HlCausalStore *self);
HlCausalModelProblem  hl_causal_store_get_problem  (HlCausalStore *self);
/* The model's description when ready, else why it is not. */
const char           *hl_causal_store_get_model_message (HlCausalStore *self);
/* What a user is told about the model: "Model: " and its description, or
 * why it cannot be used ("No model recorded.", "Model not found.", "Model
 * changed.") with the details. */
char                 *hl_causal_store_dup_explanation (HlCausalStore *self);
/* Opens the model at @path (a checkpoint or a model folder) instead. */
void                  hl_causal_store_locate_model (HlCausalStore *self,
                                                    const char    *path);

gboolean              hl_causal_store_get_busy     (HlCausalStore *self);
/* The running experiment's progress, 0 … 1, and what it says. */
double                hl_causal_store_get_progress (HlCausalStore *self);
const char           *hl_causal_store_get_status   (HlCausalStore *self);
void                  hl_causal_store_cancel       (HlCausalStore *self);

/* Measures the head's delta NLL against N = 1, 2, 4, … (both modes and
 * rankings), opening the model first when it is not open yet (a large
 * model takes seconds and memory, so it is not opened with the file);
 * FALSE, saying why in the status, when it cannot start. */
gboolean              hl_causal_store_run_head     (HlCausalStore *self,
                                                    int            layer,
                                                    int            head);
/* The head's result of this session, or NULL. */
const HlCausalResult *hl_causal_store_lookup_head  (HlCausalStore *self,
                                                    int            layer,
                                                    int            head);
/* Runs ablation, N* and sparsification over every head, one after the
 * other (one progress over the three). */
gboolean              hl_causal_store_run_model    (HlCausalStore *self);
const HlCausalResult *hl_causal_store_get_result   (HlCausalStore   *self,
                                                    HlCausalStoreRun run);

/* The head's delta NLL against N beside its P/R/F curves, or NULL when the
 * head was not measured. */
HlFigure             *hl_causal_store_build_head_figure (HlCausalStore  *self,
                                                         int             layer,
                                                         int             head,
                                                         HlFigureTarget  target);
/* The map of @map over every head, the session's selected head outlined,
 * or NULL before it was measured. */
HlFigure             *hl_causal_store_build_map    (HlCausalStore  *self,
                                                    HlCausalMap     map);
HlFigure             *hl_causal_store_build_sparsification (HlCausalStore *self);
/* Every causal figure there is now (the selected head's, the maps, the
 * sparsification curves), appended to @figures (HlFigure, owned). */
void                  hl_causal_store_append_figures (HlCausalStore  *self,
                                                      GPtrArray      *figures,
                                                      HlFigureTarget  target);

/* What a heatmap cell coloured by @map says about a head (Pango markup),
 * or NULL before the map was measured. */
char                 *hl_causal_store_describe_cell (HlCausalStore *self,
                                                     HlCausalMap    map,
                                                     int            layer,
                                                     int            head);

/* Signals: "changed" (the model, a result or the busy state), "progress". */

G_END_DECLS
