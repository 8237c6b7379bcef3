/* render-gallery: writes a PNG of every plot kind, drawn from the fixed
 * fixtures, into a folder. docs/make-figures.sh runs it for the gallery and
 * the tests use the same figures as golden images.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-plot-export.h"
#include "render-fixtures.h"
#include "hl-plot-text.h"

#include <locale.h>
#include <stdio.h>

static gboolean
write_one (const char          *dir,
           const char          *name,
           HlPlotKind           kind,
           gconstpointer        data,
           double               width,
           double               height,
           HlPlotStylePreset    preset,
           GError             **error)
{
  g_autoptr(HlPlotStyle) style = hl_plot_style_new (preset, HL_PLOT_TARGET_EXPORT);
  g_autofree char *path = g_strdup_printf ("%s/%s.png", dir, name);
  HlPlotExportOptions options = { HL_PLOT_FORMAT_PNG, width, height, 150, FALSE };

  return hl_plot_export_to_file (kind, style, data, &options, path, error);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *dir;
  gboolean ok = TRUE;

  setlocale (LC_ALL, "");
  if (argc != 2)
    {
      fprintf (stderr, "Usage: render-gallery FOLDER\n");
      return 2;
    }
  dir = argv[1];
  for (int k = 0; k < HL_N_PLOT_KINDS && ok; k++)
    ok = write_one (dir, hl_plot_kind_to_string (k), k, render_fixture (k),
                    k == HL_PLOT_PANEL ? 7.0 : 3.5, k == HL_PLOT_PANEL ? 2.3 : 2.6,
                    HL_PLOT_STYLE_LIGHT, &error);
  ok = ok && write_one (dir, "heatmap-metric", HL_PLOT_HEATMAP, render_fixture_heatmap_metric (),
                        3.5, 2.6, HL_PLOT_STYLE_LIGHT, &error);
  ok = ok && write_one (dir, "scatter-cosine", HL_PLOT_SCATTER, render_fixture_scatter_cosine (),
                        3.5, 2.6, HL_PLOT_STYLE_LIGHT, &error);
  ok = ok && write_one (dir, "profile-log", HL_PLOT_PROFILE, render_fixture_profile_log (),
                        3.5, 2.6, HL_PLOT_STYLE_LIGHT, &error);
  ok = ok && write_one (dir, "curves-dark", HL_PLOT_CURVES, render_fixture (HL_PLOT_CURVES),
                        3.5, 2.6, HL_PLOT_STYLE_DARK, &error);
  render_fixture_free_all ();
  hl_plot_text_release_caches ();
  if (!ok)
    {
      fprintf (stderr, "render-gallery: %s\n", error->message);
      return 1;
    }
  return 0;
}
