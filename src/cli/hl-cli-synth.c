/* hl-cli-synth.c: `headlens-cli synth`, writes a synthetic activation file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli.h"

#include "hl-synth-model.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define HL_CLI_SYNTH_ERROR (hl_cli_synth_error_quark ())
GQuark hl_cli_synth_error_quark (void);
G_DEFINE_QUARK (hl-cli-synth-error-quark, hl_cli_synth_error)

typedef enum
{
  HL_CLI_SYNTH_ERROR_OPTION,
} HlCliSynthError;

/* The parsed command line; strings are owned. */
typedef struct
{
  HlSynthModelParams  params;
  char               *output;
  char               *model;
  char               *queries;
  char               *dtype;
  char               *profile;
  gint64              seed;
  int                 kv_heads;        /* -1: as many as heads */
  int                 gzip_level;
  GArray             *query_list;      /* int, when --queries is not "last" */
} SynthOptions;

static void
synth_options_clear (SynthOptions *o)
{
  g_clear_pointer (&o->output, g_free);
  g_clear_pointer (&o->model, g_free);
  g_clear_pointer (&o->queries, g_free);
  g_clear_pointer (&o->dtype, g_free);
  g_clear_pointer (&o->profile, g_free);
  g_clear_pointer (&o->query_list, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SynthOptions, synth_options_clear)

/* --gzip alone means level 6; --gzip=N picks the level. */
static gboolean
gzip_option_cb (const char  *option_name,
                const char  *value,
                gpointer     data,
                GError     **error)
{
  SynthOptions *o = data;
  gint64 level = 6;

  if (value != NULL && !g_ascii_string_to_signed (value, 10, 0, 9, &level, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--gzip is “%s”, expected a level from 0 to 9"), value);
      return FALSE;
    }
  o->gzip_level = (int) level;
  return TRUE;
}

static GOptionContext *
make_context (SynthOptions *o)
{
  HlSynthModelParams *p = &o->params;
  HlSynthHeadParams *h = &p->head;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output, N_("Write the activation file to FILE (required)"), N_("FILE") },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &o->model, N_("Model name stored in the file (synthetic)"), N_("NAME") },
    { "layers", 0, 0, G_OPTION_ARG_INT, &p->n_layers, N_("Number of layers (12)"), "N" },
    { "heads", 0, 0, G_OPTION_ARG_INT, &p->n_heads, N_("Query heads per layer (12)"), "N" },
    { "kv-heads", 0, 0, G_OPTION_ARG_INT, &o->kv_heads, N_("Key/value heads per layer, dividing heads (as many as heads)"), "N" },
    { "head-dim", 0, 0, G_OPTION_ARG_INT, &p->head_dim, N_("Dimension of each head (64)"), "N" },
    { "seq-len", 0, 0, G_OPTION_ARG_INT, &p->seq_len, N_("Tokens per sample (512)"), "N" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &p->n_samples, N_("Number of samples (4)"), "N" },
    { "queries", 0, 0, G_OPTION_ARG_STRING, &o->queries, N_("Query positions: last, all or a comma-separated list (last)"), N_("WHICH") },
    { "dtype", 0, 0, G_OPTION_ARG_STRING, &o->dtype, N_("Value type: f16, f32 or f64 (f32)"), N_("TYPE") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed, N_("Random seed (1)"), "N" },
    { "norm-mean", 0, 0, G_OPTION_ARG_DOUBLE, &h->norm_mean, N_("Mean value norm (1)"), "X" },
    { "cv", 0, 0, G_OPTION_ARG_DOUBLE, &h->norm_cv, N_("Coefficient of variation of value norms, 0–0.3 (0.04)"), "X" },
    { "lambda", 0, 0, G_OPTION_ARG_DOUBLE, &h->sink_lambda, N_("Sink compression: sink value norm over the mean norm (0.2)"), "X" },
    { "beta", 0, 0, G_OPTION_ARG_DOUBLE, &h->beta, N_("Similarity decay: cos(v_i, v_j) ≈ exp(-beta |i-j|) (0.1)"), "X" },
    { "rho0-min", 0, 0, G_OPTION_ARG_DOUBLE, &p->rho0_min, N_("Lowest sink similarity drawn per kv head (-0.3)"), "X" },
    { "rho0-max", 0, 0, G_OPTION_ARG_DOUBLE, &p->rho0_max, N_("Highest sink similarity drawn per kv head (0.4)"), "X" },
    { "rho0-spread", 0, 0, G_OPTION_ARG_DOUBLE, &h->rho0_spread, N_("Standard deviation of cos(v_0, v_i) over the keys of a head, 0–0.5 (0.1)"), "X" },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &o->profile, N_("Attention profile of every head: paper (the planted patterns), uniform, bimodal or power-law (paper)"), N_("PROFILE") },
    { "gamma", 0, 0, G_OPTION_ARG_DOUBLE, &h->gamma, N_("Exponent of the power-law profile, alpha_i ~ (i + 1)^-gamma, 0–5 (1)"), "X" },
    { "sink-mass", 0, 0, G_OPTION_ARG_DOUBLE, &p->sink_pattern_mass, N_("Attention mass alpha_0 of the sink pattern's heads, 0–1 (0.97); with a small --lambda, compressed sinks"), "X" },
    { "content-size", 0, 0, G_OPTION_ARG_INT, &h->content_size, N_("Length of the content span Mixer heads attend to (8)"), "N" },
    { "content-similarity", 0, 0, G_OPTION_ARG_DOUBLE, &h->content_similarity, N_("Extra pull of the content span towards one direction, 0–1 (0)"), "X" },
    { "osc-amplitude", 0, 0, G_OPTION_ARG_DOUBLE, &h->osc_amplitude, N_("Relative oscillation of the attention plateau, 0–1 (0.3)"), "X" },
    { "osc-period", 0, 0, G_OPTION_ARG_DOUBLE, &h->osc_period, N_("Oscillation period in tokens (24)"), "X" },
    { "noise", 0, 0, G_OPTION_ARG_DOUBLE, &h->noise, N_("Log-normal jitter of plateau weights, 0–2 (0.3)"), "X" },
    { "temperature", 0, 0, G_OPTION_ARG_DOUBLE, &h->temperature, N_("Attention temperature (1)"), "X" },
    { "jitter", 0, 0, G_OPTION_ARG_DOUBLE, &p->jitter, N_("Per-head log-normal jitter of the profile masses, 0–0.3 (0.15)"), "X" },
    { "gzip", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, gzip_option_cb, N_("Compress datasets with gzip (level 6, or LEVEL)"), N_("LEVEL") },
    { NULL }
  };
  GOptionContext *context = hl_cli_context_new ("synth", NULL, NULL);
  GOptionGroup *group = g_option_group_new ("synth", NULL, NULL, o, NULL);

  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context,
    _("Writes an activation file (schema v1) of synthetic heads that follow the paper’s "
      "assumptions, deterministic for a seed. Each head is planted with an attention pattern "
      "(last token, sink, or sink then content) in a depth-dependent mix, stored in "
      "/synth/regime: a regime plot of the file shows these planted patterns, not a finding. "
      "The generator never calls the regime rule. See docs/synthetic-data.md."));
  return context;
}

