/* hl-figure.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-figure.h"

#include <string.h>

typedef struct
{
  gpointer       object;
  GDestroyNotify destroy;
} Kept;

struct _HlFigure
{
  gatomicrefcount  ref_count;
  HlPlotKind       kind;
  gpointer         data;       /* owned: the renderer's struct */
  GPtrArray       *blocks;     /* owned: every array and string the data points to */
  GArray          *kept;       /* of Kept: objects the data points into */
  char            *name;
  char            *basename;
};

G_DEFINE_BOXED_TYPE (HlFigure, hl_figure, hl_figure_ref, hl_figure_unref)

HlFigure *
hl_figure_new (HlPlotKind kind,
               gsize      data_size,
               gpointer  *data)
{
  HlFigure *self;

  g_return_val_if_fail (kind < HL_N_PLOT_KINDS, NULL);
  g_return_val_if_fail (data_size > 0 && data != NULL, NULL);

  self = g_new0 (HlFigure, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->data = g_malloc0 (data_size);
  self->blocks = g_ptr_array_new_with_free_func (g_free);
  self->kept = g_array_new (FALSE, FALSE, sizeof (Kept));
  *data = self->data;
  return self;
}

HlFigure *
hl_figure_ref (HlFigure *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
hl_figure_unref (HlFigure *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  for (guint i = 0; i < self->kept->len; i++)
    {
      Kept *kept = &g_array_index (self->kept, Kept, i);

      kept->destroy (kept->object);
    }
  g_array_unref (self->kept);
  g_ptr_array_unref (self->blocks);
  g_free (self->data);
  g_free (self->name);
  g_free (self->basename);
  g_free (self);
}

HlPlotKind
hl_figure_get_kind (HlFigure *self)
{
  g_return_val_if_fail (self != NULL, HL_PLOT_CURVES);

  return self->kind;
}

gconstpointer
hl_figure_get_data (HlFigure *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->data;
}

const char *
hl_figure_get_name (HlFigure *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

const char *
hl_figure_get_basename (HlFigure *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->basename;
}

void
hl_figure_draw (HlFigure          *self,
                const HlPlotStyle *style,
                cairo_t           *cr,
                double             width,
                double             height)
{
  g_return_if_fail (self != NULL);

  hl_plot_draw (self->kind, style, self->data, cr, width, height);
}

gboolean
hl_figure_export_to_file (HlFigure                  *self,
                          const HlPlotStyle         *style,
                          const HlPlotExportOptions *options,
                          const char                *path,
                          GError                   **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return hl_plot_export_to_file (self->kind, style, self->data, options, path, error);
}

gpointer
hl_figure_alloc (HlFigure *self,
                 gsize     size)
{
  gpointer block;

  g_return_val_if_fail (self != NULL, NULL);

  block = g_malloc0 (MAX (size, 1));
  g_ptr_array_add (self->blocks, block);
  return block;
}

gpointer
hl_figure_dup (HlFigure      *self,
               gconstpointer  mem,
               gsize          size)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (mem == NULL)
    return NULL;
  return memcpy (hl_figure_alloc (self, size), mem, size);
}

const char *
hl_figure_strdup (HlFigure   *self,
                  const char *str)
{
  g_return_val_if_fail (self != NULL, NULL);

  return str != NULL ? hl_figure_dup (self, str, strlen (str) + 1) : NULL;
}

const char *
hl_figure_take_string (HlFigure *self,
                       char     *owned)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (owned != NULL)
    g_ptr_array_add (self->blocks, owned);
  return owned;
}

void
hl_figure_keep (HlFigure       *self,
                gpointer        object,
                GDestroyNotify  destroy)
{
  Kept kept = { object, destroy };

  g_return_if_fail (self != NULL);
  g_return_if_fail (object != NULL && destroy != NULL);

  g_array_append_val (self->kept, kept);
}

void
hl_figure_set_names (HlFigure   *self,
                     const char *name,
                     const char *basename)
{
  g_return_if_fail (self != NULL);

  g_free (self->name);
  g_free (self->basename);
  self->name = g_strdup (name);
  self->basename = g_strdup (basename);
}
