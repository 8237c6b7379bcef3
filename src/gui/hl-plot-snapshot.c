/* hl-plot-snapshot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "hl-alignment-plot.h"
#include "hl-correlation-plot.h"
#include "hl-curves-plot.h"
#include "hl-decay-plot.h"
#include "hl-heatmap-plot.h"
#include "hl-panel-plot.h"
#include "hl-plot-snapshot.h"
#include "hl-profile-plot.h"
#include "hl-regimes-plot.h"
#include "hl-scatter-plot.h"

struct _HlPlotSnapshot
{
  gatomicrefcount  ref_count;
  HlPlotKind       kind;
  gconstpointer    data;     /* points into @blocks */
  GPtrArray       *blocks;   /* every copied struct, array and string (owned) */
};

G_DEFINE_BOXED_TYPE (HlPlotSnapshot, hl_plot_snapshot,
                     hl_plot_snapshot_ref, hl_plot_snapshot_unref)

static gconstpointer copy_data (HlPlotSnapshot *self,
                                HlPlotKind      kind,
                                gconstpointer   data);

/* A copy of @size bytes of @mem owned by the snapshot; NULL stays NULL. */
static gpointer
dup_block (HlPlotSnapshot *self,
           gconstpointer   mem,
           gsize           size)
{
  gpointer copy;

  if (mem == NULL)
    return NULL;

  copy = g_memdup2 (mem, MAX (size, 1));
  g_ptr_array_add (self->blocks, copy);
  return copy;
}

static const char *
dup_string (HlPlotSnapshot *self,
            const char     *str)
{
  return str != NULL ? dup_block (self, str, strlen (str) + 1) : NULL;
}

static const float *
dup_floats (HlPlotSnapshot *self,
            const float    *values,
            int             n)
{
  return dup_block (self, values, sizeof (float) * MAX (n, 0));
}

static const int *
dup_ints (HlPlotSnapshot *self,
          const int      *values,
          int             n)
{
  return dup_block (self, values, sizeof (int) * MAX (n, 0));
}

static const gboolean *
dup_flags (HlPlotSnapshot *self,
           const gboolean *values,
           int             n)
{
  return dup_block (self, values, sizeof (gboolean) * MAX (n, 0));
}

static gconstpointer
copy_curves (HlPlotSnapshot         *self,
             const HlCurvesPlotData *data)
{
  HlCurvesPlotData *copy = dup_block (self, data, sizeof *data);
  int n = data->n_grid;

  copy->grid = dup_ints (self, data->grid, n);
  for (int c = 0; c < HL_N_CURVES; c++)
    {
      copy->ranked[c] = dup_floats (self, data->ranked[c], n);
      copy->random[c] = dup_floats (self, data->random[c], n);
      copy->band_lo[c] = dup_floats (self, data->band_lo[c], n);
      copy->band_hi[c] = dup_floats (self, data->band_hi[c], n);
    }
  copy->band_label = dup_string (self, data->band_label);
  copy->title = dup_string (self, data->title);
  return copy;
}

static gconstpointer
copy_heatmap (HlPlotSnapshot          *self,
              const HlHeatmapPlotData *data)
{
  HlHeatmapPlotData *copy = dup_block (self, data, sizeof *data);
  int n = data->n_layers * data->n_heads;

  copy->regimes = dup_ints (self, data->regimes, n);
  copy->values = dup_floats (self, data->values, n);
  copy->value_label = dup_string (self, data->value_label);
  copy->title = dup_string (self, data->title);
  return copy;
}

static gconstpointer
copy_scatter (HlPlotSnapshot          *self,
              const HlScatterPlotData *data)
{
  HlScatterPlotData *copy = dup_block (self, data, sizeof *data);
  int n = data->n_points;

  copy->x = dup_floats (self, data->x, n);
  copy->y = dup_floats (self, data->y, n);
  copy->selected = dup_flags (self, data->selected, n);
  copy->in_max_ball = dup_flags (self, data->in_max_ball, n);
  copy->in_min_ball = dup_flags (self, data->in_min_ball, n);
  copy->in_max_disk = dup_flags (self, data->in_max_disk, n);
  copy->in_min_disk = dup_flags (self, data->in_min_disk, n);
  /* A hovered point is a state of the screen, not of the figure. */
  copy->hovered = -1;
  copy->title = dup_string (self, data->title);
  return copy;
}

static gconstpointer
copy_alignment (HlPlotSnapshot            *self,
                const HlAlignmentPlotData *data)
{
  HlAlignmentPlotData *copy = dup_block (self, data, sizeof *data);

  copy->grid = dup_ints (self, data->grid, data->n_grid);
  copy->cos_sink = dup_floats (self, data->cos_sink, data->n_grid);
  copy->cos_last = dup_floats (self, data->cos_last, data->n_grid);
  copy->title = dup_string (self, data->title);
  return copy;
}

static gconstpointer
copy_profile (HlPlotSnapshot          *self,
              const HlProfilePlotData *data)
{
  HlProfilePlotData *copy = dup_block (self, data, sizeof *data);

  copy->alpha = dup_floats (self, data->alpha, data->n_positions);
  copy->selected = dup_flags (self, data->selected, data->n_positions);
  copy->title = dup_string (self, data->title);
  return copy;
}

