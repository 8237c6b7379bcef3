/* hl-bpe.c: the BPE model of tokenizer.json, as `tokenizers` runs it: a
 * word starts as one symbol per character (bytes "<0xXX>" when the
 * character is not in the vocabulary and byte_fallback is set, else the
 * unknown token), then the pair of lowest merge rank, leftmost on ties, is
 * merged until no pair has a rank.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-hf-text-private.h"
#include "hl-tokenizer.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

/* Words remembered with their ids; the cache is emptied when full. */
#define CACHE_CAPACITY 16384

typedef struct
{
  gint64 pair;     /* left id << 32 | right id; the hash key */
  int    rank;
  int    new_id;
} MergeRule;

struct _HlBpe
{
  GHashTable *vocab;          /* token (owned) -> id + 1 */
  GPtrArray  *tokens;         /* id -> token (borrowed from @vocab) or NULL */
  GHashTable *merges;         /* &MergeRule.pair -> MergeRule, in @rules */
  MergeRule  *rules;
  int         unk_id;         /* -1 without an unknown token */
  gboolean    byte_fallback;
  gboolean    fuse_unk;
  gboolean    ignore_merges;
  int         byte_ids[256];  /* ids of "<0xXX>", -1 where absent */
  GHashTable *cache;          /* word (owned) -> GArray of int32 ids */
};

void
hl_bpe_free (HlBpe *bpe)
{
  if (bpe == NULL)
    return;
  g_clear_pointer (&bpe->cache, g_hash_table_unref);
  g_clear_pointer (&bpe->merges, g_hash_table_unref);
  g_clear_pointer (&bpe->tokens, g_ptr_array_unref);
  g_clear_pointer (&bpe->vocab, g_hash_table_unref);
  g_free (bpe->rules);
  g_free (bpe);
}

int
hl_bpe_token_to_id (const HlBpe *bpe,
                    const char  *token)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (bpe->vocab, token)) - 1;
}

GPtrArray *
hl_bpe_get_vocab (const HlBpe *bpe)
{
  return bpe->tokens;
}

static gboolean
parse_vocab (HlBpe       *bpe,
             JsonObject  *model,
             GError     **error)
{
  JsonNode *node = json_object_get_member (model, "vocab");
  JsonObjectIter iter;
  const char *token;
  char *key;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has no model.vocab object"));
      return FALSE;
    }
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &token, &node))
    {
      gint64 id = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : -1;

      if (id < 0 || id >= G_MAXINT32 / 2)
        {
          g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT,
                     _("tokenizer.json vocabulary entry “%s” has id %" PRId64 ", expected 0 to %d"),
                     token, id, G_MAXINT32 / 2 - 1);
          return FALSE;
        }
      if (id >= bpe->tokens->len)
        g_ptr_array_set_size (bpe->tokens, id + 1);
      if (g_ptr_array_index (bpe->tokens, id) != NULL || g_hash_table_contains (bpe->vocab, token))
        {
          g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT,
                     _("tokenizer.json vocabulary has id %" PRId64 " twice (“%s” and “%s”)"),
                     id, (char *) g_ptr_array_index (bpe->tokens, id), token);
          return FALSE;
        }
      key = g_strdup (token);
      g_hash_table_insert (bpe->vocab, key, GINT_TO_POINTER ((int) id + 1));
      g_ptr_array_index (bpe->tokens, id) = key;
    }
  return TRUE;
}

/* A merge is "left right" (one space) or, in newer files, ["left", "right"]. */
static gboolean
merge_parts (JsonNode    *node,
             char       **left,
             char       **right)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *pair = json_node_get_array (node);

      if (json_array_get_length (pair) != 2)
        return FALSE;
      *left = g_strdup (json_array_get_string_element (pair, 0));
      *right = g_strdup (json_array_get_string_element (pair, 1));
      return *left != NULL && *right != NULL;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_auto(GStrv) parts = g_strsplit (json_node_get_string (node), " ", -1);

      if (g_strv_length (parts) != 2)
        return FALSE;
      *left = g_strdup (parts[0]);
      *right = g_strdup (parts[1]);
      return TRUE;
    }
  return FALSE;
}

