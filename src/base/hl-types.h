/* hl-types.h: the enums and plain types the libraries share: rankings,
 * distances, N grids, regimes and the input of one attention operation.
 *
 * Definitions are those of docs/metrics.md. Indices are 0-based as in the
 * activation file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  HL_RANKING_ATTENTION,     /* by alpha_i, descending; ties: lower index first */
  HL_RANKING_CONTRIBUTION,  /* by ||y_i||, descending; ties: lower index first */
  HL_RANKING_RANDOM,        /* R nested uniform permutations, mean over repeats */
  HL_N_RANKINGS
} HlRanking;

typedef enum
{
  HL_DISTANCE_EUCLIDEAN,
  HL_DISTANCE_COSINE,       /* 1 - <x, y> / (||x|| ||y|| + 1e-12) */
  HL_N_DISTANCES
} HlDistance;

typedef enum
{
  HL_GRID_POW2,             /* 1, 2, 4, ... below t + 1 */
  HL_GRID_ALL,              /* 1 .. t */
  HL_GRID_LIST,             /* the values of a list that lie in 1 .. t */
} HlGridKind;

/* The colour maps of metric values (drawn by src/render/hl-colormap.h). */
typedef enum
{
  HL_COLORMAP_VIRIDIS,    /* sequential: dark blue-violet to yellow */
  HL_COLORMAP_DIVERGING,  /* blue - near white - red, for signed values (RdBu) */
  HL_N_COLORMAPS
} HlColormap;

typedef enum
{
  HL_REGIME_RETRIEVER,
  HL_REGIME_MIXER,
  HL_REGIME_RESET,
  HL_REGIME_OTHER,          /* none of the three signatures (docs/metrics.md) */
  HL_N_REGIMES
} HlRegime;

/* The values of a block laid out for the separability kernel's distance
 * GEMM (src/geometry/hl-distance-gemm.h). */
typedef struct _HlValuesPanels HlValuesPanels;

/* One attention operation: a query at position t = n_keys - 1 over keys
 * 0..t. Borrowed pointers; the engine never modifies or keeps them. */
typedef struct
{
  int          n_keys;      /* t + 1 */
  int          head_dim;
  const float *values;      /* [n_keys, head_dim], row-major: v_0 .. v_t */
  const float *alpha;       /* [n_keys]: the attention row, keys 0..t */
  /* Optional: @values (at least keys 0..t of them) laid out by
   * hl_values_panels_new (), shared by the heads that read one values
   * block; NULL: the kernel lays them out itself. */
  const HlValuesPanels *panels;
} HlHeadInput;

/* GTypes of the enums, whose nicks are the strings below. */
#define HL_TYPE_RANKING  (hl_ranking_get_type ())
#define HL_TYPE_DISTANCE (hl_distance_get_type ())
GType       hl_ranking_get_type  (void) G_GNUC_CONST;
GType       hl_distance_get_type (void) G_GNUC_CONST;

const char *hl_ranking_to_string  (HlRanking  ranking);   /* "attention", ... */
const char *hl_distance_to_string (HlDistance distance);  /* "euclidean", "cosine" */
const char *hl_regime_to_string   (HlRegime   regime);    /* "retriever", "mixer", "reset", "other" */
/* The regime's name for people, translated: "Retriever", "Mixer", "Reset", "Other". */
const char *hl_regime_display_name (HlRegime  regime);
/* The ranking's name in running text, translated: "attention", "contribution", "random". */
const char *hl_ranking_display_name (HlRanking ranking);
/* The results a figure or table shows, for people: "sample 0, t = 287",
 * "mean over 4 samples at t = 287", "mean over 16 queries of sample 0",
 * "mean over 4 × 16 samples and queries". */
char       *hl_scope_label          (gboolean all_samples,
                                     gboolean all_queries,
                                     int      n_samples,
                                     int      n_queries,
                                     int      sample,
                                     int      position);
gboolean    hl_ranking_from_string  (const char *str, HlRanking  *out);
gboolean    hl_distance_from_string (const char *str, HlDistance *out);
gboolean    hl_regime_from_string   (const char *str, HlRegime   *out);

/* Fills @out (capacity at least n_keys) with the N grid for a query with
 * @n_keys visible keys; returns its length. @list is used for HL_GRID_LIST. */
int         hl_grid_build (HlGridKind  kind,
                           const int  *list,
                           int         n_list,
                           int         n_keys,
                           int        *out);

G_END_DECLS
