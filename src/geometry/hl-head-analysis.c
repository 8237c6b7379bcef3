/* hl-head-analysis.c: one attention operation from input to result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-head-analysis.h"

G_DEFINE_BOXED_TYPE (HlHeadResult, hl_head_result, hl_head_result_ref, hl_head_result_unref)

HlHeadResult *
hl_head_result_ref (HlHeadResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

static void
head_result_clear (gpointer data)
{
  HlHeadResult *self = data;

  g_clear_pointer (&self->curves, hl_curve_set_free);
  g_clear_pointer (&self->reason, g_free);
  g_clear_pointer (&self->query_token, g_free);
}

void
hl_head_result_unref (HlHeadResult *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, head_result_clear);
}

void
hl_head_analysis_options_init (HlHeadAnalysisOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (HlHeadAnalysisOptions) {
    .rankings = (1u << HL_RANKING_ATTENTION) | (1u << HL_RANKING_CONTRIBUTION)
                | (1u << HL_RANKING_RANDOM),
    .distances = (1u << HL_DISTANCE_EUCLIDEAN) | (1u << HL_DISTANCE_COSINE),
    .grid_kind = HL_GRID_POW2,
    .repeats = 16,
    .seed = 0,
    .n_lags = HL_DIAGNOSTICS_DEFAULT_LAGS,
  };
  hl_regime_thresholds_init (&options->thresholds);
}

/* splitmix64's finaliser: a bijective mix with good avalanche, so nearby
 * (layer, head) pairs get unrelated seeds. */
static guint64
mix64 (guint64 z)
{
  z += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

guint64
hl_head_analysis_seed (guint64 seed,
                       int     layer,
                       int     head,
                       int     sample,
                       int     query_index)
{
  guint64 h = mix64 (seed);

  h = mix64 (h ^ (guint32) layer);
  h = mix64 (h ^ (guint32) head);
  h = mix64 (h ^ (guint32) sample);
  return mix64 (h ^ (guint32) query_index);
}

/* The regime from the attention ranking's trajectories: those of the curves,
 * or computed here when that ranking was not asked for. */
static void
classify (HlHeadResult             *self,
          const HlHeadInput        *input,
          const HlRegimeThresholds *thresholds)
{
  HlRegimeTrajectories tr;
  g_autofree float *sink = NULL;
  g_autofree float *last = NULL;
  const HlCurveSet *curves = self->curves;

  if (!hl_regime_trajectories_from_curves (curves, input->n_keys, &tr))
    {
      sink = g_new (float, curves->n_grid + 1);
      last = g_new (float, curves->n_grid + 1);
      hl_regime_compute_trajectories (input, curves->grid, curves->n_grid, sink, last);
      tr = (HlRegimeTrajectories) { input->n_keys, curves->n_grid, curves->grid, sink, last };
    }
  hl_regime_evidence (&self->diagnostics, &tr, thresholds, &self->evidence);
  self->regime = hl_regime_decide (&self->evidence);
  self->reason = hl_regime_reason (self->regime, &self->evidence, thresholds);
}

HlHeadResult *
hl_head_analysis_compute (const HlHeadInput           *input,
                          const HlHeadId              *id,
                          const HlHeadAnalysisOptions *options)
{
  g_autofree int *grid = NULL;
  HlSeparabilityOptions sep;
  HlHeadResult *self;

  g_return_val_if_fail (input != NULL && input->n_keys >= 1, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  self = g_atomic_rc_box_new0 (HlHeadResult);
  self->layer = id->layer;
  self->head = id->head;
  self->sample = id->sample;
  self->query_index = id->query_index;
  self->query_position = input->n_keys - 1;
  self->kv_head = id->kv_head;
  self->query_token_id = -1;
  self->seed = hl_head_analysis_seed (options->seed, id->layer, id->head,
                                      id->sample, id->query_index);

  grid = g_new (int, input->n_keys);
  sep = (HlSeparabilityOptions) {
    .grid = grid,
    .n_grid = hl_grid_build (options->grid_kind, options->grid_list,
                             options->n_grid_list, input->n_keys, grid),
    .rankings = options->rankings,
    .distances = options->distances,
    .repeats = options->repeats,
    .seed = self->seed,
  };
  self->curves = hl_separability_compute (input, &sep);
  hl_diagnostics_compute (input, options->n_lags, &self->diagnostics);
  classify (self, input, &options->thresholds);
  return self;
}

void
hl_head_result_set_query_token (HlHeadResult *self,
                                int           id,
                                const char   *text)
{
  g_return_if_fail (self != NULL);

  self->query_token_id = MAX (id, -1);
  g_free (self->query_token);
  self->query_token = g_strdup (text);
}
