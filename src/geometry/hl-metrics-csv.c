/* hl-metrics-csv.c: curves.csv, heads.csv and model.csv.
 *
 * Numbers are fields of hl-csv.h: the bytes g_ascii_formatd ("%.9g")
 * writes, so the decimal point is '.' whatever the user's locale (pandas
 * and R read these files with their defaults), by hl_format_g9 () (about
 * five times faster), and NaN as an empty field.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-metrics-csv.h"

#include "hl-csv.h"
#include "hl-provenance.h"

/* @value in decimal, without printf (a curves.csv row has seven keys). */
static void
append_int (GString *out,
            int      value)
{
  char buf[16];
  int n = sizeof buf;
  unsigned magnitude = value < 0 ? 0u - (unsigned) value : (unsigned) value;

  do
    buf[--n] = (char) ('0' + magnitude % 10);
  while ((magnitude /= 10) != 0);
  if (value < 0)
    buf[--n] = '-';
  g_string_append_len (out, buf + n, sizeof buf - n);
}

/* The columns the metric registry gives @table, in its order. */
static void
append_metric_names (GString       *out,
                     HlMetricTable  table)
{
  guint n_metrics;
  const HlMetric *metrics = hl_metric_get_all (&n_metrics);

  for (guint i = 0; i < n_metrics; i++)
    if (metrics[i].table == table)
      g_string_append_printf (out, "%s%s", out->len > 0 ? "," : "", metrics[i].name);
}

char *
hl_metrics_csv_header (HlMetricTable table)
{
  GString *out;

  g_return_val_if_fail (table == HL_METRIC_TABLE_HEADS || table == HL_METRIC_TABLE_CURVES, NULL);

  /* A curves.csv row is one point of a curve: the head's keys, then the
   * curve's ranking, distance and N. */
  out = g_string_new (table == HL_METRIC_TABLE_CURVES
                      ? "layer,head,sample,query,ranking,distance,n" : NULL);
  append_metric_names (out, table);
  return g_string_free (out, FALSE);
}

/* One field of a heads.csv row: a key as an integer, a number, the regime,
 * or its reason quoted. */
static void
append_column (GString            *out,
               const HlMetric     *column,
               const HlHeadResult *r)
{
  switch (column->source)
    {
    case HL_METRIC_SOURCE_KEY:
      /* Only a missing query token id is negative: an empty field, NA. */
      if (hl_metric_value (column, r, 0, 0, 0) >= 0)
        append_int (out, (int) hl_metric_value (column, r, 0, 0, 0));
      break;
    case HL_METRIC_SOURCE_REGIME:
      g_string_append (out, hl_metric_text (column, r));
      break;
    case HL_METRIC_SOURCE_REASON:
    case HL_METRIC_SOURCE_QUERY_TOKEN:
      hl_csv_append_quoted (out, hl_metric_text (column, r));
      break;
    case HL_METRIC_SOURCE_DIAGNOSTIC:
    case HL_METRIC_SOURCE_POINT:
    default:
      hl_csv_append_value (out, hl_metric_value (column, r, 0, 0, 0));
      break;
    }
}

static void
append_curve_rows (GString            *out,
                   const HlHeadResult *r,
                   HlRanking           ranking,
                   HlDistance          distance)
{
  const HlCurveSet *curves = r->curves;
  guint n_metrics;
  const HlMetric *metrics = hl_metric_get_all (&n_metrics);

  for (int j = 0; j < curves->n_grid; j++)
    {
      const int keys[] = { r->layer, r->head, r->sample, r->query_position };

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          append_int (out, keys[i]);
          g_string_append_c (out, ',');
        }
      g_string_append (out, hl_ranking_to_string (ranking));
      g_string_append_c (out, ',');
      g_string_append (out, hl_distance_to_string (distance));
      g_string_append_c (out, ',');
      append_int (out, curves->grid[j]);
      for (guint m = 0; m < n_metrics; m++)
        if (metrics[m].table == HL_METRIC_TABLE_CURVES)
          hl_csv_append_number (out, hl_metric_curve_value (&metrics[m], curves, ranking, distance, j));
      g_string_append_c (out, '\n');
    }
}

