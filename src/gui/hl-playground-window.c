/* hl-playground-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "hl-export-dialog.h"
#include "hl-playground-file.h"
#include "hl-playground-window.h"
#include "hl-plot-theme.h"
#include "hl-plot-view.h"

/* The sidebar groups the parameter rows go into. */
typedef enum
{
  GROUP_SHAPE,
  GROUP_VALUES,
  GROUP_PROFILE,
  GROUP_VIEW,
} Group;

typedef enum
{
  FIELD_DOUBLE,
  FIELD_INT,
  FIELD_SEED,
  FIELD_VIEW_N,   /* not a parameter: the state's N */
} FieldType;

/* Which profiles a row means something for. */
typedef enum
{
  FOR_ALL,
  FOR_PIECEWISE,
  FOR_POWER_LAW,
} Applies;

typedef struct
{
  const char *name;       /* the HlSynthHeadParams field */
  const char *title;      /* Pango markup, N_() */
  const char *subtitle;   /* Pango markup, N_(), or NULL */
  Group       group;
  FieldType   type;
  gsize       offset;
  double      lower, upper, step;
  int         digits;
  Applies     applies;
} ParamSpec;

#define FIELD(f) offsetof (HlSynthHeadParams, f)

static const ParamSpec param_specs[] = {
  { "n_keys", N_("Sequence length"), N_("Keys 0 … t; the query is the last one"),
    GROUP_SHAPE, FIELD_INT, FIELD (n_keys), HL_PLAYGROUND_MIN_SEQ_LEN, 4096, 8, 0, FOR_ALL },
  { "head_dim", N_("Head dimension"), NULL,
    GROUP_SHAPE, FIELD_INT, FIELD (head_dim), 2, 256, 1, 0, FOR_ALL },
  { "seed", N_("Seed"), N_("Draws the values and the jitter"),
    GROUP_SHAPE, FIELD_SEED, FIELD (seed), 0, 99999, 1, 0, FOR_ALL },
  { "sink_lambda", N_("Sink compression λ"), N_("λ = ‖v<sub>0</sub>‖ / mean ‖v<sub>i</sub>‖"),
    GROUP_VALUES, FIELD_DOUBLE, FIELD (sink_lambda), 0, 2, 0.01, 2, FOR_ALL },
  { "beta", N_("Similarity decay β"), N_("cos(v<sub>i</sub>, v<sub>i+k</sub>) ≈ e<sup>−βk</sup>"),
    GROUP_VALUES, FIELD_DOUBLE, FIELD (beta), 0.001, 2, 0.005, 3, FOR_ALL },
  { "norm_cv", N_("Value-norm CV"), N_("std / mean of ‖v<sub>i</sub>‖"),
    GROUP_VALUES, FIELD_DOUBLE, FIELD (norm_cv), 0, 0.3, 0.005, 3, FOR_ALL },
  { "sink_similarity", N_("Sink similarity ρ<sub>0</sub>"), N_("cos(v<sub>0</sub>, v<sub>i</sub>)"),
    GROUP_VALUES, FIELD_DOUBLE, FIELD (sink_similarity), -0.95, 0.95, 0.05, 2, FOR_ALL },
  { "sink_mass", N_("Sink mass α<sub>0</sub>"), N_("The attention on key 0 itself; the other parts share the rest"),
    GROUP_PROFILE, FIELD_DOUBLE, FIELD (sink_mass), 0, 1, 0.01, 2, FOR_PIECEWISE },
  { "plateau_level", N_("Plateau"), N_("Relative weight spread over the middle"),
    GROUP_PROFILE, FIELD_DOUBLE, FIELD (plateau_level), 0, 1, 0.01, 2, FOR_PIECEWISE },
  { "content_mass", N_("Content weight"), N_("Relative weight of the similar content span"),
    GROUP_PROFILE, FIELD_DOUBLE, FIELD (content_mass), 0, 1, 0.01, 2, FOR_PIECEWISE },
  { "osc_amplitude", N_("Oscillation amplitude"), NULL,
    GROUP_PROFILE, FIELD_DOUBLE, FIELD (osc_amplitude), 0, 1, 0.01, 2, FOR_PIECEWISE },
  { "osc_period", N_("Oscillation period"), N_("In tokens"),
    GROUP_PROFILE, FIELD_DOUBLE, FIELD (osc_period), 2, 256, 1, 0, FOR_PIECEWISE },
  { "tail_length", N_("Recency tail length"), N_("e-folding length in tokens"),
    GROUP_PROFILE, FIELD_DOUBLE, FIELD (tail_length), 0.1, 64, 0.1, 1, FOR_PIECEWISE },
  { "tail_strength", N_("Recency tail strength"), N_("Relative weight of the tail, peaking at key t"),
    GROUP_PROFILE, FIELD_DOUBLE, FIELD (tail_strength), 0, 1, 0.01, 2, FOR_PIECEWISE },
  { "previous_mass", N_("Previous token"), N_("Relative weight of key t − 1"),
    GROUP_PROFILE, FIELD_DOUBLE, FIELD (previous_mass), 0, 1, 0.01, 2, FOR_PIECEWISE },
  { "temperature", N_("Temperature"), N_("α<sub>i</sub> ∝ α<sub>i</sub><sup>1/T</sup> over keys 1 … t"),
    GROUP_PROFILE, FIELD_DOUBLE, FIELD (temperature), 0.05, 5, 0.05, 2, FOR_PIECEWISE },
  { "gamma", N_("Power-law exponent γ"), N_("α<sub>i</sub> ∝ (i + 1)<sup>−γ</sup>"),
    GROUP_PROFILE, FIELD_DOUBLE, FIELD (gamma), 0, 5, 0.05, 2, FOR_POWER_LAW },
  { "n", N_("<i>N</i>"), N_("Tokens in the selection S<sub>N</sub>"),
    GROUP_VIEW, FIELD_VIEW_N, 0, 1, 4095, 1, 0, FOR_ALL },
};

