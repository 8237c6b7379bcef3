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
  { N_("At <i>N</i> = 1 every curve has F<sub>1</sub> = 1, the dashed random baseline "
       "too. With one token, s<sub>1</sub> = y<sub>i</sub>, so D<sub>i</sub> = 0 = "
       "ρ<sub>max</sub> and every other token lies farther away: with Euclidean distance "
       "F<sub>1</sub> = 1 for <i>any</i> selection. It is trivial; only the gap to the "
       "random baseline means something."),
    HL_REGIME_RETRIEVER, 0.2, 0.1, 1, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("At <i>N</i> = 4 the four most attended tokens are still separable: on the "
       "scatter, the inner ball (radius ρ<sub>min</sub>) holds every selected point and "
       "the outer ball (radius ρ<sub>max</sub>) holds no other one. The random baseline "
       "has already fallen far below."),
    HL_REGIME_RETRIEVER, 0.2, 0.1, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("At intermediate <i>N</i> (here 32) the selection takes plateau tokens whose "
       "contributions y<sub>i</sub> = α<sub>i</sub> v<sub>i</sub> are tiny and sit among "
       "the unselected ones: the ρ<sub>max</sub> ball swallows many unselected tokens, "
       "so P<sub>N</sub> collapses, and F<sub>N</sub> with it. Separability is a "
       "small-<i>N</i> phenomenon."),
    HL_REGIME_RETRIEVER, 0.2, 0.1, 32, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("Back at <i>N</i> = 2 with the random ranking: the scatter shows one random "
       "pair, and the dashed curves are the mean over 16 such pairs. Most random pairs "
       "have unselected tokens inside their balls, which is why the baseline lies so low "
       "for every <i>N</i> &gt; 1."),
    HL_REGIME_RETRIEVER, 0.2, 0.1, 2, HL_RANKING_RANDOM, HL_DISTANCE_EUCLIDEAN },
};

static const Step sink_steps[] = {
  { N_("A compressed sink (λ = 0.05) pointing away from the other values "
       "(ρ<sub>0</sub> = −0.4). Look at R<sub>4</sub>: one of the four selected tokens "
       "is farther from s<sub>4</sub> than some unselected token, so Recall is below 1."),
    HL_REGIME_RETRIEVER, 0.05, -0.4, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("ρ<sub>0</sub> = 0: the sink is orthogonal to the content. Recall at "
       "<i>N</i> = 4 has not moved yet."),
    HL_REGIME_RETRIEVER, 0.05, 0.0, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("ρ<sub>0</sub> = 0.4: now every value shares a component with the sink, so "
       "s<sub>4</sub> leans towards all of them and the selected tokens, which weigh "
       "more, move inside the ρ<sub>min</sub> ball: R<sub>4</sub> = 1."),
    HL_REGIME_RETRIEVER, 0.05, 0.4, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("ρ<sub>0</sub> = 0.8: Recall stays at 1. Across the lesson R<sub>4</sub> rose "
       "with the sink similarity, the relation the paper reports as corr(R<sub>N</sub>, "
       "ρ<sub>0</sub>) peaking around <i>N</i> = 3..6."),
    HL_REGIME_RETRIEVER, 0.05, 0.8, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
};

static const Step regime_steps[] = {
  { N_("A <b>Retriever</b>: most of the row is on the last token, so "
       "a<sub>last</sub> = ‖α<sub>t</sub> v<sub>t</sub>‖ dominates the output and "
       "cos(s<sub>N</sub>, v<sub>t</sub>) stays high across <i>N</i> on the alignment "
       "plot."),
    HL_REGIME_RETRIEVER, 0.2, 0.1, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("A <b>Mixer</b>: the row is split between the sink and a similar content span; "
       "no single share reaches one half, and the alignment moves from v<sub>0</sub> "
       "towards the content as <i>N</i> grows."),
    HL_REGIME_MIXER, 0.2, 0.1, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
  { N_("A <b>Reset</b>: almost the whole row is on the sink, so even with a compressed "
       "sink a<sub>sink</sub> = ‖α<sub>0</sub> v<sub>0</sub>‖ dominates, and "
       "cos(s<sub>N</sub>, v<sub>t</sub>) stays weak until large <i>N</i>. The "
       "diagnostics quote the deciding share."),
    HL_REGIME_RESET, 0.2, 0.1, 4, HL_RANKING_ATTENTION, HL_DISTANCE_EUCLIDEAN },
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
    N_("The three regimes"),
    N_("Retriever, Mixer and Reset differ in which contribution dominates the head "
       "output; the classifier says which and why."),
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
  state->n = s->n;
  state->ranking = s->ranking;
  state->distance = s->distance;
}
