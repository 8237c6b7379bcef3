/* test-file.c: "Save as Activation File…" writes a v1 file that the
 * reader opens and whose analysis equals the playground's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "hl-test-util.h"
#include "hl-activations.h"
#include "hl-playground-file.h"
#include "hl-playground-result.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("hl-playground-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "head.h5", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_remove (fixture->path);
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* Reads head @head of the file and analyses it as the explorer would. */
static HlHeadResult *
analyse_file_head (HlActivations *file,
                   int            head,
                   float        **values,
                   float        **alpha)
{
  const HlActivationsInfo *info = hl_activations_get_info (file);
  g_autoptr(GError) error = NULL;
  HlHeadAnalysisOptions options;
  HlHeadId id = { 0, head, 0, 0, info->kv_head_of[head] };
  HlHeadInput input;

  *values = g_new (float, (gsize) info->seq_len * info->head_dim);
  *alpha = g_new (float, info->seq_len);
  g_assert_true (hl_activations_read_values (file, 0, 0, id.kv_head, *values, &error));
  g_assert_no_error (error);
  g_assert_true (hl_activations_read_attention (file, 0, 0, head, *alpha, &error));
  g_assert_no_error (error);

  input = (HlHeadInput) { info->query_positions[0] + 1, info->head_dim, *values, *alpha };
  hl_playground_analysis_options_init (&options);
  return hl_head_analysis_compute (&input, &id, &options);
}

static void
assert_same_analysis (const HlHeadResult *a,
                      const HlHeadResult *b)
{
  g_assert_cmpint (a->curves->n_grid, ==, b->curves->n_grid);
  for (int r = 0; r < HL_N_RANKINGS; r++)
    for (int d = 0; d < HL_N_DISTANCES; d++)
      g_assert_cmpmem (a->curves->points[r][d], sizeof (HlSeparabilityPoint) * a->curves->n_grid,
                       b->curves->points[r][d], sizeof (HlSeparabilityPoint) * b->curves->n_grid);
  g_assert_cmpmem (&a->diagnostics, sizeof a->diagnostics, &b->diagnostics, sizeof b->diagnostics);
  g_assert_cmpint (a->regime, ==, b->regime);
  g_assert_cmpstr (a->reason, ==, b->reason);
}

/* The file's /synth/regime: @pattern in each of its @n_heads heads. */
static void
assert_planted (HlActivations *file,
                int            n_heads,
                int            pattern)
{
  g_autoptr(GError) error = NULL;
  g_autofree int32_t *patterns = NULL;
  gsize n = 0;

  patterns = hl_activations_read_int_dataset (file, "/synth/regime", &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, n_heads);
  for (int h = 0; h < n_heads; h++)
    g_assert_cmpint (patterns[h], ==, pattern);
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(HlPlaygroundResult) result = NULL;
  g_autoptr(HlHeadResult) head0 = NULL, head1 = NULL;
  g_autofree float *values0 = NULL, *alpha0 = NULL, *values1 = NULL, *alpha1 = NULL;
  const HlActivationsInfo *info;
  HlPlaygroundState state;

  hl_playground_state_init (&state);
  state.params.n_keys = 256;
  state.params.head_dim = 32;
  state.params.seed = 5;
  hl_synth_head_params_init_preset (&state.params, HL_REGIME_MIXER);
  result = hl_playground_result_new (&state, 0, &error);
  g_assert_no_error (error);

  g_assert_true (hl_playground_write_activations (&state.params, 3, fixture->path, &error));
  g_assert_no_error (error);
  file = hl_activations_open (fixture->path, &error);
  g_assert_no_error (error);

  info = hl_activations_get_info (file);
  g_assert_cmpstr (info->model, ==, HL_PLAYGROUND_MODEL_NAME);
  g_assert_cmpint (info->n_layers, ==, 1);
  g_assert_cmpint (info->n_heads, ==, 3);
  g_assert_cmpint (info->seq_len, ==, 256);
  g_assert_cmpint (info->head_dim, ==, 32);
  g_assert_cmpint (info->n_queries, ==, 1);
  g_assert_cmpint (info->query_positions[0], ==, 255);

  /* Head 0 is the playground's head, bit for bit, and analyses the same. */
  head0 = analyse_file_head (file, 0, &values0, &alpha0);
  g_assert_cmpmem (values0, sizeof (float) * 256 * 32,
                   hl_playground_result_get_head (result)->values, sizeof (float) * 256 * 32);
  assert_same_analysis (head0, hl_playground_result_get_analysis (result));

  /* The other heads are the same parameters with other seeds. */
  head1 = analyse_file_head (file, 1, &values1, &alpha1);
  g_assert_true (memcmp (values0, values1, sizeof (float) * 256 * 32) != 0);
  g_assert_cmpint (head1->regime, ==, HL_REGIME_MIXER);
  g_assert_true (hl_activations_validate_all (file, &error));
  g_assert_no_error (error);
  assert_planted (file, 3, HL_REGIME_MIXER);
}

/* A pattern is planted only while the profile is exactly a preset's: each
 * preset is recorded, and a moved slider records none (-1). */
static void
test_planted (Fixture       *fixture,
              gconstpointer  data)
{
  for (int preset = 0; preset <= HL_N_REGIMES; preset++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HlActivations) file = NULL;
      HlSynthHeadParams params;

      hl_synth_head_params_init (&params);
      params.n_keys = 32;
      params.head_dim = 8;
      if (preset < HL_N_REGIMES)
        hl_synth_head_params_init_preset (&params, preset);
      else
        params.sink_mass += 0.01;
      g_assert_true (hl_playground_write_activations (&params, 2, fixture->path, &error));
      file = hl_activations_open (fixture->path, &error);
      g_assert_no_error (error);
      assert_planted (file, 2, preset < HL_N_REGIMES ? preset : -1);
    }
}

static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  HlSynthHeadParams params;

  hl_synth_head_params_init (&params);
  g_assert_false (hl_playground_write_activations (&params, 0, fixture->path, &error));
  g_assert_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID);
  g_clear_error (&error);

  params.norm_cv = 5;
  g_assert_false (hl_playground_write_activations (&params, 1, fixture->path, &error));
  g_assert_error (error, HL_SYNTH_ERROR, HL_SYNTH_ERROR_INVALID);
  /* Nothing was written. */
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

static void
write_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (hl_playground_write_activations_finish (result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) file = NULL;
  HlSynthHeadParams params;
  gboolean done = FALSE;

  hl_synth_head_params_init (&params);
  params.n_keys = 64;
  hl_playground_write_activations_async (&params, 1, fixture->path, NULL, write_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  file = hl_activations_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hl_activations_get_info (file)->seq_len, ==, 64);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/playground/file/round-trip", Fixture, NULL,
              fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/playground/file/planted", Fixture, NULL,
              fixture_setup, test_planted, fixture_teardown);
  g_test_add ("/playground/file/invalid", Fixture, NULL,
              fixture_setup, test_invalid, fixture_teardown);
  g_test_add ("/playground/file/async", Fixture, NULL,
              fixture_setup, test_async, fixture_teardown);

  return hl_test_run_and_wait ();
}
