/* hl-head-detail.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>

#include "hl-head-compare.h"
#include "hl-causal-section.h"
#include "hl-head-detail.h"
#include "hl-planted.h"
#include "hl-matrix-view.h"
#include "hl-plot-view.h"
#include "hl-scatter-view.h"
#include "hl-session-figures.h"
#include "hl-session-watch.h"
#include "hl-token-view.h"

typedef enum {
  DIAG_CV,
  DIAG_LAMBDA,
  DIAG_RHO0,
  DIAG_BETA,
  DIAG_SINK_MASS,
  DIAG_LAST_MASS,
  DIAG_ENTROPY,
  DIAG_SHARES,
  N_DIAGS
} Diag;

struct _HlHeadDetail
{
  GtkWidget        parent_instance;

  /* Template widgets */
  GtkStack        *stack;
  GtkLabel        *title_label;
  GtkLabel        *regime_label;
  GtkLabel        *taxonomy_label;
  HlPlotView      *curves_view;
  HlPlotView      *alignment_view;
  HlScatterView   *scatter_view;
  HlPlotView      *profile_view;
  HlPlotView      *decay_view;
  HlTokenView     *token_view;
  GtkWidget       *matrix_box;
  HlMatrixView    *matrix_view;
  GtkCheckButton  *matrix_log_check;
  GtkLabel        *tokens_legend;
  HlPlotView      *bound_view;
  GtkCheckButton  *log_check;
  GtkCheckButton  *values_check;
  GtkGrid         *diagnostics_grid;
  GtkLabel        *diag_values[N_DIAGS];
  GtkLabel        *at_n_heading;
  GtkGrid         *at_n_grid;
  HlHeadCompare   *compare;
  HlCausalSection *causal_section;
  /* The metrics at the chosen N: the chosen ranking, then the random
   * control. */
  GtkLabel        *at_n_names[2];
  GtkLabel        *at_n_values[2][HL_HEAD_DETAIL_N_AT_N];

  GSettings       *settings;
  HlSession       *session;        /* owned, or NULL */
  char            *placeholder;    /* what the scatter and profile say instead, or NULL */
  char            *head_error;     /* why the head's data could not be read, or NULL */
  GBinding        *values_binding; /* owned ref: the session's scatter-values to values_check */
};

