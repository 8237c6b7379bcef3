#!/bin/sh
# The bundled sample is the same file, byte for byte, in every build: writes
# it again with the build's own command and compares. HDF5 would otherwise
# stamp each object with its creation time.
# Usage: check-sample-reproducible.sh SAMPLE HEADLENS_CLI SYNTH_ARG...
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

sample=$1
cli=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# At least a second after the build wrote it, so a timestamp would differ.
sleep 1.1
"$cli" synth -o "$tmp/sample.h5" "$@" > /dev/null
if ! cmp "$sample" "$tmp/sample.h5"; then
  echo "the sample written again differs from the build's $sample"
  exit 1
fi
