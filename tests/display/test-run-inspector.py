#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The IPC inspector on the Run page, during a real run.

usage: test-run-inspector.py APP OUTDIR

A Sleep run of 120 tasks of 100 ms on one worker, imap_unordered with
chunks of one (the workload and the call style picked from the form's
lists with the keyboard, the figures from the settings the form
remembers), keeps the pool's task queue long for a dozen seconds. The inspector's toggle beside the Run page's tables reveals it;
Start runs the batch; the inspector then lists the pool's task queue and
its depth, read through AT-SPI as a screen reader would: first most of the
batch waiting, then fewer as the worker takes them, and at the end none.
Speaks TAP; saves OUTDIR/run-inspector.png.
"""

import argparse
import os
import pathlib
import re
import sys
import tempfile

APP_G_DEBUG = os.environ.pop("G_DEBUG", "")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from atspi_session import App, app_env, choose, find, find_all, press, screenshot, wait_for  # noqa: E402
from tap import Tap  # noqa: E402

TASKS = 120
DEPTH = re.compile(r"(\d+) items?, (\d+) in flight")


def write_settings(config_home):
    folder = pathlib.Path(config_home) / "glib-2.0" / "settings"
    folder.mkdir(parents=True)
    (folder / "keyfile").write_text(
        "[io/github/forkyard/Forkyard]\n"
        "run-sleep-ms=uint32 100\n"
        f"run-tasks=uint32 {TASKS}\n"
        "run-workers=1\n"
        "run-chunk-size=uint32 1\n")


def label_names(root):
    # The accessibility cache follows events; a moving inspector is read
    # afresh at every look.
    try:
        root.clear_cache()
    except Exception:
        pass
    names = []
    for node in find_all(root, "label"):
        try:
            names.append(node.name)
        except Exception:
            continue
    return names


def task_queue_depth(inspector):
    """(queue name, depth) of the pool's task queue the inspector lists:
    its name cell ("pool-N-tasks") comes before its state cell."""
    names = label_names(inspector)
    for i, name in enumerate(names):
        if re.fullmatch(r"pool-\d+-tasks", name):
            for later in names[i + 1:i + 6]:
                for line in later.split("\n"):
                    match = DEPTH.fullmatch(line)
                    if match:
                        return name, int(match.group(1))
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("app")
    parser.add_argument("outdir")
    args = parser.parse_args()
    tap = Tap()

    config_home = tempfile.mkdtemp(prefix="forkyard-test-")
    write_settings(config_home)
    env = app_env(APP_G_DEBUG, config_home, GSK_RENDERER="cairo")
    app = App(args.app, env)
    state = {}
    try:
        def pick():
            choose(app.window, "Workload", "Sleep")
            choose(app.window, "Call Style", "imap_unordered")
        tap.run("Sleep and imap_unordered are picked from the form's lists", pick)

        def reveal():
            # GTK 4.8 reports a toggle button as a push button.
            toggle = wait_for(lambda: find(app.window, "push button", "Show IPC Inspector", showing=True),
                              "the inspector's toggle on the Run page")
            press(toggle)
            # The Run page's own inspector, beside its tables (the
            # Playground has another): under the toggle's row's parent.
            tables = toggle.parent.parent
            state["inspector"] = wait_for(lambda: find(tables, "panel", "IPC Inspector", showing=True),
                                          "the IPC inspector on the Run page")
            # The first walk of a subtree fills the cache and is slow.
            label_names(state["inspector"])
        tap.run("the toggle beside the Run page's tables reveals the IPC inspector", reveal)

        def first_depth():
            start = wait_for(lambda: next((b for b in find_all(app.window, "push button", showing=True)
                                           if b.name == "Start" or b.name.endswith(" Start")), None),
                             "the Start button")
            press(start)
            name, depth = wait_for(lambda: (lambda d: d if d and d[1] > TASKS // 2 else None)(
                task_queue_depth(state["inspector"])),
                "the pool's task queue with most of the batch waiting", timeout=30)
            state["name"], state["depth"] = name, depth
            assert depth <= TASKS, depth
        tap.run("during the run the inspector lists the pool's task queue with its depth", first_depth)
        screenshot(pathlib.Path(args.outdir) / "run-inspector.png")

        def draining():
            # Live: the worker takes a task every 100 ms, so the depth the
            # inspector shows goes down while the test watches.
            wait_for(lambda: (lambda d: d and d[0] == state["name"] and d[1] < state["depth"] - 5)(
                task_queue_depth(state["inspector"])), "the task queue depth going down", timeout=30)
        tap.run("the depth goes down as the worker takes tasks", draining)

        def empty():
            wait_for(lambda: (lambda d: d and d[0] == state["name"] and d[1] == 0)(
                task_queue_depth(state["inspector"])), "the task queue empty", timeout=60)
        tap.run("at the end of the batch the task queue is empty", empty)
    finally:
        app.close()
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
