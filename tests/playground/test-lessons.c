/* test-lessons.c: every claim of every lesson step holds on the tool's own
 * output for the data the step generates, over several seeds; and the
 * sink-mass slider is the alpha_0 the diagnostics report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <pango/pango.h>
#include <string.h>

#include "hl-playground-lesson.h"
#include "hl-playground-result.h"

static const guint64 seeds[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 42, 99 };

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

static const HlSeparabilityPoint *
attention_at (const HlCurveSet *curves,
              int               n)
{
  return point_at (curves, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN, n);
}

static const HlSeparabilityPoint *
random_at (const HlCurveSet *curves,
           int               n)
{
  return point_at (curves, HL_RANKING_RANDOM, HL_DISTANCE_EUCLIDEAN, n);
}

/* Step 3 of lesson 1: at N = 32 the selection takes plateau tokens with
 * tiny attention: beyond the last token, the sink and the first keys of
 * the recency tail, at least 26 of the 32 keys hold less than 1/100 of
 * the row each, all of them after the sink and before the last token. */
static void
check_plateau_selection (HlPlaygroundResult *result)
{
  HlHeadInput input;
  g_autofree int *order = NULL;
  int t, n_tiny = 0;

  hl_playground_result_get_input (result, &input);
  t = input.n_keys - 1;
  order = g_new (int, input.n_keys);
  hl_separability_rank (&input, HL_RANKING_ATTENTION, 0, 0, order);
  for (int k = 0; k < 32; k++)
    if (input.alpha[order[k]] < 0.01)
      {
        g_assert_cmpint (order[k], >, 0);
        g_assert_cmpint (order[k], <, t);
        n_tiny++;
      }
  g_test_message ("N = 32: %d keys below 0.01", n_tiny);
  g_assert_cmpint (n_tiny, >=, 26);
}

/* Lesson 1, every sentence: F_1 = 1 for both rankings; P_4 = R_4 = 1 with
 * the control far below; P_32 below a half and F_32 with it, the
 * selection taking tiny plateau tokens; the control is the mean over 16
 * random selections, its F at least 0.3 below the ranking's at N = 4; the
 * summary's small and intermediate N. */
