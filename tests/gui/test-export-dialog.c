/* test-export-dialog.c: Export Figure writes exactly the size asked for,
 * previews at that aspect ratio, never replaces a file unasked, and keeps
 * its own copy of the figure; Export Metrics writes the three CSV files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE   /* memmem */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "analysis-fixture.h"
#include "hl-test-util.h"
#include "hl-curves-plot.h"
#include "hl-export-dialog.h"
#include "hl-export-metrics.h"
#include "hl-gui-test.h"
#include "hl-metrics-csv.h"
#include "hl-panel-plot.h"
#include "hl-plot-view.h"
#include "hl-window.h"

#define N_GRID 5

/* A figure's data the way a window holds it: arrays the owner may change
 * or free after the dialog opened. */
typedef struct
{
  int              grid[N_GRID];
  float            values[HL_N_CURVES][N_GRID];
  float            random[HL_N_CURVES][N_GRID];
  HlCurvesPlotData data;
} Curves;

static Curves *
curves_new (void)
{
  Curves *c = g_new0 (Curves, 1);

  for (int i = 0; i < N_GRID; i++)
    {
      c->grid[i] = 1 << i;
      for (int m = 0; m < HL_N_CURVES; m++)
        {
          c->values[m][i] = 0.2f + 0.15f * i + 0.05f * m;
          c->random[m][i] = 0.1f * i;
        }
    }
  c->data.n_grid = N_GRID;
  c->data.grid = c->grid;
  for (int m = 0; m < HL_N_CURVES; m++)
    {
      c->data.ranked[m] = c->values[m];
      c->data.random[m] = c->random[m];
    }
  c->data.chosen_n = 4;
  c->data.title = "Layer 0 · Head 1";
  return c;
}

static HlExportDialog *
dialog_with_curves (void)
{
  g_autofree Curves *c = curves_new ();
  g_autoptr(HlPlotSnapshot) snapshot = hl_plot_snapshot_new (HL_PLOT_CURVES, &c->data);
  HlExportDialog *dialog = hl_export_dialog_new (NULL, HL_PLOT_STYLE_DARK);

  hl_export_dialog_add_figure (dialog, "Head curves", "head-curves", snapshot);
  return dialog;
}

typedef struct
{
  HlExportDialog *dialog;
  double          ratio;
} RatioWait;

static gboolean
preview_has_ratio (gpointer user_data)
{
  RatioWait *wait = user_data;
  graphene_rect_t rect;

  if (!hl_export_dialog_get_preview_rect (wait->dialog, &rect) || rect.size.height <= 0)
    return FALSE;

  /* Within a pixel on either side. */
  return fabs (rect.size.width / rect.size.height - wait->ratio) < 2.0 / rect.size.height;
}

static void
test_preview_ratio (void)
{
  HlExportDialog *dialog = dialog_with_curves ();
  RatioWait wait = { dialog, 3.5 / 2.5 };
  graphene_rect_t rect;

  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (hl_test_wait_until (preview_has_ratio, &wait, 5000));
  g_assert_true (hl_export_dialog_get_preview_rect (dialog, &rect));
  g_assert_cmpfloat (rect.size.width, >, 100);

  /* A slide is much wider than high; the preview follows. */
  hl_export_dialog_set_size (dialog, 10.0, 5.6);
  wait.ratio = 10.0 / 5.6;
  g_assert_true (hl_test_wait_until (preview_has_ratio, &wait, 5000));

  hl_export_dialog_set_size (dialog, 2.0, 4.0);
  wait.ratio = 0.5;
  g_assert_true (hl_test_wait_until (preview_has_ratio, &wait, 5000));

  hl_test_destroy_window (GTK_WINDOW (dialog));
}

static void
saved_cb (HlExportDialog *dialog,
          const char     *path,
          char          **saved)
{
  g_free (*saved);
  *saved = g_strdup (path);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static void
assert_png_size (const char *path,
                 int         width,
                 int         height)
{
  cairo_surface_t *png = cairo_image_surface_create_from_png (path);

  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, width);
  g_assert_cmpint (cairo_image_surface_get_height (png), ==, height);
  cairo_surface_destroy (png);
}

