/* hl-random.h: a seeded pseudo-random generator of our own (xoshiro256**
 * seeded through splitmix64) and uniform permutations.
 *
 * Results never depend on the GLib version (GRand's algorithm is not part of
 * its API), so a seed printed in a CSV reproduces the same random control on
 * any machine. Every (seed, stream) pair is an independent sequence: the
 * random ranking uses stream r for repeat r, so repeat r does not change when
 * R changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Plain state, copied freely; fill it with hl_random_init(). */
typedef struct
{
  guint64 s[4];
} HlRandom;

/* One step of splitmix64 (Steele, Lea, Flood 2014): advances @state and
 * returns the next output. Used for seeding, exposed for tests. */
guint64 hl_random_splitmix64  (guint64  *state);

void    hl_random_init        (HlRandom *self,
                               guint64   seed,
                               guint64   stream);
/* Fills the four state words with the first four splitmix64 outputs of
 * @seed itself, with no stream mixed in: the seeding of the synthetic
 * generator (HlSynthRng), whose files must stay the same for a seed. */
void    hl_random_init_plain  (HlRandom *self,
                               guint64   seed);
guint64 hl_random_next        (HlRandom *self);
/* Uniform in 0 .. @bound - 1 without modulo bias; @bound > 0. */
guint64 hl_random_below       (HlRandom *self,
                               guint64   bound);
/* Uniform in 0 .. @bound - 1 without bias, from the high 32 bits of one
 * output (more only when rejected, with probability below @bound / 2^32):
 * the nearly divisionless method of Lemire ("Fast random integer
 * generation in an interval", 2019); @bound > 0. */
guint32 hl_random_below32     (HlRandom *self,
                               guint32   bound);
/* Uniform in [0, 1) with 53 random bits. */
double  hl_random_double      (HlRandom *self);
/* Writes a uniform random permutation of 0 .. @n - 1 into @out
 * (Fisher-Yates from the front, starting from the identity: step i swaps
 * position i with position i + hl_random_below32 (n - i), so position i is
 * final after step i). */
void    hl_random_permutation (HlRandom *self,
                               int      *out,
                               int       n);
/* The first @k steps of hl_random_permutation (): @out is a permutation of
 * 0 .. @n - 1 whose first @k positions equal those of the full permutation
 * from the same generator state (the rest are not shuffled). Draws
 * MIN (@k, @n - 1) numbers: the random ranking needs only its first max N
 * keys. */
void    hl_random_permutation_prefix (HlRandom *self,
                                      int      *out,
                                      int       n,
                                      int       k);

G_END_DECLS
