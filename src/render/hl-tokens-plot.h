/* hl-tokens-plot.h: the text of one query's keys as tokens: each token a
 * box shaded by its attention weight alpha_i, the selected set S_N
 * outlined, the sink (token 0) and the query (token t) marked. Tokens flow
 * in lines like text; whitespace and byte tokens are shown readably
 * (hl_token_display ()).
 *
 * The layout (where each token goes at a width) is computed once and
 * shared by drawing and hit-testing, so a widget can scroll through a long
 * document and find the token under the pointer; a figure draws the lines
 * that fit, ending with the query's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "hl-plot-style.h"

G_BEGIN_DECLS

/* Plain data, borrowed for one call. */
typedef struct
{
  int                 n_tokens;     /* t + 1: keys 0 .. t */
  const char * const *texts;        /* [n_tokens] as the file stores them; NULL: positions */
  const float        *alpha;        /* [n_tokens] */
  const gboolean     *selected;     /* [n_tokens] i in S_N; NULL: none */
  int                 n;            /* N, for the legend */
  int                 highlighted;  /* drawn emphasised; -1: none */
  const char         *title;        /* Pango markup or NULL */
} HlTokensPlotData;

/* What a token looks like: @raw with whitespace made visible ("␣" for a
 * space token, "↵" for a newline, "⇥" for a tab), a byte token such as
 * "<0xE2>" as "‹E2›", and a leading space, "▁" or "Ġ" taken as the start
 * of a word (@word_start) rather than drawn. @line_break is TRUE when the
 * token ends a line. Never empty ("∅" for an empty token). */
char    *hl_token_display       (const char *raw,
                                 gboolean   *word_start,
                                 gboolean   *line_break);

typedef struct _HlTokensLayout HlTokensLayout;

/* Lays @data out at @width (units of the cairo_t). */
HlTokensLayout *hl_tokens_layout_new     (const HlPlotStyle      *style,
                                          const HlTokensPlotData *data,
                                          double                  width);
void            hl_tokens_layout_free    (HlTokensLayout         *self);
/* The height of all the lines. */
double          hl_tokens_layout_get_height (const HlTokensLayout *self);
double          hl_tokens_layout_get_width  (const HlTokensLayout *self);
/* Where token @index is drawn, before scrolling. */
void            hl_tokens_layout_get_box (const HlTokensLayout   *self,
                                          int                     index,
                                          double                 *x,
                                          double                 *y,
                                          double                 *width,
                                          double                 *height);
/* The token at (@x, @y) of the unscrolled layout, or -1. */
int             hl_tokens_layout_token_at (const HlTokensLayout  *self,
                                           double                 x,
                                           double                 y);

/* Draws the tokens of @layout into @cr, the layout's line at @y_offset at
 * the top, without a title or legend: what a scrolling widget shows. */
void     hl_tokens_plot_draw_lines (const HlPlotStyle      *style,
                                    const HlTokensPlotData *data,
                                    const HlTokensLayout   *layout,
                                    cairo_t                *cr,
                                    double                  y_offset,
                                    double                  height);

/* The figure: title, a legend line, and the lines that fit at @width x
 * @height, ending with the query's; a note says which positions show when
 * not all of them fit. */
void     hl_tokens_plot_draw       (const HlPlotStyle      *style,
                                    const HlTokensPlotData *data,
                                    cairo_t                *cr,
                                    double                  width,
                                    double                  height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlTokensLayout, hl_tokens_layout_free)

G_END_DECLS
