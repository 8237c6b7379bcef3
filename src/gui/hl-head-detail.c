/* hl-head-detail.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "hl-alignment-plot.h"
#include "hl-background.h"
#include "hl-curves-plot.h"
#include "hl-decay-plot.h"
#include "hl-head-detail.h"
#include "hl-plot-view.h"
#include "hl-profile-plot.h"
#include "hl-projection.h"
#include "hl-scatter-view.h"

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

/* What the worker reads and computes for one head; immutable once made. */
typedef struct
{
  int            n_keys;
  float         *alpha;        /* [n_keys] */
  char         **tokens;       /* [n_keys] texts, or NULL */
  HlProjection  *projection;
} HeadData;

struct _HlHeadDetail
{
  GtkWidget            parent_instance;

  /* Template widgets */
  GtkStack            *stack;
  GtkLabel            *title_label;
  GtkLabel            *regime_label;
  GtkGrid             *plot_grid;
  GtkCheckButton      *log_check;
  GtkGrid             *diagnostics_grid;

  HlPlotView          *curves_view;
  HlPlotView          *alignment_view;
  HlScatterView       *scatter_view;
  HlPlotView          *profile_view;
  HlPlotView          *decay_view;
  GtkLabel            *diag_values[N_DIAGS];

  GSettings           *settings;
  HlHeadResult        *result;        /* the head shown, or NULL */
  HeadData            *head_data;     /* its projection, NULL while computed */
  GCancellable        *cancellable;   /* the projection being computed */
  HlRanking            ranking;
  HlDistance           distance;
  int                  n;

  /* The arrays the plot structs point into. */
  float               *curve_values;  /* [2 * HL_N_CURVES * n_grid] */
  int                  lags[HL_DIAGNOSTICS_MAX_LAGS];
  HlCurvesPlotData     curves_data;
  HlAlignmentPlotData  alignment_data;
  HlProfilePlotData    profile_data;
  HlDecayPlotData      decay_data;
};

G_DEFINE_FINAL_TYPE (HlHeadDetail, hl_head_detail, GTK_TYPE_WIDGET)

static void
head_data_free (HeadData *data)
{
  g_free (data->alpha);
  g_strfreev (data->tokens);
  g_clear_pointer (&data->projection, hl_projection_free);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeadData, head_data_free)

GtkWidget *
hl_head_detail_new (void)
{
  return g_object_new (HL_TYPE_HEAD_DETAIL, NULL);
}

HlHeadResult *
hl_head_detail_get_result (HlHeadDetail *self)
{
  g_return_val_if_fail (HL_IS_HEAD_DETAIL (self), NULL);

  return self->result;
}

const char *
hl_head_detail_get_title (HlHeadDetail *self)
{
  g_return_val_if_fail (HL_IS_HEAD_DETAIL (self), NULL);

  return gtk_label_get_text (self->title_label);
}

gboolean
hl_head_detail_get_loading (HlHeadDetail *self)
{
  g_return_val_if_fail (HL_IS_HEAD_DETAIL (self), FALSE);

  return self->cancellable != NULL;
}

const HlScatter *
hl_head_detail_get_scatter (HlHeadDetail *self)
{
  g_return_val_if_fail (HL_IS_HEAD_DETAIL (self), NULL);

  return hl_scatter_view_get_scatter (self->scatter_view);
}

/* The curves of the chosen ranking (solid) and of the random control
 * (dashed), copied out of the engine's per-N structs. */
