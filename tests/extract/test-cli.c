/* test-cli.c: `headlens-cli extract` and `headlens-cli generate` as a user
 * runs them. The path of headlens-cli is the first argument.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-activations.h"
#include "hl-hf-model.h"
#include "hl-transformer.h"

#include <glib/gstdio.h>
#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>

static const char *cli_path;

/* Runs headlens-cli with the NULL-terminated arguments after @command. */
static void
run_cli_va (HlTestRun  *run,
            const char *command,
            va_list     args)
{
  g_autoptr(GPtrArray) argv = hl_test_argv_new (cli_path, command, args);

  hl_test_run_argv (run, (const char * const *) argv->pdata);
}

static void
run_cli (HlTestRun  *run,
         const char *command,
         ...)
{
  va_list args;

  va_start (args, command);
  run_cli_va (run, command, args);
  va_end (args);
}

static void
test_generate_stories260k (void)
{
  g_autofree char *model = test_shared_model_file ("stories260K.bin");
  g_autofree char *tok = model != NULL ? test_shared_model_file ("tok512.bin") : NULL;
  g_auto(HlTestRun) run = { 0 };

  if (tok == NULL)
    return;
  run_cli (&run, "generate", "--checkpoint", model, "--tokenizer", tok,
           "--prompt", "Once upon a time", "--steps", "30", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Once upon a time, there was a little girl named Lily. She loved "
                                "to play outside in the park. One day,\n");
}

