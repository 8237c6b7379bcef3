#!/usr/bin/python3
# hf-reference.py CASE OUT_DIR SHARED_DIR
#
# Writes a tiny random-weight model of one family in the Hugging Face Hub
# layout (config.json, model.safetensors or shards with their index, a real
# tokenizer.json from SHARED_DIR/huggingface) into OUT_DIR, then runs an
# independent float64 numpy implementation of the family's forward pass
# (written from transformers' modeling code: rotate_half RoPE, Llama 3
# frequency scaling, Gemma's (1 + w) norms and soft caps, GPT-2's Conv1D)
# on the token ids in OUT_DIR/tokens.json and writes, as little-endian
# float32, attention [layers, heads, T, T], values [layers, T, kv_dim] and
# logits [T, vocab] to OUT_DIR/reference.f32.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import math
import os
import shutil
import struct
import sys

import numpy as np

T = 12

CASES = {
    # GQA, Llama 3 RoPE scaling (all three frequency bands with head_dim 8
    # and original context 16), float32, one file.
    "llama-gqa-llama3": dict(
        tokenizer="tinyllama", dtype="F32", shards=1,
        config=dict(model_type="llama", hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=2, vocab_size=32000,
                    max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=500000.0,
                    rope_scaling=dict(factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                      original_max_position_embeddings=16, rope_type="llama3"),
                    tie_word_embeddings=False, hidden_act="silu", bos_token_id=1, eos_token_id=2)),
    # The transformers 5 spelling rope_parameters, bfloat16 in two shards,
    # tied embeddings, attention and MLP biases, head_dim * heads != hidden.
    "llama-bf16-sharded": dict(
        tokenizer="tinyllama", dtype="BF16", shards=2,
        config=dict(model_type="llama", hidden_size=32, intermediate_size=40, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=4, head_dim=16, vocab_size=32000,
                    max_position_embeddings=64, rms_norm_eps=1e-6,
                    rope_parameters=dict(rope_theta=100000, rope_type="default"),
                    attention_bias=True, mlp_bias=True, tie_word_embeddings=True, eos_token_id=2)),
    # A sliding window shorter than the text, float16.
    "mistral-window": dict(
        tokenizer="mistral", dtype="F16", shards=1,
        config=dict(model_type="mistral", hidden_size=32, intermediate_size=56, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=1, vocab_size=32000,
                    max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0,
                    sliding_window=5, tie_word_embeddings=False, eos_token_id=2)),
    # q/k/v biases, tied embeddings.
    "qwen2": dict(
        tokenizer="smollm", dtype="F32", shards=1,
        config=dict(model_type="qwen2", hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=2, vocab_size=49152,
                    max_position_embeddings=64, rms_norm_eps=1e-6, rope_theta=1000000.0,
                    use_sliding_window=False, sliding_window=64, tie_word_embeddings=True,
                    eos_token_id=0)),
    # GeGLU with tanh GELU, (1 + w) norms, sqrt(hidden) embedding scale,
    # explicit head_dim.
    "gemma": dict(
        tokenizer="tinyllama", dtype="F32", shards=1,
        config=dict(model_type="gemma", hidden_size=24, intermediate_size=40, num_hidden_layers=2,
                    num_attention_heads=3, num_key_value_heads=1, head_dim=12, vocab_size=32000,
                    max_position_embeddings=64, rms_norm_eps=1e-6, rope_theta=10000.0,
                    hidden_act="gelu", hidden_activation=None, eos_token_id=1)),
    # Soft caps, sliding window on even layers, norms after attention and
    # the MLP, query_pre_attn_scalar.
    "gemma2": dict(
        tokenizer="tinyllama", dtype="F32", shards=1, q_scale=6.0,
        config=dict(model_type="gemma2", hidden_size=24, intermediate_size=40, num_hidden_layers=3,
                    num_attention_heads=4, num_key_value_heads=2, head_dim=8, vocab_size=32000,
                    max_position_embeddings=64, rms_norm_eps=1e-6, rope_theta=10000.0,
                    hidden_activation="gelu_pytorch_tanh", query_pre_attn_scalar=10,
                    attn_logit_softcapping=2.0, final_logit_softcapping=3.0, sliding_window=4,
                    eos_token_id=1)),
    # LayerNorm, learned positions, fused Conv1D c_attn with bias, gelu_new,
    # tied embeddings, and the attn.bias mask buffers of old checkpoints.
    "gpt2": dict(
        tokenizer="gpt2", dtype="F32", shards=1,
        config=dict(model_type="gpt2", n_embd=24, n_layer=2, n_head=3, n_positions=32,
                    vocab_size=50257, layer_norm_epsilon=1e-5, activation_function="gelu_new",
                    eos_token_id=50256)),
}


