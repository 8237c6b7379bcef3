/* hl-cli-render.c: `headlens-cli render FILE --plot KIND -o OUT`, any plot
 * of the app written as PNG, SVG or PDF by the same renderers.
 *
 * Head plots (scatter, alignment, profile, decay, and curves or panel with
 * --layer and --head) analyse that one head; model plots (heatmap, regimes,
 * correlation, and curves or panel without a head) analyse the whole file.
 * The same file and options give the same bytes.
 *
 * Exit status: 0 on success, 1 when the file cannot be read or the figure
 * cannot be written, 2 for a bad command line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli.h"

#include "hl-alignment-plot.h"
#include "hl-analysis.h"
#include "hl-correlation-plot.h"
#include "hl-curves-plot.h"
#include "hl-decay-plot.h"
#include "hl-heatmap-plot.h"
#include "hl-metric.h"
#include "hl-output-set.h"
#include "hl-panel-plot.h"
#include "hl-plot-export.h"
#include "hl-plot-text.h"
#include "hl-profile-plot.h"
#include "hl-projection.h"
#include "hl-provenance.h"
#include "hl-regimes-plot.h"
#include "hl-scatter-plot.h"

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
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RenderOptions, render_options_clear)

/* Everything a figure borrows, released together. */
typedef struct
{
  const RenderOptions *o;
  HlPlotKind           kind;
  HlRanking            ranking;
  HlDistance           distance;
  HlActivations       *file;
  const HlActivationsInfo *info;
  int                  query;        /* resolved query index */
  HlAnalysis          *analysis;     /* model plots */
  HlHeadResult        *result;       /* head plots */
  float               *values;
  float               *attention;
  HlHeadInput          input;
  HlProjection        *projection;
  HlScatter           *scatter;
  GPtrArray           *keep;         /* allocations the plot data points into */
} Context;