/* The page size as cairo writes it (binary streams: no string search). */
static void
assert_pdf_page (const char *path,
                 const char *media_box)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  g_assert_nonnull (memmem (contents, length, media_box, strlen (media_box)));
}

static void
test_export_sizes (void)
{
  HlExportDialog *dialog = dialog_with_curves ();
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *png = g_build_filename (dir, "figure.png", NULL);
  g_autofree char *pdf = g_build_filename (dir, "figure", NULL);
  g_autofree char *pdf_written = g_build_filename (dir, "figure.pdf", NULL);
  g_autofree char *saved = NULL;
  HlPlotExportOptions options;

  g_signal_connect (dialog, "saved", G_CALLBACK (saved_cb), &saved);
  hl_export_dialog_set_size (dialog, 3.5, 2.5);
  hl_export_dialog_set_dpi (dialog, 300);
  hl_export_dialog_save_to_path (dialog, png);
  g_assert_cmpstr (saved, ==, png);
  assert_png_size (png, 1050, 750);

  /* No extension: the chosen format's is added. */
  hl_export_dialog_set_format (dialog, HL_PLOT_FORMAT_PDF);
  hl_export_dialog_save_to_path (dialog, pdf);
  g_assert_cmpstr (saved, ==, pdf_written);
  assert_pdf_page (pdf_written, "/MediaBox [ 0 0 252 180 ]");

  /* An extension the user typed chooses the format. */
  hl_export_dialog_get_options (dialog, &options);
  g_assert_cmpint (options.format, ==, HL_PLOT_FORMAT_PDF);
  g_clear_pointer (&png, g_free);
  png = g_build_filename (dir, "typed.png", NULL);
  hl_export_dialog_save_to_path (dialog, png);
  hl_export_dialog_get_options (dialog, &options);
  g_assert_cmpint (options.format, ==, HL_PLOT_FORMAT_PNG);
  assert_png_size (png, 1050, 750);

  hl_test_destroy_window (GTK_WINDOW (dialog));
  hl_test_remove_tmp_dir (dir);
}

static gboolean
has_dialog (gpointer user_data)
{
  return hl_test_find_message_dialog (GTK_WINDOW (user_data)) != NULL;
}

static AdwMessageDialog *
wait_for_question (GtkWindow *parent)
{
  g_assert_true (hl_test_wait_until (has_dialog, parent, 5000));
  return hl_test_find_message_dialog (parent);
}

static gboolean
has_no_dialog (gpointer user_data)
{
  return !has_dialog (user_data);
}

static void
answer (AdwMessageDialog *question,
        const char       *response)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (question));

  /* As a click on the button does: the response, then the dialog closes. */
  adw_message_dialog_response (question, response);
  gtk_window_destroy (GTK_WINDOW (question));
  g_assert_true (hl_test_wait_until (has_no_dialog, parent, 5000));
}

static void
test_replace_needs_confirmation (void)
{
  HlExportDialog *dialog = dialog_with_curves ();
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "old.png", NULL);
  g_autofree char *contents = NULL;

  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (g_file_set_contents (path, "precious", -1, NULL));

  hl_export_dialog_save_to_path (dialog, path);
  answer (wait_for_question (GTK_WINDOW (dialog)), "cancel");
  contents = read_file (path);
  g_assert_cmpstr (contents, ==, "precious");

  hl_export_dialog_set_size (dialog, 1.0, 1.0);
  hl_export_dialog_set_dpi (dialog, 100);
  hl_export_dialog_save_to_path (dialog, path);
  answer (wait_for_question (GTK_WINDOW (dialog)), "replace");
  assert_png_size (path, 100, 100);

  hl_test_destroy_window (GTK_WINDOW (dialog));
  hl_test_remove_tmp_dir (dir);
}

/* The window changes its arrays after the dialog opened (an analysis
 * delivering more heads): the exported figure is the one the user chose. */
