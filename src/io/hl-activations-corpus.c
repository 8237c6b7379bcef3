/* hl-activations-corpus.c: several activation files opened as one corpus.
 *
 * Each file is opened (and its header validated) as a single file; the
 * corpus checks that they share a shape and reads through them
 * (hl-activations.c passes each read to the file holding the sample).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-activations-private.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#ifdef __linux__
#include <sys/resource.h>
#endif

/* Bytes of a file read to tell a list of paths from an activation file. */
#define SNIFF_BYTES 4096

static gboolean
is_activation_file_name (const char *name)
{
  return g_str_has_suffix (name, ".h5") || g_str_has_suffix (name, ".hdf5");
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The activation files of folder @path, in name order (byte order, so the
 * same on every machine whatever its locale). */
static char **
expand_folder (const char  *path,
               GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (is_activation_file_name (name) && name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  if (names->len == 0)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_MISSING,
                   _("The folder “%s” has no activation files, expected files ending "
                     "in .h5 or .hdf5"), path);
      return NULL;
    }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* TRUE when the start of @path is text (UTF-8 without NUL bytes): a list
 * of files. An HDF5 file starts with bytes that are not UTF-8. */
static gboolean
looks_like_text (const char *path)
{
  FILE *in = g_fopen (path, "rb");
  char head[SNIFF_BYTES];
  const char *end;
  gsize n;

  if (in == NULL)
    return FALSE;
  n = fread (head, 1, sizeof head, in);
  fclose (in);
  if (n == 0 || memchr (head, '\0', n) != NULL)
    return FALSE;
  /* A read may cut a character in two: only what precedes it must be valid. */
  return g_utf8_validate (head, n, &end) || (gsize) (end - head) + 4 > n;
}

/* The files a list file names, relative to its folder. */
static char **
expand_list (const char  *path,
             GError     **error)
{
  g_autofree char *text = NULL;
  g_autofree char *folder = g_path_get_dirname (path);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *listed;

      if (line[0] == '\0' || line[0] == '#')
        continue;
      listed = g_path_is_absolute (line) ? g_strdup (line) : g_build_filename (folder, line, NULL);
      if (!g_file_test (listed, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_MISSING,
                       _("Line %d of the list “%s” names “%s”, which is not a file"),
                       i + 1, path, listed);
          g_free (listed);
          return NULL;
        }
      g_ptr_array_add (paths, listed);
    }
  if (paths->len == 0)
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_MISSING,
                   _("The list “%s” names no file, expected one activation file a line"), path);
      return NULL;
    }
  g_ptr_array_add (paths, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&paths), FALSE);
}

char **
hl_activations_expand_corpus_path (const char  *path,
                                   GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return expand_folder (path, error);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && !is_activation_file_name (path)
      && looks_like_text (path))
    return expand_list (path, error);
  /* Anything else is opened as an activation file, which says what is wrong. */
  return g_strdupv ((char *[]) { (char *) path, NULL });
}

/* Describes the first difference of @b's shape from @a's, or NULL. */
static char *
shape_difference (const HlActivationsInfo *a,
                  const HlActivationsInfo *b)
{
  const struct { const char *what; int expected, found; } sizes[] = {
    { _("layers"), a->n_layers, b->n_layers },
    { _("query heads"), a->n_heads, b->n_heads },
    { _("kv heads"), a->n_kv_heads, b->n_kv_heads },
    { _("head_dim"), a->head_dim, b->head_dim },
    { _("seq_len"), a->seq_len, b->seq_len },
    { _("query positions"), a->n_queries, b->n_queries },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    if (sizes[i].expected != sizes[i].found)
      /* Translators: e.g. "24 layers, expected 32" */
      return g_strdup_printf (_("%d %s, expected %d"), sizes[i].found, sizes[i].what,
                              sizes[i].expected);
  for (int q = 0; q < a->n_queries; q++)
    if (a->query_positions[q] != b->query_positions[q])
      return g_strdup_printf (_("query position %d at index %d, expected %d"),
                              b->query_positions[q], q, a->query_positions[q]);
  for (int h = 0; h < a->n_heads; h++)
    if (a->kv_head_of[h] != b->kv_head_of[h])
      return g_strdup_printf (_("query head %d reads kv head %d, expected %d"),
                              h, b->kv_head_of[h], a->kv_head_of[h]);
  return NULL;
}

static gboolean
check_shape (HlActivations  *first,
             HlActivations  *member,
             GError        **error)
{
  g_autofree char *difference = shape_difference (hl_activations_get_info (first),
                                                  hl_activations_get_info (member));

  if (difference == NULL)
    return TRUE;
  g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_SHAPE,
               _("“%s” has %s as in “%s”: the files of a corpus must come from "
                 "models of the same shape"),
               hl_activations_get_path (member), difference, hl_activations_get_path (first));
  return FALSE;
}

