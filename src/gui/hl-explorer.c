/* hl-explorer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hl-curves-plot.h"
#include "hl-explorer.h"
#include "hl-model-panel.h"
#include "hl-plot-view.h"
#include "hl-settings-choice.h"

/* Settings whose change needs a new analysis, and how long to wait for
 * more changes (a spin button sends one per step) before starting it. */
static const char * const analysis_keys[] = {
  "random-repeats", "bootstrap-replicates", "blas-threads",
};
#define RESTART_DELAY_MS 400

typedef enum {
  COLOUR_REGIME,
  COLOUR_F1,
  COLOUR_PRECISION,
  COLOUR_RECALL,
  COLOUR_MARGIN,
  COLOUR_SINK_MASS,
  COLOUR_SINK_SIMILARITY,
  COLOUR_SINK_RATIO,
  COLOUR_NORM_CV,
  COLOUR_BETA,
  COLOUR_ENTROPY,
  N_COLOUR_MODES
} ColourMode;

/* How each metric is coloured: probabilities on a fixed 0 … 1 range, signed
 * values on the diverging map, the rest on a range from the data. */
static const struct {
  const char *label;   /* Pango markup */
  HlColormap  colormap;
  double      vmin, vmax;
} colour_modes[N_COLOUR_MODES] = {
  [COLOUR_REGIME] = { NULL, HL_COLORMAP_VIRIDIS, 0, 0 },
  [COLOUR_F1] = { "F<sub>N</sub>", HL_COLORMAP_VIRIDIS, 0, 1 },
  [COLOUR_PRECISION] = { "P<sub>N</sub>", HL_COLORMAP_VIRIDIS, 0, 1 },
  [COLOUR_RECALL] = { "R<sub>N</sub>", HL_COLORMAP_VIRIDIS, 0, 1 },
  [COLOUR_MARGIN] = { "γ<sub>N</sub>", HL_COLORMAP_DIVERGING, 0, 0 },
  [COLOUR_SINK_MASS] = { "α<sub>0</sub>", HL_COLORMAP_VIRIDIS, 0, 1 },
  [COLOUR_SINK_SIMILARITY] = { "ρ<sub>0</sub>", HL_COLORMAP_DIVERGING, 0, 0 },
  [COLOUR_SINK_RATIO] = { "λ", HL_COLORMAP_VIRIDIS, 0, 0 },
  [COLOUR_NORM_CV] = { "CV", HL_COLORMAP_VIRIDIS, 0, 0 },
  [COLOUR_BETA] = { "β", HL_COLORMAP_VIRIDIS, 0, 0 },
  [COLOUR_ENTROPY] = { "H", HL_COLORMAP_VIRIDIS, 0, 0 },
};

/* One analysis run; callbacks of a run that is no longer the explorer's
 * current one are ignored. */
typedef struct
{
  HlExplorer   *self;
  GCancellable *cancellable;
} Run;

struct _HlExplorer
{
  GtkWidget              parent_instance;

  /* Template widgets */
  GtkRevealer           *progress_revealer;
  GtkLabel              *progress_label;
  GtkProgressBar        *progress_bar;
  GtkDropDown           *ranking_dropdown;
  GtkDropDown           *distance_dropdown;
  GtkDropDown           *colour_dropdown;
  GtkLabel              *n_label;
  GtkScale              *n_scale;
  GtkAdjustment         *n_adjustment;
  GtkWidget             *sample_box;
  GtkWidget             *query_box;
  GtkAdjustment         *sample_adjustment;
  GtkAdjustment         *query_adjustment;
  GtkLabel              *query_position_label;
  HlHeatmapView         *heatmap;
  HlModelPanel          *model_panel;
  HlHeadDetail          *head_detail;

  GSettings             *settings;
  HlActivations         *file;
  GCancellable          *cancellable;   /* the running analysis, or NULL */
  HlAnalysis            *analysis;      /* the finished one, or NULL */
  HlHeadResult         **results;       /* [layers × heads × samples × queries] */
  guint                  n_received;
  guint                  n_expected;
  guint                  restart_id;

