/* hl-distance-gemm.h: the separability kernel's distance GEMM,
 * <s_c, v_i> for every centre and key, on processors with AVX-512: the
 * values laid out once per values block (HlValuesPanels) for a
 * register-blocked micro-kernel, shared by every query and query head that
 * reads the block. Elsewhere the kernel calls BLAS (docs/separability.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-types.h"

G_BEGIN_DECLS

/* Keys per panel: the micro-kernel's tile is this many keys wide. */
#define HL_PANEL_KEYS 64

/* Whether the AVX-512 GEMM runs: the processor has AVX-512F and neither
 * HEADLENS_NO_AVX512 nor HEADLENS_NO_AVX2 is set (the tests set them to
 * run the kernel's other loops). */
gboolean        hl_cpu_has_avx512          (void);

/* Floats of the panels of @n_keys keys of @head_dim components. */
gsize           hl_values_panels_floats    (int n_keys,
                                            int head_dim);

/* The panels of a values block, made once and shared by the heads that
 * read the block (HlHeadInput.panels) when there are several. NULL when
 * the processor does not run the AVX-512 GEMM: then the kernel calls BLAS
 * and needs none. */
HlValuesPanels *hl_values_panels_new       (const float *values,
                                            int          n_keys,
                                            int          head_dim);
void            hl_values_panels_free      (HlValuesPanels *self);
/* Whether @self holds the first @n_keys keys of @head_dim components. */
gboolean        hl_values_panels_fit       (const HlValuesPanels *self,
                                            int                   n_keys,
                                            int                   head_dim);
const float    *hl_values_panels_get_data  (const HlValuesPanels *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlValuesPanels, hl_values_panels_free)

/* @g [m rows of @ld floats] = S V^T: row c holds <s_c, v_i> for the keys
 * i < @n_keys, each a float32 sum over the components in index order by
 * fused multiply-adds, and zeros from @n_keys to @ld (@ld is @n_keys
 * rounded up to a multiple of 16; @g 64-byte aligned). @s is [m, head_dim]
 * row-major. The values come from @panels (holding at least @n_keys
 * keys) or, when @panels is NULL, from @values [n_keys, head_dim], each
 * panel laid out in @scratch (hl_values_panels_floats (HL_PANEL_KEYS,
 * head_dim) floats, 64-byte aligned) just before its use: for values read
 * by one head, cheaper than laying out every panel first. Nothing of @g
 * is read. AVX-512 only. */
void            hl_distance_gemm           (const float *s,
                                            int          m,
                                            int          head_dim,
                                            const float *panels,
                                            const float *values,
                                            float       *scratch,
                                            int          n_keys,
                                            float       *g,
                                            int          ld);

G_END_DECLS
