/* hl-planted.c: a synthetic file's planted patterns against the rule.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-planted.h"

#include <glib/gi18n.h>

gboolean
hl_planted_compare (HlAnalysis  *analysis,
                    HlPlanted   *planted,
                    GError     **error)
{
  HlActivations *file;
  const HlActivationsInfo *info;
  g_autofree int32_t *truth = NULL;
  gsize n_truth = 0;
  guint n;

  g_return_val_if_fail (HL_IS_ANALYSIS (analysis), FALSE);
  g_return_val_if_fail (planted != NULL, FALSE);

  *planted = (HlPlanted) { 0 };
  file = hl_analysis_get_file (analysis);
  info = hl_activations_get_info (file);
  truth = hl_activations_read_int_dataset (file, HL_PLANTED_DATASET, &n_truth, error);
  if (truth == NULL)
    return FALSE;
  if (n_truth != (gsize) info->n_layers * info->n_heads)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s has %zu elements, expected n_layers × n_heads = %d × %d"),
                   HL_PLANTED_DATASET, n_truth, info->n_layers, info->n_heads);
      return FALSE;
    }
  n = hl_analysis_get_n_results (analysis);
  for (guint i = 0; i < n; i++)
    {
      const HlHeadResult *r = hl_analysis_get_result (analysis, i);
      int32_t pattern = truth[r->layer * info->n_heads + r->head];

      if (pattern < 0 || pattern >= HL_N_REGIMES)
        continue;
      planted->n_results++;
      planted->n_agree += (int) r->regime == pattern;
    }
  return planted->n_results > 0;
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

/* The comparison of @analysis, made once and kept with it; NULL when its
 * file plants nothing or its dataset cannot be read. */
static const HlPlanted *
planted_of (HlAnalysis *analysis)
{
  GQuark quark = g_quark_from_static_string ("hl-planted");
  struct { gboolean present; HlPlanted planted; } *kept;

  kept = g_object_get_qdata (G_OBJECT (analysis), quark);
  if (kept == NULL)
    {
      kept = g_malloc0 (sizeof *kept);
      kept->present = hl_planted_compare (analysis, &kept->planted, NULL);
      g_object_set_qdata_full (G_OBJECT (analysis), quark, kept, g_free);
    }
  return kept->present ? &kept->planted : NULL;
}

char *
hl_planted_regimes_note (HlAnalysis *analysis,
                         gboolean   *faded)
{
  g_autofree char *caveat = NULL;
  g_autofree char *planted = NULL;
  const HlPlanted *p;

  g_return_val_if_fail (HL_IS_ANALYSIS (analysis), NULL);

  caveat = hl_assumptions_caveat (hl_analysis_get_assumptions (analysis));
  if ((p = planted_of (analysis)) != NULL)
    planted = planted_note (p);
  if (faded != NULL)
    *faded = caveat != NULL;
  if (caveat != NULL && planted != NULL)
    return g_strconcat (caveat, "\n", planted, NULL);
  return caveat != NULL ? g_steal_pointer (&caveat) : g_steal_pointer (&planted);
}
