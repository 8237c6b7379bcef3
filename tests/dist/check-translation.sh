#!/bin/sh
# The German translation: po/de.po translates every message the sources
# have now (a template extracted from po/POTFILES.in as the build does, so a
# message added or changed since de.po was last updated is named), passes
# msgfmt --check (formats, including the PRId64 ones, match their messages)
# with no untranslated or fuzzy message, and headlens-cli speaks German with
# LANGUAGE=de: its usage and a message with a 64-bit number (a
# system-dependent format gettext resolves at run time).
# Usage: check-translation.sh SOURCE_ROOT BUILT_PO_DIR HEADLENS_CLI POT_WRITER
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

root=$1
built=$2
cli=$3
pot_writer=$4
po=$root/po
status=0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$pot_writer" "$root" "$tmp/headlens.pot"
# Merged with that template, de.po has no untranslated message: each one
# de.po lacks is printed with its place in the sources.
LC_ALL=C msgmerge --quiet --no-fuzzy-matching -o "$tmp/merged.po" "$po/de.po" "$tmp/headlens.pot"
missing=$(LC_ALL=C msgattrib --untranslated --no-obsolete --no-wrap "$tmp/merged.po")
if [ -n "$missing" ]; then
  echo "po/de.po does not translate these messages of the sources (run"
  echo "meson compile -C build headlens-update-po and translate po/de.po):"
  printf "%s\n" "$missing" | sed -n "/^#:/,\$p" | head -80
  status=1
fi

stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po/de.po" 2>&1) ||
  { echo "msgfmt --check po/de.po: $stats"; exit 1; }
case $stats in
  *untranslated* | *fuzzy*) echo "po/de.po is not complete: $stats"; status=1 ;;
esac

export LANGUAGE=de LC_ALL=C.UTF-8 HEADLENS_LOCALEDIR="$built"
help=$("$cli" --help)
echo "$help" | grep -q "^Aufruf:" || { echo "headlens-cli --help is not German:"; echo "$help"; status=1; }
echo "$help" | grep -q "headlens-cli BEFEHL \[OPTION …\]" || { echo "the German usage line is missing"; status=1; }
err=$("$cli" synth -o /dev/null --seed -7 2>&1 || true)
[ "$err" = "headlens-cli: --seed ist -7, erwartet wurde 0 bis 9223372036854775807" ] ||
  { echo "a message with a PRId64 number is “$err”"; status=1; }
exit $status