static gboolean
parse_dtype (const char *str,
             HlDtype    *out,
             GError    **error)
{
  static const char * const names[] = { "f16", "f32", "f64" };

  for (int i = 0; i < 3; i++)
    if (g_strcmp0 (str, names[i]) == 0)
      {
        *out = (HlDtype) i;
        return TRUE;
      }
  g_set_error (error, HL_CLI_SYNTH_ERROR, HL_CLI_SYNTH_ERROR_OPTION,
               _("--dtype is “%s”, expected f16, f32 or f64"), str);
  return FALSE;
}

static gboolean
parse_query_list (SynthOptions  *o,
                  GError       **error)
{
  g_auto(GStrv) parts = g_strsplit (o->queries, ",", -1);

  o->query_list = g_array_new (FALSE, FALSE, sizeof (int));
  for (int i = 0; parts[i] != NULL; i++)
    {
      gint64 t;

      if (!g_ascii_string_to_signed (g_strstrip (parts[i]), 10, 0, G_MAXINT, &t, NULL))
        {
          g_set_error (error, HL_CLI_SYNTH_ERROR, HL_CLI_SYNTH_ERROR_OPTION,
                       _("--queries has “%s”, expected last, all or a comma-separated list "
                         "of positions"), parts[i]);
          return FALSE;
        }
      g_array_append_val (o->query_list, t);
    }
  return TRUE;
}

