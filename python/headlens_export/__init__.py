# SPDX-License-Identifier: GPL-3.0-or-later
"""Export the attention rows and value vectors of a PyTorch model to a
Headlens activation file (schema v1).

    from headlens_export import export
    export(model, input_ids, "run.h5", preset="hf-llama", queries="last")

See docs/pytorch-export.md.
"""

from .export import __version__, export, model_dims
from .presets import PRESETS, VALUE_LAYOUTS, Preset
from .writer import ExportError

__all__ = ["export", "model_dims", "Preset", "PRESETS", "VALUE_LAYOUTS", "ExportError",
           "__version__"]
