#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: test-translations.sh SOURCEDIR
# Extracts every translatable string afresh from the files POTFILES.in names
# and checks that each language in LINGUAS translates all of them.
set -eu
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

grep -v '^#' "$src/po/POTFILES.in" | sed '/^$/d' > "$work/files"
xgettext --directory="$src" --files-from="$work/files" --from-code=UTF-8 \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --output="$work/forkyard.pot" 2>"$work/xgettext.log" || { cat "$work/xgettext.log"; exit 1; }

n=0
failed=0
for lang in $(grep -v '^#' "$src/po/LINGUAS"); do
  n=$((n + 1))
  if msgfmt --check --output-file=/dev/null "$src/po/$lang.po" 2>"$work/msgfmt.log" &&
     msgcmp "$src/po/$lang.po" "$work/forkyard.pot" 2>"$work/msgcmp.log" &&
     ! grep -q '^#, fuzzy' "$src/po/$lang.po"; then
    echo "ok $n - $lang translates every string"
  else
    echo "not ok $n - $lang translates every string"
    sed 's/^/# /' "$work/msgfmt.log" "$work/msgcmp.log" | head -40
    failed=1
  fi
  # Strings the sources no longer have would only mislead translators:
  # merged against the fresh template they turn obsolete (#~).
  n=$((n + 1))
  msgmerge --quiet --no-fuzzy-matching --output-file="$work/$lang.merged.po" \
    "$src/po/$lang.po" "$work/forkyard.pot"
  if ! grep -q '^#~' "$src/po/$lang.po" "$work/$lang.merged.po"; then
    echo "ok $n - $lang has no unused strings"
  else
    echo "not ok $n - $lang has no unused strings"
    grep -h -A1 '^#~ msgid' "$src/po/$lang.po" "$work/$lang.merged.po" | sed 's/^/# /' | head -40
    failed=1
  fi
done
echo "1..$n"
exit $failed
