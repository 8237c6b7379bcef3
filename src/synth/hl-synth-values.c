/* hl-synth-values.c: the value vectors of one synthetic head.
 *
 * Model (docs/synthetic-data.md): a sink direction e0; content directions
 * u_i = s_i e0 + sqrt(1 - s_i^2) w_i with w_i a unit AR(1) process
 * orthogonal to e0 (so cos(v_0, v_i) = s_i exactly, s_i = rho0 + spread
 * z_i, and cos(w_i, w_j) ~ exp(-beta |i - j|));
 * the content-set tokens can be pulled towards a shared direction; norms are
 * norm_mean (1 + cv z_i) with z standardised over i >= 1, so the measured CV
 * and lambda equal the requested ones at the last query.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-synth.h"
#include "hl-synth-private.h"
#include "hl-synth-rng.h"

#include <math.h>
#include <string.h>

static double
dot (const double *a,
     const double *b,
     int           n)
{
  double sum = 0.0;

  for (int k = 0; k < n; k++)
    sum += a[k] * b[k];
  return sum;
}

static void
normalize (double *x,
           int     n)
{
  double norm = sqrt (dot (x, x, n));

  g_assert (norm > 0.0);
  for (int k = 0; k < n; k++)
    x[k] /= norm;
}

/* Removes the component of @x along the unit vector @e. */
static void
project_out (double       *x,
             const double *e,
             int           n)
{
  double c = dot (x, e, n);

  for (int k = 0; k < n; k++)
    x[k] -= c * e[k];
}

/* A Gaussian vector with coordinates of variance 1 / n, orthogonal to @e
 * when @e is not NULL. */
static void
gaussian_vector (HlSynthRng   *rng,
                 const double *e,
                 double       *x,
                 int           n)
{
  double scale = 1.0 / sqrt (n);

  do
    {
      for (int k = 0; k < n; k++)
        x[k] = scale * hl_synth_rng_normal (rng);
      if (e != NULL)
        project_out (x, e, n);
    }
  while (dot (x, x, n) < 1e-12);
}

/* Standard normals truncated to |z| < 3 (so norms stay positive for any CV
 * up to 0.3), then standardised to mean 0 and population std 1. */
static void
standardized_normals (HlSynthRng *rng,
                      double     *z,
                      int         n)
{
  double mean = 0.0, var = 0.0;

  for (int i = 0; i < n; i++)
    {
      do
        z[i] = hl_synth_rng_normal (rng);
      while (fabs (z[i]) >= 3.0);
      mean += z[i];
    }
  mean /= MAX (n, 1);
  for (int i = 0; i < n; i++)
    var += (z[i] - mean) * (z[i] - mean);
  var /= MAX (n, 1);
  for (int i = 0; i < n; i++)
    z[i] = var > 1e-12 ? (z[i] - mean) / sqrt (var) : 0.0;
}

/* The content set is one contiguous span (a phrase): neighbouring values
 * are similar through the decay, so the set is coherent without touching
 * the value statistics. It starts in the first quarter of the sequence so
 * that every query after the first quarter sees at least part of it, and it
 * never reaches the last key (the recency tail's peak). */
static int
content_positions_draw (HlSynthRng *rng,
                        int         n_keys,
                        int         k,
                        int        *out)
{
  int last_start;
  int start;

  k = MIN (k, MAX (n_keys - 2, 0));
  if (k == 0)
    return 0;
  last_start = MAX (1, MIN ((n_keys - k) / 4, n_keys - 1 - k));
  start = 1 + (int) hl_synth_rng_below (rng, last_start);
  for (int j = 0; j < k; j++)
    out[j] = start + j;
  return k;
}

typedef struct
{
  const HlSynthHeadParams *p;
  double                  *e0;       /* the sink direction */
  double                  *c;        /* the content-set direction, orthogonal to e0 */
  double                  *w;        /* the AR(1) state */
  double                  *noise;
  double                  *u;        /* scratch: the current token's direction */
  double                  *z;        /* [n_keys]: standardised norm deviations, z[0] unused */
  double                  *rho;      /* [n_keys]: cos(v_0, v_i), rho[0] unused */
} ValueState;

static void
write_vector (float        *out,
              const double *x,
              double        scale,
              int           n)
{
  for (int k = 0; k < n; k++)
    out[k] = (float) (scale * x[k]);
}

