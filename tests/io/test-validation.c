/* test-validation.c: broken files fail with an error that names the item,
 * says what was expected and what was found.
 *
 * Each test writes a valid file with the writer, then breaks one thing in
 * it with the HDF5 API directly, the way a faulty external tool would.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "io-test-util.h"

#include <glib/gstdio.h>
#include <hdf5.h>
#include <math.h>
#include <string.h>

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  HlActivationsSpec spec = io_test_small_spec ();

  fixture->dir = io_test_make_tmpdir ();
  fixture->path = g_build_filename (fixture->dir, "acts.h5", NULL);
  io_test_write_file (fixture->path, &spec, FALSE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  io_test_remove_tmpdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static hid_t
open_rw (Fixture *fixture)
{
  hid_t file = H5Fopen (fixture->path, H5F_ACC_RDWR, H5P_DEFAULT);

  g_assert_cmpint (file, >=, 0);
  return file;
}

static void
delete_attr (Fixture    *fixture,
             const char *name)
{
  hid_t file = open_rw (fixture);

  g_assert_cmpint (H5Adelete (file, name), >=, 0);
  H5Fclose (file);
}

/* Replaces the root attribute @name by an array of @n values of @type. */
static void
set_int_attr (Fixture       *fixture,
              const char    *name,
              hid_t          type,
              const int64_t *values,
              hsize_t        n)
{
  hid_t file = open_rw (fixture);
  hid_t space = n == 0 ? H5Screate (H5S_SCALAR) : H5Screate_simple (1, &n, NULL);
  hid_t attr;

  if (H5Aexists (file, name) > 0)
    H5Adelete (file, name);
  attr = H5Acreate2 (file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (H5Awrite (attr, H5T_NATIVE_INT64, values), >=, 0);
  H5Aclose (attr);
  H5Sclose (space);
  H5Fclose (file);
}

static void
set_scalar (Fixture    *fixture,
            const char *name,
            int64_t     value)
{
  set_int_attr (fixture, name, H5T_STD_I64LE, &value, 0);
}

/* Replaces the root attribute @name by a fixed-length, space-padded
 * string, the kind h5py writes for numpy bytes. */
static void
set_fixed_string_attr (Fixture    *fixture,
                       const char *name,
                       const char *value)
{
  hid_t file = open_rw (fixture);
  hid_t space = H5Screate (H5S_SCALAR);
  hid_t type = H5Tcopy (H5T_C_S1);
  g_autofree char *padded = g_strdup_printf ("%s   ", value);
  hid_t attr;

  H5Tset_size (type, strlen (padded));
  H5Tset_strpad (type, H5T_STR_SPACEPAD);
  if (H5Aexists (file, name) > 0)
    H5Adelete (file, name);
  attr = H5Acreate2 (file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (H5Awrite (attr, type, padded), >=, 0);
  H5Aclose (attr);
  H5Tclose (type);
  H5Sclose (space);
  H5Fclose (file);
}

static void
delete_link (Fixture    *fixture,
             const char *name)
{
  hid_t file = open_rw (fixture);

  g_assert_cmpint (H5Ldelete (file, name, H5P_DEFAULT), >=, 0);
  H5Fclose (file);
}

/* Replaces dataset @name by a chunked dataset of @type and @dims, stored
 * in full (zeros) up to 64 MiB; larger ones are never written (chunked
 * storage is allocated lazily, so huge shapes cost nothing), which the
 * reader refuses as claiming more than the file holds, after the checks
 * of shapes and sizes. */
static void
replace_dataset (Fixture       *fixture,
                 const char    *name,
                 hid_t          type,
                 int            rank,
                 const hsize_t *dims)
{
  hid_t file = open_rw (fixture);
  hid_t space = H5Screate_simple (rank, dims, NULL);
  hid_t dcpl = H5Pcreate (H5P_DATASET_CREATE);
  hid_t lcpl = H5Pcreate (H5P_LINK_CREATE);
  hsize_t chunk[H5S_MAX_RANK];
  hid_t dset;

  for (int i = 0; i < rank; i++)
    chunk[i] = MIN (dims[i], 64);
  H5Pset_chunk (dcpl, rank, chunk);
  if ((guint64) H5Sget_simple_extent_npoints (space) * H5Tget_size (type) <= 64 << 20)
    H5Pset_alloc_time (dcpl, H5D_ALLOC_TIME_EARLY);
  if (H5Lexists (file, name, H5P_DEFAULT) > 0)
    H5Ldelete (file, name, H5P_DEFAULT);
  H5Pset_create_intermediate_group (lcpl, 1);
  dset = H5Dcreate2 (file, name, type, space, lcpl, dcpl, H5P_DEFAULT);
  g_assert_cmpint (dset, >=, 0);
  H5Dclose (dset);
  H5Pclose (lcpl);
  H5Pclose (dcpl);
  H5Sclose (space);
  H5Fclose (file);
}

static void
replace_query_positions (Fixture   *fixture,
                         const int *positions,
                         hsize_t    n)
{
  hid_t file;
  hid_t dset;

  replace_dataset (fixture, "/query_positions", H5T_STD_I32LE, 1, &n);
  file = open_rw (fixture);
  dset = H5Dopen2 (file, "/query_positions", H5P_DEFAULT);
  g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                             positions), >=, 0);
  H5Dclose (dset);
  H5Fclose (file);
}

