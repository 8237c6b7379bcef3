/* hl-synth-rng.c: HlRandom with the synthetic generator's seeding, rejection
 * scheme and Box-Muller normals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-synth-rng.h"

#include <math.h>

guint64
hl_synth_rng_derive_seed (guint64 seed,
                          guint64 stream)
{
  guint64 state = seed;
  guint64 a = hl_random_splitmix64 (&state);

  state = a ^ (stream * G_GUINT64_CONSTANT (0xd1342543de82ef95));
  return hl_random_splitmix64 (&state);
}

void
hl_synth_rng_init (HlSynthRng *self,
                   guint64     seed)
{
  g_return_if_fail (self != NULL);

  /* Plain seeding, not hl_random_init()'s stream mixing: the streams are
   * separated by hl_synth_rng_derive_seed() instead, and the generated files
   * must not change. */
  hl_random_init_plain (&self->random, seed);
  self->has_spare = FALSE;
  self->spare = 0.0;
}

guint64
hl_synth_rng_next (HlSynthRng *self)
{
  return hl_random_next (&self->random);
}

double
hl_synth_rng_uniform (HlSynthRng *self)
{
  return hl_random_double (&self->random);
}

guint64
hl_synth_rng_below (HlSynthRng *self,
                    guint64     n)
{
  g_return_val_if_fail (n > 0, 0);

  /* Rejects the highest outputs, where hl_random_below() rejects the lowest:
   * both are exactly uniform, but they draw different sequences, and the
   * synthetic files must stay the same for a seed. */
  guint64 limit = G_MAXUINT64 - G_MAXUINT64 % n;
  guint64 x;

  do
    x = hl_random_next (&self->random);
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
