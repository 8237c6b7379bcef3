/* hl-float16.h: exact conversions between IEEE 754 binary16 and float32.
 *
 * HDF5 1.10 converts float16 with its generic bit-by-bit routine
 * (H5T__conv_f_f), about 170 ns per number; these do the same conversions
 * with a few integer operations that the compiler vectorises, so the reader
 * and writer move raw 16-bit numbers through HDF5 and convert here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* Widens @n binary16 numbers (host byte order) to float32. Exact for every
 * input: zeros keep their sign, subnormals become normal floats, infinities
 * stay infinite and NaNs stay NaN with their sign and payload. */
void     hl_float16_to_float     (const uint16_t *in,
                                  float          *out,
                                  gsize           n);

/* hl_float16_to_float () that also tells, in the same pass, whether every
 * number is finite (TRUE: no infinity or NaN among the halves). */
gboolean hl_float16_to_float_finite (const uint16_t *in,
                                     float          *out,
                                     gsize           n);

/* Rounds @n float32 numbers to binary16 (host byte order), to nearest with
 * ties to even, as IEEE 754 requires; magnitudes from 65520 up become
 * infinities, NaNs stay NaN (quiet) with their sign. */
void     hl_float_to_float16     (const float    *in,
                                  uint16_t       *out,
                                  gsize           n);

/* Rounds @n float64 numbers to float32 (to nearest even; magnitudes that
 * round beyond FLT_MAX become infinities). Not binary16, but it belongs
 * with the other conversions the reader does itself. */
void     hl_float64_to_float     (const double   *in,
                                  float          *out,
                                  gsize           n);

/* TRUE when every one of @n float32 numbers is finite. */
gboolean hl_float_all_finite     (const float    *data,
                                  gsize           n);

G_END_DECLS
