/* hl-causal-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-store.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>

#include "hl-session-figures.h"

#define STORE_KEY "hl-causal-store"

/* What the running job is. */
typedef enum
{
  JOB_NONE,
  JOB_OPEN,
  JOB_HEAD,
  JOB_MODEL,
} Job;

struct _HlCausalStore
{
  GObject               parent_instance;

  HlSession            *session;      /* weak: the session owns the store */
  HlActivations        *file;         /* owned: the file the model and results belong to */
  HlModel              *model;        /* owned, NULL until opened */
  HlCausalStoreState    state;
  HlCausalModelProblem  problem;
  char                 *model_message;
  guint                 generation;   /* counts files: a job of an earlier one is dropped */

  Job                   job;
  GCancellable         *cancellable;  /* of the job running, NULL when idle */
  int                   job_layer;    /* the head of JOB_HEAD */
  int                   job_head;
  HlCausalStoreRun      job_run;      /* the run of JOB_MODEL */
  Job                   pending;      /* what runs once the model is open, or JOB_NONE */
  int                   pending_layer;
  int                   pending_head;
  double                progress;
  char                 *status;

  GHashTable           *heads;        /* layer * n_heads + head -> HlCausalResult, owned */
  HlCausalResult       *model_results[HL_CAUSAL_STORE_N_MODEL_RUNS];
};

