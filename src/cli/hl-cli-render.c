/* hl-cli-render.c: `headlens-cli render FILE --plot KIND -o OUT`, any plot
 * of the app written as PNG, SVG or PDF by the same renderers.
 *
 * Head plots (scatter, alignment, profile, decay, tokens, and curves or
 * panel with --layer and --head) analyse that one head; model plots (heatmap, regimes,
 * correlation, and curves or panel without a head) analyse the whole file.
 * The attention matrices (matrix: one head's queries over keys; matrices:
 * every head's of the sample) are drawn from the file's attention alone.
 * The same file and options give the same bytes.
 *
 * Exit status: 0 on success, 1 when the file cannot be read or the figure
 * cannot be written, 2 for a bad command line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli.h"

#include "hl-analysis.h"
#include "hl-figure-builders.h"
#include "hl-output-set.h"
#include "hl-planted.h"
#include "hl-plot-text.h"
#include "hl-provenance.h"

#include <glib/gi18n.h>
#include <math.h>

#define HL_CLI_RENDER_ERROR (hl_cli_render_error_quark ())
GQuark hl_cli_render_error_quark (void);
G_DEFINE_QUARK (hl-cli-render-error-quark, hl_cli_render_error)

typedef enum
{
  HL_CLI_RENDER_ERROR_OPTION,   /* a bad command line: exit status 2 */
  HL_CLI_RENDER_ERROR_RANGE,    /* an option out of range for this file */
} HlCliRenderError;

/* The parsed command line; strings are owned. */
typedef struct
{
  char    *plot;
  char    *out;
  char    *ranking;
  char    *distance;
  char    *metric;
  char    *size;
  char    *style;
  char    *title;
  char    *font;
  char    *metric_help;   /* the --metric line of --help: every metric's name */
  char    *over;
  char    *statistic;
  int      layer;
  int      head;
  int      sample;
  int      query;
  int      n;
  double   dpi;
  double   font_size;
  int      threads;
  int      repeats;
  int      bootstrap;
  gint64   seed;
  gboolean transparent;
  gboolean log_y;
  gboolean allow_external;
} RenderOptions;

