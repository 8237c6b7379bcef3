/* test-blas.c: OpenBLAS's kernels for the processor. The program starts
 * itself through hl_blas_choose_kernels () as `headlens-cli analyze` does,
 * so on a processor with AVX2 its OpenBLAS never runs the Prescott
 * fallback (unless OPENBLAS_CORETYPE says so), OpenBLAS started no thread,
 * and the process kept its name; and the kernel family each set of
 * instructions gets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-blas.h"

#include <cblas.h>

static void
test_families (void)
{
  g_assert_cmpstr (hl_blas_core_for_features (TRUE, TRUE, TRUE), ==, "SkylakeX");
  g_assert_cmpstr (hl_blas_core_for_features (FALSE, TRUE, TRUE), ==, "Haswell");
  g_assert_cmpstr (hl_blas_core_for_features (FALSE, FALSE, TRUE), ==, "Sandybridge");
  g_assert_null (hl_blas_core_for_features (FALSE, FALSE, FALSE));
}

static void
test_this_process (void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  const char *set = g_getenv ("OPENBLAS_CORETYPE");

  g_test_message ("OpenBLAS kernels: %s", hl_blas_get_core ());
  if (__builtin_cpu_supports ("avx2") && (set == NULL || g_ascii_strcasecmp (set, "Prescott") != 0))
    g_assert_cmpstr (hl_blas_get_core (), !=, "Prescott");
#endif
}

/* Started single-threaded (unless the environment asked for threads):
 * OpenBLAS runs one thread and started none, so the process has only its
 * main thread, and it is still called by its own name, not "exe". */
static void
test_single_threaded (void)
{
  g_autofree char *comm = NULL;
  g_autoptr(GDir) tasks = NULL;
  int n_tasks = 0;

  if (g_strcmp0 (g_getenv ("OPENBLAS_NUM_THREADS"), "1") != 0)
    {
      g_test_skip ("OPENBLAS_NUM_THREADS was set to another number before the test started");
      return;
    }
  g_assert_cmpint (openblas_get_num_threads (), ==, 1);
#ifdef __linux__
  tasks = g_dir_open ("/proc/self/task", 0, NULL);
  g_assert_nonnull (tasks);
  while (g_dir_read_name (tasks) != NULL)
    n_tasks++;
  g_assert_cmpint (n_tasks, ==, 1);
  g_assert_true (g_file_get_contents ("/proc/self/comm", &comm, NULL, NULL));
  g_assert_cmpstr (g_strchomp (comm), ==, "test-blas");
#endif
}

int
main (int    argc,
      char **argv)
{
  hl_blas_choose_kernels (argv, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/blas/families", test_families);
  g_test_add_func ("/blas/this-process", test_this_process);
  g_test_add_func ("/blas/single-threaded", test_single_threaded);
  return g_test_run ();
}
