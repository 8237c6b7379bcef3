/* test-export-dialog.c: Export Figure writes exactly the size asked for,
 * previews at that aspect ratio, never replaces a file unasked, offers the
 * window's figures and writes the same pixels as `headlens-cli render`;
 * Export Metrics writes the three CSV files.
 *
 * The first argument is the headlens-cli executable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE   /* memmem */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "analysis-fixture.h"
#include "hl-test-util.h"
#include "hl-curves-plot.h"
#include "hl-export-dialog.h"
#include "hl-export-metrics.h"
#include "hl-gui-test.h"
#include "hl-metrics-csv.h"
#include "hl-plot-view.h"
#include "hl-window.h"

static const char *cli;

#define N_GRID 5

/* A curves figure of made-up values. */
static HlFigure *
curves_figure (void)
{
  HlCurvesPlotData *data;
  HlFigure *figure = hl_figure_new (HL_PLOT_CURVES, sizeof *data, (gpointer *) &data);
  int *grid = hl_figure_alloc (figure, sizeof (int) * N_GRID);

  for (int i = 0; i < N_GRID; i++)
    grid[i] = 1 << i;
  for (int m = 0; m < HL_N_CURVES; m++)
    {
      float *values = hl_figure_alloc (figure, sizeof (float) * N_GRID);
      float *random = hl_figure_alloc (figure, sizeof (float) * N_GRID);

      for (int i = 0; i < N_GRID; i++)
        {
          values[i] = 0.2f + 0.15f * i + 0.05f * m;
          random[i] = 0.1f * i;
        }
      data->ranked[m] = values;
      data->random[m] = random;
    }
  data->n_grid = N_GRID;
  data->grid = grid;
  data->chosen_n = 4;
  data->title = "Layer 0 · Head 1";
  hl_figure_set_names (figure, "Head curves", "head-curves");
  return figure;
}

static HlExportDialog *
dialog_with_curves (void)
{
  g_autoptr(HlFigure) figure = curves_figure ();
  HlExportDialog *dialog = hl_export_dialog_new (NULL, HL_PLOT_STYLE_DARK);

  hl_export_dialog_add_figure (dialog, figure);
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
  return hl_session_get_analysis (hl_window_get_session (user_data)) != NULL;
}

static gboolean
head_detail_ready (gpointer user_data)
{
  return hl_head_detail_get_figure (HL_HEAD_DETAIL (user_data), HL_PLOT_SCATTER) != NULL;
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
  if (HL_IS_PLOT_VIEW (widget) && hl_plot_view_get_figure (HL_PLOT_VIEW (widget)) != NULL
      && hl_figure_get_kind (hl_plot_view_get_figure (HL_PLOT_VIEW (widget))) == kind)
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

/* A window showing a small file, head (1, 0) selected and drawn. */
static HlWindow *
window_on_fixture (const char *dir)
{
  FixtureShape shape = { 2, 2, 2, 8, 24, 1, 1, NULL, 11, TRUE };
  g_autofree char *path = g_build_filename (dir, "fixture.h5", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  HlWindow *window = hl_window_new (NULL);
  HlExplorer *explorer = hl_window_get_explorer (window);

  fixture_write_file (path, &shape);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));

  hl_window_open (window, file);
  g_assert_true (hl_test_wait_until (window_analysis_done, window, 30000));
  hl_session_select (hl_window_get_session (window), 1, 0);
  g_assert_true (hl_test_wait_until (head_detail_ready, hl_explorer_get_head_detail (explorer),
                                     10000));
  return window;
}

