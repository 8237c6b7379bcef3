/* hl-plot-style.h: the colours, fonts and line widths every renderer draws with.
 *
 * A style is plain data: the GUI fills one from the theme (AdwStyleManager),
 * export uses a preset. Renderers never pick a colour themselves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hl-types.h"

G_BEGIN_DECLS

/* A colour with straight (not premultiplied) alpha, components in 0 .. 1. */
typedef struct
{
  double red;
  double green;
  double blue;
  double alpha;
} HlRgba;

typedef enum
{
  HL_PLOT_STYLE_LIGHT,
  HL_PLOT_STYLE_DARK,
  HL_PLOT_STYLE_HIGH_CONTRAST,
  HL_N_PLOT_STYLE_PRESETS
} HlPlotStylePreset;

/* Where the figure goes: the screen (units are logical pixels, Cantarell)
 * or a file (units are points, DejaVu Sans, sizes of a printed figure). */
typedef enum
{
  HL_PLOT_TARGET_SCREEN,
  HL_PLOT_TARGET_EXPORT
} HlPlotTarget;

#define HL_PLOT_STYLE_N_CURVE_COLORS 6

typedef struct
{
  HlRgba  background;
  HlRgba  foreground;   /* text, axes, the selection outline */
  HlRgba  grid;
  HlRgba  accent;       /* selected tokens, the chosen N */
  HlRgba  muted;        /* unselected points, random control, pending cells */
  HlRgba  warning;      /* points whose disk and ball membership differ */
  HlRgba  regime[HL_N_REGIMES];                   /* Retriever, Mixer, Reset, Other */
  HlRgba  curve[HL_PLOT_STYLE_N_CURVE_COLORS];    /* P, R, F, then more series */
  char   *font_family;  /* owned */
  double  font_size;    /* in units of the cairo_t (points when exporting) */
  double  line_width;   /* data lines */
  double  axis_width;   /* axes, ticks, outlines */
  double  marker_size;  /* diameter of a scatter point */
} HlPlotStyle;

HlPlotStyle *hl_plot_style_new             (HlPlotStylePreset  preset,
                                            HlPlotTarget       target);
HlPlotStyle *hl_plot_style_new_from_colors (const HlRgba      *background,
                                            const HlRgba      *foreground,
                                            const HlRgba      *accent,
                                            HlPlotTarget       target);
HlPlotStyle *hl_plot_style_copy            (const HlPlotStyle *self);
void         hl_plot_style_set_font        (HlPlotStyle       *self,
                                            const char        *family,
                                            double             size);
void         hl_plot_style_free            (HlPlotStyle       *self);

/* "light", "dark", "high-contrast". */
gboolean     hl_plot_style_preset_from_string (const char        *str,
                                               HlPlotStylePreset *out);
const char  *hl_plot_style_preset_to_string   (HlPlotStylePreset  preset);

/* Parses "#rrggbb" or "#rrggbbaa". */
gboolean     hl_rgba_parse   (const char *str,
                              HlRgba     *out);
/* Linear mix in sRGB: t = 0 gives @a, t = 1 gives @b. */
HlRgba       hl_rgba_mix     (const HlRgba *a,
                              const HlRgba *b,
                              double        t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlPlotStyle, hl_plot_style_free)

G_END_DECLS
