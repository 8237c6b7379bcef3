/* hl-causal-text.h: a model and the token windows it is measured on, with
 * what the unmodified run leaves behind (the residual stream before every
 * layer, each head's mean output), so an intervention on heads of layer l
 * runs only layers l .. L-1 again.
 *
 * The loss is the next-token NLL, in nats per token, averaged over the
 * positions 0 .. T-2 of every window (each window is its own sequence from
 * position 0, as extraction runs it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hl-transformer.h"
#include "hl-types.h"

G_BEGIN_DECLS

#define HL_CAUSAL_ERROR (hl_causal_error_quark ())

typedef enum
{
  HL_CAUSAL_ERROR_TEXT,      /* fewer than 2 tokens, longer than the model's context, a bad id */
  HL_CAUSAL_ERROR_TARGET,    /* a layer or head the model does not have */
  HL_CAUSAL_ERROR_N,         /* a key count out of range */
  HL_CAUSAL_ERROR_TAU,       /* a tolerance that is not a positive number */
  HL_CAUSAL_ERROR_OPTIONS,   /* modes, rankings, fractions, repeats, policies */
  HL_CAUSAL_ERROR_MODEL,     /* an activation file's model not recorded, not there, changed or of another shape */
} HlCausalError;

typedef enum
{
  HL_TRUNCATE_RENORMALISE,   /* the kept weights rescaled to sum to 1 */
  HL_TRUNCATE_DELETE,        /* the kept weights as they were */
  HL_N_TRUNCATE_MODES
} HlTruncateMode;

typedef enum
{
  HL_ABLATE_ZERO,            /* the head's output (before the output projection) is 0 */
  HL_ABLATE_MEAN,            /* its mean over every position of every window */
  HL_N_ABLATE_MODES
} HlAblateMode;

typedef enum
{
  HL_INTERVENTION_TRUNCATE,
  HL_INTERVENTION_ABLATE,
} HlInterventionKind;

/* What to change in one run. @heads marks the heads it applies to. */
typedef struct
{
  HlInterventionKind  kind;
  const guint8       *heads;          /* [n_layers * n_heads], row-major by layer */
  HlTruncateMode      truncate_mode;
  HlRanking           ranking;        /* attention or contribution */
  int                 n;              /* keys kept per query row, >= 0 (>= 1 to renormalise) */
  HlAblateMode        ablate_mode;
} HlIntervention;

/* Called for each layer of each window of the unmodified run, with the
 * attention rows of the query positions hl_causal_text_prepare() was
 * given. */
typedef gboolean (*HlCausalCaptureFunc) (int                   window,
                                         const HlLayerCapture *capture,
                                         gpointer              user_data,
                                         GError              **error);

typedef struct _HlCausalText HlCausalText;

GQuark        hl_causal_error_quark            (void);

const char   *hl_truncate_mode_to_string       (HlTruncateMode  mode);   /* "renormalise", "delete" */
const char   *hl_ablate_mode_to_string         (HlAblateMode    mode);   /* "zero", "mean" */
gboolean      hl_truncate_mode_from_string     (const char     *str,
                                                HlTruncateMode *out);
gboolean      hl_ablate_mode_from_string       (const char     *str,
                                                HlAblateMode   *out);

/* @tokens: [n_windows, window] token ids. Fails when a window has fewer
 * than 2 tokens (nothing to predict), is longer than the model's context,
 * or holds an id the model has no embedding for. */
HlCausalText *hl_causal_text_new               (HlModel        *model,
                                                const int32_t  *tokens,
                                                int             n_windows,
                                                int             window,
                                                GError        **error);
void          hl_causal_text_free              (HlCausalText   *self);

HlModel      *hl_causal_text_get_model         (HlCausalText   *self);
int           hl_causal_text_get_n_windows     (HlCausalText   *self);
int           hl_causal_text_get_window        (HlCausalText   *self);
/* Positions whose next token is scored: n_windows * (window - 1). */
gint64        hl_causal_text_get_n_scored      (HlCausalText   *self);

/* The unmodified run: the baseline loss, and what later runs reuse.
 * @capture (may be NULL) sees the attention rows of @query_positions
 * (absolute, below the window). Must be called once before measuring. */
gboolean      hl_causal_text_prepare           (HlCausalText         *self,
                                                const int            *query_positions,
                                                int                   n_queries,
                                                HlCausalCaptureFunc   capture,
                                                gpointer              user_data,
                                                GCancellable         *cancellable,
                                                GError              **error);
double        hl_causal_text_get_baseline_nll  (HlCausalText   *self);

/* TRUE (the default): a run starts from the stored residual stream before
 * the first layer it changes. FALSE: every run starts from the embedding
 * (the full recomputation the tests and the benchmark compare with). */
void          hl_causal_text_set_prefix_cache  (HlCausalText   *self,
                                                gboolean        enabled);

/* The loss with @intervention applied. Checks its N against the window.
 * An intervention on no head gives the baseline without running. */
gboolean      hl_causal_text_measure           (HlCausalText          *self,
                                                const HlIntervention  *intervention,
                                                double                *nll,
                                                GCancellable          *cancellable,
                                                GError               **error);

/* Layers run by every call of hl_causal_text_measure() so far, for the
 * benchmark: the cost of the measurements in layer passes. */
guint64       hl_causal_text_get_layers_run    (HlCausalText   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlCausalText, hl_causal_text_free)

G_END_DECLS
