/* test-diagnostics-slow.c: the vectorised diagnostics against a direct
 * implementation of docs/metrics.md in double (one cosine per pair, every
 * sum in index order), on random heads of awkward shapes: a head dimension
 * that is not a multiple of the vector width, fewer keys than lags, zero
 * rows and rows of tiny norm (where the 1e-12 guard of the cosine matters).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-diagnostics.h"
#include "hl-random.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define EPS 1e-12

typedef struct
{
  int    n, d;
  float *values;
  float *alpha;
} Head;

static double
slow_dot (const float *a,
          const float *b,
          int          d)
{
  double sum = 0.0;

  for (int c = 0; c < d; c++)
    sum += (double) a[c] * b[c];
  return sum;
}

static double
slow_cos (const Head *h,
          int         i,
          int         j)
{
  const float *a = h->values + (gsize) i * h->d, *b = h->values + (gsize) j * h->d;

  return slow_dot (a, b, h->d) / (sqrt (slow_dot (a, a, h->d)) * sqrt (slow_dot (b, b, h->d)) + EPS);
}

/* Gaussian-ish rows from sums of uniforms; every seventh row is zero and
 * every eleventh scaled down to a norm near 1e-7, whose cosines the guard
 * shrinks. Attention weights are positive and sum to 1. */
static Head
head_new (int     n,
          int     d,
          guint64 seed)
{
  Head h = { n, d, g_new (float, (gsize) n * d), g_new (float, n) };
  double total = 0.0;
  HlRandom rng;

  hl_random_init (&rng, seed, 0);
  for (int i = 0; i < n; i++)
    {
      double scale = i % 11 == 5 ? 1e-8 : 1.0;

      for (int c = 0; c < d; c++)
        {
          double x = hl_random_double (&rng) + hl_random_double (&rng) - 1.0 + 0.3 * (c % 3);

          h.values[(gsize) i * d + c] = i % 7 == 3 ? 0.0f : (float) (x * scale);
        }
      h.alpha[i] = (float) (0.01 + hl_random_double (&rng));
      total += h.alpha[i];
    }
  for (int i = 0; i < n; i++)
    h.alpha[i] = (float) (h.alpha[i] / total);
  return h;
}

static void
head_clear (Head *h)
{
  g_free (h->values);
  g_free (h->alpha);
}

/* CV, lambda and a_last from norms summed in double, one key at a time. */
static void
check_norm_stats (const Head          *h,
                  const HlDiagnostics *out)
{
  int t = h->n - 1;
  double mean = 0.0, var = 0.0, n_t;

  if (t < 1)
    return;
  for (int i = 1; i <= t; i++)
    mean += sqrt (slow_dot (h->values + (gsize) i * h->d, h->values + (gsize) i * h->d, h->d)) / t;
  for (int i = 1; i <= t; i++)
    {
      double x = sqrt (slow_dot (h->values + (gsize) i * h->d, h->values + (gsize) i * h->d, h->d));

      var += (x - mean) * (x - mean) / t;
    }
  n_t = sqrt (slow_dot (h->values + (gsize) t * h->d, h->values + (gsize) t * h->d, h->d));
  if (mean > 0.0)
    {
      double cv = sqrt (var) / mean;

      g_assert_cmpfloat_with_epsilon (out->norm_cv, cv, 1e-6 * (1.0 + cv));
      g_assert_cmpfloat_with_epsilon (out->sink_ratio,
                                      sqrt (slow_dot (h->values, h->values, h->d)) / mean,
                                      1e-6 * (1.0 + out->sink_ratio));
    }
  g_assert_cmpfloat_with_epsilon (out->a_last, h->alpha[t] * n_t, 1e-6 * (1.0 + h->alpha[t] * n_t));
}

static void
check_head (const Head *h,
            int         n_lags)
{
  HlHeadInput input = { h->n, h->d, h->values, h->alpha };
  int t = h->n - 1, lags = CLAMP (MIN (n_lags, t - 1), 0, 64);
  g_autofree double *rest = g_new0 (double, h->d);
  double rho0 = 0.0, sq = 0.0;
  HlDiagnostics out;

  hl_diagnostics_compute (&input, n_lags, &out);
  g_assert_cmpint (out.n_lags, ==, lags);
  for (int i = 1; i <= t; i++)
    rho0 += slow_cos (h, 0, i);
  if (t >= 1)
    g_assert_cmpfloat_with_epsilon (out.sink_similarity, rho0 / t, 2e-6);
  for (int k = 1; k <= lags; k++)
    {
      double sum = 0.0;

      for (int i = 1; i + k <= t; i++)
        sum += slow_cos (h, i, i + k);
      g_assert_cmpfloat_with_epsilon (out.decay[k - 1], sum / (t - k), 2e-6);
    }
  for (int i = 1; i < t; i++)
    for (int c = 0; c < h->d; c++)
      rest[c] += (double) h->alpha[i] * h->values[(gsize) i * h->d + c];
  for (int c = 0; c < h->d; c++)
    sq += rest[c] * rest[c];
  g_assert_cmpfloat_with_epsilon (out.a_rest, sqrt (sq), 1e-6 * (1.0 + sqrt (sq)));
  g_assert_cmpfloat_with_epsilon (out.a_sink, h->alpha[0] * sqrt (slow_dot (h->values, h->values, h->d)),
                                  1e-6);
  check_norm_stats (h, &out);
  g_assert_true (isfinite (out.beta) && isfinite (out.beta_mae));
}

