/* hl-plot-style.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-plot-style.h"

#include <string.h>

/* Okabe & Ito's palette, safe for the common forms of colour blindness. */
#define OI_ORANGE    "#E69F00"
#define OI_SKY       "#56B4E9"
#define OI_GREEN     "#009E73"
#define OI_YELLOW    "#F0E442"
#define OI_BLUE      "#0072B2"
#define OI_VERMILION "#D55E00"
#define OI_PURPLE    "#CC79A7"

typedef struct
{
  const char *background;
  const char *foreground;
  const char *grid;
  const char *accent;
  const char *muted;
  const char *warning;
  const char *regime[HL_N_REGIMES];
  const char *curve[HL_PLOT_STYLE_N_CURVE_COLORS];
  double      width_factor;
} Palette;

static const Palette palettes[HL_N_PLOT_STYLE_PRESETS] = {
  [HL_PLOT_STYLE_LIGHT] = {
    "#FFFFFF", "#202020", "#E4E4E4", OI_BLUE, "#A0A0A0", OI_VERMILION,
    { OI_BLUE, OI_ORANGE, OI_GREEN, OI_PURPLE },
    { OI_BLUE, OI_VERMILION, OI_GREEN, OI_PURPLE, OI_SKY, OI_ORANGE },
    1.0,
  },
  [HL_PLOT_STYLE_DARK] = {
    "#1E1E1E", "#EEEEEE", "#3A3A3A", OI_SKY, "#7C7C7C", "#F08A4B",
    { OI_SKY, OI_ORANGE, "#2DBE8C", OI_PURPLE },
    { OI_SKY, "#F08A4B", "#2DBE8C", OI_PURPLE, OI_YELLOW, OI_ORANGE },
    1.0,
  },
  [HL_PLOT_STYLE_HIGH_CONTRAST] = {
    "#FFFFFF", "#000000", "#A8A8A8", "#004E8C", "#5A5A5A", "#B00000",
    { "#004E8C", "#B86E00", "#006B4F", "#8E3A72" },
    { "#004E8C", "#A33A00", "#006B4F", "#8E3A72", "#2A7DB5", "#B86E00" },
    1.5,
  },
};

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

gboolean
hl_rgba_parse (const char *str,
               HlRgba     *out)
{
  double c[4] = { 0, 0, 0, 1 };
  size_t len;

  g_return_val_if_fail (str != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  len = strlen (str);
  if (str[0] != '#' || (len != 7 && len != 9))
    return FALSE;
  for (size_t k = 0; 1 + 2 * k < len; k++)
    {
      int hi = hex_digit (str[1 + 2 * k]);
      int lo = hex_digit (str[2 + 2 * k]);

      if (hi < 0 || lo < 0)
        return FALSE;
      c[k] = (hi * 16 + lo) / 255.0;
    }
  *out = (HlRgba) { c[0], c[1], c[2], c[3] };
  return TRUE;
}

HlRgba
hl_rgba_mix (const HlRgba *a,
             const HlRgba *b,
             double        t)
{
  return (HlRgba) {
    a->red + (b->red - a->red) * t,
    a->green + (b->green - a->green) * t,
    a->blue + (b->blue - a->blue) * t,
    a->alpha + (b->alpha - a->alpha) * t,
  };
}

static HlRgba
rgba (const char *hex)
{
  HlRgba c;
  gboolean ok = hl_rgba_parse (hex, &c);

  g_assert (ok);
  return c;
}

static void
apply_target (HlPlotStyle *self,
              HlPlotTarget target,
              double       width_factor)
{
  /* Screen units are logical pixels; export units are points, sized for a
   * printed figure read at arm's length. */
  if (target == HL_PLOT_TARGET_SCREEN)
    {
      hl_plot_style_set_font (self, "Cantarell", 12.0);
      self->line_width = 1.5 * width_factor;
      self->axis_width = 1.0 * width_factor;
      self->marker_size = 5.0;
    }
  else
    {
      hl_plot_style_set_font (self, "DejaVu Sans", 8.0);
      self->line_width = 1.0 * width_factor;
      self->axis_width = 0.6 * width_factor;
      self->marker_size = 3.2;
    }
}

HlPlotStyle *
hl_plot_style_new (HlPlotStylePreset preset,
                   HlPlotTarget      target)
{
  const Palette *p;
  HlPlotStyle *self;

  g_return_val_if_fail (preset < HL_N_PLOT_STYLE_PRESETS, NULL);

  p = &palettes[preset];
  self = g_new0 (HlPlotStyle, 1);
  self->background = rgba (p->background);
  self->foreground = rgba (p->foreground);
  self->grid = rgba (p->grid);
  self->accent = rgba (p->accent);
  self->muted = rgba (p->muted);
  self->warning = rgba (p->warning);
  for (int i = 0; i < HL_N_REGIMES; i++)
    self->regime[i] = rgba (p->regime[i]);
  for (int i = 0; i < HL_PLOT_STYLE_N_CURVE_COLORS; i++)
    self->curve[i] = rgba (p->curve[i]);
  apply_target (self, target, p->width_factor);
  return self;
}

static double
luminance (const HlRgba *c)
{
  return 0.2126 * c->red + 0.7152 * c->green + 0.0722 * c->blue;
}

HlPlotStyle *
hl_plot_style_new_from_colors (const HlRgba *background,
                               const HlRgba *foreground,
                               const HlRgba *accent,
                               HlPlotTarget  target)
{
  HlPlotStyle *self;
  gboolean dark;

  g_return_val_if_fail (background != NULL, NULL);
  g_return_val_if_fail (foreground != NULL, NULL);
  g_return_val_if_fail (accent != NULL, NULL);

  /* The data colours come from the preset that suits the background; the
   * neutral colours are mixed from the theme's own two colours. */
  dark = luminance (background) < luminance (foreground);
  self = hl_plot_style_new (dark ? HL_PLOT_STYLE_DARK : HL_PLOT_STYLE_LIGHT, target);
  self->background = *background;
  self->foreground = *foreground;
  self->accent = *accent;
  self->grid = hl_rgba_mix (background, foreground, 0.12);
  self->muted = hl_rgba_mix (background, foreground, 0.45);
  return self;
}

HlPlotStyle *
hl_plot_style_copy (const HlPlotStyle *self)
{
  HlPlotStyle *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->font_family = g_strdup (self->font_family);
  return copy;
}

void
hl_plot_style_set_font (HlPlotStyle *self,
                        const char  *family,
                        double       size)
{
  char *family_copy;

  g_return_if_fail (self != NULL);
  g_return_if_fail (family != NULL);
  g_return_if_fail (size > 0);

  /* Copy first: @family may be the current value. */
  family_copy = g_strdup (family);
  g_free (self->font_family);
  self->font_family = family_copy;
  self->font_size = size;
}

void
hl_plot_style_free (HlPlotStyle *self)
{
  if (self == NULL)
    return;
  g_free (self->font_family);
  g_free (self);
}

static const char * const preset_names[HL_N_PLOT_STYLE_PRESETS] = {
  "light", "dark", "high-contrast",
};

const char *
hl_plot_style_preset_to_string (HlPlotStylePreset preset)
{
  g_return_val_if_fail (preset < HL_N_PLOT_STYLE_PRESETS, NULL);

  return preset_names[preset];
}

gboolean
hl_plot_style_preset_from_string (const char        *str,
                                  HlPlotStylePreset *out)
{
  g_return_val_if_fail (str != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  for (int i = 0; i < HL_N_PLOT_STYLE_PRESETS; i++)
    if (g_strcmp0 (str, preset_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}