static void
test_extract_stories260k (void)
{
  g_autofree char *model = test_shared_model_file ("stories260K.bin");
  g_autofree char *tok = model != NULL ? test_shared_model_file ("tok512.bin") : NULL;
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(HlTestRun) run = { 0 };
  const HlActivationsInfo *info;

  if (tok == NULL)
    return;
  dir = hl_test_make_tmp_dir ();
  out = g_build_filename (dir, "out.h5", NULL);
  run_cli (&run, "extract", "--checkpoint", model, "--tokenizer", tok,
           "--prompt", "Lily and Tom played with a ball in the park. Tom was happy.",
           "--window", "8", "--stride", "4", "-o", out, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Next-token loss: "));
  g_assert_nonnull (strstr (run.out, "windows of 8 tokens"));
  file = hl_activations_open (out, &error);
  g_assert_no_error (error);
  info = hl_activations_get_info (file);
  g_assert_cmpstr (info->model, ==, "stories260K");
  g_assert_cmpint (info->seq_len, ==, 8);
  g_assert_cmpint (info->n_queries, ==, 1);
  g_assert_cmpint (info->query_positions[0], ==, 7);
  g_assert_cmpint (info->n_samples, >=, 3);
  g_assert_true (hl_activations_validate_all (file, &error));
  g_clear_object (&file);
  hl_test_remove_tmp_dir (dir);
}

/* ---- Hugging Face model directories ---- */

static char *
read_string_attribute (const char *path,
                       const char *name)
{
  hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t attr = H5Aopen (file, name, H5P_DEFAULT);
  hid_t type = H5Aget_type (attr);
  char *value = NULL;
  char *copy;

  g_assert_cmpint (attr, >=, 0);
  g_assert_cmpint (H5Aread (attr, type, &value), >=, 0);
  copy = g_strdup (value);
  H5free_memory (value);
  H5Tclose (type);
  H5Aclose (attr);
  H5Fclose (file);
  return copy;
}

static double
read_double_attribute (const char *path,
                       const char *name)
{
  hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t attr = H5Aopen (file, name, H5P_DEFAULT);
  double value = NAN;

  g_assert_cmpint (attr, >=, 0);
  g_assert_cmpint (H5Aread (attr, H5T_NATIVE_DOUBLE, &value), >=, 0);
  H5Aclose (attr);
  H5Fclose (file);
  return value;
}

typedef struct
{
  HlActivations *file;
  int            sample;
  double         max_difference;
} FileCheck;

/* Compares what the forward pass captures with what the file stores. */
static gboolean
compare_layer_cb (const HlLayerCapture  *capture,
                  gpointer               user_data,
                  GError               **error)
{
  FileCheck *check = user_data;
  const HlActivationsInfo *info = hl_activations_get_info (check->file);
  int n = info->seq_len, d = info->head_dim;
  g_autofree float *block = g_new (float, (gsize) n * MAX (d, n));

  for (int g = 0; g < info->n_kv_heads; g++)
    {
      g_assert_true (hl_activations_read_values (check->file, capture->layer, check->sample, g, block, NULL));
      for (int t = 0; t < n; t++)
        for (int j = 0; j < d; j++)
          check->max_difference = MAX (check->max_difference,
                                       fabsf (block[t * d + j] - capture->values[(gsize) t * info->n_kv_heads * d + g * d + j]));
    }
  for (int h = 0; h < info->n_heads; h++)
    {
      gsize rows = (gsize) info->n_queries * n;

      g_assert_true (hl_activations_read_attention (check->file, capture->layer, check->sample, h, block, NULL));
      for (gsize i = 0; i < rows; i++)
        check->max_difference = MAX (check->max_difference,
                                     fabsf (block[i] - capture->attention[h * rows + i]));
    }
  return TRUE;
}

/* The file holds what the model computes on the file's own tokens. */
static void
assert_file_matches_model (const char *model_dir,
                           const char *path)
{
  g_autoptr(HlModel) model = NULL;
  g_autoptr(HlTextCodec) codec = NULL;
  FileCheck check = { hl_activations_open (path, NULL), 0, 0.0 };
  const HlActivationsInfo *info = hl_activations_get_info (check.file);
  g_autofree int32_t *tokens = g_new (int32_t, info->seq_len);
  g_autoptr(HlTransformer) transformer = NULL;

  g_assert_true (hl_hf_model_open (model_dir, &model, &codec, NULL, NULL));
  transformer = hl_transformer_new (model, info->seq_len);
  for (check.sample = 0; check.sample < info->n_samples; check.sample++)
    {
      g_assert_true (hl_activations_read_token_ids (check.file, check.sample, tokens, NULL));
      g_assert_true (hl_transformer_forward (transformer, tokens, info->seq_len, 0, info->query_positions,
                                             info->n_queries, compare_layer_cb, &check, NULL));
    }
  g_assert_cmpfloat (check.max_difference, <=, 1e-6);
  g_object_unref (check.file);
}

static void
test_extract_hf_model (void)
{
  g_autofree char *model = test_write_hf_model ("llama-gqa-llama3");
  g_autofree char *out = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_json = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *expected_sha256 = NULL;
  g_autofree char *model_type = NULL;
  g_autofree char *loss_line = NULL;
  g_autoptr(HlActivations) file = NULL;
  g_auto(HlTestRun) run = { 0 };
  g_auto(GStrv) texts = NULL;
  const HlActivationsInfo *info;
  int32_t ids[12];
  gsize length;

  if (model == NULL)
    return;
  out = g_build_filename (model, "out.h5", NULL);
  run_cli (&run, "extract", "--model", model, "--prompt", "The quick brown fox jumps over the lazy dog. It was happy.",
           "--window", "12", "--stride", "4", "--queries", "all", "--values-dtype", "f32", "-o", out, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "windows of 12 tokens (1 prefix + 11 text tokens, stride 4)"));
  file = hl_activations_open (out, NULL);
  info = hl_activations_get_info (file);
  g_assert_cmpint (info->n_layers, ==, 2);
  g_assert_cmpint (info->n_heads, ==, 4);
  g_assert_cmpint (info->n_kv_heads, ==, 2);
  g_assert_cmpint (info->head_dim, ==, 8);
  g_assert_cmpint (info->kv_head_of[3], ==, 1);
  g_assert_true (hl_activations_read_token_ids (file, 0, ids, NULL));
  texts = hl_activations_read_token_texts (file, 0, NULL);
  /* TinyLlama's tokenizer: <s> first, then "▁The" shown as " The". */
  g_assert_cmpint (ids[0], ==, 1);
  g_assert_cmpstr (texts[0], ==, "<s>");
  g_assert_cmpstr (texts[1], ==, " The");
  g_assert_true (hl_activations_validate_all (file, NULL));
  g_clear_object (&file);
  assert_file_matches_model (model, out);

  /* Provenance: the model, its config's hash, the tokenizer, the loss. */
  config = g_build_filename (model, "config.json", NULL);
  g_assert_true (g_file_get_contents (config, &config_json, &length, NULL));
  sha256 = read_string_attribute (out, "model_config_sha256");
  expected_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, config_json, length);
  g_assert_cmpstr (sha256, ==, expected_sha256);
  model_type = read_string_attribute (out, "model_type");
  g_assert_cmpstr (model_type, ==, "llama");
  loss_line = g_strdup_printf ("Next-token loss: %.4f nats", read_double_attribute (out, "loss_nats_per_token"));
  g_assert_nonnull (strstr (run.out, loss_line));
  hl_test_remove_tmp_dir (model);
}

