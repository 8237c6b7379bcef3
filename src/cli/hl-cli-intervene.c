/* hl-cli-intervene.c: `headlens-cli intervene`, causal experiments in the
 * forward pass (top-N truncation and N*, head ablation, sparsification)
 * written as tidy CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli.h"

#include "hl-causal-experiment.h"
#include "hl-causal-figures.h"
#include "hl-extract.h"
#include "hl-model-files.h"
#include "hl-output-set.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

typedef struct
{
  char    *checkpoint;
  char    *tokenizer;
  char    *model;
  char    *text_file;
  char    *prompt;
  char    *experiment;
  char    *layer;
  char    *head;
  char    *mode;
  char    *ranking;
  char    *n;
  double   tau;
  char    *fractions;
  char    *policies;
  char    *regime_order;
  char    *queries;
  int      repeats;
  gint64   seed;
  int      corr_n;
  int      window;
  int      stride;
  int      samples;
  gboolean no_cache;
  char    *output;
  char    *figure;
  HlRegimeThresholds thresholds;
} InterveneArgs;

static void
intervene_args_clear (InterveneArgs *a)
{
  char **strings[] = {
    &a->checkpoint, &a->tokenizer, &a->model, &a->text_file, &a->prompt, &a->experiment, &a->layer,
    &a->head, &a->mode, &a->ranking, &a->n, &a->fractions, &a->policies, &a->regime_order, &a->queries,
    &a->output, &a->figure,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
    g_free (*strings[i]);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (InterveneArgs, intervene_args_clear)

static gboolean
usage_error (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage_error (GError     **error,
             const char  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, format, args));
  va_end (args);
  return FALSE;
}

/* Options */

/* One option per threshold of the regime rule, named like its GSettings
 * key, as `analyze` has them: the regimes of the sparsify policy and the
 * correlations are the ones analyze reports with the same thresholds. */
