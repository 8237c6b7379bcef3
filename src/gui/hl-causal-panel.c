/* hl-causal-panel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-panel.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hl-causal-bar.h"
#include "hl-causal-store.h"
#include "hl-plot-view.h"
#include "hl-session-watch.h"

/* The effects the table correlates, its columns. */
static const HlCausalStoreRun effect_runs[] = { HL_CAUSAL_STORE_ABLATION, HL_CAUSAL_STORE_N_STAR };
#define N_EFFECTS G_N_ELEMENTS (effect_runs)

struct _HlCausalPanel
{
  GtkWidget       parent_instance;

  HlSession      *session;    /* owned, or NULL */
  HlCausalStore  *store;      /* owned: the session's, or NULL */
  char           *table;      /* the table as text */

  GtkWidget      *box;
  HlCausalBar    *bar;
  GtkWidget      *view;
  GtkWidget      *caption_label;
  GtkWidget      *grid;
};

G_DEFINE_FINAL_TYPE (HlCausalPanel, hl_causal_panel, GTK_TYPE_WIDGET)

GtkWidget *
hl_causal_panel_new (void)
{
  return g_object_new (HL_TYPE_CAUSAL_PANEL, NULL);
}

/* The correlation table ------------------------------------------------------ */

static const HlCausalCorrelationSet *
first_set (const HlCausalResult *result)
{
  if (result == NULL || result->correlations == NULL || result->correlations->len == 0)
    return NULL;
  return &g_array_index (result->correlations, HlCausalCorrelationSet, 0);
}

static char *
quantity_label (HlCausalQuantity quantity,
                int              score_n)
{
  switch (quantity)
    {
    case HL_CAUSAL_QUANTITY_F1:        return g_strdup_printf (_("F1 at N = %d"), score_n);
    case HL_CAUSAL_QUANTITY_MARGIN:    return g_strdup_printf (_("Margin γ at N = %d"), score_n);
    case HL_CAUSAL_QUANTITY_SINK_MASS: return g_strdup (_("Sink mass α₀"));
    case HL_CAUSAL_QUANTITY_ENTROPY:   return g_strdup (_("Attention entropy"));
    case HL_CAUSAL_QUANTITY_A_LAST:    return g_strdup (_("Last-token output ‖α_t v_t‖"));
    case HL_CAUSAL_QUANTITY_REGIME:
    case HL_N_CAUSAL_QUANTITIES:
    default:                           return g_strdup (_("Regime (η)"));
    }
}

static void
attach_cell (HlCausalPanel *self,
             GString       *text,
             const char    *cell,
             int            column,
             int            row)
{
  GtkWidget *label = gtk_label_new (cell);

  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  if (row == 0)
    gtk_widget_add_css_class (label, "dim-label");
  else if (column > 0)
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (GTK_GRID (self->grid), label, column, row, 1, 1);
  g_string_append (text, cell);
  g_string_append_c (text, column == 2 * N_EFFECTS ? '\n' : '\t');
}

static void
clear_grid (HlCausalPanel *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->grid)) != NULL)
    gtk_grid_remove (GTK_GRID (self->grid), child);
}

/* One row: the quantity, then r (or eta) and n for each effect. */
static void
attach_row (HlCausalPanel                 *self,
            GString                       *text,
            HlCausalQuantity               quantity,
            const HlCausalCorrelationSet **sets,
            int                            score_n,
            int                            row)
{
  g_autofree char *name = quantity_label (quantity, score_n);

  attach_cell (self, text, name, 0, row);
  for (guint e = 0; e < N_EFFECTS; e++)
    {
      g_autofree char *r = NULL, *n = NULL;

      if (sets[e] != NULL && isfinite (sets[e]->correlations.r[quantity]))
        r = g_strdup_printf ("%+.2f", sets[e]->correlations.r[quantity]);
      else
        r = g_strdup ("—");
      n = sets[e] != NULL ? g_strdup_printf ("%d", sets[e]->correlations.n_heads[quantity]) : g_strdup ("—");
      attach_cell (self, text, r, 1 + 2 * e, row);
      attach_cell (self, text, n, 2 + 2 * e, row);
    }
}

