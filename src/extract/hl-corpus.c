/* hl-corpus.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-corpus.h"
#include "hl-extract.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

struct _HlCorpus
{
  char             *path;
  char             *description;
  GPtrArray        *files;      /* sorted .txt names of a folder, or NULL for JSONL */
  guint             next_file;
  GDataInputStream *lines;      /* the open JSONL file */
  guint             line;
};

void
hl_corpus_free (HlCorpus *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->lines);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_free (self->path);
  g_free (self->description);
  g_free (self);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static gboolean
list_folder (HlCorpus  *self,
             GError   **error)
{
  g_autoptr(GDir) dir = g_dir_open (self->path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  self->files = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".txt"))
      g_ptr_array_add (self->files, g_strdup (name));
  g_ptr_array_sort (self->files, compare_names);
  if (self->files->len == 0)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_CORPUS, _("the corpus folder %s has no .txt files"), self->path);
      return FALSE;
    }
  self->description = g_strdup_printf ("folder %s (%u .txt files)", self->path, self->files->len);
  return TRUE;
}

gboolean
hl_corpus_rewind (HlCorpus  *self,
                  GError   **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  self->next_file = 0;
  self->line = 0;
  if (self->files != NULL)
    return TRUE;
  g_clear_object (&self->lines);
  file = g_file_new_for_path (self->path);
  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return FALSE;
  self->lines = g_data_input_stream_new (G_INPUT_STREAM (stream));
  return TRUE;
}

HlCorpus *
hl_corpus_open (const char  *path,
                GError     **error)
{
  g_autoptr(HlCorpus) self = g_new0 (HlCorpus, 1);

  g_return_val_if_fail (path != NULL, NULL);

  self->path = g_strdup (path);
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return list_folder (self, error) ? g_steal_pointer (&self) : NULL;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_CORPUS, _("the corpus %s is neither a folder of .txt files nor a JSONL file"), path);
      return NULL;
    }
  self->description = g_strdup_printf ("JSONL file %s", path);
  return hl_corpus_rewind (self, error) ? g_steal_pointer (&self) : NULL;
}

static gboolean
next_file (HlCorpus  *self,
           char     **name,
           char     **text,
           GError   **error)
{
  const char *file;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (self->next_file >= self->files->len)
    return FALSE;
  file = g_ptr_array_index (self->files, self->next_file++);
  path = g_build_filename (self->path, file, NULL);
  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;
  if (!g_utf8_validate (contents, length, NULL))
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_CORPUS, _("%s is not UTF-8 text (or contains a NUL byte)"), path);
      return FALSE;
    }
  *name = g_strdup (file);
  *text = g_steal_pointer (&contents);
  return TRUE;
}

static char *
text_of_line (HlCorpus    *self,
              const char  *line,
              gsize        length,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonNode *text;

  if (!g_utf8_validate (line, length, NULL) || !json_parser_load_from_data (parser, line, length, NULL))
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_CORPUS, _("%s line %u is not a JSON object in UTF-8"), self->path, self->line);
      return NULL;
    }
  root = json_parser_get_root (parser);
  text = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ?
         json_object_get_member (json_node_get_object (root), "text") : NULL;
  if (text == NULL || !JSON_NODE_HOLDS_VALUE (text) || json_node_get_value_type (text) != G_TYPE_STRING)
    {
      g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_CORPUS, _("%s line %u has no “text” string"), self->path, self->line);
      return NULL;
    }
  return g_strdup (json_node_get_string (text));
}

static gboolean
next_line (HlCorpus  *self,
           char     **name,
           char     **text,
           GError   **error)
{
  for (;;)
    {
      g_autofree char *line = NULL;
      g_autoptr(GError) local_error = NULL;
      gsize length;

      line = g_data_input_stream_read_line_utf8 (self->lines, &length, NULL, &local_error);
      if (line == NULL)
        {
          if (local_error != NULL)
            g_set_error (error, HL_EXTRACT_ERROR, HL_EXTRACT_ERROR_CORPUS, _("%s line %u: %s"), self->path, self->line + 1, local_error->message);
          return FALSE;
        }
      self->line++;
      if (g_strstrip (line)[0] == '\0')
        continue;
      *text = text_of_line (self, line, strlen (line), error);
      if (*text == NULL)
        return FALSE;
      *name = g_strdup_printf ("%s:%u", self->path, self->line);
      return TRUE;
    }
}

gboolean
hl_corpus_next (HlCorpus  *self,
                char     **name,
                char     **text,
                GError   **error)
{
  g_return_val_if_fail (self != NULL && name != NULL && text != NULL, FALSE);

  *name = NULL;
  *text = NULL;
  return self->files != NULL ? next_file (self, name, text, error) : next_line (self, name, text, error);
}

const char *
hl_corpus_describe (HlCorpus *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->description;
}
