/* hl-cli-common.c: what the subcommands share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli.h"
#include "hl-cli-mpi.h"

#include <cblas.h>

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

int
hl_cli_fail (const GError *error)
{
  /* With MPI ranks, rank 0 speaks for all: another rank's failure reaches
   * it with the rank's number. */
  if (hl_cli_mpi_rank () == 0)
    g_printerr ("headlens-cli: %s\n", error->message);
  return 1;
}

int
hl_cli_fail_usage (const GError *error)
{
  hl_cli_fail (error);
  return 2;
}

GOptionContext *
hl_cli_context_new (const char *command,
                    const char *parameters,
                    const char *summary)
{
  g_autofree char *prgname = g_strconcat ("headlens-cli ", command, NULL);
  GOptionContext *context;

  /* GOptionContext names the program from the prgname in its usage line. */
  g_set_prgname (prgname);
  context = g_option_context_new (parameters);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (summary != NULL)
    g_option_context_set_summary (context, summary);
  return context;
}

gboolean
hl_cli_check_double (const char  *option,
                     double       value,
                     double       min,
                     double       max,
                     GError     **error)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE], low[G_ASCII_DTOSTR_BUF_SIZE], high[G_ASCII_DTOSTR_BUF_SIZE];

  if (isfinite (value) && value >= min && value <= max)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s is %s, expected a number from %s to %s"), option,
               g_ascii_formatd (text, sizeof text, "%g", value),
               g_ascii_formatd (low, sizeof low, "%g", min),
               g_ascii_formatd (high, sizeof high, "%g", max));
  return FALSE;
}

gboolean
hl_cli_check_int (const char  *option,
                  gint64       value,
                  gint64       min,
                  gint64       max,
                  GError     **error)
{
  if (value >= min && value <= max)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s is %" PRId64 ", expected %" PRId64 " to %" PRId64), option, value, min, max);
  return FALSE;
}

gboolean
hl_cli_check_utf8 (const char  *option,
                   const char  *text,
                   GError     **error)
{
  if (text == NULL || g_utf8_validate (text, -1, NULL))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s is not valid UTF-8 text, expected UTF-8 whatever the locale"), option);
  return FALSE;
}

struct _HlCliProgress
{
  char    *label;
  gboolean is_tty;
  gint64   last_draw_us;
  int      last_percent;
};

HlCliProgress *
hl_cli_progress_new (const char *label)
{
  HlCliProgress *self = g_new0 (HlCliProgress, 1);

  self->label = g_strdup (label);
  self->is_tty = isatty (STDERR_FILENO);
  self->last_percent = -1;
  return self;
}

void
hl_cli_progress_update (HlCliProgress *self,
                        guint64        done,
                        guint64        total)
{
  const int width = 30;
  gint64 now = g_get_monotonic_time ();
  int percent = total > 0 ? (int) (100 * done / total) : 100;
  gboolean finished = done >= total;

  if (!self->is_tty)
    return;
  /* Redraw at most 20 times a second, and always at the end. */
  if (!finished && (percent == self->last_percent || now - self->last_draw_us < 50000))
    return;

  int filled = width * percent / 100;
  g_autofree char *bar = g_strnfill (filled, '#');
  g_autofree char *rest = g_strnfill (width - filled, '.');

  fprintf (stderr, "\r%s [%s%s] %3d%% (%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT ")%s",
           self->label, bar, rest, percent, done, total, finished ? "\n" : "");
  fflush (stderr);
  self->last_draw_us = now;
  self->last_percent = percent;
}

void
hl_cli_progress_free (HlCliProgress *self)
{
  if (self == NULL)
    return;
  g_free (self->label);
  g_free (self);
}

void
hl_cli_set_blas_threads (void)
{
  /* The MPI ranks on one machine share its cores. */
  if (g_getenv ("OPENBLAS_NUM_THREADS") == NULL)
    openblas_set_num_threads (MAX (1, (int) g_get_num_processors () / hl_cli_mpi_local_size ()));
}

void
hl_cli_add_threshold_entries (HlRegimeThresholds *thresholds,
                              GOptionEntry       *entries)
{
  for (int i = 0; i < HL_REGIME_N_THRESHOLDS; i++)
    {
      const HlRegimeThresholdInfo *info = &hl_regime_threshold_infos ()[i];

      entries[i] = (GOptionEntry) { info->name, 0, 0, G_OPTION_ARG_DOUBLE,
                                    &G_STRUCT_MEMBER (double, thresholds, info->offset),
                                    info->description, "X" };
    }
}

gboolean
hl_cli_parse_names (const char     *option,
                    const char     *text,
                    HlCliNameFunc   from_string,
                    guint          *mask,
                    GQuark          domain,
                    int             code,
                    GError        **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  *mask = 0;
  for (int i = 0; parts[i] != NULL; i++)
    {
      int value;

      if (!from_string (g_strstrip (parts[i]), &value))
        {
          g_set_error (error, domain, code, _("%s: unknown name “%s”"), option, parts[i]);
          return FALSE;
        }
      *mask |= 1u << value;
    }
  if (*mask == 0)
    {
      g_set_error (error, domain, code, _("%s: the list is empty"), option);
      return FALSE;
    }
  return TRUE;
}

char *
hl_cli_read_text_file (const char  *path,
                       gsize       *length,
                       GError     **error)
{
  g_autofree char *text = NULL;
  gsize size;

  if (g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("--text-file “%s” is not a regular file"), path);
      return NULL;
    }
  if (!g_file_get_contents (path, &text, &size, error))
    return NULL;
  if (!g_utf8_validate (text, size, NULL))
    {
      g_set_error (error, G_CONVERT_ERROR, G_CONVERT_ERROR_ILLEGAL_SEQUENCE,
                   _("“%s” is not UTF-8 text (or contains a NUL byte)"), path);
      return NULL;
    }
  if (length != NULL)
    *length = size;
  return g_steal_pointer (&text);
}
