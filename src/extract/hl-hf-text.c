/* hl-hf-text.c: normalizers, pre-tokenizers and decoders of tokenizer.json,
 * following the Rust `tokenizers` library step for step (its splitting
 * behaviours, ByteLevel's byte-to-character table, Metaspace's prepend
 * schemes, the decoders' order of operations).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-hf-text-private.h"
#include "hl-tokenizer.h"

#include <glib/gi18n.h>
#include <string.h>

/* GPT-2's pre-tokenizer pattern, which ByteLevel uses when use_regex is
 * set. */
#define GPT2_PATTERN "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"

typedef enum
{
  STEP_SEQUENCE,
  NORM_NFC,
  NORM_NFD,
  NORM_NFKC,
  NORM_NFKD,
  NORM_LOWERCASE,
  NORM_PREPEND,
  NORM_REPLACE,
  PRE_BYTE_LEVEL,
  PRE_METASPACE,
  PRE_DIGITS,
  PRE_SPLIT,
  DEC_BYTE_LEVEL,
  DEC_REPLACE,
  DEC_BYTE_FALLBACK,
  DEC_FUSE,
  DEC_STRIP,
  DEC_METASPACE,
} StepKind;

typedef enum
{
  SPLIT_ISOLATED,
  SPLIT_REMOVED,
  SPLIT_MERGED_WITH_PREVIOUS,
  SPLIT_MERGED_WITH_NEXT,
  SPLIT_CONTIGUOUS,
} SplitBehaviour;

typedef enum
{
  PREPEND_ALWAYS,
  PREPEND_FIRST,
  PREPEND_NEVER,
} PrependScheme;

struct _HlHfStep
{
  StepKind        kind;
  GPtrArray      *children;     /* of HlHfStep, for STEP_SEQUENCE */
  char           *text;         /* Prepend's text, Replace's content, Metaspace's replacement */
  GRegex         *pattern;      /* Replace and Split */
  SplitBehaviour  behaviour;
  gboolean        invert;
  gboolean        flag;         /* ByteLevel add_prefix_space, Digits individual, Metaspace split */
  gboolean        use_regex;
  PrependScheme   prepend;
  int             start;        /* Strip */
  int             stop;
};

typedef enum
{
  STAGE_NORMALIZER,
  STAGE_PRE_TOKENIZER,
  STAGE_DECODER,
} Stage;

typedef struct
{
  Stage       stage;
  const char *name;
  StepKind    kind;
} StepType;

static const StepType step_types[] = {
  { STAGE_NORMALIZER, "Sequence", STEP_SEQUENCE },
  { STAGE_NORMALIZER, "NFC", NORM_NFC },
  { STAGE_NORMALIZER, "NFD", NORM_NFD },
  { STAGE_NORMALIZER, "NFKC", NORM_NFKC },
  { STAGE_NORMALIZER, "NFKD", NORM_NFKD },
  { STAGE_NORMALIZER, "Lowercase", NORM_LOWERCASE },
  { STAGE_NORMALIZER, "Prepend", NORM_PREPEND },
  { STAGE_NORMALIZER, "Replace", NORM_REPLACE },
  { STAGE_PRE_TOKENIZER, "Sequence", STEP_SEQUENCE },
  { STAGE_PRE_TOKENIZER, "ByteLevel", PRE_BYTE_LEVEL },
  { STAGE_PRE_TOKENIZER, "Metaspace", PRE_METASPACE },
  { STAGE_PRE_TOKENIZER, "Digits", PRE_DIGITS },
  { STAGE_PRE_TOKENIZER, "Split", PRE_SPLIT },
  { STAGE_DECODER, "Sequence", STEP_SEQUENCE },
  { STAGE_DECODER, "ByteLevel", DEC_BYTE_LEVEL },
  { STAGE_DECODER, "Replace", DEC_REPLACE },
  { STAGE_DECODER, "ByteFallback", DEC_BYTE_FALLBACK },
  { STAGE_DECODER, "Fuse", DEC_FUSE },
  { STAGE_DECODER, "Strip", DEC_STRIP },
  { STAGE_DECODER, "Metaspace", DEC_METASPACE },
};

