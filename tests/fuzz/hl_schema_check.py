"""An independent, slow check of the activation file schema (v1) with h5py:
the oracle of the hostile-input campaign. Exit status 0 when the file is
valid by docs/activation-format.md (including what Headlens refuses for
safety: external raw storage, external links, virtual datasets with sources
outside the file), 1 with the reason on stdout otherwise.

    /usr/bin/python3 hl_schema_check.py FILE

It reads everything with h5py, in its own process, so a file that makes
libhdf5 crash here is simply "not valid".

SPDX-License-Identifier: GPL-3.0-or-later
"""
import sys

import h5py
import numpy as np

MAX_DIM = 1 << 24
MAX_HEAD_DIM = 65536
MAX_BLOCK = 1 << 28


class Invalid(Exception):
    pass


def need(cond, why):
    if not cond:
        raise Invalid(why)


def int_attr(f, name, lo=1, hi=MAX_DIM):
    need(name in f.attrs, "attribute %s missing" % name)
    v = f.attrs[name]
    a = np.asarray(v)
    need(a.dtype.kind in "iu" and a.size == 1, "attribute %s not one integer" % name)
    v = int(a.reshape(-1)[0])
    need(lo <= v <= hi, "attribute %s = %d out of range" % (name, v))
    return v


def str_attr(f, name):
    v = f.attrs[name]
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, str):
        return v
    a = np.asarray(v)
    need(a.size == 1 and a.dtype.kind in "SOU", "attribute %s not one string" % name)
    v = a.reshape(-1)[0]
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def check_link_plain(f, path):
    """Every link along @path is a hard or soft link, never external."""
    parts = [p for p in path.split("/") if p]
    cur = "/"
    for p in parts:
        grp = f[cur]
        link = grp.get(p, getlink=True)
        need(link is not None, "%s missing" % path)
        need(not isinstance(link, h5py.ExternalLink), "%s is an external link" % path)
        cur = cur.rstrip("/") + "/" + p


def check_storage(dset, name):
    dcpl = dset.id.get_create_plist()
    need(dcpl.get_external_count() == 0, "%s uses external raw storage" % name)
    if dcpl.get_layout() == h5py.h5d.VIRTUAL:
        for i in range(dcpl.get_virtual_count()):
            need(dcpl.get_virtual_filename(i) == ".",
                 "%s is virtual with sources in another file" % name)
            src = dcpl.get_virtual_dsetname(i)
            need(src in dset.file, "%s: virtual source %s missing" % (name, src))
    for i in range(dcpl.get_nfilters()):
        code = dcpl.get_filter(i)[0]
        need(code in (h5py.h5z.FILTER_DEFLATE, h5py.h5z.FILTER_SHUFFLE,
                      h5py.h5z.FILTER_FLETCHER32, h5py.h5z.FILTER_SCALEOFFSET,
                      h5py.h5z.FILTER_NBIT),
             "%s uses filter %d" % (name, code))


def float_dataset(f, name, rank):
    check_link_plain(f, name)
    d = f[name]
    need(isinstance(d, h5py.Dataset), "%s not a dataset" % name)
    need(d.dtype.kind == "f" and d.dtype.itemsize in (2, 4, 8), "%s not float16/32/64" % name)
    need(d.ndim == rank, "%s rank %d" % (name, d.ndim))
    check_storage(d, name)
    return d


def check(path):
    with h5py.File(path, "r") as f:
        need("format" in f.attrs and str_attr(f, "format") == "headlens-activations", "format")
        need(int_attr(f, "format_version", 1, 1) == 1, "format_version")
        for opt in ("model", "source"):
            if opt in f.attrs:
                str_attr(f, opt)
        nl = int_attr(f, "n_layers")
        nh = int_attr(f, "n_heads")
        ng = int_attr(f, "n_kv_heads")
        hd = int_attr(f, "head_dim", 1, MAX_HEAD_DIM)
        t = int_attr(f, "seq_len")
        need(nh % ng == 0, "n_heads not a multiple of n_kv_heads")
        kv = [h // (nh // ng) for h in range(nh)]
        if "kv_head_of" in f.attrs:
            a = np.asarray(f.attrs["kv_head_of"])
            need(a.dtype.kind in "iu" and a.size == nh, "kv_head_of size")
            kv = [int(x) for x in a.reshape(-1)]
            need(all(0 <= x < ng for x in kv), "kv_head_of range")
        v = float_dataset(f, "/values", 5)
        a = float_dataset(f, "/attention", 5)
        need(v.shape[0] == nl and v.shape[2] == ng and v.shape[3] == t and v.shape[4] == hd,
             "values shape")
        ns = v.shape[1]
        need(1 <= ns <= MAX_DIM, "n_samples")
        need(a.shape[0] == nl and a.shape[1] == ns and a.shape[2] == nh and a.shape[4] == t,
             "attention shape")
        nq = a.shape[3]
        need(1 <= nq <= t, "n_queries")
        need(t * hd <= MAX_BLOCK and nq * t <= MAX_BLOCK, "block size")
        if "query_positions" in f:
            check_link_plain(f, "/query_positions")
            qd = f["query_positions"]
            need(isinstance(qd, h5py.Dataset) and qd.dtype.kind in "iu" and qd.shape == (nq,),
                 "query_positions")
            check_storage(qd, "/query_positions")
            q = [int(x) for x in qd[()]]
        else:
            need(nq == 1, "query_positions missing")
            q = [t - 1]
        need(all(0 <= p < t for p in q), "query position range")
        need(all(q[i] < q[i + 1] for i in range(len(q) - 1)), "query positions not increasing")
        if "tokens" in f and "ids" in f["tokens"]:
            check_link_plain(f, "/tokens/ids")
            d = f["tokens/ids"]
            need(isinstance(d, h5py.Dataset) and d.dtype.kind in "iu" and d.shape == (ns, t),
                 "tokens/ids")
            check_storage(d, "/tokens/ids")
            d[()]
        if "tokens" in f and "text" in f["tokens"]:
            check_link_plain(f, "/tokens/text")
            d = f["tokens/text"]
            need(isinstance(d, h5py.Dataset) and d.dtype.kind in "SO" and d.shape == (ns, t),
                 "tokens/text")
            check_storage(d, "/tokens/text")
            d[()]
        for layer in range(nl):
            vv = v[layer].astype(np.float64)
            need(np.isfinite(vv).all(), "values not finite")
            aa = a[layer].astype(np.float64)
            need(np.isfinite(aa).all(), "attention not finite")
            need((aa >= 0).all(), "attention negative")
            for qi, p in enumerate(q):
                need((aa[:, :, qi, p + 1:] == 0).all(), "attention after the query")
                sums = aa[:, :, qi, :].sum(axis=-1)
                need((np.abs(sums - 1.0) <= 1e-2).all(), "row sum")
        if "synth" in f and "regime" in f["synth"]:
            d = f["synth/regime"]
            need(isinstance(d, h5py.Dataset) and d.dtype.kind in "iu", "synth/regime")
            d[()]


def main():
    try:
        check(sys.argv[1])
    except Invalid as e:
        print("invalid:", e)
        return 1
    except Exception as e:  # noqa: BLE001 - anything h5py cannot read is not valid
        print("unreadable:", type(e).__name__, e)
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
