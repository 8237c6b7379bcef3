/* hl-causal-text.c: interventions through the forward pass's hooks.
 *
 * The unmodified run stores the residual stream before each layer of each
 * window. A run that changes heads of layers l and above writes the stored
 * stream before layer l back and runs only layers l .. L-1: layers below l
 * would compute exactly what they computed before.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-text.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (hl-causal-error-quark, hl_causal_error)

struct _HlCausalText
{
  HlModel       *model;          /* owned */
  HlTransformer *transformer;    /* owned */
  HlModelConfig  config;
  int            n_windows;
  int            window;
  int32_t       *tokens;         /* owned, [n_windows, window] */
  gboolean       prepared;
  gboolean       prefix_cache;
  double         baseline_nll;
  float         *residuals;      /* owned, [n_windows, n_layers, window, hidden] */
  float         *mean_outputs;   /* owned, [n_layers, q_dim] */
  double        *nll_rows;       /* owned, [window - 1] scratch */
  guint64        layers_run;
};

/* What a hook needs during one measured run. */
typedef struct
{
  HlCausalText         *text;
  const HlIntervention *intervention;
  float                *head_values;  /* [window, head_dim] scratch */
  double               *keys;         /* [window] scratch */
  int                  *order;        /* [window] scratch */
} HookContext;

static const char * const truncate_mode_names[] = { "renormalise", "delete" };
static const char * const ablate_mode_names[] = { "zero", "mean" };

const char *
hl_truncate_mode_to_string (HlTruncateMode mode)
{
  g_return_val_if_fail (mode < HL_N_TRUNCATE_MODES, NULL);
  return truncate_mode_names[mode];
}

const char *
hl_ablate_mode_to_string (HlAblateMode mode)
{
  g_return_val_if_fail (mode < HL_N_ABLATE_MODES, NULL);
  return ablate_mode_names[mode];
}

gboolean
hl_truncate_mode_from_string (const char     *str,
                              HlTruncateMode *out)
{
  for (int m = 0; m < HL_N_TRUNCATE_MODES; m++)
    if (g_strcmp0 (str, truncate_mode_names[m]) == 0)
      {
        *out = (HlTruncateMode) m;
        return TRUE;
      }
  return FALSE;
}

gboolean
hl_ablate_mode_from_string (const char   *str,
                            HlAblateMode *out)
{
  for (int m = 0; m < HL_N_ABLATE_MODES; m++)
    if (g_strcmp0 (str, ablate_mode_names[m]) == 0)
      {
        *out = (HlAblateMode) m;
        return TRUE;
      }
  return FALSE;
}

/* Construction */

static gboolean
check_tokens (const HlModelConfig  *c,
              const int32_t        *tokens,
              int                   n_windows,
              int                   window,
              GError              **error)
{
  if (n_windows < 1 || window < 2)
    {
      g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_TEXT,
                   _("the text has %d tokens, expected at least 2 (a token and the one it predicts)"),
                   n_windows < 1 ? 0 : window);
      return FALSE;
    }
  if (window > c->max_positions)
    {
      g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_TEXT,
                   _("a window of %d tokens is longer than the model's context of %d"),
                   window, c->max_positions);
      return FALSE;
    }
  for (gsize i = 0; i < (gsize) n_windows * window; i++)
    if (tokens[i] < 0 || tokens[i] >= c->vocab_size)
      {
        g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_TEXT,
                     _("token id %d at position %d of window %d is outside the model's vocabulary of %d"),
                     tokens[i], (int) (i % window), (int) (i / window), c->vocab_size);
        return FALSE;
      }
  return TRUE;
}

