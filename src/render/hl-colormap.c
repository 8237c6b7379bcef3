/* hl-colormap.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-colormap.h"

#include <math.h>

typedef struct
{
  float r, g, b;
} Entry;

/* Every 8th entry of matplotlib's 256-entry viridis (van der Walt & Smith,
 * CC0), plus the last; entry k sits at t = min (8 k, 255) / 255. Linear
 * interpolation between them stays within one 8-bit step of the full table. */
static const Entry viridis[] = {
  { 0.267004, 0.004874, 0.329415 }, { 0.277018, 0.050344, 0.375715 },
  { 0.282327, 0.094955, 0.417331 }, { 0.282884, 0.135920, 0.453427 },
  { 0.278826, 0.175490, 0.483397 }, { 0.270595, 0.214069, 0.507052 },
  { 0.258965, 0.251537, 0.524736 }, { 0.244972, 0.287675, 0.537260 },
  { 0.229739, 0.322361, 0.545706 }, { 0.214298, 0.355619, 0.551184 },
  { 0.199430, 0.387607, 0.554642 }, { 0.185556, 0.418570, 0.556753 },
  { 0.172719, 0.448791, 0.557885 }, { 0.160665, 0.478540, 0.558115 },
  { 0.149039, 0.508051, 0.557250 }, { 0.137770, 0.537492, 0.554906 },
  { 0.127568, 0.566949, 0.550556 }, { 0.120565, 0.596422, 0.543611 },
  { 0.120638, 0.625828, 0.533488 }, { 0.132268, 0.655014, 0.519661 },
  { 0.157851, 0.683765, 0.501686 }, { 0.196571, 0.711827, 0.479221 },
  { 0.246070, 0.738910, 0.452024 }, { 0.304148, 0.764704, 0.419943 },
  { 0.369214, 0.788888, 0.382914 }, { 0.440137, 0.811138, 0.340967 },
  { 0.515992, 0.831158, 0.294279 }, { 0.595839, 0.848717, 0.243329 },
  { 0.678489, 0.863742, 0.189503 }, { 0.762373, 0.876424, 0.137064 },
  { 0.845561, 0.887322, 0.099702 }, { 0.926106, 0.897330, 0.104071 },
  { 0.993248, 0.906157, 0.143936 },
};

/* ColorBrewer RdBu with 11 classes, reversed so negative values are blue;
 * evenly spaced in t. */
static const Entry diverging[] = {
  { 0x05 / 255., 0x30 / 255., 0x61 / 255. }, { 0x21 / 255., 0x66 / 255., 0xac / 255. },
  { 0x43 / 255., 0x93 / 255., 0xc3 / 255. }, { 0x92 / 255., 0xc5 / 255., 0xde / 255. },
  { 0xd1 / 255., 0xe5 / 255., 0xf0 / 255. }, { 0xf7 / 255., 0xf7 / 255., 0xf7 / 255. },
  { 0xfd / 255., 0xdb / 255., 0xc7 / 255. }, { 0xf4 / 255., 0xa5 / 255., 0x82 / 255. },
  { 0xd6 / 255., 0x60 / 255., 0x4d / 255. }, { 0xb2 / 255., 0x18 / 255., 0x2b / 255. },
  { 0x67 / 255., 0x00 / 255., 0x1f / 255. },
};

static HlRgba
lerp_entries (const Entry *a,
              const Entry *b,
              double       f)
{
  return (HlRgba) {
    a->r + (b->r - a->r) * f,
    a->g + (b->g - a->g) * f,
    a->b + (b->b - a->b) * f,
    1.0,
  };
}

static HlRgba
eval_viridis (double t)
{
  const int last = G_N_ELEMENTS (viridis) - 1;
  double pos = t * 255.0 / 8.0;
  int k = MIN ((int) floor (pos), last - 1);
  double t0 = 8.0 * k / 255.0;
  double t1 = MIN (8.0 * (k + 1), 255.0) / 255.0;

  return lerp_entries (&viridis[k], &viridis[k + 1], (t - t0) / (t1 - t0));
}

static HlRgba
eval_diverging (double t)
{
  const int last = G_N_ELEMENTS (diverging) - 1;
  double pos = t * last;
  int k = MIN ((int) floor (pos), last - 1);

  return lerp_entries (&diverging[k], &diverging[k + 1], pos - k);
}

HlRgba
hl_colormap_eval (HlColormap map,
                  double     t)
{
  static const HlRgba black = { 0, 0, 0, 1 };

  g_return_val_if_fail (map < HL_N_COLORMAPS, black);

  if (isnan (t))
    t = 0.0;
  t = CLAMP (t, 0.0, 1.0);
  return map == HL_COLORMAP_VIRIDIS ? eval_viridis (t) : eval_diverging (t);
}

HlRgba
hl_colormap_eval_range (HlColormap map,
                        double     value,
                        double     vmin,
                        double     vmax)
{
  double t = vmax > vmin ? (value - vmin) / (vmax - vmin) : 0.5;

  return hl_colormap_eval (map, t);
}
