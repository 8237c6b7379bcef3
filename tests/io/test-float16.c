/* test-float16.c: the reader's own number conversions are exact.
 *
 * hl_float16_to_float() is checked on all 65536 half patterns against
 * HDF5's conversion and against the definition of binary16 written out
 * below; hl_float_to_float16() against a slow nearest-value search; then
 * the reader's raw paths (float16 in either byte order, float64, and an
 * unusual 2-byte float left to HDF5) on files written with HDF5 directly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-float16.h"
#include "io-test-util.h"

#include <float.h>
#include <hdf5.h>
#include <math.h>
#include <string.h>

/* Every finite half, positive then negative: 2 x 31744 = 496 x 128. */
#define N_FINITE_HALVES 63488

static uint32_t
bits_of (float f)
{
  uint32_t u;

  memcpy (&u, &f, sizeof u);
  return u;
}

/* The value of a binary16 pattern by its definition: sign, 5-bit exponent
 * with bias 15, 10-bit fraction, subnormals at exponent 0. */
static double
reference_widen (uint16_t h)
{
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double v = e == 31 ? (m == 0 ? INFINITY : NAN)
             : e == 0 ? ldexp (m, -24)
             : ldexp (1024 + m, e - 25);

  return (h & 0x8000) ? -v : v;
}

/* The nearest half to @x (ties to the even pattern), by bisection over the
 * non-negative patterns, whose values increase with the pattern. */
static uint16_t
reference_narrow (float x)
{
  uint16_t sign = signbit (x) ? 0x8000 : 0;
  double a = fabs ((double) x), below, above;
  int lo = 0, hi = 0x7bff;

  if (a >= 65520.0)
    return sign | 0x7c00;
  while (lo < hi)
    {
      int mid = (lo + hi + 1) / 2;

      if (reference_widen (mid) <= a)
        lo = mid;
      else
        hi = mid - 1;
    }
  if (lo == 0x7bff)
    return sign | lo;
  below = reference_widen (lo);
  above = reference_widen (lo + 1);
  if (a - below < above - a || (a - below == above - a && lo % 2 == 0))
    return sign | lo;
  return sign | (lo + 1);
}

/* IEEE binary16, little-endian, built here rather than taken from the
 * code under test. */
static hid_t
half_type_new (void)
{
  hid_t type = H5Tcopy (H5T_IEEE_F32LE);

  H5Tset_fields (type, 15, 10, 5, 0, 10);
  H5Tset_size (type, 2);
  H5Tset_ebias (type, 15);
  H5Tset_precision (type, 16);
  return type;
}

static void
assert_same_float (float       got,
                   float       expected,
                   const char *what,
                   guint       index)
{
  if (isnan (expected))
    {
      if (!isnan (got) || signbit (got) != signbit (expected))
        g_error ("%s of 0x%04x is %g, expected %g", what, index, got, expected);
    }
  else if (bits_of (got) != bits_of (expected))
    g_error ("%s of 0x%04x is %a (0x%08x), expected %a (0x%08x)", what, index,
             got, bits_of (got), expected, bits_of (expected));
}

static void
test_widen_all (void)
{
  g_autofree uint16_t *halves = g_new (uint16_t, 65536);
  g_autofree float *got = g_new (float, 65536);
  g_autofree float *hdf5 = g_new (float, 65536);
  hid_t type = half_type_new ();

  for (guint i = 0; i < 65536; i++)
    halves[i] = (uint16_t) i;
  hl_float16_to_float (halves, got, 65536);
  /* H5Tconvert converts in place: halves in, floats out. */
  memcpy (hdf5, halves, 65536 * sizeof (uint16_t));
  g_assert_cmpint (H5Tconvert (type, H5T_NATIVE_FLOAT, 65536, hdf5, NULL, H5P_DEFAULT), >=, 0);
  H5Tclose (type);
  for (guint i = 0; i < 65536; i++)
    {
      assert_same_float (got[i], (float) reference_widen (i), "the definition", i);
      assert_same_float (got[i], hdf5[i], "HDF5's conversion", i);
      /* A NaN keeps its payload in the top bits of the float's fraction. */
      if (isnan (got[i]))
        g_assert_cmphex ((bits_of (got[i]) >> 13) & 0x3ff, ==, i & 0x3ff);
    }
}

