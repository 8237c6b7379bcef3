/* hl-model-panel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "hl-correlation-plot.h"
#include "hl-curves-plot.h"
#include "hl-model-panel.h"
#include "hl-plot-view.h"
#include "hl-regimes-plot.h"

struct _HlModelPanel
{
  GtkWidget              parent_instance;

  GtkStack              *stack;
  GtkLabel              *message_label;
  HlPlotView            *curves_view;
  HlPlotView            *regimes_view;
  HlPlotView            *correlation_view;

  HlAnalysis            *analysis;      /* shown, or NULL */
  int                    results_per_layer;
  HlRanking              ranking;
  HlDistance             distance;
  int                    n;

  /* What the plots point into. */
  float                 *values;        /* [13 * n_grid] */
  HlCurvesPlotData       curves;
  HlRegimesPlotData      regimes;
  HlCorrelationPlotData  correlation;
};

G_DEFINE_FINAL_TYPE (HlModelPanel, hl_model_panel, GTK_TYPE_WIDGET)

GtkWidget *
hl_model_panel_new (void)
{
  return g_object_new (HL_TYPE_MODEL_PANEL, NULL);
}

static const HlBand *
band_of (const HlModelPoint *point,
         HlCurveMetric       metric)
{
  switch (metric)
    {
    case HL_CURVE_PRECISION: return &point->precision;
    case HL_CURVE_RECALL: return &point->recall;
    case HL_CURVE_F1:
    case HL_N_CURVES:
    default: return &point->f1;
    }
}

/* Copies the mean, the band and the random mean of each metric out of the
 * summary's per-N structs: blocks of n_grid floats, four per metric, then
 * the correlation. */
static void
fill_values (HlModelPanel         *self,
             const HlModelSummary *summary,
             const HlModelPoint   *ranked,
             const HlModelPoint   *random)
{
  int n = summary->n_grid;

  g_free (self->values);
  self->values = g_new (float, 13 * MAX (n, 1));
  memset (&self->curves, 0, sizeof self->curves);
  self->curves.n_grid = n;
  self->curves.grid = summary->grid;
  self->curves.band_label = _("95% bootstrap band over samples");
  self->curves.title = _("Mean over heads");

  for (int c = 0; c < HL_N_CURVES; c++)
    {
      float *mean = self->values + (4 * c) * n, *lo = mean + n, *hi = lo + n, *rnd = hi + n;

      for (int i = 0; i < n; i++)
        {
          const HlBand *b = band_of (&ranked[i], c);

          mean[i] = b->mean;
          lo[i] = b->lo;
          hi[i] = b->hi;
          rnd[i] = random != NULL ? band_of (&random[i], c)->mean : NAN;
        }
      self->curves.ranked[c] = mean;
      self->curves.band_lo[c] = lo;
      self->curves.band_hi[c] = hi;
      self->curves.random[c] = random != NULL ? rnd : NULL;
    }

  for (int i = 0; i < n; i++)
    self->values[12 * n + i] = ranked[i].corr_recall_rho0;
}

static void
hl_model_panel_update (HlModelPanel *self)
{
  const HlModelSummary *summary;
  const HlModelPoint *ranked;

  if (self->analysis == NULL)
    return;

  summary = hl_analysis_get_summary (self->analysis);
  ranked = summary->points[self->ranking][self->distance];
  if (ranked == NULL)
    {
      hl_model_panel_show_message (self, _("The analysis did not compute this ranking and "
                                           "distance."));
      return;
    }

  fill_values (self, summary, ranked, summary->points[HL_RANKING_RANDOM][self->distance]);
  self->curves.chosen_n = self->n;
  self->correlation = (HlCorrelationPlotData) {
    summary->n_grid, summary->grid, self->values + 12 * summary->n_grid, NULL, NULL,
    _("corr(R<sub>N</sub>, ρ<sub>0</sub>) across heads"),
  };
  self->regimes = (HlRegimesPlotData) {
    summary->n_layers, summary->regime_counts, self->results_per_layer,
    _("Regimes per layer"),
  };
  hl_plot_view_set_data (self->curves_view, &self->curves);
  hl_plot_view_set_data (self->correlation_view, &self->correlation);
  hl_plot_view_set_data (self->regimes_view, &self->regimes);
  gtk_stack_set_visible_child_name (self->stack, "summary");
}

