/* hl-synth-rng.c: xoshiro256** with splitmix64 seeding and Box-Muller normals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-synth-rng.h"

#include <math.h>

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

guint64
hl_synth_rng_derive_seed (guint64 seed,
                          guint64 stream)
{
  guint64 state = seed;
  guint64 a = splitmix64 (&state);

  state = a ^ (stream * G_GUINT64_CONSTANT (0xd1342543de82ef95));
  return splitmix64 (&state);
}

void
hl_synth_rng_init (HlSynthRng *self,
                   guint64     seed)
{
  guint64 state = seed;

  g_return_if_fail (self != NULL);

  for (int i = 0; i < 4; i++)
    self->s[i] = splitmix64 (&state);
  self->has_spare = FALSE;
  self->spare = 0.0;
}

guint64
hl_synth_rng_next (HlSynthRng *self)
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

double
hl_synth_rng_uniform (HlSynthRng *self)
{
  return (hl_synth_rng_next (self) >> 11) * 0x1.0p-53;
}

guint64
hl_synth_rng_below (HlSynthRng *self,
                    guint64     n)
{
  g_return_val_if_fail (n > 0, 0);

  /* Rejection keeps the result exactly uniform for any n. */
  guint64 limit = G_MAXUINT64 - G_MAXUINT64 % n;
  guint64 x;

  do
    x = hl_synth_rng_next (self);
  while (x >= limit);
  return x % n;
}

double
hl_synth_rng_normal (HlSynthRng *self)
{
  double u1, u2, radius;

  if (self->has_spare)
    {
      self->has_spare = FALSE;
      return self->spare;
    }
  /* 1 - uniform lies in (0, 1], so the logarithm is finite. */
  u1 = 1.0 - hl_synth_rng_uniform (self);
  u2 = hl_synth_rng_uniform (self);
  radius = sqrt (-2.0 * log (u1));
  self->spare = radius * sin (2.0 * G_PI * u2);
  self->has_spare = TRUE;
  return radius * cos (2.0 * G_PI * u2);
}
