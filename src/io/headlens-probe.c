/* headlens-probe: reads the metadata of an activation file the way
 * Headlens will, in a process of its own.
 *
 * HDF5 1.10 crashes or loops on some damaged metadata (global heap
 * collections of variable-length strings, attribute messages), and no
 * check can run before HDF5 parses those structures. hl_activations_open ()
 * therefore runs this program first, with a time and memory limit, and
 * refuses a file that makes it crash, hang or exhaust its memory. It opens
 * the file with every check of the reader, then reads every token row (the
 * variable-length strings) and the optional datasets Headlens reads later.
 *
 * Usage: headlens-probe [--allow-external] FILE
 * Output on stdout, one line each: "progress" while it works, then "ok" or
 * "error CODE MESSAGE" (an HlActivationsError code). Exit status 0 or 1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-activations-private.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static void
say (const char *line)
{
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static int
fail (const GError *error)
{
  g_autofree char *message = g_strdup (error->message);

  g_strdelimit (message, "\n\r", ' ');
  printf ("error %d %s\n", error->domain == HL_ACTIVATIONS_ERROR ? error->code
                                                                  : HL_ACTIVATIONS_ERROR_IO,
          message);
  fflush (stdout);
  return 1;
}

static gboolean
read_tokens (HlActivations  *file,
             int             sample,
             GError        **error)
{
  const HlActivationsInfo *info = hl_activations_get_info (file);
  g_autofree int32_t *ids = g_new (int32_t, info->seq_len);
  g_auto(GStrv) texts = NULL;

  if (info->has_token_ids && !hl_activations_read_token_ids (file, sample, ids, error))
    return FALSE;
  if (info->has_token_texts
      && (texts = hl_activations_read_token_texts (file, sample, error)) == NULL)
    return FALSE;
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  HlActivationsOpenFlags flags = HL_ACTIVATIONS_OPEN_DEFAULT;
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree int32_t *regime = NULL;
  const char *path;
  gsize n;

  setlocale (LC_ALL, "");
  if (argc == 3 && strcmp (argv[1], "--allow-external") == 0)
    flags |= HL_ACTIVATIONS_OPEN_ALLOW_EXTERNAL;
  else if (argc != 2)
    {
      fprintf (stderr, "usage: headlens-probe [--allow-external] FILE\n");
      return 2;
    }
  path = argv[argc - 1];
  say ("progress");
  if ((file = hl_activations_open_in_process (path, flags, &error)) == NULL)
    return fail (error);
  for (int s = 0; s < hl_activations_get_info (file)->n_samples; s++)
    {
      say ("progress");
      if (!read_tokens (file, s, &error))
        return fail (error);
    }
  regime = hl_activations_read_int_dataset (file, "/synth/regime", &n, &error);
  if (error != NULL)
    return fail (error);
  g_clear_object (&file);
  say ("ok");
  return 0;
}
