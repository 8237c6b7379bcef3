/* hl-session-compare.c: the head pinned to be compared with the selected
 * one, and its data, read like the selected head's for the sample and
 * query shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-session-private.h"

static void
hl_session_set_pinned_data (HlSession  *self,
                            HlHeadData *data)
{
  if (self->pinned_data == data)
    return;

  g_clear_pointer (&self->pinned_scatter, hl_scatter_free);
  g_clear_pointer (&self->pinned_data, hl_head_data_unref);
  self->pinned_data = data != NULL ? hl_head_data_ref (data) : NULL;
  hl_session_notify (self, PROP_PINNED_DATA);
}

static void
hl_session_cancel_pinned (HlSession *self)
{
  if (self->pinned_cancellable != NULL)
    g_cancellable_cancel (self->pinned_cancellable);
  g_clear_object (&self->pinned_cancellable);
}

static void
load_pinned_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(HlSessionJob) job = user_data;
  g_autoptr(HlSession) self = g_weak_ref_get (&job->session);
  g_autoptr(HlHeadData) data = NULL;
  g_autoptr(GError) error = NULL;

  data = g_task_propagate_pointer (G_TASK (result), &error);
  if (self == NULL || self->pinned_cancellable != job->cancellable)
    return;

  g_clear_object (&self->pinned_cancellable);
  hl_session_set_pinned_data (self, data);
  if (data == NULL)
    g_signal_emit (self, hl_session_signals[HEAD_FAILED], 0, error);
}

void
hl_session_load_pinned (HlSession *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  hl_session_cancel_pinned (self);
  hl_session_set_pinned_data (self, NULL);
  if (self->file != NULL && self->pinned_layer >= 0)
    {
      self->pinned_cancellable = g_cancellable_new ();
      hl_session_read_head (self, self->pinned_layer, self->pinned_head,
                            self->pinned_cancellable, load_pinned_cb);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
hl_session_clear_pinned (HlSession *self)
{
  hl_session_cancel_pinned (self);
  g_clear_pointer (&self->pinned_scatter, hl_scatter_free);
  g_clear_pointer (&self->pinned_data, hl_head_data_unref);
}

void
hl_session_pin (HlSession *self,
                int        layer,
                int        head)
{
  g_return_if_fail (HL_IS_SESSION (self));

  if (self->file == NULL || layer < 0 || head < 0 || layer >= hl_session_file_info (self)->n_layers
      || head >= hl_session_file_info (self)->n_heads)
    layer = head = -1;
  if (layer == self->pinned_layer && head == self->pinned_head)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->pinned_layer = layer;
  self->pinned_head = head;
  hl_session_notify (self, PROP_PINNED_LAYER);
  hl_session_notify (self, PROP_PINNED_HEAD);
  hl_session_load_pinned (self);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
hl_session_get_pinned (HlSession *self,
                       int       *layer,
                       int       *head)
{
  g_return_val_if_fail (HL_IS_SESSION (self), FALSE);

  if (layer != NULL)
    *layer = self->pinned_layer;
  if (head != NULL)
    *head = self->pinned_head;
  return self->pinned_layer >= 0;
}

HlHeadResult *
hl_session_get_pinned_result (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  if (self->pinned_layer < 0)
    return NULL;
  return hl_session_lookup_shown (self, self->pinned_layer, self->pinned_head);
}

HlHeadData *
hl_session_get_pinned_data (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  return self->pinned_data;
}

const HlScatter *
hl_session_get_pinned_scatter (HlSession *self)
{
  g_return_val_if_fail (HL_IS_SESSION (self), NULL);

  if (self->pinned_scatter == NULL && self->pinned_data != NULL && self->n > 0)
    self->pinned_scatter = hl_head_data_scatter (self->pinned_data, self->ranking,
                                                 self->distance, self->n,
                                                 hl_session_head_seed (self, self->pinned_layer,
                                                                       self->pinned_head),
                                                 self->scatter_values);
  return self->pinned_scatter;
}