G_DEFINE_FINAL_TYPE (HlCausalStore, hl_causal_store, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
emit_changed (HlCausalStore *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
set_status (HlCausalStore *self,
            char          *status)
{
  g_free (self->status);
  self->status = status;
}

static void
set_progress (HlCausalStore *self,
              double         progress,
              char          *status)
{
  self->progress = progress;
  set_status (self, status);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0);
}

static int
n_heads (HlCausalStore *self)
{
  return hl_activations_get_info (self->file)->n_heads;
}

/* Jobs ---------------------------------------------------------------------- */

/* What a job's callback needs to know whether it is still wanted. */
typedef struct
{
  HlCausalStore *store;          /* owned */
  guint          generation;
} JobTicket;

static JobTicket *
job_ticket_new (HlCausalStore *self)
{
  JobTicket *ticket = g_new (JobTicket, 1);

  ticket->store = g_object_ref (self);
  ticket->generation = self->generation;
  return ticket;
}

static void
job_ticket_free (JobTicket *ticket)
{
  g_object_unref (ticket->store);
  g_free (ticket);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JobTicket, job_ticket_free)

static void
begin_job (HlCausalStore *self,
           Job            job)
{
  self->job = job;
  self->cancellable = g_cancellable_new ();
  self->progress = 0.0;
}

static void
end_job (HlCausalStore *self)
{
  self->job = JOB_NONE;
  g_clear_object (&self->cancellable);
}

void
hl_causal_store_cancel (HlCausalStore *self)
{
  g_return_if_fail (HL_IS_CAUSAL_STORE (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* Opening the model ------------------------------------------------------- */

static gboolean start_job (HlCausalStore *self,
                           Job            job,
                           int            layer,
                           int            head);

/* The model the file records is there: say so, open it when needed. */
static void
find_model (HlCausalStore *self)
{
  g_autoptr(GError) error = NULL;
  const char *path = hl_causal_file_find_model (self->file, NULL, &self->problem, &error);

  g_free (self->model_message);
  if (path == NULL)
    {
      self->state = HL_CAUSAL_STORE_NO_MODEL;
      self->model_message = g_strdup (error->message);
      return;
    }
  self->state = HL_CAUSAL_STORE_FOUND;
  self->model_message = g_strdup_printf (_("%s (read and checked against the SHA-256 the file recorded when "
                                           "first measured)"), path);
}

static void
open_model_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(JobTicket) ticket = user_data;
  HlCausalStore *self = ticket->store;
  HlCausalModelProblem problem;
  g_autoptr(GError) error = NULL;
  g_autoptr(HlModel) model = hl_causal_file_open_model_finish (result, &problem, &error);
  Job pending;

  if (ticket->generation != self->generation)
    return;
  end_job (self);
  pending = self->pending;
  self->pending = JOB_NONE;
  g_free (self->model_message);
  if (model != NULL)
    {
      self->state = HL_CAUSAL_STORE_READY;
      self->problem = HL_CAUSAL_MODEL_OK;
      self->model = g_steal_pointer (&model);
      self->model_message = g_strdup (hl_model_get_description (self->model));
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->model_message = NULL;
      find_model (self);
      set_status (self, g_strdup (_("Cancelled; the results measured before stay.")));
    }
  else
    {
      self->state = HL_CAUSAL_STORE_NO_MODEL;
      self->problem = problem;
      self->model_message = g_strdup (error->message);
    }
  emit_changed (self);
  if (self->model != NULL && pending != JOB_NONE)
    start_job (self, pending, self->pending_layer, self->pending_head);
}

static void
open_model (HlCausalStore *self,
            const char    *path)
{
  g_clear_object (&self->model);
  self->state = HL_CAUSAL_STORE_OPENING;
  g_free (self->model_message);
  self->model_message = g_strdup (_("Opening the model…"));
  begin_job (self, JOB_OPEN);
  hl_causal_file_open_model_async (self->file, path, self->cancellable, open_model_done_cb, job_ticket_new (self));
  emit_changed (self);
}

void
hl_causal_store_locate_model (HlCausalStore *self,
                              const char    *path)
{
  g_return_if_fail (HL_IS_CAUSAL_STORE (self));
  g_return_if_fail (path != NULL);

  if (self->file == NULL || self->cancellable != NULL)
    return;
  open_model (self, path);
}

/* A new file: everything measured belongs to the old one. */
static void
session_file_changed_cb (HlCausalStore *self)
{
  HlActivations *file = self->session != NULL ? hl_session_get_file (self->session) : NULL;

  if (file == self->file)
    return;
  hl_causal_store_cancel (self);
  end_job (self);
  self->generation++;
  g_set_object (&self->file, file);
  g_clear_object (&self->model);
  g_hash_table_remove_all (self->heads);
  for (int r = 0; r < HL_CAUSAL_STORE_N_MODEL_RUNS; r++)
    g_clear_pointer (&self->model_results[r], hl_causal_result_free);
  set_status (self, g_strdup (""));
  self->state = HL_CAUSAL_STORE_NO_FILE;
  self->pending = JOB_NONE;
  if (file != NULL)
    find_model (self);
  emit_changed (self);
}

/* Running ------------------------------------------------------------------ */

static void
run_progress_cb (guint64  done,
                 guint64  total,
                 gpointer user_data)
{
  HlCausalStore *self = user_data;
  double fraction = total > 0 ? (double) done / total : 0.0;
  char *text = g_strdup_printf (_("%" PRIu64 " of %" PRIu64 " measurements"),
                                (uint64_t) done, (uint64_t) total);

  if (self->job == JOB_MODEL)
    {
      /* Translators: e.g. "Ablation (1 of 3): 12 of 41 measurements" */
      static const char * const names[HL_CAUSAL_STORE_N_MODEL_RUNS] = {
        N_("Ablation"), N_("N*"), N_("Sparsification"),
      };
      char *whole = g_strdup_printf (_("%s (%d of %d): %s"), _(names[self->job_run]), self->job_run + 1,
                                     HL_CAUSAL_STORE_N_MODEL_RUNS, text);

      g_free (text);
      text = whole;
      fraction = (self->job_run + fraction) / HL_CAUSAL_STORE_N_MODEL_RUNS;
    }
  set_progress (self, fraction, text);
}

static gboolean start_run (HlCausalStore      *self,
                           const HlCausalSpec *spec);

static void
spec_for_model_run (HlCausalStoreRun run,
                    HlCausalSpec    *spec)
{
  hl_causal_spec_init (spec);
  spec->layer = spec->head = HL_CAUSAL_EACH;
  switch (run)
    {
    case HL_CAUSAL_STORE_ABLATION:
      spec->experiment = HL_CAUSAL_ABLATE;
      spec->ablate_modes = 1u << HL_ABLATE_ZERO;
      break;
    case HL_CAUSAL_STORE_N_STAR:
      spec->experiment = HL_CAUSAL_TRUNCATE;
      spec->n_auto = TRUE;
      break;
    case HL_CAUSAL_STORE_SPARSIFY:
    case HL_CAUSAL_STORE_N_MODEL_RUNS:
    default:
      spec->experiment = HL_CAUSAL_SPARSIFY;
      break;
    }
}

/* A result arrived: keep it; a model run goes on with its next part. */
static void
keep_result (HlCausalStore  *self,
             HlCausalResult *result)
{
  set_progress (self, self->progress, hl_causal_result_describe (result));
  if (self->job == JOB_HEAD)
    {
      g_hash_table_replace (self->heads, GINT_TO_POINTER (self->job_layer * n_heads (self) + self->job_head),
                            result);
      end_job (self);
      return;
    }
  g_clear_pointer (&self->model_results[self->job_run], hl_causal_result_free);
  self->model_results[self->job_run] = result;
  end_job (self);
  if (self->job_run + 1 < HL_CAUSAL_STORE_N_MODEL_RUNS)
    {
      HlCausalSpec spec;

      spec_for_model_run (self->job_run + 1, &spec);
      self->job = JOB_MODEL;
      self->job_run++;
      start_run (self, &spec);
    }
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *async_result,
             gpointer      user_data)
{
  g_autoptr(JobTicket) ticket = user_data;
  HlCausalStore *self = ticket->store;
  g_autoptr(GError) error = NULL;
  HlCausalResult *result = hl_causal_run_finish (async_result, &error);

  if (ticket->generation != self->generation)
    {
      g_clear_pointer (&result, hl_causal_result_free);
      return;
    }
  if (result != NULL)
    keep_result (self, result);
  else
    {
      gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      end_job (self);
      set_progress (self, self->progress, cancelled ? g_strdup (_("Cancelled; the results measured before stay."))
                                                    : g_strdup (error->message));
    }
  emit_changed (self);
}

/* Starts @spec on the file's windows; FALSE, with the reason in the
 * status, when it cannot. The job kind is set by the caller. */
static gboolean
start_run (HlCausalStore      *self,
           const HlCausalSpec *spec)
{
  const HlModelConfig *config = hl_model_get_config (self->model);
  g_autoptr(GError) error = NULL;
  HlCausalText *text = hl_causal_file_new_text (self->model, self->file, &error);

  if (text == NULL ||
      !hl_causal_spec_validate (spec, config->n_layers, config->n_heads, hl_causal_text_get_window (text), &error))
    {
      g_clear_pointer (&text, hl_causal_text_free);
      self->job = JOB_NONE;
      set_progress (self, 0.0, g_strdup (error->message));
      return FALSE;
    }
  self->cancellable = g_cancellable_new ();
  hl_causal_run_async (text, spec, self->cancellable, run_progress_cb, self, run_done_cb, job_ticket_new (self));
  return TRUE;
}

/* Starts @job (JOB_HEAD on @layer, @head, or JOB_MODEL) on the open model. */
static gboolean
start_job (HlCausalStore *self,
           Job            job,
           int            layer,
           int            head)
{
  HlCausalSpec spec;
  gboolean started;

  if (job == JOB_HEAD)
    {
      hl_causal_spec_init (&spec);
      spec.experiment = HL_CAUSAL_TRUNCATE;
      spec.layer = layer;
      spec.head = head;
      spec.truncate_modes = (1u << HL_TRUNCATE_RENORMALISE) | (1u << HL_TRUNCATE_DELETE);
      spec.rankings = (1u << HL_RANKING_ATTENTION) | (1u << HL_RANKING_CONTRIBUTION);
      self->job_layer = layer;
      self->job_head = head;
    }
  else
    {
      spec_for_model_run (HL_CAUSAL_STORE_ABLATION, &spec);
      self->job_run = HL_CAUSAL_STORE_ABLATION;
    }
  self->job = job;
  self->progress = 0.0;
  started = start_run (self, &spec);
  emit_changed (self);
  return started;
}

/* Starts @job now, or opens the model first when it is not open yet. */
static gboolean
request_job (HlCausalStore *self,
             Job            job,
             int            layer,
             int            head)
{
  if (self->cancellable != NULL)
    {
      set_progress (self, self->progress, g_strdup (_("Another causal experiment is running: wait for it or "
                                                      "cancel it.")));
      return FALSE;
    }
  if (self->state == HL_CAUSAL_STORE_FOUND)
    {
      self->pending = job;
      self->pending_layer = layer;
      self->pending_head = head;
      open_model (self, NULL);
      return TRUE;
    }
  return self->model != NULL && start_job (self, job, layer, head);
}

gboolean
hl_causal_store_run_head (HlCausalStore *self,
                          int            layer,
                          int            head)
{
  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), FALSE);

  return request_job (self, JOB_HEAD, layer, head);
}

gboolean
hl_causal_store_run_model (HlCausalStore *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), FALSE);

  return request_job (self, JOB_MODEL, -1, -1);
}

