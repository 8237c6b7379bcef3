/* test-provenance.c: the provenance record: the input's SHA-256 against
 * coreutils' sha256sum, the creation time (SOURCE_DATE_EPOCH), every
 * setting of the analysis, JSON that parses back to the same values, ASCII
 * text for any file name, and a clear error for a file that cannot be read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-file-hash.h"
#include "hl-provenance.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "hl-test-util.h"

static char *
write_input (const char *dir,
             const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, "not really HDF5, but bytes to hash\n", -1, NULL));
  return path;
}

static JsonObject *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
sha256sum (const char *path)
{
  g_autofree char *tool = g_find_program_in_path ("sha256sum");
  const char *argv[] = { tool, path, NULL };
  g_auto(HlTestRun) run = { 0 };

  g_assert_nonnull (tool);
  hl_test_run_argv (&run, argv);
  g_assert_cmpint (run.status, ==, 0);
  return g_strndup (run.out, 64);
}

static void
test_analysis_record (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = write_input (dir, "run.h5");
  g_autofree char *expected_sha = sha256sum (path);
  static const int layers[] = { 0, 2 };
  static const int grid[] = { 1, 3 };
  g_autoptr(HlProvenance) provenance = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  HlAnalysisOptions options;
  JsonObject *o;
  JsonArray *a;

  g_setenv ("SOURCE_DATE_EPOCH", "86400", TRUE);
  hl_analysis_options_init (&options);
  options.head.rankings = 1u << HL_RANKING_CONTRIBUTION;
  options.head.grid_kind = HL_GRID_LIST;
  options.head.grid_list = grid;
  options.head.n_grid_list = 2;
  options.head.seed = 7;
  options.head.repeats = 5;
  options.bootstrap = 300;
  options.layers = layers;
  options.n_layers = 2;
  provenance = hl_provenance_new ("headlens-cli analyze", path, &error);
  g_assert_no_error (error);
  hl_provenance_set_analysis (provenance, &options);
  json = hl_provenance_to_json (provenance, TRUE);
  root = parse (json);

  g_assert_cmpstr (json_object_get_string_member (root, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpstr (json_object_get_string_member (root, "program"), ==, "headlens-cli analyze");
  g_assert_cmpstr (json_object_get_string_member (root, "input"), ==, path);
  g_assert_cmpstr (json_object_get_string_member (root, "input_sha256"), ==, expected_sha);
  g_assert_cmpint (json_object_get_int_member (root, "seed"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (root, "repeats"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (root, "bootstrap"), ==, 300);
  /* One day after the epoch. */
  g_assert_cmpstr (json_object_get_string_member (root, "created"), ==, "1970-01-02T00:00:00Z");
  g_assert_false (json_object_has_member (root, "figure"));

  o = json_object_get_object_member (root, "options");
  a = json_object_get_array_member (o, "rankings");
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (a, 0), ==, "contribution");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "distances")), ==, 2);
  a = json_object_get_array_member (o, "grid");
  g_assert_cmpint (json_array_get_int_element (a, 1), ==, 3);
  a = json_object_get_array_member (o, "layers");
  g_assert_cmpint (json_array_get_int_element (a, 1), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "heads"), ==, "all");
  g_assert_cmpint (json_object_get_int_member (o, "lags"), ==, 16);
  g_assert_cmpint (json_object_get_int_member (o, "threads"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (o, "high-alignment"), ==, 0.9);
  g_assert_cmpfloat (json_object_get_double_member (o, "reset-until"), ==, 1.0 / 16);
  /* Numbers as a reader expects them, not 0.90000000000000002. */
  g_assert_nonnull (strstr (json, "\"high-alignment\" : 0.9,\n"));
  g_unsetenv ("SOURCE_DATE_EPOCH");
  hl_test_remove_tmp_dir (dir);
}

static void
test_figure_record (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  /* A name a PNG tEXt chunk could not carry as it is. */
  g_autofree char *path = write_input (dir, "résumé ρ 😀.h5");
  g_autoptr(HlProvenance) provenance = hl_provenance_new ("headlens-cli render", path, NULL);
  g_autoptr(JsonObject) root = NULL;
  g_autofree char *json = NULL;
  HlHeadAnalysisOptions options;
  JsonObject *figure;

  hl_head_analysis_options_init (&options);
  hl_provenance_set_head_analysis (provenance, &options);
  hl_provenance_add_figure_string (provenance, "plot", "scatter");
  hl_provenance_add_figure_int (provenance, "layer", 3);
  hl_provenance_add_figure_double (provenance, "font_size", 8.5);
  hl_provenance_add_figure_string (provenance, "font", NULL);
  json = hl_provenance_to_json (provenance, FALSE);

  /* One line of ASCII; the name comes back whole, the emoji as a pair of
   * surrogates. */
  g_assert_null (strchr (json, '\n'));
  for (const char *p = json; *p != '\0'; p++)
    g_assert_cmpint ((guchar) *p, <, 0x80);
  g_assert_nonnull (strstr (json, "r\\u00e9sum\\u00e9 \\u03c1 \\ud83d\\ude00.h5"));
  root = parse (json);
  g_assert_cmpstr (json_object_get_string_member (root, "input"), ==, path);
  /* One head: no bootstrap, threads, layers or heads. */
  g_assert_true (json_object_get_null_member (root, "bootstrap"));
  g_assert_true (json_object_get_null_member (json_object_get_object_member (root, "options"),
                                              "bootstrap"));
  figure = json_object_get_object_member (root, "figure");
  g_assert_cmpstr (json_object_get_string_member (figure, "plot"), ==, "scatter");
  g_assert_cmpint (json_object_get_int_member (figure, "layer"), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (figure, "font_size"), ==, 8.5);
  g_assert_true (json_object_get_null_member (figure, "font"));
  hl_test_remove_tmp_dir (dir);
}

