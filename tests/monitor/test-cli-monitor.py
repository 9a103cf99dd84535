#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""forkyard-cli monitor: JSON lines, text rows, usage errors, interrupts.

usage: test-cli-monitor.py FORKYARD-CLI   (prints TAP)
"""

import json
import math
import re
import signal
import subprocess
import sys
import time

CLI = sys.argv[1]
results = []


def check(name):
    def wrap(fn):
        results.append((name, fn))
        return fn
    return wrap


def n_cpus():
    with open("/proc/stat") as f:
        return sum(1 for line in f if re.match(r"cpu\d+ ", line))


def run(*args, timeout=60):
    return subprocess.run([CLI, "monitor", *args], capture_output=True,
                          text=True, timeout=timeout)


def check_fraction(value, what):
    assert value is None or (isinstance(value, (int, float))
                             and -0.05 <= value <= 100.05), f"{what}: {value!r}"


@check("--count 3 --json prints 3 JSON lines, one entry per core")
def json_lines():
    t0 = time.monotonic()
    out = run("--count", "3", "--json")
    elapsed = time.monotonic() - t0
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 3, lines
    # A baseline, then three reports a second apart.
    assert 2.5 <= elapsed < 30, elapsed
    for line in lines:
        report = json.loads(line)
        cpus = report["cpus"]
        assert len(cpus) == n_cpus(), (len(cpus), n_cpus())
        assert [c["cpu"] for c in cpus] == list(range(len(cpus)))
        for c in cpus + [report["total"]]:
            for key in ("busy", "user", "system"):
                check_fraction(c[key], key)
            if c["busy"] is not None:
                assert math.isclose(c["busy"], c["user"] + c["system"],
                                    abs_tol=0.21), c
        assert all(c["online"] for c in cpus)
        assert report["total"]["busy"] is not None
        assert report["interval_ms"] == 1000
        assert len(report["load"]) == 3 and min(report["load"]) >= 0


@check("text mode prints a row for the total and every core")
def text_rows():
    out = run("--count", "1", "--interval", "250")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    labels = [line.split()[1] for line in lines[1:-1]]
    assert labels == ["all"] + [str(i) for i in range(n_cpus())], lines
    assert "load average:" in lines[-1], lines


@check("bad options exit 2 with a forkyard-cli: message")
def usage_errors():
    for args, needle in ((["--interval", "10"], "250"),
                         (["--interval", "10001"], "10000"),
                         (["--count", "-1"], "--count"),
                         (["--count", "x"], "--count"),
                         (["--bogus"], "bogus"),
                         (["extra"], "extra")):
        out = run(*args)
        assert out.returncode == 2, (args, out.returncode)
        assert out.stdout == "", (args, out.stdout)
        assert out.stderr.startswith("forkyard-cli: "), (args, out.stderr)
        assert needle in out.stderr, (args, out.stderr)


@check("an interrupt ends the monitor with status 130")
def interrupt():
    proc = subprocess.Popen([CLI, "monitor", "--json", "--interval", "250"],
                            stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        json.loads(first)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    print(f"1..{len(results)}")
    failed = 0
    for i, (name, fn) in enumerate(results, 1):
        try:
            fn()
            print(f"ok {i} {name}")
        except Exception as e:  # report every failure, keep going
            failed += 1
            print(f"not ok {i} {name}")
            for line in repr(e).splitlines():
                print(f"# {line}")
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
