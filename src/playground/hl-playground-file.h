/* hl-playground-file.h: "Save as Activation File…" of the playground.
 *
 * The file is a small model in the v1 schema that opens in the explorer:
 * one layer, one sample, the last query, and @n_heads heads, each reading
 * its own kv head. Head 0 is exactly the playground's head; head h has the
 * same parameters with seed + h, so a few heads show the spread the seed
 * causes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hl-playground-state.h"

G_BEGIN_DECLS

/* The "model" attribute of the files the playground writes. */
#define HL_PLAYGROUND_MODEL_NAME "headlens-playground"

gboolean hl_playground_write_activations        (const HlSynthHeadParams *params,
                                                 int                      n_heads,
                                                 const char              *path,
                                                 GError                 **error);
/* The same on a worker thread; @params is copied. */
void     hl_playground_write_activations_async  (const HlSynthHeadParams *params,
                                                 int                      n_heads,
                                                 const char              *path,
                                                 GCancellable            *cancellable,
                                                 GAsyncReadyCallback      callback,
                                                 gpointer                 user_data);
gboolean hl_playground_write_activations_finish (GAsyncResult            *result,
                                                 GError                 **error);

G_END_DECLS
