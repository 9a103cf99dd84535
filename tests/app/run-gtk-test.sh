#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a GTK unit test on its own virtual X display and session bus. The
# accessibility bridge is left off (GTK_A11Y=none in the test's
# environment), so nothing but the test writes to stdout, where meson reads
# its TAP stream.
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x860x24 -nolisten tcp" "$@"
