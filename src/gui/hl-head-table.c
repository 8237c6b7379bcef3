/* hl-head-table.c
 *
 * The rows are rebuilt from the session's results (at most a few thousand
 * heads) whenever what they show changes, at most a few times a second
 * while results arrive; the column view's own sorter orders them, so a
 * click on a header and hl_head_table_sort_by () do the same.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "hl-head-table.h"
#include "hl-metric.h"
#include "hl-session-watch.h"

/* How often the rows follow arriving results, in milliseconds. */
#define REFRESH_INTERVAL 300

/* The regime column; every other column is a metric of the registry. */
#define REGIME_COLUMN "regime"

/* One head: its values over the session's scope. -------------------------- */

#define HL_TYPE_HEAD_ROW (hl_head_row_get_type ())
G_DECLARE_FINAL_TYPE (HlHeadRow, hl_head_row, HL, HEAD_ROW, GObject)

struct _HlHeadRow
{
  GObject  parent_instance;

  int      layer;
  int      head;
  int      regime;     /* the most frequent over the scope; -1: no result yet */
  guint    n_results;
  double  *values;     /* [n_columns]: each column's mean over the scope, NaN: none */
  char    *words;      /* what the search matches, lower case */
};

G_DEFINE_FINAL_TYPE (HlHeadRow, hl_head_row, G_TYPE_OBJECT)

static void
hl_head_row_finalize (GObject *object)
{
  HlHeadRow *self = HL_HEAD_ROW (object);

  g_free (self->values);
  g_free (self->words);
  G_OBJECT_CLASS (hl_head_row_parent_class)->finalize (object);
}

static void
hl_head_row_class_init (HlHeadRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hl_head_row_finalize;
}

static void
hl_head_row_init (HlHeadRow *self)
{
}

/* The table ------------------------------------------------------------------ */

typedef struct
{
  const char     *name;    /* the metric's name, or REGIME_COLUMN */
  const HlMetric *metric;  /* NULL for the regime */
} Column;

struct _HlHeadTable
{
  GtkWidget           parent_instance;

  HlSession          *session;      /* owned, or NULL */
  GtkSearchEntry     *search_entry;
  GtkLabel           *count_label;
  GtkWidget          *pin_button;
  GtkColumnView      *view;
  GListStore         *store;        /* of HlHeadRow, in (layer, head) order */
  GtkCustomFilter    *filter;
  GtkSingleSelection *selection;
  GArray             *columns;      /* of Column */
  char              **terms;        /* the search's words, lower case */
  guint               refresh_id;   /* the pending refresh, or 0 */
  gboolean            stale;        /* the rows are out of date (hidden) */
  gboolean            syncing;      /* the selection follows the session */
};

G_DEFINE_FINAL_TYPE (HlHeadTable, hl_head_table, GTK_TYPE_WIDGET)

GtkWidget *
hl_head_table_new (void)
{
  return g_object_new (HL_TYPE_HEAD_TABLE, NULL);
}

/* The metrics a researcher sorts heads by: the heatmap's colourings and
 * every metric at N; not the keys of a result. */
static gboolean
is_table_metric (const HlMetric *metric)
{
  return hl_metric_is_numeric (metric) && metric->source != HL_METRIC_SOURCE_KEY
         && (metric->in_menu || metric->source == HL_METRIC_SOURCE_POINT);
}

static const Column *
column_at (HlHeadTable *self,
           guint        index)
{
  return &g_array_index (self->columns, Column, index);
}

static int
column_index (HlHeadTable *self,
              const char  *name)
{
  for (guint i = 0; i < self->columns->len; i++)
    if (g_str_equal (column_at (self, i)->name, name))
      return (int) i;
  return -1;
}

static const HlActivationsInfo *
file_info (HlHeadTable *self)
{
  HlActivations *file = self->session != NULL ? hl_session_get_file (self->session) : NULL;

  return file != NULL ? hl_activations_get_info (file) : NULL;
}