static void
render_options_clear (RenderOptions *o)
{
  g_clear_pointer (&o->plot, g_free);
  g_clear_pointer (&o->out, g_free);
  g_clear_pointer (&o->ranking, g_free);
  g_clear_pointer (&o->distance, g_free);
  g_clear_pointer (&o->metric, g_free);
  g_clear_pointer (&o->size, g_free);
  g_clear_pointer (&o->style, g_free);
  g_clear_pointer (&o->title, g_free);
  g_clear_pointer (&o->font, g_free);
  g_clear_pointer (&o->metric_help, g_free);
  g_clear_pointer (&o->over, g_free);
  g_clear_pointer (&o->statistic, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RenderOptions, render_options_clear)

/* What the figure is built from, released together. */
typedef struct
{
  const RenderOptions *o;
  HlPlotKind           kind;
  HlRanking            ranking;
  HlDistance           distance;
  HlActivations       *file;
  const HlActivationsInfo *info;
  int                  query;        /* resolved query index */
  const char          *over;         /* resolved --over */
  int                  samples[2];   /* the samples and queries model plots are over */
  int                  queries[2];
  HlStatistic          statistic;
  HlAnalysis          *analysis;     /* model plots */
  HlModelSummary      *summary;      /* of a part of the file, or NULL: the analysis's */
  HlHeadResult        *result;       /* head plots */
  float               *values;
  float               *attention;
  HlHeadInput          input;
  HlProjection        *projection;
  HlScatter           *scatter;
  char               **texts;        /* the sample's token texts, or NULL */
} Context;

static void
context_clear (Context *c)
{
  g_clear_object (&c->file);
  g_clear_object (&c->analysis);
  g_clear_pointer (&c->summary, hl_model_summary_free);
  g_clear_pointer (&c->result, hl_head_result_unref);
  g_clear_pointer (&c->values, g_free);
  g_clear_pointer (&c->attention, g_free);
  g_clear_pointer (&c->scatter, hl_scatter_free);
  g_clear_pointer (&c->projection, hl_projection_free);
  g_clear_pointer (&c->texts, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Context, context_clear)

static gboolean
fail (GError         **error,
      HlCliRenderError code,
      const char      *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError         **error,
      HlCliRenderError code,
      const char      *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (HL_CLI_RENDER_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

static GOptionContext *
make_context (RenderOptions *o)
{
  g_autofree char *names = hl_metric_dup_names ();
  const GOptionEntry entries[] = {
    { "plot", 0, 0, G_OPTION_ARG_STRING, &o->plot, N_("curves, heatmap, scatter, alignment, profile, decay, regimes, correlation, bound, panel, tokens, matrix or matrices (required)"), N_("KIND") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o->out, N_("Write the figure to OUT.png, OUT.svg or OUT.pdf (required)"), N_("OUT") },
    { "layer", 0, 0, G_OPTION_ARG_INT, &o->layer, N_("Layer of the head (head plots; selects a heatmap cell)"), "L" },
    { "head", 0, 0, G_OPTION_ARG_INT, &o->head, N_("Query head (head plots; selects a heatmap cell)"), "H" },
    { "sample", 0, 0, G_OPTION_ARG_INT, &o->sample, N_("Sample of head plots and the heatmap (0)"), "S" },
    { "query", 0, 0, G_OPTION_ARG_INT, &o->query, N_("Query index of head plots and the heatmap (the last)"), "Q" },
    { "over", 0, 0, G_OPTION_ARG_STRING, &o->over, N_("What model plots and the heatmap show: shown (the --sample and --query), samples (every sample at --query), queries (every query of --sample) or all (heatmap: shown; the others: all)"), N_("SET") },
    { "statistic", 0, 0, G_OPTION_ARG_STRING, &o->statistic, N_("A heatmap cell over several samples or queries: mean or iqr, the interquartile range (mean)"), N_("STAT") },
    { "n", 0, 0, G_OPTION_ARG_INT, &o->n, N_("The chosen N, marked on curves, used by the scatter and heatmap metrics (8)"), "N" },
    { "ranking", 0, 0, G_OPTION_ARG_STRING, &o->ranking, N_("attention, contribution or random (attention)"), N_("RANKING") },
    { "distance", 0, 0, G_OPTION_ARG_STRING, &o->distance, N_("euclidean or cosine (euclidean)"), N_("DISTANCE") },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &o->metric,
      o->metric_help = g_strdup_printf (_("Heatmap colour: regime or a metric by its CSV "
                                          "column name: %s (regime)"), names),
      N_("METRIC") },
    { "size", 0, 0, G_OPTION_ARG_STRING, &o->size, N_("Figure size, e.g. 3.5x2.5in or 8.9x6.4cm (3.5x2.5in; panel 7x2.5in)"), N_("WxH") },
    { "dpi", 0, 0, G_OPTION_ARG_DOUBLE, &o->dpi, N_("Pixels per inch of a PNG (300)"), N_("DPI") },
    { "font", 0, 0, G_OPTION_ARG_FILENAME, &o->font, N_("Font family of the text, e.g. “Latin Modern Roman” for LaTeX documents (DejaVu Sans)"), N_("FAMILY") },
    { "font-size", 0, 0, G_OPTION_ARG_DOUBLE, &o->font_size, N_("Base font size in points (8)"), N_("PT") },
    { "style", 0, 0, G_OPTION_ARG_STRING, &o->style, N_("light, dark or high-contrast (light)"), N_("STYLE") },
    { "title", 0, 0, G_OPTION_ARG_FILENAME, &o->title, N_("A title over the figure"), N_("TEXT") },
    { "transparent", 0, 0, G_OPTION_ARG_NONE, &o->transparent, N_("No background (PNG and SVG)"), NULL },
    { "log", 0, 0, G_OPTION_ARG_NONE, &o->log_y, N_("Logarithmic attention axis (profile) or colours (matrix, matrices)"), NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o->threads, N_("Worker threads of model plots (0: one per core)"), "N" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &o->repeats, N_("Random permutations of the random control (16)"), "R" },
    { "bootstrap", 0, 0, G_OPTION_ARG_INT, &o->bootstrap, N_("Bootstrap replicates of the model bands (2000)"), "B" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed, N_("Seed of the random control and the bootstrap (0)"), N_("SEED") },
    HL_CLI_ALLOW_EXTERNAL_ENTRY (&o->allow_external),
    { NULL }
  };
  GOptionContext *context = hl_cli_context_new ("render", _("FILE"),
    _("Draws a figure of an activation file as PNG, SVG or PDF, chosen by the extension "
      "of OUT."));

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  return context;
}

static gboolean
parse_names (Context  *c,
             GError  **error)
{
  const RenderOptions *o = c->o;

  if (o->plot == NULL || o->out == NULL)
    return fail (error, HL_CLI_RENDER_ERROR_OPTION, _("--plot KIND and -o OUT are required"));
  if (!hl_plot_kind_from_string (o->plot, &c->kind))
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--plot: unknown kind “%s”, expected curves, heatmap, scatter, alignment, "
                   "profile, decay, regimes, correlation, bound, panel, tokens, matrix or "
                   "matrices"), o->plot);
  if (c->kind == HL_PLOT_CAUSAL)
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--plot causal: causal figures come from the model's forward pass, "
                   "drawn by headlens-cli intervene --figure"));
  if (o->ranking != NULL && !hl_ranking_from_string (o->ranking, &c->ranking))
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--ranking: unknown ranking “%s”, expected attention, contribution or random"), o->ranking);
  if (o->distance != NULL && !hl_distance_from_string (o->distance, &c->distance))
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--distance: unknown distance “%s”, expected euclidean or cosine"), o->distance);
  if (o->statistic != NULL && !g_str_equal (o->statistic, "mean")
      && !g_str_equal (o->statistic, "iqr"))
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--statistic: unknown statistic “%s”, expected mean or iqr"), o->statistic);
  c->statistic = o->statistic != NULL && g_str_equal (o->statistic, "iqr") ? HL_STATISTIC_IQR
                                                                        : HL_STATISTIC_MEAN;
  c->over = o->over != NULL ? o->over
            : c->kind == HL_PLOT_HEATMAP || c->kind == HL_PLOT_MATRICES ? "shown" : "all";
  if (!g_strv_contains ((const char * const[]) { "shown", "samples", "queries", "all", NULL },
                        c->over))
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--over: unknown set “%s”, expected shown, samples, queries or all"), c->over);
  if (o->repeats < 1 || o->bootstrap < 0 || o->threads < 0 || o->seed < 0)
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--repeats must be at least 1; --bootstrap, --threads and --seed cannot be negative"));
  /* 0 is the default N. */
  return hl_cli_check_int ("--n", o->n, 0, G_MAXINT, error);
}

