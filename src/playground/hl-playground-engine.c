/* hl-playground-engine.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-playground-engine.h"
#include "hl-background.h"

#include <gio/gio.h>

struct _HlPlaygroundEngine
{
  GObject             parent_instance;

  HlPlaygroundState   state;          /* the latest requested state */
  guint64             generation;     /* of @state */
  gboolean            running;        /* a job is on a worker */
  gboolean            pending;        /* @state changed since the running job started */
  gboolean            pending_head;   /* ... and its parameters did */
  HlPlaygroundResult *result;         /* owned: the last delivered result */
  HlPlaygroundResult *latest;         /* owned: the newest computed, the base of views */
  GCancellable       *cancellable;    /* owned: cancelled on dispose */
  guint               n_head_jobs;
  guint               n_view_jobs;
};

G_DEFINE_FINAL_TYPE (HlPlaygroundEngine, hl_playground_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RESULT,
  PROP_BUSY,
  PROP_GENERATION,
  N_PROPS
};

enum {
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* What a worker computes: an immutable copy of the state, and for a view
 * the result whose head it reuses. */
typedef struct
{
  HlPlaygroundState   state;
  guint64             generation;
  HlPlaygroundResult *base;   /* owned; NULL: compute the head */
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_pointer (&job->base, hl_playground_result_unref);
  g_free (job);
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  HlPlaygroundResult *result;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (job->base != NULL)
    result = hl_playground_result_new_view (job->base, &job->state, job->generation);
  else
    result = hl_playground_result_new (&job->state, job->generation, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) hl_playground_result_unref);
}

static void job_done_cb (GObject      *object,
                         GAsyncResult *res,
                         gpointer      user_data);

static void
start_job (HlPlaygroundEngine *self,
           gboolean            head)
{
  g_autoptr(GTask) task = NULL;
  Job *job = g_new0 (Job, 1);
  GWeakRef *weak;

  g_assert (!self->running);

  /* A view needs a computed head of the same parameters. */
  if (self->latest == NULL
      || !hl_playground_state_same_head (hl_playground_result_get_state (self->latest),
                                         &self->state))
    head = TRUE;

  job->state = self->state;
  job->generation = self->generation;
  job->base = head ? NULL : hl_playground_result_ref (self->latest);
  if (head)
    self->n_head_jobs++;
  else
    self->n_view_jobs++;
  self->running = TRUE;
  self->pending = FALSE;
  self->pending_head = FALSE;

  /* The task does not hold the engine: a window closed during a job
   * finalizes its engine at once, and the completion finds it gone. */
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, self->cancellable, job_done_cb, weak);
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, job_free);
  hl_background_run_in_thread (task, job_thread);
}

/* Delivers @result when nothing newer was asked for since its state. */
static void
deliver (HlPlaygroundEngine *self,
         HlPlaygroundResult *result)
{
  g_clear_pointer (&self->latest, hl_playground_result_unref);
  self->latest = hl_playground_result_ref (result);
  if (hl_playground_result_get_generation (result) != self->generation)
    return;
  g_clear_pointer (&self->result, hl_playground_result_unref);
  self->result = hl_playground_result_ref (result);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
}

static void
job_done_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(HlPlaygroundEngine) self = g_weak_ref_get (weak);
  g_autoptr(HlPlaygroundResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (weak);
  g_free (weak);
  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->running = FALSE;
  if (result != NULL)
    deliver (self, result);
  else if (!self->pending)
    g_signal_emit (self, signals[FAILED], 0, error);

  if (self->pending)
    start_job (self, self->pending_head);
  else
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Coalescing: a change while a job runs only marks the state pending; the
 * job's completion starts the one computation of the latest state. */
static void
schedule (HlPlaygroundEngine *self,
          gboolean            head)
{
  self->generation++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GENERATION]);
  if (self->running)
    {
      self->pending = TRUE;
      self->pending_head |= head;
      return;
    }
  start_job (self, head);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

HlPlaygroundEngine *
hl_playground_engine_new (void)
{
  return g_object_new (HL_TYPE_PLAYGROUND_ENGINE, NULL);
}

const HlPlaygroundState *
hl_playground_engine_get_state (HlPlaygroundEngine *self)
{
  g_return_val_if_fail (HL_IS_PLAYGROUND_ENGINE (self), NULL);

  return &self->state;
}

gboolean
hl_playground_engine_set_state (HlPlaygroundEngine       *self,
                                const HlPlaygroundState  *state,
                                GError                  **error)
{
  gboolean head;

  g_return_val_if_fail (HL_IS_PLAYGROUND_ENGINE (self), FALSE);
  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!hl_playground_state_validate (state, error))
    return FALSE;
  head = !hl_playground_state_same_head (&self->state, state);
  if (!head && state->n == self->state.n && state->ranking == self->state.ranking
      && state->distance == self->state.distance)
    return TRUE;
  self->state = *state;
  schedule (self, head);
  return TRUE;
}