static void
test_small_n (void)
{
  static const int small[] = { 1, 2, 4 };
  static const int middle[] = { 16, 32, 64 };
  HlPlaygroundLesson lesson = HL_PLAYGROUND_LESSON_SMALL_N;
  HlHeadAnalysisOptions options;

  /* Step 4's "the mean over 16 random selections". */
  hl_playground_analysis_options_init (&options);
  g_assert_cmpint (options.repeats, ==, 16);
  for (guint s = 0; s < G_N_ELEMENTS (seeds); s++)
    {
      g_autoptr(HlPlaygroundResult) first = compute_step (lesson, 0, seeds[s]);
      const HlCurveSet *curves = hl_playground_result_get_analysis (first)->curves;
      double f_small = mean_f1 (curves, HL_RANKING_ATTENTION, small, 3);
      double f_middle = mean_f1 (curves, HL_RANKING_ATTENTION, middle, 3);

      g_test_message ("seed %" G_GUINT64_FORMAT ": mean F small N %.3f, intermediate N %.3f; "
                      "P_4 %.2f R_4 %.2f F_4 %.2f (random %.2f); P_32 %.2f F_32 %.2f",
                      seeds[s], f_small, f_middle, attention_at (curves, 4)->precision,
                      attention_at (curves, 4)->recall, attention_at (curves, 4)->f1,
                      random_at (curves, 4)->f1, attention_at (curves, 32)->precision,
                      attention_at (curves, 32)->f1);
      /* Summary. */
      g_assert_cmpfloat (f_small, >=, 0.7);
      g_assert_cmpfloat (f_small, >=, 4 * f_middle);
      /* Step 1. */
      g_assert_cmpfloat (attention_at (curves, 1)->f1, ==, 1.0f);
      g_assert_cmpfloat (random_at (curves, 1)->f1, ==, 1.0f);
      /* Step 2. */
      g_assert_cmpfloat (attention_at (curves, 4)->precision, ==, 1.0f);
      g_assert_cmpfloat (attention_at (curves, 4)->recall, ==, 1.0f);
      g_assert_cmpfloat (random_at (curves, 4)->f1, <=, attention_at (curves, 4)->f1 - 0.3);
      /* Step 3. */
      g_assert_cmpfloat (attention_at (curves, 32)->precision, <, 0.5f);
      g_assert_cmpfloat (attention_at (curves, 32)->f1, <, 0.5f);
      check_plateau_selection (first);
      /* Step 4 (the control at N = 4 is step 2's comparison, on the
       * control's own curves). */
      g_assert_cmpfloat (random_at (curves, 4)->f1, <=, attention_at (curves, 4)->f1 - 0.3);

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

/* Lesson 2: R_4 below 1 at rho0 = -0.4, no lower at 0, 1 at 0.4 and 0.8,
 * the measured rho0 the one each step names (to 0.05) and lambda 0.05. */
static void
test_sink_recall (void)
{
  HlPlaygroundLesson lesson = HL_PLAYGROUND_LESSON_SINK_RECALL;
  static const double named_rho0[] = { -0.4, 0.0, 0.4, 0.8 };
  int n_steps = hl_playground_lesson_get_n_steps (lesson);

  g_assert_cmpint (n_steps, ==, 4);
  for (guint s = 0; s < G_N_ELEMENTS (seeds); s++)
    {
      double recall[4], previous_rho0 = -2;

      for (int step = 0; step < n_steps; step++)
        {
          g_autoptr(HlPlaygroundResult) result = compute_step (lesson, step, seeds[s]);
          HlHeadResult *analysis = hl_playground_result_get_analysis (result);

          recall[step] = attention_at (analysis->curves, 4)->recall;
          g_test_message ("seed %" G_GUINT64_FORMAT " step %d: rho0 %.2f R_4 %.2f", seeds[s],
                          step, analysis->diagnostics.sink_similarity, recall[step]);
          g_assert_cmpfloat (analysis->diagnostics.sink_similarity, >, previous_rho0);
          g_assert_cmpfloat_with_epsilon (analysis->diagnostics.sink_similarity,
                                          named_rho0[step], 0.05);
          g_assert_cmpfloat_with_epsilon (analysis->diagnostics.sink_ratio, 0.05, 1e-3);
          g_assert_cmpint (hl_playground_result_get_n (result), ==, 4);
          previous_rho0 = analysis->diagnostics.sink_similarity;
        }
      g_assert_cmpfloat (recall[0], <, 1.0);
      g_assert_cmpfloat (recall[1], >=, recall[0]);
      g_assert_cmpfloat (recall[2], ==, 1.0);
      g_assert_cmpfloat (recall[3], ==, 1.0);
    }
}

/* The largest alpha other than key @except's. */
static double
max_other (const HlHeadInput *input,
           int                except)
{
  double m = 0.0;

  for (int i = 0; i < input->n_keys; i++)
    if (i != except)
      m = MAX (m, input->alpha[i]);
  return m;
}

static void
check_retriever (HlPlaygroundResult *result)
{
  HlHeadResult *r = hl_playground_result_get_analysis (result);
  const HlCurveSet *c = r->curves;

  g_assert_cmpfloat (r->diagnostics.last_mass, >, 0.5);
  g_assert_cmpfloat (r->evidence.last_share, >, 0.5);
  for (int g = 0; g < c->n_grid; g++)
    g_assert_cmpfloat (c->align_last[HL_RANKING_ATTENTION][g], >, 0.9);
}

/* The sink has the most attention; the content span holds most of the
 * rest; c_0 = 1 at N = 1 (to two decimals) and falls by more than 0.3. */
static void
check_mixer (HlPlaygroundResult *result)
{
  HlHeadResult *r = hl_playground_result_get_analysis (result);
  const HlSynthHead *head = hl_playground_result_get_head (result);
  HlHeadInput input;
  double content = 0.0;

  hl_playground_result_get_input (result, &input);
  g_assert_cmpfloat (input.alpha[0], >, max_other (&input, 0));
  for (int j = 0; j < head->n_content; j++)
    content += input.alpha[head->content_positions[j]];
  g_assert_cmpfloat (content, >, (1.0 - input.alpha[0]) / 2);
  g_assert_cmpint (r->evidence.first_n, ==, 1);
  g_assert_cmpfloat (r->evidence.first_sink, >=, 0.995);
  g_assert_cmpfloat (r->evidence.sink_min, <, r->evidence.first_sink - 0.3);
}

/* Almost the whole row on the sink (0.9 or more); c_t below 0.5 over the
 * early N; lambda 0.05 as set, and the sink's output share below its
 * attention. */
static void
check_reset (HlPlaygroundResult *result)
{
  HlHeadResult *r = hl_playground_result_get_analysis (result);

  g_assert_cmpfloat (r->diagnostics.sink_mass, >=, 0.9);
  g_assert_cmpfloat (r->evidence.early_last_max, <, 0.5);
  g_assert_cmpfloat_with_epsilon (r->diagnostics.sink_ratio, 0.05, 1e-3);
  g_assert_cmpfloat (r->evidence.sink_share, <, r->diagnostics.sink_mass);
}

/* Most of the row (0.8 or more) on key t - 1, named in the reason. */
static void
check_other (HlPlaygroundResult *result)
{
  HlHeadResult *r = hl_playground_result_get_analysis (result);
  int t = r->query_position;
  g_autofree char *named = g_strdup_printf ("key %d (t − 1) holds", t - 1);

  g_assert_cmpint (r->diagnostics.peak_key, ==, t - 1);
  g_assert_cmpfloat (r->diagnostics.peak_mass, >=, 0.8);
  g_assert_nonnull (strstr (r->reason, named));
}

/* Lesson 3: each step is classified as its regime, for the reasons its
 * text gives. */
static void
test_regimes (void)
{
  static const HlRegime expected[] = {
    HL_REGIME_RETRIEVER, HL_REGIME_MIXER, HL_REGIME_RESET, HL_REGIME_OTHER
  };
  static void (*const checks[]) (HlPlaygroundResult *) = {
    check_retriever, check_mixer, check_reset, check_other
  };
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
        checks[step] (result);
      }
}

/* The sink-mass slider is the alpha_0 the diagnostics report, for every
 * preset and temperature. */
static void
test_sink_mass_slider (void)
{
  static const double masses[] = { 0.0, 0.05, 0.22, 0.5, 0.88, 1.0 };
  static const double temperatures[] = { 0.5, 1.0, 2.0 };

  for (int preset = 0; preset < HL_N_REGIMES; preset++)
    for (guint m = 0; m < G_N_ELEMENTS (masses); m++)
      for (guint k = 0; k < G_N_ELEMENTS (temperatures); k++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(HlPlaygroundResult) result = NULL;
          HlPlaygroundState state;

          hl_playground_state_init (&state);
          hl_synth_head_params_init_preset (&state.params, preset);
          state.params.sink_mass = masses[m];
          state.params.temperature = temperatures[k];
          result = hl_playground_result_new (&state, 0, &error);
          g_assert_no_error (error);
          g_assert_cmpfloat_with_epsilon (hl_playground_result_get_analysis (result)
                                            ->diagnostics.sink_mass, masses[m], 1e-6);
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
  g_test_add_func ("/playground/lessons/sink-mass-slider", test_sink_mass_slider);

  return g_test_run ();
}
