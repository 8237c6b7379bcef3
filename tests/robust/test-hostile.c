/* test-hostile.c: headlens-cli info and analyze on hostile activation
 * files end with a clear error, never a crash, a hang or gigabytes of
 * memory. The path of headlens-cli is the first argument.
 *
 * Two kinds of files: mutants of valid files that crashed, looped or
 * exhausted the memory inside HDF5 1.10.8 (tests/data/hostile/, found by
 * tests/fuzz/hl-fuzz-campaign.py; see the README there), and files made by
 * make-hostile.py, each exercising one refusal (external storage, unstored
 * data, unsupported filters and types, damaged groups, virtual datasets).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "robust-test-util.h"

#include <string.h>
#include <sys/wait.h>

#define PYTHON "/usr/bin/python3"
/* A run past this is a hang; a child probe that loops is killed after 5 s. */
#define LIMIT_S 15.0

/* The promise is for the normal build; a sanitizer's shadow memory and its
 * polled RSS limit add their own. */
static double
max_rss_mb (void)
{
  return g_getenv ("HL_TEST_SANITIZED") != NULL ? 2000.0 : 1000.0;
}

/* Runs @command ("info" or "analyze") on @path, expecting exit status 1
 * with @expected (or any message when NULL) and no crash, hang or
 * excess of memory. */
static void
assert_refused_by (const char *command,
                   const char *path,
                   const char *option,
                   const char *expected)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  const char *info[] = { "info", path, option, NULL };
  const char *analyze[] = { "analyze", path, "--out", out, "--bootstrap", "10", option, NULL };
  g_auto(RobustRun) run = { 0 };

  robust_run_full (&run, NULL, LIMIT_S, g_str_equal (command, "info") ? info : analyze);
  g_assert_false (run.timed_out);
  g_assert_cmpint (run.signal, ==, 0);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpfloat (run.max_rss_mb, <, max_rss_mb ());
  g_assert_true (g_str_has_prefix (run.err, "headlens-cli: "));
  if (expected != NULL && strstr (run.err, expected) == NULL)
    g_error ("“%s” does not contain “%s”", run.err, expected);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  hl_test_remove_tmp_dir (dir);
}

static void
assert_refused (const char *path,
                const char *expected)
{
  assert_refused_by ("info", path, NULL, expected);
  assert_refused_by ("analyze", path, NULL, expected);
}

/* The mutants of tests/data/hostile/: HDF5 crashed on them (global heap
 * reads of variable-length strings, attribute messages, closing), looped,
 * or grew to 8 GB. */
static void
test_stored_mutants (void)
{
  const char *names[] = {
    "heap-text-segv.h5", "heap-attribute-segv.h5", "attribute-exists-segv.h5",
    "close-abort.h5", "heap-text-memory.h5", "heap-text-memory-loop.h5",
  };
  g_autofree char *loop = g_build_filename (g_getenv ("HL_TEST_SRCDIR"), "data", "hostile",
                                            "heap-attribute-loop.h5", NULL);
  g_autofree char *cset = g_build_filename (g_getenv ("HL_TEST_SRCDIR"), "data", "hostile",
                                            "attribute-cset.h5", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (g_getenv ("HL_TEST_SRCDIR"), "data", "hostile",
                                                names[i], NULL);

      g_test_message ("%s", names[i]);
      assert_refused (path, NULL);
    }
  /* A string attribute of a reserved character set was read as text. */
  assert_refused (cset, "damaged");
  /* An endless loop in HDF5 is stopped by the probe's time limit. */
  assert_refused_by ("info", loop, NULL, "made no progress");
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

/* The folder of make-hostile.py's files, made once; NULL without h5py. */
static char *made_dir;

static char *
make_hostile (void)
{
  g_autofree char *script = g_build_filename (g_getenv ("HL_TEST_SRCDIR"), "robust",
                                              "make-hostile.py", NULL);
  char *dir;
  const char *argv[] = { PYTHON, script, NULL, NULL };
  g_autoptr(GError) error = NULL;
  int wait_status;

  if (!python_has_h5py ())
    return NULL;
  dir = hl_test_make_tmp_dir ();
  argv[2] = dir;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, NULL, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0);
  return dir;
}

static const char *
made_file (const char  *name,
           char       **path)
{
  if (made_dir == NULL)
    {
      g_test_skip ("/usr/bin/python3 has no h5py");
      return NULL;
    }
  *path = g_build_filename (made_dir, name, NULL);
  return *path;
}

typedef struct
{
  const char *name;
  const char *expected;
} HostileCase;

static void
test_made (gconstpointer data)
{
  const HostileCase *c = data;
  g_autofree char *path = NULL;

  if (made_file (c->name, &path) != NULL)
    assert_refused (path, c->expected);
}

static const HostileCase made_cases[] = {
  /* A 6 KB file whose never-written datasets claim 2^24 layers and heads:
   * analyze used to grow by 120 MB/s without end. */
  { "never-written.h5", "the file claims more data than it holds" },
  /* H5Lexists < 0 was read as "absent", and the file passed. */
  { "tokens-damaged.h5", "Could not read /tokens: the file is damaged" },
  /* External raw storage was read from anywhere: /etc/passwd as values,
   * a FIFO blocked forever; an external link to a FIFO too. */
  { "external-passwd.h5", "points at the external file “/etc/passwd”" },
  { "external-fifo.h5", "/pipe.bin”; Headlens follows external files only when asked" },
  { "elink-fifo.h5", "The external link /values points at the external file “pipe.h5”" },
  /* A virtual dataset whose source is gone read as zeros. */
  { "vds-missing.h5", "maps part of itself to raw, which is missing" },
  /* Valid files called damaged. */
  { "lzf.h5", "is encoded with LZF (HDF5 filter 32000)" },
  { "longdouble.h5", "holds 16-byte floats (80 bits of precision: x87 extended precision)" },
  /* A float type with a damaged exponent bias read every value as zero. */
  { "float-bias.h5", "Could not read /values: the file is damaged" },
  /* A chunk that inflates to 1.5 GiB grew the process by as much. */
  { "gzip-bomb.h5", "Could not read /values of layer 0, sample 0, kv head 0" },
};

/* --allow-external follows external storage beside the file, and still
 * refuses one that is not a regular file. */
static void
test_allow_external (void)
{
  g_autofree char *local = NULL;
  g_autofree char *fifo = NULL;
  g_autofree char *elink = NULL;
  g_auto(RobustRun) run = { 0 };

  if (made_file ("external-local.h5", &local) == NULL)
    return;
  made_file ("external-fifo.h5", &fifo);
  made_file ("elink-fifo.h5", &elink);
  assert_refused_by ("info", local, NULL, "points at the external file “values.bin”");
  robust_run (&run, "info", local, "--allow-external", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "every block is valid"));
  assert_refused_by ("info", fifo, "--allow-external", "which is not a regular file");
  assert_refused_by ("info", elink, "--allow-external", "which is not a regular file");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  robust_set_cli (argv[1]);

  g_test_add_func ("/hostile/stored-mutants", test_stored_mutants);
  for (guint i = 0; i < G_N_ELEMENTS (made_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/hostile/%s", made_cases[i].name);

      g_test_add_data_func (name, &made_cases[i], test_made);
    }
  g_test_add_func ("/hostile/allow-external", test_allow_external);
  made_dir = make_hostile ();
  status = g_test_run ();
  if (made_dir != NULL)
    hl_test_remove_tmp_dir (made_dir);
  g_free (made_dir);
  return status;
}
