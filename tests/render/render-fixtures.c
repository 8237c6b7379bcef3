/* render-fixtures.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "render-fixtures.h"

#include <math.h>

#include "hl-alignment-plot.h"
#include "hl-bound-plot.h"
#include "hl-causal-plot.h"
#include "hl-correlation-plot.h"
#include "hl-curves-plot.h"
#include "hl-decay-plot.h"
#include "hl-heatmap-plot.h"
#include "hl-matrix-plot.h"
#include "hl-panel-plot.h"
#include "hl-profile-plot.h"
#include "hl-regimes-plot.h"
#include "hl-scatter-plot.h"
#include "hl-tokens-plot.h"

#define N_GRID 10
#define HEAT_L 8
#define HEAT_H 8
#define N_POINTS 40
#define N_POS 128
#define N_LAGS 16
#define REG_L 12
#define MAT_T 48

static const int grid[N_GRID] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512 };
static const float prec[N_GRID] = { 1.00, 0.96, 0.90, 0.78, 0.62, 0.50, 0.47, 0.55, 0.72, 0.91 };
static const float rec[N_GRID] = { 1.00, 0.90, 0.74, 0.55, 0.42, 0.36, 0.41, 0.56, 0.77, 0.95 };
static const float rnd_p[N_GRID] = { 1.00, 0.52, 0.35, 0.28, 0.30, 0.36, 0.44, 0.55, 0.70, 0.88 };
static const float rnd_r[N_GRID] = { 1.00, 0.45, 0.30, 0.25, 0.27, 0.33, 0.42, 0.54, 0.71, 0.90 };
static const float corr[N_GRID] = { 0.05, 0.32, 0.58, 0.49, 0.30, 0.12, -0.05, -0.12, -0.08, NAN };

typedef struct
{
  float f1[N_GRID], rnd_f[N_GRID], lo[3][N_GRID], hi[3][N_GRID];
  float cos0[N_GRID], cost[N_GRID];
  int regimes[HEAT_L * HEAT_H];
  float values[HEAT_L * HEAT_H];
  float px[N_POINTS], py[N_POINTS];
  gboolean sel[N_POINTS], in_max_ball[N_POINTS], in_min_ball[N_POINTS];
  gboolean in_max_disk[N_POINTS], in_min_disk[N_POINTS];
  float alpha[N_POS];
  gboolean alpha_sel[N_POS];
  int lags[N_LAGS];
  float c[N_LAGS];
  int counts[REG_L * HL_N_REGIMES];
  HlCurvesPlotData curves, curves_p, curves_r, curves_f;
  HlHeatmapPlotData heatmap, heatmap_metric;
  HlScatterPlotData scatter, scatter_cosine;
  HlAlignmentPlotData alignment;
  HlProfilePlotData profile, profile_log;
  HlDecayPlotData decay;
  HlRegimesPlotData regimes_data;
  HlCorrelationPlotData correlation;
  float residual[N_GRID], bound[N_GRID], model_residual[N_GRID], model_bound[N_GRID];
  HlBoundPlotData bound_data;
  HlPanelItem panel_items[3];
  HlPanelPlotData panel;
  const char *texts[N_POS];
  HlTokensPlotData tokens;
  float matrix_values[MAT_T * MAT_T], matrix_edges[MAT_T + 1];
  HlMatrixPlotData matrix, matrix_cells[6];
  HlMatrixGridPlotData matrices;
  double causal_n[N_GRID], causal_renorm[N_GRID], causal_delete[N_GRID];
  HlCausalSeries causal_series[2];
  HlCausalPlotData causal;
} Fixtures;

static Fixtures *fixtures;

/* A head whose discarded output shrinks with N below its bound, and the
 * model's means. */
static void
build_bound (Fixtures *f)
{
  for (int g = 0; g < N_GRID; g++)
    {
      f->bound[g] = 2.0f * (1.0f - (float) g / N_GRID);
      f->residual[g] = 0.45f * f->bound[g] * (1.0f - 0.05f * g);
      f->model_bound[g] = 2.1f * (1.0f - (float) g / N_GRID);
      f->model_residual[g] = 0.6f * f->model_bound[g];
    }
  f->bound_data = (HlBoundPlotData) { N_GRID, grid, f->residual, f->bound, N_GRID, grid,
                                      f->model_residual, f->model_bound, 8, NULL };
}

