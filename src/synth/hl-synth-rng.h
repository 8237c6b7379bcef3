/* hl-synth-rng.h: the random numbers of the synthetic generator.
 *
 * The synthetic generator must produce the same bytes for the same seed on
 * every machine and every GLib version, so it draws from HlRandom
 * (xoshiro256**, src/base/hl-random.h) instead of GRand. What is added
 * here is only what the generator needs on top: its own seeding and
 * rejection scheme (fixed by the files already written and by the tests that
 * check them against an independent implementation), normals and per-part
 * seeds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hl-random.h"

G_BEGIN_DECLS

typedef struct
{
  HlRandom random;
  gboolean has_spare;   /* Box-Muller makes normals in pairs */
  double   spare;
} HlSynthRng;

/* Mixes @seed and @stream into one 64-bit seed, so that independent parts of
 * a model (layer, sample, head) get independent, reproducible streams. */
guint64 hl_synth_rng_derive_seed (guint64     seed,
                                  guint64     stream);
void    hl_synth_rng_init        (HlSynthRng *self,
                                  guint64     seed);
guint64 hl_synth_rng_next        (HlSynthRng *self);
/* Uniform in [0, 1) with 53 random bits. */
double  hl_synth_rng_uniform     (HlSynthRng *self);
/* Uniform integer in [0, n); n > 0. */
guint64 hl_synth_rng_below       (HlSynthRng *self,
                                  guint64     n);
/* Standard normal (Box-Muller). */
double  hl_synth_rng_normal      (HlSynthRng *self);

G_END_DECLS
