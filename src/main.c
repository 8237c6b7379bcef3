/* main.c: the headlens executable; everything else lives in libhl-gui.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "hl-application.h"
#include "hl-blas.h"

/* Runs in the process that was started, before any window: --version
 * answers without starting the interface. */
static int
handle_local_options_cb (GApplication *app,
                         GVariantDict *options,
                         gpointer      user_data)
{
  if (g_variant_dict_contains (options, "version"))
    {
      printf ("headlens %s\n", PACKAGE_VERSION);
      return 0;
    }
  return -1;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(HlApplication) app = NULL;

  /* OpenBLAS's kernels for this processor; may start the program again. */
  hl_blas_choose_kernels (argv, FALSE);
  setlocale (LC_ALL, "");
  /* HEADLENS_LOCALEDIR: the translations of an uninstalled build (meson
   * devenv sets it to the build's po folder). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("HEADLENS_LOCALEDIR") != NULL
                                   ? g_getenv ("HEADLENS_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = hl_application_new ();
  g_application_set_option_context_parameter_string (G_APPLICATION (app), _("[FILE…]"));
  g_application_set_option_context_summary (G_APPLICATION (app),
    _("Explore how the attention heads of a language model select tokens. Opens each "
      "activation file FILE (HDF5, schema v1) in a window; with no FILE, the bundled "
      "sample."));
  g_application_add_main_option (G_APPLICATION (app), "version", 0, G_OPTION_FLAG_NONE,
                                 G_OPTION_ARG_NONE, _("Show the version and exit"), NULL);
  g_signal_connect (app, "handle-local-options", G_CALLBACK (handle_local_options_cb), NULL);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
