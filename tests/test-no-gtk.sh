#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: test-no-gtk.sh LIBFORKYARD.a PROGRAM...
# Nothing below the app knows GTK exists: the core library references no
# GTK, GDK or libadwaita symbol, and the programs built on it (the worker,
# the command line) load none of those libraries.
set -u
lib=$1
shift
n=1
failed=0

if nm -u "$lib" | grep -Eq ' (gtk|gdk|adw)_'; then
  echo "not ok $n - $(basename "$lib") references no GTK symbol"
  nm -u "$lib" | grep -E ' (gtk|gdk|adw)_' | sed 's/^/# /' | head
  failed=1
else
  echo "ok $n - $(basename "$lib") references no GTK symbol"
fi

for program in "$@"; do
  n=$((n + 1))
  if ldd "$program" | grep -Eq 'lib(gtk-4|adwaita-1)\.so'; then
    echo "not ok $n - $(basename "$program") loads no GTK library"
    failed=1
  else
    echo "ok $n - $(basename "$program") loads no GTK library"
  fi
done
echo "1..$n"
exit $failed