def bf16_bits(a):
    u = np.ascontiguousarray(a, np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def encode(a, dtype):
    """The stored bytes and the float64 values a reader gets back."""
    if dtype == "F32":
        stored = a.astype("<f4")
        return stored.tobytes(), stored.astype(np.float64)
    if dtype == "F16":
        stored = a.astype("<f2")
        return stored.tobytes(), stored.astype(np.float64)
    bits = bf16_bits(a)
    back = (bits.astype(np.uint32) << 16).view(np.float32)
    return bits.astype("<u2").tobytes(), back.astype(np.float64)


def write_safetensors(path, tensors, dtype):
    header, blobs, offset, back = {}, [], 0, {}
    for name, a in tensors.items():
        if a.ndim == 4:   # GPT-2's mask buffer, stored as it is
            data, value = a.astype("<f4").tobytes(), a
            tensor_dtype = "F32"
        else:
            data, value = encode(a, dtype)
            tensor_dtype = dtype
        header[name] = dict(dtype=tensor_dtype, shape=list(a.shape), data_offsets=[offset, offset + len(data)])
        blobs.append(data)
        offset += len(data)
        back[name] = value
    header["__metadata__"] = dict(format="pt")
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)
    return back


def write_weights(out_dir, tensors, dtype, shards):
    names = list(tensors)
    if shards == 1:
        return write_safetensors(os.path.join(out_dir, "model.safetensors"), tensors, dtype)
    back, weight_map = {}, {}
    for s in range(shards):
        part = names[s::shards]
        file = "model-%05d-of-%05d.safetensors" % (s + 1, shards)
        back.update(write_safetensors(os.path.join(out_dir, file), {n: tensors[n] for n in part}, dtype))
        weight_map.update({n: file for n in part})
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
        json.dump(dict(metadata=dict(total_size=0), weight_map=weight_map), f)
    return back


# ---- random weights in transformers' state-dict names ----

def llama_tensors(c, rng, q_scale):
    h, i, n, kv = c["hidden_size"], c["intermediate_size"], c["num_attention_heads"], c["num_key_value_heads"]
    d = c.get("head_dim") or h // n
    gemma = c["model_type"].startswith("gemma")
    qkv_bias = c["model_type"] == "qwen2" or c.get("attention_bias", False)
    o_bias = c.get("attention_bias", False) and c["model_type"] != "qwen2"
    mlp_bias = c.get("mlp_bias", False)

    def mat(rows, cols, scale=1.0):
        return rng.uniform(-1, 1, (rows, cols)) * scale / math.sqrt(cols)

    def norm():
        return rng.uniform(-0.3, 0.3, h) if gemma else rng.uniform(0.7, 1.3, h)

    t = {"model.embed_tokens.weight": rng.normal(0, 1, (c["vocab_size"], h)) * (0.2 if gemma else 1.0),
         "model.norm.weight": norm()}
    for l in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % l
        t[p + "input_layernorm.weight"] = norm()
        t[p + "post_attention_layernorm.weight"] = norm()
        if c["model_type"] == "gemma2":
            t[p + "pre_feedforward_layernorm.weight"] = norm()
            t[p + "post_feedforward_layernorm.weight"] = norm()
        t[p + "self_attn.q_proj.weight"] = mat(n * d, h, q_scale)
        t[p + "self_attn.k_proj.weight"] = mat(kv * d, h, q_scale)
        t[p + "self_attn.v_proj.weight"] = mat(kv * d, h)
        t[p + "self_attn.o_proj.weight"] = mat(h, n * d)
        if qkv_bias:
            for name, size in (("q", n * d), ("k", kv * d), ("v", kv * d)):
                t[p + "self_attn.%s_proj.bias" % name] = rng.uniform(-0.5, 0.5, size)
        if o_bias:
            t[p + "self_attn.o_proj.bias"] = rng.uniform(-0.5, 0.5, h)
        t[p + "mlp.gate_proj.weight"] = mat(i, h)
        t[p + "mlp.up_proj.weight"] = mat(i, h)
        t[p + "mlp.down_proj.weight"] = mat(h, i)
        if mlp_bias:
            t[p + "mlp.gate_proj.bias"] = rng.uniform(-0.5, 0.5, i)
            t[p + "mlp.up_proj.bias"] = rng.uniform(-0.5, 0.5, i)
            t[p + "mlp.down_proj.bias"] = rng.uniform(-0.5, 0.5, h)
    if not c.get("tie_word_embeddings", gemma):
        t["lm_head.weight"] = mat(c["vocab_size"], h)
    return t