  int                    sample;
  int                    query;
  int                   *grid;          /* the N grid of the current query */
  int                    n_grid;
  HlRanking              ranking;
  HlDistance             distance;
  ColourMode             colour_mode;
};

G_DEFINE_FINAL_TYPE (HlExplorer, hl_explorer, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ANALYSIS_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void hl_explorer_start_analysis (HlExplorer *self);

GtkWidget *
hl_explorer_new (void)
{
  return g_object_new (HL_TYPE_EXPLORER, NULL);
}

HlActivations *
hl_explorer_get_file (HlExplorer *self)
{
  g_return_val_if_fail (HL_IS_EXPLORER (self), NULL);

  return self->file;
}

gboolean
hl_explorer_get_running (HlExplorer *self)
{
  g_return_val_if_fail (HL_IS_EXPLORER (self), FALSE);

  return self->cancellable != NULL;
}

HlAnalysis *
hl_explorer_get_analysis (HlExplorer *self)
{
  g_return_val_if_fail (HL_IS_EXPLORER (self), NULL);

  return self->analysis;
}

guint
hl_explorer_get_n_received (HlExplorer *self)
{
  g_return_val_if_fail (HL_IS_EXPLORER (self), 0);

  return self->n_received;
}

guint
hl_explorer_get_n_expected (HlExplorer *self)
{
  g_return_val_if_fail (HL_IS_EXPLORER (self), 0);

  return self->n_expected;
}

HlHeatmapView *
hl_explorer_get_heatmap (HlExplorer *self)
{
  g_return_val_if_fail (HL_IS_EXPLORER (self), NULL);

  return self->heatmap;
}

HlHeadDetail *
hl_explorer_get_head_detail (HlExplorer *self)
{
  g_return_val_if_fail (HL_IS_EXPLORER (self), NULL);

  return self->head_detail;
}

int
hl_explorer_get_n (HlExplorer *self)
{
  int index;

  g_return_val_if_fail (HL_IS_EXPLORER (self), 0);

  if (self->n_grid == 0)
    return 0;

  index = (int) gtk_adjustment_get_value (self->n_adjustment);
  return self->grid[CLAMP (index, 0, self->n_grid - 1)];
}

/* Results of the file ---------------------------------------------------- */

static const HlActivationsInfo *
file_info (HlExplorer *self)
{
  return hl_activations_get_info (self->file);
}

static gsize
n_result_slots (HlExplorer *self)
{
  const HlActivationsInfo *info = file_info (self);

  return (gsize) info->n_layers * info->n_heads * info->n_samples * info->n_queries;
}

static gsize
result_slot (HlExplorer *self,
             int         layer,
             int         head,
             int         sample,
             int         query)
{
  const HlActivationsInfo *info = file_info (self);

  return (((gsize) layer * info->n_heads + head) * info->n_samples + sample)
         * info->n_queries + query;
}

/* The result of a cell for the sample and query shown, or NULL. */
static HlHeadResult *
lookup_shown (HlExplorer *self,
              int         layer,
              int         head)
{
  if (self->results == NULL)
    return NULL;

  return self->results[result_slot (self, layer, head, self->sample, self->query)];
}

static void
hl_explorer_clear_results (HlExplorer *self)
{
  if (self->results != NULL)
    for (gsize i = 0; i < n_result_slots (self); i++)
      g_clear_pointer (&self->results[i], hl_head_result_unref);
  g_clear_pointer (&self->results, g_free);
  g_clear_object (&self->analysis);
  self->n_received = 0;
}

/* The heatmap ------------------------------------------------------------ */

static const HlSeparabilityPoint *
point_at_n (const HlHeadResult *result,
            HlRanking           ranking,
            HlDistance          distance,
            int                 n)
{
  const HlCurveSet *curves = result->curves;
  const HlSeparabilityPoint *points = curves->points[ranking][distance];

  if (points == NULL)
    return NULL;

  for (int i = 0; i < curves->n_grid; i++)
    if (curves->grid[i] == n)
      return &points[i];

  return NULL;
}

static float
cell_value (HlExplorer         *self,
            const HlHeadResult *result)
{
  const HlDiagnostics *d = &result->diagnostics;
  const HlSeparabilityPoint *p = point_at_n (result, self->ranking, self->distance,
                                             hl_explorer_get_n (self));

  switch (self->colour_mode)
    {
    case COLOUR_F1: return p != NULL ? p->f1 : NAN;
    case COLOUR_PRECISION: return p != NULL ? p->precision : NAN;
    case COLOUR_RECALL: return p != NULL ? p->recall : NAN;
    case COLOUR_MARGIN: return p != NULL ? p->margin : NAN;
    case COLOUR_SINK_MASS: return d->sink_mass;
    case COLOUR_SINK_SIMILARITY: return d->sink_similarity;
    case COLOUR_SINK_RATIO: return d->sink_ratio;
    case COLOUR_NORM_CV: return d->norm_cv;
    case COLOUR_BETA: return d->beta;
    case COLOUR_ENTROPY: return d->entropy;
    case COLOUR_REGIME:
    case N_COLOUR_MODES:
    default: return (float) result->regime;
    }
}

static char *
cell_tooltip (HlExplorer         *self,
              const HlHeadResult *result)
{
  int n = hl_explorer_get_n (self);
  const HlSeparabilityPoint *p = point_at_n (result, self->ranking, self->distance, n);
  g_autofree char *curves = NULL;

  if (p != NULL)
    curves = g_strdup_printf ("P<sub>N</sub> %.3f · R<sub>N</sub> %.3f · F<sub>N</sub> %.3f "
                              "(N = %d)\n", p->precision, p->recall, p->f1, n);

  return g_strdup_printf (_("<b>Layer %d · Head %d</b>: %s\n%s"
                            "sink mass %.3f · ρ<sub>0</sub> %.3f · λ %.3f · entropy %.2f"),
                          result->layer, result->head, hl_regime_display_name (result->regime),
                          curves != NULL ? curves : "",
                          result->diagnostics.sink_mass, result->diagnostics.sink_similarity,
                          result->diagnostics.sink_ratio, result->diagnostics.entropy);
}

static void
hl_explorer_update_cell (HlExplorer *self,
                         int         layer,
                         int         head)
{
  HlHeadResult *result = lookup_shown (self, layer, head);
  g_autofree char *tooltip = NULL;

  if (result == NULL)
    {
      hl_heatmap_view_set_cell (self->heatmap, layer, head, -1, NAN, NULL);
      return;
    }

  tooltip = cell_tooltip (self, result);
  hl_heatmap_view_set_cell (self->heatmap, layer, head, result->regime,
                            cell_value (self, result), tooltip);
}

static void
hl_explorer_update_heatmap (HlExplorer *self)
{
  const HlActivationsInfo *info;
  ColourMode mode = self->colour_mode;

  hl_heatmap_view_set_mode (self->heatmap,
                            mode == COLOUR_REGIME ? HL_HEATMAP_COLOR_REGIME
                                                  : HL_HEATMAP_COLOR_METRIC,
                            colour_modes[mode].colormap,
                            colour_modes[mode].vmin, colour_modes[mode].vmax,
                            colour_modes[mode].label);
  if (self->file == NULL)
    return;

  info = file_info (self);
  for (int l = 0; l < info->n_layers; l++)
    for (int h = 0; h < info->n_heads; h++)
      hl_explorer_update_cell (self, l, h);
}

/* The head detail -------------------------------------------------------- */

static void
hl_explorer_update_detail (HlExplorer *self)
{
  HlHeadResult *result = NULL;
  int layer, head;

  if (hl_heatmap_view_get_selected (self->heatmap, &layer, &head))
    result = lookup_shown (self, layer, head);

  hl_head_detail_set_view (self->head_detail, self->ranking, self->distance,
                           hl_explorer_get_n (self));
  hl_head_detail_set_head (self->head_detail, self->file, result);
}

static void
heatmap_selection_changed_cb (HlExplorer    *self,
                              HlHeatmapView *heatmap)
{
  hl_explorer_update_detail (self);
}

/* N ---------------------------------------------------------------------- */

/* The grid of the query shown, and the slider over it. */
static void
hl_explorer_update_grid (HlExplorer *self)
{
  int n_keys = file_info (self)->query_positions[self->query] + 1;
  int wanted = g_settings_get_int (self->settings, "n");
  int best = 0;

  g_free (self->grid);
  self->grid = g_new (int, n_keys);
  self->n_grid = hl_grid_build (HL_GRID_POW2, NULL, 0, n_keys, self->grid);

  gtk_scale_clear_marks (self->n_scale);
  for (int i = 0; i < self->n_grid; i++)
    {
      g_autofree char *mark = g_strdup_printf ("<small>%d</small>", self->grid[i]);

      gtk_scale_add_mark (self->n_scale, i, GTK_POS_BOTTOM, mark);
      if (abs (self->grid[i] - wanted) < abs (self->grid[best] - wanted))
        best = i;
    }

  gtk_adjustment_configure (self->n_adjustment, best, 0, MAX (self->n_grid - 1, 0), 1, 1, 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->n_scale), self->n_grid > 1);
}

