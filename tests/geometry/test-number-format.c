/* test-number-format.c: hl_format_g9 () writes every number exactly as
 * g_ascii_formatd ("%.9g") does: floats drawn over all their exponents and
 * over the fast path's range, every float next to a power of ten, doubles
 * that are not floats, zeros, infinities and NaN. (No float lies exactly
 * halfway between two numbers of nine digits: such a number has a factor
 * 5^j and at least 27 significant bits.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-number-format.h"

#include <math.h>
#include <string.h>

static void
check (double value)
{
  char expected[G_ASCII_DTOSTR_BUF_SIZE];
  char found[HL_FORMAT_G9_SIZE];
  gsize n = hl_format_g9 (value, found);

  g_ascii_formatd (expected, sizeof expected, "%.9g", value);
  if (strcmp (expected, found) != 0 || n != strlen (expected))
    g_error ("%a: “%s”, expected “%s”", value, found, expected);
}

static guint64
next (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static float
float_of_bits (guint32 bits)
{
  float f;

  memcpy (&f, &bits, sizeof f);
  return f;
}

static void
test_random_floats (void)
{
  guint64 state = 42;

  for (int i = 0; i < 2000000; i++)
    {
      /* Any bit pattern: every exponent, NaN and infinities included. */
      check (float_of_bits ((guint32) next (&state)));
      /* Magnitudes of the fast path, mostly. */
      check ((float) (exp ((double) (next (&state) >> 11) * 0x1.0p-53 * 66.0 - 26.0)
                      * ((next (&state) & 1) ? 1.0 : -1.0)));
    }
}

/* Floats just around 10^k, where the first digit's exponent changes, and
 * around the rounding points of nine digits. */
static void
test_powers_of_ten (void)
{
  for (int k = -12; k <= 19; k++)
    {
      float p = (float) pow (10.0, k);
      guint32 bits;

      memcpy (&bits, &p, sizeof bits);
      for (int d = -2000; d <= 2000; d++)
        {
          check (float_of_bits (bits + d));
          check (-float_of_bits (bits + d));
        }
    }
}

static void
test_others (void)
{
  const double values[] = { 0.0, -0.0, 1.0, -1.0, 0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-300, 1e300,
                            INFINITY, -INFINITY, NAN, 123456789.0, 999999999.5, 9.999999995,
                            0.0001, 0.00001, 99999.99995, 1e9, 1e-10, 1e18, 5e-324 };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      check (values[i]);
      check (-values[i]);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/number-format/random-floats", test_random_floats);
  g_test_add_func ("/number-format/powers-of-ten", test_powers_of_ten);
  g_test_add_func ("/number-format/others", test_others);
  return g_test_run ();
}
