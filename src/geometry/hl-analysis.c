/* hl-analysis.c: the whole-file analysis on a worker pool.
 *
 * Threads: the coordinating thread (the caller's for hl_analysis_run(), a
 * private thread for the async variant) reads head blocks with the reader
 * API (which holds the process-wide HDF5 lock around each call) and pushes
 * jobs into a bounded queue; `n_workers` threads pop jobs and compute every
 * query of a head. A job holds one query head's attention rows and a shared
 * reference to its kv head's values, so at most `capacity + n_workers` blocks
 * are alive whatever the number of layers: memory stays bounded.
 *
 * Cancellation: the GCancellable's handler raises a stop flag and wakes
 * every waiting thread; the reader checks it between blocks and the workers
 * between heads, so a run stops within one head's compute time.
 *
 * Delivery: finished results collect in a pending list; the coordinating
 * thread hands them over at most every DELIVERY_INTERVAL_US, as one idle
 * source on the caller's main context (async) or as a progress call in the
 * calling thread (sync).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-analysis.h"
#include "hl-analysis-schedule.h"
#include "hl-background.h"
#include "hl-distance-gemm.h"

#include <cblas.h>
#include <stdlib.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include <glib/gi18n.h>

#define DELIVERY_INTERVAL_US (40 * 1000)
#define WAIT_SLICE_US        (50 * 1000)

G_DEFINE_QUARK (hl-analysis-error-quark, hl_analysis_error)

struct _HlAnalysis
{
  GObject            parent_instance;

  HlActivations     *file;
  HlAnalysisOptions  options;       /* arrays point into the owned copies below */
  int               *layers;        /* owned: the layers analysed, increasing */
  int               *heads;         /* owned: the query heads analysed, increasing */
  int               *samples;       /* owned: the samples analysed, increasing */
  int               *windows;       /* owned: the window lengths asked for, NULL = all */
  gboolean          *query_used;    /* owned: [n_queries] whether each query is analysed */
  int                n_queries_used;
  int               *grid_list;     /* owned, NULL unless HL_GRID_LIST */
  GPtrArray         *results;       /* of HlHeadResult, sorted */
  HlHeadResult     **table;         /* borrowed from results, by (layer, head, sample, query) */
  HlModelSummary    *summary;
  HlAssumptions     *assumptions;
  guint              peak_blocks;
};

G_DEFINE_FINAL_TYPE (HlAnalysis, hl_analysis, G_TYPE_OBJECT)

static void
hl_analysis_finalize (GObject *object)
{
  HlAnalysis *self = HL_ANALYSIS (object);

  g_clear_object (&self->file);
  g_clear_pointer (&self->layers, g_free);
  g_clear_pointer (&self->heads, g_free);
  g_clear_pointer (&self->samples, g_free);
  g_clear_pointer (&self->windows, g_free);
  g_clear_pointer (&self->query_used, g_free);
  g_clear_pointer (&self->grid_list, g_free);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->table, g_free);
  g_clear_pointer (&self->summary, hl_model_summary_free);
  g_clear_pointer (&self->assumptions, hl_assumptions_free);
  g_clear_pointer (&self->options.focus, hl_analysis_focus_unref);

  G_OBJECT_CLASS (hl_analysis_parent_class)->finalize (object);
}

static void
hl_analysis_class_init (HlAnalysisClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hl_analysis_finalize;
}

static void
hl_analysis_init (HlAnalysis *self)
{
}

void
hl_analysis_options_init (HlAnalysisOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (HlAnalysisOptions) { 0 };
  hl_head_analysis_options_init (&options->head);
  options->bootstrap = HL_MODEL_SUMMARY_DEFAULT_BOOTSTRAP;
  hl_assumption_thresholds_init (&options->assumptions);
}

/* The focus. */

struct _HlAnalysisFocus
{
  gatomicrefcount ref_count;
  GMutex          lock;
  int             sample;
  int             query_index;
};