static void
context_clear (Context *c)
{
  g_clear_object (&c->file);
  g_clear_object (&c->analysis);
  g_clear_pointer (&c->result, hl_head_result_unref);
  g_clear_pointer (&c->values, g_free);
  g_clear_pointer (&c->attention, g_free);
  g_clear_pointer (&c->scatter, hl_scatter_free);
  g_clear_pointer (&c->projection, hl_projection_free);
  g_clear_pointer (&c->keep, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Context, context_clear)

static gpointer
keep (Context  *c,
      gpointer  allocation)
{
  g_ptr_array_add (c->keep, allocation);
  return allocation;
}

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
    { "plot", 0, 0, G_OPTION_ARG_STRING, &o->plot, N_("curves, heatmap, scatter, alignment, profile, decay, regimes, correlation or panel (required)"), N_("KIND") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o->out, N_("Write the figure to OUT.png, OUT.svg or OUT.pdf (required)"), N_("OUT") },
    { "layer", 0, 0, G_OPTION_ARG_INT, &o->layer, N_("Layer of the head (head plots; selects a heatmap cell)"), "L" },
    { "head", 0, 0, G_OPTION_ARG_INT, &o->head, N_("Query head (head plots; selects a heatmap cell)"), "H" },
    { "sample", 0, 0, G_OPTION_ARG_INT, &o->sample, N_("Sample of head plots and the heatmap (0)"), "S" },
    { "query", 0, 0, G_OPTION_ARG_INT, &o->query, N_("Query index of head plots and the heatmap (the last)"), "Q" },
    { "n", 0, 0, G_OPTION_ARG_INT, &o->n, N_("The chosen N, marked on curves, used by the scatter and heatmap metrics (8)"), "N" },
    { "ranking", 0, 0, G_OPTION_ARG_STRING, &o->ranking, N_("attention, contribution or random (attention)"), N_("RANKING") },
    { "distance", 0, 0, G_OPTION_ARG_STRING, &o->distance, N_("euclidean or cosine (euclidean)"), N_("DISTANCE") },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &o->metric,
      o->metric_help = g_strdup_printf (_("Heatmap colour: regime or a metric by its CSV "
                                          "column name: %s (regime)"), names),
      N_("METRIC") },
    { "size", 0, 0, G_OPTION_ARG_STRING, &o->size, N_("Figure size, e.g. 3.5x2.5in or 8.9x6.4cm (3.5x2.5in; panel 7x2.5in)"), N_("WxH") },
    { "dpi", 0, 0, G_OPTION_ARG_DOUBLE, &o->dpi, N_("Pixels per inch of a PNG (300)"), N_("DPI") },
    { "font", 0, 0, G_OPTION_ARG_STRING, &o->font, N_("Font family of the text, e.g. “Latin Modern Roman” for LaTeX documents (DejaVu Sans)"), N_("FAMILY") },
    { "font-size", 0, 0, G_OPTION_ARG_DOUBLE, &o->font_size, N_("Base font size in points (8)"), N_("PT") },
    { "style", 0, 0, G_OPTION_ARG_STRING, &o->style, N_("light, dark or high-contrast (light)"), N_("STYLE") },
    { "title", 0, 0, G_OPTION_ARG_STRING, &o->title, N_("A title over the figure"), N_("TEXT") },
    { "transparent", 0, 0, G_OPTION_ARG_NONE, &o->transparent, N_("No background (PNG and SVG)"), NULL },
    { "log", 0, 0, G_OPTION_ARG_NONE, &o->log_y, N_("Logarithmic attention axis (profile)"), NULL },
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
                   "profile, decay, regimes, correlation or panel"), o->plot);
  if (o->ranking != NULL && !hl_ranking_from_string (o->ranking, &c->ranking))
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--ranking: unknown ranking “%s”, expected attention, contribution or random"), o->ranking);
  if (o->distance != NULL && !hl_distance_from_string (o->distance, &c->distance))
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--distance: unknown distance “%s”, expected euclidean or cosine"), o->distance);
  if (o->repeats < 1 || o->bootstrap < 0 || o->threads < 0 || o->seed < 0)
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--repeats must be at least 1; --bootstrap, --threads and --seed cannot be negative"));
  return TRUE;
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
      return TRUE;
    case HL_PLOT_CURVES:
    case HL_PLOT_PANEL:
      return c->o->layer >= 0 && c->o->head >= 0;
    case HL_PLOT_HEATMAP:
    case HL_PLOT_REGIMES:
    case HL_PLOT_CORRELATION:
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

  c->query = o->query >= 0 ? o->query : info->n_queries - 1;
  if (o->sample < 0 || o->sample >= info->n_samples || c->query >= info->n_queries)
    return fail (error, HL_CLI_RENDER_ERROR_RANGE,
                 _("--sample %d --query %d: the file has %d samples and %d queries"),
                 o->sample, c->query, info->n_samples, info->n_queries);
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

static float *
floats (Context *c,
        int      n)
{
  return keep (c, g_new0 (float, MAX (n, 1)));
}

/* A head's P, R and F curves of the chosen ranking and the random control. */
static void
head_curves (Context          *c,
             HlCurvesPlotData *data,
             guint             metrics)
{
  const HlCurveSet *set = c->result->curves;
  const HlSeparabilityPoint *ranked = set->points[c->ranking][c->distance];
  const HlSeparabilityPoint *random = set->points[HL_RANKING_RANDOM][c->distance];

  data->n_grid = set->n_grid;
  data->grid = set->grid;
  for (int m = 0; m < HL_N_CURVES; m++)
    {
      float *r, *q;

      if (!(metrics & (1u << m)))
        continue;
      r = floats (c, set->n_grid);
      q = floats (c, set->n_grid);
      for (int i = 0; i < set->n_grid; i++)
        {
          r[i] = m == 0 ? ranked[i].precision : m == 1 ? ranked[i].recall : ranked[i].f1;
          q[i] = m == 0 ? random[i].precision : m == 1 ? random[i].recall : random[i].f1;
        }
      data->ranked[m] = r;
      if (c->ranking != HL_RANKING_RANDOM)
        data->random[m] = q;
    }
}

static const HlBand *
band_of (const HlModelPoint *point,
         int                 metric)
{
  return metric == 0 ? &point->precision : metric == 1 ? &point->recall : &point->f1;
}