/* Recomputes @row from the results of its head in the scope. */
static void
update_row (HlHeadTable   *self,
            HlHeadRow     *row,
            HlHeadResult **results)
{
  HlSession *s = self->session;
  int counts[HL_N_REGIMES];
  const char *regime;
  g_autofree char *words = NULL;

  row->n_results = hl_session_collect (s, row->layer, row->head, results);
  row->regime = hl_metric_count_regimes (results, row->n_results, counts);
  for (guint c = 0; c < self->columns->len; c++)
    {
      const HlMetric *metric = column_at (self, c)->metric;
      HlMetricStats stats;

      if (metric == NULL)
        {
          row->values[c] = row->regime;
          continue;
        }
      hl_metric_stats (metric, results, row->n_results, hl_session_get_ranking (s),
                       hl_session_get_distance (s), hl_session_get_n (s), &stats);
      row->values[c] = stats.n > 0 ? stats.mean : NAN;
    }
  regime = row->regime >= 0 ? hl_regime_display_name (row->regime) : "";
  words = g_strdup_printf ("l%d h%d layer %d head %d %s", row->layer, row->head, row->layer,
                           row->head, regime);
  g_free (row->words);
  row->words = g_utf8_strdown (words, -1);
}

static void
hl_head_table_update_count (HlHeadTable *self)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  g_autofree char *scope = self->session != NULL ? hl_session_dup_scope_label (self->session)
                                                 : NULL;
  g_autofree char *text = NULL;

  if (total == 0)
    text = g_strdup ("");
  else
    /* Translators: e.g. "12 of 96 heads · mean over 16 queries of sample 0 · N = 8" */
    text = g_strdup_printf (_("%u of %u heads · %s · N = %d"), shown, total, scope,
                            hl_session_get_n (self->session));
  gtk_label_set_text (self->count_label, text);
}

/* The selected head's row is selected (without selecting it again). */
static void
hl_head_table_sync_selection (HlHeadTable *self)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint position = GTK_INVALID_LIST_POSITION;
  int layer, head;

  if (self->session != NULL && hl_session_get_selected (self->session, &layer, &head))
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(HlHeadRow) row = g_list_model_get_item (model, i);

        if (row->layer == layer && row->head == head)
          {
            position = i;
            break;
          }
      }
  self->syncing = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->syncing = FALSE;
}

/* Rebuilds every row (one per head of the file) from the session. */
static void
hl_head_table_refresh (HlHeadTable *self)
{
  const HlActivationsInfo *info = file_info (self);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree HlHeadResult **results = NULL;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (info != NULL)
    {
      results = g_new (HlHeadResult *, MAX (hl_session_get_scope_size (self->session), 1));
      for (int l = 0; l < info->n_layers; l++)
        for (int h = 0; h < info->n_heads; h++)
          {
            HlHeadRow *row = g_object_new (HL_TYPE_HEAD_ROW, NULL);

            row->layer = l;
            row->head = h;
            row->values = g_new (double, self->columns->len);
            update_row (self, row, results);
            g_ptr_array_add (rows, row);
          }
    }
  self->syncing = TRUE;
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       rows->pdata, rows->len);
  self->syncing = FALSE;
  self->stale = FALSE;
  hl_head_table_sync_selection (self);
  hl_head_table_update_count (self);
}

/* The rows are rebuilt only while the table is on screen (and when it is
 * shown): while hidden it costs the analysis nothing. */
static void
hl_head_table_refresh_if_shown (HlHeadTable *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    hl_head_table_refresh (self);
  else
    self->stale = TRUE;
}

static gboolean
refresh_timeout_cb (gpointer user_data)
{
  HlHeadTable *self = user_data;

  self->refresh_id = 0;
  hl_head_table_refresh_if_shown (self);
  return G_SOURCE_REMOVE;
}

static void
session_result_added_cb (HlHeadTable *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->stale = TRUE;
  else if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_INTERVAL, refresh_timeout_cb, self);
}

static void
session_notify_cb (HlHeadTable *self,
                   GParamSpec  *pspec,
                   HlSession   *session)
{
  if (g_str_equal (pspec->name, "selected-layer") || g_str_equal (pspec->name, "selected-head"))
    hl_head_table_sync_selection (self);
  else
    hl_head_table_refresh_if_shown (self);
}