static gboolean
parse_queries (SynthOptions  *o,
               GError       **error)
{
  if (o->queries == NULL || g_strcmp0 (o->queries, "last") == 0)
    return TRUE;
  if (g_strcmp0 (o->queries, "all") == 0)
    {
      o->query_list = g_array_new (FALSE, FALSE, sizeof (int));
      for (int t = 0; t < o->params.seq_len; t++)
        g_array_append_val (o->query_list, t);
    }
  else if (!parse_query_list (o, error))
    return FALSE;
  o->params.n_queries = o->query_list->len;
  o->params.query_positions = (const int *) (gpointer) o->query_list->data;
  return TRUE;
}

/* "paper" is the piecewise profile with the planted patterns. */
static gboolean
parse_profile (const char      *str,
               HlSynthProfile  *out,
               GError         **error)
{
  if (g_strcmp0 (str, "paper") == 0)
    {
      *out = HL_SYNTH_PROFILE_PIECEWISE;
      return TRUE;
    }
  if (g_strcmp0 (str, "piecewise") != 0 && hl_synth_profile_from_string (str, out))
    return TRUE;
  g_set_error (error, HL_CLI_SYNTH_ERROR, HL_CLI_SYNTH_ERROR_OPTION,
               _("--profile is “%s”, expected paper, uniform, bimodal or power-law"), str);
  return FALSE;
}

/* Every numeric option against the generator's ranges, so that a NaN or
 * an out-of-range value is refused naming the option (the generator names
 * its parameters). */
