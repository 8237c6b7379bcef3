#!/bin/sh
# Runs a validator and fails when it fails or prints anything but the lines
# it prints on success (hints and warnings pass the validators' own exit
# status, so they are caught here).
# Usage: check-no-warnings.sh ALLOWED_REGEX COMMAND [ARG...]
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

allowed=$1
shift
output=$("$@" 2>&1)
status=$?
unexpected=$(printf '%s\n' "$output" | grep -v -E -e "$allowed" -e '^$' || true)
if [ $status -ne 0 ] || [ -n "$unexpected" ]; then
  printf '%s\n' "$output"
  exit 1
fi
