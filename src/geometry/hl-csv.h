/* hl-csv.h: the fields of Headlens's CSV files, written one way everywhere:
 * numbers with %.9g in the C locale (float32 values round-trip), an
 * undefined number as an empty field (NA in pandas and R), and text in
 * double quotes with inner quotes doubled (RFC 4180).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @value, or nothing for NaN. */
void hl_csv_append_value  (GString    *out,
                           double      value);
/* A comma, then @value as hl_csv_append_value (). */
void hl_csv_append_number (GString    *out,
                           double      value);
/* @text in double quotes, a quote inside doubled, so its commas stay in
 * one field. */
void hl_csv_append_quoted (GString    *out,
                           const char *text);

G_END_DECLS