static const char * const stage_names[] = { "normalizer", "pre_tokenizer", "decoder" };
static const char * const sequence_members[] = { "normalizers", "pretokenizers", "decoders" };

void
hl_hf_step_free (HlHfStep *step)
{
  if (step == NULL)
    return;
  g_clear_pointer (&step->children, g_ptr_array_unref);
  g_clear_pointer (&step->pattern, g_regex_unref);
  g_free (step->text);
  g_free (step);
}

static char *
supported_types (Stage stage)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (step_types); i++)
    if (step_types[i].stage == stage)
      g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", step_types[i].name);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static gboolean
find_kind (Stage        stage,
           const char  *type,
           StepKind    *kind,
           GError     **error)
{
  g_autofree char *supported = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (step_types); i++)
    if (step_types[i].stage == stage && g_strcmp0 (step_types[i].name, type) == 0)
      {
        *kind = step_types[i].kind;
        return TRUE;
      }
  supported = supported_types (stage);
  g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_UNSUPPORTED,
               _("tokenizer.json has a %s of type “%s”, expected one of: %s"),
               stage_names[stage], type != NULL ? type : "(none)", supported);
  return FALSE;
}

/* {"String": "x"} or {"Regex": "x"}, as a compiled pattern. */
static GRegex *
parse_pattern (JsonObject  *object,
               Stage        stage,
               GError     **error)
{
  JsonObject *pattern = json_object_has_member (object, "pattern") ?
                        json_object_get_object_member (object, "pattern") : NULL;
  g_autofree char *escaped = NULL;
  const char *source;

  if (pattern != NULL && json_object_has_member (pattern, "String"))
    source = escaped = g_regex_escape_string (json_object_get_string_member (pattern, "String"), -1);
  else if (pattern != NULL && json_object_has_member (pattern, "Regex"))
    source = json_object_get_string_member (pattern, "Regex");
  else
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has a %s without a pattern, expected {\"String\": …} or {\"Regex\": …}"),
                        stage_names[stage]);
      return NULL;
    }
  if (source == NULL)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has a %s whose pattern is not a string"), stage_names[stage]);
      return NULL;
    }
  return g_regex_new (source, G_REGEX_OPTIMIZE, 0, error);
}

static gboolean
parse_split_behaviour (JsonObject      *object,
                       SplitBehaviour  *out,
                       GError         **error)
{
  static const char * const names[] = {
    "Isolated", "Removed", "MergedWithPrevious", "MergedWithNext", "Contiguous",
  };
  const char *name = json_object_get_string_member_with_default (object, "behavior", "");

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *out = (SplitBehaviour) i;
        return TRUE;
      }
  g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has a Split pre-tokenizer with behavior “%s”, expected Isolated, Removed, MergedWithPrevious, MergedWithNext or Contiguous"),
                    name);
  return FALSE;
}

/* Metaspace's prepend_scheme, or the older add_prefix_space flag. */
static gboolean
parse_prepend_scheme (JsonObject     *object,
                      PrependScheme  *out,
                      GError        **error)
{
  const char *scheme = json_object_get_string_member_with_default (object, "prepend_scheme", NULL);

  if (scheme == NULL)
    *out = json_object_get_boolean_member_with_default (object, "add_prefix_space", TRUE) ?
           PREPEND_ALWAYS : PREPEND_NEVER;
  else if (strcmp (scheme, "always") == 0)
    *out = PREPEND_ALWAYS;
  else if (strcmp (scheme, "first") == 0)
    *out = PREPEND_FIRST;
  else if (strcmp (scheme, "never") == 0)
    *out = PREPEND_NEVER;
  else
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has a Metaspace prepend_scheme “%s”, expected always, first or never"),
                        scheme);
      return FALSE;
    }
  return TRUE;
}

static gboolean parse_step (JsonNode   *node,
                            Stage       stage,
                            HlHfStep  **out,
                            GError    **error);

