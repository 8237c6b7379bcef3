/* hl-model-summary.c: mean curves with bootstrap bands, corr(R_N, rho0) and
 * regime counts per layer over a set of head results.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-model-summary.h"

#include <math.h>
#include <string.h>

/* A small splitmix64 stream of our own so bootstrap intervals never depend on
 * GLib's GRand implementation. */
static guint64
next_random (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static int
random_index (guint64 *state,
              int      n)
{
  /* 53 random bits scaled to [0, n): unbiased enough for n << 2^53. */
  return (int) ((next_random (state) >> 11) * 0x1.0p-53 * n);
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (const double *sorted,
            int           n,
            double        p)
{
  double pos = p * (n - 1);
  int lo = (int) floor (pos);
  int hi = MIN (lo + 1, n - 1);

  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

static double
mean_of (const double *values,
         int           n)
{
  double sum = 0.0;

  for (int i = 0; i < n; i++)
    sum += values[i];
  return sum / n;
}

void
hl_bootstrap_mean_interval (const double *values,
                            int           n,
                            int           replicates,
                            guint64       seed,
                            double       *lo,
                            double       *hi)
{
  g_autofree double *means = NULL;
  guint64 state = seed;

  g_return_if_fail (values != NULL && n >= 1);
  g_return_if_fail (lo != NULL && hi != NULL);

  if (n == 1 || replicates <= 0)
    {
      *lo = *hi = mean_of (values, n);
      return;
    }
  means = g_new (double, replicates);
  for (int b = 0; b < replicates; b++)
    {
      double sum = 0.0;

      for (int i = 0; i < n; i++)
        sum += values[random_index (&state, n)];
      means[b] = sum / n;
    }
  qsort (means, replicates, sizeof (double), compare_doubles);
  *lo = percentile (means, replicates, 0.025);
  *hi = percentile (means, replicates, 0.975);
}

double
hl_pearson (const double *x,
            const double *y,
            int           n)
{
  double mx, my, sxy = 0.0, sxx = 0.0, syy = 0.0;

  g_return_val_if_fail (n == 0 || (x != NULL && y != NULL), NAN);

  if (n < 2)
    return NAN;
  mx = mean_of (x, n);
  my = mean_of (y, n);
  for (int i = 0; i < n; i++)
    {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
  if (sxx <= 0.0 || syy <= 0.0)
    return NAN;
  return CLAMP (sxy / sqrt (sxx * syy), -1.0, 1.0);
}

/* The working state while a summary is built. */
typedef struct
{
  HlHeadResult * const *results;
  guint                 n_results;
  int                   n_samples;
  int                  *sample_of;      /* [n_results] index of the result's sample */
  int                   bootstrap;
  guint64               seed;
} Builder;

static int
grid_index (const HlCurveSet *curves,
            int               n)
{
  int lo = 0, hi = curves->n_grid - 1;

  while (lo <= hi)
    {
      int mid = (lo + hi) / 2;

      if (curves->grid[mid] == n)
        return mid;
      if (curves->grid[mid] < n)
        lo = mid + 1;
      else
        hi = mid - 1;
    }
  return -1;
}

/* The union of every result's grid, increasing. */
static void
build_grid (HlModelSummary       *self,
            HlHeadResult * const *results,
            guint                 n_results)
{
  int max_n = 0, count = 0;
  g_autofree gboolean *seen = NULL;

  for (guint i = 0; i < n_results; i++)
    for (int j = 0; j < results[i]->curves->n_grid; j++)
      max_n = MAX (max_n, results[i]->curves->grid[j]);
  seen = g_new0 (gboolean, max_n + 1);
  for (guint i = 0; i < n_results; i++)
    for (int j = 0; j < results[i]->curves->n_grid; j++)
      seen[results[i]->curves->grid[j]] = TRUE;
  self->grid = g_new (int, max_n + 1);
  for (int n = 1; n <= max_n; n++)
    if (seen[n])
      self->grid[count++] = n;
  self->n_grid = count;
}

/* Maps each result's sample number to a dense index 0..n_samples-1. */
static void
build_samples (Builder *b)
{
  g_autoptr(GHashTable) index = g_hash_table_new (NULL, NULL);

  b->sample_of = g_new (int, MAX (b->n_results, 1));
  for (guint i = 0; i < b->n_results; i++)
    {
      gpointer key = GINT_TO_POINTER (b->results[i]->sample + 1);
      gpointer value;

      if (!g_hash_table_lookup_extended (index, key, NULL, &value))
        {
          value = GINT_TO_POINTER (b->n_samples++);
          g_hash_table_insert (index, key, value);
        }
      b->sample_of[i] = GPOINTER_TO_INT (value);
    }
}

/* Per-sample sums of one (ranking, distance, N). */
typedef struct
{
  double *p, *r, *f;      /* [n_samples] sums */
  int    *count;          /* [n_samples] heads where N is defined */
  double *corr_x, *corr_y;/* [n_results] (R_N, rho0) pairs of the current sample */
} Sums;

static double
sample_corr (const Builder *b,
             HlRanking      ranking,
             HlDistance     distance,
             int            n,
             int            sample,
             Sums          *sums)
{
  int m = 0;

  for (guint i = 0; i < b->n_results; i++)
    {
      const HlCurveSet *curves = b->results[i]->curves;
      int j;

      if (b->sample_of[i] != sample || curves->points[ranking][distance] == NULL)
        continue;
      if ((j = grid_index (curves, n)) < 0)
        continue;
      sums->corr_x[m] = curves->points[ranking][distance][j].recall;
      sums->corr_y[m] = b->results[i]->diagnostics.sink_similarity;
      m++;
    }
  return hl_pearson (sums->corr_x, sums->corr_y, m);
}

static void
accumulate (const Builder *b,
            HlRanking      ranking,
            HlDistance     distance,
            int            n,
            Sums          *sums)
{
  memset (sums->p, 0, sizeof (double) * b->n_samples);
  memset (sums->r, 0, sizeof (double) * b->n_samples);
  memset (sums->f, 0, sizeof (double) * b->n_samples);
  memset (sums->count, 0, sizeof (int) * b->n_samples);
  for (guint i = 0; i < b->n_results; i++)
    {
      const HlCurveSet *curves = b->results[i]->curves;
      int s = b->sample_of[i], j;

      if (curves->points[ranking][distance] == NULL || (j = grid_index (curves, n)) < 0)
        continue;
      sums->p[s] += curves->points[ranking][distance][j].precision;
      sums->r[s] += curves->points[ranking][distance][j].recall;
      sums->f[s] += curves->points[ranking][distance][j].f1;
      sums->count[s]++;
    }
}

/* The mean over samples of the per-sample means in @sums / @count, and its
 * bootstrap band. */
static HlBand
band_over_samples (const Builder *b,
                   const double  *sum,
                   const int     *count)
{
  g_autofree double *means = g_new (double, b->n_samples);
  int m = 0;
  HlBand band;

  for (int s = 0; s < b->n_samples; s++)
    if (count[s] > 0)
      means[m++] = sum[s] / count[s];
  band.mean = mean_of (means, m);
  hl_bootstrap_mean_interval (means, m, b->bootstrap, b->seed, &band.lo, &band.hi);
  return band;
}

static void
summarise_point (const Builder *b,
                 HlRanking      ranking,
                 HlDistance     distance,
                 Sums          *sums,
                 HlModelPoint  *point)
{
  double corr_sum = 0.0;
  int corr_count = 0;

  accumulate (b, ranking, distance, point->n, sums);
  for (int s = 0; s < b->n_samples; s++)
    {
      double c;

      point->n_heads += sums->count[s];
      if (sums->count[s] == 0)
        continue;
      point->n_samples++;
      c = sample_corr (b, ranking, distance, point->n, s, sums);
      if (!isnan (c))
        corr_sum += c, corr_count++;
    }
  point->corr_recall_rho0 = corr_count > 0 ? corr_sum / corr_count : NAN;
  if (point->n_samples == 0)
    return;
  point->precision = band_over_samples (b, sums->p, sums->count);
  point->recall = band_over_samples (b, sums->r, sums->count);
  point->f1 = band_over_samples (b, sums->f, sums->count);
}

static gboolean
was_computed (const Builder *b,
              HlRanking      ranking,
              HlDistance     distance)
{
  for (guint i = 0; i < b->n_results; i++)
    if (b->results[i]->curves->points[ranking][distance] != NULL)
      return TRUE;
  return FALSE;
}

static int
corr_peak (const HlModelPoint *points,
           int                 n_grid)
{
  int best = -1;

  for (int g = 0; g < n_grid; g++)
    if (!isnan (points[g].corr_recall_rho0)
        && (best < 0 || points[g].corr_recall_rho0 > points[best].corr_recall_rho0))
      best = g;
  return best < 0 ? 0 : points[best].n;
}

static void
summarise_curves (HlModelSummary *self,
                  const Builder  *b)
{
  Sums sums = {
    .p = g_new (double, MAX (b->n_samples, 1)),
    .r = g_new (double, MAX (b->n_samples, 1)),
    .f = g_new (double, MAX (b->n_samples, 1)),
    .count = g_new (int, MAX (b->n_samples, 1)),
    .corr_x = g_new (double, MAX (b->n_results, 1)),
    .corr_y = g_new (double, MAX (b->n_results, 1)),
  };

  for (int r = 0; r < HL_N_RANKINGS; r++)
    for (int d = 0; d < HL_N_DISTANCES; d++)
      {
        if (!was_computed (b, r, d))
          continue;
        self->points[r][d] = g_new0 (HlModelPoint, MAX (self->n_grid, 1));
        for (int g = 0; g < self->n_grid; g++)
          {
            self->points[r][d][g].n = self->grid[g];
            summarise_point (b, r, d, &sums, &self->points[r][d][g]);
          }
        self->corr_peak_n[r][d] = corr_peak (self->points[r][d], self->n_grid);
      }
  g_free (sums.p);
  g_free (sums.r);
  g_free (sums.f);
  g_free (sums.count);
  g_free (sums.corr_x);
  g_free (sums.corr_y);
}

/* The three theory quantities of result @i at grid index @j of @ranking. */
static void
theory_values (const HlCurveSet *curves,
               HlRanking         ranking,
               int               j,
               double           *values)
{
  values[0] = curves->residual[ranking][j];
  values[1] = curves->bound[ranking][j];
  values[2] = curves->value_norm_max > 0.0f ? curves->gap[ranking][j] / curves->value_norm_max
                                            : NAN;
}

/* The mean over samples of the per-sample means at N = @n, into @out[3]. */
static void
theory_point (const Builder *b,
              HlRanking      ranking,
              int            n,
              double        *sums,
              int           *counts,
              double        *out)
{
  memset (sums, 0, sizeof (double) * 3 * b->n_samples);
  memset (counts, 0, sizeof (int) * 3 * b->n_samples);
  for (guint i = 0; i < b->n_results; i++)
    {
      const HlCurveSet *curves = b->results[i]->curves;
      double values[3];
      int j;

      if (curves->residual[ranking] == NULL || (j = grid_index (curves, n)) < 0)
        continue;
      theory_values (curves, ranking, j, values);
      for (int q = 0; q < 3; q++)
        if (!isnan (values[q]))
          {
            sums[q * b->n_samples + b->sample_of[i]] += values[q];
            counts[q * b->n_samples + b->sample_of[i]]++;
          }
    }
  for (int q = 0; q < 3; q++)
    {
      double total = 0.0;
      int m = 0;

      for (int s = 0; s < b->n_samples; s++)
        if (counts[q * b->n_samples + s] > 0)
          total += sums[q * b->n_samples + s] / counts[q * b->n_samples + s], m++;
      out[q] = m > 0 ? total / m : NAN;
    }
}

static void
summarise_theory (HlModelSummary *self,
                  const Builder  *b)
{
  g_autofree double *sums = g_new (double, 3 * MAX (b->n_samples, 1));
  g_autofree int *counts = g_new (int, 3 * MAX (b->n_samples, 1));

  for (int r = 0; r < HL_N_RANKINGS; r++)
    {
      gboolean computed = FALSE;

      for (guint i = 0; i < b->n_results && !computed; i++)
        computed = b->results[i]->curves->residual[r] != NULL;
      if (!computed)
        continue;
      self->residual[r] = g_new (double, MAX (self->n_grid, 1));
      self->bound[r] = g_new (double, MAX (self->n_grid, 1));
      self->gap_over_b[r] = g_new (double, MAX (self->n_grid, 1));
      for (int g = 0; g < self->n_grid; g++)
        {
          double out[3];

          theory_point (b, r, self->grid[g], sums, counts, out);
          self->residual[r][g] = out[0];
          self->bound[r][g] = out[1];
          self->gap_over_b[r][g] = out[2];
        }
    }
}

static void
count_regimes (HlModelSummary       *self,
               HlHeadResult * const *results,
               guint                 n_results)
{
  self->regime_counts = g_new0 (int, MAX (self->n_layers, 1) * HL_N_REGIMES);
  for (guint i = 0; i < n_results; i++)
    if (results[i]->layer >= 0 && results[i]->layer < self->n_layers)
      self->regime_counts[results[i]->layer * HL_N_REGIMES + results[i]->regime]++;
}

HlModelSummary *
hl_model_summary_new (HlHeadResult * const *results,
                      guint                 n_results,
                      int                   n_layers,
                      int                   bootstrap,
                      guint64               seed)
{
  HlModelSummary *self;
  Builder b = { results, n_results, 0, NULL, bootstrap, seed };

  g_return_val_if_fail (n_results == 0 || results != NULL, NULL);
  g_return_val_if_fail (n_layers >= 0, NULL);

  self = g_new0 (HlModelSummary, 1);
  self->n_layers = n_layers;
  self->bootstrap = MAX (bootstrap, 0);
  build_grid (self, results, n_results);
  build_samples (&b);
  self->n_samples = b.n_samples;
  summarise_curves (self, &b);
  summarise_theory (self, &b);
  count_regimes (self, results, n_results);
  g_free (b.sample_of);
  return self;
}

void
hl_model_summary_free (HlModelSummary *self)
{
  if (self == NULL)
    return;
  for (int r = 0; r < HL_N_RANKINGS; r++)
    {
      for (int d = 0; d < HL_N_DISTANCES; d++)
        g_free (self->points[r][d]);
      g_free (self->residual[r]);
      g_free (self->bound[r]);
      g_free (self->gap_over_b[r]);
    }
  g_free (self->grid);
  g_free (self->regime_counts);
  g_free (self);
}

int
hl_model_summary_get_regime_count (const HlModelSummary *self,
                                   int                   layer,
                                   HlRegime              regime)
{
  g_return_val_if_fail (self != NULL, 0);

  if (layer < 0 || layer >= self->n_layers || regime >= HL_N_REGIMES)
    return 0;
  return self->regime_counts[layer * HL_N_REGIMES + regime];
}