static GString *
header_line (HlMetricTable table)
{
  g_autofree char *header = hl_metrics_csv_header (table);
  GString *out = g_string_new (header);

  g_string_append_c (out, '\n');
  return out;
}

static void
append_result_curves (GString            *out,
                      const HlHeadResult *result)
{
  for (int r = 0; r < HL_N_RANKINGS; r++)
    for (int d = 0; d < HL_N_DISTANCES; d++)
      if (result->curves->points[r][d] != NULL)
        append_curve_rows (out, result, r, d);
}

static void
append_head_row (GString            *out,
                 const HlHeadResult *result)
{
  guint n_metrics;
  const HlMetric *metrics = hl_metric_get_all (&n_metrics);
  const char *separator = "";

  for (guint m = 0; m < n_metrics; m++)
    {
      if (metrics[m].table != HL_METRIC_TABLE_HEADS)
        continue;
      g_string_append (out, separator);
      append_column (out, &metrics[m], result);
      separator = ",";
    }
  g_string_append_c (out, '\n');
}

typedef void (*RowsFunc) (GString            *out,
                          const HlHeadResult *result);

/* The rows of results [first, first + count). */
typedef struct
{
  HlHeadResult * const *results;
  guint                 first;
  guint                 count;
  RowsFunc              rows;
  GString              *text;
} Part;

static gpointer
format_part (gpointer data)
{
  Part *part = data;

  for (guint i = part->first; i < part->first + part->count; i++)
    part->rows (part->text, part->results[i]);
  return NULL;
}

/* A paper-scale curves.csv is 135 000 rows: they are formatted in parts on
 * one thread per core (the analysis that made them is over, so its cores
 * are free). The header and the parts, in order: the same text as from one
 * thread. */
#define ROWS_PER_PART_MIN 256

static void
string_free (gpointer string)
{
  g_string_free (string, TRUE);
}

static GPtrArray *
format_parts (HlMetricTable         table,
              HlHeadResult * const *results,
              guint                 n_results,
              RowsFunc              rows)
{
  guint n_parts = CLAMP (n_results / ROWS_PER_PART_MIN, 1, g_get_num_processors ());
  g_autofree Part *parts = g_new0 (Part, n_parts);
  g_autofree GThread **threads = g_new0 (GThread *, n_parts);
  GPtrArray *texts = g_ptr_array_new_with_free_func (string_free);

  g_ptr_array_add (texts, header_line (table));
  for (guint p = 0; p < n_parts; p++)
    {
      parts[p] = (Part) { results, (guint) ((guint64) n_results * p / n_parts), 0, rows, NULL };
      parts[p].count = (guint) ((guint64) n_results * (p + 1) / n_parts) - parts[p].first;
      parts[p].text = g_string_new (NULL);
      g_ptr_array_add (texts, parts[p].text);
      if (p > 0)
        threads[p] = g_thread_new ("hl-csv", format_part, &parts[p]);
    }
  format_part (&parts[0]);
  for (guint p = 1; p < n_parts; p++)
    g_thread_join (threads[p]);
  return texts;
}

static char *
format_rows (HlMetricTable         table,
             HlHeadResult * const *results,
             guint                 n_results,
             RowsFunc              rows)
{
  g_autoptr(GPtrArray) texts = format_parts (table, results, n_results, rows);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < texts->len; i++)
    g_string_append_len (out, ((GString *) texts->pdata[i])->str, ((GString *) texts->pdata[i])->len);
  return g_string_free (out, FALSE);
}

/* The file @name of @set from the rows of @results, written part by part
 * (curves.csv of a 16-query file is 100 MB: joining the parts first would
 * copy them into as much new memory). */
static gboolean
add_rows_to_set (HlOutputSet          *set,
                 const char           *name,
                 HlMetricTable         table,
                 HlHeadResult * const *results,
                 guint                 n_results,
                 RowsFunc              rows,
                 GError              **error)
{
  g_autoptr(GPtrArray) texts = format_parts (table, results, n_results, rows);

  return hl_output_set_add_parts (set, name, (GString * const *) texts->pdata, texts->len, error);
}

