/* hl-tokenizer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-tokenizer.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

/* unk, BOS, EOS and the 256 byte tokens the fallback encoding needs. */
#define MIN_VOCAB 259

/* run.c starts its search for the best merge at this score, so merges
 * scoring at or below it never happen. */
#define NO_MERGE_SCORE (-1e10f)

struct _HlTokenizer
{
  GObject     parent_instance;

  int         vocab_size;
  char      **pieces;       /* [vocab_size], owned */
  float      *scores;       /* [vocab_size] */
  GHashTable *ids;          /* piece -> id + 1; pieces owned by @pieces */
  char        byte_pieces[256][2];
};

G_DEFINE_FINAL_TYPE (HlTokenizer, hl_tokenizer, G_TYPE_OBJECT)

G_DEFINE_QUARK (hl-tokenizer-error-quark, hl_tokenizer_error)

static void
hl_tokenizer_finalize (GObject *object)
{
  HlTokenizer *self = HL_TOKENIZER (object);

  g_clear_pointer (&self->ids, g_hash_table_unref);
  if (self->pieces != NULL)
    for (int i = 0; i < self->vocab_size; i++)
      g_free (self->pieces[i]);
  g_clear_pointer (&self->pieces, g_free);
  g_clear_pointer (&self->scores, g_free);

  G_OBJECT_CLASS (hl_tokenizer_parent_class)->finalize (object);
}

static void
hl_tokenizer_class_init (HlTokenizerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hl_tokenizer_finalize;
}

static void
hl_tokenizer_init (HlTokenizer *self)
{
  for (int i = 0; i < 256; i++)
    {
      self->byte_pieces[i][0] = (char) i;
      self->byte_pieces[i][1] = '\0';
    }
}

typedef struct
{
  const guint8 *data;
  gsize         length;
  gsize         offset;
} Cursor;

static gboolean
cursor_read (Cursor *cursor,
             void   *out,
             gsize   n_bytes)
{
  if (cursor->length - cursor->offset < n_bytes)
    return FALSE;
  memcpy (out, cursor->data + cursor->offset, n_bytes);
  cursor->offset += n_bytes;
  return TRUE;
}

static gboolean
read_entry (HlTokenizer  *self,
            Cursor       *cursor,
            int           id,
            GError      **error)
{
  gint32 length;

  if (!cursor_read (cursor, &self->scores[id], 4) || !cursor_read (cursor, &length, 4))
    goto truncated;
  if (length < 0 || length > 1 << 16)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT,
                   _("tokenizer entry %d has length %d, expected 0 to 65536; is it the model's tokenizer?"), id, length);
      return FALSE;
    }
  self->pieces[id] = g_malloc (length + 1);
  if (!cursor_read (cursor, self->pieces[id], length))
    goto truncated;
  self->pieces[id][length] = '\0';
  /* run.c's binary search makes the winner among duplicate pieces
   * unspecified; the lowest id is the deterministic choice. */
  if (!g_hash_table_contains (self->ids, self->pieces[id]))
    g_hash_table_insert (self->ids, self->pieces[id], GINT_TO_POINTER (id + 1));
  return TRUE;

truncated:
  g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_TRUNCATED,
               _("tokenizer ends inside entry %d of %d (%zu bytes); is it the model's tokenizer?"),
               id, self->vocab_size, cursor->length);
  return FALSE;
}

static gboolean
parse (HlTokenizer  *self,
       Cursor       *cursor,
       GError      **error)
{
  gint32 max_token_length;

  if (!cursor_read (cursor, &max_token_length, 4))
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_TRUNCATED,
                   _("tokenizer has %zu bytes, expected at least a 4-byte header"),
                   cursor->length);
      return FALSE;
    }
  for (int id = 0; id < self->vocab_size; id++)
    if (!read_entry (self, cursor, id, error))
      return FALSE;
  if (cursor->offset != cursor->length)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT,
                   _("tokenizer has %zu bytes after its %d entries, expected none; is it the model's tokenizer?"),
                   cursor->length - cursor->offset, self->vocab_size);
      return FALSE;
    }
  return TRUE;
}

