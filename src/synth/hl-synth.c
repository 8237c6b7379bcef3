/* hl-synth.c: parameters of one synthetic head, presets and validation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-synth.h"
#include "hl-synth-private.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (hl-synth-error-quark, hl_synth_error)

static const char * const profile_names[HL_SYNTH_N_PROFILES] = {
  "piecewise", "uniform", "bimodal", "power-law"
};

const char *
hl_synth_profile_to_string (HlSynthProfile profile)
{
  g_return_val_if_fail (profile < HL_SYNTH_N_PROFILES, NULL);
  return profile_names[profile];
}

gboolean
hl_synth_profile_from_string (const char     *str,
                              HlSynthProfile *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  for (int i = 0; i < HL_SYNTH_N_PROFILES; i++)
    if (g_strcmp0 (profile_names[i], str) == 0)
      {
        *out = (HlSynthProfile) i;
        return TRUE;
      }
  return FALSE;
}

void
hl_synth_head_params_init (HlSynthHeadParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->n_keys = 512;
  params->head_dim = 64;
  params->norm_mean = 1.0;
  params->norm_cv = 0.04;
  params->sink_lambda = 0.2;
  params->beta = 0.1;
  params->sink_similarity = 0.1;
  params->rho0_spread = 0.1;
  params->content_size = 8;
  params->content_similarity = 0.0;
  params->gamma = 1.0;
  params->seed = 1;
  hl_synth_head_params_init_preset (params, HL_REGIME_RETRIEVER);
}

/* The planted patterns. Their masses sum to 1 (docs/synthetic-data.md). */
typedef struct
{
  double sink_mass;
  double plateau_level;
  double tail_strength;
  double tail_length;
  double content_mass;
  double previous_mass;
} Preset;

static const Preset presets[HL_N_REGIMES] = {
  /* Most of the row on the last token. */
  [HL_REGIME_RETRIEVER] = { 0.15, 0.10, 0.75, 0.5, 0.00, 0.00 },
  /* Split between the sink and the similar content set. */
  [HL_REGIME_MIXER]     = { 0.30, 0.10, 0.05, 2.0, 0.55, 0.00 },
  /* Almost the whole row on the sink. */
  [HL_REGIME_RESET]     = { 0.97, 0.025, 0.005, 2.0, 0.00, 0.00 },
  /* A previous-token head: most of the row on key t - 1. */
  [HL_REGIME_OTHER]     = { 0.03, 0.05, 0.02, 2.0, 0.00, 0.90 },
};

void
hl_synth_head_params_init_preset (HlSynthHeadParams *params,
                                  HlRegime           regime)
{
  g_return_if_fail (params != NULL);
  g_return_if_fail (regime < HL_N_REGIMES);

  const Preset *p = &presets[regime];

  params->profile = HL_SYNTH_PROFILE_PIECEWISE;
  params->sink_mass = p->sink_mass;
  params->plateau_level = p->plateau_level;
  params->tail_strength = p->tail_strength;
  params->tail_length = p->tail_length;
  params->content_mass = p->content_mass;
  params->previous_mass = p->previous_mass;
  params->osc_amplitude = 0.3;
  params->osc_period = 24.0;
  params->noise = 0.3;
  params->temperature = 1.0;
}

/* The fields hl_synth_head_params_init_preset () sets are equal. */
static gboolean
same_profile (const HlSynthHeadParams *a,
              const HlSynthHeadParams *b)
{
  return a->profile == b->profile && a->sink_mass == b->sink_mass
         && a->plateau_level == b->plateau_level && a->osc_amplitude == b->osc_amplitude
         && a->osc_period == b->osc_period && a->tail_length == b->tail_length
         && a->tail_strength == b->tail_strength && a->content_mass == b->content_mass
         && a->previous_mass == b->previous_mass && a->noise == b->noise
         && a->temperature == b->temperature;
}

