/* hl-causal-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-window.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>

#include "hl-causal-experiment.h"
#include "hl-causal-figures.h"
#include "hl-causal-file.h"
#include "hl-export-dialog.h"
#include "hl-figure-builders.h"
#include "hl-heatmap-plot.h"
#include "hl-model-chooser.h"
#include "hl-plot-theme.h"
#include "hl-plot-view.h"

/* What the window shows, each in its own plot view. */
typedef enum
{
  VIEW_ABLATION,
  VIEW_N_STAR,
  VIEW_HEAD,
  VIEW_SPARSIFY,
  N_VIEWS
} View;

/* The results kept, one per kind of run: a new run replaces its kind's. */
typedef enum
{
  SLOT_ABLATION,
  SLOT_N_STAR,
  SLOT_HEAD,
  SLOT_SPARSIFY,
  N_SLOTS
} Slot;

struct _HlCausalWindow
{
  AdwWindow       parent_instance;

  HlSession      *session;
  HlActivations  *file;
  HlModel        *model;
  GCancellable   *cancellable;   /* of the job running, NULL when idle */
  HlCausalRun     running;
  double          tau;
  double          progress;
  char           *status;
  char           *correlations;
  HlCausalResult *results[N_SLOTS];
  int             head_layer;    /* the target of results[SLOT_HEAD] */
  int             head_head;

  GtkWidget      *model_label;
  GtkWidget      *run_dropdown;
  GtkWidget      *tau_spin;
  GtkWidget      *run_button;
  GtkWidget      *cancel_button;
  GtkWidget      *progress_bar;
  GtkWidget      *status_label;
  GtkWidget      *correlations_label;
  GtkWidget      *views[N_VIEWS];
};

G_DEFINE_FINAL_TYPE (HlCausalWindow, hl_causal_window, ADW_TYPE_WINDOW)

static const char * const run_names[HL_N_CAUSAL_RUNS] = {
  N_("Zero-ablate each head"),
  N_("Mean-ablate each head"),
  N_("Effective set size N* of each head"),
  N_("Truncate the selected head at N = 1, 2, 4, …"),
  N_("Sparsify the model by each policy"),
};

static const char * const view_labels[N_VIEWS] = {
  N_("Ablation Δ NLL of each head"),
  N_("N* of each head"),
  N_("The selected head: Δ NLL against N beside its P/R/F"),
  N_("Sparsification"),
};

static const char * const view_placeholders[N_VIEWS] = {
  N_("Run “Zero-ablate each head” or “Mean-ablate each head”"),
  N_("Run “Effective set size N* of each head”"),
  N_("Select a head, then run “Truncate the selected head” or “Effective set size N*”"),
  N_("Run “Sparsify the model by each policy”"),
};

static Slot
slot_of_run (HlCausalRun run)
{
  switch (run)
    {
    case HL_CAUSAL_RUN_ABLATE_ZERO:
    case HL_CAUSAL_RUN_ABLATE_MEAN:
      return SLOT_ABLATION;
    case HL_CAUSAL_RUN_N_STAR:
      return SLOT_N_STAR;
    case HL_CAUSAL_RUN_HEAD:
      return SLOT_HEAD;
    case HL_CAUSAL_RUN_SPARSIFY:
    case HL_N_CAUSAL_RUNS:
    default:
      return SLOT_SPARSIFY;
    }
}

/* State ------------------------------------------------------------------- */

static void
set_status (HlCausalWindow *self,
            char           *status)
{
  g_free (self->status);
  self->status = status;
  gtk_label_set_text (GTK_LABEL (self->status_label), status);
}

static void
set_progress (HlCausalWindow *self,
              double          fraction,
              const char     *text)
{
  self->progress = fraction;
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), fraction);
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress_bar), text);
}

static void
update_sensitivity (HlCausalWindow *self)
{
  gboolean busy = self->cancellable != NULL;

  gtk_widget_set_sensitive (self->run_button, !busy && self->model != NULL);
  gtk_widget_set_sensitive (self->cancel_button, busy);
  gtk_widget_set_sensitive (self->run_dropdown, !busy);
  gtk_widget_set_sensitive (self->tau_spin, !busy);
}

static void
begin_job (HlCausalWindow *self)
{
  self->cancellable = g_cancellable_new ();
  set_progress (self, 0.0, NULL);
  update_sensitivity (self);
}

static void
end_job (HlCausalWindow *self)
{
  g_clear_object (&self->cancellable);
  update_sensitivity (self);
}

