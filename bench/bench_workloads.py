# SPDX-License-Identifier: GPL-3.0-or-later
"""Workloads through forkyard-cli beside the seeds' Python code.

Both sides work on the same files: the built-in sample data forkyard-cli
generates on first use (8 files of 32 MiB for hashing, 24 photo-like
1920×1080 JPEGs and 4 PNGs for resizing), a real directory tree
(hash_tree, /usr/lib/x86_64-linux-gnu unless a path follows the name), 50 000
small files made in a temporary directory, and the photographs of Debian's
mate-backgrounds package (resize_real), fetched once with apt-get download
into the bench cache. Forkyard is timed as a whole forkyard-cli process
(exec, pool start-up and all); Python as its Pool(2) block, with the
interpreter already running. The hashing benchmarks take three rounds, the
two sides in turns after one untimed round of each, and also give the
limit: the bytes over OpenSSL's single-core rate times the cores;
resize_real takes five rounds in turns.
"""

import json
import math
import os
import pathlib
import random
import re
import shutil
import statistics
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
    with open(sys.argv[1]) as f:
        paths = json.load(f)
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
    with open(sys.argv[1]) as f:
        paths = json.load(f)
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


def paths_file(paths):
    """A temporary JSON file of paths: a tree's list is too long for argv."""
    f = tempfile.NamedTemporaryFile("w", prefix="fy-bench-", suffix=".json", delete=False)
    json.dump(paths, f)
    f.close()
    return f.name


def openssl_rate_mib():
    """OpenSSL's SHA-256 rate on one core, MiB/s, on 16 KiB blocks."""
    out = subprocess.run(["openssl", "speed", "-seconds", "2", "-bytes", "16384", "-evp", "sha256"],
                         capture_output=True, text=True, check=True).stdout
    line = [l for l in out.splitlines() if l.startswith("sha256")][-1]
    return float(line.split()[-1].rstrip("k")) * 1000 / (1 << 20)


