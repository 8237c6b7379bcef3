/* bench-frames.c: how fluid the explorer stays while it analyses a
 * paper-sized model (32 layers × 32 heads, seq_len 1024, head_dim 128).
 *
 * A benchmark, not a test (`meson test --benchmark gui-frames`, under a
 * display): a tick callback keeps the frame clock running, as an animation
 * would, and the gaps between frames are measured while the analysis runs
 * (the widgets redraw what the arriving results change). Prints the longest
 * gap, the 99th percentile, how many gaps exceed 50 ms, and the analysis
 * time, and the same for an idle window as the baseline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-background.h"
#include "hl-explorer.h"
#include "hl-gui-test.h"
#include "hl-synth-model.h"
#include "hl-test-util.h"
#include "hl-window.h"

typedef struct
{
  GArray *gaps_ms;       /* double */
  gint64  last_frame_us;
} FrameLog;

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  FrameLog *log = user_data;
  gint64 now = g_get_monotonic_time ();

  if (log->last_frame_us != 0)
    {
      double gap = (now - log->last_frame_us) / 1000.0;

      g_array_append_val (log->gaps_ms, gap);
    }
  log->last_frame_us = now;
  return G_SOURCE_CONTINUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
write_model (const char *path,
             int         n_layers)
{
  g_autoptr(GError) error = NULL;
  HlSynthModelParams params;

  hl_synth_model_params_init (&params);
  params.model = "frames-benchmark";
  params.n_layers = n_layers;
  params.n_heads = 32;
  params.n_kv_heads = 32;
  params.head_dim = 128;
  params.seq_len = 1024;
  params.n_samples = 1;
  params.head.head_dim = 128;
  params.head.n_keys = 1024;
  if (!hl_synth_model_write (&params, path, NULL, NULL, NULL, NULL, &error))
    g_error ("%s", error->message);
}

static gboolean
analysis_finished (gpointer user_data)
{
  HlSession *session = hl_window_get_session (user_data);

  return hl_session_get_n_expected (session) > 0
         && hl_session_get_n_received (session) == hl_session_get_n_expected (session);
}

static void
report (GArray *gaps_ms,
        double  analysis_s)
{
  guint over = 0;

  g_array_sort (gaps_ms, compare_doubles);
  for (guint i = 0; i < gaps_ms->len; i++)
    over += g_array_index (gaps_ms, double, i) > 50.0;
  g_print ("frames: %u in %.2f s\n", gaps_ms->len, analysis_s);
  if (gaps_ms->len == 0)
    return;
  g_print ("frame gap: median %.1f ms, 99th percentile %.1f ms, longest %.1f ms\n",
           g_array_index (gaps_ms, double, gaps_ms->len / 2),
           g_array_index (gaps_ms, double, (gaps_ms->len * 99) / 100),
           g_array_index (gaps_ms, double, gaps_ms->len - 1));
  g_print ("gaps over 50 ms: %u (%.1f%%)\n", over, 100.0 * over / gaps_ms->len);
}

int
main (int    argc,
      char **argv)
{
  int n_layers = argc > 1 ? atoi (argv[1]) : 32;
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "frames.h5", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  FrameLog log = { g_array_new (FALSE, FALSE, sizeof (double)), 0 };
  HlWindow *window;
  gint64 start;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  write_model (path, n_layers);

  window = hl_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  hl_test_spin (500);

  g_print ("GSK_RENDERER: %s\n", g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "(GTK's default)");
  gtk_widget_add_tick_callback (GTK_WIDGET (window), tick_cb, &log, NULL);
  hl_test_spin (2000);
  g_print ("idle window, 2 s:\n");
  report (log.gaps_ms, 2.0);
  g_array_set_size (log.gaps_ms, 0);
  start = g_get_monotonic_time ();
  hl_window_open (window, file);
  if (!hl_test_wait_until (analysis_finished, window, 600000))
    g_error ("the analysis did not finish within 10 minutes");
  g_print ("while analysing:\n");
  report (log.gaps_ms, (g_get_monotonic_time () - start) / 1e6);

  hl_test_destroy_window (GTK_WINDOW (window));
  hl_background_wait (10 * G_USEC_PER_SEC);
  g_array_unref (log.gaps_ms);
  hl_test_remove_tmp_dir (dir);
  return 0;
}
