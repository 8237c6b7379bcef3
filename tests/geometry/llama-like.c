/* llama-like.c: the tests' own LLaMA-like heads (see llama-like.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "llama-like.h"

#include <math.h>

static double
gaussian (GRand *rng)
{
  double u = 1.0 - g_rand_double (rng), v = g_rand_double (rng);

  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

static void
unit_gaussian (GRand  *rng,
               double *x,
               int     d)
{
  double norm = 0.0;

  for (int k = 0; k < d; k++)
    {
      x[k] = gaussian (rng);
      norm += x[k] * x[k];
    }
  for (int k = 0; k < d; k++)
    x[k] /= sqrt (norm);
}

/* v_0 = lambda e0; v_i = (1 + 0.04 z_i) normalise(c u + sqrt(1 - c^2) g_i). */
static void
fill_values (LlamaLikeHead *head,
             GRand         *rng)
{
  int n = head->input.n_keys, d = head->input.head_dim;
  g_autofree double *u = g_new (double, d);
  g_autofree double *g = g_new (double, d);
  double lambda = g_rand_double_range (rng, 0.03, 0.1);
  double c = g_rand_double_range (rng, 0.3, 0.6);

  unit_gaussian (rng, u, d);
  unit_gaussian (rng, g, d);
  for (int k = 0; k < d; k++)
    head->values[k] = (float) (lambda * g[k]);
  for (int i = 1; i < n; i++)
    {
      double norm = 0.0, scale = 1.0 + 0.04 * gaussian (rng);

      unit_gaussian (rng, g, d);
      for (int k = 0; k < d; k++)
        {
          g[k] = c * u[k] + sqrt (1.0 - c * c) * g[k];
          norm += g[k] * g[k];
        }
      for (int k = 0; k < d; k++)
        head->values[(gsize) i * d + k] = (float) (scale * g[k] / sqrt (norm));
    }
}

/* The content keys 1..t share 1 - @fixed, as a softmax of noisy logits
 * with a recency bias; key @key gets @mass on top (if @key > 0). */
static void
fill_alpha (LlamaLikeHead *head,
            GRand         *rng,
            double         sink,
            int            key,
            double         mass)
{
  int n = head->input.n_keys, t = n - 1;
  g_autofree double *w = g_new (double, n);
  double sum = 0.0, rest = 1.0 - sink - (key > 0 ? mass : 0.0);

  for (int i = 1; i <= t; i++)
    {
      w[i] = exp (gaussian (rng) + exp (-(t - i) / 8.0));
      sum += w[i];
    }
  head->alpha[0] = (float) sink;
  for (int i = 1; i <= t; i++)
    head->alpha[i] = (float) (rest * w[i] / sum + (i == key ? mass : 0.0));
}

LlamaLikeHead *
llama_like_head_new (LlamaLikePattern pattern,
                     int              n_keys,
                     int              head_dim,
                     guint32          seed)
{
  LlamaLikeHead *head = g_new0 (LlamaLikeHead, 1);
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);

  g_assert (n_keys >= 3);
  head->values = g_new (float, (gsize) n_keys * head_dim);
  head->alpha = g_new (float, n_keys);
  head->input = (HlHeadInput) { n_keys, head_dim, head->values, head->alpha };
  fill_values (head, rng);
  if (pattern == LLAMA_LIKE_SINK)
    fill_alpha (head, rng, g_rand_double_range (rng, 0.9, 0.97), 0, 0.0);
  else
    fill_alpha (head, rng, g_rand_double_range (rng, 0.0, 0.05), n_keys - 2,
                g_rand_double_range (rng, 0.85, 0.95));
  return head;
}

void
llama_like_head_free (LlamaLikeHead *head)
{
  if (head == NULL)
    return;
  g_free (head->values);
  g_free (head->alpha);
  g_free (head);
}
