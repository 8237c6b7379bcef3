/* hl-causal-csv.c: the tables of hl_causal_result_to_csv (). Numbers go
 * through g_ascii_formatd () so the decimal point is '.' in every locale.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-experiment.h"

static void
append_number (GString *out,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.9g", value));
}

static void
truncate_csv (const HlCausalResult *r,
              GString              *out)
{
  g_string_append (out, "layer,head,mode,ranking,n,nll,delta_nll\n");
  for (guint i = 0; i < r->truncate->len; i++)
    {
      const HlTruncateRow *row = &g_array_index (r->truncate, HlTruncateRow, i);

      g_string_append_printf (out, "%d,%d,%s,%s,", row->target.layer, row->target.head,
                              hl_truncate_mode_to_string (row->mode), hl_ranking_to_string (row->ranking));
      if (row->n < 0)
        g_string_append (out, "all");
      else
        g_string_append_printf (out, "%d", row->n);
      append_number (out, row->nll);
      append_number (out, row->delta_nll);
      g_string_append_c (out, '\n');
    }
}

static void
ablate_csv (const HlCausalResult *r,
            GString              *out)
{
  g_string_append (out, "layer,head,mode,nll,delta_nll\n");
  for (guint i = 0; i < r->ablate->len; i++)
    {
      const HlAblateRow *row = &g_array_index (r->ablate, HlAblateRow, i);

      g_string_append_printf (out, "%d,%d,%s", row->target.layer, row->target.head,
                              hl_ablate_mode_to_string (row->mode));
      append_number (out, row->nll);
      append_number (out, row->delta_nll);
      g_string_append_c (out, '\n');
    }
}

static void
sparsify_csv (const HlCausalResult *r,
              GString              *out)
{
  g_string_append (out, "policy,mode,fraction,n_pruned,repeats,nll,delta_nll,delta_nll_sd,delta_nll_min,delta_nll_max\n");
  for (guint i = 0; i < r->sparsify->len; i++)
    {
      const HlSparsifyRow *row = &g_array_index (r->sparsify, HlSparsifyRow, i);

      g_string_append_printf (out, "%s,%s", hl_prune_policy_to_string (row->policy),
                              hl_ablate_mode_to_string (row->mode));
      append_number (out, row->fraction);
      g_string_append_printf (out, ",%d,%d", row->n_pruned, row->repeats);
      append_number (out, row->nll);
      append_number (out, row->delta_nll);
      append_number (out, row->delta_sd);
      append_number (out, row->delta_min);
      append_number (out, row->delta_max);
      g_string_append_c (out, '\n');
    }
}

char *
hl_causal_result_to_csv (const HlCausalResult *result)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (result != NULL, NULL);

  switch (result->experiment)
    {
    case HL_CAUSAL_TRUNCATE:
      truncate_csv (result, out);
      break;
    case HL_CAUSAL_ABLATE:
      ablate_csv (result, out);
      break;
    case HL_CAUSAL_SPARSIFY:
      sparsify_csv (result, out);
      break;
    default:
      g_assert_not_reached ();
    }
  return g_string_free (out, FALSE);
}

