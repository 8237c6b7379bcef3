/* hl-playground-figures.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-playground-figures.h"

/* Copies one metric of the points of a ranking into @out. */
static void
copy_metric (const HlSeparabilityPoint *points,
             int                        n_grid,
             HlCurveMetric              metric,
             float                     *out)
{
  for (int g = 0; g < n_grid; g++)
    out[g] = metric == HL_CURVE_PRECISION ? points[g].precision
             : metric == HL_CURVE_RECALL ? points[g].recall
             : points[g].f1;
}

static void
fill_curves (HlPlaygroundFigures *self)
{
  const HlPlaygroundState *state = hl_playground_result_get_state (self->result);
  const HlCurveSet *set = hl_playground_result_get_analysis (self->result)->curves;
  /* The random ranking is itself the baseline: show it once, solid. */
  HlRanking ranked = state->ranking;
  int n = set->n_grid;

  self->curves = g_new0 (float, 2 * HL_N_CURVES * MAX (n, 1));
  self->pr.n_grid = n;
  self->pr.grid = set->grid;
  for (int m = 0; m < HL_N_CURVES; m++)
    {
      float *ranked_out = self->curves + m * n;
      float *random_out = self->curves + (HL_N_CURVES + m) * n;

      copy_metric (set->points[ranked][state->distance], n, m, ranked_out);
      self->pr.ranked[m] = ranked_out;
      if (ranked != HL_RANKING_RANDOM)
        {
          copy_metric (set->points[HL_RANKING_RANDOM][state->distance], n, m, random_out);
          self->pr.random[m] = random_out;
        }
    }
  self->pr.chosen_n = hl_playground_result_get_n (self->result);
}

static void
fill_scatter (HlPlaygroundFigures *self)
{
  const HlScatter *s = hl_playground_result_get_scatter (self->result);
  const HlPlaygroundState *state = hl_playground_result_get_state (self->result);

  self->scatter = (HlScatterPlotData) {
    .n_points = s->n_points,
    .x = s->x,
    .y = s->y,
    .selected = s->selected,
    .in_max_ball = s->in_max_ball,
    .in_min_ball = s->in_min_ball,
    .in_max_disk = s->in_max_disk,
    .in_min_disk = s->in_min_disk,
    .centre_x = s->centre_x,
    .centre_y = s->centre_y,
    .rho_max = s->rho_max,
    .rho_min = s->rho_min,
    .distance = state->distance,
    .explained = { s->explained[0], s->explained[1] },
    .n = s->n,
    .query_index = s->n_points - 1,
    .hovered = -1,
  };
}

/* P, R and F of the shown selection, from its ball memberships
 * (FRAMEWORK.md: closed outer ball, strict inner ball). */
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

HlPlaygroundFigures *
hl_playground_figures_new (HlPlaygroundResult *result)
{
  HlPlaygroundFigures *self;
  HlHeadInput input;
  const HlCurveSet *set;

  g_return_val_if_fail (result != NULL, NULL);

  self = g_new0 (HlPlaygroundFigures, 1);
  self->result = hl_playground_result_ref (result);
  set = hl_playground_result_get_analysis (result)->curves;
  hl_playground_result_get_input (result, &input);

  fill_curves (self);
  fill_scatter (self);
  measure_selection (self);
  self->alignment = (HlAlignmentPlotData) {
    .n_grid = set->n_grid,
    .grid = set->grid,
    .cos_sink = set->align_sink[hl_playground_result_get_state (result)->ranking],
    .cos_last = set->align_last[hl_playground_result_get_state (result)->ranking],
    .chosen_n = hl_playground_result_get_n (result),
  };
  self->profile = (HlProfilePlotData) {
    .n_positions = input.n_keys,
    .alpha = input.alpha,
    .selected = hl_playground_result_get_scatter (result)->selected,
    .n = hl_playground_result_get_n (result),
    .log_y = TRUE,
  };
  return self;
}

void
hl_playground_figures_free (HlPlaygroundFigures *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->result, hl_playground_result_unref);
  g_free (self->curves);
  g_free (self);
}