static void
add_threshold_entries (GOptionContext *context,
                       InterveneArgs  *a)
{
  GOptionEntry entries[HL_REGIME_N_THRESHOLDS + 1] = { { NULL } };

  hl_cli_add_threshold_entries (&a->thresholds, entries);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

static GOptionContext *
build_context (InterveneArgs *a)
{
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &a->model, N_("Hugging Face model directory (config.json, *.safetensors, tokenizer.json)"), N_("DIR") },
    { "checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &a->checkpoint, N_("llama2.c checkpoint"), N_("MODEL.bin") },
    { "tokenizer", 0, 0, G_OPTION_ARG_FILENAME, &a->tokenizer, N_("llama2.c tokenizer of the model"), N_("TOKENIZER.bin") },
    { "text-file", 0, 0, G_OPTION_ARG_FILENAME, &a->text_file, N_("UTF-8 text the loss is measured on"), N_("FILE") },
    { "prompt", 0, 0, G_OPTION_ARG_STRING, &a->prompt, N_("text given on the command line instead of a file"), N_("TEXT") },
    { "window", 0, 0, G_OPTION_ARG_INT, &a->window, N_("tokens per window, as extract (default: the whole text, at most the model's context)"), N_("T") },
    { "stride", 0, 0, G_OPTION_ARG_INT, &a->stride, N_("text tokens between the starts of two windows, as extract"), N_("S") },
    { "samples", 0, 0, G_OPTION_ARG_INT, &a->samples, N_("at most this many windows"), N_("K") },
    { "experiment", 0, 0, G_OPTION_ARG_STRING, &a->experiment, N_("what to measure"), N_("truncate|ablate|sparsify") },
    { "layer", 0, 0, G_OPTION_ARG_STRING, &a->layer, N_("layer of the target: an index, -1 (every layer at once) or each (default: each separately)"), N_("L|-1|each") },
    { "head", 0, 0, G_OPTION_ARG_STRING, &a->head, N_("head of the target: an index, -1 (every head at once) or each (default: each separately)"), N_("H|-1|each") },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &a->mode, N_("truncate: renormalise (default), delete or both; ablate and sparsify: zero (default), mean or both"), N_("LIST") },
    { "ranking", 0, 0, G_OPTION_ARG_STRING, &a->ranking, N_("keys kept by attention (default) or contribution ||alpha_i v_i||, or both"), N_("LIST") },
    { "n", 0, 0, G_OPTION_ARG_STRING, &a->n, N_("keys kept per query row: a list (default 1,2,4,... below the window) or auto for N*_tau"), N_("1,2,4,…|auto") },
    { "tau", 0, 0, G_OPTION_ARG_DOUBLE, &a->tau, N_("tolerance of N*: the smallest N whose delta NLL is at most tau (default 0.01 nats per token)"), N_("TAU") },
    { "fractions", 0, 0, G_OPTION_ARG_STRING, &a->fractions, N_("sparsify: fractions of the heads pruned (default 0.1,0.2,…,0.9)"), N_("LIST") },
    { "policies", 0, 0, G_OPTION_ARG_STRING, &a->policies, N_("sparsify: regime, random, low-entropy, high-sink-mass, low-a-last, low-ablation (default all)"), N_("LIST") },
    { "regime-order", 0, 0, G_OPTION_ARG_STRING, &a->regime_order, N_("sparsify: regimes pruned first to last (default mixer,other,reset,retriever)"), N_("LIST") },
    { "queries", 0, 0, G_OPTION_ARG_STRING, &a->queries, N_("query positions whose rows give each head's regime and metrics (sparsify, correlations): last (default), all, or a list"), N_("last|all|LIST") },
    { "corr-n", 0, 0, G_OPTION_ARG_INT, &a->corr_n, N_("N of F_N and the margin correlated with each head's delta NLL or N* (default 4, a power of two)"), N_("N") },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &a->repeats, N_("sparsify: random orders drawn (default 16)"), N_("R") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &a->seed, N_("seed of the random orders (default 0)"), N_("SEED") },
    { "no-prefix-cache", 0, 0, G_OPTION_ARG_NONE, &a->no_cache, N_("run every measurement from the embedding instead of the stored residual stream (slower, the same numbers)"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &a->output, N_("CSV file to write"), N_("FILE.csv") },
    { "figure", 0, 0, G_OPTION_ARG_FILENAME, &a->figure, N_("also draw the result: the ablation or N* map of every head, one target's delta NLL against N, or the sparsification curves"), N_("FILE.png|svg|pdf") },
    { NULL }
  };
  GOptionContext *context = hl_cli_context_new ("intervene", NULL,
    _("Measures the next-token loss of a model on a text while its attention is changed: top-N "
      "truncation of query rows (and the effective set size N*), head ablation, and pruning a "
      "fraction of the heads by several policies. Writes tidy CSV."));

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  add_threshold_entries (context, a);
  return context;
}

static gboolean
check_required (const InterveneArgs  *a,
                GError              **error)
{
  if ((a->model == NULL) == (a->checkpoint == NULL) || (a->checkpoint == NULL) != (a->tokenizer == NULL) ||
      (a->text_file == NULL) == (a->prompt == NULL) || a->experiment == NULL || a->output == NULL)
    return usage_error (error, _("intervene needs either --model or --checkpoint with --tokenizer, "
                                 "one of --text-file and --prompt, --experiment and -o"));
  if (a->figure != NULL && !hl_plot_format_from_path (a->figure, &(HlPlotFormat) { 0 }))
    return usage_error (error, _("--figure %s: expected a name ending in .png, .svg or .pdf"), a->figure);
  return TRUE;
}

/* "3", "-1" (all at once) or "each". */
static gboolean
parse_index (const char  *option,
             const char  *text,
             int         *out,
             GError     **error)
{
  gint64 value;

  if (text == NULL || g_strcmp0 (text, "each") == 0)
    *out = HL_CAUSAL_EACH;
  else if (g_strcmp0 (text, "all") == 0)
    *out = HL_CAUSAL_ALL;
  else if (g_ascii_string_to_signed (text, 10, -1, G_MAXINT, &value, NULL))
    *out = (int) value;
  else
    return usage_error (error, _("%s is “%s”, expected an index, -1 (all at once) or each"), option, text);
  return TRUE;
}

