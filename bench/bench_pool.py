# SPDX-License-Identifier: GPL-3.0-or-later
"""The pool and its futures beside multiprocessing.Pool and ProcessPoolExecutor.

Both sides use two workers, start and warm up their pool before the clock
runs, and run the same tiny function (square) or the seeds' naive fib.
"""

import statistics
import subprocess
import time

import benchlib

WORKERS = 2

# Python's half: one snippet, a mode in argv, one JSON object out.
PYTHON = r'''
import json, os, resource, sys, time
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

TICK = os.sysconf("SC_CLK_TCK")

def cpu(pids):
    """CPU seconds of this process and the given workers."""
    t = os.times()
    total = t.user + t.system
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total

def square(x):
    return x * x

def fib(n):
    return 1 if n <= 2 else fib(n - 1) + fib(n - 2)

def best(repeat, fn, pids):
    """Best wall time of repeat runs, and the best CPU time of them."""
    walls, cpus = [], []
    for _ in range(repeat):
        c0 = cpu(pids())
        walls.append(fn())
        cpus.append(cpu(pids()) - c0)
    return min(walls), min(cpus)

def main():
    mode, n, workers, repeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    extra = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    out = {}
    if mode == "executor":
        with ProcessPoolExecutor(workers) as ex:
            list(ex.map(square, range(200)))
            def run():
                t = time.perf_counter()
                fs = [ex.submit(square, i) for i in range(n)]
                for f in fs:
                    f.result()
                return time.perf_counter() - t
            out["seconds"], out["cpu_seconds"] = best(repeat, run, lambda: [p.pid for p in ex._processes.values()])
        print(json.dumps(out))
        return
    with mp.Pool(workers) as pool:
        pool.map(square, range(200), chunksize=1)
        if mode == "map":
            chunksize = extra if extra > 0 else None
            def run():
                t = time.perf_counter()
                r = pool.map(square, range(n), chunksize=chunksize)
                assert r[-1] == (n - 1) ** 2
                return time.perf_counter() - t
        elif mode == "imap-unordered":
            def run():
                t = time.perf_counter()
                count = sum(1 for _ in pool.imap_unordered(square, range(n), chunksize=1))
                assert count == n
                return time.perf_counter() - t
        elif mode == "apply-rt":
            def run():
                t = time.perf_counter()
                for i in range(n):
                    pool.apply_async(square, (i,)).get()
                return time.perf_counter() - t
        elif mode == "fib":
            def run():
                t = time.perf_counter()
                pool.map(fib, [extra] * n, chunksize=1)
                return time.perf_counter() - t
        out["seconds"], out["cpu_seconds"] = best(repeat, run, lambda: [p.pid for p in pool._pool])
    out["rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))

if __name__ == "__main__":
    main()
'''


def _py(ctx, mode, n, repeat, extra=0):
    out = ctx.run_python(PYTHON, mode, n, WORKERS, repeat, extra)
    return out["seconds"], out["cpu_seconds"]


def _rounds(ctx, runs):
    """Each of @runs (name → function giving a JSON object) once per round,
    in turns, five rounds (two with --quick): the median of each figure.
    Turns spread a drift of the machine's speed over every side alike."""
    n_rounds = 2 if ctx.quick else 5
    seen = {name: [] for name in runs}
    for _ in range(n_rounds):
        for name, fn in runs.items():
            seen[name].append(fn())
    return {name: {key: statistics.median(o[key] for o in outs) for key in outs[0]}
            for name, outs in seen.items()}


def _c(ctx, *args, repeat=1):
    out = ctx.run_c("fy-bench-pool", *args, "--repeat", repeat)
    return out["seconds"], out["cpu_seconds"]


def _ratio(theirs, ours):
    return theirs / ours if ours > 0 else float("inf")


def _cpu(ours, theirs):
    """The CPU figures, which a loaded machine disturbs far less than wall time."""
    return {"forkyard_cpu_s": ours, "python_cpu_s": theirs,
            "cpu_ratio": theirs / ours if ours > 0 else float("inf")}


def _repeat(ctx):
    return 1 if ctx.quick else 3


def map_100k(ctx):
    n = 20000 if ctx.quick else 100000
    m = _rounds(ctx, {
        "c1": lambda: ctx.run_c("fy-bench-pool", "map", n, 1, WORKERS),
        "py1": lambda: ctx.run_python(PYTHON, "map", n, WORKERS, 1, 1),
        "c0": lambda: ctx.run_c("fy-bench-pool", "map", n, 0, WORKERS),
        "py0": lambda: ctx.run_python(PYTHON, "map", n, WORKERS, 1, 0),
    })
    return benchlib.result(m["c1"]["seconds"], m["py1"]["seconds"], "s", target="≥ 15× faster (chunksize 1)",
                           n=n,
                           forkyard_default_chunksize=m["c0"]["seconds"],
                           python_default_chunksize=m["py0"]["seconds"],
                           ratio_default_chunksize=m["py0"]["seconds"] / m["c0"]["seconds"],
                           target_default_chunksize="≥ 3×",
                           # The default chunksize's CPU seconds too (clock
                           # ticks of 10 ms for the workers: coarse at this size).
                           forkyard_default_chunksize_cpu_s=m["c0"]["cpu_seconds"],
                           python_default_chunksize_cpu_s=m["py0"]["cpu_seconds"],
                           cpu_ratio_default_chunksize=_ratio(m["py0"]["cpu_seconds"], m["c0"]["cpu_seconds"]),
                           **_cpu(m["c1"]["cpu_seconds"], m["py1"]["cpu_seconds"]))


