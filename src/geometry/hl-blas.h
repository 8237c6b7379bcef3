/* hl-blas.h: OpenBLAS's kernels chosen for the processor it runs on.
 *
 * An OpenBLAS built for many processors (DYNAMIC_ARCH, as Debian's is)
 * picks its kernels from the processor's model number when it loads. A
 * model newer than the library (Debian 12 ships 0.3.21, which predates
 * Intel's Sapphire and Emerald Rapids, for example) falls back to the
 * kernels of a Pentium 4 ("Prescott", SSE3): SGEMM runs at a third of its
 * speed. OpenBLAS reads OPENBLAS_CORETYPE (and its number of threads) only
 * as it loads, so the program starts itself again with it set.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The newest OpenBLAS 0.3.21 kernel family a processor with these
 * instruction sets runs ("SkylakeX" for AVX-512 F, CD, BW, DQ and VL,
 * "Haswell" for AVX2 and FMA, "Sandybridge" for AVX), or NULL. */
const char *hl_blas_core_for_features (gboolean avx512,
                                       gboolean avx2_fma,
                                       gboolean avx);

/* The kernel family this process's OpenBLAS uses (its own name for it). */
const char *hl_blas_get_core          (void);

/* Call first in main (), with main ()'s @argv. Sets, where the
 * environment does not already, what OpenBLAS reads only as it loads, and
 * then executes the program again (so this returns only when nothing is to
 * be done, or that failed):
 * - OPENBLAS_CORETYPE, when OpenBLAS fell back to Prescott's kernels on a
 *   processor that runs better ones;
 * - with @single_threaded, OPENBLAS_NUM_THREADS=1, for a program that
 *   parallelises over heads itself (`headlens-cli analyze`): otherwise
 *   OpenBLAS starts a thread per core as it loads, and each polls for its
 *   first 0.1 s (2^28 cycles) at normal priority, taking that much CPU
 *   from the analysis's workers. */
void        hl_blas_choose_kernels    (char   **argv,
                                       gboolean single_threaded);

G_END_DECLS
