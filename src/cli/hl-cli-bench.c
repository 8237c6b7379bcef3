/* hl-cli-bench.c: `headlens-cli bench`, the analysis benchmark of issue 3.
 *
 * Builds a synthetic file (by default paper-scale: 32 layers x 32 heads,
 * head_dim 128, seq_len 1024, 2 samples, float16 values, last query) in a
 * temporary folder, then measures in one run: the time to read every block,
 * the machine's SGEMM peak on a large square GEMM, the default analysis
 * (attention + 16 random repeats, Euclidean, powers of two) and its distance
 * GEMM work, the straightforward reference on a few heads scaled up, and
 * `headlens-cli analyze` on the same file as a new process (end to end).
 * --queries N spreads N query positions over each sample.
 * Prints the ratios against the targets: analysis within 2x of (read time +
 * GEMM work at peak), and at least 20x faster than the reference.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli.h"

#include "hl-analysis.h"
#include "hl-blas.h"
#include "hl-file-hash.h"
#include "hl-synth-model.h"

#include <cblas.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

/* Longer than OpenBLAS's idle threads poll before they sleep. */
#define BLAS_SETTLE_US (500 * 1000)

typedef struct
{
  int      layers;
  int      heads;
  int      head_dim;
  int      seq_len;
  int      samples;
  int      threads;
  int      reference_heads;
  int      peak_size;
  int      runs;
  int      queries;
} BenchOptions;

/* The times of the runs of one measurement: the best is reported, as for
 * the peak and the reference, since on a shared machine a slower run
 * measures the other processes; the median and the worst show how much. */
typedef struct
{
  double best, median, worst;
} RunTimes;

/* One analysis run and the SGEMM peak measured just before it: the speed
 * of this shared machine drifts by a quarter from one minute to the next,
 * so the peak is sampled across the runs rather than once at the start. */
typedef struct
{
  double wall_s, cpu_s, peak;
} AnalysisRun;