static gboolean
parse_sequence (JsonObject  *object,
                Stage        stage,
                HlHfStep    *step,
                GError     **error)
{
  JsonArray *items = json_object_has_member (object, sequence_members[stage]) ?
                     json_object_get_array_member (object, sequence_members[stage]) : NULL;

  if (items == NULL)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has a Sequence %s without its “%s” array"),
                        stage_names[stage], sequence_members[stage]);
      return FALSE;
    }
  step->children = g_ptr_array_new_with_free_func ((GDestroyNotify) hl_hf_step_free);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      HlHfStep *child = NULL;

      if (!parse_step (json_array_get_element (items, i), stage, &child, error))
        return FALSE;
      if (child != NULL)
        g_ptr_array_add (step->children, child);
    }
  return TRUE;
}

static gboolean
parse_string_member (JsonObject  *object,
                     const char  *member,
                     const char  *type,
                     char       **out,
                     GError     **error)
{
  const char *value = json_object_get_string_member_with_default (object, member, NULL);

  if (value == NULL)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has a %s step without the string “%s”"), type, member);
      return FALSE;
    }
  *out = g_strdup (value);
  return TRUE;
}

static gboolean
parse_fields (JsonObject  *object,
              Stage        stage,
              HlHfStep    *step,
              GError     **error)
{
  switch (step->kind)
    {
    case STEP_SEQUENCE:
      return parse_sequence (object, stage, step, error);
    case NORM_PREPEND:
      return parse_string_member (object, "prepend", "Prepend", &step->text, error);
    case NORM_REPLACE:
    case DEC_REPLACE:
      return parse_string_member (object, "content", "Replace", &step->text, error) &&
             (step->pattern = parse_pattern (object, stage, error)) != NULL;
    case PRE_BYTE_LEVEL:
      step->flag = json_object_get_boolean_member_with_default (object, "add_prefix_space", TRUE);
      step->use_regex = json_object_get_boolean_member_with_default (object, "use_regex", TRUE);
      step->pattern = g_regex_new (GPT2_PATTERN, G_REGEX_OPTIMIZE, 0, error);
      return step->pattern != NULL;
    case PRE_METASPACE:
    case DEC_METASPACE:
      step->flag = json_object_get_boolean_member_with_default (object, "split", TRUE);
      return parse_string_member (object, "replacement", "Metaspace", &step->text, error) &&
             parse_prepend_scheme (object, &step->prepend, error);
    case PRE_DIGITS:
      step->flag = json_object_get_boolean_member_with_default (object, "individual_digits", FALSE);
      return TRUE;
    case PRE_SPLIT:
      step->invert = json_object_get_boolean_member_with_default (object, "invert", FALSE);
      return parse_split_behaviour (object, &step->behaviour, error) &&
             (step->pattern = parse_pattern (object, stage, error)) != NULL;
    case DEC_STRIP:
      step->start = json_object_get_int_member_with_default (object, "start", 0);
      step->stop = json_object_get_int_member_with_default (object, "stop", 0);
      return parse_string_member (object, "content", "Strip", &step->text, error);
    default:
      return TRUE;
    }
}

static gboolean
parse_step (JsonNode   *node,
            Stage       stage,
            HlHfStep  **out,
            GError    **error)
{
  g_autoptr(HlHfStep) step = NULL;
  JsonObject *object;
  StepKind kind;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has a %s that is not an object"), stage_names[stage]);
      return FALSE;
    }
  object = json_node_get_object (node);
  if (!find_kind (stage, json_object_get_string_member_with_default (object, "type", NULL), &kind, error))
    return FALSE;
  step = g_new0 (HlHfStep, 1);
  step->kind = kind;
  if (!parse_fields (object, stage, step, error))
    return FALSE;
  *out = g_steal_pointer (&step);
  return TRUE;
}

gboolean
hl_hf_normalizer_parse (JsonNode   *node,
                        HlHfStep  **out,
                        GError    **error)
{
  return parse_step (node, STAGE_NORMALIZER, out, error);
}

gboolean
hl_hf_pre_tokenizer_parse (JsonNode   *node,
                           HlHfStep  **out,
                           GError    **error)
{
  return parse_step (node, STAGE_PRE_TOKENIZER, out, error);
}

gboolean
hl_hf_decoder_parse (JsonNode   *node,
                     HlHfStep  **out,
                     GError    **error)
{
  return parse_step (node, STAGE_DECODER, out, error);
}

/* Normalizers */

