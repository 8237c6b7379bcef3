/* hl-hf-tokenizer.c: the tokenizer.json pipeline. Added tokens are found
 * first (leftmost-longest, those not normalized in the raw text, the others
 * after normalization), every other segment is normalized, pre-tokenized
 * and encoded word by word by the BPE model, and the post-processor's
 * template adds its special tokens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-hf-tokenizer.h"
#include "hl-hf-text-private.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

typedef struct
{
  char     *content;
  char     *match;        /* content, normalized for normalized tokens */
  int       id;
  gboolean  lstrip;
  gboolean  rstrip;
  gboolean  single_word;
  gboolean  normalized;
} AddedToken;

/* Added tokens matched in one pass, longest first. */
typedef struct
{
  GPtrArray *tokens;          /* of AddedToken, borrowed */
  gboolean   first_byte[256];
} TokenSet;

struct _HlHfTokenizer
{
  GObject     parent_instance;

  HlBpe      *bpe;
  HlHfStep   *normalizer;
  HlHfStep   *pre_tokenizer;
  HlHfStep   *decoder;
  GPtrArray  *added;          /* of AddedToken, owned */
  TokenSet    raw_set;        /* tokens with normalized = false */
  TokenSet    normalized_set;
  GPtrArray  *id_to_token;    /* borrowed strings: vocabulary, then added tokens */
  GArray     *prefix;         /* int32 ids the template puts before the text */
  GArray     *suffix;
  char       *description;
};

G_DEFINE_FINAL_TYPE (HlHfTokenizer, hl_hf_tokenizer, G_TYPE_OBJECT)

static void
added_token_free (AddedToken *token)
{
  g_free (token->content);
  g_free (token->match);
  g_free (token);
}

static void
hl_hf_tokenizer_finalize (GObject *object)
{
  HlHfTokenizer *self = HL_HF_TOKENIZER (object);

  g_clear_pointer (&self->raw_set.tokens, g_ptr_array_unref);
  g_clear_pointer (&self->normalized_set.tokens, g_ptr_array_unref);
  g_clear_pointer (&self->id_to_token, g_ptr_array_unref);
  g_clear_pointer (&self->added, g_ptr_array_unref);
  g_clear_pointer (&self->prefix, g_array_unref);
  g_clear_pointer (&self->suffix, g_array_unref);
  g_clear_pointer (&self->bpe, hl_bpe_free);
  g_clear_pointer (&self->normalizer, hl_hf_step_free);
  g_clear_pointer (&self->pre_tokenizer, hl_hf_step_free);
  g_clear_pointer (&self->decoder, hl_hf_step_free);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (hl_hf_tokenizer_parent_class)->finalize (object);
}

static void
hl_hf_tokenizer_class_init (HlHfTokenizerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hl_hf_tokenizer_finalize;
}

static void
hl_hf_tokenizer_init (HlHfTokenizer *self)
{
  self->added = g_ptr_array_new_with_free_func ((GDestroyNotify) added_token_free);
  self->raw_set.tokens = g_ptr_array_new ();
  self->normalized_set.tokens = g_ptr_array_new ();
  self->prefix = g_array_new (FALSE, FALSE, sizeof (int32_t));
  self->suffix = g_array_new (FALSE, FALSE, sizeof (int32_t));
}

/* Added tokens */

static gboolean
parse_added_token (HlHfTokenizer  *self,
                   JsonNode       *node,
                   GError        **error)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *content = object != NULL ? json_object_get_string_member_with_default (object, "content", NULL) : NULL;
  gint64 id = object != NULL ? json_object_get_int_member_with_default (object, "id", -1) : -1;
  AddedToken *token;

  if (content == NULL || content[0] == '\0' || id < 0 || id >= G_MAXINT32 / 2)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has an added token without a non-empty content and an id from 0 to %d"),
                        G_MAXINT32 / 2 - 1);
      return FALSE;
    }
  token = g_new0 (AddedToken, 1);
  token->content = g_strdup (content);
  token->id = (int) id;
  token->lstrip = json_object_get_boolean_member_with_default (object, "lstrip", FALSE);
  token->rstrip = json_object_get_boolean_member_with_default (object, "rstrip", FALSE);
  token->single_word = json_object_get_boolean_member_with_default (object, "single_word", FALSE);
  token->normalized = json_object_get_boolean_member_with_default (object, "normalized", FALSE);
  /* tokenizers matches normalized tokens by their normalized form. */
  token->match = token->normalized ? hl_hf_normalize (self->normalizer, content) : g_strdup (content);
  g_ptr_array_add (self->added, token);
  return TRUE;
}