static void
test_generate_hf_model (void)
{
  g_autofree char *model = test_write_hf_model ("gpt2");
  g_auto(HlTestRun) run = { 0 };
  g_auto(HlTestRun) again = { 0 };

  if (model == NULL)
    return;
  run_cli (&run, "generate", "--model", model, "--prompt", "Hello world", "--steps", "6", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Hello world"));
  g_assert_cmpuint (strlen (run.out), >, strlen ("Hello world\n"));
  /* Greedy decoding is deterministic. */
  run_cli (&again, "generate", "--model", model, "--prompt", "Hello world", "--steps", "6", NULL);
  g_assert_cmpstr (run.out, ==, again.out);
  hl_test_remove_tmp_dir (model);
}

static void
write_document (const char *dir,
                const char *name,
                int         words)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  for (int i = 0; i < words; i++)
    g_string_append_printf (text, "word%d ", i);
  test_write_file (path, text->str, text->len);
}

static void
test_corpus_folder (void)
{
  g_autofree char *model = test_write_hf_model ("gpt2");
  g_autofree char *corpus = NULL;
  g_autofree char *out = NULL;
  g_autoptr(HlActivations) file = NULL;
  g_auto(HlTestRun) run = { 0 };
  g_auto(HlTestRun) missing = { 0 };

  if (model == NULL)
    return;
  corpus = g_build_filename (model, "docs", NULL);
  g_assert_cmpint (g_mkdir (corpus, 0700), ==, 0);
  write_document (corpus, "a.txt", 40);
  write_document (corpus, "b.txt", 2);
  write_document (corpus, "c.txt", 30);
  write_document (corpus, "notes.md", 30);
  out = g_build_filename (model, "corpus.h5", NULL);
  run_cli (&run, "extract", "--model", model, "--corpus", corpus, "--seq-len", "16", "--values-dtype", "f32",
           "-o", out, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "2 windows of 16 tokens (0 prefix + 16 text tokens), one per document of 3; 1 shorter documents skipped"));
  file = hl_activations_open (out, NULL);
  g_assert_cmpint (hl_activations_get_info (file)->n_samples, ==, 2);
  g_clear_object (&file);
  assert_file_matches_model (model, out);
  run_cli (&missing, "extract", "--model", model, "--corpus", corpus, "-o", out, NULL);
  g_assert_cmpint (missing.status, ==, 2);
  g_assert_nonnull (strstr (missing.err, "--corpus needs --seq-len"));
  hl_test_remove_tmp_dir (model);
}

static void
write_jsonl (const char *path,
             int         n_documents)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (int d = 0; d < n_documents; d++)
    {
      g_string_append_printf (text, "{\"id\": %d, \"text\": \"Document %d says", d, d);
      for (int i = 0; i < 40; i++)
        g_string_append_printf (text, " w%d", (d + i) % 97);
      g_string_append (text, ".\"}\n");
    }
  test_write_file (path, text->str, text->len);
}

static long
children_max_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_CHILDREN, &usage);
  return usage.ru_maxrss;
}

/* A JSONL corpus of 1000 documents: every one becomes a sample, and the
 * process never holds more than about one document's activations: its
 * peak memory is that of a 20-document run, although the activations of
 * the 1000 documents (the file) are several times the allowance. */
