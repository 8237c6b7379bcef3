/* hl-number-format.h: numbers written as the CSV files write them, fast.
 *
 * The CSV files print every number with printf's "%.9g" in the C locale
 * (g_ascii_formatd ()), which is the largest single cost of writing them:
 * about 0.3 µs a number, and a paper-scale curves.csv has 1.5 million. A
 * float32 value (every number of curves.csv) of magnitude 1e-10 to 1e18 is
 * converted here exactly with 128-bit integers, to the same bytes; anything
 * else goes to g_ascii_formatd ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Large enough for any "%.9g" of a double ("-1.23456789e-308"). */
#define HL_FORMAT_G9_SIZE 32

/* Writes @value into @out exactly as g_ascii_formatd (out, size, "%.9g",
 * value) does; returns the length written (without the NUL). */
gsize hl_format_g9 (double value,
                    char   out[HL_FORMAT_G9_SIZE]);

G_END_DECLS