/* Results and figures -------------------------------------------------------- */

const HlCausalResult *
hl_causal_store_lookup_head (HlCausalStore *self,
                             int            layer,
                             int            head)
{
  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), NULL);

  if (self->file == NULL || layer < 0 || head < 0)
    return NULL;
  return g_hash_table_lookup (self->heads, GINT_TO_POINTER (layer * n_heads (self) + head));
}

const HlCausalResult *
hl_causal_store_get_result (HlCausalStore   *self,
                            HlCausalStoreRun run)
{
  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), NULL);
  g_return_val_if_fail (run < HL_CAUSAL_STORE_N_MODEL_RUNS, NULL);

  return self->model_results[run];
}

HlFigure *
hl_causal_store_build_head_figure (HlCausalStore  *self,
                                   int             layer,
                                   int             head,
                                   HlFigureTarget  target)
{
  const HlCausalResult *result;
  g_autoptr(HlFigure) curves = NULL;
  g_autofree char *title = NULL;
  int selected_layer, selected_head;

  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), NULL);

  result = hl_causal_store_lookup_head (self, layer, head);
  if (result == NULL)
    return NULL;
  /* The P/R/F curves beside it are the selected head's. */
  if (self->session != NULL && hl_session_get_selected (self->session, &selected_layer, &selected_head) &&
      selected_layer == layer && selected_head == head)
    curves = hl_session_build_figure (self->session, HL_SESSION_FIGURE_HEAD_CURVES, target);
  title = g_strdup_printf (_("Layer %d · Head %d"), layer, head);
  return hl_figure_new_causal_truncation (result, layer, head, curves, title);
}

