/* hl-provenance.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-provenance.h"

#include "hl-creation-time.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#define HASH_BLOCK (1 << 20)

struct _HlProvenance
{
  char       *program;
  char       *input;
  char       *input_sha256; /* NULL for a corpus: each of its files has its own */
  JsonNode   *files;        /* a corpus's files, an array; NULL for one file */
  char       *created;
  JsonNode   *options;    /* an object, or NULL before set_*analysis */
  gint64      seed;
  int         repeats;
  int         bootstrap;  /* -1: null */
  JsonObject *figure;     /* NULL until a member is added */
  int         allow_external; /* how the file was opened: 0, 1, or -1 (not known) */
  HlActivations *file;      /* what hl_provenance_read_inputs () reads, or NULL */
  gboolean    inputs_read;
};

static char *
hash_file (const char  *path,
           GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guchar *block = g_malloc (HASH_BLOCK);
  gssize n = 0;

  in = g_file_read (file, NULL, &local_error);
  while (in != NULL && (n = g_input_stream_read (G_INPUT_STREAM (in), block, HASH_BLOCK,
                                                 NULL, &local_error)) > 0)
    g_checksum_update (sum, block, n);
  if (in == NULL || n < 0)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Cannot read “%s” to record its SHA-256: %s"), path, local_error->message);
      return NULL;
    }
  return g_strdup (g_checksum_get_string (sum));
}

HlProvenance *
hl_provenance_new (const char  *program,
                   const char  *input_path,
                   GError     **error)
{
  g_autofree char *sha256 = NULL;
  HlProvenance *self;

  g_return_val_if_fail (program != NULL, NULL);
  g_return_val_if_fail (input_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((sha256 = hash_file (input_path, error)) == NULL)
    return NULL;
  self = g_new0 (HlProvenance, 1);
  self->program = g_strdup (program);
  self->input = g_strdup (input_path);
  self->input_sha256 = g_steal_pointer (&sha256);
  self->created = hl_creation_time ();
  self->bootstrap = -1;
  self->allow_external = -1;
  return self;
}

/* Each file of a corpus: its path, SHA-256 and where its samples start
 * in the corpus's numbering. */
static JsonNode *
corpus_files (HlActivations  *corpus,
              GError        **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (int i = 0; i < hl_activations_get_n_files (corpus); i++)
    {
      HlActivations *file = hl_activations_get_file (corpus, i);
      g_autofree char *sha256 = hash_file (hl_activations_get_path (file), error);

      if (sha256 == NULL)
        return NULL;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, hl_activations_get_path (file));
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, sha256);
      json_builder_set_member_name (b, "first_sample");
      json_builder_add_int_value (b, hl_activations_get_file_first_sample (corpus, i));
      json_builder_set_member_name (b, "samples");
      json_builder_add_int_value (b, hl_activations_get_info (file)->n_samples);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

HlProvenance *
hl_provenance_new_for_file (const char    *program,
                            HlActivations *file)
{
  HlProvenance *self;

  g_return_val_if_fail (program != NULL, NULL);
  g_return_val_if_fail (HL_IS_ACTIVATIONS (file), NULL);

  self = g_new0 (HlProvenance, 1);
  self->program = g_strdup (program);
  self->input = g_strdup (hl_activations_get_path (file));
  self->file = g_object_ref (file);
  self->created = hl_creation_time ();
  self->bootstrap = -1;
  self->allow_external = (hl_activations_get_open_flags (file)
                          & HL_ACTIVATIONS_OPEN_ALLOW_EXTERNAL) != 0;
  return self;
}

gboolean
hl_provenance_read_inputs (HlProvenance  *self,
                           GError       **error)
{
  g_autofree char *sha256 = NULL;
  JsonNode *files = NULL;

  g_return_val_if_fail (self != NULL && self->file != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (hl_activations_get_n_files (self->file) > 1)
    files = corpus_files (self->file, error);
  else
    sha256 = hash_file (hl_activations_get_path (self->file), error);
  if (files == NULL && sha256 == NULL)
    return FALSE;
  g_clear_pointer (&self->files, json_node_unref);
  self->files = files;
  g_free (self->input_sha256);
  self->input_sha256 = g_steal_pointer (&sha256);
  g_free (self->created);
  self->created = hl_creation_time ();
  self->inputs_read = TRUE;
  return TRUE;
}

HlProvenance *
hl_provenance_new_for_analysis (HlAnalysis  *analysis,
                                GError     **error)
{
  const char *program = g_get_prgname ();
  HlProvenance *self;

  g_return_val_if_fail (HL_IS_ANALYSIS (analysis), NULL);

  self = hl_provenance_new_for_file (program != NULL ? program : "headlens",
                                     hl_analysis_get_file (analysis));
  if (!hl_provenance_read_inputs (self, error))
    {
      hl_provenance_free (self);
      return NULL;
    }
  hl_provenance_set_analysis (self, hl_analysis_get_options (analysis));
  return self;
}

void
hl_provenance_free (HlProvenance *self)
{
  if (self == NULL)
    return;
  g_free (self->program);
  g_free (self->input);
  g_free (self->input_sha256);
  g_clear_pointer (&self->files, json_node_unref);
  g_clear_object (&self->file);
  g_free (self->created);
  g_clear_pointer (&self->options, json_node_unref);
  g_clear_pointer (&self->figure, json_object_unref);
  g_free (self);
}

/* The names of the bits set in @mask. */
static void
add_names (JsonBuilder  *b,
           const char   *member,
           guint         mask,
           int           n,
           const char *(*to_string) (int))
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    if (mask & (1u << i))
      json_builder_add_string_value (b, to_string (i));
  json_builder_end_array (b);
}

static const char *
ranking_name (int i)
{
  return hl_ranking_to_string ((HlRanking) i);
}

static const char *
distance_name (int i)
{
  return hl_distance_to_string ((HlDistance) i);
}

/* A list of integers, or @everything when there is none (NULL). */
static void
add_list (JsonBuilder *b,
          const char  *member,
          const int   *values,
          int          n,
          const char  *everything)
{
  json_builder_set_member_name (b, member);
  if (values == NULL)
    {
      json_builder_add_string_value (b, everything);
      return;
    }
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    json_builder_add_int_value (b, values[i]);
  json_builder_end_array (b);
}

static void
add_head_options (JsonBuilder                 *b,
                  const HlHeadAnalysisOptions *o)
{
  add_names (b, "rankings", o->rankings, HL_N_RANKINGS, ranking_name);
  add_names (b, "distances", o->distances, HL_N_DISTANCES, distance_name);
  if (o->grid_kind == HL_GRID_LIST)
    add_list (b, "grid", o->grid_list, o->n_grid_list, NULL);
  else
    {
      json_builder_set_member_name (b, "grid");
      json_builder_add_string_value (b, o->grid_kind == HL_GRID_ALL ? "all" : "pow2");
    }
  json_builder_set_member_name (b, "repeats");
  json_builder_add_int_value (b, o->repeats);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, (gint64) o->seed);
  json_builder_set_member_name (b, "lags");
  json_builder_add_int_value (b, o->n_lags);
  /* The regime rule's thresholds, by the names of their analyze options. */
  for (int i = 0; i < HL_REGIME_N_THRESHOLDS; i++)
    {
      const HlRegimeThresholdInfo *info = &hl_regime_threshold_infos ()[i];

      json_builder_set_member_name (b, info->name);
      json_builder_add_double_value (b, G_STRUCT_MEMBER (double, &o->thresholds, info->offset));
    }
}

