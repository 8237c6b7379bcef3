/* hl-synth-attention.c: the attention rows of one synthetic head.
 *
 * PIECEWISE rows put exactly sink_mass on key 0; the other parts are
 * relative weights sharing the rest.
 *
 * Each row is built in double precision for keys 0..t, normalised, then
 * rounded to float32 with the rounding residue moved onto the largest
 * weight, so every row sums to 1 within 1e-6 in float32 and keys after the
 * query are exactly 0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-synth.h"
#include "hl-synth-private.h"
#include "hl-synth-rng.h"

#include <math.h>
#include <string.h>

/* Scales @w[0..n) to sum to @mass; a part with no weight stays 0. */
static void
scale_to_mass (double *w,
               int     n,
               double  mass)
{
  double sum = 0.0;

  for (int i = 0; i < n; i++)
    sum += w[i];
  for (int i = 0; i < n; i++)
    w[i] = sum > 0.0 ? w[i] * mass / sum : 0.0;
}

/* The plateau with its oscillation and log-normal jitter over keys 1..t,
 * added to @row with total weight plateau_level. */
static void
add_middle (const HlSynthHeadParams *p,
            HlSynthRng              *rng,
            int                      t,
            double                  *row,
            double                  *scratch)
{
  double sigma = p->noise;

  for (int i = 1; i <= t; i++)
    {
      double wave = 1.0 + p->osc_amplitude * sin (2.0 * G_PI * i / p->osc_period);
      double jitter = exp (sigma * hl_synth_rng_normal (rng) - 0.5 * sigma * sigma);

      scratch[i - 1] = MAX (wave, 0.0) * jitter;
    }
  scale_to_mass (scratch, t, p->plateau_level);
  for (int i = 1; i <= t; i++)
    row[i] += scratch[i - 1];
}

/* The recency tail over keys 1..t, peaking at key t and decaying with
 * e-folding length tail_length, with total weight tail_strength. */
static void
add_tail (const HlSynthHeadParams *p,
          int                      t,
          double                  *row,
          double                  *scratch)
{
  for (int i = 1; i <= t; i++)
    scratch[i - 1] = exp (-(t - i) / p->tail_length);
  scale_to_mass (scratch, t, p->tail_strength);
  for (int i = 1; i <= t; i++)
    row[i] += scratch[i - 1];
}

/* content_mass shared equally by the content-set tokens before key t. */
static void
add_content (const HlSynthHeadParams *p,
             const int               *content_positions,
             int                      n_content,
             int                      t,
             double                  *row)
{
  int visible = 0;

  for (int j = 0; j < n_content && content_positions[j] < t; j++)
    visible++;
  for (int j = 0; j < visible; j++)
    row[content_positions[j]] += p->content_mass / visible;
}

static void
apply_temperature (double *row,
                   int     n,
                   double  temperature)
{
  if (temperature == 1.0)
    return;
  for (int i = 0; i < n; i++)
    row[i] = row[i] > 0.0 ? pow (row[i], 1.0 / temperature) : 0.0;
}

/* The sink gets exactly sink_mass; the other parts are relative weights
 * of keys 1..t, shaped by the temperature and scaled to share the rest
 * (spread evenly when they are all zero), so the sink mass a user sets is
 * the alpha_0 the row has. */
static void
piecewise_row (const HlSynthHeadParams *p,
               guint64                  seed,
               const int               *content_positions,
               int                      n_content,
               int                      t,
               double                  *row,
               double                  *scratch)
{
  HlSynthRng rng;
  double rest = 0.0;

  hl_synth_rng_init (&rng, hl_synth_rng_derive_seed (seed, t));
  add_middle (p, &rng, t, row, scratch);
  add_tail (p, t, row, scratch);
  add_content (p, content_positions, n_content, t, row);
  /* With t = 1 the previous token is the sink, whose mass is fixed. */
  if (t >= 2)
    row[t - 1] += p->previous_mass;
  apply_temperature (row + 1, t, p->temperature);
  for (int i = 1; i <= t; i++)
    rest += row[i];
  for (int i = 1; i <= t; i++)
    row[i] = rest > 0.0 ? row[i] * (1.0 - p->sink_mass) / rest : (1.0 - p->sink_mass) / t;
  row[0] = p->sink_mass;
}

static void
shape_row (const HlSynthHeadParams *p,
           int                      t,
           double                  *row)
{
  switch (p->profile)
    {
    case HL_SYNTH_PROFILE_UNIFORM:
      for (int i = 0; i <= t; i++)
        row[i] = 1.0;
      break;
    case HL_SYNTH_PROFILE_BIMODAL:
      row[0] += 0.5;
      row[t] += 0.5;
      break;
    case HL_SYNTH_PROFILE_POWER_LAW:
      for (int i = 0; i <= t; i++)
        row[i] = pow (i + 1.0, -p->gamma);
      break;
    case HL_SYNTH_PROFILE_PIECEWISE:
    case HL_SYNTH_N_PROFILES:
    default:
      g_assert_not_reached ();
    }
}

/* Normalises @row[0..t], rounds it to float32 into @out and zeroes the keys
 * after t. */
static void
finish_row (const double *row,
            int           t,
            int           n_keys,
            float        *out)
{
  double sum = 0.0, rounded = 0.0;
  int largest = 0;

  for (int i = 0; i <= t; i++)
    sum += row[i];
  /* A row with no weight anywhere (only possible when every part that can
   * reach keys 0..t is empty) falls back to the sink. */
  for (int i = 0; i <= t; i++)
    {
      out[i] = sum > 0.0 ? (float) (row[i] / sum) : (float) (i == 0);
      rounded += out[i];
      if (out[i] > out[largest])
        largest = i;
    }
  out[largest] = (float) (out[largest] + (1.0 - rounded));
  memset (out + t + 1, 0, sizeof (float) * (n_keys - t - 1));
}

gboolean
hl_synth_generate_attention (const HlSynthHeadParams *params,
                             guint64                  seed,
                             const int               *content_positions,
                             int                      n_content,
                             const int               *query_positions,
                             int                      n_queries,
                             float                   *rows,
                             GError                 **error)
{
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (content_positions != NULL || n_content == 0, FALSE);
  g_return_val_if_fail (query_positions != NULL || n_queries == 0, FALSE);
  g_return_val_if_fail (rows != NULL || n_queries == 0, FALSE);

  if (!hl_synth_head_params_validate (params, error))
    return FALSE;

  int n = params->n_keys;
  g_autofree double *row = g_new (double, 2 * (gsize) n);
  double *scratch = row + n;
  guint64 stream = hl_synth_rng_derive_seed (seed, HL_SYNTH_STREAM_ATTENTION);

  for (int q = 0; q < n_queries; q++)
    {
      int t = query_positions[q];

      g_return_val_if_fail (t >= 0 && t < n, FALSE);
      memset (row, 0, sizeof (double) * n);
      if (t == 0)
        row[0] = 1.0;
      else if (params->profile == HL_SYNTH_PROFILE_PIECEWISE)
        piecewise_row (params, stream, content_positions, n_content, t, row, scratch);
      else
        shape_row (params, t, row);
      finish_row (row, t, n, rows + (gsize) q * n);
    }
  return TRUE;
}
