#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Playground page of the real app on a virtual display, driven through
its accessibility tree: scenarios run from the page, their outcomes read
back, the IPC inspector read and poked.

usage: test-playground.py APP OUTDIR CASE
  counters  shared-counter, race-condition and speedup from the page; a
            screenshot during race-condition and of the speedup chart
  queue     the bounded producer / consumer: the inspector reports the queue
            full and the blocked producer's pid
  event     sync-primitives waits for its event; pressing Set Event in the
            inspector releases it; a screenshot while it waits

Speaks TAP.
"""

import os
import pathlib
import re
import sys
import tempfile
import time

# The app runs with the suite's fatal warnings; this driver must not, since
# libatspi warns about objects that vanish while it walks the tree.
APP_G_DEBUG = os.environ.pop("G_DEBUG", "")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from atspi_session import (App, app_env, find, find_all, is_selected,  # noqa: E402
                           press, screenshot, wait_for)
from tap import Tap  # noqa: E402

# A scenario can take this long when the machine is busy; the waits poll
# and return as soon as the thing waited for is there.
RUN_TIMEOUT = 120.0


def label_names(root):
    # A walk must see the tree as it is now: the accessibility cache is
    # kept up to date by events, and a session that loses some would show
    # a moving inspector as it was.
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


def open_playground(app):
    """The page and its inspector, found once: walking the whole window
    (every page) on each poll would be slow."""
    press(find(app.window, "page tab", "Playground", showing=True))
    wait_for(lambda: is_selected(find(app.window, "page tab", "Playground")),
             "the Playground page selected")
    page = wait_for(lambda: find(app.window, "panel", "Classic Examples"), "the Playground page")
    app.inspector = wait_for(lambda: find(page, "panel", "IPC Inspector"), "the IPC inspector")
    # The first walk of a subtree fills the accessibility cache and is
    # slow: do it before anything is under way.
    label_names(app.inspector)
    return page


def select_scenario(page, title):
    """Selects a scenario in the sidebar as a keyboard user would: its row
    activated through the list's selection interface."""
    sidebar = wait_for(lambda: find(page, "list", "Scenarios"), "the scenario list")

    def select():
        rows = [child for child in sidebar]
        for index, row in enumerate(rows):
            if any(node.name == title for node in find_all(row, "label")):
                sidebar.querySelection().selectChild(index)
                return True
        return False
    wait_for(select, f"the sidebar row {title!r}")
    wait_for(lambda: find(page, "label", title, showing=True) and
             any(n.name == title for n in find_all(page, "label")), f"the scenario {title!r} shown")


def run_selected(page):
    button = wait_for(lambda: find(page, "push button", "Run Scenario", showing=True),
                      "the Run Scenario button")
    wait_for(lambda: button.getState().contains(__import__("pyatspi").STATE_SENSITIVE),
             "Run Scenario to be sensitive", timeout=RUN_TIMEOUT)
    press(button)


def outcome(page):
    """The outcome status and text once the run finished."""
    def finished():
        names = label_names(page)
        for i, name in enumerate(names):
            if name in ("Outcome matched", "Outcome did not match", "Could not run"):
                return name, names[i + 1] if i + 1 < len(names) else ""
        return None
    return wait_for(finished, "the scenario's outcome", timeout=RUN_TIMEOUT)


def inspector_labels(app):
    return label_names(app.inspector)