G_DEFINE_FINAL_TYPE (HlHeadDetail, hl_head_detail, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
hl_head_detail_new (void)
{
  return g_object_new (HL_TYPE_HEAD_DETAIL, NULL);
}

const char *
hl_head_detail_get_title (HlHeadDetail *self)
{
  g_return_val_if_fail (HL_IS_HEAD_DETAIL (self), NULL);

  return gtk_label_get_text (self->title_label);
}

HlFigure *
hl_head_detail_get_figure (HlHeadDetail *self,
                           HlPlotKind    kind)
{
  g_return_val_if_fail (HL_IS_HEAD_DETAIL (self), NULL);

  switch (kind)
    {
    case HL_PLOT_CURVES: return hl_plot_view_get_figure (self->curves_view);
    case HL_PLOT_ALIGNMENT: return hl_plot_view_get_figure (self->alignment_view);
    case HL_PLOT_SCATTER: return hl_scatter_view_get_figure (self->scatter_view);
    case HL_PLOT_PROFILE: return hl_plot_view_get_figure (self->profile_view);
    case HL_PLOT_DECAY: return hl_plot_view_get_figure (self->decay_view);
    case HL_PLOT_TOKENS: return hl_token_view_get_figure (self->token_view);
    case HL_PLOT_BOUND: return hl_plot_view_get_figure (self->bound_view);
    case HL_PLOT_MATRIX: return hl_matrix_view_get_figure (self->matrix_view);
    case HL_PLOT_HEATMAP:
    case HL_PLOT_REGIMES:
    case HL_PLOT_CORRELATION:
    case HL_PLOT_PANEL:
    case HL_PLOT_CAUSAL:
    case HL_N_PLOT_KINDS:
    default: return NULL;
    }
}

HlHeadCompare *
hl_head_detail_get_compare (HlHeadDetail *self)
{
  g_return_val_if_fail (HL_IS_HEAD_DETAIL (self), NULL);

  return self->compare;
}

HlCausalSection *
hl_head_detail_get_causal_section (HlHeadDetail *self)
{
  g_return_val_if_fail (HL_IS_HEAD_DETAIL (self), NULL);

  return self->causal_section;
}

const char *
hl_head_detail_get_placeholder (HlHeadDetail *self)
{
  g_return_val_if_fail (HL_IS_HEAD_DETAIL (self), NULL);

  return self->placeholder;
}

static HlFigure *
build (HlHeadDetail    *self,
       HlSessionFigure  which)
{
  return hl_session_build_figure (self->session, which, HL_FIGURE_TARGET_SCREEN);
}

/* Why the scatter and the profile show no figure, or NULL when they do. */
static char *
dup_placeholder (HlHeadDetail *self)
{
  HlHeadData *data = hl_session_get_head_data (self->session);

  if (self->head_error != NULL)
    return g_strdup (_("Could not read this head"));
  if (data == NULL)
    return g_strdup (_("Reading the head…"));
  if (data->n_keys < 2)
    return g_strdup_printf (_("The query at position %d sees a single key: no selection of "
                              "N tokens to show"), data->query_position);
  return NULL;
}

/* What the token view's shades and outlines mean, beside its heading. */
static void
hl_head_detail_update_tokens_legend (HlHeadDetail *self)
{
  HlHeadData *data = hl_session_get_head_data (self->session);
  g_autofree char *legend = NULL;
  double max = 0;

  for (int i = 0; data != NULL && i < data->n_keys; i++)
    max = MAX (max, data->alpha[i]);
  /* Translators: the token view's legend */
  legend = g_strdup_printf (_("shade: attention αᵢ (darkest %.3g) · outlined: selected, "
                              "N = %d · dashed: sink and query · click a token to find it in "
                              "the plots"), max, hl_session_get_n (self->session));
  gtk_label_set_text (self->tokens_legend, legend);
}

static void
hl_head_detail_update_points (HlHeadDetail *self)
{
  g_autoptr(HlFigure) scatter = build (self, HL_SESSION_FIGURE_SCATTER);
  g_autoptr(HlFigure) profile = build (self, HL_SESSION_FIGURE_PROFILE);

  g_free (self->placeholder);
  self->placeholder = scatter == NULL ? dup_placeholder (self) : NULL;
  hl_scatter_view_set_placeholder (self->scatter_view, self->placeholder);
  hl_plot_view_set_placeholder (self->profile_view, self->placeholder);
  hl_scatter_view_set_figure (self->scatter_view, scatter, hl_session_get_head_data (self->session),
                              hl_session_get_scatter (self->session));
  hl_plot_view_set_figure (self->profile_view, profile);
  hl_head_detail_update_tokens_legend (self);
}

/* The curves, alignment and decay of the head's result; a query with a
 * single key has none of them (no N, no lag). */
static void
hl_head_detail_update_curves (HlHeadDetail *self)
{
  g_autoptr(HlFigure) curves = build (self, HL_SESSION_FIGURE_HEAD_CURVES);
  g_autoptr(HlFigure) alignment = build (self, HL_SESSION_FIGURE_ALIGNMENT);
  g_autoptr(HlFigure) decay = build (self, HL_SESSION_FIGURE_DECAY);
  g_autoptr(HlFigure) bound = build (self, HL_SESSION_FIGURE_HEAD_BOUND);
  const char *no_n = _("A single key: no N to plot");

  hl_plot_view_set_placeholder (self->curves_view, no_n);
  hl_plot_view_set_placeholder (self->alignment_view, no_n);
  hl_plot_view_set_placeholder (self->bound_view, no_n);
  hl_plot_view_set_figure (self->bound_view, bound);
  hl_plot_view_set_placeholder (self->decay_view, _("Too few keys to measure a decay"));
  hl_plot_view_set_figure (self->curves_view, curves);
  hl_plot_view_set_figure (self->alignment_view, alignment);
  hl_plot_view_set_figure (self->decay_view, decay);
}

static void
set_diag (HlHeadDetail *self,
          Diag          diag,
          char         *text)
{
  gtk_label_set_text (self->diag_values[diag], text);
  g_free (text);
}

static void
hl_head_detail_update_diagnostics (HlHeadDetail       *self,
                                   const HlHeadResult *result)
{
  const HlDiagnostics *d = &result->diagnostics;
  double sink, last, rest;

  hl_regime_shares (d, &sink, &last, &rest);
  set_diag (self, DIAG_CV, g_strdup_printf ("%.4f", d->norm_cv));
  set_diag (self, DIAG_LAMBDA, g_strdup_printf ("%.4f", d->sink_ratio));
  set_diag (self, DIAG_RHO0, g_strdup_printf ("%.4f", d->sink_similarity));
  if (d->n_lags > 0)
    set_diag (self, DIAG_BETA, g_strdup_printf (_("%.4f (fit error %.3f, K = %d)"),
                                                d->beta, d->beta_mae, d->n_lags));
  else
    set_diag (self, DIAG_BETA, g_strdup (_("too few keys to fit")));
  set_diag (self, DIAG_SINK_MASS, g_strdup_printf ("%.4f", d->sink_mass));
  set_diag (self, DIAG_LAST_MASS, g_strdup_printf ("%.4f", d->last_mass));
  set_diag (self, DIAG_ENTROPY, g_strdup_printf (_("%.3f nats"), d->entropy));
  set_diag (self, DIAG_SHARES, g_strdup_printf ("%.2f / %.2f / %.2f", sink, last, rest));
}

/* One row of the metrics at N: @point's values, or dashes. */
static void
set_at_n_row (HlHeadDetail              *self,
              int                        row,
              const char                *name,
              const HlSeparabilityPoint *point)
{
  const float values[HL_HEAD_DETAIL_N_AT_N] = {
    point ? point->precision : NAN, point ? point->recall : NAN, point ? point->f1 : NAN,
    point ? point->rho_min : NAN, point ? point->rho_max : NAN, point ? point->margin : NAN,
    point ? point->retained_mass : NAN,
  };

  gtk_label_set_text (self->at_n_names[row], name);
  gtk_widget_set_visible (GTK_WIDGET (self->at_n_names[row]), name != NULL);
  for (int i = 0; i < HL_HEAD_DETAIL_N_AT_N; i++)
    {
      g_autofree char *text = isfinite (values[i]) ? g_strdup_printf ("%.4f", values[i])
                                                   : g_strdup ("—");

      gtk_label_set_text (self->at_n_values[row][i], text);
      gtk_widget_set_visible (GTK_WIDGET (self->at_n_values[row][i]), name != NULL);
    }
}

/* P, R, F, rho_min, rho_max, margin and M_N at the chosen N for the
 * chosen ranking and distance, and the random control's beside them. */
static void
hl_head_detail_update_at_n (HlHeadDetail       *self,
                            const HlHeadResult *result)
{
  int n = hl_session_get_n (self->session);
  HlRanking ranking = hl_session_get_ranking (self->session);
  HlDistance distance = hl_session_get_distance (self->session);
  const HlSeparabilityPoint *chosen = hl_head_result_point_at (result, ranking, distance, n);
  g_autofree char *heading = NULL;

  if (chosen != NULL)
    /* Translators: e.g. "At N = 8 · attention ranking · euclidean distance" */
    heading = g_strdup_printf (_("At N = %d · %s ranking · %s distance"), n,
                               hl_ranking_to_string (ranking), hl_distance_to_string (distance));
  else
    heading = g_strdup_printf (_("N = %d is not on this head’s grid (1 … %d)"), n,
                               result->curves->n_grid > 0
                               ? result->curves->grid[result->curves->n_grid - 1] : 0);
  gtk_label_set_text (self->at_n_heading, heading);
  set_at_n_row (self, 0, ranking == HL_RANKING_RANDOM ? _("Random control") : _("This head"),
                chosen);
  set_at_n_row (self, 1, ranking != HL_RANKING_RANDOM && chosen != NULL
                         ? _("Random control") : NULL,
                hl_head_result_point_at (result, HL_RANKING_RANDOM, distance, n));
}

static void
hl_head_detail_update_header (HlHeadDetail       *self,
                              const HlHeadResult *r)
{
  g_autofree char *title = g_strdup_printf (_("Layer %d · Head %d"), r->layer, r->head);
  g_autofree char *reason = g_markup_escape_text (r->reason, -1);
  g_autofree char *markup = NULL;

  gtk_label_set_text (self->title_label, title);
  if (self->head_error != NULL)
    markup = g_markup_printf_escaped (_("<b>Could not read this head</b>: %s"), self->head_error);
  else
    /* Translators: the regime, then why, e.g. "Retriever: last-token contribution 0.81 …" */
    markup = g_strdup_printf (_("<b>%s</b>: %s"), hl_regime_display_name (r->regime), reason);
  gtk_label_set_markup (self->regime_label, markup);
}

/* Whether the paper's taxonomy applies to the model and to this head, and
 * why (docs/metrics.md), once every head is analysed. */
static void
hl_head_detail_update_taxonomy (HlHeadDetail       *self,
                                const HlHeadResult *r)
{
  HlAnalysis *analysis = hl_session_get_analysis (self->session);
  const HlHeadAssumptions *head;
  const HlAssumptions *a;
  g_autofree char *model = NULL;
  g_autofree char *this_head = NULL;
  g_autofree char *markup = NULL;
  HlRegime pattern;

  if (analysis == NULL)
    {
      gtk_label_set_text (self->taxonomy_label,
                          _("Whether the paper’s taxonomy applies is known when every head is "
                            "analysed."));
      return;
    }
  a = hl_analysis_get_assumptions (analysis);
  head = hl_assumptions_lookup_head (a, r->layer, r->head);
  model = hl_assumptions_describe (a);
  this_head = head != NULL ? hl_assumptions_describe_head (a, head) : g_strdup ("");
  /* Translators: the taxonomy's verdict for the model, then for the head
   * over its samples and queries. */
  markup = g_markup_printf_escaped (_("<b>This model</b> — %s\n<b>This head</b> — %s"), model,
                                    this_head);
  /* A synthetic file's regime is what its generator put in. */
  if (hl_planted_pattern (analysis, r->layer, r->head, &pattern))
    {
      g_autofree char *planted = g_markup_printf_escaped (
        _("\n<b>Planted</b> — the synthetic generator planted the %s pattern in this head: "
          "its regime is the input, not a finding."), hl_regime_display_name (pattern));
      char *both = g_strconcat (markup, planted, NULL);

      g_free (markup);
      markup = both;
    }
  gtk_label_set_markup (self->taxonomy_label, markup);
}

const char *
hl_head_detail_get_taxonomy (HlHeadDetail *self)
{
  g_return_val_if_fail (HL_IS_HEAD_DETAIL (self), NULL);

  return gtk_label_get_text (self->taxonomy_label);
}

static void
hl_head_detail_update (HlHeadDetail *self)
{
  HlHeadResult *result = self->session != NULL
                         ? hl_session_get_selected_result (self->session) : NULL;

  if (result == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "none");
      gtk_label_set_text (self->title_label, "");
      hl_plot_view_set_figure (self->curves_view, NULL);
      hl_plot_view_set_figure (self->alignment_view, NULL);
      hl_plot_view_set_figure (self->decay_view, NULL);
      hl_plot_view_set_figure (self->bound_view, NULL);
      hl_scatter_view_set_figure (self->scatter_view, NULL, NULL, NULL);
      hl_plot_view_set_figure (self->profile_view, NULL);
      return;
    }

  hl_head_detail_update_header (self, result);
  hl_head_detail_update_taxonomy (self, result);
  gtk_widget_set_visible (self->matrix_box,
                          hl_activations_get_info (hl_session_get_file (self->session))->n_queries > 1);
  hl_head_detail_update_at_n (self, result);
  hl_head_detail_update_diagnostics (self, result);
  hl_head_detail_update_curves (self);
  hl_head_detail_update_points (self);
  gtk_stack_set_visible_child_name (self->stack, "head");
}