/* Figures ------------------------------------------------------------------ */

static HlFigure *
selected_curves (HlCausalWindow *self)
{
  HlHeadResult *result = hl_session_get_selected_result (self->session);
  HlFigureView view = {
    .ranking = hl_session_get_ranking (self->session),
    .distance = hl_session_get_distance (self->session),
    .n = hl_session_get_n (self->session),
  };

  return result != NULL ? hl_figure_new_head_curves (result, &view) : NULL;
}

/* The selected head's delta NLL against N: its own truncation run, else
 * the N measured by the N* search. */
static HlFigure *
head_figure (HlCausalWindow *self,
             int             layer,
             int             head)
{
  const HlCausalResult *source = NULL;
  g_autoptr(HlFigure) curves = NULL;
  g_autofree char *title = NULL;

  if (layer < 0)
    return NULL;
  if (self->results[SLOT_HEAD] != NULL && self->head_layer == layer && self->head_head == head)
    source = self->results[SLOT_HEAD];
  else if (self->results[SLOT_N_STAR] != NULL)
    source = self->results[SLOT_N_STAR];
  if (source == NULL)
    return NULL;
  curves = selected_curves (self);
  title = g_strdup_printf (_("Layer %d · Head %d"), layer, head);
  return hl_figure_new_causal_truncation (source, layer, head, curves, title);
}

static HlFigure *
build_figure (HlCausalWindow *self,
              View            view,
              int             layer,
              int             head)
{
  switch (view)
    {
    case VIEW_ABLATION:
      return self->results[SLOT_ABLATION] == NULL ? NULL :
             hl_figure_new_causal_map (self->results[SLOT_ABLATION], HL_CAUSAL_MAP_ABLATION, layer, head, NULL);
    case VIEW_N_STAR:
      return self->results[SLOT_N_STAR] == NULL ? NULL :
             hl_figure_new_causal_map (self->results[SLOT_N_STAR], HL_CAUSAL_MAP_N_STAR, layer, head, NULL);
    case VIEW_HEAD:
      return head_figure (self, layer, head);
    case VIEW_SPARSIFY:
    case N_VIEWS:
    default:
      return self->results[SLOT_SPARSIFY] == NULL ? NULL :
             hl_figure_new_sparsification (self->results[SLOT_SPARSIFY], NULL);
    }
}

static void
update_figures (HlCausalWindow *self)
{
  int layer = -1, head = -1;

  hl_session_get_selected (self->session, &layer, &head);
  for (int v = 0; v < N_VIEWS; v++)
    {
      g_autoptr(HlFigure) figure = build_figure (self, v, layer, head);

      hl_plot_view_set_figure (HL_PLOT_VIEW (self->views[v]), figure);
    }
}

/* Correlations -------------------------------------------------------------- */

static void
append_correlation_set (GString                      *out,
                        const HlCausalResult         *result,
                        const HlCausalCorrelationSet *set)
{
  const HlCausalCorrelations *c = &set->correlations;

  if (set->experiment == HL_CAUSAL_ABLATE)
    g_string_append_printf (out, _("Δ NLL of %s ablation"), hl_ablate_mode_to_string (set->ablate_mode));
  else
    g_string_append_printf (out, _("N* (%s, %s)"), hl_truncate_mode_to_string (set->truncate_mode),
                            hl_ranking_to_string (set->ranking));
  g_string_append_printf (out, _(" across %d heads against their geometry (N = %d for F and the margin):\n"),
                          c->n_heads[HL_CAUSAL_QUANTITY_SINK_MASS], result->score_n);
  for (int q = 0; q < HL_N_CAUSAL_QUANTITIES; q++)
    g_string_append_printf (out, "    %s %s %+.2f\n", hl_causal_quantity_to_string (q),
                            q == HL_CAUSAL_QUANTITY_REGIME ? "η" : "r", c->r[q]);
}

static void
update_correlations (HlCausalWindow *self)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const Slot slots[] = { SLOT_ABLATION, SLOT_N_STAR };

  for (guint s = 0; s < G_N_ELEMENTS (slots); s++)
    {
      const HlCausalResult *result = self->results[slots[s]];

      for (guint i = 0; result != NULL && result->correlations != NULL && i < result->correlations->len; i++)
        append_correlation_set (out, result, &g_array_index (result->correlations, HlCausalCorrelationSet, i));
    }
  if (out->len > 0)
    g_string_prepend (out, _("Does geometry predict the damage? Pearson’s r with each head’s mean metric at "
                             "the last position of each window; η: correlation ratio with its regime.\n"));
  g_free (self->correlations);
  self->correlations = g_string_free (g_steal_pointer (&out), FALSE);
  gtk_label_set_text (GTK_LABEL (self->correlations_label), self->correlations);
}