void
hl_head_table_set_session (HlHeadTable *self,
                           HlSession   *session)
{
  static const char * const shown[] = {
    "file", "analysis", "n", "ranking", "distance", "scope", "sample", "query",
    "selected-layer", "selected-head", NULL
  };

  g_return_if_fail (HL_IS_HEAD_TABLE (self));

  if (!hl_session_watch (self, &self->session, session, shown, G_CALLBACK (session_notify_cb)))
    return;
  if (session != NULL)
    g_signal_connect_swapped (session, "result-added", G_CALLBACK (session_result_added_cb),
                              self);
  hl_head_table_refresh_if_shown (self);
}

/* Search --------------------------------------------------------------------- */

static gboolean
word_matches (const char *words,
              const char *term)
{
  gboolean whole = g_ascii_isdigit (term[strlen (term) - 1]);
  g_auto(GStrv) split = g_strsplit (words, " ", -1);

  for (int i = 0; split[i] != NULL; i++)
    if (whole ? g_str_equal (split[i], term) : g_str_has_prefix (split[i], term))
      return TRUE;
  return FALSE;
}

static gboolean
row_matches (gpointer item,
             gpointer user_data)
{
  HlHeadTable *self = user_data;
  HlHeadRow *row = item;

  for (int i = 0; self->terms != NULL && self->terms[i] != NULL; i++)
    if (*self->terms[i] != '\0' && !word_matches (row->words, self->terms[i]))
      return FALSE;
  return TRUE;
}

