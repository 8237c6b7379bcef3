/* test-causal-text.c: truncation and ablation through the forward pass
 * against causal-reference.py (an independent float64 numpy
 * implementation) on stories260K, tiny random llama2.c checkpoints and
 * tiny Hugging Face models; the identities every intervention must keep;
 * the cached prefix against the full recomputation; bad input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-causal-text.h"
#include "hl-hf-model.h"
#include "hl-model-files.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define PYTHON "/usr/bin/python3"

/* The tolerance of the issue: 1e-5 nats per token. */
#define REFERENCE_TOLERANCE 1e-5

static const HlCheckpointConfig tiny = {
  .version = 0, .dim = 32, .hidden_dim = 48, .n_layers = 3, .n_heads = 4, .n_kv_heads = 2,
  .vocab_size = 97, .seq_len = 48, .shared_classifier = FALSE,
};

/* One measured case, described for C and for the reference. */
typedef struct
{
  HlInterventionKind kind;
  int                layer;    /* -1: every layer */
  int                head;     /* -1: every head */
  HlTruncateMode     truncate_mode;
  HlRanking          ranking;
  int                n;
  HlAblateMode       ablate_mode;
} Case;

typedef struct
{
  char         *dir;
  HlModel      *model;
  char         *checkpoint;  /* the llama2.c file, or NULL */
  char         *hf_case;     /* or the hf-reference.py case */
  int32_t      *tokens;      /* [n_windows, window] */
  int           n_windows;
  int           window;
} Subject;

static void
subject_clear (Subject *s)
{
  if (s->dir != NULL)
    hl_test_remove_tmp_dir (s->dir);
  g_free (s->dir);
  g_clear_object (&s->model);
  g_free (s->checkpoint);
  g_free (s->hf_case);
  g_free (s->tokens);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Subject, subject_clear)

static gboolean
numpy_available (void)
{
  const char *check[] = { PYTHON, "-c", "import numpy", NULL };
  int status;

  if (g_spawn_sync (NULL, (char **) check, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                    &status, NULL) && g_spawn_check_wait_status (status, NULL))
    return TRUE;
  g_test_skip (PYTHON " cannot import numpy (install python3-numpy)");
  return FALSE;
}

/* A random llama2.c model and @n_windows windows of @window random tokens.
 * With @uniform_layer0 the queries of layer 0 are zero, so its attention
 * is uniform: every row is one long tie. */
static void
subject_tiny_full (Subject                  *s,
                   const HlCheckpointConfig *config,
                   int                       n_windows,
                   int                       window,
                   guint32                   seed,
                   gboolean                  uniform_layer0)
{
  g_autoptr(TestModel) m = test_model_new_random (config, seed);
  g_autoptr(HlCheckpoint) checkpoint = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed + 1);
  g_autoptr(GError) error = NULL;

  if (uniform_layer0)
    memset (m->wq, 0, sizeof (float) * config->dim * config->dim);
  s->dir = hl_test_make_tmp_dir ();
  s->checkpoint = g_build_filename (s->dir, "tiny.bin", NULL);
  test_model_write (m, s->checkpoint);
  checkpoint = hl_checkpoint_open (s->checkpoint, &error);
  g_assert_no_error (error);
  s->model = hl_model_new_from_checkpoint (checkpoint);
  s->n_windows = n_windows;
  s->window = window;
  s->tokens = g_new (int32_t, n_windows * window);
  for (int i = 0; i < n_windows * window; i++)
    s->tokens[i] = i % window == 0 ? 1 : g_rand_int_range (rand, 0, config->vocab_size);
}

static void
subject_tiny (Subject                  *s,
              const HlCheckpointConfig *config,
              int                       n_windows,
              int                       window,
              guint32                   seed)
{
  subject_tiny_full (s, config, n_windows, window, seed, FALSE);
}

