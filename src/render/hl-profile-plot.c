/* hl-profile-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-profile-plot.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hl-line-chart.h"
#include "hl-plot-paint.h"
#include "hl-plot-text.h"
#include "hl-tokens-plot.h"

#define LABEL_SCALE 0.75

/* Positions in the order their labels are tried: the highlighted one, the
 * query, the sink, the selected tokens by attention, then the rest by
 * attention. */
typedef struct
{
  int    position;
  double priority;
} Candidate;

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *x = a, *y = b;

  if (x->priority != y->priority)
    return x->priority > y->priority ? -1 : 1;
  return x->position - y->position;
}

static double
label_priority (const HlProfilePlotData *data,
                int                      i)
{
  double alpha = isfinite (data->alpha[i]) ? data->alpha[i] : 0;

  if (i == data->highlighted)
    return 5;
  if (i == data->n_positions - 1)
    return 4;
  if (i == 0)
    return 3;
  if (data->selected != NULL && data->selected[i])
    return 2 + alpha;
  return alpha;
}

static char *
label_markup (const HlProfilePlotData *data,
              int                      i)
{
  gboolean word_start, line_break;
  g_autofree char *shown = hl_token_display (data->texts[i], &word_start, &line_break);
  g_autofree char *cut = g_utf8_strlen (shown, -1) > 10 ? g_utf8_substring (shown, 0, 9) : NULL;

  if (cut != NULL)
    {
      g_free (shown);
      shown = g_strconcat (cut, "…", NULL);
    }
  return g_markup_escape_text (shown, -1);
}

/* Places labels greedily by priority, each centred under its position and
 * clear of those placed before (a gap of a third of a font size); writes
 * the positions and their left edges, returns how many fit. */
static int
place_labels (const HlPlotStyle       *style,
              const HlProfilePlotData *data,
              const HlPlotFrame       *frame,
              int                     *positions,
              double                  *lefts,
              double                  *rights)
{
  g_autofree Candidate *order = g_new (Candidate, MAX (data->n_positions, 1));
  double gap = style->font_size / 3;
  int n = 0;

  for (int i = 0; i < data->n_positions; i++)
    order[i] = (Candidate) { i, label_priority (data, i) };
  qsort (order, data->n_positions, sizeof (Candidate), compare_candidates);
  for (int k = 0; k < data->n_positions; k++)
    {
      g_autofree char *markup = label_markup (data, order[k].position);
      double w, x = hl_plot_axis_to_pixel (&frame->x, order[k].position);
      gboolean clear = TRUE;

      hl_plot_text_measure (style, markup, LABEL_SCALE, &w, NULL);
      if (x - w / 2 < frame->left - gap || x + w / 2 > frame->right + 2 * gap)
        continue;
      for (int j = 0; j < n && clear; j++)
        clear = x + w / 2 + gap <= lefts[j] || x - w / 2 - gap >= rights[j];
      if (!clear)
        continue;
      positions[n] = order[k].position;
      lefts[n] = x - w / 2;
      rights[n] = x + w / 2;
      n++;
    }
  return n;
}

static double
label_strip (const HlPlotStyle *style)
{
  double h;

  hl_plot_text_measure (style, "Ag", LABEL_SCALE, NULL, &h);
  return h + 0.45 * style->font_size;
}

static void
draw_labels (const HlPlotStyle       *style,
             const HlProfilePlotData *data,
             const HlPlotFrame       *frame,
             cairo_t                 *cr)
{
  g_autofree int *positions = g_new (int, MAX (data->n_positions, 1));
  g_autofree double *lefts = g_new (double, MAX (data->n_positions, 1));
  g_autofree double *rights = g_new (double, MAX (data->n_positions, 1));
  int n = place_labels (style, data, frame, positions, lefts, rights);
  double tick = 0.35 * style->font_size;

  for (int k = 0; k < n; k++)
    {
      g_autofree char *markup = label_markup (data, positions[k]);
      gboolean strong = positions[k] == data->highlighted
                        || (data->selected != NULL && data->selected[positions[k]]);

      hl_plot_text_show (cr, style, markup, LABEL_SCALE,
                         strong ? &style->foreground : &style->muted,
                         (lefts[k] + rights[k]) / 2, frame->bottom + tick + 0.1 * style->font_size,
                         0.5, 0.0);
    }
}

