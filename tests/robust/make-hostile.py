"""Hostile activation files, each made to trip one defect Headlens had
(tests/robust/test-hostile.c runs headlens-cli on them):

  never-written.h5    n_layers = n_heads = 2^24, chunked datasets never written
  tokens-damaged.h5   the B-tree of group /tokens overwritten (H5Lexists < 0)
  external-passwd.h5  /values stored in the external file /etc/passwd
  external-local.h5   /values stored in values.bin beside it (valid)
  external-fifo.h5    /values stored in the FIFO pipe.bin (absolute path)
  elink-fifo.h5       /values an external link into the FIFO pipe.h5
  vds-missing.h5      /values virtual, its source dataset deleted
  lzf.h5              /values compressed with LZF
  longdouble.h5       /values of x87 extended precision (16-byte floats)
  gzip-bomb.h5        a 512-byte chunk of /values that inflates to 1.5 GiB
  float-bias.h5       /values float32 with the exponent bias 2097279, not 127

    /usr/bin/python3 make-hostile.py OUTDIR

SPDX-License-Identifier: GPL-3.0-or-later
"""
import os
import struct
import sys
import zlib

import h5py
import numpy as np

L, H, G, D, T, S = 2, 4, 2, 8, 16, 1
Q = np.array([3, 9, 15])


def arrays():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(L, S, G, T, D))
    scores = rng.normal(size=(L, S, H, len(Q), T))
    scores = np.where(np.arange(T)[None, :] <= Q[:, None], scores, -np.inf)
    att = np.exp(scores - scores.max(axis=-1, keepdims=True))
    att /= att.sum(axis=-1, keepdims=True)
    return values, att


def attrs(f, n_layers=L, n_heads=H, n_kv_heads=G):
    f.attrs["format"] = "headlens-activations"
    f.attrs["format_version"] = 1
    f.attrs["model"] = "hostile"
    for name, value in (("n_layers", n_layers), ("n_heads", n_heads),
                        ("n_kv_heads", n_kv_heads), ("head_dim", D), ("seq_len", T)):
        f.attrs[name] = value


def valid(path, values_kw=None, values_data=None, libver=None):
    values, att = arrays()
    with h5py.File(path, "w", **({"libver": libver} if libver else {})) as f:
        attrs(f)
        if values_kw is not None:
            f.create_dataset("values", **values_kw)
        else:
            f.create_dataset("values", data=values if values_data is None else values_data)
        f.create_dataset("attention", data=att.astype("<f4"))
        f.create_dataset("query_positions", data=Q.astype("<i4"))
        f.create_dataset("tokens/text", data=[[" t%d" % i for i in range(T)]],
                         dtype=h5py.string_dtype("utf-8"))
    return values


def never_written(out):
    big = 1 << 24
    with h5py.File(os.path.join(out, "never-written.h5"), "w") as f:
        attrs(f, big, big, big)
        f.create_dataset("values", shape=(big, 1, big, T, D), dtype="<f4",
                         chunks=(1, 1, 1, T, D))
        f.create_dataset("attention", shape=(big, 1, big, 1, T), dtype="<f4",
                         chunks=(1, 1, 1, 1, T))


def tokens_damaged(out):
    path = os.path.join(out, "tokens-damaged.h5")
    valid(path)
    data = bytearray(open(path, "rb").read())
    # Superblock v0: the root group's B-tree address is at byte 80. Every
    # other group B-tree node ("TREE", node type 0) is /tokens'.
    root = struct.unpack_from("<Q", data, 80)[0]
    at = data.find(b"TREE\x00")
    while at >= 0:
        if at != root:
            data[at:at + 4] = b"XXXX"
        at = data.find(b"TREE\x00", at + 1)
    open(path, "wb").write(bytes(data))


def external(out, name, target, make_target):
    values, _ = arrays()
    raw = values.astype("<f4").tobytes()
    if make_target:
        make_target(raw)
    valid(os.path.join(out, name),
          values_kw={"shape": values.shape, "dtype": "<f4", "external": [(target, 0, len(raw))]})