static void
test_against_slow (void)
{
  static const int shapes[][2] = {
    { 1, 3 }, { 2, 1 }, { 3, 7 }, { 9, 8 }, { 20, 9 }, { 40, 17 }, { 130, 64 }, { 300, 130 }, { 1025, 128 },
  };

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (guint64 seed = 1; seed <= 2; seed++)
      {
        Head h = head_new (shapes[s][0], shapes[s][1], seed * 100 + s);

        check_head (&h, HL_DIAGNOSTICS_DEFAULT_LAGS);
        head_clear (&h);
      }
}

/* Numbers of lags that are not a multiple of the sixteen (AVX-512) or
 * eight partner rows the decay takes at a time, or more than the rows
 * before most keys, and 1..9 components, so that every partial group and
 * every component past the last full chunk of sixteen is summed. */
static void
test_lag_counts (void)
{
  static const int lags[] = { 1, 2, 5, 7, 8, 9, 15, 16, 17, 23, 32, 33, 64 };
  static const int shapes[][2] = {
    { 4, 5 }, { 11, 9 }, { 26, 8 }, { 41, 3 }, { 90, 16 }, { 75, 1 },
  };

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (guint l = 0; l < G_N_ELEMENTS (lags); l++)
      {
        Head h = head_new (shapes[s][0], shapes[s][1], 1000 + 10 * s + l);

        check_head (&h, lags[l]);
        head_clear (&h);
      }
}

/* The values at every float offset from a 64-byte boundary: the row pass
 * copies the rows into aligned chunks, so every offset agrees with the
 * direct implementation and gives the same bits: a head's numbers do not
 * depend on where its values are in memory. */
static void
test_alignments (void)
{
  static const int shapes[][3] = { { 30, 8, 16 }, { 70, 16, 9 }, { 40, 128, 16 }, { 25, 12, 5 } };

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      Head h = head_new (shapes[s][0], shapes[s][1], 2000 + s);
      gsize n_values = (gsize) h.n * h.d;
      float *block = g_aligned_alloc (n_values + 16, sizeof (float), 64);
      HlDiagnostics first;

      for (int offset = 0; offset < 8; offset++)
        {
          Head shifted = h;
          HlHeadInput input = { h.n, h.d, block + offset, h.alpha };
          HlDiagnostics out;

          shifted.values = block + offset;
          memcpy (shifted.values, h.values, n_values * sizeof (float));
          check_head (&shifted, shapes[s][2]);
          hl_diagnostics_compute (&input, shapes[s][2], &out);
          if (offset == 0)
            first = out;
          g_assert_cmpmem (&out, sizeof out, &first, sizeof first);
        }
      g_aligned_free (block);
      head_clear (&h);
    }
}

/* One, two and three keys with 1..9 components: no decay or a single
 * lag, the norms and sums of a row or two. */
static void
test_few_keys (void)
{
  for (int n = 1; n <= 3; n++)
    for (int d = 1; d <= 9; d++)
      {
        Head h = head_new (n, d, 7 * n + d);

        check_head (&h, HL_DIAGNOSTICS_DEFAULT_LAGS);
        head_clear (&h);
      }
}

/* The queries of one values block sharing its summary: for every query
 * position t, with its own attention row, the diagnostics from the summary
 * have the same bits as those computed from the query alone, at two
 * offsets, for K not a multiple of the partner rows, head_dim not a
 * multiple of the vector width, and queries
 * with t - 1 < K (computed without the summary). */
static void
test_shared_summary (void)
{
  static const int shapes[][3] = { { 70, 128, 16 }, { 45, 12, 5 }, { 33, 9, 16 }, { 20, 16, 64 } };

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int offset = 0; offset < 8; offset += 4)
      {
        Head h = head_new (shapes[s][0], shapes[s][1], 3000 + s);
        gsize n_values = (gsize) h.n * h.d;
        float *block = g_aligned_alloc (n_values + 16, sizeof (float), 64);
        g_autoptr(HlValuesSummary) summary = NULL;

        memcpy (block + offset, h.values, n_values * sizeof (float));
        summary = hl_values_summary_new (block + offset, h.n, h.d, shapes[s][2]);
        for (int n_keys = 1; n_keys <= h.n; n_keys++)
          {
            Head query = head_new (n_keys, 1, 4000 + 100 * s + n_keys);
            HlHeadInput input = { n_keys, h.d, block + offset, query.alpha };
            HlDiagnostics alone, shared;

            hl_diagnostics_compute (&input, shapes[s][2], &alone);
            hl_diagnostics_compute_shared (&input, shapes[s][2], summary, &shared);
            if (memcmp (&alone, &shared, sizeof alone) != 0)
              g_error ("shape %u, offset %d, %d keys: the shared diagnostics differ", s, offset,
                       n_keys);
            head_clear (&query);
          }
        g_aligned_free (block);
        head_clear (&h);
      }
}