HlAnalysisFocus *
hl_analysis_focus_new (void)
{
  HlAnalysisFocus *self = g_new0 (HlAnalysisFocus, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  self->sample = self->query_index = -1;
  return self;
}

HlAnalysisFocus *
hl_analysis_focus_ref (HlAnalysisFocus *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
hl_analysis_focus_unref (HlAnalysisFocus *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
hl_analysis_focus_set (HlAnalysisFocus *self,
                       int              sample,
                       int              query_index)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  self->sample = MAX (sample, -1);
  self->query_index = MAX (query_index, -1);
  g_mutex_unlock (&self->lock);
}

void
hl_analysis_focus_get (HlAnalysisFocus *self,
                       int             *sample,
                       int             *query_index)
{
  g_return_if_fail (self != NULL && sample != NULL && query_index != NULL);

  g_mutex_lock (&self->lock);
  *sample = self->sample;
  *query_index = self->query_index;
  g_mutex_unlock (&self->lock);
}

/* Options checking and copying. */

static gboolean
check_indices (const int   *list,
               int          n,
               int          limit,
               const char  *what,
               GError     **error)
{
  for (int i = 0; i < n; i++)
    if (list[i] < 0 || list[i] >= limit)
      {
        g_set_error (error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_OPTIONS,
                     _("%s %d is out of range: the file has %d (0 to %d)"),
                     what, list[i], limit, limit - 1);
        return FALSE;
      }
  return TRUE;
}

/* The index of query position @t in the file, or -1. */
static int
query_index_of (const HlActivationsInfo *info,
                int                      t)
{
  for (int q = 0; q < info->n_queries; q++)
    if (info->query_positions[q] == t)
      return q;
  return -1;
}

static gboolean
check_windows (const HlAnalysisOptions *options,
               const HlActivationsInfo *info,
               GError                 **error)
{
  for (int i = 0; options->windows != NULL && i < options->n_windows; i++)
    if (query_index_of (info, options->windows[i] - 1) < 0)
      {
        GString *present = g_string_new (NULL);

        for (int q = 0; q < info->n_queries; q++)
          g_string_append_printf (present, "%s%d", q > 0 ? ", " : "", info->query_positions[q]);
        g_set_error (error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_OPTIONS,
                     _("A window of %d tokens needs the query at position %d, expected one "
                       "of the file's query positions: %s"),
                     options->windows[i], options->windows[i] - 1, present->str);
        g_string_free (present, TRUE);
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_options (const HlAnalysisOptions *options,
               const HlActivationsInfo *info,
               GError                 **error)
{
  const HlHeadAnalysisOptions *head = &options->head;
  const char *problem = NULL;

  if ((head->rankings & ((1u << HL_N_RANKINGS) - 1)) == 0)
    problem = _("no ranking selected");
  else if ((head->distances & ((1u << HL_N_DISTANCES) - 1)) == 0)
    problem = _("no distance selected");
  else if ((head->rankings & (1u << HL_RANKING_RANDOM)) && head->repeats < 1)
    problem = _("the random ranking needs at least one repeat");
  else if (head->grid_kind == HL_GRID_LIST && head->n_grid_list < 1)
    problem = _("the N list is empty");
  else if (options->bootstrap < 0 || options->threads < 0)
    problem = _("bootstrap replicates and threads cannot be negative");
  else if ((options->layers != NULL && options->n_layers < 1)
           || (options->heads != NULL && options->n_heads < 1)
           || (options->samples != NULL && options->n_samples < 1)
           || (options->windows != NULL && options->n_windows < 1))
    problem = _("an empty layer, head or sample subset");
  if (problem != NULL)
    {
      g_set_error (error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_OPTIONS,
                   _("Invalid analysis options: %s"), problem);
      return FALSE;
    }
  if (!hl_regime_thresholds_validate (&head->thresholds, error)
      || !hl_assumption_thresholds_validate (&options->assumptions, error)
      || !check_windows (options, info, error))
    return FALSE;
  return check_indices (options->layers, options->layers ? options->n_layers : 0,
                        info->n_layers, _("Layer"), error)
         && check_indices (options->heads, options->heads ? options->n_heads : 0,
                           info->n_heads, _("Head"), error)
         && check_indices (options->samples, options->samples ? options->n_samples : 0,
                           info->n_samples, _("Sample"), error);
}

static int
compare_ints (const void *a,
              const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;

  return (x > y) - (x < y);
}

/* A sorted, duplicate-free copy of @list, or 0..n_all-1 when @list is NULL. */
static int *
index_set (const int *list,
           int        n_list,
           int        n_all,
           int       *n_out)
{
  g_autofree gboolean *chosen = g_new0 (gboolean, n_all);
  int *set = g_new (int, n_all);
  int n = 0;

  for (int i = 0; i < (list ? n_list : n_all); i++)
    chosen[list ? list[i] : i] = TRUE;
  for (int i = 0; i < n_all; i++)
    if (chosen[i])
      set[n++] = i;
  *n_out = n;
  return set;
}

static HlAnalysis *
analysis_new (HlActivations           *file,
              const HlAnalysisOptions *options)
{
  const HlActivationsInfo *info = hl_activations_get_info (file);
  HlAnalysis *self = g_object_new (HL_TYPE_ANALYSIS, NULL);

  self->file = g_object_ref (file);
  self->options = *options;
  self->layers = index_set (options->layers, options->n_layers, info->n_layers,
                            &self->options.n_layers);
  self->heads = index_set (options->heads, options->n_heads, info->n_heads,
                           &self->options.n_heads);
  self->samples = index_set (options->samples, options->n_samples, info->n_samples,
                             &self->options.n_samples);
  self->options.layers = self->layers;
  self->options.heads = self->heads;
  self->options.samples = self->samples;
  self->query_used = g_new0 (gboolean, MAX (info->n_queries, 1));
  for (int q = 0; q < info->n_queries; q++)
    self->query_used[q] = options->windows == NULL;
  if (options->windows != NULL)
    {
      self->windows = g_memdup2 (options->windows, sizeof (int) * options->n_windows);
      self->options.windows = self->windows;
      for (int i = 0; i < options->n_windows; i++)
        self->query_used[query_index_of (info, options->windows[i] - 1)] = TRUE;
    }
  for (int q = 0; q < info->n_queries; q++)
    self->n_queries_used += self->query_used[q];
  if (options->head.grid_kind == HL_GRID_LIST)
    self->grid_list = g_memdup2 (options->head.grid_list,
                                 sizeof (int) * options->head.n_grid_list);
  self->options.head.grid_list = self->grid_list;
  if (options->focus != NULL)
    self->options.focus = hl_analysis_focus_ref (options->focus);
  if (self->options.threads == 0)
    self->options.threads = MAX (1, (int) g_get_num_processors ());
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) hl_head_result_unref);
  return self;
}

/* Jobs and the shared values block. */

/* A kv head's values, read as stored by the reader and converted to float32
 * by the first worker that needs them: the conversion writes the block
 * into that worker's cache, where its analysis reads it several times (in
 * the reader, the conversion's output went through the other core's cache
 * and the worker read it back from the shared one). */
typedef struct
{
  GMutex   lock;     /* guards the conversion */
  gpointer stored;   /* as stored in the file; NULL once converted */
  float   *data;     /* [seq_len, head_dim]; NULL until converted */
  gboolean failed;   /* the conversion failed (run_fail () has the error) */
  /* The diagnostics' values part over keys 0..summary_keys - 1, made with
   * the conversion when more than one query reads the block (else NULL). */
  HlValuesSummary *summary;
  int      summary_keys;
  /* The values over the same keys laid out for the distance GEMM, made
   * with the conversion when more than one query reads the block (NULL
   * where the kernel calls BLAS). */
  HlValuesPanels *panels;
  int      layer, sample, kv_head;
  gint    *alive;    /* the run's count of blocks in memory */
} ValuesBlock;

typedef struct
{
  ValuesBlock *values;     /* a reference (g_rc_box) */
  float       *attention;  /* owned: [n_queries, seq_len] */
  gboolean    *queries;    /* owned: [n_queries] the queries to compute */
  HlHeadId     id;         /* query_index unused: a job covers its queries */
} Job;

static void
values_block_clear (gpointer data)
{
  ValuesBlock *block = data;

  g_free (block->stored);
  g_free (block->data);
  hl_values_summary_free (block->summary);
  hl_values_panels_free (block->panels);
  g_mutex_clear (&block->lock);
  g_atomic_int_add (block->alive, -1);
}

static void
job_free (Job *job)
{
  g_atomic_rc_box_release_full (job->values, values_block_clear);
  g_free (job->attention);
  g_free (job->queries);
  g_free (job);
}

/* The run: shared by the coordinating thread, the workers and the idle
 * sources of the async delivery. Refcounted with g_atomic_rc_box. */

typedef struct
{
  HlAnalysis             *analysis;      /* owned until handed to the caller */
  const HlActivationsInfo *info;
  GCancellable           *cancellable;   /* owned, may be NULL */
  gulong                  cancelled_id;
  gint                    stop;          /* atomic: cancelled or failed */

  GMutex                  mutex;         /* protects everything below */
  /* Each side is woken only when it waits and has something to do: the
   * workers on @work when a job arrives, the coordinating thread on @room
   * when a job leaves the queue or a worker ends. */
  GCond                   work;
  GCond                   room;
  int                     idle_workers;  /* waiting on @work */
  gboolean                reader_waiting; /* waiting on @room for room */
  GQueue                  jobs;
  guint                   capacity;
  gint                    alive_blocks;  /* atomic */
  guint                   peak_blocks;   /* reader thread only */
  gboolean                reader_done;
  int                     active_workers;
  GPtrArray              *pending;       /* results not yet delivered */
  int                    *query_token_ids; /* [n_samples, n_queries], or NULL: no ids */
  char                  **query_tokens;  /* [n_samples, n_queries], or NULL: no texts */
  gsize                   n_query_tokens;
  guint                   done;
  guint                   total;
  GError                 *error;         /* the first failure */

  /* Delivery. */
  gboolean                sync;
  GMainContext           *context;       /* async: the caller's, owned */
  GTask                  *task;          /* async: owned */
  HlAnalysisProgressFunc  progress;
  HlAnalysisHeadFunc      head_done;
  gpointer                user_data;
  GDestroyNotify          notify;
  gint64                  last_delivery_us;
  gboolean                delivery_scheduled;
  gboolean                completed;     /* main context only: finish was returned */
  guint                   delivered;     /* main context only */
} Run;

static void
run_clear (gpointer data)
{
  Run *run = data;

  g_clear_object (&run->analysis);
  g_clear_object (&run->cancellable);
  g_queue_clear_full (&run->jobs, (GDestroyNotify) job_free);
  g_clear_pointer (&run->pending, g_ptr_array_unref);
  g_clear_pointer (&run->query_token_ids, g_free);
  for (gsize i = 0; run->query_tokens != NULL && i < run->n_query_tokens; i++)
    g_free (run->query_tokens[i]);
  g_clear_pointer (&run->query_tokens, g_free);
  g_clear_error (&run->error);
  g_clear_pointer (&run->context, g_main_context_unref);
  g_clear_object (&run->task);
  g_mutex_clear (&run->mutex);
  g_cond_clear (&run->work);
  g_cond_clear (&run->room);
}

static void
run_unref (Run *run)
{
  g_atomic_rc_box_release_full (run, run_clear);
}

static gboolean
run_should_stop (Run *run)
{
  return g_atomic_int_get (&run->stop) != 0;
}

/* Raises the stop flag and wakes every thread waiting on the run. */
static void
run_stop (Run *run)
{
  g_atomic_int_set (&run->stop, 1);
  g_mutex_lock (&run->mutex);
  g_cond_broadcast (&run->work);
  g_cond_broadcast (&run->room);
  g_mutex_unlock (&run->mutex);
}

static void
run_cancelled_cb (GCancellable *cancellable,
                  gpointer      user_data)
{
  run_stop (user_data);
}

static void
run_fail (Run    *run,
          GError *error)
{
  g_mutex_lock (&run->mutex);
  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&run->mutex);
  run_stop (run);
}

static Run *
run_new (HlActivations           *file,
         const HlAnalysisOptions *options,
         GCancellable            *cancellable)
{
  Run *run = g_atomic_rc_box_new0 (Run);
  const HlAnalysisOptions *own;

  run->analysis = analysis_new (file, options);
  run->info = hl_activations_get_info (file);
  own = &run->analysis->options;
  g_mutex_init (&run->mutex);
  g_cond_init (&run->work);
  g_cond_init (&run->room);
  g_queue_init (&run->jobs);
  run->capacity = 2 * own->threads + 2;
  run->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) hl_head_result_unref);
  run->total = (guint) own->n_layers * own->n_heads * own->n_samples
               * run->analysis->n_queries_used;
  if (cancellable != NULL)
    {
      run->cancellable = g_object_ref (cancellable);
      run->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (run_cancelled_cb),
                                                 run, NULL);
    }
  return run;
}