HlCausalText *
hl_causal_text_new (HlModel        *model,
                    const int32_t  *tokens,
                    int             n_windows,
                    int             window,
                    GError        **error)
{
  HlCausalText *self;
  const HlModelConfig *c;

  g_return_val_if_fail (HL_IS_MODEL (model), NULL);
  g_return_val_if_fail (tokens != NULL || n_windows == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  c = hl_model_get_config (model);
  if (!check_tokens (c, tokens, n_windows, window, error))
    return NULL;
  self = g_new0 (HlCausalText, 1);
  self->model = g_object_ref (model);
  self->config = *c;
  self->n_windows = n_windows;
  self->window = window;
  self->tokens = g_memdup2 (tokens, sizeof (int32_t) * n_windows * window);
  self->prefix_cache = TRUE;
  self->transformer = hl_transformer_new (model, window);
  self->nll_rows = g_new (double, window - 1);
  return self;
}

void
hl_causal_text_free (HlCausalText *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->transformer, hl_transformer_free);
  g_clear_object (&self->model);
  g_free (self->tokens);
  g_free (self->residuals);
  g_free (self->mean_outputs);
  g_free (self->nll_rows);
  g_free (self);
}

HlModel *
hl_causal_text_get_model (HlCausalText *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->model;
}

int
hl_causal_text_get_n_windows (HlCausalText *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_windows;
}

int
hl_causal_text_get_window (HlCausalText *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->window;
}

gint64
hl_causal_text_get_n_scored (HlCausalText *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return (gint64) self->n_windows * (self->window - 1);
}

double
hl_causal_text_get_baseline_nll (HlCausalText *self)
{
  g_return_val_if_fail (self != NULL && self->prepared, 0.0);
  return self->baseline_nll;
}

void
hl_causal_text_set_prefix_cache (HlCausalText *self,
                                 gboolean      enabled)
{
  g_return_if_fail (self != NULL);
  self->prefix_cache = enabled;
}

guint64
hl_causal_text_get_layers_run (HlCausalText *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->layers_run;
}

/* Shared by both runs */

static float *
residual_at (HlCausalText *self,
             int           window,
             int           layer)
{
  gsize size = (gsize) self->window * self->config.hidden_size;

  return self->residuals + ((gsize) window * self->config.n_layers + layer) * size;
}

static const int32_t *
window_tokens (HlCausalText *self,
               int           window)
{
  return self->tokens + (gsize) window * self->window;
}

/* The summed next-token loss of the window just run. */
static double
window_nll_sum (HlCausalText *self,
                int           window)
{
  int rows = self->window - 1;
  double sum = 0.0;

  hl_transformer_nll (self->transformer, 0, rows, window_tokens (self, window) + 1, self->nll_rows);
  for (int t = 0; t < rows; t++)
    sum += self->nll_rows[t];
  return sum;
}

/* The unmodified run */

typedef struct
{
  HlCausalText        *text;
  int                  window;
  double              *output_sums;   /* [n_layers, q_dim] */
  HlCausalCaptureFunc  capture;
  gpointer             user_data;
} PrepareContext;

static gboolean
prepare_layer_cb (const HlLayerCapture  *capture,
                  gpointer               user_data,
                  GError               **error)
{
  PrepareContext *ctx = user_data;
  int q_dim = ctx->text->config.q_dim;
  double *sums = ctx->output_sums + (gsize) capture->layer * q_dim;

  for (int t = 0; t < capture->n_tokens; t++)
    for (int j = 0; j < q_dim; j++)
      sums[j] += capture->head_outputs[(gsize) t * q_dim + j];
  return ctx->capture == NULL || ctx->capture (ctx->window, capture, ctx->user_data, error);
}

static gboolean
prepare_window (HlCausalText    *self,
                PrepareContext  *ctx,
                HlForwardHooks  *hooks,
                double          *nll_sum,
                GError         **error)
{
  gsize size = (gsize) self->window * self->config.hidden_size;

  hl_transformer_begin (self->transformer, window_tokens (self, ctx->window), self->window, 0);
  for (int l = 0; l < self->config.n_layers; l++)
    {
      memcpy (residual_at (self, ctx->window, l), hl_transformer_get_residual (self->transformer),
              sizeof (float) * size);
      if (!hl_transformer_run_layer (self->transformer, l, hooks, error))
        return FALSE;
    }
  hl_transformer_end (self->transformer);
  *nll_sum += window_nll_sum (self, ctx->window);
  return TRUE;
}