/* Files of one shape may still come from different models (a base model
 * and its fine-tune): not an error, but worth telling. */
static void
warn_mixed_models (HlActivations *corpus,
                   GPtrArray     *members)
{
  HlActivations *first = g_ptr_array_index (members, 0);
  const char *model = hl_activations_get_info (first)->model;

  for (guint i = 1; i < members->len; i++)
    {
      HlActivations *member = g_ptr_array_index (members, i);
      const char *other = hl_activations_get_info (member)->model;

      if (strcmp (model, other) != 0)
        {
          hl_activations_add_warning (corpus,
            g_strdup_printf (_("“%s” names the model “%s” and “%s” the model “%s”: the "
                               "corpus mixes models of the same shape"),
                             hl_activations_get_path (first), model,
                             hl_activations_get_path (member), other));
          return;
        }
    }
}

/* The same file twice would count its documents twice. */
static gboolean
check_distinct (GPtrArray  *files,
                guint       index,
                GStatBuf   *stats,
                GError    **error)
{
  const char *path = g_ptr_array_index (files, index);

  if (g_stat (path, &stats[index]) != 0)
    return TRUE;  /* hl_activations_open () says why it cannot be read. */
  for (guint j = 0; j < index; j++)
    if (stats[j].st_dev == stats[index].st_dev && stats[j].st_ino == stats[index].st_ino)
      {
        g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
                     _("“%s” is the same file as “%s”: each file may be in a corpus once"),
                     path, (const char *) g_ptr_array_index (files, j));
        return FALSE;
      }
  return TRUE;
}

/* Opens one file of a corpus; its errors name it. */
static HlActivations *
open_member (const char              *path,
             HlActivationsOpenFlags   flags,
             GError                 **error)
{
  GError *local_error = NULL;
  HlActivations *member = hl_activations_open_full (path, flags, &local_error);

  if (member == NULL && strstr (local_error->message, path) == NULL)
    g_prefix_error (&local_error, "“%s”: ", path);
  if (member == NULL)
    g_propagate_error (error, local_error);
  return member;
}

/* Every file of a corpus stays open (one descriptor each): allow as many
 * as the system lets this process have. */
static void
raise_file_limit (void)
{
#ifdef __linux__
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
#endif
}

/* The files of every argument, in order. */
static GPtrArray *
expand_all (const char * const *paths,
            int                 n_paths,
            GError            **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; i < n_paths; i++)
    {
      g_auto(GStrv) expanded = hl_activations_expand_corpus_path (paths[i], error);

      if (expanded == NULL)
        return NULL;
      for (int j = 0; expanded[j] != NULL; j++)
        g_ptr_array_add (files, g_strdup (expanded[j]));
    }
  return g_steal_pointer (&files);
}

HlActivations *
hl_activations_open_corpus (const char * const     *paths,
                            int                     n_paths,
                            HlActivationsOpenFlags  flags,
                            GError                **error)
{
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(HlActivations) corpus = NULL;
  g_autofree GStatBuf *stats = NULL;

  g_return_val_if_fail (paths != NULL && n_paths >= 1, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((files = expand_all (paths, n_paths, error)) == NULL)
    return NULL;
  if (files->len == 1)
    return hl_activations_open_full (g_ptr_array_index (files, 0), flags, error);
  raise_file_limit ();
  stats = g_new0 (GStatBuf, files->len);
  members = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < files->len; i++)
    {
      HlActivations *member;

      if (!check_distinct (files, i, stats, error)
          || (member = open_member (g_ptr_array_index (files, i), flags, error)) == NULL)
        return NULL;
      g_ptr_array_add (members, member);
      if (!check_shape (g_ptr_array_index (members, 0), member, error))
        return NULL;
    }
  corpus = hl_activations_new_corpus (n_paths == 1 ? paths[0] : g_ptr_array_index (files, 0),
                                      g_ptr_array_ref (members), flags);
  warn_mixed_models (corpus, members);
  return g_steal_pointer (&corpus);
}
