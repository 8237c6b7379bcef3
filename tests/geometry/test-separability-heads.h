/* test-separability-heads.h: random heads for the separability and
 * projection tests, drawn from our own seeded generator.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <math.h>

#include "hl-random.h"
#include "hl-separability.h"

typedef enum
{
  TEST_HEAD_GENERAL,          /* Gaussian values, no coincidences */
  TEST_HEAD_NEAR_DUPLICATES,  /* every third key nearly repeats an earlier one */
  TEST_HEAD_EXACT_DUPLICATES, /* every third key exactly repeats an earlier one */
} TestHeadKind;

typedef struct
{
  HlHeadInput input;
  float      *values;
  float      *alpha;
} TestHead;

static inline double
test_gaussian (HlRandom *rng)
{
  double u = 1.0 - hl_random_double (rng), v = hl_random_double (rng);

  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

/* Softmax of random logits with a strong first key, like a sink. */
static inline void
test_head_alpha (TestHead *head,
                 HlRandom *rng)
{
  int n = head->input.n_keys;
  g_autofree double *w = g_new (double, n);
  double sum = 0.0;

  for (int i = 0; i < n; i++)
    {
      w[i] = exp (2.0 * test_gaussian (rng) + (i == 0 ? 3.0 : 0.0));
      sum += w[i];
    }
  for (int i = 0; i < n; i++)
    head->alpha[i] = (float) (w[i] / sum);
}

static inline void
test_head_duplicate (TestHead     *head,
                     HlRandom     *rng,
                     int           i,
                     TestHeadKind  kind)
{
  int d = head->input.head_dim;
  int j = (int) hl_random_below (rng, (guint64) i);

  head->alpha[i] = head->alpha[j];
  for (int k = 0; k < d; k++)
    {
      float v = head->values[(gsize) j * d + k];

      if (kind == TEST_HEAD_NEAR_DUPLICATES)
        v *= 1.0f + 1e-6f * (float) test_gaussian (rng);
      head->values[(gsize) i * d + k] = v;
    }
}

static inline TestHead *
test_head_new (guint64      seed,
               int          n,
               int          d,
               TestHeadKind kind)
{
  TestHead *head = g_new0 (TestHead, 1);
  HlRandom rng;

  hl_random_init (&rng, seed, 1000);
  head->values = g_new (float, (gsize) n * d);
  head->alpha = g_new (float, n);
  head->input = (HlHeadInput) { n, d, head->values, head->alpha };
  for (gsize k = 0; k < (gsize) n * d; k++)
    head->values[k] = (float) test_gaussian (&rng);
  test_head_alpha (head, &rng);
  if (kind != TEST_HEAD_GENERAL)
    for (int i = 3; i < n; i += 3)
      test_head_duplicate (head, &rng, i, kind);
  return head;
}

static inline void
test_head_free (TestHead *head)
{
  g_free (head->values);
  g_free (head->alpha);
  g_free (head);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestHead, test_head_free)