static gboolean
is_head_plot (const Context *c)
{
  switch (c->kind)
    {
    case HL_PLOT_SCATTER:
    case HL_PLOT_ALIGNMENT:
    case HL_PLOT_PROFILE:
    case HL_PLOT_DECAY:
    case HL_PLOT_TOKENS:
    case HL_PLOT_MATRIX:
      return TRUE;
    case HL_PLOT_CURVES:
    case HL_PLOT_PANEL:
    case HL_PLOT_BOUND:
      return c->o->layer >= 0 && c->o->head >= 0;
    case HL_PLOT_HEATMAP:
    case HL_PLOT_REGIMES:
    case HL_PLOT_CORRELATION:
    case HL_PLOT_CAUSAL:
    case HL_N_PLOT_KINDS:
    default:
      return FALSE;
    }
}

/* Checks the head, sample and query against the file. */
static gboolean
check_ranges (Context  *c,
              GError  **error)
{
  const RenderOptions *o = c->o;
  const HlActivationsInfo *info = c->info;
  gboolean all_samples, all_queries;

  c->query = o->query >= 0 ? o->query : info->n_queries - 1;
  if (o->sample < 0 || o->sample >= info->n_samples || c->query >= info->n_queries)
    return fail (error, HL_CLI_RENDER_ERROR_RANGE,
                 _("--sample %d --query %d: the file has %d samples and %d queries"),
                 o->sample, c->query, info->n_samples, info->n_queries);
  all_samples = g_str_equal (c->over, "samples") || g_str_equal (c->over, "all");
  all_queries = g_str_equal (c->over, "queries") || g_str_equal (c->over, "all");
  c->samples[0] = all_samples ? 0 : o->sample;
  c->samples[1] = all_samples ? info->n_samples - 1 : o->sample;
  c->queries[0] = all_queries ? 0 : c->query;
  c->queries[1] = all_queries ? info->n_queries - 1 : c->query;
  if ((o->layer >= 0 || is_head_plot (c)) && (o->layer < 0 || o->layer >= info->n_layers))
    return fail (error, HL_CLI_RENDER_ERROR_RANGE,
                 _("--layer %d: expected a layer from 0 to %d"), o->layer, info->n_layers - 1);
  if ((o->head >= 0 || is_head_plot (c)) && (o->head < 0 || o->head >= info->n_heads))
    return fail (error, HL_CLI_RENDER_ERROR_RANGE,
                 _("--head %d: expected a query head from 0 to %d"), o->head, info->n_heads - 1);
  return TRUE;
}

