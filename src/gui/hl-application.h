/* hl-application.h: the Headlens application (app.* actions, files from the
 * command line, the bundled sample).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HL_TYPE_APPLICATION (hl_application_get_type ())
G_DECLARE_FINAL_TYPE (HlApplication, hl_application, HL, APPLICATION, AdwApplication)

HlApplication *hl_application_new             (void);

/* The bundled sample: $HEADLENS_SAMPLE when set (meson devenv and the tests
 * set it), else PKGDATADIR/sample.h5. */
GFile         *hl_application_dup_sample_file (void);

G_END_DECLS
