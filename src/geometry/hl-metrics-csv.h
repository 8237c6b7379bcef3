/* hl-metrics-csv.h: the tidy CSV files of an analysis (pinned columns; see
 * docs/metrics.md): curves.csv, heads.csv, model.csv and
 * assumptions.csv. Indices are 0-based;
 * the query column is the query position t; numbers are printed with %.9g
 * in the C locale. The four files (with assumptions.csv,
 * hl-assumptions.h) are written as a set (hl-output-set.h): all of them are
 * replaced, or none.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-analysis.h"
#include "hl-metric.h"
#include "hl-output-set.h"

G_BEGIN_DECLS

#define HL_METRICS_CSV_MODEL_HEADER \
  "ranking,distance,n,n_heads,n_samples,precision,recall,f1,precision_lo,precision_hi," \
  "recall_lo,recall_hi,f1_lo,f1_hi,corr_recall_rho0"

#define HL_METRICS_CSV_DOCUMENTS_HEADER "sample,file,file_sample"

/* The header line (without newline) of curves.csv or heads.csv: its key
 * columns, then the metric registry's columns of that file in its order
 * (hl-metric.h), then the regime for heads.csv. */
char     *hl_metrics_csv_header (HlMetricTable         table);

/* Each returns the whole file's text, header line first. */
char     *hl_metrics_csv_curves (HlHeadResult * const *results,
                                 guint                 n_results);
char     *hl_metrics_csv_heads  (HlHeadResult * const *results,
                                 guint                 n_results);
char     *hl_metrics_csv_model  (const HlModelSummary *summary);
/* documents.csv of a corpus: each sample's file (quoted) and its number
 * in that file, one row per sample in order. */
char     *hl_metrics_csv_documents (HlActivations      *file);

#define HL_METRICS_CSV_TOKENS_HEADER "sample,position,token_id,token"

/* tokens.csv: every token of every sample of @file, to join heads.csv
 * (query_token_id, query_token) and curves.csv with the text; the token
 * text CSV-quoted as the file stores it, empty fields for what the file
 * lacks. NULL without an error when the file has neither token ids nor
 * texts; NULL with an error when they cannot be read. */
char     *hl_metrics_csv_tokens (HlActivations        *file,
                                 GError              **error);

/* Adds curves.csv, heads.csv, model.csv, assumptions.csv,
 * provenance.json (hl-provenance.h), documents.csv too for a corpus and,
 * when the file has tokens, tokens.csv to @set, and the analysed files as
 * inputs (so none of them can replace one). Commands that write more files
 * add them to the same set before committing it. */
gboolean  hl_metrics_csv_add_to_set (HlAnalysis   *analysis,
                                     HlOutputSet  *set,
                                     GError      **error);

/* Writes those files into DIR as one set (creating DIR). */
gboolean  hl_metrics_csv_write  (HlAnalysis  *analysis,
                                 const char  *dir,
                                 GError     **error);

G_END_DECLS