static void
set_options (HlProvenance                *self,
             const HlHeadAnalysisOptions *head,
             const HlAnalysisOptions     *whole)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_head_options (b, head);
  json_builder_set_member_name (b, "bootstrap");
  if (whole != NULL)
    json_builder_add_int_value (b, whole->bootstrap);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "threads");
  if (whole != NULL)
    json_builder_add_int_value (b, whole->threads);
  else
    json_builder_add_null_value (b);
  if (whole != NULL)
    {
      add_list (b, "layers", whole->layers, whole->n_layers, "all");
      add_list (b, "heads", whole->heads, whole->n_heads, "all");
      add_list (b, "samples", whole->samples, whole->n_samples, "all");
      add_list (b, "window", whole->windows, whole->n_windows, "all");
      /* The taxonomy checks' thresholds, by the names of their options. */
      for (int i = 0; i < HL_ASSUMPTION_N_THRESHOLDS; i++)
        {
          const HlAssumptionThresholdInfo *info = &hl_assumption_threshold_infos ()[i];

          json_builder_set_member_name (b, info->name);
          json_builder_add_double_value (b, G_STRUCT_MEMBER (double, &whole->assumptions,
                                                             info->offset));
        }
    }
  /* How the file was opened is an option of the run too. */
  if (self->allow_external >= 0)
    {
      json_builder_set_member_name (b, "allow-external");
      json_builder_add_boolean_value (b, self->allow_external);
    }
  json_builder_end_object (b);
  g_clear_pointer (&self->options, json_node_unref);
  self->options = json_builder_get_root (b);
  self->seed = (gint64) head->seed;
  self->repeats = head->repeats;
  self->bootstrap = whole != NULL ? whole->bootstrap : -1;
}

