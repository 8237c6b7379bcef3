/* hl-playground-lesson.c: the lessons' steps and texts.
 *
 * The parameters were chosen against the generator and checked by
 * tests/playground/test-lessons.c; change them together.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-playground-lesson.h"

#include <glib/gi18n.h>

/* The lessons use a shorter sequence than 1024 so every step recomputes
 * instantly even on a slow machine; the shapes do not depend on it. */
#define LESSON_SEQ_LEN 512

typedef struct
{
  const char *text;            /* Pango markup, marked with N_() */
  HlRegime    preset;          /* the attention profile */
  double      sink_lambda;
  double      sink_similarity;
  double      rho0_spread;
  int         n;
  HlRanking   ranking;
  HlDistance  distance;
} Step;

typedef struct
{
  const char *title;
  const char *summary;
  int         n_steps;
  const Step *steps;
} Lesson;

static const Step small_n_steps[] = {
  { N_("At <i>N</i> = 1 every curve has F<sub>1</sub> = 1, the dashed random control "
       "too. With one token, s<sub>1</sub> = y<sub>i</sub>, so D<sub>i</sub> = 0 = "
       "ρ<sub>max</sub> and every other token lies farther away: with Euclidean distance "
       "F<sub>1</sub> = 1 for <i>any</i> selection. It is trivial; only the gap to the "
       "random control means something."),
    HL_REGIME_RETRIEVER, 0.2, 0.1, 0.0, 1, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("At <i>N</i> = 4 the four most attended tokens are still separable: on the "
       "scatter, the inner ball (radius ρ<sub>min</sub>) holds every selected point and "
       "the outer ball (radius ρ<sub>max</sub>) holds no other one, so P<sub>4</sub> = "
       "R<sub>4</sub> = 1. The dashed random control has already fallen far below."),
    HL_REGIME_RETRIEVER, 0.2, 0.1, 0.0, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("At intermediate <i>N</i> (here 32) the selection takes plateau tokens whose "
       "contributions y<sub>i</sub> = α<sub>i</sub> v<sub>i</sub> are tiny and sit among "
       "the unselected ones: the ρ<sub>max</sub> ball swallows many unselected tokens, "
       "so P<sub>N</sub> falls below one half, and F<sub>N</sub> with it. Separability is "
       "a small-<i>N</i> phenomenon."),
    HL_REGIME_RETRIEVER, 0.2, 0.1, 0.0, 32, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("Back at <i>N</i> = 2 with the random ranking: the scatter shows one random "
       "pair, and the curves are now the random control itself, drawn solid: the mean "
       "over 16 random selections. At <i>N</i> = 4, where the attention ranking "
       "separates, its F<sub>N</sub> lies at least 0.3 below the ranking's."),
    HL_REGIME_RETRIEVER, 0.2, 0.1, 0.0, 2, HL_RANKING_RANDOM, HL_DISTANCE_EUCLIDEAN },
};

