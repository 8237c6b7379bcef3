/* test-cli-corpus.c: `headlens-cli analyze` over several files as one
 * corpus: it equals the analysis of one file holding the same samples,
 * whether the files are given one by one, as a folder or as a list file;
 * documents.csv and provenance.json say which file each sample came from;
 * files of another shape, the same file twice and a damaged file are
 * refused with their names, and nothing is written then. argv[1] is the
 * executable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "analysis-fixture.h"

static const char *cli_path;

static const int queries[] = { 19, 39 };

static const FixtureShape shape = {
  .n_layers = 2, .n_heads = 4, .n_kv_heads = 2, .head_dim = 8, .seq_len = 40,
  .n_samples = 6, .n_queries = 2, .query_positions = queries, .seed = 11,
};

static const char * const csv_names[] = { "curves.csv", "heads.csv", "model.csv",
                                          "assumptions.csv", NULL };

static int
run_cli (HlTestRun  *run,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  va_list args;

  va_start (args, first);
  argv = hl_test_argv_new (cli_path, first, args);
  va_end (args);
  hl_test_run_argv (run, (const char * const *) argv->pdata);
  return run->status;
}

static char *
read_text (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* The one-file corpus F and its three parts a.h5, b.h5, c.h5 (two samples
 * each) in @dir/parts. */
static void
write_files (const char *dir,
             char      **whole,
             char      **parts_dir,
             char      **parts)
{
  const char *names[] = { "a.h5", "b.h5", "c.h5" };

  *whole = g_build_filename (dir, "whole.h5", NULL);
  *parts_dir = g_build_filename (dir, "parts", NULL);
  g_assert_cmpint (g_mkdir (*parts_dir, 0755), ==, 0);
  fixture_write_file (*whole, &shape);
  for (int i = 0; i < 3; i++)
    {
      parts[i] = g_build_filename (*parts_dir, names[i], NULL);
      fixture_copy_samples (*whole, 2 * i, 2, parts[i]);
    }
}

static void
check_documents (const char  *out,
                 char       **parts)
{
  g_autofree char *documents = read_text (out, "documents.csv");
  GString *expected = g_string_new ("sample,file,file_sample\n");
  g_autofree char *expected_text = NULL;

  for (int s = 0; s < 6; s++)
    g_string_append_printf (expected, "%d,\"%s\",%d\n", s, parts[s / 2], s % 2);
  expected_text = g_string_free (expected, FALSE);
  g_assert_cmpstr (documents, ==, expected_text);
}