/* The first combo row under @widget, or NULL. */
static AdwComboRow *
find_combo_row (GtkWidget *widget)
{
  if (ADW_IS_COMBO_ROW (widget))
    return ADW_COMBO_ROW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwComboRow *found = find_combo_row (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The figure list names each figure whole, every name its own: the row
 * shows the chosen one under its title (not cut short at its end, where
 * "…over N" and "…over N, as three panels" differ), the list wraps them. */
static void
assert_figure_names_whole (HlExportDialog *dialog)
{
  AdwComboRow *row = find_combo_row (GTK_WIDGET (dialog));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GListModel *names = adw_combo_row_get_model (row);

  g_assert_true (adw_combo_row_get_use_subtitle (row));
  g_assert_nonnull (adw_combo_row_get_list_factory (row));
  for (guint i = 0; i < hl_export_dialog_get_n_figures (dialog); i++)
    {
      g_autoptr(GtkStringObject) name = g_list_model_get_item (names, i);
      const char *text = gtk_string_object_get_string (name);

      hl_export_dialog_select_figure (dialog, i);
      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, text);
      g_assert_false (g_hash_table_contains (seen, text));
      g_hash_table_add (seen, (gpointer) text);
    }
  hl_export_dialog_select_figure (dialog, 0);
}

/* The window's Export Figure offers every plot of the window, the
 * selected head's included. */
static void
test_window_actions (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  HlWindow *window = window_on_fixture (dir);
  HlPlotExportOptions options;
  HlExportDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export-figure", NULL));
  dialog = find_export_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  /* Heatmap, model curves and their panel, regimes, correlation, the
   * model's bound; the head's curves and their panel, alignment, profile,
   * decay, scatter, tokens, bound. */
  g_assert_cmpuint (hl_export_dialog_get_n_figures (dialog), ==, 14);

  /* The model curves' multi-panel figure comes right after them and
   * starts double column wide; a single plot single column. */
  hl_export_dialog_select_figure (dialog, 2);
  hl_export_dialog_get_options (dialog, &options);
  g_assert_cmpfloat (options.width, ==, 7.0);
  hl_export_dialog_select_figure (dialog, 0);
  hl_export_dialog_get_options (dialog, &options);
  g_assert_cmpfloat (options.width, ==, 3.5);
  assert_figure_names_whole (dialog);
  hl_test_destroy_window (GTK_WINDOW (dialog));

  /* A plot's context menu opens the dialog on that plot. */
  g_assert_cmpstr (hl_figure_get_basename (hl_plot_view_get_figure (
                     find_plot_view (GTK_WIDGET (window), HL_PLOT_REGIMES))), ==, "model-regimes");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (find_plot_view (GTK_WIDGET (window),
                                                                          HL_PLOT_REGIMES)),
                                             "win.export-named-figure", "s", "model-regimes"));
  dialog = find_export_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  g_assert_cmpuint (hl_export_dialog_get_selected_figure (dialog), ==, 3);
  hl_test_destroy_window (GTK_WINDOW (dialog));

  hl_test_destroy_window (GTK_WINDOW (window));
  hl_test_remove_tmp_dir (dir);
}

/* The font setting reaches the file and is remembered for the next
 * figure. */
static void
test_font_family (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "figure.pdf", NULL);
  g_autofree char *tool = g_find_program_in_path ("pdffonts");
  const char *argv[] = { tool, pdf, NULL };
  HlExportDialog *dialog = dialog_with_curves ();
  g_autofree char *family = hl_export_dialog_dup_font_family (dialog);
  g_autoptr(HlPlotStyle) style = NULL;
  g_auto(HlTestRun) fonts = { 0 };
  HlExportDialog *again;

  g_assert_cmpstr (family, ==, "DejaVu Sans");
  hl_export_dialog_set_font_family (dialog, "Latin Modern Roman");
  style = hl_export_dialog_dup_style (dialog);
  g_assert_cmpstr (style->font_family, ==, "Latin Modern Roman");
  hl_export_dialog_save_to_path (dialog, pdf);
  hl_test_run_argv (&fonts, argv);
  g_assert_cmpint (fonts.status, ==, 0);
  g_assert_nonnull (strstr (fonts.out, "LMRoman10-Regular"));
  hl_test_destroy_window (GTK_WINDOW (dialog));

  again = dialog_with_curves ();
  g_clear_pointer (&family, g_free);
  family = hl_export_dialog_dup_font_family (again);
  g_assert_cmpstr (family, ==, "Latin Modern Roman");
  hl_export_dialog_set_font_family (again, "DejaVu Sans");
  hl_test_destroy_window (GTK_WINDOW (again));
  hl_test_remove_tmp_dir (dir);
}

/* The pixels of a PNG, decoded. */
static GBytes *
read_pixels (const char *path,
             int        *width,
             int        *height)
{
  cairo_surface_t *s = cairo_image_surface_create_from_png (path);
  GBytes *pixels;

  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  *width = cairo_image_surface_get_width (s);
  *height = cairo_image_surface_get_height (s);
  pixels = g_bytes_new (cairo_image_surface_get_data (s),
                        (gsize) cairo_image_surface_get_stride (s) * *height);
  cairo_surface_destroy (s);
  return pixels;
}