static void
hl_head_detail_update_curves (HlHeadDetail *self)
{
  const HlCurveSet *curves = self->result->curves;
  const HlSeparabilityPoint *ranked = curves->points[self->ranking][self->distance];
  const HlSeparabilityPoint *random = curves->points[HL_RANKING_RANDOM][self->distance];
  int n_grid = curves->n_grid;

  g_free (self->curve_values);
  self->curve_values = g_new (float, 2 * HL_N_CURVES * MAX (n_grid, 1));
  memset (&self->curves_data, 0, sizeof self->curves_data);
  self->curves_data.n_grid = n_grid;
  self->curves_data.grid = curves->grid;
  self->curves_data.chosen_n = self->n;
  self->curves_data.title = _("This head");

  for (int c = 0; c < HL_N_CURVES; c++)
    {
      float *r = self->curve_values + (2 * c) * n_grid;
      float *q = self->curve_values + (2 * c + 1) * n_grid;

      for (int i = 0; i < n_grid; i++)
        {
          const HlSeparabilityPoint *p[2] = { ranked ? &ranked[i] : NULL,
                                              random ? &random[i] : NULL };
          float *out[2] = { &r[i], &q[i] };

          for (int k = 0; k < 2; k++)
            *out[k] = p[k] == NULL ? NAN
                      : c == HL_CURVE_PRECISION ? p[k]->precision
                      : c == HL_CURVE_RECALL ? p[k]->recall : p[k]->f1;
        }
      self->curves_data.ranked[c] = ranked != NULL ? r : NULL;
      self->curves_data.random[c] = random != NULL ? q : NULL;
    }
  hl_plot_view_set_data (self->curves_view, &self->curves_data);
}

static void
hl_head_detail_update_alignment (HlHeadDetail *self)
{
  const HlCurveSet *curves = self->result->curves;

  self->alignment_data.n_grid = curves->n_grid;
  self->alignment_data.grid = curves->grid;
  self->alignment_data.cos_sink = curves->align_sink[self->ranking];
  self->alignment_data.cos_last = curves->align_last[self->ranking];
  self->alignment_data.chosen_n = self->n;
  self->alignment_data.title = _("Alignment of s<sub>N</sub>");
  hl_plot_view_set_data (self->alignment_view, &self->alignment_data);
}

static void
hl_head_detail_update_decay (HlHeadDetail *self)
{
  const HlDiagnostics *d = &self->result->diagnostics;

  self->decay_data.n_lags = d->n_lags;
  self->decay_data.lags = self->lags;
  self->decay_data.c = d->decay;
  self->decay_data.beta = d->n_lags > 0 ? d->beta : NAN;
  self->decay_data.fit_error = d->n_lags > 0 ? d->beta_mae : NAN;
  self->decay_data.title = _("Similarity decay");
  hl_plot_view_set_data (self->decay_view, &self->decay_data);
}