#define N_PARAMS G_N_ELEMENTS (param_specs)

struct _HlPlaygroundWindow
{
  AdwWindow             parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkSpinner           *spinner;
  GtkDropDown          *lesson_dropdown;
  GtkLabel             *lesson_label;
  GtkLabel             *step_label;
  AdwPreferencesGroup  *view_group;
  AdwPreferencesGroup  *shape_group;
  AdwPreferencesGroup  *values_group;
  AdwPreferencesGroup  *profile_group;
  GtkDropDown          *ranking_dropdown;
  GtkDropDown          *distance_dropdown;
  GtkDropDown          *profile_dropdown;
  GtkGrid              *plot_grid;
  GtkLabel             *selection_label;
  GtkLabel             *curves_label;
  GtkLabel             *diagnostics_label;

  HlPlotView           *scatter_view;
  HlPlotView           *curves_view;
  HlPlotView           *alignment_view;
  HlPlotView           *profile_view;
  GtkAdjustment        *adjustments[N_PARAMS];   /* owned by their rows */
  GtkWidget            *rows[N_PARAMS];

  HlPlaygroundEngine   *engine;
  HlPlaygroundFigures  *figures;      /* what the plots point into, or NULL */
  gboolean              syncing;      /* controls are being set from a state */
  int                   lesson;       /* -1: free play */
  int                   step;
  GFile                *saved_file;   /* the last activation file written */
};

G_DEFINE_FINAL_TYPE (HlPlaygroundWindow, hl_playground_window, ADW_TYPE_WINDOW)

/* Controls and state ---------------------------------------------------- */

static double
param_get (const HlPlaygroundState *state,
           const ParamSpec         *spec)
{
  const char *base = (const char *) &state->params;

  switch (spec->type)
    {
    case FIELD_DOUBLE:
      return *(const double *) (base + spec->offset);
    case FIELD_INT:
      return *(const int *) (base + spec->offset);
    case FIELD_SEED:
      return (double) *(const guint64 *) (base + spec->offset);
    case FIELD_VIEW_N:
      return state->n;
    default:
      g_assert_not_reached ();
    }
}