/* A PNG's provenance (its tEXt chunk), parsed. */
static JsonObject *
png_provenance (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *text;

  g_assert_no_error (error);
  text = gdk_pixbuf_get_option (pixbuf, "tEXt::Provenance");
  if (text == NULL)
    g_error ("%s has no provenance", path);
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The app records what `headlens-cli render` records of the same figure:
 * the file and its SHA-256, the analysis's seed and repeats, the plot and
 * the head; the app also the N, ranking and distance it shows. */
static void
assert_same_provenance (const char *gui,
                        const char *cli_out,
                        const char *input,
                        gboolean    head)
{
  g_autoptr(JsonObject) a = png_provenance (gui);
  g_autoptr(JsonObject) b = png_provenance (cli_out);
  JsonObject *fa = json_object_get_object_member (a, "figure");
  JsonObject *fb = json_object_get_object_member (b, "figure");
  g_autofree char *contents = NULL;
  g_autofree char *sha256 = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (input, &contents, &length, NULL));
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
  g_assert_cmpstr (json_object_get_string_member (a, "program"), ==, "headlens");
  g_assert_cmpstr (json_object_get_string_member (a, "input"), ==, input);
  g_assert_cmpstr (json_object_get_string_member (a, "input_sha256"), ==, sha256);
  g_assert_cmpstr (json_object_get_string_member (b, "input_sha256"), ==, sha256);
  g_assert_cmpint (json_object_get_int_member (a, "seed"), ==, json_object_get_int_member (b, "seed"));
  g_assert_cmpint (json_object_get_int_member (a, "repeats"), ==,
                   json_object_get_int_member (b, "repeats"));
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (a, "options"),
                                                  "allow-external"));
  g_assert_cmpstr (json_object_get_string_member (fa, "plot"), ==,
                   json_object_get_string_member (fb, "plot"));
  g_assert_cmpint (json_object_get_int_member (fa, "sample"), ==, json_object_get_int_member (fb, "sample"));
  g_assert_cmpint (json_object_get_int_member (fa, "query"), ==, json_object_get_int_member (fb, "query"));
  g_assert_cmpint (json_object_get_int_member (fa, "n"), ==, json_object_get_int_member (fb, "n"));
  g_assert_cmpstr (json_object_get_string_member (fa, "ranking"), ==, "attention");
  g_assert_cmpstr (json_object_get_string_member (fa, "distance"), ==, "euclidean");
  g_assert_cmpstr (json_object_get_string_member (fa, "style"), ==, "light");
  g_assert_nonnull (json_object_get_string_member (fa, "font"));
  g_assert_true (json_object_has_member (fa, "layer") == head);
  g_assert_true (json_object_has_member (fa, "over") == !head);
  if (head)
    {
      g_assert_cmpint (json_object_get_int_member (fa, "layer"), ==, 1);
      g_assert_cmpint (json_object_get_int_member (fa, "head"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (fb, "layer"), ==, 1);
    }
  if (g_str_equal (json_object_get_string_member (fa, "plot"), "heatmap"))
    g_assert_cmpstr (json_object_get_string_member (fa, "statistic"), ==,
                     json_object_get_string_member (fb, "statistic"));
  /* A head's figure comes from that head's analysis: no bootstrap. */
  g_assert_true (json_object_get_null_member (a, "bootstrap") == head);
}

typedef struct
{
  const char *basename;
  const char *plot;
} FigureAndPlot;

/* Exports each of @figures from @window and renders the same with
 * `headlens-cli render` from @input: the same pixels and provenance. */
static void
assert_gui_and_cli_match (HlWindow            *window,
                          const char          *dir,
                          const char          *input,
                          const FigureAndPlot *figures,
                          guint                n_figures)
{
  HlSession *session = hl_window_get_session (window);
  g_autofree char *n = g_strdup_printf ("%d", hl_session_get_n (session));

  for (guint i = 0; i < n_figures; i++)
    {
      g_autofree char *gui = g_strdup_printf ("%s/gui-%u.png", dir, i);
      g_autofree char *out = g_strdup_printf ("%s/cli-%u.png", dir, i);
      gboolean head = g_str_has_prefix (figures[i].basename, "layer");
      const char *size = g_str_has_suffix (figures[i].basename, "panel") ? "7x2.5in" : "3.5x2.5in";
      g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;
      g_autoptr(GBytes) a = NULL;
      g_autoptr(GBytes) b = NULL;
      g_auto(HlTestRun) r = { 0 };
      HlExportDialog *dialog;
      int wa, ha, wb, hb;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export-named-figure",
                                                 "s", figures[i].basename));
      dialog = find_export_dialog (GTK_WINDOW (window));
      hl_export_dialog_set_dpi (dialog, 100);
      /* The file records what the figure shows, whatever the window shows
       * by the time it is saved. */
      hl_session_select (session, 0, 1);
      hl_export_dialog_save_to_path (dialog, gui);
      hl_session_select (session, 1, 0);
      hl_test_destroy_window (GTK_WINDOW (dialog));
      /* The app's file shows no selection outline, as render without a head. */
      g_strv_builder_addv (args, (const char *[]) { cli, "render", input, "--plot", figures[i].plot,
                                                    "-o", out, "--n", n, "--dpi", "100",
                                                    "--size", size, NULL });
      if (head)
        g_strv_builder_addv (args, (const char *[]) { "--layer", "1", "--head", "0", NULL });
      argv = g_strv_builder_end (args);
      hl_test_run_argv (&r, (const char * const *) argv);
      if (r.status != 0)
        g_error ("render %s: %s", figures[i].plot, r.err);

      a = read_pixels (gui, &wa, &ha);
      b = read_pixels (out, &wb, &hb);
      g_assert_cmpint (wa, ==, wb);
      g_assert_cmpint (ha, ==, hb);
      if (!g_bytes_equal (a, b))
        g_error ("%s: the app's export and `headlens-cli render --plot %s` differ",
                 figures[i].basename, figures[i].plot);
      assert_same_provenance (gui, out, input, head);
    }
}

