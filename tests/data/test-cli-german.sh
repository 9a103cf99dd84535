#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: test-cli-german.sh FORKYARD-CLI   (with LANGUAGE=de in the environment)
# The command list and a usage error come out in German.
set -u
cli=$1
help=$("$cli" --help)
echo "$help" | grep -q '^Befehle:$' || { echo "--help is not German:"; echo "$help"; exit 1; }
error=$("$cli" frobnicate 2>&1)
status=$?
[ $status -eq 2 ] || { echo "unknown command exited $status, not 2"; exit 1; }
echo "$error" | grep -q 'unbekannter Befehl »frobnicate«' || { echo "error is not German: $error"; exit 1; }
