/* test-causal-explorer.c: the causal views inside the explorer, on a file
 * extracted from stories260K: the head detail's Causal section plots the
 * clicked head's delta NLL against N (the core's numbers) beside its P/R/F
 * and keeps it for the session; the heatmap can be coloured by every
 * head's ablation delta NLL and N* once they are measured; the model panel
 * shows the sparsification curves and the correlations; a file without a
 * reachable model says why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "causal-test-util.h"
#include "hl-causal-experiment.h"
#include "hl-causal-figures.h"
#include "hl-causal-heatmap.h"
#include "hl-causal-file.h"
#include "hl-causal-plot.h"
#include "hl-causal-section.h"
#include "hl-causal-store.h"
#include "hl-export-dialog.h"
#include "hl-export-figures.h"
#include "hl-gui-test.h"
#include "hl-head-detail.h"
#include "hl-heatmap-plot.h"
#include "hl-heatmap-view.h"
#include "hl-model-panel.h"
#include "hl-panel-plot.h"
#include "hl-window.h"

typedef struct
{
  char     *dir;
  char     *checkpoint;   /* the copy the file was extracted with */
  char     *output;
  HlWindow *window;
} Fixture;

static gboolean
session_idle (gpointer user_data)
{
  HlSession *session = user_data;

  return !hl_session_get_loading (session) && hl_session_get_analysis_state (session) == HL_SESSION_ANALYSIS_DONE;
}

static gboolean
store_settled (gpointer user_data)
{
  HlCausalStore *store = user_data;

  return !hl_causal_store_get_busy (store) && hl_causal_store_get_state (store) != HL_CAUSAL_STORE_OPENING;
}

static HlSession *
session_of (Fixture *f)
{
  return hl_window_get_session (f->window);
}

static HlCausalStore *
store_of (Fixture *f)
{
  return hl_causal_store_get (session_of (f));
}

static void
open_in_window (Fixture    *f,
                const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  f->window = hl_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 900);
  gtk_window_present (GTK_WINDOW (f->window));
  hl_window_open (f->window, file);
  g_assert_true (hl_test_wait_until (session_idle, session_of (f), 60000));
  g_assert_true (hl_test_wait_until (store_settled, store_of (f), 60000));
}

/* A story extracted with a copy of stories260K in a new folder; FALSE (the
 * test skipped) without the shared model. */
static gboolean
fixture_init (Fixture *f)
{
  memset (f, 0, sizeof *f);
  return hl_test_extract_story (&f->dir, &f->checkpoint, &f->output);
}

static void
fixture_clear (Fixture *f)
{
  if (f->window != NULL)
    hl_test_destroy_window (GTK_WINDOW (f->window));
  if (f->dir != NULL)
    hl_test_remove_tmp_dir (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->checkpoint, g_free);
  g_clear_pointer (&f->output, g_free);
}

static HlCausalSection *
section_of (Fixture *f)
{
  return hl_head_detail_get_causal_section (hl_explorer_get_head_detail (hl_window_get_explorer (f->window)));
}

