/* test-extract-dialog.c: Extract from Model runs a real checkpoint or a
 * Hugging Face model folder in the background, reports progress, can be
 * cancelled, explains bad checkpoints and hands over a file that opens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "analysis-fixture.h"
#include "extract-test-util.h"
#include "hl-test-util.h"
#include "hl-activations.h"
#include "hl-extract-dialog.h"
#include "hl-gui-test.h"
#include "hl-window.h"

#define PROMPT "Once upon a time, there was a little girl named Lily. She loved to play " \
               "outside in the park with her friends."

/* ../shared/models/stories260K/@name, or NULL after skipping the test. */
static char *
shared_model_file (const char *name)
{
  const char *shared = g_getenv ("HL_TEST_SHARED_DIR");
  g_autofree char *path = NULL;

  if (shared != NULL)
    path = g_build_filename (shared, "models", "stories260K", name, NULL);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("../shared/models/stories260K is absent: the extraction needs its "
                   "checkpoint and tokenizer");
      return NULL;
    }

  return g_steal_pointer (&path);
}

static gboolean
is_idle (gpointer user_data)
{
  return !hl_extract_dialog_get_running (HL_EXTRACT_DIALOG (user_data));
}

typedef struct
{
  GFile *file;
  char  *summary;
} Extracted;

static void
extracted_cb (HlExtractDialog *dialog,
              GFile           *file,
              const char      *summary,
              Extracted       *out)
{
  g_set_object (&out->file, file);
  g_free (out->summary);
  out->summary = g_strdup (summary);
}

static HlExtractDialog *
dialog_on_stories (const char *output)
{
  g_autofree char *checkpoint = shared_model_file ("stories260K.bin");
  g_autofree char *tokenizer = NULL;
  HlExtractDialog *dialog;

  if (checkpoint == NULL)
    return NULL;
  tokenizer = shared_model_file ("tok512.bin");

  dialog = hl_extract_dialog_new (NULL);
  hl_extract_dialog_set_checkpoint (dialog, checkpoint);
  hl_extract_dialog_set_tokenizer (dialog, tokenizer);
  hl_extract_dialog_set_text (dialog, PROMPT, NULL);
  hl_extract_dialog_set_output (dialog, output);
  return dialog;
}

/* A Hugging Face model folder (tiny random GPT-2 in the Hub layout):
 * choosing it replaces the checkpoint and tokenizer, the extraction runs
 * and the file shows the model's shape and its tokenizer's tokens. */
static void
test_model_folder (void)
{
  g_autofree char *model = test_write_hf_model ("gpt2");
  g_autofree char *output = NULL;
  Extracted extracted = { NULL, NULL };
  g_autoptr(HlActivations) activations = NULL;
  g_auto(GStrv) texts = NULL;
  HlExtractDialog *dialog;
  const HlActivationsInfo *info;

  if (model == NULL)
    return;
  output = g_build_filename (model, "out.h5", NULL);
  dialog = hl_extract_dialog_new (NULL);
  hl_extract_dialog_set_checkpoint (dialog, "/nonexistent/model.bin");
  hl_extract_dialog_set_model_dir (dialog, model);
  hl_extract_dialog_set_text (dialog, "Hello world, this is a test of the model folder.", NULL);
  hl_extract_dialog_set_output (dialog, output);
  hl_extract_dialog_set_queries (dialog, "all");
  g_signal_connect (dialog, "extracted", G_CALLBACK (extracted_cb), &extracted);
  gtk_window_present (GTK_WINDOW (dialog));
  hl_extract_dialog_start (dialog);
  g_object_ref (dialog);
  g_assert_true (hl_test_wait_until (is_idle, dialog, 30000));
  hl_test_spin (50);
  g_assert_nonnull (extracted.file);
  g_assert_nonnull (strstr (extracted.summary, "mean next-token loss"));
  g_clear_object (&extracted.file);
  g_clear_pointer (&extracted.summary, g_free);
  g_assert_finalize_object (dialog);

  activations = hl_activations_open (output, NULL);
  g_assert_nonnull (activations);
  info = hl_activations_get_info (activations);
  g_assert_cmpint (info->n_layers, ==, 2);
  g_assert_cmpint (info->n_heads, ==, 3);
  texts = hl_activations_read_token_texts (activations, 0, NULL);
  /* GPT-2's tokenizer adds no BOS: "Hello" is the first token. */
  g_assert_cmpstr (texts[0], ==, "Hello");
  g_assert_cmpstr (texts[1], ==, " world");
  g_clear_object (&activations);
  hl_test_remove_tmp_dir (model);
}