static int
compare_match_length (gconstpointer a,
                      gconstpointer b)
{
  const AddedToken *x = *(AddedToken * const *) a, *y = *(AddedToken * const *) b;
  gsize lx = strlen (x->match), ly = strlen (y->match);

  return (ly > lx) - (ly < lx);
}

static void
build_sets (HlHfTokenizer *self)
{
  for (guint i = 0; i < self->added->len; i++)
    {
      AddedToken *token = g_ptr_array_index (self->added, i);
      TokenSet *set = token->normalized ? &self->normalized_set : &self->raw_set;

      if (token->match[0] == '\0')
        continue;
      g_ptr_array_add (set->tokens, token);
      set->first_byte[(guint8) token->match[0]] = TRUE;
    }
  g_ptr_array_sort (self->raw_set.tokens, compare_match_length);
  g_ptr_array_sort (self->normalized_set.tokens, compare_match_length);
}

static gboolean
parse_added_tokens (HlHfTokenizer  *self,
                    JsonObject     *root,
                    GError        **error)
{
  JsonNode *node = json_object_get_member (root, "added_tokens");
  JsonArray *tokens;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has added_tokens that is not an array"));
      return FALSE;
    }
  tokens = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (tokens); i++)
    if (!parse_added_token (self, json_array_get_element (tokens, i), error))
      return FALSE;
  build_sets (self);
  return TRUE;
}

static void
build_id_table (HlHfTokenizer *self)
{
  GPtrArray *vocab = hl_bpe_get_vocab (self->bpe);

  self->id_to_token = g_ptr_array_new ();
  g_ptr_array_set_size (self->id_to_token, vocab->len);
  for (guint i = 0; i < vocab->len; i++)
    g_ptr_array_index (self->id_to_token, i) = g_ptr_array_index (vocab, i);
  for (guint i = 0; i < self->added->len; i++)
    {
      AddedToken *token = g_ptr_array_index (self->added, i);

      if ((guint) token->id >= self->id_to_token->len)
        g_ptr_array_set_size (self->id_to_token, token->id + 1);
      g_ptr_array_index (self->id_to_token, token->id) = token->content;
    }
}

/* The post-processor */

static gboolean
lookup_special (HlHfTokenizer  *self,
                JsonObject     *specials,
                const char     *name,
                GArray         *out,
                GError        **error)
{
  JsonObject *special = specials != NULL && json_object_has_member (specials, name) ?
                        json_object_get_object_member (specials, name) : NULL;
  JsonArray *ids = special != NULL && json_object_has_member (special, "ids") ?
                   json_object_get_array_member (special, "ids") : NULL;

  if (ids == NULL)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json's post_processor template names the special token “%s”, which its special_tokens lack"),
                        name);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      int32_t id = (int32_t) json_array_get_int_element (ids, i);

      if (id < 0 || id >= (int32_t) self->id_to_token->len)
        {
          g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json's special token “%s” has id %d, outside the vocabulary of %u ids"),
                            name, id, self->id_to_token->len);
          return FALSE;
        }
      g_array_append_val (out, id);
    }
  return TRUE;
}

