/* render-fixtures.h: fixed, hand-made data for every plot kind, shared by
 * the renderer tests and the gallery generator.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-plot.h"

G_BEGIN_DECLS

/* The data struct of @kind (valid until render_fixture_free_all()); the
 * same bytes on every call and every machine. */
gconstpointer render_fixture      (HlPlotKind kind);
/* Variants the tests use. */
gconstpointer render_fixture_heatmap_metric (void);
gconstpointer render_fixture_scatter_cosine (void);
gconstpointer render_fixture_profile_log    (void);
void          render_fixture_free_all       (void);

G_END_DECLS
