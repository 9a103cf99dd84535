#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The app ended mid-run leaves no worker behind.

usage: test-app-shutdown.py APP OUTDIR --case close|kill

Both cases start a run of 1 000 Sleep tasks of 1 s on four workers (Sleep
picked from the form's list with the keyboard, the figures from the
settings the form remembers, the crash policy its default: fail), wait
until the four workers and the fork server run, known by pid from /proc,
and then:

  close: Ctrl+W closes the window, as a user would; the app must exit.
  kill:  the app gets SIGKILL, with no chance to clean up; its workers
         end through their parent death signal, their channel's end and
         their check of the parent's pid.

Either way every one of those processes must be gone within a second of
the app's exit (a zombie left for init to reap counts as gone). Speaks TAP.
"""

import argparse
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

APP_G_DEBUG = os.environ.pop("G_DEBUG", "")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from atspi_session import App, app_env, choose, find_all, press, wait_for  # noqa: E402
from tap import Tap  # noqa: E402

WORKERS = 4
GRACE = 1.0


def write_settings(config_home):
    folder = pathlib.Path(config_home) / "glib-2.0" / "settings"
    folder.mkdir(parents=True)
    (folder / "keyfile").write_text(
        "[io/github/forkyard/Forkyard]\n"
        "run-sleep-ms=uint32 1000\n"
        "run-tasks=uint32 1000\n"
        f"run-workers={WORKERS}\n")


def stat_of(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rindex(b")") + 2:].split()


def children_of(pid):
    """Pids whose parent is pid, the fork server among them."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = stat_of(int(entry))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry))
    return found


def descendants(pid):
    """Every process below pid: the workers are the fork server's."""
    found = []
    queue = [pid]
    while queue:
        for child in children_of(queue.pop()):
            found.append(child)
            queue.append(child)
    return found


def alive(pid):
    """Exists and is not a zombie."""
    fields = stat_of(pid)
    return fields is not None and fields[0] != b"Z"


def start_button(window):
    # GTK 4.8 names a button with a mnemonic "_Start Start".
    for node in find_all(window, "push button", showing=True):
        try:
            if node.name in ("Start", "_Start Start"):
                return node
        except Exception:
            continue
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("app")
    parser.add_argument("outdir")
    parser.add_argument("--case", choices=["close", "kill"], required=True)
    args = parser.parse_args()
    tap = Tap()

    config_home = tempfile.mkdtemp(prefix="forkyard-test-")
    write_settings(config_home)
    env = app_env(APP_G_DEBUG, config_home, GSK_RENDERER="cairo")
    app = App(args.app, env)
    state = {}
    try:
        def start():
            choose(app.window, "Workload", "Sleep")
            press(wait_for(lambda: start_button(app.window), "the Start button"))
            # The workers plus the fork server that spawned them.
            state["pids"] = wait_for(
                lambda: (lambda p: p if len(p) >= WORKERS + 1 else None)(descendants(app.process.pid)),
                "the workers and the fork server")
        tap.run(f"Start runs 1 000 Sleep tasks on {WORKERS} workers", start)

        def end():
            assert state.get("pids"), "no run to end"
            if args.case == "close":
                window = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Forkyard$"],
                                        capture_output=True, text=True, timeout=20).stdout.split()
                assert window, "no main window to close"
                subprocess.run(["xdotool", "windowfocus", "--sync", window[0]], check=True, timeout=20)
                subprocess.run(["xdotool", "key", "ctrl+w"], check=True, timeout=20)
                status = app.process.wait(timeout=30)
                assert status == 0, f"the app exited with {status}"
            else:
                app.process.send_signal(signal.SIGKILL)
                app.process.wait(timeout=30)
            ended = time.monotonic()
            while any(alive(pid) for pid in state["pids"]) and time.monotonic() - ended < GRACE:
                time.sleep(0.01)
            left = [pid for pid in state["pids"] if alive(pid)]
            assert not left, f"still running {GRACE} s after the app ended: {left}"
        what = "Ctrl+W closes the window" if args.case == "close" else "SIGKILL ends the app"
        tap.run(f"{what} mid-run; within {GRACE:.0f} s no worker and no fork server is left", end)
    finally:
        app.close()
        for pid in state.get("pids", []):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