static void
param_set (HlPlaygroundState *state,
           const ParamSpec   *spec,
           double             value)
{
  char *base = (char *) &state->params;

  switch (spec->type)
    {
    case FIELD_DOUBLE:
      *(double *) (base + spec->offset) = value;
      break;
    case FIELD_INT:
      *(int *) (base + spec->offset) = (int) lround (value);
      break;
    case FIELD_SEED:
      *(guint64 *) (base + spec->offset) = (guint64) llround (value);
      break;
    case FIELD_VIEW_N:
      state->n = (int) lround (value);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The state the controls describe. */
static void
read_controls (HlPlaygroundWindow *self,
               HlPlaygroundState  *state)
{
  *state = *hl_playground_engine_get_state (self->engine);
  for (guint i = 0; i < N_PARAMS; i++)
    param_set (state, &param_specs[i], gtk_adjustment_get_value (self->adjustments[i]));
  state->params.profile = gtk_drop_down_get_selected (self->profile_dropdown);
  state->ranking = gtk_drop_down_get_selected (self->ranking_dropdown);
  state->distance = gtk_drop_down_get_selected (self->distance_dropdown);
}

/* Rows that mean nothing for the chosen profile are insensitive. */
static void
update_sensitivity (HlPlaygroundWindow *self)
{
  HlSynthProfile profile = gtk_drop_down_get_selected (self->profile_dropdown);

  for (guint i = 0; i < N_PARAMS; i++)
    {
      Applies applies = param_specs[i].applies;

      gtk_widget_set_sensitive (self->rows[i],
                                applies == FOR_ALL
                                || (applies == FOR_PIECEWISE && profile == HL_SYNTH_PROFILE_PIECEWISE)
                                || (applies == FOR_POWER_LAW && profile == HL_SYNTH_PROFILE_POWER_LAW));
    }
}

static void
controls_changed (HlPlaygroundWindow *self)
{
  g_autoptr(GError) error = NULL;
  HlPlaygroundState state;

  if (self->syncing)
    return;
  update_sensitivity (self);
  read_controls (self, &state);
  if (!hl_playground_engine_set_state (self->engine, &state, &error))
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
}

static void
adjustment_value_changed_cb (HlPlaygroundWindow *self,
                             GtkAdjustment      *adjustment)
{
  controls_changed (self);
}

static void
dropdown_selected_cb (HlPlaygroundWindow *self,
                      GParamSpec         *pspec,
                      GtkDropDown        *dropdown)
{
  controls_changed (self);
}

/* Sets every control from @state without reacting, then hands the state
 * to the engine once. */
static void
apply_state (HlPlaygroundWindow      *self,
             const HlPlaygroundState *state)
{
  g_autoptr(GError) error = NULL;

  self->syncing = TRUE;
  for (guint i = 0; i < N_PARAMS; i++)
    gtk_adjustment_set_value (self->adjustments[i], param_get (state, &param_specs[i]));
  gtk_drop_down_set_selected (self->profile_dropdown, state->params.profile);
  gtk_drop_down_set_selected (self->ranking_dropdown, state->ranking);
  gtk_drop_down_set_selected (self->distance_dropdown, state->distance);
  self->syncing = FALSE;
  update_sensitivity (self);
  if (!hl_playground_engine_set_state (self->engine, state, &error))
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
}

/* The wheel over a slider or a number that does not have the keyboard
 * focus scrolls the sidebar, as in GNOME's settings: scrolling a long
 * sidebar must not change what the pointer passes over. Runs before the
 * widget's own handler (capture phase) and takes the event. */
static gboolean
passing_scroll_cb (GtkEventControllerScroll *controller,
                   double                    dx,
                   double                    dy,
                   gpointer                  user_data)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  double step;

  if (scrolled == NULL || (focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget))))
    return FALSE;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  /* A wheel's click moves as far as GtkScrolledWindow's own. */
  step = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL
         ? pow (gtk_adjustment_get_page_size (adjustment), 2.0 / 3.0) : 1.0;
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + dy * step);
  return TRUE;
}

static void
pass_scroll_unless_focused (GtkWidget *widget)
{
  GtkEventController *controller =
    gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

  gtk_event_controller_set_name (controller, "hl-scroll-passes-unless-focused");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "scroll", G_CALLBACK (passing_scroll_cb), NULL);
  gtk_widget_add_controller (widget, controller);
}

static GtkWidget *
param_row_new (HlPlaygroundWindow *self,
               guint               index)
{
  const ParamSpec *spec = &param_specs[index];
  GtkAdjustment *adjustment;
  GtkWidget *row, *scale, *spin;

  adjustment = gtk_adjustment_new (spec->lower, spec->lower, spec->upper, spec->step,
                                   spec->step * 10, 0);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(spec->title));
  if (spec->subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(spec->subtitle));
  if (spec->type == FIELD_DOUBLE || spec->type == FIELD_INT)
    {
      scale = gtk_scale_new (GTK_ORIENTATION_HORIZONTAL, adjustment);
      gtk_widget_set_size_request (scale, 110, -1);
      gtk_widget_set_valign (scale, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(spec->title), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), scale);
      pass_scroll_unless_focused (scale);
    }
  spin = gtk_spin_button_new (adjustment, spec->step, spec->digits);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  pass_scroll_unless_focused (spin);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  g_signal_connect_object (adjustment, "value-changed",
                           G_CALLBACK (adjustment_value_changed_cb), self, G_CONNECT_SWAPPED);
  self->adjustments[index] = adjustment;
  self->rows[index] = row;
  return row;
}

