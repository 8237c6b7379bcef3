#!/bin/sh
# Checks that po/POTFILES.in lists every file with translatable strings and
# that every file it lists exists.
# Usage: check-potfiles.sh SOURCE_ROOT
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

root=$1
potfiles="$root/po/POTFILES.in"
listed=$(mktemp)
trap 'rm -f "$listed"' EXIT
grep -v '^#' "$potfiles" | sed '/^[[:space:]]*$/d' | sort -u > "$listed"

status=0
cd "$root"
for f in $( (grep -rlE '(^|[^A-Za-z0-9_])(N?_|ngettext|g_dngettext|C_|NC_)\(' src --include='*.c' --include='*.h' || true;
             grep -rl 'translatable="yes"' ui --include='*.ui' || true) | sort -u); do
  if ! grep -qxF "$f" "$listed"; then
    echo "not in po/POTFILES.in but has translatable strings: $f"
    status=1
  fi
done
while read -r f; do
  if [ ! -e "$f" ]; then
    echo "listed in po/POTFILES.in but missing: $f"
    status=1
  fi
done < "$listed"
exit $status
