/* hl-safetensors.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-safetensors.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <string.h>

/* Real headers are a few hundred kilobytes; the format's own readers
 * refuse more than 100 MB. */
#define MAX_HEADER (100 * 1000 * 1000)

struct _HlSafetensors
{
  GObject       parent_instance;

  char         *path;
  char         *name;       /* basename, for messages */
  GMappedFile  *mapping;
  GArray       *tensors;    /* of HlSafetensor; names owned by @names */
  GPtrArray    *names;
  GHashTable   *index;      /* name -> position + 1 */
};

G_DEFINE_FINAL_TYPE (HlSafetensors, hl_safetensors, G_TYPE_OBJECT)

static void
hl_safetensors_finalize (GObject *object)
{
  HlSafetensors *self = HL_SAFETENSORS (object);

  g_clear_pointer (&self->index, g_hash_table_unref);
  g_clear_pointer (&self->tensors, g_array_unref);
  g_clear_pointer (&self->names, g_ptr_array_unref);
  g_clear_pointer (&self->mapping, g_mapped_file_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (hl_safetensors_parent_class)->finalize (object);
}

static void
hl_safetensors_class_init (HlSafetensorsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hl_safetensors_finalize;
}

static void
hl_safetensors_init (HlSafetensors *self)
{
  self->tensors = g_array_new (FALSE, FALSE, sizeof (HlSafetensor));
  self->names = g_ptr_array_new_with_free_func (g_free);
  self->index = g_hash_table_new (g_str_hash, g_str_equal);
}

/* Element sizes of the safetensors dtypes. */
static int
dtype_size (const char *dtype)
{
  static const struct { const char *name; int size; } dtypes[] = {
    { "F64", 8 }, { "F32", 4 }, { "F16", 2 }, { "BF16", 2 }, { "F8_E4M3", 1 }, { "F8_E5M2", 1 },
    { "I64", 8 }, { "I32", 4 }, { "I16", 2 }, { "I8", 1 }, { "U64", 8 }, { "U32", 4 },
    { "U16", 2 }, { "U8", 1 }, { "BOOL", 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (strcmp (dtype, dtypes[i].name) == 0)
      return dtypes[i].size;
  return 0;
}

static gboolean
read_integer (JsonArray *array,
              guint      index,
              gint64    *out)
{
  JsonNode *node = json_array_get_element (array, index);

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return *out >= 0;
}

static gboolean
parse_shape (HlSafetensors  *self,
             const char     *name,
             JsonObject     *entry,
             HlSafetensor   *tensor,
             GError        **error)
{
  JsonNode *node = json_object_get_member (entry, "shape");
  JsonArray *shape = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  if (shape == NULL || json_array_get_length (shape) > HL_SAFETENSORS_MAX_DIMS)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT, _("%s: tensor “%s” has no shape array of at most %d dimensions"),
                        self->name, name, HL_SAFETENSORS_MAX_DIMS);
      return FALSE;
    }
  tensor->n_dims = json_array_get_length (shape);
  for (int d = 0; d < tensor->n_dims; d++)
    if (!read_integer (shape, d, &tensor->shape[d]) || tensor->shape[d] > G_MAXINT32)
      {
        g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT, _("%s: tensor “%s” has dimension %d that is not an integer from 0 to %d"),
                          self->name, name, d, G_MAXINT32);
        return FALSE;
      }
  return TRUE;
}