char *
hl_metrics_csv_curves (HlHeadResult * const *results,
                       guint                 n_results)
{
  g_return_val_if_fail (n_results == 0 || results != NULL, NULL);

  return format_rows (HL_METRIC_TABLE_CURVES, results, n_results, append_result_curves);
}

char *
hl_metrics_csv_heads (HlHeadResult * const *results,
                      guint                 n_results)
{
  g_return_val_if_fail (n_results == 0 || results != NULL, NULL);

  return format_rows (HL_METRIC_TABLE_HEADS, results, n_results, append_head_row);
}

/* The bootstrap interval of a mean, or two empty fields (NA in pandas and
 * R) when it cannot be computed: from one sample, or with no replicates,
 * lo = hi = mean would read as no uncertainty at all. */
static void
append_interval (GString      *out,
                 const HlBand *band,
                 gboolean      defined)
{
  if (!defined)
    {
      g_string_append (out, ",,");
      return;
    }
  hl_csv_append_number (out, band->lo);
  hl_csv_append_number (out, band->hi);
}

static void
append_model_row (GString            *out,
                  HlRanking           ranking,
                  HlDistance          distance,
                  const HlModelPoint *p,
                  gboolean            intervals)
{
  gboolean defined = intervals && p->n_samples >= 2;

  g_string_append_printf (out, "%s,%s,%d,%d,%d", hl_ranking_to_string (ranking),
                          hl_distance_to_string (distance), p->n, p->n_heads, p->n_samples);
  hl_csv_append_number (out, p->precision.mean);
  hl_csv_append_number (out, p->recall.mean);
  hl_csv_append_number (out, p->f1.mean);
  append_interval (out, &p->precision, defined);
  append_interval (out, &p->recall, defined);
  append_interval (out, &p->f1, defined);
  /* An undefined correlation is an empty field: NA in pandas and R. */
  hl_csv_append_number (out, p->corr_recall_rho0);
  g_string_append_c (out, '\n');
}

char *
hl_metrics_csv_model (const HlModelSummary *summary)
{
  GString *out = g_string_new (HL_METRICS_CSV_MODEL_HEADER "\n");

  g_return_val_if_fail (summary != NULL, NULL);

  for (int r = 0; r < HL_N_RANKINGS; r++)
    for (int d = 0; d < HL_N_DISTANCES; d++)
      for (int g = 0; summary->points[r][d] != NULL && g < summary->n_grid; g++)
        append_model_row (out, r, d, &summary->points[r][d][g], summary->bootstrap > 0);
  return g_string_free (out, FALSE);
}

static void
append_sample_tokens (GString       *out,
                      int            sample,
                      int            seq_len,
                      const int32_t *ids,
                      char * const  *texts)
{
  for (int i = 0; i < seq_len; i++)
    {
      g_string_append_printf (out, "%d,%d,", sample, i);
      if (ids != NULL)
        g_string_append_printf (out, "%" G_GINT32_FORMAT, ids[i]);
      g_string_append_c (out, ',');
      if (texts != NULL)
        hl_csv_append_quoted (out, texts[i]);
      g_string_append_c (out, '\n');
    }
}

