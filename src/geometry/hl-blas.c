/* hl-blas.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-blas.h"

#include <cblas.h>
#include <string.h>
#include <unistd.h>

/* What OpenBLAS 0.3.21 uses for a processor model it does not know. */
#define FALLBACK_CORE "Prescott"

const char *
hl_blas_core_for_features (gboolean avx512,
                           gboolean avx2_fma,
                           gboolean avx)
{
  if (avx512)
    return "SkylakeX";
  if (avx2_fma)
    return "Haswell";
  if (avx)
    return "Sandybridge";
  return NULL;
}

const char *
hl_blas_get_core (void)
{
  return openblas_get_corename ();
}

static const char *
core_for_this_processor (void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init ();
  return hl_blas_core_for_features (__builtin_cpu_supports ("avx512f")
                                    && __builtin_cpu_supports ("avx512cd")
                                    && __builtin_cpu_supports ("avx512bw")
                                    && __builtin_cpu_supports ("avx512dq")
                                    && __builtin_cpu_supports ("avx512vl"),
                                    __builtin_cpu_supports ("avx2")
                                    && __builtin_cpu_supports ("fma"),
                                    __builtin_cpu_supports ("avx"));
#else
  return NULL;
#endif
}

/* Whether OpenBLAS should have loaded with another coretype than it did. */
static const char *
core_to_set (void)
{
  if (g_getenv ("OPENBLAS_CORETYPE") != NULL
      || g_ascii_strcasecmp (openblas_get_corename (), FALLBACK_CORE) != 0)
    return NULL;
  return core_for_this_processor ();
}

void
hl_blas_choose_kernels (char   **argv,
                        gboolean single_threaded)
{
  const char *core = core_to_set ();
  gboolean threads = single_threaded && g_getenv ("OPENBLAS_NUM_THREADS") == NULL;

  g_return_if_fail (argv != NULL && argv[0] != NULL);

  if (core == NULL && !threads)
    return;
  if (core != NULL)
    g_setenv ("OPENBLAS_CORETYPE", core, TRUE);
  if (threads)
    g_setenv ("OPENBLAS_NUM_THREADS", "1", TRUE);
#ifdef __linux__
  {
    /* The program's own path, not /proc/self/exe, so that its process
     * keeps its name ("exe" otherwise, in ps, top and perf). */
    g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

    if (self != NULL)
      execv (self, argv);
    execv ("/proc/self/exe", argv);
  }
#endif
  /* Not started again: the fallback kernels and OpenBLAS's threads work,
   * only slower. */
  if (core != NULL)
    g_unsetenv ("OPENBLAS_CORETYPE");
  if (threads)
    g_unsetenv ("OPENBLAS_NUM_THREADS");
}
