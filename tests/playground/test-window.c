/* test-window.c: the playground window opens, a slider change reaches the
 * scatter, a lesson step sets the controls, and the window finalizes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>

#include "hl-test-util.h"
#include "hl-curves-plot.h"
#include "hl-export-dialog.h"
#include "hl-playground-window.h"
#include "hl-scatter-plot.h"

/* Whether the plots show the engine's latest state. */
static gboolean
window_settled (HlPlaygroundWindow *window)
{
  HlPlaygroundEngine *engine = hl_playground_window_get_engine (window);
  const HlPlaygroundFigures *figures = hl_playground_window_get_figures (window);

  return figures != NULL
         && !hl_playground_engine_get_busy (engine)
         && hl_playground_result_get_generation (figures->result)
            == hl_playground_engine_get_generation (engine);
}

static void
wait_settled (HlPlaygroundWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!window_settled (window))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
spin (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* The scatter figure the window shows now. */
static const HlScatterPlotData *
shown_scatter (HlPlaygroundWindow *window)
{
  return hl_figure_get_data (hl_playground_window_get_figures (window)->scatter);
}

static void
test_slider_updates_scatter (void)
{
  HlPlaygroundWindow *window = hl_playground_window_new (NULL);
  const HlPlaygroundFigures *figures;
  const HlCurvesPlotData *curves;
  float centre_x, centre_y, rho_max;

  gtk_window_present (GTK_WINDOW (window));
  wait_settled (window);
  g_assert_cmpint (shown_scatter (window)->n_points, ==, 512);
  g_assert_cmpint (shown_scatter (window)->n, ==, 4);
  centre_x = shown_scatter (window)->centre_x;
  centre_y = shown_scatter (window)->centre_y;
  rho_max = shown_scatter (window)->rho_max;

  /* Moving the sink-similarity slider regenerates the head. */
  gtk_adjustment_set_value (hl_playground_window_get_adjustment (window, "sink_similarity"), 0.8);
  wait_settled (window);
  figures = hl_playground_window_get_figures (window);
  g_assert_cmpfloat (hl_playground_result_get_state (figures->result)->params.sink_similarity,
                     ==, 0.8);
  g_assert_true (shown_scatter (window)->centre_x != centre_x
                 || shown_scatter (window)->centre_y != centre_y
                 || shown_scatter (window)->rho_max != rho_max);

  /* Moving N recomputes the scatter only. */
  gtk_adjustment_set_value (hl_playground_window_get_adjustment (window, "n"), 16);
  wait_settled (window);
  figures = hl_playground_window_get_figures (window);
  curves = hl_figure_get_data (figures->curves);
  g_assert_cmpint (shown_scatter (window)->n, ==, 16);
  g_assert_cmpint (curves->chosen_n, ==, 16);

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
  g_assert_finalize_object (window);
}

static void
test_lesson (void)
{
  HlPlaygroundWindow *window = hl_playground_window_new (NULL);
  const HlPlaygroundFigures *figures;

  gtk_window_present (GTK_WINDOW (window));
  wait_settled (window);

  hl_playground_window_show_lesson (window, HL_PLAYGROUND_LESSON_REGIMES, 2);
  wait_settled (window);
  figures = hl_playground_window_get_figures (window);
  g_assert_cmpint (hl_playground_result_get_analysis (figures->result)->regime, ==,
                   HL_REGIME_RESET);
  g_assert_cmpfloat (gtk_adjustment_get_value (hl_playground_window_get_adjustment (window,
                                                                                   "sink_mass")),
                     ==, 0.97);

  /* Previous step: the Mixer. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "playground.previous-step",
                                             NULL));
  wait_settled (window);
  figures = hl_playground_window_get_figures (window);
  g_assert_cmpint (hl_playground_result_get_analysis (figures->result)->regime, ==,
                   HL_REGIME_MIXER);

  /* A preset changes the profile only. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "playground.preset", "s",
                                             "retriever"));
  wait_settled (window);
  figures = hl_playground_window_get_figures (window);
  g_assert_cmpint (hl_playground_result_get_analysis (figures->result)->regime, ==,
                   HL_REGIME_RETRIEVER);

  /* The previous-token pattern is none of the three. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "playground.preset", "s",
                                             "other"));
  wait_settled (window);
  figures = hl_playground_window_get_figures (window);
  g_assert_cmpint (hl_playground_result_get_analysis (figures->result)->regime, ==,
                   HL_REGIME_OTHER);

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
  g_assert_finalize_object (window);
}

/* The sink-mass slider is the alpha_0 the diagnostics report, whatever the
 * other parts weigh. */
static void
test_sink_mass_slider (void)
{
  HlPlaygroundWindow *window = hl_playground_window_new (NULL);
  static const double values[] = { 0.22, 0.88, 0.05 };

  gtk_window_present (GTK_WINDOW (window));
  wait_settled (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "playground.preset", "s",
                                             "reset"));
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      const HlPlaygroundFigures *figures;

      gtk_adjustment_set_value (hl_playground_window_get_adjustment (window, "sink_mass"),
                                values[i]);
      wait_settled (window);
      figures = hl_playground_window_get_figures (window);
      g_assert_cmpfloat_with_epsilon (hl_playground_result_get_analysis (figures->result)
                                        ->diagnostics.sink_mass, values[i], 1e-6);
    }
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
  g_assert_finalize_object (window);
}

