/* test-outputs.c: what the commands write never replaces what they read,
 * is replaced as a set, survives a full disk and leaves nothing behind
 * when interrupted. The path of headlens-cli is the first argument.
 *
 * Full disks are simulated with tests/common/hl-full-disk.c (LD_PRELOAD),
 * which makes a folder behave like a disk of a given size.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "extract-test-util.h"
#include "robust-test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A small llama2.c model, its tokenizer and a text, in @dir. */
typedef struct
{
  char *dir;
  char *checkpoint;
  char *tokenizer;
  char *text;
} Model;

static const HlCheckpointConfig small_config = {
  .version = 1, .dim = 16, .hidden_dim = 32, .n_layers = 2, .n_heads = 4, .n_kv_heads = 2,
  .vocab_size = 262, .seq_len = 64, .shared_classifier = TRUE,
};

static void
model_init (Model      *m,
            const char *dir,
            int         text_repeats)
{
  static const char * const extra[] = { " the", "ll", "ar" };
  static const float scores[] = { -1.f, -2.f, -3.f };
  g_autoptr(TestModel) model = test_model_new_random (&small_config, 5);
  g_autoptr(GString) text = g_string_new (NULL);

  m->dir = g_strdup (dir);
  m->checkpoint = g_build_filename (dir, "model.bin", NULL);
  m->tokenizer = g_build_filename (dir, "tok.bin", NULL);
  m->text = g_build_filename (dir, "story.txt", NULL);
  test_model_write (model, m->checkpoint);
  test_write_byte_tokenizer (m->tokenizer, extra, scores, G_N_ELEMENTS (extra));
  for (int i = 0; i < text_repeats; i++)
    g_string_append (text, "Lily and Tom played with a ball in the park. ");
  g_assert_true (g_file_set_contents (m->text, text->str, -1, NULL));
}

static void
model_clear (Model *m)
{
  g_free (m->dir);
  g_free (m->checkpoint);
  g_free (m->tokenizer);
  g_free (m->text);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Model, model_clear)

static GBytes *
read_bytes (const char *path)
{
  char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_bytes_new_take (contents, length);
}

static void
assert_file_is (const char *dir,
                const char *name,
                const char *expected)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
}

static void
write_synth (const char *path)
{
  g_auto(RobustRun) run = { 0 };

  robust_run (&run, "synth", "-o", path, "--layers", "2", "--heads", "2", "--seq-len", "32",
              "--head-dim", "8", "--samples", "1", NULL);
  g_assert_cmpint (run.status, ==, 0);
}

/* Runs extract with @output as -o; it must be refused and @input keep
 * its bytes. */
static void
assert_extract_refused (const Model *m,
                        const char  *output,
                        const char  *input)
{
  g_autoptr(GBytes) before = read_bytes (input);
  g_autoptr(GBytes) after = NULL;
  g_auto(RobustRun) run = { 0 };

  robust_run (&run, "extract", "--checkpoint", m->checkpoint, "--tokenizer", m->tokenizer,
              "--text-file", m->text, "--window", "16", "-o", output, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "is the input"));
  after = read_bytes (input);
  g_assert_true (g_bytes_equal (before, after));
}

/* extract -o naming the checkpoint, the tokenizer or the text, directly,
 * through a symbolic link or a hard link, is refused before anything is
 * written. */
static void
test_extract_refuses_inputs (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *symlink_path = g_build_filename (dir, "link.h5", NULL);
  g_autofree char *hardlink_path = g_build_filename (dir, "hard.h5", NULL);
  g_auto(Model) m = { 0 };

  model_init (&m, dir, 4);
  assert_extract_refused (&m, m.checkpoint, m.checkpoint);
  assert_extract_refused (&m, m.tokenizer, m.tokenizer);
  assert_extract_refused (&m, m.text, m.text);
  g_assert_cmpint (symlink ("model.bin", symlink_path), ==, 0);
  assert_extract_refused (&m, symlink_path, m.checkpoint);
  g_assert_cmpint (link (m.text, hardlink_path), ==, 0);
  assert_extract_refused (&m, hardlink_path, m.text);
  hl_test_remove_tmp_dir (dir);
}

/* render -o naming its input (the same name, or a link with a figure's
 * extension) is refused. */