static char *
replace_all (const GRegex *pattern,
             const char   *text,
             const char   *replacement)
{
  char *result = g_regex_replace_literal (pattern, text, -1, 0, replacement, 0, NULL);

  /* The pattern was compiled from the file and the text is valid UTF-8,
   * so a failure here is a bug, not bad input. */
  g_assert (result != NULL);
  return result;
}

char *
hl_hf_normalize (const HlHfStep *step,
                 const char     *text)
{
  char *result;

  if (step == NULL)
    return g_strdup (text);
  switch (step->kind)
    {
    case STEP_SEQUENCE:
      result = g_strdup (text);
      for (guint i = 0; i < step->children->len; i++)
        {
          char *next = hl_hf_normalize (g_ptr_array_index (step->children, i), result);
          g_free (result);
          result = next;
        }
      return result;
    case NORM_NFC:
      return g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
    case NORM_NFD:
      return g_utf8_normalize (text, -1, G_NORMALIZE_NFD);
    case NORM_NFKC:
      return g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
    case NORM_NFKD:
      return g_utf8_normalize (text, -1, G_NORMALIZE_NFKD);
    case NORM_LOWERCASE:
      return g_utf8_strdown (text, -1);
    case NORM_PREPEND:
      return text[0] != '\0' ? g_strconcat (step->text, text, NULL) : g_strdup (text);
    case NORM_REPLACE:
      return replace_all (step->pattern, text, step->text);
    default:
      g_assert_not_reached ();
    }
}

/* Splitting, as NormalizedString::split: the text is cut into pieces that
 * match and pieces that do not, then the behaviour says which are kept and
 * how matches join their neighbours. */

typedef struct
{
  int      start;
  int      end;
  gboolean is_match;
} Span;

static void
add_span (GArray   *spans,
          int       start,
          int       end,
          gboolean  is_match)
{
  Span span = { start, end, is_match };

  if (end > start)
    g_array_append_val (spans, span);
}

/* Matches of @pattern in @text, with the gaps between them. */
static GArray *
regex_spans (const GRegex *pattern,
             const char   *text)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (Span));
  g_autoptr(GMatchInfo) info = NULL;
  int last = 0, start, end;

  g_regex_match (pattern, text, 0, &info);
  while (g_match_info_matches (info))
    {
      g_match_info_fetch_pos (info, 0, &start, &end);
      add_span (spans, last, start, FALSE);
      add_span (spans, start, end, TRUE);
      last = MAX (last, end);
      g_match_info_next (info, NULL);
    }
  add_span (spans, last, strlen (text), FALSE);
  return spans;
}

static gboolean
is_numeric (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return type == G_UNICODE_DECIMAL_NUMBER || type == G_UNICODE_LETTER_NUMBER ||
         type == G_UNICODE_OTHER_NUMBER;
}

/* Every numeric character is a match of its own (Rust's char::is_numeric). */
static GArray *
digit_spans (const char *text)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (Span));
  int gap = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (is_numeric (g_utf8_get_char (p)))
      {
        int start = p - text;

        add_span (spans, gap, start, FALSE);
        add_span (spans, start, g_utf8_next_char (p) - text, TRUE);
        gap = g_utf8_next_char (p) - text;
      }
  add_span (spans, gap, strlen (text), FALSE);
  return spans;
}

static void
merge_spans (GArray         *spans,
             SplitBehaviour  behaviour)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (Span));
  gboolean previous_match = FALSE;

  for (guint n = 0; n < spans->len; n++)
    {
      guint i = behaviour == SPLIT_MERGED_WITH_NEXT ? spans->len - 1 - n : n;
      Span span = g_array_index (spans, Span, i);
      Span *last = out->len > 0 ? &g_array_index (out, Span, out->len - 1) : NULL;
      gboolean join;

      if (behaviour == SPLIT_CONTIGUOUS)
        join = span.is_match == previous_match && last != NULL;
      else
        join = span.is_match && !previous_match && last != NULL;
      previous_match = span.is_match;
      if (!join)
        g_array_append_val (out, span);
      else if (behaviour == SPLIT_MERGED_WITH_NEXT)
        last->start = span.start;
      else
        last->end = span.end;
    }
  if (behaviour == SPLIT_MERGED_WITH_NEXT)
    for (guint i = 0; i < out->len / 2; i++)
      {
        Span tmp = g_array_index (out, Span, i);
        g_array_index (out, Span, i) = g_array_index (out, Span, out->len - 1 - i);
        g_array_index (out, Span, out->len - 1 - i) = tmp;
      }
  g_array_set_size (spans, 0);
  g_array_append_vals (spans, out->data, out->len);
}

