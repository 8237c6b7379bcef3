/* hl-playground-figures.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-figure-builders.h"
#include "hl-playground-figures.h"

/* P, R and F of the shown selection, from its ball memberships (closed
 * outer ball, strict inner ball; docs/metrics.md). */
static void
measure_selection (HlPlaygroundFigures *self)
{
  const HlScatter *s = hl_playground_result_get_scatter (self->result);
  int outside_in_max = 0, inside_min = 0;

  for (int i = 0; i < s->n_points; i++)
    {
      if (!s->selected[i] && s->in_max_ball[i])
        outside_in_max++;
      if (s->selected[i] && s->in_min_ball[i])
        inside_min++;
    }
  self->precision = (double) s->n / (s->n + outside_in_max);
  self->recall = (double) inside_min / s->n;
  self->f1 = self->recall > 0 ? 2 * self->precision * self->recall
                                / (self->precision + self->recall) : 0;
  self->margin = (double) s->rho_min - s->rho_max;
}

static HlFigure *
named (HlFigure   *figure,
       const char *name,
       const char *basename)
{
  hl_figure_set_names (figure, name, basename);
  return figure;
}

HlPlaygroundFigures *
hl_playground_figures_new (HlPlaygroundResult *result)
{
  const HlPlaygroundState *state;
  const HlScatter *scatter;
  HlPlaygroundFigures *self;
  HlHeadResult *analysis;
  HlFigureView view;
  HlHeadInput input;

  g_return_val_if_fail (result != NULL, NULL);

  state = hl_playground_result_get_state (result);
  scatter = hl_playground_result_get_scatter (result);
  analysis = hl_playground_result_get_analysis (result);
  hl_playground_result_get_input (result, &input);
  view = (HlFigureView) { state->ranking, state->distance, hl_playground_result_get_n (result),
                          TRUE, NULL };

  self = g_new0 (HlPlaygroundFigures, 1);
  self->result = hl_playground_result_ref (result);
  self->scatter = named (hl_figure_new_scatter (scatter, NULL, &view),
                         _("Value-space scatter"), "playground-scatter");
  self->curves = named (hl_figure_new_head_curves (analysis, &view),
                        _("Precision, recall and F1 over N"), "playground-curves");
  self->alignment = named (hl_figure_new_alignment (analysis, &view),
                           _("Alignment trajectories"), "playground-alignment");
  self->profile = named (hl_figure_new_profile (input.alpha, scatter, NULL, &view),
                         _("Attention profile"), "playground-profile");
  measure_selection (self);
  return self;
}

void
hl_playground_figures_free (HlPlaygroundFigures *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->result, hl_playground_result_unref);
  g_clear_pointer (&self->scatter, hl_figure_unref);
  g_clear_pointer (&self->curves, hl_figure_unref);
  g_clear_pointer (&self->alignment, hl_figure_unref);
  g_clear_pointer (&self->profile, hl_figure_unref);
  g_free (self);
}