static const HlCausalResult *
map_result (HlCausalStore *self,
            HlCausalMap    map)
{
  return self->model_results[map == HL_CAUSAL_MAP_ABLATION ? HL_CAUSAL_STORE_ABLATION : HL_CAUSAL_STORE_N_STAR];
}

HlFigure *
hl_causal_store_build_map (HlCausalStore *self,
                           HlCausalMap    map)
{
  const HlCausalResult *result;
  int layer = -1, head = -1;

  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), NULL);

  result = map_result (self, map);
  if (result == NULL)
    return NULL;
  if (self->session != NULL)
    hl_session_get_selected (self->session, &layer, &head);
  return hl_figure_new_causal_map (result, map, layer, head, NULL);
}

HlFigure *
hl_causal_store_build_sparsification (HlCausalStore *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), NULL);

  if (self->model_results[HL_CAUSAL_STORE_SPARSIFY] == NULL)
    return NULL;
  return hl_figure_new_sparsification (self->model_results[HL_CAUSAL_STORE_SPARSIFY], NULL);
}

static void
append_figure (GPtrArray *figures,
               HlFigure  *figure)
{
  if (figure != NULL)
    g_ptr_array_add (figures, figure);
}

void
hl_causal_store_append_figures (HlCausalStore  *self,
                                GPtrArray      *figures,
                                HlFigureTarget  target)
{
  int layer, head;

  g_return_if_fail (HL_IS_CAUSAL_STORE (self));

  if (self->session != NULL && hl_session_get_selected (self->session, &layer, &head))
    append_figure (figures, hl_causal_store_build_head_figure (self, layer, head, target));
  append_figure (figures, hl_causal_store_build_map (self, HL_CAUSAL_MAP_ABLATION));
  append_figure (figures, hl_causal_store_build_map (self, HL_CAUSAL_MAP_N_STAR));
  append_figure (figures, hl_causal_store_build_sparsification (self));
}

char *
hl_causal_store_describe_cell (HlCausalStore *self,
                               HlCausalMap    map,
                               int            layer,
                               int            head)
{
  const HlCausalResult *result;
  g_autofree float *values = NULL;
  float value;

  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), NULL);

  result = map_result (self, map);
  if (result == NULL || layer < 0 || layer >= result->n_layers || head < 0 || head >= result->n_heads)
    return NULL;
  values = g_new (float, result->n_layers * result->n_heads);
  hl_causal_map_values (result, map, values, NULL);
  value = values[layer * result->n_heads + head];
  if (!isfinite (value))
    return g_markup_printf_escaped (_("<b>Layer %d · Head %d</b>: not measured on its own"), layer, head);
  if (map == HL_CAUSAL_MAP_ABLATION)
    return g_markup_printf_escaped (_("<b>Layer %d · Head %d</b>\nAblation Δ NLL %+.4f nats per token: the "
                                      "next-token loss over the file’s %d windows with this head’s output set "
                                      "to zero, minus the unmodified loss %.4f."),
                                    layer, head, value, result->n_windows, result->baseline_nll);
  return g_markup_printf_escaped (_("<b>Layer %d · Head %d</b>\nN* = %d: the fewest keys per query (the top ones "
                                    "by attention, renormalised) with which the loss over the file’s %d windows "
                                    "stays within τ = %g nats per token of the unmodified model."),
                                  layer, head, (int) value, result->n_windows, result->tau);
}

/* State ------------------------------------------------------------------- */

HlCausalStoreState
hl_causal_store_get_state (HlCausalStore *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), HL_CAUSAL_STORE_NO_FILE);

  return self->state;
}

