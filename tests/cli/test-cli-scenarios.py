#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""forkyard-cli scenario: every Playground scenario run headless, its output
checked against what the seed's program prints and its outcome matched.

usage: test-cli-scenarios.py FORKYARD-CLI   (prints TAP)
"""

import json
import os
import re
import subprocess
import sys
import traceback

CLI = os.path.abspath(sys.argv[1])
TESTS = []

SCENARIOS = [
    "process-basics", "pool-map", "pool-methods", "imap-order",
    "queue-producer-consumer", "pipe", "shared-counter", "race-condition",
    "shared-array", "manager-dict", "sync-primitives", "daemon", "terminate",
    "executor", "threads-vs-processes", "speedup",
]


def test(fn):
    TESTS.append(fn)
    return fn


def cli(*args, timeout=180):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def run_json(name):
    r = cli("scenario", name, "--json")
    assert r.returncode == 0, (name, r.returncode, r.stdout, r.stderr)
    report = json.loads(r.stdout)
    assert report["name"] == name, report
    assert report["matched"] is True, report
    assert report["error"] is None, report
    assert report["output"], report
    assert report["outcome"], report
    return report


@test
def list_names_every_scenario():
    r = cli("scenario", "--list")
    assert r.returncode == 0, r.stderr
    rows = [line.split(None, 1) for line in r.stdout.splitlines()]
    assert [row[0] for row in rows] == SCENARIOS, rows
    for row in rows:
        assert len(row) == 2 and len(row[1]) > 10, row


@test
def bad_usage_is_exit_2_with_a_reason():
    r = cli("scenario", "no-such-example")
    assert r.returncode == 2, r
    assert "no scenario “no-such-example”" in r.stderr, r.stderr
    r = cli("scenario")
    assert r.returncode == 2 and "give one scenario name" in r.stderr, r
    r = cli("scenario", "--list", "pipe")
    assert r.returncode == 2 and "--list takes no name" in r.stderr, r
    r = cli("scenario", "pipe", "pool-map")
    assert r.returncode == 2, r


@test
def text_mode_prints_output_outcome_and_match():
    r = cli("scenario", "pool-map")
    assert r.returncode == 0, r
    lines = r.stdout.splitlines()
    assert lines[0] == "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]", lines
    assert lines[-1] == "Matched: yes", lines
    assert any(line.startswith("Outcome: ") for line in lines), lines
    assert any(line.startswith("Expected: ") for line in lines), lines


@test
def process_basics():
    out = run_json("process-basics")["output"]
    workers = [re.fullmatch(r"Worker (\d), PID: (\d+)", line) for line in out[:4]]
    assert all(workers), out
    assert sorted(int(m.group(1)) for m in workers) == [0, 1, 2, 3], out
    assert len({m.group(2) for m in workers}) == 4, out
    assert re.fullmatch(r"Main process PID: \d+", out[4]), out
    assert out[4].split()[-1] not in {m.group(2) for m in workers}, out


@test
def pool_map():
    assert run_json("pool-map")["output"] == ["[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]"]


@test
def pool_methods():
    assert run_json("pool-methods")["output"] == [
        "map: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]",
        "starmap: [3, 7, 11]",
        "apply_async: 100",
        "map_async: [0, 1, 4, 9, 16]",
    ]


@test
def imap_order():
    assert run_json("imap-order")["output"] == [
        "Completed task after 100 ms",
        "Completed task after 500 ms",
        "Completed task after 300 ms",
        "Task finished in 100 ms",
        "Task finished in 300 ms",
        "Task finished in 500 ms",
    ]


@test
def queue_producer_consumer():
    report = run_json("queue-producer-consumer")
    out = report["output"]
    consumed = [line for line in out if line.startswith("Consumed: ")]
    produced = [line for line in out if line.startswith("Produced: ")]
    assert consumed == [f"Consumed: {i}" for i in range(5)] + [f"Consumed: {i}" for i in range(10)], out
    assert produced.count("Produced: 0") == 2 and len(produced) == 15, out
    pid = report["details"]["blocked-producer-pid"]
    assert pid > 0, report
    assert f"Producer PID {pid} was seen blocked on the full queue (2 of 2)" in out, out


@test
def pipe():
    assert run_json("pipe")["output"] == [
        "Receiver got: Hello from sender",
        "Receiver got: [1, 2, 3]",
        "Sender received: Thanks!",
    ]


@test
def shared_counter():
    report = run_json("shared-counter")
    assert report["output"] == ["Counter: 40000"], report
    assert report["details"]["final"] == 40000, report


@test
def race_condition_accounts_for_every_update():
    report = run_json("race-condition")
    d = report["details"]
    assert d["attempts"] == 40000, d
    assert d["final"] + d["lost"] == 40000, d
    assert d["final"] < 40000 and d["lost"] > 0, d
    assert d["locked-final"] == 40000, d
    assert report["output"] == [
        f"Without a lock: Counter: {d['final']} (lost updates: {d['lost']})",
        "With a lock:    Counter: 40000 (lost updates: 0)",
    ], report


@test
def shared_array():
    assert run_json("shared-array")["output"] == [
        "Array: [2.0, 4.0, 6.0, 8.0]",
        "Counter: 1",
        "Name: Alice",
    ]


@test
def manager_dict():
    out = run_json("manager-dict")["output"]
    assert out[0] == "Dict: {0: 0, 1: 10, 2: 20, 3: 30}", out
    m = re.fullmatch(r"List: \[(\d), (\d), (\d), (\d)\]", out[1])
    assert m and sorted(m.groups()) == ["0", "1", "2", "3"], out
    assert out[2] == "Final status: completed", out


@test
def sync_primitives():
    report = run_json("sync-primitives")
    d, out = report["details"], report["output"]
    assert d["semaphore-peak"] == 2, d
    assert d["event-released"] == 3 and d["event-poked"] is False, d
    assert d["notify-one-woke"] == 1, d
    assert sum(line.endswith("entered (1 inside)") or line.endswith("entered (2 inside)")
               for line in out) == 6, out
    assert "Main process sets the event" in out, out
    assert sum(line.endswith("passed the barrier") for line in out) == 4, out
    # No party passes before the last one arrived.
    last_arrival = max(i for i, line in enumerate(out) if line.endswith("arrives at the barrier"))
    first_pass = min(i for i, line in enumerate(out) if line.endswith("passed the barrier"))
    assert last_arrival < first_pass, out


@test
def daemon():
    out = run_json("daemon")["output"]
    exiting = out.index("Main process exiting, daemon will be terminated")
    assert exiting >= 1 and all(line == "Background process running..." for line in out[:exiting]), out
    assert "Background process running..." not in out[exiting:], out
    assert out[-1] == "Daemon ended with its owner; non-daemon process joined with exit code 0", out


@test
def terminate():
    report = run_json("terminate")
    exits = [line for line in report["output"] if line.startswith("Exit code: ")]
    assert exits == ["Exit code: -15", "Exit code: -9"], report
    assert report["details"] == {"terminated-exitcode": -15, "killed-exitcode": -9}, report


@test
def executor():
    out = run_json("executor")["output"]
    value = "333332833333500000"
    assert out == [f"Result: {value}"] * 4 + [f"All results: [{', '.join([value] * 4)}]"], out


@test
def threads_vs_processes():
    report = run_json("threads-vs-processes")
    d = report["details"]
    for key in ("sequential", "threads-gil", "threads-free", "processes"):
        assert d[key] > 0, d
    assert report["output"][0].startswith("Sequential: "), report


@test
def speedup():
    report = run_json("speedup")
    out = report["output"]
    n_cpus = os.cpu_count()
    workers = [line for line in out if re.match(r"\s*\d+ workers?:", line)]
    assert len(workers) == min(2 * n_cpus, 16), out
    assert any(line.startswith(("Amdahl fit", "One CPU")) for line in out), out
    # The curve the Playground charts: one time per worker count.
    curve = report["details"]["worker-seconds"]
    assert len(curve) == len(workers), report["details"]
    assert all(seconds > 0 for seconds in curve), curve


def main():
    print(f"1..{len(TESTS)}", flush=True)
    failed = 0
    for i, fn in enumerate(TESTS, 1):
        try:
            fn()
            print(f"ok {i} /cli-scenarios/{fn.__name__}", flush=True)
        except Exception:
            failed += 1
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
            print(f"not ok {i} /cli-scenarios/{fn.__name__}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