/* Overwrites @n elements of the last axis of a rank-5 dataset, starting at
 * @start. */
static void
write_elements (Fixture       *fixture,
                const char    *name,
                const hsize_t *start,
                const float   *data,
                hsize_t        n)
{
  hid_t file = open_rw (fixture);
  hid_t dset = H5Dopen2 (file, name, H5P_DEFAULT);
  hid_t fspace = H5Dget_space (dset);
  hid_t mspace = H5Screate_simple (1, &n, NULL);
  hsize_t count[5] = { 1, 1, 1, 1, n };

  H5Sselect_hyperslab (fspace, H5S_SELECT_SET, start, NULL, count, NULL);
  g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_FLOAT, mspace, fspace, H5P_DEFAULT, data), >=, 0);
  H5Sclose (mspace);
  H5Sclose (fspace);
  H5Dclose (dset);
  H5Fclose (file);
}

/* Asserts that opening fails with @code and a message containing every
 * string in the NULL-terminated list. */
static void
assert_open_fails (Fixture    *fixture,
                   int         code,
                   ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) acts = hl_activations_open (fixture->path, &error);
  va_list args;
  const char *needle;

  g_assert_null (acts);
  g_assert_error (error, HL_ACTIVATIONS_ERROR, code);
  g_test_message ("error: %s", error->message);
  va_start (args, code);
  while ((needle = va_arg (args, const char *)) != NULL)
    if (strstr (error->message, needle) == NULL)
      g_error ("“%s” does not contain “%s”", error->message, needle);
  va_end (args);
}

static void
assert_message_has (const GError *error,
                    const char   *a,
                    const char   *b,
                    const char   *c)
{
  const char *needles[] = { a, b, c };

  g_test_message ("error: %s", error->message);
  for (guint i = 0; i < G_N_ELEMENTS (needles); i++)
    if (needles[i] != NULL && strstr (error->message, needles[i]) == NULL)
      g_error ("“%s” does not contain “%s”", error->message, needles[i]);
}

static HlActivations *
open_ok (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  HlActivations *acts = hl_activations_open (fixture->path, &error);

  g_assert_no_error (error);
  return acts;
}

/* Not HDF5, truncated, absent. */

static void
test_not_hdf5 (Fixture       *fixture,
               gconstpointer  data)
{
  g_assert_true (g_file_set_contents (fixture->path, "layer,head,value\n0,0,1.5\n", -1, NULL));
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_NOT_HDF5, "acts.h5", "HDF5",
                     "expected", NULL);
}

static void
test_empty_file (Fixture       *fixture,
                 gconstpointer  data)
{
  g_assert_true (g_file_set_contents (fixture->path, "", 0, NULL));
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_NOT_HDF5, "acts.h5", "HDF5", NULL);
}

static void
test_truncated (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (fixture->path, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (fixture->path, contents, length / 2, NULL));
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_NOT_HDF5, "acts.h5", "truncated", NULL);
}

