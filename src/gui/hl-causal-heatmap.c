/* hl-causal-heatmap.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-causal-heatmap.h"

#include <glib/gi18n.h>

#include "hl-causal-store.h"

#define DATA_KEY "hl-causal-heatmap"

static const char * const map_labels[] = {
  [HL_CAUSAL_MAP_ABLATION] = N_("Ablation Δ NLL (causal)"),
  [HL_CAUSAL_MAP_N_STAR] = N_("Effective set size N* (causal)"),
};
#define N_MAPS G_N_ELEMENTS (map_labels)

typedef struct
{
  GtkDropDown    *dropdown;     /* weak: owns this */
  HlHeatmapView  *heatmap;      /* weak pointer: a sibling of the dropdown */
  HlCausalStore  *store;        /* owned: of the heatmap's session, or NULL */
  guint           n_registry;   /* the dropdown's own entries */
  int             offered[N_MAPS];  /* the maps after them, -1 past the last */
  int             active;       /* the map shown, -1: the registry's colouring */
  guint           last_registry;    /* the registry entry to go back to */
  gboolean        updating;
} CausalHeatmap;

static HlFigure *
colouring_build_cb (gpointer user_data)
{
  CausalHeatmap *self = user_data;

  return self->store != NULL ? hl_causal_store_build_map (self->store, self->active) : NULL;
}

static char *
colouring_describe_cb (gpointer user_data,
                       int      layer,
                       int      head)
{
  CausalHeatmap *self = user_data;

  return self->store != NULL ? hl_causal_store_describe_cell (self->store, self->active, layer, head) : NULL;
}

static const HlHeatmapColouring colouring = { colouring_build_cb, colouring_describe_cb };

static void
apply_colouring (CausalHeatmap *self)
{
  if (self->heatmap != NULL)
    hl_heatmap_view_set_colouring (self->heatmap, self->active >= 0 ? &colouring : NULL, self);
}

static gboolean
map_available (CausalHeatmap *self,
               HlCausalMap    map)
{
  g_autoptr(HlFigure) figure = self->store != NULL ? hl_causal_store_build_map (self->store, map) : NULL;

  return figure != NULL;
}

/* The entries after the registry's follow the maps measured. Maps are
 * only added while a file is open, so entries are appended; only when
 * they go (another file) is the registry's colouring chosen again first,
 * as removing the chosen entry would move the selection (and the setting)
 * to a neighbour. */
static void
update_entries (CausalHeatmap *self)
{
  GtkStringList *list = GTK_STRING_LIST (gtk_drop_down_get_model (self->dropdown));
  int wanted[N_MAPS];
  guint n_wanted = 0, n_offered = 0;
  gboolean appending = TRUE;

  for (guint m = 0; m < N_MAPS; m++)
    if (map_available (self, m))
      wanted[n_wanted++] = m;
  while (n_offered < N_MAPS && self->offered[n_offered] >= 0)
    n_offered++;
  for (guint i = 0; i < n_offered; i++)
    appending = appending && i < n_wanted && wanted[i] == self->offered[i];
  if (!appending)
    {
      if (gtk_drop_down_get_selected (self->dropdown) >= self->n_registry)
        gtk_drop_down_set_selected (self->dropdown, self->last_registry);
      self->updating = TRUE;
      gtk_string_list_splice (list, self->n_registry, n_offered, NULL);
      self->updating = FALSE;
      n_offered = 0;
    }
  for (guint i = n_offered; i < n_wanted; i++)
    gtk_string_list_append (list, _(map_labels[wanted[i]]));
  for (guint i = 0; i < N_MAPS; i++)
    self->offered[i] = i < n_wanted ? wanted[i] : -1;
  apply_colouring (self);
}

static void
dropdown_selected_cb (CausalHeatmap *self)
{
  guint selected = gtk_drop_down_get_selected (self->dropdown);

  if (self->updating)
    return;
  if (selected < self->n_registry || selected == GTK_INVALID_LIST_POSITION)
    {
      self->last_registry = selected < self->n_registry ? selected : 0;
      self->active = -1;
    }
  else
    self->active = selected - self->n_registry < N_MAPS ? self->offered[selected - self->n_registry] : -1;
  apply_colouring (self);
}

static void
heatmap_session_cb (CausalHeatmap *self)
{
  HlSession *session = hl_heatmap_view_get_session (self->heatmap);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  if (session != NULL)
    {
      self->store = g_object_ref (hl_causal_store_get (session));
      g_signal_connect_swapped (self->store, "changed", G_CALLBACK (update_entries), self);
    }
  update_entries (self);
}

static void
causal_heatmap_free (CausalHeatmap *self)
{
  if (self->heatmap != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->heatmap, self);
      hl_heatmap_view_set_colouring (self->heatmap, NULL, NULL);
      g_object_remove_weak_pointer (G_OBJECT (self->heatmap), (gpointer *) &self->heatmap);
    }
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_free (self);
}

void
hl_causal_heatmap_attach (GtkDropDown   *dropdown,
                          HlHeatmapView *heatmap)
{
  CausalHeatmap *self;

  g_return_if_fail (GTK_IS_DROP_DOWN (dropdown));
  g_return_if_fail (GTK_IS_STRING_LIST (gtk_drop_down_get_model (dropdown)));
  g_return_if_fail (HL_IS_HEATMAP_VIEW (heatmap));

  self = g_new0 (CausalHeatmap, 1);
  self->dropdown = dropdown;
  self->heatmap = heatmap;
  g_object_add_weak_pointer (G_OBJECT (heatmap), (gpointer *) &self->heatmap);
  self->n_registry = g_list_model_get_n_items (gtk_drop_down_get_model (dropdown));
  self->active = -1;
  self->last_registry = MIN (gtk_drop_down_get_selected (dropdown), self->n_registry - 1);
  for (guint i = 0; i < N_MAPS; i++)
    self->offered[i] = -1;
  g_object_set_data_full (G_OBJECT (dropdown), DATA_KEY, self, (GDestroyNotify) causal_heatmap_free);
  g_signal_connect_swapped (dropdown, "notify::selected", G_CALLBACK (dropdown_selected_cb), self);
  g_signal_connect_swapped (heatmap, "notify::session", G_CALLBACK (heatmap_session_cb), self);
  heatmap_session_cb (self);
}

guint
hl_causal_heatmap_find_entry (GtkDropDown *dropdown,
                              int          map)
{
  CausalHeatmap *self;

  g_return_val_if_fail (GTK_IS_DROP_DOWN (dropdown), GTK_INVALID_LIST_POSITION);

  self = g_object_get_data (G_OBJECT (dropdown), DATA_KEY);
  for (guint i = 0; self != NULL && i < N_MAPS; i++)
    if (self->offered[i] == map)
      return self->n_registry + i;
  return GTK_INVALID_LIST_POSITION;
}
