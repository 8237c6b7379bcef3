#!/bin/sh
# Regenerates the gallery of docs/figures.md: one PNG of every plot kind of
# `headlens-cli render`, drawn from a fixed synthetic file, so the figures
# are the same on every run.
#
# Usage: docs/make-figures.sh [BUILD_DIR]    (default: build; run `make` first)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build"}
cli="$build/src/cli/headlens-cli"
out="$root/docs/figures"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$cli" ]; then
  echo "make-figures.sh: $cli not found; build first (make)" >&2
  exit 1
fi
mkdir -p "$out"

# A small model with every regime: 12 layers of 8 heads, 4 documents.
file="$work/gallery.h5"
"$cli" synth -o "$file" --model synthetic-12x8 --layers 12 --heads 8 --kv-heads 4 \
  --head-dim 64 --seq-len 256 --samples 4 --seed 1 >/dev/null

render() {
  name=$1
  shift
  "$cli" render "$file" --dpi 150 --seed 1 -o "$out/$name.png" "$@"
  echo "docs/figures/$name.png"
}

head="--layer 9 --head 2 --n 8"
render curves --plot curves
render curves-head --plot curves $head
render heatmap --plot heatmap --layer 9 --head 2
render heatmap-f1 --plot heatmap --metric f1 --n 4
render heatmap-rho0 --plot heatmap --metric sink_similarity
render scatter --plot scatter $head --size 4.5x3in
render scatter-cosine --plot scatter $head --distance cosine --size 4.5x3in
render alignment --plot alignment $head
render profile --plot profile $head --log
render decay --plot decay $head
render regimes --plot regimes
render correlation --plot correlation
render bound --plot bound
render bound-head --plot bound $head
render panel --plot panel
render curves-dark --plot curves $head --style dark
