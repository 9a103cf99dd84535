# SPDX-License-Identifier: GPL-3.0-or-later
"""What watching costs: the IPC inspector beside a Python equivalent.

inspector_snapshot_100: one read of the state of 100 live shared objects,
ten of each kind. Forkyard: one registry snapshot (bench/fy-bench-inspector.c;
the inspector's row refresh is reported beside it). Python: the same states
read through the multiprocessing objects' own calls (qsize, value, the
semaphores' counts, is_set, n_waiting …); its dicts and lists live in a
Manager, so reading them is a round trip to the manager process. Lower is
better.

inspector_queue_slowdown: 10⁶ int items through a queue from a worker
process to the parent, with an inspector thread refreshing the queue's row
and snapshotting the registry every frame (60 per second). Python: the same
through multiprocessing.Queue, with a thread reading qsize () every frame.
The figures are the watched times; the slowdown against an unwatched run
of the same queue (the target is under 5 % for Forkyard) and the inspector
thread's CPU are reported beside them.
"""

from benchlib import Benchmark, result

PY_SNAPSHOT = r"""
import json, multiprocessing as mp, sys, time

n, reps = int(sys.argv[1]), int(sys.argv[2])
manager = mp.Manager()
objects = []
for i in range(n):
    k = i % 10
    if k == 0: o = mp.Queue(16)
    elif k == 1: o = mp.Value('q', 0)
    elif k == 2: o = mp.Array('d', 8)
    elif k == 3: o = mp.Lock()
    elif k == 4: o = mp.Semaphore(2)
    elif k == 5: o = mp.Event()
    elif k == 6: o = mp.Condition()
    elif k == 7: o = mp.Barrier(4)
    elif k == 8: o = manager.dict()
    else: o = manager.list()
    objects.append((k, f"object-{i}", o))

def state(k, name, o):
    if k == 0: return {"kind": "queue", "name": name, "depth": o.qsize()}
    if k == 1: return {"kind": "value", "name": name, "value": o.value}
    if k == 2: return {"kind": "array", "name": name, "contents": list(o)}
    if k == 3: return {"kind": "lock", "name": name, "free": o._semlock._get_value()}
    if k == 4: return {"kind": "semaphore", "name": name, "value": o.get_value()}
    if k == 5: return {"kind": "event", "name": name, "set": o.is_set()}
    if k == 6: return {"kind": "condition", "name": name,
                       "waiters": o._sleeping_count.get_value() - o._woken_count.get_value()}
    if k == 7: return {"kind": "barrier", "name": name, "waiting": o.n_waiting, "broken": o.broken}
    if k == 8: return {"kind": "dict", "name": name, "contents": dict(o)}
    return {"kind": "list", "name": name, "contents": list(o)}

best = float("inf")
for _ in range(reps):
    t0 = time.perf_counter()
    snapshot = [state(*o) for o in objects]
    best = min(best, time.perf_counter() - t0)
assert len(snapshot) == n
manager.shutdown()
print(json.dumps({"snapshot_us": best * 1e6}))
"""

PY_QUEUE = r"""
import json, multiprocessing as mp, sys, threading, time

n, rounds = int(sys.argv[1]), int(sys.argv[2])

def produce(q, n):
    for i in range(n):
        q.put(i)

def move(watched):
    q = mp.Queue()
    stop = threading.Event()
    reads = []
    def watch():
        while not stop.is_set():
            reads.append({"kind": "queue", "depth": q.qsize()})
            time.sleep(1 / 60)
    t = threading.Thread(target=watch) if watched else None
    if t: t.start()
    p = mp.Process(target=produce, args=(q, n))
    t0 = time.perf_counter()
    p.start()
    for _ in range(n):
        q.get()
    elapsed = time.perf_counter() - t0
    p.join()
    if t:
        stop.set(); t.join()
    return elapsed

plain = watched = float("inf")
for _ in range(rounds):
    plain = min(plain, move(False))
    watched = min(watched, move(True))
print(json.dumps({"plain_s": plain, "watched_s": watched,
                  "slowdown_pct": (watched / plain - 1) * 100}))
"""


def run_snapshot(ctx):
    n, reps = 100, (20 if ctx.quick else 200)
    c = ctx.run_c("fy-bench-inspector", "snapshot", n, reps)
    py = ctx.run_python(PY_SNAPSHOT, n, max(reps // 10, 5))
    return result(c["snapshot_us"], py["snapshot_us"], "us",
                  target="well under one frame (16 667 us)",
                  rows_update_us=c["rows_update_us"])


def run_queue(ctx):
    n = 100000 if ctx.quick else 1000000
    rounds = 2 if ctx.quick else 3
    c = ctx.run_c("fy-bench-inspector", "queue", n, rounds)
    py = ctx.run_python(PY_QUEUE, n, 1 if not ctx.quick else 2)
    return result(c["watched_s"], py["watched_s"], "s",
                  target="slowdown < 5 %",
                  slowdown_pct=c["slowdown_pct"],
                  inspector_cpu_pct=c["inspector_cpu_pct"],
                  plain_s=c["plain_s"],
                  python_slowdown_pct=py["slowdown_pct"])


def benchmarks(ctx):
    return [
        Benchmark("inspector_snapshot_100",
                  "one state read of 100 live shared objects", run_snapshot),
        Benchmark("inspector_queue_slowdown",
                  "10⁶ items through a watched queue, against unwatched", run_queue),
    ]
