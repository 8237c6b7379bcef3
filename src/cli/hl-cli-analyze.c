/* hl-cli-analyze.c: `headlens-cli analyze FILE... --out DIR`, the analysis
 * of a file, or of several as one corpus, written as tidy CSV (curves.csv,
 * heads.csv, model.csv, assumptions.csv, documents.csv for a corpus) with
 * provenance.json beside them.
 *
 * Exit status: 0 on success, 1 when the file cannot be read or the output
 * cannot be written, 2 for a bad command line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli.h"

#include "hl-analysis.h"
#include "hl-cli-mpi.h"
#include "hl-file-hash.h"
#include "hl-length-sweep.h"
#include "hl-metrics-csv.h"
#include "hl-planted.h"

#include <glib/gi18n.h>
#include <stdio.h>

#define HL_CLI_ANALYZE_ERROR (hl_cli_analyze_error_quark ())
GQuark hl_cli_analyze_error_quark (void);
G_DEFINE_QUARK (hl-cli-analyze-error-quark, hl_cli_analyze_error)

typedef enum
{
  HL_CLI_ANALYZE_ERROR_OPTION,
} HlCliAnalyzeError;

/* The parsed command line; strings and arrays are owned. */
typedef struct
{
  char   *out;
  char   *rankings;
  char   *distances;
  char   *grid;
  char   *layers;
  char   *heads;
  char   *samples;
  char   *window;
  int     repeats;
  gint64  seed;
  int     bootstrap;
  int     threads;
  gboolean allow_external;
  GArray *grid_list;
  GArray *layer_list;
  GArray *head_list;
  GArray *sample_list;
  GArray *window_list;      /* NULL for --window all */
  HlRegimeThresholds thresholds;
  HlAssumptionThresholds assumptions;
} AnalyzeOptions;

static void
analyze_options_clear (AnalyzeOptions *o)
{
  g_clear_pointer (&o->out, g_free);
  g_clear_pointer (&o->rankings, g_free);
  g_clear_pointer (&o->distances, g_free);
  g_clear_pointer (&o->grid, g_free);
  g_clear_pointer (&o->layers, g_free);
  g_clear_pointer (&o->heads, g_free);
  g_clear_pointer (&o->samples, g_free);
  g_clear_pointer (&o->sample_list, g_array_unref);
  g_clear_pointer (&o->grid_list, g_array_unref);
  g_clear_pointer (&o->layer_list, g_array_unref);
  g_clear_pointer (&o->head_list, g_array_unref);
  g_clear_pointer (&o->window, g_free);
  g_clear_pointer (&o->window_list, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AnalyzeOptions, analyze_options_clear)

static GOptionContext *
make_context (AnalyzeOptions *o)
{
  const GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out, N_("Write the CSV files into DIR (required)"), N_("DIR") },
    { "rankings", 0, 0, G_OPTION_ARG_STRING, &o->rankings, N_("Comma-separated rankings: attention, contribution, random (all)"), N_("LIST") },
    { "distances", 0, 0, G_OPTION_ARG_STRING, &o->distances, N_("Comma-separated distances: euclidean, cosine (both)"), N_("LIST") },
    { "grid", 0, 0, G_OPTION_ARG_STRING, &o->grid, N_("N values: pow2, all, or a comma-separated list (pow2)"), N_("GRID") },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &o->repeats, N_("Random permutations of the random ranking (16)"), "R" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed, N_("Seed of the random ranking and the bootstrap (0)"), N_("SEED") },
    { "bootstrap", 0, 0, G_OPTION_ARG_INT, &o->bootstrap, N_("Bootstrap replicates of the model-level bands (2000)"), "B" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o->threads, N_("Worker threads (0: one per core)"), "N" },
    { "layers", 0, 0, G_OPTION_ARG_STRING, &o->layers, N_("Layers to analyse, e.g. 0,2,5-7 (all)"), N_("LIST") },
    { "heads", 0, 0, G_OPTION_ARG_STRING, &o->heads, N_("Query heads to analyse, e.g. 0-3 (all)"), N_("LIST") },
    { "samples", 0, 0, G_OPTION_ARG_STRING, &o->samples, N_("Samples (documents) to analyse, numbered across the files of a corpus, e.g. 0-99 (all)"), N_("LIST") },
    HL_CLI_ALLOW_EXTERNAL_ENTRY (&o->allow_external),
    { "window", 0, 0, G_OPTION_ARG_STRING, &o->window, N_("Length sweep: window lengths L, e.g. 128,512,1024 (the queries at L - 1), or all; writes sweep.csv and prints Delta/B at N = 1 per L"), N_("LIST") },
    { NULL }
  };
  GOptionContext *context = hl_cli_context_new ("analyze", _("FILE…"),
    _("Analyses every head of an activation file, writes curves.csv, heads.csv, model.csv, "
      "assumptions.csv, provenance.json and, for a file with tokens, tokens.csv into DIR, "
      "and prints whether the paper's "
      "taxonomy applies. Several files, a folder of .h5 files or a list file (one path a "
      "line) are analysed as one corpus: every sample of every file is a document, "
      "numbered in the order of the files, and documents.csv says which file each "
      "came from."));
  GOptionEntry thresholds[HL_REGIME_N_THRESHOLDS + HL_ASSUMPTION_N_THRESHOLDS + 1] = { { NULL } };

  /* One option per threshold of the regime rule and of the taxonomy
   * checks, named like its GSettings key. */
  hl_cli_add_threshold_entries (&o->thresholds, thresholds);
  for (int i = 0; i < HL_ASSUMPTION_N_THRESHOLDS; i++)
    {
      const HlAssumptionThresholdInfo *info = &hl_assumption_threshold_infos ()[i];

      thresholds[HL_REGIME_N_THRESHOLDS + i] = (GOptionEntry) {
        info->name, 0, 0, G_OPTION_ARG_DOUBLE,
        &G_STRUCT_MEMBER (double, &o->assumptions, info->offset), info->description, "X" };
    }
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, thresholds, GETTEXT_PACKAGE);
  return context;
}

