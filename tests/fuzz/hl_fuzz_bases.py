"""Valid activation files of every storage kind Headlens accepts, small
enough to mutate thousands of times: the seeds of the hostile-input
campaign (tests/fuzz/hl-fuzz-campaign.py) and of the fuzz tests.

Each variant stores the same small model (2 layers, 4 query heads, 2 kv
heads, head_dim 8, seq_len 16, 2 samples) in a different way: the layouts,
filters, byte orders, integer widths, string kinds and HDF5 format versions
that other tools write.

Run with /usr/bin/python3 (Debian's, which has h5py):
    hl_fuzz_bases.py OUTDIR

SPDX-License-Identifier: GPL-3.0-or-later
"""
import os
import sys

import h5py
import numpy as np

L, H, G, D, T, S = 2, 4, 2, 8, 16, 2


def model_arrays(queries, seed=7):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(L, S, G, T, D)).astype(np.float64)
    q = np.array(queries, dtype=np.int64)
    scores = rng.normal(size=(L, S, H, len(q), T))
    keys = np.arange(T)
    visible = keys[None, :] <= q[:, None]
    scores = np.where(visible, scores, -np.inf)
    att = np.exp(scores - scores.max(axis=-1, keepdims=True))
    att /= att.sum(axis=-1, keepdims=True)
    return values, att, q


def write_attrs(f, int_type=np.int64, vlen_strings=True, extra=0):
    if vlen_strings:
        f.attrs["format"] = "headlens-activations"
        f.attrs["model"] = "fuzz-model"
        f.attrs["source"] = "tests/fuzz/hl_fuzz_bases.py"
    else:
        f.attrs.create("format", np.bytes_(b"headlens-activations"))
        f.attrs.create("model", np.bytes_(b"fuzz-model"))
        f.attrs.create("source", np.bytes_(b"tests/fuzz/hl_fuzz_bases.py"))
    for name, value in (("format_version", 1), ("n_layers", L), ("n_heads", H),
                        ("n_kv_heads", G), ("head_dim", D), ("seq_len", T)):
        f.attrs.create(name, value, dtype=int_type)
    # Many attributes push HDF5 (libver latest) into dense attribute storage:
    # a fractal heap and a version 2 B-tree.
    for i in range(extra):
        f.attrs["extra_%02d" % i] = "attribute %d" % i


def write_tokens(f, vlen=True, chunks=None, **kw):
    ids = (np.arange(S * T, dtype=np.int32).reshape(S, T) * 7) % 500
    f.create_dataset("tokens/ids", data=ids, chunks=chunks, **kw)
    texts = [[" tok%d" % (s * T + i) for i in range(T)] for s in range(S)]
    if vlen:
        # Fletcher32 cannot filter variable-length data.
        kw = {k: v for k, v in kw.items() if k != "fletcher32"}
        f.create_dataset("tokens/text", data=texts, dtype=h5py.string_dtype("utf-8"),
                         chunks=chunks, **kw)
    else:
        f.create_dataset("tokens/text", data=np.array(texts, dtype="S12"), chunks=chunks, **kw)


def variant(path, queries=(3, 9, 15), vtype="<f4", atype="<f4", chunked=True,
            compression=None, shuffle=False, fletcher32=False, libver=None,
            int_type=np.int64, vlen=True, extra_attrs=0, qp_type="<i4",
            compact_qp=False, kv_map=False):
    values, att, q = model_arrays(queries)
    kw = {}
    if compression:
        kw["compression"] = compression
    if shuffle:
        kw["shuffle"] = True
    if fletcher32:
        kw["fletcher32"] = True
    args = {"libver": libver} if libver else {}
    with h5py.File(path, "w", **args) as f:
        write_attrs(f, int_type, vlen, extra_attrs)
        if kv_map:
            f.attrs.create("kv_head_of", np.array([0, 0, 1, 1]), dtype=int_type)
        vchunks = (1, 1, 1, T, D) if chunked else None
        achunks = (1, 1, 1, len(q), T) if chunked else None
        f.create_dataset("values", data=values.astype(vtype), chunks=vchunks, **kw)
        f.create_dataset("attention", data=att.astype(atype), chunks=achunks, **kw)
        if compact_qp:
            space = h5py.h5s.create_simple((len(q),))
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            dcpl.set_layout(h5py.h5d.COMPACT)
            tid = h5py.h5t.py_create(np.dtype(qp_type))
            dset = h5py.h5d.create(f.id, b"query_positions", tid, space, dcpl=dcpl)
            dset.write(h5py.h5s.ALL, h5py.h5s.ALL, q.astype(qp_type))
        else:
            f.create_dataset("query_positions", data=q.astype(qp_type))
        write_tokens(f, vlen, (1, T) if chunked else None, **kw)


def virtual_same_file(path):
    """/values as a virtual dataset whose source is a dataset of the same
    file (".")."""
    values, att, q = model_arrays((3, 9, 15))
    with h5py.File(path, "w", libver="latest") as f:
        write_attrs(f)
        f.create_dataset("raw_values", data=values.astype("<f4"))
        layout = h5py.VirtualLayout(shape=values.shape, dtype="<f4")
        layout[...] = h5py.VirtualSource(".", "raw_values", shape=values.shape)
        f.create_virtual_dataset("values", layout)
        f.create_dataset("attention", data=att.astype("<f4"))
        f.create_dataset("query_positions", data=q.astype("<i4"))
        write_tokens(f)


VARIANTS = {
    "chunked-f32": dict(),
    "contiguous-f32": dict(chunked=False),
    "gzip-shuffle-f16": dict(vtype="<f2", compression="gzip", shuffle=True),
    "fletcher32-f64-be": dict(vtype=">f8", atype=">f4", fletcher32=True),
    "latest-dense-attrs": dict(libver="latest", extra_attrs=24),
    "fixed-strings-int16": dict(vlen=False, int_type=np.int16, qp_type=">i2"),
    "compact-queries-kvmap": dict(compact_qp=True, kv_map=True, int_type=np.uint8),
    "every-position": dict(queries=tuple(range(T))),
    "one-query": dict(queries=(T - 1,)),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, kw in VARIANTS.items():
        variant(os.path.join(out, name + ".h5"), **kw)
    virtual_same_file(os.path.join(out, "virtual-same-file.h5"))


if __name__ == "__main__":
    main()
