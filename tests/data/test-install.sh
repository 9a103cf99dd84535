#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: test-install.sh BUILDDIR
# Installs the build into a scratch DESTDIR and checks the tree holds every
# piece a desktop needs: programs, worker, desktop entry, metainfo, schema,
# icons and the German catalog.
set -eu
build=$1
destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT

meson install -C "$build" --no-rebuild --quiet --destdir "$destdir" >/dev/null

prefix=$(meson introspect "$build" --buildoptions |
  /usr/bin/python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
libexecdir=$(meson introspect "$build" --buildoptions |
  /usr/bin/python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="libexecdir"))')
root="$destdir$prefix"
app_id=io.github.forkyard.Forkyard

failed=0
n=0
check () {
  n=$((n + 1))
  if [ -e "$root/$1" ]; then
    echo "ok $n - installs $1"
  else
    echo "not ok $n - installs $1"
    failed=1
  fi
}

check bin/forkyard
check bin/forkyard-cli
check "$libexecdir/forkyard-worker"
check "share/applications/$app_id.desktop"
check "share/metainfo/$app_id.metainfo.xml"
check "share/glib-2.0/schemas/$app_id.gschema.xml"
check "share/icons/hicolor/scalable/apps/$app_id.svg"
check "share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
check share/locale/de/LC_MESSAGES/forkyard.mo

n=$((n + 1))
if grep -q "^Name\[de\]=" "$root/share/applications/$app_id.desktop"; then
  echo "ok $n - the installed desktop entry is translated"
else
  echo "not ok $n - the installed desktop entry is translated"
  failed=1
fi

echo "1..$n"
exit $failed