/* Direction of content token i from the AR(1) state: pulled towards the
 * content direction when i is in the set, then combined with the sink
 * direction at the requested similarity. */
static void
content_direction (ValueState *st,
                   int         i,
                   gboolean    in_set)
{
  const HlSynthHeadParams *p = st->p;
  int d = p->head_dim;
  double s = st->rho[i];
  double q = p->content_similarity;

  memcpy (st->u, st->w, sizeof (double) * d);
  normalize (st->u, d);
  if (in_set)
    {
      for (int k = 0; k < d; k++)
        st->u[k] = sqrt (q) * st->c[k] + sqrt (1.0 - q) * st->u[k];
      normalize (st->u, d);
    }
  for (int k = 0; k < d; k++)
    st->u[k] = s * st->e0[k] + sqrt (1.0 - s * s) * st->u[k];
}

static void
generate_content (ValueState *st,
                  HlSynthRng *rng,
                  const int  *content_positions,
                  int         n_content,
                  float      *values)
{
  const HlSynthHeadParams *p = st->p;
  int d = p->head_dim;
  double r = exp (-p->beta);
  double innovation = sqrt (1.0 - r * r);
  int next_content = 0;

  gaussian_vector (rng, st->e0, st->w, d);
  for (int i = 1; i < p->n_keys; i++)
    {
      gboolean in_set = next_content < n_content && content_positions[next_content] == i;

      if (i > 1)
        {
          gaussian_vector (rng, st->e0, st->noise, d);
          for (int k = 0; k < d; k++)
            st->w[k] = r * st->w[k] + innovation * st->noise[k];
        }
      content_direction (st, i, in_set);
      write_vector (values + (gsize) i * d, st->u,
                    p->norm_mean * (1.0 + p->norm_cv * st->z[i]), d);
      next_content += in_set;
    }
}

/* cos(v_0, v_i) = rho0 + spread z_i with z standardised over i >= 1, so
 * its mean is rho0 (unless clipped to +-0.95). */
static void
rho_per_key (const HlSynthHeadParams *p,
             guint64                  seed,
             double                  *rho)
{
  HlSynthRng rng;

  hl_synth_rng_init (&rng, hl_synth_rng_derive_seed (seed, HL_SYNTH_STREAM_RHO0));
  standardized_normals (&rng, rho + 1, p->n_keys - 1);
  for (int i = 1; i < p->n_keys; i++)
    rho[i] = CLAMP (p->sink_similarity + p->rho0_spread * rho[i], -0.95, 0.95);
}

gboolean
hl_synth_generate_values (const HlSynthHeadParams *params,
                          guint64                  seed,
                          float                   *values,
                          int                     *content_positions,
                          int                     *n_content,
                          GError                 **error)
{
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (values != NULL, FALSE);
  g_return_val_if_fail (content_positions != NULL || params->content_size == 0, FALSE);
  g_return_val_if_fail (n_content != NULL, FALSE);

  if (!hl_synth_head_params_validate (params, error))
    return FALSE;

  int d = params->head_dim;
  g_autofree double *buffer = g_new0 (double, 5 * (gsize) d + 2 * (gsize) params->n_keys);
  ValueState st = { params, buffer, buffer + d, buffer + 2 * d, buffer + 3 * d,
                    buffer + 4 * d, buffer + 5 * d, buffer + 5 * d + params->n_keys };
  HlSynthRng rng;

  hl_synth_rng_init (&rng, hl_synth_rng_derive_seed (seed, HL_SYNTH_STREAM_CONTENT));
  *n_content = content_positions_draw (&rng, params->n_keys, params->content_size,
                                       content_positions);
  hl_synth_rng_init (&rng, hl_synth_rng_derive_seed (seed, HL_SYNTH_STREAM_NORMS));
  standardized_normals (&rng, st.z + 1, params->n_keys - 1);
  rho_per_key (params, seed, st.rho);

  hl_synth_rng_init (&rng, hl_synth_rng_derive_seed (seed, HL_SYNTH_STREAM_DIRECTIONS));
  gaussian_vector (&rng, NULL, st.e0, d);
  normalize (st.e0, d);
  gaussian_vector (&rng, st.e0, st.c, d);
  normalize (st.c, d);
  write_vector (values, st.e0, params->sink_lambda * params->norm_mean, d);
  generate_content (&st, &rng, content_positions, *n_content, values);
  return TRUE;
}
