/* hl-corpus.h: the documents of a corpus, read one at a time: a folder of
 * .txt files (in name order) or a JSONL file whose lines are objects with
 * a "text" string.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _HlCorpus HlCorpus;

/* Errors are in HL_EXTRACT_ERROR (HL_EXTRACT_ERROR_CORPUS). */
HlCorpus   *hl_corpus_open     (const char  *path,
                                GError     **error);
void        hl_corpus_free     (HlCorpus    *self);
/* The next document into @name ("a.txt", "corpus.jsonl:12") and @text
 * (UTF-8); FALSE at the end (no error) or on a bad document (@error set:
 * not UTF-8, a line that is not an object with a "text" string). */
gboolean    hl_corpus_next     (HlCorpus    *self,
                                char       **name,
                                char       **text,
                                GError     **error);
/* Back to the first document. */
gboolean    hl_corpus_rewind   (HlCorpus    *self,
                                GError     **error);
/* "folder docs/ (.txt files)" or "JSONL file c.jsonl". */
const char *hl_corpus_describe (HlCorpus    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlCorpus, hl_corpus_free)

G_END_DECLS
