/* hl-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-types.h"

#include <glib/gi18n.h>
#include <string.h>

G_DEFINE_ENUM_TYPE (HlRanking, hl_ranking,
  G_DEFINE_ENUM_VALUE (HL_RANKING_ATTENTION, "attention"),
  G_DEFINE_ENUM_VALUE (HL_RANKING_CONTRIBUTION, "contribution"),
  G_DEFINE_ENUM_VALUE (HL_RANKING_RANDOM, "random"))

G_DEFINE_ENUM_TYPE (HlDistance, hl_distance,
  G_DEFINE_ENUM_VALUE (HL_DISTANCE_EUCLIDEAN, "euclidean"),
  G_DEFINE_ENUM_VALUE (HL_DISTANCE_COSINE, "cosine"))

static const char * const ranking_names[HL_N_RANKINGS] = { "attention", "contribution", "random" };
static const char * const distance_names[HL_N_DISTANCES] = { "euclidean", "cosine" };
static const char * const regime_names[HL_N_REGIMES] = { "retriever", "mixer", "reset", "other" };
static const char * const ranking_display_names[HL_N_RANKINGS] = {
  N_("attention"), N_("contribution"), N_("random"),
};
static const char * const regime_display_names[HL_N_REGIMES] = {
  N_("Retriever"), N_("Mixer"), N_("Reset"), N_("Other"),
};

const char *
hl_ranking_to_string (HlRanking ranking)
{
  g_return_val_if_fail (ranking < HL_N_RANKINGS, NULL);
  return ranking_names[ranking];
}

const char *
hl_distance_to_string (HlDistance distance)
{
  g_return_val_if_fail (distance < HL_N_DISTANCES, NULL);
  return distance_names[distance];
}

const char *
hl_regime_to_string (HlRegime regime)
{
  g_return_val_if_fail (regime < HL_N_REGIMES, NULL);
  return regime_names[regime];
}

const char *
hl_ranking_display_name (HlRanking ranking)
{
  g_return_val_if_fail (ranking < HL_N_RANKINGS, NULL);
  return _(ranking_display_names[ranking]);
}

char *
hl_scope_label (gboolean all_samples,
                gboolean all_queries,
                int      n_samples,
                int      n_queries,
                int      sample,
                int      position)
{
  if (all_samples && all_queries)
    /* Translators: e.g. "mean over 4 samples × 16 queries" */
    return g_strdup_printf (_("mean over %d × %d samples and queries"), n_samples, n_queries);
  if (all_samples)
    return g_strdup_printf (ngettext ("mean over %d sample at t = %d",
                                      "mean over %d samples at t = %d", n_samples),
                            n_samples, position);
  if (all_queries)
    return g_strdup_printf (ngettext ("mean over %d query of sample %d",
                                      "mean over %d queries of sample %d", n_queries),
                            n_queries, sample);
  /* Translators: the sample and query position shown, e.g. "sample 0, t = 287" */
  return g_strdup_printf (_("sample %d, t = %d"), sample, position);
}

const char *
hl_regime_display_name (HlRegime regime)
{
  g_return_val_if_fail (regime < HL_N_REGIMES, NULL);
  return _(regime_display_names[regime]);
}

static gboolean
index_of_name (const char * const *names,
               int                 n_names,
               const char         *str,
               int                *out)
{
  for (int i = 0; i < n_names; i++)
    if (g_strcmp0 (names[i], str) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
hl_ranking_from_string (const char *str,
                        HlRanking  *out)
{
  int i;

  if (!index_of_name (ranking_names, HL_N_RANKINGS, str, &i))
    return FALSE;
  *out = (HlRanking) i;
  return TRUE;
}

gboolean
hl_distance_from_string (const char *str,
                         HlDistance *out)
{
  int i;

  if (!index_of_name (distance_names, HL_N_DISTANCES, str, &i))
    return FALSE;
  *out = (HlDistance) i;
  return TRUE;
}

gboolean
hl_regime_from_string (const char *str,
                       HlRegime   *out)
{
  int i;

  if (!index_of_name (regime_names, HL_N_REGIMES, str, &i))
    return FALSE;
  *out = (HlRegime) i;
  return TRUE;
}

static int
compare_ints (const void *a,
              const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

/* The list form keeps the values that are valid for this query (1 <= N < t+1),
 * sorted and without repeats, so one list serves queries of any position. */
static int
grid_from_list (const int *list,
                int        n_list,
                int        n_keys,
                int       *out)
{
  int n = 0;

  for (int i = 0; i < n_list; i++)
    if (list[i] >= 1 && list[i] < n_keys)
      out[n++] = list[i];
  qsort (out, n, sizeof (int), compare_ints);

  int unique = 0;
  for (int i = 0; i < n; i++)
    if (unique == 0 || out[unique - 1] != out[i])
      out[unique++] = out[i];
  return unique;
}

int
hl_grid_build (HlGridKind  kind,
               const int  *list,
               int         n_list,
               int         n_keys,
               int        *out)
{
  int n = 0;

  g_return_val_if_fail (out != NULL, 0);

  switch (kind)
    {
    case HL_GRID_POW2:
      for (int v = 1; v < n_keys; v *= 2)
        out[n++] = v;
      return n;
    case HL_GRID_ALL:
      for (int v = 1; v < n_keys; v++)
        out[n++] = v;
      return n;
    case HL_GRID_LIST:
      return grid_from_list (list, n_list, n_keys, out);
    default:
      g_return_val_if_reached (0);
    }
}