HlTokenizer *
hl_tokenizer_open (const char  *path,
                   int          vocab_size,
                   GError     **error)
{
  g_autoptr(HlTokenizer) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  Cursor cursor = { NULL, 0, 0 };

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (vocab_size < MIN_VOCAB)
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_FORMAT,
                   _("a vocabulary of %d tokens is too small, expected at least %d (unk, BOS, EOS and 256 byte tokens)"),
                   vocab_size, MIN_VOCAB);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &cursor.length, &local_error))
    {
      g_set_error (error, HL_TOKENIZER_ERROR, HL_TOKENIZER_ERROR_IO,
                   _("cannot read tokenizer: %s"), local_error->message);
      return NULL;
    }
  cursor.data = (const guint8 *) contents;

  self = g_object_new (HL_TYPE_TOKENIZER, NULL);
  self->vocab_size = vocab_size;
  self->pieces = g_new0 (char *, vocab_size);
  self->scores = g_new0 (float, vocab_size);
  self->ids = g_hash_table_new (g_str_hash, g_str_equal);
  if (!parse (self, &cursor, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Reads @size bytes, or fails at the end of the stream. */
static gboolean
read_exactly (GInputStream *in,
              void         *buffer,
              gsize         size)
{
  gsize got = 0;

  return g_input_stream_read_all (in, buffer, size, &got, NULL, NULL) && got == size;
}

gboolean
hl_tokenizer_file_sniff (const char *path,
                         int        *n_pieces)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
  g_autofree char *bytes = NULL;
  int32_t max_length, length;
  float score;
  int count = 0;
  guchar first;

  g_return_val_if_fail (path != NULL && n_pieces != NULL, FALSE);

  *n_pieces = 0;
  if (in == NULL || !read_exactly (G_INPUT_STREAM (in), &first, 1))
    return FALSE;
  if (first == '{')
    {
      *n_pieces = -1;
      return TRUE;
    }
  if (!g_seekable_seek (G_SEEKABLE (in), 0, G_SEEK_SET, NULL, NULL)
      || !read_exactly (G_INPUT_STREAM (in), &max_length, sizeof max_length)
      || max_length < 1 || max_length > 4096)
    return FALSE;
  bytes = g_malloc (max_length);
  for (;;)
    {
      gsize got = 0;

      /* The file ends after a whole piece, or it is not a tokenizer. */
      if (!g_input_stream_read_all (G_INPUT_STREAM (in), &score, sizeof score, &got, NULL, NULL))
        return FALSE;
      if (got == 0)
        break;
      if (got != sizeof score || !isfinite (score) || !read_exactly (G_INPUT_STREAM (in), &length, sizeof length)
          || length < 0 || length > max_length
          || !read_exactly (G_INPUT_STREAM (in), bytes, length))
        return FALSE;
      count++;
    }
  *n_pieces = count;
  return count > 0;
}

int
hl_tokenizer_get_vocab_size (HlTokenizer *self)
{
  g_return_val_if_fail (HL_IS_TOKENIZER (self), 0);
  return self->vocab_size;
}

const char *
hl_tokenizer_get_piece (HlTokenizer *self,
                        int          token)
{
  g_return_val_if_fail (HL_IS_TOKENIZER (self), NULL);
  g_return_val_if_fail (token >= 0 && token < self->vocab_size, NULL);
  return self->pieces[token];
}

float
hl_tokenizer_get_score (HlTokenizer *self,
                        int          token)
{
  g_return_val_if_fail (HL_IS_TOKENIZER (self), 0.f);
  g_return_val_if_fail (token >= 0 && token < self->vocab_size, 0.f);
  return self->scores[token];
}

static int
lookup (HlTokenizer *self,
        const char  *piece)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (self->ids, piece)) - 1;
}

/* The code point pass of run.c's encode(), including its limit of four
 * bytes per code point and its byte fallback. */
static void
encode_code_points (HlTokenizer *self,
                    const char  *text,
                    GArray      *tokens)
{
  char buffer[8];
  gsize length = 0;

  for (const char *c = text; *c != '\0'; c++)
    {
      if ((*c & 0xC0) != 0x80)
        length = 0;
      buffer[length++] = *c;
      buffer[length] = '\0';
      if ((c[1] & 0xC0) == 0x80 && length < 4)
        continue;

      int id = lookup (self, buffer);
      if (id >= 0)
        g_array_append_val (tokens, id);
      else
        for (gsize i = 0; i < length; i++)
          {
            int byte_id = (guint8) buffer[i] + 3;
            g_array_append_val (tokens, byte_id);
          }
      length = 0;
    }
}

/* Merging with a heap instead of run.c's quadratic rescan: tokens form a
 * linked list, every adjacent pair that merges into a vocabulary piece is a
 * candidate, and stale candidates (a side merged meanwhile) are skipped
 * when popped. Popping the highest score, then the leftmost position,
 * reproduces run.c's choice at every step. */
typedef struct
{
  int id;
  int prev;
  int next;      /* -1 at the end */
  int stamp;     /* changes whenever id changes or the node is removed */
} Node;

typedef struct
{
  float score;
  int   left;
  int   right;
  int   left_stamp;
  int   right_stamp;
  int   merged;
} Candidate;

static gboolean
candidate_before (const Candidate *a,
                  const Candidate *b)
{
  return a->score > b->score || (a->score == b->score && a->left < b->left);
}

static void
heap_push (GArray          *heap,
           const Candidate *candidate)
{
  Candidate *items;
  guint i;

  g_array_append_val (heap, *candidate);
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

      if (l < heap->len && candidate_before (&items[l], &items[best]))
        best = l;
      if (r < heap->len && candidate_before (&items[r], &items[best]))
        best = r;
      if (best == i)
        return top;
      Candidate tmp = items[i];
      items[i] = items[best];
      items[best] = tmp;
      i = best;
    }
}

