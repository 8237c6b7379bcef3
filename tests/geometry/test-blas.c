/* test-blas.c: OpenBLAS's kernels for the processor. The program starts
 * itself through hl_blas_choose_kernels () as headlens-cli does, so on a
 * processor with AVX2 its OpenBLAS never runs the Prescott fallback
 * (unless OPENBLAS_CORETYPE says so); and the kernel family each set of
 * instructions gets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-blas.h"

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

int
main (int    argc,
      char **argv)
{
  hl_blas_choose_kernels (argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/blas/families", test_families);
  g_test_add_func ("/blas/this-process", test_this_process);
  return g_test_run ();
}