static void
head_options (Context               *c,
              HlHeadAnalysisOptions *options)
{
  hl_head_analysis_options_init (options);
  options->rankings = (1u << c->ranking) | (1u << HL_RANKING_RANDOM);
  options->distances = 1u << c->distance;
  options->repeats = c->o->repeats;
  options->seed = (guint64) c->o->seed;
}

/* Reads one head's keys 0..t and analyses it. */
static gboolean
load_head (Context  *c,
           GError  **error)
{
  const HlActivationsInfo *info = c->info;
  const RenderOptions *o = c->o;
  HlHeadAnalysisOptions options;
  HlHeadId id;
  int t = info->query_positions[c->query];

  c->values = g_new (float, (gsize) info->seq_len * info->head_dim);
  c->attention = g_new (float, (gsize) info->n_queries * info->seq_len);
  if (!hl_activations_read_values (c->file, o->layer, o->sample, info->kv_head_of[o->head],
                                   c->values, error) ||
      !hl_activations_read_attention (c->file, o->layer, o->sample, o->head, c->attention, error))
    return FALSE;
  if (t < 1)
    return fail (error, HL_CLI_RENDER_ERROR_RANGE,
                 _("Query %d sits at position %d: a head plot needs at least two keys"), c->query, t);
  if (info->has_token_texts
      && (c->texts = hl_activations_read_token_texts (c->file, o->sample, error)) == NULL)
    return FALSE;
  c->input = (HlHeadInput) { t + 1, info->head_dim, c->values,
                             c->attention + (gsize) c->query * info->seq_len };
  id = (HlHeadId) { o->layer, o->head, o->sample, c->query, info->kv_head_of[o->head] };
  head_options (c, &options);
  c->result = hl_head_analysis_compute (&c->input, &id, &options);
  return TRUE;
}

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  hl_cli_progress_update (user_data, done, total);
}

static void
analysis_options (Context           *c,
                  HlAnalysisOptions *options)
{
  hl_analysis_options_init (options);
  head_options (c, &options->head);
  options->threads = c->o->threads;
  options->bootstrap = c->o->bootstrap;
}

static gboolean
run_model (Context  *c,
           GError  **error)
{
  g_autoptr(HlCliProgress) progress = hl_cli_progress_new (_("Analysing"));
  HlAnalysisOptions options;

  analysis_options (c, &options);
  c->analysis = hl_analysis_run (c->file, &options, progress_cb, progress, NULL, error);
  return c->analysis != NULL;
}

/* The chosen N: --n when it is on @grid, else 8 or the largest N below. */
static gboolean
resolve_n (const Context  *c,
           const int      *grid,
           int             n_grid,
           int            *n,
           int            *index,
           GError        **error)
{
  *index = -1;
  for (int i = 0; i < n_grid; i++)
    if (c->o->n > 0 ? grid[i] == c->o->n : grid[i] <= 8)
      *index = i;
  if (*index < 0)
    return fail (error, HL_CLI_RENDER_ERROR_RANGE,
                 _("--n %d is not on the N grid (1, 2, 4, …, %d)"), c->o->n,
                 n_grid > 0 ? grid[n_grid - 1] : 0);
  *n = grid[*index];
  return TRUE;
}

static gboolean
find_metric (const char      *name,
             const HlMetric **out,
             GError         **error)
{
  g_autofree char *names = NULL;

  *out = NULL;
  if (name == NULL || g_str_equal (name, "regime"))
    return TRUE;
  *out = hl_metric_lookup (name);
  if (*out != NULL)
    return TRUE;
  names = hl_metric_dup_names ();
  return fail (error, HL_CLI_RENDER_ERROR_OPTION,
               _("--metric: unknown metric “%s”, expected regime or a column of heads.csv "
                 "or curves.csv: %s"), name, names);
}