/* stories260K on reference.txt; FALSE after g_test_skip() without it. */
static gboolean
subject_stories (Subject *s)
{
  g_autofree char *checkpoint = test_shared_model_file ("stories260K.bin");
  g_autofree char *tokenizer = checkpoint != NULL ? test_shared_model_file ("tok512.bin") : NULL;
  g_autofree char *text_path = checkpoint != NULL ? test_shared_model_file ("reference.txt") : NULL;
  g_autoptr(HlTextCodec) codec = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree int32_t *body = NULL;
  gsize n_body, n_prefix;
  const int32_t *prefix;

  if (checkpoint == NULL)
    return FALSE;
  g_assert_true (hl_model_files_open (NULL, checkpoint, tokenizer, &s->model, &codec, NULL, &error));
  g_assert_true (g_file_get_contents (text_path, &text, NULL, &error));
  prefix = hl_text_codec_get_prefix (codec, &n_prefix);
  body = hl_text_codec_encode (codec, text, &n_body);
  s->n_windows = 1;
  s->window = (int) (n_prefix + n_body);
  s->tokens = g_new (int32_t, s->window);
  memcpy (s->tokens, prefix, sizeof (int32_t) * n_prefix);
  memcpy (s->tokens + n_prefix, body, sizeof (int32_t) * n_body);
  s->checkpoint = g_steal_pointer (&checkpoint);
  return TRUE;
}

/* A tiny Hugging Face model of hf-reference.py's case @name. */
static gboolean
subject_hf (Subject    *s,
            const char *name)
{
  g_autofree char *tokens_path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(HlTextCodec) codec = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *ids;

  s->dir = test_write_hf_model (name);
  if (s->dir == NULL)
    return FALSE;
  g_assert_true (hl_hf_model_open (s->dir, &s->model, &codec, NULL, &error));
  tokens_path = g_build_filename (s->dir, "tokens.json", NULL);
  g_assert_true (json_parser_load_from_file (parser, tokens_path, &error));
  ids = json_node_get_array (json_parser_get_root (parser));
  s->n_windows = 1;
  s->window = json_array_get_length (ids);
  s->tokens = g_new (int32_t, s->window);
  for (int i = 0; i < s->window; i++)
    s->tokens[i] = json_array_get_int_element (ids, i);
  s->hf_case = g_strdup (name);
  return TRUE;
}

static HlCausalText *
prepared_text (Subject  *s,
               gboolean  prefix_cache)
{
  g_autoptr(GError) error = NULL;
  HlCausalText *text = hl_causal_text_new (s->model, s->tokens, s->n_windows, s->window, &error);

  g_assert_no_error (error);
  hl_causal_text_set_prefix_cache (text, prefix_cache);
  g_assert_true (hl_causal_text_prepare (text, NULL, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return text;
}

static void
case_mask (const Case *c,
           HlModel    *model,
           guint8     *mask)
{
  const HlModelConfig *config = hl_model_get_config (model);

  for (int l = 0; l < config->n_layers; l++)
    for (int h = 0; h < config->n_heads; h++)
      mask[l * config->n_heads + h] = (c->layer < 0 || c->layer == l) && (c->head < 0 || c->head == h);
}

static double
measure_case (HlCausalText *text,
              const Case   *c)
{
  HlModel *model = hl_causal_text_get_model (text);
  const HlModelConfig *config = hl_model_get_config (model);
  g_autofree guint8 *mask = g_new0 (guint8, config->n_layers * config->n_heads);
  HlIntervention iv = { c->kind, mask, c->truncate_mode, c->ranking, c->n, c->ablate_mode };
  g_autoptr(GError) error = NULL;
  double nll = NAN;

  case_mask (c, model, mask);
  g_assert_true (hl_causal_text_measure (text, &iv, &nll, NULL, &error));
  g_assert_no_error (error);
  return nll;
}

/* The reference */

static void
add_case_json (JsonBuilder *b,
               const Case  *c,
               HlModel     *model)
{
  const HlModelConfig *config = hl_model_get_config (model);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, c->kind == HL_INTERVENTION_TRUNCATE ? "truncate" : "ablate");
  json_builder_set_member_name (b, "heads");
  json_builder_begin_array (b);
  for (int l = 0; l < config->n_layers; l++)
    for (int h = 0; h < config->n_heads; h++)
      if ((c->layer < 0 || c->layer == l) && (c->head < 0 || c->head == h))
        {
          json_builder_begin_array (b);
          json_builder_add_int_value (b, l);
          json_builder_add_int_value (b, h);
          json_builder_end_array (b);
        }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, c->kind == HL_INTERVENTION_TRUNCATE ? hl_truncate_mode_to_string (c->truncate_mode)
                                                                       : hl_ablate_mode_to_string (c->ablate_mode));
  json_builder_set_member_name (b, "ranking");
  json_builder_add_string_value (b, hl_ranking_to_string (c->ranking));
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, c->n);
  json_builder_end_object (b);
}

