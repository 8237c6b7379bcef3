#!/usr/bin/python3
"""The hostile-input campaign: thousands of mutated activation files run
through `headlens-cli info` and `headlens-cli analyze`, each under a time
limit, with the exit status, signal, time and peak memory of every run.
docs/robustness.md gives the figures of the last full run and how to
repeat it:

    /usr/bin/python3 tests/fuzz/hl-fuzz-campaign.py --cli build/src/cli/headlens-cli \\
        --count 3000 --seed 9001 --work /tmp/campaign [--aim structures]

`make check` runs a short one with a fixed seed (test robust-fuzz-structures,
in the sanitizer build too).

A run fails the campaign when it crashes (killed by a signal), runs past
the time limit, exceeds the memory limit, exits with a status other than 0
or 1, prints an error not headed "headlens-cli: ", lets a sanitizer report
or an HDF5-DIAG trace through, or exits 0 on a file that the independent
schema check (hl_schema_check.py, h5py) does not call valid. Those mutants
are kept in WORK/kept/ to replay.

SPDX-License-Identifier: GPL-3.0-or-later
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from hl_fuzz_structures import KINDS, structure_ranges  # noqa: E402
PYTHON = "/usr/bin/python3"


def raw_ranges(path):
    """Byte ranges of stored dataset contents (chunks or contiguous
    storage), so that mutations can be aimed at the metadata around them."""
    import h5py
    ranges = []

    def visit(name, obj):
        if not isinstance(obj, h5py.Dataset):
            return
        dcpl = obj.id.get_create_plist()
        layout = dcpl.get_layout()
        if layout == h5py.h5d.CHUNKED:
            for i in range(obj.id.get_num_chunks()):
                info = obj.id.get_chunk_info(i)
                ranges.append((info.byte_offset, info.byte_offset + info.size))
        elif layout == h5py.h5d.CONTIGUOUS:
            off = obj.id.get_offset()
            if off is not None:
                ranges.append((off, off + obj.id.get_storage_size()))

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return sorted(ranges)


def metadata_offsets(length, ranges):
    inside = bytearray(length)
    for a, b in ranges:
        inside[a:min(b, length)] = b"\x01" * (min(b, length) - a)
    return [i for i in range(length) if not inside[i]]


INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000,
               0xFFFFFFFF, 1 << 24, 1 << 28, 1 << 31]


def mutate(data, meta, rng):
    data = bytearray(data)
    kind = rng.choice(["bits", "bytes", "meta-bits", "meta-bytes", "meta-ints", "truncate",
                       "splice"])
    n = rng.randint(1, 8)
    pick_meta = kind.startswith("meta") and meta
    for _ in range(n if kind != "truncate" else 0):
        at = rng.choice(meta) if pick_meta else rng.randrange(len(data))
        if kind.endswith("bits"):
            data[at] ^= 1 << rng.randrange(8)
        elif kind.endswith("bytes"):
            data[at] = rng.randrange(256)
        elif kind == "meta-ints":
            width = rng.choice([2, 4, 8])
            value = rng.choice(INTERESTING) & ((1 << (8 * width)) - 1)
            data[at:at + width] = value.to_bytes(width, "little")[:len(data) - at]
        elif kind == "splice":
            src = rng.randrange(len(data))
            size = rng.randint(1, 64)
            data[at:at + size] = data[src:src + size]
    if kind == "truncate" or rng.random() < 0.05:
        data = data[:rng.randrange(len(data))]
    return bytes(data[:len(data)]), kind


def mutate_structure(data, ranges, rng):
    """One to four changes inside ranges, the bytes of one kind of HDF5
    structure (hl_fuzz_structures.py): bits flipped, bytes replaced, or
    integers of 2, 4 or 8 bytes set to values at the edges of their
    types, which lengths, counts and addresses read as."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        start, end = rng.choice(ranges)
        at = rng.randrange(start, end)
        how = rng.choice(["bit", "byte", "int"])
        if how == "bit":
            data[at] ^= 1 << rng.randrange(8)
        elif how == "byte":
            data[at] = rng.randrange(256)
        else:
            width = rng.choice([2, 4, 8])
            value = rng.choice(INTERESTING) & ((1 << (8 * width)) - 1)
            data[at:at + width] = value.to_bytes(width, "little")[:len(data) - at]
    return bytes(data)


