# SPDX-License-Identifier: GPL-3.0-or-later
"""A Headlens activation file (schema v1, docs/activation-format.md) written
one block at a time with h5py, so no more than one layer of one batch is
ever held in memory."""

import h5py
import numpy as np

FORMAT = "headlens-activations"
FORMAT_VERSION = 1

# h5py stores float16, float32 and float64, not bfloat16.
STORAGE_DTYPES = {"float16": np.float16, "float32": np.float32, "float64": np.float64}
FLOAT16_MAX = float(np.finfo(np.float16).max)


class ExportError(ValueError):
    """A model, an input or a setting the exporter cannot write a valid
    file from; the message says what was expected and what was found."""


def storage_dtype(name):
    try:
        return STORAGE_DTYPES[name]
    except KeyError:
        raise ExportError(f"dtype {name!r} cannot be stored: expected one of "
                          f"{', '.join(STORAGE_DTYPES)} (bfloat16 is written as float32)") from None


class ActivationWriter:
    """The file's datasets, created up front and filled block by block."""

    def __init__(self, path, *, model, source, n_layers, n_heads, n_kv_heads, head_dim,
                 seq_len, n_samples, query_positions, kv_head_of, values_dtype,
                 attention_dtype, gzip):
        self.path = path
        self.file = h5py.File(path, "w")
        f = self.file
        f.attrs["format"] = FORMAT
        f.attrs["format_version"] = FORMAT_VERSION
        f.attrs["model"] = model
        f.attrs["source"] = source
        for name, value in (("n_layers", n_layers), ("n_heads", n_heads),
                            ("n_kv_heads", n_kv_heads), ("head_dim", head_dim),
                            ("seq_len", seq_len)):
            f.attrs[name] = np.int64(value)
        f.attrs["kv_head_of"] = np.asarray(kv_head_of, dtype=np.int32)
        compression = "gzip" if gzip else None
        n_queries = len(query_positions)
        # One chunk per head block: what Headlens reads at a time.
        self.values = f.create_dataset(
            "values", shape=(n_layers, n_samples, n_kv_heads, seq_len, head_dim),
            dtype=storage_dtype(values_dtype), chunks=(1, 1, 1, seq_len, head_dim),
            compression=compression)
        self.attention = f.create_dataset(
            "attention", shape=(n_layers, n_samples, n_heads, n_queries, seq_len),
            dtype=storage_dtype(attention_dtype), chunks=(1, 1, 1, n_queries, seq_len),
            compression=compression)
        f.create_dataset("query_positions", data=np.asarray(query_positions, dtype=np.int32))
        self.token_ids = f.create_dataset("tokens/ids", shape=(n_samples, seq_len), dtype=np.int32)
        self.token_texts = None

    def write_values(self, layer, first_sample, block):
        """@block: [batch, n_kv_heads, seq_len, head_dim], float32 or float64."""
        if self.values.dtype == np.float16 and np.abs(block).max(initial=0.0) > FLOAT16_MAX:
            raise ExportError(
                f"layer {layer} has a value of magnitude {np.abs(block).max():g}, beyond "
                f"float16's {FLOAT16_MAX:g}: export with values_dtype=\"float32\"")
        self.values[layer, first_sample:first_sample + len(block)] = block

    def write_attention(self, layer, first_sample, block):
        """@block: [batch, n_heads, n_queries, seq_len]."""
        self.attention[layer, first_sample:first_sample + len(block)] = block

    def write_tokens(self, first_sample, ids, texts=None):
        self.token_ids[first_sample:first_sample + len(ids)] = ids
        if texts is not None:
            if self.token_texts is None:
                self.token_texts = self.file.create_dataset(
                    "tokens/text", shape=self.token_ids.shape,
                    dtype=h5py.string_dtype("utf-8"))
            self.token_texts[first_sample:first_sample + len(texts)] = texts

    def close(self):
        self.file.close()
