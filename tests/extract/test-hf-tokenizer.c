/* test-hf-tokenizer.c: tokenizer.json pipelines against Hugging Face's own
 * ids and decoded texts for the seven families in ../shared/huggingface,
 * and small hand-written tokenizers for the steps those files do not use
 * (Split with the Llama 3 pattern, ignore_merges, unknown tokens) and for
 * bad input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-hf-tokenizer.h"

#include <json-glib/json-glib.h>
#include <string.h>

static const char * const families[] = {
  "gpt2", "tinyllama", "phi3-mini", "mistral", "smollm", "pythia", "phi2",
};

static char *
shared_family_file (const char *family,
                    const char *name)
{
  const char *shared = g_getenv ("HL_TEST_SHARED_DIR");
  g_autofree char *path = NULL;

  if (shared == NULL)
    {
      g_test_skip ("HL_TEST_SHARED_DIR is not set; the tokenizer fixtures live in ../shared/huggingface");
      return NULL;
    }
  path = g_build_filename (shared, "huggingface", family, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *message = g_strdup_printf ("%s is absent", path);
      g_test_skip (message);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* The ids of @member, or of "rust_" @member where Hugging Face's Rust
 * library (the one transformers uses) disagrees with the JS one that
 * wrote the file. */
static GArray *
expected_ids (JsonObject *entry,
              const char *member)
{
  g_autofree char *rust = g_strconcat ("rust_", member, NULL);
  JsonArray *array = json_object_get_array_member (entry, json_object_has_member (entry, rust) ? rust : member);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (int32_t));

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      int32_t id = (int32_t) json_array_get_int_element (array, i);
      g_array_append_val (ids, id);
    }
  return ids;
}

static guint
first_difference (const int32_t *ids,
                  gsize          n,
                  GArray        *expected)
{
  guint i = 0;

  while (i < n && i < expected->len && ids[i] == g_array_index (expected, int32_t, i))
    i++;
  return i;
}

static int
check_ids (HlHfTokenizer *tokenizer,
           JsonObject    *entry,
           gboolean       special)
{
  const char *text = json_object_get_string_member (entry, "text");
  g_autoptr(GArray) expected = expected_ids (entry, special ? "ids_with_special" : "ids");
  gsize n;
  g_autofree int32_t *ids = hl_hf_tokenizer_encode (tokenizer, text, special, &n);

  if (n == expected->len && memcmp (ids, expected->data, n * sizeof (int32_t)) == 0)
    return 0;
  g_test_message ("%s (%s special tokens): %" G_GSIZE_FORMAT " ids, expected %u; first difference at %u",
                  json_object_get_string_member (entry, "name"), special ? "with" : "without",
                  n, expected->len, first_difference (ids, n, expected));
  return 1;
}

static int
check_decoded (HlHfTokenizer *tokenizer,
               JsonObject    *entry)
{
  g_autoptr(GArray) ids = expected_ids (entry, "ids");
  const char *member = json_object_has_member (entry, "rust_decoded") ? "rust_decoded" : "decoded";
  const char *expected = json_object_get_string_member (entry, member);
  g_autofree char *decoded = hl_hf_tokenizer_decode (tokenizer, (int32_t *) ids->data, ids->len);

  if (g_strcmp0 (decoded, expected) == 0)
    return 0;
  g_test_message ("%s: decoded “%s”, expected “%s”", json_object_get_string_member (entry, "name"),
                  decoded, expected);
  return 1;
}

static void
test_family (gconstpointer data)
{
  const char *family = data;
  g_autofree char *tokenizer_path = shared_family_file (family, "tokenizer.json");
  g_autofree char *expected_path = tokenizer_path != NULL ? shared_family_file (family, "expected.json") : NULL;
  g_autoptr(HlHfTokenizer) tokenizer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *entries;
  int failures = 0;

  if (expected_path == NULL)
    return;
  tokenizer = hl_hf_tokenizer_new_from_file (tokenizer_path, &error);
  g_assert_no_error (error);
  json_parser_load_from_file (parser, expected_path, &error);
  g_assert_no_error (error);
  entries = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (entries), ==, 40);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      failures += check_ids (tokenizer, entry, FALSE);
      failures += check_ids (tokenizer, entry, TRUE);
      failures += check_decoded (tokenizer, entry);
    }
  g_assert_cmpint (failures, ==, 0);
}

/* Hand-written tokenizers */

static HlHfTokenizer *
tokenizer_from_json (const char  *json,
                     GError     **error)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "tokenizer.json", NULL);
  HlHfTokenizer *tokenizer;

  test_write_file (path, json, strlen (json));
  tokenizer = hl_hf_tokenizer_new_from_file (path, error);
  hl_test_remove_tmp_dir (dir);
  return tokenizer;
}