/* The model mean with its bootstrap band, and the random control's mean. */
static void
model_curves (Context          *c,
              HlCurvesPlotData *data,
              guint             metrics)
{
  const HlModelSummary *s = hl_analysis_get_summary (c->analysis);
  const HlModelPoint *ranked = s->points[c->ranking][c->distance];
  const HlModelPoint *random = s->points[HL_RANKING_RANDOM][c->distance];

  data->n_grid = s->n_grid;
  data->grid = s->grid;
  data->band_label = _("95% bootstrap band");
  for (int m = 0; m < HL_N_CURVES; m++)
    {
      float *mean, *lo, *hi, *q;

      if (!(metrics & (1u << m)))
        continue;
      mean = floats (c, s->n_grid), lo = floats (c, s->n_grid), hi = floats (c, s->n_grid);
      q = floats (c, s->n_grid);
      for (int i = 0; i < s->n_grid; i++)
        {
          mean[i] = band_of (&ranked[i], m)->mean;
          lo[i] = band_of (&ranked[i], m)->lo;
          hi[i] = band_of (&ranked[i], m)->hi;
          q[i] = band_of (&random[i], m)->mean;
        }
      data->ranked[m] = mean, data->band_lo[m] = lo, data->band_hi[m] = hi;
      if (c->ranking != HL_RANKING_RANDOM)
        data->random[m] = q;
    }
}

static char *
head_title (Context *c)
{
  if (c->o->title != NULL)
    return g_markup_escape_text (c->o->title, -1);
  /* Translators: a figure title, e.g. "Layer 3 · Head 5 · attention ranking". */
  return g_strdup_printf (_("Layer %d · Head %d · %s ranking"), c->o->layer, c->o->head,
                          hl_ranking_to_string (c->ranking));
}

static char *
model_title (Context *c)
{
  if (c->o->title != NULL)
    return g_markup_escape_text (c->o->title, -1);
  return g_markup_escape_text (c->info->model[0] != '\0' ? c->info->model : _("Model"), -1);
}

static gboolean
build_curves (Context           *c,
              guint              metrics,
              gboolean           titled,
              HlCurvesPlotData **out,
              GError           **error)
{
  HlCurvesPlotData *data = keep (c, g_new0 (HlCurvesPlotData, 1));
  int index;

  if (c->result != NULL)
    head_curves (c, data, metrics);
  else
    model_curves (c, data, metrics);
  if (!resolve_n (c, data->grid, data->n_grid, &data->chosen_n, &index, error))
    return FALSE;
  if (titled)
    data->title = keep (c, c->result != NULL ? head_title (c) : model_title (c));
  *out = data;
  return TRUE;
}

