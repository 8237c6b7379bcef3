/* hl-synth-model.c: many synthetic heads with a depth-dependent regime mix,
 * written through the v1 activation writer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-synth-model.h"
#include "hl-synth-private.h"
#include "hl-synth-rng.h"

#include "hl-activations-writer.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

/* Random streams of the model; each is split further by the index of the
 * layer, head or sample it serves. */
enum
{
  STREAM_REGIME = 101,
  STREAM_PROFILE,
  STREAM_RHO0,
  STREAM_VALUES,
  STREAM_ATTENTION,
  STREAM_TOKENS,
};

/* Token ids are drawn from a vocabulary of this size; id 1 is the
 * beginning-of-sequence token at position 0, the usual attention sink. */
#define VOCAB_SIZE 32000
#define BOS_ID 1

void
hl_synth_model_params_init (HlSynthModelParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->model = "synthetic";
  params->n_layers = 12;
  params->n_heads = 12;
  params->n_kv_heads = 12;
  params->head_dim = 64;
  params->seq_len = 512;
  params->n_samples = 4;
  params->values_dtype = HL_DTYPE_FLOAT32;
  params->seed = 1;
  hl_synth_head_params_init (&params->head);
  params->rho0_min = -0.3;
  params->rho0_max = 0.4;
  params->jitter = 0.15;
  params->sink_pattern_mass = 0.97;
}

static gboolean
check_int (const char *name,
           int         value,
           int         min,
           int         max,
           GError    **error)
{
  if (value >= min && value <= max)
    return TRUE;
  g_set_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID,
               _("%s is %d, expected a value between %d and %d"), name, value, min, max);
  return FALSE;
}

