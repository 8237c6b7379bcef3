/* hl-synth-model.h: a synthetic model of many heads, written as a v1
 * activation file.
 *
 * Each query head is planted with one of three attention patterns (last
 * token, sink then content, sink: the presets of HlRegime RETRIEVER, MIXER
 * and RESET) in a depth-dependent mix (early layers mostly the first,
 * middle the sink, late sink then content): the progression is planted,
 * not found. Values belong to kv heads, attention to query heads (GQA).
 * The planted pattern of every query head is stored as int32
 * "/synth/regime" [n_layers, n_heads] in HlRegime order (-1 everywhere
 * for a profile ablation, which plants none).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hl-activations.h"
#include "hl-synth.h"

G_BEGIN_DECLS

typedef struct
{
  const char        *model;            /* the file's model attribute */
  int                n_layers;
  int                n_heads;
  int                n_kv_heads;       /* divides n_heads */
  int                head_dim;
  int                seq_len;
  int                n_samples;
  int                n_queries;
  const int         *query_positions;  /* [n_queries]; NULL means the last position */
  HlDtype            values_dtype;
  int                gzip_level;       /* 0 = none, 1..9 */
  guint64            seed;
  /* Value statistics and profile shape shared by every head: norm_mean,
   * norm_cv, sink_lambda, beta, rho0_spread, content_size,
   * content_similarity, osc_amplitude, osc_period, noise, temperature.
   * n_keys, head_dim, the profile masses, sink_similarity and seed are set
   * per head. head.profile PIECEWISE (the default) plants the patterns;
   * UNIFORM, BIMODAL or POWER_LAW (with head.gamma) gives every head that
   * profile instead (the paper's profile ablations). */
  HlSynthHeadParams  head;
  double             rho0_min;         /* sink similarity drawn per kv head in [min, max] */
  double             rho0_max;
  double             jitter;           /* log-normal sigma of per-head profile masses, 0..0.3 */
  double             sink_pattern_mass; /* alpha_0 of the sink (Reset) pattern, 0..1 (0.97) */
} HlSynthModelParams;

typedef void (*HlSynthProgressFunc) (guint64  done,
                                     guint64  total,
                                     gpointer user_data);

/* Defaults: 12 layers, 12 heads, 12 kv heads, head_dim 64, seq_len 512,
 * 4 samples, the last query, float32 values, no compression, seed 1, the
 * head defaults of hl_synth_head_params_init(), rho0 in [-0.3, 0.4],
 * jitter 0.15, the sink pattern's mass 0.97. */
void      hl_synth_model_params_init     (HlSynthModelParams       *params);
gboolean  hl_synth_model_params_validate (const HlSynthModelParams *params,
                                          GError                  **error);

/* The pattern planted in query head @head of @layer (depends on the seed). */
HlRegime  hl_synth_model_regime          (const HlSynthModelParams *params,
                                          int                       layer,
                                          int                       head);
/* Fraction of heads expected in each regime at @layer: the depth mix. */
void      hl_synth_model_regime_mix      (const HlSynthModelParams *params,
                                          int                       layer,
                                          double                    out[HL_N_REGIMES]);
/* The full parameters of kv head @kv_head (value fields) and of query head
 * @head (profile fields) in @layer. */
void      hl_synth_model_value_params    (const HlSynthModelParams *params,
                                          int                       layer,
                                          int                       kv_head,
                                          HlSynthHeadParams        *out);
void      hl_synth_model_head_params     (const HlSynthModelParams *params,
                                          int                       layer,
                                          int                       head,
                                          HlSynthHeadParams        *out);
/* Seeds of the values of (layer, sample, kv_head) and of the attention of
 * (layer, sample, head). */
guint64   hl_synth_model_value_seed      (const HlSynthModelParams *params,
                                          int                       layer,
                                          int                       sample,
                                          int                       kv_head);
guint64   hl_synth_model_attention_seed  (const HlSynthModelParams *params,
                                          int                       layer,
                                          int                       sample,
                                          int                       head);

/* Generates every block and writes the file atomically through the v1
 * writer. @source (may be NULL) is stored as the "source" attribute.
 * @progress is called after each layer and sample. */
gboolean  hl_synth_model_write           (const HlSynthModelParams *params,
                                          const char               *path,
                                          const char               *source,
                                          HlSynthProgressFunc       progress,
                                          gpointer                  user_data,
                                          GCancellable             *cancellable,
                                          GError                  **error);

G_END_DECLS
