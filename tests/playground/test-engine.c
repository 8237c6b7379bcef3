/* test-engine.c: the playground engine's scheduling (coalescing, views,
 * generations) and its results.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-test-util.h"
#include "hl-playground-engine.h"

typedef struct
{
  HlPlaygroundEngine *engine;
  guint               n_delivered;
  guint64             last_generation;
  gboolean            stale_seen;
} Fixture;

static void
engine_notify_result_cb (HlPlaygroundEngine *engine,
                         GParamSpec         *pspec,
                         Fixture            *fixture)
{
  HlPlaygroundResult *result = hl_playground_engine_get_result (engine);

  fixture->n_delivered++;
  fixture->last_generation = hl_playground_result_get_generation (result);
  if (fixture->last_generation != hl_playground_engine_get_generation (engine))
    fixture->stale_seen = TRUE;
}

static gboolean
settled (HlPlaygroundEngine *engine)
{
  HlPlaygroundResult *result = hl_playground_engine_get_result (engine);

  return !hl_playground_engine_get_busy (engine)
         && result != NULL
         && hl_playground_result_get_generation (result)
            == hl_playground_engine_get_generation (engine);
}

/* Runs the main context until the engine shows its latest state. */
static void
wait_settled (HlPlaygroundEngine *engine)
{
  while (!settled (engine))
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->engine = hl_playground_engine_new ();
  g_signal_connect (fixture->engine, "notify::result",
                    G_CALLBACK (engine_notify_result_cb), fixture);
  wait_settled (fixture->engine);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->engine);
}

static void
test_first_result (Fixture       *fixture,
                   gconstpointer  data)
{
  HlPlaygroundResult *result = hl_playground_engine_get_result (fixture->engine);
  const HlScatter *scatter = hl_playground_result_get_scatter (result);
  HlHeadResult *analysis = hl_playground_result_get_analysis (result);
  int n_selected = 0;

  g_assert_cmpuint (fixture->n_delivered, ==, 1);
  g_assert_cmpint (hl_playground_result_get_head (result)->n_keys, ==, 512);
  g_assert_cmpint (scatter->n_points, ==, 512);
  g_assert_cmpint (scatter->n, ==, 4);
  for (int i = 0; i < scatter->n_points; i++)
    n_selected += scatter->selected[i] ? 1 : 0;
  g_assert_cmpint (n_selected, ==, 4);

  /* The scatter's balls are those of the curves at N = 4 (grid 1, 2, 4). */
  g_assert_cmpint (analysis->curves->grid[2], ==, 4);
  g_assert_cmpfloat_with_epsilon (scatter->rho_max,
                                  analysis->curves->points[HL_RANKING_ATTENTION]
                                                          [HL_DISTANCE_EUCLIDEAN][2].rho_max,
                                  1e-5);
  g_assert_cmpint (analysis->regime, ==, HL_REGIME_RETRIEVER);
}

/* 50 changes in a burst: the job that was running when the burst began, and
 * exactly one more of the final state; only the final state is shown. */
static void
test_coalescing (Fixture       *fixture,
                 gconstpointer  data)
{
  HlPlaygroundEngine *engine = fixture->engine;
  guint heads_before = hl_playground_engine_get_n_head_computations (engine);
  HlPlaygroundState final_state = *hl_playground_engine_get_state (engine);
  g_autoptr(HlPlaygroundResult) expected = NULL;
  HlPlaygroundResult *result;

  fixture->n_delivered = 0;
  for (int i = 1; i <= 50; i++)
    {
      HlSynthHeadParams params = hl_playground_engine_get_state (engine)->params;

      params.seed = 100 + i;
      params.sink_similarity = 0.01 * i;
      g_assert_true (hl_playground_engine_set_params (engine, &params, NULL));
      final_state.params = params;
    }
  g_assert_true (hl_playground_engine_get_busy (engine));
  wait_settled (engine);

  g_assert_cmpuint (hl_playground_engine_get_n_head_computations (engine) - heads_before, <=, 2);
  g_assert_cmpuint (fixture->n_delivered, ==, 1);
  g_assert_false (fixture->stale_seen);

  result = hl_playground_engine_get_result (engine);
  g_assert_true (hl_playground_state_same_head (hl_playground_result_get_state (result),
                                                &final_state));
  /* The delivered head is the final state's, computed afresh. */
  expected = hl_playground_result_new (&final_state, 0, NULL);
  g_assert_cmpmem (hl_playground_result_get_head (result)->values,
                   sizeof (float) * 512 * 64,
                   hl_playground_result_get_head (expected)->values,
                   sizeof (float) * 512 * 64);
  g_assert_cmpfloat (hl_playground_result_get_scatter (result)->rho_min, ==,
                     hl_playground_result_get_scatter (expected)->rho_min);
}

