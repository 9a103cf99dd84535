#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""forkyard-cli ended with 1 000 tasks in flight leaves no process behind.

usage: test-cli-shutdown.py FORKYARD-CLI   (prints TAP)

For Ctrl+C (SIGINT), SIGTERM and SIGKILL of the CLI, while a run of 1 000
sleep tasks keeps four workers busy: every worker and the fork server,
known by pid from /proc while the run goes, must be gone within a second
of the CLI's end (SIGKILL leaves no time to clean up: the workers' parent
death signal, their channel's end and the parent pid check do it).
"""

import os
import signal
import subprocess
import sys
import time
import traceback

CLI = os.path.abspath(sys.argv[1])
TESTS = []
GRACE = 1.0


def test(fn):
    TESTS.append(fn)
    return fn


def children_of(pid):
    """Pids whose parent is pid, the fork server among them."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def alive(pid):
    """Exists and is not a zombie (one left for init to reap is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(b")") + 2:stat.rindex(b")") + 3] != b"Z"


def start_busy_run():
    proc = subprocess.Popen([CLI, "sleep", "--ms", "1000", "--tasks", "1000",
                             "--workers", "4", "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    pids = []
    # The four workers and the fork server: five children once all run.
    while len(pids) < 5:
        assert time.monotonic() < deadline, ("workers never started", pids)
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.05)
        pids = children_of(proc.pid)
    return proc, pids


def end_and_check(sig):
    proc, pids = start_busy_run()
    proc.send_signal(sig)
    proc.wait(timeout=60)
    ended = time.monotonic()
    while any(alive(pid) for pid in pids) and time.monotonic() - ended < GRACE:
        time.sleep(0.01)
    left = [pid for pid in pids if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, (sig, "left behind", left)


@test
def ctrl_c_leaves_nothing():
    end_and_check(signal.SIGINT)


@test
def sigterm_leaves_nothing():
    end_and_check(signal.SIGTERM)


@test
def sigkill_leaves_nothing():
    end_and_check(signal.SIGKILL)


def main():
    print(f"1..{len(TESTS)}", flush=True)
    failed = 0
    for i, fn in enumerate(TESTS, 1):
        try:
            fn()
            print(f"ok {i} /cli/shutdown/{fn.__name__}", flush=True)
        except Exception:
            failed += 1
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
            print(f"not ok {i} /cli/shutdown/{fn.__name__}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