/* Lesson 1: the curves show the random control dashed beside the
 * attention ranking, and, at the step with the random ranking, the control
 * itself once (no dashed copy), as the step's text says. */
static void
test_lesson_curves (void)
{
  HlPlaygroundWindow *window = hl_playground_window_new (NULL);
  const HlCurvesPlotData *curves;

  gtk_window_present (GTK_WINDOW (window));
  hl_playground_window_show_lesson (window, HL_PLAYGROUND_LESSON_SMALL_N, 1);
  wait_settled (window);
  curves = hl_figure_get_data (hl_playground_window_get_figures (window)->curves);
  g_assert_nonnull (curves->ranked[HL_CURVE_F1]);
  g_assert_nonnull (curves->random[HL_CURVE_F1]);
  hl_playground_window_show_lesson (window, HL_PLAYGROUND_LESSON_SMALL_N, 3);
  wait_settled (window);
  curves = hl_figure_get_data (hl_playground_window_get_figures (window)->curves);
  g_assert_nonnull (curves->ranked[HL_CURVE_F1]);
  g_assert_null (curves->random[HL_CURVE_F1]);
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
  g_assert_finalize_object (window);
}

static HlExportDialog *
find_export_dialog (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (HL_IS_EXPORT_DIALOG (window) && gtk_window_get_transient_for (window) == parent)
        return HL_EXPORT_DIALOG (window);
    }
  return NULL;
}

/* Export Figure… offers the four plots in the shared dialog, which keeps
 * its own copies: it outlives a change of the playground. */
static void
test_export_figure (void)
{
  HlPlaygroundWindow *window = hl_playground_window_new (NULL);
  HlExportDialog *dialog;

  gtk_window_present (GTK_WINDOW (window));
  wait_settled (window);
  /* Cosine distance: the scatter has no disks to copy. */
  gtk_adjustment_set_value (hl_playground_window_get_adjustment (window, "n"), 8);
  hl_playground_engine_set_distance (hl_playground_window_get_engine (window),
                                     HL_DISTANCE_COSINE);
  wait_settled (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "playground.export-figure",
                                             "s", "playground-curves"));
  dialog = find_export_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  g_assert_cmpuint (hl_export_dialog_get_n_figures (dialog), ==, 4);

  gtk_adjustment_set_value (hl_playground_window_get_adjustment (window, "seed"), 9);
  wait_settled (window);
  spin (50);

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
  g_assert_finalize_object (window);
}

/* Closing the window while a head is computed leaves nothing behind. */
static void
test_close_while_busy (void)
{
  HlPlaygroundWindow *window = hl_playground_window_new (NULL);
  HlPlaygroundEngine *engine = hl_playground_window_get_engine (window);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hl_playground_engine_get_busy (engine));
  g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &engine);
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (10);
  g_assert_finalize_object (window);
  g_assert_null (engine);
  /* Let the worker finish and its completion find the engine gone. */
  spin (500);
}


