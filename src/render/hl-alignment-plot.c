/* hl-alignment-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-alignment-plot.h"

#include <glib/gi18n.h>

#include "hl-line-chart.h"

void
hl_alignment_plot_draw (const HlPlotStyle         *style,
                        const HlAlignmentPlotData *data,
                        cairo_t                   *cr,
                        double                     width,
                        double                     height)
{
  g_autofree double *x = NULL, *sink = NULL, *last = NULL;
  g_autofree char *mark = NULL;
  HlLineSeries series[2];
  HlLineChart chart;
  int n = 0;

  g_return_if_fail (style != NULL && data != NULL && cr != NULL);
  g_return_if_fail (data->n_grid == 0 || data->grid != NULL);

  x = hl_line_chart_ints (data->grid, data->n_grid);
  sink = hl_line_chart_floats (data->cos_sink, data->n_grid);
  last = hl_line_chart_floats (data->cos_last, data->n_grid);
  hl_line_chart_init (&chart);
  /* The sink and the query token get the regime colours of the heads they
   * characterise: Reset (sink) and Retriever (last token). */
  if (sink != NULL)
    {
      series[n++] = (HlLineSeries) { data->n_grid, x, sink, NULL, NULL, style->regime[HL_REGIME_RESET],
                                     HL_LINE_SOLID, TRUE, 1.0 };
      hl_line_chart_add_legend (&chart, HL_LEGEND_LINE_DOTS, &style->regime[HL_REGIME_RESET],
                                "cos(s<sub>N</sub>, v<sub>0</sub>)");
    }
  if (last != NULL)
    {
      series[n++] = (HlLineSeries) { data->n_grid, x, last, NULL, NULL, style->regime[HL_REGIME_RETRIEVER],
                                     HL_LINE_SOLID, TRUE, 1.0 };
      hl_line_chart_add_legend (&chart, HL_LEGEND_LINE_DOTS, &style->regime[HL_REGIME_RETRIEVER],
                                "cos(s<sub>N</sub>, v<sub>t</sub>)");
    }
  hl_plot_axis_init (&chart.frame.x, HL_PLOT_SCALE_LOG2,
                     data->n_grid > 0 ? MAX (1, data->grid[0]) : 1,
                     data->n_grid > 0 ? MAX (2, data->grid[data->n_grid - 1]) : 2,
                     _("N (selected tokens)"));
  hl_plot_axis_init (&chart.frame.y, HL_PLOT_SCALE_LINEAR, -1.0, 1.0, _("cosine"));
  chart.frame.title = data->title;
  chart.series = series;
  chart.n_series = n;
  chart.hline = 0.0;
  if (data->chosen_n > 0)
    {
      mark = g_strdup_printf ("N = %d", data->chosen_n);
      chart.mark_x = data->chosen_n;
      chart.mark_label = mark;
    }
  hl_line_chart_draw (&chart, style, cr, width, height);
}