/* The workers. */

static void
run_add_result (Run          *run,
                HlHeadResult *result)
{
  g_mutex_lock (&run->mutex);
  g_ptr_array_add (run->analysis->results, result);
  if (!run->sync)
    g_ptr_array_add (run->pending, hl_head_result_ref (result));
  run->done++;
  g_mutex_unlock (&run->mutex);
}

/* Converts the job's values block the first time a worker needs it;
 * FALSE when it could not be converted (the run then fails). */
static gboolean
values_block_convert (Run         *run,
                      ValuesBlock *block)
{
  const HlActivationsInfo *info = run->info;
  GError *error = NULL;
  gboolean ok;

  g_mutex_lock (&block->lock);
  if (block->stored != NULL)
    {
      block->data = g_new (float, (gsize) info->seq_len * info->head_dim);
      block->failed = !hl_activations_values_from_stored (run->analysis->file, block->layer,
                                                          block->sample, block->kv_head,
                                                          block->stored, block->data, &error);
      g_clear_pointer (&block->stored, g_free);
      if (!block->failed && block->summary_keys > 0)
        {
          block->summary = hl_values_summary_new (block->data, block->summary_keys,
                                                  info->head_dim,
                                                  run->analysis->options.head.n_lags);
          block->panels = hl_values_panels_new (block->data, block->summary_keys, info->head_dim);
        }
    }
  ok = !block->failed;
  g_mutex_unlock (&block->lock);
  if (error != NULL)
    run_fail (run, error);
  return ok;
}

