/* test-float16-finite.c: hl_float16_to_float_finite () widens exactly like
 * hl_float16_to_float () and reports infinities and NaNs, wherever they are
 * in a block: inside a vector group, in the scalar tail, alone or several.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-float16.h"

#include <string.h>

#define LENGTH 21 /* two groups of eight and a tail of five */

static uint32_t
bits_of (float f)
{
  uint32_t u;

  memcpy (&u, &f, sizeof u);
  return u;
}

static gboolean
is_special (uint16_t h)
{
  return (h & 0x7c00) == 0x7c00;
}

/* Every half pattern at a position of a block of ones (0x3c00): the flag
 * says whether it is finite, and every output has the bits of the plain
 * widening, one half at a time. */
static void
test_every_pattern (void)
{
  static const int positions[] = { 0, 5, 15, 16, 20 };

  for (guint p = 0; p < G_N_ELEMENTS (positions); p++)
    for (uint32_t pattern = 0; pattern <= 0xffff; pattern++)
      {
        uint16_t in[LENGTH];
        float out[LENGTH];

        for (int i = 0; i < LENGTH; i++)
          in[i] = 0x3c00;
        in[positions[p]] = (uint16_t) pattern;
        g_assert_cmpint (hl_float16_to_float_finite (in, out, LENGTH), ==,
                         !is_special ((uint16_t) pattern));
        for (int i = 0; i < LENGTH; i++)
          {
            float one;

            hl_float16_to_float (&in[i], &one, 1);
            g_assert_cmphex (bits_of (out[i]), ==, bits_of (one));
          }
      }
}

/* Two specials in different groups, and blocks shorter than a group. */
static void
test_several_and_short (void)
{
  uint16_t in[LENGTH] = { 0 };
  float out[LENGTH];

  in[3] = 0x7c00;
  in[18] = 0xfe01;
  g_assert_false (hl_float16_to_float_finite (in, out, LENGTH));
  g_assert_true (hl_float16_to_float_finite (in, out, 3));
  g_assert_false (hl_float16_to_float_finite (in, out, 4));
  g_assert_true (hl_float16_to_float_finite (in, out, 0));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/float16/finite/every-pattern", test_every_pattern);
  g_test_add_func ("/float16/finite/several-and-short", test_several_and_short);
  return g_test_run ();
}
