# SPDX-License-Identifier: GPL-3.0-or-later
"""The Run page under load: the real app on a virtual display.

ui_run_page: with the Run page visible, a 100 000-task imap_unordered run
of tiny tasks (fib (10), the automatic chunk size, as Python picks it) on
2 workers, started by the app
itself (FORKYARD_AUTORUN) and measured by it (FORKYARD_FRAME_STATS): the
99th percentile of the frame clock's intervals while the run goes (target
≤ 50 ms), the app's CPU time per 1 000 tasks (every thread, GTK's
software renderer included) and the run's throughput. The comparison
column holds forkyard-cli doing the same work (same tasks, workers, mode
and chunk size; its own wall time from --json), and the ratio is the
GUI's tasks/s over the CLI's (target ≥ 0.7). Python's multiprocessing
imap_unordered of the same tasks is measured in the same run and printed
beside them.

The virtual display has no GPU: GTK's default GL renderer there is Mesa's
llvmpipe, which rasterises every frame on the same two cores the workers
use. The headline figures are GTK's cairo renderer (software, as a machine
without GL would draw); the same run with the default renderer is printed
beside them (keys gl_*), so the cost of software GL stays visible.
"""

import json
import os
import statistics
import pathlib
import shutil
import subprocess
import tempfile

from benchlib import Benchmark, result

XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1280x860x24 -nolisten tcp"]

PYTHON_IMAP_UNORDERED = r"""
import json, sys, time
from multiprocessing import Pool

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

if __name__ == "__main__":
    n, tasks, chunk = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    with Pool(2) as pool:
        t0 = time.perf_counter()
        for _ in pool.imap_unordered(fib, [n] * tasks, chunk):
            pass
        wall = time.perf_counter() - t0
    print(json.dumps({"tasks_per_second": tasks / wall}))
"""


def gui_run(ctx, n, tasks, chunk, renderer):
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="forkyard-bench-app-"))
    try:
        settings = scratch / "config" / "glib-2.0" / "settings"
        settings.mkdir(parents=True)
        (settings / "keyfile").write_text(
            "[io/github/forkyard/Forkyard]\n"
            "run-workload='fib'\n"
            f"run-fib-n={n}\n"
            f"run-tasks=uint32 {tasks}\n"
            "run-workers=2\n"
            f"run-chunk-size=uint32 {chunk}\n"
            "run-call-style='imap-unordered'\n")
        stats = scratch / "stats.json"
        env = dict(os.environ)
        env.update({
            "GSETTINGS_SCHEMA_DIR": str(ctx.build_dir / "data"),
            "GSETTINGS_BACKEND": "keyfile",
            "XDG_CONFIG_HOME": str(scratch / "config"),
            "GTK_A11Y": "none",
            "NO_AT_BRIDGE": "1",
            "FORKYARD_AUTORUN": "1",
            "FORKYARD_FRAME_STATS": str(stats),
        })
        env.pop("GSK_RENDERER", None)
        if renderer is not None:
            env["GSK_RENDERER"] = renderer
        subprocess.run(["dbus-run-session", "--"] + XVFB + [str(ctx.build_dir / "src" / "app" / "forkyard")],
                       env=env, check=True, timeout=900,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.loads(stats.read_text())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def cli_run(ctx, n, tasks, chunk):
    out = subprocess.run([str(ctx.build_dir / "src" / "cli" / "forkyard-cli"), "fib",
                          "--n", str(n), "--tasks", str(tasks), "--workers", "2",
                          "--mode", "unordered", "--chunksize", str(chunk), "--json"],
                         check=True, capture_output=True, text=True, timeout=900)
    return json.loads(out.stdout)


def median_run(runs):
    rate = statistics.median_low(run["tasks_per_second"] for run in runs)
    return next(run for run in runs if run["tasks_per_second"] == rate)


def run_page(ctx):
    # Chunks of 100 would show the page more often, but the pool then
    # deadlocks in the app (a blocking send to a worker that is itself
    # blocked sending results; see bench/README.md): the automatic size.
    n, chunk = 10, 0
    tasks = 20000 if ctx.quick else 100000
    # The run lasts a fraction of a second: each side is run three times,
    # interleaved, and the run with the median tasks/s is reported.
    runs = {"gui": [], "gl": [], "cli": []}
    for _ in range(1 if ctx.quick else 3):
        runs["gui"].append(gui_run(ctx, n, tasks, chunk, "cairo"))
        # GL forced: left to itself the app draws with cairo on llvmpipe.
        runs["gl"].append(gui_run(ctx, n, tasks, chunk, "gl"))
        runs["cli"].append(cli_run(ctx, n, tasks, chunk))
    gui, gl, cli = (median_run(runs[side]) for side in ("gui", "gl", "cli"))
    # Python takes no automatic chunk size in imap_unordered: the one the
    # pool picks, ceil (tasks / (4 × workers)).
    py = ctx.run_python(PYTHON_IMAP_UNORDERED, n, tasks, chunk or -(-tasks // 8))
    assert gui["done"] == tasks and gui["failed"] == 0, gui
    assert gl["done"] == tasks and gl["failed"] == 0, gl
    return result(gui["tasks_per_second"], cli["tasks_per_second"], "tasks/s",
                  target="GUI ≥ 0.7 × forkyard-cli; p99 frame ≤ 50 ms",
                  comparison="forkyard-cli",
                  p99_frame_ms=gui["p99_ms"], p50_frame_ms=gui["p50_ms"],
                  max_frame_ms=gui["max_ms"], frames=gui["frames"],
                  cpu_ms_per_1000_tasks=gui["cpu_ms_per_1000_tasks"],
                  gui_wall_seconds=gui["wall_seconds"],
                  gl_tasks_per_second=gl["tasks_per_second"],
                  gl_ratio=gl["tasks_per_second"] / cli["tasks_per_second"],
                  gl_p99_frame_ms=gl["p99_ms"], gl_p50_frame_ms=gl["p50_ms"],
                  gl_frames=gl["frames"],
                  gl_cpu_ms_per_1000_tasks=gl["cpu_ms_per_1000_tasks"],
                  cli_wall_seconds=cli["wall_seconds"],
                  python_imap_unordered_tasks_per_second=py["tasks_per_second"])


def benchmarks(ctx):
    return [Benchmark("ui_run_page",
                      "Run page: 100 000 tiny imap_unordered tasks on 2 workers, "
                      "p99 frame interval, CPU per 1 000 tasks, tasks/s vs forkyard-cli",
                      run_page)]
