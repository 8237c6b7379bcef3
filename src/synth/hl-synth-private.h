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
};

G_END_DECLS