HlCausalModelProblem
hl_causal_store_get_problem (HlCausalStore *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), HL_CAUSAL_MODEL_OK);

  return self->problem;
}

const char *
hl_causal_store_get_model_message (HlCausalStore *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), NULL);

  return self->model_message != NULL ? self->model_message : "";
}

char *
hl_causal_store_dup_explanation (HlCausalStore *store)
{
  const char *detail;

  g_return_val_if_fail (HL_IS_CAUSAL_STORE (store), NULL);

  detail = hl_causal_store_get_model_message (store);
  if (hl_causal_store_get_state (store) == HL_CAUSAL_STORE_NO_FILE)
    return g_strdup ("");

  if (hl_causal_store_get_state (store) != HL_CAUSAL_STORE_NO_MODEL)
    return g_strdup_printf (_("Model: %s"), detail);
  switch (hl_causal_store_get_problem (store))
    {
    case HL_CAUSAL_MODEL_NOT_RECORDED:
      return g_strdup_printf (_("No model recorded. %s."), detail);
    case HL_CAUSAL_MODEL_NOT_FOUND:
      return g_strdup_printf (_("Model not found. %s."), detail);
    case HL_CAUSAL_MODEL_CHANGED:
      return g_strdup_printf (_("Model changed. %s. Choose the model the file was extracted with."), detail);
    case HL_CAUSAL_MODEL_UNREADABLE:
    case HL_CAUSAL_MODEL_OK:
    default:
      return g_strdup_printf (_("The model cannot be used: %s"), detail);
    }
}

gboolean
hl_causal_store_get_busy (HlCausalStore *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), FALSE);

  return self->cancellable != NULL;
}

double
hl_causal_store_get_progress (HlCausalStore *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), 0.0);

  return self->progress;
}

const char *
hl_causal_store_get_status (HlCausalStore *self)
{
  g_return_val_if_fail (HL_IS_CAUSAL_STORE (self), NULL);

  return self->status;
}

/* Object ------------------------------------------------------------------- */

/* The session is gone: nobody waits for the job any more. */
static void
session_gone_cb (gpointer  user_data,
                 GObject  *session)
{
  HlCausalStore *self = user_data;

  self->session = NULL;
  hl_causal_store_cancel (self);
}

static void
hl_causal_store_dispose (GObject *object)
{
  HlCausalStore *self = HL_CAUSAL_STORE (object);

  hl_causal_store_cancel (self);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_object_weak_unref (G_OBJECT (self->session), session_gone_cb, self);
      self->session = NULL;
    }
  g_clear_object (&self->cancellable);
  g_clear_object (&self->model);
  g_clear_object (&self->file);
  g_clear_pointer (&self->heads, g_hash_table_unref);
  for (int r = 0; r < HL_CAUSAL_STORE_N_MODEL_RUNS; r++)
    g_clear_pointer (&self->model_results[r], hl_causal_result_free);

  G_OBJECT_CLASS (hl_causal_store_parent_class)->dispose (object);
}

static void
hl_causal_store_finalize (GObject *object)
{
  HlCausalStore *self = HL_CAUSAL_STORE (object);

  g_free (self->model_message);
  g_free (self->status);

  G_OBJECT_CLASS (hl_causal_store_parent_class)->finalize (object);
}

static void
hl_causal_store_class_init (HlCausalStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hl_causal_store_dispose;
  object_class->finalize = hl_causal_store_finalize;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
hl_causal_store_init (HlCausalStore *self)
{
  self->heads = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) hl_causal_result_free);
  self->status = g_strdup ("");
  self->job_layer = self->job_head = -1;
}

HlCausalStore *
hl_causal_store_peek (HlSession *session)
{
  g_return_val_if_fail (HL_IS_SESSION (session), NULL);

  return g_object_get_data (G_OBJECT (session), STORE_KEY);
}

HlCausalStore *
hl_causal_store_get (HlSession *session)
{
  HlCausalStore *self;

  g_return_val_if_fail (HL_IS_SESSION (session), NULL);

  self = hl_causal_store_peek (session);
  if (self != NULL)
    return self;
  self = g_object_new (HL_TYPE_CAUSAL_STORE, NULL);
  self->session = session;
  g_object_weak_ref (G_OBJECT (session), session_gone_cb, self);
  g_object_set_data_full (G_OBJECT (session), STORE_KEY, self, g_object_unref);
  g_signal_connect_swapped (session, "notify::file", G_CALLBACK (session_file_changed_cb), self);
  session_file_changed_cb (self);
  return self;
}