/* Lengths that are not a multiple of the vector groups, at odd offsets:
 * every element converted, nothing written past the end. */
static void
test_widen_lengths (void)
{
  uint16_t halves[64];
  float out[65];

  for (guint i = 0; i < G_N_ELEMENTS (halves); i++)
    halves[i] = (uint16_t) (0x3c00 + 37 * i);
  for (gsize offset = 0; offset < 4; offset++)
    for (gsize n = 0; n + offset <= 60; n++)
      {
        out[n] = -7.0f;
        hl_float16_to_float (halves + offset, out, n);
        for (gsize i = 0; i < n; i++)
          g_assert_cmpfloat (out[i], ==, (float) reference_widen (halves[offset + i]));
        g_assert_cmpfloat (out[n], ==, -7.0f);
      }
}

static void
check_narrow (float x)
{
  uint16_t got;

  hl_float_to_float16 (&x, &got, 1);
  if (got != reference_narrow (x))
    g_error ("%a rounds to half 0x%04x, expected 0x%04x", x, got, reference_narrow (x));
}

/* Every half, every halfway point between neighbours (ties go to the even
 * pattern) and the floats just either side of it, both signs. */
static void
test_narrow_ties (void)
{
  for (int h = 0; h < 0x7bff; h++)
    {
      float mid = (float) ((reference_widen (h) + reference_widen (h + 1)) / 2);

      for (int sign = 1; sign >= -1; sign -= 2)
        {
          check_narrow (sign * (float) reference_widen (h));
          check_narrow (sign * mid);
          check_narrow (sign * nextafterf (mid, 0.0f));
          check_narrow (sign * nextafterf (mid, INFINITY));
        }
    }
}

static void
test_narrow_edges (void)
{
  const float cases[] = {
    0.0f, -0.0f, FLT_TRUE_MIN, 0x1p-26f, 0x1p-25f, nextafterf (0x1p-25f, 1.0f),
    0x3p-25f, 0x1p-24f, 0x1p-14f, nextafterf (0x1p-14f, 0.0f), 65504.0f,
    nextafterf (65520.0f, 0.0f), 65520.0f, 65536.0f, 1e30f, FLT_MAX, INFINITY,
  };
  float nan = NAN;
  uint16_t h;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      check_narrow (cases[i]);
      check_narrow (-cases[i]);
    }
  hl_float_to_float16 (&nan, &h, 1);
  g_assert_cmphex (h & 0x7c00, ==, 0x7c00);
  g_assert_cmphex (h & 0x03ff, !=, 0);
}

/* Random bit patterns over the whole float range, and random numbers in
 * the range halves cover. */
static void
test_narrow_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);

  for (int i = 0; i < 200000; i++)
    {
      uint32_t u = g_rand_int (rand);
      float x;

      memcpy (&x, &u, sizeof x);
      if (!isnan (x))
        check_narrow (x);
      check_narrow ((float) g_rand_double_range (rand, -70000.0, 70000.0));
      check_narrow ((float) ldexp (g_rand_double (rand), g_rand_int_range (rand, -30, 2)));
    }
}

static void
test_round_trip_every_half (void)
{
  for (guint i = 0; i < 65536; i++)
    {
      uint16_t h = (uint16_t) i, back;
      float f;

      hl_float16_to_float (&h, &f, 1);
      hl_float_to_float16 (&f, &back, 1);
      if (isnan (f))
        g_assert_cmphex (back & 0x7fff, >, 0x7c00);
      else
        g_assert_cmphex (back, ==, h);
    }
}

static void
test_float64 (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (64);
  enum { N = 4096 };
  g_autofree double *in = g_new (double, N);
  g_autofree double *hdf5 = g_new (double, N);
  g_autofree float *got = g_new (float, N);
  double big = 1e300;
  float inf;

  for (int i = 0; i < N; i++)
    in[i] = ldexp (g_rand_double_range (rand, -1.0, 1.0), g_rand_int_range (rand, -140, 128));
  hl_float64_to_float (in, got, N);
  memcpy (hdf5, in, N * sizeof (double));
  g_assert_cmpint (H5Tconvert (H5T_NATIVE_DOUBLE, H5T_NATIVE_FLOAT, N, hdf5, NULL,
                               H5P_DEFAULT), >=, 0);
  for (int i = 0; i < N; i++)
    assert_same_float (got[i], ((float *) hdf5)[i], "HDF5's double conversion", i);
  hl_float64_to_float (&big, &inf, 1);
  g_assert_true (isinf (inf));
}