/* One result, with the token at its query position when the file has one. */
static HlHeadResult *
compute_head (Run                   *run,
              const HlHeadInput     *input,
              const HlHeadId        *id,
              const HlValuesSummary *summary)
{
  HlHeadResult *result = hl_head_analysis_compute_shared (input, id, &run->analysis->options.head,
                                                          summary);
  gsize at = (gsize) id->sample * run->info->n_queries + id->query_index;

  hl_head_result_set_query_token (result,
                                  run->query_token_ids != NULL ? run->query_token_ids[at] : -1,
                                  run->query_tokens != NULL ? run->query_tokens[at] : NULL);
  return result;
}

static void
process_job (Run *run,
             Job *job)
{
  const HlActivationsInfo *info = run->info;

  if (!values_block_convert (run, job->values))
    return;
  for (int q = 0; q < info->n_queries && !run_should_stop (run); q++)
    {
      if (!job->queries[q])
        continue;
      HlHeadInput input = {
        .n_keys = info->query_positions[q] + 1,
        .head_dim = info->head_dim,
        .values = job->values->data,
        .alpha = job->attention + (gsize) q * info->seq_len,
        .panels = job->values->panels,
      };
      HlHeadId id = job->id;

      id.query_index = q;
      run_add_result (run, compute_head (run, &input, &id, job->values->summary));
    }
}

static Job *
pop_job (Run *run)
{
  Job *job = NULL;

  g_mutex_lock (&run->mutex);
  while (!run_should_stop (run) && g_queue_is_empty (&run->jobs) && !run->reader_done)
    {
      run->idle_workers++;
      g_cond_wait (&run->work, &run->mutex);
      run->idle_workers--;
    }
  if (!run_should_stop (run))
    job = g_queue_pop_head (&run->jobs);
  if (run->reader_waiting)
    g_cond_signal (&run->room);
  g_mutex_unlock (&run->mutex);
  return job;
}

/* The analysis yields to the interface: on a 2-core machine the workers and
 * the reader would otherwise take the cores from the main loop exactly while
 * the heatmap fills in. On Linux the nice value is per thread. */
static void
lower_thread_priority (void)
{
#ifdef __linux__
  setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
#endif
}

static gpointer
worker_thread (gpointer data)
{
  Run *run = data;
  Job *job;

  lower_thread_priority ();
  while ((job = pop_job (run)) != NULL)
    {
      process_job (run, job);
      job_free (job);
    }
  g_mutex_lock (&run->mutex);
  run->active_workers--;
  g_cond_signal (&run->room);
  g_mutex_unlock (&run->mutex);
  return NULL;
}

/* Delivery. */

/* Main context: hands a batch of results and the progress to the caller. */
static gboolean
deliver_in_main (gpointer data)
{
  Run *run = data;
  g_autoptr(GPtrArray) batch = NULL;

  g_mutex_lock (&run->mutex);
  batch = g_steal_pointer (&run->pending);
  run->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) hl_head_result_unref);
  run->delivery_scheduled = FALSE;
  g_mutex_unlock (&run->mutex);

  if (run->completed || g_cancellable_is_cancelled (run->cancellable) || batch->len == 0)
    return G_SOURCE_REMOVE;
  /* A callback may cancel: the rest of the batch is dropped then. */
  for (guint i = 0; i < batch->len; i++)
    {
      if (g_cancellable_is_cancelled (run->cancellable))
        return G_SOURCE_REMOVE;
      if (run->head_done != NULL)
        run->head_done (g_ptr_array_index (batch, i), run->user_data);
      run->delivered++;
    }
  if (run->progress != NULL && !g_cancellable_is_cancelled (run->cancellable))
    run->progress (run->delivered, run->total, run->user_data);
  return G_SOURCE_REMOVE;
}