/* A small deterministic generator, so no fixture depends on libc's rand. */
static double
next_uniform (guint32 *state)
{
  *state = *state * 1664525u + 1013904223u;
  return (*state >> 8) / 16777216.0;
}

static void
build_curves (Fixtures *f)
{
  for (int i = 0; i < N_GRID; i++)
    {
      const float *src[3] = { prec, rec, f->f1 };

      f->f1[i] = 2 * prec[i] * rec[i] / (prec[i] + rec[i]);
      f->rnd_f[i] = 2 * rnd_p[i] * rnd_r[i] / (rnd_p[i] + rnd_r[i]);
      for (int m = 0; m < 3; m++)
        {
          f->lo[m][i] = MAX (0, src[m][i] - 0.04 - 0.01 * i);
          f->hi[m][i] = MIN (1, src[m][i] + 0.04 + 0.01 * i);
        }
      f->cos0[i] = 0.85 - 0.9 * i / (N_GRID - 1.0);
      f->cost[i] = 0.1 + 0.6 * i / (N_GRID - 1.0);
    }
  f->curves = (HlCurvesPlotData) {
    .n_grid = N_GRID, .grid = grid,
    .ranked = { prec, rec, f->f1 },
    .random = { rnd_p, rnd_r, f->rnd_f },
    .band_lo = { f->lo[0], f->lo[1], f->lo[2] },
    .band_hi = { f->hi[0], f->hi[1], f->hi[2] },
    .chosen_n = 8,
    .title = "Model mean, attention ranking",
  };
  f->curves_p = (HlCurvesPlotData) { .n_grid = N_GRID, .grid = grid, .ranked = { prec },
                                     .random = { rnd_p }, .chosen_n = 8 };
  f->curves_r = (HlCurvesPlotData) { .n_grid = N_GRID, .grid = grid, .ranked = { NULL, rec },
                                     .random = { NULL, rnd_r }, .chosen_n = 8 };
  f->curves_f = (HlCurvesPlotData) { .n_grid = N_GRID, .grid = grid, .ranked = { NULL, NULL, f->f1 },
                                     .random = { NULL, NULL, f->rnd_f }, .chosen_n = 8 };
  f->alignment = (HlAlignmentPlotData) { N_GRID, grid, f->cos0, f->cost, 8, "Layer 3 · Head 5" };
  f->correlation = (HlCorrelationPlotData) { N_GRID, grid, corr, NULL, NULL, NULL };
}

/* Delta NLL against N for two modes, falling to 0 as N grows, tau and N*. */
static void
build_causal (Fixtures *f)
{
  for (int i = 0; i < N_GRID; i++)
    {
      f->causal_n[i] = grid[i];
      f->causal_renorm[i] = 0.4 / (1 << i) - (i == 1 ? 0.03 : 0.0);
      f->causal_delete[i] = 1.1 / (1 << i);
    }
  f->causal_series[0] = (HlCausalSeries) { "renormalise", N_GRID, f->causal_n, f->causal_renorm, NULL, NULL, FALSE };
  f->causal_series[1] = (HlCausalSeries) { "delete", N_GRID, f->causal_n, f->causal_delete, NULL, NULL, TRUE };
  f->causal = (HlCausalPlotData) { 2, f->causal_series, TRUE, "N (keys kept)", "Δ NLL (nats/token)",
                                   0.01, 64, "N* = 64", "Layer 1 · Head 2" };
}