char *
hl_metrics_csv_tokens (HlActivations  *file,
                       GError        **error)
{
  const HlActivationsInfo *info;
  g_autoptr(GString) out = NULL;
  g_autofree int32_t *ids = NULL;

  g_return_val_if_fail (HL_IS_ACTIVATIONS (file), NULL);

  info = hl_activations_get_info (file);
  if (!info->has_token_ids && !info->has_token_texts)
    return NULL;

  out = g_string_new (HL_METRICS_CSV_TOKENS_HEADER "\n");
  ids = info->has_token_ids ? g_new (int32_t, info->seq_len) : NULL;
  for (int s = 0; s < info->n_samples; s++)
    {
      g_auto(GStrv) texts = NULL;

      if ((ids != NULL && !hl_activations_read_token_ids (file, s, ids, error))
          || (info->has_token_texts
              && (texts = hl_activations_read_token_texts (file, s, error)) == NULL))
        return NULL;
      append_sample_tokens (out, s, info->seq_len, ids, texts);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
hl_metrics_csv_documents (HlActivations *file)
{
  GString *out = g_string_new (HL_METRICS_CSV_DOCUMENTS_HEADER "\n");

  g_return_val_if_fail (HL_IS_ACTIVATIONS (file), NULL);

  for (int i = 0; i < hl_activations_get_n_files (file); i++)
    {
      HlActivations *member = hl_activations_get_file (file, i);
      int first = hl_activations_get_file_first_sample (file, i);

      for (int s = 0; s < hl_activations_get_info (member)->n_samples; s++)
        {
          g_string_append_printf (out, "%d,", first + s);
          hl_csv_append_quoted (out, hl_activations_get_path (member));
          g_string_append_printf (out, ",%d\n", s);
        }
    }
  return g_string_free (out, FALSE);
}

/* Every file the analysis read is an input no output may replace. */
static void
add_inputs (HlOutputSet   *set,
            HlActivations *file)
{
  hl_output_set_add_input (set, hl_activations_get_path (file));
  for (int i = 0; i < hl_activations_get_n_files (file); i++)
    hl_output_set_add_input (set, hl_activations_get_path (hl_activations_get_file (file, i)));
}

gboolean
hl_metrics_csv_add_to_set (HlAnalysis   *analysis,
                           HlOutputSet  *set,
                           GError      **error)
{
  g_autofree HlHeadResult **results = NULL;
  g_autofree char *model = NULL;
  g_autofree char *assumptions = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autofree char *tokens = NULL;
  g_autoptr(HlProvenance) provenance = NULL;
  GError *tokens_error = NULL;
  HlActivations *file;
  guint n;

  g_return_val_if_fail (HL_IS_ANALYSIS (analysis), FALSE);
  g_return_val_if_fail (set != NULL, FALSE);

  file = hl_analysis_get_file (analysis);

  if ((provenance = hl_provenance_new_for_analysis (analysis, error)) == NULL)
    return FALSE;
  text = hl_provenance_to_json (provenance, TRUE);
  json = g_strconcat (text, "\n", NULL);
  n = hl_analysis_get_n_results (analysis);
  results = g_new (HlHeadResult *, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    results[i] = hl_analysis_get_result (analysis, i);
  model = hl_metrics_csv_model (hl_analysis_get_summary (analysis));
  add_inputs (set, file);
  assumptions = hl_assumptions_csv (hl_analysis_get_assumptions (analysis));
  tokens = hl_metrics_csv_tokens (file, &tokens_error);
  if (tokens_error != NULL)
    {
      g_propagate_error (error, tokens_error);
      return FALSE;
    }
  if (hl_activations_get_n_files (file) > 1)
    {
      g_autofree char *documents = hl_metrics_csv_documents (file);

      if (!hl_output_set_add_contents (set, "documents.csv", documents, -1, error))
        return FALSE;
    }
  return (tokens == NULL || hl_output_set_add_contents (set, "tokens.csv", tokens, -1, error))
         && add_rows_to_set (set, "curves.csv", HL_METRIC_TABLE_CURVES, results, n,
                             append_result_curves, error)
         && add_rows_to_set (set, "heads.csv", HL_METRIC_TABLE_HEADS, results, n, append_head_row,
                             error)
         && hl_output_set_add_contents (set, "model.csv", model, -1, error)
         && hl_output_set_add_contents (set, "assumptions.csv", assumptions, -1, error)
         && hl_output_set_add_contents (set, "provenance.json", json, -1, error);
}

gboolean
hl_metrics_csv_write (HlAnalysis  *analysis,
                      const char  *dir,
                      GError     **error)
{
  g_autoptr(HlOutputSet) set = NULL;

  g_return_val_if_fail (HL_IS_ANALYSIS (analysis), FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);

  set = hl_output_set_new (dir, HL_OUTPUT_SET_CREATE_FOLDER, error);
  return set != NULL
         && hl_metrics_csv_add_to_set (analysis, set, error)
         && hl_output_set_commit (set, error);
}
