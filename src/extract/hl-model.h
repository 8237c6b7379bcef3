/* hl-model.h: a decoder-only transformer's hyper-parameters and weights,
 * whatever file they come from (a llama2.c checkpoint or a Hugging Face
 * model directory). The weights stay where the loader found them (mapped
 * files, any of float32, float16 and bfloat16); HlTransformer converts
 * what a layer needs when it runs it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hl-checkpoint.h"

G_BEGIN_DECLS

#define HL_MODEL_ERROR (hl_model_error_quark ())

typedef enum
{
  HL_MODEL_ERROR_IO,           /* a file cannot be read or mapped */
  HL_MODEL_ERROR_FORMAT,       /* a file is not what its name says (JSON, safetensors header) */
  HL_MODEL_ERROR_UNSUPPORTED,  /* a model_type, activation or RoPE scaling Headlens does not run */
  HL_MODEL_ERROR_CONFIG,       /* config.json values missing, out of range or inconsistent */
  HL_MODEL_ERROR_TENSOR,       /* a tensor missing, extra, or of the wrong dtype or shape */
} HlModelError;

typedef enum
{
  HL_NORM_RMS,           /* w * x / rms(x) */
  HL_NORM_RMS_PLUS_ONE,  /* (1 + w) * x / rms(x), Gemma */
  HL_NORM_LAYER,         /* w * (x - mean) / std + b, GPT-2 */
} HlNormKind;

typedef enum
{
  HL_ACTIVATION_SILU,
  HL_ACTIVATION_GELU_TANH,  /* gelu_new, gelu_pytorch_tanh */
  HL_ACTIVATION_GELU,       /* the exact erf form */
} HlActivation;

typedef enum
{
  HL_POSITIONS_ROPE_HALF,         /* RoPE on (i, i + head_dim / 2), Hugging Face's rotate_half */
  HL_POSITIONS_ROPE_INTERLEAVED,  /* RoPE on (2i, 2i + 1), llama2.c */
  HL_POSITIONS_LEARNED,           /* a position embedding added to the token embedding, GPT-2 */
} HlPositions;

typedef enum
{
  HL_ROPE_SCALING_NONE,
  HL_ROPE_SCALING_LINEAR,
  HL_ROPE_SCALING_LLAMA3,
} HlRopeScaling;

typedef struct
{
  char          model_type[32];     /* "llama", "gemma2", "gpt2", "llama2.c", ... */
  int           hidden_size;
  int           intermediate_size;
  int           n_layers;
  int           n_heads;
  int           n_kv_heads;
  int           head_dim;
  int           vocab_size;         /* rows of the embedding and the classifier */
  int           max_positions;      /* the longest context the model was trained for */
  HlNormKind    norm;
  float         norm_eps;
  HlActivation  activation;
  gboolean      gated_mlp;          /* down(act(gate x) * up x), else down(act(up x)) */
  HlPositions   positions;
  double        rope_theta;
  HlRopeScaling rope_scaling;
  double        rope_factor;
  double        rope_low_freq_factor;
  double        rope_high_freq_factor;
  int           rope_original_max_positions;
  gboolean      qkv_bias;
  gboolean      o_bias;
  gboolean      mlp_bias;
  gboolean      tied_embeddings;    /* the classifier is the token embedding */
  float         embedding_scale;    /* 1, or sqrt(hidden_size) for Gemma */
  float         attention_scale;    /* 1 / sqrt(head_dim), or Gemma 2's query_pre_attn_scalar^-1/2 */
  float         attention_softcap;  /* 0 = none; else cap * tanh(score / cap) */
  float         final_softcap;
  int           sliding_window;     /* 0 = none: keys older than this many positions are masked */
  gboolean      sliding_even_only;  /* Gemma 2: only even layers use the window */
  gboolean      sandwich_norms;     /* Gemma 2: norms after attention and after the MLP too */
  int           q_dim;              /* n_heads * head_dim */
  int           kv_dim;             /* n_kv_heads * head_dim */
} HlModelConfig;

typedef enum
{
  HL_TENSOR_F32,
  HL_TENSOR_F16,
  HL_TENSOR_BF16,
} HlTensorDtype;

/* A matrix [rows, cols] (a vector has rows = 1) in row-major order with
 * @stride elements between rows. A weight matrix is [out, in] unless
 * @in_major: GPT-2's Conv1D stores [in, out]. @data is NULL for a tensor
 * the model does not have (a bias it does not use). */
typedef struct
{
  const void    *data;
  HlTensorDtype  dtype;
  gint64         rows;
  gint64         cols;
  gint64         stride;
  gboolean       in_major;
} HlTensor;

typedef struct
{
  HlTensor attn_norm, attn_norm_bias;
  HlTensor wq, bq, wk, bk, wv, bv, wo, bo;
  HlTensor post_attn_norm;          /* Gemma 2 */
  HlTensor ffn_norm, ffn_norm_bias;
  HlTensor w_gate, b_gate, w_up, b_up, w_down, b_down;
  HlTensor post_ffn_norm;           /* Gemma 2 */
} HlLayerWeights;

typedef struct
{
  HlTensor        embedding;        /* [vocab_size, hidden_size] */
  HlTensor        position_embedding; /* [max_positions, hidden_size], GPT-2 */
  HlTensor        final_norm, final_norm_bias;
  HlTensor        classifier;       /* [vocab_size, hidden_size] */
  HlLayerWeights *layers;           /* [n_layers] */
} HlModelWeights;

#define HL_TYPE_MODEL (hl_model_get_type ())
G_DECLARE_FINAL_TYPE (HlModel, hl_model, HL, MODEL, GObject)

GQuark                hl_model_error_quark        (void);

/* A model over @weights, which point into memory that @owner keeps alive
 * (a checkpoint, mapped files). @config must be valid
 * (hl_model_config_validate). */
HlModel              *hl_model_new                (const HlModelConfig   *config,
                                                   const HlModelWeights  *weights,
                                                   GObject               *owner,
                                                   const char            *name,
                                                   const char            *description);
/* The llama2.c checkpoint as a model: float32, interleaved RoPE with
 * theta 10000, RMSNorm eps 1e-5, SiLU-gated MLP, no biases. */
HlModel              *hl_model_new_from_checkpoint (HlCheckpoint         *checkpoint);

const HlModelConfig  *hl_model_get_config         (HlModel               *self);
const HlModelWeights *hl_model_get_weights        (HlModel               *self);
/* A short name ("stories260K", "Llama-3.2-1B") and a one-line description
 * of the architecture for the file's provenance. */
const char           *hl_model_get_name           (HlModel               *self);
const char           *hl_model_get_description    (HlModel               *self);

/* Checks ranges and the relations between the sizes; @source names the
 * file in the messages. Fills q_dim and kv_dim. */
gboolean              hl_model_config_validate    (HlModelConfig         *config,
                                                   const char            *source,
                                                   GError               **error);

/* Bytes of one element of @dtype. */
gsize                 hl_tensor_dtype_size        (HlTensorDtype          dtype);
/* Row @row of @tensor, columns @col0 .. @col0 + @n - 1, as float32. */
void                  hl_tensor_read_row          (const HlTensor        *tensor,
                                                   gint64                 row,
                                                   gint64                 col0,
                                                   gint64                 n,
                                                   float                 *out);

G_END_DECLS