void
hl_head_table_set_search (HlHeadTable *self,
                          const char  *text)
{
  g_autofree char *lower = NULL;

  g_return_if_fail (HL_IS_HEAD_TABLE (self));

  lower = g_utf8_strdown (text != NULL ? text : "", -1);
  g_strfreev (self->terms);
  self->terms = g_strsplit_set (g_strstrip (lower), " \t", -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  hl_head_table_sync_selection (self);
  hl_head_table_update_count (self);
}

static void
search_changed_cb (HlHeadTable    *self,
                   GtkSearchEntry *entry)
{
  hl_head_table_set_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

/* Rows, sorting and selection ------------------------------------------------- */

guint
hl_head_table_get_n_rows (HlHeadTable *self)
{
  g_return_val_if_fail (HL_IS_HEAD_TABLE (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->selection));
}

void
hl_head_table_get_row (HlHeadTable *self,
                       guint        index,
                       int         *layer,
                       int         *head)
{
  g_autoptr(HlHeadRow) row = NULL;

  g_return_if_fail (HL_IS_HEAD_TABLE (self));
  row = g_list_model_get_item (G_LIST_MODEL (self->selection), index);
  g_return_if_fail (row != NULL);

  *layer = row->layer;
  *head = row->head;
}

double
hl_head_table_get_value (HlHeadTable *self,
                         guint        index,
                         const char  *name)
{
  g_autoptr(HlHeadRow) row = NULL;
  int column;

  g_return_val_if_fail (HL_IS_HEAD_TABLE (self), NAN);
  row = g_list_model_get_item (G_LIST_MODEL (self->selection), index);
  column = column_index (self, name);
  g_return_val_if_fail (row != NULL && column >= 0, NAN);

  return row->values[column];
}

void
hl_head_table_select_row (HlHeadTable *self,
                          guint        index)
{
  g_return_if_fail (HL_IS_HEAD_TABLE (self));

  gtk_single_selection_set_selected (self->selection, index);
}

guint
hl_head_table_get_selected_row (HlHeadTable *self)
{
  g_return_val_if_fail (HL_IS_HEAD_TABLE (self), GTK_INVALID_LIST_POSITION);

  return gtk_single_selection_get_selected (self->selection);
}

static void
selected_changed_cb (HlHeadTable        *self,
                     GParamSpec         *pspec,
                     GtkSingleSelection *selection)
{
  HlHeadRow *row = gtk_single_selection_get_selected_item (selection);

  if (!self->syncing && row != NULL && self->session != NULL)
    hl_session_select (self->session, row->layer, row->head);
  gtk_widget_set_sensitive (self->pin_button, row != NULL);
}

gboolean
hl_head_table_pin_selected (HlHeadTable *self)
{
  HlHeadRow *row;

  g_return_val_if_fail (HL_IS_HEAD_TABLE (self), FALSE);

  row = gtk_single_selection_get_selected_item (self->selection);
  if (row == NULL || self->session == NULL)
    return FALSE;
  hl_session_pin (self->session, row->layer, row->head);
  return TRUE;
}

static void
pin_clicked_cb (HlHeadTable *self,
                GtkButton   *button)
{
  hl_head_table_pin_selected (self);
}

gboolean
hl_head_table_sort_by (HlHeadTable *self,
                       const char  *name,
                       gboolean     descending)
{
  g_autoptr(GtkColumnViewColumn) column = NULL;
  int index;

  g_return_val_if_fail (HL_IS_HEAD_TABLE (self), FALSE);

  index = column_index (self, name);
  if (index < 0)
    return FALSE;
  column = g_list_model_get_item (gtk_column_view_get_columns (self->view), index);
  gtk_column_view_sort_by_column (self->view, column,
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  return TRUE;
}

/* Rows without a value sort after every value, whichever the direction
 * (GtkColumnView reverses the comparison for a descending sort, so they
 * go first then: what a missing value is is still visible). */
static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const HlHeadRow *x = a, *y = b;
  guint column = GPOINTER_TO_UINT (user_data);
  double u = x->values[column], v = y->values[column];

  if (isnan (u) || isnan (v))
    return isnan (u) - isnan (v);
  if (u != v)
    return u < v ? -1 : 1;
  /* Ties in file order. */
  return (x->layer - y->layer) * 4096 + (x->head - y->head);
}

/* Cells ------------------------------------------------------------------------ */

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  gboolean text = GPOINTER_TO_UINT (user_data) == 0;

  gtk_label_set_xalign (GTK_LABEL (label), text ? 0 : 1);
  if (!text)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static char *
format_value (const Column *column,
              double        value)
{
  if (isnan (value))
    return g_strdup ("—");
  if (column->metric == NULL)
    return g_strdup (hl_regime_display_name ((HlRegime) value));
  if (column->metric->source == HL_METRIC_SOURCE_KEY)
    return g_strdup_printf ("%.0f", value);
  return g_strdup_printf ("%.3f", value);
}

typedef struct
{
  HlHeadTable *table;
  guint        column;
} CellData;

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              CellData                 *data)
{
  HlHeadRow *row = gtk_list_item_get_item (item);
  const Column *column = column_at (data->table, data->column);
  double value = row->values[data->column];
  g_autofree char *text = NULL;

  if (column->metric == NULL && row->regime < 0)
    value = NAN;
  text = format_value (column, value);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
add_column (HlHeadTable    *self,
            const char     *name,
            const HlMetric *metric,
            const char     *title)
{
  Column spec = { name, metric };
  guint index = self->columns->len;
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  CellData *data = g_new (CellData, 1);
  g_autoptr(GtkColumnViewColumn) column = NULL;
  g_autoptr(GtkSorter) sorter = NULL;

  g_array_append_val (self->columns, spec);
  *data = (CellData) { self, index };
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb),
                    GUINT_TO_POINTER (metric != NULL));
  g_signal_connect_data (factory, "bind", G_CALLBACK (bind_cell_cb), data,
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  column = gtk_column_view_column_new (title, factory);
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, GUINT_TO_POINTER (index), NULL));
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (self->view, column);
}

/* A metric's label, or its symbol as plain text ("ρ_min") when it has
 * none. */
static char *
dup_column_title (const HlMetric *metric)
{
  g_autoptr(GString) marked = NULL;
  char *text = NULL;

  if (metric->label != NULL)
    return g_strdup (_(metric->label));
  marked = g_string_new (metric->symbol);
  g_string_replace (marked, "<sub>", "_", 0);
  g_string_replace (marked, "</sub>", "", 0);
  if (!pango_parse_markup (marked->str, -1, 0, NULL, &text, NULL, NULL))
    return g_strdup (metric->name);
  return text;
}