static void
test_extract_opens (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *output = g_build_filename (dir, "lily.h5", NULL);
  HlExtractDialog *dialog = dialog_on_stories (output);
  g_autoptr(HlActivations) activations = NULL;
  g_autoptr(GError) error = NULL;
  Extracted extracted = { NULL, NULL };
  g_autofree char *expected = NULL;
  const HlActivationsInfo *info;
  double loss;
  int n_tokens, n_samples;

  if (dialog == NULL)
    {
      hl_test_remove_tmp_dir (dir);
      return;
    }

  g_signal_connect (dialog, "extracted", G_CALLBACK (extracted_cb), &extracted);
  hl_extract_dialog_set_queries (dialog, "all");
  hl_extract_dialog_set_window (dialog, 12, 6);
  gtk_window_present (GTK_WINDOW (dialog));
  hl_extract_dialog_start (dialog);
  g_assert_true (hl_extract_dialog_get_running (dialog));
  g_object_ref (dialog);
  g_assert_true (hl_test_wait_until (is_idle, dialog, 30000));
  hl_test_spin (50);

  /* It closed itself and handed over the file, which the reader accepts,
   * and what it measured: the text's tokens, the samples, the loss. */
  g_assert_nonnull (extracted.file);
  g_test_message ("%s", extracted.summary);
  g_assert_cmpint (sscanf (extracted.summary, "%d text tokens in %d samples; mean next-token loss "
                           "%lf nats per token", &n_tokens, &n_samples, &loss), ==, 3);
  g_assert_cmpint (n_tokens, >, 12);
  g_assert_cmpfloat (loss, >, 0.0);
  g_assert_cmpfloat (loss, <, 10.0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_cmpfloat (hl_extract_dialog_get_fraction (dialog), ==, 1.0);
  g_assert_finalize_object (dialog);

  activations = hl_activations_open (output, &error);
  g_assert_no_error (error);
  info = hl_activations_get_info (activations);
  g_assert_cmpint (info->n_layers, ==, 5);
  g_assert_cmpint (info->n_kv_heads, ==, 4);
  g_assert_cmpint (info->seq_len, ==, 12);
  g_assert_cmpint (info->n_samples, >=, 2);
  g_assert_cmpint (info->n_samples, ==, n_samples);
  g_assert_cmpint (info->n_queries, ==, 12);
  g_clear_object (&extracted.file);
  g_free (extracted.summary);

  hl_test_remove_tmp_dir (dir);
}

static void
test_cancel_writes_nothing (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *output = g_build_filename (dir, "cancelled.h5", NULL);
  HlExtractDialog *dialog = dialog_on_stories (output);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GFile) extracted = NULL;

  if (dialog == NULL)
    {
      hl_test_remove_tmp_dir (dir);
      return;
    }

  /* Work for a second or more, so that even a test machine that pauses
   * this thread between the two calls cannot finish it first. */
  for (int i = 0; i < 60; i++)
    g_string_append (text, PROMPT " ");
  hl_extract_dialog_set_text (dialog, text->str, NULL);
  hl_extract_dialog_set_window (dialog, 64, 16);
  g_signal_connect (dialog, "extracted", G_CALLBACK (extracted_cb), &extracted);
  gtk_window_present (GTK_WINDOW (dialog));
  hl_extract_dialog_start (dialog);
  hl_extract_dialog_cancel (dialog);
  g_assert_true (hl_test_wait_until (is_idle, dialog, 30000));

  /* Still open for another try; nothing written, no error shown. */
  g_assert_null (extracted);
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_null (hl_test_find_message_dialog (GTK_WINDOW (dialog)));

  hl_test_destroy_window (GTK_WINDOW (dialog));
  hl_test_remove_tmp_dir (dir);
}

static gboolean
has_dialog (gpointer user_data)
{
  return hl_test_find_message_dialog (GTK_WINDOW (user_data)) != NULL;
}

/* A file that is not a checkpoint gets a dialog that says so; this needs
 * no model. */
static void
test_bad_checkpoint (void)
{
  g_autofree char *dir = hl_test_make_tmp_dir ();
  g_autofree char *checkpoint = g_build_filename (dir, "notes.bin", NULL);
  g_autofree char *tokenizer = g_build_filename (dir, "tok.bin", NULL);
  g_autofree char *output = g_build_filename (dir, "out.h5", NULL);
  HlExtractDialog *dialog = hl_extract_dialog_new (NULL);
  AdwMessageDialog *message;

  g_assert_true (g_file_set_contents (checkpoint, "these are my notes, not weights", -1, NULL));
  g_assert_true (g_file_set_contents (tokenizer, "nor is this a tokenizer", -1, NULL));
  hl_extract_dialog_set_checkpoint (dialog, checkpoint);
  hl_extract_dialog_set_tokenizer (dialog, tokenizer);
  hl_extract_dialog_set_text (dialog, PROMPT, NULL);
  hl_extract_dialog_set_output (dialog, output);
  gtk_window_present (GTK_WINDOW (dialog));
  hl_extract_dialog_start (dialog);
  g_assert_true (hl_test_wait_until (is_idle, dialog, 10000));
  g_assert_true (hl_test_wait_until (has_dialog, dialog, 5000));

  message = hl_test_find_message_dialog (GTK_WINDOW (dialog));
  g_test_message ("%s: %s", adw_message_dialog_get_heading (message),
                  adw_message_dialog_get_body (message));
  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==,
                   "Not a Usable llama2.c Checkpoint");
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));

  gtk_window_destroy (GTK_WINDOW (message));
  hl_test_destroy_window (GTK_WINDOW (dialog));
  hl_test_remove_tmp_dir (dir);
}