static void
test_all_finite (void)
{
  const float bad[] = { INFINITY, -INFINITY, NAN, -NAN };
  float data[100];

  for (guint i = 0; i < G_N_ELEMENTS (data); i++)
    data[i] = i % 2 ? FLT_MAX : -FLT_TRUE_MIN;
  g_assert_true (hl_float_all_finite (data, G_N_ELEMENTS (data)));
  g_assert_true (hl_float_all_finite (data, 0));
  for (guint b = 0; b < G_N_ELEMENTS (bad); b++)
    for (guint i = 0; i < G_N_ELEMENTS (data); i++)
      {
        float saved = data[i];

        data[i] = bad[b];
        g_assert_false (hl_float_all_finite (data, G_N_ELEMENTS (data)));
        g_assert_true (hl_float_all_finite (data, i));
        data[i] = saved;
      }
}

/* Reader level: a one-block file whose /values is replaced by a dataset of
 * @ftype written from @data in memory type @mtype. */
static char *
write_values_file (const char *dir,
                   hid_t       ftype,
                   hid_t       mtype,
                   const void *data,
                   int         seq_len)
{
  HlActivationsSpec spec = io_test_small_spec ();
  char *path = g_build_filename (dir, "values.h5", NULL);
  hsize_t dims[5] = { 1, 1, 1, seq_len, 128 };
  hid_t file, space, dcpl, dset;
  int last = seq_len - 1;

  spec.n_layers = spec.n_heads = spec.n_kv_heads = spec.n_samples = spec.n_queries = 1;
  spec.seq_len = seq_len;
  spec.head_dim = 128;
  spec.query_positions = &last;
  spec.with_token_ids = spec.with_token_texts = FALSE;
  io_test_write_file (path, &spec, TRUE);

  file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  space = H5Screate_simple (5, dims, NULL);
  dcpl = H5Pcreate (H5P_DATASET_CREATE);
  H5Pset_chunk (dcpl, 5, dims);
  H5Pset_deflate (dcpl, 1);
  g_assert_cmpint (H5Ldelete (file, "/values", H5P_DEFAULT), >=, 0);
  dset = H5Dcreate2 (file, "/values", ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  g_assert_cmpint (H5Dwrite (dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), >=, 0);
  H5Dclose (dset);
  H5Pclose (dcpl);
  H5Sclose (space);
  H5Fclose (file);
  return path;
}

static float *
read_only_block (const char *path,
                 int         seq_len,
                 HlDtype     dtype)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) acts = hl_activations_open (path, &error);
  float *out = g_new (float, (gsize) seq_len * 128);

  g_assert_no_error (error);
  g_assert_cmpint (hl_activations_get_info (acts)->values_dtype, ==, dtype);
  g_assert_true (hl_activations_read_values (acts, 0, 0, 0, out, &error));
  g_assert_no_error (error);
  return out;
}

static void
finite_halves (uint16_t *halves)
{
  for (guint i = 0; i < N_FINITE_HALVES / 2; i++)
    {
      halves[i] = (uint16_t) i;
      halves[N_FINITE_HALVES / 2 + i] = (uint16_t) (0x8000 | i);
    }
}

static void
test_read_halves (gconstpointer data)
{
  H5T_order_t order = GPOINTER_TO_INT (data);
  g_autofree char *dir = io_test_make_tmpdir ();
  g_autofree uint16_t *halves = g_new (uint16_t, N_FINITE_HALVES);
  g_autofree char *path = NULL;
  g_autofree float *out = NULL;
  hid_t mtype = half_type_new ();
  hid_t ftype = half_type_new ();

  /* HDF5 swaps the bytes on writing when the file type is big-endian. */
  H5Tset_order (ftype, order);
  finite_halves (halves);
  path = write_values_file (dir, ftype, mtype, halves, N_FINITE_HALVES / 128);
  H5Tclose (ftype);
  H5Tclose (mtype);
  out = read_only_block (path, N_FINITE_HALVES / 128, HL_DTYPE_FLOAT16);
  for (guint i = 0; i < N_FINITE_HALVES; i++)
    assert_same_float (out[i], (float) reference_widen (halves[i]), "reading", halves[i]);
  io_test_remove_tmpdir (dir);
}

