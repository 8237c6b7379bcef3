/* hl-session-settings.h: the app's settings (GSettings, schema
 * io.github.headlens.Headlens) applied to a session: the view (ranking,
 * distance, N, the heatmap's metric) both ways, and the analysis options,
 * whose change restarts the analysis once the user stops changing them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-session.h"

G_BEGIN_DECLS

/* How long to wait for more changes of an analysis option (a spin button
 * sends one per step) before the analysis restarts. */
#define HL_SESSION_SETTINGS_RESTART_DELAY_MS 400

/* Carries the values of renamed keys over to their new names, once:
 * blas-threads -> analysis-threads, colour-mode -> heatmap-metric. */
void hl_session_settings_migrate     (GSettings         *settings);

/* The analysis options the settings ask for. */
void hl_session_settings_get_options (GSettings         *settings,
                                      HlAnalysisOptions *options);

/* Migrates @settings, applies them to @session and keeps both in step
 * for the session's life. */
void hl_session_bind_settings        (HlSession         *session,
                                      GSettings         *settings);

G_END_DECLS
