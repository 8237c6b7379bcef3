/* hl-cli-assumptions.c: `headlens-cli assumptions FILE...`, the taxonomy's
 * assumption checks of several files side by side (docs/metrics.md, "Does
 * the taxonomy apply?"): the paper's next check of other domains is this
 * comparison.
 *
 * Only what the checks read is computed: the diagnostics, and the
 * attention ranking with Euclidean distance for corr(R_N, rho0).
 *
 * Exit status: 0 on success, 1 when a file cannot be read or the table
 * cannot be written, 2 for a bad command line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli.h"

#include "hl-analysis.h"
#include "hl-csv.h"
#include "hl-output-set.h"

#include <glib/gi18n.h>
#include <math.h>

typedef struct
{
  char                  *out;
  int                    threads;
  HlAssumptionThresholds thresholds;
} AssumptionsOptions;

static GOptionContext *
make_context (AssumptionsOptions *o)
{
  const GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out, N_("Also write the table as CSV to FILE"), N_("FILE") },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o->threads, N_("Worker threads (0: one per core)"), "N" },
    { NULL }
  };
  GOptionContext *context = hl_cli_context_new ("assumptions", _("FILE…"),
    _("Checks the paper's assumptions on each activation file and prints them side by side: "
      "value-norm CV, sink mass, sink compression, decay fit, attention gap, corr(R_N, rho0) "
      "and whether the taxonomy applies."));
  GOptionEntry thresholds[HL_ASSUMPTION_N_THRESHOLDS + 1] = { { NULL } };

  for (int i = 0; i < HL_ASSUMPTION_N_THRESHOLDS; i++)
    {
      const HlAssumptionThresholdInfo *info = &hl_assumption_threshold_infos ()[i];

      thresholds[i] = (GOptionEntry) { info->name, 0, 0, G_OPTION_ARG_DOUBLE,
                                       &G_STRUCT_MEMBER (double, &o->thresholds, info->offset),
                                       info->description, "X" };
    }
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, thresholds, GETTEXT_PACKAGE);
  return context;
}

static HlAssumptions *
check_file (const char               *path,
            const AssumptionsOptions *o,
            GError                  **error)
{
  g_autoptr(HlActivations) file = hl_activations_open (path, error);
  g_autoptr(HlAnalysis) analysis = NULL;
  HlAssumptions copy;
  HlAnalysisOptions options;

  if (file == NULL)
    return NULL;
  hl_analysis_options_init (&options);
  options.head.rankings = 1u << HL_RANKING_ATTENTION;
  options.head.distances = 1u << HL_DISTANCE_EUCLIDEAN;
  options.bootstrap = 0;
  options.threads = o->threads;
  options.assumptions = o->thresholds;
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, error);
  if (analysis == NULL)
    return NULL;
  /* A copy without the heads, which the table does not show. */
  copy = *hl_analysis_get_assumptions (analysis);
  copy.n_heads = 0;
  copy.heads = NULL;
  return g_memdup2 (&copy, sizeof copy);
}

static const char *
holds_text (HlCheckOutcome outcome)
{
  return outcome == HL_CHECK_HOLDS ? _("yes") : outcome == HL_CHECK_FAILS ? _("no") : "";
}

/* "0.0400 yes", or "—" for an undefined value. */
static char *
cell (const HlCheckResult *c)
{
  if (isnan (c->value))
    return g_strdup ("—");
  return g_strdup_printf ("%.4g %s", c->value, holds_text (c->outcome));
}

static void
print_table (char                **paths,
             int                   n_files,
             HlAssumptions * const *all)
{
  g_print ("%-18s %-9s", _("check"), _("threshold"));
  for (int f = 0; f < n_files; f++)
    {
      g_autofree char *name = g_path_get_basename (paths[f]);

      g_print ("  %-20s", name);
    }
  g_print ("\n");
  for (int c = 0; c < HL_N_CHECKS; c++)
    {
      g_print ("%-18s %-9g", hl_check_to_string (c), all[0]->checks[c].threshold);
      for (int f = 0; f < n_files; f++)
        {
          g_autofree char *text = cell (&all[f]->checks[c]);

          g_print ("  %-20s", text);
        }
      g_print ("\n");
    }
  g_print ("%-18s %-9s", "taxonomy", "");
  for (int f = 0; f < n_files; f++)
    g_print ("  %-20s", hl_taxonomy_verdict_to_string (all[f]->verdict));
  g_print ("\n");
}

/* `file,check,value,threshold,holds`: the model rows of assumptions.csv
 * of every file, the file's path quoted. */
static char *
table_csv (char                **paths,
           int                   n_files,
           HlAssumptions * const *all)
{
  GString *out = g_string_new ("file,check,value,threshold,holds\n");

  for (int f = 0; f < n_files; f++)
    {
      g_autoptr(GString) q = g_string_new (NULL);
      const char *quoted;

      hl_csv_append_quoted (q, paths[f]);
      quoted = q->str;
      for (int c = 0; c < HL_N_CHECKS; c++)
        {
          const HlCheckResult *r = &all[f]->checks[c];

          g_string_append_printf (out, "%s,%s", quoted, hl_check_to_string (c));
          hl_csv_append_number (out, r->value);
          hl_csv_append_number (out, r->threshold);
          g_string_append_printf (out, ",%s\n", r->outcome == HL_CHECK_UNDEFINED ? ""
                                                : r->outcome == HL_CHECK_HOLDS ? "true" : "false");
        }
      g_string_append_printf (out, "%s,taxonomy,%s,,%s\n", quoted,
                              hl_taxonomy_verdict_to_string (all[f]->verdict),
                              all[f]->verdict == HL_TAXONOMY_APPLIES ? "true" : "false");
    }
  return g_string_free (out, FALSE);
}

static gboolean
write_csv (const char  *path,
           char       **inputs,
           int          n_inputs,
           const char  *contents,
           GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(HlOutputSet) set = hl_output_set_new (dir, HL_OUTPUT_SET_NONE, error);

  if (set == NULL)
    return FALSE;
  for (int i = 0; i < n_inputs; i++)
    hl_output_set_add_input (set, inputs[i]);
  return hl_output_set_add_contents (set, name, contents, -1, error)
         && hl_output_set_commit (set, error);
}

int
hl_cli_assumptions (int    argc,
                    char **argv)
{
  AssumptionsOptions o = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  int status = 0;

  hl_assumption_thresholds_init (&o.thresholds);
  context = make_context (&o);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hl_cli_fail_usage (error);
  out = g_steal_pointer (&o.out);
  if (argc < 2 || o.threads < 0 || !hl_assumption_thresholds_validate (&o.thresholds, &error))
    {
      if (error == NULL)
        g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     argc < 2 ? _("expected at least one FILE") : _("--threads cannot be negative"));
      return hl_cli_fail_usage (error);
    }
  for (int f = 1; f < argc; f++)
    {
      HlAssumptions *a = check_file (argv[f], &o, &error);

      if (a == NULL)
        return hl_cli_fail (error);
      g_ptr_array_add (all, a);
    }
  print_table (argv + 1, argc - 1, (HlAssumptions * const *) all->pdata);
  if (out != NULL)
    {
      g_autofree char *csv = table_csv (argv + 1, argc - 1, (HlAssumptions * const *) all->pdata);

      if (!write_csv (out, argv + 1, argc - 1, csv, &error))
        status = hl_cli_fail (error);
    }
  return status;
}