static gboolean
parse_names (const char     *option,
             const char     *text,
             HlCliNameFunc   from_string,
             guint          *mask,
             GError        **error)
{
  return hl_cli_parse_names (option, text, from_string, mask, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, error);
}

static gboolean
truncate_mode_name (const char *name,
                    int        *value)
{
  HlTruncateMode m;

  if (!hl_truncate_mode_from_string (name, &m))
    return FALSE;
  *value = m;
  return TRUE;
}

static gboolean
ablate_mode_name (const char *name,
                  int        *value)
{
  HlAblateMode m;

  if (!hl_ablate_mode_from_string (name, &m))
    return FALSE;
  *value = m;
  return TRUE;
}

static gboolean
ranking_name (const char *name,
              int        *value)
{
  HlRanking r;

  if (!hl_ranking_from_string (name, &r) || r == HL_RANKING_RANDOM)
    return FALSE;
  *value = r;
  return TRUE;
}

static gboolean
policy_name (const char *name,
             int        *value)
{
  HlPrunePolicy p;

  if (!hl_prune_policy_from_string (name, &p))
    return FALSE;
  *value = p;
  return TRUE;
}

static GArray *
parse_ints (const char  *option,
            const char  *text,
            GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (int));

  for (int i = 0; parts[i] != NULL; i++)
    {
      gint64 value;

      if (!g_ascii_string_to_signed (g_strstrip (parts[i]), 10, G_MININT, G_MAXINT, &value, NULL))
        {
          usage_error (error, _("%s: “%s” is not a whole number"), option, parts[i]);
          return NULL;
        }
      g_array_append_val (list, (int) { value });
    }
  if (list->len == 0)
    {
      usage_error (error, _("%s is empty"), option);
      return NULL;
    }
  return g_steal_pointer (&list);
}

static GArray *
parse_doubles (const char  *option,
               const char  *text,
               GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (double));

  for (int i = 0; parts[i] != NULL; i++)
    {
      char *end;
      double value = g_ascii_strtod (g_strstrip (parts[i]), &end);

      if (*parts[i] == '\0' || *end != '\0')
        {
          usage_error (error, _("%s: “%s” is not a number"), option, parts[i]);
          return NULL;
        }
      g_array_append_val (list, value);
    }
  if (list->len == 0)
    {
      usage_error (error, _("%s is empty"), option);
      return NULL;
    }
  return g_steal_pointer (&list);
}

static gboolean
parse_regime_order (const char  *text,
                    HlRegime    *order,
                    GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  guint seen = 0;

  for (int i = 0; parts[i] != NULL; i++)
    {
      HlRegime r;

      if (i >= HL_N_REGIMES || !hl_regime_from_string (g_strstrip (parts[i]), &r) || (seen & (1u << r)))
        break;
      order[i] = r;
      seen |= 1u << r;
    }
  if (seen != (1u << HL_N_REGIMES) - 1 || g_strv_length (parts) != HL_N_REGIMES)
    return usage_error (error, _("--regime-order is “%s”, expected the four regimes retriever, mixer, "
                                 "reset and other, each once, in the order they are pruned"), text);
  return TRUE;
}

/* The spec and its arrays (owned here; the spec borrows them). */
typedef struct
{
  HlCausalSpec spec;
  GArray      *n_list;
  GArray      *fractions;
  GArray      *queries;
} Plan;