static void
test_snapshot_is_a_copy (void)
{
  g_autofree Curves *c = curves_new ();
  HlPanelItem items[2] = { { HL_PLOT_CURVES, &c->data }, { HL_PLOT_CURVES, &c->data } };
  HlPanelPlotData panel = { 2, items, 2, TRUE, "Both" };
  g_autoptr(HlPlotSnapshot) snapshot = hl_plot_snapshot_new (HL_PLOT_PANEL, &panel);
  const HlPanelPlotData *copy = hl_plot_snapshot_get_data (snapshot);
  const HlCurvesPlotData *inner;
  float expected = c->values[HL_CURVE_RECALL][3];

  memset (c->values, 0xff, sizeof c->values);
  items[1].kind = HL_PLOT_DECAY;
  g_assert_true (copy != &panel);
  g_assert_cmpint (copy->n_items, ==, 2);
  g_assert_cmpstr (copy->title, ==, "Both");
  g_assert_cmpint (copy->items[1].kind, ==, HL_PLOT_CURVES);
  inner = copy->items[1].data;
  g_assert_true (inner != &c->data);
  g_assert_cmpint (inner->grid[4], ==, 16);
  g_assert_cmpfloat (inner->ranked[HL_CURVE_RECALL][3], ==, expected);
  g_assert_null (inner->band_lo[0]);
  g_assert_cmpstr (inner->title, ==, "Layer 0 · Head 1");
}

static HlAnalysis *
analyse_fixture (const char *dir)
{
  FixtureShape shape = { 2, 2, 2, 8, 24, 1, 1, NULL, 7 };
  g_autofree char *path = g_build_filename (dir, "fixture.h5", NULL);
  g_autoptr(HlActivations) file = NULL;
  g_autoptr(GError) error = NULL;
  HlAnalysisOptions options;
  HlAnalysis *analysis;

  fixture_write_file (path, &shape);
  file = hl_activations_open (path, &error);
  g_assert_no_error (error);
  hl_analysis_options_init (&options);
  analysis = hl_analysis_run (file, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return analysis;
}

static char *
first_line (const char *path)
{
  g_autofree char *contents = read_file (path);
  char *newline = strchr (contents, '\n');

  g_assert_nonnull (newline);
  return g_strndup (contents, newline - contents);
}

static void
test_export_metrics (void)
{
  g_autofree char *heads_header = hl_metrics_csv_header (HL_METRIC_TABLE_HEADS);
  g_autofree char *curves_header = hl_metrics_csv_header (HL_METRIC_TABLE_CURVES);
  const char *headers[] = { curves_header, heads_header, HL_METRICS_CSV_MODEL_HEADER };
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "metrics", NULL);
  g_autofree char *heads = g_build_filename (out, "heads.csv", NULL);
  g_autoptr(HlAnalysis) analysis = analyse_fixture (dir);
  g_autofree char *contents = NULL;
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_present (window);
  g_assert_true (hl_export_metrics_to_folder (window, analysis, out, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autofree char *path = g_build_filename (out, hl_export_metrics_files[i], NULL);
      g_autofree char *header = first_line (path);

      g_assert_cmpstr (header, ==, headers[i]);
    }
  /* With what they were made from. */
  {
    g_autofree char *path = g_build_filename (out, "provenance.json", NULL);
    g_autofree char *json = read_file (path);

    g_assert_true (g_str_has_prefix (json, "{\n  \"version\" : \"" PACKAGE_VERSION "\""));
    g_assert_nonnull (strstr (json, "\"input_sha256\" : \""));
  }

  /* A second export into the same folder asks first. */
  g_assert_true (g_file_set_contents (heads, "edited by hand\n", -1, NULL));
  g_assert_false (hl_export_metrics_to_folder (window, analysis, out, NULL));
  answer (wait_for_question (window), "cancel");
  contents = read_file (heads);
  g_assert_cmpstr (contents, ==, "edited by hand\n");

  g_assert_false (hl_export_metrics_to_folder (window, analysis, out, NULL));
  answer (wait_for_question (window), "replace");
  g_clear_pointer (&contents, g_free);
  contents = first_line (heads);
  g_assert_cmpstr (contents, ==, heads_header);

  hl_test_destroy_window (window);
  hl_test_remove_tmp_dir (dir);
}

static gboolean
window_analysis_done (gpointer user_data)
{
  HlWindow *window = user_data;

  return !hl_window_get_loading (window)
         && hl_explorer_get_analysis (hl_window_get_explorer (window)) != NULL;
}

static gboolean
head_detail_ready (gpointer user_data)
{
  return hl_head_detail_get_scatter (HL_HEAD_DETAIL (user_data)) != NULL;
}

static HlExportDialog *
find_export_dialog (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (HL_IS_EXPORT_DIALOG (window) && gtk_window_get_transient_for (window) == parent)
        return HL_EXPORT_DIALOG (window);
    }

  return NULL;
}