static void
build_param_rows (HlPlaygroundWindow *self)
{
  AdwPreferencesGroup *groups[] = {
    [GROUP_SHAPE] = self->shape_group,
    [GROUP_VALUES] = self->values_group,
    [GROUP_PROFILE] = self->profile_group,
    [GROUP_VIEW] = self->view_group,
  };

  for (guint i = 0; i < N_PARAMS; i++)
    adw_preferences_group_add (groups[param_specs[i].group], param_row_new (self, i));
}

static void
set_dropdown_strings (GtkDropDown        *dropdown,
                      const char * const *strings)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  for (guint i = 0; strings[i] != NULL; i++)
    gtk_string_list_append (list, _(strings[i]));
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (list));
}

static void
setup_dropdowns (HlPlaygroundWindow *self)
{
  /* In HlSynthProfile, HlRanking and HlDistance order. */
  static const char * const profiles[] = {
    N_("Piecewise"), N_("Uniform"), N_("Bimodal"), N_("Power law"), NULL
  };
  static const char * const rankings[] = {
    N_("Attention"), N_("Contribution"), N_("Random"), NULL
  };
  static const char * const distances[] = { N_("Euclidean"), N_("Cosine"), NULL };
  g_autoptr(GtkStringList) lessons = gtk_string_list_new (NULL);

  set_dropdown_strings (self->profile_dropdown, profiles);
  set_dropdown_strings (self->ranking_dropdown, rankings);
  set_dropdown_strings (self->distance_dropdown, distances);
  gtk_string_list_append (lessons, _("Free Play"));
  for (int i = 0; i < HL_PLAYGROUND_N_LESSONS; i++)
    gtk_string_list_append (lessons, hl_playground_lesson_get_title (i));
  gtk_drop_down_set_model (self->lesson_dropdown, G_LIST_MODEL (lessons));
}

/* Lessons ---------------------------------------------------------------- */

static void
update_lesson_text (HlPlaygroundWindow *self)
{
  gboolean in_lesson = self->lesson >= 0;
  int n_steps = in_lesson ? hl_playground_lesson_get_n_steps (self->lesson) : 0;
  g_autofree char *counter = NULL;

  if (!in_lesson)
    {
      gtk_label_set_markup (self->lesson_label,
                            _("Move any slider and watch the geometry change, or choose a "
                              "lesson above: it sets the sliders and says what to look for."));
      gtk_label_set_text (self->step_label, "");
    }
  else
    {
      g_autofree char *markup = g_strdup_printf ("<b>%s</b>\n\n%s",
                                                 hl_playground_lesson_get_summary (self->lesson),
                                                 hl_playground_lesson_get_step_text (self->lesson,
                                                                                     self->step));

      gtk_label_set_markup (self->lesson_label, markup);
      /* Translators: the position in a lesson, e.g. "Step 2 of 4" */
      counter = g_strdup_printf (_("Step %d of %d"), self->step + 1, n_steps);
      gtk_label_set_text (self->step_label, counter);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "playground.previous-step",
                                 in_lesson && self->step > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "playground.next-step",
                                 in_lesson && self->step + 1 < n_steps);
}

void
hl_playground_window_show_lesson (HlPlaygroundWindow *self,
                                  HlPlaygroundLesson  lesson,
                                  int                 step)
{
  HlPlaygroundState state;

  g_return_if_fail (HL_IS_PLAYGROUND_WINDOW (self));
  g_return_if_fail (lesson < HL_PLAYGROUND_N_LESSONS);
  g_return_if_fail (step >= 0 && step < hl_playground_lesson_get_n_steps (lesson));

  self->lesson = lesson;
  self->step = step;
  self->syncing = TRUE;
  gtk_drop_down_set_selected (self->lesson_dropdown, lesson + 1);
  self->syncing = FALSE;
  /* The lessons hold for any seed: keep the student's. */
  hl_playground_lesson_apply_step (lesson, step,
                                   hl_playground_engine_get_state (self->engine)->params.seed,
                                   &state);
  apply_state (self, &state);
  update_lesson_text (self);
}