static void
assert_ids (HlHfTokenizer *tokenizer,
            const char    *text,
            const int32_t *expected,
            gsize          n_expected)
{
  gsize n;
  g_autofree int32_t *ids = hl_hf_tokenizer_encode (tokenizer, text, FALSE, &n);

  g_assert_cmpmem (ids, n * sizeof (int32_t), expected, n_expected * sizeof (int32_t));
}

/* Llama 3's Split pattern before a ByteLevel step without its own regex:
 * digits in groups of at most three, a letter run takes one preceding
 * non-letter, and ignore_merges takes whole words from the vocabulary. */
static void
test_split_llama3 (void)
{
  const char *json =
    "{\"model\": {\"type\": \"BPE\", \"ignore_merges\": true,"
    " \"vocab\": {\"1\": 0, \"2\": 1, \"3\": 2, \"4\": 3, \"12\": 4, \"123\": 5, \"a\": 6, \"b\": 7,"
    "  \"Ġ\": 8, \"Ġa\": 9, \"ab\": 10, \"Ġab\": 11, \"abba\": 12, \"bb\": 13, \"abb\": 14},"
    " \"merges\": [\"1 2\", \"12 3\", \"a b\", \"Ġ a\", \"Ġ ab\", \"b b\", \"a bb\"]},"
    " \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": ["
    "  {\"type\": \"Split\", \"pattern\": {\"Regex\": \"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+\"},"
    "   \"behavior\": \"Isolated\", \"invert\": false},"
    "  {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": false}]},"
    " \"decoder\": {\"type\": \"ByteLevel\"}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(HlHfTokenizer) tokenizer = tokenizer_from_json (json, &error);
  /* "1234" -> "123" "4"; " ab" one word; "abba": "ab"+"b"+"a"... but the
   * word is in the vocabulary, so ignore_merges returns it whole. */
  const int32_t digits[] = { 5, 3 };
  const int32_t words[] = { 11 };
  const int32_t whole[] = { 12 };
  const int32_t abb[] = { 14 };
  int32_t round[] = { 5, 3, 11 };
  g_autofree char *decoded = NULL;

  g_assert_no_error (error);
  assert_ids (tokenizer, "1234", digits, G_N_ELEMENTS (digits));
  assert_ids (tokenizer, " ab", words, G_N_ELEMENTS (words));
  assert_ids (tokenizer, "abba", whole, G_N_ELEMENTS (whole));
  /* "abb" is in the vocabulary too; merges alone would give a+bb -> abb. */
  assert_ids (tokenizer, "abb", abb, G_N_ELEMENTS (abb));
  decoded = hl_hf_tokenizer_decode (tokenizer, round, G_N_ELEMENTS (round));
  g_assert_cmpstr (decoded, ==, "1234 ab");
}

/* Merges by rank, leftmost on ties; unknown characters become the
 * unknown token, fused when fuse_unk is set. */