def map_1m_default(ctx):
    # A million tiny items with the default chunksize, each side in a fresh
    # process, so the peak resident size is that of this run (the input
    # included: Forkyard's is an 8 MB array, Python's a lazy range).
    n = 100000 if ctx.quick else 1000000
    m = _rounds(ctx, {
        "c": lambda: ctx.run_c("fy-bench-pool", "map", n, 0, WORKERS),
        "py": lambda: ctx.run_python(PYTHON, "map", n, WORKERS, 1, 0),
    })
    return benchlib.result(m["c"]["seconds"], m["py"]["seconds"], "s", target="≥ 5× faster, RSS ≤ Python's",
                           n=n,
                           forkyard_rss_kib=m["c"]["rss_kib"], python_rss_kib=m["py"]["rss_kib"],
                           **_cpu(m["c"]["cpu_seconds"], m["py"]["cpu_seconds"]))


def imap_unordered(ctx):
    n = 5000 if ctx.quick else 20000
    r = _repeat(ctx)
    ours, ours_cpu = _c(ctx, "imap-unordered", n, WORKERS, repeat=r)
    theirs, theirs_cpu = _py(ctx, "imap-unordered", n, r)
    return benchlib.result(n / ours, n / theirs, "tasks/s", target="≥ 10× Python's tasks/s", n=n,
                           **_cpu(ours_cpu, theirs_cpu))


def apply_async_round_trip(ctx):
    n = 500 if ctx.quick else 2000
    r = _repeat(ctx)
    ours, ours_cpu = _c(ctx, "apply-rt", n, WORKERS, repeat=r)
    theirs, theirs_cpu = _py(ctx, "apply-rt", n, r)
    return benchlib.result(ours / n * 1e6, theirs / n * 1e6, "us", target="≥ 4× faster", n=n,
                           **_cpu(ours_cpu, theirs_cpu))


def executor_submit_result(ctx):
    n = 5000 if ctx.quick else 20000
    r = _repeat(ctx)
    ours, ours_cpu = _c(ctx, "executor", n, WORKERS, repeat=r)
    theirs, theirs_cpu = _py(ctx, "executor", n, r)
    return benchlib.result(n / ours, n / theirs, "tasks/s", target="≥ 15× Python's tasks/s", n=n,
                           **_cpu(ours_cpu, theirs_cpu))


def fib30_4x2(ctx):
    r = _repeat(ctx)
    ours, ours_cpu = _c(ctx, "fib", 30, 4, WORKERS, repeat=r)
    theirs, theirs_cpu = _py(ctx, "fib", 4, r, extra=30)
    return benchlib.result(ours, theirs, "s", target="faster than Python", **_cpu(ours_cpu, theirs_cpu))


def _independent_pair(ctx, fib_n, count):
    """Wall time of two independent processes each doing count × fib(n)."""
    cmd = [str(ctx.program("fy-bench-pool")), "spin", str(fib_n), str(count)]
    t0 = time.perf_counter()
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL) for _ in range(2)]
    for p in procs:
        if p.wait() != 0:
            raise RuntimeError("fy-bench-pool spin failed")
    return time.perf_counter() - t0


def cpu_speedup(ctx):
    # A CPU-bound batch of 2 × COUNT fib(32) (a few ms each in C), on 1 then
    # 2 workers; the ceiling is what the machine gives two independent busy
    # processes doing the same work with the same function, right now.
    # The four are taken in turns, best of r each: the machine's speed
    # drifts (one run of one worker once beat the sequential spin by 25 %),
    # and a ratio of two figures measured minutes apart carries the drift.
    fib_n = 32
    count = 8 if ctx.quick else 48
    ones, twos, sequentials, pairs = [], [], [], []
    for _ in range(_repeat(ctx)):
        ones.append(_c(ctx, "fib", fib_n, 2 * count, 1)[0])
        sequentials.append(ctx.run_c("fy-bench-pool", "spin", fib_n, 2 * count)["seconds"])
        twos.append(_c(ctx, "fib", fib_n, 2 * count, 2)[0])
        pairs.append(_independent_pair(ctx, fib_n, count))
    one, two, sequential, pair = min(ones), min(twos), min(sequentials), min(pairs)
    ours = one / two
    ceiling = sequential / pair
    return benchlib.result(ours, ceiling, "x", target="≥ 1.8 or within 10 % of the ceiling",
                           one_worker_s=one, two_workers_s=two,
                           ceiling_sequential_s=sequential, ceiling_pair_s=pair)


def benchmarks(ctx):
    return [
        benchlib.Benchmark("pool_map_100k", "map(square, range(100k)), chunksize 1 (and default)", map_100k),
        benchlib.Benchmark("pool_map_1m_default", "map(square, range(10⁶)), default chunksize, with peak RSS", map_1m_default),
        benchlib.Benchmark("pool_imap_unordered", "imap_unordered(square), chunksize 1, tasks/s", imap_unordered),
        benchlib.Benchmark("pool_apply_async_round_trip", "apply_async(square).get() one at a time", apply_async_round_trip),
        benchlib.Benchmark("executor_submit_result", "submit(square) × n, then every result, tasks/s", executor_submit_result),
        benchlib.Benchmark("pool_fib30_4x2", "4 × fib(30) on 2 workers", fib30_4x2),
        benchlib.Benchmark("pool_cpu_speedup", "CPU-bound batch, 1 vs 2 workers, against the machine's ceiling", cpu_speedup),
    ]