static void
lesson_dropdown_selected_cb (HlPlaygroundWindow *self,
                             GParamSpec         *pspec,
                             GtkDropDown        *dropdown)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (self->syncing)
    return;
  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    {
      self->lesson = -1;
      update_lesson_text (self);
      return;
    }
  hl_playground_window_show_lesson (self, selected - 1, 0);
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  HlPlaygroundWindow *self = HL_PLAYGROUND_WINDOW (widget);
  int delta = g_str_equal (action_name, "playground.next-step") ? 1 : -1;
  int step = self->step + delta;

  if (self->lesson < 0 || step < 0 || step >= hl_playground_lesson_get_n_steps (self->lesson))
    return;
  hl_playground_window_show_lesson (self, self->lesson, step);
}

static void
preset_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  HlPlaygroundWindow *self = HL_PLAYGROUND_WINDOW (widget);
  const char *name = g_variant_get_string (param, NULL);
  HlPlaygroundState state = *hl_playground_engine_get_state (self->engine);

  for (int regime = 0; regime < HL_N_REGIMES; regime++)
    if (g_str_equal (name, hl_regime_to_string (regime)))
      {
        hl_synth_head_params_init_preset (&state.params, regime);
        apply_state (self, &state);
        return;
      }
  g_warning ("Unknown regime preset “%s”, expected retriever, mixer, reset or other", name);
}

/* Results ---------------------------------------------------------------- */

static char *
format_selection (const HlPlaygroundFigures *figures)
{
  const HlPlaygroundState *state = hl_playground_result_get_state (figures->result);
  const char *ranking_names[HL_N_RANKINGS] = { _("attention"), _("contribution"), _("random") };
  const char *distance_names[HL_N_DISTANCES] = { _("Euclidean"), _("cosine") };

  return g_markup_printf_escaped (_("<b><i>N</i> = %d · %s ranking · %s distance</b>\n"
                                    "P<sub>N</sub> = %.2f   R<sub>N</sub> = %.2f   "
                                    "F<sub>N</sub> = %.2f   γ<sub>N</sub> = %.3g"),
                                  hl_playground_result_get_n (figures->result),
                                  ranking_names[state->ranking], distance_names[state->distance],
                                  figures->precision, figures->recall, figures->f1,
                                  figures->margin);
}

static void
update_selection_label (HlPlaygroundWindow *self)
{
  g_autofree char *numbers = format_selection (self->figures);
  g_autofree char *markup = NULL;
  const char *explanation =
    _("Each point is one token’s contribution y<sub>i</sub> = α<sub>i</sub> v<sub>i</sub> on "
      "the two principal axes; the highlighted points are S<sub>N</sub> and the cross is "
      "s<sub>N</sub> = Σ<sub>i∈S<sub>N</sub></sub> y<sub>i</sub>, with "
      "D<sub>i</sub> = d(y<sub>i</sub>, s<sub>N</sub>).\n\n"
      "<b>Precision</b> looks at the outer circle, of radius "
      "ρ<sub>max</sub> = max<sub>i∈S<sub>N</sub></sub> D<sub>i</sub>: "
      "P<sub>N</sub> = N / (N + unselected tokens inside it). It asks whether the selection "
      "keeps others out.\n\n"
      "<b>Recall</b> looks at the inner circle, of radius "
      "ρ<sub>min</sub> = min<sub>j∉S<sub>N</sub></sub> D<sub>j</sub>: "
      "R<sub>N</sub> = selected tokens strictly inside it / N. It asks whether the selection "
      "is closer to s<sub>N</sub> than everything else.\n\n"
      "<b>Margin</b> γ<sub>N</sub> = ρ<sub>min</sub> − ρ<sub>max</sub> is positive exactly "
      "when the selection is cleanly separated (P = R = 1): a gap between the circles.");
  const char *cosine_note =
    _("\n\n<small>With cosine distance the balls are not circles in the plane, so they are "
      "not drawn.</small>");
  gboolean cosine = hl_playground_result_get_state (self->figures->result)->distance
                    == HL_DISTANCE_COSINE;

  markup = g_strconcat (numbers, "\n\n", explanation, cosine ? cosine_note : "", NULL);
  gtk_label_set_markup (self->selection_label, markup);
}

