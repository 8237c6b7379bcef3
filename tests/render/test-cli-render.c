/* test-cli-render.c: `headlens-cli render` end to end on a small synthetic
 * file: every kind in every format at the requested size, byte-identical
 * when repeated, and the exit status and message of bad requests.
 *
 * The first argument is the headlens-cli executable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hl-test-util.h"

static const char *cli;
static char *tmp_dir;
static char *file;

/* Renders @kind to @out with a fixed, quick set of options. */
static void
render (HlTestRun  *r,
        const char *kind,
        const char *out,
        const char *size)
{
  const char *argv[] = {
    cli, "render", file, "--plot", kind, "-o", out, "--layer", "1", "--head", "2",
    "--n", "4", "--bootstrap", "50", "--repeats", "4", "--threads", "1", "--dpi", "100",
    "--size", size, NULL
  };

  hl_test_run_argv (r, argv);
}

static gboolean
have_tool (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

static void
check_file (const char *path,
            const char *ext)
{
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  if (g_str_equal (ext, "png"))
    {
      cairo_surface_t *s = cairo_image_surface_create_from_png (path);

      g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
      g_assert_cmpint (cairo_image_surface_get_width (s), ==, 350);
      g_assert_cmpint (cairo_image_surface_get_height (s), ==, 250);
      cairo_surface_destroy (s);
    }
  else if (g_str_equal (ext, "svg"))
    {
      g_assert_nonnull (strstr (contents, "width=\"252pt\" height=\"180pt\""));
      g_assert_null (strstr (contents, "<image"));
    }
  else if (have_tool ("pdfinfo"))
    {
      const char *argv[] = { "pdfinfo", path, NULL };
      g_auto(HlTestRun) r = { 0 };

      argv[0] = g_find_program_in_path ("pdfinfo");
      hl_test_run_argv (&r, argv);
      g_free ((char *) argv[0]);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "252 x 180 pts"));
    }
  else
    g_assert_true (g_str_has_prefix (contents, "%PDF-"));
}

static void
test_every_kind_every_format (void)
{
  const char *kinds[] = { "curves", "heatmap", "scatter", "alignment", "profile", "decay",
                          "regimes", "correlation", "panel" };
  const char *exts[] = { "png", "svg", "pdf" };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint e = 0; e < G_N_ELEMENTS (exts); e++)
      {
        g_autofree char *name = g_strdup_printf ("%s.%s", kinds[k], exts[e]);
        g_autofree char *again = g_strdup_printf ("%s-again.%s", kinds[k], exts[e]);
        g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
        g_autofree char *path2 = g_build_filename (tmp_dir, again, NULL);
        g_autofree char *a = NULL, *b = NULL;
        gsize la, lb;
        g_auto(HlTestRun) r1 = { 0 };
        g_auto(HlTestRun) r2 = { 0 };

        render (&r1, kinds[k], path, "3.5x2.5in");
        if (r1.status != 0)
          g_error ("render %s failed: %s", name, r1.err);
        check_file (path, exts[e]);
        /* The same command writes the same bytes (checked on one model plot
         * and two head plots, to keep the test quick). */
        if (k != 1 && k != 2 && k != 8)
          {
            g_remove (path);
            continue;
          }
        render (&r2, kinds[k], path2, "3.5x2.5in");
        g_assert_cmpint (r2.status, ==, 0);
        g_assert_true (g_file_get_contents (path, &a, &la, NULL));
        g_assert_true (g_file_get_contents (path2, &b, &lb, NULL));
        g_assert_cmpmem (a, la, b, lb);
        g_remove (path);
        g_remove (path2);
      }
}

static void
test_panel_size_in_cm (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "panel-cm.png", NULL);
  g_auto(HlTestRun) r = { 0 };
  cairo_surface_t *s;

  /* 17.78 cm = 7 in: 700 pixels at 100 DPI. */
  render (&r, "panel", path, "17.78x6.35cm");
  g_assert_cmpint (r.status, ==, 0);
  s = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 700);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 250);
  cairo_surface_destroy (s);
  g_remove (path);
}