static gboolean
parse_merge (HlBpe       *bpe,
             JsonNode    *node,
             int          rank,
             GError     **error)
{
  g_autofree char *left = NULL;
  g_autofree char *right = NULL;
  g_autofree char *merged = NULL;
  MergeRule *rule = &bpe->rules[rank];
  int a, b;

  if (!merge_parts (node, &left, &right))
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT,
                 _("tokenizer.json merge %d is not two tokens (“left right” or [\"left\", \"right\"])"), rank);
      return FALSE;
    }
  merged = g_strconcat (left, right, NULL);
  a = hl_bpe_token_to_id (bpe, left);
  b = hl_bpe_token_to_id (bpe, right);
  rule->new_id = hl_bpe_token_to_id (bpe, merged);
  if (a < 0 || b < 0 || rule->new_id < 0)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT,
                 _("tokenizer.json merge %d (“%s” “%s”) names a token missing from the vocabulary"),
                 rank, left, right);
      return FALSE;
    }
  rule->pair = ((gint64) a << 32) | (guint32) b;
  rule->rank = rank;
  /* A pair listed twice keeps its first (lowest) rank. */
  if (!g_hash_table_contains (bpe->merges, &rule->pair))
    g_hash_table_insert (bpe->merges, &rule->pair, rule);
  return TRUE;
}

static gboolean
parse_merges (HlBpe       *bpe,
              JsonObject  *model,
              GError     **error)
{
  JsonNode *node = json_object_get_member (model, "merges");
  JsonArray *merges;
  guint n;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT, _("tokenizer.json has no model.merges array"));
      return FALSE;
    }
  merges = json_node_get_array (node);
  n = json_array_get_length (merges);
  bpe->rules = g_new0 (MergeRule, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    if (!parse_merge (bpe, json_array_get_element (merges, i), (int) i, error))
      return FALSE;
  return TRUE;
}

static gboolean
check_options (JsonObject  *model,
               GError     **error)
{
  const char *type = json_object_get_string_member_with_default (model, "type", "BPE");
  const char *prefix = json_object_get_string_member_with_default (model, "continuing_subword_prefix", NULL);
  const char *suffix = json_object_get_string_member_with_default (model, "end_of_word_suffix", NULL);
  JsonNode *dropout = json_object_get_member (model, "dropout");

  if (g_strcmp0 (type, "BPE") != 0)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_UNSUPPORTED,
                 _("tokenizer.json has a model of type “%s”, expected BPE (WordPiece, Unigram and WordLevel are not supported)"),
                 type);
      return FALSE;
    }
  if ((prefix != NULL && prefix[0] != '\0') || (suffix != NULL && suffix[0] != '\0'))
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_UNSUPPORTED,
                 _("tokenizer.json has a BPE model with a continuing_subword_prefix or end_of_word_suffix, which Headlens does not implement"));
      return FALSE;
    }
  if (dropout != NULL && !JSON_NODE_HOLDS_NULL (dropout) && json_node_get_double (dropout) != 0.0)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_UNSUPPORTED,
                 _("tokenizer.json has a BPE model with dropout %g, expected none (dropout makes encoding random)"),
                 json_node_get_double (dropout));
      return FALSE;
    }
  return TRUE;
}

static void
find_byte_tokens (HlBpe *bpe)
{
  for (int b = 0; b < 256; b++)
    {
      char piece[8];

      g_snprintf (piece, sizeof piece, "<0x%02X>", b);
      bpe->byte_ids[b] = hl_bpe_token_to_id (bpe, piece);
    }
}