static void
push_pair (HlTokenizer *self,
           const Node  *nodes,
           int          left,
           GArray      *heap,
           GString     *scratch)
{
  Candidate candidate;
  int right;

  if (left < 0 || (right = nodes[left].next) < 0)
    return;
  g_string_assign (scratch, self->pieces[nodes[left].id]);
  g_string_append (scratch, self->pieces[nodes[right].id]);
  candidate.merged = lookup (self, scratch->str);
  if (candidate.merged < 0 || !(self->scores[candidate.merged] > NO_MERGE_SCORE))
    return;
  candidate.score = self->scores[candidate.merged];
  candidate.left = left;
  candidate.right = right;
  candidate.left_stamp = nodes[left].stamp;
  candidate.right_stamp = nodes[right].stamp;
  heap_push (heap, &candidate);
}

static gboolean
candidate_is_current (const Node      *nodes,
                      const Candidate *c)
{
  return nodes[c->left].stamp == c->left_stamp &&
         nodes[c->right].stamp == c->right_stamp &&
         nodes[c->left].next == c->right;
}

static void
merge_pairs (HlTokenizer *self,
             Node        *nodes,
             int          n_nodes)
{
  g_autoptr(GArray) heap = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autoptr(GString) scratch = g_string_new (NULL);

  for (int i = 0; i < n_nodes; i++)
    push_pair (self, nodes, i, heap, scratch);
  while (heap->len > 0)
    {
      Candidate c = heap_pop (heap);
      Node *right;

      if (!candidate_is_current (nodes, &c))
        continue;
      right = &nodes[c.right];
      nodes[c.left].id = c.merged;
      nodes[c.left].stamp++;
      nodes[c.left].next = right->next;
      if (right->next >= 0)
        nodes[right->next].prev = c.left;
      right->stamp++;
      right->next = -1;
      push_pair (self, nodes, nodes[c.left].prev, heap, scratch);
      push_pair (self, nodes, c.left, heap, scratch);
    }
}

static GArray *
merge_tokens (HlTokenizer *self,
              GArray      *tokens)
{
  g_autofree Node *nodes = g_new (Node, MAX (tokens->len, 1));
  GArray *merged = g_array_sized_new (FALSE, FALSE, sizeof (int32_t), tokens->len + 1);

  for (guint i = 0; i < tokens->len; i++)
    {
      nodes[i].id = g_array_index (tokens, int, i);
      nodes[i].prev = (int) i - 1;
      nodes[i].next = i + 1 < tokens->len ? (int) i + 1 : -1;
      nodes[i].stamp = 0;
    }
  merge_pairs (self, nodes, tokens->len);
  for (int i = tokens->len > 0 ? 0 : -1; i >= 0; i = nodes[i].next)
    {
      int32_t id = nodes[i].id;
      g_array_append_val (merged, id);
    }
  return merged;
}

int32_t *
hl_tokenizer_encode (HlTokenizer *self,
                     const char  *text,
                     gboolean     bos,
                     gboolean     eos,
                     gsize       *n_tokens)
{
  g_autoptr(GArray) tokens = g_array_new (FALSE, FALSE, sizeof (int));
  GArray *merged;
  int special;

  g_return_val_if_fail (HL_IS_TOKENIZER (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (n_tokens != NULL, NULL);

  special = HL_TOKEN_BOS;
  if (bos)
    g_array_append_val (tokens, special);
  /* The dummy prefix is the token of " ", which is what a leading space
   * code point encodes to (with the byte fallback should a vocabulary lack
   * " ", where run.c would read out of bounds). */
  if (text[0] != '\0')
    encode_code_points (self, " ", tokens);
  encode_code_points (self, text, tokens);
  merged = merge_tokens (self, tokens);
  special = HL_TOKEN_EOS;
  if (eos)
    g_array_append_val (merged, special);
  *n_tokens = merged->len;
  return (int32_t *) g_array_free (merged, FALSE);
}

static int
parse_byte_piece (const char *piece)
{
  if (strlen (piece) != 6 || strncmp (piece, "<0x", 3) != 0 || piece[5] != '>' ||
      !g_ascii_isxdigit (piece[3]) || !g_ascii_isxdigit (piece[4]))
    return -1;
  return g_ascii_xdigit_value (piece[3]) * 16 + g_ascii_xdigit_value (piece[4]);
}

const char *
hl_tokenizer_decode (HlTokenizer *self,
                     int          prev_token,
                     int          token)
{
  const char *piece;
  int byte;

  g_return_val_if_fail (HL_IS_TOKENIZER (self), NULL);
  g_return_val_if_fail (token >= 0 && token < self->vocab_size, NULL);

  piece = self->pieces[token];
  /* SentencePiece strips the dummy prefix's space after BOS. */
  if (prev_token == HL_TOKEN_BOS && piece[0] == ' ')
    piece++;
  byte = parse_byte_piece (piece);
  return byte >= 0 ? self->byte_pieces[byte] : piece;
}
