#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""forkyard-cli end to end: sha256sum parity, results, errors, crashes, ^C.

usage: test-cli.py FORKYARD-CLI   (prints TAP)
"""

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback

from PIL import Image

CLI = os.path.abspath(sys.argv[1])
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def cli(*args, timeout=120, **kwargs):
    return subprocess.run([CLI, *map(str, args)], capture_output=True,
                          timeout=timeout, **kwargs)


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def children_of(pid):
    """Pids whose parent is pid, from /proc; not its fork server."""
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
        if int(fields[1]) == pid and b"(fy-forkserver)" not in stat:
            found.append(int(entry))
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(b")") + 2:].split()[0] != b"Z"


def make_tree(root):
    names = ["plain.txt", "with space.txt", "ünïcödé.bin", "back\\slash",
             "new\nline", "sub/deeper/inner.txt", "sub/a", "empty",
             "not-utf8-\udcff.bin"]  # the raw byte 0xff
    for i, name in enumerate(names):
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(os.urandom(1000 * i + 7) if name != "empty" else b"")
    return sorted(os.path.join(root, n) for n in names)


def sha256sum(paths):
    return subprocess.run(["sha256sum", "--", *paths], capture_output=True,
                          check=True).stdout


def walk_sorted(root):
    out = []
    for name in sorted(os.listdir(root.encode()), key=bytes):
        path = os.path.join(root.encode(), name)
        if os.path.isdir(path) and not os.path.islink(path):
            out.extend(walk_sorted(path.decode("utf-8", "surrogateescape")))
        else:
            out.append(path.decode("utf-8", "surrogateescape"))
    return out


@test
def hash_matches_sha256sum():
    with tempfile.TemporaryDirectory() as tmp:
        files = make_tree(tmp)
        # Files named on the command line, in the order given.
        r = cli("hash", "--no-progress", *reversed(files))
        assert r.returncode == 0, r.stderr
        assert r.stdout == sha256sum(list(reversed(files))), r.stdout
        # A directory: walked recursively in sorted (byte) order.
        r = cli("hash", tmp)
        assert r.returncode == 0, r.stderr
        assert r.stdout == sha256sum(walk_sorted(tmp)), (r.stdout, sha256sum(walk_sorted(tmp)))
        escaped = [line for line in r.stdout.split(b"\n") if line.startswith(b"\\")]
        assert len(escaped) == 2, escaped


@test
def hash_bad_inputs_fail_alone():
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "good")
        with open(good, "wb") as f:
            f.write(b"abc")
        fifo = os.path.join(tmp, "fifo")
        os.mkfifo(fifo)
        missing = os.path.join(tmp, "missing")
        r = cli("hash", missing, fifo, "/dev/null", good, tmp + "/good", timeout=30)
        assert r.returncode == 1, r
        assert r.stdout == sha256sum([good, good]), r.stdout
        err = r.stderr.decode()
        assert f"forkyard-cli: {missing}: No such file or directory" in err, err
        assert f"forkyard-cli: {fifo}: is a FIFO" in err, err
        assert "forkyard-cli: /dev/null: is a device" in err, err


@test
def hash_sample_data_by_default():
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, XDG_CACHE_HOME=tmp)
        r = cli("hash", "--json", env=env, timeout=300)
        assert r.returncode == 0, r.stderr
        doc = json.loads(r.stdout)
        assert doc["tasks"] == 8 and doc["completed"] == 8, doc
        paths = [x["path"] for x in doc["results"]]
        assert all(p.startswith(tmp) for p in paths), paths
        assert all(os.path.getsize(p) == 32 << 20 for p in paths)
        expected = sha256sum(paths).decode().splitlines()
        got = [f"{x['sha256']}  {x['path']}" for x in doc["results"]]
        assert got == expected, (got, expected)


@test
def fib_and_sumsq_results_in_every_mode():
    for mode in ("map", "imap", "unordered", "submit"):
        r = cli("fib", "--n", 20, "--tasks", 7, "--workers", 2, "--mode", mode)
        assert r.returncode == 0, r.stderr
        assert r.stdout.decode().split() == ["6765"] * 7, r.stdout
    r = cli("sumsq", "--n", 1000000, "--tasks", 3, "--chunksize", 2)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().split() == [str(sum(i * i for i in range(10 ** 6)))] * 3


@test
def json_document():
    r = cli("fib", "--n", 25, "--tasks", 5, "--workers", 2, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["workload"] == "fib" and doc["workers"] == 2, doc
    assert doc["tasks"] == 5 and doc["completed"] == 5, doc
    assert doc["results"] == [fib(25)] * 5, doc
    assert doc["failed"] == []
    for key in ("wall_seconds", "cpu_seconds", "tasks_per_second"):
        assert isinstance(doc[key], (int, float)) and doc[key] >= 0, key
    r = cli("sumsq", "--n", 10, "--tasks", 1, "--json")
    assert json.loads(r.stdout)["results"] == ["285"], r.stdout


@test
def usage_errors():
    cases = [
        ("fib", "--workers", "0"),
        ("fib", "--n", "-1"),
        ("fib", "--n", "abc"),
        ("fib", "--n", "93"),
        ("fib", "--tasks", "0"),
        ("fib", "--bogus"),
        ("fib", "--mode", "sideways"),
        ("fib", "--on-crash", "explode"),
        ("resize", "--size", "0x10"),
        ("resize", "--size", "300"),
        ("sleep", "--ms", "-5"),
        ("nosuchcommand",),
    ]
    for args in cases:
        r = cli(*args)
        assert r.returncode == 2, (args, r)
        assert r.stderr.startswith(b"forkyard-cli: "), (args, r.stderr)
    r = cli("fib", "--n", "93")
    assert b"92" in r.stderr, r.stderr
    for args in (("--version",), ("--help",), ("fib", "--help"), ("resize", "--help")):
        r = cli(*args)
        assert r.returncode == 0 and r.stdout, (args, r)


def psnr(a, b):
    a = a.convert("RGB")
    b = b.convert("RGB")
    assert a.size == b.size
    total = 0
    pa, pb = a.tobytes(), b.tobytes()
    for x, y in zip(pa, pb):
        total += (x - y) ** 2
    mse = total / len(pa)
    return 99.0 if mse == 0 else 10 * math.log10(255 * 255 / mse)


def picture(w, h, mode="RGB"):
    img = Image.new(mode, (w, h))
    px = img.load()
    for y in range(h):
        for x in range(w):
            inside = (x - w * 0.4) ** 2 + (y - h * 0.5) ** 2 < (h * 0.3) ** 2
            rgb = (220, 40, 90) if inside else (255 * x // w, 255 * y // h, 128)
            px[x, y] = rgb + ((255,) if mode == "RGBA" else ())
    return img


@test
def resize_images_and_bad_inputs():
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in")
        out = os.path.join(tmp, "out")
        os.makedirs(src)
        picture(800, 600).save(os.path.join(src, "photo.jpg"), quality=92)
        picture(400, 300, "RGBA").save(os.path.join(src, "drawing.png"))
        with open(os.path.join(src, "photo.jpg"), "rb") as f:
            data = f.read()
        bad = {
            "truncated.jpg": data[: len(data) // 3],
            "zero.png": b"",
            "notes.txt": b"hello\n",
            "corrupt.jpg": b"\xff\xd8\xff\xe0" + os.urandom(5000),
        }
        for name, content in bad.items():
            with open(os.path.join(src, name), "wb") as f:
                f.write(content)
        # A PNG header claiming 100000×100000 pixels.
        import struct
        import zlib

        def chunk(kind, body):
            return (struct.pack(">I", len(body)) + kind + body
                    + struct.pack(">I", zlib.crc32(kind + body)))
        bomb = (b"\x89PNG\r\n\x1a\n"
                + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
        with open(os.path.join(src, "bomb.png"), "wb") as f:
            f.write(bomb)

        t0 = time.monotonic()
        r = cli("resize", "--out", out, "--json", src, timeout=120)
        assert time.monotonic() - t0 < 60
        assert r.returncode == 1, r
        doc = json.loads(r.stdout)
        failed = {os.path.basename(x["input"]): x["error"] for x in doc["failed"]}
        assert set(failed) == set(bad) | {"bomb.png"}, failed
        assert "100000" in failed["bomb.png"], failed
        assert "empty" in failed["zero.png"], failed
        written = [x for x in doc["results"] if x]
        assert len(written) == 2, written
        for item in written:
            name = os.path.basename(item["input"])
            assert item["output"] == os.path.join(out, name), item
            assert (item["width"], item["height"]) == (300, 300), item
            with Image.open(item["output"]) as result, Image.open(item["input"]) as original:
                assert result.format == original.format, (result.format, original.format)
                assert result.size == (300, 300)
                reference = original.convert("RGB").resize((300, 300), Image.BOX)
                value = psnr(reference, result)
                assert value >= 25, (name, value)

        # Plain output: one line per written file; errors name their input.
        r = cli("resize", "--out", out, "--keep-aspect", "--size", "200x200",
                os.path.join(src, "photo.jpg"), os.path.join(src, "zero.png"))
        assert r.returncode == 1, r
        assert r.stdout.decode() == os.path.join(out, "photo.jpg") + "\n", r.stdout
        assert f"forkyard-cli: {os.path.join(src, 'zero.png')}: " in r.stderr.decode(), r.stderr
        with Image.open(os.path.join(out, "photo.jpg")) as result:
            assert result.size == (200, 150), result.size


@test
def worker_killed_under_retry():
    # Long enough (1.5 s of sleeps on two workers) that the kill lands
    # mid-run even when the machine is quick and the test slow. Sleeps, not
    # fib: the sanitized build's compiler folds fib's recursion, and 200
    # fib (32) took 60 ms there, over before a worker could be found.
    ms, tasks = 20, 150
    proc = subprocess.Popen([CLI, "sleep", "--ms", str(ms), "--tasks", str(tasks),
                             "--workers", "2", "--on-crash", "retry:3",
                             "--chunksize", "1", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = None
    deadline = time.monotonic() + 30
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        workers = children_of(proc.pid)
        if len(workers) == 2:
            time.sleep(0.1)
            try:
                os.kill(workers[0], signal.SIGKILL)
                killed = workers[0]
            except ProcessLookupError:
                pass
            # The kill landed mid-run, not after the last task.
            assert proc.poll() is None, "the run ended before the kill"
        time.sleep(0.005)
    out, err = proc.communicate(timeout=120)
    assert killed is not None, "no worker to kill"
    assert proc.returncode == 0, (proc.returncode, err)
    doc = json.loads(out)
    assert doc["results"] == [ms] * tasks, doc["failed"]
    assert doc["completed"] == tasks


@test
def interrupt_stops_workers():
    proc = subprocess.Popen([CLI, "sleep", "--ms", "3000", "--tasks", "6",
                             "--workers", "2", "--chunksize", "1", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers = []
    deadline = time.monotonic() + 30
    while len(workers) < 2 and time.monotonic() < deadline:
        workers = children_of(proc.pid)
        time.sleep(0.01)
    assert len(workers) == 2, workers
    time.sleep(0.2)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, err)
    assert time.monotonic() - t0 < 15
    doc = json.loads(out)
    assert doc["interrupted"] is True and doc["completed"] < 6, doc
    assert b"interrupted" in err, err
    time.sleep(0.1)
    assert not any(alive(pid) for pid in workers), workers


def main():
    print(f"1..{len(TESTS)}", flush=True)
    failed = 0
    for i, fn in enumerate(TESTS, 1):
        try:
            fn()
            print(f"ok {i} /cli/{fn.__name__}", flush=True)
        except Exception:
            failed += 1
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
            print(f"not ok {i} /cli/{fn.__name__}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
