# SPDX-License-Identifier: GPL-3.0-or-later
"""Workloads through forkyard-cli beside the seeds' Python code.

Both sides work on the same built-in sample data, which forkyard-cli
generates on first use into the user cache directory: 8 files of 32 MiB for
hashing, 24 photo-like 1920×1080 JPEGs and 4 PNGs for resizing. Forkyard is
timed as a whole forkyard-cli process (exec, pool start-up and all); Python
as its Pool(2) block, with the interpreter already running.
"""

import json
import os
import shutil
import subprocess
import resource
import tempfile
import time

from benchlib import Benchmark, result

PY_HASH = r"""
import hashlib, json, sys, time
from multiprocessing import Pool

def hash_file(filename):
    hasher = hashlib.sha256()
    with open(filename, 'rb') as f:
        while chunk := f.read(8192):
            hasher.update(chunk)
    return hasher.hexdigest()

if __name__ == '__main__':
    paths = json.loads(sys.argv[1])
    best = float('inf')
    for _ in range(int(sys.argv[2])):
        t0 = time.perf_counter()
        with Pool(2) as pool:
            pool.map(hash_file, paths)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"seconds": best}))
"""

PY_RESIZE = r"""
import json, os, sys, time
from multiprocessing import Pool
from PIL import Image

OUTPUT_DIR = sys.argv[3]

def resize_image(img_path):
    with Image.open(img_path) as img:
        resized_img = img.resize((300, 300))
        resized_img.save(os.path.join(OUTPUT_DIR, os.path.basename(img_path)))

if __name__ == '__main__':
    paths = json.loads(sys.argv[1])
    best = float('inf')
    for _ in range(int(sys.argv[2])):
        t0 = time.perf_counter()
        with Pool(2) as pool:
            pool.map(resize_image, paths)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"seconds": best}))
"""

PY_FIB = r"""
from multiprocessing import Pool

def fib(n):
    if n <= 2:
        return 1 if n > 0 else 0
    return fib(n - 1) + fib(n - 2)

if __name__ == '__main__':
    with Pool(2) as pool:
        print(pool.map(fib, [30] * 4))
"""


def cli_path(ctx):
    return str(ctx.build_dir / "src" / "cli" / "forkyard-cli")


def sample_paths(ctx, command):
    """Generates the sample set if needed and returns its files; hashing
    them also pulls them into the page cache."""
    args = [cli_path(ctx), command, "--json", "--no-progress"]
    tmp = None
    if command == "resize":
        tmp = tempfile.mkdtemp(prefix="fy-bench-")
        args += ["--out", tmp]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    if tmp:
        shutil.rmtree(tmp)
    doc = json.loads(out.stdout)
    if command == "hash":
        return [r["path"] for r in doc["results"]]
    return [r["input"] for r in doc["results"]]


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_process(args, repeat, **kwargs):
    """Best wall time and best CPU time (user + system, workers included)
    of repeat runs of a whole process."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        cpu0 = children_cpu()
        t0 = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kwargs)
        best_wall = min(best_wall, time.perf_counter() - t0)
        best_cpu = min(best_cpu, children_cpu() - cpu0)
    return best_wall, best_cpu


def python_block(ctx, code, repeat, *args):
    """Best wall time of the snippet's Pool block, and its CPU time per
    repetition (the pool's workers included)."""
    cpu0 = children_cpu()
    seconds = ctx.run_python(code, *args)["seconds"]
    return seconds, (children_cpu() - cpu0) / repeat


def run_hash(ctx):
    repeat = 1 if ctx.quick else 3
    paths = sample_paths(ctx, "hash")
    mib = sum(os.path.getsize(p) for p in paths) / (1 << 20)

    fy, fy_cpu = time_process([cli_path(ctx), "hash", "--workers", "2", "--no-progress", *paths],
                              repeat)
    py, py_cpu = python_block(ctx, PY_HASH, repeat, json.dumps(paths), repeat)
    listing = "".join(p + "\0" for p in paths).encode()
    sha, sha_cpu = time_process(["xargs", "-0", "-P2", "-n1", "sha256sum"], repeat, input=listing)

    # The *_cpu keys are MiB per CPU-second: what each side costs, which a
    # machine shared with other work disturbs far less than wall time.
    return result(mib / fy, mib / py, "MiB/s", target="≥ 1.3× python, ≥ 3× sha256sum",
                  sha256sum_xargs=mib / sha, ratio_sha256sum=sha / fy,
                  forkyard_cpu=mib / fy_cpu, python_cpu=mib / py_cpu,
                  sha256sum_cpu=mib / sha_cpu)


def run_resize(ctx):
    repeat = 1 if ctx.quick else 3
    paths = sample_paths(ctx, "resize")
    with tempfile.TemporaryDirectory(prefix="fy-bench-") as out:
        fy, fy_cpu = time_process([cli_path(ctx), "resize", "--workers", "2", "--no-progress",
                                   "--size", "300x300", "--out", out, *paths], repeat)
    with tempfile.TemporaryDirectory(prefix="fy-bench-") as out:
        py, py_cpu = python_block(ctx, PY_RESIZE, repeat, json.dumps(paths), repeat, out)
    return result(len(paths) / fy, len(paths) / py, "images/s", target="≥ 3×",
                  forkyard_cpu=len(paths) / fy_cpu, python_cpu=len(paths) / py_cpu)


def run_fib(ctx):
    repeat = 1 if ctx.quick else 3
    fy, fy_cpu = time_process([cli_path(ctx), "fib", "--n", "30", "--tasks", "4", "--workers", "2",
                               "--no-progress"], repeat)
    py, py_cpu = time_process(["/usr/bin/python3", "-c", PY_FIB], 1 if ctx.quick else 2)
    return result(fy, py, "s", target="≥ 30×", forkyard_cpu=fy_cpu, python_cpu=py_cpu)


def benchmarks(ctx):
    return [
        Benchmark("hash_256mib", "SHA-256 of 8 × 32 MiB from page cache, 2 workers vs hashlib Pool(2)",
                  run_hash),
        Benchmark("resize_images", "28 sample images to 300×300, 2 workers vs Pillow Pool(2)",
                  run_resize),
        Benchmark("fib30_4x2_cli", "4 × fib(30) on 2 workers via forkyard-cli vs Python Pool(2), start-up included",
                  run_fib),
    ]
