#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Run page's workers table in the real app, during a real run.

usage: test-run-workers.py APP OUTDIR --case kill|stop

Both cases run 200 Sleep tasks of 100 ms with the retry policy (2 retries)
on two workers: the workload and the policy are picked from the form's
lists with the keyboard, the figures come from the settings the form
remembers. The run lasts 10 s, so the steps land mid-run even when the
accessibility bus is slow on a loaded machine (every read waits for the
app's next idle moment).

  kill: select a worker, Ctrl+K, confirm → a toast names the pid and the
        retried task, a new pid appears in the table, and the run ends with 200 done, 0 failed.
  stop: select a worker, Menu key → Stop → its row shows T within 2 s;
        Continue → it leaves T; the run ends with 200 done, 0 failed.

The table is reached as a user would: a click on a worker's pid selects its
row, the rest is keys and buttons. Speaks TAP; saves OUTDIR/run-*.png.
"""

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

APP_G_DEBUG = os.environ.pop("G_DEBUG", "")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import pyatspi  # noqa: E402

from atspi_session import App, app_env, choose, click, find, find_all, key, press, screenshot, wait_for, walk  # noqa: E402
from tap import Tap  # noqa: E402

TASKS = 200
PID_DESCRIPTION = "Process ID of the worker in slot "


def write_settings(config_home):
    folder = pathlib.Path(config_home) / "glib-2.0" / "settings"
    folder.mkdir(parents=True)
    (folder / "keyfile").write_text(
        "[io/github/forkyard/Forkyard]\n"
        "run-sleep-ms=uint32 100\n"
        f"run-tasks=uint32 {TASKS}\n"
        "run-workers=2\n"
        "run-retries=uint32 2\n"
        "confirm-kill=true\n"
        "sample-interval=0.5\n")


def description(node):
    try:
        return node.description or ""
    except Exception:
        return ""


# Every property read is a round trip to the app, which answers between
# frames of a busy run: the table is read along its known shape (tree table
# → list → rows → cells → value cell → label), not by walking it.

def rows(table):
    """The data rows on screen: a list view keeps a few spare row widgets
    around, hidden, with whatever they showed last."""
    found = []
    for child in table:
        if child.getRoleName() != "list":
            continue
        for row in child:
            try:
                if row.getState().contains(pyatspi.STATE_VISIBLE):
                    found.append(row)
            except Exception:
                continue  # a row recycled while we looked
    return found


def pid_cells(table):
    """{slot: (pid, label node)} of the workers table."""
    cells = {}
    for row in rows(table):
        try:
            label = row[0][0][0]
            desc = description(label)
            if desc.startswith(PID_DESCRIPTION) and label.name.isdigit():
                cells[int(desc[len(PID_DESCRIPTION):])] = (int(label.name), label)
        except Exception:
            continue
    return cells


def pids(table):
    return {pid for pid, _ in pid_cells(table).values()}


def state_of(table, pid):
    """The state letter the table shows for @pid."""
    for row in rows(table):
        try:
            if row[0][0][0].name == str(pid):
                return row[1][0][0][0].name  # cell → box → value cell → label
        except Exception:
            continue
    return None


def count(window, caption):
    """The figure shown above the caption @caption ("Done", "Failed"). The
    progress comes before the tables, so the walk stops early."""
    previous = None
    for node in walk(window):
        try:
            if node.getRoleName() != "label":
                continue
            if node.name == caption and previous is not None and previous.isdigit():
                return int(previous)
            previous = node.name
        except Exception:
            continue
    return None


def walk_last_first(node):
    """Like walk (), the last child first: a toast comes after the whole
    page in its overlay, so it is found before the page is walked."""
    yield node
    try:
        children = [child for child in node if child is not None]
    except Exception:
        children = []
    for child in reversed(children):
        yield from walk_last_first(child)


def toast_with(window, text):
    for node in walk_last_first(window):
        try:
            if node.getRoleName() == "label" and text in node.name:
                return node.name
        except Exception:
            continue
    return None


def button(root, name):
    """GTK 4.8 names a button with a mnemonic "_Start Start": match the
    label the user sees."""
    for node in find_all(root, "push button", showing=True):
        try:
            if node.name == name or node.name.endswith(" " + name):
                return node
        except Exception:
            continue
    return None


T0 = time.monotonic()


def log(what):
    if os.environ.get("FORKYARD_TEST_VERBOSE"):
        print(f"{time.monotonic() - T0:7.2f} s  {what}", file=sys.stderr, flush=True)


def focus_new_window():
    """Gives the keyboard focus to the app's newest visible window."""
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--class", "forkyard"],
                           capture_output=True, text=True, timeout=20).stdout.split()
    main = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Forkyard$"],
                          capture_output=True, text=True, timeout=20).stdout.split()
    others = [w for w in found if w not in main]
    assert others, f"no window besides the main one among {found}"
    subprocess.run(["xdotool", "windowfocus", "--sync", others[-1]], check=True, timeout=20)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("app")
    parser.add_argument("outdir")
    parser.add_argument("--case", choices=["kill", "stop"], required=True)
    args = parser.parse_args()
    tap = Tap()

    config_home = tempfile.mkdtemp(prefix="forkyard-test-")
    write_settings(config_home)
    # No GSK_RENDERER: on the virtual display GL would be rendered on the
    # CPU, and the app then picks cairo by itself, as on any such machine.
    env = app_env(APP_G_DEBUG, config_home)
    app = App(args.app, env)
    state = {}
    try:
        def pick():
            choose(app.window, "Workload", "Sleep")
            choose(app.window, "When a Worker Dies", "Retry the Task")
        tap.run("Sleep and Retry the Task are picked from the form's lists", pick)

        def start():
            # Found before the run: the walk over the whole window is slow,
            # and the run is short.
            state["table"] = wait_for(lambda: find(app.window, "tree table", "Worker processes"),
                                      "the workers table")
            view = state["table"]
            while view.name != "FyWorkersView":
                view = view.parent
            state["view"] = view
            state["stop"] = button(view, "Stop")
            start_button = wait_for(lambda: button(app.window, "Start"), "the Start button")
            log("pressing Start")
            press(start_button)
            wait_for(lambda: len(pid_cells(state["table"])) == 2, "both workers in the table")
            state["pids"] = pids(state["table"])
            log(f"workers {state['pids']}")
        tap.run("Start runs 200 Sleep tasks; both workers show in the workers table", start)

        def select_first():
            pid, node = pid_cells(state["table"])[1]
            click(node)
            log(f"clicked {pid}")
            state["pid"] = pid
            # The selection enables the worker actions.
            wait_for(lambda: state["stop"].getState().contains(pyatspi.STATE_SENSITIVE),
                     "Stop enabled for the selected worker")
        tap.run("clicking a worker's pid selects its row", select_first)

        if args.case == "kill":
            def kill():
                pid = state["pid"]
                log("selected; Ctrl+K")
                key("ctrl+k")
                wait_for(lambda: any(f.name == f"Kill Worker {pid}?" for f in app.frames()),
                         "the confirmation dialog")
                # Nothing is killed before the answer.
                assert pid in pids(state["table"]), "killed before confirming"
                log("dialog; Alt+K")
                # With no window manager nothing gives the dialog the
                # keyboard: focus it as one would, then its "_Kill".
                focus_new_window()
                key("alt+k")
                state["toast"] = wait_for(lambda: toast_with(app.window, f"Worker {pid} killed by SIGKILL"),
                                          "a toast naming the killed worker")
                log(state["toast"])
                # The retry policy took the task back: the toast says so.
                assert "retried (1 of 2)" in state["toast"], state["toast"]
            tap.run("Ctrl+K asks first; confirming kills the worker and a toast names its pid", kill)
            screenshot(pathlib.Path(args.outdir) / "run-kill.png")

            def replaced():
                wait_for(lambda: pids(state["table"]) - state["pids"], "a new pid in the workers table")
                assert state["pid"] not in pids(state["table"]), "the killed worker is still listed"
            tap.run("a new worker takes the killed one's place in the table", replaced)
        else:
            def stop():
                pid = state["pid"]
                # The context menu's items have mnemonics: "_Stop", "C_ontinue".
                key("Menu")
                key("s")
                log("Menu, s")
                wait_for(lambda: state_of(state["table"], pid) == "T", f"worker {pid} shown as T", timeout=2.0)
                log("T")
                # Only the selected one: the other worker goes on.
                others = pids(state["table"]) - {pid}
                assert others, "the other worker left the table"
                assert all(state_of(state["table"], other) != "T" for other in others), \
                    f"another worker is stopped too: {others}"
            tap.run("Stop from the Menu key's context menu shows T within 2 s", stop)
            screenshot(pathlib.Path(args.outdir) / "run-stop.png")

            def resume():
                pid = state["pid"]
                key("Menu")
                key("o")
                log("Menu, o")
                wait_for(lambda: state_of(state["table"], pid) not in (None, "T"), f"worker {pid} leaves T")
                log("left T")
            tap.run("Continue from the context menu lets the worker leave T", resume)

        def completes():
            wait_for(lambda: count(app.window, "Done") == TASKS, f"{TASKS} done", timeout=120)
            assert count(app.window, "Failed") == 0, f"{count(app.window, 'Failed')} failed"
        tap.run(f"the run ends with {TASKS} done, 0 failed", completes)
    finally:
        app.close()
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
