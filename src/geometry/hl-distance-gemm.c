/* hl-distance-gemm.c: G = S V^T for the separability kernel in AVX-512
 * registers. The values are read as panels of 64 keys (component k of the
 * 64 keys in four vectors), laid out once per values block when several
 * heads read it, else panel by panel just before use; the micro-kernel
 * keeps a tile of up to six centres x 64 keys in 24 registers, reads the
 * panel's row k and broadcasts component k of each centre, and writes the
 * tile straight into G, which is never cleared.
 * docs/separability.md has the error analysis, docs/performance.md the
 * measurements.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-distance-gemm.h"

/* Centres of one register tile. */
#define TILE_CENTRES 6

struct _HlValuesPanels
{
  int    n_keys, head_dim;
  float *data;
};

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX512_GEMM 1
#endif

gboolean
hl_cpu_has_avx512 (void)
{
#ifdef HAVE_AVX512_GEMM
  static gsize answer = 0;  /* 1: no, 2: yes */

  if (g_once_init_enter (&answer))
    g_once_init_leave (&answer, __builtin_cpu_supports ("avx512f")
                                && g_getenv ("HEADLENS_NO_AVX512") == NULL
                                && g_getenv ("HEADLENS_NO_AVX2") == NULL ? 2 : 1);
  return answer == 2;
#else
  return FALSE;
#endif
}

gsize
hl_values_panels_floats (int n_keys,
                         int head_dim)
{
  gsize panels = ((gsize) n_keys + HL_PANEL_KEYS - 1) / HL_PANEL_KEYS;

  return panels * HL_PANEL_KEYS * (gsize) head_dim;
}

#ifdef HAVE_AVX512_GEMM

/* Transposes the 16 x 16 floats of @r in place: r[i][j] becomes r[j][i]. */
__attribute__ ((target ("avx512f"), always_inline))
static inline void
transpose16 (__m512 r[16])
{
  __m512 t[16];

  /* Pairs of rows interleaved: lane group L of t[2i] holds r[2i][4L],
   * r[2i+1][4L], r[2i][4L+1], r[2i+1][4L+1]. */
#pragma GCC unroll 8
  for (int i = 0; i < 8; i++)
    {
      t[2 * i] = _mm512_unpacklo_ps (r[2 * i], r[2 * i + 1]);
      t[2 * i + 1] = _mm512_unpackhi_ps (r[2 * i], r[2 * i + 1]);
    }
  /* Lane group L of r[4i+j]: rows 4i .. 4i+3 of column 4L+j. */
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++)
    {
      r[4 * i] = _mm512_shuffle_ps (t[4 * i], t[4 * i + 2], 0x44);
      r[4 * i + 1] = _mm512_shuffle_ps (t[4 * i], t[4 * i + 2], 0xee);
      r[4 * i + 2] = _mm512_shuffle_ps (t[4 * i + 1], t[4 * i + 3], 0x44);
      r[4 * i + 3] = _mm512_shuffle_ps (t[4 * i + 1], t[4 * i + 3], 0xee);
    }
  /* Column 4L+j gathers lane group L of r[j], r[4+j], r[8+j], r[12+j]. */
#pragma GCC unroll 4
  for (int j = 0; j < 4; j++)
    {
      __m512 a = r[j], b = r[4 + j], c = r[8 + j], d = r[12 + j];
      __m512 ab02 = _mm512_shuffle_f32x4 (a, b, 0x88), ab13 = _mm512_shuffle_f32x4 (a, b, 0xdd);
      __m512 cd02 = _mm512_shuffle_f32x4 (c, d, 0x88), cd13 = _mm512_shuffle_f32x4 (c, d, 0xdd);

      t[j] = _mm512_shuffle_f32x4 (ab02, cd02, 0x88);
      t[4 + j] = _mm512_shuffle_f32x4 (ab13, cd13, 0x88);
      t[8 + j] = _mm512_shuffle_f32x4 (ab02, cd02, 0xdd);
      t[12 + j] = _mm512_shuffle_f32x4 (ab13, cd13, 0xdd);
    }
#pragma GCC unroll 16
  for (int i = 0; i < 16; i++)
    r[i] = t[i];
}

/* Sixteen keys from @key on (zero past @n_keys) of components c0 .. c0+15
 * (zero past @head_dim) into panel rows c0 .. at offset @lane. */
