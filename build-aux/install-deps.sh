#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs every Debian 12 package Forkyard needs to build, run, test and
# benchmark. Each package is listed once. Runs as root or through sudo.
set -eu

packages="
  build-essential
  clang
  libclang-rt-14-dev
  meson
  ninja-build
  pkg-config
  gettext
  libglib2.0-dev
  libglib2.0-dev-bin
  libgtk-4-dev
  libadwaita-1-dev
  libgtop2-dev
  libjson-glib-dev
  libssl-dev
  libgdk-pixbuf-2.0-dev
  libpng-dev
  libdeflate-dev
  libjpeg62-turbo-dev
  zlib1g-dev
  webp-pixbuf-loader
  heif-gdk-pixbuf
  libavif-gdk-pixbuf
  librsvg2-common
  desktop-file-utils
  appstream
  adwaita-icon-theme
  fonts-cantarell
  fonts-dejavu-core
  xvfb
  xauth
  x11-apps
  xdotool
  imagemagick
  dbus
  dbus-x11
  at-spi2-core
  python3
  python3-pyatspi
  gir1.2-atspi-2.0
  python3-pil
  sysstat
  stress-ng
  libjpeg-turbo-progs
  coreutils
  findutils
"

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  # shellcheck disable=SC2086
  $sudo apt-get install -y -q --no-install-recommends $missing
fi
