/* hl-metric.h: the one list of what Headlens reports per head, as columns
 * of heads.csv and curves.csv: for each, its name (the CSV column, the name
 * on the command line and in the settings), older spellings still
 * accepted, its label for people, its symbol, the CSV file it is a column
 * of, how a heatmap colours it, and how to get it from a head result.
 * Numeric columns are metrics; the regime and its reason are text columns
 * of the same list, so the CSV writer needs nothing else.
 *
 * The heatmap, the settings, `headlens-cli render --metric`, the CSV
 * writers and the tooltips all read this list: adding a metric is one entry
 * of the table in hl-metric.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-head-analysis.h"

G_BEGIN_DECLS

/* The CSV file a metric is a column of. */
typedef enum
{
  HL_METRIC_TABLE_NONE,     /* derived; in no file */
  HL_METRIC_TABLE_HEADS,    /* heads.csv: one row per head result */
  HL_METRIC_TABLE_CURVES,   /* curves.csv: one row per ranking, distance and N */
} HlMetricTable;

/* Where the value is. */
typedef enum
{
  HL_METRIC_SOURCE_KEY,         /* an int field of HlHeadResult (layer, head, ...) */
  HL_METRIC_SOURCE_DIAGNOSTIC,  /* a float field of HlDiagnostics */
  HL_METRIC_SOURCE_POINT,       /* a float field of HlSeparabilityPoint at N */
  HL_METRIC_SOURCE_RANKING,     /* a per-ranking float array of HlCurveSet at N (the
                                 * same for every distance) */
  HL_METRIC_SOURCE_REGIME,      /* text: the regime's name */
  HL_METRIC_SOURCE_REASON,      /* text: why the regime was chosen */
  HL_METRIC_SOURCE_QUERY_TOKEN, /* text: the token at the query position */
} HlMetricSource;

/* The colour range of a heatmap of the metric. */
typedef enum
{
  HL_METRIC_RANGE_DATA,         /* the data's range (symmetric around 0 on a diverging map) */
  HL_METRIC_RANGE_UNIT,         /* 0 .. 1: probabilities and shares */
  HL_METRIC_RANGE_SIGNED_UNIT,  /* -1 .. 1: cosines */
} HlMetricRange;

typedef struct
{
  const char     *name;        /* the CSV column: "sink_similarity" */
  const char     *aliases[3];  /* older spellings, NULL-terminated: "rho0", "sink-similarity" */
  const char     *label;       /* for menus, translatable (N_): "Sink similarity ρ₀" */
  const char     *symbol;      /* Pango markup for plots and tooltips: "ρ<sub>0</sub>" */
  const char     *description; /* Pango markup on a colour bar: "sink similarity ρ<sub>0</sub>" */
  HlMetricTable   table;
  HlMetricSource  source;
  gsize           offset;      /* of the field in the struct of @source */
  HlColormap      colormap;
  HlMetricRange   range;
  gboolean        in_menu;     /* offered as a heatmap colouring in the app */
} HlMetric;

/* Every column, in the order of the CSV files, and their number. */
const HlMetric *hl_metric_get_all   (guint            *n_metrics);
/* TRUE for a number (a metric), FALSE for a text column. */
gboolean        hl_metric_is_numeric (const HlMetric  *metric);
/* The metric (numeric column) named @name or one of its aliases; NULL when
 * none is. */
const HlMetric *hl_metric_lookup    (const char       *name);
/* "layer, head, …, margin": every metric's name, for messages. */
char           *hl_metric_dup_names (void);
/* The text of a text column for @result ("" for a file without token
 * texts). */
const char     *hl_metric_text      (const HlMetric     *metric,
                                     const HlHeadResult *result);

/* TRUE when the value depends on N, the ranking and the distance. */
gboolean        hl_metric_is_per_n  (const HlMetric   *metric);
/* The value of @metric for @result; per-N metrics at (@ranking, @distance,
 * @n), NaN when N is not on the head's grid or that ranking or distance was
 * not computed. */
double          hl_metric_value     (const HlMetric     *metric,
                                     const HlHeadResult *result,
                                     HlRanking           ranking,
                                     HlDistance          distance,
                                     int                 n);
/* A per-N metric read from one point of a curve. */
double          hl_metric_point_value (const HlMetric            *metric,
                                       const HlSeparabilityPoint *point);
/* A per-N metric of @curves at grid index @index of (@ranking,
 * @distance); NaN when that ranking or distance was not computed. */
double          hl_metric_curve_value (const HlMetric   *metric,
                                       const HlCurveSet *curves,
                                       HlRanking         ranking,
                                       HlDistance        distance,
                                       int               index);
/* The point of @result's curve at N = @n, or NULL. */
const HlSeparabilityPoint *hl_head_result_point_at (const HlHeadResult *result,
                                                    HlRanking           ranking,
                                                    HlDistance          distance,
                                                    int                 n);
/* The colour range of a heatmap of @metric: the fixed range, or
 * @vmin = @vmax = 0 (the renderer then takes it from the data). */
void            hl_metric_color_range (const HlMetric *metric,
                                       double         *vmin,
                                       double         *vmax);

/* A metric over a set of head results (the explorer's means over samples
 * and queries). Values that are NaN (N not on a head's grid) are left out
 * and @n says how many remain; the quartiles interpolate linearly between
 * order statistics (numpy's default); everything is NaN when n is 0. */
typedef struct
{
  int    n;
  double mean;
  double q1;
  double median;
  double q3;
} HlMetricStats;

/* Which statistic of a set a heatmap cell shows. */
typedef enum
{
  HL_STATISTIC_MEAN,
  HL_STATISTIC_IQR,      /* the spread: q3 - q1 */
} HlStatistic;

#define HL_TYPE_STATISTIC (hl_statistic_get_type ())
GType           hl_statistic_get_type (void) G_GNUC_CONST;

void            hl_metric_stats     (const HlMetric       *metric,
                                     HlHeadResult * const *results,
                                     guint                 n_results,
                                     HlRanking             ranking,
                                     HlDistance            distance,
                                     int                   n,
                                     HlMetricStats        *stats);
double          hl_metric_stats_get (const HlMetricStats  *stats,
                                     HlStatistic           statistic);
/* Counts how many of @results are in each regime and returns the most
 * frequent one (the first in HlRegime order on a tie), or -1 for none. */
int             hl_metric_count_regimes (HlHeadResult * const *results,
                                         guint                 n_results,
                                         int                   counts[HL_N_REGIMES]);

/* What a heatmap cell's tooltip says about @result (Pango markup): the
 * head, its regime, the metrics at N and the main diagnostics. */
char           *hl_metric_describe_head (const HlHeadResult *result,
                                         HlRanking           ranking,
                                         HlDistance          distance,
                                         int                 n);

/* The same for a cell that shows a set: @n_results of @n_expected results
 * of the head received, over what @scope says ("over 16 queries"): the
 * regimes counted, each metric's mean, interquartile range and n. */
char           *hl_metric_describe_set  (HlHeadResult * const *results,
                                         guint                 n_results,
                                         guint                 n_expected,
                                         const char           *scope,
                                         HlRanking             ranking,
                                         HlDistance            distance,
                                         int                   n);

G_END_DECLS