gboolean
hl_playground_engine_set_params (HlPlaygroundEngine       *self,
                                 const HlSynthHeadParams  *params,
                                 GError                  **error)
{
  HlPlaygroundState state;

  g_return_val_if_fail (HL_IS_PLAYGROUND_ENGINE (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  state = self->state;
  state.params = *params;
  return hl_playground_engine_set_state (self, &state, error);
}

void
hl_playground_engine_set_n (HlPlaygroundEngine *self,
                            int                 n)
{
  g_return_if_fail (HL_IS_PLAYGROUND_ENGINE (self));
  g_return_if_fail (n >= 1);

  if (self->state.n == n)
    return;
  self->state.n = n;
  schedule (self, FALSE);
}

void
hl_playground_engine_set_ranking (HlPlaygroundEngine *self,
                                  HlRanking           ranking)
{
  g_return_if_fail (HL_IS_PLAYGROUND_ENGINE (self));
  g_return_if_fail (ranking < HL_N_RANKINGS);

  if (self->state.ranking == ranking)
    return;
  self->state.ranking = ranking;
  schedule (self, FALSE);
}

void
hl_playground_engine_set_distance (HlPlaygroundEngine *self,
                                   HlDistance          distance)
{
  g_return_if_fail (HL_IS_PLAYGROUND_ENGINE (self));
  g_return_if_fail (distance < HL_N_DISTANCES);

  if (self->state.distance == distance)
    return;
  self->state.distance = distance;
  schedule (self, FALSE);
}

HlPlaygroundResult *
hl_playground_engine_get_result (HlPlaygroundEngine *self)
{
  g_return_val_if_fail (HL_IS_PLAYGROUND_ENGINE (self), NULL);

  return self->result;
}

guint64
hl_playground_engine_get_generation (HlPlaygroundEngine *self)
{
  g_return_val_if_fail (HL_IS_PLAYGROUND_ENGINE (self), 0);

  return self->generation;
}

gboolean
hl_playground_engine_get_busy (HlPlaygroundEngine *self)
{
  g_return_val_if_fail (HL_IS_PLAYGROUND_ENGINE (self), FALSE);

  return self->running;
}

guint
hl_playground_engine_get_n_head_computations (HlPlaygroundEngine *self)
{
  g_return_val_if_fail (HL_IS_PLAYGROUND_ENGINE (self), 0);

  return self->n_head_jobs;
}

guint
hl_playground_engine_get_n_view_computations (HlPlaygroundEngine *self)
{
  g_return_val_if_fail (HL_IS_PLAYGROUND_ENGINE (self), 0);

  return self->n_view_jobs;
}

static void
hl_playground_engine_dispose (GObject *object)
{
  HlPlaygroundEngine *self = HL_PLAYGROUND_ENGINE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->result, hl_playground_result_unref);
  g_clear_pointer (&self->latest, hl_playground_result_unref);

  G_OBJECT_CLASS (hl_playground_engine_parent_class)->dispose (object);
}

static void
hl_playground_engine_finalize (GObject *object)
{
  HlPlaygroundEngine *self = HL_PLAYGROUND_ENGINE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (hl_playground_engine_parent_class)->finalize (object);
}

static void
hl_playground_engine_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  HlPlaygroundEngine *self = HL_PLAYGROUND_ENGINE (object);

  switch (prop_id)
    {
    case PROP_RESULT:
      g_value_set_boxed (value, self->result);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_GENERATION:
      g_value_set_uint64 (value, self->generation);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_playground_engine_constructed (GObject *object)
{
  HlPlaygroundEngine *self = HL_PLAYGROUND_ENGINE (object);

  G_OBJECT_CLASS (hl_playground_engine_parent_class)->constructed (object);

  schedule (self, TRUE);
}

static void
hl_playground_engine_class_init (HlPlaygroundEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = hl_playground_engine_constructed;
  object_class->dispose = hl_playground_engine_dispose;
  object_class->finalize = hl_playground_engine_finalize;
  object_class->get_property = hl_playground_engine_get_property;

  properties[PROP_RESULT] =
    g_param_spec_boxed ("result", NULL, NULL, HL_TYPE_PLAYGROUND_RESULT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_GENERATION] =
    g_param_spec_uint64 ("generation", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A head could not be computed (the error says why); the last delivered
   * result stays. */
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
hl_playground_engine_init (HlPlaygroundEngine *self)
{
  self->cancellable = g_cancellable_new ();
  hl_playground_state_init (&self->state);
}