static void
build_heatmap (Fixtures *f)
{
  for (int l = 0; l < HEAT_L; l++)
    for (int h = 0; h < HEAT_H; h++)
      {
        int i = l * HEAT_H + h;

        /* Retrievers early, resets in the middle, mixers late. */
        f->regimes[i] = l < 3 ? (h % 4 == 3 ? HL_REGIME_MIXER : HL_REGIME_RETRIEVER)
                      : l < 6 ? (h % 3 == 0 ? HL_REGIME_MIXER : HL_REGIME_RESET)
                      : (h % 5 == 0 ? HL_REGIME_RESET : HL_REGIME_MIXER);
        f->values[i] = 0.5 + 0.45 * sin (0.7 * l + 0.4 * h) * cos (0.3 * h);
      }
  f->regimes[HEAT_L * HEAT_H - 1] = -1;
  f->regimes[HEAT_L * HEAT_H - 2] = -1;
  f->values[HEAT_L * HEAT_H - 1] = NAN;
  f->heatmap = (HlHeatmapPlotData) {
    .n_layers = HEAT_L, .n_heads = HEAT_H, .mode = HL_HEATMAP_COLOR_REGIME,
    .regimes = f->regimes, .values = f->values, .colormap = HL_COLORMAP_VIRIDIS,
    .selected_layer = 2, .selected_head = 5,
  };
  f->heatmap_metric = f->heatmap;
  f->heatmap_metric.mode = HL_HEATMAP_COLOR_METRIC;
  f->heatmap_metric.vmin = 0.0;
  f->heatmap_metric.vmax = 1.0;
  f->heatmap_metric.value_label = "F<sub>N</sub> at N = 8";
}

static void
build_scatter (Fixtures *f)
{
  guint32 state = 7;
  double cx = 0, cy = 0;

  for (int i = 0; i < N_POINTS; i++)
    {
      double r = 0.3 + 1.2 * next_uniform (&state), a = 2 * G_PI * next_uniform (&state);

      f->px[i] = r * cos (a) - 0.4;
      f->py[i] = 0.7 * r * sin (a);
      f->sel[i] = i < 8;
    }
  f->px[0] = 2.6, f->py[0] = 1.1;            /* the sink, far out */
  for (int i = 0; i < 8; i++)
    cx += f->px[i] / 8, cy += f->py[i] / 8;
  for (int i = 0; i < N_POINTS; i++)
    {
      double d = hypot (f->px[i] - cx, f->py[i] - cy);

      f->in_max_disk[i] = d <= 2.4;
      f->in_min_disk[i] = d < 0.35;
      f->in_max_ball[i] = f->in_max_disk[i];
      f->in_min_ball[i] = f->in_min_disk[i];
    }
  /* Two points the projection puts on the wrong side of a disk. */
  f->in_max_ball[12] = !f->in_max_disk[12];
  f->in_min_ball[20] = !f->in_min_disk[20];
  f->scatter = (HlScatterPlotData) {
    .n_points = N_POINTS, .x = f->px, .y = f->py, .selected = f->sel,
    .in_max_ball = f->in_max_ball, .in_min_ball = f->in_min_ball,
    .in_max_disk = f->in_max_disk, .in_min_disk = f->in_min_disk,
    .centre_x = cx, .centre_y = cy, .rho_max = 2.4, .rho_min = 0.35,
    .distance = HL_DISTANCE_EUCLIDEAN, .explained = { 0.431, 0.187 },
    .n = 8, .query_index = N_POINTS - 1, .hovered = -1, .highlighted = -1,
  };
  f->scatter_cosine = f->scatter;
  f->scatter_cosine.distance = HL_DISTANCE_COSINE;
}

static void
build_profile (Fixtures *f)
{
  double sum = 0;

  for (int i = 0; i < N_POS; i++)
    {
      /* Sink, plateau, oscillating middle, recency tail. */
      f->alpha[i] = i == 0 ? 60.0 : 1.0 + 0.5 * sin (0.45 * i) + (i > N_POS - 6 ? 6.0 * (i - N_POS + 7) : 0);
      sum += f->alpha[i];
    }
  for (int i = 0; i < N_POS; i++)
    {
      f->alpha[i] /= sum;
      f->alpha_sel[i] = i == 0 || i >= N_POS - 7;
    }
  f->profile = (HlProfilePlotData) { N_POS, f->alpha, f->alpha_sel, 8, FALSE, NULL, -1, NULL };
  f->profile_log = f->profile;
  f->profile_log.log_y = TRUE;
}

/* A story's tokens over the profile's attention: words, pieces, a byte
 * token and newlines. */
static void
build_tokens (Fixtures *f)
{
  static const char * const words[] = {
    "<s>", " Once", " upon", " a", " time", ",", " there", " was", " a", " little", " girl",
    " named", " Lily", ".", "<0x0A>", " She", " lov", "ed", " to", " play", " outside", ".",
  };

  for (int i = 0; i < N_POS; i++)
    f->texts[i] = words[i % G_N_ELEMENTS (words)];
  f->tokens = (HlTokensPlotData) { N_POS, f->texts, f->alpha, f->alpha_sel, 8, -1, NULL };
}