/* --title, else the head and ranking of head plots, else the model; under
 * it the ranking, distance, sample and query the figure shows. */
static char *
dup_title (Context *c)
{
  const HlActivationsInfo *info = c->info;
  g_autofree char *title = NULL;
  g_autofree char *scope = NULL;
  gboolean head = c->result != NULL || c->kind == HL_PLOT_MATRIX;

  if (c->o->title != NULL)
    return g_markup_escape_text (c->o->title, -1);
  title = head ? hl_figure_head_title (c->o->layer, c->o->head, c->ranking)
               : hl_figure_model_title (info->model);
  scope = hl_scope_label (!head && c->samples[0] != c->samples[1],
                          !head && c->queries[0] != c->queries[1], info->n_samples,
                          info->n_queries, c->o->sample, info->query_positions[c->query]);
  return hl_figure_subtitled_title (title, head ? -1 : (int) c->ranking, c->distance, scope);
}

/* The scatter of the head at --n (8 or the largest below its keys). */
static gboolean
compute_scatter (Context  *c,
                 GError  **error)
{
  int n = c->o->n > 0 ? c->o->n : MIN (8, c->input.n_keys - 1);

  if (n < 1 || n >= c->input.n_keys)
    return fail (error, HL_CLI_RENDER_ERROR_RANGE,
                 _("--n %d: expected 1 to %d for a query with %d keys"), n, c->input.n_keys - 1,
                 c->input.n_keys);
  c->projection = hl_projection_new (&c->input, error);
  if (c->projection == NULL)
    return FALSE;
  c->scatter = hl_projection_scatter (c->projection, c->ranking, c->distance, n,
                                      c->result->seed, 0);
  return TRUE;
}

static HlFigure *
build_head_figure (Context            *c,
                   const HlFigureView *view,
                   GError            **error)
{
  const HlCurveSet *set = c->result->curves;
  HlFigureKeys keys = { (const char * const *) c->texts, -1 };
  g_autoptr(HlFigure) curves = NULL;
  HlFigureView at_n = *view;
  int index;

  switch (c->kind)
    {
    case HL_PLOT_SCATTER:
    case HL_PLOT_PROFILE:
    case HL_PLOT_TOKENS:
      if (!compute_scatter (c, error))
        return NULL;
      if (c->kind == HL_PLOT_TOKENS)
        return hl_figure_new_tokens (c->input.n_keys, c->input.alpha, c->scatter, &keys, view);
      return c->kind == HL_PLOT_SCATTER
             ? hl_figure_new_scatter (c->scatter, &keys, view)
             : hl_figure_new_profile (c->input.alpha, c->scatter, &keys, view);
    case HL_PLOT_DECAY:
      return hl_figure_new_decay (c->result, view);
    case HL_PLOT_BOUND:
      if (!resolve_n (c, set->grid, set->n_grid, &at_n.n, &index, error))
        return NULL;
      return hl_figure_new_bound (c->result, NULL, &at_n);
    case HL_PLOT_ALIGNMENT:
    case HL_PLOT_CURVES:
    case HL_PLOT_PANEL:
    default:
      if (!resolve_n (c, set->grid, set->n_grid, &at_n.n, &index, error))
        return NULL;
      if (c->kind == HL_PLOT_ALIGNMENT)
        return hl_figure_new_alignment (c->result, &at_n);
      curves = hl_figure_new_head_curves (c->result, &at_n);
      return c->kind == HL_PLOT_PANEL ? hl_figure_new_panel (curves) : g_steal_pointer (&curves);
    }
}

/* How many results a head has in the samples and queries of --over. */
static int
per_head (const Context *c)
{
  return (c->samples[1] - c->samples[0] + 1) * (c->queries[1] - c->queries[0] + 1);
}

/* The results of head (@layer, @head) over --over, written into @out. */
static guint
collect (const Context  *c,
         int             layer,
         int             head,
         HlHeadResult  **out)
{
  guint n = 0;

  for (int s = c->samples[0]; s <= c->samples[1]; s++)
    for (int q = c->queries[0]; q <= c->queries[1]; q++)
      {
        HlHeadResult *result = hl_analysis_lookup (c->analysis, layer, head, s, q);

        if (result != NULL)
          out[n++] = result;
      }
  return n;
}