/* The scatter and the profile need the projection; both follow N. */
static void
hl_head_detail_update_scatter (HlHeadDetail *self)
{
  HlScatter *scatter;
  int n;

  if (self->head_data == NULL)
    {
      hl_scatter_view_set_scatter (self->scatter_view, NULL, self->distance, -1, NULL, NULL);
      hl_plot_view_set_data (self->profile_view, NULL);
      return;
    }

  n = CLAMP (self->n, 1, MAX (self->head_data->n_keys - 1, 1));
  scatter = hl_projection_scatter (self->head_data->projection, self->ranking,
                                   self->distance, n, self->result->seed, 0);
  hl_scatter_view_set_scatter (self->scatter_view, scatter, self->distance,
                               self->result->query_position, self->head_data->alpha,
                               (const char * const *) self->head_data->tokens);

  self->profile_data.n_positions = self->head_data->n_keys;
  self->profile_data.alpha = self->head_data->alpha;
  self->profile_data.selected = scatter->selected;
  self->profile_data.n = n;
  self->profile_data.log_y = gtk_check_button_get_active (self->log_check);
  self->profile_data.title = _("Attention profile");
  hl_plot_view_set_data (self->profile_view, &self->profile_data);
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
hl_head_detail_update_diagnostics (HlHeadDetail *self)
{
  const HlDiagnostics *d = &self->result->diagnostics;
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

static void
hl_head_detail_update_header (HlHeadDetail *self)
{
  const HlHeadResult *r = self->result;
  g_autofree char *title = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *markup = NULL;

  title = g_strdup_printf (_("Layer %d · Head %d"), r->layer, r->head);
  gtk_label_set_text (self->title_label, title);

  reason = g_markup_escape_text (r->reason, -1);
  /* Translators: the regime, then why, e.g. "Retriever: last-token contribution 0.81 …" */
  markup = g_strdup_printf (_("<b>%s</b>: %s"), hl_regime_display_name (r->regime), reason);
  gtk_label_set_markup (self->regime_label, markup);
}

static void
hl_head_detail_update (HlHeadDetail *self)
{
  if (self->result == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "none");
      return;
    }

  hl_head_detail_update_header (self);
  hl_head_detail_update_curves (self);
  hl_head_detail_update_alignment (self);
  hl_head_detail_update_decay (self);
  hl_head_detail_update_diagnostics (self);
  hl_head_detail_update_scatter (self);
  gtk_stack_set_visible_child_name (self->stack, "head");
}

void
hl_head_detail_set_view (HlHeadDetail *self,
                         HlRanking     ranking,
                         HlDistance    distance,
                         int           n)
{
  g_return_if_fail (HL_IS_HEAD_DETAIL (self));
  g_return_if_fail (ranking < HL_N_RANKINGS && distance < HL_N_DISTANCES);

  if (self->ranking == ranking && self->distance == distance && self->n == n)
    return;

  self->ranking = ranking;
  self->distance = distance;
  self->n = n;
  hl_head_detail_update (self);
}

/* Copies attention row @query of @rows ([n_queries, seq_len]) up to the
 * query position: the keys the query sees. */
static float *
copy_visible_alpha (const float *rows,
                    int          seq_len,
                    int          query,
                    int          n_keys)
{
  return g_memdup2 (rows + (gsize) query * seq_len, sizeof (float) * n_keys);
}

static HeadData *
read_head_data (HlActivations       *file,
                const HlHeadResult  *result,
                GError             **error)
{
  const HlActivationsInfo *info = hl_activations_get_info (file);
  g_autoptr(HeadData) data = g_new0 (HeadData, 1);
  g_autofree float *values = g_new (float, (gsize) info->seq_len * info->head_dim);
  g_autofree float *rows = g_new (float, (gsize) info->n_queries * info->seq_len);
  HlHeadInput input;

  if (!hl_activations_read_values (file, result->layer, result->sample, result->kv_head,
                                   values, error)
      || !hl_activations_read_attention (file, result->layer, result->sample, result->head,
                                         rows, error))
    return NULL;

  data->n_keys = result->query_position + 1;
  data->alpha = copy_visible_alpha (rows, info->seq_len, result->query_index, data->n_keys);
  if (info->has_token_texts)
    data->tokens = hl_activations_read_token_texts (file, result->sample, NULL);

  input = (HlHeadInput) { data->n_keys, info->head_dim, values, data->alpha };
  data->projection = hl_projection_new (&input, error);
  if (data->projection == NULL)
    return NULL;

  return g_steal_pointer (&data);
}

static void
read_head_data_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  HlHeadResult *result = task_data;
  HlActivations *file = g_object_get_data (G_OBJECT (task), "file");
  GError *error = NULL;
  HeadData *data = read_head_data (file, result, &error);

  if (data == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, data, (GDestroyNotify) head_data_free);
}

static void
read_head_data_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  HlHeadDetail *self = HL_HEAD_DETAIL (object);
  g_autoptr(GError) error = NULL;
  HeadData *data = g_task_propagate_pointer (G_TASK (result), &error);

  /* Another head was selected meanwhile. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  if (data == NULL)
    {
      g_autofree char *markup = g_markup_printf_escaped (_("<b>Could not read this head</b>: %s"),
                                                         error->message);
      gtk_label_set_markup (self->regime_label, markup);
      return;
    }

  self->head_data = data;
  hl_head_detail_update_scatter (self);
}

static void
hl_head_detail_clear_head (HlHeadDetail *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  /* The views borrow the head's arrays: let go of them first. */
  if (self->scatter_view != NULL)
    hl_scatter_view_set_scatter (self->scatter_view, NULL, self->distance, -1, NULL, NULL);
  if (self->profile_view != NULL)
    hl_plot_view_set_data (self->profile_view, NULL);
  g_clear_pointer (&self->head_data, head_data_free);
  g_clear_pointer (&self->result, hl_head_result_unref);
}