/* Opening the model ----------------------------------------------------------- */

static void
open_model_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(HlCausalWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  HlModel *model = hl_causal_file_open_model_finish (result, NULL, &error);

  /* Closed meanwhile: its widgets are gone. */
  if (self->session == NULL)
    {
      g_clear_object (&model);
      return;
    }
  end_job (self);
  if (model == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->model_label), error->message);
      set_status (self, g_strdup (_("Choose the model the file was extracted with to run the tests.")));
      return;
    }
  g_set_object (&self->model, model);
  g_object_unref (model);
  gtk_label_set_text (GTK_LABEL (self->model_label), hl_model_get_description (model));
  set_status (self, g_strdup_printf (_("Ready: %s on the file’s %d windows of %d tokens."),
                                     hl_model_get_name (model),
                                     hl_activations_get_info (self->file)->n_samples,
                                     hl_activations_get_info (self->file)->seq_len));
  update_sensitivity (self);
}

static void
open_model (HlCausalWindow *self,
            const char     *path)
{
  if (self->cancellable != NULL)
    return;
  g_clear_object (&self->model);
  begin_job (self);
  gtk_label_set_text (GTK_LABEL (self->model_label), _("Opening the model…"));
  hl_causal_file_open_model_async (self->file, path, self->cancellable, open_model_done_cb, g_object_ref (self));
}

void
hl_causal_window_set_model_path (HlCausalWindow *self,
                                 const char     *path)
{
  g_return_if_fail (HL_IS_CAUSAL_WINDOW (self));
  g_return_if_fail (path != NULL);

  open_model (self, path);
}

/* Running ------------------------------------------------------------------ */

