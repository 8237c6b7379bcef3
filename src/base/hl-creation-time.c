/* hl-creation-time.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-creation-time.h"

char *
hl_creation_time (void)
{
  const char *epoch = g_getenv ("SOURCE_DATE_EPOCH");
  g_autoptr(GDateTime) time = NULL;

  if (epoch != NULL && epoch[0] != '\0')
    time = g_date_time_new_from_unix_utc (g_ascii_strtoll (epoch, NULL, 10));
  if (time == NULL)
    time = g_date_time_new_now_utc ();
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}