static void
test_absent_file (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_cmpint (g_unlink (fixture->path), ==, 0);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_IO, "acts.h5", NULL);
}

/* Format and version. */

static void
test_missing_format (Fixture       *fixture,
                     gconstpointer  data)
{
  delete_attr (fixture, "format");
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_FORMAT, "“format”", "missing",
                     "expected “headlens-activations”", NULL);
}

static void
test_wrong_format (Fixture       *fixture,
                   gconstpointer  data)
{
  set_fixed_string_attr (fixture, "format", "pytorch-dump");
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_FORMAT, "“format”", "“pytorch-dump”",
                     "expected “headlens-activations”", NULL);
}

static void
test_format_not_string (Fixture       *fixture,
                        gconstpointer  data)
{
  set_scalar (fixture, "format", 1);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_TYPE, "“format”", "1 integer value(s)",
                     "expected one string", NULL);
}

static void
test_missing_version (Fixture       *fixture,
                      gconstpointer  data)
{
  delete_attr (fixture, "format_version");
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_FORMAT, "“format_version”", "missing",
                     "expected 1", NULL);
}

static void
test_unknown_version (Fixture       *fixture,
                      gconstpointer  data)
{
  set_scalar (fixture, "format_version", 2);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_VERSION, "“format_version” is 2",
                     "expected 1", NULL);
}

/* Other tools write other (valid) variants: fixed-length strings, small or
 * unsigned integer types, no /query_positions with a single query, extra
 * attributes and datasets. */
static void
test_accepted_variants (Fixture       *fixture,
                        gconstpointer  data)
{
  const int64_t eight = 16, two = 2;
  hsize_t attention_dims[5] = { 2, 2, 4, 1, 16 };
  hsize_t extra_dims[1] = { 3 };
  g_autoptr(HlActivations) acts = NULL;
  const HlActivationsInfo *info;

  set_fixed_string_attr (fixture, "format", "headlens-activations");
  set_fixed_string_attr (fixture, "model", "fixed-model");
  set_int_attr (fixture, "seq_len", H5T_STD_U8LE, &eight, 0);
  set_int_attr (fixture, "n_kv_heads", H5T_STD_I16BE, &two, 1);
  set_scalar (fixture, "future_attribute", 42);
  replace_dataset (fixture, "/future/dataset", H5T_IEEE_F32LE, 1, extra_dims);
  delete_attr (fixture, "source");
  delete_link (fixture, "/query_positions");
  replace_dataset (fixture, "/attention", H5T_IEEE_F64BE, 5, attention_dims);

  acts = open_ok (fixture);
  info = hl_activations_get_info (acts);
  g_assert_cmpstr (info->model, ==, "fixed-model");
  g_assert_null (info->source);
  g_assert_cmpint (info->seq_len, ==, 16);
  g_assert_cmpint (info->n_kv_heads, ==, 2);
  g_assert_cmpint (info->n_queries, ==, 1);
  g_assert_cmpint (info->query_positions[0], ==, 15);
  g_assert_cmpint (info->attention_dtype, ==, HL_DTYPE_FLOAT64);
}

/* Attributes. */

static void
test_missing_attribute (Fixture       *fixture,
                        gconstpointer  data)
{
  delete_attr (fixture, "n_heads");
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_MISSING, "“n_heads”", "missing",
                     "expected a positive integer", NULL);
}

static void
test_attribute_not_integer (Fixture       *fixture,
                            gconstpointer  data)
{
  set_fixed_string_attr (fixture, "head_dim", "8");
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_TYPE, "“head_dim”", "1 string value(s)",
                     "expected one integer", NULL);
}

static void
test_zero_size (Fixture       *fixture,
                gconstpointer  data)
{
  set_scalar (fixture, "head_dim", 0);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_SIZE, "“head_dim” is 0",
                     "expected 1 to 65536", NULL);
}

static void
test_negative_size (Fixture       *fixture,
                    gconstpointer  data)
{
  set_scalar (fixture, "n_layers", -3);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_SIZE, "“n_layers” is -3",
                     "expected 1 to 16777216", NULL);
}