def elink_fifo(out):
    path = os.path.join(out, "elink-fifo.h5")
    _, att = arrays()
    with h5py.File(path, "w") as f:
        attrs(f)
        f["values"] = h5py.ExternalLink("pipe.h5", "/values")
        f.create_dataset("attention", data=att.astype("<f4"))
        f.create_dataset("query_positions", data=Q.astype("<i4"))


def vds_missing(out):
    path = os.path.join(out, "vds-missing.h5")
    values, att = arrays()
    with h5py.File(path, "w", libver="latest") as f:
        attrs(f)
        f.create_dataset("raw", data=values.astype("<f4"))
        layout = h5py.VirtualLayout(shape=values.shape, dtype="<f4")
        layout[...] = h5py.VirtualSource(".", "raw", shape=values.shape)
        f.create_virtual_dataset("values", layout)
        f.create_dataset("attention", data=att.astype("<f4"))
        f.create_dataset("query_positions", data=Q.astype("<i4"))
        del f["raw"]


def gzip_bomb(out):
    path = os.path.join(out, "gzip-bomb.h5")
    values, _ = arrays()
    valid(path, values_kw={"data": values.astype("<f4"), "chunks": (1, 1, 1, T, D),
                           "compression": "gzip"})
    # 1.5 GiB of zeros in about 1.5 MB, written as the first chunk's bytes.
    # After a full flush deflate forgets what came before, so every 16 MiB
    # of zeros compresses to the same bytes: compress two, repeat the
    # second, and end with the Adler-32 of n zeros, (n mod 65521) << 16 | 1.
    packer = zlib.compressobj(9)
    zeros = bytes(1 << 24)
    first = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    segment = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.flush(zlib.Z_FINISH)[:-4]
    n = 96 << 24
    stream = first + segment * 95 + end + struct.pack(">I", ((n % 65521) << 16) | 1)
    with h5py.File(path, "r+") as f:
        f["values"].id.write_direct_chunk((0, 0, 0, 0, 0), stream)


def float_bias(out):
    """/values' float32 type with a damaged exponent bias (one bit of the
    type message flipped, found by the campaign): HDF5 read every value
    as 2^-2097152 times itself, zero, and the file passed."""
    path = os.path.join(out, "float-bias.h5")
    valid(path)
    values = arrays()[0].astype("<f4")
    with h5py.File(path, "r+") as f:
        del f["values"]
        tid = h5py.h5t.IEEE_F32LE.copy()
        tid.set_ebias(2097279)
        dset = h5py.h5d.create(f.id, b"values", tid, h5py.h5s.create_simple(values.shape))
        # The bytes of plain float32 numbers, written unconverted.
        dset.write(h5py.h5s.ALL, h5py.h5s.ALL, values, mtype=tid)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    never_written(out)
    tokens_damaged(out)
    external(out, "external-passwd.h5", "/etc/passwd", None)
    external(out, "external-local.h5", "values.bin",
             lambda raw: open(os.path.join(out, "values.bin"), "wb").write(raw))
    os.mkfifo(os.path.join(out, "pipe.bin"))
    # By absolute path, so that HDF5 (which resolves relative names from
    # the working folder) finds the FIFO wherever the test runs.
    external(out, "external-fifo.h5", os.path.abspath(os.path.join(out, "pipe.bin")), None)
    os.mkfifo(os.path.join(out, "pipe.h5"))
    elink_fifo(out)
    vds_missing(out)
    # Repetitive numbers, so that LZF compresses them (h5py stores chunks
    # LZF cannot shrink without it, and those any HDF5 reads).
    ramp = np.resize(np.arange(D, dtype="<f4") / D, (L, S, G, T, D))
    valid(os.path.join(out, "lzf.h5"), values_kw={"data": ramp, "compression": "lzf"})
    valid(os.path.join(out, "longdouble.h5"), values_data=arrays()[0].astype(np.longdouble))
    gzip_bomb(out)
    float_bias(out)


if __name__ == "__main__":
    main()