static gboolean
check_queries (HlCausalText  *self,
               const int     *query_positions,
               int            n_queries,
               GError       **error)
{
  for (int q = 0; q < n_queries; q++)
    if (query_positions[q] < 0 || query_positions[q] >= self->window)
      {
        g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_OPTIONS,
                     _("query position %d is outside the window of %d tokens (expected 0 to %d)"),
                     query_positions[q], self->window, self->window - 1);
        return FALSE;
      }
  return TRUE;
}

static void
store_mean_outputs (HlCausalText *self,
                    const double *sums)
{
  gsize n = (gsize) self->config.n_layers * self->config.q_dim;
  double positions = (double) self->n_windows * self->window;

  self->mean_outputs = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    self->mean_outputs[i] = (float) (sums[i] / positions);
}

gboolean
hl_causal_text_prepare (HlCausalText         *self,
                        const int            *query_positions,
                        int                   n_queries,
                        HlCausalCaptureFunc   capture,
                        gpointer              user_data,
                        GCancellable         *cancellable,
                        GError              **error)
{
  const HlModelConfig *c;
  g_autofree double *sums = NULL;
  PrepareContext ctx = { self, 0, NULL, capture, user_data };
  HlForwardHooks hooks = { query_positions, n_queries, prepare_layer_cb, NULL, NULL, &ctx };
  double nll_sum = 0.0;

  g_return_val_if_fail (self != NULL && !self->prepared, FALSE);
  g_return_val_if_fail (n_queries == 0 || query_positions != NULL, FALSE);

  if (!check_queries (self, query_positions, n_queries, error))
    return FALSE;
  c = &self->config;
  sums = g_new0 (double, (gsize) c->n_layers * c->q_dim);
  ctx.output_sums = sums;
  self->residuals = g_new (float, (gsize) self->n_windows * c->n_layers * self->window * c->hidden_size);
  for (ctx.window = 0; ctx.window < self->n_windows; ctx.window++)
    if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
        !prepare_window (self, &ctx, &hooks, &nll_sum, error))
      return FALSE;
  store_mean_outputs (self, sums);
  self->baseline_nll = nll_sum / (double) hl_causal_text_get_n_scored (self);
  self->prepared = TRUE;
  return TRUE;
}

/* Hooks of a measured run */

static gboolean
applies (const HookContext *ctx,
         int                layer,
         int                head)
{
  return ctx->intervention->heads[(gsize) layer * ctx->text->config.n_heads + head] != 0;
}

/* TRUE when key @a ranks before key @b: a larger key, ties to the lower
 * index (the rankings of docs/metrics.md). */
static inline gboolean
ranks_before (const double *keys,
              int           a,
              int           b)
{
  return keys[a] > keys[b] || (keys[a] == keys[b] && a < b);
}

/* Reorders @order [n] so that its first @k entries are the @k keys that
 * rank first (in no particular order): a quickselect, linear on average,
 * where sorting every row of every head would dominate a measurement. */
static void
select_top (const double *keys,
            int          *order,
            int           n,
            int           k)
{
  int lo = 0, hi = n - 1;

  while (lo < hi)
    {
      int pivot = order[lo + (hi - lo) / 2], i = lo, j = hi;

      while (i <= j)
        {
          while (ranks_before (keys, order[i], pivot))
            i++;
          while (ranks_before (keys, pivot, order[j]))
            j--;
          if (i <= j)
            {
              int swap = order[i];

              order[i++] = order[j];
              order[j--] = swap;
            }
        }
      if (k - 1 <= j)
        hi = j;
      else if (k - 1 >= i)
        lo = i;
      else
        break;
    }
}