static void
test_unreadable_input (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *missing = g_build_filename (dir, "missing.h5", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (hl_provenance_new ("headlens-cli analyze", missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_nonnull (strstr (error->message, "SHA-256"));
  hl_test_remove_tmp_dir (dir);
}

/* The hashes against GLib's own SHA-256: an empty file, one of a few
 * megabytes, and the same hashed ahead on a thread of its own. */
static void
test_file_sha256 (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *big = g_build_filename (dir, "big", NULL);
  g_autofree guchar *data = g_malloc (3 << 20);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  const char *paths[] = { empty, big, NULL };

  for (gsize i = 0; i < (3 << 20); i++)
    data[i] = (guchar) (i * 2654435761u >> 13);
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (big, (const char *) data, 3 << 20, NULL));
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, 3 << 20);
  for (int ahead = 0; ahead < 2; ahead++)
    {
      g_autofree char *sha_empty = NULL;
      g_autofree char *sha_big = NULL;

      if (ahead)
        hl_file_sha256_start (paths);
      sha_big = hl_file_sha256 (big, &error);
      sha_empty = hl_file_sha256 (empty, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (sha_empty, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
      g_assert_cmpstr (sha_big, ==, expected);
    }
  hl_test_remove_tmp_dir (dir);
}

/* The entries of the hash cache that hold @sha256. */
static int
cache_entries_holding (const char *sha256)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "headlens", "sha256", NULL);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  int count = 0;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *entry = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;

      if (g_file_get_contents (entry, &text, NULL, NULL) && g_str_has_prefix (text, sha256))
        count++;
    }
  return count;
}

/* The cached hash of a file: not cached while the file has just changed
 * (a write in the same clock tick could keep its times), cached once it
 * has settled, taken from the cache while the file is unchanged (shown
 * by a forged entry), and never for a file changed in place since, nor
 * with HEADLENS_NO_HASH_CACHE. */
static void
test_file_sha256_cache (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "file", NULL);
  const char *forged = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  g_autofree char *forged_line = g_strconcat (forged, "\n", NULL);
  g_autofree char *expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "first bytes", -1);
  g_autofree char *changed = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "First bytes", -1);
  g_autofree char *sha = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *entry_dir = NULL;
  g_autoptr(GDir) listing = NULL;
  g_autofree char *entry = NULL;
  FILE *f;

  g_assert_true (g_file_set_contents (path, "first bytes", -1, NULL));
  sha = hl_file_sha256 (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sha, ==, expected);
  g_assert_cmpint (cache_entries_holding (expected), ==, 0);

  g_usleep (1200 * 1000);
  g_clear_pointer (&sha, g_free);
  sha = hl_file_sha256 (path, &error);
  g_assert_cmpstr (sha, ==, expected);
  g_assert_cmpint (cache_entries_holding (expected), ==, 1);

  /* The one entry, forged: an unchanged file's hash comes from it. */
  entry_dir = g_build_filename (g_get_user_cache_dir (), "headlens", "sha256", NULL);
  listing = g_dir_open (entry_dir, 0, &error);
  g_assert_no_error (error);
  for (const char *name; (name = g_dir_read_name (listing)) != NULL;)
    {
      g_autofree char *candidate = g_build_filename (entry_dir, name, NULL);
      g_autofree char *text = NULL;

      if (g_file_get_contents (candidate, &text, NULL, NULL) && g_str_has_prefix (text, expected))
        entry = g_steal_pointer (&candidate);
    }
  g_assert_nonnull (entry);
  /* A malformed entry (no line end) is not taken, and is replaced. */
  g_assert_true (g_file_set_contents (entry, forged, -1, NULL));
  g_clear_pointer (&sha, g_free);
  sha = hl_file_sha256 (path, &error);
  g_assert_cmpstr (sha, ==, expected);
  g_assert_cmpint (cache_entries_holding (expected), ==, 1);
  g_assert_true (g_file_set_contents (entry, forged_line, -1, NULL));
  g_clear_pointer (&sha, g_free);
  sha = hl_file_sha256 (path, &error);
  g_assert_cmpstr (sha, ==, forged);

  g_setenv ("HEADLENS_NO_HASH_CACHE", "1", TRUE);
  g_clear_pointer (&sha, g_free);
  sha = hl_file_sha256 (path, &error);
  g_assert_cmpstr (sha, ==, expected);
  g_unsetenv ("HEADLENS_NO_HASH_CACHE");

  /* Changed in place, same size, same inode: hashed from its bytes. */
  f = fopen (path, "r+");
  g_assert_nonnull (f);
  g_assert_cmpint (fputc ('F', f), ==, 'F');
  g_assert_cmpint (fclose (f), ==, 0);
  g_clear_pointer (&sha, g_free);
  sha = hl_file_sha256 (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sha, ==, changed);
  g_remove (entry);
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/provenance/file-sha256", test_file_sha256);
  g_test_add_func ("/provenance/file-sha256-cache", test_file_sha256_cache);
  g_test_add_func ("/provenance/analysis-record", test_analysis_record);
  g_test_add_func ("/provenance/figure-record", test_figure_record);
  g_test_add_func ("/provenance/unreadable-input", test_unreadable_input);
  return g_test_run ();
}