static void
test_absurd_size (Fixture       *fixture,
                  gconstpointer  data)
{
  set_scalar (fixture, "seq_len", G_GINT64_CONSTANT (1) << 40);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_SIZE, "“seq_len” is 1099511627776",
                     "expected 1 to 16777216", NULL);
}

/* Every dimension is within its own limit, but a single head block would
 * hold 2^40 elements: refused before anything is allocated. */
static void
test_overflowing_block (Fixture       *fixture,
                        gconstpointer  data)
{
  hsize_t values_dims[5] = { 2, 2, 2, 1 << 24, 65536 };
  hsize_t attention_dims[5] = { 2, 2, 4, 3, 1 << 24 };

  set_scalar (fixture, "seq_len", 1 << 24);
  set_scalar (fixture, "head_dim", 65536);
  replace_dataset (fixture, "/values", H5T_IEEE_F32LE, 5, values_dims);
  replace_dataset (fixture, "/attention", H5T_IEEE_F32LE, 5, attention_dims);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_SIZE, "seq_len 16777216",
                     "head_dim 65536", "expected head blocks of at most", NULL);
}

static void
test_heads_not_multiple (Fixture       *fixture,
                         gconstpointer  data)
{
  set_scalar (fixture, "n_kv_heads", 3);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_HEADS, "n_heads is 4",
                     "expected a multiple of n_kv_heads (3)", NULL);
}

static void
test_kv_head_of_out_of_range (Fixture       *fixture,
                              gconstpointer  data)
{
  const int64_t map[] = { 0, 0, 2, 1 };

  set_int_attr (fixture, "kv_head_of", H5T_STD_I32LE, map, 4);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_HEADS, "kv_head_of[2] is 2",
                     "expected 0 to 1", NULL);
}

static void
test_kv_head_of_wrong_length (Fixture       *fixture,
                              gconstpointer  data)
{
  const int64_t map[] = { 0, 1, 1 };

  set_int_attr (fixture, "kv_head_of", H5T_STD_I64LE, map, 3);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_HEADS, "“kv_head_of”", "holds 3 integer value(s)",
                     "expected 4 integers", NULL);
}

static void
test_kv_head_of_explicit (Fixture       *fixture,
                          gconstpointer  data)
{
  const int64_t map[] = { 1, 0, 1, 0 };
  g_autoptr(HlActivations) acts = NULL;

  set_int_attr (fixture, "kv_head_of", H5T_STD_U16LE, map, 4);
  acts = open_ok (fixture);
  for (int h = 0; h < 4; h++)
    g_assert_cmpint (hl_activations_get_info (acts)->kv_head_of[h], ==, map[h]);
}

/* Datasets. */

static void
test_missing_values (Fixture       *fixture,
                     gconstpointer  data)
{
  delete_link (fixture, "/values");
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_MISSING, "/values", "missing",
                     "expected [layers, samples, kv_heads, seq_len, head_dim]", NULL);
}

static void
test_missing_attention (Fixture       *fixture,
                        gconstpointer  data)
{
  delete_link (fixture, "/attention");
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_MISSING, "/attention", "missing",
                     "expected [layers, samples, heads, queries, seq_len]", NULL);
}

static void
test_wrong_rank (Fixture       *fixture,
                 gconstpointer  data)
{
  hsize_t dims[4] = { 2, 2, 16, 8 };

  replace_dataset (fixture, "/values", H5T_IEEE_F32LE, 4, dims);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_RANK,
                     "/values has 4 dimensions, expected 5: "
                     "[layers, samples, kv_heads, seq_len, head_dim]", NULL);
}

static void
test_wrong_dtype (Fixture       *fixture,
                  gconstpointer  data)
{
  hsize_t dims[5] = { 2, 2, 4, 3, 16 };

  replace_dataset (fixture, "/attention", H5T_STD_I32LE, 5, dims);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_TYPE, "/attention", "integer",
                     "expected float", NULL);
}

static void
test_shape_disagrees (Fixture       *fixture,
                      gconstpointer  data)
{
  set_scalar (fixture, "seq_len", 20);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_SHAPE, "/values", "has 16 along axis 3",
                     "expected 20 (seq_len)", NULL);
}

