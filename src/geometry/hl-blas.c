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

void
hl_blas_choose_kernels (char **argv)
{
  const char *core;

  g_return_if_fail (argv != NULL && argv[0] != NULL);

  if (g_getenv ("OPENBLAS_CORETYPE") != NULL
      || g_ascii_strcasecmp (openblas_get_corename (), FALLBACK_CORE) != 0
      || (core = core_for_this_processor ()) == NULL)
    return;
  g_setenv ("OPENBLAS_CORETYPE", core, TRUE);
#ifdef __linux__
  execv ("/proc/self/exe", argv);
#endif
  /* Not started again: the fallback kernels work, only slower. */
  g_unsetenv ("OPENBLAS_CORETYPE");
}