static char *
reference_spec (const Subject *s,
                const Case    *cases,
                int            n_cases)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, s->checkpoint != NULL ? "checkpoint" : "hf_case");
  json_builder_add_string_value (b, s->checkpoint != NULL ? s->checkpoint : s->hf_case);
  json_builder_set_member_name (b, "windows");
  json_builder_begin_array (b);
  for (int w = 0; w < s->n_windows; w++)
    {
      json_builder_begin_array (b);
      for (int t = 0; t < s->window; t++)
        json_builder_add_int_value (b, s->tokens[w * s->window + t]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "cases");
  json_builder_begin_array (b);
  for (int i = 0; i < n_cases; i++)
    add_case_json (b, &cases[i], s->model);
  /* Last, the unmodified model. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "none");
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* The reference's losses of @cases and of the unmodified model,
 * [n_cases + 1]. */
static double *
run_reference (const Subject *s,
               const Case    *cases,
               int            n_cases)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *spec_path = g_build_filename (dir, "spec.json", NULL);
  g_autofree char *out_path = g_build_filename (dir, "out.json", NULL);
  g_autofree char *script = g_build_filename (g_getenv ("HL_TEST_SRCDIR"), "causal", "causal-reference.py", NULL);
  g_autofree char *spec = reference_spec (s, cases, n_cases);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { PYTHON, script, spec_path, out_path, NULL };
  double *losses = g_new (double, n_cases + 1);
  JsonArray *out;
  int status;

  g_assert_true (g_file_set_contents (spec_path, spec, -1, &error));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("causal-reference.py failed: %s", err);
  g_assert_true (json_parser_load_from_file (parser, out_path, &error));
  out = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpint (json_array_get_length (out), ==, n_cases + 1);
  for (int i = 0; i <= n_cases; i++)
    losses[i] = json_array_get_double_element (out, i);
  hl_test_remove_tmp_dir (dir);
  return losses;
}

static void
compare_with_reference (Subject    *s,
                        const Case *cases,
                        int         n_cases)
{
  g_autoptr(HlCausalText) text = prepared_text (s, TRUE);
  g_autofree double *expected = run_reference (s, cases, n_cases);

  g_test_message ("unmodified: Headlens %.9f, numpy %.9f", hl_causal_text_get_baseline_nll (text), expected[n_cases]);
  g_assert_cmpfloat_with_epsilon (hl_causal_text_get_baseline_nll (text), expected[n_cases], REFERENCE_TOLERANCE);

  for (int i = 0; i < n_cases; i++)
    {
      double nll = measure_case (text, &cases[i]);

      g_test_message ("case %d: Headlens %.9f, numpy %.9f", i, nll, expected[i]);
      g_assert_cmpfloat_with_epsilon (nll, expected[i], REFERENCE_TOLERANCE);
    }
}

#define T HL_INTERVENTION_TRUNCATE
#define A HL_INTERVENTION_ABLATE
#define REN HL_TRUNCATE_RENORMALISE
#define DEL HL_TRUNCATE_DELETE
#define ATT HL_RANKING_ATTENTION
#define CON HL_RANKING_CONTRIBUTION

/* Every kind of case: one head, a layer, every head; both modes and
 * rankings; N small, middling and beyond the window; both ablations. */
static const Case reference_cases[] = {
  { T, 1, 2, REN, ATT, 1, 0 },
  { T, 1, 2, REN, ATT, 3, 0 },
  { T, 1, 2, DEL, ATT, 3, 0 },
  { T, 0, 1, REN, CON, 2, 0 },
  { T, 0, 1, DEL, CON, 5, 0 },
  { T, 2, -1, REN, ATT, 4, 0 },
  { T, -1, -1, REN, CON, 2, 0 },
  { T, -1, -1, DEL, ATT, 8, 0 },
  { A, 1, 3, 0, ATT, 0, HL_ABLATE_ZERO },
  { A, 1, 3, 0, ATT, 0, HL_ABLATE_MEAN },
  { A, 0, -1, 0, ATT, 0, HL_ABLATE_MEAN },
  { A, -1, -1, 0, ATT, 0, HL_ABLATE_ZERO },
};

