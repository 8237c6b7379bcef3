/* test-cli-provenance.c: `headlens-cli analyze` writes provenance.json beside
 * its CSV files, and it names every option the command has, with the values
 * it ran with, and the SHA-256 of the input (checked with coreutils'
 * sha256sum). argv[1] is the executable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "analysis-fixture.h"

static const char *cli_path;

static const FixtureShape shape = {
  .n_layers = 2, .n_heads = 2, .n_kv_heads = 2, .head_dim = 8, .seq_len = 20,
  .n_samples = 2, .n_queries = 1, .seed = 4,
};

static void
run_ok (HlTestRun  *run,
        const char *first,
        ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  va_list args;

  va_start (args, first);
  argv = hl_test_argv_new (cli_path, first, args);
  va_end (args);
  hl_test_run_argv (run, (const char * const *) argv->pdata);
  if (run->status != 0)
    g_error ("%s failed: %s", first, run->err);
}

/* The long options `headlens-cli analyze --help` lists. */
static GPtrArray *
analyze_options (void)
{
  g_auto(HlTestRun) run = { 0 };
  g_autoptr(GRegex) regex = g_regex_new ("^  (?:-[a-zA-Z], )?--([a-z0-9-]+)", G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  run_ok (&run, "analyze", "--help", NULL);
  for (g_regex_match (regex, run.out, 0, &match); g_match_info_matches (match);
       g_match_info_next (match, NULL))
    g_ptr_array_add (names, g_match_info_fetch (match, 1));
  return names;
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
test_provenance_json (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.h5", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *json_path = g_build_filename (out, "provenance.json", NULL);
  g_autofree char *sha = NULL;
  g_autoptr(GPtrArray) names = analyze_options ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GRegex) iso = g_regex_new ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$", 0, 0, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(HlTestRun) run = { 0 };
  JsonObject *root, *options;

  fixture_write_file (path, &shape);
  sha = sha256sum (path);
  run_ok (&run, "analyze", path, "-o", out, "--seed", "7", "--repeats", "3", "--bootstrap", "40",
          "--grid", "1,2,4", "--layers", "1", "--rankings", "attention,random", "--threads", "1",
          NULL);
  g_assert_true (json_parser_load_from_file (parser, json_path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "input"), ==, path);
  g_assert_cmpstr (json_object_get_string_member (root, "input_sha256"), ==, sha);
  g_assert_cmpstr (json_object_get_string_member (root, "version"), ==, PACKAGE_VERSION);
  g_assert_true (g_regex_match (iso, json_object_get_string_member (root, "created"), 0, NULL));
  g_assert_cmpint (json_object_get_int_member (root, "seed"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (root, "repeats"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (root, "bootstrap"), ==, 40);

  /* Every option of the command is recorded, by its name. */
  options = json_object_get_object_member (root, "options");
  g_assert_cmpuint (names->len, >=, 10);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];

      if (g_str_equal (name, "help") || g_str_equal (name, "out"))
        continue;
      if (!json_object_has_member (options, name))
        g_error ("provenance.json has no \"%s\" in its options, but analyze has --%s", name, name);
    }
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (options, "grid"), 2), ==, 4);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (options, "layers"), 0), ==, 1);
  /* Heads not chosen are all the file's heads, as the analysis ran them. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (options, "heads")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (options, "rankings")), ==, 2);
  g_assert_cmpint (json_object_get_int_member (options, "threads"), ==, 1);
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: test-cli-provenance HEADLENS-CLI");
  cli_path = argv[1];
  g_test_add_func ("/cli/analyze/provenance-json", test_provenance_json);
  return g_test_run ();
}