void
hl_head_detail_set_head (HlHeadDetail  *self,
                         HlActivations *file,
                         HlHeadResult  *result)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HL_IS_HEAD_DETAIL (self));
  g_return_if_fail (result == NULL || HL_IS_ACTIVATIONS (file));

  if (result == self->result)
    return;

  hl_head_detail_clear_head (self);
  if (result != NULL)
    {
      self->result = hl_head_result_ref (result);
      self->cancellable = g_cancellable_new ();
      task = g_task_new (self, self->cancellable, read_head_data_cb, NULL);
      g_task_set_source_tag (task, hl_head_detail_set_head);
      g_task_set_task_data (task, hl_head_result_ref (result),
                            (GDestroyNotify) hl_head_result_unref);
      g_object_set_data_full (G_OBJECT (task), "file", g_object_ref (file), g_object_unref);
      hl_background_run_in_thread (task, read_head_data_thread);
    }
  hl_head_detail_update (self);
}

static void
log_check_toggled_cb (HlHeadDetail   *self,
                      GtkCheckButton *check)
{
  if (self->head_data == NULL)
    return;

  self->profile_data.log_y = gtk_check_button_get_active (check);
  hl_plot_view_set_data (self->profile_view, &self->profile_data);
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

static void
hl_head_detail_init_plots (HlHeadDetail *self)
{
  self->curves_view = HL_PLOT_VIEW (hl_plot_view_new (HL_PLOT_CURVES,
                                                      _("Precision, recall and F1 over N")));
  self->alignment_view = HL_PLOT_VIEW (hl_plot_view_new (HL_PLOT_ALIGNMENT,
                                                         _("Alignment of s_N with the sink and the query token over N")));
  self->scatter_view = HL_SCATTER_VIEW (hl_scatter_view_new ());
  self->profile_view = HL_PLOT_VIEW (hl_plot_view_new (HL_PLOT_PROFILE,
                                                       _("Attention profile over positions")));
  self->decay_view = HL_PLOT_VIEW (hl_plot_view_new (HL_PLOT_DECAY,
                                                     _("Similarity decay c(k) and its fit")));
  gtk_widget_set_size_request (GTK_WIDGET (self->scatter_view), 320, 420);

  gtk_grid_attach (self->plot_grid, GTK_WIDGET (self->curves_view), 0, 0, 1, 1);
  gtk_grid_attach (self->plot_grid, GTK_WIDGET (self->alignment_view), 1, 0, 1, 1);
  gtk_grid_attach (self->plot_grid, GTK_WIDGET (self->scatter_view), 0, 1, 2, 1);
  gtk_grid_attach (self->plot_grid, GTK_WIDGET (self->profile_view), 0, 2, 1, 1);
  gtk_grid_attach (self->plot_grid, GTK_WIDGET (self->decay_view), 1, 2, 1, 1);

  for (int k = 0; k < HL_DIAGNOSTICS_MAX_LAGS; k++)
    self->lags[k] = k + 1;
}

static void
hl_head_detail_dispose (GObject *object)
{
  HlHeadDetail *self = HL_HEAD_DETAIL (object);
  GtkWidget *child;

  hl_head_detail_clear_head (self);
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

  g_clear_pointer (&self->curve_values, g_free);

  G_OBJECT_CLASS (hl_head_detail_parent_class)->finalize (object);
}

static void
hl_head_detail_class_init (HlHeadDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_head_detail_dispose;
  object_class->finalize = hl_head_detail_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/headlens/Headlens/ui/hl-head-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, stack);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, title_label);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, regime_label);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, plot_grid);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, log_check);
  gtk_widget_class_bind_template_child (widget_class, HlHeadDetail, diagnostics_grid);
  gtk_widget_class_bind_template_callback (widget_class, log_check_toggled_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hl_head_detail_init (HlHeadDetail *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->ranking = HL_RANKING_ATTENTION;
  self->distance = HL_DISTANCE_EUCLIDEAN;
  self->n = 1;
  hl_head_detail_init_plots (self);
  hl_head_detail_init_diagnostics (self);

  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind (self->settings, "profile-log-scale", self->log_check, "active",
                   G_SETTINGS_BIND_DEFAULT);
}
