/* test-random.c: the seeded generator behind the random control.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-random.h"

/* The published first outputs of splitmix64 from state 0 and of
 * xoshiro256** from state {1, 2, 3, 4} (the reference C code of Vigna):
 * our generator is that algorithm, so curves never change with the GLib
 * version or the machine. */
static void
test_random_reference_vectors (void)
{
  static const guint64 splitmix[] = {
    G_GUINT64_CONSTANT (0xe220a8397b1dcdaf),
    G_GUINT64_CONSTANT (0x6e789e6aa1b965f4),
    G_GUINT64_CONSTANT (0x06c45d188009454f),
  };
  static const guint64 xoshiro[] = {
    11520, 0, 1509978240, G_GUINT64_CONSTANT (1215971899390074240),
  };
  HlRandom rng = { { 1, 2, 3, 4 } };
  guint64 state = 0;

  for (guint i = 0; i < G_N_ELEMENTS (splitmix); i++)
    g_assert_cmphex (hl_random_splitmix64 (&state), ==, splitmix[i]);
  for (guint i = 0; i < G_N_ELEMENTS (xoshiro); i++)
    g_assert_cmpuint (hl_random_next (&rng), ==, xoshiro[i]);
}

static void
test_random_seed_and_stream (void)
{
  HlRandom a, b, c, d;
  int same_stream = 0, same_seed = 0;

  hl_random_init (&a, 42, 0);
  hl_random_init (&b, 42, 0);
  hl_random_init (&c, 42, 1);
  hl_random_init (&d, 43, 0);
  for (int i = 0; i < 100; i++)
    {
      guint64 x = hl_random_next (&a);

      g_assert_cmpuint (x, ==, hl_random_next (&b));
      same_stream += x == hl_random_next (&c);
      same_seed += x == hl_random_next (&d);
    }
  g_assert_cmpint (same_stream, ==, 0);
  g_assert_cmpint (same_seed, ==, 0);
}

static void
test_random_below_and_double (void)
{
  HlRandom rng;
  int counts[7] = { 0 };

  hl_random_init (&rng, 7, 0);
  for (int i = 0; i < 70000; i++)
    {
      guint64 x = hl_random_below (&rng, 7);
      double u = hl_random_double (&rng);

      g_assert_cmpuint (x, <, 7);
      g_assert_cmpfloat (u, >=, 0.0);
      g_assert_cmpfloat (u, <, 1.0);
      counts[x]++;
    }
  /* Expected 10000 each with a standard deviation of about 93. */
  for (int k = 0; k < 7; k++)
    g_assert_cmpint (ABS (counts[k] - 10000), <, 500);
  g_assert_cmpuint (hl_random_below (&rng, 1), ==, 0);
}

/* hl_random_below32 () is uniform, stays below the bound, and its
 * rejection keeps it exact for a bound that does not divide 2^32. */
static void
test_random_below32 (void)
{
  HlRandom rng;
  int counts[7] = { 0 };
  guint32 big = 3u << 30;
  int multiples = 0;

  hl_random_init (&rng, 11, 0);
  for (int i = 0; i < 70000; i++)
    {
      guint32 x = hl_random_below32 (&rng, 7);

      g_assert_cmpuint (x, <, 7);
      counts[x]++;
    }
  /* Expected 10000 each with a standard deviation of about 93. */
  for (int k = 0; k < 7; k++)
    g_assert_cmpint (ABS (counts[k] - 10000), <, 500);
  g_assert_cmpuint (hl_random_below32 (&rng, 1), ==, 0);
  /* With bound 3 * 2^30 the high half of r * bound is floor (3 r / 4):
   * without the rejection of the 2^30 lowest low halves, the multiples of
   * 3 would come from two values of r each and the others from one, half
   * of all draws instead of a third. */
  for (int i = 0; i < 30000; i++)
    {
      guint32 x = hl_random_below32 (&rng, big);

      g_assert_cmpuint (x, <, big);
      multiples += x % 3 == 0;
    }
  /* Expected 10000 with a standard deviation of about 82. */
  g_assert_cmpint (ABS (multiples - 10000), <, 400);
}

static int
permutation_code (const int *perm)
{
  return perm[0] * 9 + perm[1] * 3 + perm[2];
}

/* Fisher-Yates gives every permutation of 3 the same probability 1/6, and
 * every output is a permutation. */
static void
test_random_permutation_uniform (void)
{
  HlRandom rng;
  int counts[27] = { 0 }, distinct = 0;
  int big[100];
  gboolean seen[100] = { FALSE };

  hl_random_init (&rng, 2024, 3);
  for (int i = 0; i < 60000; i++)
    {
      int perm[3];

      hl_random_permutation (&rng, perm, 3);
      counts[permutation_code (perm)]++;
    }
  for (int k = 0; k < 27; k++)
    if (counts[k] > 0)
      {
        distinct++;
        /* Expected 10000 with a standard deviation of about 91. */
        g_assert_cmpint (ABS (counts[k] - 10000), <, 500);
      }
  g_assert_cmpint (distinct, ==, 6);

  hl_random_permutation (&rng, big, 100);
  for (int i = 0; i < 100; i++)
    {
      g_assert_cmpint (big[i], >=, 0);
      g_assert_cmpint (big[i], <, 100);
      g_assert_false (seen[big[i]]);
      seen[big[i]] = TRUE;
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/random/reference-vectors", test_random_reference_vectors);
  g_test_add_func ("/random/seed-and-stream", test_random_seed_and_stream);
  g_test_add_func ("/random/below-and-double", test_random_below_and_double);
  g_test_add_func ("/random/below32", test_random_below32);
  g_test_add_func ("/random/permutation-uniform", test_random_permutation_uniform);
  return g_test_run ();
}