static gboolean
parse_options (BenchOptions  *o,
               int           *argc,
               char        ***argv,
               GError       **error)
{
  const GOptionEntry entries[] = {
    { "layers", 0, 0, G_OPTION_ARG_INT, &o->layers, N_("Layers of the synthetic file (32)"), "N" },
    { "heads", 0, 0, G_OPTION_ARG_INT, &o->heads, N_("Heads per layer (32)"), "N" },
    { "head-dim", 0, 0, G_OPTION_ARG_INT, &o->head_dim, N_("Head dimension (128)"), "N" },
    { "seq-len", 0, 0, G_OPTION_ARG_INT, &o->seq_len, N_("Tokens per sample (1024)"), "N" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &o->samples, N_("Samples (2)"), "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o->threads, N_("Analysis worker threads (0: one per core)"), "N" },
    { "reference-heads", 0, 0, G_OPTION_ARG_INT, &o->reference_heads, N_("Heads timed with the slow reference (4)"), "N" },
    { "peak-size", 0, 0, G_OPTION_ARG_INT, &o->peak_size, N_("Size of the square SGEMM that measures the peak (2048)"), "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &o->runs, N_("Runs of the read and of the analysis; the best is reported (3)"), "N" },
    { "queries", 0, 0, G_OPTION_ARG_INT, &o->queries, N_("Query positions, spread evenly up to the last (1: the last only)"), "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hl_cli_context_new ("bench", NULL,
    _("Generates a paper-scale synthetic file, measures the machine’s SGEMM peak and "
      "times the read and the analysis against it."));

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  return hl_cli_check_int ("--layers", o->layers, 1, 1024, error)
         && hl_cli_check_int ("--heads", o->heads, 1, 1024, error)
         && hl_cli_check_int ("--head-dim", o->head_dim, 2, 4096, error)
         && hl_cli_check_int ("--seq-len", o->seq_len, 2, 65536, error)
         && hl_cli_check_int ("--samples", o->samples, 1, 100000, error)
         && hl_cli_check_int ("--threads", o->threads, 0, 4096, error)
         && hl_cli_check_int ("--reference-heads", o->reference_heads, 1, G_MAXINT, error)
         && hl_cli_check_int ("--peak-size", o->peak_size, 64, 65536, error)
         && hl_cli_check_int ("--runs", o->runs, 1, 1000, error)
         && hl_cli_check_int ("--queries", o->queries, 1, o->seq_len, error);
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

/* User + system time of every thread of the process so far, in seconds:
 * unlike the wall time, it hardly changes when other processes share the
 * cores, so runs on a busy machine stay comparable. */
static double
process_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
         + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* The same for the children that have ended and been waited for. */
static double
children_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_CHILDREN, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
         + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static gboolean
write_file (const BenchOptions *o,
            const char         *path,
            GError            **error)
{
  HlSynthModelParams params;
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (int));

  hl_synth_model_params_init (&params);
  params.model = "bench";
  params.n_layers = o->layers;
  params.n_heads = o->heads;
  params.n_kv_heads = o->heads;
  params.head_dim = o->head_dim;
  params.seq_len = o->seq_len;
  params.n_samples = o->samples;
  params.values_dtype = HL_DTYPE_FLOAT16;
  /* Query k of N at position (k + 1) T / N - 1: the last is the last token. */
  for (int q = 0; q < o->queries; q++)
    g_array_append_val (positions, (int) { (int) ((gint64) (q + 1) * o->seq_len / o->queries) - 1 });
  params.n_queries = o->queries;
  params.query_positions = (const int *) positions->data;
  return hl_synth_model_write (&params, path, "headlens-cli bench", NULL, NULL, NULL, error);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static RunTimes
run_times_of (double *seconds,
              int     runs)
{
  qsort (seconds, runs, sizeof (double), compare_doubles);
  return (RunTimes) { seconds[0], seconds[runs / 2], seconds[runs - 1] };
}

/* Reads every values block and every attention block once. */
static gboolean
time_read (HlActivations  *file,
           double         *seconds,
           GError        **error)
{
  const HlActivationsInfo *info = hl_activations_get_info (file);
  g_autofree float *values = g_new (float, (gsize) info->seq_len * info->head_dim);
  g_autofree float *rows = g_new (float, (gsize) info->n_queries * info->seq_len);
  gint64 start = g_get_monotonic_time ();

  for (int l = 0; l < info->n_layers; l++)
    for (int s = 0; s < info->n_samples; s++)
      {
        for (int g = 0; g < info->n_kv_heads; g++)
          if (!hl_activations_read_values (file, l, s, g, values, error))
            return FALSE;
        for (int h = 0; h < info->n_heads; h++)
          if (!hl_activations_read_attention (file, l, s, h, rows, error))
            return FALSE;
      }
  *seconds = seconds_since (start);
  return TRUE;
}

/* GFLOP/s of a square SGEMM with every core: the machine's practical peak. */
static double
measure_peak (int n)
{
  g_autofree float *a = g_new (float, (gsize) n * n);
  g_autofree float *b = g_new (float, (gsize) n * n);
  g_autofree float *c = g_new0 (float, (gsize) n * n);
  double best = 0.0;

  for (gsize i = 0; i < (gsize) n * n; i++)
    a[i] = b[i] = (float) ((i % 17) - 8) / 8.0f;
  openblas_set_num_threads ((int) g_get_num_processors ());
  for (int rep = 0; rep < 3; rep++)
    {
      gint64 start = g_get_monotonic_time ();

      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
      best = MAX (best, 2.0 * n * n * (double) n / seconds_since (start) / 1e9);
    }
  return best;
}

static void
bench_analysis_options (HlAnalysisOptions *options,
                        int                threads)
{
  hl_analysis_options_init (options);
  options->head.rankings = (1u << HL_RANKING_ATTENTION) | (1u << HL_RANKING_RANDOM);
  options->head.distances = 1u << HL_DISTANCE_EUCLIDEAN;
  options->head.grid_kind = HL_GRID_POW2;
  options->head.repeats = 16;
  options->threads = threads;
}

/* The distance GEMM work of the whole analysis, from each head's grid. */
static double
analysis_flops (HlAnalysis *analysis)
{
  const HlAnalysisOptions *options = hl_analysis_get_options (analysis);
  const HlActivationsInfo *info = hl_activations_get_info (hl_analysis_get_file (analysis));
  double flops = 0.0;

  for (guint i = 0; i < hl_analysis_get_n_results (analysis); i++)
    {
      HlHeadResult *r = hl_analysis_get_result (analysis, i);
      HlSeparabilityOptions sep = {
        .grid = r->curves->grid, .n_grid = r->curves->n_grid,
        .rankings = options->head.rankings, .distances = options->head.distances,
        .repeats = options->head.repeats, .seed = r->seed,
      };

      flops += hl_separability_gemm_flops (r->query_position + 1, info->head_dim, &sep);
    }
  return flops;
}

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  hl_cli_progress_update (user_data, done, total);
}

typedef HlCurveSet *(*KernelFunc) (const HlHeadInput *, const HlSeparabilityOptions *);

/* Runs of the reference and of the fast kernel on each timed head. The
 * fast kernel takes about a millisecond a head, so on a shared machine the
 * best of three was often a run that another process interrupted. */
#define REFERENCE_RUNS 3
#define FAST_RUNS 15

/* The fastest of @runs runs of one kernel on one head: the first run of a
 * head pays for page faults and cold caches that the pool's workers, which
 * reuse their memory from head to head, do not. */
static double
best_of_runs (KernelFunc                   kernel,
              const HlHeadInput           *input,
              const HlSeparabilityOptions *sep,
              int                          runs)
{
  double best = G_MAXDOUBLE;

  for (int run = 0; run < runs; run++)
    {
      gint64 start = g_get_monotonic_time ();

      hl_curve_set_free (kernel (input, sep));
      best = MIN (best, seconds_since (start));
    }
  return best;
}

/* Times the straightforward reference and the fast kernel, single-threaded,
 * on the first @n_heads heads (layer 0, sample 0, last query). */
static gboolean
time_reference (HlActivations           *file,
                const HlAnalysisOptions *options,
                int                      n_heads,
                double                  *reference_s,
                double                  *fast_s,
                GError                 **error)
{
  const HlActivationsInfo *info = hl_activations_get_info (file);
  g_autofree float *values = g_new (float, (gsize) info->seq_len * info->head_dim);
  g_autofree float *rows = g_new (float, (gsize) info->n_queries * info->seq_len);
  g_autofree int *grid = g_new (int, info->seq_len);
  int t = info->query_positions[info->n_queries - 1];

  openblas_set_num_threads (1);
  *reference_s = *fast_s = 0.0;
  for (int h = 0; h < MIN (n_heads, info->n_heads); h++)
    {
      HlHeadInput input = { t + 1, info->head_dim, values, rows + (gsize) (info->n_queries - 1) * info->seq_len };
      HlSeparabilityOptions sep = {
        .grid = grid, .n_grid = hl_grid_build (HL_GRID_POW2, NULL, 0, t + 1, grid),
        .rankings = options->head.rankings, .distances = options->head.distances,
        .repeats = options->head.repeats, .seed = 1,
      };

      if (!hl_activations_read_values (file, 0, 0, info->kv_head_of[h], values, error)
          || !hl_activations_read_attention (file, 0, 0, h, rows, error))
        return FALSE;
      *reference_s += best_of_runs (hl_separability_reference, &input, &sep, REFERENCE_RUNS);
      *fast_s += best_of_runs (hl_separability_compute, &input, &sep, FAST_RUNS);
    }
  return TRUE;
}

/* The best, median and worst of one field of the runs. */
static RunTimes
runs_field (const AnalysisRun *runs,
            int                n_runs,
            gsize              offset)
{
  g_autofree double *values = g_new (double, n_runs);

  for (int r = 0; r < n_runs; r++)
    values[r] = G_STRUCT_MEMBER (double, &runs[r], offset);
  return run_times_of (values, n_runs);
}

/* Every figure is the best of its runs (the fastest read and analysis, the
 * highest peak), each run a sample of the undisturbed machine; the ratio
 * of the median runs shows what a disturbed run gives. */
static void
print_report (const BenchOptions *o,
              guint               n_results,
              const RunTimes     *read,
              const AnalysisRun  *runs,
              double              flops,
              double              reference_s,
              double              fast_s)
{
  RunTimes wall = runs_field (runs, o->runs, G_STRUCT_OFFSET (AnalysisRun, wall_s));
  RunTimes cpu = runs_field (runs, o->runs, G_STRUCT_OFFSET (AnalysisRun, cpu_s));
  /* Sorted ascending: the highest peak is the "worst" entry. */
  RunTimes peak = runs_field (runs, o->runs, G_STRUCT_OFFSET (AnalysisRun, peak));
  int timed = MIN (o->reference_heads, o->heads);
  double scale = (double) n_results / timed;
  double ideal_s = read->best + flops / (peak.worst * 1e9);
  double median_ideal_s = read->median + flops / (peak.median * 1e9);

  printf (_("Heads analysed:              %u (%d layers x %d heads x %d samples x %d query positions, seq_len %d, head_dim %d)\n"),
          n_results, o->layers, o->heads, o->samples, o->queries, o->seq_len, o->head_dim);
  printf (_("Read every block:            %.3f s (best of %d runs; median %.3f s)\n"),
          read->best, o->runs, read->median);
  printf (_("SGEMM peak (%d^3, %u threads): %.1f GFLOP/s (best of %d measurements, one before each analysis run; median %.1f)\n"),
          o->peak_size, g_get_num_processors (), peak.worst, o->runs, peak.median);
  printf (_("Analysis wall time:          %.3f s (best of %d runs; median %.3f s, worst %.3f s)\n"),
          wall.best, o->runs, wall.median, wall.worst);
  printf (_("Analysis CPU time:           %.3f s in all threads (least of the runs), %.2f ms a head\n"),
          cpu.best, cpu.best * 1e3 / MAX (n_results, 1));
  printf (_("Distance GEMM work:          %.2f GFLOP, %.1f GFLOP/s over the wall time\n"),
          flops / 1e9, flops / 1e9 / wall.best);
  printf (_("Read + GEMM at peak:         %.3f s; analysis / that = %.2f (target <= 2; median runs %.2f)\n"),
          ideal_s, wall.best / ideal_s, wall.median / median_ideal_s);
  printf (_("Reference on %d heads:        %.3f s, scaled to all heads %.3f s (fast kernel, 1 thread: %.3f s)\n"),
          timed, reference_s, reference_s * scale, fast_s);
  printf (_("Speed-up over the reference: %.1fx wall-clock (target >= 20; median run %.1fx), %.1fx per thread\n"),
          reference_s * scale / wall.best, reference_s * scale / wall.median,
          reference_s / fast_s);
}

/* Which end-to-end runs hashed the file for provenance.json: a file's
 * SHA-256 is cached once the file is a second old (hl-file-hash.h), so
 * the first run hashes this new file and the later ones usually take the
 * hash from the cache. */
typedef struct
{
  double   first_s;        /* the first run's wall time */
  gboolean cached_before;  /* the hash was cached before the first run */
  gboolean cached_after;   /* and after the last */
} EndToEndHash;

/* `headlens-cli analyze` with the bench's options, as a user runs it: a
 * new process that starts, opens the file, analyses it, and writes the
 * CSV files and provenance.json (with the file's SHA-256) into @out. */
static gboolean
time_end_to_end (const BenchOptions  *o,
                 const char          *path,
                 const char          *out,
                 RunTimes            *times,
                 RunTimes            *cpu_times,
                 EndToEndHash        *hash,
                 GError             **error)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", error);
  g_autofree char *threads = g_strdup_printf ("%d", o->threads);
  g_autofree double *seconds = g_new (double, o->runs);
  g_autofree double *cpu_seconds = g_new (double, o->runs);
  const char *argv[] = { self, "analyze", path, "--out", out, "--rankings", "attention,random",
                         "--distances", "euclidean", "--threads", threads, NULL };

  if (self == NULL)
    return FALSE;
  hash->cached_before = hl_file_sha256_is_cached (path);
  for (int r = 0; r < o->runs; r++)
    {
      g_autofree char *err = NULL;
      gint64 start;
      double cpu_start;
      int status;

      g_usleep (BLAS_SETTLE_US);
      cpu_start = children_cpu_seconds ();
      start = g_get_monotonic_time ();
      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                         NULL, &err, &status, error))
        return FALSE;
      seconds[r] = seconds_since (start);
      cpu_seconds[r] = children_cpu_seconds () - cpu_start;
      if (!g_spawn_check_wait_status (status, NULL))
        {
          g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                       _("headlens-cli analyze failed: %s"), err);
          return FALSE;
        }
    }
  hash->first_s = seconds[0];
  hash->cached_after = hl_file_sha256_is_cached (path);
  *times = run_times_of (seconds, o->runs);
  *cpu_times = run_times_of (cpu_seconds, o->runs);
  return TRUE;
}

