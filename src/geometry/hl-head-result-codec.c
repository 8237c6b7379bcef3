/* hl-head-result-codec.c: head results as bytes, for the processes (MPI
 * ranks) of one analysis to send theirs to the one that writes the files.
 *
 * The encoding is the result's memory, field by field: the plain structs
 * (diagnostics, evidence) as they are, the curves as counts and arrays.
 * Both ends run the same build on the same architecture (as the ranks of
 * an MPI job do), which a leading magic number and the struct sizes
 * check, so a result decodes to exactly the same numbers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-head-analysis.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#define CODEC_MAGIC 0x484c5231  /* "HLR1" */

typedef struct
{
  const guint8 *at;
  const guint8 *end;
  gboolean      failed;
} Reader;

static void
put (GByteArray    *out,
     gconstpointer  data,
     gsize          size)
{
  g_byte_array_append (out, data, (guint) size);
}

static void
put_int (GByteArray *out,
         gint32      value)
{
  put (out, &value, sizeof value);
}

/* An array of @n elements of @size bytes, or a 0 flag when it is NULL. */
static void
put_array (GByteArray    *out,
           gconstpointer  data,
           int            n,
           gsize          size)
{
  put_int (out, data != NULL);
  if (data != NULL)
    put (out, data, n * size);
}

static void
take (Reader   *in,
      gpointer  data,
      gsize     size)
{
  if (in->failed || (gsize) (in->end - in->at) < size)
    {
      in->failed = TRUE;
      memset (data, 0, size);
      return;
    }
  memcpy (data, in->at, size);
  in->at += size;
}

static gint32
take_int (Reader *in)
{
  gint32 value;

  take (in, &value, sizeof value);
  return value;
}

static gpointer
take_array (Reader *in,
            int     n,
            gsize   size)
{
  gpointer data;

  if (take_int (in) == 0 || in->failed)
    return NULL;
  data = g_malloc0 (MAX (n, 1) * size);
  take (in, data, n * size);
  return data;
}

static void
put_curves (GByteArray       *out,
            const HlCurveSet *curves)
{
  int n = curves->n_grid;

  put_int (out, n);
  put (out, curves->grid, n * sizeof (int));
  put (out, &curves->value_norm_max, sizeof curves->value_norm_max);
  for (int r = 0; r < HL_N_RANKINGS; r++)
    {
      for (int d = 0; d < HL_N_DISTANCES; d++)
        put_array (out, curves->points[r][d], n, sizeof (HlSeparabilityPoint));
      put_array (out, curves->align_sink[r], n, sizeof (float));
      put_array (out, curves->align_last[r], n, sizeof (float));
      put_array (out, curves->gap[r], n, sizeof (float));
      put_array (out, curves->residual[r], n, sizeof (float));
      put_array (out, curves->bound[r], n, sizeof (float));
    }
}

static HlCurveSet *
take_curves (Reader *in)
{
  HlCurveSet *curves = g_new0 (HlCurveSet, 1);
  int n = take_int (in);

  if (n < 0 || (gsize) n > (gsize) (in->end - in->at) / sizeof (int))
    {
      in->failed = TRUE;
      n = 0;
    }
  curves->n_grid = n;
  curves->grid = g_new0 (int, MAX (n, 1));
  take (in, curves->grid, n * sizeof (int));
  take (in, &curves->value_norm_max, sizeof curves->value_norm_max);
  for (int r = 0; r < HL_N_RANKINGS; r++)
    {
      for (int d = 0; d < HL_N_DISTANCES; d++)
        curves->points[r][d] = take_array (in, n, sizeof (HlSeparabilityPoint));
      curves->align_sink[r] = take_array (in, n, sizeof (float));
      curves->align_last[r] = take_array (in, n, sizeof (float));
      curves->gap[r] = take_array (in, n, sizeof (float));
      curves->residual[r] = take_array (in, n, sizeof (float));
      curves->bound[r] = take_array (in, n, sizeof (float));
    }
  return curves;
}

void
hl_head_result_encode (const HlHeadResult *self,
                       GByteArray         *out)
{
  const gint32 keys[] = { self->layer, self->head, self->sample, self->query_index,
                          self->query_position, self->kv_head, self->regime,
                          self->query_token_id };
  gint32 reason_length = (gint32) strlen (self->reason);
  /* -1: no token text. */
  gint32 token_length = self->query_token != NULL ? (gint32) strlen (self->query_token) : -1;

  g_return_if_fail (self != NULL && out != NULL);

  put_int (out, (gint32) CODEC_MAGIC);
  put_int (out, sizeof (HlDiagnostics));
  put_int (out, sizeof (HlRegimeEvidence));
  put (out, keys, sizeof keys);
  put (out, &self->seed, sizeof self->seed);
  put (out, &self->diagnostics, sizeof self->diagnostics);
  put (out, &self->evidence, sizeof self->evidence);
  put_int (out, reason_length);
  put (out, self->reason, reason_length);
  put_int (out, token_length);
  if (self->query_token != NULL)
    put (out, self->query_token, token_length);
  put_curves (out, self->curves);
}

/* A string, or NULL for the length -1 when @nullable. */
static char *
take_string (Reader   *in,
             gboolean  nullable)
{
  gint32 length = take_int (in);
  char *text;

  if (nullable && length == -1)
    return NULL;
  if (length < 0 || length > in->end - in->at)
    {
      in->failed = TRUE;
      return g_strdup ("");
    }
  text = g_malloc (length + 1);
  take (in, text, length);
  text[length] = '\0';
  return text;
}

HlHeadResult *
hl_head_result_decode (const guint8 **data,
                       const guint8  *end,
                       GError       **error)
{
  Reader in = { *data, end, FALSE };
  gint32 keys[8];
  HlHeadResult *self;

  g_return_val_if_fail (data != NULL && *data != NULL && end != NULL, NULL);

  if (take_int (&in) != (gint32) CODEC_MAGIC || take_int (&in) != sizeof (HlDiagnostics)
      || take_int (&in) != sizeof (HlRegimeEvidence))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("A head result sent by another process is not one this build encodes"));
      return NULL;
    }
  self = g_atomic_rc_box_new0 (HlHeadResult);
  take (&in, keys, sizeof keys);
  self->layer = keys[0];
  self->head = keys[1];
  self->sample = keys[2];
  self->query_index = keys[3];
  self->query_position = keys[4];
  self->kv_head = keys[5];
  self->regime = (HlRegime) keys[6];
  self->query_token_id = keys[7];
  take (&in, &self->seed, sizeof self->seed);
  take (&in, &self->diagnostics, sizeof self->diagnostics);
  take (&in, &self->evidence, sizeof self->evidence);
  self->reason = take_string (&in, FALSE);
  self->query_token = take_string (&in, TRUE);
  self->curves = take_curves (&in);
  if (in.failed)
    {
      hl_head_result_unref (self);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("A head result sent by another process is truncated"));
      return NULL;
    }
  *data = in.at;
  return self;
}
