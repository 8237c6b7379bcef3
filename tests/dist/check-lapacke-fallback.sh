#!/bin/sh
# Configures the project (-Dgui=false -Dtests=false) where pkg-config has no
# lapacke.pc, as in a Flatpak or Homebrew OpenBLAS: with an openblas.pc whose
# library provides LAPACKE (here its link line adds Debian's liblapacke) meson
# must find LAPACKE inside OpenBLAS; with one that does not, it must stop
# with a message that names both ways to provide it.
# Usage: check-lapacke-fallback.sh SOURCE_ROOT
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

root=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/pc"

# Every .pc file pkg-config knows, except lapacke.pc and openblas.pc.
for dir in $(pkg-config --variable pc_path pkg-config | tr ':' ' '); do
  for pc in "$dir"/*.pc; do
    [ -e "$pc" ] || continue
    name=$(basename "$pc")
    case $name in lapacke.pc | openblas.pc) continue ;; esac
    [ -e "$tmp/pc/$name" ] || ln -s "$pc" "$tmp/pc/$name"
  done
done
openblas_pc=$(pkg-config --path openblas)

configure() {
  PKG_CONFIG_LIBDIR="$tmp/pc" meson setup "$tmp/build-$1" "$root" \
    -Dgui=false -Dtests=false > "$tmp/$1.log" 2>&1
}

# LAPACKE inside the OpenBLAS library.
sed 's/^Libs: \(.*\)$/Libs: \1 -llapacke/' "$openblas_pc" > "$tmp/pc/openblas.pc"
if ! configure inside || ! grep -q "LAPACKE: inside OpenBLAS" "$tmp/inside.log"; then
  echo "with LAPACKE inside OpenBLAS and no lapacke.pc, meson setup did not find it:"
  cat "$tmp/inside.log"
  exit 1
fi

# No LAPACKE at all.
cp "$openblas_pc" "$tmp/pc/openblas.pc"
if configure absent; then
  echo "without any LAPACKE, meson setup succeeded"
  exit 1
fi
if ! grep -q "LAPACKE not found: expected lapacke.pc" "$tmp/absent.log"; then
  echo "without any LAPACKE, meson setup failed without saying why:"
  cat "$tmp/absent.log"
  exit 1
fi