static char *
format_diagnostics (HlHeadResult *analysis)
{
  const HlDiagnostics *d = &analysis->diagnostics;
  double sink, last, rest;

  hl_regime_shares (d, &sink, &last, &rest);
  return g_markup_printf_escaped (_("<big><b>%s</b></big>\n%s\n\n"
                                    "λ = %.3f   ρ<sub>0</sub> = %.3f   CV = %.3f\n"
                                    "β = %.3f (fit error %.3f)\n"
                                    "α<sub>0</sub> = %.3f   α<sub>t</sub> = %.3f   entropy %.2f\n"
                                    "shares: sink %.2f · last %.2f · rest %.2f"),
                                  hl_regime_display_name (analysis->regime), analysis->reason,
                                  d->sink_ratio, d->sink_similarity, d->norm_cv,
                                  d->beta, d->beta_mae, d->sink_mass, d->last_mass, d->entropy,
                                  sink, last, rest);
}

static void
update_diagnostics_label (HlPlaygroundWindow *self)
{
  HlPlaygroundResult *result = self->figures->result;
  g_autofree char *numbers = format_diagnostics (hl_playground_result_get_analysis (result));
  g_autofree char *timing = NULL;
  g_autofree char *markup = NULL;

  timing = g_markup_printf_escaped (_("<small>Head computed in %.1f ms, scatter in %.1f ms"
                                      "</small>"),
                                    hl_playground_result_get_head_usec (result) / 1000.0,
                                    hl_playground_result_get_scatter_usec (result) / 1000.0);
  markup = g_strconcat (numbers, "\n\n", timing, NULL);
  gtk_label_set_markup (self->diagnostics_label, markup);
}

static void
update_curves_label (HlPlaygroundWindow *self)
{
  const char *curves =
    _("<b>P, R and F over <i>N</i></b> (above): solid for the chosen ranking, dashed for "
      "the mean of 16 random selections.\n\n"
      "<b>Why F<sub>1</sub> = 1 is trivial.</b> With Euclidean distance, "
      "s<sub>1</sub> = y<sub>i</sub>, so ρ<sub>max</sub> = 0 and every other token is "
      "farther: F<sub>1</sub> = 1 for any selection, random too. Only the gap to the "
      "baseline says a ranking separates.\n\n"
      "<b>Alignment</b> (left): cos(s<sub>N</sub>, v<sub>0</sub>) and cos(s<sub>N</sub>, "
      "v<sub>t</sub>) over <i>N</i>. <b>Profile</b> (right): α<sub>i</sub> against "
      "position i, the selection marked.");
  const char *regimes =
    _("<b>The three regimes</b> (our rule): with a<sub>sink</sub> = ‖α<sub>0</sub> "
      "v<sub>0</sub>‖, a<sub>last</sub> = ‖α<sub>t</sub> v<sub>t</sub>‖ and "
      "a<sub>rest</sub> = ‖Σ<sub>0&lt;i&lt;t</sub> α<sub>i</sub> v<sub>i</sub>‖, a head is a "
      "<b>Retriever</b> when a<sub>last</sub> is at least half of their sum (the last token "
      "dominates the output), else a <b>Reset</b> when a<sub>sink</sub> is (the sink "
      "absorbs the row), else a <b>Mixer</b> (the output gates between sink and content).");

  g_autofree char *markup = g_strconcat (curves, "\n\n", regimes, NULL);

  gtk_label_set_markup (self->curves_label, markup);
}

static void
engine_notify_result_cb (HlPlaygroundWindow *self,
                         GParamSpec         *pspec,
                         HlPlaygroundEngine *engine)
{
  HlPlaygroundResult *result = hl_playground_engine_get_result (engine);
  HlPlaygroundFigures *figures = hl_playground_figures_new (result);

  hl_plot_view_set_figure (self->scatter_view, figures->scatter);
  hl_plot_view_set_figure (self->curves_view, figures->curves);
  hl_plot_view_set_figure (self->alignment_view, figures->alignment);
  hl_plot_view_set_figure (self->profile_view, figures->profile);
  g_clear_pointer (&self->figures, hl_playground_figures_free);
  self->figures = figures;

  /* N can reach t = seq_len - 1; the engine already limited the shown N. */
  self->syncing = TRUE;
  gtk_adjustment_set_upper (hl_playground_window_get_adjustment (self, "n"),
                            hl_playground_result_get_head (result)->n_keys - 1);
  self->syncing = FALSE;

  update_selection_label (self);
  update_diagnostics_label (self);
}