static void
session_notify_cb (HlHeadDetail *self,
                   GParamSpec   *pspec,
                   HlSession    *session)
{
  /* A new head is being read: its error is not known yet. */
  if (hl_session_get_head_loading (session))
    g_clear_pointer (&self->head_error, g_free);
  hl_head_detail_update (self);
}

static void
scatter_point_activated_cb (HlHeadDetail  *self,
                            int            index,
                            HlScatterView *view)
{
  if (self->session != NULL)
    hl_session_set_highlighted_key (self->session, index);
}

static void
session_head_failed_cb (HlHeadDetail *self,
                        const GError *error,
                        HlSession    *session)
{
  g_free (self->head_error);
  self->head_error = g_strdup (error->message);
  hl_head_detail_update (self);
}

void
hl_head_detail_set_session (HlHeadDetail *self,
                            HlSession    *session)
{
  static const char * const shown[] = {
    "selected-result", "head-data", "head-loading", "n", "ranking", "distance",
    "profile-log-scale", "highlighted-key", "analysis", "scatter-values", NULL
  };

  g_return_if_fail (HL_IS_HEAD_DETAIL (self));

  if (!hl_session_watch (self, &self->session, session, shown,
                        G_CALLBACK (session_notify_cb)))
    return;

  if (session != NULL)
    g_signal_connect_swapped (session, "head-failed", G_CALLBACK (session_head_failed_cb), self);
  g_clear_pointer (&self->head_error, g_free);
  hl_token_view_set_session (self->token_view, session);
  hl_matrix_view_set_session (self->matrix_view, session);
  hl_head_compare_set_session (self->compare, session);
  if (self->values_binding != NULL)
    g_binding_unbind (self->values_binding);
  g_clear_object (&self->values_binding);
  if (session != NULL)
    self->values_binding = g_object_ref (g_object_bind_property (session, "scatter-values",
                                                                 self->values_check, "active",
                                                                 G_BINDING_BIDIRECTIONAL
                                                                 | G_BINDING_SYNC_CREATE));
  hl_causal_section_set_session (self->causal_section, session);
  hl_head_detail_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

HlSession *
hl_head_detail_get_session (HlHeadDetail *self)
{
  g_return_val_if_fail (HL_IS_HEAD_DETAIL (self), NULL);

  return self->session;
}

/* One line of the diagnostics: the quantity, its definition and its value. */
static GtkLabel *
add_diagnostic_row (HlHeadDetail *self,
                    int           row,
                    const char   *title,
                    const char   *definition)
{
  GtkWidget *name = gtk_label_new (title);
  GtkWidget *meaning = gtk_label_new (definition);
  GtkWidget *value = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (meaning), 0);
  gtk_label_set_ellipsize (GTK_LABEL (meaning), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (meaning, TRUE);
  gtk_widget_add_css_class (meaning, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 1);
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_widget_add_css_class (value, "numeric");

  gtk_grid_attach (self->diagnostics_grid, name, 0, row, 1, 1);
  gtk_grid_attach (self->diagnostics_grid, meaning, 1, row, 1, 1);
  gtk_grid_attach (self->diagnostics_grid, value, 2, row, 1, 1);
  /* A screen reader reads the value with its name and definition, not a
   * bare number. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, name, NULL,
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, meaning, NULL,
                                  -1);

  return GTK_LABEL (value);
}

static void
hl_head_detail_init_diagnostics (HlHeadDetail *self)
{
  static const struct {
    const char *title;
    const char *definition;
  } rows[N_DIAGS] = {
    { N_("Value-norm variation CV"), N_("std / mean of ‖v_i‖ over i = 1 … t") },
    { N_("Sink compression λ"), N_("‖v_0‖ / mean of ‖v_i‖ over i ≥ 1") },
    { N_("Sink similarity ρ₀"), N_("mean of cos(v_0, v_i) over i ≥ 1") },
    { N_("Similarity decay β"), N_("least-squares fit of c(k) ≈ exp(−βk)") },
    { N_("Sink mass α₀"), N_("attention on token 0") },
    { N_("Last-token mass α_t"), N_("attention on the query token") },
    { N_("Attention entropy"), N_("−Σ α_i log α_i") },
    { N_("Output shares"), N_("sink / last token / the rest of ‖α_i v_i‖") },
  };

  for (int i = 0; i < N_DIAGS; i++)
    self->diag_values[i] = add_diagnostic_row (self, i, _(rows[i].title), _(rows[i].definition));
}

static GtkLabel *
add_at_n_label (HlHeadDetail *self,
                const char   *text,
                int           column,
                int           row)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  gtk_label_set_selectable (GTK_LABEL (label), column > 0 && row > 0);
  if (row == 0)
    gtk_widget_add_css_class (label, "dim-label");
  else if (column > 0)
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (self->at_n_grid, label, column, row, 1, 1);
  return GTK_LABEL (label);
}

const char *
hl_head_detail_get_at_n_text (HlHeadDetail *self,
                              int           row,
                              int           column)
{
  g_return_val_if_fail (HL_IS_HEAD_DETAIL (self), NULL);
  g_return_val_if_fail (row >= 0 && row < 2 && column >= 0 && column < HL_HEAD_DETAIL_N_AT_N,
                        NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->at_n_values[row][column])))
    return NULL;
  return gtk_label_get_text (self->at_n_values[row][column]);
}

static void
hl_head_detail_init_at_n (HlHeadDetail *self)
{
  static const struct {
    const char *name;
    const char *tooltip;
  } columns[HL_HEAD_DETAIL_N_AT_N] = {
    { N_("Precision P"), N_("N / (N + the keys outside S_N within ρ_max of s_N)") },
    { N_("Recall R"), N_("the share of S_N closer to s_N than ρ_min") },
    { N_("F1"), N_("2 P R / (P + R)") },
    { N_("ρ_min"), N_("the distance from s_N to the nearest y_j outside S_N") },
    { N_("ρ_max"), N_("the distance from s_N to the farthest y_i of S_N") },
    { N_("Margin"), N_("ρ_min − ρ_max: positive when S_N is separated") },
    { N_("M_N"), N_("the attention mass on S_N") },
  };

  for (int i = 0; i < HL_HEAD_DETAIL_N_AT_N; i++)
    gtk_widget_set_tooltip_text (GTK_WIDGET (add_at_n_label (self, _(columns[i].name), i + 1, 0)),
                                 _(columns[i].tooltip));
  for (int row = 0; row < 2; row++)
    {
      self->at_n_names[row] = add_at_n_label (self, NULL, 0, row + 1);
      for (int i = 0; i < HL_HEAD_DETAIL_N_AT_N; i++)
        self->at_n_values[row][i] = add_at_n_label (self, NULL, i + 1, row + 1);
    }
}

static void
hl_head_detail_dispose (GObject *object)
{
  HlHeadDetail *self = HL_HEAD_DETAIL (object);
  GtkWidget *child;

  if (self->values_binding != NULL)
    g_binding_unbind (self->values_binding);
  g_clear_object (&self->values_binding);
  hl_session_watch (self, &self->session, NULL, NULL, NULL);
  /* The template's root is a child of this widget: unparent it before
   * the template is torn down. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  gtk_widget_dispose_template (GTK_WIDGET (self), HL_TYPE_HEAD_DETAIL);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (hl_head_detail_parent_class)->dispose (object);
}

static void
hl_head_detail_finalize (GObject *object)
{
  HlHeadDetail *self = HL_HEAD_DETAIL (object);

  g_free (self->placeholder);
  g_free (self->head_error);

  G_OBJECT_CLASS (hl_head_detail_parent_class)->finalize (object);
}

static void
hl_head_detail_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, HL_HEAD_DETAIL (object)->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_head_detail_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_SESSION:
      hl_head_detail_set_session (HL_HEAD_DETAIL (object), g_value_get_object (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_head_detail_class_init (HlHeadDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_head_detail_dispose;
  object_class->finalize = hl_head_detail_finalize;
  object_class->get_property = hl_head_detail_get_property;
  object_class->set_property = hl_head_detail_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, HL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HL_TYPE_PLOT_VIEW);
  g_type_ensure (HL_TYPE_SCATTER_VIEW);
  g_type_ensure (HL_TYPE_TOKEN_VIEW);
  g_type_ensure (HL_TYPE_MATRIX_VIEW);
  g_type_ensure (HL_TYPE_HEAD_COMPARE);
  g_type_ensure (HL_TYPE_CAUSAL_SECTION);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/headlens/Headlens/ui/hl-head-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, stack);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, title_label);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, regime_label);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, taxonomy_label);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, curves_view);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, alignment_view);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, scatter_view);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, profile_view);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, decay_view);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, token_view);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, tokens_legend);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, bound_view);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, matrix_box);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, matrix_view);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, matrix_log_check);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, log_check);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, values_check);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, diagnostics_grid);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, at_n_heading);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, at_n_grid);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, compare);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, causal_section);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hl_head_detail_init (HlHeadDetail *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  hl_head_detail_init_diagnostics (self);
  hl_head_detail_init_at_n (self);
  g_signal_connect_swapped (self->scatter_view, "point-activated",
                            G_CALLBACK (scatter_point_activated_cb), self);
  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind (self->settings, "profile-log-scale", self->log_check, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "matrix-log-scale", self->matrix_log_check, "active",
                   G_SETTINGS_BIND_DEFAULT);
}
