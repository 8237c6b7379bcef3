/* hl-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-plot.h"

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

static const char * const kind_names[HL_N_PLOT_KINDS] = {
  "curves", "heatmap", "scatter", "alignment", "profile", "decay", "regimes",
  "correlation", "bound", "panel", "tokens", "matrix", "matrices", "causal",
};

void
hl_plot_draw (HlPlotKind         kind,
              const HlPlotStyle *style,
              gconstpointer      data,
              cairo_t           *cr,
              double             width,
              double             height)
{
  g_return_if_fail (kind < HL_N_PLOT_KINDS);

  switch (kind)
    {
    case HL_PLOT_CURVES:
      hl_curves_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_HEATMAP:
      hl_heatmap_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_SCATTER:
      hl_scatter_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_ALIGNMENT:
      hl_alignment_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_PROFILE:
      hl_profile_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_DECAY:
      hl_decay_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_REGIMES:
      hl_regimes_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_CORRELATION:
      hl_correlation_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_TOKENS:
      hl_tokens_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_BOUND:
      hl_bound_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_MATRIX:
      hl_matrix_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_MATRICES:
      hl_matrix_grid_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_CAUSAL:
      hl_causal_plot_draw (style, data, cr, width, height);
      break;
    case HL_PLOT_PANEL:
    case HL_N_PLOT_KINDS:
    default:
      hl_panel_plot_draw (style, data, cr, width, height);
      break;
    }
}

const char *
hl_plot_kind_to_string (HlPlotKind kind)
{
  g_return_val_if_fail (kind < HL_N_PLOT_KINDS, NULL);

  return kind_names[kind];
}

gboolean
hl_plot_kind_from_string (const char *str,
                          HlPlotKind *out)
{
  g_return_val_if_fail (str != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  for (int k = 0; k < HL_N_PLOT_KINDS; k++)
    if (g_strcmp0 (str, kind_names[k]) == 0)
      {
        *out = k;
        return TRUE;
      }
  return FALSE;
}