static gboolean
validate_shape (const HlSynthModelParams *p,
                GError                  **error)
{
  if (!(check_int ("layers", p->n_layers, 1, 1024, error)
        && check_int ("heads", p->n_heads, 1, 1024, error)
        && check_int ("kv heads", p->n_kv_heads, 1, p->n_heads, error)
        && check_int ("head dim", p->head_dim, 2, 4096, error)
        && check_int ("seq len", p->seq_len, 1, 65536, error)
        && check_int ("samples", p->n_samples, 1, 100000, error)
        && check_int ("gzip level", p->gzip_level, 0, 9, error)
        && check_int ("values dtype", p->values_dtype, HL_DTYPE_FLOAT16, HL_DTYPE_FLOAT64, error)))
    return FALSE;
  if (p->n_heads % p->n_kv_heads != 0)
    {
      g_set_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID,
                   _("heads is %d, expected a multiple of kv heads (%d)"),
                   p->n_heads, p->n_kv_heads);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_queries (const HlSynthModelParams *p,
                  GError                  **error)
{
  if (p->query_positions == NULL)
    return TRUE;
  return check_int ("number of queries", p->n_queries, 1, p->seq_len, error)
         && hl_synth_check_queries (p->seq_len, p->query_positions, p->n_queries, error);
}

gboolean
hl_synth_model_params_validate (const HlSynthModelParams *params,
                                GError                  **error)
{
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  HlSynthHeadParams head;

  if (!validate_shape (params, error) || !validate_queries (params, error))
    return FALSE;
  if (!(hl_synth_check_range ("rho0 min", params->rho0_min, -0.95, 0.95, error)
        && hl_synth_check_range ("rho0 max", params->rho0_max, params->rho0_min, 0.95, error)
        && hl_synth_check_range ("jitter", params->jitter, 0, 0.3, error)
        && hl_synth_check_range ("sink pattern mass", params->sink_pattern_mass, 0, 1, error)))
    return FALSE;
  /* The per-head checks run on what a head really gets. */
  hl_synth_model_head_params (params, 0, 0, &head);
  head.sink_similarity = params->rho0_max;
  return hl_synth_head_params_validate (&head, error);
}

static guint64
stream_seed (const HlSynthModelParams *p,
             guint64                   stream,
             guint64                   index)
{
  return hl_synth_rng_derive_seed (hl_synth_rng_derive_seed (p->seed, stream), index);
}

void
hl_synth_model_regime_mix (const HlSynthModelParams *params,
                           int                       layer,
                           double                    out[HL_N_REGIMES])
{
  g_return_if_fail (params != NULL);

  double x = params->n_layers > 1 ? (double) layer / (params->n_layers - 1) : 0.5;
  double sum;

  /* Bumps centred at the first, middle and last layer, with a floor so
   * every regime appears at every depth now and then. */
  out[HL_REGIME_RETRIEVER] = exp (-pow (x / 0.3, 2)) + 0.05;
  out[HL_REGIME_RESET] = exp (-pow ((x - 0.5) / 0.25, 2)) + 0.05;
  out[HL_REGIME_MIXER] = exp (-pow ((x - 1.0) / 0.3, 2)) + 0.05;
  /* No previous-token pattern is planted in a model. */
  out[HL_REGIME_OTHER] = 0.0;
  sum = out[0] + out[1] + out[2];
  for (int r = 0; r < HL_N_REGIMES; r++)
    out[r] /= sum;
}

HlRegime
hl_synth_model_regime (const HlSynthModelParams *params,
                       int                       layer,
                       int                       head)
{
  g_return_val_if_fail (params != NULL, HL_REGIME_RETRIEVER);

  double mix[HL_N_REGIMES];
  HlSynthRng rng;
  double u;

  hl_synth_model_regime_mix (params, layer, mix);
  hl_synth_rng_init (&rng, stream_seed (params, STREAM_REGIME,
                                        (guint64) layer * params->n_heads + head));
  u = hl_synth_rng_uniform (&rng);
  for (int r = 0; r < HL_REGIME_RESET; r++)
    {
      if (u < mix[r])
        return (HlRegime) r;
      u -= mix[r];
    }
  return HL_REGIME_RESET;
}

void
hl_synth_model_value_params (const HlSynthModelParams *params,
                             int                       layer,
                             int                       kv_head,
                             HlSynthHeadParams        *out)
{
  g_return_if_fail (params != NULL);
  g_return_if_fail (out != NULL);

  HlSynthRng rng;

  *out = params->head;
  out->n_keys = params->seq_len;
  out->head_dim = params->head_dim;
  /* A short sequence gets a shorter content span rather than an error. */
  out->content_size = MIN (out->content_size, params->seq_len);
  hl_synth_rng_init (&rng, stream_seed (params, STREAM_RHO0,
                                        (guint64) layer * params->n_kv_heads + kv_head));
  out->sink_similarity = params->rho0_min
                         + (params->rho0_max - params->rho0_min) * hl_synth_rng_uniform (&rng);
}

/* The odds of a mass in (0, 1) multiplied by @factor: a jitter that keeps
 * it a mass. */
static double
jitter_mass (double mass,
             double factor)
{
  double odds;

  if (mass <= 0.0 || mass >= 1.0)
    return mass;
  odds = mass / (1.0 - mass) * factor;
  return odds / (1.0 + odds);
}

void
hl_synth_model_head_params (const HlSynthModelParams *params,
                            int                       layer,
                            int                       head,
                            HlSynthHeadParams        *out)
{
  g_return_if_fail (params != NULL);
  g_return_if_fail (out != NULL);

  int kv_head = head / (params->n_heads / params->n_kv_heads);
  double sigma = params->jitter;
  HlRegime pattern = hl_synth_model_regime (params, layer, head);
  HlSynthRng rng;

  hl_synth_model_value_params (params, layer, kv_head, out);
  /* A profile ablation gives every head the same profile: nothing is
   * planted. */
  if (params->head.profile != HL_SYNTH_PROFILE_PIECEWISE)
    return;
  hl_synth_head_params_init_preset (out, pattern);
  if (pattern == HL_REGIME_RESET)
    out->sink_mass = params->sink_pattern_mass;
  /* The preset sets the shape fields shared by every head; the model's
   * values win. */
  out->osc_amplitude = params->head.osc_amplitude;
  out->noise = params->head.noise;
  out->temperature = params->head.temperature;
  hl_synth_rng_init (&rng, stream_seed (params, STREAM_PROFILE,
                                        (guint64) layer * params->n_heads + head));
  out->osc_period = params->head.osc_period * exp (sigma * hl_synth_rng_normal (&rng));
  out->osc_period = MAX (out->osc_period, 2.0);
  out->sink_mass = jitter_mass (out->sink_mass, exp (sigma * hl_synth_rng_normal (&rng)));
  out->plateau_level *= exp (sigma * hl_synth_rng_normal (&rng));
  out->tail_strength *= exp (sigma * hl_synth_rng_normal (&rng));
  out->content_mass *= exp (sigma * hl_synth_rng_normal (&rng));
}

guint64
hl_synth_model_value_seed (const HlSynthModelParams *params,
                           int                       layer,
                           int                       sample,
                           int                       kv_head)
{
  g_return_val_if_fail (params != NULL, 0);

  guint64 index = ((guint64) layer * params->n_samples + sample) * params->n_kv_heads + kv_head;

  return stream_seed (params, STREAM_VALUES, index);
}

guint64
hl_synth_model_attention_seed (const HlSynthModelParams *params,
                               int                       layer,
                               int                       sample,
                               int                       head)
{
  g_return_val_if_fail (params != NULL, 0);

  guint64 index = ((guint64) layer * params->n_samples + sample) * params->n_heads + head;

  return stream_seed (params, STREAM_ATTENTION, index);
}

/* What one (layer, sample) block needs, allocated once. */
typedef struct
{
  const HlSynthModelParams *p;
  HlActivationsWriter      *writer;
  const int                *queries;
  int                       n_queries;
  float                    *values;     /* [seq_len, head_dim] */
  float                    *rows;       /* [n_queries, seq_len] */
  int                      *content;    /* [content_size] */
} ModelWriteState;

static gboolean
write_kv_group (ModelWriteState *st,
                int              layer,
                int              sample,
                int              kv_head,
                GError         **error)
{
  const HlSynthModelParams *p = st->p;
  int group = p->n_heads / p->n_kv_heads;
  HlSynthHeadParams hp;
  int n_content = 0;

  hl_synth_model_value_params (p, layer, kv_head, &hp);
  if (!hl_synth_generate_values (&hp, hl_synth_model_value_seed (p, layer, sample, kv_head),
                                 st->values, st->content, &n_content, error)
      || !hl_activations_writer_write_values (st->writer, layer, sample, kv_head,
                                              st->values, error))
    return FALSE;
  for (int head = kv_head * group; head < (kv_head + 1) * group; head++)
    {
      hl_synth_model_head_params (p, layer, head, &hp);
      if (!hl_synth_generate_attention (&hp, hl_synth_model_attention_seed (p, layer, sample, head),
                                        st->content, n_content, st->queries, st->n_queries,
                                        st->rows, error)
          || !hl_activations_writer_write_attention (st->writer, layer, sample, head,
                                                     st->rows, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_tokens (ModelWriteState *st,
              int              sample,
              GError         **error)
{
  int n = st->p->seq_len;
  g_autofree int32_t *ids = g_new (int32_t, n);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_full (n + 1, g_free);
  HlSynthRng rng;

  hl_synth_rng_init (&rng, stream_seed (st->p, STREAM_TOKENS, sample));
  for (int i = 0; i < n; i++)
    {
      ids[i] = i == 0 ? BOS_ID : 3 + (int32_t) hl_synth_rng_below (&rng, VOCAB_SIZE - 3);
      g_ptr_array_add (texts, i == 0 ? g_strdup ("<s>") : g_strdup_printf ("tok%d", ids[i]));
    }
  g_ptr_array_add (texts, NULL);
  return hl_activations_writer_write_tokens (st->writer, sample, ids,
                                             (const char * const *) texts->pdata, error);
}

static gboolean
write_regimes (ModelWriteState *st,
               GError         **error)
{
  const HlSynthModelParams *p = st->p;
  gsize dims[2] = { p->n_layers, p->n_heads };
  g_autofree int32_t *regimes = g_new (int32_t, dims[0] * dims[1]);

  /* -1 for a profile ablation: no pattern is planted. */
  for (int l = 0; l < p->n_layers; l++)
    for (int h = 0; h < p->n_heads; h++)
      regimes[(gsize) l * p->n_heads + h] = p->head.profile == HL_SYNTH_PROFILE_PIECEWISE
                                            ? (int32_t) hl_synth_model_regime (p, l, h) : -1;
  return hl_activations_writer_write_int_dataset (st->writer, "/synth/regime", 2, dims,
                                                  regimes, error);
}

static gboolean
write_blocks (ModelWriteState     *st,
              HlSynthProgressFunc  progress,
              gpointer             user_data,
              GCancellable        *cancellable,
              GError             **error)
{
  const HlSynthModelParams *p = st->p;
  guint64 total = (guint64) p->n_layers * p->n_samples;
  guint64 done = 0;

  for (int layer = 0; layer < p->n_layers; layer++)
    for (int sample = 0; sample < p->n_samples; sample++)
      {
        if (g_cancellable_set_error_if_cancelled (cancellable, error))
          return FALSE;
        for (int kv_head = 0; kv_head < p->n_kv_heads; kv_head++)
          if (!write_kv_group (st, layer, sample, kv_head, error))
            return FALSE;
        if (progress != NULL)
          progress (++done, total, user_data);
      }
  return TRUE;
}

static void
fill_spec (const HlSynthModelParams *p,
           const char               *source,
           const int                *queries,
           int                       n_queries,
           HlActivationsSpec        *spec)
{
  memset (spec, 0, sizeof *spec);
  spec->model = p->model != NULL ? p->model : "synthetic";
  spec->source = source;
  spec->n_layers = p->n_layers;
  spec->n_heads = p->n_heads;
  spec->n_kv_heads = p->n_kv_heads;
  spec->head_dim = p->head_dim;
  spec->seq_len = p->seq_len;
  spec->n_samples = p->n_samples;
  spec->n_queries = n_queries;
  spec->query_positions = queries;
  spec->values_dtype = p->values_dtype;
  /* Attention stays float32 so every row keeps its sum within 1e-6. */
  spec->attention_dtype = HL_DTYPE_FLOAT32;
  spec->gzip_level = p->gzip_level;
  spec->with_token_ids = TRUE;
  spec->with_token_texts = TRUE;
}

gboolean
hl_synth_model_write (const HlSynthModelParams *params,
                      const char               *path,
                      const char               *source,
                      HlSynthProgressFunc       progress,
                      gpointer                  user_data,
                      GCancellable             *cancellable,
                      GError                  **error)
{
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!hl_synth_model_params_validate (params, error))
    return FALSE;

  int last = params->seq_len - 1;
  ModelWriteState st = { params, NULL, params->query_positions, params->n_queries };
  g_autoptr(HlActivationsWriter) writer = NULL;
  g_autofree float *values = NULL, *rows = NULL;
  g_autofree int *content = NULL;
  HlActivationsSpec spec;

  if (st.queries == NULL)
    {
      st.queries = &last;
      st.n_queries = 1;
    }
  fill_spec (params, source, st.queries, st.n_queries, &spec);
  writer = hl_activations_writer_new (path, &spec, error);
  if (writer == NULL)
    return FALSE;
  st.writer = writer;
  st.values = values = g_new (float, (gsize) params->seq_len * params->head_dim);
  st.rows = rows = g_new (float, (gsize) st.n_queries * params->seq_len);
  st.content = content = g_new (int, MAX (params->head.content_size, 1));
  for (int sample = 0; sample < params->n_samples; sample++)
    if (!write_tokens (&st, sample, error))
      return FALSE;
  return write_blocks (&st, progress, user_data, cancellable, error)
         && write_regimes (&st, error)
         && hl_activations_writer_commit (writer, error);
}
