/* hl-safetensors.h: a memory-mapped .safetensors file: an 8-byte
 * little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, then the data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hl-model.h"

G_BEGIN_DECLS

#define HL_SAFETENSORS_MAX_DIMS 8

typedef struct
{
  const char   *name;
  char          dtype[12];                       /* as written: "BF16", "F32", "I64", ... */
  int           n_dims;
  gint64        shape[HL_SAFETENSORS_MAX_DIMS];
  const guint8 *data;                            /* into the mapping */
  gsize         n_bytes;
} HlSafetensor;

#define HL_TYPE_SAFETENSORS (hl_safetensors_get_type ())
G_DECLARE_FINAL_TYPE (HlSafetensors, hl_safetensors, HL, SAFETENSORS, GObject)

/* Maps @path read-only and checks the header: its length, the JSON, every
 * entry's dtype, shape and offsets (inside the data, matching the shape,
 * not overlapping). Errors in HL_MODEL_ERROR name the file and the tensor. */
HlSafetensors      *hl_safetensors_open           (const char     *path,
                                                   GError        **error);
const char         *hl_safetensors_get_path       (HlSafetensors  *self);
guint               hl_safetensors_get_n_tensors  (HlSafetensors  *self);
const HlSafetensor *hl_safetensors_get_nth        (HlSafetensors  *self,
                                                   guint           index);
/* The tensor called @name, or NULL. */
const HlSafetensor *hl_safetensors_lookup         (HlSafetensors  *self,
                                                   const char     *name);
/* @tensor as an HlTensor of shape [rows, cols] (a 1-D tensor has one row);
 * fails unless its dtype is F32, F16 or BF16. */
gboolean            hl_safetensor_to_tensor       (const HlSafetensor *tensor,
                                                   const char         *file_name,
                                                   HlTensor           *out,
                                                   GError            **error);

G_END_DECLS
