/* hl-random.c: xoshiro256** (Blackman, Vigna 2018) seeded by splitmix64.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-random.h"

/* Mixes the stream number into the seed so that neighbouring streams start
 * from unrelated states. */
#define STREAM_MIX G_GUINT64_CONSTANT (0xd1b54a32d192ed03)

guint64
hl_random_splitmix64 (guint64 *state)
{
  guint64 z;

  g_return_val_if_fail (state != NULL, 0);

  z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

void
hl_random_init (HlRandom *self,
                guint64   seed,
                guint64   stream)
{
  guint64 seed_state = seed;
  guint64 stream_state = stream ^ STREAM_MIX;

  g_return_if_fail (self != NULL);

  hl_random_init_plain (self, hl_random_splitmix64 (&seed_state)
                              ^ hl_random_splitmix64 (&stream_state));
}

void
hl_random_init_plain (HlRandom *self,
                      guint64   seed)
{
  guint64 state = seed;

  g_return_if_fail (self != NULL);

  /* splitmix64 never yields four zero words in a row, so the xoshiro state
   * is never the forbidden all-zero state. */
  for (int i = 0; i < 4; i++)
    self->s[i] = hl_random_splitmix64 (&state);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

guint64
hl_random_next (HlRandom *self)
{
  guint64 *s = self->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

guint64
hl_random_below (HlRandom *self,
                 guint64   bound)
{
  guint64 threshold;

  g_return_val_if_fail (bound > 0, 0);

  /* Rejecting the lowest 2^64 mod bound outputs leaves a range that is a
   * multiple of bound, so the remainder is exactly uniform. */
  threshold = (0 - bound) % bound;
  for (;;)
    {
      guint64 r = hl_random_next (self);

      if (r >= threshold)
        return r % bound;
    }
}

guint32
hl_random_below32 (HlRandom *self,
                   guint32   bound)
{
  guint64 m;

  g_return_val_if_fail (bound > 0, 0);

  m = (hl_random_next (self) >> 32) * bound;
  if ((guint32) m < bound)
    {
      /* Rejecting the lowest 2^32 mod bound values of the low half leaves
       * the high half exactly uniform. */
      guint32 threshold = (0u - bound) % bound;

      while ((guint32) m < threshold)
        m = (hl_random_next (self) >> 32) * bound;
    }
  return (guint32) (m >> 32);
}

double
hl_random_double (HlRandom *self)
{
  return (double) (hl_random_next (self) >> 11) * 0x1.0p-53;
}

void
hl_random_permutation (HlRandom *self,
                       int      *out,
                       int       n)
{
  hl_random_permutation_prefix (self, out, n, n);
}

void
hl_random_permutation_prefix (HlRandom *self,
                              int      *out,
                              int       n,
                              int       k)
{
  g_return_if_fail (n >= 0 && k >= 0);
  g_return_if_fail (n == 0 || out != NULL);

  for (int i = 0; i < n; i++)
    out[i] = i;
  for (int i = 0; i < MIN (k, n - 1); i++)
    {
      int j = i + (int) hl_random_below32 (self, (guint32) (n - i));
      int tmp = out[i];

      out[i] = out[j];
      out[j] = tmp;
    }
}
