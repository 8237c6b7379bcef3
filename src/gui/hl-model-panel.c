/* hl-model-panel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-causal-panel.h"
#include "hl-model-panel.h"
#include "hl-plot-view.h"
#include "hl-session-figures.h"
#include "hl-session-watch.h"

struct _HlModelPanel
{
  GtkWidget    parent_instance;

  GtkStack    *stack;
  GtkLabel    *message_label;
  GtkLabel    *taxonomy_label;
  HlPlotView  *curves_view;
  HlPlotView  *regimes_view;
  HlPlotView  *correlation_view;
  HlPlotView  *bound_view;
  GtkWidget   *outer;        /* the stack, then the causal panel */
  HlCausalPanel *causal_panel;

  HlSession   *session;   /* owned, or NULL */
};

G_DEFINE_FINAL_TYPE (HlModelPanel, hl_model_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
hl_model_panel_new (void)
{
  return g_object_new (HL_TYPE_MODEL_PANEL, NULL);
}

/* Why there is no summary, or NULL when there is one. */
static char *
dup_message (HlSession *session)
{
  guint received = hl_session_get_scope_received (session);
  guint expected = hl_session_get_scope_expected (session);
  const GError *error;

  if (hl_session_get_summary (session) != NULL)
    return NULL;
  if (expected > 0 && received == expected)
    return g_strdup (_("Computing the model-level results…"));
  switch (hl_session_get_analysis_state (session))
    {
    case HL_SESSION_ANALYSIS_RUNNING:
      return g_strdup_printf (ngettext ("The model-level results appear when the %u head result "
                                        "they average is analysed.",
                                        "The model-level results appear when the %u head "
                                        "results they average are analysed.", expected),
                              expected);
    case HL_SESSION_ANALYSIS_CANCELLED:
      return g_strdup_printf (_("The analysis was cancelled after %u of %u heads. The "
                                "model-level results need every head: open the file "
                                "again to run it."),
                              hl_session_get_n_received (session),
                              hl_session_get_n_expected (session));
    case HL_SESSION_ANALYSIS_FAILED:
      error = hl_session_get_analysis_error (session);
      return g_strdup_printf (_("The analysis failed: %s"), error->message);
    case HL_SESSION_ANALYSIS_DONE:
      return NULL;
    case HL_SESSION_ANALYSIS_NONE:
    default:
      return g_strdup ("");
    }
}

static void
show_figure (HlModelPanel    *self,
             HlPlotView      *view,
             HlSessionFigure  which)
{
  g_autoptr(HlFigure) figure = hl_session_build_figure (self->session, which,
                                                        HL_FIGURE_TARGET_SCREEN);

  hl_plot_view_set_figure (view, figure);
}

/* Whether the paper's taxonomy applies to this model, and why: every
 * check with its measured value (docs/metrics.md). */
static void
hl_model_panel_update_taxonomy (HlModelPanel *self)
{
  static const char * const classes[HL_N_TAXONOMY_VERDICTS] = { "success", "warning", "error" };
  HlAnalysis *analysis = hl_session_get_analysis (self->session);
  const HlAssumptions *a = analysis != NULL ? hl_analysis_get_assumptions (analysis) : NULL;
  g_autofree char *text = a != NULL ? hl_assumptions_describe (a) : NULL;

  gtk_label_set_text (self->taxonomy_label, text != NULL ? text : "");
  for (int v = 0; v < HL_N_TAXONOMY_VERDICTS; v++)
    if (a != NULL && (int) a->verdict == v)
      gtk_widget_add_css_class (GTK_WIDGET (self->taxonomy_label), classes[v]);
    else
      gtk_widget_remove_css_class (GTK_WIDGET (self->taxonomy_label), classes[v]);
}

static void
hl_model_panel_update (HlModelPanel *self)
{
  g_autofree char *message = self->session != NULL ? dup_message (self->session) : g_strdup ("");

  if (message != NULL)
    {
      gtk_label_set_text (self->message_label, message);
      gtk_stack_set_visible_child_name (self->stack, "message");
      hl_plot_view_set_figure (self->curves_view, NULL);
      hl_plot_view_set_figure (self->regimes_view, NULL);
      hl_plot_view_set_figure (self->correlation_view, NULL);
      hl_plot_view_set_figure (self->bound_view, NULL);
      return;
    }

  hl_model_panel_update_taxonomy (self);
  show_figure (self, self->curves_view, HL_SESSION_FIGURE_MODEL_CURVES);
  show_figure (self, self->regimes_view, HL_SESSION_FIGURE_REGIMES);
  show_figure (self, self->correlation_view, HL_SESSION_FIGURE_CORRELATION);
  show_figure (self, self->bound_view, HL_SESSION_FIGURE_MODEL_BOUND);
  gtk_stack_set_visible_child_name (self->stack, "summary");
}

const char *
hl_model_panel_get_taxonomy (HlModelPanel *self)
{
  g_return_val_if_fail (HL_IS_MODEL_PANEL (self), NULL);

  if (!g_str_equal (gtk_stack_get_visible_child_name (self->stack), "summary"))
    return NULL;
  return gtk_label_get_text (self->taxonomy_label);
}

HlCausalPanel *
hl_model_panel_get_causal_panel (HlModelPanel *self)
{
  g_return_val_if_fail (HL_IS_MODEL_PANEL (self), NULL);

  return self->causal_panel;
}

const char *
hl_model_panel_get_message (HlModelPanel *self)
{
  g_return_val_if_fail (HL_IS_MODEL_PANEL (self), NULL);

  if (g_str_equal (gtk_stack_get_visible_child_name (self->stack), "summary"))
    return NULL;
  return gtk_label_get_text (self->message_label);
}

void
hl_model_panel_set_session (HlModelPanel *self,
                            HlSession    *session)
{
  static const char * const shown[] = {
    "analysis-state", "analysis", "summary", "n", "ranking", "distance", NULL
  };

  g_return_if_fail (HL_IS_MODEL_PANEL (self));

  if (!hl_session_watch (self, &self->session, session, shown,
                        G_CALLBACK (hl_model_panel_update)))
    return;

  hl_causal_panel_set_session (self->causal_panel, session);
  hl_model_panel_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

HlSession *
hl_model_panel_get_session (HlModelPanel *self)
{
  g_return_val_if_fail (HL_IS_MODEL_PANEL (self), NULL);

  return self->session;
}

static HlPlotView *
add_plot (GtkBox     *box,
          const char *label)
{
  GtkWidget *view = hl_plot_view_new (label);

  gtk_widget_set_size_request (view, 280, 240);
  gtk_box_append (box, view);

  return HL_PLOT_VIEW (view);
}

static void
hl_model_panel_dispose (GObject *object)
{
  HlModelPanel *self = HL_MODEL_PANEL (object);

  hl_session_watch (self, &self->session, NULL, NULL, NULL);
  if (self->outer != NULL)
    {
      gtk_widget_unparent (self->outer);
      self->outer = NULL;
      self->stack = NULL;
    }

  G_OBJECT_CLASS (hl_model_panel_parent_class)->dispose (object);
}

static void
hl_model_panel_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, HL_MODEL_PANEL (object)->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_model_panel_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_SESSION:
      hl_model_panel_set_session (HL_MODEL_PANEL (object), g_value_get_object (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_model_panel_class_init (HlModelPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_model_panel_dispose;
  object_class->get_property = hl_model_panel_get_property;
  object_class->set_property = hl_model_panel_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, HL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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

  self->taxonomy_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->taxonomy_label, TRUE);
  gtk_label_set_xalign (self->taxonomy_label, 0);
  gtk_label_set_selectable (self->taxonomy_label, TRUE);
  gtk_box_append (box, GTK_WIDGET (self->taxonomy_label));
  self->curves_view = add_plot (box, _("Mean precision, recall and F1 over N"));
  self->regimes_view = add_plot (box, _("Regime counts per layer"));
  self->correlation_view = add_plot (box, _("Correlation of recall with sink similarity over N"));
  self->bound_view = add_plot (box, _("Discarded output against its bound over N, mean over heads"));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->message_label), "message");
  gtk_stack_add_named (self->stack, GTK_WIDGET (box), "summary");
  self->causal_panel = HL_CAUSAL_PANEL (hl_causal_panel_new ());
  self->outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_box_append (GTK_BOX (self->outer), GTK_WIDGET (self->stack));
  gtk_box_append (GTK_BOX (self->outer), GTK_WIDGET (self->causal_panel));
  gtk_widget_set_parent (self->outer, GTK_WIDGET (self));
}