static void
add_spans (GPtrArray       *out,
           const HlHfSplit *split,
           GArray          *spans,
           SplitBehaviour   behaviour,
           gboolean         invert)
{
  if (invert)
    for (guint i = 0; i < spans->len; i++)
      g_array_index (spans, Span, i).is_match = !g_array_index (spans, Span, i).is_match;
  if (behaviour != SPLIT_ISOLATED && behaviour != SPLIT_REMOVED)
    merge_spans (spans, behaviour);
  for (guint i = 0; i < spans->len; i++)
    {
      const Span *span = &g_array_index (spans, Span, i);

      if (behaviour == SPLIT_REMOVED && span->is_match)
        continue;
      hl_hf_splits_add (out, g_strndup (split->text + span->start, span->end - span->start),
                        split->at_start && span->start == 0);
    }
}

/* Pre-tokenizers */

GPtrArray *
hl_hf_splits_new (void)
{
  return g_ptr_array_new_with_free_func (g_free);
}

void
hl_hf_splits_add (GPtrArray *splits,
                  char      *text,
                  gboolean   at_start)
{
  /* The text lives in the same block as the split, so g_free() frees both. */
  gsize length = strlen (text);
  HlHfSplit *split = g_malloc (sizeof (HlHfSplit) + length + 1);

  split->text = (char *) (split + 1);
  memcpy (split->text, text, length + 1);
  split->at_start = at_start;
  g_ptr_array_add (splits, split);
  g_free (text);
}

/* GPT-2's table: printable bytes stand for themselves, the others for the
 * code points from 256 on, in byte order. */
static gunichar
byte_to_char (guint8 byte)
{
  static gunichar table[256];
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      int n = 0;

      for (int b = 0; b < 256; b++)
        {
          gboolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
          table[b] = printable ? (gunichar) b : (gunichar) (256 + n++);
        }
      g_once_init_leave (&initialised, 1);
    }
  return table[byte];
}

static char *
bytes_to_chars (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) * 2);

  for (const guint8 *p = (const guint8 *) text; *p != '\0'; p++)
    g_string_append_unichar (out, byte_to_char (*p));
  return g_string_free (out, FALSE);
}

static void
byte_level_split (const HlHfStep  *step,
                  const HlHfSplit *split,
                  GPtrArray       *out)
{
  g_autoptr(GPtrArray) pieces = hl_hf_splits_new ();
  g_autofree char *text = NULL;
  HlHfSplit prefixed;

  text = step->flag && split->text[0] != ' ' ? g_strconcat (" ", split->text, NULL) : g_strdup (split->text);
  prefixed.text = text;
  prefixed.at_start = split->at_start;
  if (step->use_regex)
    {
      g_autoptr(GArray) spans = regex_spans (step->pattern, text);
      add_spans (pieces, &prefixed, spans, SPLIT_ISOLATED, FALSE);
    }
  else
    hl_hf_splits_add (pieces, g_strdup (text), split->at_start);
  for (guint i = 0; i < pieces->len; i++)
    {
      HlHfSplit *piece = g_ptr_array_index (pieces, i);
      hl_hf_splits_add (out, bytes_to_chars (piece->text), piece->at_start);
    }
}

static void
metaspace_split (const HlHfStep  *step,
                 const HlHfSplit *split,
                 GPtrArray       *out)
{
  g_auto(GStrv) parts = g_strsplit (split->text, " ", -1);
  g_autofree char *text = g_strjoinv (step->text, parts);
  gboolean prepend = !g_str_has_prefix (text, step->text) &&
                     (step->prepend == PREPEND_ALWAYS || (step->prepend == PREPEND_FIRST && split->at_start));
  HlHfSplit replaced;

  if (prepend)
    {
      char *with_prefix = g_strconcat (step->text, text, NULL);
      g_free (text);
      text = with_prefix;
    }
  if (!step->flag)
    {
      hl_hf_splits_add (out, g_steal_pointer (&text), split->at_start);
      return;
    }
  replaced.text = text;
  replaced.at_start = split->at_start;
  {
    g_autofree char *escaped = g_regex_escape_string (step->text, -1);
    g_autoptr(GRegex) pattern = g_regex_new (escaped, 0, 0, NULL);
    g_autoptr(GArray) spans = regex_spans (pattern, text);

    add_spans (out, &replaced, spans, SPLIT_MERGED_WITH_NEXT, FALSE);
  }
}