static void
test_samples_disagree (Fixture       *fixture,
                       gconstpointer  data)
{
  hsize_t dims[5] = { 2, 3, 4, 3, 16 };

  replace_dataset (fixture, "/attention", H5T_IEEE_F32LE, 5, dims);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_SHAPE, "/attention", "has 3 along axis 1",
                     "expected 2", NULL);
}

static void
test_tokens_shape (Fixture       *fixture,
                   gconstpointer  data)
{
  hsize_t dims[2] = { 2, 15 };

  replace_dataset (fixture, "/tokens/ids", H5T_STD_I32LE, 2, dims);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_SHAPE, "/tokens/ids", "has 15 along axis 1",
                     "expected 16 (seq_len)", NULL);
}

/* Query positions. */

static void
test_queries_missing (Fixture       *fixture,
                      gconstpointer  data)
{
  delete_link (fixture, "/query_positions");
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_MISSING, "/query_positions", "missing",
                     "required when /attention has more than one query", NULL);
}

static void
test_queries_out_of_range (Fixture       *fixture,
                           gconstpointer  data)
{
  const int positions[] = { 3, 9, 16 };

  replace_query_positions (fixture, positions, 3);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_QUERIES, "/query_positions[2] is 16",
                     "expected a position in [0, 16)", NULL);
}

static void
test_queries_negative (Fixture       *fixture,
                       gconstpointer  data)
{
  const int positions[] = { -1, 9, 15 };

  replace_query_positions (fixture, positions, 3);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_QUERIES, "/query_positions[0] is -1",
                     "expected a position in [0, 16)", NULL);
}

static void
test_queries_unsorted (Fixture       *fixture,
                       gconstpointer  data)
{
  const int positions[] = { 3, 9, 9 };

  replace_query_positions (fixture, positions, 3);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_QUERIES, "/query_positions[2] is 9",
                     "expected more than the previous position 9", NULL);
}

static void
test_queries_wrong_count (Fixture       *fixture,
                          gconstpointer  data)
{
  const int positions[] = { 3, 9 };

  replace_query_positions (fixture, positions, 2);
  assert_open_fails (fixture, HL_ACTIVATIONS_ERROR_SHAPE, "/query_positions", "has 2",
                     "expected 3", NULL);
}

/* Block contents, checked when a block is read. */