def gpt2_tensors(c, rng):
    h, v, p_max = c["n_embd"], c["vocab_size"], c["n_positions"]

    def mat(rows, cols):
        return rng.uniform(-1, 1, (rows, cols)) / math.sqrt(rows)

    t = {"wte.weight": rng.normal(0, 0.5, (v, h)), "wpe.weight": rng.normal(0, 0.5, (p_max, h)),
         "ln_f.weight": rng.uniform(0.7, 1.3, h), "ln_f.bias": rng.uniform(-0.2, 0.2, h)}
    for l in range(c["n_layer"]):
        p = "h.%d." % l
        for ln in ("ln_1", "ln_2"):
            t[p + ln + ".weight"] = rng.uniform(0.7, 1.3, h)
            t[p + ln + ".bias"] = rng.uniform(-0.2, 0.2, h)
        t[p + "attn.c_attn.weight"] = mat(h, 3 * h)
        t[p + "attn.c_attn.bias"] = rng.uniform(-0.3, 0.3, 3 * h)
        t[p + "attn.c_proj.weight"] = mat(h, h)
        t[p + "attn.c_proj.bias"] = rng.uniform(-0.3, 0.3, h)
        t[p + "mlp.c_fc.weight"] = mat(h, 4 * h)
        t[p + "mlp.c_fc.bias"] = rng.uniform(-0.3, 0.3, 4 * h)
        t[p + "mlp.c_proj.weight"] = mat(4 * h, h)
        t[p + "mlp.c_proj.bias"] = rng.uniform(-0.3, 0.3, h)
        t[p + "attn.bias"] = np.tril(np.ones((p_max, p_max)))[None, None]
    return t


# ---- the reference forward pass, float64 ----

def rms_norm(x, w, eps, plus_one):
    y = x / np.sqrt((x * x).mean(-1, keepdims=True) + eps)
    return y * (1.0 + w if plus_one else w)


def layer_norm(x, w, b, eps):
    m = x.mean(-1, keepdims=True)
    return (x - m) / np.sqrt(((x - m) ** 2).mean(-1, keepdims=True) + eps) * w + b


def activation(name, x):
    if name in ("silu", None):
        return x / (1.0 + np.exp(-x))
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    if name == "gelu":
        return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))
    raise ValueError(name)


def inverse_frequencies(c, d):
    params = c.get("rope_parameters") or c.get("rope_scaling") or {}
    theta = params.get("rope_theta", c.get("rope_theta", 10000.0))
    inv = 1.0 / theta ** (np.arange(0, d, 2) / d)
    if params.get("rope_type", params.get("type")) == "llama3":
        factor, low, high = params["factor"], params["low_freq_factor"], params["high_freq_factor"]
        old = params["original_max_position_embeddings"]
        wavelen = 2 * math.pi / inv
        scaled = np.where(wavelen > old / low, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < old / high) & ~(wavelen > old / low)
        inv = np.where(medium, smoothed, scaled)
    return inv


def rope(x, inv):
    """x [T, heads, d] rotated with rotate_half."""
    angles = np.arange(x.shape[0])[:, None] * inv[None, :]
    cos = np.concatenate([np.cos(angles)] * 2, -1)[:, None, :]
    sin = np.concatenate([np.sin(angles)] * 2, -1)[:, None, :]
    half = x.shape[-1] // 2
    rotated = np.concatenate([-x[..., half:], x[..., :half]], -1)
    return x * cos + rotated * sin