static void
pre_tokenize_split (const HlHfStep  *step,
                    const HlHfSplit *split,
                    GPtrArray       *out)
{
  g_autoptr(GArray) spans = NULL;

  switch (step->kind)
    {
    case PRE_BYTE_LEVEL:
      byte_level_split (step, split, out);
      break;
    case PRE_METASPACE:
      metaspace_split (step, split, out);
      break;
    case PRE_DIGITS:
      spans = digit_spans (split->text);
      add_spans (out, split, spans, step->flag ? SPLIT_ISOLATED : SPLIT_CONTIGUOUS, FALSE);
      break;
    case PRE_SPLIT:
      spans = regex_spans (step->pattern, split->text);
      add_spans (out, split, spans, step->behaviour, step->invert);
      break;
    default:
      g_assert_not_reached ();
    }
}

GPtrArray *
hl_hf_pre_tokenize (const HlHfStep *step,
                    GPtrArray      *splits)
{
  GPtrArray *out;

  if (step == NULL)
    return g_ptr_array_ref (splits);
  if (step->kind == STEP_SEQUENCE)
    {
      out = g_ptr_array_ref (splits);
      for (guint i = 0; i < step->children->len; i++)
        {
          GPtrArray *next = hl_hf_pre_tokenize (g_ptr_array_index (step->children, i), out);
          g_ptr_array_unref (out);
          out = next;
        }
      return out;
    }
  out = hl_hf_splits_new ();
  for (guint i = 0; i < splits->len; i++)
    pre_tokenize_split (step, g_ptr_array_index (splits, i), out);
  return out;
}

/* Decoders: each maps a list of token strings to another. */

static int
char_to_byte (gunichar c)
{
  static int table[512];
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      for (int i = 0; i < 512; i++)
        table[i] = -1;
      for (int b = 0; b < 256; b++)
        table[byte_to_char (b)] = b;
      g_once_init_leave (&initialised, 1);
    }
  return c < 512 ? table[c] : -1;
}

/* A token whose characters are not all in the table keeps its own bytes
 * (added tokens such as runs of spaces). */
static void
append_token_bytes (GString    *bytes,
                    const char *token)
{
  gsize start = bytes->len;

  for (const char *p = token; *p != '\0'; p = g_utf8_next_char (p))
    {
      int byte = char_to_byte (g_utf8_get_char (p));

      if (byte < 0)
        {
          g_string_truncate (bytes, start);
          g_string_append (bytes, token);
          return;
        }
      g_string_append_c (bytes, (char) byte);
    }
}

static GPtrArray *
decode_byte_level (GPtrArray *tokens)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) bytes = g_string_new (NULL);

  for (guint i = 0; i < tokens->len; i++)
    append_token_bytes (bytes, g_ptr_array_index (tokens, i));
  g_ptr_array_add (out, g_utf8_make_valid (bytes->str, bytes->len));
  return out;
}

static int
parse_byte_token (const char *token)
{
  if (strlen (token) != 6 || strncmp (token, "<0x", 3) != 0 || token[5] != '>' ||
      !g_ascii_isxdigit (token[3]) || !g_ascii_isxdigit (token[4]))
    return -1;
  return g_ascii_xdigit_value (token[3]) * 16 + g_ascii_xdigit_value (token[4]);
}

/* Bytes that do not form valid UTF-8 become one U+FFFD each. */
static void
flush_bytes (GPtrArray *out,
             GString   *bytes)
{
  if (bytes->len == 0)
    return;
  if (g_utf8_validate_len (bytes->str, bytes->len, NULL))
    g_ptr_array_add (out, g_strndup (bytes->str, bytes->len));
  else
    for (gsize i = 0; i < bytes->len; i++)
      g_ptr_array_add (out, g_strdup ("\xEF\xBF\xBD"));
  g_string_truncate (bytes, 0);
}