static void
test_values_not_finite (Fixture       *fixture,
                        gconstpointer  data)
{
  const hsize_t start[5] = { 1, 0, 1, 5, 2 };
  const float nan_value = NAN;
  g_autoptr(HlActivations) acts = NULL;
  g_autoptr(GError) error = NULL;
  float block[16 * 8], stored[16 * 8];

  write_elements (fixture, "/values", start, &nan_value, 1);
  acts = open_ok (fixture);
  g_assert_true (hl_activations_read_values (acts, 1, 0, 0, block, &error));
  g_assert_false (hl_activations_read_values (acts, 1, 0, 1, block, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_NON_FINITE);
  assert_message_has (error, "/values of layer 1, sample 0, kv head 1 is nan",
                      "position 5, dimension 2", "expected a finite number");
  g_clear_error (&error);
  /* The two-step read fails the same way, in its second step. */
  g_assert_cmpuint (hl_activations_get_values_stored_size (acts), ==, sizeof block);
  g_assert_true (hl_activations_read_values_stored (acts, 1, 0, 1, stored, &error));
  g_assert_false (hl_activations_values_from_stored (acts, 1, 0, 1, stored, block, &error));
  assert_message_has (error, "/values of layer 1, sample 0, kv head 1 is nan",
                      "position 5, dimension 2", "expected a finite number");
  g_clear_error (&error);
  g_assert_false (hl_activations_read_values_stored (acts, 2, 0, 1, stored, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_RANGE);
  g_clear_error (&error);
  g_assert_false (hl_activations_validate_all (acts, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_NON_FINITE);
}

static void
test_attention_not_finite (Fixture       *fixture,
                           gconstpointer  data)
{
  const hsize_t start[5] = { 0, 1, 3, 1, 4 };
  const float inf_value = INFINITY;
  g_autoptr(HlActivations) acts = NULL;
  g_autoptr(GError) error = NULL;
  float block[3 * 16];

  write_elements (fixture, "/attention", start, &inf_value, 1);
  acts = open_ok (fixture);
  g_assert_false (hl_activations_read_attention (acts, 0, 1, 3, block, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_NON_FINITE);
  assert_message_has (error, "/attention of layer 0, sample 1, head 3, query position 9",
                      "is inf on key 4", "expected a finite weight");
}

/* Writes row 0 (query position 3) of layer 1, sample 0, head 2. */
static void
write_row0 (Fixture     *fixture,
            const float *row)
{
  const hsize_t start[5] = { 1, 0, 2, 0, 0 };

  write_elements (fixture, "/attention", start, row, 16);
}

static void
test_attention_negative (Fixture       *fixture,
                         gconstpointer  data)
{
  const float row[16] = { 0.6f, -0.1f, 0.25f, 0.25f };
  g_autoptr(HlActivations) acts = NULL;
  g_autoptr(GError) error = NULL;
  float block[3 * 16];

  write_row0 (fixture, row);
  acts = open_ok (fixture);
  g_assert_false (hl_activations_read_attention (acts, 1, 0, 2, block, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_NEGATIVE);
  assert_message_has (error, "layer 1, sample 0, head 2, query position 3",
                      "is -0.1 on key 1", "expected a weight ≥ 0");
}

static void
test_attention_after_query (Fixture       *fixture,
                            gconstpointer  data)
{
  const float row[16] = { 0.25f, 0.25f, 0.25f, 0.125f, 0.0f, 0.125f };
  g_autoptr(HlActivations) acts = NULL;
  g_autoptr(GError) error = NULL;
  float block[3 * 16];

  write_row0 (fixture, row);
  acts = open_ok (fixture);
  g_assert_false (hl_activations_read_attention (acts, 1, 0, 2, block, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_CAUSAL);
  assert_message_has (error, "query position 3", "is 0.125 on key 5",
                      "expected 0 on keys after the query position");
}

static void
test_row_sum_error (Fixture       *fixture,
                    gconstpointer  data)
{
  const float row[16] = { 0.25f, 0.25f, 0.25f, 0.23f };
  g_autoptr(HlActivations) acts = NULL;
  g_autoptr(GError) error = NULL;
  float block[3 * 16];

  write_row0 (fixture, row);
  acts = open_ok (fixture);
  g_assert_false (hl_activations_read_attention (acts, 1, 0, 2, block, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_ROW_SUM);
  assert_message_has (error, "layer 1, sample 0, head 2, query position 3",
                      "sums to 0.98", "expected 1 within 0.01");
}

/* Off by 0.005: a warning, once per block however often it is read, and
 * the block is still returned. */
static void
test_row_sum_warning (Fixture       *fixture,
                      gconstpointer  data)
{
  const float row[16] = { 0.25f, 0.25f, 0.25f, 0.255f };
  g_autoptr(HlActivations) acts = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *warnings;
  float block[3 * 16];

  write_row0 (fixture, row);
  acts = open_ok (fixture);
  warnings = hl_activations_get_warnings (acts);
  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_true (hl_activations_read_attention (acts, 1, 0, 2, block, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (block[3], ==, 0.255f);
  g_assert_true (hl_activations_read_attention (acts, 1, 0, 2, block, &error));
  g_assert_true (hl_activations_validate_all (acts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_test_message ("warning: %s", (char *) warnings->pdata[0]);
  g_assert_nonnull (strstr (warnings->pdata[0], "layer 1, sample 0, head 2, query position 3"));
  g_assert_nonnull (strstr (warnings->pdata[0], "sums to 1.005"));
  g_assert_nonnull (strstr (warnings->pdata[0], "expected 1 within 0.001"));
}

/* Requests the caller gets wrong. */

static void
test_out_of_range_requests (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(HlActivations) acts = open_ok (fixture);
  g_autoptr(GError) error = NULL;
  float block[16 * 8];
  int32_t ids[16];

  g_assert_false (hl_activations_read_values (acts, 2, 0, 0, block, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_RANGE);
  assert_message_has (error, "Layer 2", "expected 0 to 1", NULL);
  g_clear_error (&error);
  g_assert_false (hl_activations_read_attention (acts, 0, 0, -1, block, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_RANGE);
  assert_message_has (error, "Head -1", "expected 0 to 3", NULL);
  g_clear_error (&error);
  g_assert_false (hl_activations_read_token_ids (acts, 5, ids, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_RANGE);
}

static void
test_optional_datasets (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(HlActivations) acts = NULL;
  g_autoptr(GError) error = NULL;
  gsize n = 99;
  int32_t ids[16];

  delete_link (fixture, "/tokens/ids");
  acts = open_ok (fixture);
  g_assert_false (hl_activations_get_info (acts)->has_token_ids);
  g_assert_true (hl_activations_get_info (acts)->has_token_texts);
  g_assert_false (hl_activations_read_token_ids (acts, 0, ids, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_MISSING);
  assert_message_has (error, "/tokens/ids", NULL, NULL);
  g_clear_error (&error);
  g_assert_null (hl_activations_read_int_dataset (acts, "/synth/regime", &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_null (hl_activations_read_int_dataset (acts, "/values/regime", &n, &error));
  g_assert_no_error (error);
  g_assert_true (hl_activations_validate_all (acts, &error));
  g_assert_no_error (error);
}

static void
test_int_dataset_type (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(HlActivations) acts = open_ok (fixture);
  g_autoptr(GError) error = NULL;
  gsize n;

  g_assert_null (hl_activations_read_int_dataset (acts, "/values", &n, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_TYPE);
  assert_message_has (error, "/values", "float", "expected");
}

#define ADD(name, func) \
  g_test_add ("/io/validation/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("not-hdf5", test_not_hdf5);
  ADD ("empty-file", test_empty_file);
  ADD ("truncated", test_truncated);
  ADD ("absent-file", test_absent_file);
  ADD ("missing-format", test_missing_format);
  ADD ("wrong-format", test_wrong_format);
  ADD ("format-not-string", test_format_not_string);
  ADD ("missing-version", test_missing_version);
  ADD ("unknown-version", test_unknown_version);
  ADD ("accepted-variants", test_accepted_variants);
  ADD ("missing-attribute", test_missing_attribute);
  ADD ("attribute-not-integer", test_attribute_not_integer);
  ADD ("zero-size", test_zero_size);
  ADD ("negative-size", test_negative_size);
  ADD ("absurd-size", test_absurd_size);
  ADD ("overflowing-block", test_overflowing_block);
  ADD ("heads-not-multiple", test_heads_not_multiple);
  ADD ("kv-head-of-out-of-range", test_kv_head_of_out_of_range);
  ADD ("kv-head-of-wrong-length", test_kv_head_of_wrong_length);
  ADD ("kv-head-of-explicit", test_kv_head_of_explicit);
  ADD ("missing-values", test_missing_values);
  ADD ("missing-attention", test_missing_attention);
  ADD ("wrong-rank", test_wrong_rank);
  ADD ("wrong-dtype", test_wrong_dtype);
  ADD ("shape-disagrees", test_shape_disagrees);
  ADD ("samples-disagree", test_samples_disagree);
  ADD ("tokens-shape", test_tokens_shape);
  ADD ("queries-missing", test_queries_missing);
  ADD ("queries-out-of-range", test_queries_out_of_range);
  ADD ("queries-negative", test_queries_negative);
  ADD ("queries-unsorted", test_queries_unsorted);
  ADD ("queries-wrong-count", test_queries_wrong_count);
  ADD ("values-not-finite", test_values_not_finite);
  ADD ("attention-not-finite", test_attention_not_finite);
  ADD ("attention-negative", test_attention_negative);
  ADD ("attention-after-query", test_attention_after_query);
  ADD ("row-sum-error", test_row_sum_error);
  ADD ("row-sum-warning", test_row_sum_warning);
  ADD ("out-of-range-requests", test_out_of_range_requests);
  ADD ("optional-datasets", test_optional_datasets);
  ADD ("int-dataset-type", test_int_dataset_type);
  return g_test_run ();
}
