#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Captures the Run page mid-run; run by build-aux/screenshot-run-page on a
virtual display. usage: screenshot-run-page.py BUILDDIR OUTPUT.png"""

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

build, output = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
scratch = pathlib.Path(tempfile.mkdtemp(prefix="forkyard-screenshot-"))
settings = scratch / "config" / "glib-2.0" / "settings"
settings.mkdir(parents=True)
# Four workers of 600 ms sleeps, one task at a time: every row busy, the
# progress bar a third of the way when the picture is taken.
(settings / "keyfile").write_text("""[io/github/forkyard/Forkyard]
run-workload='sleep'
run-sleep-ms=uint32 600
run-tasks=uint32 64
run-workers=4
run-chunk-size=uint32 1
run-call-style='imap-unordered'
""")
env = dict(os.environ,
           GSETTINGS_BACKEND="keyfile", XDG_CONFIG_HOME=str(scratch / "config"),
           GSETTINGS_SCHEMA_DIR=str(build / "data"),
           FORKYARD_WORKER=str(build / "src" / "worker" / "forkyard-worker"),
           FORKYARD_AUTORUN="1", LANGUAGE="", LANG="C.UTF-8", LC_ALL="C.UTF-8")
app = subprocess.Popen([str(build / "src" / "app" / "forkyard")], env=env)
try:
    subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Forkyard$"],
                   check=True, timeout=60, capture_output=True)
    # The run starts 0.3 s after the page is shown; 4 s later the table is
    # full and the progress bar well under way.
    time.sleep(4.5)
    assert app.poll() is None, "the app ended before the picture"
    # The window sits at the top left of the empty display, 1100 × 760.
    subprocess.run(f"xwd -root -silent > '{scratch}/root.xwd' && convert '{scratch}/root.xwd' -crop 1100x760+0+0 +repage png:'{output}'",
                   shell=True, check=True)
finally:
    app.terminate()
    app.wait(timeout=20)
    shutil.rmtree(scratch, ignore_errors=True)
print(f"wrote {output}")