static GPtrArray *
decode_byte_fallback (GPtrArray *tokens)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) bytes = g_string_new (NULL);

  for (guint i = 0; i < tokens->len; i++)
    {
      const char *token = g_ptr_array_index (tokens, i);
      int byte = parse_byte_token (token);

      if (byte >= 0)
        {
          g_string_append_c (bytes, (char) byte);
          continue;
        }
      flush_bytes (out, bytes);
      g_ptr_array_add (out, g_strdup (token));
    }
  flush_bytes (out, bytes);
  return out;
}

static char *
strip_token (const HlHfStep *step,
             const char     *token)
{
  g_autofree gunichar *chars = NULL;
  gunichar content = g_utf8_get_char (step->text);
  glong n, start = 0, stop;

  chars = g_utf8_to_ucs4_fast (token, -1, &n);
  stop = n;
  while (start < MIN (step->start, n) && chars[start] == content)
    start++;
  for (int i = 0; i < step->stop && stop > start && chars[stop - 1] == content; i++)
    stop--;
  return g_ucs4_to_utf8 (chars + start, stop - start, NULL, NULL, NULL);
}

/* Metaspace's decoder drops the replacement character from the first
 * token (where the encoder prepended it) and turns it into a space
 * elsewhere. */
static char *
metaspace_token (const HlHfStep *step,
                 const char     *token,
                 gboolean        first)
{
  g_auto(GStrv) parts = g_strsplit (token, step->text, -1);

  return g_strjoinv (first && step->prepend != PREPEND_NEVER ? "" : " ", parts);
}

static char *
decode_one (const HlHfStep *step,
            const char     *token,
            gboolean        first)
{
  switch (step->kind)
    {
    case DEC_REPLACE:
      return replace_all (step->pattern, token, step->text);
    case DEC_STRIP:
      return strip_token (step, token);
    case DEC_METASPACE:
      return metaspace_token (step, token, first);
    default:
      g_assert_not_reached ();
    }
}

static GPtrArray *
fuse (GPtrArray *tokens)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  GString *joined = g_string_new (NULL);

  for (guint i = 0; i < tokens->len; i++)
    g_string_append (joined, g_ptr_array_index (tokens, i));
  g_ptr_array_add (out, g_string_free (joined, FALSE));
  return out;
}

/* With @alone, the steps that depend on a token's place in the text
 * (Strip, Metaspace's first token) are left out. */
static GPtrArray *
decode_step (const HlHfStep *step,
             GPtrArray      *tokens,
             gboolean        alone)
{
  GPtrArray *out;

  if (alone && step->kind == DEC_STRIP)
    return g_ptr_array_ref (tokens);
  switch (step->kind)
    {
    case STEP_SEQUENCE:
      out = g_ptr_array_ref (tokens);
      for (guint i = 0; i < step->children->len; i++)
        {
          GPtrArray *next = decode_step (g_ptr_array_index (step->children, i), out, alone);
          g_ptr_array_unref (out);
          out = next;
        }
      return out;
    case DEC_BYTE_LEVEL:
      return decode_byte_level (tokens);
    case DEC_BYTE_FALLBACK:
      return decode_byte_fallback (tokens);
    case DEC_FUSE:
      return fuse (tokens);
    default:
      out = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < tokens->len; i++)
        g_ptr_array_add (out, decode_one (step, g_ptr_array_index (tokens, i), i == 0 && !alone));
      return out;
    }
}

char *
hl_hf_decode_tokens (const HlHfStep *step,
                     GPtrArray      *tokens,
                     gboolean        alone)
{
  g_autoptr(GPtrArray) decoded = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (step == NULL)
    {
      for (guint i = 0; i < tokens->len; i++)
        g_string_append_printf (text, "%s%s", i > 0 ? " " : "", (char *) g_ptr_array_index (tokens, i));
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  decoded = decode_step (step, tokens, alone);
  for (guint i = 0; i < decoded->len; i++)
    g_string_append (text, g_ptr_array_index (decoded, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}
