#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Fibonacci run on 2 workers, then its task timeline, read through AT-SPI.

usage: test-run-timeline.py APP OUTDIR

The run has 12 inputs with chunk size 1, so the pool has 12 tasks. The
timeline's accessible description must count them all done on 2 lanes
whose labels are the pids of the 2 workers, as the workers table shows
them. Speaks TAP; saves OUTDIR/run-timeline.png.
"""

import os
import pathlib
import re
import sys
import time

APP_G_DEBUG = os.environ.pop("G_DEBUG", "")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from atspi_session import App, app_env, find, find_all, press, screenshot, wait_for  # noqa: E402
from tap import Tap  # noqa: E402

N_TASKS = 12


def named(root, role, prefix):
    """GTK 4.8 repeats a labelled control's label in its name."""
    for node in find_all(root, role):
        try:
            if node.name.startswith(prefix):
                return node
        except Exception:
            continue
    return None


def main():
    app_path, outdir = sys.argv[1], pathlib.Path(sys.argv[2])
    tap = Tap()
    env = app_env(APP_G_DEBUG)
    env.pop("FORKYARD_FAKE_CPUS", None)
    os.environ.pop("FORKYARD_FAKE_CPUS", None)
    app = App(app_path, env)
    lanes = {}
    try:
        def configure_and_start():
            wait_for(lambda: named(app.window, "text", "Fibonacci n"), "the launch form")
            named(app.window, "text", "Fibonacci n").queryEditableText().setTextContents("24")
            named(app.window, "text", "Tasks").queryEditableText().setTextContents(str(N_TASKS))
            named(app.window, "text", "Chunk Size").queryEditableText().setTextContents("1")
            named(app.window, "spin button", "Workers").queryValue().currentValue = 2
            start = [b for b in find_all(app.window, "push button")
                     if b.name.endswith("Start")][0]
            press(start)
        tap.run("a Fibonacci run of 12 tasks on 2 workers starts", configure_and_start)

        def timeline_counts():
            timeline = wait_for(lambda: find(app.window, "image", "Task timeline"), "the timeline")
            text = wait_for(lambda: timeline.description
                            if f"{N_TASKS} of {N_TASKS} tasks done" in timeline.description else None,
                            "every task done in the timeline's description", timeout=90)
            assert "0 running, 0 failed, 0 timed out, 0 cancelled; 2 lanes" in text, text
            found = re.findall(r"lane (\d+): worker (\d+)", text)
            assert [int(n) for n, _ in found] == [1, 2], text
            lanes.update({int(n): int(pid) for n, pid in found})
            assert len(set(lanes.values())) == 2, f"two lanes, one worker: {text}"
            return text
        text = tap.run("the timeline's description counts 12 tasks done on 2 lanes", timeline_counts)
        if text:
            print(f"# {text}", file=tap.out, flush=True)

        def lanes_are_worker_pids():
            press(named(app.window, "page tab", "Workers"))
            for pid in lanes.values():
                wait_for(lambda p=pid: find(app.window, "label", str(p)),
                         f"worker {pid} in the workers table")
        tap.run("the lanes' labels are the pids of the workers in the workers table",
                lanes_are_worker_pids)

        def shot():
            press(named(app.window, "page tab", "Timeline"))
            time.sleep(1.5)
            screenshot(outdir / "run-timeline.png")
        tap.run("a screenshot is saved as run-timeline.png", shot)
    finally:
        app.close()
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
