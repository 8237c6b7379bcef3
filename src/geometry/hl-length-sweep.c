/* hl-length-sweep.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-length-sweep.h"
#include "hl-analysis.h"
#include "hl-csv.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

static int
compare_ints (const void *a,
              const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;

  return (x > y) - (x < y);
}

/* Every query position of @results as a window length, sorted, once. */
static GArray *
present_windows (HlHeadResult * const *results,
                 guint                 n)
{
  GArray *windows = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < n; i++)
    {
      int window = results[i]->query_position + 1;

      if (g_hash_table_add (seen, GINT_TO_POINTER (window)))
        g_array_append_val (windows, window);
    }
  g_array_sort (windows, compare_ints);
  return windows;
}

static char *
positions_text (HlHeadResult * const *results,
                guint                 n)
{
  g_autoptr(GArray) windows = present_windows (results, n);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < windows->len; i++)
    g_string_append_printf (text, "%s%d", i > 0 ? ", " : "", g_array_index (windows, int, i) - 1);
  return g_string_free (text, FALSE);
}

static void
window_build (HlSweepWindow *w,
              GPtrArray     *results)
{
  double sum = 0.0;
  int count = 0;

  w->n_results = results->len;
  w->summary = hl_model_summary_new ((HlHeadResult * const *) results->pdata, results->len,
                                     0, 0, 0);
  /* Delta_1 of the attention ranking over B, from the diagnostics, which
   * have it whatever rankings were computed. */
  for (guint i = 0; i < results->len; i++)
    {
      const HlDiagnostics *d = &((HlHeadResult *) g_ptr_array_index (results, i))->diagnostics;

      if (d->value_norm_max > 0.0f && ((HlHeadResult *) g_ptr_array_index (results, i))
                                            ->query_position >= 1)
        {
          sum += d->attention_gap / d->value_norm_max;
          count++;
        }
    }
  w->gap1_over_b = count > 0 ? sum / count : NAN;
}

HlLengthSweep *
hl_length_sweep_new (HlHeadResult * const *results,
                     guint                 n_results,
                     const int            *windows,
                     int                   n_windows,
                     GError              **error)
{
  g_autoptr(HlLengthSweep) self = g_new0 (HlLengthSweep, 1);
  g_autoptr(GArray) wanted = NULL;

  g_return_val_if_fail (n_results == 0 || results != NULL, NULL);
  g_return_val_if_fail (windows == NULL || n_windows > 0, NULL);

  if (windows != NULL)
    {
      wanted = g_array_new (FALSE, FALSE, sizeof (int));
      g_array_append_vals (wanted, windows, n_windows);
      g_array_sort (wanted, compare_ints);
    }
  else
    wanted = present_windows (results, n_results);
  self->windows = g_new0 (HlSweepWindow, MAX (wanted->len, 1));
  for (guint k = 0; k < wanted->len; k++)
    {
      g_autoptr(GPtrArray) subset = g_ptr_array_new ();
      HlSweepWindow *w = &self->windows[self->n_windows];

      w->window = g_array_index (wanted, int, k);
      for (guint i = 0; i < n_results; i++)
        if (results[i]->query_position == w->window - 1)
          g_ptr_array_add (subset, results[i]);
      if (subset->len == 0)
        {
          g_autofree char *present = positions_text (results, n_results);

          g_set_error (error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_OPTIONS,
                       _("A window of %d tokens needs the query at position %d, expected one "
                         "of the analysed query positions: %s"),
                       w->window, w->window - 1, present);
          return NULL;
        }
      window_build (w, subset);
      self->n_windows++;
    }
  for (int k = 0; k < self->n_windows; k++)
    self->windows[k].change = self->windows[k].gap1_over_b / self->windows[0].gap1_over_b - 1.0;
  return g_steal_pointer (&self);
}

void
hl_length_sweep_free (HlLengthSweep *self)
{
  if (self == NULL)
    return;
  for (int k = 0; k < self->n_windows; k++)
    {
      hl_model_summary_free (self->windows[k].summary);
    }
  g_free (self->windows);
  g_free (self);
}

char *
hl_length_sweep_csv (const HlLengthSweep *self)
{
  GString *out = g_string_new (HL_LENGTH_SWEEP_CSV_HEADER "\n");

  g_return_val_if_fail (self != NULL, NULL);

  for (int k = 0; k < self->n_windows; k++)
    {
      const HlSweepWindow *w = &self->windows[k];

      for (int r = 0; r < HL_N_RANKINGS; r++)
        for (int d = 0; d < HL_N_DISTANCES; d++)
          for (int g = 0; w->summary->points[r][d] != NULL && g < w->summary->n_grid; g++)
            {
              const HlModelPoint *p = &w->summary->points[r][d][g];

              g_string_append_printf (out, "%d,%s,%s,%d,%d", w->window, hl_ranking_to_string (r),
                                      hl_distance_to_string (d), p->n, p->n_heads);
              hl_csv_append_number (out, p->precision.mean);
              hl_csv_append_number (out, p->recall.mean);
              hl_csv_append_number (out, p->f1.mean);
              hl_csv_append_number (out, w->summary->gap_over_b[r][g]);
              g_string_append_c (out, '\n');
            }
    }
  return g_string_free (out, FALSE);
}

char *
hl_length_sweep_describe (const HlLengthSweep *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  for (int k = 0; k < self->n_windows; k++)
    {
      const HlSweepWindow *w = &self->windows[k];

      g_string_append_printf (out, _("L = %d: %d head results, mean Δ₁/B %.4g"), w->window,
                              w->n_results, w->gap1_over_b);
      if (k > 0 && w->change >= -HL_LENGTH_SWEEP_MAX_FALL)
        g_string_append_printf (out, _(", %+.1f%% from L = %d (within the paper's limit of −20%%)"),
                                100 * w->change, self->windows[0].window);
      else if (k > 0)
        g_string_append_printf (out, _(", %+.1f%% from L = %d (beyond the paper's limit of −20%%)"),
                                100 * w->change, self->windows[0].window);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}