static void
plan_clear (Plan *p)
{
  g_clear_pointer (&p->n_list, g_array_unref);
  g_clear_pointer (&p->fractions, g_array_unref);
  g_clear_pointer (&p->queries, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Plan, plan_clear)

static gboolean
parse_n (const InterveneArgs  *a,
         Plan                 *p,
         GError              **error)
{
  if (a->n == NULL)
    return TRUE;
  if (g_strcmp0 (a->n, "auto") == 0)
    {
      p->spec.n_auto = TRUE;
      return TRUE;
    }
  if ((p->n_list = parse_ints ("--n", a->n, error)) == NULL)
    return FALSE;
  p->spec.n_list = (const int *) p->n_list->data;
  p->spec.n_n = p->n_list->len;
  return TRUE;
}

static gboolean
parse_modes (const InterveneArgs  *a,
             Plan                 *p,
             GError              **error)
{
  if (a->mode == NULL)
    return TRUE;
  if (p->spec.experiment == HL_CAUSAL_TRUNCATE)
    return parse_names ("--mode", a->mode, truncate_mode_name, &p->spec.truncate_modes, error);
  return parse_names ("--mode", a->mode, ablate_mode_name, &p->spec.ablate_modes, error);
}

static gboolean
parse_sparsify (const InterveneArgs  *a,
                Plan                 *p,
                GError              **error)
{
  if (a->fractions != NULL)
    {
      if ((p->fractions = parse_doubles ("--fractions", a->fractions, error)) == NULL)
        return FALSE;
      p->spec.fractions = (const double *) p->fractions->data;
      p->spec.n_fractions = p->fractions->len;
    }
  if (a->policies != NULL && !parse_names ("--policies", a->policies, policy_name, &p->spec.policies, error))
    return FALSE;
  if (a->regime_order != NULL && !parse_regime_order (a->regime_order, p->spec.regime_order, error))
    return FALSE;
  p->spec.repeats = a->repeats;
  if (a->seed < 0)
    return usage_error (error, _("--seed is %" PRId64 ", expected a number from 0"), a->seed);
  p->spec.seed = (guint64) a->seed;
  p->spec.analysis.thresholds = a->thresholds;
  return hl_regime_thresholds_validate (&a->thresholds, error);
}

static gboolean
build_plan (const InterveneArgs  *a,
            Plan                 *p,
            GError              **error)
{
  hl_causal_spec_init (&p->spec);
  if (!hl_causal_experiment_from_string (a->experiment, &p->spec.experiment))
    return usage_error (error, _("--experiment is “%s”, expected truncate, ablate or sparsify"), a->experiment);
  p->spec.tau = a->tau;
  p->spec.score_n = a->corr_n;
  return parse_index ("--layer", a->layer, &p->spec.layer, error) &&
         parse_index ("--head", a->head, &p->spec.head, error) &&
         parse_modes (a, p, error) &&
         (a->ranking == NULL || parse_names ("--ranking", a->ranking, ranking_name, &p->spec.rankings, error)) &&
         parse_n (a, p, error) &&
         parse_sparsify (a, p, error);
}

/* The query positions of the sparsify analysis, resolved for @window. */
static gboolean
resolve_queries (const InterveneArgs  *a,
                 Plan                 *p,
                 int                   window,
                 GError              **error)
{
  g_autoptr(HlExtractOptions) options = hl_extract_options_new ();

  if (a->queries == NULL || g_strcmp0 (a->queries, "last") == 0)
    return TRUE;
  p->queries = g_array_new (FALSE, FALSE, sizeof (int));
  if (g_strcmp0 (a->queries, "all") == 0)
    for (int t = 0; t < window; t++)
      g_array_append_val (p->queries, t);
  else
    {
      if (!hl_extract_options_set_queries (options, a->queries, error))
        return FALSE;
      g_array_append_vals (p->queries, options->query_positions, options->n_query_positions);
    }
  p->spec.query_positions = (const int *) p->queries->data;
  p->spec.n_queries = p->queries->len;
  return TRUE;
}

/* The text and its windows */

static char *
read_text (const InterveneArgs  *a,
           GError              **error)
{
  g_autofree char *text = NULL;

  if (a->prompt != NULL)
    text = g_strdup (a->prompt);
  else if ((text = hl_cli_read_text_file (a->text_file, NULL, error)) == NULL)
    return NULL;
  if (*text == '\0')
    {
      g_set_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_TEXT,
                   _("the text is empty: there is no next token to predict"));
      return NULL;
    }
  return g_steal_pointer (&text);
}

