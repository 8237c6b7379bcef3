/* hl-analysis-memory.c: an upper bound of the memory an analysis holds, so
 * that one whose results cannot fit is refused before it starts instead of
 * growing until the machine swaps.
 *
 * The bound adds what the run holds at its peak: the queued head blocks,
 * each worker's scratch memory, every result (curves, diagnostics, the
 * regime's reason), the model summary, and the text of the CSV files
 * written from them (the CLI holds all three at once). Sizes per item are
 * measured ones rounded up, with the allocator's overhead.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-analysis.h"
#include "hl-distance-gemm.h"

#include <glib/gi18n.h>

/* Per result: the HlHeadResult, its curve set and grid, the alignment
 * arrays' headers, the reason, and malloc's overhead on each. */
#define RESULT_BASE_BYTES    1024
/* Bytes of CSV text per curves.csv row and per heads.csv row (the longest
 * rows written, numbers at full width, the quoted reason). */
#define CURVES_ROW_BYTES     160
#define HEADS_ROW_BYTES      640

static int
count_bits (guint mask)
{
  int n = 0;

  for (; mask != 0; mask &= mask - 1)
    n++;
  return n;
}

static guint64
grid_size (const HlHeadAnalysisOptions *head,
           int                          n_keys)
{
  int n = 0;

  switch (head->grid_kind)
    {
    case HL_GRID_ALL:
      return n_keys;
    case HL_GRID_LIST:
      return MIN (head->n_grid_list, n_keys);
    case HL_GRID_POW2:
    default:
      for (int v = 1; v < n_keys; v *= 2)
        n++;
      return n + 1;
    }
}

/* Each worker's scratch for the longest head: the separability kernel's
 * workspace, the diagnostics' norms, the rankings' keys. */
static guint64
worker_bytes (const HlActivationsInfo     *info,
              const HlHeadAnalysisOptions *head,
              guint64                      n_grid)
{
  int n_keys = info->query_positions[info->n_queries - 1] + 1;
  HlSeparabilityOptions sep = {
    .n_grid = (int) MIN (n_grid, G_MAXINT), .rankings = head->rankings,
    .distances = head->distances, .repeats = head->repeats,
  };

  return hl_separability_workspace_bytes (n_keys, info->head_dim, &sep)
         + (guint64) n_keys * (8 + 16 + 4 + 4) + (guint64) info->head_dim * 8 + (1 << 20);
}

static guint64
queue_bytes (const HlActivationsInfo *info,
             int                      threads)
{
  guint64 capacity = 2 * (guint64) threads + 2;
  guint64 attention = (guint64) info->n_queries * info->seq_len * sizeof (float);
  /* A converted block also holds its panels for the distance GEMM, as
   * many floats again (rounded up to HL_PANEL_KEYS keys). */
  guint64 values = (guint64) info->seq_len * info->head_dim * (2 * sizeof (float) + 8)
                   + (guint64) HL_PANEL_KEYS * info->head_dim * sizeof (float);

  return capacity * attention + (capacity + threads + 1) * values;
}

guint64
hl_analysis_estimate_memory (HlActivations           *file,
                             const HlAnalysisOptions *options)
{
  const HlActivationsInfo *info;
  const HlHeadAnalysisOptions *head;
  int threads, n_layers, n_heads, n_samples;
  guint64 n_results, n_grid, curves, per_result, text;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (file), 0);
  g_return_val_if_fail (options != NULL, 0);

  info = hl_activations_get_info (file);
  head = &options->head;
  threads = options->threads > 0 ? options->threads : (int) g_get_num_processors ();
  n_layers = options->layers != NULL ? options->n_layers : info->n_layers;
  n_heads = options->heads != NULL ? options->n_heads : info->n_heads;
  n_samples = options->samples != NULL ? options->n_samples : info->n_samples;
  n_results = (guint64) n_layers * n_heads * n_samples * info->n_queries;
  n_grid = grid_size (head, info->seq_len);
  curves = (guint64) count_bits (head->rankings) * count_bits (head->distances);
  per_result = RESULT_BASE_BYTES + (n_grid + 1) * (curves * sizeof (HlSeparabilityPoint)
                                                   + (guint64) count_bits (head->rankings) * 8
                                                   + sizeof (int));
  text = n_results * (curves * n_grid * CURVES_ROW_BYTES + HEADS_ROW_BYTES);
  /* The model summary keeps a few doubles per result and grid point. */
  return n_results * per_result + text + n_results * (n_grid + 1) * curves * 8
         + (guint64) threads * worker_bytes (info, head, n_grid) + queue_bytes (info, threads);
}

gboolean
hl_analysis_check_memory (HlActivations           *file,
                          const HlAnalysisOptions *options,
                          GError                 **error)
{
  guint64 need = hl_analysis_estimate_memory (file, options);
  guint64 budget = hl_activations_get_memory_budget (file);
  g_autofree char *need_text = NULL;
  g_autofree char *budget_text = NULL;

  if (need <= budget)
    return TRUE;
  need_text = g_format_size_full (need, G_FORMAT_SIZE_IEC_UNITS);
  budget_text = g_format_size_full (budget, G_FORMAT_SIZE_IEC_UNITS);
  g_set_error (error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_MEMORY,
               _("Analysing this selection of “%s” would need about %s of memory, more than "
                 "the budget of %s: analyse fewer layers or heads (--layers, --heads), use a "
                 "smaller N grid, or raise HEADLENS_MEMORY_LIMIT if the machine has the "
                 "memory"),
               hl_activations_get_path (file), need_text, budget_text);
  return FALSE;
}
