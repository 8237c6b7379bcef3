/* test-fuzz.c: corrupted files end in a clean error or a clean load.
 *
 * A small valid file (float32 with and without gzip, and float16 values
 * with float64 attention) is copied many times with a few random bytes
 * changed, and sometimes truncated; each copy is opened, validated and
 * every block read. Any crash, abort or AddressSanitizer
 * report fails the test; it runs in the sanitizer build of `make check`.
 * Which bytes are mutated, and why not all, is explained above
 * find_mutable_ranges().
 * The seed is fixed so a failure can be replayed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "io-test-util.h"

#include <hdf5.h>
#include <string.h>

#define ITERATIONS   1500
#define TIME_LIMIT_S 10.0
#define SEED         20240601

typedef struct
{
  guint loaded;
  guint failed_open;
  guint failed_blocks;
} Outcome;

static void
assert_clean_error (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == HL_ACTIVATIONS_ERROR);
  g_assert_nonnull (error->message);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

/* Reads every block and token row, whatever fails on the way, so that a
 * damaged block late in the file is reached too. */
static gboolean
read_everything (HlActivations *acts)
{
  const HlActivationsInfo *info = hl_activations_get_info (acts);
  g_autofree float *values = g_new (float, (gsize) info->seq_len * info->head_dim);
  g_autofree float *rows = g_new (float, (gsize) info->n_queries * info->seq_len);
  g_autofree int32_t *ids = g_new (int32_t, info->seq_len);
  gboolean all_ok = TRUE;

  for (int l = 0; l < info->n_layers; l++)
    for (int s = 0; s < info->n_samples; s++)
      for (int h = 0; h < info->n_heads; h++)
        {
          g_autoptr(GError) error = NULL;

          if (h < info->n_kv_heads
              && !hl_activations_read_values (acts, l, s, h, values, &error))
            {
              assert_clean_error (error);
              g_clear_error (&error);
              all_ok = FALSE;
            }
          if (!hl_activations_read_attention (acts, l, s, h, rows, &error))
            {
              assert_clean_error (error);
              all_ok = FALSE;
            }
        }
  for (int s = 0; s < info->n_samples; s++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) texts = NULL;

      if (info->has_token_ids && !hl_activations_read_token_ids (acts, s, ids, &error))
        {
          assert_clean_error (error);
          g_clear_error (&error);
          all_ok = FALSE;
        }
      if (info->has_token_texts
          && (texts = hl_activations_read_token_texts (acts, s, &error)) == NULL)
        {
          assert_clean_error (error);
          all_ok = FALSE;
        }
    }
  return all_ok;
}

static void
try_file (const char *path,
          Outcome    *outcome)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) acts = hl_activations_open (path, &error);

  if (acts == NULL)
    {
      assert_clean_error (error);
      outcome->failed_open++;
      return;
    }
  if (!hl_activations_validate_all (acts, &error))
    assert_clean_error (error);
  if (read_everything (acts) && error == NULL)
    outcome->loaded++;
  else
    outcome->failed_blocks++;
  g_free (hl_activations_read_int_dataset (acts, "/synth/regime", NULL, NULL));
}

/* The byte ranges mutations may touch: the superblock and the stored
 * data of every dataset except /tokens/text.
 *
 * HDF5 1.10.8 does not survive corruption of its own structures: with
 * bytes changed in object headers (attribute, datatype, layout messages)
 * or in global heap collections, AddressSanitizer reports heap overflows
 * inside libhdf5 (memcpy from H5O__msg_iterate_real under H5Aexists, and
 * from H5HG_read when resolving variable-length strings), and plain builds
 * segfault there. No check on our side can run before HDF5 parses those
 * structures, so mutations are confined to where our own validation is
 * what stands between a corrupted file and the user: the data chunks
 * (raw numbers, gzip streams, query positions, token ids) plus the
 * superblock, and truncation anywhere. Header-level damage (wrong types,
 * ranks, shapes, sizes, chunk layouts) is covered by test-validation, and
 * damage to HDF5's own structures, which the probe process takes, by
 * robust-fuzz-structures (tests/fuzz/hl-fuzz-campaign.py). */
typedef struct
{
  gsize start;
  gsize end;
} Range;

static void
add_dataset_storage (GArray     *ranges,
                     hid_t       file,
                     const char *name)
{
  hid_t dset = H5Dopen2 (file, name, H5P_DEFAULT);
  hid_t space = H5Dget_space (dset);
  hid_t dcpl = H5Dget_create_plist (dset);
  hsize_t n_chunks = 0;
  Range range;

  g_assert_cmpint (dset, >=, 0);
  if (H5Pget_layout (dcpl) != H5D_CHUNKED)
    {
      range.start = H5Dget_offset (dset);
      range.end = range.start + H5Dget_storage_size (dset);
      g_array_append_val (ranges, range);
    }
  else
    {
      g_assert_cmpint (H5Dget_num_chunks (dset, space, &n_chunks), >=, 0);
      for (hsize_t i = 0; i < n_chunks; i++)
        {
          haddr_t address;
          hsize_t size;

          g_assert_cmpint (H5Dget_chunk_info (dset, space, i, NULL, NULL, &address, &size), >=, 0);
          range.start = address;
          range.end = address + size;
          g_array_append_val (ranges, range);
        }
    }
  H5Pclose (dcpl);
  H5Sclose (space);
  H5Dclose (dset);
}