/* The model-level results over --over: the analysis's for all of it. */
static const HlModelSummary *
model_summary (Context *c)
{
  int n_heads = c->info->n_layers * c->info->n_heads;
  g_autofree HlHeadResult **results = NULL;
  guint n = 0;

  if (per_head (c) == c->info->n_samples * c->info->n_queries)
    return hl_analysis_get_summary (c->analysis);
  results = g_new (HlHeadResult *, (gsize) n_heads * per_head (c));
  for (int i = 0; i < n_heads; i++)
    n += collect (c, i / c->info->n_heads, i % c->info->n_heads, results + n);
  c->summary = hl_model_summary_new (results, n, c->info->n_layers, c->o->bootstrap,
                                     (guint64) c->o->seed);
  return c->summary;
}

static HlFigure *
build_heatmap (Context            *c,
               const HlFigureView *view,
               GError            **error)
{
  int n_cells = c->info->n_layers * c->info->n_heads;
  int per_cell = per_head (c);
  g_autofree HlHeadResult **cells = g_new0 (HlHeadResult *, (gsize) MAX (n_cells, 1) * per_cell);
  const HlMetric *metric;

  if (!find_metric (c->o->metric, &metric, error))
    return NULL;
  for (int i = 0; i < n_cells; i++)
    collect (c, i / c->info->n_heads, i % c->info->n_heads, cells + (gsize) i * per_cell);
  return hl_figure_new_heatmap (c->info->n_layers, c->info->n_heads, per_cell, cells, metric,
                                c->statistic, view, c->o->layer, c->o->head);
}

static HlFigure *
build_model_figure (Context            *c,
                    const HlFigureView *view,
                    GError            **error)
{
  const HlModelSummary *s = model_summary (c);
  int per_layer = c->info->n_heads * per_head (c);
  g_autoptr(HlFigure) curves = NULL;
  HlFigureView at_n = *view;
  g_autofree char *note = hl_planted_regimes_note (c->analysis, &at_n.faded);
  int index;

  /* The regime figures say when the taxonomy does not apply and when a
   * synthetic file's regimes were planted. */
  at_n.note = note;
  if (c->kind == HL_PLOT_REGIMES)
    return hl_figure_new_regimes (s, c->info->n_heads, per_layer, &at_n);
  if (c->kind == HL_PLOT_CORRELATION)
    return hl_figure_new_correlation (s, view);
  if (!resolve_n (c, s->grid, s->n_grid, &at_n.n, &index, error))
    return NULL;
  if (c->kind == HL_PLOT_BOUND)
    return hl_figure_new_bound (NULL, s, &at_n);
  if (c->kind == HL_PLOT_HEATMAP)
    return build_heatmap (c, &at_n, error);
  at_n.note = NULL;
  at_n.faded = FALSE;
  curves = hl_figure_new_model_curves (s, &at_n);
  return c->kind == HL_PLOT_PANEL ? hl_figure_new_panel (curves) : g_steal_pointer (&curves);
}

static gboolean
is_matrix_plot (const Context *c)
{
  return c->kind == HL_PLOT_MATRIX || c->kind == HL_PLOT_MATRICES;
}

/* The attention matrices, drawn as the app shows them (shrunk by
 * max-pooling to the app's sizes) under the title of a head's or the
 * model's figures. */