/* The tokenizer chosen as the checkpoint is refused at once, with a
 * dialog that names what the file is and what was expected; the
 * checkpoint stays unchosen. */
static void
test_tokenizer_as_checkpoint (void)
{
  g_autofree char *tokenizer = shared_model_file ("tok512.bin");
  HlExtractDialog *dialog;
  AdwMessageDialog *message;

  if (tokenizer == NULL)
    return;
  dialog = hl_extract_dialog_new (NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  hl_extract_dialog_set_checkpoint (dialog, tokenizer);
  g_assert_true (hl_test_wait_until (has_dialog, dialog, 5000));
  message = hl_test_find_message_dialog (GTK_WINDOW (dialog));
  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==, "Not a Checkpoint");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (message),
                            "“tok512.bin” is a llama2.c tokenizer of 512 pieces, expected a "
                            "llama2.c checkpoint"));
  gtk_window_destroy (GTK_WINDOW (message));
  /* Nothing to extract with: the form still lacks its checkpoint. */
  hl_extract_dialog_set_tokenizer (dialog, tokenizer);
  hl_extract_dialog_set_text (dialog, PROMPT, NULL);
  hl_extract_dialog_set_output (dialog, "/nonexistent/out.h5");
  hl_extract_dialog_start (dialog);
  g_assert_false (hl_extract_dialog_get_running (dialog));
  hl_test_destroy_window (GTK_WINDOW (dialog));
}

/* A query list that does not parse is explained before anything runs. */
static void
test_bad_query_list (void)
{
  HlExtractDialog *dialog = hl_extract_dialog_new (NULL);
  AdwMessageDialog *message;

  hl_extract_dialog_set_checkpoint (dialog, "/nonexistent/model.bin");
  hl_extract_dialog_set_tokenizer (dialog, "/nonexistent/tok.bin");
  hl_extract_dialog_set_text (dialog, PROMPT, NULL);
  hl_extract_dialog_set_output (dialog, "/nonexistent/out.h5");
  hl_extract_dialog_set_queries (dialog, "16,seven");
  gtk_window_present (GTK_WINDOW (dialog));
  hl_extract_dialog_start (dialog);
  g_assert_false (hl_extract_dialog_get_running (dialog));
  g_assert_true (hl_test_wait_until (has_dialog, dialog, 5000));
  message = hl_test_find_message_dialog (GTK_WINDOW (dialog));
  g_test_message ("%s", adw_message_dialog_get_body (message));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (message), "seven"));

  gtk_window_destroy (GTK_WINDOW (message));
  hl_test_destroy_window (GTK_WINDOW (dialog));
}

static HlExtractDialog *
find_extract_dialog (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (HL_IS_EXTRACT_DIALOG (window) && gtk_window_get_transient_for (window) == parent)
        return HL_EXTRACT_DIALOG (window);
    }

  return NULL;
}

typedef struct
{
  HlWindow   *window;
  const char *path;
} OpenWait;

static gboolean
window_shows (gpointer user_data)
{
  OpenWait *wait = user_data;
  HlActivations *activations = hl_session_get_file (hl_window_get_session (wait->window));

  return activations != NULL && g_strcmp0 (hl_activations_get_path (activations), wait->path) == 0;
}

/* The window's Extract from Model… ends with the new file open. */
static void
test_window_opens_result (void)
{
  g_autofree char *checkpoint = shared_model_file ("stories260K.bin");
  g_autofree char *tokenizer = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *output = NULL;
  HlWindow *window;
  HlExtractDialog *dialog;
  OpenWait wait;

  if (checkpoint == NULL)
    return;
  tokenizer = shared_model_file ("tok512.bin");
  dir = hl_test_make_tmp_dir ();
  output = g_build_filename (dir, "from-window.h5", NULL);
  window = hl_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.extract", NULL));
  dialog = find_extract_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  hl_extract_dialog_set_checkpoint (dialog, checkpoint);
  hl_extract_dialog_set_tokenizer (dialog, tokenizer);
  hl_extract_dialog_set_text (dialog, PROMPT, NULL);
  hl_extract_dialog_set_output (dialog, output);
  hl_extract_dialog_start (dialog);

  wait = (OpenWait) { window, output };
  g_assert_true (hl_test_wait_until (window_shows, &wait, 30000));
  g_assert_null (find_extract_dialog (GTK_WINDOW (window)));

  hl_test_destroy_window (GTK_WINDOW (window));
  hl_test_remove_tmp_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/gui/extract-dialog/extract-opens", test_extract_opens);
  g_test_add_func ("/gui/extract-dialog/model-folder", test_model_folder);
  g_test_add_func ("/gui/extract-dialog/cancel", test_cancel_writes_nothing);
  g_test_add_func ("/gui/extract-dialog/bad-checkpoint", test_bad_checkpoint);
  g_test_add_func ("/gui/extract-dialog/bad-query-list", test_bad_query_list);
  g_test_add_func ("/gui/extract-dialog/tokenizer-as-checkpoint", test_tokenizer_as_checkpoint);
  g_test_add_func ("/gui/extract-dialog/window-opens-result", test_window_opens_result);

  return hl_test_run_and_wait ();
}