static gboolean
option_error (GError     **error,
              const char  *format,
              ...) G_GNUC_PRINTF (2, 3);

static gboolean
option_error (GError     **error,
              const char  *format,
              ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (HL_CLI_ANALYZE_ERROR,
                                                HL_CLI_ANALYZE_ERROR_OPTION, format, args));
  va_end (args);
  return FALSE;
}

/* Parses "0,2,5-7" into non-negative integers. */
static GArray *
parse_int_list (const char  *option,
                const char  *text,
                GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (int));

  for (int i = 0; parts[i] != NULL; i++)
    {
      g_auto(GStrv) range = g_strsplit (g_strstrip (parts[i]), "-", 2);
      guint64 lo, hi;

      if (!g_ascii_string_to_unsigned (range[0], 10, 0, G_MAXINT, &lo, NULL)
          || !g_ascii_string_to_unsigned (range[1] ? range[1] : range[0], 10, lo, G_MAXINT, &hi, NULL)
          || hi - lo > 1000000)
        {
          option_error (error, _("%s: “%s” is not a number or a range like 2-5"), option, parts[i]);
          return NULL;
        }
      for (guint64 v = lo; v <= hi; v++)
        g_array_append_val (list, (int) { v });
    }
  return g_steal_pointer (&list);
}

static gboolean
ranking_from_string (const char *str,
                     int        *out)
{
  HlRanking r;

  if (!hl_ranking_from_string (str, &r))
    return FALSE;
  *out = r;
  return TRUE;
}

static gboolean
distance_from_string (const char *str,
                      int        *out)
{
  HlDistance d;

  if (!hl_distance_from_string (str, &d))
    return FALSE;
  *out = d;
  return TRUE;
}

static gboolean
parse_grid (AnalyzeOptions    *o,
            HlAnalysisOptions *options,
            GError           **error)
{
  if (o->grid == NULL || g_str_equal (o->grid, "pow2"))
    options->head.grid_kind = HL_GRID_POW2;
  else if (g_str_equal (o->grid, "all"))
    options->head.grid_kind = HL_GRID_ALL;
  else
    {
      if ((o->grid_list = parse_int_list ("--grid", o->grid, error)) == NULL)
        return FALSE;
      options->head.grid_kind = HL_GRID_LIST;
      options->head.grid_list = (const int *) o->grid_list->data;
      options->head.n_grid_list = o->grid_list->len;
    }
  return TRUE;
}