static HlPlotView *
find_plot_view (GtkWidget  *widget,
                HlPlotKind  kind)
{
  if (HL_IS_PLOT_VIEW (widget) && hl_plot_view_get_kind (HL_PLOT_VIEW (widget)) == kind)
    return HL_PLOT_VIEW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      HlPlotView *view = find_plot_view (child, kind);

      if (view != NULL)
        return view;
    }

  return NULL;
}

/* The window's Export Figure offers every plot of the window, the
 * selected head's included. */
static void
test_window_actions (void)
{
  FixtureShape shape = { 2, 2, 2, 8, 24, 1, 1, NULL, 11 };
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "fixture.h5", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  HlWindow *window = hl_window_new (NULL);
  HlExplorer *explorer = hl_window_get_explorer (window);
  HlPlotExportOptions options;
  HlExportDialog *dialog;

  fixture_write_file (path, &shape);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));

  hl_window_open (window, file);
  g_assert_true (hl_test_wait_until (window_analysis_done, window, 30000));
  hl_heatmap_view_select (hl_explorer_get_heatmap (explorer), 1, 0);
  g_assert_true (hl_test_wait_until (head_detail_ready, hl_explorer_get_head_detail (explorer),
                                     10000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export-figure", NULL));
  dialog = find_export_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  /* Heatmap, model curves and their panel, regimes, correlation; the
   * head's curves and their panel, alignment, profile, decay, scatter. */
  g_assert_cmpuint (hl_export_dialog_get_n_figures (dialog), ==, 11);

  /* The model curves' multi-panel figure comes right after them and
   * starts double column wide; a single plot single column. */
  hl_export_dialog_select_figure (dialog, 2);
  hl_export_dialog_get_options (dialog, &options);
  g_assert_cmpfloat (options.width, ==, 7.0);
  hl_export_dialog_select_figure (dialog, 0);
  hl_export_dialog_get_options (dialog, &options);
  g_assert_cmpfloat (options.width, ==, 3.5);
  hl_test_destroy_window (GTK_WINDOW (dialog));

  /* A plot's context menu opens the dialog on that plot. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (find_plot_view (GTK_WIDGET (window),
                                                                          HL_PLOT_REGIMES)),
                                             "plotview.export-figure", NULL));
  dialog = find_export_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  g_assert_cmpuint (hl_export_dialog_get_selected_figure (dialog), ==, 3);
  hl_test_destroy_window (GTK_WINDOW (dialog));

  hl_test_destroy_window (GTK_WINDOW (window));
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/gui/export-dialog/preview-ratio", test_preview_ratio);
  g_test_add_func ("/gui/export-dialog/sizes", test_export_sizes);
  g_test_add_func ("/gui/export-dialog/replace-needs-confirmation", test_replace_needs_confirmation);
  g_test_add_func ("/gui/export-dialog/snapshot-is-a-copy", test_snapshot_is_a_copy);
  g_test_add_func ("/gui/export-dialog/metrics", test_export_metrics);
  g_test_add_func ("/gui/export-dialog/window-actions", test_window_actions);

  return hl_test_run_and_wait ();
}
