#!/usr/bin/python3
# Checks the Flatpak manifest against the meson build it packages: valid
# JSON, the application id, the GNOME runtime, every dependency() of the
# build (tests aside) either in the runtime, built by a module or optional
# and turned off (MPI), OpenBLAS
# built with LAPACK and LAPACKE inside (what meson finds when there is no
# lapacke.pc), HDF5 with the shared C library and zlib (the files use
# gzip), every meson option it passes a real one, and its source the
# project itself.
# Usage: check-flatpak.py MANIFEST SOURCE_ROOT APPLICATION_ID
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import re
import sys

manifest_path, root, app_id = sys.argv[1:4]
errors = []

with open(manifest_path, encoding="utf-8") as f:
    try:
        manifest = json.load(f)
    except json.JSONDecodeError as e:
        sys.exit(f"{manifest_path}: not valid JSON: {e}")

# What org.gnome.Platform and org.gnome.Sdk provide among our dependencies.
RUNTIME = {"glib-2.0", "gio-2.0", "gobject-2.0", "cairo", "pangocairo",
           "gtk4", "libadwaita-1", "threads", "zlib", "json-glib-1.0", "nettle"}
# The module that provides each other dependency.
MODULE_OF = {"hdf5": "hdf5", "openblas": "openblas", "lapacke": "openblas"}
# Optional dependencies: the meson feature option that asks for each, which
# the manifest must then turn off (MPI is for clusters, not the app).
OPTIONAL_OF = {"mpi": "mpi"}


def expect(condition, message):
    if not condition:
        errors.append(message)


expect(manifest.get("id") == app_id, f"id is {manifest.get('id')!r}, expected {app_id!r}")
expect(manifest.get("runtime") == "org.gnome.Platform", "runtime must be org.gnome.Platform")
expect(manifest.get("sdk") == "org.gnome.Sdk", "sdk must be org.gnome.Sdk")
expect(manifest.get("command") == "headlens", "command must be headlens")
for arg in ("--socket=wayland", "--socket=fallback-x11", "--share=ipc"):
    expect(arg in manifest.get("finish-args", []), f"finish-args lack {arg}")

modules = {m["name"]: m for m in manifest.get("modules", [])}
names = [m["name"] for m in manifest.get("modules", [])]
expect(names and names[-1] == "headlens", "the last module must be headlens itself")

# Every dependency the build (not the tests) asks for.
build_files = []
for dirpath, dirnames, filenames in os.walk(root):
    rel = os.path.relpath(dirpath, root)
    dirnames[:] = [d for d in dirnames
                   if not d.startswith(("build", ".")) and not (rel == "." and d == "tests")]
    build_files += [os.path.join(dirpath, f) for f in filenames if f == "meson.build"]
deps = set()
for path in build_files:
    with open(path, encoding="utf-8") as f:
        deps |= set(re.findall(r"\bdependency\(\s*'([^']+)'", f.read()))
expect({"hdf5", "openblas", "lapacke"} <= deps, f"expected hdf5, openblas and lapacke among {sorted(deps)}")
config_opts = modules.get("headlens", {}).get("config-opts", [])
for dep in sorted(deps & set(OPTIONAL_OF)):
    expect(f"-D{OPTIONAL_OF[dep]}=disabled" in config_opts,
           f"dependency('{dep}') is optional: the manifest must pass -D{OPTIONAL_OF[dep]}=disabled")
for dep in sorted(deps - RUNTIME - set(OPTIONAL_OF)):
    module = MODULE_OF.get(dep)
    expect(module is not None,
           f"meson asks for dependency('{dep}'): neither the GNOME runtime nor a module provides it")
    expect(module is None or module in modules, f"dependency('{dep}') needs the module {module!r}")

for name, module in modules.items():
    for source in module.get("sources", []):
        if source.get("type") == "archive":
            expect(source.get("url", "").startswith("https://"), f"{name}: source url must be https")
            expect(re.fullmatch(r"[0-9a-f]{64}", source.get("sha256", "")) is not None,
                   f"{name}: an archive needs its sha256")

if "openblas" in modules:
    commands = " ".join(modules["openblas"].get("build-commands", []))
    for flag in ("NO_LAPACK=1", "NO_LAPACKE=1", "NO_CBLAS=1", "NO_LAPACKE=0", "NO_SHARED=1"):
        # NO_LAPACKE=0 turns LAPACKE off in OpenBLAS 0.3.21's Makefiles.
        expect(flag not in commands, f"openblas: {flag} leaves out what meson needs")
    expect("C_LAPACK=1" in commands, "openblas: C_LAPACK=1 builds LAPACK without a Fortran compiler")
    expect("PREFIX=/app install" in commands, "openblas: install into /app")
if "hdf5" in modules:
    opts = modules["hdf5"].get("config-opts", [])
    expect("--disable-shared" not in opts, "hdf5: the shared library is needed")
    expect("--without-zlib" not in opts and "--with-zlib" in opts,
           "hdf5: zlib is needed for gzip-compressed files")
    expect(modules["hdf5"].get("buildsystem") == "autotools",
           "hdf5: autotools installs h5cc, which meson's dependency('hdf5') uses without hdf5.pc")

headlens = modules.get("headlens", {})
expect(headlens.get("buildsystem") == "meson", "headlens: buildsystem must be meson")
with open(os.path.join(root, "meson_options.txt"), encoding="utf-8") as f:
    options = set(re.findall(r"option\(\s*'([^']+)'", f.read()))
for opt in headlens.get("config-opts", []):
    m = re.fullmatch(r"-D([a-z_]+)=.+", opt)
    expect(m is not None and m.group(1) in options, f"headlens: {opt} is not an option of meson_options.txt")
for source in headlens.get("sources", []):
    if source.get("type") == "dir":
        path = os.path.normpath(os.path.join(os.path.dirname(manifest_path), source["path"]))
        expect(os.path.samefile(path, root), f"headlens: the dir source {source['path']} is not the project")

for e in errors:
    print(e)
sys.exit(1 if errors else 0)