static gboolean
parse_template (HlHfTokenizer  *self,
                JsonObject     *processor,
                GError        **error)
{
  JsonArray *single = json_object_has_member (processor, "single") ?
                      json_object_get_array_member (processor, "single") : NULL;
  JsonObject *specials = json_object_has_member (processor, "special_tokens") ?
                         json_object_get_object_member (processor, "special_tokens") : NULL;
  gboolean after_text = FALSE;

  if (single == NULL)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has a TemplateProcessing post_processor without its “single” template"));
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (single); i++)
    {
      JsonObject *piece = json_array_get_object_element (single, i);
      JsonObject *special = piece != NULL && json_object_has_member (piece, "SpecialToken") ?
                            json_object_get_object_member (piece, "SpecialToken") : NULL;

      if (special == NULL)
        after_text = TRUE;
      else if (!lookup_special (self, specials, json_object_get_string_member_with_default (special, "id", ""),
                                after_text ? self->suffix : self->prefix, error))
        return FALSE;
    }
  return TRUE;
}

/* Roberta and Bert wrap the text in [cls, id] ... [sep, id]. */
static gboolean
parse_wrapping (HlHfTokenizer  *self,
                JsonObject     *processor,
                GError        **error)
{
  JsonArray *cls = json_object_has_member (processor, "cls") ? json_object_get_array_member (processor, "cls") : NULL;
  JsonArray *sep = json_object_has_member (processor, "sep") ? json_object_get_array_member (processor, "sep") : NULL;
  int32_t cls_id, sep_id;

  if (cls == NULL || sep == NULL || json_array_get_length (cls) != 2 || json_array_get_length (sep) != 2)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has a post_processor without its [token, id] pairs “cls” and “sep”"));
      return FALSE;
    }
  cls_id = (int32_t) json_array_get_int_element (cls, 1);
  sep_id = (int32_t) json_array_get_int_element (sep, 1);
  g_array_append_val (self->prefix, cls_id);
  g_array_append_val (self->suffix, sep_id);
  return TRUE;
}

static gboolean
parse_post_processor (HlHfTokenizer  *self,
                      JsonNode       *node,
                      GError        **error)
{
  JsonObject *processor;
  const char *type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  processor = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  type = processor != NULL ? json_object_get_string_member_with_default (processor, "type", "") : "";
  if (strcmp (type, "TemplateProcessing") == 0)
    return parse_template (self, processor, error);
  if (strcmp (type, "RobertaProcessing") == 0 || strcmp (type, "BertProcessing") == 0)
    return parse_wrapping (self, processor, error);
  /* ByteLevel only adjusts offsets, which Headlens does not use. */
  if (strcmp (type, "ByteLevel") == 0)
    return TRUE;
  if (strcmp (type, "Sequence") == 0 && json_object_has_member (processor, "processors"))
    {
      JsonArray *items = json_object_get_array_member (processor, "processors");

      for (guint i = 0; i < json_array_get_length (items); i++)
        if (!parse_post_processor (self, json_array_get_element (items, i), error))
          return FALSE;
      return TRUE;
    }
  g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_UNSUPPORTED,
               _("tokenizer.json has a post_processor of type “%s”, expected TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing or Sequence"),
               type);
  return FALSE;
}

/* Loading */

static void
describe (HlHfTokenizer *self)
{
  const char *kind = "no pre-tokenizer";

  if (hl_hf_tokenizer_token_to_id (self, "<0x0A>") >= 0)
    kind = "SentencePiece-style with byte fallback";
  else if (hl_hf_tokenizer_token_to_id (self, "\xC4\x8A") >= 0)
    kind = "byte-level";
  self->description = g_strdup_printf ("BPE, %s, %u ids, %u added tokens", kind,
                                       self->id_to_token->len, self->added->len);
}