static void
schedule_in_main (Run         *run,
                  GSourceFunc  func)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, g_atomic_rc_box_acquire (run),
                         (GDestroyNotify) run_unref);
  g_source_set_static_name (source, "[headlens] analysis delivery");
  g_source_attach (source, run->context);
}

/* Coordinating thread, without the mutex: passes progress on, at most every
 * DELIVERY_INTERVAL_US unless @final. */
static void
run_deliver (Run      *run,
             gboolean  final)
{
  gint64 now = g_get_monotonic_time ();
  gboolean schedule;
  guint done;

  if (!final && now - run->last_delivery_us < DELIVERY_INTERVAL_US)
    return;
  run->last_delivery_us = now;
  g_mutex_lock (&run->mutex);
  done = run->done;
  schedule = !run->sync && !run->delivery_scheduled && run->pending->len > 0;
  if (schedule)
    run->delivery_scheduled = TRUE;
  g_mutex_unlock (&run->mutex);

  if (schedule)
    schedule_in_main (run, deliver_in_main);
  else if (run->sync && run->progress != NULL && !run_should_stop (run))
    run->progress (done, run->total, run->user_data);
}

/* The reader. */

static void
push_job (Run *run,
          Job *job)
{
  g_mutex_lock (&run->mutex);
  while (!run_should_stop (run) && g_queue_get_length (&run->jobs) >= run->capacity)
    {
      run->reader_waiting = TRUE;
      g_cond_wait_until (&run->room, &run->mutex, g_get_monotonic_time () + WAIT_SLICE_US);
      run->reader_waiting = FALSE;
      g_mutex_unlock (&run->mutex);
      run_deliver (run, FALSE);
      g_mutex_lock (&run->mutex);
    }
  if (run_should_stop (run))
    job_free (job);
  else
    g_queue_push_tail (&run->jobs, job);
  if (run->idle_workers > 0)
    g_cond_signal (&run->work);
  g_mutex_unlock (&run->mutex);
}

static gboolean
read_head_jobs (Run            *run,
                ValuesBlock    *values,
                int             layer,
                int             sample,
                int             kv_head,
                const gboolean *queries,
                GError        **error)
{
  const HlAnalysis *analysis = run->analysis;
  const HlActivationsInfo *info = run->info;

  for (int k = 0; k < analysis->options.n_heads && !run_should_stop (run); k++)
    {
      int head = analysis->heads[k];
      Job *job;

      if (info->kv_head_of[head] != kv_head)
        continue;
      job = g_new0 (Job, 1);
      job->values = g_atomic_rc_box_acquire (values);
      job->attention = g_new (float, (gsize) info->n_queries * info->seq_len);
      job->queries = g_memdup2 (queries, sizeof (gboolean) * MAX (info->n_queries, 1));
      job->id = (HlHeadId) { layer, head, sample, 0, kv_head };
      if (!hl_activations_read_attention (analysis->file, layer, sample, head,
                                          job->attention, error))
        {
          job_free (job);
          return FALSE;
        }
      push_job (run, job);
    }
  return TRUE;
}

/* The query heads analysed that read @kv_head's values. */
static int
kv_head_readers (const Run *run,
                 int        kv_head)
{
  int n = 0;

  for (int k = 0; k < run->analysis->options.n_heads; k++)
    n += run->info->kv_head_of[run->analysis->heads[k]] == kv_head;
  return n;
}

static gboolean
kv_head_needed (const Run *run,
                int        kv_head)
{
  return kv_head_readers (run, kv_head) > 0;
}

/* The keys of the summary that the queries of a values block share: up to
 * the last of @queries, those computed from this reading of the block; 0
 * (none) when only one query reads it. */
static int
summary_keys (const Run      *run,
              int             n_readers,
              const gboolean *queries)
{
  const HlActivationsInfo *info = run->info;
  int keys = 0, n_queries = 0;

  for (int q = 0; q < info->n_queries; q++)
    if (queries[q])
      {
        keys = MAX (keys, info->query_positions[q] + 1);
        n_queries++;
      }
  return n_readers * n_queries >= 2 ? keys : 0;
}

/* Reads one kv head's values once and queues a job per query head that
 * reads them, for @queries. */
static gboolean
read_block (Run            *run,
            int             layer,
            int             sample,
            int             kv_head,
            const gboolean *queries,
            GError        **error)
{
  int n_readers = kv_head_readers (run, kv_head);
  ValuesBlock *values;
  gboolean ok;
  guint alive;

  values = g_atomic_rc_box_new0 (ValuesBlock);
  g_mutex_init (&values->lock);
  values->stored = g_malloc (hl_activations_get_values_stored_size (run->analysis->file));
  values->layer = layer;
  values->sample = sample;
  values->kv_head = kv_head;
  values->summary_keys = summary_keys (run, n_readers, queries);
  values->alive = &run->alive_blocks;
  alive = (guint) g_atomic_int_add (&run->alive_blocks, 1) + 1;
  run->peak_blocks = MAX (run->peak_blocks, alive);
  ok = hl_activations_read_values_stored (run->analysis->file, layer, sample, kv_head,
                                          values->stored, error)
       && read_head_jobs (run, values, layer, sample, kv_head, queries, error);
  g_atomic_rc_box_release_full (values, values_block_clear);
  return ok;
}