static void
hl_head_table_add_columns (HlHeadTable *self)
{
  guint n_metrics;
  const HlMetric *metrics = hl_metric_get_all (&n_metrics);

  add_column (self, "layer", hl_metric_lookup ("layer"), _("Layer"));
  add_column (self, "head", hl_metric_lookup ("head"), _("Head"));
  add_column (self, REGIME_COLUMN, NULL, _("Regime"));
  /* The metrics at N first: what heads are ranked by. */
  for (int per_n = 1; per_n >= 0; per_n--)
    for (guint i = 0; i < n_metrics; i++)
      if (is_table_metric (&metrics[i]) && hl_metric_is_per_n (&metrics[i]) == per_n)
        {
          g_autofree char *title = dup_column_title (&metrics[i]);

          add_column (self, metrics[i].name, &metrics[i], title);
        }
}

/* The widget ------------------------------------------------------------------- */

static void
hl_head_table_map (GtkWidget *widget)
{
  HlHeadTable *self = HL_HEAD_TABLE (widget);

  GTK_WIDGET_CLASS (hl_head_table_parent_class)->map (widget);
  if (self->stale)
    hl_head_table_refresh (self);
}

static void
hl_head_table_dispose (GObject *object)
{
  HlHeadTable *self = HL_HEAD_TABLE (object);
  GtkWidget *child;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  hl_session_watch (self, &self->session, NULL, NULL, NULL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->store);
  g_clear_object (&self->selection);
  g_clear_pointer (&self->terms, g_strfreev);

  G_OBJECT_CLASS (hl_head_table_parent_class)->dispose (object);
}

static void
hl_head_table_finalize (GObject *object)
{
  HlHeadTable *self = HL_HEAD_TABLE (object);

  g_array_unref (self->columns);
  G_OBJECT_CLASS (hl_head_table_parent_class)->finalize (object);
}

static void
hl_head_table_class_init (HlHeadTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_head_table_dispose;
  object_class->finalize = hl_head_table_finalize;
  widget_class->map = hl_head_table_map;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "headtable");
}

static void
hl_head_table_init (HlHeadTable *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkFilterListModel *filtered;
  GtkSortListModel *sorted;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                              6);
  self->columns = g_array_new (FALSE, FALSE, sizeof (Column));
  self->store = g_list_store_new (HL_TYPE_HEAD_ROW);

  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search_entry, "placeholder-text", _("Search heads: L3, H5, retriever…"),
                NULL);
  gtk_widget_set_hexpand (GTK_WIDGET (self->search_entry), TRUE);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb),
                            self);
  self->count_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->count_label), "dim-label");
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->search_entry));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->count_label));
  self->pin_button = gtk_button_new_with_mnemonic (_("_Pin for Comparison"));
  gtk_widget_set_tooltip_text (self->pin_button,
                               _("Pin the selected head; the head detail compares it with the next head you select"));
  gtk_widget_set_sensitive (self->pin_button, FALSE);
  g_signal_connect_swapped (self->pin_button, "clicked", G_CALLBACK (pin_clicked_cb), self);
  gtk_box_append (GTK_BOX (bar), self->pin_button);
  gtk_widget_set_parent (bar, GTK_WIDGET (self));

  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  gtk_column_view_set_show_column_separators (self->view, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "data-table");
  hl_head_table_add_columns (self);
  self->filter = gtk_custom_filter_new (row_matches, self, NULL);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                        GTK_FILTER (g_object_ref (self->filter)));
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (filtered),
                                    g_object_ref (gtk_column_view_get_sorter (self->view)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (selected_changed_cb),
                            self);
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (self->selection));
  g_object_unref (self->filter);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->view));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_widget_set_size_request (scrolled, -1, 380);
  gtk_widget_set_parent (scrolled, GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Every head, sortable by any column"), -1);
}
