#!/bin/sh
# The German translation: po/de.po passes msgfmt --check (formats, including
# the PRId64 ones, match their messages) with no untranslated or fuzzy
# message, and headlens-cli speaks German with LANGUAGE=de: its usage, a
# message with a 64-bit number (a system-dependent format gettext resolves
# at run time) and a file's description.
# Usage: check-translation.sh PO_DIR BUILT_PO_DIR HEADLENS_CLI
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

po=$1
built=$2
cli=$3
status=0

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
[ "$err" = "headlens-cli: --seed ist -7, erwartet wurde eine nicht negative Zahl" ] ||
  { echo "a message with a PRId64 number is “$err”"; status=1; }
exit $status