static void
check_provenance (const char  *out,
                  char       **parts)
{
  g_autofree char *path = g_build_filename (out, "provenance.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *files;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_get_null_member (root, "input_sha256"));
  files = json_object_get_array_member (root, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *file = json_array_get_object_element (files, i);
      g_autofree char *contents = NULL;
      gsize length;
      g_autofree char *sha = NULL;

      g_assert_true (g_file_get_contents (parts[i], &contents, &length, NULL));
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
      g_assert_cmpstr (json_object_get_string_member (file, "path"), ==, parts[i]);
      g_assert_cmpstr (json_object_get_string_member (file, "sha256"), ==, sha);
      g_assert_cmpint (json_object_get_int_member (file, "first_sample"), ==, 2 * i);
      g_assert_cmpint (json_object_get_int_member (file, "samples"), ==, 2);
    }
}

/* The three ways of naming a corpus give the analysis of the file that
 * holds its samples, byte for byte: every sample is numbered in the
 * corpus, and the random ranking's seeds come from that number. */
static void
test_equals_one_file (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *whole = NULL, *parts_dir = NULL;
  char *parts[3];
  g_autofree char *list = g_build_filename (dir, "corpus.txt", NULL);
  g_autofree char *out_whole = g_build_filename (dir, "out-whole", NULL);
  g_autofree char *out_files = g_build_filename (dir, "out-files", NULL);
  g_autofree char *out_folder = g_build_filename (dir, "out-folder", NULL);
  g_autofree char *out_list = g_build_filename (dir, "out-list", NULL);
  g_autofree char *whole_documents = g_build_filename (out_whole, "documents.csv", NULL);
  g_auto(HlTestRun) run = { 0 };

  write_files (dir, &whole, &parts_dir, parts);
  g_assert_true (g_file_set_contents (list, "# the three parts\nparts/a.h5\n\nparts/b.h5\nparts/c.h5\n",
                                      -1, NULL));
  g_assert_cmpint (run_cli (&run, "analyze", whole, "-o", out_whole, "--repeats", "4",
                            "--bootstrap", "200", NULL), ==, 0);
  hl_test_run_clear (&run);
  g_assert_cmpint (run_cli (&run, "analyze", parts[0], parts[1], parts[2], "-o", out_files,
                            "--repeats", "4", "--bootstrap", "200", NULL), ==, 0);
  hl_test_run_clear (&run);
  g_assert_cmpint (run_cli (&run, "analyze", parts_dir, "-o", out_folder, "--repeats", "4",
                            "--bootstrap", "200", NULL), ==, 0);
  hl_test_run_clear (&run);
  g_assert_cmpint (run_cli (&run, "analyze", list, "-o", out_list, "--repeats", "4",
                            "--bootstrap", "200", NULL), ==, 0);
  fixture_assert_same_files (out_whole, out_files, csv_names, "the one-file analysis");
  fixture_assert_same_files (out_whole, out_folder, csv_names, "the one-file analysis");
  check_documents (out_files, parts);
  check_provenance (out_files, parts);
  {
    /* The list's paths are relative to its folder. */
    g_autofree char *documents = read_text (out_list, "documents.csv");

    fixture_assert_same_files (out_whole, out_list, csv_names, "the one-file analysis");
    g_assert_nonnull (strstr (documents, "parts/b.h5\",0\n"));
  }
  /* One file has no documents.csv: its samples are its own. */
  g_assert_false (g_file_test (whole_documents, G_FILE_TEST_EXISTS));
  for (int i = 0; i < 3; i++)
    g_free (parts[i]);
  hl_test_remove_tmp_dir (dir);
}

/* --samples picks documents by their corpus numbers. */
static void
test_samples_subset (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *whole = NULL, *parts_dir = NULL;
  char *parts[3];
  g_autofree char *out_whole = g_build_filename (dir, "out-whole", NULL);
  g_autofree char *out_parts = g_build_filename (dir, "out-parts", NULL);
  g_autofree char *heads = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(HlTestRun) run = { 0 };

  write_files (dir, &whole, &parts_dir, parts);
  g_assert_cmpint (run_cli (&run, "analyze", whole, "-o", out_whole, "--repeats", "2",
                            "--samples", "1-3", NULL), ==, 0);
  hl_test_run_clear (&run);
  g_assert_cmpint (run_cli (&run, "analyze", parts_dir, "-o", out_parts, "--repeats", "2",
                            "--samples", "3,1,2", NULL), ==, 0);
  fixture_assert_same_files (out_whole, out_parts, csv_names, "the one-file analysis");
  heads = read_text (out_parts, "heads.csv");
  /* 2 layers x 4 heads x 3 samples x 2 queries, and no sample 0. */
  lines = g_strsplit (heads, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 48 + 1);
  g_assert_null (strstr (heads, "\n0,0,0,"));
  hl_test_run_clear (&run);
  g_assert_cmpint (run_cli (&run, "analyze", parts_dir, "-o", out_parts, "--samples", "6",
                            NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "Sample 6 is out of range: the file has 6"));
  for (int i = 0; i < 3; i++)
    g_free (parts[i]);
  hl_test_remove_tmp_dir (dir);
}
static void
assert_fails (const char *out,
              const char *expected,
              const char *first,
              ...)
{
  g_auto(HlTestRun) run = { 0 };
  g_autoptr(GPtrArray) argv = NULL;
  va_list args;

  va_start (args, first);
  argv = hl_test_argv_new (cli_path, first, args);
  va_end (args);
  hl_test_run_argv (&run, (const char * const *) argv->pdata);
  g_assert_cmpint (run.status, ==, 1);
  if (strstr (run.err, expected) == NULL)
    g_error ("expected “%s” in: %s", expected, run.err);
  /* Nothing was written. */
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

static void
test_refused (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *whole = NULL, *parts_dir = NULL;
  char *parts[3];
  g_autofree char *other = g_build_filename (dir, "other.h5", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *list = g_build_filename (dir, "list.txt", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *expected = NULL;
  FixtureShape other_shape = shape;

  write_files (dir, &whole, &parts_dir, parts);
  other_shape.n_layers = 3;
  fixture_write_file (other, &other_shape);
  expected = g_strdup_printf ("“%s” has 3 layers, expected 2 as in “%s”", other, parts[0]);
  assert_fails (out, expected, "analyze", parts[0], other, "-o", out, NULL);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("is the same file as “%s”", parts[1]);
  assert_fails (out, expected, "analyze", parts[1], parts[0], parts[1], "-o", out, NULL);
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  assert_fails (out, "has no activation files", "analyze", empty, "-o", out, NULL);
  g_assert_true (g_file_set_contents (list, "parts/a.h5\nparts/missing.h5\n", -1, NULL));
  assert_fails (out, "Line 2 of the list", "analyze", list, "-o", out, NULL);

  /* A damaged block fails the run, naming the file and its sample. */
  fixture_damage_values (parts[2], 1, 1, 0, 3);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("“%s” (its sample 1, sample 5 of the corpus): /values of layer 1, "
                              "sample 1, kv head 0 is nan", parts[2]);
  assert_fails (out, expected, "analyze", parts_dir, "-o", out, "--repeats", "2", NULL);
  for (int i = 0; i < 3; i++)
    g_free (parts[i]);
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  cli_path = argv[1];

  g_test_add_func ("/cli/corpus/equals-one-file", test_equals_one_file);
  g_test_add_func ("/cli/corpus/samples", test_samples_subset);
  g_test_add_func ("/cli/corpus/refused", test_refused);
  return g_test_run ();
}
