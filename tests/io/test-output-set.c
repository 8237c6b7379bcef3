/* test-output-set.c: files written as a set appear together or not at all,
 * never replace an input, and leave no temporary folder behind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-output-set.h"
#include "hl-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static char *
listing (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
assert_listing (const char *dir,
                const char *expected)
{
  g_autofree char *names = listing (dir);

  g_assert_cmpstr (names, ==, expected);
}

static void
assert_contents (const char *dir,
                 const char *name,
                 const char *expected)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

/* Nothing of the set is visible before the commit; after it, all of it. */
static void
test_commit_replaces_together (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autoptr(HlOutputSet) set = NULL;
  g_autoptr(GError) error = NULL;

  write_file (dir, "a.csv", "old a");
  write_file (dir, "b.csv", "old b");
  set = hl_output_set_new (dir, HL_OUTPUT_SET_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (hl_output_set_add_contents (set, "a.csv", "new a", -1, &error));
  g_assert_true (hl_output_set_add_contents (set, "b.csv", "new b", -1, &error));
  g_assert_true (hl_output_set_add_contents (set, "c.csv", "new c", -1, &error));
  assert_contents (dir, "a.csv", "old a");
  assert_contents (dir, "b.csv", "old b");
  g_assert_true (hl_output_set_commit (set, &error));
  g_assert_no_error (error);
  assert_contents (dir, "a.csv", "new a");
  assert_contents (dir, "b.csv", "new b");
  assert_contents (dir, "c.csv", "new c");
  assert_listing (dir, "a.csv b.csv c.csv");
  hl_test_remove_tmp_dir (dir);
}

/* A set freed without a commit changes nothing and leaves nothing. */
static void
test_discard_leaves_old (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  HlOutputSet *set;
  const char *path;

  write_file (dir, "a.csv", "old a");
  set = hl_output_set_new (dir, HL_OUTPUT_SET_NONE, &error);
  g_assert_true (hl_output_set_add_contents (set, "a.csv", "new a", -1, &error));
  path = hl_output_set_add_file (set, "big.h5", &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_set_contents (path, "data", -1, NULL));
  hl_output_set_free (set);
  assert_contents (dir, "a.csv", "old a");
  assert_listing (dir, "a.csv");
  hl_test_remove_tmp_dir (dir);
}

/* The destination may be the input through its own name, a symbolic link
 * or a hard link: all are refused, at add and at commit. */
static void
test_refuses_inputs (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *input = g_build_filename (dir, "input.h5", NULL);
  g_autofree char *soft = g_build_filename (dir, "soft.csv", NULL);
  g_autofree char *hard = g_build_filename (dir, "hard.csv", NULL);
  const char *names[] = { "input.h5", "soft.csv", "hard.csv" };
  g_autoptr(HlOutputSet) set = NULL;
  g_autoptr(GError) error = NULL;

  write_file (dir, "input.h5", "precious");
  g_assert_cmpint (symlink ("input.h5", soft), ==, 0);
  g_assert_cmpint (link (input, hard), ==, 0);
  set = hl_output_set_new (dir, HL_OUTPUT_SET_NONE, &error);
  hl_output_set_add_input (set, input);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_false (hl_output_set_add_contents (set, names[i], "x", -1, &error));
      g_assert_error (error, HL_OUTPUT_ERROR, HL_OUTPUT_ERROR_IS_INPUT);
      g_assert_nonnull (strstr (error->message, input));
      g_clear_error (&error);
    }
  /* An input that becomes the destination after the file was added. */
  g_assert_true (hl_output_set_add_contents (set, "late.csv", "x", -1, &error));
  {
    g_autofree char *late = g_build_filename (dir, "late.csv", NULL);

    g_assert_cmpint (link (input, late), ==, 0);
  }
  g_assert_false (hl_output_set_commit (set, &error));
  g_assert_error (error, HL_OUTPUT_ERROR, HL_OUTPUT_ERROR_IS_INPUT);
  assert_contents (dir, "input.h5", "precious");
  g_clear_pointer (&set, hl_output_set_free);
  assert_listing (dir, "hard.csv input.h5 late.csv soft.csv");
  hl_test_remove_tmp_dir (dir);
}