static gboolean
parse_subsets (AnalyzeOptions    *o,
               HlAnalysisOptions *options,
               GError           **error)
{
  if (o->layers != NULL)
    {
      if ((o->layer_list = parse_int_list ("--layers", o->layers, error)) == NULL)
        return FALSE;
      options->layers = (const int *) o->layer_list->data;
      options->n_layers = o->layer_list->len;
    }
  if (o->heads != NULL)
    {
      if ((o->head_list = parse_int_list ("--heads", o->heads, error)) == NULL)
        return FALSE;
      options->heads = (const int *) o->head_list->data;
      options->n_heads = o->head_list->len;
    }
  if (o->samples != NULL)
    {
      if ((o->sample_list = parse_int_list ("--samples", o->samples, error)) == NULL)
        return FALSE;
      options->samples = (const int *) o->sample_list->data;
      options->n_samples = o->sample_list->len;
    }
  return TRUE;
}

static gboolean
parse_window (AnalyzeOptions    *o,
              HlAnalysisOptions *options,
              GError           **error)
{
  if (o->window == NULL || g_str_equal (o->window, "all"))
    return TRUE;
  if ((o->window_list = parse_int_list ("--window", o->window, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < o->window_list->len; i++)
    if (g_array_index (o->window_list, int, i) < 2)
      return option_error (error, _("--window: a window has at least 2 tokens, not %d"),
                           g_array_index (o->window_list, int, i));
  /* Only the queries the sweep reads are analysed. */
  options->windows = (const int *) o->window_list->data;
  options->n_windows = o->window_list->len;
  return TRUE;
}

/* Turns the command line into analysis options. */
static gboolean
build_options (AnalyzeOptions    *o,
               HlAnalysisOptions *options,
               GError           **error)
{
  hl_analysis_options_init (options);
  if (o->out == NULL)
    return option_error (error, _("--out DIR is required"));
  if (o->repeats < 1 || o->bootstrap < 0 || o->threads < 0 || o->seed < 0)
    return option_error (error, _("--repeats must be at least 1; --bootstrap, --threads and --seed cannot be negative"));
  options->head.repeats = o->repeats;
  options->head.seed = (guint64) o->seed;
  options->bootstrap = o->bootstrap;
  options->threads = o->threads;
  options->head.thresholds = o->thresholds;
  options->assumptions = o->assumptions;
  if (!hl_regime_thresholds_validate (&o->thresholds, error)
      || !hl_assumption_thresholds_validate (&o->assumptions, error))
    return FALSE;
  if (o->rankings != NULL
      && !hl_cli_parse_names ("--rankings", o->rankings, ranking_from_string, &options->head.rankings,
                              HL_CLI_ANALYZE_ERROR, HL_CLI_ANALYZE_ERROR_OPTION, error))
    return FALSE;
  if (o->distances != NULL
      && !hl_cli_parse_names ("--distances", o->distances, distance_from_string, &options->head.distances,
                              HL_CLI_ANALYZE_ERROR, HL_CLI_ANALYZE_ERROR_OPTION, error))
    return FALSE;
  return parse_grid (o, options, error) && parse_subsets (o, options, error)
         && parse_window (o, options, error);
}

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  hl_cli_progress_update (user_data, done, total);
}

/* The CSV files, and sweep.csv when @sweep is not NULL, as one set. */
static gboolean
write_outputs (HlAnalysis          *analysis,
               const char          *out,
               const HlLengthSweep *sweep,
               GError             **error)
{
  g_autoptr(HlOutputSet) set = hl_output_set_new (out, HL_OUTPUT_SET_CREATE_FOLDER, error);
  g_autofree char *csv = NULL;

  if (set == NULL || !hl_metrics_csv_add_to_set (analysis, set, error))
    return FALSE;
  if (sweep != NULL)
    {
      csv = hl_length_sweep_csv (sweep);
      if (!hl_output_set_add_contents (set, "sweep.csv", csv, -1, error))
        return FALSE;
    }
  return hl_output_set_commit (set, error);
}

static HlLengthSweep *
make_sweep (HlAnalysis            *analysis,
            const AnalyzeOptions  *o,
            GError               **error)
{
  g_autofree HlHeadResult **results = NULL;
  guint n = hl_analysis_get_n_results (analysis);

  results = g_new (HlHeadResult *, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    results[i] = hl_analysis_get_result (analysis, i);
  return hl_length_sweep_new (results, n,
                              o->window_list != NULL ? (const int *) o->window_list->data : NULL,
                              o->window_list != NULL ? (int) o->window_list->len : 0, error);
}

/* What the reader noticed but did not refuse (row sums a little off 1,
 * a corpus mixing models), on stderr so the CSV-minded stdout stays
 * the verdict. */
static void
print_warnings (HlActivations *file)
{
  GPtrArray *warnings = hl_activations_get_warnings (file);

  for (guint i = 0; i < MIN (warnings->len, 5); i++)
    g_printerr (_("headlens-cli analyze: warning: %s\n"), (const char *) warnings->pdata[i]);
  if (warnings->len > 5)
    g_printerr (_("headlens-cli analyze: %u more warnings\n"), warnings->len - 5);
}

/* A synthetic file's regimes were planted by its generator: say so, with
 * how often the rule names the planted pattern. */
static void
print_planted (HlAnalysis *analysis)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  HlPlanted planted;

  if (hl_planted_compare (analysis, &planted, &error))
    {
      line = hl_planted_describe (&planted);
      g_print ("%s\n", line);
    }
  else if (error != NULL)
    g_printerr (_("headlens-cli analyze: warning: %s\n"), error->message);
}

/* The files, the sweep's lines and the verdict of a finished analysis. */
static int
finish (HlAnalysis           *analysis,
        HlActivations        *file,
        const AnalyzeOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlLengthSweep) sweep = NULL;
  g_autofree char *verdict = NULL;
  g_autofree char *lines = NULL;

  if (o->window != NULL && (sweep = make_sweep (analysis, o, &error)) == NULL)
    return hl_cli_fail (error);
  if (!write_outputs (analysis, o->out, sweep, &error))
    return hl_cli_fail (error);
  print_warnings (file);
  verdict = hl_assumptions_describe (hl_analysis_get_assumptions (analysis));
  g_print ("%s\n", verdict);
  print_planted (analysis);
  if (sweep != NULL)
    {
      lines = hl_length_sweep_describe (sweep);
      g_print ("%s", lines);
    }
  return 0;
}

