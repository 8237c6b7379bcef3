#!/bin/sh
# Checks the manual pages: groff formats them without a warning, and
# headlens-cli(1) documents every command and every option that
# `headlens-cli COMMAND --help` lists, in that command's section, and no
# option that the command does not have.
# Usage: check-man.sh HEADLENS_CLI HEADLENS_CLI_PAGE [PAGE...]
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

cli=$1
cli_page=$2
shift
status=0
export LC_ALL=C.UTF-8

for page in "$@"; do
  warnings=$(groff -man -ww -z -K utf8 "$page" 2>&1 || echo "groff failed")
  if [ -n "$warnings" ]; then
    echo "$page: groff warnings:"
    echo "$warnings"
    status=1
  fi
done

# The section of COMMAND: from ".SS COMMAND" to the next .SS or .SH.
section() {
  awk -v cmd="$1" '
    /^\.S[SH] / { inside = ($1 == ".SS" && $2 == cmd) ; next }
    inside { print }
  ' "$cli_page"
}

commands=$("$cli" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
[ -n "$commands" ] || { echo "no commands found in headlens-cli --help"; exit 1; }
for command in $commands; do
  text=$(section "$command")
  if [ -z "$text" ]; then
    echo "headlens-cli.1: no section “.SS $command”"
    status=1
    continue
  fi
  options=$("$cli" "$command" --help |
            sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}--\([a-z0-9-]*\).*/\2/p')
  # Options as the page lists them: ".BI \-\-name= VALUE" or ".B \-\-name".
  for option in $(printf '%s\n' "$text" |
                  sed -n 's/^\.B[IR]\{0,1\} \(\\-[a-zA-Z] ", " \)\{0,1\}\\-\\-\([a-z0-9\\-]*\).*/\2/p' |
                  sed 's/\\-/-/g'); do
    if ! printf '%s\n' "$options" | grep -qx -e "$option"; then
      echo "headlens-cli.1: “$command” has no option --$option, but its section documents it"
      status=1
    fi
  done
  for option in $options; do
    [ "$option" = help ] && continue
    # troff writes a hyphen in an option as "\-".
    escaped=$(printf '%s' "$option" | sed 's/-/\\\\-/g')
    if ! printf '%s\n' "$text" | grep -q -e "\\\\-\\\\-$escaped\\b"; then
      echo "headlens-cli.1: option --$option of “$command” is not documented in its section"
      status=1
    fi
  done
done
exit $status