def hash_in_rounds(ctx, target_args, paths, rounds):
    """Forkyard (a whole forkyard-cli process) and Python's Pool(2) block,
    in turns, rounds times each after one untimed round of each; walls
    and CPU times of every timed round. Without the untimed round, the
    first Forkyard run of hash_256mib (0.1 s each) came out 10-30 %
    slower than the two after it in most sets, on an idle machine."""
    listing = paths_file(paths)
    fy_walls, fy_cpus, py_walls, py_cpus = [], [], [], []
    try:
        for _ in range(rounds + 1):
            cpu0 = children_cpu()
            t0 = time.perf_counter()
            out = subprocess.run([cli_path(ctx), "hash", "--workers", "2", "--no-progress",
                                  *target_args], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
            fy_walls.append(time.perf_counter() - t0)
            fy_cpus.append(children_cpu() - cpu0)
            if out.returncode != 0:
                raise RuntimeError(out.stderr)
            py, py_cpu = python_block(ctx, PY_HASH, 1, listing, 1)
            py_walls.append(py)
            py_cpus.append(py_cpu)
    finally:
        os.unlink(listing)
    return fy_walls[1:], fy_cpus[1:], py_walls[1:], py_cpus[1:]


def hash_result(ctx, target_args, paths, target):
    rounds = 1 if ctx.quick else 3
    mib = sum(os.path.getsize(p) for p in paths) / (1 << 20)
    engines = json.loads(subprocess.run([cli_path(ctx), "hash", "--json", *target_args],
                                        capture_output=True, text=True).stdout)["engine"]
    fy_walls, fy_cpus, py_walls, py_cpus = hash_in_rounds(ctx, target_args, paths, rounds)
    rate = openssl_rate_mib()
    cores = min(2, os.cpu_count() or 1)
    limit = mib / (rate * cores)
    return result(min(fy_walls), min(py_walls), "s", target=target,
                  files=len(paths), mib=round(mib, 1), engine=engines["name"],
                  engine_small_files=engines["small_files"],
                  forkyard_rounds=[round(x, 3) for x in fy_walls],
                  python_rounds=[round(x, 3) for x in py_walls],
                  forkyard_max_over_min=max(fy_walls) / min(fy_walls),
                  openssl_mib_per_s_one_core=round(rate, 1),
                  limit_seconds=round(limit, 3), share_of_limit=limit / min(fy_walls),
                  forkyard_cpu=round(min(fy_cpus), 3), python_cpu=round(min(py_cpus), 3),
                  load_average=os.getloadavg()[0])


def listed_files(ctx, path):
    """The files forkyard-cli hash visits under path, in its order (the
    same list goes to Python)."""
    out = subprocess.run([cli_path(ctx), "hash", "--json", "--no-progress", path],
                         capture_output=True, text=True)
    doc = json.loads(out.stdout)
    return [r["path"] for r in doc["results"] if r]


def run_hash(ctx):
    paths = sample_paths(ctx, "hash")
    r = hash_result(ctx, paths, paths, "≥ 1.3× python; max/min ≤ 1.3")
    # sha256sum, for scale.
    listing = "".join(p + "\0" for p in paths).encode()
    sha, _ = time_process(["xargs", "-0", "-P2", "-n1", "sha256sum"], 1, input=listing)
    r["sha256sum_xargs_seconds"] = sha
    return r


def run_hash_tree(ctx):
    path = ctx.arguments.get("hash_tree", "/usr/lib/x86_64-linux-gnu")
    paths = listed_files(ctx, path)  # also warms the page cache
    return hash_result(ctx, [path], paths, "≥ 1.3× python; ≥ 0.8 of the limit; max/min ≤ 1.3")


def run_hash_small_files(ctx):
    n = 5000 if ctx.quick else 50000
    rng = random.Random(18)
    with tempfile.TemporaryDirectory(prefix="fy-bench-small-") as tmp:
        paths = []
        for i in range(n):
            sub = os.path.join(tmp, f"d{i // 1000:03}")
            if i % 1000 == 0:
                os.mkdir(sub)
            path = os.path.join(sub, f"f{i:05}")
            with open(path, "wb") as f:
                f.write(rng.randbytes(rng.randrange(0, 16 * 1024 + 1)))
            paths.append(path)
        paths = listed_files(ctx, tmp)
        return hash_result(ctx, [tmp], paths, "≥ 1.3× python; max/min ≤ 1.3")


def run_resize(ctx):
    repeat = 1 if ctx.quick else 3
    paths = sample_paths(ctx, "resize")
    with tempfile.TemporaryDirectory(prefix="fy-bench-") as out:
        fy, fy_cpu = time_process([cli_path(ctx), "resize", "--workers", "2", "--no-progress",
                                   "--size", "300x300", "--out", out, *paths], repeat)
    listing = paths_file(paths)
    try:
        with tempfile.TemporaryDirectory(prefix="fy-bench-") as out:
            py, py_cpu = python_block(ctx, PY_RESIZE, repeat, listing, repeat, out)
    finally:
        os.unlink(listing)
    return result(len(paths) / fy, len(paths) / py, "images/s", target="≥ 3×",
                  forkyard_cpu=len(paths) / fy_cpu, python_cpu=len(paths) / py_cpu)


WALLPAPER_PACKAGE = "mate-backgrounds"

PY_PSNR = r"""
import json, math, os, sys
from PIL import Image, ImageChops, ImageOps, ImageStat

def flat(im):
    # Over mid grey, so colour under transparency does not count.
    if im.mode in ("RGBA", "LA", "PA", "P"):
        im = im.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", im.size, (128, 128, 128, 255)), im).convert("RGB")
    return im.convert("RGB")

def psnr(a, b):
    sq = ImageStat.Stat(ImageChops.difference(a, b)).sum2
    mse = sum(sq) / (a.size[0] * a.size[1] * 3)
    return 99.0 if mse == 0 else 10 * math.log10(255 ** 2 / mse)

pairs = json.load(open(sys.argv[1]))
out = []
for src, thumb in pairs:
    ours = flat(Image.open(thumb))
    with Image.open(src) as im:
        ref = flat(ImageOps.exif_transpose(im).resize(ours.size, Image.LANCZOS))
    with Image.open(src) as im:
        im.draft("RGB", ours.size)
        pil = flat(ImageOps.exif_transpose(im).resize(ours.size, Image.LANCZOS))
    out.append({"input": src, "forkyard_db": psnr(ours, ref), "pillow_db": psnr(pil, ref)})
print(json.dumps(out))
"""


def bench_cache():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    path = pathlib.Path(base) / "forkyard" / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def wallpapers():
    """The package's photographs, fetched and unpacked once (not installed)."""
    cache = bench_cache()
    root = cache / WALLPAPER_PACKAGE
    if not root.exists():
        debs = list(cache.glob(f"{WALLPAPER_PACKAGE}_*.deb"))
        if not debs:
            subprocess.run(["apt-get", "download", WALLPAPER_PACKAGE], cwd=cache, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            debs = list(cache.glob(f"{WALLPAPER_PACKAGE}_*.deb"))
        tmp = cache / (WALLPAPER_PACKAGE + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(tmp)], check=True)
        tmp.rename(root)
    return sorted(str(p) for p in root.rglob("*")
                  if p.suffix.lower() in (".jpg", ".jpeg", ".png") and p.is_file())


def is_progressive(path):
    """A JPEG whose first frame marker is SOF2."""
    with open(path, "rb") as f:
        data = f.read(1 << 20)
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker in (0xC0, 0xC1):
            return False
        if marker == 0xC2:
            return True
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    return False


def jpeg_size(path):
    out = subprocess.run(["identify", "-format", "%w %h", path], capture_output=True, text=True)
    w, h = out.stdout.split()[:2]
    return int(w), int(h)


def resize_side_by_side(ctx, paths, rounds):
    """Every round's wall time of each side: a whole forkyard-cli process,
    then the seeds' Pool(2) block, in turns, so that a change in a shared
    machine's load reaches both sides alike."""
    listing = paths_file(paths)
    fy_walls, py_walls = [], []
    try:
        for _ in range(rounds):
            with tempfile.TemporaryDirectory(prefix="fy-bench-") as out:
                fy_walls.append(time_process([cli_path(ctx), "resize", "--workers", "2",
                                              "--no-progress", "--size", "300x300", "--out", out,
                                              *paths], 1)[0])
            with tempfile.TemporaryDirectory(prefix="fy-bench-") as out:
                py_walls.append(python_block(ctx, PY_RESIZE, 1, listing, 1, out)[0])
    finally:
        os.unlink(listing)
    return fy_walls, py_walls


def run_resize_real(ctx):
    rounds = 1 if ctx.quick else 5
    paths = wallpapers()
    jpegs = [p for p in paths if p.lower().endswith((".jpg", ".jpeg"))]
    baseline = [p for p in jpegs if not is_progressive(p)]
    progressive = [p for p in jpegs if is_progressive(p)]
    sizes = {p: jpeg_size(p) for p in jpegs}
    megapixels = max(w * h for w, h in sizes.values()) / 1e6

    fy_all_rounds, py_all_rounds = resize_side_by_side(ctx, paths, rounds)
    fy_base_rounds, py_base_rounds = resize_side_by_side(ctx, baseline, rounds)
    fy_all, py_all = min(fy_all_rounds), min(py_all_rounds)
    fy_base, py_base = min(fy_base_rounds), min(py_base_rounds)

    # Sharpness: the resampled thumbnails themselves (PNG, no encoder's
    # loss), against a LANCZOS resize of the full decode; Pillow's draft +
    # LANCZOS beside them.
    with tempfile.TemporaryDirectory(prefix="fy-bench-") as out:
        env = dict(os.environ, FY_RESIZE_LOSSLESS="1")
        doc = json.loads(subprocess.run([cli_path(ctx), "resize", "--workers", "2", "--json",
                                         "--size", "300x300", "--out", out, *paths],
                                        capture_output=True, text=True, env=env, check=True).stdout)
        pairs = [[r["input"], r["output"]] for r in doc["results"]]
        listing = paths_file(pairs)
        try:
            scores = ctx.run_python(PY_PSNR, listing)
        finally:
            os.unlink(listing)
    jpeg_scores = [s for s in scores if s["input"].lower().endswith((".jpg", ".jpeg"))]

    # The decode limit: djpeg at 1/8 on the largest progressive JPEG, and
    # forkyard-cli on that one file.
    largest = max(progressive, key=lambda p: sizes[p][0] * sizes[p][1])
    djpeg = min(time_process(["djpeg", "-scale", "1/8", "-outfile", "/dev/null", largest], 1)[0]
                for _ in range(3))
    with tempfile.TemporaryDirectory(prefix="fy-bench-") as out:
        one = min(time_process([cli_path(ctx), "resize", "--workers", "1", "--no-progress",
                                "--size", "300x300", "--out", out, largest], 1)[0]
                  for _ in range(3))

    return result(len(paths) / fy_all, len(paths) / py_all, "images/s",
                  target="≥ 1.5× mixed, ≥ 3× baseline JPEGs; worst ≥ 35 dB, JPEG median ≥ 38 dB",
                  package=WALLPAPER_PACKAGE, images=len(paths), jpegs=len(jpegs),
                  progressive_jpegs=len(progressive), largest_megapixels=round(megapixels, 1),
                  baseline_jpegs_ratio=(len(baseline) / fy_base) / (len(baseline) / py_base),
                  forkyard_rounds_seconds=[round(x, 4) for x in fy_all_rounds],
                  python_rounds_seconds=[round(x, 4) for x in py_all_rounds],
                  baseline_forkyard_rounds_seconds=[round(x, 4) for x in fy_base_rounds],
                  baseline_python_rounds_seconds=[round(x, 4) for x in py_base_rounds],
                  psnr_worst_db=round(min(s["forkyard_db"] for s in scores), 2),
                  psnr_jpeg_median_db=round(statistics.median(s["forkyard_db"] for s in jpeg_scores), 2),
                  pillow_psnr_worst_db=round(min(s["pillow_db"] for s in scores if s["input"] in
                                                 {x["input"] for x in jpeg_scores}), 2),
                  pillow_psnr_jpeg_median_db=round(statistics.median(s["pillow_db"] for s in jpeg_scores), 2),
                  largest_progressive=os.path.basename(largest),
                  djpeg_scale_1_8_seconds=round(djpeg, 3),
                  forkyard_one_file_seconds=round(one, 3),
                  load_average=os.getloadavg()[0])


def mpstat_busy(seconds, cpus):
    """Mean busy per cent (100 - %idle) of each CPU over seconds 1 s samples."""
    out = subprocess.run(["mpstat", "-P", ",".join(map(str, cpus)), "1", str(seconds)],
                         capture_output=True, text=True, check=True, env=dict(os.environ, LC_ALL="C")).stdout
    busy = {c: [] for c in cpus}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) > 3 and not line.startswith("Average") and fields[1].isdigit():
            busy[int(fields[1])].append(100 - float(fields[-1]))
    # The first sample may straddle the start.
    return {c: statistics.mean(v[1:] or v) for c, v in busy.items()}