def run_limited(argv, limit_s, env):
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, start_new_session=True)
    hung = False
    deadline = start + limit_s
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid != 0:
            break
        if time.monotonic() > deadline:
            hung = True
            os.killpg(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    elapsed = time.monotonic() - start
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    return {"code": code, "signal": sig, "hung": hung, "seconds": round(elapsed, 3),
            "rss_mb": round(usage.ru_maxrss / 1024, 1), "stderr": err[-400:],
            "sanitizer": "Sanitizer" in err or "runtime error:" in err,
            "hdf5_diag": "HDF5-DIAG" in err,
            "headed": err.startswith("headlens-cli: ")}


def schema_valid(path):
    try:
        r = subprocess.run([PYTHON, os.path.join(HERE, "hl_schema_check.py"), path],
                           capture_output=True, timeout=60)
        return r.returncode == 0, r.stdout.decode("utf-8", "replace").strip()
    except subprocess.TimeoutExpired:
        return False, "schema check timed out"


def one(args, bases, index):
    rng = random.Random(args.seed * 1000003 + index)
    if args.aim == "structures":
        # Each structure kind in turn, in a base that has it.
        kind = KINDS[index % len(KINDS)]
        name, data, meta, structures = rng.choice([b for b in bases if kind in b[3]])
        mutant = mutate_structure(data, structures[kind], rng)
    else:
        name, data, meta, _ = bases[rng.randrange(len(bases))]
        mutant, kind = mutate(data, meta, rng)
    work = os.path.join(args.work, "run", str(index))
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "m.h5")
    with open(path, "wb") as f:
        f.write(mutant)
    env = dict(os.environ, LC_ALL="C.UTF-8")
    info = run_limited([args.cli, "info", path], args.limit, env)
    analyze = run_limited([args.cli, "analyze", path, "--out", os.path.join(work, "out"),
                           "--bootstrap", "50", "--repeats", "2", "--threads", "1"],
                          args.limit, env)
    rec = {"index": index, "base": name, "kind": kind, "size": len(mutant),
           "info": info, "analyze": analyze}
    bad = []
    for cmd in ("info", "analyze"):
        r = rec[cmd]
        if r["signal"] and not r["hung"]:
            bad.append(cmd + " crashed (signal %d)" % r["signal"])
        if r["hung"]:
            bad.append(cmd + " ran past %g s" % args.limit)
        if r["rss_mb"] > args.rss_limit_mb:
            bad.append(cmd + " used %.0f MB" % r["rss_mb"])
        if r["sanitizer"]:
            bad.append(cmd + " had a sanitizer report")
        if r["hdf5_diag"]:
            bad.append(cmd + " printed an HDF5-DIAG trace")
        if r["code"] not in (None, 0, 1) or (r["code"] == 1 and not r["headed"]):
            bad.append(cmd + " exited %s with “%s”" % (r["code"], r["stderr"][:200]))
    if info["code"] == 0 or analyze["code"] == 0:
        valid, why = schema_valid(path)
        rec["schema"] = why
        if not valid:
            bad.append("exit 0 on a file the schema check refuses (%s)" % why)
    rec["bad"] = bad
    if bad:
        kept = os.path.join(args.work, "kept")
        os.makedirs(kept, exist_ok=True)
        shutil.copy(path, os.path.join(kept, "%d-%s.h5" % (index, name)))
    shutil.rmtree(work, ignore_errors=True)
    return rec


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cli", required=True)
    p.add_argument("--count", type=int, default=3000)
    p.add_argument("--seed", type=int, default=9001)
    p.add_argument("--work", help="a folder of its own when not given, removed "
                   "unless it keeps a failing mutant")
    p.add_argument("--limit", type=float, default=20.0)
    # A sanitizer's shadow memory comes on top of the promise of 1 GB.
    p.add_argument("--rss-limit-mb", type=float,
                   default=2048.0 if os.environ.get("HL_TEST_SANITIZED") else 1024.0)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--aim", choices=["anywhere", "structures"], default="anywhere",
                   help="anywhere: bytes, bits, integers, splices and truncations mostly in "
                   "the metadata; structures: each kind of HDF5 structure in turn")
    args = p.parse_args()
    args.cli = os.path.abspath(args.cli)
    try:
        import h5py  # noqa: F401
    except ImportError:
        print("/usr/bin/python3 has no h5py (install-deps --with-test-tools)")
        return 77
    own_work = args.work is None
    if own_work:
        args.work = tempfile.mkdtemp(prefix="hl-campaign-")

    bases_dir = os.path.join(args.work, "bases")
    os.makedirs(bases_dir, exist_ok=True)
    subprocess.run([PYTHON, os.path.join(HERE, "hl_fuzz_bases.py"), bases_dir], check=True)
    bases = []
    for fn in sorted(os.listdir(bases_dir)):
        path = os.path.join(bases_dir, fn)
        data = open(path, "rb").read()
        raw = raw_ranges(path)
        bases.append((fn[:-3], data, metadata_offsets(len(data), raw),
                      structure_ranges(path, raw)))

    out = open(os.path.join(args.work, "results.jsonl"), "w")
    totals = {"mutants": 0, "bad": 0, "crashes": 0, "hangs": 0, "max_rss_mb": 0.0,
              "max_seconds": 0.0, "exit0": 0, "exit0_invalid": 0, "kinds": {}}
    with ThreadPoolExecutor(args.jobs) as pool:
        for rec in pool.map(lambda i: one(args, bases, i), range(args.count)):
            out.write(json.dumps(rec) + "\n")
            totals["mutants"] += 1
            totals["kinds"][rec["kind"]] = totals["kinds"].get(rec["kind"], 0) + 1
            totals["bad"] += bool(rec["bad"])
            for cmd in ("info", "analyze"):
                r = rec[cmd]
                totals["crashes"] += bool(r["signal"] and not r["hung"])
                totals["hangs"] += r["hung"]
                totals["max_rss_mb"] = max(totals["max_rss_mb"], r["rss_mb"])
                totals["max_seconds"] = max(totals["max_seconds"], r["seconds"])
            if rec["info"]["code"] == 0 or rec["analyze"]["code"] == 0:
                totals["exit0"] += 1
                totals["exit0_invalid"] += any(b.startswith("exit 0") for b in rec["bad"])
            if rec["bad"]:
                print(rec["index"], rec["base"], rec["kind"], "; ".join(rec["bad"]), flush=True)
    out.close()
    print(json.dumps(totals, indent=1))
    if totals["bad"]:
        print("failing mutants kept in", os.path.join(args.work, "kept"))
        return 1
    if own_work:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
