#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a command on its own virtual X display and session bus, as a desktop
# session would: the bus activates the accessibility bus the app registers on.
#
# Services the bus starts inherit its stdout and chat on it, so the command's
# real stdout (the TAP stream meson reads) is handed over as fd 3 and
# everything else goes to stderr.
exec 3>&1 1>&2
export FORKYARD_TAP_FD=3
# A runtime directory of its own: the accessibility bus puts its socket
# there (else in ~/.cache/at-spi, shared with every other session of the
# same user, where a concurrent test run would replace it).
XDG_RUNTIME_DIR=$(mktemp -d)
export XDG_RUNTIME_DIR
trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x860x24 -nolisten tcp" "$@"