void
hl_provenance_set_analysis (HlProvenance            *self,
                            const HlAnalysisOptions *options)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (options != NULL);

  set_options (self, &options->head, options);
}

void
hl_provenance_set_head_analysis (HlProvenance                *self,
                                 const HlHeadAnalysisOptions *options)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (options != NULL);

  set_options (self, options, NULL);
}

static JsonObject *
figure (HlProvenance *self)
{
  if (self->figure == NULL)
    self->figure = json_object_new ();
  return self->figure;
}

void
hl_provenance_add_figure_string (HlProvenance *self,
                                 const char   *name,
                                 const char   *value)
{
  g_return_if_fail (self != NULL && name != NULL);

  if (value != NULL)
    json_object_set_string_member (figure (self), name, value);
  else
    json_object_set_null_member (figure (self), name);
}

void
hl_provenance_add_figure_int (HlProvenance *self,
                              const char   *name,
                              gint64        value)
{
  g_return_if_fail (self != NULL && name != NULL);

  json_object_set_int_member (figure (self), name, value);
}

void
hl_provenance_add_figure_double (HlProvenance *self,
                                 const char   *name,
                                 double        value)
{
  g_return_if_fail (self != NULL && name != NULL);

  json_object_set_double_member (figure (self), name, value);
}

/* json-glib writes every double with 17 digits (0.9 as
 * 0.90000000000000002); the shortest text that reads back as the same
 * double is what a reader expects. @p is at a number outside any string. */
static const char *
append_shortest_number (GString    *out,
                        const char *p)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char *end;
  double value = g_ascii_strtod (p, &end);

  if (memchr (p, '.', end - p) == NULL && memchr (p, 'e', end - p) == NULL)
    {
      g_string_append_len (out, p, end - p);
      return end;
    }
  /* 17 significant digits always read back exactly; fewer often do. */
  for (int digits = 1; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  g_string_append (out, buf);
  return end;
}

/* The generator's text, with shortest numbers and only ASCII: JSON has
 * non-ASCII characters only inside strings, where \uXXXX (a surrogate
 * pair above U+FFFF) says the same. */
static char *
tidy (const char *json)
{
  GString *out = g_string_sized_new (strlen (json));
  gboolean in_string = FALSE, escaped = FALSE;

  for (const char *p = json; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!in_string && (g_ascii_isdigit (*p) || *p == '-'))
        {
          p = append_shortest_number (out, p) - 1;
          continue;
        }
      if (in_string && !escaped && c == '"')
        in_string = FALSE;
      else if (!in_string && c == '"')
        in_string = TRUE;
      escaped = in_string && !escaped && c == '\\';
      if (c < 0x80)
        g_string_append_c (out, (char) c);
      else if (c < 0x10000)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_printf (out, "\\u%04x\\u%04x", 0xd800 + ((c - 0x10000) >> 10),
                                0xdc00 + ((c - 0x10000) & 0x3ff));
    }
  return g_string_free (out, FALSE);
}

static JsonNode *
record (HlProvenance *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "program");
  json_builder_add_string_value (b, self->program);
  json_builder_set_member_name (b, "input");
  json_builder_add_string_value (b, self->input);
  json_builder_set_member_name (b, "input_sha256");
  if (self->input_sha256 != NULL)
    json_builder_add_string_value (b, self->input_sha256);
  else
    json_builder_add_null_value (b);
  if (self->files != NULL)
    {
      json_builder_set_member_name (b, "files");
      json_builder_add_value (b, json_node_copy (self->files));
    }
  json_builder_set_member_name (b, "options");
  if (self->options != NULL)
    json_builder_add_value (b, json_node_copy (self->options));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, self->seed);
  json_builder_set_member_name (b, "repeats");
  json_builder_add_int_value (b, self->repeats);
  json_builder_set_member_name (b, "bootstrap");
  if (self->bootstrap >= 0)
    json_builder_add_int_value (b, self->bootstrap);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, self->created);
  if (self->figure != NULL)
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, self->figure);
      json_builder_set_member_name (b, "figure");
      json_builder_add_value (b, node);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
hl_provenance_to_json (HlProvenance *self,
                       gboolean      pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->file == NULL || self->inputs_read, NULL);

  root = record (self);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  return tidy (text);
}
