/* hl-causal-window.h: Causal Tests: the causal experiments (docs/causal.md)
 * on the model an open activation file was extracted with, measured on the
 * file's own token windows. Each experiment runs on a worker with progress
 * and Cancel; its figures (the ablation and N* maps of every head, the
 * selected head's delta NLL against N beside its P/R/F curves, the
 * sparsification curves) are built by src/figures and export like every
 * other figure; the correlations of each head's effect with its geometry
 * are listed beside them.
 *
 * The window follows its session's selected head and selects a head when a
 * cell of its maps is clicked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hl-figure.h"
#include "hl-session.h"

G_BEGIN_DECLS

typedef enum
{
  HL_CAUSAL_RUN_ABLATE_ZERO,   /* each head zero-ablated on its own */
  HL_CAUSAL_RUN_ABLATE_MEAN,   /* each head mean-ablated on its own */
  HL_CAUSAL_RUN_N_STAR,        /* N*_tau of each head (renormalise, attention) */
  HL_CAUSAL_RUN_HEAD,          /* the selected head at N = 1, 2, 4, ..., both modes and rankings */
  HL_CAUSAL_RUN_SPARSIFY,      /* every policy at 10 % .. 90 % */
  HL_N_CAUSAL_RUNS
} HlCausalRun;

#define HL_TYPE_CAUSAL_WINDOW (hl_causal_window_get_type ())
G_DECLARE_FINAL_TYPE (HlCausalWindow, hl_causal_window, HL, CAUSAL_WINDOW, AdwWindow)

/* For @session's file, which must be set; the model it recorded is opened
 * at once on a worker. */
HlCausalWindow *hl_causal_window_new             (GtkWindow      *parent,
                                                  HlSession      *session);
/* Opens the model at @path (a checkpoint or a model folder) instead. */
void            hl_causal_window_set_model_path  (HlCausalWindow *self,
                                                  const char     *path);
/* TRUE once a model is open; FALSE while it opens or when it failed. */
gboolean        hl_causal_window_get_model_ready (HlCausalWindow *self);
/* TRUE while the model opens or an experiment runs. */
gboolean        hl_causal_window_get_busy        (HlCausalWindow *self);
/* Runs @run (needs the model; HL_CAUSAL_RUN_HEAD a selected head). */
void            hl_causal_window_run             (HlCausalWindow *self,
                                                  HlCausalRun     run);
void            hl_causal_window_cancel          (HlCausalWindow *self);
void            hl_causal_window_set_tau         (HlCausalWindow *self,
                                                  double          tau);
/* What the window says about the model and the last run. */
const char     *hl_causal_window_get_status      (HlCausalWindow *self);
/* The text of the correlations of the last per-head run, or "". */
const char     *hl_causal_window_get_correlations (HlCausalWindow *self);
/* The figure shown with that basename ("causal-ablation", "causal-n-star",
 * "causal-sparsification", or the head's truncation figure), or NULL. */
HlFigure       *hl_causal_window_get_figure      (HlCausalWindow *self,
                                                  const char     *basename);
/* The last progress shown, 0 … 1. */
double          hl_causal_window_get_progress    (HlCausalWindow *self);

G_END_DECLS