static void
test_render_refuses_input (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *input = g_build_filename (dir, "acts.png", NULL);
  g_autofree char *link_path = g_build_filename (dir, "figure.pdf", NULL);
  const char *outputs[] = { input, link_path };
  g_autoptr(GBytes) before = NULL;

  write_synth (input);
  before = read_bytes (input);
  g_assert_cmpint (symlink ("acts.png", link_path), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_auto(RobustRun) run = { 0 };
      g_autoptr(GBytes) after = NULL;

      robust_run (&run, "render", input, "--plot", "heatmap", "--bootstrap", "10",
                  "-o", outputs[i], NULL);
      g_assert_cmpint (run.status, !=, 0);
      g_assert_nonnull (strstr (run.err, "is the input"));
      after = read_bytes (input);
      g_assert_true (g_bytes_equal (before, after));
    }
  hl_test_remove_tmp_dir (dir);
}

/* analyze of DIR/curves.csv into DIR would replace its own input. */
static void
test_analyze_refuses_input (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *input = g_build_filename (dir, "curves.csv", NULL);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autofree char *listing = NULL;
  g_auto(RobustRun) run = { 0 };

  write_synth (input);
  before = read_bytes (input);
  robust_run (&run, "analyze", input, "--bootstrap", "10", "--out", dir, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "is the input"));
  after = read_bytes (input);
  g_assert_true (g_bytes_equal (before, after));
  listing = robust_list_dir (dir);
  g_assert_cmpstr (listing, ==, "curves.csv");
  hl_test_remove_tmp_dir (dir);
}

static gint64
file_size (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

/* With room for curves.csv but not heads.csv, analyze fails and the
 * previous three files stay as they were: never a new curves.csv beside
 * an old model.csv. */
static void
test_analyze_full_disk_keeps_set (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *input = g_build_filename (dir, "acts.h5", NULL);
  g_autofree char *probe = g_build_filename (dir, "probe", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  const char *names[] = { "curves.csv", "heads.csv", "model.csv" };
  g_auto(GStrv) env = NULL;
  g_autofree char *listing = NULL;
  g_auto(RobustRun) run = { 0 };
  gint64 curves, heads;

  write_synth (input);
  robust_run (&run, "analyze", input, "--bootstrap", "10", "--out", probe, NULL);
  g_assert_cmpint (run.status, ==, 0);
  curves = file_size (probe, "curves.csv");
  heads = file_size (probe, "heads.csv");
  g_assert_cmpint (g_mkdir (out, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (out, names[i], NULL);

      g_assert_true (g_file_set_contents (path, "old\n", -1, NULL));
    }

  /* Three 4 KiB blocks hold the old files; then room for curves.csv and
   * half of heads.csv. */
  env = robust_full_disk_env (out, 3 * 4096 + curves + 4096 + heads / 2);
  robust_run_full (&run, (const char * const *) env, 60.0,
                   (const char *[]) { "analyze", input, "--bootstrap", "10", "--out", out, NULL });
  g_assert_cmpint (run.signal, ==, 0);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "No space left on device"));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    assert_file_is (out, names[i], "old\n");
  listing = robust_list_dir (out);
  g_assert_cmpstr (listing, ==, "curves.csv heads.csv model.csv");
  hl_test_remove_tmp_dir (dir);
}

/* synth and extract on a disk that fills up at various points: a clean
 * error naming the output and the reason, no crash at exit (HDF5's exit
 * handler used to crash on the file it could not close) and no
 * temporary file left. */
static void
assert_full_disk_clean (const char * const *argv,
                        const char         *dir,
                        const char         *output)
{
  const gint64 sizes[] = { 3000, 20000, 200000 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_auto(GStrv) env = robust_full_disk_env (dir, sizes[i]);
      g_auto(RobustRun) run = { 0 };
      g_autofree char *listing = NULL;

      robust_run_full (&run, (const char * const *) env, 60.0, argv);
      g_assert_cmpint (run.signal, ==, 0);
      g_assert_cmpint (run.status, ==, 1);
      g_assert_nonnull (strstr (run.err, output));
      g_assert_nonnull (strstr (run.err, "No space left on device"));
      listing = robust_list_dir (dir);
      g_assert_cmpstr (listing, ==, "");
    }
}

static void
test_synth_full_disk (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "synth.h5", NULL);

  assert_full_disk_clean ((const char *[]) { "synth", "-o", out, "--layers", "4", "--heads", "4",
                                             "--seq-len", "256", "--samples", "2", NULL },
                          dir, out);
  hl_test_remove_tmp_dir (dir);
}

