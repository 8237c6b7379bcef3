# SPDX-License-Identifier: GPL-3.0-or-later
"""Records attention rows and value vectors of a torch model with forward
hooks and streams them into a Headlens activation file."""

import os
import tempfile
import warnings

import numpy as np
import torch

from .presets import PRESETS, Preset
from .writer import ActivationWriter, ExportError

__version__ = "0.1.0"

# Headlens refuses a row that sums to more than 0.01 from 1 and warns from
# 0.001; rows the exporter renormalises were this far off at most.
ROW_SUM_REFUSED = 0.01


def model_dims(model):
    """n_layers, n_heads, n_kv_heads and head_dim from a Hugging Face config
    (model.config) or a TransformerLens config (model.cfg); None for what
    neither says."""
    config = getattr(model, "config", None)
    if config is not None and hasattr(config, "num_attention_heads"):
        n_heads = config.num_attention_heads
        head_dim = getattr(config, "head_dim", None) or config.hidden_size // n_heads
        return dict(n_layers=config.num_hidden_layers, n_heads=n_heads,
                    n_kv_heads=getattr(config, "num_key_value_heads", None) or n_heads,
                    head_dim=head_dim)
    cfg = getattr(model, "cfg", None)
    if cfg is not None and hasattr(cfg, "n_heads"):
        return dict(n_layers=cfg.n_layers, n_heads=cfg.n_heads,
                    n_kv_heads=getattr(cfg, "n_key_value_heads", None) or cfg.n_heads,
                    head_dim=cfg.d_head)
    return dict(n_layers=None, n_heads=None, n_kv_heads=None, head_dim=None)


def _resolve_preset(preset):
    if isinstance(preset, Preset):
        return preset
    try:
        return PRESETS[preset]
    except KeyError:
        raise ExportError(f"unknown preset {preset!r}: expected one of {', '.join(PRESETS)} "
                          "or a Preset naming the modules") from None


def _query_positions(queries, seq_len):
    if queries == "last":
        return [seq_len - 1]
    if queries == "all":
        return list(range(seq_len))
    positions = [int(q) for q in queries]
    if not positions or positions != sorted(set(positions)) or positions[0] < 0 \
            or positions[-1] >= seq_len:
        raise ExportError(f"query positions {positions} must be strictly increasing, "
                          f"each in 0..{seq_len - 1}")
    return positions


def _check_bos(input_ids, bos_token_id, allow_missing_bos):
    """The framework's sink is the first token: every sample must start with
    the model's BOS token."""
    if bos_token_id is None:
        if allow_missing_bos:
            return
        raise ExportError("the BOS token of the model is not known: pass bos_token_id= "
                          "(samples must start with it, the attention sink), or "
                          "allow_missing_bos=True to export without the check")
    first = input_ids[:, 0]
    bad = (first != bos_token_id).nonzero().flatten().tolist()
    if bad and not allow_missing_bos:
        s = bad[0]
        raise ExportError(f"sample {s} starts with token {int(first[s])}, expected the BOS token "
                          f"{bos_token_id} ({len(bad)} of {len(first)} samples do not): prepend "
                          "it, as the model saw it in training")


def _take(take, inputs, output):
    if take == "input":
        return inputs[0]
    if take == "output[1]":
        if not isinstance(output, (tuple, list)) or len(output) < 2 or output[1] is None:
            return None
        return output[1]
    return output[0] if isinstance(output, (tuple, list)) else output


def _values_heads(tensor, layout, dims):
    """[batch, seq, ...] of one layout -> [batch, n_kv_heads, seq, head_dim]."""
    b, t = tensor.shape[0], tensor.shape[1]
    n_heads, n_kv, d = dims["n_heads"], dims["n_kv_heads"], dims["head_dim"]
    expected = {"proj": n_kv * d, "heads": n_kv * d,
                "fused_qkv": (n_heads + 2 * n_kv) * d, "interleaved_qkv": 3 * n_heads * d}
    width = int(np.prod(tensor.shape[2:]))
    if width != expected[layout]:
        raise ExportError(f"the value source has {width} numbers per token, expected "
                          f"{expected[layout]} for layout {layout!r} with {n_heads} heads, "
                          f"{n_kv} kv heads of dimension {d}")
    flat = tensor.reshape(b, t, width)
    if layout == "fused_qkv":
        flat = flat[:, :, (n_heads + n_kv) * d:]
    elif layout == "interleaved_qkv":
        flat = flat.reshape(b, t, n_heads, 3 * d)[:, :, :, 2 * d:]
    return flat.reshape(b, t, n_kv, d).transpose(1, 2)