/* The tokens at the query positions of one sample. */
static gboolean
read_sample_query_tokens (Run     *run,
                          int      sample,
                          GError **error)
{
  const HlActivationsInfo *info = run->info;
  gsize row = (gsize) sample * info->n_queries;
  g_autofree int32_t *ids = NULL;
  g_auto(GStrv) texts = NULL;

  if (info->has_token_ids)
    {
      ids = g_new (int32_t, info->seq_len);
      if (!hl_activations_read_token_ids (run->analysis->file, sample, ids, error))
        return FALSE;
    }
  if (info->has_token_texts
      && (texts = hl_activations_read_token_texts (run->analysis->file, sample, error)) == NULL)
    return FALSE;
  for (int q = 0; q < info->n_queries; q++)
    {
      if (ids != NULL)
        run->query_token_ids[row + q] = ids[info->query_positions[q]];
      if (texts != NULL)
        run->query_tokens[row + q] = g_strdup (texts[info->query_positions[q]]);
    }
  return TRUE;
}

/* The coordinating thread reads every sample's query tokens before the
 * blocks (HDF5 is read from one thread), so results carry them. */
static gboolean
read_query_tokens (Run     *run,
                   GError **error)
{
  const HlActivationsInfo *info = run->info;
  gsize n = (gsize) info->n_samples * info->n_queries;

  run->n_query_tokens = n;
  if (info->has_token_ids)
    run->query_token_ids = g_new (int, MAX (n, 1));
  if (info->has_token_texts)
    run->query_tokens = g_new0 (char *, MAX (n, 1));
  for (int s = 0; s < run->analysis->options.n_samples
                  && (info->has_token_ids || info->has_token_texts); s++)
    if (run_should_stop (run)
        || !read_sample_query_tokens (run, run->analysis->samples[s], error))
      return FALSE;
  return TRUE;
}

static HlAnalysisSchedule *
schedule_new (const Run *run)
{
  const HlActivationsInfo *info = run->info;
  g_autofree gboolean *kv_needed = g_new (gboolean, MAX (info->n_kv_heads, 1));

  for (int g = 0; g < info->n_kv_heads; g++)
    kv_needed[g] = kv_head_needed (run, g);
  return hl_analysis_schedule_new (run->analysis->options.n_layers,
                                   run->analysis->options.n_samples,
                                   info->n_kv_heads, info->n_queries, kv_needed,
                                   run->analysis->query_used);
}

/* The index of @sample among the analysed samples; -1 ("any") for -1 or
 * a sample not analysed. */
static int
sample_index (const HlAnalysis *analysis,
              int               sample)
{
  for (int s = 0; sample >= 0 && s < analysis->options.n_samples; s++)
    if (analysis->samples[s] == sample)
      return s;
  return -1;
}

/* Reads the blocks in the schedule's order, asking the focus before each. */
static void
read_all (Run *run)
{
  const HlAnalysis *analysis = run->analysis;
  g_autoptr(HlAnalysisSchedule) schedule = schedule_new (run);
  g_autofree gboolean *queries = g_new (gboolean, MAX (run->info->n_queries, 1));
  int focus_sample = -1, focus_query = -1;
  GError *error = NULL;
  HlScheduledBlock block;

  if (!read_query_tokens (run, &error))
    {
      if (error != NULL)
        run_fail (run, error);
      return;
    }
  while (!run_should_stop (run))
    {
      if (analysis->options.focus != NULL)
        hl_analysis_focus_get (analysis->options.focus, &focus_sample, &focus_query);
      if (!hl_analysis_schedule_next (schedule, sample_index (analysis, focus_sample),
                                      focus_query, &block, queries))
        return;
      if (!read_block (run, analysis->layers[block.layer_index],
                       analysis->samples[block.sample], block.kv_head, queries, &error))
        {
          run_fail (run, error);
          return;
        }
      run_deliver (run, FALSE);
    }
}

/* The coordinating thread's work. */

static int
compare_results (gconstpointer a,
                 gconstpointer b)
{
  const HlHeadResult *x = *(HlHeadResult * const *) a;
  const HlHeadResult *y = *(HlHeadResult * const *) b;
  int keys_x[] = { x->layer, x->head, x->sample, x->query_index };
  int keys_y[] = { y->layer, y->head, y->sample, y->query_index };

  for (int i = 0; i < 4; i++)
    if (keys_x[i] != keys_y[i])
      return keys_x[i] < keys_y[i] ? -1 : 1;
  return 0;
}

static gsize
table_index (const HlActivationsInfo *info,
             int                      layer,
             int                      head,
             int                      sample,
             int                      query_index)
{
  return (((gsize) layer * info->n_heads + head) * info->n_samples + sample)
         * info->n_queries + query_index;
}

static void
analysis_finish (HlAnalysis *self)
{
  const HlActivationsInfo *info = hl_activations_get_info (self->file);

  g_ptr_array_sort (self->results, compare_results);
  self->table = g_new0 (HlHeadResult *, (gsize) info->n_layers * info->n_heads
                                        * info->n_samples * info->n_queries);
  for (guint i = 0; i < self->results->len; i++)
    {
      HlHeadResult *r = g_ptr_array_index (self->results, i);

      self->table[table_index (info, r->layer, r->head, r->sample, r->query_index)] = r;
    }
  self->summary = hl_model_summary_new ((HlHeadResult * const *) self->results->pdata,
                                        self->results->len, info->n_layers,
                                        self->options.bootstrap, self->options.head.seed);
  self->assumptions = hl_assumptions_new ((HlHeadResult * const *) self->results->pdata,
                                          self->results->len, self->summary,
                                          &self->options.assumptions);
}

