/* test-analysis-schedule.c: the order of an analysis's blocks: file order
 * without a focus, the focus's blocks and queries first with one, and
 * every (block, query) exactly once whatever the focus does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-analysis-schedule.h"

#define LAYERS  3
#define SAMPLES 2
#define KV      2
#define QUERIES 4

typedef struct
{
  HlScheduledBlock block;
  gboolean         queries[QUERIES];
} Step;

static HlAnalysisSchedule *
schedule_new (const gboolean *kv_needed,
              const gboolean *query_used)
{
  static const gboolean all_kv[KV] = { TRUE, TRUE };
  static const gboolean all_queries[QUERIES] = { TRUE, TRUE, TRUE, TRUE };

  return hl_analysis_schedule_new (LAYERS, SAMPLES, KV, QUERIES,
                                   kv_needed != NULL ? kv_needed : all_kv,
                                   query_used != NULL ? query_used : all_queries);
}

/* Counts each (layer, sample, kv head, query) handed out. */
static void
count_step (int        counts[LAYERS][SAMPLES][KV][QUERIES],
            const Step *step)
{
  for (int q = 0; q < QUERIES; q++)
    counts[step->block.layer_index][step->block.sample][step->block.kv_head][q]
      += step->queries[q];
}

static void
assert_each_once (int            counts[LAYERS][SAMPLES][KV][QUERIES],
                  const gboolean *kv_needed,
                  const gboolean *query_used)
{
  for (int l = 0; l < LAYERS; l++)
    for (int s = 0; s < SAMPLES; s++)
      for (int g = 0; g < KV; g++)
        for (int q = 0; q < QUERIES; q++)
          g_assert_cmpint (counts[l][s][g][q], ==,
                           (kv_needed == NULL || kv_needed[g]) && (query_used == NULL || query_used[q]));
}

/* Without a focus: file order, every query of a block at once. */
static void
test_file_order (void)
{
  g_autoptr(HlAnalysisSchedule) schedule = schedule_new (NULL, NULL);
  int counts[LAYERS][SAMPLES][KV][QUERIES] = { 0 };
  int expected = 0;
  Step step;

  while (hl_analysis_schedule_next (schedule, -1, -1, &step.block, step.queries))
    {
      int index = (step.block.layer_index * SAMPLES + step.block.sample) * KV
                  + step.block.kv_head;

      g_assert_cmpint (index, ==, expected++);
      for (int q = 0; q < QUERIES; q++)
        g_assert_true (step.queries[q]);
      count_step (counts, &step);
    }
  g_assert_cmpint (expected, ==, LAYERS * SAMPLES * KV);
  assert_each_once (counts, NULL, NULL);
}

/* Focus on sample 1, query 2: its blocks (every layer, every kv head)
 * come first with that query alone, then the rest, each once. */
static void
test_focus_first (void)
{
  g_autoptr(HlAnalysisSchedule) schedule = schedule_new (NULL, NULL);
  int counts[LAYERS][SAMPLES][KV][QUERIES] = { 0 };
  int steps = 0;
  Step step;

  while (hl_analysis_schedule_next (schedule, 1, 2, &step.block, step.queries))
    {
      if (steps < LAYERS * KV)
        {
          g_assert_cmpint (step.block.sample, ==, 1);
          g_assert_cmpint (step.block.layer_index, ==, steps / KV);
          for (int q = 0; q < QUERIES; q++)
            g_assert_cmpint (step.queries[q], ==, q == 2);
        }
      else
        {
          /* Later, block (l, 1, g) computes the other three queries. */
          for (int q = 0; q < QUERIES; q++)
            g_assert_cmpint (step.queries[q], ==, step.block.sample == 0 || q != 2);
        }
      count_step (counts, &step);
      steps++;
    }
  g_assert_cmpint (steps, ==, LAYERS * KV + LAYERS * SAMPLES * KV);
  assert_each_once (counts, NULL, NULL);
}

/* A focus on a whole sample (every query) or a whole query (every sample). */
static void
test_focus_kinds (void)
{
  g_autoptr(HlAnalysisSchedule) by_sample = schedule_new (NULL, NULL);
  g_autoptr(HlAnalysisSchedule) by_query = schedule_new (NULL, NULL);
  int counts[LAYERS][SAMPLES][KV][QUERIES] = { 0 };
  Step step;

  for (int i = 0; i < LAYERS * KV; i++)
    {
      g_assert_true (hl_analysis_schedule_next (by_sample, 1, -1, &step.block, step.queries));
      g_assert_cmpint (step.block.sample, ==, 1);
      for (int q = 0; q < QUERIES; q++)
        g_assert_true (step.queries[q]);
    }
  for (int i = 0; i < LAYERS * SAMPLES * KV; i++)
    {
      g_assert_true (hl_analysis_schedule_next (by_query, -1, 3, &step.block, step.queries));
      g_assert_cmpint ((step.block.layer_index * SAMPLES + step.block.sample) * KV
                       + step.block.kv_head, ==, i);
      for (int q = 0; q < QUERIES; q++)
        g_assert_cmpint (step.queries[q], ==, q == 3);
      count_step (counts, &step);
    }
  while (hl_analysis_schedule_next (by_query, -1, 3, &step.block, step.queries))
    {
      g_assert_false (step.queries[3]);
      count_step (counts, &step);
    }
  assert_each_once (counts, NULL, NULL);
}

/* The focus moves while the run reads (each step a pseudo-random focus,
 * "any" included): still each (block, query) once, and kv heads nobody
 * reads and queries not analysed are never handed out. */
static void
test_moving_focus (void)
{
  static const gboolean kv_needed[KV] = { FALSE, TRUE };
  static const gboolean query_used[QUERIES] = { TRUE, FALSE, TRUE, TRUE };
  g_autoptr(HlAnalysisSchedule) schedule = schedule_new (kv_needed, query_used);
  int counts[LAYERS][SAMPLES][KV][QUERIES] = { 0 };
  guint32 state = 12345;
  Step step;

  for (;;)
    {
      int sample, query;

      state = state * 1103515245u + 12345u;
      sample = (int) ((state >> 16) % (SAMPLES + 1)) - 1;
      query = (int) ((state >> 8) % (QUERIES + 1)) - 1;
      if (!hl_analysis_schedule_next (schedule, sample, query, &step.block, step.queries))
        break;
      g_assert_true (kv_needed[step.block.kv_head]);
      count_step (counts, &step);
    }
  assert_each_once (counts, kv_needed, query_used);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/analysis-schedule/file-order", test_file_order);
  g_test_add_func ("/analysis-schedule/focus-first", test_focus_first);
  g_test_add_func ("/analysis-schedule/focus-kinds", test_focus_kinds);
  g_test_add_func ("/analysis-schedule/moving-focus", test_moving_focus);

  return g_test_run ();
}
