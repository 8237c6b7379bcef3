/* causal-test-util.h: the file the causal GUI tests run on: a story
 * extracted from a copy of stories260K, so a test can move or change the
 * model the file records.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Extracts a short story with a copy of stories260K, both in a new
 * folder: sets *@dir, *@checkpoint (the copy) and *@output (the activation
 * file); FALSE, setting nothing, when the shared model is not there (the
 * test is then skipped). */
gboolean hl_test_extract_story (char **dir,
                                char **checkpoint,
                                char **output);

G_END_DECLS