static const Step sink_steps[] = {
  { N_("A compressed sink (λ = 0.05) pointing away from the other values "
       "(ρ<sub>0</sub> = −0.4). Look at R<sub>4</sub>: at least one of the four selected "
       "tokens is farther from s<sub>4</sub> than some unselected token, so Recall is "
       "below 1."),
    HL_REGIME_RETRIEVER, 0.05, -0.4, 0.1, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("ρ<sub>0</sub> = 0: the sink is, on average, orthogonal to the content. Recall "
       "at <i>N</i> = 4 is no lower than before."),
    HL_REGIME_RETRIEVER, 0.05, 0.0, 0.1, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("ρ<sub>0</sub> = 0.4: now every value shares a component with the sink, so "
       "s<sub>4</sub> leans towards all of them and the selected tokens, which weigh "
       "more, move inside the ρ<sub>min</sub> ball: R<sub>4</sub> = 1."),
    HL_REGIME_RETRIEVER, 0.05, 0.4, 0.1, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("ρ<sub>0</sub> = 0.8: Recall stays at 1. Across the lesson R<sub>4</sub> rose "
       "with the sink similarity. Across the heads of a model, corr(R<sub>N</sub>, "
       "ρ<sub>0</sub>) in the explorer's model panel measures the same relation at every "
       "<i>N</i>."),
    HL_REGIME_RETRIEVER, 0.05, 0.8, 0.1, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
};

static const Step regime_steps[] = {
  { N_("A <b>Retriever</b>: more than half of the row is on the last token, so "
       "a<sub>last</sub> = ‖α<sub>t</sub> v<sub>t</sub>‖ gives more than half of the output "
       "and cos(s<sub>N</sub>, v<sub>t</sub>) stays above 0.9 at every <i>N</i> of the "
       "alignment plot."),
    HL_REGIME_RETRIEVER, 0.2, 0.1, 0.0, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("A <b>Mixer</b>: the sink has the most attention and a span of neighbouring "
       "content tokens most of the rest. s<sub>N</sub> starts on the sink, cos(s<sub>N</sub>, "
       "v<sub>0</sub>) = 1 at <i>N</i> = 1, and moves to the content as <i>N</i> grows: "
       "cos(s<sub>N</sub>, v<sub>0</sub>) falls by more than 0.3."),
    HL_REGIME_MIXER, 0.2, 0.1, 0.0, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("A <b>Reset</b>: almost the whole row is on the sink (α<sub>0</sub> ≥ 0.9), and "
       "s<sub>N</sub> stays away from v<sub>t</sub>: cos(s<sub>N</sub>, v<sub>t</sub>) is "
       "below 0.5 over the first <i>N</i>. The sink's value is compressed (λ = 0.05), so "
       "its share of the output, in the diagnostics, is below its attention "
       "α<sub>0</sub>; the rule reads both."),
    HL_REGIME_RESET, 0.05, 0.1, 0.0, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("<b>Other</b>: most of the row is on the previous token t − 1, as in a "
       "previous-token head. None of the three signatures holds, and the reason names "
       "that key and its attention."),
    HL_REGIME_OTHER, 0.2, 0.1, 0.0, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
};

static const Lesson lessons[HL_PLAYGROUND_N_LESSONS] = {
  [HL_PLAYGROUND_LESSON_SMALL_N] = {
    N_("The small-N regime"),
    N_("Top-<i>N</i> selection separates best at <i>N</i> = 1..4 and degrades at "
       "intermediate <i>N</i>; F<sub>1</sub> = 1 is trivial with Euclidean distance."),
    G_N_ELEMENTS (small_n_steps), small_n_steps },
  [HL_PLAYGROUND_LESSON_SINK_RECALL] = {
    N_("Sink similarity and Recall"),
    N_("With a compressed sink, Recall at <i>N</i> = 4 rises with the sink similarity "
       "ρ<sub>0</sub>."),
    G_N_ELEMENTS (sink_steps), sink_steps },
  [HL_PLAYGROUND_LESSON_REGIMES] = {
    N_("The regimes"),
    N_("Retriever, Mixer and Reset differ in how the last token and the sink shape the "
       "head output; a head with none of their signatures is Other. The classifier "
       "says which and why."),
    G_N_ELEMENTS (regime_steps), regime_steps },
};

static const Step *
get_step (HlPlaygroundLesson lesson,
          int                step)
{
  g_assert (lesson < HL_PLAYGROUND_N_LESSONS);
  g_assert (step >= 0 && step < lessons[lesson].n_steps);

  return &lessons[lesson].steps[step];
}

const char *
hl_playground_lesson_get_title (HlPlaygroundLesson lesson)
{
  g_return_val_if_fail (lesson < HL_PLAYGROUND_N_LESSONS, NULL);

  return _(lessons[lesson].title);
}

const char *
hl_playground_lesson_get_summary (HlPlaygroundLesson lesson)
{
  g_return_val_if_fail (lesson < HL_PLAYGROUND_N_LESSONS, NULL);

  return _(lessons[lesson].summary);
}

int
hl_playground_lesson_get_n_steps (HlPlaygroundLesson lesson)
{
  g_return_val_if_fail (lesson < HL_PLAYGROUND_N_LESSONS, 0);

  return lessons[lesson].n_steps;
}

const char *
hl_playground_lesson_get_step_text (HlPlaygroundLesson lesson,
                                    int                step)
{
  g_return_val_if_fail (lesson < HL_PLAYGROUND_N_LESSONS, NULL);
  g_return_val_if_fail (step >= 0 && step < lessons[lesson].n_steps, NULL);

  return _(get_step (lesson, step)->text);
}

void
hl_playground_lesson_apply_step (HlPlaygroundLesson  lesson,
                                 int                 step,
                                 guint64             seed,
                                 HlPlaygroundState  *state)
{
  g_return_if_fail (lesson < HL_PLAYGROUND_N_LESSONS);
  g_return_if_fail (step >= 0 && step < lessons[lesson].n_steps);
  g_return_if_fail (state != NULL);

  const Step *s = get_step (lesson, step);

  hl_playground_state_init (state);
  state->params.n_keys = LESSON_SEQ_LEN;
  state->params.seed = seed;
  hl_synth_head_params_init_preset (&state->params, s->preset);
  state->params.sink_lambda = s->sink_lambda;
  state->params.sink_similarity = s->sink_similarity;
  state->params.rho0_spread = s->rho0_spread;
  state->n = s->n;
  state->ranking = s->ranking;
  state->distance = s->distance;
}