/* provenance.json records the SHA-256 of every input file: hashed from
 * the start, beside the analysis, it is ready when the files are written. */
static void
start_hashing (HlActivations *file)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  for (int i = 0; i < hl_activations_get_n_files (file); i++)
    g_ptr_array_add (paths, (gpointer) hl_activations_get_path (hl_activations_get_file (file, i)));
  g_ptr_array_add (paths, NULL);
  hl_file_sha256_start ((const char * const *) paths->pdata);
}

/* MPI ranks ----------------------------------------------------------------- */

/* This rank's documents: its contiguous share of the samples asked for. */
static GArray *
rank_samples (const HlActivationsInfo *info,
              const HlAnalysisOptions *options)
{
  int n = options->samples != NULL ? options->n_samples : info->n_samples;
  GArray *share = g_array_new (FALSE, FALSE, sizeof (int));
  int first, count;

  hl_cli_mpi_share (n, hl_cli_mpi_rank (), hl_cli_mpi_size (), &first, &count);
  for (int i = first; i < first + count; i++)
    g_array_append_val (share, (int) { options->samples != NULL ? options->samples[i] : i });
  return share;
}

/* Analyses this rank's share with the threaded engine; the results as
 * bytes, none for a rank without documents. */
static GBytes *
analyse_share (HlActivations           *file,
               const HlAnalysisOptions *options,
               GError                 **error)
{
  g_autoptr(GArray) share = rank_samples (hl_activations_get_info (file), options);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(HlCliProgress) progress = NULL;
  HlAnalysisOptions own = *options;

  if (share->len == 0)
    return g_bytes_new (NULL, 0);
  own.samples = (const int *) share->data;
  own.n_samples = share->len;
  /* The ranks on one machine share its cores. */
  if (own.threads == 0)
    own.threads = MAX (1, (int) g_get_num_processors () / hl_cli_mpi_local_size ());
  if (hl_cli_mpi_rank () == 0)
    progress = hl_cli_progress_new (_("Analysing (this rank's documents)"));
  analysis = hl_analysis_run (file, &own, progress != NULL ? progress_cb : NULL, progress,
                              NULL, error);
  if (analysis == NULL)
    return NULL;
  for (guint i = 0; i < hl_analysis_get_n_results (analysis); i++)
    hl_head_result_encode (hl_analysis_get_result (analysis, i), bytes);
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

/* Rank 0: the analysis of every document from every rank's results. */
static HlAnalysis *
merge_ranks (HlActivations           *file,
             const HlAnalysisOptions *options,
             GPtrArray               *payloads,
             GError                 **error)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) hl_head_result_unref);

  for (guint r = 0; r < payloads->len; r++)
    {
      gsize length;
      const guint8 *at = g_bytes_get_data (payloads->pdata[r], &length);
      const guint8 *end = at + length;

      while (at != NULL && at < end)
        {
          HlHeadResult *result = hl_head_result_decode (&at, end, error);

          if (result == NULL)
            return NULL;
          g_ptr_array_add (results, result);
        }
    }
  return hl_analysis_new_from_results (file, options, (HlHeadResult * const *) results->pdata,
                                       results->len, error);
}

