/* hl-settings-choice.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-settings-choice.h"

const char * const hl_ranking_choices[] = { "attention", "contribution", NULL };
const char * const hl_distance_choices[] = { "euclidean", "cosine", NULL };
const char * const hl_scope_choices[] = { "shown", "samples", "queries", "all", NULL };
const char * const hl_statistic_choices[] = { "mean", "iqr", NULL };

static gboolean
lookup_choice (const char * const *choices,
               const char         *str,
               guint              *index)
{
  for (guint i = 0; choices[i] != NULL; i++)
    if (g_str_equal (choices[i], str))
      {
        *index = i;
        return TRUE;
      }

  return FALSE;
}

static gboolean
choice_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  guint index;

  if (!lookup_choice (user_data, g_variant_get_string (variant, NULL), &index))
    return FALSE;

  g_value_set_uint (value, index);
  return TRUE;
}

static GVariant *
choice_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  const char * const *choices = user_data;
  guint index = g_value_get_uint (value);

  if (index >= g_strv_length ((char **) choices))
    return NULL;

  return g_variant_new_string (choices[index]);
}

void
hl_settings_bind_choice (GSettings          *settings,
                         const char         *key,
                         gpointer            object,
                         const char         *property,
                         const char * const *choices)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (choices != NULL);

  g_settings_bind_with_mapping (settings, key, object, property,
                                G_SETTINGS_BIND_DEFAULT,
                                choice_get_mapping, choice_set_mapping,
                                (gpointer) choices, NULL);
}