static gboolean
build_panel (Context          *c,
             HlPanelPlotData **out,
             GError          **error)
{
  HlPanelItem *items = keep (c, g_new0 (HlPanelItem, HL_N_CURVES));
  HlPanelPlotData *data = keep (c, g_new0 (HlPanelPlotData, 1));

  for (int m = 0; m < HL_N_CURVES; m++)
    {
      HlCurvesPlotData *curves;

      if (!build_curves (c, 1u << m, FALSE, &curves, error))
        return FALSE;
      items[m] = (HlPanelItem) { HL_PLOT_CURVES, curves };
    }
  *data = (HlPanelPlotData) { HL_N_CURVES, items, HL_N_CURVES, TRUE, NULL };
  data->title = keep (c, c->result != NULL ? head_title (c) : model_title (c));
  *out = data;
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

static gboolean
build_heatmap (Context            *c,
               HlHeatmapPlotData **out,
               GError            **error)
{
  const HlModelSummary *s = hl_analysis_get_summary (c->analysis);
  const HlMetric *metric;
  HlHeatmapPlotData *data = keep (c, g_new0 (HlHeatmapPlotData, 1));
  int cells = c->info->n_layers * c->info->n_heads, n, index;
  int *regimes = keep (c, g_new (int, cells));
  float *values = floats (c, cells);

  if (!find_metric (c->o->metric, &metric, error) || !resolve_n (c, s->grid, s->n_grid, &n, &index, error))
    return FALSE;
  for (int i = 0; i < cells; i++)
    {
      HlHeadResult *r = hl_analysis_lookup (c->analysis, i / c->info->n_heads, i % c->info->n_heads,
                                            c->o->sample, c->query);

      regimes[i] = r != NULL ? (int) r->regime : -1;
      values[i] = r != NULL && metric != NULL
                  ? hl_metric_value (metric, r, c->ranking, c->distance, n) : NAN;
    }
  *data = (HlHeatmapPlotData) {
    .n_layers = c->info->n_layers, .n_heads = c->info->n_heads,
    .mode = metric != NULL ? HL_HEATMAP_COLOR_METRIC : HL_HEATMAP_COLOR_REGIME,
    .regimes = regimes, .values = values,
    .colormap = metric != NULL ? metric->colormap : HL_COLORMAP_VIRIDIS,
    .selected_layer = c->o->layer, .selected_head = c->o->head,
    .title = keep (c, model_title (c)),
  };
  if (metric != NULL)
    {
      hl_metric_color_range (metric, &data->vmin, &data->vmax);
      data->value_label = keep (c, hl_metric_is_per_n (metric)
                                   ? g_strdup_printf ("%s, N = %d", metric->description, n)
                                   : g_strdup (metric->description));
    }
  *out = data;
  return TRUE;
}

static gboolean
build_scatter (Context            *c,
               HlScatterPlotData **out,
               GError            **error)
{
  HlScatterPlotData *data = keep (c, g_new0 (HlScatterPlotData, 1));
  const HlScatter *s;
  int n = c->o->n > 0 ? c->o->n : MIN (8, c->input.n_keys - 1);

  if (n < 1 || n >= c->input.n_keys)
    return fail (error, HL_CLI_RENDER_ERROR_RANGE,
                 _("--n %d: expected 1 to %d for a query with %d keys"), n, c->input.n_keys - 1,
                 c->input.n_keys);
  c->projection = hl_projection_new (&c->input, error);
  if (c->projection == NULL)
    return FALSE;
  s = c->scatter = hl_projection_scatter (c->projection, c->ranking, c->distance, n, c->result->seed, 0);
  *data = (HlScatterPlotData) {
    .n_points = s->n_points, .x = s->x, .y = s->y, .selected = s->selected,
    .in_max_ball = s->in_max_ball, .in_min_ball = s->in_min_ball,
    .in_max_disk = s->in_max_disk, .in_min_disk = s->in_min_disk,
    .centre_x = s->centre_x, .centre_y = s->centre_y,
    .rho_max = s->rho_max, .rho_min = s->rho_min, .distance = c->distance,
    .explained = { s->explained[0], s->explained[1] }, .n = n,
    .query_index = s->n_points - 1, .hovered = -1, .title = keep (c, head_title (c)),
  };
  *out = data;
  return TRUE;
}

static gboolean
build_alignment (Context              *c,
                 HlAlignmentPlotData **out,
                 GError              **error)
{
  const HlCurveSet *set = c->result->curves;
  HlAlignmentPlotData *data = keep (c, g_new0 (HlAlignmentPlotData, 1));
  int index;

  *data = (HlAlignmentPlotData) { set->n_grid, set->grid, set->align_sink[c->ranking],
                                  set->align_last[c->ranking], 0, keep (c, head_title (c)) };
  if (!resolve_n (c, set->grid, set->n_grid, &data->chosen_n, &index, error))
    return FALSE;
  *out = data;
  return TRUE;
}

static gboolean
build_profile (Context            *c,
               HlProfilePlotData **out,
               GError            **error)
{
  HlProfilePlotData *data = keep (c, g_new0 (HlProfilePlotData, 1));
  int n_keys = c->input.n_keys, n = c->o->n > 0 ? c->o->n : MIN (8, n_keys - 1);
  g_autofree int *order = g_new (int, n_keys);
  gboolean *selected = keep (c, g_new0 (gboolean, n_keys));

  if (n < 1 || n >= n_keys)
    return fail (error, HL_CLI_RENDER_ERROR_RANGE,
                 _("--n %d: expected 1 to %d for a query with %d keys"), n, n_keys - 1, n_keys);
  hl_separability_rank (&c->input, c->ranking, c->result->seed, 0, order);
  for (int i = 0; i < n; i++)
    selected[order[i]] = TRUE;
  *data = (HlProfilePlotData) { n_keys, c->input.alpha, selected, n, c->o->log_y, keep (c, head_title (c)) };
  *out = data;
  return TRUE;
}

static HlDecayPlotData *
build_decay (Context *c)
{
  const HlDiagnostics *d = &c->result->diagnostics;
  HlDecayPlotData *data = keep (c, g_new0 (HlDecayPlotData, 1));
  int *lags = keep (c, g_new (int, MAX (d->n_lags, 1)));

  for (int k = 0; k < d->n_lags; k++)
    lags[k] = k + 1;
  *data = (HlDecayPlotData) { d->n_lags, lags, d->decay, d->n_lags > 0 ? d->beta : NAN,
                              d->n_lags > 0 ? d->beta_mae : NAN, keep (c, head_title (c)) };
  return data;
}

static HlRegimesPlotData *
build_regimes (Context *c)
{
  const HlModelSummary *s = hl_analysis_get_summary (c->analysis);
  HlRegimesPlotData *data = keep (c, g_new0 (HlRegimesPlotData, 1));
  int per_layer = c->info->n_heads * c->info->n_samples * c->info->n_queries;

  /* Counts are per result: with several samples or queries a layer has
   * heads x samples x queries of them, and the axis says so. */
  *data = (HlRegimesPlotData) { s->n_layers, s->regime_counts, per_layer,
                                per_layer > c->info->n_heads ? _("heads × samples") : NULL,
                                keep (c, model_title (c)) };
  return data;
}

static HlCorrelationPlotData *
build_correlation (Context *c)
{
  const HlModelSummary *s = hl_analysis_get_summary (c->analysis);
  const HlModelPoint *points = s->points[c->ranking][c->distance];
  HlCorrelationPlotData *data = keep (c, g_new0 (HlCorrelationPlotData, 1));
  float *corr = floats (c, s->n_grid);

  for (int i = 0; i < s->n_grid; i++)
    corr[i] = points[i].corr_recall_rho0;
  *data = (HlCorrelationPlotData) { s->n_grid, s->grid, corr, NULL, NULL, keep (c, model_title (c)) };
  return data;
}

/* The plot's data struct, pointing into @c. */
static gboolean
build_data (Context        *c,
            gconstpointer  *data,
            GError        **error)
{
  switch (c->kind)
    {
    case HL_PLOT_CURVES:
      return build_curves (c, 0x7, TRUE, (HlCurvesPlotData **) data, error);
    case HL_PLOT_HEATMAP:
      return build_heatmap (c, (HlHeatmapPlotData **) data, error);
    case HL_PLOT_SCATTER:
      return build_scatter (c, (HlScatterPlotData **) data, error);
    case HL_PLOT_ALIGNMENT:
      return build_alignment (c, (HlAlignmentPlotData **) data, error);
    case HL_PLOT_PROFILE:
      return build_profile (c, (HlProfilePlotData **) data, error);
    case HL_PLOT_DECAY:
      *data = build_decay (c);
      return TRUE;
    case HL_PLOT_REGIMES:
      *data = build_regimes (c);
      return TRUE;
    case HL_PLOT_CORRELATION:
      *data = build_correlation (c);
      return TRUE;
    case HL_PLOT_PANEL:
    case HL_N_PLOT_KINDS:
    default:
      return build_panel (c, (HlPanelPlotData **) data, error);
    }
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
  if (!(o->font_size > 0 && o->font_size <= 72) || !(o->dpi > 0))
    return fail (error, HL_CLI_RENDER_ERROR_OPTION,
                 _("--font-size must be between 0 and 72 points and --dpi positive"));
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
  if (o->layer >= 0 && o->head >= 0)
    {
      hl_provenance_add_figure_int (provenance, "layer", o->layer);
      hl_provenance_add_figure_int (provenance, "head", o->head);
    }
  hl_provenance_add_figure_int (provenance, "sample", o->sample);
  hl_provenance_add_figure_int (provenance, "query", c->query);
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
  HlPlotExportOptions options = { 0 };
  gconstpointer data = NULL;

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
  if (is_head_plot (c) ? !load_head (c, error) : !run_model (c, error))
    return FALSE;
  if (!build_data (c, &data, error))
    return FALSE;
  if ((provenance = figure_provenance (c, path, error)) == NULL)
    return FALSE;
  title = document_title (c, path);
  options.provenance = provenance;
  options.title = title;
  return hl_plot_export_to_file (c->kind, style, data, &options, c->o->out, error);
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

  c.keep = g_ptr_array_new_with_free_func (g_free);
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
      return g_error_matches (error, HL_CLI_RENDER_ERROR, HL_CLI_RENDER_ERROR_OPTION) ? 2 : 1;
    }
  return 0;
}