__attribute__ ((target ("avx512f"), optimize ("O3")))
static void
panels_fill_block (float       *panel,
                   const float *values,
                   int          n_keys,
                   int          head_dim,
                   int          key,
                   int          lane,
                   int          c0)
{
  int width = MIN (16, head_dim - c0);
  __mmask16 cols = (__mmask16) ((1u << width) - 1);
  __m512 r[16];

#pragma GCC unroll 16
  for (int i = 0; i < 16; i++)
    r[i] = key + i < n_keys
           ? _mm512_maskz_loadu_ps (cols, values + (gsize) (key + i) * head_dim + c0)
           : _mm512_setzero_ps ();
  transpose16 (r);
#pragma GCC unroll 16
  for (int j = 0; j < width; j++)
    _mm512_store_ps (panel + (gsize) (c0 + j) * HL_PANEL_KEYS + lane, r[j]);
}

/* The panel of the keys @key .. @key + 63 (zero past @n_keys). */
__attribute__ ((target ("avx512f")))
static void
panel_fill (float       *panel,
            const float *values,
            int          n_keys,
            int          head_dim,
            int          key)
{
  for (int lane = 0; lane < HL_PANEL_KEYS; lane += 16)
    for (int c0 = 0; c0 < head_dim; c0 += 16)
      panels_fill_block (panel, values, n_keys, head_dim, key + lane, lane, c0);
}

/* Lays @values [n_keys, head_dim] (row-major) out as panels of
 * HL_PANEL_KEYS keys, each [head_dim][HL_PANEL_KEYS] (component k of the
 * panel's keys side by side), keys past @n_keys zero. */
static void
values_panels_fill (float       *panels,
                    const float *values,
                    int          n_keys,
                    int          head_dim)
{
  for (int key = 0; key < n_keys; key += HL_PANEL_KEYS)
    panel_fill (panels + (gsize) (key / HL_PANEL_KEYS) * HL_PANEL_KEYS * head_dim, values,
                n_keys, head_dim, key);
}

/* One tile: @r (1 .. TILE_CENTRES, a constant where inlined) centres
 * from @s against the panel's keys. Each sum runs over the components in
 * index order, one fused multiply-add each. The @stores vectors of sixteen
 * keys that lie inside G's rows are written, the keys outside @mask of
 * each zero. */
__attribute__ ((target ("avx512f"), always_inline))
static inline void
gemm_tile (const float      *s,
           int               head_dim,
           const float      *panel,
           int               r,
           float            *g,
           int               ld,
           int               stores,
           const __mmask16  *mask)
{
  __m512 acc[TILE_CENTRES][4];

#pragma GCC unroll 6
  for (int c = 0; c < TILE_CENTRES; c++)
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++)
      acc[c][j] = _mm512_setzero_ps ();
  for (int k = 0; k < head_dim; k++)
    {
      const float *row = panel + (gsize) k * HL_PANEL_KEYS;
      __m512 p0 = _mm512_load_ps (row), p1 = _mm512_load_ps (row + 16);
      __m512 p2 = _mm512_load_ps (row + 32), p3 = _mm512_load_ps (row + 48);

#pragma GCC unroll 6
      for (int c = 0; c < TILE_CENTRES; c++)
        if (c < r)
          {
            __m512 b = _mm512_set1_ps (s[(gsize) c * head_dim + k]);

            acc[c][0] = _mm512_fmadd_ps (b, p0, acc[c][0]);
            acc[c][1] = _mm512_fmadd_ps (b, p1, acc[c][1]);
            acc[c][2] = _mm512_fmadd_ps (b, p2, acc[c][2]);
            acc[c][3] = _mm512_fmadd_ps (b, p3, acc[c][3]);
          }
    }
#pragma GCC unroll 6
  for (int c = 0; c < TILE_CENTRES; c++)
    if (c < r)
#pragma GCC unroll 4
      for (int j = 0; j < 4; j++)
        if (j < stores)
          _mm512_store_ps (g + (gsize) c * ld + 16 * j, _mm512_maskz_mov_ps (mask[j], acc[c][j]));
}

/* The tile for each number of centres, so that each keeps its
 * accumulators in registers. */
