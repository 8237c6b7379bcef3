/* test-reference.c: the reader loads reference.h5, a v1 file written by an
 * independent tool (../shared/models/stories260K).
 *
 * The expected numbers were printed by h5dump, e.g.
 *   h5dump -d /values -s 0,0,0,0,0 -c 1,1,1,1,8 reference.h5
 * which shows six significant digits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-activations.h"

#include <math.h>

static char *
reference_path (void)
{
  const char *shared = g_getenv ("HL_TEST_SHARED_DIR");
  g_autofree char *path = NULL;

  if (shared == NULL)
    return NULL;
  path = g_build_filename (shared, "models", "stories260K", "reference.h5", NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&path) : NULL;
}

static HlActivations *
open_reference (void)
{
  g_autofree char *path = reference_path ();
  g_autoptr(GError) error = NULL;
  HlActivations *acts;

  if (path == NULL)
    {
      g_test_skip ("reference.h5 not found: HL_TEST_SHARED_DIR/models/stories260K/ "
                   "(the ../shared folder) is absent");
      return NULL;
    }
  acts = hl_activations_open (path, &error);
  g_assert_no_error (error);
  return acts;
}

static void
assert_close_to_dump (const float *found,
                      const float *dumped,
                      int          n)
{
  for (int i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (found[i], dumped[i], 5e-6 * fabsf (dumped[i]) + 1e-9);
}

static void
test_reference_info (void)
{
  g_autoptr(HlActivations) acts = open_reference ();
  const HlActivationsInfo *info;
  const int queries[] = { 16, 100, 200, 287 };

  if (acts == NULL)
    return;
  info = hl_activations_get_info (acts);
  g_assert_cmpstr (info->model, ==, "stories260K");
  g_assert_cmpint (info->n_layers, ==, 5);
  g_assert_cmpint (info->n_heads, ==, 8);
  g_assert_cmpint (info->n_kv_heads, ==, 4);
  g_assert_cmpint (info->head_dim, ==, 8);
  g_assert_cmpint (info->seq_len, ==, 288);
  g_assert_cmpint (info->n_samples, ==, 1);
  g_assert_cmpint (info->n_queries, ==, 4);
  g_assert_cmpmem (info->query_positions, sizeof queries, queries, sizeof queries);
  g_assert_cmpint (info->values_dtype, ==, HL_DTYPE_FLOAT32);
  g_assert_cmpint (info->attention_dtype, ==, HL_DTYPE_FLOAT32);
  g_assert_true (info->has_token_ids);
  g_assert_true (info->has_token_texts);
  /* No kv_head_of attribute: the default grouping, h / 2. */
  for (int h = 0; h < 8; h++)
    g_assert_cmpint (info->kv_head_of[h], ==, h / 2);
}

static void
test_reference_first_values (void)
{
  g_autoptr(HlActivations) acts = open_reference ();
  g_autoptr(GError) error = NULL;
  const float dumped_values[8] = { -0.390297f, 0.979494f, -0.52503f, 0.015678f,
                                   0.632984f, 0.0134315f, -0.0596553f, -0.381741f };
  const float dumped_attention[17] = { 0.0482047f, 0.0395783f, 0.0167047f, 0.00311269f,
                                       0.00482979f, 0.00116468f, 0.0227387f, 0.0249595f,
                                       0.0123854f, 0.0617652f, 0.0126627f, 0.039897f,
                                       0.0625392f, 0.107134f, 0.0996895f, 0.244416f,
                                       0.198218f };
  float values[288 * 8];
  float attention[4 * 288];

  if (acts == NULL)
    return;
  g_assert_true (hl_activations_read_values (acts, 0, 0, 0, values, &error));
  g_assert_no_error (error);
  assert_close_to_dump (values, dumped_values, 8);

  /* Row 0 is the query at position 16: keys 0..16, then zeros. */
  g_assert_true (hl_activations_read_attention (acts, 0, 0, 0, attention, &error));
  g_assert_no_error (error);
  assert_close_to_dump (attention, dumped_attention, 17);
  for (int k = 17; k < 288; k++)
    g_assert_cmpfloat (attention[k], ==, 0.0f);
}

static void
test_reference_tokens (void)
{
  g_autoptr(HlActivations) acts = open_reference ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) texts = NULL;
  const int32_t first_ids[6] = { 1, 403, 407, 261, 378, 432 };
  int32_t ids[288];

  if (acts == NULL)
    return;
  g_assert_true (hl_activations_read_token_ids (acts, 0, ids, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (ids, sizeof first_ids, first_ids, sizeof first_ids);
  texts = hl_activations_read_token_texts (acts, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (texts), ==, 288);
  g_assert_cmpstr (texts[0], ==, "\n<s>\n");
  g_assert_cmpstr (texts[1], ==, " Once");
  g_assert_cmpstr (texts[2], ==, " upon");
}

static void
test_reference_validates (void)
{
  g_autoptr(HlActivations) acts = open_reference ();
  g_autoptr(GError) error = NULL;
  GPtrArray *warnings;

  if (acts == NULL)
    return;
  g_assert_true (hl_activations_validate_all (acts, &error));
  g_assert_no_error (error);
  warnings = hl_activations_get_warnings (acts);
  for (guint i = 0; i < warnings->len; i++)
    g_test_message ("warning: %s", (char *) warnings->pdata[i]);
  /* float32 softmax rows sum to 1 far within 1e-3. */
  g_assert_cmpuint (warnings->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/io/reference/info", test_reference_info);
  g_test_add_func ("/io/reference/first-values", test_reference_first_values);
  g_test_add_func ("/io/reference/tokens", test_reference_tokens);
  g_test_add_func ("/io/reference/validates", test_reference_validates);
  return g_test_run ();
}