/* The best of @runs reads of the whole file. */
static gboolean
time_reads (HlActivations  *file,
            int             runs,
            RunTimes       *times,
            GError        **error)
{
  g_autofree double *seconds = g_new (double, runs);

  for (int r = 0; r < runs; r++)
    if (!time_read (file, &seconds[r], error))
      return FALSE;
  *times = run_times_of (seconds, runs);
  return TRUE;
}

/* @runs analyses of the whole file, each after a measurement of the peak,
 * and (from the first) the number of heads and the GEMM work. */
static gboolean
time_analyses (HlActivations           *file,
               const HlAnalysisOptions *options,
               int                      peak_size,
               int                      runs,
               AnalysisRun             *out,
               guint                   *n_results,
               double                  *flops,
               GError                 **error)
{
  g_autoptr(HlCliProgress) progress = hl_cli_progress_new (_("Analysing"));

  for (int r = 0; r < runs; r++)
    {
      g_autoptr(HlAnalysis) analysis = NULL;
      gint64 start;
      double cpu_start;

      /* Then a pause: after its last job each OpenBLAS thread keeps
       * polling (sched_yield) for 0.1-0.2 s before it sleeps, and those
       * threads took a core from the analysis's workers. */
      out[r].peak = measure_peak (peak_size);
      g_usleep (BLAS_SETTLE_US);
      start = g_get_monotonic_time ();
      cpu_start = process_cpu_seconds ();
      analysis = hl_analysis_run (file, options, progress_cb, progress, NULL, error);
      out[r].wall_s = seconds_since (start);
      out[r].cpu_s = process_cpu_seconds () - cpu_start;
      if (analysis == NULL)
        return FALSE;
      if (r == 0)
        {
          *n_results = hl_analysis_get_n_results (analysis);
          *flops = analysis_flops (analysis);
        }
    }
  return TRUE;
}

