/* hl-cli.h: the subcommands of headlens-cli and what they share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hl-regime.h"

G_BEGIN_DECLS

/* Each subcommand parses its own options (GOptionContext, so --help works on
 * each) and returns the process exit status. argv[0] is the subcommand. */
typedef int (*HlCliCommandFunc) (int argc, char **argv);

typedef struct
{
  const char       *name;
  const char       *summary;   /* translatable, one line */
  HlCliCommandFunc  run;
  gboolean          splits_over_ranks;  /* runs under mpirun (hl-cli-mpi.h) */
} HlCliCommand;

/* Prints "headlens-cli: <message>" to stderr and returns exit status 1. */
int  hl_cli_fail (const GError *error);
/* The same for a command line that cannot be used (an unknown option, a
 * missing argument or required option): returns exit status 2. */
int  hl_cli_fail_usage (const GError *error);

/* The option context of one command, so every usage line reads
 * "headlens-cli COMMAND [OPTION…] PARAMETERS" followed by @summary.
 * @parameters and @summary are translated already; either may be NULL. */
GOptionContext *hl_cli_context_new (const char *command,
                                    const char *parameters,
                                    const char *summary);

/* Fails naming @option unless @value is a finite number from @min to
 * @max: NaN and infinities parse as doubles, so every double option is
 * checked. */
gboolean hl_cli_check_double (const char  *option,
                              double       value,
                              double       min,
                              double       max,
                              GError     **error);
/* The same for an integer option. */
gboolean hl_cli_check_int    (const char  *option,
                              gint64       value,
                              gint64       min,
                              gint64       max,
                              GError     **error);
/* Options that carry text (a prompt, a title) are parsed as
 * G_OPTION_ARG_FILENAME, the bytes as given, and checked here: parsed as
 * G_OPTION_ARG_STRING they would be converted from the locale's charset,
 * which fails on valid UTF-8 under LC_ALL=C without naming the option.
 * NULL (not given) is fine. */
gboolean hl_cli_check_utf8   (const char  *option,
                              const char  *text,
                              GError     **error);

/* The options of the regime rule's thresholds, one per threshold, named
 * like its GSettings key, writing into @thresholds: fills
 * HL_REGIME_N_THRESHOLDS entries of @entries. */
void     hl_cli_add_threshold_entries (HlRegimeThresholds *thresholds,
                                       GOptionEntry       *entries);

/* Parses a comma-separated list of names ("attention,contribution") into a
 * bit mask of the values @from_string gives; an unknown name or an empty
 * list fails with @domain and @code, naming @option. */
typedef gboolean (*HlCliNameFunc) (const char *name,
                                   int        *value);
gboolean hl_cli_parse_names (const char     *option,
                             const char     *text,
                             HlCliNameFunc   from_string,
                             guint          *mask,
                             GQuark          domain,
                             int             code,
                             GError        **error);

/* The contents of the --text-file @path: a regular file (a FIFO or a
 * device would block or read forever) of UTF-8 text. */
char    *hl_cli_read_text_file (const char  *path,
                                gsize       *length,
                                GError     **error);

/* The option every command that reads an activation file has: external
 * raw storage and external links are followed only when it is given
 * (HL_ACTIVATIONS_OPEN_ALLOW_EXTERNAL). @flag is a gboolean *. */
#define HL_CLI_ALLOW_EXTERNAL_ENTRY(flag) \
  { "allow-external", 0, 0, G_OPTION_ARG_NONE, (flag), \
    N_("Follow the file's external raw storage and external links (regular files only)"), NULL }

/* A one-line progress bar on stderr when it is a terminal; silent otherwise.
 * Call with done == total to finish the line. */
typedef struct _HlCliProgress HlCliProgress;
HlCliProgress *hl_cli_progress_new    (const char    *label);
void           hl_cli_progress_update (HlCliProgress *self,
                                       guint64        done,
                                       guint64        total);
void           hl_cli_progress_free   (HlCliProgress *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlCliProgress, hl_cli_progress_free)

/* Gives BLAS one thread per core for a command whose forward pass is the
 * process's only work, unless OPENBLAS_NUM_THREADS says otherwise. */
void hl_cli_set_blas_threads (void);

int  hl_cli_analyze  (int argc, char **argv);
int  hl_cli_assumptions (int argc, char **argv);
int  hl_cli_bench    (int argc, char **argv);
int  hl_cli_extract  (int argc, char **argv);
int  hl_cli_generate (int argc, char **argv);
int  hl_cli_info     (int argc, char **argv);
int  hl_cli_intervene (int argc, char **argv);
int  hl_cli_render   (int argc, char **argv);
int  hl_cli_synth    (int argc, char **argv);

G_END_DECLS
