/* hl-synth.h: one synthetic attention head, generated from its parameters.
 *
 * Pure computation (no I/O), deterministic for a seed. The model-level
 * generator (hl-synth-model.h) and the teaching playground build on it; the
 * model behind each parameter is described in docs/synthetic-data.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hl-types.h"

G_BEGIN_DECLS

#define HL_SYNTH_ERROR (hl_synth_error_quark ())

typedef enum
{
  HL_SYNTH_ERROR_INVALID,     /* a parameter is out of its range */
} HlSynthError;

typedef enum
{
  HL_SYNTH_PROFILE_PIECEWISE,   /* sink, plateau, oscillating middle, recency tail, content set */
  HL_SYNTH_PROFILE_UNIFORM,     /* alpha_i = 1 / (t + 1) */
  HL_SYNTH_PROFILE_BIMODAL,     /* half on the sink, half on the last token */
  HL_SYNTH_PROFILE_POWER_LAW,   /* alpha_i ~ (i + 1)^-gamma */
  HL_SYNTH_N_PROFILES
} HlSynthProfile;

/* Every parameter of one head. Start from hl_synth_head_params_init() or
 * hl_synth_head_params_init_preset(), then change fields. Ranges are checked
 * by hl_synth_head_params_validate(). */
typedef struct
{
  /* Shape. */
  int            n_keys;             /* seq_len, 1..65536 */
  int            head_dim;           /* 2..4096 */

  /* Values v_0 .. v_{n_keys-1}. */
  double         norm_mean;          /* mean ||v_i|| over i >= 1, > 0 */
  double         norm_cv;            /* CV of ||v_i|| over i >= 1, 0..0.3 */
  double         sink_lambda;        /* ||v_0|| = lambda * norm_mean, 0..10 */
  double         beta;               /* cos(v_i, v_j) ~ exp(-beta |i - j|) for i, j >= 1; 0.001..10 */
  double         sink_similarity;    /* rho0: the mean over i >= 1 of cos(v_0, v_i), -0.95..0.95 */
  double         rho0_spread;        /* std over keys of cos(v_0, v_i) around it, 0..0.5 */
  int            content_size;       /* length of the content span, 0..n_keys */
  double         content_similarity; /* extra pull of the span towards one direction, 0..1 */

  /* Attention profile. */
  HlSynthProfile profile;
  /* PIECEWISE: the sink's mass, and relative weights of the other parts
   * sharing the rest of the row (when they sum to 1 - sink_mass, as in the
   * presets, they are masses). */
  double         sink_mass;          /* alpha_0 exactly (within float32 rounding), 0..1 */
  double         plateau_level;      /* weight of the middle, spread over keys 1..t, >= 0 */
  double         osc_amplitude;      /* relative oscillation of the middle, 0..1 */
  double         osc_period;         /* in tokens, >= 2 */
  double         tail_length;        /* e-folding length of the recency tail in tokens, > 0 */
  double         tail_strength;      /* weight of the recency tail (peaks at key t), >= 0 */
  double         content_mass;       /* weight of the visible content-set tokens, >= 0 */
  double         previous_mass;      /* weight of key t - 1 (a previous-token head), >= 0 */
  double         noise;              /* log-normal jitter (sigma) of middle weights, 0..2 */
  double         temperature;        /* alpha ~ alpha^(1 / temperature) over keys 1..t, 0.05..20 */
  /* POWER_LAW. */
  double         gamma;              /* exponent, 0..5 */

  guint64        seed;
} HlSynthHeadParams;

/* A generated head. */
typedef struct
{
  int    n_keys;
  int    head_dim;
  int    n_queries;
  int   *query_positions;    /* [n_queries], strictly increasing */
  float *values;             /* [n_keys, head_dim], row-major */
  float *attention;          /* [n_queries, n_keys]; zero after each query; rows sum to 1 */
  int    n_content;
  int   *content_positions;  /* [n_content], consecutive; the content span */
} HlSynthHead;

GQuark       hl_synth_error_quark              (void);
const char  *hl_synth_profile_to_string        (HlSynthProfile profile);  /* "piecewise", "uniform", "bimodal", "power-law" */
gboolean     hl_synth_profile_from_string      (const char     *str,
                                                HlSynthProfile *out);

/* Defaults: n_keys 512, head_dim 64, norm_mean 1, norm_cv 0.04,
 * sink_lambda 0.2, beta 0.1, sink_similarity 0.1 with a spread of 0.1 over
 * keys, a content span of 8 tokens without extra pull, a PIECEWISE
 * Retriever profile, seed 1. */
void         hl_synth_head_params_init         (HlSynthHeadParams *params);
/* Sets only the attention-profile fields (profile = PIECEWISE, sink_mass,
 * plateau_level, oscillation, tail, content_mass, previous_mass, noise,
 * temperature) to the pattern planted for @regime: most of the row on the
 * last token (RETRIEVER), on the sink (RESET), split between the sink and
 * the content span (MIXER), or on the previous token (OTHER). Shape, value
 * and seed fields are left as they are. The patterns follow the paper's
 * descriptions, not the rule; docs/synthetic-data.md says how the rule
 * classifies them. */
void         hl_synth_head_params_init_preset  (HlSynthHeadParams *params,
                                                HlRegime           regime);
/* Whether the attention-profile fields of @params are exactly those
 * hl_synth_head_params_init_preset () sets for some pattern, and which
 * (@regime): the pattern @params plants. */
gboolean     hl_synth_head_params_find_preset  (const HlSynthHeadParams *params,
                                                HlRegime                *regime);
gboolean     hl_synth_head_params_validate     (const HlSynthHeadParams *params,
                                                GError                 **error);

/* Fills @values ([n_keys, head_dim]) and @content_positions (capacity
 * content_size; returns the count in @n_content) from the value fields of
 * @params and @seed. */
gboolean     hl_synth_generate_values          (const HlSynthHeadParams *params,
                                                guint64                  seed,
                                                float                   *values,
                                                int                     *content_positions,
                                                int                     *n_content,
                                                GError                 **error);
/* Fills @rows ([n_queries, n_keys]) with the attention of each query
 * position from the profile fields of @params; @seed drives the jitter.
 * The content set is the one returned by hl_synth_generate_values(). */
gboolean     hl_synth_generate_attention       (const HlSynthHeadParams *params,
                                                guint64                  seed,
                                                const int               *content_positions,
                                                int                      n_content,
                                                const int               *query_positions,
                                                int                      n_queries,
                                                float                   *rows,
                                                GError                 **error);

/* Values and attention in one call, both driven by params->seed. With
 * @query_positions NULL, the only query is the last position. */
HlSynthHead *hl_synth_head_generate            (const HlSynthHeadParams *params,
                                                const int               *query_positions,
                                                int                      n_queries,
                                                GError                 **error);
void         hl_synth_head_free                (HlSynthHead             *head);
/* Borrowed view of query @q for the geometry engine: the first t + 1 keys. */
void         hl_synth_head_get_input           (const HlSynthHead       *head,
                                                int                      q,
                                                HlHeadInput             *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlSynthHead, hl_synth_head_free)

G_END_DECLS