static HlCausalText *
open_text (const InterveneArgs  *a,
           HlExtractResult      *plan,
           GError              **error)
{
  g_autoptr(HlModel) model = NULL;
  g_autoptr(HlTextCodec) codec = NULL;
  g_autoptr(HlExtractOptions) options = hl_extract_options_new ();
  g_autofree char *text = read_text (a, error);
  g_autofree int32_t *windows = NULL;

  if (text == NULL ||
      !hl_model_files_open (a->model, a->checkpoint, a->tokenizer, &model, &codec, NULL, error))
    return NULL;
  options->window = a->window;
  options->stride = a->stride;
  options->max_samples = a->samples;
  windows = hl_extract_text_windows (codec, text, hl_model_get_config (model)->max_positions, options, plan, error);
  if (windows == NULL)
    return NULL;
  return hl_causal_text_new (model, windows, plan->n_samples, plan->window, error);
}

/* Output */

static gboolean
write_csv (const char            *path,
           const InterveneArgs   *a,
           const HlCausalResult  *result,
           GError               **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *csv = hl_causal_result_to_csv (result);
  g_autoptr(HlOutputSet) set = hl_output_set_new (dir, HL_OUTPUT_SET_NONE, error);
  const char *inputs[] = { a->checkpoint, a->tokenizer, a->text_file };

  if (set == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
    if (inputs[i] != NULL)
      hl_output_set_add_input (set, inputs[i]);
  if (a->model != NULL)
    {
      g_autoptr(GDir) files = g_dir_open (a->model, 0, NULL);
      const char *file;

      while (files != NULL && (file = g_dir_read_name (files)) != NULL)
        {
          g_autofree char *input = g_build_filename (a->model, file, NULL);

          hl_output_set_add_input (set, input);
        }
    }
  return hl_output_set_add_contents (set, name, csv, -1, error) && hl_output_set_commit (set, error);
}

static void
print_effective (const HlCausalResult *r)
{
  for (guint i = 0; i < r->effective->len; i++)
    {
      const HlEffectiveSize *e = &g_array_index (r->effective, HlEffectiveSize, i);

      printf (_("N* = %d for layer %d head %d (%s, %s): delta NLL %.4f, %d evaluations\n"),
              e->n_star, e->target.layer, e->target.head, hl_truncate_mode_to_string (e->mode),
              hl_ranking_to_string (e->ranking), e->delta_nll, e->evaluations);
    }
}

static void
print_correlation_set (const HlCausalResult         *r,
                       const HlCausalCorrelationSet *set)
{
  static const char * const labels[] = { "F", "margin", "sink mass", "entropy", "a_last" };
  const HlCausalCorrelations *c = &set->correlations;

  if (set->experiment == HL_CAUSAL_ABLATE)
    printf (_("Does geometry predict the damage? Delta NLL of the %s ablation across heads (Pearson r):\n"),
            hl_ablate_mode_to_string (set->ablate_mode));
  else
    printf (_("Does geometry predict the damage? N* (%s, %s) across heads (Pearson r):\n"),
            hl_truncate_mode_to_string (set->truncate_mode), hl_ranking_to_string (set->ranking));
  for (int q = 0; q < HL_CAUSAL_QUANTITY_REGIME; q++)
    {
      g_autofree char *label = q <= HL_CAUSAL_QUANTITY_MARGIN ? g_strdup_printf ("%s_%d", labels[q], r->score_n)
                                                              : g_strdup (labels[q]);

      printf ("  %-10s r = %6.3f (%d heads)\n", label, c->r[q], c->n_heads[q]);
    }
  printf (_("  regime     eta = %.3f (%d heads); means:"), c->r[HL_CAUSAL_QUANTITY_REGIME],
          c->n_heads[HL_CAUSAL_QUANTITY_REGIME]);
  for (int g = 0; g < HL_N_REGIMES; g++)
    if (c->regime_count[g] > 0)
      printf (" %s %.4g (%d)", hl_regime_display_name ((HlRegime) g), c->regime_mean[g], c->regime_count[g]);
  printf ("\n");
}

static void
print_correlations (const HlCausalResult *r)
{
  for (guint i = 0; i < r->correlations->len; i++)
    print_correlation_set (r, &g_array_index (r->correlations, HlCausalCorrelationSet, i));
  if (r->correlations->len > 0)
    printf (_("  (Euclidean distance, attention ranking; the heads' geometry from their rows at the analysed "
              "query positions; nan: undefined)\n"));
}

/* How many heads have each regime, so the regime policy's order can be
 * read. */
static void
print_regimes (const HlCausalResult *r)
{
  int counts[HL_N_REGIMES] = { 0 };

  if (r->scores == NULL)
    return;
  for (int k = 0; k < r->n_layers * r->n_heads; k++)
    if (r->scores[k].n_results > 0)
      counts[r->scores[k].regime]++;
  printf (_("Heads by regime (most frequent over the analysed query positions):"));
  for (int g = 0; g < HL_N_REGIMES; g++)
    printf (" %s %d", hl_regime_display_name ((HlRegime) g), counts[g]);
  printf ("\n");
}

static void
print_summary (const InterveneArgs    *a,
               const HlExtractResult  *plan,
               const HlCausalResult   *r)
{
  printf (ngettext ("Wrote %s: %s on %d window of %d tokens", "Wrote %s: %s on %d windows of %d tokens",
                    r->n_windows),
          a->output, hl_causal_experiment_to_string (r->experiment), r->n_windows, r->window);
  printf (_(" (%d text tokens unused)\n"), plan->n_unused_tokens);
  printf (_("Unmodified next-token loss: %.4f nats per token over %" PRId64 " positions\n"),
          r->baseline_nll, r->n_scored);
  if (r->experiment == HL_CAUSAL_TRUNCATE && r->effective->len > 0)
    {
      printf (_("Effective set size N*, tau = %g nats per token:\n"), r->tau);
      print_effective (r);
    }
  print_regimes (r);
  print_correlations (r);
  printf (_("Layer passes: %" PRIu64 " (%.1f full passes of %d layers) in %.2f s\n"),
          r->layers_run, (double) r->layers_run / (r->n_layers * r->n_windows), r->n_layers, r->seconds);
}

typedef enum
{
  FIGURE_NONE,
  FIGURE_ABLATION_MAP,
  FIGURE_N_STAR_MAP,
  FIGURE_TARGET,
  FIGURE_SPARSIFY,
} FigureKind;

/* What --figure draws for @spec: a map when every head is measured on its
 * own, one target's curve, or the sparsification curves. */
static FigureKind
figure_kind (const HlCausalSpec *spec)
{
  gboolean each_head = spec->layer == HL_CAUSAL_EACH && spec->head == HL_CAUSAL_EACH;

  if (spec->experiment == HL_CAUSAL_SPARSIFY)
    return FIGURE_SPARSIFY;
  if (spec->experiment == HL_CAUSAL_ABLATE && each_head)
    return FIGURE_ABLATION_MAP;
  if (spec->experiment == HL_CAUSAL_TRUNCATE && each_head && spec->n_auto)
    return FIGURE_N_STAR_MAP;
  if (spec->experiment == HL_CAUSAL_TRUNCATE && spec->layer != HL_CAUSAL_EACH && spec->head != HL_CAUSAL_EACH)
    return FIGURE_TARGET;
  return FIGURE_NONE;
}

static gboolean
check_figure (const InterveneArgs  *a,
              const HlCausalSpec   *spec,
              GError              **error)
{
  if (a->figure == NULL || figure_kind (spec) != FIGURE_NONE)
    return TRUE;
  return usage_error (error, _("--figure draws ablate or truncate --n auto of every head (--layer each "
                               "--head each), truncate of one target (--layer and --head not each), or sparsify"));
}

static HlFigure *
build_figure (const HlCausalSpec   *spec,
              const HlCausalResult *result,
              const char           *title)
{
  switch (figure_kind (spec))
    {
    case FIGURE_ABLATION_MAP:
      return hl_figure_new_causal_map (result, HL_CAUSAL_MAP_ABLATION, -1, -1, title);
    case FIGURE_N_STAR_MAP:
      return hl_figure_new_causal_map (result, HL_CAUSAL_MAP_N_STAR, -1, -1, title);
    case FIGURE_TARGET:
      return hl_figure_new_causal_truncation (result, spec->layer, spec->head, NULL, title);
    case FIGURE_SPARSIFY:
      return hl_figure_new_sparsification (result, title);
    case FIGURE_NONE:
    default:
      return NULL;
    }
}

static gboolean
write_figure (const InterveneArgs   *a,
              const HlCausalSpec    *spec,
              const HlCausalResult  *result,
              const char            *model_name,
              GError               **error)
{
  g_autoptr(HlFigure) figure = NULL;
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (HL_PLOT_STYLE_LIGHT, HL_PLOT_TARGET_EXPORT);
  HlPlotExportOptions options = { .dpi = 300 };
  g_autofree char *title = NULL;

  if (a->figure == NULL)
    return TRUE;
  /* Translators: a figure's title: the model, then the layer and head. */
  title = figure_kind (spec) == FIGURE_TARGET && spec->layer >= 0 && spec->head >= 0
          ? g_markup_printf_escaped (_("%s · Layer %d · Head %d"), model_name, spec->layer, spec->head)
          : g_markup_escape_text (model_name, -1);
  if ((figure = build_figure (spec, result, title)) == NULL)
    return TRUE;
  hl_plot_format_from_path (a->figure, &options.format);
  options.width = 3.5;
  options.height = 2.6;
  return hl_figure_export_to_file (figure, style, &options, a->figure, error);
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  hl_cli_progress_update (user_data, done, total);
}

static int
run (InterveneArgs *a)
{
  g_auto(Plan) plan = { 0 };
  g_autoptr(HlCausalText) text = NULL;
  g_autoptr(HlCausalResult) result = NULL;
  g_autoptr(HlCliProgress) progress = NULL;
  g_autoptr(GError) error = NULL;
  HlExtractResult windows;

  if (!build_plan (a, &plan, &error) || !check_figure (a, &plan.spec, &error))
    return hl_cli_fail_usage (error);
  if ((text = open_text (a, &windows, &error)) == NULL ||
      !resolve_queries (a, &plan, windows.window, &error))
    return hl_cli_fail (error);
  hl_causal_text_set_prefix_cache (text, !a->no_cache);
  hl_cli_set_blas_threads ();
  progress = hl_cli_progress_new (_("Measuring"));
  result = hl_causal_run (text, &plan.spec, NULL, progress_cb, progress, &error);
  if (result == NULL || !write_csv (a->output, a, result, &error) ||
      !write_figure (a, &plan.spec, result, hl_model_get_name (hl_causal_text_get_model (text)), &error))
    return hl_cli_fail (error);
  print_summary (a, &windows, result);
  return 0;
}

int
hl_cli_intervene (int    argc,
                  char **argv)
{
  g_auto(InterveneArgs) a = { .tau = HL_CAUSAL_DEFAULT_TAU, .repeats = HL_CAUSAL_DEFAULT_REPEATS, .corr_n = 4 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;

  hl_regime_thresholds_init (&a.thresholds);
  context = build_context (&a);
  if (!g_option_context_parse (context, &argc, &argv, &error) || !check_required (&a, &error))
    return hl_cli_fail_usage (error);
  if (argc > 1)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("unexpected argument “%s”"), argv[1]);
      return hl_cli_fail_usage (error);
    }
  return run (&a);
}