/* The query spin counts the file's queries; say where the query is. */
static void
hl_explorer_update_query_label (HlExplorer *self)
{
  g_autofree char *text = g_strdup_printf (_("t = %d"),
                                           file_info (self)->query_positions[self->query]);

  gtk_label_set_text (self->query_position_label, text);
}

static void
hl_explorer_update_n_label (HlExplorer *self)
{
  int n = hl_explorer_get_n (self);
  g_autofree char *text = n > 0 ? g_strdup_printf (_("N = %d"), n) : g_strdup (_("N = —"));

  gtk_label_set_text (self->n_label, text);
}

static void
n_adjustment_value_changed_cb (HlExplorer    *self,
                               GtkAdjustment *adjustment)
{
  double value = gtk_adjustment_get_value (adjustment);

  /* The slider moves over grid indices: keep it on one. */
  if (value != round (value))
    {
      gtk_adjustment_set_value (adjustment, round (value));
      return;
    }

  hl_explorer_update_n_label (self);
  if (self->file == NULL || self->n_grid == 0)
    return;

  g_settings_set_int (self->settings, "n", hl_explorer_get_n (self));
  hl_explorer_update_heatmap (self);
  hl_explorer_update_detail (self);
  hl_model_panel_set_view (self->model_panel, self->ranking, self->distance,
                           hl_explorer_get_n (self));
}