/* ||alpha v|| in double, as the metrics compute ||y_i|| for their
 * contribution ranking (products of the float32 inputs, summed in double). */
static double
contribution (const float *v,
              float        alpha,
              int          head_dim)
{
  double sum = 0.0;

  for (int k = 0; k < head_dim; k++)
    {
      double y = (double) alpha * (double) v[k];

      sum += y * y;
    }
  return sqrt (sum);
}

/* The ranking key of each of the @n_keys keys of @row: alpha_i or
 * ||alpha_i v_i||. */
static void
ranking_keys (const HookContext *ctx,
              const float       *row,
              int                n_keys,
              int                head_dim)
{
  for (int i = 0; i < n_keys; i++)
    ctx->keys[i] = ctx->intervention->ranking == HL_RANKING_ATTENTION
                   ? (double) row[i]
                   : contribution (ctx->head_values + (gsize) i * head_dim, row[i], head_dim);
}

/* The query row @row of @n_keys keys keeps its top N keys of the ranking:
 * the others are set to 0 and, to renormalise, the kept ones divided by
 * their sum. A row that would lose no weight is left exactly as it is. */
static void
truncate_row (const HookContext *ctx,
              float             *row,
              int                n_keys,
              int                head_dim)
{
  const HlIntervention *iv = ctx->intervention;
  gboolean loses = FALSE;
  double kept = 0.0;

  if (iv->n >= n_keys)
    return;
  ranking_keys (ctx, row, n_keys, head_dim);
  for (int i = 0; i < n_keys; i++)
    ctx->order[i] = i;
  select_top (ctx->keys, ctx->order, n_keys, iv->n);
  for (int r = iv->n; r < n_keys && !loses; r++)
    loses = row[ctx->order[r]] != 0.0f;
  if (!loses)
    return;
  for (int r = 0; r < iv->n; r++)
    kept += row[ctx->order[r]];
  for (int r = iv->n; r < n_keys; r++)
    row[ctx->order[r]] = 0.0f;
  if (iv->truncate_mode == HL_TRUNCATE_RENORMALISE)
    for (int r = 0; r < iv->n; r++)
      row[ctx->order[r]] = (float) (row[ctx->order[r]] / kept);
}

static void
truncate_attention_cb (HlAttentionRows *rows,
                       gpointer         user_data)
{
  HookContext *ctx = user_data;
  int d = ctx->text->config.head_dim;

  if (!applies (ctx, rows->layer, rows->head))
    return;
  /* The ranking reads the values of this head as one [keys, head_dim] block. */
  for (int i = 0; i < rows->n_positions; i++)
    memcpy (ctx->head_values + (gsize) i * d, rows->values + (gsize) i * rows->values_stride,
            sizeof (float) * d);
  for (int t = 0; t < rows->n_tokens; t++)
    truncate_row (ctx, rows->weights + (gsize) t * rows->n_positions, rows->pos0 + t + 1, d);
}

static void
ablate_outputs_cb (HlHeadOutputs *outputs,
                   gpointer       user_data)
{
  HookContext *ctx = user_data;
  const HlModelConfig *c = &ctx->text->config;
  const float *means = ctx->text->mean_outputs + (gsize) outputs->layer * c->q_dim;

  for (int h = 0; h < c->n_heads; h++)
    {
      if (!applies (ctx, outputs->layer, h))
        continue;
      for (int t = 0; t < outputs->n_tokens; t++)
        {
          float *out = outputs->outputs + (gsize) t * c->q_dim + h * c->head_dim;

          if (ctx->intervention->ablate_mode == HL_ABLATE_ZERO)
            memset (out, 0, sizeof (float) * c->head_dim);
          else
            memcpy (out, means + h * c->head_dim, sizeof (float) * c->head_dim);
        }
    }
}

/* A measured run */