/* The end-to-end run against the in-process analysis and the one-second
 * target of the paper-scale run; its CPU time, unlike its wall time, hardly
 * changes when other processes share the cores. */
static void
print_end_to_end (const RunTimes    *end_to_end,
                  const EndToEndHash *hash,
                  const RunTimes    *end_to_end_cpu,
                  const AnalysisRun *runs,
                  int                n_runs,
                  const RunTimes    *read,
                  double             flops)
{
  RunTimes wall = runs_field (runs, n_runs, G_STRUCT_OFFSET (AnalysisRun, wall_s));
  RunTimes cpu = runs_field (runs, n_runs, G_STRUCT_OFFSET (AnalysisRun, cpu_s));
  RunTimes peak = runs_field (runs, n_runs, G_STRUCT_OFFSET (AnalysisRun, peak));

  printf (_("End to end:                  %.3f s (headlens-cli analyze in a new process: start, "
            "analysis, CSV files and provenance.json; best of %d runs; median %.3f s) against "
            "%.3f s for the analysis above and %.3f s for read + GEMM at peak\n"),
          end_to_end->best, n_runs, end_to_end->median, wall.best,
          read->best + flops / (peak.worst * 1e9));
  if (hash->cached_before)
    printf (_("First end-to-end run:        %.3f s (no run hashed the file: its SHA-256 was "
              "in the cache)\n"), hash->first_s);
  else if (hash->cached_after)
    printf (_("First end-to-end run:        %.3f s (the one that hashed the file for "
              "provenance.json; the later runs took its SHA-256 from the cache)\n"),
            hash->first_s);
  else
    printf (_("First end-to-end run:        %.3f s (every run hashed the file for "
              "provenance.json: it was too new for its hash to be cached)\n"), hash->first_s);
  printf (_("End to end / analysis:       %.2f wall time, %.2f CPU time (%.3f s of CPU in the "
            "process, least of the runs, against %.3f s); end to end / 1 s = %.2f "
            "(target <= 1 at paper scale)\n"),
          end_to_end->best / wall.best, end_to_end_cpu->best / cpu.best, end_to_end_cpu->best,
          cpu.best, end_to_end->best);
  printf (_("OpenBLAS kernels:            %s\n"), hl_blas_get_core ());
}

