/* test-tokenizer.c: llama2.c tokenizer, checked by hand-worked merges and
 * against a transcription of run.c's quadratic encode().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "hl-tokenizer.h"

#include <glib/gstdio.h>
#include <string.h>

/* Ids of the extra pieces below are 259 + their index. */
static const char * const extra[] = { " ", "a", "b", "c", "ab", "bc", "abc", " a", "aa", "é" };
static const float extra_scores[] = { -1.f, -2.f, -3.f, -4.f, 1.f, 2.f, 0.5f, 0.2f, 3.f, -5.f };
enum { SPACE = 259, A, B, C, AB, BC, ABC, SPACE_A, AA, E_ACUTE };

typedef struct
{
  char        *dir;
  char        *path;
  HlTokenizer *tokenizer;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = hl_test_make_tmp_dir ();
  f->path = g_build_filename (f->dir, "tok.bin", NULL);
  test_write_byte_tokenizer (f->path, extra, extra_scores, G_N_ELEMENTS (extra));
  f->tokenizer = hl_tokenizer_open (f->path, 259 + G_N_ELEMENTS (extra), &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->tokenizer);
  hl_test_remove_tmp_dir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
assert_encoding (HlTokenizer   *tokenizer,
                 const char    *text,
                 const int32_t *expected,
                 gsize          n_expected)
{
  gsize n;
  g_autofree int32_t *ids = hl_tokenizer_encode (tokenizer, text, TRUE, FALSE, &n);

  g_assert_cmpmem (ids, n * sizeof (int32_t), expected, n_expected * sizeof (int32_t));
}

static void
test_hand_worked (Fixture       *f,
                  gconstpointer  data)
{
  /* " abc": pairs " a" 0.2, "ab" 1, "bc" 2: bc first, then a+bc = "abc"
   * (0.5) beats " a" (0.2); " abc" is not a piece. */
  const int32_t abc[] = { 1, SPACE, ABC };
  /* " aaa": the two "aa" pairs tie at 3; the leftmost merges. */
  const int32_t aaa[] = { 1, SPACE, AA, A };
  /* "é" is a piece; "ü" is not, so its two bytes fall back to byte + 3. */
  const int32_t accents[] = { 1, SPACE, E_ACUTE, 0xC3 + 3, 0xBC + 3 };
  /* "x" is no piece either: byte fallback for ASCII too. */
  const int32_t ax[] = { 1, SPACE_A, 'x' + 3 };
  const int32_t empty[] = { 1 };
  gsize n;
  g_autofree int32_t *with_eos = hl_tokenizer_encode (f->tokenizer, "a", FALSE, TRUE, &n);

  assert_encoding (f->tokenizer, "abc", abc, G_N_ELEMENTS (abc));
  assert_encoding (f->tokenizer, "aaa", aaa, G_N_ELEMENTS (aaa));
  assert_encoding (f->tokenizer, "éü", accents, G_N_ELEMENTS (accents));
  assert_encoding (f->tokenizer, "ax", ax, G_N_ELEMENTS (ax));
  assert_encoding (f->tokenizer, "", empty, 1);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (with_eos[0], ==, SPACE_A);
  g_assert_cmpint (with_eos[1], ==, HL_TOKEN_EOS);
}

static void
test_decode (Fixture       *f,
             gconstpointer  data)
{
  g_assert_cmpstr (hl_tokenizer_decode (f->tokenizer, HL_TOKEN_BOS, SPACE_A), ==, "a");
  g_assert_cmpstr (hl_tokenizer_decode (f->tokenizer, A, SPACE_A), ==, " a");
  g_assert_cmpstr (hl_tokenizer_decode (f->tokenizer, A, 0x0A + 3), ==, "\n");
  g_assert_cmpstr (hl_tokenizer_decode (f->tokenizer, A, 'x' + 3), ==, "x");
  g_assert_cmpstr (hl_tokenizer_get_piece (f->tokenizer, 0x0A + 3), ==, "<0x0A>");
  g_assert_cmpstr (hl_tokenizer_get_piece (f->tokenizer, HL_TOKEN_BOS), ==, "\n<s>\n");
  g_assert_cmpfloat (hl_tokenizer_get_score (f->tokenizer, BC), ==, 2.f);
}

/* run.c's encode(), transcribed loop for loop, with a linear search for
 * pieces (the lowest id on duplicates). */
static int
slow_lookup (HlTokenizer *tokenizer,
             const char  *piece)
{
  for (int i = 0; i < hl_tokenizer_get_vocab_size (tokenizer); i++)
    if (strcmp (hl_tokenizer_get_piece (tokenizer, i), piece) == 0)
      return i;
  return -1;
}

static GArray *
slow_encode (HlTokenizer *t,
             const char  *text)
{
  GArray *tokens = g_array_new (FALSE, FALSE, sizeof (int32_t));
  char buffer[64];
  gsize len = 0;
  int32_t id = 1;

  g_array_append_val (tokens, id);
  if (text[0] != '\0')
    {
      id = slow_lookup (t, " ");
      g_array_append_val (tokens, id);
    }
  for (const char *c = text; *c != '\0'; c++)
    {
      if ((*c & 0xC0) != 0x80)
        len = 0;
      buffer[len++] = *c;
      buffer[len] = '\0';
      if ((c[1] & 0xC0) == 0x80 && len < 4)
        continue;
      id = slow_lookup (t, buffer);
      if (id != -1)
        g_array_append_val (tokens, id);
      else
        for (gsize i = 0; i < len; i++)
          {
            id = (guint8) buffer[i] + 3;
            g_array_append_val (tokens, id);
          }
      len = 0;
    }
  for (;;)
    {
      float best_score = -1e10f;
      int best_id = -1, best_idx = -1;

      for (guint i = 0; i + 1 < tokens->len; i++)
        {
          g_autofree char *merged = g_strconcat (hl_tokenizer_get_piece (t, g_array_index (tokens, int32_t, i)),
                                                 hl_tokenizer_get_piece (t, g_array_index (tokens, int32_t, i + 1)),
                                                 NULL);
          int m = slow_lookup (t, merged);

          if (m != -1 && hl_tokenizer_get_score (t, m) > best_score)
            {
              best_score = hl_tokenizer_get_score (t, m);
              best_id = m;
              best_idx = i;
            }
        }
      if (best_idx == -1)
        return tokens;
      g_array_index (tokens, int32_t, best_idx) = best_id;
      g_array_remove_index (tokens, best_idx + 1);
    }
}

static void
assert_matches_slow (HlTokenizer *tokenizer,
                     const char  *text)
{
  g_autoptr(GArray) expected = slow_encode (tokenizer, text);
  gsize n;
  g_autofree int32_t *ids = hl_tokenizer_encode (tokenizer, text, TRUE, FALSE, &n);

  g_assert_cmpmem (ids, n * sizeof (int32_t), expected->data, expected->len * sizeof (int32_t));
}

static char *
random_text (GRand              *rand,
             const char * const *alphabet,
             int                 n_symbols,
             int                 length)
{
  GString *text = g_string_new (NULL);

  for (int i = 0; i < length; i++)
    g_string_append (text, alphabet[g_rand_int_range (rand, 0, n_symbols)]);
  return g_string_free (text, FALSE);
}

static void
test_matches_run_c (Fixture       *f,
                    gconstpointer  data)
{
  static const char * const alphabet[] = { "a", "b", "c", " ", "x", "é", "ü", "\n", "aa", "€" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (int i = 0; i < 300; i++)
    {
      g_autofree char *text = random_text (rand, alphabet, G_N_ELEMENTS (alphabet),
                                           g_rand_int_range (rand, 0, 40));
      assert_matches_slow (f->tokenizer, text);
    }
}

/* Every truncation and random corruption of a tokenizer file must end in
 * an error or a usable tokenizer; arbitrary bytes, valid UTF-8 or not, must
 * encode to valid ids that decode. */
static void
test_fuzz (Fixture       *f,
           gconstpointer  data)
{
  int vocab = 259 + G_N_ELEMENTS (extra);
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (f->path, &contents, &length, NULL));
  for (gsize cut = 0; cut < length; cut += 1 + cut / 40)
    {
      g_autoptr(HlTokenizer) tokenizer = NULL;

      test_write_file (f->path, contents, cut);
      tokenizer = hl_tokenizer_open (f->path, vocab, NULL);
      g_assert_null (tokenizer);
    }
  for (int i = 0; i < 200; i++)
    {
      g_autofree char *copy = g_memdup2 (contents, length);
      g_autoptr(HlTokenizer) tokenizer = NULL;

      copy[g_rand_int_range (rand, 0, length)] = (char) g_rand_int_range (rand, 0, 256);
      test_write_file (f->path, copy, length);
      tokenizer = hl_tokenizer_open (f->path, vocab, NULL);
      if (tokenizer != NULL)
        g_assert_cmpint (hl_tokenizer_get_vocab_size (tokenizer), ==, vocab);
    }
  for (int i = 0; i < 200; i++)
    {
      char bytes[33];
      int n = g_rand_int_range (rand, 0, 33);
      g_autofree int32_t *ids = NULL;
      gsize n_ids;

      for (int j = 0; j < n; j++)
        bytes[j] = (char) g_rand_int_range (rand, 1, 256);
      bytes[n] = '\0';
      ids = hl_tokenizer_encode (f->tokenizer, bytes, TRUE, FALSE, &n_ids);
      g_assert_cmpuint (n_ids, >=, 1);
      for (gsize t = 1; t < n_ids; t++)
        {
          g_assert_cmpint (ids[t], >=, 0);
          g_assert_cmpint (ids[t], <, vocab);
          g_assert_nonnull (hl_tokenizer_decode (f->tokenizer, ids[t - 1], ids[t]));
        }
    }
}

static HlTokenizer *
open_tok512 (void)
{
  g_autofree char *path = test_shared_model_file ("tok512.bin");
  g_autoptr(GError) error = NULL;
  HlTokenizer *tokenizer;

  if (path == NULL)
    return NULL;
  tokenizer = hl_tokenizer_open (path, 512, &error);
  g_assert_no_error (error);
  return tokenizer;
}

static void
test_tok512 (void)
{
  g_autoptr(HlTokenizer) tokenizer = open_tok512 ();
  /* The first ids of reference.h5, whose text starts like this. */
  const int32_t once[] = { 1, 403, 407, 261, 378, 432, 383, 286, 261, 376 };
  static const char * const words[] = { "Once", " upon", " a", " time", ",", " there", "Lily",
                                        "!", "\"", " the", "ball", "é", "ü", "日", "\n", "  " };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  if (tokenizer == NULL)
    return;
  assert_encoding (tokenizer, "Once upon a time, there was a little", once, G_N_ELEMENTS (once));
  g_assert_cmpstr (hl_tokenizer_decode (tokenizer, 1, 403), ==, "Once");
  for (int i = 0; i < 30; i++)
    {
      g_autofree char *text = random_text (rand, words, G_N_ELEMENTS (words),
                                           g_rand_int_range (rand, 0, 30));
      assert_matches_slow (tokenizer, text);
    }
}

static GError *
open_error (const char *path,
            int         vocab_size)
{
  GError *error = NULL;
  g_autoptr(HlTokenizer) tokenizer = hl_tokenizer_open (path, vocab_size, &error);

  g_assert_null (tokenizer);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  return error;
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  int vocab = 259 + G_N_ELEMENTS (extra);
  g_autofree char *contents = NULL;
  gsize length;
  GError *error;
  gint32 negative = -3;

  g_assert_true (g_file_get_contents (f->path, &contents, &length, NULL));

  /* A model with a larger vocabulary than the file. */
  error = open_error (f->path, vocab + 1);
  g_assert_true (g_error_matches (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_TRUNCATED));
  g_clear_error (&error);

  /* A model with a smaller one: bytes are left over. */
  error = open_error (f->path, vocab - 1);
  g_assert_true (g_error_matches (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT));
  g_clear_error (&error);

  error = open_error (f->path, 100);
  g_assert_true (g_error_matches (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT));
  g_clear_error (&error);

  test_write_file (f->path, contents, length - 1);
  error = open_error (f->path, vocab);
  g_assert_true (g_error_matches (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_TRUNCATED));
  g_clear_error (&error);

  /* The length field of entry 0 made negative. */
  memcpy (contents + 8, &negative, 4);
  test_write_file (f->path, contents, length);
  error = open_error (f->path, vocab);
  g_assert_true (g_error_matches (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT));
  g_clear_error (&error);

  test_write_file (f->path, contents, 2);
  error = open_error (f->path, vocab);
  g_assert_true (g_error_matches (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_TRUNCATED));
  g_clear_error (&error);

  g_assert_cmpint (g_remove (f->path), ==, 0);
  error = open_error (f->path, vocab);
  g_assert_true (g_error_matches (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_IO));
  g_clear_error (&error);
}

/* A tokenizer is told from a checkpoint by its layout: tok512.bin has 512
 * pieces, a tokenizer.json is one, stories260K.bin, a text and a missing
 * file are none. */
static void
test_sniff (void)
{
  const char *shared = g_getenv ("HL_TEST_SHARED_DIR");
  g_autofree char *tok = g_build_filename (shared != NULL ? shared : "../shared", "models",
                                           "stories260K", "tok512.bin", NULL);
  g_autofree char *model = g_build_filename (shared != NULL ? shared : "../shared", "models",
                                             "stories260K", "stories260K.bin", NULL);
  g_autofree char *dir = g_dir_make_tmp ("sniff-XXXXXX", NULL);
  g_autofree char *json = g_build_filename (dir, "tokenizer.json", NULL);
  g_autofree char *text = g_build_filename (dir, "notes.txt", NULL);
  int n = 0;

  g_assert_true (g_file_set_contents (json, "{\"model\": {}}", -1, NULL));
  g_assert_true (g_file_set_contents (text, "these are notes", -1, NULL));
  g_assert_true (hl_tokenizer_file_sniff (json, &n));
  g_assert_cmpint (n, ==, -1);
  g_assert_false (hl_tokenizer_file_sniff (text, &n));
  g_assert_false (hl_tokenizer_file_sniff ("/nonexistent/tok.bin", &n));
  if (g_file_test (tok, G_FILE_TEST_EXISTS))
    {
      g_assert_true (hl_tokenizer_file_sniff (tok, &n));
      g_assert_cmpint (n, ==, 512);
      g_assert_false (hl_tokenizer_file_sniff (model, &n));
    }
  g_unlink (json);
  g_unlink (text);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/extract/tokenizer/hand-worked", Fixture, NULL, fixture_set_up, test_hand_worked, fixture_tear_down);
  g_test_add ("/extract/tokenizer/decode", Fixture, NULL, fixture_set_up, test_decode, fixture_tear_down);
  g_test_add ("/extract/tokenizer/matches-run-c", Fixture, NULL, fixture_set_up, test_matches_run_c, fixture_tear_down);
  g_test_add ("/extract/tokenizer/errors", Fixture, NULL, fixture_set_up, test_errors, fixture_tear_down);
  g_test_add ("/extract/tokenizer/fuzz", Fixture, NULL, fixture_set_up, test_fuzz, fixture_tear_down);
  g_test_add_func ("/extract/tokenizer/tok512", test_tok512);
  g_test_add_func ("/extract/tokenizer/sniff", test_sniff);
  return g_test_run ();
}
