/* hl-playground-result.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-playground-result.h"

/* The part that depends on the parameters only, shared by every view of
 * one head. */
typedef struct
{
  HlSynthHead  *head;         /* owned */
  HlHeadResult *analysis;     /* owned reference */
  HlProjection *projection;   /* owned */
  gint64        usec;
} PlaygroundHead;

struct _HlPlaygroundResult
{
  guint64            generation;
  HlPlaygroundState  state;
  int                n;
  PlaygroundHead    *head;      /* owned reference (rc box) */
  HlScatter         *scatter;   /* owned */
  gint64             scatter_usec;
};

G_DEFINE_BOXED_TYPE (HlPlaygroundResult, hl_playground_result,
                     hl_playground_result_ref, hl_playground_result_unref)

void
hl_playground_analysis_options_init (HlHeadAnalysisOptions *options)
{
  g_return_if_fail (options != NULL);

  hl_head_analysis_options_init (options);
}

static void
playground_head_clear (gpointer data)
{
  PlaygroundHead *head = data;

  g_clear_pointer (&head->head, hl_synth_head_free);
  g_clear_pointer (&head->analysis, hl_head_result_unref);
  g_clear_pointer (&head->projection, hl_projection_free);
}

static PlaygroundHead *
playground_head_new (const HlSynthHeadParams *params,
                     GError                 **error)
{
  static const HlHeadId id = { 0, 0, 0, 0, 0 };
  gint64 start = g_get_monotonic_time ();
  g_autoptr(HlSynthHead) synth = NULL;
  g_autoptr(HlProjection) projection = NULL;
  HlHeadAnalysisOptions options;
  PlaygroundHead *head;
  HlHeadInput input;

  synth = hl_synth_head_generate (params, NULL, 0, error);
  if (synth == NULL)
    return NULL;
  hl_synth_head_get_input (synth, 0, &input);
  projection = hl_projection_new (&input, error);
  if (projection == NULL)
    return NULL;
  hl_playground_analysis_options_init (&options);

  head = g_atomic_rc_box_new0 (PlaygroundHead);
  head->analysis = hl_head_analysis_compute (&input, &id, &options);
  head->head = g_steal_pointer (&synth);
  head->projection = g_steal_pointer (&projection);
  head->usec = g_get_monotonic_time () - start;
  return head;
}

/* Builds the scatter of @head for @state into a new result that takes
 * @head. */
static HlPlaygroundResult *
result_new_with_head (PlaygroundHead          *head,
                      const HlPlaygroundState *state,
                      guint64                  generation)
{
  HlPlaygroundResult *self = g_atomic_rc_box_new0 (HlPlaygroundResult);
  gint64 start = g_get_monotonic_time ();

  self->generation = generation;
  self->state = *state;
  self->head = head;
  self->n = hl_playground_state_clamp_n (state);
  /* The random ranking draws repeat 0 of the analysis's permutations, so
   * the scatter shows one of the selections the curves average over. */
  self->scatter = hl_projection_scatter (head->projection, state->ranking, state->distance,
                                         self->n, head->analysis->seed, 0);
  self->scatter_usec = g_get_monotonic_time () - start;
  return self;
}

HlPlaygroundResult *
hl_playground_result_new (const HlPlaygroundState *state,
                          guint64                  generation,
                          GError                 **error)
{
  PlaygroundHead *head;

  g_return_val_if_fail (state != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!hl_playground_state_validate (state, error))
    return NULL;
  head = playground_head_new (&state->params, error);
  if (head == NULL)
    return NULL;
  return result_new_with_head (head, state, generation);
}

HlPlaygroundResult *
hl_playground_result_new_view (HlPlaygroundResult      *base,
                               const HlPlaygroundState *state,
                               guint64                  generation)
{
  g_return_val_if_fail (base != NULL, NULL);
  g_return_val_if_fail (state != NULL, NULL);
  g_return_val_if_fail (hl_playground_state_same_head (&base->state, state), NULL);

  return result_new_with_head (g_atomic_rc_box_acquire (base->head), state, generation);
}

HlPlaygroundResult *
hl_playground_result_ref (HlPlaygroundResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

static void
playground_result_clear (gpointer data)
{
  HlPlaygroundResult *self = data;

  g_atomic_rc_box_release_full (self->head, playground_head_clear);
  g_clear_pointer (&self->scatter, hl_scatter_free);
}

void
hl_playground_result_unref (HlPlaygroundResult *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, playground_result_clear);
}

guint64
hl_playground_result_get_generation (const HlPlaygroundResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->generation;
}

const HlPlaygroundState *
hl_playground_result_get_state (const HlPlaygroundResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->state;
}

int
hl_playground_result_get_n (const HlPlaygroundResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n;
}

const HlSynthHead *
hl_playground_result_get_head (const HlPlaygroundResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->head->head;
}

void
hl_playground_result_get_input (const HlPlaygroundResult *self,
                                HlHeadInput              *input)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (input != NULL);

  hl_synth_head_get_input (self->head->head, 0, input);
}

HlHeadResult *
hl_playground_result_get_analysis (const HlPlaygroundResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->head->analysis;
}

const HlProjection *
hl_playground_result_get_projection (const HlPlaygroundResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->head->projection;
}

const HlScatter *
hl_playground_result_get_scatter (const HlPlaygroundResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->scatter;
}

gint64
hl_playground_result_get_head_usec (const HlPlaygroundResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->head->usec;
}

gint64
hl_playground_result_get_scatter_usec (const HlPlaygroundResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->scatter_usec;
}
