/* hl-checkpoint.h: a memory-mapped llama2.c checkpoint (version 0 or 1).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HL_CHECKPOINT_ERROR (hl_checkpoint_error_quark ())

typedef enum
{
  HL_CHECKPOINT_ERROR_IO,         /* the file cannot be opened or mapped */
  HL_CHECKPOINT_ERROR_TRUNCATED,  /* shorter than its header */
  HL_CHECKPOINT_ERROR_VERSION,    /* magic "ak42" with a version other than 1 */
  HL_CHECKPOINT_ERROR_HEADER,     /* zero, negative, absurd or inconsistent dimensions */
  HL_CHECKPOINT_ERROR_SIZE,       /* file size disagrees with the header */
  HL_CHECKPOINT_ERROR_WEIGHTS,    /* a NaN or infinite weight */
} HlCheckpointError;

/* The "ak42" magic of llama2.c's export.py, read as a little-endian uint32. */
#define HL_CHECKPOINT_MAGIC 0x616b3432u

/* Size in bytes of the version 1 header (magic, version, 7 int32, a flag,
 * zero padding). */
#define HL_CHECKPOINT_V1_HEADER_SIZE 256

typedef struct
{
  int      version;            /* 0 (legacy) or 1 */
  int      dim;
  int      hidden_dim;
  int      n_layers;
  int      n_heads;
  int      n_kv_heads;
  int      vocab_size;         /* always positive */
  int      seq_len;
  int      head_dim;           /* dim / n_heads */
  int      kv_dim;             /* n_kv_heads * head_dim */
  gboolean shared_classifier;  /* the classifier is the token embedding */
} HlCheckpointConfig;

/* Pointers into the mapping; matrices are row-major [out, in] as in
 * llama2.c, stacked over layers. */
typedef struct
{
  const float *token_embedding;  /* [vocab_size, dim] */
  const float *rms_att;          /* [n_layers, dim] */
  const float *wq;               /* [n_layers, dim, dim] */
  const float *wk;               /* [n_layers, kv_dim, dim] */
  const float *wv;               /* [n_layers, kv_dim, dim] */
  const float *wo;               /* [n_layers, dim, dim] */
  const float *rms_ffn;          /* [n_layers, dim] */
  const float *w1;               /* [n_layers, hidden_dim, dim] */
  const float *w2;               /* [n_layers, dim, hidden_dim] */
  const float *w3;               /* [n_layers, hidden_dim, dim] */
  const float *rms_final;        /* [dim] */
  const float *classifier;       /* [vocab_size, dim] */
} HlCheckpointWeights;

#define HL_TYPE_CHECKPOINT (hl_checkpoint_get_type ())
G_DECLARE_FINAL_TYPE (HlCheckpoint, hl_checkpoint, HL, CHECKPOINT, GObject)

GQuark                     hl_checkpoint_error_quark   (void);

/* Maps @path read-only and validates the header (seq_len at least 2), the
 * file size and that every weight is finite; errors name the checkpoint
 * and the field or tensor. The weights are never copied. */
HlCheckpoint              *hl_checkpoint_open          (const char    *path,
                                                        GError       **error);
const char                *hl_checkpoint_get_path      (HlCheckpoint  *self);
const HlCheckpointConfig  *hl_checkpoint_get_config    (HlCheckpoint  *self);
const HlCheckpointWeights *hl_checkpoint_get_weights   (HlCheckpoint  *self);

/* The number of float32 weights a checkpoint of @config holds, excluding
 * the legacy RoPE tables. */
guint64                    hl_checkpoint_config_count_weights (const HlCheckpointConfig *config);

G_END_DECLS
