/* hl-planted.c: a synthetic file's planted patterns against the rule.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-planted.h"

#include <glib/gi18n.h>

/* The file's /synth/regime [n_layers, n_heads], or NULL (with an error
 * when it is there but unreadable or of another shape). */
static int32_t *
read_patterns (HlAnalysis  *analysis,
               GError     **error)
{
  HlActivations *file = hl_analysis_get_file (analysis);
  const HlActivationsInfo *info = hl_activations_get_info (file);
  g_autofree int32_t *patterns = NULL;
  gsize n = 0;

  patterns = hl_activations_read_int_dataset (file, HL_PLANTED_DATASET, &n, error);
  if (patterns != NULL && n != (gsize) info->n_layers * info->n_heads)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s has %zu elements, expected n_layers × n_heads = %d × %d"),
                   HL_PLANTED_DATASET, n, info->n_layers, info->n_heads);
      return NULL;
    }
  return g_steal_pointer (&patterns);
}

static gboolean
is_pattern (int32_t pattern)
{
  return pattern >= 0 && pattern < HL_N_REGIMES;
}

static gboolean
compare (HlAnalysis    *analysis,
         const int32_t *patterns,
         HlPlanted     *planted)
{
  int n_heads = hl_activations_get_info (hl_analysis_get_file (analysis))->n_heads;
  guint n = hl_analysis_get_n_results (analysis);

  *planted = (HlPlanted) { 0 };
  for (guint i = 0; i < n; i++)
    {
      const HlHeadResult *r = hl_analysis_get_result (analysis, i);
      int32_t pattern = patterns[r->layer * n_heads + r->head];

      if (!is_pattern (pattern))
        continue;
      planted->n_results++;
      planted->n_agree += (int) r->regime == pattern;
    }
  return planted->n_results > 0;
}

gboolean
hl_planted_compare (HlAnalysis  *analysis,
                    HlPlanted   *planted,
                    GError     **error)
{
  g_autofree int32_t *patterns = NULL;

  g_return_val_if_fail (HL_IS_ANALYSIS (analysis), FALSE);
  g_return_val_if_fail (planted != NULL, FALSE);

  *planted = (HlPlanted) { 0 };
  patterns = read_patterns (analysis, error);
  return patterns != NULL && compare (analysis, patterns, planted);
}

char *
hl_planted_describe (const HlPlanted *planted)
{
  g_return_val_if_fail (planted != NULL, NULL);

  return g_strdup_printf (_("Synthetic file: its generator planted the heads' regime patterns "
                            "(%s), so they are the input, not a finding; the rule names the "
                            "planted pattern for %d of %d results."),
                          HL_PLANTED_DATASET, planted->n_agree, planted->n_results);
}

/* The same, short enough for a figure: two lines. */
static char *
planted_note (const HlPlanted *planted)
{
  /* Translators: two lines of at most about 46 characters, under a figure's title. */
  return g_strdup_printf (_("Planted by the synthetic generator, not found:\n"
                            "the rule names %d of %d planted patterns"),
                          planted->n_agree, planted->n_results);
}

/* What @analysis's file planted, read once and kept with the analysis. */
typedef struct
{
  gboolean  present;   /* some analysed head has a pattern */
  HlPlanted planted;
  int32_t  *patterns;  /* [n_layers * n_heads] or NULL */
  int       n_heads;
} Kept;

static void
kept_free (gpointer data)
{
  Kept *kept = data;

  g_free (kept->patterns);
  g_free (kept);
}

static const Kept *
kept_of (HlAnalysis *analysis)
{
  GQuark quark = g_quark_from_static_string ("hl-planted");
  Kept *kept = g_object_get_qdata (G_OBJECT (analysis), quark);

  if (kept == NULL)
    {
      kept = g_new0 (Kept, 1);
      kept->patterns = read_patterns (analysis, NULL);
      kept->n_heads = hl_activations_get_info (hl_analysis_get_file (analysis))->n_heads;
      kept->present = kept->patterns != NULL && compare (analysis, kept->patterns, &kept->planted);
      g_object_set_qdata_full (G_OBJECT (analysis), quark, kept, kept_free);
    }
  return kept;
}

gboolean
hl_planted_pattern (HlAnalysis *analysis,
                    int         layer,
                    int         head,
                    HlRegime   *pattern)
{
  const Kept *kept;
  const HlActivationsInfo *info;
  int32_t value;

  g_return_val_if_fail (HL_IS_ANALYSIS (analysis), FALSE);
  g_return_val_if_fail (pattern != NULL, FALSE);

  kept = kept_of (analysis);
  info = hl_activations_get_info (hl_analysis_get_file (analysis));
  if (kept->patterns == NULL || layer < 0 || layer >= info->n_layers || head < 0
      || head >= info->n_heads)
    return FALSE;
  value = kept->patterns[layer * kept->n_heads + head];
  if (!is_pattern (value))
    return FALSE;
  *pattern = (HlRegime) value;
  return TRUE;
}

char *
hl_planted_regimes_note (HlAnalysis *analysis,
                         gboolean   *faded)
{
  g_autofree char *caveat = NULL;
  g_autofree char *planted = NULL;
  const Kept *kept;

  g_return_val_if_fail (HL_IS_ANALYSIS (analysis), NULL);

  caveat = hl_assumptions_caveat (hl_analysis_get_assumptions (analysis));
  kept = kept_of (analysis);
  if (kept->present)
    planted = planted_note (&kept->planted);
  if (faded != NULL)
    *faded = caveat != NULL;
  if (caveat != NULL && planted != NULL)
    return g_strconcat (caveat, "\n", planted, NULL);
  return caveat != NULL ? g_steal_pointer (&caveat) : g_steal_pointer (&planted);
}
