/* test-doc-example.c: the h5py example of docs/activation-format.md writes
 * a file our reader accepts. Skipped when /usr/bin/python3 has no h5py.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-activations.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#define PYTHON "/usr/bin/python3"

static char *
extract_example (void)
{
  g_autofree char *doc = g_build_filename (g_getenv ("HL_TEST_SRCDIR"), "..", "docs",
                                           "activation-format.md", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const char *start, *end;

  g_assert_true (g_file_get_contents (doc, &text, NULL, &error));
  g_assert_no_error (error);
  start = strstr (text, "```python\n");
  g_assert_nonnull (start);
  start += strlen ("```python\n");
  end = strstr (start, "```");
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

static gboolean
python_has_h5py (void)
{
  const char *argv[] = { PYTHON, "-c", "import h5py", NULL };
  int wait_status;

  return g_spawn_sync (NULL, (char **) argv, NULL,
                       G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &wait_status, NULL)
         && WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0;
}

static void
run_example (const char *script,
             const char *output)
{
  const char *argv[] = { PYTHON, script, output, NULL };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &wait_status, &error));
  g_assert_no_error (error);
  if (!WIFEXITED (wait_status) || WEXITSTATUS (wait_status) != 0)
    g_error ("the documented example failed:\n%s", err);
}

static void
check_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) acts = hl_activations_open (path, &error);
  const HlActivationsInfo *info;
  g_auto(GStrv) texts = NULL;
  const int queries[] = { 7, 15, 31 };

  g_assert_no_error (error);
  info = hl_activations_get_info (acts);
  g_assert_cmpstr (info->model, ==, "my-model");
  g_assert_cmpint (info->n_layers, ==, 2);
  g_assert_cmpint (info->n_heads, ==, 4);
  g_assert_cmpint (info->n_kv_heads, ==, 2);
  g_assert_cmpint (info->head_dim, ==, 16);
  g_assert_cmpint (info->seq_len, ==, 32);
  g_assert_cmpint (info->n_samples, ==, 1);
  g_assert_cmpmem (info->query_positions, sizeof queries, queries, sizeof queries);
  g_assert_cmpint (info->values_dtype, ==, HL_DTYPE_FLOAT16);
  g_assert_cmpint (info->attention_dtype, ==, HL_DTYPE_FLOAT32);
  g_assert_true (hl_activations_validate_all (acts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hl_activations_get_warnings (acts)->len, ==, 0);
  texts = hl_activations_read_token_texts (acts, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (texts[3], ==, " tok3");
}

static void
test_doc_example (void)
{
  g_autofree char *code = extract_example ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *script = NULL;
  g_autofree char *output = NULL;

  if (!python_has_h5py ())
    {
      g_test_skip (PYTHON " cannot import h5py (install python3-h5py to run this test)");
      return;
    }
  dir = g_dir_make_tmp ("headlens-doc-XXXXXX", &error);
  g_assert_no_error (error);
  script = g_build_filename (dir, "example.py", NULL);
  output = g_build_filename (dir, "example.h5", NULL);
  g_assert_true (g_file_set_contents (script, code, -1, &error));

  run_example (script, output);
  check_file (output);

  g_assert_cmpint (g_unlink (script), ==, 0);
  g_assert_cmpint (g_unlink (output), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/io/doc-example", test_doc_example);
  return g_test_run ();
}
