#!/bin/sh
# Checks that every usage line reads the same way: "headlens-cli COMMAND
# [OPTION…] …" for each command, "headlens [OPTION…] [FILE…]" for the
# application, and that both programs answer --version.
# Usage: check-usage.sh VERSION HEADLENS_CLI [HEADLENS]
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

version=$1
cli=$2
app=${3:-}
status=0
export LC_ALL=C.UTF-8 LANGUAGE=

expect_usage() {
  what=$1
  expected=$2
  shift 2
  usage=$("$@" --help | sed -n '2p')
  if [ "$usage" != "  $expected" ]; then
    echo "$what --help: usage line is “$usage”, expected “  $expected”"
    status=1
  fi
}

expect_usage "headlens-cli" "headlens-cli COMMAND [OPTION…]" "$cli"
for command in $("$cli" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
  case $command in
    info | render) parameters=" FILE" ;;
    analyze) parameters=" FILE…" ;;
    *) parameters="" ;;
  esac
  expect_usage "headlens-cli $command" "headlens-cli $command [OPTION…]$parameters" "$cli" "$command"
done
[ "$("$cli" --version)" = "headlens-cli $version" ] || { echo "headlens-cli --version"; status=1; }

if [ -n "$app" ]; then
  expect_usage "headlens" "headlens [OPTION…] [FILE…]" "$app"
  [ "$("$app" --version)" = "headlens $version" ] || { echo "headlens --version"; status=1; }
fi
exit $status
