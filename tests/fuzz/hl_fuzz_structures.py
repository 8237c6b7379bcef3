"""Where HDF5 keeps each kind of metadata in a file: the byte ranges of its
superblock, object headers (split into attribute messages and the rest),
global heaps, B-trees and chunk indexes, and symbol tables, so that the
hostile-input campaign can aim its mutations at one structure at a time.

Object headers are found through h5py (every object's address and header
size); the other structures by their signatures ("GCOL", "TREE", "SNOD",
...), each running to the size it records when that is simple to read and
otherwise to the next structure, at most MAX_NODE bytes. Stored dataset
contents (raw ranges) are never part of a structure.

SPDX-License-Identifier: GPL-3.0-or-later
"""
import re
import struct

KINDS = ("superblock", "object-header", "attribute", "global-heap", "btree", "symbol-table")

MAX_NODE = 512
SIGNATURES = {
    b"GCOL": "global-heap",
    b"TREE": "btree", b"BTHD": "btree", b"BTIN": "btree", b"BTLF": "btree",
    b"FAHD": "btree", b"FADB": "btree", b"EAHD": "btree", b"EAIB": "btree",
    b"EADB": "btree", b"EASB": "btree",
    b"SNOD": "symbol-table", b"HEAP": "symbol-table",
    b"FRHP": "attribute", b"FHDB": "attribute", b"FHIB": "attribute",
}
ATTRIBUTE_MESSAGES = (0x0C, 0x15)


def _objects(path):
    """(address, header bytes) of the root group and every object."""
    import h5py
    found = {}

    with h5py.File(path, "r") as f:
        def visit(name, obj):
            info = h5py.h5o.get_info(obj.id)
            found[info.addr] = info.hdr.space.total

        info = h5py.h5o.get_info(f.id)
        found[info.addr] = info.hdr.space.total
        f.visititems(visit)
    return sorted(found.items())


def _chunk_messages(data, at, end, v2, flags):
    """(type, start, end) of the messages from at to end of one chunk of
    an object header."""
    messages = []
    head = (4 + (2 if flags & 0x04 else 0)) if v2 else 8
    end = min(end, len(data))
    while at + head <= end:
        if v2:
            mtype, msize = data[at], struct.unpack_from("<H", data, at + 1)[0]
        else:
            mtype, msize = struct.unpack_from("<HH", data, at)
        messages.append((mtype, at, min(at + head + msize, end)))
        at += head + msize
    return messages


def _header_messages(data, addr, total):
    """(type, start, end) of the messages of the object header at addr,
    its continuation chunks included, for header versions 1 and 2."""
    v2 = data[addr:addr + 4] == b"OHDR"
    if v2:
        flags = data[addr + 5]
        at = addr + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
        width = 1 << (flags & 3)
        size = int.from_bytes(data[at:at + width], "little")
        chunks = [(at + width, at + width + size - 4)]
    else:
        flags = 0
        size = struct.unpack_from("<I", data, addr + 8)[0]
        chunks = [(addr + 16, addr + 16 + size)]
    messages = []
    while chunks and len(messages) < 1000:
        start, end = chunks.pop()
        for message in _chunk_messages(data, start, end, v2, flags):
            messages.append(message)
            mtype, a, _ = message
            if mtype == 0x10:
                offset, length = struct.unpack_from("<QQ", data, a + (4 + (2 if flags & 0x04 else 0) if v2 else 8))
                if v2:
                    chunks.append((offset + 4, offset + length - 4))
                else:
                    chunks.append((offset, offset + length))
    return messages


def _node_end(data, sig, start):
    """Where a structure found by its signature ends, when it records it."""
    if sig == b"GCOL":
        return start + struct.unpack_from("<Q", data, start + 8)[0]
    if sig == b"SNOD":
        return start + 8 + 40 * struct.unpack_from("<H", data, start + 6)[0]
    if sig == b"HEAP":
        return start + 32
    return start + MAX_NODE


def structure_ranges(path, raw_ranges):
    """{kind: [(start, end), ...]} for the file at path; raw_ranges are
    the stored dataset contents, left out of every range."""
    data = open(path, "rb").read()
    raw = sorted(raw_ranges)
    regions = {kind: [] for kind in KINDS}
    starts = []

    for addr, total in _objects(path):
        starts.append(addr)
        for mtype, a, b in _header_messages(data, addr, total):
            kind = "attribute" if mtype in ATTRIBUTE_MESSAGES else "object-header"
            regions[kind].append((a, b))
        regions["object-header"].append((addr, addr + (6 if data[addr:addr + 4] == b"OHDR" else 16)))
    found = list(re.finditer(b"|".join(re.escape(s) for s in SIGNATURES), data))
    starts = sorted(starts + [match.start() for match in found])
    for match in found:
        sig, start = match.group(0), match.start()
        if any(a <= start < b for a, b in raw):
            continue
        following = [s for s in starts if s > start] + [len(data)]
        end = min(_node_end(data, sig, start), following[0], start + MAX_NODE * 64)
        regions[SIGNATURES[sig]].append((start, end))
        if sig == b"HEAP":
            size, _, segment = struct.unpack_from("<QQQ", data, start + 8)
            regions["symbol-table"].append((segment, segment + size))
    regions["superblock"].append((0, min([96] + [s for s in starts if s > 0])))

    result = {}
    for kind, ranges in regions.items():
        kept = [piece for a, b in ranges for piece in _without(a, min(b, len(data)), raw)]
        if kept:
            result[kind] = kept
    return result


def _without(a, b, raw):
    """The parts of [a, b) outside every raw range."""
    pieces = []
    for ra, rb in raw:
        if rb <= a or ra >= b:
            continue
        if ra > a:
            pieces.append((a, ra))
        a = max(a, rb)
    if b > a:
        pieces.append((a, b))
    return pieces