void
hl_explorer_step_n (HlExplorer *self,
                    int         delta)
{
  double value;

  g_return_if_fail (HL_IS_EXPLORER (self));

  value = gtk_adjustment_get_value (self->n_adjustment) + delta;
  gtk_adjustment_set_value (self->n_adjustment,
                            CLAMP (value, 0, MAX (self->n_grid - 1, 0)));
}

static void
hl_explorer_n_step_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  hl_explorer_step_n (HL_EXPLORER (widget), g_variant_get_int32 (param));
}

static void
sample_or_query_changed_cb (HlExplorer    *self,
                            GtkAdjustment *adjustment)
{
  int query = (int) gtk_adjustment_get_value (self->query_adjustment);

  if (self->file == NULL)
    return;

  self->sample = (int) gtk_adjustment_get_value (self->sample_adjustment);
  if (query != self->query)
    {
      self->query = query;
      hl_explorer_update_grid (self);
      hl_explorer_update_query_label (self);
    }
  hl_explorer_update_heatmap (self);
  hl_explorer_update_detail (self);
}

/* The analysis ----------------------------------------------------------- */

static Run *
run_new (HlExplorer   *self,
         GCancellable *cancellable)
{
  Run *run = g_atomic_rc_box_new0 (Run);

  run->self = g_object_ref (self);
  run->cancellable = g_object_ref (cancellable);

  return run;
}

static void
run_clear (Run *run)
{
  g_object_unref (run->self);
  g_object_unref (run->cancellable);
}

static void
run_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify) run_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_unref)

static gboolean
run_is_current (Run *run)
{
  return run->self->cancellable == run->cancellable;
}