static GArray *
find_mutable_ranges (const char *path)
{
  const char *datasets[] = { "/values", "/attention", "/query_positions", "/tokens/ids" };
  GArray *ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  Range superblock = { 0, 96 };

  g_assert_cmpint (file, >=, 0);
  g_array_append_val (ranges, superblock);
  for (guint i = 0; i < G_N_ELEMENTS (datasets); i++)
    add_dataset_storage (ranges, file, datasets[i]);
  H5Fclose (file);
  return ranges;
}

static gsize
random_offset (GArray *ranges,
               GRand  *rand)
{
  const Range *range = &g_array_index (ranges, Range, g_rand_int_range (rand, 0, ranges->len));

  return range->start + g_rand_int_range (rand, 0, (gint32) (range->end - range->start));
}

static gsize
mutate (char   *bytes,
        gsize   length,
        GArray *ranges,
        GRand  *rand)
{
  int n_changes = g_rand_int_range (rand, 1, 9);

  for (int i = 0; i < n_changes; i++)
    {
      gsize at = random_offset (ranges, rand);

      g_assert_cmpuint (at, <, length);
      /* Half the changes flip one bit, the rest write an arbitrary byte:
       * single bits keep most structures plausible and reach deeper. */
      if (g_rand_boolean (rand))
        bytes[at] ^= (char) (1 << g_rand_int_range (rand, 0, 8));
      else
        bytes[at] = (char) g_rand_int_range (rand, 0, 256);
    }
  if (g_rand_int_range (rand, 0, 8) == 0)
    return g_rand_int_range (rand, 0, (gint32) length);
  return length;
}

/* The number of fuzz tests sharing ITERATIONS and TIME_LIMIT_S. */
#define N_RUNS 3

static void
fuzz_spec (int     gzip_level,
           HlDtype values_dtype,
           HlDtype attention_dtype)
{
  HlActivationsSpec spec = io_test_small_spec ();
  g_autofree char *dir = io_test_make_tmpdir ();
  g_autofree char *valid = g_build_filename (dir, "valid.h5", NULL);
  g_autofree char *broken = g_build_filename (dir, "broken.h5", NULL);
  g_autofree char *original = NULL;
  g_autofree char *copy = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED + gzip_level + 10 * values_dtype);
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autoptr(GArray) ranges = NULL;
  Outcome outcome = { 0 };
  gsize length;
  guint i;

  spec.gzip_level = gzip_level;
  spec.values_dtype = values_dtype;
  spec.attention_dtype = attention_dtype;
  spec.n_layers = 1;
  io_test_write_file (valid, &spec, FALSE);
  g_assert_true (g_file_get_contents (valid, &original, &length, NULL));
  copy = g_malloc (length);
  ranges = find_mutable_ranges (valid);

  for (i = 0; i < ITERATIONS / N_RUNS && g_timer_elapsed (timer, NULL) < TIME_LIMIT_S / N_RUNS;
       i++)
    {
      gsize kept;

      memcpy (copy, original, length);
      kept = mutate (copy, length, ranges, rand);
      /* No fsync: the copies are thrown away, and syncing dominates the run. */
      g_assert_true (g_file_set_contents_full (broken, copy, kept, G_FILE_SET_CONTENTS_NONE,
                                               0644, NULL));
      try_file (broken, &outcome);
    }
  g_test_message ("%s values, gzip %d, %u iterations of a %" G_GSIZE_FORMAT "-byte file: %u loaded, "
                  "%u refused at open, %u refused when reading blocks",
                  hl_dtype_to_string (values_dtype), gzip_level, i, length, outcome.loaded, outcome.failed_open,
                  outcome.failed_blocks);
  /* Both outcomes must occur, or the mutations are not reaching the
   * reader's checks. Nearly every change to a gzip stream breaks it, so
   * there a clean load is too rare to require in the time given. */
  g_assert_cmpuint (outcome.loaded + (gzip_level > 0 ? 1 : 0), >, 0);
  g_assert_cmpuint (outcome.failed_open + outcome.failed_blocks, >, 0);
  io_test_remove_tmpdir (dir);
}

static void
test_fuzz_plain (void)
{
  fuzz_spec (0, HL_DTYPE_FLOAT32, HL_DTYPE_FLOAT32);
}

static void
test_fuzz_gzip (void)
{
  fuzz_spec (6, HL_DTYPE_FLOAT32, HL_DTYPE_FLOAT32);
}

/* float16 values and float64 attention take the reader's own conversions
 * (raw reads into its scratch buffer), which must survive damage too. */
static void
test_fuzz_float16 (void)
{
  fuzz_spec (0, HL_DTYPE_FLOAT16, HL_DTYPE_FLOAT64);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/io/fuzz/plain", test_fuzz_plain);
  g_test_add_func ("/io/fuzz/gzip", test_fuzz_gzip);
  g_test_add_func ("/io/fuzz/float16", test_fuzz_float16);
  return g_test_run ();
}
