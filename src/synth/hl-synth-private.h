/* hl-synth-private.h: what the parts of the per-head generator share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Independent random streams of one head, so that changing, for example,
 * the content set size leaves the directions of the other tokens unchanged,
 * and the attention jitter never depends on the values. */
enum
{
  HL_SYNTH_STREAM_DIRECTIONS = 1,
  HL_SYNTH_STREAM_NORMS,
  HL_SYNTH_STREAM_CONTENT,
  HL_SYNTH_STREAM_ATTENTION,
  HL_SYNTH_STREAM_RHO0,
};

/* The checks that both the per-head and the model parameters make, with
 * one wording of their messages. */

/* FALSE with HL_SYNTH_ERROR_INVALID naming @name unless @value is finite
 * and in [@min, @max]. */
gboolean hl_synth_check_range   (const char *name,
                                 double      value,
                                 double      min,
                                 double      max,
                                 GError    **error);
/* FALSE with HL_SYNTH_ERROR_INVALID unless the @n_queries positions are
 * strictly increasing keys in 0 .. @n_keys - 1. */
gboolean hl_synth_check_queries (int         n_keys,
                                 const int  *query_positions,
                                 int         n_queries,
                                 GError    **error);

G_END_DECLS
