/* hl-extract-dialog.h: Extract from Model: a llama2.c checkpoint run over
 * a text in the background, writing an activation file that the window
 * then opens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HL_TYPE_EXTRACT_DIALOG (hl_extract_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HlExtractDialog, hl_extract_dialog, HL, EXTRACT_DIALOG, AdwWindow)

/* A modal dialog transient for @parent (may be NULL). When an extraction
 * succeeds it emits ::extracted with the written file and a summary (the
 * text's tokens, the samples, the mean next-token loss) and closes. */
HlExtractDialog *hl_extract_dialog_new            (GtkWindow       *parent);

/* The fields, as the file choosers and the form set them. */
/* A Hugging Face model folder; it replaces a chosen checkpoint and
 * tokenizer, which replace it in turn. */
void             hl_extract_dialog_set_model_dir  (HlExtractDialog *self,
                                                   const char      *path);
void             hl_extract_dialog_set_checkpoint (HlExtractDialog *self,
                                                   const char      *path);
void             hl_extract_dialog_set_tokenizer  (HlExtractDialog *self,
                                                   const char      *path);
/* @name: the text file's name for the source attribute, or NULL for text
 * typed in the dialog. */
void             hl_extract_dialog_set_text       (HlExtractDialog *self,
                                                   const char      *text,
                                                   const char      *name);
void             hl_extract_dialog_set_output     (HlExtractDialog *self,
                                                   const char      *path);
/* "last", "all" or a list such as "16,100". */
void             hl_extract_dialog_set_queries    (HlExtractDialog *self,
                                                   const char      *spec);
void             hl_extract_dialog_set_window     (HlExtractDialog *self,
                                                   int              window,
                                                   int              stride);

/* Starts the extraction as the Extract button does: checks the form, asks
 * before replacing an existing output file, then runs in the background. */
void             hl_extract_dialog_start          (HlExtractDialog *self);
void             hl_extract_dialog_cancel         (HlExtractDialog *self);
gboolean         hl_extract_dialog_get_running    (HlExtractDialog *self);
/* The fraction of the work done by the running extraction (0 .. 1). */
double           hl_extract_dialog_get_fraction   (HlExtractDialog *self);

G_END_DECLS