static void
wait_for_workers (Run *run)
{
  g_mutex_lock (&run->mutex);
  run->reader_done = TRUE;
  g_cond_broadcast (&run->work);
  while (run->active_workers > 0)
    {
      /* Woken when a worker ends; results are passed on at their pace. */
      g_cond_wait_until (&run->room, &run->mutex, run->last_delivery_us + DELIVERY_INTERVAL_US);
      g_mutex_unlock (&run->mutex);
      run_deliver (run, FALSE);
      g_mutex_lock (&run->mutex);
    }
  g_mutex_unlock (&run->mutex);
}

/* A file rewritten while it was read gives results that match neither
 * version: the run fails instead. */
static void
check_file_unchanged (Run *run)
{
  GError *error = NULL;

  if (!hl_activations_check_unchanged (run->analysis->file, &error))
    run_fail (run, error);
}

/* The pool parallelises across heads; one head's GEMM (a few hundred
 * centres by t keys) is too small for OpenBLAS's threads to pay for their
 * hand-offs, and with several workers they would fight the pool for the
 * same cores. So BLAS runs single-threaded while any analysis runs, also
 * with one worker, and gets its thread count back when the last one ends
 * (the setting is process-wide; the PCA of the head detail runs meanwhile
 * on one thread too, which its size does not notice). */
static GMutex blas_lock;
static int    blas_runs;
static int    blas_threads_before;

static void
blas_single_threaded_begin (void)
{
  g_mutex_lock (&blas_lock);
  if (blas_runs++ == 0)
    {
      blas_threads_before = openblas_get_num_threads ();
      openblas_set_num_threads (1);
    }
  g_mutex_unlock (&blas_lock);
}

static void
blas_single_threaded_end (void)
{
  g_mutex_lock (&blas_lock);
  g_assert (blas_runs > 0);
  if (--blas_runs == 0)
    openblas_set_num_threads (blas_threads_before);
  g_mutex_unlock (&blas_lock);
}

static void
run_execute (Run *run)
{
  int n_workers = run->analysis->options.threads;
  g_autofree GThread **workers = g_new (GThread *, n_workers);

  blas_single_threaded_begin ();
  run->active_workers = n_workers;
  for (int i = 0; i < n_workers; i++)
    workers[i] = g_thread_new ("hl-analysis-worker", worker_thread, run);
  read_all (run);
  wait_for_workers (run);
  for (int i = 0; i < n_workers; i++)
    g_thread_join (workers[i]);
  if (run->cancellable != NULL)
    g_cancellable_disconnect (run->cancellable, run->cancelled_id);
  run->cancelled_id = 0;
  run->analysis->peak_blocks = run->peak_blocks;
  if (!run_should_stop (run))
    check_file_unchanged (run);
  if (!run_should_stop (run))
    analysis_finish (run->analysis);
  run_deliver (run, TRUE);
  blas_single_threaded_end ();
}

/* Main context: the last batch, then the task's result. */
static gboolean
complete_in_main (gpointer data)
{
  Run *run = data;

  if (run->error == NULL)
    deliver_in_main (run);
  run->completed = TRUE;
  if (run->error != NULL)
    g_task_return_error (run->task, g_steal_pointer (&run->error));
  else if (!g_task_return_error_if_cancelled (run->task))
    g_task_return_pointer (run->task, g_steal_pointer (&run->analysis), g_object_unref);
  if (run->notify != NULL)
    g_clear_pointer (&run->user_data, run->notify);
  return G_SOURCE_REMOVE;
}

static gpointer
coordinator_thread (gpointer data)
{
  Run *run = data;

  lower_thread_priority ();
  run_execute (run);
  schedule_in_main (run, complete_in_main);
  run_unref (run);
  hl_background_end ();
  return NULL;
}

void
hl_analysis_run_async (HlActivations           *file,
                       const HlAnalysisOptions *options,
                       HlAnalysisProgressFunc   progress,
                       HlAnalysisHeadFunc       head_done,
                       gpointer                 user_data,
                       GDestroyNotify           notify,
                       GCancellable            *cancellable,
                       GAsyncReadyCallback      callback,
                       gpointer                 callback_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  Run *run;

  g_return_if_fail (HL_IS_ACTIVATIONS (file));
  g_return_if_fail (options != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, callback_data);
  g_task_set_source_tag (task, hl_analysis_run_async);
  if (!check_options (options, hl_activations_get_info (file), &error)
      || !hl_analysis_check_memory (file, options, &error))
    {
      g_task_return_error (task, error);
      if (notify != NULL)
        notify (user_data);
      return;
    }
  run = run_new (file, options, cancellable);
  run->task = g_object_ref (task);
  run->context = g_main_context_ref_thread_default ();
  run->progress = progress;
  run->head_done = head_done;
  run->user_data = user_data;
  run->notify = notify;
  hl_background_begin ();
  g_thread_unref (g_thread_new ("hl-analysis", coordinator_thread, run));
}

HlAnalysis *
hl_analysis_run_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hl_analysis_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