static void
hl_explorer_show_progress (HlExplorer *self,
                           guint       done,
                           guint       total)
{
  g_autofree char *text = g_strdup_printf (_("Analysing heads: %u of %u"), done, total);

  gtk_label_set_text (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / total : 0);
}

static void
analysis_progress_cb (guint    done,
                      guint    total,
                      gpointer user_data)
{
  Run *run = user_data;

  if (run_is_current (run))
    hl_explorer_show_progress (run->self, done, total);
}

static void
analysis_head_cb (HlHeadResult *result,
                  gpointer      user_data)
{
  Run *run = user_data;
  HlExplorer *self = run->self;
  HlHeadResult **slot;
  int layer, head;

  if (!run_is_current (run))
    return;

  slot = &self->results[result_slot (self, result->layer, result->head,
                                     result->sample, result->query_index)];
  if (*slot == NULL)
    self->n_received++;
  g_clear_pointer (slot, hl_head_result_unref);
  *slot = hl_head_result_ref (result);

  if (result->sample != self->sample || result->query_index != self->query)
    return;

  hl_explorer_update_cell (self, result->layer, result->head);
  if (hl_heatmap_view_get_selected (self->heatmap, &layer, &head)
      && layer == result->layer && head == result->head)
    hl_explorer_update_detail (self);
}

