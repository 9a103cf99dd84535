#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Monitor page of the real app, read through its accessibility tree.

usage: test-monitor-page.py APP OUTDIR [--fake-cpus N] [--dark]

With --fake-cpus N the app shows N scripted cores (FORKYARD_FAKE_CPUS),
whose loads are known: core i is busy 10 + (i * 7) % 81 %. Without it the
app reads this machine, and a busy loop pinned to the first core must show
in that core's figure within 3 s. Speaks TAP; saves OUTDIR/monitor-*.png.
"""

import argparse
import os
import pathlib
import re
import subprocess
import sys
import time

APP_G_DEBUG = os.environ.pop("G_DEBUG", "")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import pyatspi  # noqa: E402

from atspi_session import App, app_env, find, find_all, press, screenshot, wait_for  # noqa: E402
from tap import Tap  # noqa: E402

GRAPH = "CPU history per core"
HEATMAP = "CPU heatmap per core"


def fake_busy(core):
    return 10 + (core * 7) % 81


def core_figures(description):
    """{core number: percent} from "CPU 1: 87 %, CPU 2: 12 %; total: …"."""
    return {int(n): int(v) for n, v in re.findall(r"CPU (\d+): (\d+) %", description or "")}


def is_on(node):
    states = node.getState()
    return states.contains(pyatspi.STATE_CHECKED) or states.contains(pyatspi.STATE_PRESSED)


def label_starting(root, prefix):
    for node in find_all(root, "label"):
        try:
            if node.name.startswith(prefix):
                return node.name
        except Exception:
            continue
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("app")
    parser.add_argument("outdir")
    parser.add_argument("--fake-cpus", type=int, default=0)
    parser.add_argument("--dark", action="store_true")
    args = parser.parse_args()
    tap = Tap()

    env = app_env(APP_G_DEBUG)
    if args.fake_cpus:
        env["FORKYARD_FAKE_CPUS"] = str(args.fake_cpus)
    else:
        os.environ.pop("FORKYARD_FAKE_CPUS", None)
    if args.dark:
        env["ADW_DEBUG_COLOR_SCHEME"] = "prefer-dark"
    many = args.fake_cpus > 16
    n_cpus = args.fake_cpus or os.cpu_count()
    name = f"monitor-{args.fake_cpus or 'real'}{'-dark' if args.dark else ''}"

    app = App(args.app, env)
    busy = None
    try:
        def open_page():
            press(find(app.window, "page tab", "Monitor", showing=True))
            return wait_for(lambda: find(app.window, "image", HEATMAP if many else GRAPH),
                            "the graph of the Monitor page")
        tap.run("the Monitor page opens on the lines up to 16 cores, else on the heatmap",
                open_page)

        def description_lists_every_core():
            graph = find(app.window, "image", HEATMAP if many else GRAPH)
            figures = wait_for(lambda: core_figures(graph.description)
                               if len(core_figures(graph.description)) == n_cpus else None,
                               f"a description listing {n_cpus} cores")
            assert sorted(figures) == list(range(1, n_cpus + 1)), sorted(figures)
            if args.fake_cpus:
                expected = {i + 1: fake_busy(i) for i in range(n_cpus)}
                assert figures == expected, f"{figures} != {expected}"
        tap.run(f"the graph's accessible description lists all {n_cpus} cores",
                description_lists_every_core)

        def buttons_match():
            lines = find(app.window, "push button", "Lines")
            heatmap = find(app.window, "push button", "Heatmap")
            assert is_on(heatmap if many else lines), "the wrong view is chosen"
            sensitive = lines.getState().contains(pyatspi.STATE_SENSITIVE)
            assert sensitive != many, f"Lines sensitive: {sensitive} with {n_cpus} cores"
        tap.run("the view buttons show the automatic choice (Lines off above 16 cores)",
                buttons_match)

        def shot():
            time.sleep(1.5)
            screenshot(pathlib.Path(args.outdir) / f"{name}.png")
        tap.run(f"a screenshot is saved as {name}.png", shot)

        if not many:
            def switch_to_heatmap():
                press(find(app.window, "push button", "Heatmap"))
                heatmap = wait_for(lambda: find(app.window, "image", HEATMAP), "the heatmap")
                wait_for(lambda: len(core_figures(heatmap.description)) == n_cpus,
                         "the heatmap's description")
                press(find(app.window, "push button", "Lines"))
            tap.run("Heatmap switches to the heatmap below 16 cores too", switch_to_heatmap)

        def table():
            press(find(app.window, "push button", "Table"))
            wait_for(lambda: find(app.window, "label", f"CPU {n_cpus}", showing=True),
                     f"a table row for CPU {n_cpus}")
            if args.fake_cpus:
                want = f"{fake_busy(n_cpus - 1)} %"
                assert find(app.window, "label", want), f"no cell reading {want!r}"
            press(find(app.window, "push button", "Heatmap" if many else "Lines"))
        tap.run("Table shows one row of text per core", table)

        if not args.fake_cpus:
            def busy_core_shows():
                nonlocal busy
                graph = find(app.window, "image", GRAPH)
                busy = subprocess.Popen(["taskset", "-c", "0", "sh", "-c", "while :; do :; done"])
                start = time.monotonic()
                wait_for(lambda: core_figures(graph.description).get(1, 0) >= 80,
                         "CPU 1 at 80 % or more", timeout=3.0)
                return time.monotonic() - start
            took = tap.run("a busy loop pinned to CPU 1 shows as ≥ 80 % within 3 s", busy_core_shows)
            if took is not None:
                print(f"# CPU 1 reached 80 % after {took:.1f} s", file=tap.out, flush=True)

        def pause_stops_values():
            graph = find(app.window, "image", HEATMAP if many else GRAPH)
            wait_for(lambda: label_starting(app.window, "Updated at"), "a sample")
            press(find(app.window, "push button", "Pause Sampling"))
            wait_for(lambda: label_starting(app.window, "Sampling paused"), "the paused label")
            # The last sample's figures may still be described up to a
            # second after it came; after that nothing may change.
            time.sleep(1.2)
            frozen = graph.description
            time.sleep(2.5)
            assert label_starting(app.window, "Sampling paused"), "sampling went on"
            assert graph.description == frozen, "the figures changed while paused"
            press(find(app.window, "push button", "Pause Sampling"))
            first = wait_for(lambda: label_starting(app.window, "Updated at"), "sampling again")
            wait_for(lambda: label_starting(app.window, "Updated at") not in (None, first),
                     "a newer sample after resuming")
        tap.run("Pause stops the sampling and a second press resumes it", pause_stops_values)
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
        app.close()
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