#define GEMM_TILE(R)                                                                         \
  __attribute__ ((target ("avx512f"), optimize ("O3")))                                      \
  static void                                                                                \
  gemm_tile_##R (const float *s, int head_dim, const float *panel, float *g, int ld,        \
                 int stores, const __mmask16 *mask)                                          \
  {                                                                                          \
    gemm_tile (s, head_dim, panel, R, g, ld, stores, mask);                                  \
  }
GEMM_TILE (1)
GEMM_TILE (2)
GEMM_TILE (3)
GEMM_TILE (4)
GEMM_TILE (5)
GEMM_TILE (6)

typedef void (*GemmTile) (const float *s, int head_dim, const float *panel, float *g, int ld,
                          int stores, const __mmask16 *mask);

__attribute__ ((target ("avx512f")))
void
hl_distance_gemm (const float *s,
                  int          m,
                  int          head_dim,
                  const float *panels,
                  const float *values,
                  float       *scratch,
                  int          n_keys,
                  float       *g,
                  int          ld)
{
  static const GemmTile tiles[TILE_CENTRES + 1] = {
    NULL, gemm_tile_1, gemm_tile_2, gemm_tile_3, gemm_tile_4, gemm_tile_5, gemm_tile_6,
  };

  G_STATIC_ASSERT (HL_PANEL_KEYS == 64 && TILE_CENTRES == 6);
  g_return_if_fail (ld % 16 == 0 && ld >= n_keys && ld < n_keys + 16);

  /* Panel after panel, so the panel stays in L1 while every centre
   * passes; without @panels, each is laid out in @scratch just before (the
   * transposed keys never leave L1). */
  for (int key = 0; key < n_keys; key += HL_PANEL_KEYS)
    {
      const float *panel = scratch;
      int stores = MIN (4, (ld - key) / 16);
      __mmask16 mask[4];

      for (int j = 0; j < 4; j++)
        {
          int inside = CLAMP (n_keys - key - 16 * j, 0, 16);

          mask[j] = (__mmask16) ((1u << inside) - 1);
        }
      if (panels != NULL)
        panel = panels + (gsize) (key / HL_PANEL_KEYS) * HL_PANEL_KEYS * head_dim;
      else
        panel_fill (scratch, values, n_keys, head_dim, key);
      for (int c = 0; c < m; c += TILE_CENTRES)
        tiles[MIN (TILE_CENTRES, m - c)] (s + (gsize) c * head_dim, head_dim, panel,
                                          g + (gsize) c * ld + key, ld, stores, mask);
    }
}

#else  /* !HAVE_AVX512_GEMM: hl_cpu_has_avx512 () is FALSE, so never called */

void
hl_distance_gemm (G_GNUC_UNUSED const float *s,
                  G_GNUC_UNUSED int          m,
                  G_GNUC_UNUSED int          head_dim,
                  G_GNUC_UNUSED const float *panels,
                  G_GNUC_UNUSED const float *values,
                  G_GNUC_UNUSED float       *scratch,
                  G_GNUC_UNUSED int          n_keys,
                  G_GNUC_UNUSED float       *g,
                  G_GNUC_UNUSED int          ld)
{
  g_return_if_reached ();
}

#endif

HlValuesPanels *
hl_values_panels_new (const float *values,
                      int          n_keys,
                      int          head_dim)
{
  HlValuesPanels *self;

  g_return_val_if_fail (values != NULL && n_keys >= 1 && head_dim >= 1, NULL);

  if (!hl_cpu_has_avx512 ())
    return NULL;
  self = g_new (HlValuesPanels, 1);
  self->n_keys = n_keys;
  self->head_dim = head_dim;
  self->data = g_aligned_alloc (hl_values_panels_floats (n_keys, head_dim), sizeof (float), 64);
#ifdef HAVE_AVX512_GEMM
  values_panels_fill (self->data, values, n_keys, head_dim);
#endif
  return self;
}

void
hl_values_panels_free (HlValuesPanels *self)
{
  if (self == NULL)
    return;
  g_aligned_free (self->data);
  g_free (self);
}

gboolean
hl_values_panels_fit (const HlValuesPanels *self,
                      int                   n_keys,
                      int                   head_dim)
{
  return self != NULL && self->head_dim == head_dim && self->n_keys >= n_keys;
}

const float *
hl_values_panels_get_data (const HlValuesPanels *self)
{
  return self->data;
}