static void
test_reference_tiny (void)
{
  g_auto(Subject) s = { 0 };
  HlCheckpointConfig config = tiny;

  if (!numpy_available ())
    return;
  /* Two windows, and the version 1 layout with a shared classifier. */
  subject_tiny (&s, &config, 2, 24, 7);
  compare_with_reference (&s, reference_cases, G_N_ELEMENTS (reference_cases));
  subject_clear (&s);
  memset (&s, 0, sizeof s);
  config.version = 1;
  config.shared_classifier = TRUE;
  config.n_kv_heads = 4;
  subject_tiny (&s, &config, 1, 40, 8);
  compare_with_reference (&s, reference_cases, G_N_ELEMENTS (reference_cases));
}

/* Uniform attention in layer 0: the top N keys by attention are the N
 * lowest indices (ties to the lower index, as the metrics rank). */
static void
test_reference_ties (void)
{
  g_auto(Subject) s = { 0 };
  static const Case cases[] = {
    { T, 0, 1, REN, ATT, 3, 0 },
    { T, 0, -1, DEL, ATT, 5, 0 },
    { T, 0, 2, REN, CON, 2, 0 },
  };

  if (!numpy_available ())
    return;
  subject_tiny_full (&s, &tiny, 1, 20, 9, TRUE);
  compare_with_reference (&s, cases, G_N_ELEMENTS (cases));
}

static void
test_reference_stories (void)
{
  g_auto(Subject) s = { 0 };
  static const Case cases[] = {
    { T, 2, 5, REN, ATT, 1, 0 },
    { T, 2, 5, DEL, ATT, 16, 0 },
    { T, 0, 3, REN, CON, 4, 0 },
    { T, 4, -1, DEL, CON, 32, 0 },
    { T, -1, -1, REN, ATT, 8, 0 },
    { A, 4, 4, 0, ATT, 0, HL_ABLATE_ZERO },
    { A, 3, 0, 0, ATT, 0, HL_ABLATE_MEAN },
    { A, 2, -1, 0, ATT, 0, HL_ABLATE_MEAN },
  };

  if (!numpy_available () || !subject_stories (&s))
    return;
  compare_with_reference (&s, cases, G_N_ELEMENTS (cases));
}

static void
test_reference_hf (gconstpointer data)
{
  g_auto(Subject) s = { 0 };
  static const Case cases[] = {
    { T, 0, 1, REN, ATT, 2, 0 },
    { T, 1, -1, DEL, CON, 3, 0 },
    { T, -1, -1, REN, CON, 1, 0 },
    { A, 0, 2, 0, ATT, 0, HL_ABLATE_MEAN },
    { A, 1, 0, 0, ATT, 0, HL_ABLATE_ZERO },
  };

  if (!numpy_available () || !subject_hf (&s, data))
    return;
  compare_with_reference (&s, cases, G_N_ELEMENTS (cases));
}

/* Identities */

static void
test_identities (void)
{
  g_auto(Subject) s = { 0 };
  g_autoptr(HlCausalText) text = NULL;
  double baseline;

  subject_tiny (&s, &tiny, 2, 20, 3);
  text = prepared_text (&s, TRUE);
  baseline = hl_causal_text_get_baseline_nll (text);
  g_assert_true (isfinite (baseline) && baseline > 0.0);
  for (int target = 0; target < 3; target++)
    for (int m = 0; m < HL_N_TRUNCATE_MODES; m++)
      for (int r = HL_RANKING_ATTENTION; r <= HL_RANKING_CONTRIBUTION; r++)
        {
          /* One head, a layer, the whole model; N = the window keeps every
           * key of every row: exactly the unmodified loss. */
          Case every_key = { T, target == 2 ? -1 : 1, target == 0 ? 2 : -1, m, r, s.window, 0 };
          Case zero_keys = { T, every_key.layer, every_key.head, DEL, r, 0, 0 };
          Case ablated = { A, every_key.layer, every_key.head, 0, r, 0, HL_ABLATE_ZERO };

          g_assert_cmpfloat (measure_case (text, &every_key), ==, baseline);
          /* delete with N = 0 is the zero ablation. */
          g_assert_cmpfloat (measure_case (text, &zero_keys), ==, measure_case (text, &ablated));
          g_assert_cmpfloat (measure_case (text, &ablated), !=, baseline);
        }
}

/* Starting from the stored residual stream gives exactly the numbers of
 * the full recomputation, and runs only the layers from the first one
 * changed. */
