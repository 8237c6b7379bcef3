/* hl-creation-time.h: when an output is made, as its files record it
 * (provenance.json's "created", a PDF's creation date).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Now in UTC as ISO 8601 ("2026-11-28T21:05:09Z"), or the time
 * SOURCE_DATE_EPOCH (seconds since 1970) names when it is set, as
 * reproducible builds do, so reruns give identical files. */
char *hl_creation_time (void);

G_END_DECLS
