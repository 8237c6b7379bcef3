#!/bin/bash
# Checks the bash completion of headlens-cli as a user meets it: commands,
# options, option values (split at "=" as bash does, or not), short options,
# activation files, and font families; and that every value the completion
# offers appears in that option's --help line.
# Usage: check-completion.sh COMPLETION_FILE HEADLENS_CLI
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

completion=$1
cli=$(realpath "$2")
status=0
export LC_ALL=C.UTF-8 LANGUAGE=

# shellcheck source=/dev/null
source "$completion"

# complete WORD... : the candidates bash offers for the last word.
complete_words() {
  COMP_WORDS=("$cli" "$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _headlens_cli
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() {
  local expected=$1
  shift
  local got
  got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
  if [[ $got != "$expected" ]]; then
    echo "completing “$*”: got “$got”, expected “$expected”"
    status=1
  fi
}

expect "analyze" an
expect "render" re
expect "--plot" render --pl
expect "--output" render --outp
expect "heatmap" render --plot he
expect "heatmap" render --plot = he
expect "alignment" render --plot a
expect "heatmap" render --plot=he
expect "dark" render -o fig.pdf --style d
expect "euclidean" analyze --distances e
expect "f16" synth --dtype f1
expect "--kv-heads" synth --kv

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/runs"
touch "$dir/a.h5" "$dir/b.hdf5" "$dir/notes.txt"
expect "$dir/a.h5" info "$dir/a"
expect "$dir/runs" info "$dir/r"
expect "" info "$dir/n"
expect "$dir/notes.txt" render --output "$dir/n"
expect "$dir/runs" analyze --out "$dir/"

if fc-list : family | grep -q '^Latin Modern Roman'; then
  expect 'Latin\ Modern\ Roman\ Dunhill' render --font "Latin Modern Roman Du"
  expect 'Latin\ Modern\ Roman\ Dunhill' render --font 'Latin\ Modern\ Roman\ Du'
  expect 'Latin\ Modern\ Roman\ Dunhill' render --font '"Latin Modern Roman Du' 
else
  echo "fonts-lmodern is not installed (build-aux/install-deps.sh installs it)"
  status=1
fi

# Every value offered for an option appears in that option's help line.
for pair in render:--plot render:--ranking render:--distance render:--metric \
            render:--style analyze:--rankings analyze:--distances analyze:--grid \
            synth:--queries synth:--dtype extract:--queries extract:--values-dtype; do
  command=${pair%%:*}
  option=${pair#*:}
  line=$("$cli" "$command" --help | grep -e "^  $option=")
  if [[ -z $line ]]; then
    echo "“$command” has no option $option, but the completion offers values for it"
    status=1
    continue
  fi
  for value in $(_headlens_cli_values "$command" "$option"); do
    if ! grep -q -w -e "$value" <<<"${line#*  }"; then
      echo "$command $option: the completion offers “$value”, which its help does not list"
      status=1
    fi
  done
done
exit $status