void
hl_model_panel_show_message (HlModelPanel *self,
                             const char   *message)
{
  g_return_if_fail (HL_IS_MODEL_PANEL (self));

  gtk_label_set_text (self->message_label, message);
  gtk_stack_set_visible_child_name (self->stack, "message");
  hl_plot_view_set_data (self->curves_view, NULL);
  hl_plot_view_set_data (self->correlation_view, NULL);
  hl_plot_view_set_data (self->regimes_view, NULL);
}

void
hl_model_panel_set_analysis (HlModelPanel *self,
                             HlAnalysis   *analysis,
                             int           results_per_layer)
{
  g_return_if_fail (HL_IS_MODEL_PANEL (self));
  g_return_if_fail (analysis == NULL || HL_IS_ANALYSIS (analysis));

  g_set_object (&self->analysis, analysis);
  self->results_per_layer = results_per_layer;
  hl_model_panel_update (self);
}

void
hl_model_panel_set_view (HlModelPanel *self,
                         HlRanking     ranking,
                         HlDistance    distance,
                         int           n)
{
  g_return_if_fail (HL_IS_MODEL_PANEL (self));

  if (ranking == self->ranking && distance == self->distance)
    {
      /* Only the marker moves. */
      self->n = n;
      self->curves.chosen_n = n;
      if (self->analysis != NULL && self->values != NULL)
        hl_plot_view_set_data (self->curves_view, &self->curves);
      return;
    }

  self->ranking = ranking;
  self->distance = distance;
  self->n = n;
  hl_model_panel_update (self);
}

static HlPlotView *
add_plot (GtkBox     *box,
          HlPlotKind  kind,
          const char *label)
{
  GtkWidget *view = hl_plot_view_new (kind, label);

  gtk_widget_set_size_request (view, 280, 240);
  gtk_box_append (box, view);

  return HL_PLOT_VIEW (view);
}

static void
hl_model_panel_dispose (GObject *object)
{
  HlModelPanel *self = HL_MODEL_PANEL (object);

  if (self->stack != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->stack));
      self->stack = NULL;
    }
  g_clear_object (&self->analysis);

  G_OBJECT_CLASS (hl_model_panel_parent_class)->dispose (object);
}

static void
hl_model_panel_finalize (GObject *object)
{
  HlModelPanel *self = HL_MODEL_PANEL (object);

  g_clear_pointer (&self->values, g_free);

  G_OBJECT_CLASS (hl_model_panel_parent_class)->finalize (object);
}

static void
hl_model_panel_class_init (HlModelPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_model_panel_dispose;
  object_class->finalize = hl_model_panel_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hl_model_panel_init (HlModelPanel *self)
{
  GtkBox *box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 12));

  self->message_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->message_label, TRUE);
  gtk_label_set_xalign (self->message_label, 0);
  gtk_widget_set_valign (GTK_WIDGET (self->message_label), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");

  self->curves_view = add_plot (box, HL_PLOT_CURVES, _("Mean precision, recall and F1 over N"));
  self->regimes_view = add_plot (box, HL_PLOT_REGIMES, _("Regime counts per layer"));
  self->correlation_view = add_plot (box, HL_PLOT_CORRELATION,
                                     _("Correlation of recall with sink similarity over N"));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->message_label), "message");
  gtk_stack_add_named (self->stack, GTK_WIDGET (box), "summary");
  gtk_widget_set_parent (GTK_WIDGET (self->stack), GTK_WIDGET (self));
}
