/* hl-causal-file.h: the causal experiments on an activation file that
 * Headlens extracted: the model the file names, found again (at the path it
 * recorded, or at one the user gives) and checked against the hash it
 * recorded and the file's shape, measured on the file's own token windows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-activations.h"
#include "hl-causal-text.h"

G_BEGIN_DECLS

/* Opens the model of @file: @path (a llama2.c checkpoint or a Hugging Face
 * model directory) or, when NULL, the path the file recorded. Fails with
 * HL_CAUSAL_ERROR_MODEL, saying why, when the file records no model (it was
 * not extracted by Headlens and no @path is given), the model is not there,
 * its SHA-256 (the checkpoint's, or the directory's config.json's) is not
 * the one recorded, or its layers, heads or head size are not the file's. */
HlModel      *hl_causal_file_open_model (HlActivations  *file,
                                         const char     *path,
                                         GError        **error);

/* Why a model could not be opened, for a user interface that offers what
 * to do about it. */
typedef enum
{
  HL_CAUSAL_MODEL_OK,
  HL_CAUSAL_MODEL_NOT_RECORDED,   /* the file names no model and no path was given */
  HL_CAUSAL_MODEL_NOT_FOUND,      /* nothing at the path */
  HL_CAUSAL_MODEL_CHANGED,        /* another SHA-256, or another shape */
  HL_CAUSAL_MODEL_UNREADABLE,     /* not a model Headlens reads */
} HlCausalModelProblem;

/* The cheap part of opening: the path of the model (@path, or the one
 * @file recorded) when it names something that is there; else NULL with
 * @problem (may be NULL) and @error saying why. Neither reads nor hashes
 * the model. */
const char   *hl_causal_file_find_model (HlActivations        *file,
                                         const char           *path,
                                         HlCausalModelProblem *problem,
                                         GError              **error);

/* The same, with @problem (may be NULL) set to why it failed. */
HlModel      *hl_causal_file_open_model_full (HlActivations        *file,
                                              const char           *path,
                                              HlCausalModelProblem *problem,
                                              GError              **error);

/* hl_causal_file_open_model_full () on a worker thread (hashing a large
 * model takes seconds); @callback runs on the caller's thread-default main
 * context. */
void          hl_causal_file_open_model_async  (HlActivations        *file,
                                                const char           *path,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
HlModel      *hl_causal_file_open_model_finish (GAsyncResult         *result,
                                                HlCausalModelProblem *problem,
                                                GError              **error);

/* The file's samples as the windows the loss is measured on: each sample's
 * token ids (the tokens extraction ran, the tokenizer's prefix first).
 * Fails when the file stores no token ids. */
HlCausalText *hl_causal_file_new_text   (HlModel        *model,
                                         HlActivations  *file,
                                         GError        **error);

G_END_DECLS