static void
run_progress_cb (guint64  done,
                 guint64  total,
                 gpointer user_data)
{
  HlCausalWindow *self = user_data;
  g_autofree char *text = g_strdup_printf (_("%" PRIu64 " of %" PRIu64 " measurements"),
                                           (uint64_t) done, (uint64_t) total);

  set_progress (self, total > 0 ? (double) done / total : 0.0, text);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *async_result,
             gpointer      user_data)
{
  g_autoptr(HlCausalWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  HlCausalResult *result = hl_causal_run_finish (async_result, &error);
  Slot slot = slot_of_run (self->running);

  if (self->session == NULL)
    {
      g_clear_pointer (&result, hl_causal_result_free);
      return;
    }
  end_job (self);
  if (result == NULL)
    {
      gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      set_progress (self, self->progress, cancelled ? _("Cancelled") : _("Failed"));
      set_status (self, cancelled ? g_strdup (_("Cancelled; the figures show the earlier results."))
                                  : g_strdup (error->message));
      return;
    }
  g_clear_pointer (&self->results[slot], hl_causal_result_free);
  self->results[slot] = result;
  set_progress (self, 1.0, _("Done"));
  set_status (self, hl_causal_result_describe (result));
  update_correlations (self);
  update_figures (self);
}

static void
spec_for_run (HlCausalWindow *self,
              HlCausalRun     run,
              HlCausalSpec   *spec)
{
  hl_causal_spec_init (spec);
  spec->layer = spec->head = HL_CAUSAL_EACH;
  spec->tau = self->tau;
  switch (run)
    {
    case HL_CAUSAL_RUN_ABLATE_ZERO:
    case HL_CAUSAL_RUN_ABLATE_MEAN:
      spec->experiment = HL_CAUSAL_ABLATE;
      spec->ablate_modes = 1u << (run == HL_CAUSAL_RUN_ABLATE_ZERO ? HL_ABLATE_ZERO : HL_ABLATE_MEAN);
      break;
    case HL_CAUSAL_RUN_N_STAR:
      spec->experiment = HL_CAUSAL_TRUNCATE;
      spec->n_auto = TRUE;
      break;
    case HL_CAUSAL_RUN_HEAD:
      spec->experiment = HL_CAUSAL_TRUNCATE;
      hl_session_get_selected (self->session, &spec->layer, &spec->head);
      spec->truncate_modes = (1u << HL_TRUNCATE_RENORMALISE) | (1u << HL_TRUNCATE_DELETE);
      spec->rankings = (1u << HL_RANKING_ATTENTION) | (1u << HL_RANKING_CONTRIBUTION);
      break;
    case HL_CAUSAL_RUN_SPARSIFY:
    case HL_N_CAUSAL_RUNS:
    default:
      spec->experiment = HL_CAUSAL_SPARSIFY;
      break;
    }
}

void
hl_causal_window_run (HlCausalWindow *self,
                      HlCausalRun     run)
{
  g_autoptr(GError) error = NULL;
  HlCausalText *text;
  HlCausalSpec spec;
  const HlModelConfig *config;

  g_return_if_fail (HL_IS_CAUSAL_WINDOW (self));
  g_return_if_fail (run < HL_N_CAUSAL_RUNS);

  if (self->cancellable != NULL || self->model == NULL)
    return;
  spec_for_run (self, run, &spec);
  if (run == HL_CAUSAL_RUN_HEAD && spec.layer < 0)
    {
      set_status (self, g_strdup (_("Select a head in the main window or on a map first.")));
      return;
    }
  config = hl_model_get_config (self->model);
  text = hl_causal_file_new_text (self->model, self->file, &error);
  if (text == NULL ||
      !hl_causal_spec_validate (&spec, config->n_layers, config->n_heads,
                                hl_causal_text_get_window (text), &error))
    {
      g_clear_pointer (&text, hl_causal_text_free);
      set_status (self, g_strdup (error->message));
      return;
    }
  self->running = run;
  if (run == HL_CAUSAL_RUN_HEAD)
    self->head_layer = spec.layer, self->head_head = spec.head;
  begin_job (self);
  set_status (self, g_strdup_printf (_("Running: %s…"), _(run_names[run])));
  hl_causal_run_async (text, &spec, self->cancellable, run_progress_cb, self, run_done_cb,
                       g_object_ref (self));
}

void
hl_causal_window_cancel (HlCausalWindow *self)
{
  g_return_if_fail (HL_IS_CAUSAL_WINDOW (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* Widgets ------------------------------------------------------------------ */

static void
run_button_clicked_cb (HlCausalWindow *self)
{
  hl_causal_window_run (self, gtk_drop_down_get_selected (GTK_DROP_DOWN (self->run_dropdown)));
}

static void
tau_changed_cb (HlCausalWindow *self)
{
  self->tau = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->tau_spin));
}

static void
model_chosen_cb (const char *path,
                 gpointer    user_data)
{
  open_model (HL_CAUSAL_WINDOW (user_data), path);
}

static void
choose_checkpoint_clicked_cb (HlCausalWindow *self)
{
  hl_model_chooser_present (GTK_WINDOW (self), FALSE, model_chosen_cb, G_OBJECT (self));
}

static void
choose_folder_clicked_cb (HlCausalWindow *self)
{
  hl_model_chooser_present (GTK_WINDOW (self), TRUE, model_chosen_cb, G_OBJECT (self));
}

/* A click on a map selects that head in the session. */
static void
map_pressed_cb (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                HlCausalWindow  *self)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  HlFigure *figure = hl_plot_view_get_figure (HL_PLOT_VIEW (widget));
  int layer, head;

  if (figure == NULL || hl_figure_get_kind (figure) != HL_PLOT_HEATMAP)
    return;
  if (hl_heatmap_plot_cell_at (hl_plot_theme_get (), hl_figure_get_data (figure),
                               gtk_widget_get_width (widget), gtk_widget_get_height (widget),
                               x, y, &layer, &head))
    hl_session_select (self->session, layer, head);
}

/* Export Figure with the figures shown; @param names the one to select. */
static void
export_figure_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  HlCausalWindow *self = HL_CAUSAL_WINDOW (widget);
  const char *preferred = param != NULL ? g_variant_get_string (param, NULL) : NULL;
  HlExportDialog *dialog = NULL;

  for (int v = 0; v < N_VIEWS; v++)
    {
      HlFigure *figure = hl_plot_view_get_figure (HL_PLOT_VIEW (self->views[v]));

      if (figure == NULL)
        continue;
      if (dialog == NULL)
        dialog = hl_export_dialog_new (GTK_WINDOW (self), hl_plot_theme_get_preset ());
      hl_export_dialog_add_figure (dialog, figure);
      if (g_strcmp0 (hl_figure_get_basename (figure), preferred) == 0)
        hl_export_dialog_select_figure (dialog, hl_export_dialog_get_n_figures (dialog) - 1);
    }
  if (dialog != NULL)
    gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
button_new (const char *label,
            GCallback   callback,
            gpointer    self)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  g_signal_connect_swapped (button, "clicked", callback, self);
  return button;
}