/* Changing N, ranking or distance recomputes the scatter only, sharing the
 * head's analysis. */
static void
test_view_only (Fixture       *fixture,
                gconstpointer  data)
{
  HlPlaygroundEngine *engine = fixture->engine;
  HlHeadResult *analysis = hl_playground_result_get_analysis (hl_playground_engine_get_result (engine));
  guint heads = hl_playground_engine_get_n_head_computations (engine);
  guint views = hl_playground_engine_get_n_view_computations (engine);
  const HlScatter *scatter;

  hl_playground_engine_set_n (engine, 16);
  hl_playground_engine_set_ranking (engine, HL_RANKING_CONTRIBUTION);
  hl_playground_engine_set_distance (engine, HL_DISTANCE_COSINE);
  wait_settled (engine);

  g_assert_cmpuint (hl_playground_engine_get_n_head_computations (engine), ==, heads);
  g_assert_cmpuint (hl_playground_engine_get_n_view_computations (engine) - views, <=, 2);
  g_assert_true (hl_playground_result_get_analysis (hl_playground_engine_get_result (engine))
                 == analysis);
  scatter = hl_playground_result_get_scatter (hl_playground_engine_get_result (engine));
  g_assert_cmpint (scatter->n, ==, 16);
  /* Cosine balls are not disks in the plane. */
  g_assert_null (scatter->in_max_disk);
  g_assert_cmpfloat_with_epsilon (scatter->rho_max,
                                  analysis->curves->points[HL_RANKING_CONTRIBUTION]
                                                          [HL_DISTANCE_COSINE][4].rho_max,
                                  1e-5);
}

static void
test_n_clamped (Fixture       *fixture,
                gconstpointer  data)
{
  HlPlaygroundEngine *engine = fixture->engine;
  HlPlaygroundState state = *hl_playground_engine_get_state (engine);

  state.params.n_keys = 64;
  state.n = 1000;
  g_assert_true (hl_playground_engine_set_state (engine, &state, NULL));
  wait_settled (engine);

  g_assert_cmpint (hl_playground_result_get_n (hl_playground_engine_get_result (engine)), ==, 63);
  g_assert_cmpint (hl_playground_result_get_scatter (hl_playground_engine_get_result (engine))->n,
                   ==, 63);
}

static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  HlPlaygroundEngine *engine = fixture->engine;
  guint64 generation = hl_playground_engine_get_generation (engine);
  HlSynthHeadParams params = hl_playground_engine_get_state (engine)->params;
  g_autoptr(GError) error = NULL;

  params.n_keys = 3;
  g_assert_false (hl_playground_engine_set_params (engine, &params, &error));
  g_assert_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID);
  g_clear_error (&error);

  params.n_keys = 512;
  params.beta = -1;
  g_assert_false (hl_playground_engine_set_params (engine, &params, &error));
  g_assert_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID);

  g_assert_cmpuint (hl_playground_engine_get_generation (engine), ==, generation);
  g_assert_cmpint (hl_playground_engine_get_state (engine)->params.n_keys, ==, 512);
  g_assert_false (hl_playground_engine_get_busy (engine));
}

/* Setting the same state again computes nothing. */
static void
test_unchanged (Fixture       *fixture,
                gconstpointer  data)
{
  HlPlaygroundEngine *engine = fixture->engine;
  HlPlaygroundState state = *hl_playground_engine_get_state (engine);
  guint64 generation = hl_playground_engine_get_generation (engine);

  g_assert_true (hl_playground_engine_set_state (engine, &state, NULL));
  hl_playground_engine_set_n (engine, state.n);
  g_assert_cmpuint (hl_playground_engine_get_generation (engine), ==, generation);
  g_assert_false (hl_playground_engine_get_busy (engine));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/playground/engine/first-result", Fixture, NULL,
              fixture_setup, test_first_result, fixture_teardown);
  g_test_add ("/playground/engine/coalescing", Fixture, NULL,
              fixture_setup, test_coalescing, fixture_teardown);
  g_test_add ("/playground/engine/view-only", Fixture, NULL,
              fixture_setup, test_view_only, fixture_teardown);
  g_test_add ("/playground/engine/n-clamped", Fixture, NULL,
              fixture_setup, test_n_clamped, fixture_teardown);
  g_test_add ("/playground/engine/invalid", Fixture, NULL,
              fixture_setup, test_invalid, fixture_teardown);
  g_test_add ("/playground/engine/unchanged", Fixture, NULL,
              fixture_setup, test_unchanged, fixture_teardown);

  return hl_test_run_and_wait ();
}