gboolean
hl_synth_head_params_find_preset (const HlSynthHeadParams *params,
                                  HlRegime                *regime)
{
  g_return_val_if_fail (params != NULL && regime != NULL, FALSE);

  for (int r = 0; r < HL_N_REGIMES; r++)
    {
      HlSynthHeadParams preset = *params;

      hl_synth_head_params_init_preset (&preset, r);
      if (same_profile (&preset, params))
        {
          *regime = r;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
hl_synth_check_range (const char *name,
                      double      value,
                      double      min,
                      double      max,
                      GError    **error)
{
  if (isfinite (value) && value >= min && value <= max)
    return TRUE;
  g_set_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID,
               _("%s is %g, expected a value between %g and %g"),
               name, value, min, max);
  return FALSE;
}

static gboolean
validate_values (const HlSynthHeadParams *p,
                 GError                 **error)
{
  return hl_synth_check_range ("n_keys", p->n_keys, 1, 65536, error)
      && hl_synth_check_range ("head_dim", p->head_dim, 2, 4096, error)
      && hl_synth_check_range ("norm_mean", p->norm_mean, 1e-6, 1e6, error)
      && hl_synth_check_range ("norm_cv", p->norm_cv, 0, 0.3, error)
      && hl_synth_check_range ("sink_lambda", p->sink_lambda, 0, 10, error)
      && hl_synth_check_range ("beta", p->beta, 0.001, 10, error)
      && hl_synth_check_range ("sink_similarity", p->sink_similarity, -0.95, 0.95, error)
      && hl_synth_check_range ("rho0_spread", p->rho0_spread, 0, 0.5, error)
      && hl_synth_check_range ("content_size", p->content_size, 0, p->n_keys, error)
      && hl_synth_check_range ("content_similarity", p->content_similarity, 0, 1, error);
}

static gboolean
validate_profile (const HlSynthHeadParams *p,
                  GError                 **error)
{
  if ((int) p->profile < 0 || p->profile >= HL_SYNTH_N_PROFILES)
    {
      g_set_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID,
                   _("profile is %d, expected one of 0..%d"),
                   (int) p->profile, HL_SYNTH_N_PROFILES - 1);
      return FALSE;
    }
  if (!(hl_synth_check_range ("sink_mass", p->sink_mass, 0, 1, error)
        && hl_synth_check_range ("plateau_level", p->plateau_level, 0, 1e6, error)
        && hl_synth_check_range ("osc_amplitude", p->osc_amplitude, 0, 1, error)
        && hl_synth_check_range ("osc_period", p->osc_period, 2, 1e6, error)
        && hl_synth_check_range ("tail_length", p->tail_length, 0.01, 1e6, error)
        && hl_synth_check_range ("tail_strength", p->tail_strength, 0, 1e6, error)
        && hl_synth_check_range ("content_mass", p->content_mass, 0, 1e6, error)
        && hl_synth_check_range ("previous_mass", p->previous_mass, 0, 1e6, error)
        && hl_synth_check_range ("noise", p->noise, 0, 2, error)
        && hl_synth_check_range ("temperature", p->temperature, 0.05, 20, error)
        && hl_synth_check_range ("gamma", p->gamma, 0, 5, error)))
    return FALSE;
  return TRUE;
}

gboolean
hl_synth_head_params_validate (const HlSynthHeadParams *params,
                               GError                 **error)
{
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return validate_values (params, error) && validate_profile (params, error);
}

gboolean
hl_synth_check_queries (int        n_keys,
                        const int *query_positions,
                        int        n_queries,
                        GError   **error)
{
  for (int q = 0; q < n_queries; q++)
    {
      int t = query_positions[q];

      if (t < 0 || t >= n_keys || (q > 0 && t <= query_positions[q - 1]))
        {
          g_set_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID,
                       _("query position %d is %d, expected strictly increasing positions in 0..%d"),
                       q, t, n_keys - 1);
          return FALSE;
        }
    }
  return TRUE;
}

HlSynthHead *
hl_synth_head_generate (const HlSynthHeadParams *params,
                        const int               *query_positions,
                        int                      n_queries,
                        GError                 **error)
{
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (query_positions != NULL || n_queries <= 1, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  int last = params->n_keys - 1;

  if (query_positions == NULL)
    {
      query_positions = &last;
      n_queries = 1;
    }
  if (!hl_synth_head_params_validate (params, error)
      || !hl_synth_check_queries (params->n_keys, query_positions, n_queries, error))
    return NULL;

  g_autoptr(HlSynthHead) head = g_new0 (HlSynthHead, 1);
  gsize n_keys = params->n_keys;

  head->n_keys = params->n_keys;
  head->head_dim = params->head_dim;
  head->n_queries = n_queries;
  head->query_positions = g_memdup2 (query_positions, sizeof (int) * n_queries);
  head->values = g_new (float, n_keys * params->head_dim);
  head->attention = g_new (float, n_keys * n_queries);
  head->content_positions = g_new0 (int, MAX (params->content_size, 1));
  if (!hl_synth_generate_values (params, params->seed, head->values,
                                 head->content_positions, &head->n_content, error)
      || !hl_synth_generate_attention (params, params->seed, head->content_positions,
                                       head->n_content, query_positions, n_queries,
                                       head->attention, error))
    return NULL;
  return g_steal_pointer (&head);
}

void
hl_synth_head_free (HlSynthHead *head)
{
  if (head == NULL)
    return;
  g_free (head->query_positions);
  g_free (head->values);
  g_free (head->attention);
  g_free (head->content_positions);
  g_free (head);
}

void
hl_synth_head_get_input (const HlSynthHead *head,
                         int                q,
                         HlHeadInput       *out)
{
  g_return_if_fail (head != NULL);
  g_return_if_fail (q >= 0 && q < head->n_queries);
  g_return_if_fail (out != NULL);

  *out = (HlHeadInput) {
    .n_keys = head->query_positions[q] + 1,
    .head_dim = head->head_dim,
    .values = head->values,
    .alpha = head->attention + (gsize) q * head->n_keys,
  };
}