static gboolean
parse_root (HlHfTokenizer  *self,
            JsonObject     *root,
            GError        **error)
{
  JsonNode *model = json_object_get_member (root, "model");

  if (model == NULL || !JSON_NODE_HOLDS_OBJECT (model))
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has no “model” object"));
      return FALSE;
    }
  if (!hl_hf_normalizer_parse (json_object_get_member (root, "normalizer"), &self->normalizer, error) ||
      !hl_hf_pre_tokenizer_parse (json_object_get_member (root, "pre_tokenizer"), &self->pre_tokenizer, error) ||
      !hl_hf_decoder_parse (json_object_get_member (root, "decoder"), &self->decoder, error) ||
      (self->bpe = hl_bpe_parse (json_node_get_object (model), error)) == NULL ||
      !parse_added_tokens (self, root, error))
    return FALSE;
  build_id_table (self);
  if (!parse_post_processor (self, json_object_get_member (root, "post_processor"), error))
    return FALSE;
  describe (self);
  return TRUE;
}

static JsonNode *
load_json (const char  *path,
           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = g_path_get_basename (path);

  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      int code = g_error_matches (local_error, G_FILE_ERROR, local_error->code) ?
                 HL_TOKENIZER_ERROR_IO : HL_TOKENIZER_ERROR_FORMAT;

      g_set_error (error, HL_TOKENIZER_ERROR, code, _("cannot read %s: %s"), path, local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("%s is not a JSON object"), name);
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

HlHfTokenizer *
hl_hf_tokenizer_new_from_file (const char  *path,
                               GError     **error)
{
  g_autoptr(HlHfTokenizer) self = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = load_json (path, error);
  if (root == NULL)
    return NULL;
  self = g_object_new (HL_TYPE_HF_TOKENIZER, NULL);
  if (!parse_root (self, json_node_get_object (root), error))
    return NULL;
  return g_steal_pointer (&self);
}

static gboolean
set_special (HlHfTokenizer  *self,
             JsonObject     *config,
             const char     *flag,
             const char     *token_member,
             GArray         *out,
             GError        **error)
{
  JsonNode *token = json_object_get_member (config, token_member);
  const char *name = NULL;
  int32_t id;

  g_array_set_size (out, 0);
  if (!json_object_get_boolean_member (config, flag))
    return TRUE;
  /* The token is a string or, in older files, {"content": ...}. */
  if (token != NULL && JSON_NODE_HOLDS_VALUE (token))
    name = json_node_get_string (token);
  else if (token != NULL && JSON_NODE_HOLDS_OBJECT (token))
    name = json_object_get_string_member_with_default (json_node_get_object (token), "content", NULL);
  id = name != NULL ? hl_hf_tokenizer_token_to_id (self, name) : -1;
  if (id < 0)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer_config.json sets %s but its %s is missing or not a token of tokenizer.json"),
                        flag, token_member);
      return FALSE;
    }
  g_array_append_val (out, id);
  return TRUE;
}

gboolean
hl_hf_tokenizer_apply_config (HlHfTokenizer  *self,
                              const char     *config_path,
                              GError        **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *config;
  const char *class_name;

  g_return_val_if_fail (HL_IS_HF_TOKENIZER (self), FALSE);
  g_return_val_if_fail (config_path != NULL, FALSE);

  if (!g_file_test (config_path, G_FILE_TEST_EXISTS))
    return TRUE;
  root = load_json (config_path, error);
  if (root == NULL)
    return FALSE;
  config = json_node_get_object (root);
  class_name = json_object_get_string_member_with_default (config, "tokenizer_class", "");
  /* transformers rebuilds the template from these flags only for the
   * Llama and Gemma tokenizer classes. */
  if (!g_str_has_prefix (class_name, "LlamaTokenizer") && !g_str_has_prefix (class_name, "GemmaTokenizer"))
    return TRUE;
  return (!json_object_has_member (config, "add_bos_token") ||
          set_special (self, config, "add_bos_token", "bos_token", self->prefix, error)) &&
         (!json_object_has_member (config, "add_eos_token") ||
          set_special (self, config, "add_eos_token", "eos_token", self->suffix, error));
}

/* Encoding */

typedef struct
{
  int       start;
  int       end;
  int       id;          /* the added token, or -1 for text */
} Segment;

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || c == '_';
}

