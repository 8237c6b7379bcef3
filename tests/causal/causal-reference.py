#!/usr/bin/python3
# causal-reference.py SPEC.json OUT.json
#
# An independent float64 numpy implementation of Headlens' causal
# experiments: the next-token loss (mean nats per token over positions
# 0 .. T-2 of every window) of a model whose attention is changed.
#
# SPEC.json:
#   {"checkpoint": PATH}  a llama2.c checkpoint (version 0 or 1), or
#   {"hf_case": NAME, "hf_dir": DIR}  a tiny model written by
#       tests/extract/hf-reference.py, run by that script's own forward pass
#       with its attention() replaced here;
#   "windows": [[ids...], ...]  (every window the same length),
#   "cases": [{"kind": "none"} |
#             {"kind": "truncate", "heads": [[l, h], ...], "mode": "renormalise"|"delete",
#              "ranking": "attention"|"contribution", "n": N} |
#             {"kind": "ablate", "heads": [[l, h], ...], "mode": "zero"|"mean"}]
# OUT.json: the loss of each case, in order.
#
# Truncation keeps, in each query row t, the first N keys 0..t of the
# ranking (descending weight alpha_i or ||alpha_i v_i||, ties to the lower
# index) and zeroes the rest; renormalise divides the kept weights by their
# sum. Ablation replaces the head's output (before the output projection)
# by zero or by its mean over every position of every window of the
# unmodified model.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import importlib.util
import json
import os
import struct
import sys

import numpy as np


# ---- interventions on one head's attention, shared by both model kinds ----

def ranked(weights_row, values, ranking):
    """Key indices by descending key, ties to the lower index."""
    if ranking == "attention":
        key = weights_row
    else:
        key = np.sqrt(((weights_row[:, None] * values) ** 2).sum(-1))
    return np.lexsort((np.arange(len(key)), -key))


def truncate(weights, values, case):
    """weights [T, T] of one head (row t sees keys 0..t), values [T, d]."""
    out = weights.copy()
    n = case["n"]
    for t in range(weights.shape[0]):
        keys = t + 1
        if n >= keys:
            continue
        order = ranked(weights[t, :keys], values[:keys], case["ranking"])
        dropped = order[n:]
        out[t, dropped] = 0.0
        if case["mode"] == "renormalise":
            out[t, :keys] /= out[t, :keys].sum()
    return out


def applies(case, layer, head):
    return case["kind"] != "none" and [layer, head] in case["heads"]


class Attention:
    """Applies one case to the heads of each layer; remembers the heads'
    outputs (for the means of the unmodified model)."""

    def __init__(self, case, means):
        self.case = case
        self.means = means
        self.outputs = []

    def head(self, layer, h, weights, values):
        """weights [T, T], values [T, d] of query head h: its output [T, d]."""
        case = self.case
        if applies(case, layer, h) and case["kind"] == "truncate":
            weights = truncate(weights, values, case)
        out = weights @ values
        if applies(case, layer, h) and case["kind"] == "ablate":
            out = np.zeros_like(out) if case["mode"] == "zero" else np.tile(self.means[layer][h], (len(out), 1))
        return out


def nll(logits, tokens):
    logits = logits[:-1]
    m = logits.max(-1, keepdims=True)
    lse = (np.log(np.exp(logits - m).sum(-1, keepdims=True)) + m)[:, 0]
    return (lse - logits[np.arange(len(tokens) - 1), tokens[1:]]).sum()


# ---- llama2.c ----

def read_checkpoint(path):
    raw = open(path, "rb").read()
    magic = struct.unpack_from("<I", raw, 0)[0]
    if magic == 0x616B3432:
        version, dim, hidden, layers, heads, kv_heads, vocab, seq_len = struct.unpack_from("<8i", raw, 4)
        shared = raw[36] != 0
        offset = 256
        order = ["rms_att", "rms_ffn", "rms_final", "emb", "wq", "wk", "wv", "wo", "w1", "w2", "w3"]
    else:
        dim, hidden, layers, heads, kv_heads, vocab, seq_len = struct.unpack_from("<7i", raw, 0)
        shared = vocab > 0
        vocab = abs(vocab)
        offset = 28
        order = ["emb", "rms_att", "wq", "wk", "wv", "wo", "rms_ffn", "w1", "w2", "w3", "rms_final", "rope"]
    hd = dim // heads
    kv = kv_heads * hd
    shapes = dict(emb=(vocab, dim), rms_att=(layers, dim), wq=(layers, dim, dim), wk=(layers, kv, dim),
                  wv=(layers, kv, dim), wo=(layers, dim, dim), rms_ffn=(layers, dim),
                  w1=(layers, hidden, dim), w2=(layers, dim, hidden), w3=(layers, hidden, dim),
                  rms_final=(dim,), rope=(seq_len * hd,), cls=(vocab, dim))
    if not shared:
        order.append("cls")
    w = {}
    floats = np.frombuffer(raw, dtype="<f4", offset=offset).astype(np.float64)
    at = 0
    for name in order:
        size = int(np.prod(shapes[name]))
        w[name] = floats[at:at + size].reshape(shapes[name])
        at += size
    if shared:
        w["cls"] = w["emb"]
    config = dict(dim=dim, layers=layers, heads=heads, kv_heads=kv_heads, hd=hd)
    return config, w