/* The bytes of the diagnostics of heads of several shapes, numbers of
 * lags and addresses, computed alone and from a values summary, in hex. */
static char *
path_results (void)
{
  static const int shapes[][3] = {
    { 1025, 128, 16 }, { 300, 130, 16 }, { 90, 16, 5 }, { 75, 9, 23 }, { 200, 64, 64 }, { 40, 8, 16 },
  };
  GString *hex = g_string_new (NULL);

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int offset = 0; offset < 8; offset += 3)
      {
        Head h = head_new (shapes[s][0], shapes[s][1], 5000 + s);
        gsize n_values = (gsize) h.n * h.d;
        float *block = g_aligned_alloc (n_values + 16, sizeof (float), 64);
        HlHeadInput input = { h.n, h.d, block + offset, h.alpha };
        HlHeadInput query = { h.n / 2, h.d, block + offset, h.alpha };
        g_autoptr(HlValuesSummary) summary = NULL;
        HlDiagnostics out[2];

        memcpy (block + offset, h.values, n_values * sizeof (float));
        hl_diagnostics_compute (&input, shapes[s][2], &out[0]);
        summary = hl_values_summary_new (block + offset, h.n, h.d, shapes[s][2]);
        hl_diagnostics_compute_shared (&query, shapes[s][2], summary, &out[1]);
        for (gsize b = 0; b < sizeof out; b++)
          g_string_append_printf (hex, "%02x", ((const guint8 *) out)[b]);
        g_string_append_c (hex, '\n');
        g_aligned_free (block);
        head_clear (&h);
      }
  return g_string_free (hex, FALSE);
}

/* The AVX-512 row pass and the portable one (HEADLENS_NO_AVX512, as on a
 * processor without AVX-512) give the same bits: this process computes
 * with the first, a copy of it started with the variable set with the
 * second. */
static void
test_processor_paths (void)
{
  const char *argv[] = { "/proc/self/exe", "--print-path-results", NULL };
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "HEADLENS_NO_AVX512", "1", TRUE);
  g_autofree char *here_text = NULL, *portable_text = NULL;
  g_auto(GStrv) here = NULL, portable = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!__builtin_cpu_supports ("avx512f") || g_getenv ("HEADLENS_NO_AVX512") != NULL)
    {
      g_test_skip ("only the portable row pass runs here");
      return;
    }
  here_text = path_results ();
  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               &portable_text, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  here = g_strsplit (here_text, "\n", -1);
  portable = g_strsplit (portable_text, "\n", -1);
  g_assert_cmpuint (g_strv_length (portable), ==, g_strv_length (here));
  for (guint c = 0; here[c] != NULL; c++)
    if (strcmp (here[c], portable[c]) != 0)
      g_error ("case %u: the AVX-512 and the portable row pass differ", c);
}

/* A head whose keys are all zero: every cosine is 0 by the guard. */
static void
test_zero_rows (void)
{
  g_autofree float *values = g_new0 (float, 50 * 12);
  g_autofree float *alpha = g_new0 (float, 50);
  HlHeadInput input = { 50, 12, values, alpha };
  HlDiagnostics out;

  alpha[0] = 1.0f;
  hl_diagnostics_compute (&input, HL_DIAGNOSTICS_DEFAULT_LAGS, &out);
  g_assert_cmpfloat (out.sink_similarity, ==, 0.0f);
  for (int k = 0; k < out.n_lags; k++)
    g_assert_cmpfloat (out.decay[k], ==, 0.0f);
  g_assert_cmpfloat (out.a_rest, ==, 0.0f);
}

int
main (int    argc,
      char **argv)
{
  if (argc == 2 && strcmp (argv[1], "--print-path-results") == 0)
    {
      g_autofree char *hex = path_results ();

      fputs (hex, stdout);
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/diagnostics/against-slow", test_against_slow);
  g_test_add_func ("/diagnostics/zero-rows", test_zero_rows);
  g_test_add_func ("/diagnostics/lag-counts", test_lag_counts);
  g_test_add_func ("/diagnostics/few-keys", test_few_keys);
  g_test_add_func ("/diagnostics/alignments", test_alignments);
  g_test_add_func ("/diagnostics/shared-summary", test_shared_summary);
  g_test_add_func ("/diagnostics/processor-paths", test_processor_paths);
  return g_test_run ();
}