static const AddedToken *
match_at (const TokenSet *set,
          const char     *text,
          gsize           length,
          gsize           pos)
{
  if (!set->first_byte[(guint8) text[pos]])
    return NULL;
  for (guint i = 0; i < set->tokens->len; i++)
    {
      const AddedToken *token = g_ptr_array_index (set->tokens, i);
      gsize n = strlen (token->match);

      if (n > length - pos || memcmp (text + pos, token->match, n) != 0)
        continue;
      if (token->single_word &&
          ((pos > 0 && is_word_char (g_utf8_get_char (g_utf8_find_prev_char (text, text + pos)))) ||
           (pos + n < length && is_word_char (g_utf8_get_char (text + pos + n)))))
        continue;
      return token;
    }
  return NULL;
}

/* Where an lstrip token's match begins: after the last non-space before
 * it, never before @floor (the end of the previous segment). */
static gsize
strip_left (const char *text,
            gsize       start,
            gsize       floor)
{
  const char *p = text + start;

  while (p > text + floor)
    {
      const char *prev = g_utf8_find_prev_char (text, p);

      if (!g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      p = prev;
    }
  return p - text;
}

static gsize
strip_right (const char *text,
             gsize       end)
{
  const char *p = text + end;

  while (*p != '\0' && g_unichar_isspace (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  return p - text;
}

static void
add_segment (GArray *segments,
             gsize   start,
             gsize   end,
             int     id)
{
  Segment segment = { (int) start, (int) end, id };

  if (end > start || id >= 0)
    g_array_append_val (segments, segment);
}

/* Cuts @text at the added tokens of @set (leftmost-longest, as
 * tokenizers' Aho-Corasick matcher). */
static GArray *
split_added (const TokenSet *set,
             const char     *text)
{
  GArray *segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  gsize length = strlen (text), floor = 0, pos = 0;

  while (pos < length)
    {
      const AddedToken *token = set->tokens->len > 0 ? match_at (set, text, length, pos) : NULL;
      gsize start = pos, end;

      if (token == NULL)
        {
          pos++;
          continue;
        }
      end = pos + strlen (token->match);
      if (token->lstrip)
        start = strip_left (text, start, floor);
      if (token->rstrip)
        end = strip_right (text, end);
      add_segment (segments, floor, start, -1);
      add_segment (segments, start, end, token->id);
      floor = pos = end;
    }
  add_segment (segments, floor, length, -1);
  return segments;
}

static void
encode_words (HlHfTokenizer *self,
              char          *text,
              gboolean       at_start,
              GArray        *ids)
{
  g_autoptr(GPtrArray) splits = hl_hf_splits_new ();
  g_autoptr(GPtrArray) words = NULL;

  hl_hf_splits_add (splits, text, at_start);
  words = hl_hf_pre_tokenize (self->pre_tokenizer, splits);
  for (guint i = 0; i < words->len; i++)
    hl_bpe_encode_word (self->bpe, ((HlHfSplit *) g_ptr_array_index (words, i))->text, ids);
}

/* A segment of text between raw added tokens: normalized, cut again at
 * the normalized added tokens, then encoded. */
static void
encode_segment (HlHfTokenizer *self,
                const char    *text,
                gboolean       at_start,
                GArray        *ids)
{
  g_autofree char *normalized = hl_hf_normalize (self->normalizer, text);
  g_autoptr(GArray) segments = split_added (&self->normalized_set, normalized);

  for (guint i = 0; i < segments->len; i++)
    {
      const Segment *s = &g_array_index (segments, Segment, i);
      int32_t id = s->id;

      if (s->id >= 0)
        g_array_append_val (ids, id);
      else
        encode_words (self, g_strndup (normalized + s->start, s->end - s->start),
                      at_start && s->start == 0, ids);
    }
}

int32_t *
hl_hf_tokenizer_encode (HlHfTokenizer *self,
                        const char    *text,
                        gboolean       add_special_tokens,
                        gsize         *n_tokens)
{
  g_autoptr(GArray) segments = NULL;
  GArray *ids;

  g_return_val_if_fail (HL_IS_HF_TOKENIZER (self), NULL);
  g_return_val_if_fail (text != NULL && n_tokens != NULL, NULL);

  ids = g_array_new (FALSE, FALSE, sizeof (int32_t));
  if (add_special_tokens)
    g_array_append_vals (ids, self->prefix->data, self->prefix->len);
  segments = split_added (&self->raw_set, text);
  for (guint i = 0; i < segments->len; i++)
    {
      const Segment *s = &g_array_index (segments, Segment, i);
      g_autofree char *piece = NULL;
      int32_t id = s->id;

      if (s->id >= 0)
        {
          g_array_append_val (ids, id);
          continue;
        }
      piece = g_strndup (text + s->start, s->end - s->start);
      encode_segment (self, piece, s->start == 0, ids);
    }
  if (add_special_tokens)
    g_array_append_vals (ids, self->suffix->data, self->suffix->len);
  *n_tokens = ids->len;
  return (int32_t *) g_array_free (ids, FALSE);
}

char *
hl_hf_tokenizer_decode (HlHfTokenizer *self,
                        const int32_t *ids,
                        gsize          n_ids)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (HL_IS_HF_TOKENIZER (self), NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  for (gsize i = 0; i < n_ids; i++)
    {
      const char *token = hl_hf_tokenizer_id_to_token (self, ids[i]);

      if (token != NULL)
        g_ptr_array_add (tokens, g_strdup (token));
    }
  return hl_hf_decode_tokens (self->decoder, tokens, FALSE);
}

char *
hl_hf_tokenizer_token_text (HlHfTokenizer *self,
                            int            id)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  const char *token;

  g_return_val_if_fail (HL_IS_HF_TOKENIZER (self), NULL);

  token = hl_hf_tokenizer_id_to_token (self, id);
  if (token == NULL)
    return g_strdup ("");
  g_ptr_array_add (tokens, g_strdup (token));
  return hl_hf_decode_tokens (self->decoder, tokens, TRUE);
}

const int32_t *
hl_hf_tokenizer_get_prefix (HlHfTokenizer *self,
                            gsize         *n_tokens)
{
  g_return_val_if_fail (HL_IS_HF_TOKENIZER (self), NULL);
  *n_tokens = self->prefix->len;
  return (const int32_t *) self->prefix->data;
}

const int32_t *
hl_hf_tokenizer_get_suffix (HlHfTokenizer *self,
                            gsize         *n_tokens)
{
  g_return_val_if_fail (HL_IS_HF_TOKENIZER (self), NULL);
  *n_tokens = self->suffix->len;
  return (const int32_t *) self->suffix->data;
}

int
hl_hf_tokenizer_get_n_ids (HlHfTokenizer *self)
{
  g_return_val_if_fail (HL_IS_HF_TOKENIZER (self), 0);
  return (int) self->id_to_token->len;
}

const char *
hl_hf_tokenizer_id_to_token (HlHfTokenizer *self,
                             int            id)
{
  g_return_val_if_fail (HL_IS_HF_TOKENIZER (self), NULL);
  if (id < 0 || (guint) id >= self->id_to_token->len)
    return NULL;
  return g_ptr_array_index (self->id_to_token, id);
}

int
hl_hf_tokenizer_token_to_id (HlHfTokenizer *self,
                             const char    *token)
{
  g_return_val_if_fail (HL_IS_HF_TOKENIZER (self), -1);
  g_return_val_if_fail (token != NULL, -1);

  for (guint i = 0; i < self->added->len; i++)
    {
      const AddedToken *added = g_ptr_array_index (self->added, i);

      if (strcmp (added->content, token) == 0)
        return added->id;
    }
  return hl_bpe_token_to_id (self->bpe, token);
}

const char *
hl_hf_tokenizer_describe (HlHfTokenizer *self)
{
  g_return_val_if_fail (HL_IS_HF_TOKENIZER (self), NULL);
  return self->description;
}
