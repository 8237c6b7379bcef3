/* hl-extract.h: runs a model (a llama2.c checkpoint or a Hugging Face model
 * directory) over a text or a corpus of documents and writes a v1
 * activation file (values of every kv head, attention rows of chosen query
 * positions, tokens).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hl-activations.h"
#include "hl-text-codec.h"

G_BEGIN_DECLS

#define HL_EXTRACT_ERROR (hl_extract_error_quark ())

typedef enum
{
  HL_EXTRACT_ERROR_WINDOW,     /* window or stride out of range */
  HL_EXTRACT_ERROR_TOO_SHORT,  /* the text has fewer tokens than one window */
  HL_EXTRACT_ERROR_TOO_LONG,   /* a window or prompt longer than the model's seq_len */
  HL_EXTRACT_ERROR_QUERIES,    /* a query list that does not parse or is out of range */
  HL_EXTRACT_ERROR_CORPUS,     /* a corpus that cannot be read or has no usable document */
  HL_EXTRACT_ERROR_OPTIONS,    /* generation options out of range (NaN temperature) */
} HlExtractError;

typedef enum
{
  HL_EXTRACT_QUERIES_LAST,     /* the last position of each window (default) */
  HL_EXTRACT_QUERIES_ALL,      /* every position */
  HL_EXTRACT_QUERIES_LIST,     /* the positions in query_positions */
} HlExtractQueries;

/* What to extract. The model is either @model_dir (a Hugging Face model
 * directory) or @checkpoint_path with @tokenizer_path (llama2.c). The
 * tokenizer's prefix P (BOS for llama2.c, Llama, Mistral, Gemma; none for
 * GPT-2 and Qwen2) starts every sample.
 *
 * A text is encoded once as [P, c_0, ..., c_{N-1}]; sample k is
 * [P, c_{kS}, ..., c_{kS+T-|P|-1}] for window T and stride S, for every k
 * whose window fits (up to max_samples); the tokens after the last full
 * window are not used.
 *
 * A corpus (@corpus_path: a folder of .txt files or a JSONL file with a
 * "text" field) gives one sample per document, [P, c_0, ..., c_{T-|P|-1}],
 * with window T required; shorter documents are skipped and counted. */
/* Called when every window is written, before the output is committed,
 * or with @failure when the extraction failed: FALSE (with @error set, or
 * @failure stands) discards the output and fails the run. The ranks of one
 * MPI run agree here, so that all their shards are committed or none. */
typedef gboolean (*HlExtractCommitGate) (const GError *failure,
                                         gpointer      user_data,
                                         GError      **error);

typedef struct
{
  char             *checkpoint_path;
  char             *tokenizer_path;
  char             *model_dir;
  char             *text;               /* UTF-8; NULL with a corpus */
  char             *text_name;          /* for the source attribute; NULL for a prompt */
  char             *text_path;          /* the file the text was read from, or NULL */
  char             *corpus_path;
  char             *output_path;
  int               window;             /* T with the prefix; 0 = the whole text, at most the model's context */
  int               stride;             /* S; 0 = T - |P| (consecutive, non-overlapping) */
  int               max_samples;        /* 0 = every full window */
  HlExtractQueries  queries;
  int              *query_positions;    /* [n_query_positions] for HL_EXTRACT_QUERIES_LIST */
  int               n_query_positions;
  HlDtype           values_dtype;       /* float16 (default) or float32 */
  /* A corpus split into @n_shards files (0 or 1: one file): this run
   * writes shard @shard, the contiguous part of the usable documents that
   * hl_extract_shard_range () gives, so the shards in order hold the
   * samples of the one-file extraction. */
  int               shard;
  int               n_shards;
  HlExtractCommitGate before_commit;    /* NULL: commit at once */
  gpointer          before_commit_data;
} HlExtractOptions;

typedef struct
{
  int     n_text_tokens;     /* the whole text, prefix included (0 for a corpus) */
  int     n_prefix;          /* tokens the tokenizer puts first */
  int     n_documents;       /* documents read from a corpus */
  int     n_skipped;         /* documents shorter than the window */
  int     n_usable;          /* documents of a corpus with a window, in all shards */
  int     first_document;    /* the shard's first, among the usable ones (0 unsharded) */
  int     n_samples;
  int     window;
  int     stride;
  int     n_unused_tokens;   /* text tokens after the last window */
  int     n_queries;
  double  loss;              /* mean next-token loss over the windows, nats per token */
  gint64  n_predictions;     /* the positions the loss averages over */
  double  window_seconds;    /* time spent on the windows: forward pass, loss and writing */
} HlExtractResult;

/* Called after each layer of each window: @done of @total = layers x windows. */
typedef void (*HlExtractProgressFunc) (guint64  done,
                                       guint64  total,
                                       gpointer user_data);

GQuark            hl_extract_error_quark       (void);

/* Shard @shard of @n_shards of @n documents: [*first, *first + *count). */
void              hl_extract_shard_range       (int                      n,
                                                int                      shard,
                                                int                      n_shards,
                                                int                     *first,
                                                int                     *count);

HlExtractOptions *hl_extract_options_new       (void);
HlExtractOptions *hl_extract_options_copy      (const HlExtractOptions *options);
void              hl_extract_options_free      (HlExtractOptions       *options);

/* Parses "last", "all" or a comma-separated list of positions ("16,100")
 * into @options (the list sorted, duplicates removed). */
gboolean          hl_extract_options_set_queries (HlExtractOptions  *options,
                                                  const char        *spec,
                                                  GError           **error);

/* The windows for a text of @n_text_tokens tokens (the @n_prefix prefix
 * tokens included) and a model context of @seq_len: fills window, stride,
 * n_samples and n_unused_tokens of @result. */
gboolean          hl_extract_plan_windows      (int                      n_text_tokens,
                                                int                      n_prefix,
                                                int                      seq_len,
                                                const HlExtractOptions  *options,
                                                HlExtractResult         *result,
                                                GError                 **error);

/* The windows hl_extract_run() would run for @text: encodes it after the
 * codec's prefix, plans the windows with @options' window, stride and
 * max_samples for a model context of @seq_len (into @plan), and returns
 * their tokens, [plan->n_samples, plan->window]. */
int32_t          *hl_extract_text_windows      (HlTextCodec             *codec,
                                                const char              *text,
                                                int                      seq_len,
                                                const HlExtractOptions  *options,
                                                HlExtractResult         *plan,
                                                GError                 **error);

/* Blocking: opens the model and its tokenizer, encodes, runs every window
 * and writes options->output_path atomically (nothing appears there on
 * error or cancellation; an output that is the checkpoint, the tokenizer or
 * the text file is refused before the model runs). @progress is called on
 * the calling thread. */
gboolean          hl_extract_run               (const HlExtractOptions  *options,
                                                GCancellable            *cancellable,
                                                HlExtractProgressFunc    progress,
                                                gpointer                 progress_data,
                                                HlExtractResult         *result,
                                                GError                 **error);

/* The same in a worker thread. @progress is called on the thread-default
 * main context of the caller, never after @callback; @progress_data must
 * stay valid until @callback runs. */
void              hl_extract_async             (const HlExtractOptions  *options,
                                                GCancellable            *cancellable,
                                                HlExtractProgressFunc    progress,
                                                gpointer                 progress_data,
                                                GAsyncReadyCallback      callback,
                                                gpointer                 user_data);
gboolean          hl_extract_finish            (GAsyncResult            *result,
                                                HlExtractResult         *out,
                                                GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlExtractOptions, hl_extract_options_free)

G_END_DECLS