static int
run_bench (const BenchOptions *o,
           const char         *path,
           const char         *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) file = NULL;
  g_autofree AnalysisRun *runs = g_new (AnalysisRun, o->runs);
  HlAnalysisOptions options;
  RunTimes read;
  double flops = 0.0, reference_s, fast_s;
  RunTimes end_to_end, end_to_end_cpu;
  EndToEndHash hash;
  guint n_results = 0;
  gint64 start = g_get_monotonic_time ();

  if (!write_file (o, path, &error))
    return hl_cli_fail (error);
  g_printerr (_("Synthetic file written in %.1f s\n"), seconds_since (start));
  if ((file = hl_activations_open (path, &error)) == NULL
      || !time_reads (file, o->runs, &read, &error))
    return hl_cli_fail (error);
  bench_analysis_options (&options, o->threads);
  if (!time_analyses (file, &options, o->peak_size, o->runs, runs, &n_results, &flops, &error)
      || !time_reference (file, &options, o->reference_heads, &reference_s, &fast_s, &error)
      || !time_end_to_end (o, path, out, &end_to_end, &end_to_end_cpu, &hash, &error))
    return hl_cli_fail (error);
  print_report (o, n_results, &read, runs, flops, reference_s, fast_s);
  print_end_to_end (&end_to_end, &hash, &end_to_end_cpu, runs, o->runs, &read, flops);
  return 0;
}

/* What the end-to-end runs wrote. */
static void
remove_outputs (const char *out)
{
  g_autoptr(GDir) dir = g_dir_open (out, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (out, name, NULL);

      g_unlink (path);
    }
  g_rmdir (out);
}

int
hl_cli_bench (int    argc,
              char **argv)
{
  BenchOptions o = { 32, 32, 128, 1024, 2, 0, 4, 2048, 3, 1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  int status;

  if (!parse_options (&o, &argc, &argv, &error))
    {
      g_printerr ("headlens-cli bench: %s\n", error->message);
      return 2;
    }
  if ((dir = g_dir_make_tmp ("headlens-bench-XXXXXX", &error)) == NULL)
    return hl_cli_fail (error);
  path = g_build_filename (dir, "bench.h5", NULL);
  out = g_build_filename (dir, "out", NULL);
  status = run_bench (&o, path, out);
  remove_outputs (out);
  g_unlink (path);
  g_rmdir (dir);
  return status;
}
