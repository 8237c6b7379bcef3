#!/bin/sh
# Regenerates the causal figures of docs/causal.md from stories260K
# (../shared/models/stories260K or $HL_TEST_SHARED_DIR/models/stories260K):
# the zero-ablation and N* maps of every head, three heads' delta NLL
# against N beside their P/R/F curves (render on the same text extracted),
# and the sparsification curves.
#
# Usage: docs/make-causal-figures.sh [BUILD_DIR]   (default: build; run `make` first)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build"}
cli="$build/src/cli/headlens-cli"
models=${HL_TEST_SHARED_DIR:-"$root/../shared"}/models/stories260K
out="$root/docs/figures"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$cli" ]; then
  echo "make-causal-figures.sh: $cli not found; build first (make)" >&2
  exit 1
fi
model="--checkpoint $models/stories260K.bin --tokenizer $models/tok512.bin --text-file $models/reference.txt"

intervene() {
  name=$1
  shift
  # shellcheck disable=SC2086
  "$cli" intervene $model -o "$work/$name.csv" --figure "$out/$name.png" "$@" >/dev/null
  echo "docs/figures/$name.png"
}

intervene causal-ablation --experiment ablate
intervene causal-n-star --experiment truncate --n auto
intervene causal-sparsification --experiment sparsify
# shellcheck disable=SC2086
"$cli" extract $model -o "$work/reference.h5" >/dev/null
for target in "4 4" "2 6" "0 1"; do
  set -- $target
  intervene "causal-layer$1-head$2-truncation" --experiment truncate --layer "$1" --head "$2" \
    --mode renormalise,delete --ranking attention,contribution
  "$cli" render "$work/reference.h5" --plot curves --layer "$1" --head "$2" --dpi 300 \
    -o "$out/causal-layer$1-head$2-curves.png" >/dev/null
  echo "docs/figures/causal-layer$1-head$2-curves.png"
done
