/* hl-cli-info.c: `headlens-cli info FILE`, describes and validates an
 * activation file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli.h"

#include "hl-activations.h"

#include <glib/gi18n.h>
#include <stdio.h>

static char *
format_queries (const HlActivationsInfo *info)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (int q = 0; q < info->n_queries; q++)
    {
      if (q == 12 && info->n_queries > 16)
        {
          g_string_append_printf (text, ", … (%d more), %d", info->n_queries - 13,
                                  info->query_positions[info->n_queries - 1]);
          break;
        }
      g_string_append_printf (text, q > 0 ? ", %d" : "%d", info->query_positions[q]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
format_kv_mapping (const HlActivationsInfo *info)
{
  int group = info->n_heads / info->n_kv_heads;
  g_autoptr(GString) text = NULL;
  gboolean is_default = TRUE;

  for (int h = 0; h < info->n_heads; h++)
    is_default = is_default && info->kv_head_of[h] == h / group;
  if (is_default && group == 1)
    return g_strdup (_("one kv head per query head"));
  if (is_default)
    return g_strdup_printf (_("default, query head h reads kv head h / %d"), group);

  text = g_string_new (_("explicit (query head → kv head):"));
  for (int h = 0; h < info->n_heads; h++)
    g_string_append_printf (text, " %d→%d", h, info->kv_head_of[h]);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
print_info (HlActivations *acts)
{
  const HlActivationsInfo *info = hl_activations_get_info (acts);
  g_autofree char *queries = format_queries (info);
  g_autofree char *mapping = format_kv_mapping (info);

  printf (_("File:        %s\n"), hl_activations_get_path (acts));
  printf (_("Model:       %s\n"), info->model[0] != '\0' ? info->model : _("(not recorded)"));
  printf (_("Source:      %s\n"), info->source != NULL ? info->source : _("(not recorded)"));
  printf (_("Shape:       %d layers, %d heads, %d kv heads, head_dim %d, seq_len %d\n"),
          info->n_layers, info->n_heads, info->n_kv_heads, info->head_dim, info->seq_len);
  printf (_("Samples:     %d\n"), info->n_samples);
  printf (_("Queries:     %d at positions %s\n"), info->n_queries, queries);
  printf (_("Dtypes:      values %s, attention %s\n"),
          hl_dtype_to_string (info->values_dtype), hl_dtype_to_string (info->attention_dtype));
  printf (_("KV mapping:  %s\n"), mapping);
  printf (_("Tokens:      ids %s, texts %s\n"),
          info->has_token_ids ? _("present") : _("absent"),
          info->has_token_texts ? _("present") : _("absent"));
}

static int
run_info (const char *path,
          gboolean    allow_external)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) acts = hl_activations_open_full (
    path, allow_external ? HL_ACTIVATIONS_OPEN_ALLOW_EXTERNAL : HL_ACTIVATIONS_OPEN_DEFAULT,
    &error);
  GPtrArray *warnings;

  if (acts == NULL)
    return hl_cli_fail (error);
  print_info (acts);
  if (!hl_activations_validate_all (acts, &error))
    {
      printf (_("Validation:  failed\n"));
      return hl_cli_fail (error);
    }
  warnings = hl_activations_get_warnings (acts);
  if (warnings->len == 0)
    printf (_("Validation:  every block is valid, no warnings\n"));
  else
    printf (g_dngettext (GETTEXT_PACKAGE, "Validation:  every block is valid, %u warning:\n",
                         "Validation:  every block is valid, %u warnings:\n", warnings->len),
            warnings->len);
  for (guint i = 0; i < warnings->len; i++)
    printf ("  %s\n", (const char *) warnings->pdata[i]);
  return 0;
}

int
hl_cli_info (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean allow_external = FALSE;
  const GOptionEntry entries[] = {
    HL_CLI_ALLOW_EXTERNAL_ENTRY (&allow_external),
    { NULL }
  };

  context = hl_cli_context_new ("info", _("FILE"),
    _("Prints the model, shape, dtypes, samples, query positions, kv head mapping and "
      "token presence of an activation file, then reads every block to validate it and "
      "lists any warnings. Exits with status 1 when the file is not valid."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hl_cli_fail_usage (error);
  if (argc != 2)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("expected one activation file, found %d arguments"), argc - 1);
      return hl_cli_fail_usage (error);
    }
  return run_info (argv[1], allow_external);
}