def rmsnorm(x, weight):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-5) * weight


def rope_interleaved(x, hd):
    """x [T, width] with heads of hd: pairs (2j, 2j+1) rotated by pos * 10000^(-2j/hd)."""
    t_len, width = x.shape
    out = x.copy()
    j = np.arange(0, hd, 2)
    freq = 1.0 / 10000.0 ** (j / hd)
    angle = np.arange(t_len)[:, None] * freq[None, :]
    cos, sin = np.cos(angle), np.sin(angle)
    for h0 in range(0, width, hd):
        a, b = x[:, h0 + j], x[:, h0 + j + 1]
        out[:, h0 + j] = a * cos - b * sin
        out[:, h0 + j + 1] = a * sin + b * cos
    return out


def llama2c_forward(config, w, tokens, attention):
    t_len = len(tokens)
    hd, heads, group = config["hd"], config["heads"], config["heads"] // config["kv_heads"]
    x = w["emb"][tokens].copy()
    mask = np.tril(np.ones((t_len, t_len), dtype=bool))
    for l in range(config["layers"]):
        xb = rmsnorm(x, w["rms_att"][l])
        q = rope_interleaved(xb @ w["wq"][l].T, hd)
        k = rope_interleaved(xb @ w["wk"][l].T, hd)
        v = xb @ w["wv"][l].T
        outs = []
        for h in range(heads):
            g = h // group
            scores = q[:, h * hd:(h + 1) * hd] @ k[:, g * hd:(g + 1) * hd].T / np.sqrt(hd)
            scores = np.where(mask, scores, -np.inf)
            weights = np.exp(scores - scores.max(-1, keepdims=True))
            weights /= weights.sum(-1, keepdims=True)
            outs.append(attention.head(l, h, weights, v[:, g * hd:(g + 1) * hd]))
        attention.outputs.append(outs)
        x = x + np.concatenate(outs, -1) @ w["wo"][l].T
        xb = rmsnorm(x, w["rms_ffn"][l])
        h1 = xb @ w["w1"][l].T
        x = x + ((h1 / (1.0 + np.exp(-h1))) * (xb @ w["w3"][l].T)) @ w["w2"][l].T
    return rmsnorm(x, w["rms_final"]) @ w["cls"].T


# ---- Hugging Face families through hf-reference.py ----

def load_hf_reference():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "extract", "hf-reference.py")
    spec = importlib.util.spec_from_file_location("hf_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hf_forward(hf, config, w, tokens, attention):
    """hf-reference.py's forward with its attention() routed through
    @attention, one call per layer in order."""
    original = hf.attention
    layer = [0]

    def hooked(q, k, v, scale, cap, window):
        weights, _ = original(q, k, v, scale, cap, window)
        n, d = q.shape[1], q.shape[2]
        group = n // k.shape[1]
        outs = [attention.head(layer[0], h, weights[h], v[:, h // group]) for h in range(n)]
        attention.outputs.append(outs)
        layer[0] += 1
        return weights, np.concatenate(outs, -1)

    hf.attention = hooked
    try:
        forward = hf.gpt2_forward if config["model_type"] == "gpt2" else hf.llama_forward
        return forward(config, w, np.array(tokens))[2]
    finally:
        hf.attention = original


def hf_model(spec):
    hf = load_hf_reference()
    case = hf.CASES[spec["hf_case"]]
    config = case["config"]
    rng = np.random.default_rng(sum(map(ord, spec["hf_case"])))
    if config["model_type"] == "gpt2":
        tensors = hf.gpt2_tensors(config, rng)
    else:
        tensors = hf.llama_tensors(config, rng, case.get("q_scale", 1.0))
    # The values the C reader gets back from the stored dtype.
    weights = {name: (a if a.ndim == 4 else hf.encode(a, case["dtype"])[1]) for name, a in tensors.items()}
    return lambda tokens, attention: hf_forward(hf, config, weights, tokens, attention)


# ---- the cases ----

def run(forward, windows, case, means):
    attention = None
    total = 0.0
    outputs = []
    for tokens in windows:
        attention = Attention(case, means)
        total += nll(forward(tokens, attention), np.array(tokens))
        outputs.append(attention.outputs)
    return total / sum(len(t) - 1 for t in windows), outputs


def head_means(outputs):
    """[layer][head] mean output over every position of every window."""
    layers, heads = len(outputs[0]), len(outputs[0][0])
    return [[np.concatenate([w[l][h] for w in outputs]).mean(0) for h in range(heads)] for l in range(layers)]


def main():
    spec = json.load(open(sys.argv[1]))
    if "checkpoint" in spec:
        config, w = read_checkpoint(spec["checkpoint"])
        forward = lambda tokens, attention: llama2c_forward(config, w, tokens, attention)
    else:
        forward = hf_model(spec)
    windows = spec["windows"]
    _, outputs = run(forward, windows, {"kind": "none"}, None)
    means = head_means(outputs)
    results = [run(forward, windows, case, means)[0] for case in spec["cases"]]
    json.dump(results, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