static GtkWidget *
build_model_row (HlCausalWindow *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (_("Model:"));

  gtk_widget_add_css_class (title, "heading");
  self->model_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->model_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->model_label), 0.0);
  gtk_widget_set_hexpand (self->model_label, TRUE);
  gtk_box_append (GTK_BOX (row), title);
  gtk_box_append (GTK_BOX (row), self->model_label);
  gtk_box_append (GTK_BOX (row), button_new (_("Choose C_heckpoint…"), G_CALLBACK (choose_checkpoint_clicked_cb), self));
  gtk_box_append (GTK_BOX (row), button_new (_("Choose _Folder…"), G_CALLBACK (choose_folder_clicked_cb), self));
  return row;
}

static GtkWidget *
build_run_row (HlCausalWindow *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  const char *names[HL_N_CAUSAL_RUNS + 1];

  for (int r = 0; r < HL_N_CAUSAL_RUNS; r++)
    names[r] = _(run_names[r]);
  names[HL_N_CAUSAL_RUNS] = NULL;
  self->run_dropdown = gtk_drop_down_new_from_strings (names);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->run_dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Experiment"), -1);
  self->tau_spin = gtk_spin_button_new_with_range (0.001, 1.0, 0.001);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (self->tau_spin), 3);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->tau_spin), self->tau);
  gtk_widget_set_tooltip_text (self->tau_spin, _("τ: N* is the smallest N whose Δ NLL is at most τ nats per token"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->tau_spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Tolerance τ of N*"), -1);
  g_signal_connect_swapped (self->tau_spin, "value-changed", G_CALLBACK (tau_changed_cb), self);
  self->run_button = button_new (_("_Run"), G_CALLBACK (run_button_clicked_cb), self);
  gtk_widget_add_css_class (self->run_button, "suggested-action");
  self->cancel_button = button_new (_("_Cancel"), G_CALLBACK (hl_causal_window_cancel), self);
  self->progress_bar = gtk_progress_bar_new ();
  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (self->progress_bar), TRUE);
  gtk_widget_set_hexpand (self->progress_bar, TRUE);
  gtk_widget_set_valign (self->progress_bar, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (row), self->run_dropdown);
  gtk_box_append (GTK_BOX (row), gtk_label_new (_("Tolerance τ of N*")));
  gtk_box_append (GTK_BOX (row), self->tau_spin);
  gtk_box_append (GTK_BOX (row), self->run_button);
  gtk_box_append (GTK_BOX (row), self->cancel_button);
  gtk_box_append (GTK_BOX (row), self->progress_bar);
  return row;
}

static GtkWidget *
build_views (HlCausalWindow *self)
{
  GtkWidget *grid = gtk_grid_new ();

  gtk_grid_set_row_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  for (int v = 0; v < N_VIEWS; v++)
    {
      self->views[v] = hl_plot_view_new (_(view_labels[v]));
      hl_plot_view_set_placeholder (HL_PLOT_VIEW (self->views[v]), _(view_placeholders[v]));
      gtk_widget_set_size_request (self->views[v], 320, v == VIEW_HEAD ? 300 : 260);
      gtk_widget_set_hexpand (self->views[v], TRUE);
      gtk_widget_set_vexpand (self->views[v], TRUE);
    }
  for (int v = VIEW_ABLATION; v <= VIEW_N_STAR; v++)
    {
      GtkGesture *click = gtk_gesture_click_new ();

      gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
      g_signal_connect (click, "pressed", G_CALLBACK (map_pressed_cb), self);
      gtk_widget_add_controller (self->views[v], GTK_EVENT_CONTROLLER (click));
    }
  self->correlations_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->correlations_label), 0.0);
  gtk_label_set_yalign (GTK_LABEL (self->correlations_label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (self->correlations_label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (self->correlations_label), TRUE);
  gtk_widget_add_css_class (self->correlations_label, "monospace");
  gtk_grid_attach (GTK_GRID (grid), self->views[VIEW_ABLATION], 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), self->views[VIEW_N_STAR], 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), self->views[VIEW_HEAD], 0, 1, 2, 1);
  gtk_grid_attach (GTK_GRID (grid), self->views[VIEW_SPARSIFY], 0, 2, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), self->correlations_label, 1, 2, 1, 1);
  return grid;
}