def run_load_accuracy(ctx):
    percent = 60
    seconds = 5 if ctx.quick else 10
    cpus = list(range(min(2, os.cpu_count() or 1)))
    cpu_list = ",".join(map(str, cpus))

    fy = subprocess.Popen([cli_path(ctx), "load", "--percent", str(percent), "--duration",
                           str(seconds + 2), "--cpus", cpu_list, "--json", "--no-progress"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(1)
    fy_busy = mpstat_busy(seconds, cpus)
    fy_doc = json.loads(fy.communicate()[0])

    sng = subprocess.Popen(["stress-ng", "--cpu", str(len(cpus)), "--cpu-load", str(percent),
                            "--taskset", cpu_list, "--timeout", f"{seconds + 2}s"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    sng_busy = mpstat_busy(seconds, cpus)
    sng.wait()

    fy_mean = statistics.mean(fy_busy.values())
    sng_mean = statistics.mean(sng_busy.values())
    return result(fy_mean, sng_mean, "%busy",
                  target=f"each core within ±3 points of {percent}",
                  percent=percent, forkyard_per_cpu={str(k): round(v, 1) for k, v in fy_busy.items()},
                  stress_ng_per_cpu={str(k): round(v, 1) for k, v in sng_busy.items()},
                  forkyard_reported=[round(r["busy_fraction"] * 100, 1) for r in fy_doc["results"] if r],
                  python_is="stress-ng --cpu-load (no Python side)",
                  load_average=os.getloadavg()[0])


def run_fib(ctx):
    repeat = 1 if ctx.quick else 3
    fy, fy_cpu = time_process([cli_path(ctx), "fib", "--n", "30", "--tasks", "4", "--workers", "2",
                               "--no-progress"], repeat)
    py, py_cpu = time_process(["/usr/bin/python3", "-c", PY_FIB], 1 if ctx.quick else 2)
    return result(fy, py, "s", target="≥ 30×", forkyard_cpu=fy_cpu, python_cpu=py_cpu)


def benchmarks(ctx):
    return [
        Benchmark("hash_256mib", "SHA-256 of 8 × 32 MiB from page cache, 2 workers vs hashlib "
                  "Pool(2), 3 rounds in turns after one untimed",
                  run_hash),
        Benchmark("resize_images", "28 sample images to 300×300, 2 workers vs Pillow Pool(2)",
                  run_resize),
        Benchmark("hash_tree", "SHA-256 of a real tree (default /usr/lib/x86_64-linux-gnu), "
                  "2 workers vs hashlib Pool(2), 3 rounds in turns after one untimed",
                  run_hash_tree,
                  takes_argument=True),
        Benchmark("hash_small_files", "SHA-256 of 50 000 files of 0–16 KiB, 2 workers vs hashlib "
                  "Pool(2), 3 rounds in turns after one untimed", run_hash_small_files),
        Benchmark("resize_real", "mate-backgrounds photographs to 300×300 vs the seeds' Pillow "
                  "code, 5 rounds in turns; PSNR vs Pillow draft + LANCZOS; djpeg -scale 1/8 as "
                  "the decode limit",
                  run_resize_real),
        Benchmark("load_accuracy", "forkyard-cli load --percent 60 on every CPU, read by mpstat, "
                  "beside stress-ng --cpu-load 60", run_load_accuracy),
        Benchmark("fib30_4x2_cli", "4 × fib(30) on 2 workers via forkyard-cli vs Python Pool(2), start-up included",
                  run_fib),
    ]