HlBpe *
hl_bpe_parse (JsonObject  *model,
              GError     **error)
{
  g_autoptr(HlBpe) bpe = g_new0 (HlBpe, 1);
  const char *unk;

  if (!check_options (model, error))
    return NULL;
  bpe->vocab = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  bpe->tokens = g_ptr_array_new ();
  bpe->merges = g_hash_table_new (g_int64_hash, g_int64_equal);
  bpe->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);
  bpe->byte_fallback = json_object_get_boolean_member_with_default (model, "byte_fallback", FALSE);
  bpe->fuse_unk = json_object_get_boolean_member_with_default (model, "fuse_unk", FALSE);
  bpe->ignore_merges = json_object_get_boolean_member_with_default (model, "ignore_merges", FALSE);
  if (!parse_vocab (bpe, model, error) || !parse_merges (bpe, model, error))
    return NULL;
  unk = json_object_get_string_member_with_default (model, "unk_token", NULL);
  bpe->unk_id = unk != NULL ? hl_bpe_token_to_id (bpe, unk) : -1;
  if (unk != NULL && bpe->unk_id < 0)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT,
                 _("tokenizer.json names the unknown token “%s”, which is not in the vocabulary"), unk);
      return NULL;
    }
  find_byte_tokens (bpe);
  return g_steal_pointer (&bpe);
}

/* Merging */

typedef struct
{
  int id;
  int prev;
  int next;       /* -1 at the end */
  gboolean alive;
} Symbol;

typedef struct
{
  int pos;
  int rank;
  int new_id;
} Candidate;

static gboolean
candidate_before (const Candidate *a,
                  const Candidate *b)
{
  return a->rank < b->rank || (a->rank == b->rank && a->pos < b->pos);
}

static void
heap_push (GArray    *heap,
           Candidate  candidate)
{
  Candidate *items;
  guint i;

  g_array_append_val (heap, candidate);
  items = (Candidate *) heap->data;
  for (i = heap->len - 1; i > 0 && candidate_before (&items[i], &items[(i - 1) / 2]); i = (i - 1) / 2)
    {
      Candidate tmp = items[i];
      items[i] = items[(i - 1) / 2];
      items[(i - 1) / 2] = tmp;
    }
}

static Candidate
heap_pop (GArray *heap)
{
  Candidate *items = (Candidate *) heap->data;
  Candidate top = items[0];
  guint i = 0;

  items[0] = items[heap->len - 1];
  g_array_set_size (heap, heap->len - 1);
  for (;;)
    {
      guint best = i, l = 2 * i + 1, r = 2 * i + 2;
      Candidate tmp;

      if (l < heap->len && candidate_before (&items[l], &items[best]))
        best = l;
      if (r < heap->len && candidate_before (&items[r], &items[best]))
        best = r;
      if (best == i)
        return top;
      tmp = items[i];
      items[i] = items[best];
      items[best] = tmp;
      i = best;
    }
}

static const MergeRule *
find_rule (const HlBpe *bpe,
           int          left,
           int          right)
{
  gint64 pair = ((gint64) left << 32) | (guint32) right;

  return g_hash_table_lookup (bpe->merges, &pair);
}

static void
push_pair (const HlBpe  *bpe,
           const Symbol *symbols,
           int           pos,
           GArray       *heap)
{
  const MergeRule *rule;

  if (pos < 0 || symbols[pos].next < 0)
    return;
  rule = find_rule (bpe, symbols[pos].id, symbols[symbols[pos].next].id);
  if (rule != NULL)
    heap_push (heap, (Candidate) { pos, rule->rank, rule->new_id });
}

