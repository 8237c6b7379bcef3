/* hl-head-table.h: every head of the file as a row (its layer, head,
 * regime, diagnostics and the metrics at the chosen N, ranking and
 * distance, over the session's scope like the heatmap), sorted by any
 * column, filtered by a search, and selecting a row selects the head.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hl-session.h"

G_BEGIN_DECLS

#define HL_TYPE_HEAD_TABLE (hl_head_table_get_type ())
G_DECLARE_FINAL_TYPE (HlHeadTable, hl_head_table, HL, HEAD_TABLE, GtkWidget)

GtkWidget *hl_head_table_new          (void);
void       hl_head_table_set_session  (HlHeadTable *self,
                                       HlSession   *session);

/* The search: words that must each match the start of a word of the row
 * ("L3", "H5", "layer", "retriever"; a word ending in a digit matches a
 * whole word), every row when empty. */
void       hl_head_table_set_search   (HlHeadTable *self,
                                       const char  *text);
/* Sorts by the column of metric @name ("layer", "regime", "f1", …) as a
 * click on its header does; FALSE when there is no such column. */
gboolean   hl_head_table_sort_by      (HlHeadTable *self,
                                       const char  *name,
                                       gboolean     descending);
/* The rows shown, in their order: how many, and row @index's head and the
 * text of column @name. */
guint      hl_head_table_get_n_rows   (HlHeadTable *self);
void       hl_head_table_get_row      (HlHeadTable *self,
                                       guint        index,
                                       int         *layer,
                                       int         *head);
double     hl_head_table_get_value    (HlHeadTable *self,
                                       guint        index,
                                       const char  *name);
/* Selects row @index as a click does (and so its head). */
void       hl_head_table_select_row   (HlHeadTable *self,
                                       guint        index);
/* The row selected, or GTK_INVALID_LIST_POSITION. */
guint      hl_head_table_get_selected_row (HlHeadTable *self);
/* Pins the selected row's head for comparison (hl_session_pin ()), as
 * the "Pin for Comparison" button does; FALSE without a selected row. */
gboolean   hl_head_table_pin_selected (HlHeadTable *self);

G_END_DECLS