/* Every rank analyses its documents and sends the results to rank 0,
 * which writes the files: the same bytes as one process would. A rank
 * that fails (it cannot open a file, a block is damaged) fails the run,
 * and rank 0 says which rank and why; nothing is written then. */
static int
run_on_ranks (HlActivations           *file,
              const GError            *open_error,
              const AnalyzeOptions    *o,
              const HlAnalysisOptions *options)
{
  g_autoptr(GError) failure = open_error != NULL ? g_error_copy (open_error) : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GPtrArray) payloads = NULL;
  g_autoptr(HlAnalysis) analysis = NULL;

  if (failure == NULL && hl_cli_mpi_rank () == 0)
    start_hashing (file);
  if (failure == NULL)
    payload = analyse_share (file, options, &failure);
  if (!hl_cli_mpi_gather (payload, failure, &payloads, &error))
    return hl_cli_fail (error);
  if (hl_cli_mpi_rank () != 0)
    return 0;
  g_clear_pointer (&payload, g_bytes_unref);
  if ((analysis = merge_ranks (file, options, payloads, &error)) == NULL)
    return hl_cli_fail (error);
  g_clear_pointer (&payloads, g_ptr_array_unref);
  return finish (analysis, file, o);
}

static int
run_analysis (const char * const      *paths,
              int                      n_paths,
              const AnalyzeOptions    *o,
              const HlAnalysisOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) file = hl_activations_open_corpus (
    paths, n_paths,
    o->allow_external ? HL_ACTIVATIONS_OPEN_ALLOW_EXTERNAL : HL_ACTIVATIONS_OPEN_DEFAULT, &error);
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(HlCliProgress) progress = NULL;

  if (hl_cli_mpi_size () > 1)
    return run_on_ranks (file, error, o, options);
  if (file == NULL)
    return hl_cli_fail (error);
  start_hashing (file);
  progress = hl_cli_progress_new (_("Analysing"));
  analysis = hl_analysis_run (file, options, progress_cb, progress, NULL, &error);
  if (analysis == NULL)
    return hl_cli_fail (error);
  return finish (analysis, file, o);
}

/* Said once, by rank 0, when MPI ranks run the command. */
static int
usage_error (const char *message)
{
  if (hl_cli_mpi_rank () == 0)
    g_printerr ("headlens-cli analyze: %s\n", message);
  return 2;
}

int
hl_cli_analyze (int    argc,
                char **argv)
{
  g_auto(AnalyzeOptions) o = { .repeats = 16, .bootstrap = HL_MODEL_SUMMARY_DEFAULT_BOOTSTRAP };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  HlAnalysisOptions options;

  hl_regime_thresholds_init (&o.thresholds);
  hl_assumption_thresholds_init (&o.assumptions);
  context = make_context (&o);
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || !build_options (&o, &options, &error))
    return usage_error (error->message);
  if (argc < 2)
    return usage_error (_("expected a FILE to analyse (or several, a folder or a list file)"));
  return run_analysis ((const char * const *) argv + 1, argc - 1, &o, &options);
}
