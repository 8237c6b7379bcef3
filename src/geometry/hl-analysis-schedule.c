/* hl-analysis-schedule.c
 *
 * Blocks are numbered in file order, b = (layer_index * n_samples + sample)
 * * n_kv_heads + kv_head. A bit per (block, query) says whether it has been
 * handed out; the general sweep moves a cursor over the blocks, and the
 * focus a second cursor over the blocks of its sample (all blocks for
 * "any sample"), so each step costs O(1) amortised.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-analysis-schedule.h"

struct _HlAnalysisSchedule
{
  int       n_layers, n_samples, n_kv_heads, n_queries;
  gboolean *kv_needed;        /* [n_kv_heads] */
  gboolean *query_used;       /* [n_queries] */
  guint8   *handed_out;       /* bits [n_blocks * n_queries] */
  gsize     n_blocks;
  gsize     cursor;           /* the general sweep: blocks before it are done */
  int       focus_sample;     /* the focus the focus cursor belongs to */
  int       focus_query;
  gsize     focus_cursor;     /* index into the focus's blocks */
};

HlAnalysisSchedule *
hl_analysis_schedule_new (int             n_layers,
                          int             n_samples,
                          int             n_kv_heads,
                          int             n_queries,
                          const gboolean *kv_needed,
                          const gboolean *query_used)
{
  HlAnalysisSchedule *self;

  g_return_val_if_fail (n_layers >= 0 && n_samples >= 0 && n_kv_heads >= 0 && n_queries >= 0,
                        NULL);
  g_return_val_if_fail (kv_needed != NULL && query_used != NULL, NULL);

  self = g_new0 (HlAnalysisSchedule, 1);
  *self = (HlAnalysisSchedule) {
    .n_layers = n_layers, .n_samples = n_samples, .n_kv_heads = n_kv_heads,
    .n_queries = n_queries,
    .kv_needed = g_memdup2 (kv_needed, sizeof (gboolean) * MAX (n_kv_heads, 1)),
    .query_used = g_memdup2 (query_used, sizeof (gboolean) * MAX (n_queries, 1)),
    .n_blocks = (gsize) n_layers * n_samples * n_kv_heads,
    .focus_sample = -1, .focus_query = -1,
  };
  self->handed_out = g_new0 (guint8, (self->n_blocks * n_queries + 7) / 8 + 1);
  return self;
}

void
hl_analysis_schedule_free (HlAnalysisSchedule *self)
{
  if (self == NULL)
    return;
  g_free (self->kv_needed);
  g_free (self->query_used);
  g_free (self->handed_out);
  g_free (self);
}

static gboolean
is_handed_out (const HlAnalysisSchedule *self,
               gsize                     block,
               int                       query)
{
  gsize bit = block * self->n_queries + query;

  return (self->handed_out[bit / 8] >> (bit % 8)) & 1;
}

static void
hand_out (HlAnalysisSchedule *self,
          gsize               block,
          int                 query)
{
  gsize bit = block * self->n_queries + query;

  self->handed_out[bit / 8] |= (guint8) (1u << (bit % 8));
}

/* The queries of @block still to compute, @only (or all when -1); FALSE
 * when there is none. */
static gboolean
pending_queries (const HlAnalysisSchedule *self,
                 gsize                     block,
                 int                       only,
                 gboolean                 *queries)
{
  gboolean any = FALSE;

  if (!self->kv_needed[block % self->n_kv_heads])
    return FALSE;
  for (int q = 0; q < self->n_queries; q++)
    {
      queries[q] = self->query_used[q] && (only < 0 || q == only) && !is_handed_out (self, block, q);
      any |= queries[q];
    }
  return any;
}

/* The focus's @index-th block, or G_MAXSIZE past its last. */
static gsize
focus_block (const HlAnalysisSchedule *self,
             gsize                     index)
{
  gsize per_sample = (gsize) self->n_layers * self->n_kv_heads;
  gsize layer, kv;

  if (self->focus_sample < 0)
    return index < self->n_blocks ? index : G_MAXSIZE;
  if (index >= per_sample)
    return G_MAXSIZE;
  layer = index / self->n_kv_heads;
  kv = index % self->n_kv_heads;
  return (layer * self->n_samples + self->focus_sample) * self->n_kv_heads + kv;
}

static void
take (HlAnalysisSchedule *self,
      gsize               block,
      const gboolean     *queries,
      HlScheduledBlock   *out)
{
  for (int q = 0; q < self->n_queries; q++)
    if (queries[q])
      hand_out (self, block, q);
  out->kv_head = block % self->n_kv_heads;
  out->sample = (block / self->n_kv_heads) % self->n_samples;
  out->layer_index = block / self->n_kv_heads / self->n_samples;
}

static gboolean
next_in_focus (HlAnalysisSchedule *self,
               HlScheduledBlock   *out,
               gboolean           *queries)
{
  gsize block;

  if (self->focus_sample < 0 && self->focus_query < 0)
    return FALSE;
  while ((block = focus_block (self, self->focus_cursor)) != G_MAXSIZE)
    {
      self->focus_cursor++;
      if (block >= self->cursor && pending_queries (self, block, self->focus_query, queries))
        {
          take (self, block, queries, out);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
hl_analysis_schedule_next (HlAnalysisSchedule *self,
                           int                 focus_sample,
                           int                 focus_query,
                           HlScheduledBlock   *out,
                           gboolean           *queries)
{
  g_return_val_if_fail (self != NULL && out != NULL && queries != NULL, FALSE);

  if (focus_sample >= self->n_samples || focus_query >= self->n_queries)
    focus_sample = focus_query = -1;
  if (focus_sample != self->focus_sample || focus_query != self->focus_query)
    {
      self->focus_sample = focus_sample;
      self->focus_query = focus_query;
      self->focus_cursor = 0;
    }
  if (next_in_focus (self, out, queries))
    return TRUE;
  while (self->cursor < self->n_blocks)
    {
      gsize block = self->cursor++;

      if (pending_queries (self, block, -1, queries))
        {
          take (self, block, queries, out);
          return TRUE;
        }
    }
  return FALSE;
}