static void
engine_failed_cb (HlPlaygroundWindow *self,
                  GError             *error,
                  HlPlaygroundEngine *engine)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
}

/* Export Figure… and Save as Activation File… ---------------------------- */

static void
toast_error (HlPlaygroundWindow *self,
             const char         *what,
             const GError       *error)
{
  g_autofree char *title = g_strdup_printf ("%s: %s", what, error->message);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

/* The shared export dialog with the four figures, @param's (a basename)
 * selected; figures never change, so the playground may move on while it
 * is open. */
static void
export_figure_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  HlPlaygroundWindow *self = HL_PLAYGROUND_WINDOW (widget);
  HlPlaygroundFigures *f = self->figures;
  HlFigure *figures[4];
  HlExportDialog *dialog;

  if (f == NULL)
    return;
  figures[0] = f->scatter, figures[1] = f->curves, figures[2] = f->alignment;
  figures[3] = f->profile;
  dialog = hl_export_dialog_new (GTK_WINDOW (self), hl_plot_theme_get_preset ());
  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      hl_export_dialog_add_figure (dialog, figures[i]);
      if (g_str_equal (hl_figure_get_basename (figures[i]), g_variant_get_string (param, NULL)))
        hl_export_dialog_select_figure (dialog, i);
    }
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
write_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(HlPlaygroundWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  AdwToast *toast;

  if (!hl_playground_write_activations_finish (result, &error))
    {
      toast_error (self, _("Could not save the activation file"), error);
      return;
    }
  toast = adw_toast_new (_("Activation file saved"));
  if (gtk_window_get_application (GTK_WINDOW (self)) != NULL)
    {
      adw_toast_set_button_label (toast, _("_Open in Explorer"));
      adw_toast_set_action_name (toast, "playground.open-saved");
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  HlPlaygroundWindow *self = HL_PLAYGROUND_WINDOW (user_data);
  g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  const char *heads = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "heads");

  if (response == GTK_RESPONSE_ACCEPT && file != NULL)
    {
      g_autofree char *path = g_file_get_path (file);

      g_set_object (&self->saved_file, file);
      hl_playground_write_activations_async (&hl_playground_engine_get_state (self->engine)->params,
                                             heads != NULL ? atoi (heads) : 1, path, NULL,
                                             write_done_cb, g_object_ref (self));
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
save_activations_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  HlPlaygroundWindow *self = HL_PLAYGROUND_WINDOW (widget);
  static const char *options[] = { "1", "4", "8", NULL };
  static const char *labels[] = { N_("One head"), N_("4 heads, seeds s … s + 3"),
                                  N_("8 heads, seeds s … s + 7"), NULL };
  const char *translated[G_N_ELEMENTS (labels)];
  GtkFileChooserNative *dialog;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    translated[i] = labels[i] != NULL ? _(labels[i]) : NULL;
  dialog = gtk_file_chooser_native_new (_("Save as Activation File"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "playground.h5");
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "heads", _("Heads"),
                               options, translated);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "heads", "1");
  g_signal_connect (dialog, "response", G_CALLBACK (save_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
open_saved_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  HlPlaygroundWindow *self = HL_PLAYGROUND_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app == NULL || self->saved_file == NULL)
    return;
  /* The application's open handler puts the file in an explorer window. */
  g_application_open (G_APPLICATION (app), &self->saved_file, 1, "");
}

/* The object ------------------------------------------------------------- */

HlPlaygroundWindow *
hl_playground_window_new (GtkApplication *application)
{
  return g_object_new (HL_TYPE_PLAYGROUND_WINDOW,
                       "application", application,
                       NULL);
}

HlPlaygroundEngine *
hl_playground_window_get_engine (HlPlaygroundWindow *self)
{
  g_return_val_if_fail (HL_IS_PLAYGROUND_WINDOW (self), NULL);

  return self->engine;
}

GtkAdjustment *
hl_playground_window_get_adjustment (HlPlaygroundWindow *self,
                                     const char         *name)
{
  g_return_val_if_fail (HL_IS_PLAYGROUND_WINDOW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < N_PARAMS; i++)
    if (g_str_equal (param_specs[i].name, name))
      return self->adjustments[i];
  return NULL;
}

const HlPlaygroundFigures *
hl_playground_window_get_figures (HlPlaygroundWindow *self)
{
  g_return_val_if_fail (HL_IS_PLAYGROUND_WINDOW (self), NULL);

  return self->figures;
}

static void
add_plot (HlPlaygroundWindow  *self,
          HlPlotView         **view,
          const char          *label,
          int                  row,
          int                  height)
{
  *view = HL_PLOT_VIEW (hl_plot_view_new (label));
  gtk_widget_set_size_request (GTK_WIDGET (*view), 420, height);
  gtk_grid_attach (self->plot_grid, GTK_WIDGET (*view), 0, row, 1, 1);
}

static void
build_plots (HlPlaygroundWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  add_plot (self, &self->scatter_view, _("Value-space scatter"), 0, 380);
  add_plot (self, &self->curves_view, _("Precision, recall and F1 over N"), 1, 250);
  /* Alignment and profile share the last row. */
  self->alignment_view = HL_PLOT_VIEW (hl_plot_view_new (_("Alignment trajectories")));
  self->profile_view = HL_PLOT_VIEW (hl_plot_view_new (_("Attention profile")));
  gtk_widget_set_size_request (GTK_WIDGET (self->alignment_view), 200, 220);
  gtk_widget_set_size_request (GTK_WIDGET (self->profile_view), 200, 220);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->alignment_view));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->profile_view));
  gtk_grid_attach (self->plot_grid, box, 0, 2, 1, 1);
}

