# SPDX-License-Identifier: GPL-3.0-or-later
"""Queues, shared values, locks and dicts beside Python's multiprocessing.

Each benchmark does the same work on both sides: one producer process to a
consumer (the parent) through a Queue (small ints: C's int64s with the
typed calls, and once more as GVariants, against Python's ints), two processes incrementing a Value
under its lock, lock / unlock pairs in one process, and sets and gets from
a child against a dict (Forkyard's in shared memory, Python's behind a
Manager server). Python uses its default start method, as the seeds do.
"""

import benchlib

PYTHON = r'''
import json, sys, time
import multiprocessing as mp

def producer(q, n, payload):
    item = bytes(payload) if payload else None
    for i in range(n):
        q.put(item if payload else i)

def incrementer(v, n):
    for _ in range(n):
        with v.get_lock():
            v.value += 1

def dict_ops(d, n, out):
    t = time.perf_counter()
    for i in range(n):
        d["key-%d" % (i % 1000)] = i
    for i in range(n):
        assert d["key-%d" % (i % 1000)] % 1000 == i % 1000
    out.value = time.perf_counter() - t

def main():
    name, n = sys.argv[1], int(sys.argv[2])
    if name in ("queue_small_items", "queue_small_variants", "queue_64k_items"):
        payload = 65536 if name == "queue_64k_items" else 0
        q = mp.Queue()
        t = time.perf_counter()
        p = mp.Process(target=producer, args=(q, n, payload))
        p.start()
        for _ in range(n):
            q.get()
        elapsed = time.perf_counter() - t
        p.join()
        value, unit = n / elapsed, "msgs/s"
    elif name == "value_locked_increments":
        v = mp.Value("i", 0)
        t = time.perf_counter()
        ps = [mp.Process(target=incrementer, args=(v, n)) for _ in range(2)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        elapsed = time.perf_counter() - t
        assert v.value == 2 * n
        value, unit = 2 * n / elapsed, "incr/s"
    elif name == "lock_uncontended":
        lock = mp.Lock()
        t = time.perf_counter()
        for _ in range(n):
            lock.acquire()
            lock.release()
        elapsed = time.perf_counter() - t
        value, unit = n / elapsed, "pairs/s"
    elif name == "dict_ops":
        with mp.Manager() as manager:
            d = manager.dict()
            out = mp.Value("d", 0.0)
            p = mp.Process(target=dict_ops, args=(d, n, out))
            p.start()
            p.join()
            elapsed = out.value
        value, unit = 2 * n / elapsed, "ops/s"
    print(json.dumps({"value": value, "unit": unit, "n": n, "seconds": elapsed}))

if __name__ == "__main__":
    main()
'''

# name: (summary, target, C count, Python count, quick C, quick Python)
BENCHMARKS = {
    "queue_small_items": ("Queue msgs/s, small ints, one producer process to the parent "
                          "(Forkyard: the typed int64 put and get)",
                          "≥ 20×", 1000000, 50000, 100000, 5000),
    "queue_small_variants": ("The same with each int a GVariant on both sides (no target)",
                             "", 200000, 50000, 20000, 5000),
    "queue_64k_items": ("Queue msgs/s, 64 KiB items, one producer process to the parent",
                        "≥ 3×", 5000, 2000, 500, 200),
    "value_locked_increments": ("Value += 1 under its lock, 2 processes, incr/s",
                                "≥ 15×", 500000, 50000, 50000, 5000),
    "lock_uncontended": ("Lock acquire / release pairs/s, one process",
                         "", 2000000, 500000, 200000, 50000),
    "dict_ops": ("dict set and get ops/s from a child (Python: Manager().dict())",
                 "≥ 50×", 500000, 10000, 50000, 2000),
}


def _runner(name):
    summary, target, n_c, n_py, quick_c, quick_py = BENCHMARKS[name]

    def run(ctx):
        # Best of three on each side, taken in turns, so that a burst of
        # other work on the machine hits both alike.
        cs, pys = [], []
        for _ in range(1 if ctx.quick else 3):
            cs.append(ctx.run_c("fy-bench-core", name, quick_c if ctx.quick else n_c))
            pys.append(ctx.run_python(PYTHON, name, quick_py if ctx.quick else n_py))
        c = max(cs, key=lambda r: r["value"])
        py = max(pys, key=lambda r: r["value"])
        return benchlib.result(c["value"], py["value"], c["unit"], target=target,
                               forkyard_seconds=c["seconds"], python_seconds=py["seconds"])

    return benchlib.Benchmark(name, summary, run)


def benchmarks(ctx):
    return [_runner(name) for name in BENCHMARKS]