static void
y_range (const HlProfilePlotData *data,
         double                  *lo,
         double                  *hi)
{
  double min_pos = INFINITY, max = 0;

  for (int i = 0; i < data->n_positions; i++)
    if (isfinite (data->alpha[i]) && data->alpha[i] > 0)
      {
        min_pos = MIN (min_pos, data->alpha[i]);
        max = MAX (max, data->alpha[i]);
      }
  if (!(max > 0))
    max = 1, min_pos = 0.1;
  if (data->log_y)
    {
      /* Whole decades, so the axis starts and ends on a tick. */
      *lo = pow (10.0, floor (log10 (min_pos)));
      *hi = pow (10.0, ceil (log10 (max)));
      if (*hi <= *lo)
        *hi = *lo * 10;
    }
  else
    {
      *lo = 0;
      *hi = max;
    }
}

/* The chart's frame: the axes, the title and the label strip. */
static void
init_frame (const HlPlotStyle       *style,
            const HlProfilePlotData *data,
            HlPlotFrame             *frame)
{
  double lo, hi;

  y_range (data, &lo, &hi);
  hl_plot_axis_init (&frame->x, HL_PLOT_SCALE_LINEAR, 0,
                     MAX (1, data->n_positions - 1), _("position <i>i</i>"));
  frame->x.integer_ticks = TRUE;
  hl_plot_axis_init (&frame->y, data->log_y ? HL_PLOT_SCALE_LOG10 : HL_PLOT_SCALE_LINEAR,
                     lo, hi, _("attention α<sub><i>i</i></sub>"));
  if (!data->log_y)
    hl_plot_axis_nice_bounds (&frame->y, 6);
  frame->title = data->title;
  if (data->texts != NULL)
    frame->reserve_bottom = label_strip (style);
}

void
hl_profile_plot_draw (const HlPlotStyle       *style,
                      const HlProfilePlotData *data,
                      cairo_t                 *cr,
                      double                   width,
                      double                   height)
{
  g_autofree double *x = NULL, *y = NULL, *sel = NULL;
  g_autofree char *sel_label = NULL;
  HlLineSeries series[2];
  HlLineChart chart;
  int n = 0;

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);
  g_return_if_fail (data->n_positions == 0 || data->alpha != NULL);

  x = g_new (double, MAX (data->n_positions, 1));
  sel = g_new (double, MAX (data->n_positions, 1));
  y = hl_line_chart_floats (data->alpha, data->n_positions);
  for (int i = 0; i < data->n_positions; i++)
    {
      x[i] = i;
      sel[i] = data->selected != NULL && data->selected[i] ? data->alpha[i] : NAN;
    }
  hl_line_chart_init (&chart);
  series[n++] = (HlLineSeries) { data->n_positions, x, y, NULL, NULL, style->muted,
                                 HL_LINE_SOLID, data->n_positions <= 64, 0.8 };
  hl_line_chart_add_legend (&chart, HL_LEGEND_LINE, &style->muted, "α<sub><i>i</i></sub>");
  if (data->selected != NULL)
    {
      series[n++] = (HlLineSeries) { data->n_positions, x, sel, NULL, NULL, style->accent,
                                     HL_LINE_NONE, TRUE, 1.0 };
      sel_label = g_strdup_printf (_("selected, N = %d"), data->n);
      hl_line_chart_add_legend (&chart, HL_LEGEND_DOT, &style->accent, sel_label);
    }
  init_frame (style, data, &chart.frame);
  if (data->highlighted >= 0 && data->highlighted < data->n_positions)
    {
      chart.point_x = data->highlighted;
      chart.point_y = data->alpha[data->highlighted];
    }
  chart.series = series;
  chart.n_series = n;
  hl_line_chart_draw (&chart, style, cr, width, height);
  if (data->texts != NULL)
    draw_labels (style, data, &chart.frame, cr);
}

int
hl_profile_plot_labelled (const HlPlotStyle       *style,
                          const HlProfilePlotData *data,
                          double                   width,
                          double                   height,
                          int                     *positions)
{
  g_autofree double *lefts = NULL;
  g_autofree double *rights = NULL;
  HlPlotFrame frame;

  g_return_val_if_fail (style != NULL && data != NULL && positions != NULL, 0);

  if (data->texts == NULL)
    return 0;
  /* The frame the chart lays out, without drawing it. */
  hl_plot_frame_init (&frame);
  init_frame (style, data, &frame);
  hl_plot_frame_layout (&frame, style, width, height);
  lefts = g_new (double, MAX (data->n_positions, 1));
  rights = g_new (double, MAX (data->n_positions, 1));
  return place_labels (style, data, &frame, positions, lefts, rights);
}
