/* hl-playground-window.h: the teaching playground: one synthetic head
 * generated live from sliders, its geometry and the explanations beside
 * it, and three guided lessons.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hl-playground-engine.h"
#include "hl-playground-figures.h"
#include "hl-playground-lesson.h"

G_BEGIN_DECLS

#define HL_TYPE_PLAYGROUND_WINDOW (hl_playground_window_get_type ())
G_DECLARE_FINAL_TYPE (HlPlaygroundWindow, hl_playground_window, HL, PLAYGROUND_WINDOW, AdwWindow)

/* @application may be NULL. */
HlPlaygroundWindow        *hl_playground_window_new            (GtkApplication     *application);
HlPlaygroundEngine        *hl_playground_window_get_engine     (HlPlaygroundWindow *self);
/* The adjustment of one parameter row, by the HlSynthHeadParams field it
 * sets ("sink_similarity", "n_keys", ...) or "n": for tests. */
GtkAdjustment             *hl_playground_window_get_adjustment (HlPlaygroundWindow *self,
                                                                const char         *name);
/* What the plots show now; NULL before the first result. */
const HlPlaygroundFigures *hl_playground_window_get_figures    (HlPlaygroundWindow *self);
/* Shows @step of @lesson: sets every control and the step's text. */
void                       hl_playground_window_show_lesson    (HlPlaygroundWindow *self,
                                                                HlPlaygroundLesson  lesson,
                                                                int                 step);

G_END_DECLS
