# SPDX-License-Identifier: GPL-3.0-or-later
"""Processes and pipes: FyProcess and FyPipe beside multiprocessing.

The C side is bench/fy-bench-process.c; the Python side runs the same work
under Debian's python3 in the same run. Every figure is the best of a few
repetitions, taken alternately, so that a noisy neighbour on a small machine
penalises both sides alike.
"""

from benchlib import Benchmark, result

PY_START_JOIN = r"""
import json, multiprocessing as mp, os, sys, time
method, n = sys.argv[1], int(sys.argv[2])
ctx = mp.get_context(method)
for _ in range(2):
    p = ctx.Process(target=os.getpid)
    p.start()
    p.join()
t0 = time.perf_counter()
for _ in range(n):
    p = ctx.Process(target=os.getpid)
    p.start()
    p.join()
    assert p.exitcode == 0
print(json.dumps({"value": (time.perf_counter() - t0) / n * 1e3}))
"""

PY_ROUND_TRIP = r"""
import json, multiprocessing as mp, sys, time

def echo(conn, other):
    other.close()  # the parent's end: without this, no EOF ever comes
    try:
        while True:
            conn.send(conn.recv())
    except EOFError:
        pass

if __name__ == "__main__":
    n = int(sys.argv[1])
    ctx = mp.get_context("fork")
    ours, theirs = ctx.Pipe()
    p = ctx.Process(target=echo, args=(theirs, ours))
    p.start()
    theirs.close()
    message = "ping: a small message"
    t0 = 0
    for i in range(n + n // 10):
        if i == n // 10:
            t0 = time.perf_counter()
        ours.send(message)
        ours.recv()
    value = (time.perf_counter() - t0) / n * 1e6
    ours.close()
    p.join()
    print(json.dumps({"value": value}))
"""

PY_THROUGHPUT = r"""
import array, fcntl, json, multiprocessing as mp, sys, termios, time

def sink(r, w):
    w.close()
    total = 0
    try:
        while True:
            total += len(r.recv_bytes())
    except EOFError:
        pass

if __name__ == "__main__":
    n = int(sys.argv[1])
    ctx = mp.get_context("fork")
    r, w = ctx.Pipe(duplex=False)
    payload = bytes(range(256)) * 4096
    p = ctx.Process(target=sink, args=(r, w))
    p.start()
    r.close()
    # The clock starts once the child has read a first message.
    w.send_bytes(payload)
    pending = array.array("i", [1])
    while pending[0]:
        fcntl.ioctl(w.fileno(), termios.FIONREAD, pending, True)
        time.sleep(0.0001)
    t0 = time.perf_counter()
    for _ in range(n):
        w.send_bytes(payload)
    w.close()
    p.join()
    elapsed = time.perf_counter() - t0
    print(json.dumps({"value": n * len(payload) / 1e6 / elapsed}))
"""



def _repeats(ctx):
    return 2 if ctx.quick else 5


def _start_join(ctx):
    n_c = 40 if ctx.quick else 200
    n_fork = 30 if ctx.quick else 100
    n_spawn = 3 if ctx.quick else 10
    fy, fork, spawn = [], [], []
    for _ in range(_repeats(ctx)):
        fy.append(ctx.run_c("fy-bench-process", "start_join", n_c)["value"])
        fork.append(ctx.run_python(PY_START_JOIN, "fork", n_fork)["value"])
    for _ in range(2 if ctx.quick else 3):
        spawn.append(ctx.run_python(PY_START_JOIN, "spawn", n_spawn)["value"])
    fy, fork, spawn = min(fy), min(fork), min(spawn)
    return result(fy, fork, "ms/op",
                  target=">= 2x fork, >= 30x spawn",
                  python_spawn=spawn,
                  ratio_spawn=spawn / fy if fy > 0 else float("inf"))


def _round_trip(ctx):
    n = 3000 if ctx.quick else 20000
    fy, raw, py = [], [], []
    for _ in range(_repeats(ctx)):
        fy.append(ctx.run_c("fy-bench-process", "pipe_round_trip", n)["value"])
        raw.append(ctx.run_c("fy-bench-process", "raw_round_trip", n)["value"])
        py.append(ctx.run_python(PY_ROUND_TRIP, n)["value"])
    fy, raw, py = min(fy), min(raw), min(py)
    return result(fy, py, "us/op",
                  target="<= raw socketpair + 10 %",
                  raw_socketpair=raw,
                  overhead_vs_raw=fy / raw - 1 if raw > 0 else float("inf"))


def _throughput(ctx):
    n = 50 if ctx.quick else 400
    fy, py = [], []
    for _ in range(_repeats(ctx)):
        fy.append(ctx.run_c("fy-bench-process", "pipe_throughput", n)["value"])
        py.append(ctx.run_python(PY_THROUGHPUT, n)["value"])
    return result(max(fy), max(py), "MB/s", target=">= 2.5x")


def benchmarks(ctx):
    return [
        Benchmark("process_start_join",
                  "start + join of a process running a trivial function",
                  _start_join),
        Benchmark("pipe_round_trip",
                  "small message ping-pong with a child over a Pipe",
                  _round_trip),
        Benchmark("pipe_1mib_throughput",
                  "1 MiB messages one way to a child, MB/s",
                  _throughput),
    ]
