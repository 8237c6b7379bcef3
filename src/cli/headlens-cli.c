/* headlens-cli: headless access to everything Headlens computes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli.h"
#include "hl-cli-mpi.h"

#include "hl-blas.h"
#include "hl-output-set.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

/* Keep sorted by name; `headlens-cli --help` lists them in this order. */
static const HlCliCommand commands[] = {
  { "analyze", N_("Analyse every head of a file and write CSV metrics"), hl_cli_analyze, TRUE },
  { "assumptions", N_("Compare the taxonomy's assumption checks across files"), hl_cli_assumptions },
  { "bench", N_("Benchmark the analysis on a paper-scale synthetic file"), hl_cli_bench },
  { "extract", N_("Run a llama2.c model on a text and write its activations"), hl_cli_extract, TRUE },
  { "generate", N_("Continue a prompt with a llama2.c model"), hl_cli_generate },
  { "info", N_("Describe and validate an activation file"), hl_cli_info },
  { "intervene", N_("Truncate, ablate or prune heads in the forward pass and measure the loss"), hl_cli_intervene },
  { "render", N_("Draw a figure of a file as PNG, SVG or PDF"), hl_cli_render },
  { "synth", N_("Write a synthetic activation file"), hl_cli_synth },
  { NULL, NULL, NULL, FALSE }
};

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n  headlens-cli %s\n\n", _("Usage:"), _("COMMAND [OPTION…]"));
  fprintf (stream, "%s\n", _("Commands:"));
  for (const HlCliCommand *c = commands; c->name != NULL; c++)
    fprintf (stream, "  %-10s %s\n", c->name, _(c->summary));
  fprintf (stream, "\n%s\n", _("Run “headlens-cli COMMAND --help” for the options of a command."));
}

/* Started by an MPI launcher (mpirun -n K), the ranks split the work of the
 * commands that can split it and refuse the others, which every rank
 * would run whole. */
static int
run_command (const HlCliCommand *command,
             int                 argc,
             char              **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  if (!hl_cli_mpi_init (&argc, &argv, &error))
    return hl_cli_fail_usage (error);
  if (hl_cli_mpi_size () > 1 && !command->splits_over_ranks)
    {
      if (hl_cli_mpi_rank () == 0)
        fprintf (stderr, _("headlens-cli: %s cannot split its work across MPI ranks; run it "
                           "without mpirun (analyze and extract --corpus can)\n"), command->name);
      status = 2;
    }
  else
    status = command->run (argc - 1, argv + 1);
  hl_cli_mpi_finalize ();
  return status;
}

int
main (int    argc,
      char **argv)
{
  /* First of all: OpenBLAS's kernels for this processor, and no OpenBLAS
   * threads for analyze, whose workers each run one head at a time; this
   * may start the program again. */
  hl_blas_choose_kernels (argv, argc >= 2 && strcmp (argv[1], "analyze") == 0);
  /* Then, before any thread starts: temporary files are removed on
   * SIGINT, SIGTERM and SIGHUP. */
  hl_output_set_install_signal_cleanup ();
  setlocale (LC_ALL, "");
  /* HEADLENS_LOCALEDIR: the translations of an uninstalled build (meson
   * devenv sets it to the build's po folder). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("HEADLENS_LOCALEDIR") != NULL
                                   ? g_getenv ("HEADLENS_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      print_usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("headlens-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  for (const HlCliCommand *c = commands; c->name != NULL; c++)
    if (strcmp (argv[1], c->name) == 0)
      return run_command (c, argc, argv);

  fprintf (stderr, _("headlens-cli: unknown command “%s”\n\n"), argv[1]);
  print_usage (stderr);
  return 2;
}