static HlFigure *
build_matrix_figure (Context            *c,
                     const HlFigureView *view,
                     GError            **error)
{
  const HlActivationsInfo *info = c->info;
  const RenderOptions *o = c->o;
  g_autoptr(HlAttentionMatrix) matrix = NULL;
  g_autoptr(HlAttentionGrid) grid = NULL;

  if (info->n_queries < 2)
    {
      fail (error, HL_CLI_RENDER_ERROR_RANGE,
            _("--plot %s: the file has a single query position, expected several (extract "
              "with every query position)"), hl_plot_kind_to_string (c->kind));
      return NULL;
    }
  if (c->kind == HL_PLOT_MATRICES)
    {
      grid = hl_attention_grid_read (c->file, o->sample, HL_ATTENTION_GRID_SIZE, NULL, error);
      return grid != NULL ? hl_figure_new_matrices (grid, o->log_y, o->layer, o->head, view)
                          : NULL;
    }
  c->attention = g_new (float, (gsize) info->n_queries * info->seq_len);
  if (!hl_activations_read_attention (c->file, o->layer, o->sample, o->head, c->attention, error))
    return NULL;
  matrix = hl_attention_matrix_new (c->attention, info->n_queries, info->seq_len,
                                    info->query_positions, HL_ATTENTION_MATRIX_SIZE,
                                    HL_ATTENTION_MATRIX_SIZE);
  return hl_figure_new_matrix (matrix, info->query_positions, info->n_queries, c->query, o->log_y,
                               view);
}

/* The figure, from the same builders the app uses. */
static HlFigure *
build_figure (Context  *c,
              GError  **error)
{
  g_autofree char *title = dup_title (c);
  HlFigureView view = { c->ranking, c->distance, 0, c->o->log_y, title };

  if (is_matrix_plot (c))
    return build_matrix_figure (c, &view, error);
  return c->result != NULL ? build_head_figure (c, &view, error)
                           : build_model_figure (c, &view, error);
}

static gboolean
export_options (const Context        *c,
                HlPlotExportOptions  *options,
                HlPlotStyle         **style,
                GError              **error)
{
  const RenderOptions *o = c->o;
  const char *size = o->size != NULL ? o->size : c->kind == HL_PLOT_PANEL ? "7x2.5in" : "3.5x2.5in";
  HlPlotStylePreset preset = HL_PLOT_STYLE_LIGHT;

  if (!hl_plot_format_from_path (o->out, &options->format))
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("-o %s: expected a name ending in .png, .svg or .pdf"), o->out);
  if (!hl_plot_parse_size (size, &options->width, &options->height, error))
    return FALSE;
  if (o->style != NULL && !hl_plot_style_preset_from_string (o->style, &preset))
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--style: unknown style “%s”, expected light, dark or high-contrast"), o->style);
  if (!hl_cli_check_double ("--font-size", o->font_size, 1, 72, error)
      || !hl_cli_check_double ("--dpi", o->dpi, 1, 10000, error)
      || !hl_cli_check_utf8 ("--font", o->font, error)
      || !hl_cli_check_utf8 ("--title", o->title, error))
    return FALSE;
  options->dpi = o->dpi;
  options->transparent = o->transparent;
  if (o->font != NULL && !hl_plot_text_has_family (o->font))
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--font: no font of the family “%s” is installed; expected a family that "
                   "“fc-list : family” lists"), o->font);
  *style = hl_plot_style_new (preset, HL_PLOT_TARGET_EXPORT);
  hl_plot_style_set_font (*style, o->font != NULL ? o->font : (*style)->font_family, o->font_size);
  return TRUE;
}

/* What the figure is drawn from and how, for its file's metadata. */
static char *
figure_provenance (Context     *c,
                   const char  *path,
                   GError     **error)
{
  const RenderOptions *o = c->o;
  g_autoptr(HlProvenance) provenance = hl_provenance_new ("headlens-cli render", path, error);
  const HlMetric *metric;
  HlAnalysisOptions options;

  if (provenance == NULL)
    return NULL;
  analysis_options (c, &options);
  if (is_head_plot (c))
    hl_provenance_set_head_analysis (provenance, &options.head);
  else
    hl_provenance_set_analysis (provenance, &options);
  /* A layer, head or N left to its default is not listed. */
  hl_provenance_add_figure_string (provenance, "plot", hl_plot_kind_to_string (c->kind));
  hl_provenance_add_figure_string (provenance, "ranking", hl_ranking_to_string (c->ranking));
  hl_provenance_add_figure_string (provenance, "distance", hl_distance_to_string (c->distance));
  if (o->layer >= 0 && o->head >= 0)
    {
      hl_provenance_add_figure_int (provenance, "layer", o->layer);
      hl_provenance_add_figure_int (provenance, "head", o->head);
    }
  hl_provenance_add_figure_int (provenance, "sample", o->sample);
  hl_provenance_add_figure_int (provenance, "query", c->query);
  if (!is_head_plot (c))
    hl_provenance_add_figure_string (provenance, "over", c->over);
  if (c->kind == HL_PLOT_HEATMAP)
    hl_provenance_add_figure_string (provenance, "statistic",
                                     c->statistic == HL_STATISTIC_IQR ? "iqr" : "mean");
  if (o->n > 0)
    hl_provenance_add_figure_int (provenance, "n", o->n);
  /* The metric by its CSV name, whichever spelling selected it. */
  metric = o->metric != NULL ? hl_metric_lookup (o->metric) : NULL;
  hl_provenance_add_figure_string (provenance, "metric", metric != NULL ? metric->name : "regime");
  hl_provenance_add_figure_string (provenance, "style", o->style != NULL ? o->style : "light");
  hl_provenance_add_figure_string (provenance, "font", o->font);
  hl_provenance_add_figure_double (provenance, "font_size", o->font_size);
  return hl_provenance_to_json (provenance, FALSE);
}