static void
test_merges_and_unknown (void)
{
  const char *json =
    "{\"model\": {\"type\": \"BPE\", \"unk_token\": \"<unk>\", \"fuse_unk\": true,"
    " \"vocab\": {\"<unk>\": 0, \"a\": 1, \"b\": 2, \"aa\": 3, \"ab\": 4, \"aab\": 5},"
    " \"merges\": [[\"a\", \"b\"], [\"a\", \"a\"], [\"a\", \"ab\"]]},"
    " \"added_tokens\": [{\"id\": 6, \"content\": \"<s>\", \"special\": true}],"
    " \"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}},"
    "  {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}], \"special_tokens\": {\"<s>\": {\"id\": \"<s>\", \"ids\": [6], \"tokens\": [\"<s>\"]}}}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(HlHfTokenizer) tokenizer = tokenizer_from_json (json, &error);
  /* "aab": "a b" has rank 0, so a + ab, then "a ab" (rank 2) -> aab. */
  const int32_t aab[] = { 5 };
  /* "aaa": "a a" at 0 and 1 tie; the leftmost merges: aa + a. */
  const int32_t aaa[] = { 3, 1 };
  /* "xyza": x, y, z fuse into one unknown, then a; "<s>" is an added token. */
  const int32_t unknown[] = { 0, 1, 6, 2 };
  gsize n;
  g_autofree int32_t *with_bos = NULL;

  g_assert_no_error (error);
  assert_ids (tokenizer, "aab", aab, 1);
  assert_ids (tokenizer, "aaa", aaa, 2);
  assert_ids (tokenizer, "xyza<s>b", unknown, 4);
  with_bos = hl_hf_tokenizer_encode (tokenizer, "ab", TRUE, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (with_bos[0], ==, 6);
  g_assert_cmpint (with_bos[1], ==, 4);
  g_assert_cmpstr (hl_hf_tokenizer_id_to_token (tokenizer, 6), ==, "<s>");
  g_assert_null (hl_hf_tokenizer_id_to_token (tokenizer, 7));
}

typedef struct
{
  const char *json;
  int         code;
  const char *message_part;
} BadCase;

static void
test_bad_files (void)
{
  static const BadCase cases[] = {
    { "[1, 2]", HL_TOKENIZER_ERROR_FORMAT, "not a JSON object" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []", HL_TOKENIZER_ERROR_FORMAT, "cannot read" },
    { "{}", HL_TOKENIZER_ERROR_FORMAT, "no “model” object" },
    { "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}", HL_TOKENIZER_ERROR_UNSUPPORTED, "expected BPE" },
    { "{\"model\": {\"type\": \"BPE\", \"merges\": []}}", HL_TOKENIZER_ERROR_FORMAT, "model.vocab" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}}", HL_TOKENIZER_ERROR_FORMAT, "model.merges" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": -3}, \"merges\": []}}", HL_TOKENIZER_ERROR_FORMAT, "has id -3" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 0}, \"merges\": []}}", HL_TOKENIZER_ERROR_FORMAT, "id 0 twice" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a b\"]}}", HL_TOKENIZER_ERROR_FORMAT, "missing from the vocabulary" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a\"]}}", HL_TOKENIZER_ERROR_FORMAT, "is not two tokens" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"normalizer\": {\"type\": \"BertNormalizer\"}}",
      HL_TOKENIZER_ERROR_UNSUPPORTED, "normalizer of type “BertNormalizer”, expected one of: Sequence, NFC" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"(\"}, \"behavior\": \"Isolated\"}}",
      G_REGEX_ERROR_UNMATCHED_PARENTHESIS, "(" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"a\"}, \"behavior\": \"Sideways\"}}",
      HL_TOKENIZER_ERROR_FORMAT, "behavior “Sideways”" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [], \"unk_token\": \"<unk>\"}}", HL_TOKENIZER_ERROR_FORMAT, "unknown token “<unk>”" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"added_tokens\": [{\"id\": 1}]}", HL_TOKENIZER_ERROR_FORMAT, "added token" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<s>\"}}], \"special_tokens\": {}}}",
      HL_TOKENIZER_ERROR_FORMAT, "“<s>”" },
    { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"post_processor\": {\"type\": \"Mystery\"}}", HL_TOKENIZER_ERROR_UNSUPPORTED, "“Mystery”" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HlHfTokenizer) tokenizer = tokenizer_from_json (cases[i].json, &error);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, error != NULL ? error->message : "(no error)");
      g_assert_null (tokenizer);
      g_assert_nonnull (error);
      if (error->domain == HL_TOKENIZER_ERROR)
        g_assert_cmpint (error->code, ==, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
}

/* Truncated and mutated copies of a real tokenizer.json never crash:
 * they load or fail with an error. */
static void
test_fuzz_truncated (void)
{
  g_autofree char *path = shared_family_file ("mistral", "tokenizer.json");
  g_autofree char *contents = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *copy = NULL;
  gsize length;
  GRand *rand;

  if (path == NULL)
    return;
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  dir = hl_test_make_tmp_dir ();
  copy = g_build_filename (dir, "tokenizer.json", NULL);
  rand = g_rand_new_with_seed (15);
  for (int i = 0; i < 12; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HlHfTokenizer) tokenizer = NULL;
      gsize cut = g_rand_int_range (rand, 0, (gint32) length);

      test_write_file (copy, contents, cut);
      tokenizer = hl_hf_tokenizer_new_from_file (copy, &error);
      g_assert_null (tokenizer);
      g_assert_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT);
    }
  g_rand_free (rand);
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (families); i++)
    {
      g_autofree char *name = g_strdup_printf ("/hf-tokenizer/expected/%s", families[i]);
      g_test_add_data_func (name, families[i], test_family);
    }
  g_test_add_func ("/hf-tokenizer/split-llama3", test_split_llama3);
  g_test_add_func ("/hf-tokenizer/merges-and-unknown", test_merges_and_unknown);
  g_test_add_func ("/hf-tokenizer/bad-files", test_bad_files);
  g_test_add_func ("/hf-tokenizer/fuzz-truncated", test_fuzz_truncated);
  return g_test_run ();
}