static void
test_bad_requests (void)
{
  g_autofree char *out = g_build_filename (tmp_dir, "bad.png", NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.h5", NULL);
  const char *unknown_kind[] = { cli, "render", file, "--plot", "pie", "-o", out, NULL };
  const char *bad_layer[] = { cli, "render", file, "--plot", "scatter", "--layer", "9", "--head", "0", "-o", out, NULL };
  const char *bad_ext[] = { cli, "render", file, "--plot", "decay", "--layer", "0", "--head", "0", "-o", "figure.jpg", NULL };
  const char *no_file[] = { cli, "render", missing, "--plot", "decay", "--layer", "0", "--head", "0", "-o", out, NULL };
  const char *bad_n[] = { cli, "render", file, "--plot", "alignment", "--layer", "0", "--head", "0", "--n", "5", "-o", out, NULL };
  const char *one_query[] = { cli, "render", file, "--plot", "matrix", "--layer", "0", "--head", "0", "-o", out, NULL };
  g_auto(HlTestRun) r1 = { 0 };
  g_auto(HlTestRun) r2 = { 0 };
  g_auto(HlTestRun) r3 = { 0 };
  g_auto(HlTestRun) r4 = { 0 };
  g_auto(HlTestRun) r5 = { 0 };
  g_auto(HlTestRun) r6 = { 0 };

  hl_test_run_argv (&r1, unknown_kind);
  g_assert_cmpint (r1.status, ==, 2);
  g_assert_nonnull (strstr (r1.err, "pie"));
  hl_test_run_argv (&r2, bad_layer);
  g_assert_cmpint (r2.status, ==, 1);
  g_assert_nonnull (strstr (r2.err, "--layer 9"));
  hl_test_run_argv (&r3, bad_ext);
  g_assert_cmpint (r3.status, ==, 2);
  g_assert_nonnull (strstr (r3.err, ".png"));
  hl_test_run_argv (&r4, no_file);
  g_assert_cmpint (r4.status, ==, 1);
  hl_test_run_argv (&r5, bad_n);
  g_assert_cmpint (r5.status, ==, 1);
  g_assert_nonnull (strstr (r5.err, "--n 5"));
  /* The file holds one query position: no matrix of queries over keys. */
  hl_test_run_argv (&r6, one_query);
  g_assert_cmpint (r6.status, ==, 1);
  g_assert_nonnull (strstr (r6.err, "single query position"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

/* The header and first row of a CSV file `headlens-cli analyze` writes. */
/* The fields of a CSV line; a quoted field (the regime's reason, the query
 * token) may hold commas and keeps its quotes, so it never reads as a
 * number. */
static char **
split_fields (const char *line)
{
  GPtrArray *fields = g_ptr_array_new ();
  const char *start = line;
  gboolean quoted = FALSE;

  for (const char *p = line;; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if ((*p == ',' && !quoted) || *p == '\0')
        {
          g_ptr_array_add (fields, g_strndup (start, p - start));
          if (*p == '\0')
            break;
          start = p + 1;
        }
    }
  g_ptr_array_add (fields, NULL);
  return (char **) g_ptr_array_free (fields, FALSE);
}

static void
read_csv_start (const char  *dir,
                const char  *name,
                char      ***header,
                char      ***row)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", 3);
  *header = g_strsplit (lines[0], ",", -1);
  *row = split_fields (lines[1]);
}

static void
render_heatmap (const char *metric,
                const char *out,
                HlTestRun  *r)
{
  const char *argv[] = {
    cli, "render", file, "--plot", "heatmap", "--metric", metric, "-o", out,
    "--bootstrap", "50", "--repeats", "4", "--threads", "1", "--dpi", "50", NULL
  };

  hl_test_run_argv (r, argv);
}

/* A metric by its alias draws the same bytes as by its column name. */
static void
assert_same_heatmap (const char *alias,
                     const char *name)
{
  g_autofree char *a_path = g_build_filename (tmp_dir, "alias.png", NULL);
  g_autofree char *b_path = g_build_filename (tmp_dir, "name.png", NULL);
  g_autofree char *a = NULL, *b = NULL;
  gsize la, lb;
  g_auto(HlTestRun) ra = { 0 };
  g_auto(HlTestRun) rb = { 0 };

  render_heatmap (alias, a_path, &ra);
  render_heatmap (name, b_path, &rb);
  g_assert_cmpint (ra.status, ==, 0);
  g_assert_cmpint (rb.status, ==, 0);
  g_assert_true (g_file_get_contents (a_path, &a, &la, NULL));
  g_assert_true (g_file_get_contents (b_path, &b, &lb, NULL));
  g_assert_cmpmem (a, la, b, lb);
}

/* `render --metric` takes every numeric column of heads.csv and every
 * metric of curves.csv (after a point's keys: the head's, the ranking, the
 * distance and N) by its name, as `analyze` writes it. */
static void
test_metric_names (void)
{
  const char *files[] = { "heads.csv", "curves.csv" };
  const guint first_metric[] = { 0, 7 };
  g_autofree char *csv_dir = g_build_filename (tmp_dir, "csv", NULL);
  g_autofree char *out = g_build_filename (tmp_dir, "metric.png", NULL);
  const char *analyze[] = { cli, "analyze", file, "--out", csv_dir, "--bootstrap", "50",
                            "--repeats", "4", "--threads", "1", NULL };
  const char *unknown[] = { cli, "render", file, "--plot", "heatmap", "--metric", "nope",
                            "-o", out, NULL };
  g_auto(HlTestRun) a = { 0 };
  g_auto(HlTestRun) bad = { 0 };
  guint n_numeric = 0;

  hl_test_run_argv (&a, analyze);
  g_assert_cmpint (a.status, ==, 0);
  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_auto(GStrv) header = NULL;
      g_auto(GStrv) row = NULL;

      read_csv_start (csv_dir, files[f], &header, &row);
      for (guint i = first_metric[f]; header[i] != NULL; i++)
        {
          g_auto(HlTestRun) r = { 0 };
          char *end;

          g_ascii_strtod (row[i], &end);
          if (end == row[i] || *end != '\0')
            continue;
          render_heatmap (header[i], out, &r);
          if (r.status != 0)
            g_error ("--metric %s: %s", header[i], r.err);
          g_assert_true (g_file_test (out, G_FILE_TEST_EXISTS));
          g_remove (out);
          n_numeric++;
        }
    }
  /* 18 numeric columns in heads.csv (the query token id included: the
   * file has token ids), 11 metrics in curves.csv (6 of the curves, the 2
   * alignments and the 3 theory columns). */
  g_assert_cmpuint (n_numeric, ==, 29);

  assert_same_heatmap ("rho0", "sink_similarity");
  assert_same_heatmap ("lambda", "sink_ratio");
  hl_test_run_argv (&bad, unknown);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_nonnull (strstr (bad.err, "nope"));
  g_assert_nonnull (strstr (bad.err, "sink_similarity"));
}

/* The pixels of a figure rendered with @extra options. */
static GBytes *
render_pixels (const char * const *extra)
{
  g_autofree char *out = g_build_filename (tmp_dir, "over.png", NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_auto(HlTestRun) r = { 0 };
  cairo_surface_t *png;
  GBytes *pixels;

  g_strv_builder_addv (builder, (const char *[]) { cli, "render", file, "-o", out,
                                                   "--bootstrap", "50", "--repeats", "4",
                                                   "--threads", "1", "--dpi", "50", NULL });
  g_strv_builder_addv (builder, (const char **) extra);
  argv = g_strv_builder_end (builder);
  hl_test_run_argv (&r, (const char * const *) argv);
  if (r.status != 0)
    g_error ("render: %s", r.err);
  /* The pixels: the file's metadata names the options. */
  png = cairo_image_surface_create_from_png (out);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  pixels = g_bytes_new (cairo_image_surface_get_data (png),
                        (gsize) cairo_image_surface_get_stride (png)
                        * cairo_image_surface_get_height (png));
  cairo_surface_destroy (png);
  return pixels;
}

/* --over: the heatmap of sample 1 differs from the mean over samples and
 * from their spread; for this one-query file the mean over samples is the
 * mean over everything, and the model plots default to it. A bad set or
 * statistic is a usage error naming the choices. */
static void
test_over (void)
{
  g_autoptr(GBytes) shown = render_pixels ((const char *[]) { "--plot", "heatmap", "--metric",
                                                             "sink_mass", "--sample", "1", NULL });
  g_autoptr(GBytes) samples = render_pixels ((const char *[]) { "--plot", "heatmap", "--metric",
                                                               "sink_mass", "--over", "samples",
                                                               NULL });
  g_autoptr(GBytes) all = render_pixels ((const char *[]) { "--plot", "heatmap", "--metric",
                                                           "sink_mass", "--over", "all", NULL });
  g_autoptr(GBytes) iqr = render_pixels ((const char *[]) { "--plot", "heatmap", "--metric",
                                                           "sink_mass", "--over", "all",
                                                           "--statistic", "iqr", NULL });
  g_autoptr(GBytes) regimes = render_pixels ((const char *[]) { "--plot", "regimes", NULL });
  g_autoptr(GBytes) regimes_all = render_pixels ((const char *[]) { "--plot", "regimes",
                                                                   "--over", "all", NULL });
  g_autoptr(GBytes) regimes_one = render_pixels ((const char *[]) { "--plot", "regimes",
                                                                   "--over", "shown", NULL });
  const char *bad[] = { cli, "render", file, "--plot", "heatmap", "--over", "layers", "-o",
                        "x.png", NULL };
  const char *bad_stat[] = { cli, "render", file, "--plot", "heatmap", "--statistic", "max",
                             "-o", "x.png", NULL };
  g_auto(HlTestRun) r = { 0 };
  g_auto(HlTestRun) r2 = { 0 };

  g_assert_false (g_bytes_equal (shown, samples));
  g_assert_true (g_bytes_equal (samples, all));
  g_assert_false (g_bytes_equal (all, iqr));
  g_assert_true (g_bytes_equal (regimes, regimes_all));
  g_assert_false (g_bytes_equal (regimes, regimes_one));
  hl_test_run_argv (&r, bad);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "shown, samples, queries or all"));
  hl_test_run_argv (&r2, bad_stat);
  g_assert_cmpint (r2.status, ==, 2);
  g_assert_nonnull (strstr (r2.err, "mean or iqr"));
}

static void
make_file (void)
{
  const char *argv[] = {
    cli, "synth", "-o", NULL, "--layers", "3", "--heads", "4", "--kv-heads", "2",
    "--head-dim", "16", "--seq-len", "64", "--samples", "2", "--seed", "3", NULL
  };
  g_auto(HlTestRun) r = { 0 };

  tmp_dir = hl_test_make_tmp_dir ();
  file = g_build_filename (tmp_dir, "tiny.h5", NULL);
  argv[3] = file;
  hl_test_run_argv (&r, argv);
  if (r.status != 0)
    g_error ("synth failed: %s", r.err);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: test-cli-render HEADLENS-CLI");
  cli = argv[1];
  make_file ();
  g_test_add_func ("/cli/render/every-kind-every-format", test_every_kind_every_format);
  g_test_add_func ("/cli/render/panel-size-in-cm", test_panel_size_in_cm);
  g_test_add_func ("/cli/render/bad-requests", test_bad_requests);
  g_test_add_func ("/cli/render/metric-names", test_metric_names);
  g_test_add_func ("/cli/render/over", test_over);
  status = g_test_run ();
  hl_test_remove_tmp_dir (tmp_dir);
  g_free (file);
  g_free (tmp_dir);
  return status;
}