static gconstpointer
copy_decay (HlPlotSnapshot        *self,
            const HlDecayPlotData *data)
{
  HlDecayPlotData *copy = dup_block (self, data, sizeof *data);

  copy->lags = dup_ints (self, data->lags, data->n_lags);
  copy->c = dup_floats (self, data->c, data->n_lags);
  copy->title = dup_string (self, data->title);
  return copy;
}

static gconstpointer
copy_regimes (HlPlotSnapshot          *self,
              const HlRegimesPlotData *data)
{
  HlRegimesPlotData *copy = dup_block (self, data, sizeof *data);

  copy->counts = dup_ints (self, data->counts, data->n_layers * HL_N_REGIMES);
  copy->y_label = dup_string (self, data->y_label);
  copy->title = dup_string (self, data->title);
  return copy;
}

static gconstpointer
copy_correlation (HlPlotSnapshot              *self,
                  const HlCorrelationPlotData *data)
{
  HlCorrelationPlotData *copy = dup_block (self, data, sizeof *data);
  int n = data->n_grid;

  copy->grid = dup_ints (self, data->grid, n);
  copy->corr = dup_floats (self, data->corr, n);
  copy->band_lo = dup_floats (self, data->band_lo, n);
  copy->band_hi = dup_floats (self, data->band_hi, n);
  copy->title = dup_string (self, data->title);
  return copy;
}

static gconstpointer
copy_panel (HlPlotSnapshot        *self,
            const HlPanelPlotData *data)
{
  HlPanelPlotData *copy = dup_block (self, data, sizeof *data);
  HlPanelItem *items;

  items = dup_block (self, data->items, sizeof (HlPanelItem) * MAX (data->n_items, 0));
  for (int i = 0; i < data->n_items; i++)
    {
      g_assert (items[i].kind != HL_PLOT_PANEL);
      items[i].data = copy_data (self, items[i].kind, items[i].data);
    }
  copy->items = items;
  copy->title = dup_string (self, data->title);
  return copy;
}

static gconstpointer
copy_data (HlPlotSnapshot *self,
           HlPlotKind      kind,
           gconstpointer   data)
{
  g_assert (data != NULL);

  switch (kind)
    {
    case HL_PLOT_CURVES:      return copy_curves (self, data);
    case HL_PLOT_HEATMAP:     return copy_heatmap (self, data);
    case HL_PLOT_SCATTER:     return copy_scatter (self, data);
    case HL_PLOT_ALIGNMENT:   return copy_alignment (self, data);
    case HL_PLOT_PROFILE:     return copy_profile (self, data);
    case HL_PLOT_DECAY:       return copy_decay (self, data);
    case HL_PLOT_REGIMES:     return copy_regimes (self, data);
    case HL_PLOT_CORRELATION: return copy_correlation (self, data);
    case HL_PLOT_PANEL:       return copy_panel (self, data);
    case HL_N_PLOT_KINDS:
    default:
      g_assert_not_reached ();
    }
}

HlPlotSnapshot *
hl_plot_snapshot_new (HlPlotKind    kind,
                      gconstpointer data)
{
  HlPlotSnapshot *self;

  g_return_val_if_fail (kind >= 0 && kind < HL_N_PLOT_KINDS, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  self = g_new0 (HlPlotSnapshot, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->blocks = g_ptr_array_new_with_free_func (g_free);
  self->data = copy_data (self, kind, data);

  return self;
}

HlPlotSnapshot *
hl_plot_snapshot_new_curves_panel (const HlCurvesPlotData *curves,
                                   const char             *title)
{
  HlCurvesPlotData single[HL_N_CURVES];
  HlPanelItem items[HL_N_CURVES];
  HlPanelPlotData panel = { HL_N_CURVES, items, HL_N_CURVES, TRUE, title };

  g_return_val_if_fail (curves != NULL, NULL);

  /* One metric per panel, as `headlens-cli render --plot panel` draws it;
   * the title goes over the whole figure. */
  for (int m = 0; m < HL_N_CURVES; m++)
    {
      single[m] = *curves;
      single[m].title = NULL;
      for (int other = 0; other < HL_N_CURVES; other++)
        if (other != m)
          {
            single[m].ranked[other] = NULL;
            single[m].random[other] = NULL;
            single[m].band_lo[other] = NULL;
            single[m].band_hi[other] = NULL;
          }
      items[m] = (HlPanelItem) { HL_PLOT_CURVES, &single[m] };
    }

  return hl_plot_snapshot_new (HL_PLOT_PANEL, &panel);
}

HlPlotSnapshot *
hl_plot_snapshot_ref (HlPlotSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
hl_plot_snapshot_unref (HlPlotSnapshot *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_ptr_array_unref (self->blocks);
  g_free (self);
}

HlPlotKind
hl_plot_snapshot_get_kind (HlPlotSnapshot *self)
{
  g_return_val_if_fail (self != NULL, HL_PLOT_CURVES);

  return self->kind;
}

gconstpointer
hl_plot_snapshot_get_data (HlPlotSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->data;
}