static void
hl_explorer_set_running (HlExplorer   *self,
                         GCancellable *cancellable)
{
  if (self->cancellable == cancellable)
    return;

  g_clear_object (&self->cancellable);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  gtk_revealer_set_reveal_child (self->progress_revealer, cancellable != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
analysis_finished_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(Run) run = user_data;
  HlExplorer *self = run->self;
  g_autoptr(HlAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  analysis = hl_analysis_run_finish (result, &error);
  if (!run_is_current (run))
    return;

  hl_explorer_set_running (self, NULL);
  if (analysis != NULL)
    {
      const HlActivationsInfo *info = file_info (self);

      self->analysis = g_steal_pointer (&analysis);
      hl_model_panel_set_analysis (self->model_panel, self->analysis,
                                   info->n_heads * info->n_samples * info->n_queries);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    message = g_strdup_printf (_("The analysis was cancelled after %u of %u heads. The "
                                 "model-level results need every head: open the file "
                                 "again to run it."),
                               self->n_received, self->n_expected);
  else
    {
      message = g_strdup_printf (_("The analysis failed: %s"), error->message);
      g_signal_emit (self, signals[ANALYSIS_FAILED], 0, error);
    }
  hl_model_panel_show_message (self->model_panel, message);
}

static void
hl_explorer_fill_options (HlExplorer        *self,
                          HlAnalysisOptions *options)
{
  hl_analysis_options_init (options);
  options->head.repeats = g_settings_get_int (self->settings, "random-repeats");
  for (int i = 0; i < HL_REGIME_N_THRESHOLDS; i++)
    {
      const HlRegimeThresholdInfo *info = &hl_regime_threshold_infos ()[i];

      G_STRUCT_MEMBER (double, &options->head.thresholds, info->offset)
        = g_settings_get_double (self->settings, info->name);
    }
  for (int i = 0; i < HL_ASSUMPTION_N_THRESHOLDS; i++)
    {
      const HlAssumptionThresholdInfo *info = &hl_assumption_threshold_infos ()[i];

      G_STRUCT_MEMBER (double, &options->assumptions, info->offset)
        = g_settings_get_double (self->settings, info->name);
    }
  options->bootstrap = g_settings_get_int (self->settings, "bootstrap-replicates");
  options->threads = g_settings_get_int (self->settings, "blas-threads");
}

static void
hl_explorer_cancel_run (HlExplorer *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  hl_explorer_set_running (self, NULL);
  g_clear_handle_id (&self->restart_id, g_source_remove);
}

static void
hl_explorer_start_analysis (HlExplorer *self)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  HlAnalysisOptions options;

  hl_explorer_cancel_run (self);
  hl_explorer_clear_results (self);
  self->results = g_new0 (HlHeadResult *, MAX (n_result_slots (self), 1));
  self->n_expected = n_result_slots (self);
  hl_explorer_update_heatmap (self);
  hl_explorer_update_detail (self);
  hl_model_panel_set_analysis (self->model_panel, NULL, 0);
  hl_model_panel_show_message (self->model_panel, _("The model-level results appear when "
                                                    "every head is analysed."));

  hl_explorer_fill_options (self, &options);
  hl_explorer_set_running (self, cancellable);
  hl_explorer_show_progress (self, 0, self->n_expected);
  hl_analysis_run_async (self->file, &options,
                         analysis_progress_cb, analysis_head_cb,
                         run_new (self, cancellable), run_unref,
                         cancellable, analysis_finished_cb, run_new (self, cancellable));
}

void
hl_explorer_cancel (HlExplorer *self)
{
  g_return_if_fail (HL_IS_EXPLORER (self));

  /* The finish callback reports the cancellation and clears the state. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
cancel_button_clicked_cb (HlExplorer *self,
                          GtkButton  *button)
{
  hl_explorer_cancel (self);
}

static void
hl_explorer_setup_file (HlExplorer *self)
{
  const HlActivationsInfo *info = file_info (self);

  /* The heatmap takes the new shape first: the adjustments below notify
   * handlers that fill it. */
  hl_heatmap_view_set_shape (self->heatmap, info->n_layers, info->n_heads);
  hl_heatmap_view_select (self->heatmap, 0, 0);
  self->sample = 0;
  self->query = 0;
  gtk_adjustment_configure (self->sample_adjustment, 0, 0, info->n_samples - 1, 1, 1, 0);
  gtk_adjustment_configure (self->query_adjustment, 0, 0, info->n_queries - 1, 1, 1, 0);
  gtk_widget_set_visible (self->sample_box, info->n_samples > 1);
  gtk_widget_set_visible (self->query_box, info->n_queries > 1);
  hl_explorer_update_grid (self);
  hl_explorer_update_n_label (self);
  hl_explorer_update_query_label (self);
}

void
hl_explorer_set_file (HlExplorer    *self,
                      HlActivations *file)
{
  g_return_if_fail (HL_IS_EXPLORER (self));
  g_return_if_fail (file == NULL || HL_IS_ACTIVATIONS (file));

  hl_explorer_cancel_run (self);
  hl_head_detail_set_head (self->head_detail, NULL, NULL);
  hl_explorer_clear_results (self);
  g_set_object (&self->file, file);
  if (file == NULL)
    return;

  hl_explorer_setup_file (self);
  hl_explorer_start_analysis (self);
}

/* Settings --------------------------------------------------------------- */

static gboolean
restart_timeout_cb (gpointer user_data)
{
  HlExplorer *self = user_data;

  self->restart_id = 0;
  if (self->file != NULL)
    hl_explorer_start_analysis (self);

  return G_SOURCE_REMOVE;
}

/* The analysis keys and the regime thresholds need a new analysis. */
static gboolean
is_analysis_key (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (analysis_keys); i++)
    if (g_str_equal (key, analysis_keys[i]))
      return TRUE;
  for (int i = 0; i < HL_REGIME_N_THRESHOLDS; i++)
    if (g_str_equal (key, hl_regime_threshold_infos ()[i].name))
      return TRUE;
  for (int i = 0; i < HL_ASSUMPTION_N_THRESHOLDS; i++)
    if (g_str_equal (key, hl_assumption_threshold_infos ()[i].name))
      return TRUE;
  return FALSE;
}

static void
settings_changed_cb (HlExplorer *self,
                     const char *key,
                     GSettings  *settings)
{
  if (is_analysis_key (key))
    {
      g_clear_handle_id (&self->restart_id, g_source_remove);
      self->restart_id = g_timeout_add (RESTART_DELAY_MS, restart_timeout_cb, self);
      return;
    }

  if (!g_str_equal (key, "ranking") && !g_str_equal (key, "distance")
      && !g_str_equal (key, "colour-mode"))
    return;

  self->ranking = hl_settings_get_choice (settings, "ranking", hl_ranking_choices);
  self->distance = hl_settings_get_choice (settings, "distance", hl_distance_choices);
  self->colour_mode = hl_settings_get_choice (settings, "colour-mode", hl_colour_mode_choices);
  hl_explorer_update_heatmap (self);
  hl_explorer_update_detail (self);
  hl_model_panel_set_view (self->model_panel, self->ranking, self->distance,
                           hl_explorer_get_n (self));
}

/* Life cycle ------------------------------------------------------------- */

static void
hl_explorer_dispose (GObject *object)
{
  HlExplorer *self = HL_EXPLORER (object);
  GtkWidget *child;

  hl_explorer_cancel_run (self);
  g_clear_object (&self->settings);
  /* The template's root is a child of this widget: unparent it before
   * the template is torn down. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  gtk_widget_dispose_template (GTK_WIDGET (self), HL_TYPE_EXPLORER);
  hl_explorer_clear_results (self);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (hl_explorer_parent_class)->dispose (object);
}

static void
hl_explorer_finalize (GObject *object)
{
  HlExplorer *self = HL_EXPLORER (object);

  g_clear_pointer (&self->grid, g_free);

  G_OBJECT_CLASS (hl_explorer_parent_class)->finalize (object);
}

static void
hl_explorer_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HlExplorer *self = HL_EXPLORER (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, hl_explorer_get_running (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_explorer_class_init_bindings (GtkWidgetClass *widget_class)
{
  static const struct {
    guint keyval;
    int   delta;
  } keys[] = {
    { GDK_KEY_plus, 1 }, { GDK_KEY_equal, 1 }, { GDK_KEY_KP_Add, 1 },
    { GDK_KEY_minus, -1 }, { GDK_KEY_KP_Subtract, -1 },
  };

  gtk_widget_class_install_action (widget_class, "explorer.n-step", "i",
                                   hl_explorer_n_step_action);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_widget_class_add_binding_action (widget_class, keys[i].keyval, 0,
                                         "explorer.n-step", "i", keys[i].delta);
}

static void
hl_explorer_class_init (HlExplorerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_explorer_dispose;
  object_class->finalize = hl_explorer_finalize;
  object_class->get_property = hl_explorer_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The file opened but one of its blocks did not pass validation. */
  signals[ANALYSIS_FAILED] =
    g_signal_new ("analysis-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  g_type_ensure (HL_TYPE_HEATMAP_VIEW);
  g_type_ensure (HL_TYPE_HEAD_DETAIL);
  g_type_ensure (HL_TYPE_MODEL_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/headlens/Headlens/ui/hl-explorer.ui");
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, progress_label);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, ranking_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, distance_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, colour_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, n_label);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, n_scale);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, n_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, sample_box);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, query_box);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, sample_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, query_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, query_position_label);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, heatmap);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, model_panel);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, head_detail);
  gtk_widget_class_bind_template_callback (widget_class, cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, n_adjustment_value_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, sample_or_query_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, heatmap_selection_changed_cb);

  hl_explorer_class_init_bindings (widget_class);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hl_explorer_init_settings (HlExplorer *self)
{
  self->settings = g_settings_new (APPLICATION_ID);
  hl_settings_bind_choice (self->settings, "ranking", self->ranking_dropdown, "selected",
                           hl_ranking_choices);
  hl_settings_bind_choice (self->settings, "distance", self->distance_dropdown, "selected",
                           hl_distance_choices);
  hl_settings_bind_choice (self->settings, "colour-mode", self->colour_dropdown, "selected",
                           hl_colour_mode_choices);
  self->ranking = hl_settings_get_choice (self->settings, "ranking", hl_ranking_choices);
  self->distance = hl_settings_get_choice (self->settings, "distance", hl_distance_choices);
  self->colour_mode = hl_settings_get_choice (self->settings, "colour-mode",
                                              hl_colour_mode_choices);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb),
                           self, G_CONNECT_SWAPPED);
}

static void
hl_explorer_init (HlExplorer *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  hl_explorer_init_settings (self);
  hl_explorer_update_n_label (self);
  hl_model_panel_set_view (self->model_panel, self->ranking, self->distance, 0);
}