static void
test_prefix_cache (void)
{
  g_auto(Subject) s = { 0 };
  g_autoptr(HlCausalText) cached = NULL;
  g_autoptr(HlCausalText) full = NULL;

  subject_tiny (&s, &tiny, 2, 24, 11);
  cached = prepared_text (&s, TRUE);
  full = prepared_text (&s, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (reference_cases); i++)
    {
      double a = measure_case (cached, &reference_cases[i]);
      double b = measure_case (full, &reference_cases[i]);

      g_assert_cmpfloat (a, ==, b);
      g_assert_cmpfloat (a, !=, hl_causal_text_get_baseline_nll (cached));
    }
  /* The cases touch layers 1, 1, 1, 0, 0, 2, all, all, 1, 1, 0, all of 3:
   * from the first changed layer on, 2 windows each. */
  g_assert_cmpuint (hl_causal_text_get_layers_run (full), ==, 12 * 3 * 2);
  g_assert_cmpuint (hl_causal_text_get_layers_run (cached), ==, (2 + 2 + 2 + 3 + 3 + 1 + 3 + 3 + 2 + 2 + 3 + 3) * 2);
}

/* Bad input */

static void
expect_measure_error (HlCausalText *text,
                      const Case   *c,
                      const char   *fragment)
{
  HlModel *model = hl_causal_text_get_model (text);
  const HlModelConfig *config = hl_model_get_config (model);
  g_autofree guint8 *mask = g_new0 (guint8, config->n_layers * config->n_heads);
  HlIntervention iv = { c->kind, mask, c->truncate_mode, c->ranking, c->n, c->ablate_mode };
  g_autoptr(GError) error = NULL;
  double nll;

  case_mask (c, model, mask);
  g_assert_false (hl_causal_text_measure (text, &iv, &nll, NULL, &error));
  g_assert_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_N);
  g_assert_nonnull (strstr (error->message, fragment));
}

static void
test_errors (void)
{
  g_auto(Subject) s = { 0 };
  g_autoptr(HlCausalText) text = NULL;
  g_autoptr(GError) error = NULL;
  int32_t short_text[] = { 1 };
  int32_t bad_id[] = { 1, 5, 97 };
  Case too_many = { T, 0, 0, REN, ATT, 21, 0 };
  Case negative = { T, 0, 0, DEL, ATT, -1, 0 };
  Case nothing = { T, 0, 0, REN, ATT, 0, 0 };

  subject_tiny (&s, &tiny, 1, 20, 5);
  g_assert_null (hl_causal_text_new (s.model, short_text, 1, 1, &error));
  g_assert_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_TEXT);
  g_assert_nonnull (strstr (error->message, "expected at least 2"));
  g_clear_error (&error);
  g_assert_null (hl_causal_text_new (s.model, short_text, 0, 2, &error));
  g_assert_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_TEXT);
  g_clear_error (&error);
  g_assert_null (hl_causal_text_new (s.model, bad_id, 1, 3, &error));
  g_assert_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_TEXT);
  g_assert_nonnull (strstr (error->message, "token id 97 at position 2"));
  g_clear_error (&error);
  g_assert_null (hl_causal_text_new (s.model, s.tokens, 1, tiny.seq_len + 1, &error));
  g_assert_error (error, HL_CAUSAL_ERROR, HL_CAUSAL_ERROR_TEXT);
  g_assert_nonnull (strstr (error->message, "longer than the model's context of 48"));
  g_clear_error (&error);

  text = prepared_text (&s, TRUE);
  expect_measure_error (text, &too_many, "N = 21 is out of range: expected 0 to 20");
  expect_measure_error (text, &negative, "N = -1 is out of range");
  expect_measure_error (text, &nothing, "renormalise cannot rescale");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/causal/text/identities", test_identities);
  g_test_add_func ("/causal/text/prefix-cache", test_prefix_cache);
  g_test_add_func ("/causal/text/errors", test_errors);
  g_test_add_func ("/causal/text/reference/tiny", test_reference_tiny);
  g_test_add_func ("/causal/text/reference/ties", test_reference_ties);
  g_test_add_func ("/causal/text/reference/stories260K", test_reference_stories);
  g_test_add_data_func ("/causal/text/reference/hf-gemma2", "gemma2", test_reference_hf);
  g_test_add_data_func ("/causal/text/reference/hf-gpt2", "gpt2", test_reference_hf);
  g_test_add_data_func ("/causal/text/reference/hf-mistral-window", "mistral-window", test_reference_hf);
  return hl_test_run_and_wait ();
}