def case_counters(app, outdir, tap):
    page = open_playground(app)

    def shared_counter():
        select_scenario(page, "Shared counter with a lock")
        run_selected(page)
        status, text = outcome(page)
        assert status == "Outcome matched", (status, text)
        assert text == "Counter 40000 of 40000", text
    tap.run("shared-counter run from the page reaches 40000", shared_counter)

    def race_condition():
        select_scenario(page, "Race condition")
        run_selected(page)
        # The picture shows the locked run under way, the inspector listing
        # its counter, start barrier and lock while the processes count.
        wait_for(lambda: "lock" in inspector_labels(app) or None,
                 "the locked run's lock in the inspector", timeout=RUN_TIMEOUT)
        time.sleep(0.5)
        screenshot(pathlib.Path(outdir) / "forkyard-playground-race-condition.png")
        status, text = outcome(page)
        assert status == "Outcome matched", (status, text)
        m = re.fullmatch(r"without the lock (\d+) \+ (\d+) lost = (\d+); with it (\d+)", text)
        assert m, text
        final, lost, attempts, locked = map(int, m.groups())
        assert final + lost == 40000 and attempts == 40000, text
        assert final < 40000, text
        assert locked == 40000, text
    tap.run("race-condition run from the page loses updates, and its locked run does not",
            race_condition)

    def speedup_chart():
        select_scenario(page, "Speedup curve")
        run_selected(page)
        status, text = outcome(page)
        assert status == "Outcome matched", (status, text)
        chart = wait_for(lambda: find(page, None, "Timings", showing=True), "the timing chart")
        # One bar per worker count, 1 to 2 × CPUs (at most 16), each with
        # its time and its speed against one worker.
        counts = min(2 * os.cpu_count(), 16)
        description = wait_for(lambda: chart.description or None, "the chart's description")
        bars = re.findall(r"(\d+) workers?: ([\d.]+) s", description)
        assert [int(n) for n, _ in bars] == list(range(1, counts + 1)), description
        assert all(float(seconds) > 0 for _, seconds in bars), description
        screenshot(pathlib.Path(outdir) / "forkyard-playground-speedup.png")
    tap.run("speedup run from the page draws one bar per worker count", speedup_chart)


def case_queue(app, outdir, tap):
    page = open_playground(app)

    def blocked_producer():
        select_scenario(page, "Queue: producer and consumer")
        run_selected(page)

        seen = {"full": False, "pid": None, "last": []}

        def full_and_blocked():
            # Each walk of the tree is a snapshot of a moving queue: what
            # one walk missed, the next may catch.
            names = inspector_labels(app)
            seen["last"] = names
            if "bounded-q" in names:
                seen["full"] = seen["full"] or "2 of 2 items\nfull" in names
                blocked = [n for n in names if re.fullmatch(r"producer PID \d+ blocked", n)]
                seen["pid"] = seen["pid"] or (blocked[0] if blocked else None)
            return seen["full"] and seen["pid"]
        try:
            who = wait_for(full_and_blocked, "the bounded queue full with its producer blocked",
                           timeout=RUN_TIMEOUT)
        except AssertionError as error:
            raise AssertionError(f"{error}; seen {seen}") from None
        pid = int(who.split()[2])
        assert pid > 0 and pid != app.process.pid, who
        # The same pid the scenario itself saw blocked.
        status, text = outcome(page)
        assert status == "Outcome matched", (status, text)
        output = find(page, "text", "Output")
        lines = output.queryText().getText(0, -1)
        assert f"Producer PID {pid} was seen blocked" in lines or "was seen blocked" in lines, lines
    tap.run("the inspector shows the bounded queue full and the blocked producer's pid",
            blocked_producer)


def case_event(app, outdir, tap):
    page = open_playground(app)

    def poke_event():
        select_scenario(page, "Synchronization primitives")
        run_selected(page)
        button = wait_for(lambda: find(app.inspector, "push button", "Set Event", showing=True)
                          if "3 waiting" in inspector_labels(app) and "event" in inspector_labels(app)
                          else None,
                          "the event with its 3 waiters and a Set Event button",
                          timeout=RUN_TIMEOUT)
        screenshot(pathlib.Path(outdir) / "forkyard-playground-sync-primitives.png")
        press(button)
        status, text = outcome(page)
        assert status == "Outcome matched", (status, text)
        assert "event released 3 of 3 (set from outside)" in text, text
        output = find(page, "text", "Output").queryText().getText(0, -1)
        assert "The event was set from outside the scenario" in output, output
    tap.run("Set Event in the inspector releases the waiting scenario", poke_event)


CASES = {"counters": case_counters, "queue": case_queue, "event": case_event}


def main():
    program, outdir, case = sys.argv[1], sys.argv[2], sys.argv[3]
    tap = Tap()
    config_home = tempfile.mkdtemp(prefix="forkyard-test-")
    env = app_env(APP_G_DEBUG, config_home)
    app = App(program, env)
    try:
        CASES[case](app, outdir, tap)
    finally:
        app.close()
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
