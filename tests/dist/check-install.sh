#!/bin/sh
# `meson install` into a temporary folder (DESTDIR): the programs, the
# manual pages, the bash completion, the translations, the licence, and for
# the application its desktop file, metainfo, schema, icons and sample; the
# installed programs run, the pages format, the completion loads, and the
# German catalogue holds the translations.
# Usage: check-install.sh BUILD_DIR PREFIX GUI(true|false) LINGUAS_FILE
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

build=$1
prefix=$2
gui=$3
linguas=$4
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
root=$dest$prefix
status=0

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet > "$dest/install.log" 2>&1 ||
  { cat "$dest/install.log"; exit 1; }

expect() {
  [ -e "$root/$1" ] || { echo "not installed: $prefix/$1"; status=1; }
}

expect bin/headlens-cli
expect share/man/man1/headlens-cli.1
expect share/bash-completion/completions/headlens-cli
expect share/licenses/headlens/LICENSE
expect share/licenses/headlens/CITATION.cff
for lang in $(grep -v '^#' "$linguas"); do
  expect "share/locale/$lang/LC_MESSAGES/headlens.mo"
done
if [ "$gui" = true ]; then
  for f in bin/headlens share/man/man1/headlens.1 share/headlens/sample.h5 \
           share/applications/io.github.headlens.Headlens.desktop \
           share/metainfo/io.github.headlens.Headlens.metainfo.xml \
           share/glib-2.0/schemas/io.github.headlens.Headlens.gschema.xml \
           share/icons/hicolor/scalable/apps/io.github.headlens.Headlens.svg \
           share/icons/hicolor/symbolic/apps/io.github.headlens.Headlens-symbolic.svg; do
    expect "$f"
  done
  "$root/bin/headlens" --version | grep -q '^headlens ' || { echo "installed headlens --version"; status=1; }
  "$root/bin/headlens-cli" info "$root/share/headlens/sample.h5" | grep -q "every block is valid" ||
    { echo "installed headlens-cli does not read the installed sample"; status=1; }
fi
"$root/bin/headlens-cli" --version | grep -q '^headlens-cli ' || { echo "installed headlens-cli --version"; status=1; }

for page in "$root"/share/man/man1/*.1; do
  out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>&1) || { echo "man -l $page failed"; status=1; }
  echo "$out" | grep -q "^NAME" || { echo "$page does not format as a manual page"; status=1; }
done

bash -c ". '$root/share/bash-completion/completions/headlens-cli' && complete -p headlens-cli" \
  | grep -q "_headlens_cli" || { echo "the installed completion does not register"; status=1; }

if grep -qx de "$linguas"; then
  msgunfmt "$root/share/locale/de/LC_MESSAGES/headlens.mo" | grep -q 'msgstr "Aufruf:"' ||
    { echo "the German catalogue lacks the translations"; status=1; }
fi
exit $status
