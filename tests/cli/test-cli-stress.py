#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""forkyard-cli stress: its books, its checks and its option errors.

usage: test-cli-stress.py FORKYARD-CLI            (a short run, prints TAP)
       test-cli-stress.py FORKYARD-CLI --soak S   (one S-second soak)
"""

import json
import os
import signal
import subprocess
import sys
import time
import traceback

CLI = os.path.abspath(sys.argv[1])
SOAK = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--soak" else 0
TESTS = []

BOOK_KEYS = ("tasks", "done", "failed", "cancelled", "lost", "zombies",
             "orphans", "fd_start", "fd_end", "rss_growth_pct")


def test(fn):
    TESTS.append(fn)
    return fn


def cli(*args, timeout=120):
    return subprocess.run([CLI, *map(str, args)], capture_output=True,
                          timeout=timeout)


def check_books(doc, seconds):
    """The checks the command makes, made again from its JSON."""
    for key in BOOK_KEYS:
        assert key in doc, (key, doc)
    assert doc["ok"] is True and doc["problems"] == [], doc
    assert doc["lost"] == 0 and doc["duplicates"] == 0, doc
    assert doc["wrong_results"] == 0 and doc["failed_other"] == 0, doc
    assert doc["tasks"] == doc["done"] + doc["failed"] + doc["cancelled"], doc
    assert doc["failed"] == doc["failed_worker_died"] + doc["failed_timed_out"], doc
    assert doc["zombies"] == 0 and doc["orphans"] == 0, doc
    assert doc["fd_end"] <= doc["fd_start"], doc
    # Not checked in the ASan build, whose quarantine holds freed memory.
    assert doc["rss_growth_pct"] < 5 or doc["rss_checked"] is False, doc
    # The chaos really happened, and the work with it.
    assert doc["kills"] > 0 and doc["stops"] > 0 and doc["cancels"] > 0, doc
    assert doc["done"] > 0 and doc["queue_rounds"] > 0 and doc["lock_rounds"] > 0, doc
    assert doc["duration"] >= seconds, doc


def run_json(seconds, *extra):
    r = cli("stress", "--duration", seconds, "--json", *extra,
            timeout=seconds + 300)
    lines = r.stdout.decode().strip().splitlines()
    assert lines, (r.returncode, r.stderr)
    doc = json.loads(lines[-1])
    assert r.returncode == 0, (r.returncode, doc, r.stderr)
    return doc


@test
def books_of_a_short_run():
    doc = run_json(6, "--workers", 3, "--seed", 7)
    check_books(doc, 6)
    assert doc["workers"] == 3 and doc["seed"] == 7, doc
    # The soak restarts itself on plain malloc, so GLib's slice caches do
    # not count as growth; a G_SLICE the caller chose is kept.
    assert doc["g_slice"] == os.environ.get("G_SLICE", "always-malloc"), doc


@test
def plain_books():
    r = cli("stress", "--duration", "3s", "--workers", 2, "--no-progress")
    out = r.stdout.decode()
    assert r.returncode == 0, (r.returncode, out, r.stderr)
    assert "All checks passed." in out, out
    assert " 0 lost" in out and "0 zombies, 0 orphans" in out, out


@test
def interrupt_still_prints_the_books():
    proc = subprocess.Popen([CLI, "stress", "--duration", "1h", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    doc = json.loads(out.decode().strip().splitlines()[-1])
    assert proc.returncode == 130, (proc.returncode, doc, err)
    assert doc["interrupted"] is True and doc["lost"] == 0, doc
    assert doc["zombies"] == 0 and doc["orphans"] == 0, doc


@test
def bad_options_are_refused():
    cases = [
        (("--duration", "abc"), "not a duration"),
        (("--duration", "0"), "not between 0 and a week"),
        (("--duration", "-5"), "not a duration"),
        (("--duration", "inf"), "not a duration"),
        (("--duration", "nan"), "not a duration"),
        (("--duration", "1w"), "not a duration"),
        (("--duration", "8d"), "not a duration"),
        (("--duration", "200h"), "not between 0 and a week"),
        (("--duration", "1.5.2m"), "not a duration"),
        (("--workers", "0"), "between 1 and 256"),
        (("--bogus",), "Unknown option"),
        (("extra",), "unexpected argument"),
    ]
    for args, message in cases:
        r = cli("stress", *args)
        err = r.stderr.decode()
        assert r.returncode == 2, (args, r.returncode, err)
        assert message in err, (args, err)
        assert r.stdout == b"", (args, r.stdout)


def soak():
    """One long run: its books, printed for the log, then checked."""
    doc = run_json(SOAK, "--workers", 4)
    print("# " + json.dumps(doc), flush=True)
    check_books(doc, SOAK)


def main():
    if SOAK:
        print("1..1", flush=True)
        try:
            soak()
            print(f"ok 1 /soak/stress-{SOAK}s", flush=True)
            return 0
        except Exception:
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
            print(f"not ok 1 /soak/stress-{SOAK}s", flush=True)
            return 1
    print(f"1..{len(TESTS)}", flush=True)
    failed = 0
    for i, fn in enumerate(TESTS, 1):
        try:
            fn()
            print(f"ok {i} /cli/stress/{fn.__name__}", flush=True)
        except Exception:
            failed += 1
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
            print(f"not ok {i} /cli/stress/{fn.__name__}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