/* Export Figure in the app and `headlens-cli render` draw the same pixels
 * for the same file and options: one builder per figure, every kind both
 * can export (the file has token texts, so the profile's labels and the
 * tokens figure are compared too); their files record the same
 * provenance. */
static void
test_gui_and_cli_match (void)
{
  static const FigureAndPlot figures[] = {
    { "layer1-head0-curves", "curves" }, { "layer1-head0-scatter", "scatter" },
    { "layer1-head0-panel", "panel" }, { "layer1-head0-alignment", "alignment" },
    { "layer1-head0-profile", "profile" }, { "layer1-head0-decay", "decay" },
    { "layer1-head0-tokens", "tokens" }, { "model-heatmap", "heatmap" },
    { "model-curves", "curves" }, { "model-panel", "panel" }, { "model-regimes", "regimes" },
    { "model-correlation", "correlation" },
  };
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *input = g_build_filename (dir, "fixture.h5", NULL);
  HlWindow *window = window_on_fixture (dir);

  assert_gui_and_cli_match (window, dir, input, figures, G_N_ELEMENTS (figures));
  hl_test_destroy_window (GTK_WINDOW (window));
  hl_test_remove_tmp_dir (dir);
}

static gboolean
grid_is_read (gpointer user_data)
{
  return hl_session_get_attention_grid (user_data) != NULL;
}

/* The attention matrices of a file with several query positions: the
 * selected head's and every head's, the same pixels from the app and from
 * `headlens-cli render --plot matrix|matrices`. */
static void
test_gui_and_cli_match_matrices (void)
{
  static const int positions[] = { 11, 17, 23 };
  static const FigureAndPlot figures[] = {
    { "layer1-head0-matrix", "matrix" }, { "model-matrices", "matrices" },
  };
  FixtureShape shape = { 2, 2, 2, 8, 24, 1, 3, positions, 12, TRUE };
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *input = g_build_filename (dir, "queries.h5", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (input);
  HlWindow *window = hl_window_new (NULL);
  HlSession *session = hl_window_get_session (window);

  fixture_write_file (input, &shape);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  hl_window_open (window, file);
  g_assert_true (hl_test_wait_until (window_analysis_done, window, 30000));
  hl_session_select (session, 1, 0);
  hl_session_load_attention_grid (session);
  g_assert_true (hl_test_wait_until (grid_is_read, session, 10000));
  g_assert_true (hl_test_wait_until (head_detail_ready,
                                     hl_explorer_get_head_detail (hl_window_get_explorer (window)),
                                     10000));

  assert_gui_and_cli_match (window, dir, input, figures, G_N_ELEMENTS (figures));
  hl_test_destroy_window (GTK_WINDOW (window));
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  if (argc < 2)
    g_error ("usage: test-gui-export-dialog HEADLENS-CLI");
  cli = argv[1];

  g_test_add_func ("/gui/export-dialog/preview-ratio", test_preview_ratio);
  g_test_add_func ("/gui/export-dialog/sizes", test_export_sizes);
  g_test_add_func ("/gui/export-dialog/replace-needs-confirmation", test_replace_needs_confirmation);
  g_test_add_func ("/gui/export-dialog/metrics", test_export_metrics);
  g_test_add_func ("/gui/export-dialog/window-actions", test_window_actions);
  g_test_add_func ("/gui/export-dialog/gui-and-cli-match", test_gui_and_cli_match);
  g_test_add_func ("/gui/export-dialog/gui-and-cli-match-matrices",
                   test_gui_and_cli_match_matrices);
  g_test_add_func ("/gui/export-dialog/font-family", test_font_family);

  return hl_test_run_and_wait ();
}
