/* hl-playground-lesson.h: the guided lessons of the playground.
 *
 * A lesson is a short sequence of steps; each step sets the whole state
 * (parameters, N, ranking, distance) and says, for a student, what to look
 * for. Each lesson makes one claim about the generated data, which
 * tests/playground/test-lessons.c checks over several seeds:
 *
 * - SMALL_N: with the attention ranking and Euclidean distance, F is
 *   highest at N = 1..4 and falls at intermediate N; the random baseline
 *   has F_1 = 1 as well.
 * - SINK_RECALL: Recall at N = 4 never falls and ends higher than it
 *   started as rho0 grows across the steps.
 * - REGIMES: each step's pattern is classified as its regime (Retriever,
 *   Mixer, Reset, Other), for the reasons the step gives.
 * Every sentence of a step is a claim the test checks on the tool's own
 * output.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-playground-state.h"

G_BEGIN_DECLS

typedef enum
{
  HL_PLAYGROUND_LESSON_SMALL_N,
  HL_PLAYGROUND_LESSON_SINK_RECALL,
  HL_PLAYGROUND_LESSON_REGIMES,
  HL_PLAYGROUND_N_LESSONS
} HlPlaygroundLesson;

/* Translated plain text. */
const char *hl_playground_lesson_get_title      (HlPlaygroundLesson lesson);
/* Translated Pango markup: the lesson's claim in a sentence or two. */
const char *hl_playground_lesson_get_summary    (HlPlaygroundLesson lesson);
int         hl_playground_lesson_get_n_steps    (HlPlaygroundLesson lesson);
/* Translated Pango markup: what to look for at @step. */
const char *hl_playground_lesson_get_step_text  (HlPlaygroundLesson lesson,
                                                 int                step);
/* Sets @state to @step of @lesson with @seed (the lessons hold for any
 * seed; the playground passes its own). */
void        hl_playground_lesson_apply_step     (HlPlaygroundLesson  lesson,
                                                 int                 step,
                                                 guint64             seed,
                                                 HlPlaygroundState  *state);

G_END_DECLS