static void
test_refuses_bad_names (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autoptr(HlOutputSet) set = hl_output_set_new (dir, HL_OUTPUT_SET_NONE, NULL);
  const char *names[] = { "", ".", "..", "a/b" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_null (hl_output_set_add_file (set, names[i], &error));
      g_assert_error (error, HL_OUTPUT_ERROR, HL_OUTPUT_ERROR_NAME);
      g_clear_error (&error);
    }
  g_assert_nonnull (hl_output_set_add_file (set, "a.csv", &error));
  g_assert_null (hl_output_set_add_file (set, "a.csv", &error));
  g_assert_error (error, HL_OUTPUT_ERROR, HL_OUTPUT_ERROR_NAME);
  g_clear_pointer (&set, hl_output_set_free);
  hl_test_remove_tmp_dir (dir);
}

/* The "HOST" of this host's temporary folders, ".headlens-HOST-PID-XXXXXX",
 * learnt from a set's folder. */
static char *
host_tag (const char *dir)
{
  g_autoptr(HlOutputSet) set = hl_output_set_new (dir, HL_OUTPUT_SET_NONE, NULL);
  g_autofree char *name = listing (dir);
  g_autofree char *pid_part = g_strdup_printf ("-%d-", (int) getpid ());
  const char *end = strstr (name, pid_part);

  g_assert_true (g_str_has_prefix (name, ".headlens-"));
  g_assert_nonnull (end);
  return g_strndup (name + strlen (".headlens-"), end - name - strlen (".headlens-"));
}

static void
make_set_dir (const char *dir,
              const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *file = g_build_filename (path, "half.h5", NULL);

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "half written", -1, NULL));
}

/* The folder of a dead process is removed by the next set; those of a
 * live process (ours), of another host, and files that only look alike
 * are kept. */
static void
test_removes_stale_sets (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *host = host_tag (dir);
  /* Above the kernel's largest pid (2^22), so no process has it. */
  g_autofree char *stale = g_strdup_printf (".headlens-%s-2147480000-abcdef", host);
  g_autofree char *live = g_strdup_printf (".headlens-%s-%d-abcdef", host, (int) getpid ());
  g_autofree char *file_alike = g_strdup_printf (".headlens-%s-2147480001-abcdef", host);
  const char *kept[] = { live, file_alike, ".headlens-elsewhere-2147480000-abcdef" };
  g_autofree char *stale_path = g_build_filename (dir, stale, NULL);
  g_autofree char *names = NULL;
  g_autoptr(HlOutputSet) set = NULL;

  make_set_dir (dir, stale);
  make_set_dir (dir, live);
  make_set_dir (dir, ".headlens-elsewhere-2147480000-abcdef");
  write_file (dir, file_alike, "a file");
  set = hl_output_set_new (dir, HL_OUTPUT_SET_NONE, NULL);
  g_assert_true (hl_output_set_commit (set, NULL));
  g_assert_false (g_file_test (stale_path, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *path = g_build_filename (dir, kept[i], NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  names = listing (dir);
  g_assert_cmpint (strlen (names), ==, strlen (live) + strlen (file_alike)
                                       + strlen (kept[2]) + 2);
  hl_test_remove_tmp_dir (dir);
}

/* A folder that does not exist is created only when asked. */
static void
test_create_folder (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *sub = g_build_filename (dir, "a", "b", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HlOutputSet) set = NULL;

  g_assert_null (hl_output_set_new (sub, HL_OUTPUT_SET_NONE, &error));
  g_assert_error (error, HL_OUTPUT_ERROR, HL_OUTPUT_ERROR_IO);
  g_clear_error (&error);
  set = hl_output_set_new (sub, HL_OUTPUT_SET_CREATE_FOLDER, &error);
  g_assert_no_error (error);
  g_assert_true (hl_output_set_add_contents (set, "x", "1", -1, &error));
  g_assert_true (hl_output_set_commit (set, &error));
  assert_contents (sub, "x", "1");
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/io/output-set/commit-replaces-together", test_commit_replaces_together);
  g_test_add_func ("/io/output-set/discard-leaves-old", test_discard_leaves_old);
  g_test_add_func ("/io/output-set/refuses-inputs", test_refuses_inputs);
  g_test_add_func ("/io/output-set/refuses-bad-names", test_refuses_bad_names);
  g_test_add_func ("/io/output-set/removes-stale-sets", test_removes_stale_sets);
  g_test_add_func ("/io/output-set/create-folder", test_create_folder);
  return g_test_run ();
}
