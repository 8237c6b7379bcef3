/* causal-test-util.h: the file the causal GUI tests run on: a story
 * extracted from a copy of stories260K, so a test can move or change the
 * model the file records.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Extracts a short story with a copy of stories260K made in @dir: returns
 * the activation file's path and sets *@checkpoint to the copy's; NULL
 * when the shared model is not there (the test is then skipped). */
char *hl_test_extract_story (const char  *dir,
                             char       **checkpoint);

G_END_DECLS