static void
update_table (HlCausalPanel *self)
{
  const HlCausalCorrelationSet *sets[N_EFFECTS] = { NULL };
  const HlCausalResult *any = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *caption = NULL;

  for (guint e = 0; self->store != NULL && e < N_EFFECTS; e++)
    {
      const HlCausalResult *result = hl_causal_store_get_result (self->store, effect_runs[e]);

      sets[e] = first_set (result);
      any = sets[e] != NULL ? result : any;
    }
  clear_grid (self);
  gtk_widget_set_visible (self->grid, any != NULL);
  gtk_widget_set_visible (self->caption_label, any != NULL);
  if (any != NULL)
    {
      attach_cell (self, text, _("Geometry"), 0, 0);
      attach_cell (self, text, _("r with ablation Δ NLL"), 1, 0);
      attach_cell (self, text, _("n"), 2, 0);
      attach_cell (self, text, _("r with N*"), 3, 0);
      attach_cell (self, text, _("n"), 4, 0);
      for (int q = 0; q < HL_N_CAUSAL_QUANTITIES; q++)
        attach_row (self, text, q, sets, any->score_n, q + 1);
      caption = g_strdup_printf (_("Pearson’s r across heads between each head’s measured effect (Δ NLL of zero "
                                   "ablation; N* with τ = %g) and its geometry: the mean over the last position "
                                   "of each window of the file (windows: %d). η: the correlation ratio of the effect with "
                                   "the regime. n: heads with both values. —: undefined (a constant, or fewer "
                                   "than two heads)."), any->tau, any->n_windows);
      gtk_label_set_text (GTK_LABEL (self->caption_label), caption);
    }
  g_free (self->table);
  self->table = g_string_free (g_steal_pointer (&text), FALSE);
}

/* Updates --------------------------------------------------------------------- */

static void
update (HlCausalPanel *self)
{
  g_autoptr(HlFigure) figure = self->store != NULL ? hl_causal_store_build_sparsification (self->store) : NULL;

  hl_plot_view_set_figure (HL_PLOT_VIEW (self->view), figure);
  update_table (self);
}

void
hl_causal_panel_set_session (HlCausalPanel *self,
                             HlSession     *session)
{
  static const char * const shown[] = { "file", NULL };

  g_return_if_fail (HL_IS_CAUSAL_PANEL (self));

  if (!hl_session_watch (self, &self->session, session, shown, G_CALLBACK (update)))
    return;
  hl_causal_bar_follow_session (self->bar, &self->store, session, G_CALLBACK (update), self);
  update (self);
}

void
hl_causal_panel_measure (HlCausalPanel *self)
{
  g_return_if_fail (HL_IS_CAUSAL_PANEL (self));

  if (self->store != NULL)
    hl_causal_store_run_model (self->store);
}

HlFigure *
hl_causal_panel_get_figure (HlCausalPanel *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_PANEL (self), NULL);

  return hl_plot_view_get_figure (HL_PLOT_VIEW (self->view));
}

const char *
hl_causal_panel_get_table (HlCausalPanel *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_PANEL (self), NULL);

  return self->table != NULL ? self->table : "";
}

const char *
hl_causal_panel_get_message (HlCausalPanel *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_PANEL (self), NULL);

  return hl_causal_bar_get_message (self->bar);
}

/* Building ----------------------------------------------------------------- */

static void
build (HlCausalPanel *self)
{
  GtkWidget *heading = gtk_label_new (_("Causal effects of the heads"));

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  self->bar = HL_CAUSAL_BAR (hl_causal_bar_new (_("Measure _Every Head"),
                                                _("In the model the file was extracted with: each head zero-ablated "
                                                  "on its own, each head’s N*, and the model sparsified by each "
                                                  "pruning policy; the heatmap can then be coloured by ablation "
                                                  "Δ NLL and by N*"),
                                                G_CALLBACK (hl_causal_panel_measure), self));
  self->view = hl_plot_view_new (_("Sparsification: Δ NLL against the fraction of heads pruned"));
  hl_plot_view_set_placeholder (HL_PLOT_VIEW (self->view),
                                _("Measure every head to plot the loss against the fraction of heads pruned"));
  gtk_widget_set_size_request (self->view, 280, 240);
  self->grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (self->grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (self->grid), 3);
  self->caption_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->caption_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->caption_label), TRUE);
  gtk_widget_add_css_class (self->caption_label, "dim-label");
  gtk_box_append (GTK_BOX (self->box), heading);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->bar));
  gtk_box_append (GTK_BOX (self->box), self->view);
  gtk_box_append (GTK_BOX (self->box), self->grid);
  gtk_box_append (GTK_BOX (self->box), self->caption_label);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}

static void
hl_causal_panel_dispose (GObject *object)
{
  HlCausalPanel *self = HL_CAUSAL_PANEL (object);

  if (self->bar != NULL)
    hl_causal_panel_set_session (self, NULL);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  self->bar = NULL;

  G_OBJECT_CLASS (hl_causal_panel_parent_class)->dispose (object);
}

static void
hl_causal_panel_finalize (GObject *object)
{
  HlCausalPanel *self = HL_CAUSAL_PANEL (object);

  g_free (self->table);

  G_OBJECT_CLASS (hl_causal_panel_parent_class)->finalize (object);
}

static void
hl_causal_panel_class_init (HlCausalPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_causal_panel_dispose;
  object_class->finalize = hl_causal_panel_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hl_causal_panel_init (HlCausalPanel *self)
{
  build (self);
  update (self);
}