/* The document's title: --title, else the plot, the head and the file. */
static char *
document_title (const Context *c,
                const char    *path)
{
  g_autofree char *name = g_path_get_basename (path);

  if (c->o->title != NULL)
    return g_strdup (c->o->title);
  if (is_head_plot (c))
    return g_strdup_printf (_("%s of layer %d, head %d, %s"), hl_plot_kind_to_string (c->kind),
                            c->o->layer, c->o->head, name);
  return g_strdup_printf (_("%s, %s"), hl_plot_kind_to_string (c->kind), name);
}

static gboolean
render (Context     *c,
        const char  *path,
        GError     **error)
{
  g_autofree char *provenance = NULL;
  g_autofree char *title = NULL;
  g_autoptr(HlPlotStyle) style = NULL;
  g_autoptr(HlFigure) figure = NULL;
  HlPlotExportOptions options = { 0 };

  if (!export_options (c, &options, &style, error)
      || !hl_output_check_not_input (c->o->out, (const char * const[]) { path, NULL }, error))
    return FALSE;
  c->file = hl_activations_open_full (path, c->o->allow_external
                                             ? HL_ACTIVATIONS_OPEN_ALLOW_EXTERNAL
                                             : HL_ACTIVATIONS_OPEN_DEFAULT, error);
  if (c->file == NULL)
    return FALSE;
  c->info = hl_activations_get_info (c->file);
  if (!check_ranges (c, error))
    return FALSE;
  if (!is_matrix_plot (c) && (is_head_plot (c) ? !load_head (c, error) : !run_model (c, error)))
    return FALSE;
  figure = build_figure (c, error);
  if (figure == NULL)
    return FALSE;
  if ((provenance = figure_provenance (c, path, error)) == NULL)
    return FALSE;
  title = document_title (c, path);
  options.provenance = provenance;
  options.title = title;
  return hl_figure_export_to_file (figure, style, &options, c->o->out, error);
}

int
hl_cli_render (int    argc,
               char **argv)
{
  g_auto(RenderOptions) o = {
    .layer = -1, .head = -1, .query = -1, .dpi = 300, .font_size = 8,
    .repeats = 16, .bootstrap = HL_MODEL_SUMMARY_DEFAULT_BOOTSTRAP,
  };
  g_autoptr(GOptionContext) context = make_context (&o);
  g_autoptr(GError) error = NULL;
  g_auto(Context) c = { .o = &o, .ranking = HL_RANKING_ATTENTION, .distance = HL_DISTANCE_EUCLIDEAN };
  gboolean ok;

  if (!g_option_context_parse (context, &argc, &argv, &error) || !parse_names (&c, &error))
    {
      g_printerr ("headlens-cli render: %s\n", error->message);
      return 2;
    }
  if (argc != 2)
    {
      g_printerr ("headlens-cli render: %s\n",
                  argc < 2 ? _("expected one FILE to draw from") : _("expected only one FILE"));
      return 2;
    }
  ok = render (&c, argv[1], &error);
  context_clear (&c);
  if (!ok)
    {
      g_printerr ("headlens-cli render: %s\n", error->message);
      return g_error_matches (error, HL_CLI_RENDER_ERROR, HL_CLI_RENDER_ERROR_OPTION)
             || error->domain == G_OPTION_ERROR ? 2 : 1;
    }
  return 0;
}
