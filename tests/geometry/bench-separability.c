/* bench-separability.c: the separability kernel alone, single-threaded, on
 * paper-sized heads (issue 3, "Kernel design for speed"). Prints the time
 * per head of the fast path (with a reused workspace, as the analysis pool
 * runs it, and allocating per call), of the straightforward reference, and
 * of the kernel's distance SGEMM alone for the same shape, then the ratios.
 * Every time is the CPU time of the calling thread (OpenBLAS set to one
 * thread runs in it), the minimum over a few repetitions: on a shared
 * machine wall-clock time counts the time other processes hold the core,
 * and the minimum is the least disturbed run.
 *
 * Run with `meson test -C BUILD --benchmark separability-kernel -v`, or
 * directly: bench-separability [--keys N] [--dim D] [--repeats R] [--runs K].
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <cblas.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hl-blas.h"
#include "hl-distance-gemm.h"
#include "hl-separability.h"
#include "hl-synth.h"

#define N_HEADS 3

typedef struct
{
  int n_keys;
  int head_dim;
  int repeats;
  int runs;
  int reference_runs;
  gboolean fast_only;
} BenchOptions;

typedef struct
{
  HlSynthHead          *heads[N_HEADS];
  HlHeadInput           inputs[N_HEADS];
  int                  *grid;
  HlSeparabilityOptions options;
} Bench;

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One head per regime preset, so the attention ranking meets a sink, a
 * recency tail and a flat profile. */
static void
bench_init (Bench              *bench,
            const BenchOptions *o)
{
  for (int h = 0; h < N_HEADS; h++)
    {
      g_autoptr(GError) error = NULL;
      HlSynthHeadParams params;

      hl_synth_head_params_init (&params);
      hl_synth_head_params_init_preset (&params, (HlRegime) (h % HL_N_REGIMES));
      params.n_keys = o->n_keys;
      params.head_dim = o->head_dim;
      params.seed = 1000 + h;
      bench->heads[h] = hl_synth_head_generate (&params, NULL, 0, &error);
      if (bench->heads[h] == NULL)
        g_error ("cannot generate head %d: %s", h, error->message);
      hl_synth_head_get_input (bench->heads[h], 0, &bench->inputs[h]);
    }
  bench->grid = g_new (int, o->n_keys);
  bench->options = (HlSeparabilityOptions) {
    .grid = bench->grid,
    .n_grid = hl_grid_build (HL_GRID_POW2, NULL, 0, bench->inputs[0].n_keys, bench->grid),
    .rankings = (1u << HL_RANKING_ATTENTION) | (1u << HL_RANKING_RANDOM),
    .distances = 1u << HL_DISTANCE_EUCLIDEAN,
    .repeats = o->repeats,
    .seed = 7,
  };
}

static void
bench_clear (Bench *bench)
{
  for (int h = 0; h < N_HEADS; h++)
    hl_synth_head_free (bench->heads[h]);
  g_free (bench->grid);
}

typedef enum
{
  RUN_FAST_WORKSPACE,
  RUN_FAST_ALLOCATING,
  RUN_REFERENCE,
} RunKind;

/* The minimum over @runs of the time to process every head, per head. */
static double
time_kernel (const Bench *bench,
             RunKind      kind,
             int          runs)
{
  g_autoptr(HlSeparabilityWorkspace) workspace = hl_separability_workspace_new ();
  double best = G_MAXDOUBLE;

  for (int r = 0; r < runs; r++)
    {
      double start = now_s ();

      for (int h = 0; h < N_HEADS; h++)
        {
          const HlHeadInput *in = &bench->inputs[h];

          if (kind == RUN_FAST_WORKSPACE)
            hl_curve_set_free (hl_separability_compute_with (workspace, in, &bench->options));
          else if (kind == RUN_FAST_ALLOCATING)
            hl_curve_set_free (hl_separability_compute (in, &bench->options));
          else
            hl_curve_set_free (hl_separability_reference (in, &bench->options));
        }
      best = MIN (best, now_s () - start);
    }
  return best / N_HEADS;
}

/* The distance GEMM of one head alone: G [m x n] = S [m x d] Y^T, with the
 * operands already in float32, by BLAS or (@own) by the kernel's AVX-512
 * GEMM, laying out each panel of values as a head computed alone does. */
static double
time_gemm (const Bench *bench,
           gboolean     own,
           int          runs)
{
  const HlHeadInput *in = &bench->inputs[0];
  int n = in->n_keys, d = in->head_dim;
  int m = (int) (hl_separability_gemm_flops (n, d, &bench->options) / (2.0 * n * d));
  g_autofree float *s = g_new (float, (gsize) m * d);
  int ld = (n + 15) / 16 * 16;
  float *g = g_aligned_alloc ((gsize) m * ld, sizeof (float), 64);
  float *scratch = g_aligned_alloc (hl_values_panels_floats (HL_PANEL_KEYS, d), sizeof (float), 64);
  double best = G_MAXDOUBLE;

  for (gsize k = 0; k < (gsize) m * d; k++)
    s[k] = in->values[k % ((gsize) n * d)];
  for (int r = 0; r < runs; r++)
    {
      double start = now_s ();

      for (int h = 0; h < N_HEADS; h++)
        if (own)
          hl_distance_gemm (s, m, d, NULL, in->values, scratch, n, g, ld);
        else
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, m, n, d, 1.0f,
                       s, d, in->values, d, 0.0f, g, ld);
      best = MIN (best, now_s () - start);
    }
  g_aligned_free (g);
  g_aligned_free (scratch);
  return best / N_HEADS;
}

