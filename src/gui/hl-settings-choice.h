/* hl-settings-choice.h: binds a string key with <choices> to the "selected"
 * index of a drop-down or combo row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The schema's <choices>, in the order of HlRanking and HlDistance. */
extern const char * const hl_ranking_choices[];
extern const char * const hl_distance_choices[];
extern const char * const hl_scope_choices[];
extern const char * const hl_statistic_choices[];

/* @choices (NULL-terminated, static) lists the key's values in the order of
 * the widget's items; @property is a guint property such as "selected". */
void hl_settings_bind_choice (GSettings          *settings,
                              const char         *key,
                              gpointer            object,
                              const char         *property,
                              const char * const *choices);

G_END_DECLS
