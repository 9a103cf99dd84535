#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""forkyard-cli on real-world inputs: how hash walks a tree (links, loops,
special files, unreadable files), files over 4 GiB, both digest engines.

usage: test-cli-workloads.py FORKYARD-CLI   (prints TAP)
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import traceback

CLI = os.path.abspath(sys.argv[1])
TESTS = []

# SHA-256 of 4 GiB of zero bytes followed by b"forkyard\n", computed with
# Python's hashlib: a file with a hole of 4 GiB and that tail.
BIG_SPARSE_DIGEST = "df50e47c676d872071c88b2b600ee4c57aa0d9fc76bfde61240a6f4dbf93e1a5"


def test(fn):
    TESTS.append(fn)
    return fn


def cli(*args, timeout=120, env=None, **kwargs):
    return subprocess.run([CLI, *map(str, args)], capture_output=True,
                          timeout=timeout, env=env, **kwargs)


def with_env(**values):
    env = dict(os.environ)
    env.update(values)
    return env


def sha256sum(paths):
    return subprocess.run(["sha256sum", "--", *paths], capture_output=True,
                          check=True).stdout


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def special_tree(root):
    """A tree with every kind of entry; returns the paths hash must print,
    in order, and the skipped ones with a word of their reason."""
    write(f"{root}/a.txt", b"alpha\n")
    write(f"{root}/sub/b.bin", os.urandom(70000))
    write(f"{root}/sub/deeper/c", b"")
    os.symlink("a.txt", f"{root}/link-to-file")
    os.symlink("sub", f"{root}/link-to-dir")
    os.symlink("..", f"{root}/sub/link-to-parent")
    os.symlink("loop-b", f"{root}/loop-a")
    os.symlink("loop-a", f"{root}/loop-b")
    os.symlink("nowhere", f"{root}/dangling")
    os.mkfifo(f"{root}/fifo")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(f"{root}/socket")
    sock.close()
    hashed = [f"{root}/a.txt", f"{root}/link-to-file", f"{root}/sub/b.bin",
              f"{root}/sub/deeper/c"]
    skipped = {
        f"{root}/link-to-dir": "directory",
        f"{root}/sub/link-to-parent": "directory",
        f"{root}/loop-a": "loop",
        f"{root}/loop-b": "loop",
        f"{root}/dangling": "dangling",
        f"{root}/fifo": "FIFO",
        f"{root}/socket": "socket",
    }
    return hashed, skipped


@test
def hash_walk_skips_links_to_directories_loops_and_special_files():
    with tempfile.TemporaryDirectory() as tmp:
        hashed, skipped = special_tree(tmp)
        r = cli("hash", "--no-progress", tmp, timeout=60)
        # What a find -type f user expects: no errors, exit 0.
        assert r.returncode == 0, r
        assert r.stderr == b"", r.stderr
        assert r.stdout == sha256sum(hashed), (r.stdout, sha256sum(hashed))

        r = cli("hash", "--json", tmp, timeout=60)
        assert r.returncode == 0, r
        doc = json.loads(r.stdout)
        reasons = {x["path"]: x["reason"] for x in doc["skipped"]}
        assert set(reasons) == set(skipped), reasons
        for path, word in skipped.items():
            assert word in reasons[path], (path, reasons[path])
        assert doc["walk_errors"] == [], doc["walk_errors"]
        # One task per file.
        assert doc["tasks"] == len(hashed) and doc["completed"] == len(hashed), doc
        assert all(x["worker_pid"] > 0 and x["seconds"] >= 0 for x in doc["results"]), doc


