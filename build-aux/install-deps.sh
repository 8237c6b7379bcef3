#!/bin/sh
# Installs the Debian 12 packages Headlens needs, and only those missing.
# Without root it prints the exact apt-get line to run and fails.
set -eu

packages="gcc make pkg-config meson ninja-build gettext libglib2.0-dev
libglib2.0-bin libgtk-4-dev libadwaita-1-dev libhdf5-dev libopenblas-dev
liblapacke-dev zlib1g-dev libjson-glib-dev libcairo2-dev libpango1.0-dev desktop-file-utils appstream
fonts-dejavu-core fonts-cantarell fonts-lmodern adwaita-icon-theme"

test_packages="xvfb xauth poppler-utils libxml2-utils hdf5-tools python3-h5py
python3-numpy python3-yaml python3-torch groff-base libgdk-pixbuf-2.0-dev librsvg2-bin"

if [ "${1:-}" = "--with-test-tools" ]; then
  packages="$packages $test_packages"
fi

missing=""
for p in $packages; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing="$missing $p"
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Headlens needs these Debian packages:$missing" >&2
  echo "Install them as root with:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi

echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing
