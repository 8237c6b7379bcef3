#!/usr/bin/python3
# hf-random-model.py CONFIG.json TOKENIZER.json OUT_DIR [SHARD_GB]
#
# Writes a Hugging Face model directory with the shape of CONFIG.json (a
# llama, mistral or qwen2 config) and random bfloat16 weights, in shards of
# at most SHARD_GB gigabytes (2 by default) with model.safetensors.index.json,
# one tensor at a time so memory stays near the largest tensor. Used to
# measure extraction's time and memory on a model of a real shape without
# downloading one (docs/extraction.md).
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import shutil
import struct
import sys

import numpy as np


def tensor_shapes(c):
    h, i = c["hidden_size"], c["intermediate_size"]
    n, kv = c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
    d = c.get("head_dim") or h // n
    bias = c["model_type"] == "qwen2"
    shapes = [("model.embed_tokens.weight", (c["vocab_size"], h))]
    for l in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % l
        shapes += [(p + "input_layernorm.weight", (h,)), (p + "post_attention_layernorm.weight", (h,)),
                   (p + "self_attn.q_proj.weight", (n * d, h)), (p + "self_attn.k_proj.weight", (kv * d, h)),
                   (p + "self_attn.v_proj.weight", (kv * d, h)), (p + "self_attn.o_proj.weight", (h, n * d)),
                   (p + "mlp.gate_proj.weight", (i, h)), (p + "mlp.up_proj.weight", (i, h)),
                   (p + "mlp.down_proj.weight", (h, i))]
        if bias:
            shapes += [(p + "self_attn.%s_proj.bias" % x, (s,)) for x, s in (("q", n * d), ("k", kv * d), ("v", kv * d))]
    shapes.append(("model.norm.weight", (h,)))
    if not c.get("tie_word_embeddings", False):
        shapes.append(("lm_head.weight", (c["vocab_size"], h)))
    return shapes


def random_bf16(shape, rng):
    size = int(np.prod(shape))
    values = rng.standard_normal(size, dtype=np.float32)
    values *= 1.0 if len(shape) == 1 else 1.0 / np.sqrt(shape[-1])
    if len(shape) == 1:
        values += 1.0
    return (values.view(np.uint32) >> 16).astype("<u2")


def write_shard(path, names, shapes, rng):
    header, offset = {}, 0
    for name in names:
        size = 2 * int(np.prod(shapes[name]))
        header[name] = dict(dtype="BF16", shape=list(shapes[name]), data_offsets=[offset, offset + size])
        offset += size
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for name in names:
            f.write(random_bf16(shapes[name], rng).tobytes())


def main():
    config_path, tokenizer_path, out_dir = sys.argv[1:4]
    shard_bytes = float(sys.argv[4] if len(sys.argv) > 4 else 2) * 1e9
    with open(config_path) as f:
        config = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    shutil.copy(config_path, os.path.join(out_dir, "config.json"))
    shutil.copy(tokenizer_path, os.path.join(out_dir, "tokenizer.json"))
    shapes = dict(tensor_shapes(config))
    shards, current, size = [], [], 0
    for name, shape in tensor_shapes(config):
        if current and size + 2 * np.prod(shape) > shard_bytes:
            shards.append(current)
            current, size = [], 0
        current.append(name)
        size += 2 * int(np.prod(shape))
    shards.append(current)
    rng = np.random.default_rng(1)
    weight_map = {}
    for k, names in enumerate(shards):
        file = "model-%05d-of-%05d.safetensors" % (k + 1, len(shards))
        write_shard(os.path.join(out_dir, file), names, shapes, rng)
        weight_map.update({name: file for name in names})
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
        json.dump(dict(metadata={}, weight_map=weight_map), f, indent=1)


if __name__ == "__main__":
    main()
