/* hl-csv.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-csv.h"

#include <math.h>

void
hl_csv_append_value (GString *out,
                     double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_if_fail (out != NULL);

  if (!isnan (value))
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.9g", value));
}

void
hl_csv_append_number (GString *out,
                      double   value)
{
  g_return_if_fail (out != NULL);

  g_string_append_c (out, ',');
  hl_csv_append_value (out, value);
}

void
hl_csv_append_quoted (GString    *out,
                      const char *text)
{
  g_return_if_fail (out != NULL && text != NULL);

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}
