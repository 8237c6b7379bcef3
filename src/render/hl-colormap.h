/* hl-colormap.h: the colours of the colour maps of hl-types.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hl-plot-style.h"

G_BEGIN_DECLS

/* The colour at @t in 0 .. 1 (clamped), linearly interpolated between the
 * entries of the map's lookup table. NaN gives the map's lowest colour; the
 * renderers draw NaN (pending) cells differently and never ask. */
HlRgba   hl_colormap_eval        (HlColormap  map,
                                  double      t);
/* The colour of @value on the range @vmin .. @vmax. */
HlRgba   hl_colormap_eval_range  (HlColormap  map,
                                  double      value,
                                  double      vmin,
                                  double      vmax);

G_END_DECLS
