/* hl-float16.c: exact conversions between IEEE 754 binary16 and float32.
 *
 * Each number goes through the same branch-free sequence of integer and
 * float operations, with the cases selected by comparisons, so that the
 * loops over groups of GROUP numbers vectorise at -O2 (the compiler's cheap
 * cost model only vectorises loops whose trip count it knows).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-float16.h"

#include <math.h>
#include <string.h>

#define GROUP 16

static inline uint32_t
float_bits (float f)
{
  uint32_t u;

  memcpy (&u, &f, sizeof u);
  return u;
}

static inline float
bits_float (uint32_t u)
{
  float f;

  memcpy (&f, &u, sizeof f);
  return f;
}

/* binary16 has 5 exponent bits (bias 15) and 10 mantissa bits; float32 has
 * 8 (bias 127) and 23. A normal half becomes a float by moving its exponent
 * and mantissa up 13 bits and adding 127 - 15 to the exponent; a subnormal
 * half is its 10-bit integer times 2^-24, which a float holds exactly; an
 * infinity or NaN keeps its mantissa under an all-ones exponent. */
static inline float
half_to_float (uint16_t h)
{
  uint32_t sign = (uint32_t) (h & 0x8000) << 16;
  uint32_t em = h & 0x7fff;
  uint32_t normal = (em << 13) + ((uint32_t) (127 - 15) << 23);
  uint32_t special = (em << 13) | 0x7f800000;
  uint32_t subnormal = float_bits ((float) em * 0x1p-24f);
  /* All-ones masks rather than branches or ?:, which GCC 12 does not
   * if-convert here. */
  uint32_t is_special = -(uint32_t) (em >= 0x7c00);
  uint32_t is_normal = -(uint32_t) (em >= 0x0400) & ~is_special;
  uint32_t is_subnormal = ~(is_special | is_normal);

  return bits_float (sign | (special & is_special) | (normal & is_normal)
                     | (subnormal & is_subnormal));
}

/* Compiled for AVX2 and for the x86-64 baseline, the right one picked at
 * load time: with AVX2 the integer operations of a group take half the
 * instructions. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HL_VECTOR_CLONES __attribute__ ((target_clones ("avx2", "default")))
#else
#define HL_VECTOR_CLONES
#endif

HL_VECTOR_CLONES
static gboolean
widen_plain (const uint16_t *in,
             float          *out,
             gsize           n)
{
  uint32_t special = 0;
  gsize i = 0;

  /* A half is an infinity or a NaN when its exponent bits are all ones; the
   * test rides along with the conversion instead of a second pass over the
   * floats. */
  for (; i + GROUP <= n; i += GROUP)
    for (int j = 0; j < GROUP; j++)
      {
        out[i + j] = half_to_float (in[i + j]);
        special |= (uint32_t) ((in[i + j] & 0x7c00) == 0x7c00);
      }
  for (; i < n; i++)
    {
      out[i] = half_to_float (in[i]);
      special |= (uint32_t) ((in[i] & 0x7c00) == 0x7c00);
    }
  return special == 0;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_F16C_LOOP 1

/* HEADLENS_NO_AVX2 in the environment forces the plain loop, so that the
 * tests run it on a machine that has F16C. */
static gboolean
cpu_has_f16c (void)
{
  static gsize answer = 0;  /* 1: no, 2: yes */

  if (g_once_init_enter (&answer))
    g_once_init_leave (&answer, __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("f16c")
                                && g_getenv ("HEADLENS_NO_AVX2") == NULL ? 2 : 1);
  return answer == 2;
}

/* widen_plain () with the processor's conversion (vcvtph2ps, exact for
 * every finite half, subnormals included), sixteen halves at a time, about
 * eight times faster. Infinities and NaNs are only detected: a block that
 * holds one is widened again by widen_plain (), so that NaN payloads keep
 * its bits too. */