static gboolean
check_intervention (HlCausalText          *self,
                    const HlIntervention  *iv,
                    GError               **error)
{
  if (iv->kind != HL_INTERVENTION_TRUNCATE)
    return TRUE;
  if (iv->n == 0 && iv->truncate_mode == HL_TRUNCATE_RENORMALISE)
    {
      g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_N,
                   _("N = 0 keeps no key, which renormalise cannot rescale: expected N from 1 to %d (delete accepts 0)"),
                   self->window);
      return FALSE;
    }
  if (iv->n < 0 || iv->n > self->window)
    {
      g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_N,
                   _("N = %d is out of range: expected 0 to %d, the keys the last position of a window sees"),
                   iv->n, self->window);
      return FALSE;
    }
  return TRUE;
}

static int
first_changed_layer (HlCausalText         *self,
                     const HlIntervention *iv)
{
  gsize n = (gsize) self->config.n_layers * self->config.n_heads;

  for (gsize i = 0; i < n; i++)
    if (iv->heads[i] != 0)
      return (int) (i / self->config.n_heads);
  return -1;
}

static gboolean
layer_changed (HlCausalText         *self,
               const HlIntervention *iv,
               int                   layer)
{
  for (int h = 0; h < self->config.n_heads; h++)
    if (iv->heads[(gsize) layer * self->config.n_heads + h] != 0)
      return TRUE;
  return FALSE;
}

static gboolean
run_window (HlCausalText          *self,
            const HlIntervention  *iv,
            int                    window,
            int                    first,
            const HlForwardHooks  *hooks,
            GError               **error)
{
  int start = self->prefix_cache ? first : 0;
  gsize size = (gsize) self->window * self->config.hidden_size;

  hl_transformer_begin (self->transformer, window_tokens (self, window), self->window, 0);
  if (start > 0)
    memcpy (hl_transformer_get_residual (self->transformer), residual_at (self, window, start),
            sizeof (float) * size);
  for (int l = start; l < self->config.n_layers; l++)
    {
      if (!hl_transformer_run_layer (self->transformer, l, layer_changed (self, iv, l) ? hooks : NULL, error))
        return FALSE;
      self->layers_run++;
    }
  hl_transformer_end (self->transformer);
  return TRUE;
}

gboolean
hl_causal_text_measure (HlCausalText          *self,
                        const HlIntervention  *intervention,
                        double                *nll,
                        GCancellable          *cancellable,
                        GError               **error)
{
  g_autofree float *head_values = NULL;
  g_autofree double *keys = NULL;
  g_autofree int *order = NULL;
  HookContext ctx = { self, intervention, NULL, NULL, NULL };
  HlForwardHooks hooks = { NULL, 0, NULL, NULL, NULL, &ctx };
  double sum = 0.0;
  int first;

  g_return_val_if_fail (self != NULL && self->prepared, FALSE);
  g_return_val_if_fail (intervention != NULL && intervention->heads != NULL && nll != NULL, FALSE);
  g_return_val_if_fail (intervention->ranking == HL_RANKING_ATTENTION ||
                        intervention->ranking == HL_RANKING_CONTRIBUTION, FALSE);

  if (!check_intervention (self, intervention, error))
    return FALSE;
  first = first_changed_layer (self, intervention);
  if (first < 0)
    {
      *nll = self->baseline_nll;
      return TRUE;
    }
  if (intervention->kind == HL_INTERVENTION_TRUNCATE)
    {
      ctx.head_values = head_values = g_new (float, (gsize) self->window * self->config.head_dim);
      ctx.keys = keys = g_new (double, self->window);
      ctx.order = order = g_new (int, self->window);
      hooks.attention = truncate_attention_cb;
    }
  else
    hooks.head_outputs = ablate_outputs_cb;
  for (int w = 0; w < self->n_windows; w++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !run_window (self, intervention, w, first, &hooks, error))
        return FALSE;
      sum += window_nll_sum (self, w);
    }
  *nll = sum / (double) hl_causal_text_get_n_scored (self);
  return TRUE;
}
