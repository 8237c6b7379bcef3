/* hl-number-format.c
 *
 * For a float32 value x = m 2^e and the decimal exponent k of its first
 * digit, the nine significant digits are N = round (x 10^(8 - k)), an
 * integer in [10^8, 10^9]; with x = m 2^e and 10^p = 5^p 2^p, that is a
 * product and a shift of integers below 2^128 when 1e-10 <= x < 1e18, so
 * it is exact, and rounding is to nearest (with ties to even, as glibc's
 * printf does, although no float lies halfway between two numbers of nine
 * digits).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-number-format.h"

#include <math.h>
#include <string.h>

typedef unsigned __int128 Wide;

#define DIGITS     9
#define LOW        100000000u   /* 10^8 */
#define HIGH       1000000000u  /* 10^9 */
#define FAST_MIN   1e-10
#define FAST_MAX   1e18

/* 5^p for the p of the fast path (5^27 < 2^63). */
static const guint64 pow5[] = {
  1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125, 9765625, 48828125, 244140625,
  1220703125, 6103515625, 30517578125, 152587890625, 762939453125, 3814697265625,
  19073486328125, 95367431640625, 476837158203125, 2384185791015625, 11920928955078125,
  59604644775390625, 298023223876953125, 1490116119384765625, 7450580596923828125,
};

static Wide
power_of_five (int p)
{
  g_assert (p >= 0 && p < (int) G_N_ELEMENTS (pow5));
  return pow5[p];
}

/* floor (x 10^p) and whether the rest is nothing, below, at or above one
 * half (-2, -1, 0, 1), for x = m 2^e. */
static guint64
scaled (guint32  m,
        int      e,
        int      p,
        int     *rest)
{
  Wide a, one, r;
  int shift;

  if (p < 0)
    {
      /* x >= 1e9 > 2^24, so e > 0: x / 10^-p, with 10^-p = 5^-p 2^-p. */
      Wide ten = power_of_five (-p) << -p, q;

      a = (Wide) m << e;
      q = a / ten;
      r = a - q * ten;
      *rest = r == 0 ? -2 : r * 2 < ten ? -1 : r * 2 == ten ? 0 : 1;
      return (guint64) q;
    }
  a = (Wide) m * power_of_five (p);
  shift = e + p;
  if (shift >= 0)
    {
      *rest = -2;
      return (guint64) (a << shift);
    }
  one = (Wide) 1 << -shift;
  r = a & (one - 1);
  *rest = r == 0 ? -2 : r < one / 2 ? -1 : r == one / 2 ? 0 : 1;
  return (guint64) (a >> -shift);
}

/* The nine digits N and the exponent k of x = m 2^e, 2^(e + 23) <= x. */
static void
nine_digits (guint32  m,
             int      e,
             guint32 *digits,
             int     *k)
{
  /* floor (log10 x) or one less: 0.30103 < log10 (2). */
  int exponent = (int) floor ((e + 23) * 0.30102999566398114);
  guint64 n;
  int rest;

  /* The estimate is corrected by the exact floor. */
  for (;;)
    {
      n = scaled (m, e, DIGITS - 1 - exponent, &rest);
      if (n >= HIGH)
        exponent++;
      else if (n < LOW)
        exponent--;
      else
        break;
    }
  if (rest > 0 || (rest == 0 && (n & 1)))
    n++;
  if (n == HIGH)
    {
      n = LOW;
      exponent++;
    }
  *digits = (guint32) n;
  *k = exponent;
}

static gsize
write_scientific (char    *out,
                  guint32  digits,
                  int      k)
{
  char text[DIGITS];
  gsize n = 0;
  int last = DIGITS - 1;

  for (int i = DIGITS - 1; i >= 0; i--, digits /= 10)
    text[i] = (char) ('0' + digits % 10);
  while (last > 0 && text[last] == '0')
    last--;
  out[n++] = text[0];
  if (last > 0)
    {
      out[n++] = '.';
      memcpy (out + n, text + 1, last);
      n += last;
    }
  out[n++] = 'e';
  out[n++] = k < 0 ? '-' : '+';
  k = ABS (k);
  if (k >= 100)
    out[n++] = (char) ('0' + k / 100);
  out[n++] = (char) ('0' + k / 10 % 10);
  out[n++] = (char) ('0' + k % 10);
  return n;
}

/* -4 <= k < 9: digits with the point after the first k + 1. */
static gsize
write_fixed (char    *out,
             guint32  digits,
             int      k)
{
  char text[DIGITS];
  gsize n = 0;
  int last = DIGITS - 1;

  for (int i = DIGITS - 1; i >= 0; i--, digits /= 10)
    text[i] = (char) ('0' + digits % 10);
  while (last > k && last > 0 && text[last] == '0')
    last--;
  if (k < 0)
    {
      out[n++] = '0';
      out[n++] = '.';
      for (int i = 0; i < -k - 1; i++)
        out[n++] = '0';
      memcpy (out + n, text, last + 1);
      return n + last + 1;
    }
  memcpy (out, text, k + 1);
  n = k + 1;
  if (last > k)
    {
      out[n++] = '.';
      memcpy (out + n, text + k + 1, last - k);
      n += last - k;
    }
  return n;
}

gsize
hl_format_g9 (double value,
              char   out[HL_FORMAT_G9_SIZE])
{
  double magnitude = fabs (value);
  float f = (float) value;
  gsize n = 0;
  guint32 digits, bits, m;
  int k, e;

  if (value == 0.0)
    return (gsize) g_snprintf (out, HL_FORMAT_G9_SIZE, signbit (value) ? "-0" : "0");
  if (!((double) f == value && magnitude >= FAST_MIN && magnitude < FAST_MAX))
    {
      g_ascii_formatd (out, HL_FORMAT_G9_SIZE, "%.9g", value);
      return strlen (out);
    }
  /* |f| = m 2^e with 2^23 <= m < 2^24: every float of this range is
   * normal. */
  memcpy (&bits, &f, sizeof bits);
  m = (bits & 0x7fffff) | 0x800000;
  e = (int) ((bits >> 23) & 0xff) - 150;
  nine_digits (m, e, &digits, &k);
  if (value < 0)
    out[n++] = '-';
  n += k < -4 || k >= DIGITS ? write_scientific (out + n, digits, k)
                             : write_fixed (out + n, digits, k);
  out[n] = '\0';
  return n;
}
