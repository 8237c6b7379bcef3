/* hl-activations-writer.h: writes activation files (schema v1) atomically.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-activations.h"

G_BEGIN_DECLS

typedef struct
{
  const char *model;
  const char *source;            /* may be NULL */
  int         n_layers;
  int         n_heads;
  int         n_kv_heads;
  int         head_dim;
  int         seq_len;
  int         n_samples;
  int         n_queries;
  const int  *query_positions;   /* [n_queries] */
  const int  *kv_head_of;        /* [n_heads] or NULL for the default mapping */
  HlDtype     values_dtype;
  HlDtype     attention_dtype;
  int         gzip_level;        /* 0 = no compression, 1..9 */
  gboolean    with_token_ids;
  gboolean    with_token_texts;
  const char * const *inputs;    /* NULL-terminated files the output may not
                                  * replace (e.g. the checkpoint), or NULL */
} HlActivationsSpec;

typedef struct _HlActivationsWriter HlActivationsWriter;

/* Creates a temporary file beside @path (in a hidden folder, see
 * hl-output-set.h); nothing appears at @path until
 * hl_activations_writer_commit() succeeds. Fails when @path is one of
 * spec->inputs. Datasets are chunked per head block. */
HlActivationsWriter *hl_activations_writer_new             (const char              *path,
                                                            const HlActivationsSpec *spec,
                                                            GError                 **error);
gboolean             hl_activations_writer_write_values    (HlActivationsWriter *self,
                                                            int                  layer,
                                                            int                  sample,
                                                            int                  kv_head,
                                                            const float         *values,
                                                            GError             **error);
gboolean             hl_activations_writer_write_attention (HlActivationsWriter *self,
                                                            int                  layer,
                                                            int                  sample,
                                                            int                  head,
                                                            const float         *rows,
                                                            GError             **error);
gboolean             hl_activations_writer_write_tokens    (HlActivationsWriter *self,
                                                            int                  sample,
                                                            const int32_t       *ids,
                                                            const char * const  *texts,
                                                            GError             **error);
/* Writes an extra int32 dataset, e.g. "/synth/regime" [n_layers, n_heads];
 * intermediate groups are created. */
gboolean             hl_activations_writer_write_int_dataset (HlActivationsWriter *self,
                                                              const char          *name,
                                                              int                  rank,
                                                              const gsize         *dims,
                                                              const int32_t       *data,
                                                              GError             **error);
/* A root attribute beyond the schema's (provenance, the extraction's
 * loss); readers ignore attributes they do not know. */
gboolean             hl_activations_writer_set_string_attribute (HlActivationsWriter *self,
                                                                 const char          *name,
                                                                 const char          *value,
                                                                 GError             **error);
gboolean             hl_activations_writer_set_double_attribute (HlActivationsWriter *self,
                                                                 const char          *name,
                                                                 double               value,
                                                                 GError             **error);
/* Closes the file and renames it over @path. */
gboolean             hl_activations_writer_commit          (HlActivationsWriter *self,
                                                            GError             **error);
/* Discards the temporary file; safe after commit (then does nothing). */
void                 hl_activations_writer_free            (HlActivationsWriter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlActivationsWriter, hl_activations_writer_free)

G_END_DECLS