static void
test_extract_full_disk (void)
{
  g_autofree char *models = hl_test_make_tmp_dir ();
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "acts.h5", NULL);
  g_auto(Model) m = { 0 };

  model_init (&m, models, 400);
  assert_full_disk_clean ((const char *[]) { "extract", "--checkpoint", m.checkpoint,
                                             "--tokenizer", m.tokenizer, "--text-file", m.text,
                                             "--values-dtype", "f32", "-o", out, NULL },
                          dir, out);
  hl_test_remove_tmp_dir (dir);
  hl_test_remove_tmp_dir (models);
}

/* A synth run big enough to be interrupted while it writes. */
static GPid
spawn_big_synth (const char *out)
{
  return robust_spawn ((const char *[]) { "synth", "-o", out, "--layers", "24", "--heads", "8",
                                          "--seq-len", "1024", "--samples", "2", NULL });
}

/* SIGTERM and SIGINT in the middle of writing: the process ends by that
 * signal and removes its temporary file. */
static void
test_signal_removes_temporary (gconstpointer data)
{
  int sig = GPOINTER_TO_INT (data);
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "big.h5", NULL);
  g_autofree char *listing = NULL;
  GPid pid = spawn_big_synth (out);
  int status;

  g_assert_true (robust_wait_for_file (dir, "big.h5", 1 << 20, 60.0));
  kill (pid, sig);
  status = robust_wait (pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, sig);
  listing = robust_list_dir (dir);
  g_assert_cmpstr (listing, ==, "");
  hl_test_remove_tmp_dir (dir);
}

/* extract left hidden .NAME.h5.XXXXXX.tmp files (50 MB) when it was
 * killed; SIGTERM while it writes every query position of 280 windows now
 * leaves nothing. */
static void
test_extract_signal_removes_temporary (void)
{
  g_autofree char *models = hl_test_make_tmp_dir ();
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "acts.h5", NULL);
  g_autofree char *listing = NULL;
  g_auto(Model) m = { 0 };
  GPid pid;
  int status;

  model_init (&m, models, 400);
  pid = robust_spawn ((const char *[]) { "extract", "--checkpoint", m.checkpoint,
                                         "--tokenizer", m.tokenizer, "--text-file", m.text,
                                         "--queries", "all", "--values-dtype", "f32",
                                         "-o", out, NULL });
  g_assert_true (robust_wait_for_file (dir, "acts.h5", 1 << 20, 60.0));
  kill (pid, SIGTERM);
  status = robust_wait (pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGTERM);
  listing = robust_list_dir (dir);
  g_assert_cmpstr (listing, ==, "");
  hl_test_remove_tmp_dir (dir);
  hl_test_remove_tmp_dir (models);
}

/* A run killed with SIGKILL cannot clean up; the next run writing to the
 * same folder removes what it left. */
static void
test_next_run_removes_stale (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "big.h5", NULL);
  g_autofree char *listing = NULL;
  GPid pid = spawn_big_synth (out);

  g_assert_true (robust_wait_for_file (dir, "big.h5", 1 << 20, 60.0));
  kill (pid, SIGKILL);
  robust_wait (pid);
  listing = robust_list_dir (dir);
  g_assert_true (g_str_has_prefix (listing, ".headlens-"));
  g_clear_pointer (&listing, g_free);
  write_synth (out);
  listing = robust_list_dir (dir);
  g_assert_cmpstr (listing, ==, "big.h5");
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  robust_set_cli (argv[1]);

  g_test_add_func ("/outputs/extract-refuses-inputs", test_extract_refuses_inputs);
  g_test_add_func ("/outputs/render-refuses-input", test_render_refuses_input);
  g_test_add_func ("/outputs/analyze-refuses-input", test_analyze_refuses_input);
  g_test_add_func ("/outputs/analyze-full-disk-keeps-set", test_analyze_full_disk_keeps_set);
  g_test_add_func ("/outputs/synth-full-disk", test_synth_full_disk);
  g_test_add_func ("/outputs/extract-full-disk", test_extract_full_disk);
  g_test_add_data_func ("/outputs/sigterm-removes-temporary", GINT_TO_POINTER (SIGTERM),
                        test_signal_removes_temporary);
  g_test_add_data_func ("/outputs/sigint-removes-temporary", GINT_TO_POINTER (SIGINT),
                        test_signal_removes_temporary);
  g_test_add_func ("/outputs/extract-sigterm-removes-temporary",
                   test_extract_signal_removes_temporary);
  g_test_add_func ("/outputs/next-run-removes-stale", test_next_run_removes_stale);
  return g_test_run ();
}