/* How many (head, grid point) rows of the fast path have P and R identical
 * to the reference's: a sanity check that the timed code is the exact one. */
static void
check_agreement (const Bench *bench,
                 int         *same,
                 int         *rows)
{
  *same = *rows = 0;
  for (int h = 0; h < N_HEADS; h++)
    {
      g_autoptr(HlCurveSet) fast = hl_separability_compute (&bench->inputs[h], &bench->options);
      g_autoptr(HlCurveSet) ref = hl_separability_reference (&bench->inputs[h], &bench->options);

      for (int r = 0; r < HL_N_RANKINGS; r++)
        for (int g = 0; fast->points[r][HL_DISTANCE_EUCLIDEAN] != NULL && g < fast->n_grid; g++)
          {
            const HlSeparabilityPoint *a = &fast->points[r][HL_DISTANCE_EUCLIDEAN][g];
            const HlSeparabilityPoint *b = &ref->points[r][HL_DISTANCE_EUCLIDEAN][g];

            *same += a->precision == b->precision && a->recall == b->recall;
            (*rows)++;
          }
    }
}

static void
bench_run (const BenchOptions *o)
{
  Bench bench;
  double fast_ws, fast_alloc, reference, gemm, own_gemm = 0.0, flops;
  int same, rows;

  bench_init (&bench, o);
  openblas_set_num_threads (1);
  flops = hl_separability_gemm_flops (bench.inputs[0].n_keys, o->head_dim, &bench.options);
  /* Warm up the allocator, the caches and OpenBLAS's buffers. */
  time_kernel (&bench, RUN_FAST_WORKSPACE, 1);
  fast_ws = time_kernel (&bench, RUN_FAST_WORKSPACE, o->runs);
  if (o->fast_only)
    {
      printf ("fast path, reused workspace: %.3f ms/head\n", fast_ws * 1e3);
      bench_clear (&bench);
      return;
    }
  fast_alloc = time_kernel (&bench, RUN_FAST_ALLOCATING, o->runs);
  gemm = time_gemm (&bench, FALSE, o->runs);
  if (hl_cpu_has_avx512 ())
    own_gemm = time_gemm (&bench, TRUE, o->runs);
  reference = time_kernel (&bench, RUN_REFERENCE, o->reference_runs);
  check_agreement (&bench, &same, &rows);

  printf ("Separability kernel, 1 thread, CPU time: %d heads of %d keys, head_dim %d, "
          "attention + %d random repeats, Euclidean, %d grid points (%d centres)\n",
          N_HEADS, bench.inputs[0].n_keys, o->head_dim, o->repeats, bench.options.n_grid,
          (int) (flops / (2.0 * bench.inputs[0].n_keys * o->head_dim)));
  printf ("  fast path, reused workspace: %8.3f ms/head\n", fast_ws * 1e3);
  printf ("  fast path, allocating:       %8.3f ms/head\n", fast_alloc * 1e3);
  printf ("  SGEMM alone, same shape:     %8.3f ms/head (%.1f GFLOP/s)\n",
          gemm * 1e3, flops / gemm * 1e-9);
  if (own_gemm > 0.0)
    printf ("  AVX-512 GEMM, same shape:     %8.3f ms/head (%.1f GFLOP/s, %.2fx SGEMM's time)\n",
            own_gemm * 1e3, flops / own_gemm * 1e-9, own_gemm / gemm);
  printf ("  reference:                   %8.3f ms/head\n", reference * 1e3);
  printf ("  reference / fast:            %8.1fx (target >= 20)\n", reference / fast_ws);
  printf ("  fast / SGEMM alone:          %8.2fx\n", fast_ws / gemm);
  printf ("  P and R identical to the reference on %d of %d rows\n", same, rows);
  bench_clear (&bench);
}

int
main (int   argc,
      char *argv[])
{
  BenchOptions o = { 1024, 128, 16, 20, 3, FALSE };
  GOptionEntry entries[] = {
    { "keys", 0, 0, G_OPTION_ARG_INT, &o.n_keys, "Visible keys per head (default 1024)", "N" },
    { "dim", 0, 0, G_OPTION_ARG_INT, &o.head_dim, "Head dimension (default 128)", "D" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &o.repeats, "Random repeats (default 16)", "R" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &o.runs, "Repetitions of the fast timings (default 20)", "K" },
    { "reference-runs", 0, 0, G_OPTION_ARG_INT, &o.reference_runs,
      "Repetitions of the reference timing (default 3)", "K" },
    { "fast-only", 0, 0, G_OPTION_ARG_NONE, &o.fast_only,
      "Only time the fast path (for profilers)", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- time the separability kernel");
  g_autoptr(GError) error = NULL;

  /* OpenBLAS's own kernels for this processor, on one thread, as
   * `headlens-cli analyze` runs it. */
  hl_blas_choose_kernels (argv, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (o.n_keys < 2 || o.head_dim < 2 || o.repeats < 1 || o.runs < 1 || o.reference_runs < 1)
    {
      fprintf (stderr, "expected --keys >= 2, --dim >= 2 and positive --repeats and --runs\n");
      return EXIT_FAILURE;
    }
  bench_run (&o);
  return EXIT_SUCCESS;
}