static void
test_corpus_jsonl_memory (void)
{
  g_autofree char *model = test_write_hf_model ("mistral-window");
  g_autofree char *small = NULL;
  g_autofree char *large = NULL;
  g_autofree char *out = NULL;
  g_auto(HlTestRun) first = { 0 };
  g_auto(HlTestRun) second = { 0 };
  g_auto(HlTestRun) bad = { 0 };
  g_autoptr(HlActivations) file = NULL;
  GStatBuf st;
  long peak_small, peak_large;
  const long allowance_kib = 8 * 1024;

  if (model == NULL)
    return;
  small = g_build_filename (model, "small.jsonl", NULL);
  large = g_build_filename (model, "large.jsonl", NULL);
  out = g_build_filename (model, "corpus.h5", NULL);
  write_jsonl (small, 20);
  write_jsonl (large, 1000);
  run_cli (&first, "extract", "--model", model, "--corpus", small, "--seq-len", "32", "--queries", "all", "-o", out, NULL);
  g_assert_cmpint (first.status, ==, 0);
  peak_small = children_max_rss_kib ();
  run_cli (&second, "extract", "--model", model, "--corpus", large, "--seq-len", "32", "--queries", "all", "-o", out, NULL);
  g_assert_cmpint (second.status, ==, 0);
  peak_large = children_max_rss_kib ();
  g_assert_nonnull (strstr (second.out, "1000 windows of 32 tokens"));
  file = hl_activations_open (out, NULL);
  g_assert_cmpint (hl_activations_get_info (file)->n_samples, ==, 1000);
  g_assert_cmpint (g_stat (out, &st), ==, 0);
  g_test_message ("peak RSS %ld KiB in the 20-document run, %ld KiB in both runs; file of 1000 documents %" G_GINT64_FORMAT " KiB",
                  peak_small, peak_large, (gint64) st.st_size / 1024);
  g_assert_cmpint (st.st_size / 1024, >, 3 * allowance_kib);
#ifdef __SANITIZE_ADDRESS__
  /* AddressSanitizer keeps freed memory in quarantine, so the peak grows
   * with the work done, not with what is live: the normal build checks it. */
  g_test_message ("AddressSanitizer build: peak memory not compared");
#else
  g_assert_cmpint (peak_large, <=, peak_small + allowance_kib);
#endif
  /* A line that is not a JSON object with a text fails, naming it. */
  test_write_file (small, "{\"text\": \"fine\"}\n[1, 2]\n", 25);
  run_cli (&bad, "extract", "--model", model, "--corpus", small, "--seq-len", "4", "-o", out, NULL);
  g_assert_cmpint (bad.status, ==, 1);
  g_assert_nonnull (strstr (bad.err, "small.jsonl line 2 has no “text” string"));
  hl_test_remove_tmp_dir (model);
}

static void
assert_fails (int         status,
              const char *expected,
              const char *command,
              ...)
{
  g_auto(HlTestRun) run = { 0 };
  va_list args;

  va_start (args, command);
  run_cli_va (&run, command, args);
  va_end (args);
  g_assert_cmpint (run.status, ==, status);
  g_assert_nonnull (strstr (run.err, expected));
}

static void
test_errors (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *model = g_build_filename (dir, "absent.bin", NULL);
  g_autofree char *out = g_build_filename (dir, "out.h5", NULL);

  assert_fails (2, "extract needs either --model or --checkpoint", "extract", NULL);
  assert_fails (2, "exactly one of --text-file, --prompt and --corpus", "extract", "--checkpoint", model,
                "--tokenizer", model, "-o", out, NULL);
  assert_fails (1, "--values-dtype is “f64”, expected f16 or f32", "extract", "--checkpoint", model,
                "--tokenizer", model, "--prompt", "a", "--values-dtype", "f64", "-o", out, NULL);
  assert_fails (1, "query position “x” is not a number", "extract", "--checkpoint", model,
                "--tokenizer", model, "--prompt", "a", "--queries", "1,x", "-o", out, NULL);
  assert_fails (1, "cannot read checkpoint", "extract", "--checkpoint", model,
                "--tokenizer", model, "--prompt", "a", "-o", out, NULL);
  assert_fails (2, "generate needs either --model or --checkpoint", "generate", "--steps", "3", NULL);
  assert_fails (1, "cannot read checkpoint", "generate", "--checkpoint", model, "--tokenizer", model, NULL);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  cli_path = argv[1];

  g_test_add_func ("/extract/cli/generate-stories260k", test_generate_stories260k);
  g_test_add_func ("/extract/cli/extract-stories260k", test_extract_stories260k);
  g_test_add_func ("/extract/cli/errors", test_errors);
  g_test_add_func ("/extract/cli/hf-extract", test_extract_hf_model);
  g_test_add_func ("/extract/cli/hf-generate", test_generate_hf_model);
  g_test_add_func ("/extract/cli/corpus-folder", test_corpus_folder);
  g_test_add_func ("/extract/cli/corpus-jsonl-memory", test_corpus_jsonl_memory);
  return hl_test_run_and_wait ();
}