/* @spec through the core, on the file's windows. */
static HlCausalResult *
core_result (Fixture            *f,
             const HlCausalSpec *spec)
{
  HlActivations *file = hl_session_get_file (session_of (f));
  g_autoptr(GError) error = NULL;
  g_autoptr(HlModel) model = hl_causal_file_open_model (file, NULL, &error);
  HlCausalText *text;
  HlCausalResult *result;

  g_assert_no_error (error);
  text = hl_causal_file_new_text (model, file, &error);
  g_assert_no_error (error);
  result = hl_causal_run (text, spec, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  hl_causal_text_free (text);
  return result;
}

/* Every point of the figure's delta NLL lines is a row of @expected at the
 * same N, and every row at an N is drawn. */
static void
assert_truncation_equals (HlFigure             *figure,
                          const HlCausalResult *expected)
{
  const HlPanelPlotData *panel;
  const HlCausalPlotData *plot;
  guint rows = 0, matched = 0;

  g_assert_nonnull (figure);
  g_assert_cmpint (hl_figure_get_kind (figure), ==, HL_PLOT_PANEL);
  panel = hl_figure_get_data (figure);
  g_assert_cmpint (panel->n_items, ==, 2);
  g_assert_cmpint (panel->items[0].kind, ==, HL_PLOT_CAUSAL);
  g_assert_cmpint (panel->items[1].kind, ==, HL_PLOT_CURVES);
  plot = panel->items[0].data;
  g_assert_cmpint (plot->n_series, ==, 4);
  for (guint r = 0; r < expected->truncate->len; r++)
    {
      const HlTruncateRow *row = &g_array_index (expected->truncate, HlTruncateRow, r);

      if (row->n < 1)
        continue;
      rows++;
      for (int s = 0; s < plot->n_series; s++)
        for (int i = 0; i < plot->series[s].n; i++)
          if (plot->series[s].x[i] == row->n && plot->series[s].y[i] == row->delta_nll)
            {
              matched++;
              s = plot->n_series;
              break;
            }
    }
  g_assert_cmpuint (rows, >, 8);
  g_assert_cmpuint (matched, ==, rows);
}

static gboolean
store_idle (gpointer user_data)
{
  return !hl_causal_store_get_busy (user_data);
}

/* The figure named @basename is in the Export Figure list, selected. */
static void
assert_exported (Fixture    *f,
                 const char *basename)
{
  HlExportDialog *dialog = hl_export_figures_present (GTK_WINDOW (f->window), session_of (f), basename);
  g_autoptr(GPtrArray) figures = NULL;

  g_assert_nonnull (dialog);
  g_assert_cmpuint (hl_export_dialog_get_selected_figure (dialog), >, 0);
  figures = hl_session_build_figures (session_of (f), HL_FIGURE_TARGET_EXPORT);
  /* The causal figures follow the session's own. */
  g_assert_cmpuint (hl_export_dialog_get_selected_figure (dialog), >=, figures->len);
  hl_test_destroy_window (GTK_WINDOW (dialog));
}

/* A click on a head, Measure: the head's delta NLL against N is the
 * core's, beside its P/R/F; another head has none until measured; back on
 * the first, it is there at once. */
static void
test_section (void)
{
  Fixture f;
  HlCausalSection *section;
  HlCausalSpec spec;
  g_autoptr(HlCausalResult) expected = NULL;

  if (!fixture_init (&f))
    return;
  open_in_window (&f, f.output);
  section = section_of (&f);
  /* The model is read when first needed, not with the file. */
  g_assert_cmpint (hl_causal_store_get_state (store_of (&f)), ==, HL_CAUSAL_STORE_FOUND);
  g_assert_true (g_str_has_prefix (hl_causal_section_get_message (section), "Model: "));
  g_assert_nonnull (strstr (hl_causal_section_get_message (section), f.checkpoint));

  hl_session_select (session_of (&f), 4, 4);
  g_assert_null (hl_causal_section_get_figure (section));
  hl_causal_section_measure (section);
  g_assert_true (hl_causal_store_get_busy (store_of (&f)));
  g_assert_true (hl_test_wait_until (store_idle, store_of (&f), 120000));
  g_assert_cmpint (hl_causal_store_get_state (store_of (&f)), ==, HL_CAUSAL_STORE_READY);
  g_assert_nonnull (strstr (hl_causal_section_get_message (section), "stories260K.bin (version"));
  g_assert_nonnull (strstr (hl_causal_section_get_status (section), "Unmodified loss"));

  hl_causal_spec_init (&spec);
  spec.experiment = HL_CAUSAL_TRUNCATE;
  spec.layer = spec.head = 4;
  spec.truncate_modes = (1u << HL_TRUNCATE_RENORMALISE) | (1u << HL_TRUNCATE_DELETE);
  spec.rankings = (1u << HL_RANKING_ATTENTION) | (1u << HL_RANKING_CONTRIBUTION);
  expected = core_result (&f, &spec);
  assert_truncation_equals (hl_causal_section_get_figure (section), expected);
  g_assert_cmpstr (hl_figure_get_basename (hl_causal_section_get_figure (section)), ==,
                   "causal-layer4-head4-truncation");
  assert_exported (&f, "causal-layer4-head4-truncation");

  hl_session_select (session_of (&f), 0, 1);
  g_assert_null (hl_causal_section_get_figure (section));
  hl_session_select (session_of (&f), 4, 4);
  assert_truncation_equals (hl_causal_section_get_figure (section), expected);
  fixture_clear (&f);
}

/* A file whose model is not recorded, one whose model moved and one whose
 * model changed: the section says which, offers to locate it, and
 * locating the moved one opens it. */
static void
test_section_without_model (void)
{
  Fixture f;
  g_autoptr(GFile) sample = hl_test_dup_sample ();
  g_autofree char *sample_path = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (sample == NULL || !fixture_init (&f))
    return;
  sample_path = g_file_get_path (sample);
  open_in_window (&f, sample_path);
  g_assert_cmpint (hl_causal_store_get_problem (store_of (&f)), ==, HL_CAUSAL_MODEL_NOT_RECORDED);
  g_assert_true (g_str_has_prefix (hl_causal_section_get_message (section_of (&f)), "No model recorded."));
  hl_test_destroy_window (GTK_WINDOW (f.window));

  moved = g_build_filename (f.dir, "moved.bin", NULL);
  g_assert_cmpint (g_rename (f.checkpoint, moved), ==, 0);
  open_in_window (&f, f.output);
  g_assert_cmpint (hl_causal_store_get_problem (store_of (&f)), ==, HL_CAUSAL_MODEL_NOT_FOUND);
  g_assert_true (g_str_has_prefix (hl_causal_section_get_message (section_of (&f)), "Model not found."));
  hl_causal_store_locate_model (store_of (&f), moved);
  g_assert_true (hl_test_wait_until (store_settled, store_of (&f), 60000));
  g_assert_cmpint (hl_causal_store_get_state (store_of (&f)), ==, HL_CAUSAL_STORE_READY);
  g_assert_true (g_str_has_prefix (hl_causal_section_get_message (section_of (&f)), "Model: "));
  g_rename (moved, f.checkpoint);
  hl_test_destroy_window (GTK_WINDOW (f.window));

  /* One byte of the checkpoint changed: found, then refused when read. */
  g_assert_true (g_file_get_contents (f.checkpoint, &contents, &length, NULL));
  contents[length - 1] ^= 0x40;
  g_assert_true (g_file_set_contents (f.checkpoint, contents, length, NULL));
  open_in_window (&f, f.output);
  g_assert_cmpint (hl_causal_store_get_state (store_of (&f)), ==, HL_CAUSAL_STORE_FOUND);
  hl_session_select (session_of (&f), 1, 1);
  hl_causal_section_measure (section_of (&f));
  g_assert_true (hl_test_wait_until (store_settled, store_of (&f), 60000));
  g_assert_cmpint (hl_causal_store_get_problem (store_of (&f)), ==, HL_CAUSAL_MODEL_CHANGED);
  g_assert_true (g_str_has_prefix (hl_causal_section_get_message (section_of (&f)), "Model changed."));
  g_assert_null (hl_causal_section_get_figure (section_of (&f)));
  fixture_clear (&f);
}

/* The explorer's drop-down that offers the causal map @map, or NULL. */
static GtkDropDown *
find_causal_dropdown (GtkWidget *widget,
                      int        map)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkDropDown *found;

      if (GTK_IS_DROP_DOWN (child) && hl_causal_heatmap_find_entry (GTK_DROP_DOWN (child), map) != GTK_INVALID_LIST_POSITION)
        return GTK_DROP_DOWN (child);
      if ((found = find_causal_dropdown (child, map)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
widget_is_allocated (gpointer user_data)
{
  return gtk_widget_get_width (GTK_WIDGET (user_data)) > 0;
}

/* The heatmap coloured by ablation delta NLL shows the core's value of
 * every head; its tooltip says the head's value; a click still selects. */
static void
assert_heatmap_ablation (Fixture *f)
{
  HlExplorer *explorer = hl_window_get_explorer (f->window);
  HlHeatmapView *heatmap = hl_explorer_get_heatmap (explorer);
  GtkDropDown *dropdown = find_causal_dropdown (GTK_WIDGET (explorer), HL_CAUSAL_MAP_ABLATION);
  g_autoptr(HlCausalResult) expected = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *value = NULL;
  const HlHeatmapPlotData *data;
  HlCausalSpec spec;
  float values[40];
  double x, y;
  int layer, head;

  g_assert_nonnull (dropdown);
  g_assert_true (find_causal_dropdown (GTK_WIDGET (explorer), HL_CAUSAL_MAP_N_STAR) == dropdown);
  gtk_drop_down_set_selected (dropdown, hl_causal_heatmap_find_entry (dropdown, HL_CAUSAL_MAP_ABLATION));
  g_assert_cmpstr (hl_figure_get_basename (hl_heatmap_view_get_figure (heatmap)), ==, "causal-ablation");
  hl_causal_spec_init (&spec);
  spec.experiment = HL_CAUSAL_ABLATE;
  expected = core_result (f, &spec);
  g_assert_true (hl_causal_map_values (expected, HL_CAUSAL_MAP_ABLATION, values, NULL));
  data = hl_figure_get_data (hl_heatmap_view_get_figure (heatmap));
  g_assert_cmpint (data->n_layers * data->n_heads, ==, 40);
  for (int i = 0; i < 40; i++)
    {
      g_assert_true (isfinite (values[i]));
      g_assert_cmpfloat (data->values[i], ==, values[i]);
    }
  tooltip = hl_causal_store_describe_cell (store_of (f), HL_CAUSAL_MAP_ABLATION, 2, 3);
  value = g_strdup_printf ("%+.4f nats per token", values[2 * 8 + 3]);
  g_assert_nonnull (strstr (tooltip, value));

  g_assert_true (hl_test_wait_until (widget_is_allocated, heatmap, 10000));
  hl_heatmap_view_cell_center (heatmap, 2, 3, &x, &y);
  g_assert_true (hl_heatmap_view_click (heatmap, x, y));
  g_assert_true (hl_session_get_selected (session_of (f), &layer, &head));
  g_assert_cmpint (layer * 8 + head, ==, 2 * 8 + 3);
  data = hl_figure_get_data (hl_heatmap_view_get_figure (heatmap));
  g_assert_cmpint (data->selected_layer * 8 + data->selected_head, ==, 2 * 8 + 3);

  gtk_drop_down_set_selected (dropdown, hl_causal_heatmap_find_entry (dropdown, HL_CAUSAL_MAP_N_STAR));
  g_assert_cmpstr (hl_figure_get_basename (hl_heatmap_view_get_figure (heatmap)), ==, "causal-n-star");
  gtk_drop_down_set_selected (dropdown, 0);
  g_assert_cmpstr (hl_figure_get_basename (hl_heatmap_view_get_figure (heatmap)), !=, "causal-n-star");
}

/* Measure Every Head: the model panel shows the sparsification curves and
 * the correlations; the heatmap offers the causal colourings. */
static void
test_every_head (void)
{
  Fixture f;
  HlCausalPanel *panel;
  const HlCausalPlotData *curves;

  if (!fixture_init (&f))
    return;
  open_in_window (&f, f.output);
  panel = hl_model_panel_get_causal_panel (hl_explorer_get_model_panel (hl_window_get_explorer (f.window)));
  g_assert_null (find_causal_dropdown (GTK_WIDGET (f.window), HL_CAUSAL_MAP_ABLATION));
  g_assert_null (hl_causal_panel_get_figure (panel));
  g_assert_cmpstr (hl_causal_panel_get_table (panel), ==, "");

  hl_causal_panel_measure (panel);
  g_assert_true (hl_causal_store_get_busy (store_of (&f)));
  g_assert_true (hl_test_wait_until (store_idle, store_of (&f), 200000));
  g_assert_nonnull (hl_causal_store_get_result (store_of (&f), HL_CAUSAL_STORE_SPARSIFY));

  curves = hl_figure_get_data (hl_causal_panel_get_figure (panel));
  g_assert_cmpint (curves->n_series, ==, HL_N_PRUNE_POLICIES);
  g_assert_cmpint (curves->series[0].n, ==, 9);
  g_assert_nonnull (strstr (hl_causal_panel_get_table (panel), "Geometry\tr with ablation Δ NLL\tn\tr with N*\tn\n"));
  g_assert_nonnull (strstr (hl_causal_panel_get_table (panel), "Sink mass α₀\t"));
  g_assert_nonnull (strstr (hl_causal_panel_get_table (panel), "\t40\t"));
  assert_exported (&f, "causal-sparsification");
  assert_exported (&f, "causal-ablation");

  assert_heatmap_ablation (&f);
  fixture_clear (&f);
}

/* Cancel stops Measure Every Head: no result, the earlier head's stays,
 * and the status says so. */
static void
test_cancel (void)
{
  Fixture f;

  if (!fixture_init (&f))
    return;
  open_in_window (&f, f.output);
  g_assert_true (hl_causal_store_run_head (store_of (&f), 1, 2));
  g_assert_true (hl_test_wait_until (store_idle, store_of (&f), 120000));
  g_assert_true (hl_causal_store_run_model (store_of (&f)));
  g_assert_false (hl_causal_store_run_head (store_of (&f), 0, 0));
  g_assert_nonnull (strstr (hl_causal_store_get_status (store_of (&f)), "Another causal experiment is running"));
  hl_causal_store_cancel (store_of (&f));
  g_assert_true (hl_test_wait_until (store_idle, store_of (&f), 60000));
  g_assert_nonnull (strstr (hl_causal_store_get_status (store_of (&f)), "Cancelled"));
  for (int r = 0; r < HL_CAUSAL_STORE_N_MODEL_RUNS; r++)
    g_assert_null (hl_causal_store_get_result (store_of (&f), r));
  g_assert_nonnull (hl_causal_store_lookup_head (store_of (&f), 1, 2));
  fixture_clear (&f);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/gui/causal-explorer/section", test_section);
  g_test_add_func ("/gui/causal-explorer/section-without-model", test_section_without_model);
  g_test_add_func ("/gui/causal-explorer/every-head", test_every_head);
  g_test_add_func ("/gui/causal-explorer/cancel", test_cancel);

  return hl_test_run_and_wait ();
}
