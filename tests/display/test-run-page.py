#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Run page of the real app, driven through its accessibility tree.

usage: test-run-page.py APP OUTDIR --case fib|hash|resize|invalid|cancel

Each case is one meson test; it starts the app with a private settings
file (values the form shows but this driver does not type in are seeded
there: sizes, counts, folders) and a private cache, works the form as a
keyboard or screen reader user would (the workload and the call style
are picked from their lists), and checks what the page shows. Speaks TAP; saves
OUTDIR/run-page-CASE.png.

  fib      Fibonacci n = 27, 40 tasks, 2 workers, map → 40 done, 0 failed,
           and the results list holds 40 results of 196418.
  hash     Hash files on the sample data → the results are sha256sum's
           lines for the same files, line for line.
  resize   A folder of 6 good JPEGs and 1 truncated one → 6 done, 1 failed
           with an error naming the file.
  invalid  Tasks = 0, then a Fibonacci run estimated past an hour → Start
           insensitive and the reason readable through AT-SPI.
  cancel   Cancel during a long Sleep run, with a worker stopped (SIGSTOP)
           → the run ends cancelled within 1 s and no worker is left.
"""

import argparse
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

APP_G_DEBUG = os.environ.pop("G_DEBUG", "")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import pyatspi  # noqa: E402

from atspi_session import App, app_env, choose, click, find, find_all, press, screenshot, wait_for  # noqa: E402
from tap import Tap  # noqa: E402

SCHEMA_PATH = "io/github/forkyard/Forkyard"


def write_settings(config_home, values):
    path = pathlib.Path(config_home) / "glib-2.0" / "settings"
    path.mkdir(parents=True, exist_ok=True)
    lines = [f"[{SCHEMA_PATH}]"] + [f"{key}={value}" for key, value in values.items()]
    (path / "keyfile").write_text("\n".join(lines) + "\n")


def is_sensitive(node):
    return node.getState().contains(pyatspi.STATE_SENSITIVE)


FIGURE_NODES = {}


def value_of(root, name):
    """The figure a value label shows, from its accessible description
    "Done: 40". The labels stay for the app's life: each is looked up once,
    since walking the tree takes a round trip per node."""
    prefix = f"{name}: "
    node = FIGURE_NODES.get(name)
    if node is None:
        for candidate in find_all(root, "label"):
            try:
                if candidate.description.startswith(prefix):
                    node = FIGURE_NODES[name] = candidate
                    break
            except Exception:
                continue
    if node is None:
        return None
    description = node.description
    return description[len(prefix):] if description.startswith(prefix) else None


def find_field(root, name):
    for role in ("text", "entry"):
        node = find(root, role, name, showing=True)
        if node is not None:
            return node
    return None


def entry(root, name):
    return wait_for(lambda: find_field(root, name), f"the {name!r} entry")


def type_into(root, name, text):
    """Focuses the field and types, as a keyboard user does (GTK 4.8 has
    no editable text interface on the accessibility bus)."""
    node = entry(root, name)
    click(node)
    # The keys must reach this entry: typed only once it has the focus.
    wait_for(lambda: node.getState().contains(pyatspi.STATE_FOCUSED), f"{name!r} to have the focus")
    subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+a", "BackSpace"], check=True, timeout=20)
    subprocess.run(["xdotool", "type", "--delay", "30", text], check=True, timeout=20)
    # The field's description is its value, or its error when the value
    # is refused; GTK 4.8 gives no text of an entry on the bus.
    wait_for(lambda: node.description == text or not node.description.startswith(tuple("0123456789")),
             f"{name!r} to take {text!r}")
    return node


def start_button(root):
    return wait_for(lambda: find(root, "push button", "Start", showing=True), "the Start button")


def labels(root):
    names = []
    for node in find_all(root, "label", showing=True):
        try:
            names.append(node.name)
        except Exception:
            continue
    return names


def cells(root, description_prefix):
    """The texts of the results list's cells whose description starts so:
    "Result of task", "Why task"."""
    texts = []
    for node in find_all(root, "label", showing=True):
        try:
            if node.description.startswith(description_prefix):
                texts.append(node.name)
        except Exception:
            continue
    return texts


def shown_count(root):
    """The results table's row count, from its count label's description."""
    for node in find_all(root, "label", showing=True):
        try:
            if node.description.endswith(" shown"):
                return node.description
        except Exception:
            continue
    return None


def run_ended(root, state):
    return value_of(root, "Run State") == state


def show_tab(app, name):
    press(wait_for(lambda: find(app.window, "page tab", name, showing=True), f"the {name!r} tab"))


def case_fib(app, tap, outdir):
    page = app.window

    def fill_form():
        type_into(page, "Fibonacci n", "27")
        type_into(page, "Tasks", "40")
        spin = wait_for(lambda: find(page, "spin button", "Workers", showing=True), "the Workers spin button")
        spin.queryValue().currentValue = 2
        wait_for(lambda: spin.queryValue().currentValue == 2, "2 workers")
        wait_for(lambda: is_sensitive(start_button(page)), "Start to be sensitive")
    tap.run("the form takes Fibonacci n = 27, 40 tasks, 2 workers", fill_form)

    def run():
        press(start_button(page))
        wait_for(lambda: run_ended(page, "Finished"), "the run to finish", timeout=60)
        assert value_of(page, "Done") == "40", f"done: {value_of(page, 'Done')}"
        assert value_of(page, "Failed") == "0", f"failed: {value_of(page, 'Failed')}"
        assert value_of(page, "Cancelled") == "0", f"cancelled: {value_of(page, 'Cancelled')}"
        verdict = [n for n in labels(page) if n.startswith("2 workers, ")]
        assert verdict, "no verdict naming 2 workers"
    tap.run("the run ends with 40 done, 0 failed and a verdict for 2 workers", run)

    def results():
        show_tab(app, "Results")
        wait_for(lambda: "40 results" in labels(page), "“40 results” in the results list")
        values = cells(page, "Result of task ")
        assert len(values) >= 8, f"only {len(values)} result cells shown: {values}"
        assert set(values) == {"196418"}, f"results shown: {sorted(set(values))}"
        assert not cells(page, "Why task "), "an error is shown"
        screenshot(pathlib.Path(outdir) / "run-page-fib.png")
    tap.run("the results list holds 40 results, each 196418", results)

    def none_failed():
        # The rows on screen are a few of the 40: the table's own count,
        # filter applied, says how many it holds, and none is a failure.
        wait_for(lambda: shown_count(page) == "40 of 40 shown", "all 40 rows in the table")
        toggle = wait_for(lambda: find(page, "push button", "Failures Only", showing=True)
                          or find(page, "toggle button", "Failures Only", showing=True),
                          "the Failures Only button")
        press(toggle)
        wait_for(lambda: shown_count(page) == "0 of 40 shown", "no failed row")
        press(toggle)
        wait_for(lambda: shown_count(page) == "40 of 40 shown", "all 40 rows again")
    tap.run("the table holds all 40 rows, and Failures Only none", none_failed)


def case_hash(app, tap, outdir, cache_home):
    page = app.window

    def run():
        press(start_button(page))
        wait_for(lambda: run_ended(page, "Finished"), "the run to finish", timeout=120)
        assert value_of(page, "Done") == "8", f"done: {value_of(page, 'Done')}"
        assert value_of(page, "Failed") == "0", f"failed: {value_of(page, 'Failed')}"
    tap.run("hashing the sample data ends with 8 done, 0 failed", run)

    def compare():
        files = sorted(str(p) for p in (pathlib.Path(cache_home) / "forkyard" / "samples" / "v1" / "files").iterdir())
        expected = subprocess.run(["sha256sum", *files], check=True, capture_output=True,
                                  text=True).stdout.splitlines()
        show_tab(app, "Results")
        wait_for(lambda: "8 results" in labels(page), "“8 results” in the results list")
        shown = cells(page, "Result of task ")
        assert shown == expected, f"shown:\n{shown}\nsha256sum:\n{expected}"
        screenshot(pathlib.Path(outdir) / "run-page-hash.png")
    tap.run("the results are sha256sum's lines for the same files, in order", compare)


def case_resize(app, tap, outdir, images):
    page = app.window

    def run():
        press(start_button(page))
        wait_for(lambda: run_ended(page, "Finished with Failures"), "the run to finish", timeout=60)
        assert value_of(page, "Done") == "6", f"done: {value_of(page, 'Done')}"
        assert value_of(page, "Failed") == "1", f"failed: {value_of(page, 'Failed')}"
    tap.run("resizing 6 good JPEGs and 1 truncated one: 6 done, 1 failed", run)

    def error_names_file():
        show_tab(app, "Results")
        wait_for(lambda: "7 results, 1 failed" in labels(page), "“7 results, 1 failed”")
        # The list names a file by its name; the folders are in the form.
        bad = "photo-7-truncated.jpg"
        errors = cells(page, "Why task ")
        assert len(errors) == 1 and errors[0].startswith(bad + ": truncated JPEG"), \
            f"errors: {errors}, expected one naming {bad}"
        thumbs = cells(page, "Result of task ")
        assert len(thumbs) == 6 and all(re.match(r"photo-[1-6]\.jpg, \d+×\d+, ", t) for t in thumbs), \
            f"thumbnails listed: {thumbs}"
        screenshot(pathlib.Path(outdir) / "run-page-resize.png")
        return errors
    tap.run("the failure's error names the truncated file", error_names_file)


def case_invalid(app, tap, outdir):
    page = app.window

    def zero_tasks():
        start = start_button(page)
        assert is_sensitive(start), "Start insensitive before any change"
        tasks = type_into(page, "Tasks", "0")
        wait_for(lambda: not is_sensitive(start), "Start to become insensitive")
        assert "at least 1" in tasks.description, f"entry description: {tasks.description!r}"
        assert "Tasks: Must be at least 1" in start.description, f"Start: {start.description!r}"
        assert any("Tasks: Must be at least 1" in n for n in labels(page)), "no reason on the page"
        screenshot(pathlib.Path(outdir) / "run-page-invalid.png")
    tap.run("tasks = 0: Start insensitive, the error readable at the field and by Start", zero_tasks)

    def not_a_number():
        tasks = type_into(page, "Tasks", "4x")
        wait_for(lambda: "whole number" in tasks.description, "a “whole number” error")
        assert not is_sensitive(start_button(page)), "Start is sensitive"
    tap.run("tasks = 4x: refused as not a whole number", not_a_number)

    def fixed():
        tasks = type_into(page, "Tasks", "40")
        wait_for(lambda: is_sensitive(start_button(page)), "Start to become sensitive")
        assert tasks.description == "40", f"entry description: {tasks.description!r}"
    tap.run("tasks = 40 again: Start sensitive", fixed)

    def too_long():
        type_into(page, "Fibonacci n", "70")
        start = start_button(page)
        wait_for(lambda: not is_sensitive(start), "Start to become insensitive")
        wait_for(lambda: "Refused" in start.description and "hour" in start.description,
                 "the refusal of a run past an hour")
        type_into(page, "Fibonacci n", "93")
        wait_for(lambda: "92" in entry(page, "Fibonacci n").description, "the 64-bit limit")
        type_into(page, "Fibonacci n", "20")
        wait_for(lambda: is_sensitive(start), "Start to become sensitive")
    tap.run("fib (70) × 40 is refused past an hour, n = 93 past 64 bits", too_long)


def descendants(pid):
    """Every process below @pid, from /proc."""
    children = {}
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found, children


def pool_workers(app_pid):
    """The app's forkyard-worker processes in pool mode: the pool's
    workers, not the fork server they may be forked from."""
    found, _ = descendants(app_pid)
    workers = set()
    for pid in found:
        try:
            argv = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"forkyard-worker") and b"pool" in argv[1:3]:
            workers.add(pid)
    return workers


def case_cancel(app, tap, outdir):
    page = app.window
    state = {}

    def start():
        # Everything needed later is looked up before the run: walking the
        # tree while the page updates takes seconds.
        state["start"] = start_button(page)
        state["cancel"] = find(page, "push button", "Cancel", showing=True)
        assert value_of(page, "Run State") == "Ready"
        for name in ("Done", "Cancelled"):
            value_of(page, name)
        before = pool_workers(app.process.pid)
        press(state["start"])
        wait_for(lambda: value_of(page, "Run State") == "Running", "the run to start")
        pids = wait_for(lambda: (pool_workers(app.process.pid) - before)
                        if len(pool_workers(app.process.pid) - before) == 2 else None,
                        "two workers in /proc")
        state["pids"] = pids
        # One of them stopped: Cancel must not wait for it.
        os.kill(sorted(pids)[0], signal.SIGSTOP)
        assert not is_sensitive(state["start"]), "a second Start is possible while running"
        assert "One run at a time" in state["start"].description, state["start"].description
    tap.run("a long Sleep run starts on 2 workers, one of them stopped; a second Start is refused", start)

    def cancel():
        begun = time.monotonic()
        press(state["cancel"])
        pressed = time.monotonic() - begun
        ended = gone = None
        # Polled every 50 ms (the helpers pause 100 ms): the figures are the
        # point, and a tighter loop would only load the app's main loop.
        trace = []
        while time.monotonic() - begun < 5 and (ended is None or gone is None):
            states = []
            for p in sorted(state["pids"]):
                try:
                    states.append(pathlib.Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0])
                except OSError:
                    states.append("-")
            if not trace or trace[-1][1] != states:
                trace.append((round(time.monotonic() - begun, 3), states))
            if gone is None and not any(pathlib.Path(f"/proc/{p}").exists() for p in state["pids"]):
                gone = time.monotonic() - begun
            if ended is None and value_of(page, "Run State") == "Cancelled":
                ended = time.monotonic() - begun
            time.sleep(0.05)
        print(f"# Cancel pressed in {pressed:.3f} s; cancelled after {ended} s; workers gone after {gone} s;"
              f" their states: {trace}", file=sys.stderr)
        assert ended is not None, "the run did not end cancelled within 5 s"
        assert gone is not None, "workers still in /proc after 5 s"
        screenshot(pathlib.Path(outdir) / "run-page-cancel.png")
        assert ended <= 1.0, f"the run ended {ended:.2f} s after Cancel"
        assert gone <= 1.0, f"the workers were gone {gone:.2f} s after Cancel"
        assert value_of(page, "Done") == "0", f"done: {value_of(page, 'Done')}"
        assert value_of(page, "Cancelled") == "20", f"cancelled: {value_of(page, 'Cancelled')}"
        return f"{ended:.2f} s, {gone:.2f} s"
    tap.run("Cancel ends the run cancelled within 1 s and no worker is left in /proc", cancel)

    def start_again():
        assert is_sensitive(state["start"]), "Start is insensitive after the run"
    tap.run("Start is possible again once the run ended", start_again)


def make_images(folder):
    for i in range(1, 7):
        subprocess.run(["convert", "-size", f"{640 + i * 10}x480", f"plasma:fractal",
                        "-seed", str(i), str(folder / f"photo-{i}.jpg")], check=True)
    good = (folder / "photo-1.jpg").read_bytes()
    (folder / "photo-7-truncated.jpg").write_bytes(good[: len(good) // 3])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("app")
    parser.add_argument("outdir")
    parser.add_argument("--case", required=True,
                        choices=["fib", "hash", "resize", "invalid", "cancel"])
    args = parser.parse_args()
    tap = Tap()

    scratch = pathlib.Path(tempfile.mkdtemp(prefix="forkyard-run-page-"))
    config_home = scratch / "config"
    cache_home = scratch / "cache"
    settings = {"run-workers": "2"}
    # What the lists must show for the case: (list, item) in order.
    choices = []
    if args.case == "hash":
        choices = [("Workload", "Hash Files")]
    elif args.case == "resize":
        images = scratch / "images"
        images.mkdir()
        make_images(images)
        settings.update({"run-resize-folder": f"'{images}'",
                         "run-output-folder": f"'{scratch / 'thumbnails'}'"})
        choices = [("Workload", "Resize Images")]
    elif args.case == "cancel":
        settings.update({"run-sleep-ms": "uint32 5000",
                         "run-tasks": "uint32 20", "run-chunk-size": "uint32 1"})
        choices = [("Workload", "Sleep"), ("Call Style", "imap_unordered")]
    write_settings(config_home, settings)

    env = app_env(APP_G_DEBUG, config_home, XDG_CACHE_HOME=str(cache_home))
    app = App(args.app, env)
    try:
        tap.check(wait_for(lambda: find(app.window, "panel", "Run a Workload"), "the Run page") is not None,
                  "the Run page is shown")
        for name, item in choices:
            def pick(name=name, item=item):
                choose(app.window, name, item)
            tap.run(f"the {name} list, opened, goes to {item} with the keyboard", pick)
        if args.case == "fib":
            case_fib(app, tap, args.outdir)
        elif args.case == "hash":
            case_hash(app, tap, args.outdir, cache_home)
        elif args.case == "resize":
            case_resize(app, tap, args.outdir, scratch / "images")
        elif args.case == "invalid":
            case_invalid(app, tap, args.outdir)
        else:
            case_cancel(app, tap, args.outdir)

        def quits():
            app.process.send_signal(signal.SIGTERM)
            assert app.wait_exit() is not None
        tap.run("the app quits", quits)
    finally:
        app.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