__attribute__ ((target ("avx2,f16c")))
static gboolean
widen_f16c (const uint16_t *in,
            float          *out,
            gsize           n)
{
  const __m256i exponent = _mm256_set1_epi16 (0x7c00);
  __m256i special = _mm256_setzero_si256 ();
  gboolean finite;
  gsize i = 0;

  for (; i + 16 <= n; i += 16)
    {
      __m256i h = _mm256_loadu_si256 ((const __m256i *) (in + i));

      _mm256_storeu_ps (out + i, _mm256_cvtph_ps (_mm256_castsi256_si128 (h)));
      _mm256_storeu_ps (out + i + 8, _mm256_cvtph_ps (_mm256_extracti128_si256 (h, 1)));
      special = _mm256_or_si256 (special,
                                 _mm256_cmpeq_epi16 (_mm256_and_si256 (h, exponent), exponent));
    }
  finite = _mm256_testz_si256 (special, special) && widen_plain (in + i, out + i, n - i);
  return finite || widen_plain (in, out, n);
}
#endif

gboolean
hl_float16_to_float_finite (const uint16_t *in,
                            float          *out,
                            gsize           n)
{
#ifdef HAVE_F16C_LOOP
  if (cpu_has_f16c ())
    return widen_f16c (in, out, n);
#endif
  return widen_plain (in, out, n);
}

void
hl_float16_to_float (const uint16_t *in,
                     float          *out,
                     gsize           n)
{
  hl_float16_to_float_finite (in, out, n);
}

/* The magnitude of a finite float below 2^-14 (the smallest normal half),
 * rounded to a multiple of 2^-24: adding 0.5 leaves exactly 24 bits below
 * the binary point, so the FPU rounds to nearest even once, and the low
 * bits of the sum are the half's bits (0x400 when it rounds up to the
 * smallest normal). */
static inline uint32_t
round_subnormal (uint32_t magnitude)
{
  return float_bits (bits_float (magnitude) + 0.5f) - float_bits (0.5f);
}

/* A normal half: drop 13 mantissa bits, rounding to nearest even by adding
 * just under half a unit plus the lowest kept bit (a carry into the
 * exponent is the right result), then rebias the exponent. */
static inline uint32_t
round_normal (uint32_t magnitude)
{
  uint32_t rounded = magnitude + 0xfff + ((magnitude >> 13) & 1);

  return (rounded - ((uint32_t) (127 - 15) << 23)) >> 13;
}

static inline uint16_t
float_to_half (float f)
{
  uint32_t x = float_bits (f);
  uint32_t sign = (x >> 16) & 0x8000;
  uint32_t ax = x & 0x7fffffff;
  uint32_t nan = 0x7e00 | ((ax >> 13) & 0x3ff);
  uint32_t magnitude;

  /* 0x477ff000 is 65520, halfway between the largest half (65504) and
   * 65536: from there on, ties to even round up to infinity. */
  if (ax > 0x7f800000)
    magnitude = nan;
  else if (ax >= 0x477ff000)
    magnitude = 0x7c00;
  else if (ax >= 0x38800000)
    magnitude = round_normal (ax);
  else
    magnitude = round_subnormal (ax);
  return (uint16_t) (sign | magnitude);
}

void
hl_float_to_float16 (const float *in,
                     uint16_t    *out,
                     gsize        n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = float_to_half (in[i]);
}

void
hl_float64_to_float (const double *in,
                     float        *out,
                     gsize         n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = (float) in[i];
}

gboolean
hl_float_all_finite (const float *data,
                     gsize        n)
{
  gsize i = 0;

  /* NaN fails every comparison, so !(|x| <= FLT_MAX) catches it too. */
  for (; i + GROUP <= n; i += GROUP)
    {
      int bad = 0;

      for (int j = 0; j < GROUP; j++)
        bad |= !(fabsf (data[i + j]) <= G_MAXFLOAT);
      if (bad)
        return FALSE;
    }
  for (; i < n; i++)
    if (!(fabsf (data[i]) <= G_MAXFLOAT))
      return FALSE;
  return TRUE;
}