static gboolean
check_numbers (const SynthOptions  *o,
               GError             **error)
{
  const HlSynthModelParams *p = &o->params;
  const HlSynthHeadParams *h = &p->head;
  const struct { const char *option; gint64 value, min, max; } ints[] = {
    { "--layers", p->n_layers, 1, 1024 }, { "--heads", p->n_heads, 1, 1024 },
    /* -1, the default, is as many as heads. */
    { "--kv-heads", o->kv_heads == -1 ? p->n_heads : o->kv_heads, 1, p->n_heads },
    { "--head-dim", p->head_dim, 2, 4096 },
    { "--seq-len", p->seq_len, 1, 65536 }, { "--samples", p->n_samples, 1, 100000 },
    { "--content-size", h->content_size, 0, p->seq_len }, { "--seed", o->seed, 0, G_MAXINT64 },
  };
  const struct { const char *option; double value, min, max; } doubles[] = {
    { "--norm-mean", h->norm_mean, 1e-6, 1e6 }, { "--cv", h->norm_cv, 0, 0.3 },
    { "--lambda", h->sink_lambda, 0, 10 }, { "--beta", h->beta, 0.001, 10 },
    { "--rho0-min", p->rho0_min, -0.95, 0.95 }, { "--rho0-max", p->rho0_max, p->rho0_min, 0.95 },
    { "--rho0-spread", h->rho0_spread, 0, 0.5 }, { "--gamma", h->gamma, 0, 5 },
    { "--sink-mass", p->sink_pattern_mass, 0, 1 },
    { "--content-similarity", h->content_similarity, 0, 1 },
    { "--osc-amplitude", h->osc_amplitude, 0, 1 }, { "--osc-period", h->osc_period, 2, 1e6 },
    { "--noise", h->noise, 0, 2 }, { "--temperature", h->temperature, 0.05, 20 },
    { "--jitter", p->jitter, 0, 0.3 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    if (!hl_cli_check_int (ints[i].option, ints[i].value, ints[i].min, ints[i].max, error))
      return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    if (!hl_cli_check_double (doubles[i].option, doubles[i].value, doubles[i].min,
                              doubles[i].max, error))
      return FALSE;
  return hl_cli_check_utf8 ("--model", o->model, error);
}

static gboolean
finish_options (SynthOptions  *o,
                GError       **error)
{
  HlSynthModelParams *p = &o->params;

  if (o->output == NULL)
    {
      g_set_error (error, HL_CLI_SYNTH_ERROR, HL_CLI_SYNTH_ERROR_OPTION,
                   _("no output file given, expected -o FILE"));
      return FALSE;
    }
  if (!check_numbers (o, error))
    return FALSE;
  p->seed = (guint64) o->seed;
  p->n_kv_heads = o->kv_heads < 0 ? p->n_heads : o->kv_heads;
  p->gzip_level = o->gzip_level;
  if (o->model != NULL)
    p->model = o->model;
  if (o->dtype != NULL && !parse_dtype (o->dtype, &p->values_dtype, error))
    return FALSE;
  if (o->profile != NULL && !parse_profile (o->profile, &p->head.profile, error))
    return FALSE;
  return parse_queries (o, error) && hl_synth_model_params_validate (p, error);
}

static void
append_double (GString    *s,
               const char *name,
               double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (s, " --%s %s", name, g_ascii_formatd (buf, sizeof buf, "%g", value));
}

/* The command that reproduces the file, with every effective value, so the
 * file's "source" attribute does not depend on today's defaults. */
static char *
source_string (const SynthOptions *o)
{
  const HlSynthModelParams *p = &o->params;
  const HlSynthHeadParams *h = &p->head;
  static const char * const dtypes[] = { "f16", "f32", "f64" };
  g_autofree char *model = g_shell_quote (p->model);
  GString *s = g_string_new ("headlens-cli synth");

  g_string_append_printf (s, " --model %s --layers %d --heads %d --kv-heads %d --head-dim %d"
                          " --seq-len %d --samples %d --queries %s --dtype %s --seed %" G_GUINT64_FORMAT,
                          model, p->n_layers, p->n_heads, p->n_kv_heads, p->head_dim,
                          p->seq_len, p->n_samples, o->queries != NULL ? o->queries : "last",
                          dtypes[p->values_dtype], p->seed);
  append_double (s, "norm-mean", h->norm_mean);
  append_double (s, "cv", h->norm_cv);
  append_double (s, "lambda", h->sink_lambda);
  append_double (s, "beta", h->beta);
  append_double (s, "rho0-min", p->rho0_min);
  append_double (s, "rho0-max", p->rho0_max);
  append_double (s, "rho0-spread", h->rho0_spread);
  g_string_append_printf (s, " --profile %s", h->profile == HL_SYNTH_PROFILE_PIECEWISE
                                              ? "paper" : hl_synth_profile_to_string (h->profile));
  append_double (s, "gamma", h->gamma);
  append_double (s, "sink-mass", p->sink_pattern_mass);
  g_string_append_printf (s, " --content-size %d", h->content_size);
  append_double (s, "content-similarity", h->content_similarity);
  append_double (s, "osc-amplitude", h->osc_amplitude);
  append_double (s, "osc-period", h->osc_period);
  append_double (s, "noise", h->noise);
  append_double (s, "temperature", h->temperature);
  append_double (s, "jitter", p->jitter);
  if (p->gzip_level > 0)
    g_string_append_printf (s, " --gzip=%d", p->gzip_level);
  return g_string_free (s, FALSE);
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  hl_cli_progress_update (user_data, done, total);
}

static int
run_synth (SynthOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = source_string (o);
  g_autoptr(HlCliProgress) progress = hl_cli_progress_new (_("Generating"));

  if (!hl_synth_model_write (&o->params, o->output, source, progress_cb, progress, NULL, &error))
    return hl_cli_fail (error);
  printf (_("Wrote %s: %d layers × %d heads (%d kv heads), %d samples of %d tokens\n"),
          o->output, o->params.n_layers, o->params.n_heads, o->params.n_kv_heads,
          o->params.n_samples, o->params.seq_len);
  return 0;
}

int
hl_cli_synth (int    argc,
              char **argv)
{
  g_auto(SynthOptions) o = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;

  hl_synth_model_params_init (&o.params);
  o.seed = (gint64) o.params.seed;
  o.kv_heads = -1;
  context = make_context (&o);
  g_option_context_set_help_enabled (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hl_cli_fail_usage (error);
  if (argc > 1)
    {
      g_set_error (&error, HL_CLI_SYNTH_ERROR, HL_CLI_SYNTH_ERROR_OPTION,
                   _("unexpected argument “%s”; the output file is given with -o FILE"), argv[1]);
      return hl_cli_fail_usage (error);
    }
  if (!finish_options (&o, &error))
    return hl_cli_fail (error);
  return run_synth (&o);
}