def attention(q, k, v, scale, cap, window):
    """q [T, n, d], k and v [T, kv, d]: weights [n, T, T] and output [T, n * d]."""
    t_len, n, d = q.shape
    group = n // k.shape[1]
    weights = np.zeros((n, t_len, t_len))
    out = np.zeros((t_len, n * d))
    for h in range(n):
        scores = q[:, h] @ k[:, h // group].T * scale
        if cap:
            scores = np.tanh(scores / cap) * cap
        for i in range(t_len):
            lo = max(0, i - window + 1) if window else 0
            row = np.exp(scores[i, lo:i + 1] - scores[i, lo:i + 1].max())
            weights[h, i, lo:i + 1] = row / row.sum()
        out[:, h * d:(h + 1) * d] = weights[h] @ v[:, h // group]
    return weights, out


def llama_forward(c, w, tokens):
    kind = c["model_type"]
    gemma = kind.startswith("gemma")
    h, n, kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    d = c.get("head_dim") or h // n
    eps = c["rms_norm_eps"]
    inv = inverse_frequencies(c, d)
    act = c.get("hidden_activation") or ("gelu_pytorch_tanh" if gemma else c.get("hidden_act", "silu"))
    scale = c["query_pre_attn_scalar"] ** -0.5 if kind == "gemma2" else d ** -0.5
    x = w["model.embed_tokens.weight"][tokens] * (math.sqrt(h) if gemma else 1.0)
    att, vals = [], []
    for l in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % l
        a = rms_norm(x, w[p + "input_layernorm.weight"], eps, gemma)

        def proj(name):
            y = a @ w[p + "self_attn.%s_proj.weight" % name].T
            return y + w.get(p + "self_attn.%s_proj.bias" % name, 0.0)

        q = rope(proj("q").reshape(len(tokens), n, d), inv)
        k = rope(proj("k").reshape(len(tokens), kv, d), inv)
        v = proj("v")
        window = c.get("sliding_window") if kind == "mistral" or (kind == "gemma2" and l % 2 == 0) else None
        weights, out = attention(q, k, v.reshape(len(tokens), kv, d), scale,
                                 c.get("attn_logit_softcapping"), window)
        att.append(weights)
        vals.append(v)
        o = out @ w[p + "self_attn.o_proj.weight"].T + w.get(p + "self_attn.o_proj.bias", 0.0)
        if kind == "gemma2":
            o = rms_norm(o, w[p + "post_attention_layernorm.weight"], eps, True)
            m = rms_norm(x + o, w[p + "pre_feedforward_layernorm.weight"], eps, True)
        else:
            m = rms_norm(x + o, w[p + "post_attention_layernorm.weight"], eps, gemma)
        x = x + o
        gate = m @ w[p + "mlp.gate_proj.weight"].T + w.get(p + "mlp.gate_proj.bias", 0.0)
        up = m @ w[p + "mlp.up_proj.weight"].T + w.get(p + "mlp.up_proj.bias", 0.0)
        down = (activation(act, gate) * up) @ w[p + "mlp.down_proj.weight"].T + w.get(p + "mlp.down_proj.bias", 0.0)
        if kind == "gemma2":
            down = rms_norm(down, w[p + "post_feedforward_layernorm.weight"], eps, True)
        x = x + down
    x = rms_norm(x, w["model.norm.weight"], eps, gemma)
    logits = x @ w.get("lm_head.weight", w["model.embed_tokens.weight"]).T
    if c.get("final_logit_softcapping"):
        cap = c["final_logit_softcapping"]
        logits = np.tanh(logits / cap) * cap
    return att, vals, logits


def gpt2_forward(c, w, tokens):
    h, n, eps = c["n_embd"], c["n_head"], c["layer_norm_epsilon"]
    d = h // n
    t_len = len(tokens)
    x = w["wte.weight"][tokens] + w["wpe.weight"][:t_len]
    att, vals = [], []
    for l in range(c["n_layer"]):
        p = "h.%d." % l
        a = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = a @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = qkv[:, :h], qkv[:, h:2 * h], qkv[:, 2 * h:]
        weights, out = attention(q.reshape(t_len, n, d), k.reshape(t_len, n, d), v.reshape(t_len, n, d),
                                 d ** -0.5, None, None)
        att.append(weights)
        vals.append(v)
        x = x + out @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        m = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        hidden = activation("gelu_new", m @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + hidden @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], eps)
    return att, vals, x @ w["wte.weight"].T


def main():
    name, out_dir, shared = sys.argv[1:4]
    case = CASES[name]
    config = case["config"]
    rng = np.random.default_rng(sum(map(ord, name)))
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(dict(config, architectures=["Test"]), f, indent=2)
    shutil.copy(os.path.join(shared, "huggingface", case["tokenizer"], "tokenizer.json"), out_dir)
    if config["model_type"] == "gpt2":
        tensors = gpt2_tensors(config, rng)
    else:
        tensors = llama_tensors(config, rng, case.get("q_scale", 1.0))
    weights = write_weights(out_dir, tensors, case["dtype"], case["shards"])
    tokens = [int(t) for t in rng.integers(3, 1000, T)]
    forward = gpt2_forward if config["model_type"] == "gpt2" else llama_forward
    att, vals, logits = forward(config, weights, np.array(tokens))
    with open(os.path.join(out_dir, "tokens.json"), "w") as f:
        json.dump(tokens, f)
    with open(os.path.join(out_dir, "reference.f32"), "wb") as f:
        for block in (np.array(att), np.array(vals), logits):
            f.write(block.astype("<f4").tobytes())


if __name__ == "__main__":
    main()
