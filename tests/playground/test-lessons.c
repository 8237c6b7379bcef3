/* test-lessons.c: each lesson's claim holds on the data its steps
 * generate, over several seeds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <pango/pango.h>

#include "hl-playground-lesson.h"
#include "hl-playground-result.h"

static const guint64 seeds[] = { 1, 2, 3, 7, 42 };

static HlPlaygroundResult *
compute_step (HlPlaygroundLesson lesson,
              int                step,
              guint64            seed)
{
  g_autoptr(GError) error = NULL;
  HlPlaygroundState state;
  HlPlaygroundResult *result;

  hl_playground_lesson_apply_step (lesson, step, seed, &state);
  result = hl_playground_result_new (&state, 0, &error);
  g_assert_no_error (error);
  return result;
}

/* The point of @curves at N = @n for one ranking and distance. */
static const HlSeparabilityPoint *
point_at (const HlCurveSet *curves,
          HlRanking         ranking,
          HlDistance        distance,
          int               n)
{
  for (int g = 0; g < curves->n_grid; g++)
    if (curves->grid[g] == n)
      return &curves->points[ranking][distance][g];
  g_assert_not_reached ();
}

static double
mean_f1 (const HlCurveSet *curves,
         HlRanking         ranking,
         const int        *ns,
         int               count)
{
  double sum = 0.0;

  for (int i = 0; i < count; i++)
    sum += point_at (curves, ranking, HL_DISTANCE_EUCLIDEAN, ns[i])->f1;
  return sum / count;
}

static gboolean
markup_parses (const char *markup)
{
  g_autoptr(GError) error = NULL;

  if (!pango_parse_markup (markup, -1, 0, NULL, NULL, NULL, &error))
    g_test_message ("%s: %s", markup, error->message);
  return error == NULL;
}

/* Every step's markup parses, so the window can show it. */
static void
test_texts (void)
{
  for (int lesson = 0; lesson < HL_PLAYGROUND_N_LESSONS; lesson++)
    {
      g_assert_true (markup_parses (hl_playground_lesson_get_summary (lesson)));
      g_assert_cmpint (hl_playground_lesson_get_n_steps (lesson), >=, 3);
      for (int step = 0; step < hl_playground_lesson_get_n_steps (lesson); step++)
        g_assert_true (markup_parses (hl_playground_lesson_get_step_text (lesson, step)));
    }
}

/* Small N: F is highest at N = 1..4 and collapses at intermediate N; the
 * random baseline has F_1 = 1 with Euclidean distance. */
static void
test_small_n (void)
{
  static const int small[] = { 1, 2, 4 };
  static const int middle[] = { 16, 32, 64 };
  HlPlaygroundLesson lesson = HL_PLAYGROUND_LESSON_SMALL_N;

  for (guint s = 0; s < G_N_ELEMENTS (seeds); s++)
    {
      g_autoptr(HlPlaygroundResult) first = compute_step (lesson, 0, seeds[s]);
      const HlCurveSet *curves = hl_playground_result_get_analysis (first)->curves;
      double f_small = mean_f1 (curves, HL_RANKING_ATTENTION, small, 3);
      double f_middle = mean_f1 (curves, HL_RANKING_ATTENTION, middle, 3);

      g_test_message ("seed %" G_GUINT64_FORMAT ": mean F small N %.3f, intermediate N %.3f",
                      seeds[s], f_small, f_middle);
      g_assert_cmpfloat (f_small, >=, 0.75);
      g_assert_cmpfloat (f_small, >=, 4 * f_middle);
      g_assert_cmpfloat (point_at (curves, HL_RANKING_RANDOM, HL_DISTANCE_EUCLIDEAN, 1)->f1, ==, 1.0f);
      /* The attention ranking beats the baseline at N = 4. */
      g_assert_cmpfloat (point_at (curves, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN, 4)->f1, >,
                         point_at (curves, HL_RANKING_RANDOM, HL_DISTANCE_EUCLIDEAN, 4)->f1 + 0.3);

      /* Every step shows the same head: only the view moves. */
      for (int step = 1; step < hl_playground_lesson_get_n_steps (lesson); step++)
        {
          HlPlaygroundState a, b;

          hl_playground_lesson_apply_step (lesson, 0, seeds[s], &a);
          hl_playground_lesson_apply_step (lesson, step, seeds[s], &b);
          g_assert_true (hl_playground_state_same_head (&a, &b));
        }
    }
}

/* Sink similarity: R at N = 4 never falls across the steps and ends above
 * where it started, while rho0 (measured) rises. */
static void
test_sink_recall (void)
{
  HlPlaygroundLesson lesson = HL_PLAYGROUND_LESSON_SINK_RECALL;
  int n_steps = hl_playground_lesson_get_n_steps (lesson);

  for (guint s = 0; s < G_N_ELEMENTS (seeds); s++)
    {
      double first_recall = 0, previous_recall = -1, previous_rho0 = -2;

      for (int step = 0; step < n_steps; step++)
        {
          g_autoptr(HlPlaygroundResult) result = compute_step (lesson, step, seeds[s]);
          HlHeadResult *analysis = hl_playground_result_get_analysis (result);
          double recall = point_at (analysis->curves, HL_RANKING_ATTENTION,
                                    HL_DISTANCE_EUCLIDEAN, 4)->recall;

          g_test_message ("seed %" G_GUINT64_FORMAT " step %d: rho0 %.2f R_4 %.2f", seeds[s],
                          step, analysis->diagnostics.sink_similarity, recall);
          g_assert_cmpfloat (analysis->diagnostics.sink_similarity, >, previous_rho0);
          g_assert_cmpfloat (recall, >=, previous_recall);
          g_assert_cmpint (hl_playground_result_get_n (result), ==, 4);
          if (step == 0)
            first_recall = recall;
          previous_recall = recall;
          previous_rho0 = analysis->diagnostics.sink_similarity;
        }
      g_assert_cmpfloat (previous_recall, >, first_recall);
    }
}

/* The three regimes: each step's preset is classified as its regime, and
 * the reason quotes the deciding share. */
static void
test_regimes (void)
{
  static const HlRegime expected[] = { HL_REGIME_RETRIEVER, HL_REGIME_MIXER, HL_REGIME_RESET };
  HlPlaygroundLesson lesson = HL_PLAYGROUND_LESSON_REGIMES;

  g_assert_cmpint (hl_playground_lesson_get_n_steps (lesson), ==, G_N_ELEMENTS (expected));
  for (guint s = 0; s < G_N_ELEMENTS (seeds); s++)
    for (int step = 0; step < hl_playground_lesson_get_n_steps (lesson); step++)
      {
        g_autoptr(HlPlaygroundResult) result = compute_step (lesson, step, seeds[s]);
        HlHeadResult *analysis = hl_playground_result_get_analysis (result);

        g_test_message ("seed %" G_GUINT64_FORMAT " step %d: %s (%s)", seeds[s], step,
                        hl_regime_to_string (analysis->regime), analysis->reason);
        g_assert_cmpint (analysis->regime, ==, expected[step]);
        g_assert_nonnull (analysis->reason);
        g_assert_cmpstr (analysis->reason, !=, "");
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/playground/lessons/texts", test_texts);
  g_test_add_func ("/playground/lessons/small-n", test_small_n);
  g_test_add_func ("/playground/lessons/sink-recall", test_sink_recall);
  g_test_add_func ("/playground/lessons/regimes", test_regimes);

  return g_test_run ();
}