/* The first descendant of @widget of type @type whose action is @action
 * (NULL: any). */
static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             const char *action)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type)
      && (action == NULL
          || g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The wheel over a slider without the keyboard focus scrolls the
 * sidebar and leaves the slider; focused, the slider takes it. */
static void
test_wheel_scrolls_sidebar (void)
{
  HlPlaygroundWindow *window = hl_playground_window_new (NULL);
  GtkWidget *scale, *scrolled;
  GtkEventController *passing = NULL;
  GtkAdjustment *sidebar, *value;
  GListModel *controllers;
  gboolean handled = FALSE;
  double before;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 500);
  gtk_window_present (GTK_WINDOW (window));
  wait_settled (window);
  scale = find_widget (GTK_WIDGET (window), GTK_TYPE_SCALE, NULL);
  scrolled = gtk_widget_get_ancestor (scale, GTK_TYPE_SCROLLED_WINDOW);
  sidebar = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  value = gtk_range_get_adjustment (GTK_RANGE (scale));
  controllers = gtk_widget_observe_controllers (scale);
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && passing == NULL; i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (c), "hl-scroll-passes-unless-focused") == 0)
        passing = c;
    }
  g_object_unref (controllers);
  g_assert_nonnull (passing);
  g_assert_cmpint (gtk_event_controller_get_propagation_phase (passing), ==, GTK_PHASE_CAPTURE);
  for (int i = 0; i < 50 && gtk_adjustment_get_page_size (sidebar) == 0; i++)
    spin (100);
  g_assert_cmpfloat (gtk_adjustment_get_upper (sidebar), >, gtk_adjustment_get_page_size (sidebar));

  before = gtk_adjustment_get_value (value);
  g_signal_emit_by_name (passing, "scroll", 0.0, 1.0, &handled);
  g_assert_true (handled);
  g_assert_cmpfloat (gtk_adjustment_get_value (sidebar), >, 0);
  g_assert_cmpfloat (gtk_adjustment_get_value (value), ==, before);

  gtk_widget_grab_focus (scale);
  handled = FALSE;
  g_signal_emit_by_name (passing, "scroll", 0.0, 1.0, &handled);
  g_assert_false (handled);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The lesson's Next button stays where it is from step to step, however
 * long each step's text. */
static void
test_next_button_stays (void)
{
  HlPlaygroundWindow *window = hl_playground_window_new (NULL);
  GtkWidget *next;
  graphene_rect_t first, later;

  gtk_window_present (GTK_WINDOW (window));
  wait_settled (window);
  hl_playground_window_show_lesson (window, HL_PLAYGROUND_LESSON_REGIMES, 0);
  spin (200);
  next = find_widget (GTK_WIDGET (window), GTK_TYPE_BUTTON, "playground.next-step");
  g_assert_nonnull (next);
  g_assert_true (gtk_widget_compute_bounds (next, GTK_WIDGET (window), &first));
  for (int step = 1; step < 3; step++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "playground.next-step", NULL));
      spin (200);
      g_assert_true (gtk_widget_compute_bounds (next, GTK_WIDGET (window), &later));
      g_assert_cmpfloat (later.origin.y, ==, first.origin.y);
      g_assert_cmpfloat (later.origin.x, ==, first.origin.x);
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/playground/window/slider-updates-scatter", test_slider_updates_scatter);
  g_test_add_func ("/playground/window/lesson", test_lesson);
  g_test_add_func ("/playground/window/wheel-scrolls-sidebar", test_wheel_scrolls_sidebar);
  g_test_add_func ("/playground/window/next-button-stays", test_next_button_stays);
  g_test_add_func ("/playground/window/sink-mass-slider", test_sink_mass_slider);
  g_test_add_func ("/playground/window/lesson-curves", test_lesson_curves);
  g_test_add_func ("/playground/window/export-figure", test_export_figure);
  g_test_add_func ("/playground/window/close-while-busy", test_close_while_busy);

  return hl_test_run_and_wait ();
}