static void
build_content (HlCausalWindow *self)
{
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *export_button = gtk_button_new_with_mnemonic (_("_Export Figure…"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (export_button), "causal.export-figure");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), export_button);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  self->status_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->status_label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (self->status_label), TRUE);
  gtk_box_append (GTK_BOX (box), build_model_row (self));
  gtk_box_append (GTK_BOX (box), build_run_row (self));
  gtk_box_append (GTK_BOX (box), self->status_label);
  gtk_box_append (GTK_BOX (box), build_views (self));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (outer), header);
  gtk_box_append (GTK_BOX (outer), scrolled);
  adw_window_set_content (ADW_WINDOW (self), outer);
}

/* Object ------------------------------------------------------------------- */

static void
hl_causal_window_dispose (GObject *object)
{
  HlCausalWindow *self = HL_CAUSAL_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_object (&self->file);
  g_clear_object (&self->model);
  for (int s = 0; s < N_SLOTS; s++)
    g_clear_pointer (&self->results[s], hl_causal_result_free);

  G_OBJECT_CLASS (hl_causal_window_parent_class)->dispose (object);
}

static void
hl_causal_window_finalize (GObject *object)
{
  HlCausalWindow *self = HL_CAUSAL_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_free (self->status);
  g_free (self->correlations);

  G_OBJECT_CLASS (hl_causal_window_parent_class)->finalize (object);
}

static void
hl_causal_window_class_init (HlCausalWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_causal_window_dispose;
  object_class->finalize = hl_causal_window_finalize;
  gtk_widget_class_install_action (widget_class, "causal.export-figure", NULL, export_figure_action);
  /* The plot views' context menu. */
  gtk_widget_class_install_action (widget_class, "win.export-named-figure", "s", export_figure_action);
}

static void
hl_causal_window_init (HlCausalWindow *self)
{
  self->tau = HL_CAUSAL_DEFAULT_TAU;
  self->status = g_strdup ("");
  self->correlations = g_strdup ("");
  self->head_layer = self->head_head = -1;
  gtk_window_set_title (GTK_WINDOW (self), _("Causal Tests"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1200, 980);
  build_content (self);
  update_sensitivity (self);
}

HlCausalWindow *
hl_causal_window_new (GtkWindow *parent,
                      HlSession *session)
{
  HlCausalWindow *self;

  g_return_val_if_fail (HL_IS_SESSION (session), NULL);
  g_return_val_if_fail (hl_session_get_file (session) != NULL, NULL);

  self = g_object_new (HL_TYPE_CAUSAL_WINDOW, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->file = g_object_ref (hl_session_get_file (session));
  g_signal_connect_swapped (session, "notify::selected-layer", G_CALLBACK (update_figures), self);
  g_signal_connect_swapped (session, "notify::selected-head", G_CALLBACK (update_figures), self);
  g_signal_connect_swapped (session, "notify::selected-result", G_CALLBACK (update_figures), self);
  open_model (self, NULL);
  return self;
}

/* Accessors ------------------------------------------------------------------ */

gboolean
hl_causal_window_get_model_ready (HlCausalWindow *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_WINDOW (self), FALSE);

  return self->model != NULL;
}

gboolean
hl_causal_window_get_busy (HlCausalWindow *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_WINDOW (self), FALSE);

  return self->cancellable != NULL;
}

void
hl_causal_window_set_tau (HlCausalWindow *self,
                          double          tau)
{
  g_return_if_fail (HL_IS_CAUSAL_WINDOW (self));

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->tau_spin), tau);
  self->tau = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->tau_spin));
}

const char *
hl_causal_window_get_status (HlCausalWindow *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_WINDOW (self), NULL);

  return self->status;
}

const char *
hl_causal_window_get_correlations (HlCausalWindow *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_WINDOW (self), NULL);

  return self->correlations;
}

HlFigure *
hl_causal_window_get_figure (HlCausalWindow *self,
                             const char     *basename)
{
  g_return_val_if_fail (HL_IS_CAUSAL_WINDOW (self), NULL);

  for (int v = 0; v < N_VIEWS; v++)
    {
      HlFigure *figure = hl_plot_view_get_figure (HL_PLOT_VIEW (self->views[v]));

      if (figure != NULL && g_strcmp0 (hl_figure_get_basename (figure), basename) == 0)
        return figure;
    }
  return NULL;
}

double
hl_causal_window_get_progress (HlCausalWindow *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_WINDOW (self), 0.0);

  return self->progress;
}