class _Recorder:
    """Forward hooks that write each layer's blocks as the layer runs."""

    def __init__(self, model, preset, dims, layers, positions, writer, renormalise):
        self.preset = preset
        self.dims = dims
        self.positions = torch.tensor(positions)
        self.writer = writer
        self.renormalise = renormalise
        self.first_sample = 0
        self.seen = set()
        self.max_row_error = 0.0
        self.handles = []
        modules = dict(model.named_modules())
        for index, layer in enumerate(layers):
            for kind, template in (("attention", preset.attention), ("values", preset.values)):
                name = template.format(layer=layer)
                if name not in modules:
                    raise ExportError(f"the model has no module {name!r} ({kind} of layer {layer}, "
                                      f"preset {preset.name}); it has, for example, "
                                      f"{', '.join(list(modules)[1:6])}")
                hook = self._attention_hook if kind == "attention" else self._values_hook
                self.handles.append(modules[name].register_forward_hook(
                    lambda m, i, o, hook=hook, index=index, name=name: hook(index, name, i, o)))

    def remove(self):
        for handle in self.handles:
            handle.remove()

    def _attention_hook(self, index, name, inputs, output):
        probs = _take(self.preset.attention_take, inputs, output)
        if probs is None:
            raise ExportError(f"{name} gave no attention weights: {self.preset.requirement or 'check the preset'}"
                              f" and call it with {self.preset.call_kwargs or 'the weights returned'}")
        expected = (self.dims["n_heads"],)
        if probs.dim() != 4 or probs.shape[1:2] != expected:
            raise ExportError(f"{name} gave attention of shape {tuple(probs.shape)}, expected "
                              f"[batch, {self.dims['n_heads']} heads, queries, keys]")
        rows = probs.detach()[:, :, self.positions, :].to(torch.float64)
        sums = rows.sum(dim=-1, keepdim=True)
        error = float((sums - 1).abs().max())
        self.max_row_error = max(self.max_row_error, error)
        if error > ROW_SUM_REFUSED and not self.renormalise:
            raise ExportError(f"{name}: an attention row sums to {1 + error:g}, expected 1: "
                              "is this the softmax output?")
        if self.renormalise:
            rows = rows / sums
        self.writer.write_attention(index, self.first_sample, rows.cpu().numpy())
        self.seen.add(("attention", index))
        # Handing the weights on would keep every layer's [T, T] matrix
        # alive until the model returns (Hugging Face collects them).
        if self.preset.attention_take == "output[1]":
            return (output[0], None) + tuple(output[2:])
        return None

    def _values_hook(self, index, name, inputs, output):
        tensor = _take(self.preset.values_take, inputs, output)
        heads = _values_heads(tensor.detach(), self.preset.values_layout, self.dims)
        block = heads.to(torch.float64).cpu().numpy()
        if not np.isfinite(block).all():
            raise ExportError(f"{name} gave a value that is NaN or infinite")
        self.writer.write_values(index, self.first_sample, block)
        self.seen.add(("values", index))
        return None