@test
def hash_follows_links_named_on_the_command_line():
    with tempfile.TemporaryDirectory() as tmp:
        hashed, _ = special_tree(tmp)
        # A link to a directory, named: walked, under the link's name.
        r = cli("hash", "--no-progress", f"{tmp}/link-to-dir", timeout=60)
        assert r.returncode == 0, r
        expected = sha256sum([f"{tmp}/link-to-dir/b.bin", f"{tmp}/link-to-dir/deeper/c"])
        assert r.stdout == expected, r.stdout
        # A loop or a dangling link, named: an error, as sha256sum says.
        r = cli("hash", "--no-progress", f"{tmp}/loop-a", f"{tmp}/dangling", f"{tmp}/a.txt")
        assert r.returncode == 1, r
        assert r.stdout == sha256sum([f"{tmp}/a.txt"]), r.stdout
        err = r.stderr.decode()
        assert "loop-a: Too many levels of symbolic links" in err, err
        assert "dangling: No such file or directory" in err, err


@test
def hash_reports_unreadable_files_and_directories():
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        print("# skipped: root without setpriv cannot be refused a read")
        return
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        write(f"{tmp}/ok", b"fine\n")
        write(f"{tmp}/secret", b"hidden\n")
        write(f"{tmp}/locked/inside", b"x")
        os.chmod(f"{tmp}/secret", 0)
        os.chmod(f"{tmp}/locked", 0)
        prefix = []
        if os.geteuid() == 0:
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        r = subprocess.run([*prefix, CLI, "hash", "--no-progress", tmp],
                           capture_output=True, timeout=60)
        os.chmod(f"{tmp}/locked", 0o755)
        assert r.returncode == 1, r
        assert r.stdout == sha256sum([f"{tmp}/ok"]), r.stdout
        err = r.stderr.decode()
        assert f"forkyard-cli: {tmp}/secret: Permission denied" in err, err
        assert f"forkyard-cli: {tmp}/locked: Permission denied" in err, err


@test
def hash_files_over_4_gib_with_both_engines():
    with tempfile.TemporaryDirectory() as tmp:
        big = f"{tmp}/big.sparse"
        with open(big, "wb") as f:
            f.truncate(4 << 30)
            f.seek(0, os.SEEK_END)
            f.write(b"forkyard\n")
        small = f"{tmp}/small"
        write(small, b"abc")
        expected_small = sha256sum([small]).split()[0].decode()
        for engine in ("openssl", "lanes"):
            r = cli("hash", "--json", big, small, env=with_env(FY_HASH_ENGINE=engine), timeout=300)
            assert r.returncode == 0, r
            doc = json.loads(r.stdout)
            digests = [x["sha256"] for x in doc["results"]]
            assert digests == [BIG_SPARSE_DIGEST, expected_small], (engine, digests)


@test
def hash_engines_agree_and_are_named():
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(21):
            path = f"{tmp}/f{i:02}"
            write(path, os.urandom((i * 7919) % 300000))
            paths.append(path)
        expected = sha256sum(paths)
        names = set()
        for engine in ("openssl", "lanes", None):
            env = with_env(FY_HASH_ENGINE=engine) if engine else None
            r = cli("hash", "--no-progress", tmp, env=env)
            assert r.returncode == 0 and r.stdout == expected, (engine, r)
            doc = json.loads(cli("hash", "--json", tmp, env=env).stdout)
            info = doc["engine"]
            assert info["openssl_mib_per_s"] > 0, info
            if engine:
                assert info["forced"] is True, info
                assert info["name"].startswith(engine), info
            else:
                assert info["forced"] is False, info
                # Chosen by the measured rates.
                faster = "lanes" if info["lanes_mib_per_s"] > 1.25 * info["openssl_mib_per_s"] else "openssl"
                assert info["name"].startswith(faster), info
            names.add(info["name"])
        assert any(n.startswith("openssl") for n in names), names


def main():
    print(f"1..{len(TESTS)}", flush=True)
    failed = 0
    for i, fn in enumerate(TESTS, 1):
        try:
            fn()
            print(f"ok {i} /cli-workloads/{fn.__name__}", flush=True)
        except Exception:
            failed += 1
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
            print(f"not ok {i} /cli-workloads/{fn.__name__}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