static void
test_read_float64_big_endian (void)
{
  g_autofree char *dir = io_test_make_tmpdir ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  g_autofree double *doubles = g_new (double, 8 * 128);
  g_autofree char *path = NULL;
  g_autofree float *out = NULL;

  for (guint i = 0; i < 8 * 128; i++)
    doubles[i] = ldexp (g_rand_double_range (rand, -1.0, 1.0), g_rand_int_range (rand, -140, 100));
  path = write_values_file (dir, H5T_IEEE_F64BE, H5T_NATIVE_DOUBLE, doubles, 8);
  out = read_only_block (path, 8, HL_DTYPE_FLOAT64);
  for (guint i = 0; i < 8 * 128; i++)
    g_assert_cmpfloat (out[i], ==, (float) doubles[i]);
  io_test_remove_tmpdir (dir);
}

/* bfloat16 is a 2-byte float too, but not IEEE binary16: it must go
 * through HDF5's conversion, not be misread as halves. Its float32 value
 * is its pattern in the top 16 bits. */
static void
test_read_bfloat16 (void)
{
  g_autofree char *dir = io_test_make_tmpdir ();
  g_autofree uint16_t *patterns = g_new (uint16_t, 510 * 128);
  g_autofree char *path = NULL;
  g_autofree float *out = NULL;
  hid_t type = H5Tcopy (H5T_IEEE_F32LE);
  guint n = 0;

  H5Tset_fields (type, 15, 7, 8, 0, 7);
  H5Tset_size (type, 2);
  H5Tset_ebias (type, 127);
  H5Tset_precision (type, 16);
  for (guint i = 0; i < 65536; i++)
    if ((i & 0x7f80) != 0x7f80)
      patterns[n++] = (uint16_t) i;
  g_assert_cmpuint (n, ==, 510 * 128);
  path = write_values_file (dir, type, type, patterns, 510);
  H5Tclose (type);
  out = read_only_block (path, 510, HL_DTYPE_FLOAT16);
  for (guint i = 0; i < n; i++)
    g_assert_cmphex (bits_of (out[i]), ==, (uint32_t) patterns[i] << 16);
  io_test_remove_tmpdir (dir);
}

/* A half infinity fails the block read, naming where it is. */
static void
test_read_half_infinity (void)
{
  g_autofree char *dir = io_test_make_tmpdir ();
  uint16_t halves[4 * 128] = { 0 };
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HlActivations) acts = NULL;
  float out[4 * 128];
  hid_t type = half_type_new ();

  halves[2 * 128 + 5] = 0xfc00;
  path = write_values_file (dir, type, type, halves, 4);
  H5Tclose (type);
  acts = hl_activations_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (hl_activations_read_values (acts, 0, 0, 0, out, &error));
  g_assert_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_NON_FINITE);
  g_assert_nonnull (strstr (error->message, "-inf at position 2, dimension 5"));
  g_clear_object (&acts);
  io_test_remove_tmpdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);

  g_test_add_func ("/io/float16/widen-all", test_widen_all);
  g_test_add_func ("/io/float16/widen-lengths", test_widen_lengths);
  g_test_add_func ("/io/float16/narrow-ties", test_narrow_ties);
  g_test_add_func ("/io/float16/narrow-edges", test_narrow_edges);
  g_test_add_func ("/io/float16/narrow-random", test_narrow_random);
  g_test_add_func ("/io/float16/round-trip-every-half", test_round_trip_every_half);
  g_test_add_func ("/io/float16/float64", test_float64);
  g_test_add_func ("/io/float16/all-finite", test_all_finite);
  g_test_add_data_func ("/io/float16/read-little-endian", GINT_TO_POINTER (H5T_ORDER_LE),
                        test_read_halves);
  g_test_add_data_func ("/io/float16/read-big-endian", GINT_TO_POINTER (H5T_ORDER_BE),
                        test_read_halves);
  g_test_add_func ("/io/float16/read-float64-big-endian", test_read_float64_big_endian);
  g_test_add_func ("/io/float16/read-bfloat16", test_read_bfloat16);
  g_test_add_func ("/io/float16/read-half-infinity", test_read_half_infinity);
  return g_test_run ();
}