static void
merge_all (const HlBpe *bpe,
           Symbol      *symbols,
           int          n)
{
  g_autoptr(GArray) heap = g_array_new (FALSE, FALSE, sizeof (Candidate));

  for (int i = 0; i + 1 < n; i++)
    push_pair (bpe, symbols, i, heap);
  while (heap->len > 0)
    {
      Candidate top = heap_pop (heap);
      const MergeRule *rule;
      Symbol *left = &symbols[top.pos], *right;

      if (!left->alive || left->next < 0)
        continue;
      right = &symbols[left->next];
      /* A candidate whose pair changed since it was queued is stale. */
      rule = find_rule (bpe, left->id, right->id);
      if (rule == NULL || rule->new_id != top.new_id)
        continue;
      left->id = top.new_id;
      left->next = right->next;
      right->alive = FALSE;
      if (right->next >= 0)
        symbols[right->next].prev = top.pos;
      push_pair (bpe, symbols, left->prev, heap);
      push_pair (bpe, symbols, top.pos, heap);
    }
}

static void
add_symbol (GArray *symbols,
            int     id)
{
  Symbol symbol = { id, (int) symbols->len - 1, -1, TRUE };

  if (symbols->len > 0)
    g_array_index (symbols, Symbol, symbols->len - 1).next = symbols->len;
  g_array_append_val (symbols, symbol);
}

static gboolean
add_bytes (const HlBpe *bpe,
           const char  *start,
           const char  *end,
           GArray      *symbols)
{
  for (const char *p = start; p < end; p++)
    if (bpe->byte_ids[(guint8) *p] < 0)
      return FALSE;
  for (const char *p = start; p < end; p++)
    add_symbol (symbols, bpe->byte_ids[(guint8) *p]);
  return TRUE;
}

/* One symbol per character, with tokenizers' order of byte fallback and
 * unknown-token fusion (a pending unknown is added before the next known
 * character). */
static GArray *
initial_symbols (const HlBpe *bpe,
                 const char  *word)
{
  GArray *symbols = g_array_new (FALSE, FALSE, sizeof (Symbol));
  gboolean pending_unk = FALSE;
  char piece[8];

  for (const char *p = word; *p != '\0'; p = g_utf8_next_char (p))
    {
      const char *end = g_utf8_next_char (p);
      int id;

      memcpy (piece, p, end - p);
      piece[end - p] = '\0';
      id = hl_bpe_token_to_id (bpe, piece);
      if (id >= 0)
        {
          if (pending_unk)
            add_symbol (symbols, bpe->unk_id);
          pending_unk = FALSE;
          add_symbol (symbols, id);
        }
      else if (bpe->byte_fallback && add_bytes (bpe, p, end, symbols))
        continue;
      else if (bpe->unk_id >= 0)
        {
          if (pending_unk && !bpe->fuse_unk)
            add_symbol (symbols, bpe->unk_id);
          pending_unk = TRUE;
        }
    }
  if (pending_unk)
    add_symbol (symbols, bpe->unk_id);
  return symbols;
}

static GArray *
encode_uncached (HlBpe      *bpe,
                 const char *word)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (int32_t));
  g_autoptr(GArray) symbols = NULL;
  int id = hl_bpe_token_to_id (bpe, word);

  if (bpe->ignore_merges && id >= 0)
    {
      int32_t value = id;
      g_array_append_val (ids, value);
      return ids;
    }
  symbols = initial_symbols (bpe, word);
  merge_all (bpe, (Symbol *) symbols->data, symbols->len);
  for (int i = symbols->len > 0 ? 0 : -1; i >= 0; i = g_array_index (symbols, Symbol, i).next)
    {
      int32_t value = g_array_index (symbols, Symbol, i).id;
      g_array_append_val (ids, value);
    }
  return ids;
}

void
hl_bpe_encode_word (HlBpe      *bpe,
                    const char *word,
                    GArray     *ids)
{
  GArray *cached = g_hash_table_lookup (bpe->cache, word);

  if (cached == NULL)
    {
      if (g_hash_table_size (bpe->cache) >= CACHE_CAPACITY)
        g_hash_table_remove_all (bpe->cache);
      cached = encode_uncached (bpe, word);
      g_hash_table_insert (bpe->cache, g_strdup (word), cached);
    }
  g_array_append_vals (ids, cached->data, cached->len);
}