/* The byte range must lie in the data and hold exactly the shape. */
static gboolean
parse_offsets (HlSafetensors  *self,
               const char     *name,
               JsonObject     *entry,
               gsize           data_length,
               HlSafetensor   *tensor,
               GError        **error)
{
  JsonNode *node = json_object_get_member (entry, "data_offsets");
  JsonArray *offsets = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  guint64 expected = dtype_size (tensor->dtype);
  gint64 begin, end;

  if (offsets == NULL || json_array_get_length (offsets) != 2 ||
      !read_integer (offsets, 0, &begin) || !read_integer (offsets, 1, &end) ||
      begin > end || (guint64) end > data_length)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT, _("%s: tensor “%s” has data_offsets that are not [begin, end] with 0 <= begin <= end <= %zu (the data's length)"),
                        self->name, name, data_length);
      return FALSE;
    }
  for (int d = 0; d < tensor->n_dims; d++)
    expected = tensor->shape[d] == 0 || expected <= G_MAXUINT64 / (guint64) tensor->shape[d] ?
               expected * tensor->shape[d] : G_MAXUINT64;
  if (expected != (guint64) (end - begin))
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT, _("%s: tensor “%s” has %" PRId64 " bytes of data, its dtype and shape need %" PRIu64),
                        self->name, name, end - begin, expected);
      return FALSE;
    }
  tensor->n_bytes = end - begin;
  tensor->data = (const guint8 *) (gsize) begin;  /* made absolute in check_overlaps () */
  return TRUE;
}

static gboolean
parse_entry (HlSafetensors  *self,
             const char     *name,
             JsonNode       *node,
             gsize           data_length,
             GError        **error)
{
  JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *dtype = entry != NULL ? json_object_get_string_member_with_default (entry, "dtype", "") : "";
  HlSafetensor tensor = { 0 };

  if (dtype_size (dtype) == 0)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT, _("%s: tensor “%s” has dtype “%s”, expected one of the safetensors dtypes (F32, F16, BF16, ...)"),
                        self->name, name, dtype);
      return FALSE;
    }
  g_strlcpy (tensor.dtype, dtype, sizeof tensor.dtype);
  if (!parse_shape (self, name, entry, &tensor, error) ||
      !parse_offsets (self, name, entry, data_length, &tensor, error))
    return FALSE;
  g_ptr_array_add (self->names, g_strdup (name));
  tensor.name = g_ptr_array_index (self->names, self->names->len - 1);
  g_array_append_val (self->tensors, tensor);
  return TRUE;
}

static int
compare_offsets (gconstpointer a,
                 gconstpointer b)
{
  const HlSafetensor *x = a, *y = b;

  return (x->data > y->data) - (x->data < y->data);
}

/* Sorted by offset, each tensor must begin at or after the end of the
 * previous one; then offsets become pointers into the mapping. */
static gboolean
check_overlaps (HlSafetensors  *self,
                const guint8   *data,
                GError        **error)
{
  g_array_sort (self->tensors, compare_offsets);
  for (guint i = 0; i < self->tensors->len; i++)
    {
      HlSafetensor *t = &g_array_index (self->tensors, HlSafetensor, i);
      HlSafetensor *prev = i > 0 ? t - 1 : NULL;

      if (prev != NULL && (gsize) t->data < (gsize) prev->data + prev->n_bytes)
        {
          g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT, _("%s: tensors “%s” and “%s” overlap in the data"),
                            self->name, prev->name, t->name);
          return FALSE;
        }
    }
  for (guint i = 0; i < self->tensors->len; i++)
    {
      HlSafetensor *t = &g_array_index (self->tensors, HlSafetensor, i);

      t->data = data + (gsize) t->data;
      g_hash_table_insert (self->index, (gpointer) t->name, GUINT_TO_POINTER (i + 1));
    }
  return TRUE;
}

static gboolean
parse_header (HlSafetensors  *self,
              const char     *json,
              gsize           json_length,
              gsize           data_length,
              GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  if (!json_parser_load_from_data (parser, json, json_length, &local_error))
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT, _("%s: the header is not JSON: %s"), self->name, local_error->message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT, _("%s: the header is not a JSON object"), self->name);
      return FALSE;
    }
  json_object_iter_init (&iter, json_node_get_object (json_parser_get_root (parser)));
  while (json_object_iter_next (&iter, &name, &node))
    if (strcmp (name, "__metadata__") != 0 && !parse_entry (self, name, node, data_length, error))
      return FALSE;
  return TRUE;
}

