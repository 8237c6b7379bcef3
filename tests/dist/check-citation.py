#!/usr/bin/python3
# Checks CITATION.cff: the keys Citation File Format 1.2.0 requires, the
# version and licence the meson project declares, and the two papers of the
# framework among its references.
# Usage: check-citation.py SOURCE_ROOT VERSION LICENSE
# SPDX-License-Identifier: GPL-3.0-or-later
import sys

import yaml

root, version, license_id = sys.argv[1:4]
with open(f"{root}/CITATION.cff", encoding="utf-8") as f:
    cff = yaml.safe_load(f)

errors = []
for key in ("cff-version", "message", "title", "authors"):
    if key not in cff:
        errors.append(f"missing required key {key}")
if cff.get("cff-version") != "1.2.0":
    errors.append(f"cff-version is {cff.get('cff-version')!r}, expected '1.2.0'")
if str(cff.get("version")) != version:
    errors.append(f"version is {cff.get('version')!r}, expected {version!r} (meson.build)")
if cff.get("license") != license_id:
    errors.append(f"license is {cff.get('license')!r}, expected {license_id!r} (meson.build)")
titles = [r.get("title") for r in cff.get("references", [])]
for paper in ("Geometric Analysis of Token Selection in Multi-Head Attention",
              "Retrieval Capacity of Self-Attention Under Competition"):
    if paper not in titles:
        errors.append(f"reference {paper!r} missing")
for ref in cff.get("references", []):
    if not ref.get("authors") or "type" not in ref:
        errors.append(f"reference {ref.get('title')!r} needs type and authors")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