def export(model, input_ids, path, preset, *, layers=None, queries="last",
           values_dtype="float16", attention_dtype="float32", batch_size=1,
           bos_token_id="auto", allow_missing_bos=False, tokens=None, kv_head_of=None,
           model_name=None, n_layers=None, n_heads=None, n_kv_heads=None, head_dim=None,
           forward=None, renormalise="auto", gzip=True):
    """Runs @model on @input_ids ([n_samples, seq_len] token ids) and writes
    the attention rows of the @queries positions ("last", "all" or a list)
    and the value vectors of every kv head of @layers (default: all) to
    @path, a Headlens activation file (schema v1), written atomically.

    @preset is a name of PRESETS or a Preset. The model dimensions come from
    model.config (Hugging Face) or model.cfg (TransformerLens) unless given.
    Every sample must start with the BOS token (@bos_token_id; "auto" reads
    model.config.bos_token_id). Query head h reads kv head @kv_head_of[h],
    by default h // (n_heads // n_kv_heads) as Hugging Face's repeat_kv and
    TransformerLens do. @forward(model, ids) replaces model(ids, **kwargs of
    the preset). bfloat16 and float16 models are recorded in float64 and
    their attention rows renormalised to sum to 1 (@renormalise "auto");
    values are stored as @values_dtype, attention as @attention_dtype.
    Returns a dict with what was written."""
    preset = _resolve_preset(preset)
    input_ids = torch.as_tensor(input_ids)
    if input_ids.dim() != 2 or input_ids.shape[1] < 2:
        raise ExportError(f"input_ids has shape {tuple(input_ids.shape)}, expected "
                          "[n_samples, seq_len] with seq_len at least 2")
    n_samples, seq_len = input_ids.shape
    dims = model_dims(model)
    for key, value in (("n_layers", n_layers), ("n_heads", n_heads),
                       ("n_kv_heads", n_kv_heads), ("head_dim", head_dim)):
        if value is not None:
            dims[key] = value
    missing = [k for k, v in dims.items() if v is None]
    if missing:
        raise ExportError(f"the model's {', '.join(missing)} are not known: pass them "
                          "(neither model.config nor model.cfg says)")
    if dims["n_heads"] % dims["n_kv_heads"] != 0:
        raise ExportError(f"{dims['n_heads']} query heads cannot share {dims['n_kv_heads']} kv heads")
    layers = list(range(dims["n_layers"])) if layers is None else [int(l) for l in layers]
    positions = _query_positions(queries, seq_len)
    if bos_token_id == "auto":
        bos_token_id = getattr(getattr(model, "config", None), "bos_token_id", None)
    _check_bos(input_ids, bos_token_id, allow_missing_bos)
    if kv_head_of is None:
        group = dims["n_heads"] // dims["n_kv_heads"]
        kv_head_of = [h // group for h in range(dims["n_heads"])]
    if tokens is not None and (len(tokens) != n_samples or any(len(t) != seq_len for t in tokens)):
        raise ExportError(f"tokens must hold {n_samples} lists of {seq_len} strings")
    low_precision = next(model.parameters()).dtype in (torch.float16, torch.bfloat16)
    if renormalise == "auto":
        renormalise = low_precision
    if forward is None:
        def forward(m, ids):
            return m(ids, **preset.call_kwargs)

    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=directory)
    os.close(fd)
    writer = None
    recorder = None
    try:
        writer = ActivationWriter(
            tmp, model=model_name or getattr(getattr(model, "config", None), "_name_or_path", None)
            or type(model).__name__,
            source=f"headlens_export {__version__}, preset {preset.name}, torch {torch.__version__}"
                   + ("" if layers == list(range(dims["n_layers"])) else f", model layers {layers}"),
            n_layers=len(layers), n_heads=dims["n_heads"], n_kv_heads=dims["n_kv_heads"],
            head_dim=dims["head_dim"], seq_len=seq_len, n_samples=n_samples,
            query_positions=positions, kv_head_of=kv_head_of, values_dtype=values_dtype,
            attention_dtype=attention_dtype, gzip=gzip)
        recorder = _Recorder(model, preset, dims, layers, positions, writer, renormalise)
        with torch.no_grad():
            for start in range(0, n_samples, batch_size):
                batch = input_ids[start:start + batch_size]
                recorder.first_sample = start
                recorder.seen.clear()
                forward(model, batch)
                missing = [f"{k} of layer {layers[i]}" for k in ("attention", "values")
                           for i in range(len(layers)) if (k, i) not in recorder.seen]
                if missing:
                    raise ExportError(f"the forward pass never reached {', '.join(missing[:4])}: "
                                      f"does the preset {preset.name} match the model?")
                writer.write_tokens(start, batch.cpu().numpy().astype(np.int32),
                                    None if tokens is None else tokens[start:start + batch_size])
        writer.close()
        writer = None
        os.replace(tmp, path)
    finally:
        if recorder is not None:
            recorder.remove()
        if writer is not None:
            writer.close()
        if os.path.exists(tmp):
            os.unlink(tmp)
    if recorder.max_row_error > 1e-3 and not renormalise:
        warnings.warn(f"attention rows sum to 1 within {recorder.max_row_error:.2g} only; "
                      "Headlens warns from 0.001")
    return dict(path=path, n_layers=len(layers), n_samples=int(n_samples), seq_len=int(seq_len),
                query_positions=positions, kv_head_of=list(kv_head_of),
                max_row_error=recorder.max_row_error, renormalised=bool(renormalise))