static void
build_decay_and_regimes (Fixtures *f)
{
  guint32 state = 11;

  for (int k = 0; k < N_LAGS; k++)
    {
      f->lags[k] = k + 1;
      f->c[k] = exp (-0.18 * (k + 1)) + 0.04 * (next_uniform (&state) - 0.5);
    }
  f->decay = (HlDecayPlotData) { N_LAGS, f->lags, f->c, 0.18, 0.011, NULL };
  for (int l = 0; l < REG_L; l++)
    {
      int ret = MAX (0, 8 - 2 * l), reset = l < 8 ? MIN (8 - ret, 2 + l) : 3;

      f->counts[l * HL_N_REGIMES + HL_REGIME_RETRIEVER] = ret;
      f->counts[l * HL_N_REGIMES + HL_REGIME_RESET] = MIN (reset, 8 - ret);
      f->counts[l * HL_N_REGIMES + HL_REGIME_MIXER] = 8 - ret - MIN (reset, 8 - ret);
    }
  f->regimes_data = (HlRegimesPlotData) { REG_L, f->counts, 8, NULL, NULL };
}

/* A previous-token head over 48 queries (every position) with a sink, and
 * a grid of 2 x 3 heads drawing it at six strengths. */
static void
build_matrices (Fixtures *f)
{
  for (int t = 0; t < MAT_T; t++)
    for (int i = 0; i < MAT_T; i++)
      f->matrix_values[t * MAT_T + i] = i > t ? NAN
                                        : i == MAX (t - 1, 0) ? 0.7f
                                        : i == 0 ? 0.2f
                                        : 0.1f / (t + 1);
  for (int t = 0; t <= MAT_T; t++)
    f->matrix_edges[t] = t - 0.5f;
  f->matrix = (HlMatrixPlotData) {
    MAT_T, MAT_T, f->matrix_values, f->matrix_edges, MAT_T, FALSE, 30.5f, 31.5f, NULL,
  };
  for (int i = 0; i < 6; i++)
    {
      f->matrix_cells[i] = f->matrix;
      f->matrix_cells[i].selected_lo = f->matrix_cells[i].selected_hi = 0;
      f->matrix_cells[i].log_color = i % 2;
    }
  f->matrices = (HlMatrixGridPlotData) { 2, 3, f->matrix_cells, FALSE, 1, 2, NULL };
}

static Fixtures *
get (void)
{
  if (fixtures != NULL)
    return fixtures;
  fixtures = g_new0 (Fixtures, 1);
  build_curves (fixtures);
  build_heatmap (fixtures);
  build_scatter (fixtures);
  build_profile (fixtures);
  build_tokens (fixtures);
  build_decay_and_regimes (fixtures);
  build_bound (fixtures);
  build_matrices (fixtures);
  build_causal (fixtures);
  fixtures->panel_items[0] = (HlPanelItem) { HL_PLOT_CURVES, &fixtures->curves_p };
  fixtures->panel_items[1] = (HlPanelItem) { HL_PLOT_CURVES, &fixtures->curves_r };
  fixtures->panel_items[2] = (HlPanelItem) { HL_PLOT_CURVES, &fixtures->curves_f };
  fixtures->panel = (HlPanelPlotData) { 3, fixtures->panel_items, 3, TRUE, NULL };
  return fixtures;
}

gconstpointer
render_fixture (HlPlotKind kind)
{
  Fixtures *f = get ();
  gconstpointer table[HL_N_PLOT_KINDS] = {
    &f->curves, &f->heatmap, &f->scatter, &f->alignment, &f->profile, &f->decay,
    &f->regimes_data, &f->correlation, &f->bound_data, &f->panel, &f->tokens, &f->matrix,
    &f->matrices, &f->causal,
  };

  g_assert (kind < HL_N_PLOT_KINDS);
  return table[kind];
}

gconstpointer
render_fixture_heatmap_metric (void)
{
  return &get ()->heatmap_metric;
}

gconstpointer
render_fixture_scatter_cosine (void)
{
  return &get ()->scatter_cosine;
}

gconstpointer
render_fixture_profile_log (void)
{
  return &get ()->profile_log;
}

void
render_fixture_free_all (void)
{
  g_clear_pointer (&fixtures, g_free);
}