HlAnalysis *
hl_analysis_run (HlActivations           *file,
                 const HlAnalysisOptions *options,
                 HlAnalysisProgressFunc   progress,
                 gpointer                 user_data,
                 GCancellable            *cancellable,
                 GError                 **error)
{
  HlAnalysis *analysis = NULL;
  Run *run;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (file), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_options (options, hl_activations_get_info (file), error)
      || !hl_analysis_check_memory (file, options, error))
    return NULL;
  run = run_new (file, options, cancellable);
  run->sync = TRUE;
  run->progress = progress;
  run->user_data = user_data;
  run_execute (run);
  if (run->error != NULL)
    g_propagate_error (error, g_steal_pointer (&run->error));
  else if (!g_cancellable_set_error_if_cancelled (cancellable, error))
    analysis = g_steal_pointer (&run->analysis);
  run_unref (run);
  return analysis;
}

/* Whether @result is one the analysis asked for: a layer, head, sample and
 * query of its subsets. */
static gboolean
result_in_subsets (HlAnalysis         *self,
                   const HlHeadResult *result)
{
  const HlActivationsInfo *info = hl_activations_get_info (self->file);
  const HlAnalysisOptions *o = &self->options;

  return bsearch (&result->layer, self->layers, o->n_layers, sizeof (int), compare_ints) != NULL
         && bsearch (&result->head, self->heads, o->n_heads, sizeof (int), compare_ints) != NULL
         && bsearch (&result->sample, self->samples, o->n_samples, sizeof (int), compare_ints) != NULL
         && result->query_index >= 0 && result->query_index < info->n_queries
         && self->query_used[result->query_index]
         && result->kv_head == info->kv_head_of[result->head];
}

HlAnalysis *
hl_analysis_new_from_results (HlActivations           *file,
                              const HlAnalysisOptions *options,
                              HlHeadResult * const    *results,
                              guint                    n_results,
                              GError                 **error)
{
  g_autoptr(HlAnalysis) self = NULL;
  const HlActivationsInfo *info;
  guint expected;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (file), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (n_results == 0 || results != NULL, NULL);

  info = hl_activations_get_info (file);
  if (!check_options (options, info, error))
    return NULL;
  self = analysis_new (file, options);
  expected = (guint) self->options.n_layers * self->options.n_heads * self->options.n_samples
             * self->n_queries_used;
  self->table = g_new0 (HlHeadResult *, (gsize) info->n_layers * info->n_heads
                                        * info->n_samples * info->n_queries);
  for (guint i = 0; i < n_results; i++)
    {
      HlHeadResult *r = results[i];
      HlHeadResult **slot;

      if (!result_in_subsets (self, r)
          || *(slot = &self->table[table_index (info, r->layer, r->head, r->sample,
                                                r->query_index)]) != NULL)
        {
          g_set_error (error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_RESULTS,
                       _("The result of layer %d, head %d, sample %d, query %d is %s"),
                       r->layer, r->head, r->sample, r->query_position,
                       result_in_subsets (self, r) ? _("there twice") : _("not one the analysis asks for"));
          return NULL;
        }
      *slot = r;
      g_ptr_array_add (self->results, hl_head_result_ref (r));
    }
  if (n_results != expected)
    {
      g_set_error (error, HL_ANALYSIS_ERROR, HL_ANALYSIS_ERROR_RESULTS,
                   _("%u head results, expected %u: some are missing"), n_results, expected);
      return NULL;
    }
  g_clear_pointer (&self->table, g_free);
  analysis_finish (self);
  return g_steal_pointer (&self);
}

HlActivations *
hl_analysis_get_file (HlAnalysis *self)
{
  g_return_val_if_fail (HL_IS_ANALYSIS (self), NULL);

  return self->file;
}

const HlAnalysisOptions *
hl_analysis_get_options (HlAnalysis *self)
{
  g_return_val_if_fail (HL_IS_ANALYSIS (self), NULL);

  return &self->options;
}

guint
hl_analysis_get_n_results (HlAnalysis *self)
{
  g_return_val_if_fail (HL_IS_ANALYSIS (self), 0);

  return self->results->len;
}

HlHeadResult *
hl_analysis_get_result (HlAnalysis *self,
                        guint       index)
{
  g_return_val_if_fail (HL_IS_ANALYSIS (self), NULL);
  g_return_val_if_fail (index < self->results->len, NULL);

  return g_ptr_array_index (self->results, index);
}

HlHeadResult *
hl_analysis_lookup (HlAnalysis *self,
                    int         layer,
                    int         head,
                    int         sample,
                    int         query_index)
{
  const HlActivationsInfo *info;

  g_return_val_if_fail (HL_IS_ANALYSIS (self), NULL);

  info = hl_activations_get_info (self->file);
  if (layer < 0 || layer >= info->n_layers || head < 0 || head >= info->n_heads
      || sample < 0 || sample >= info->n_samples || query_index < 0
      || query_index >= info->n_queries)
    return NULL;
  return self->table[table_index (info, layer, head, sample, query_index)];
}

const HlModelSummary *
hl_analysis_get_summary (HlAnalysis *self)
{
  g_return_val_if_fail (HL_IS_ANALYSIS (self), NULL);

  return self->summary;
}

const HlAssumptions *
hl_analysis_get_assumptions (HlAnalysis *self)
{
  g_return_val_if_fail (HL_IS_ANALYSIS (self), NULL);

  return self->assumptions;
}

guint
hl_analysis_get_peak_blocks (HlAnalysis *self)
{
  g_return_val_if_fail (HL_IS_ANALYSIS (self), 0);

  return self->peak_blocks;
}