static void
hl_playground_window_dispose (GObject *object)
{
  HlPlaygroundWindow *self = HL_PLAYGROUND_WINDOW (object);

  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  gtk_widget_dispose_template (GTK_WIDGET (self), HL_TYPE_PLAYGROUND_WINDOW);

  G_OBJECT_CLASS (hl_playground_window_parent_class)->dispose (object);
}

static void
hl_playground_window_finalize (GObject *object)
{
  HlPlaygroundWindow *self = HL_PLAYGROUND_WINDOW (object);

  g_clear_pointer (&self->figures, hl_playground_figures_free);
  g_clear_object (&self->saved_file);

  G_OBJECT_CLASS (hl_playground_window_parent_class)->finalize (object);
}

static void
hl_playground_window_class_init (HlPlaygroundWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_playground_window_dispose;
  object_class->finalize = hl_playground_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/headlens/Headlens/ui/hl-playground-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, lesson_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, lesson_label);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, step_label);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, view_group);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, shape_group);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, values_group);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, profile_group);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, ranking_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, distance_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, profile_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, plot_grid);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, selection_label);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, curves_label);
  gtk_widget_class_bind_template_child (widget_class, HlPlaygroundWindow, diagnostics_label);

  gtk_widget_class_install_action (widget_class, "playground.export-figure", "s",
                                   export_figure_action);
  /* What a plot's context menu asks for. */
  gtk_widget_class_install_action (widget_class, "win.export-named-figure", "s",
                                   export_figure_action);
  gtk_widget_class_install_action (widget_class, "playground.save-activations", NULL,
                                   save_activations_action);
  gtk_widget_class_install_action (widget_class, "playground.open-saved", NULL,
                                   open_saved_action);
  gtk_widget_class_install_action (widget_class, "playground.previous-step", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "playground.next-step", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "playground.preset", "s", preset_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "playground.save-activations", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "playground.export-figure", "s", "playground-scatter");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "playground.previous-step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK,
                                       "playground.next-step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
hl_playground_window_init (HlPlaygroundWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->lesson = -1;
  setup_dropdowns (self);
  build_param_rows (self);
  build_plots (self);
  update_curves_label (self);
  update_lesson_text (self);

  self->engine = hl_playground_engine_new ();
  g_object_bind_property (self->engine, "busy", self->spinner, "spinning", G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->engine, "notify::result",
                            G_CALLBACK (engine_notify_result_cb), self);
  g_signal_connect_swapped (self->engine, "failed", G_CALLBACK (engine_failed_cb), self);

  apply_state (self, hl_playground_engine_get_state (self->engine));
  g_signal_connect_swapped (self->profile_dropdown, "notify::selected",
                            G_CALLBACK (dropdown_selected_cb), self);
  g_signal_connect_swapped (self->ranking_dropdown, "notify::selected",
                            G_CALLBACK (dropdown_selected_cb), self);
  g_signal_connect_swapped (self->distance_dropdown, "notify::selected",
                            G_CALLBACK (dropdown_selected_cb), self);
  g_signal_connect_swapped (self->lesson_dropdown, "notify::selected",
                            G_CALLBACK (lesson_dropdown_selected_cb), self);
}