static gboolean
parse (HlSafetensors  *self,
       GError        **error)
{
  const guint8 *contents = (const guint8 *) g_mapped_file_get_contents (self->mapping);
  gsize length = g_mapped_file_get_length (self->mapping);
  guint64 header_length;

  if (length < 8)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT, _("%s has %zu bytes, shorter than the 8-byte safetensors header length"),
                        self->name, length);
      return FALSE;
    }
  memcpy (&header_length, contents, 8);
  header_length = GUINT64_FROM_LE (header_length);
  if (header_length < 2 || header_length > MAX_HEADER || header_length > length - 8)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_FORMAT, _("%s: the header length is %" PRIu64 " bytes, expected 2 to %d and at most the %zu bytes after it (a truncated file or not safetensors)"),
                        self->name, header_length, MAX_HEADER, length - 8);
      return FALSE;
    }
  return parse_header (self, (const char *) contents + 8, header_length, length - 8 - header_length, error) &&
         check_overlaps (self, contents + 8 + header_length, error);
}

HlSafetensors *
hl_safetensors_open (const char  *path,
                     GError     **error)
{
  g_autoptr(HlSafetensors) self = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HL_TYPE_SAFETENSORS, NULL);
  self->path = g_strdup (path);
  self->name = g_path_get_basename (path);
  self->mapping = g_mapped_file_new (path, FALSE, &local_error);
  if (self->mapping == NULL)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_IO, _("cannot map %s: %s"), path, local_error->message);
      return NULL;
    }
  if (!parse (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
hl_safetensors_get_path (HlSafetensors *self)
{
  g_return_val_if_fail (HL_IS_SAFETENSORS (self), NULL);
  return self->path;
}

guint
hl_safetensors_get_n_tensors (HlSafetensors *self)
{
  g_return_val_if_fail (HL_IS_SAFETENSORS (self), 0);
  return self->tensors->len;
}

const HlSafetensor *
hl_safetensors_get_nth (HlSafetensors *self,
                        guint          index)
{
  g_return_val_if_fail (HL_IS_SAFETENSORS (self), NULL);
  g_return_val_if_fail (index < self->tensors->len, NULL);
  return &g_array_index (self->tensors, HlSafetensor, index);
}

const HlSafetensor *
hl_safetensors_lookup (HlSafetensors *self,
                       const char    *name)
{
  guint position;

  g_return_val_if_fail (HL_IS_SAFETENSORS (self), NULL);
  position = GPOINTER_TO_UINT (g_hash_table_lookup (self->index, name));
  return position > 0 ? &g_array_index (self->tensors, HlSafetensor, position - 1) : NULL;
}

gboolean
hl_safetensor_to_tensor (const HlSafetensor  *tensor,
                         const char          *file_name,
                         HlTensor            *out,
                         GError             **error)
{
  g_return_val_if_fail (tensor != NULL && out != NULL, FALSE);

  if (strcmp (tensor->dtype, "F32") == 0)
    out->dtype = HL_TENSOR_F32;
  else if (strcmp (tensor->dtype, "F16") == 0)
    out->dtype = HL_TENSOR_F16;
  else if (strcmp (tensor->dtype, "BF16") == 0)
    out->dtype = HL_TENSOR_BF16;
  else
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_TENSOR,
                   _("%s: tensor “%s” has dtype %s, expected F32, F16 or BF16"),
                   file_name, tensor->name, tensor->dtype);
      return FALSE;
    }
  if (tensor->n_dims < 1 || tensor->n_dims > 2)
    {
      g_set_error (error, HL_MODEL_ERROR, HL_MODEL_ERROR_TENSOR,
                   _("%s: tensor “%s” has %d dimensions, expected 1 or 2"),
                   file_name, tensor->name, tensor->n_dims);
      return FALSE;
    }
  out->data = tensor->data;
  out->rows = tensor->n_dims == 2 ? tensor->shape[0] : 1;
  out->cols = tensor->shape[tensor->n_dims - 1];
  out->stride = out->cols;
  out->in_major = FALSE;
  return TRUE;
}
