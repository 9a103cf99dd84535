# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared pieces of the benchmarks: the context and how a result is shaped."""

import dataclasses
import json
import os
import pathlib
import subprocess
import sys
import time
from typing import Callable

# Units where a smaller figure is better; every other unit is a rate.
LOWER_IS_BETTER = {"s", "ms", "us", "ns", "s/op", "ms/op", "us/op", "%cpu"}


@dataclasses.dataclass
class Context:
    build_dir: pathlib.Path
    quick: bool
    # Benchmark name -> the argument given after it on the command line.
    arguments: dict = dataclasses.field(default_factory=dict)

    def program(self, name):
        """Path of a benchmark program built by meson (bench/NAME)."""
        return self.build_dir / "bench" / name

    def run_c(self, program, *args):
        """Runs a C benchmark program that prints one JSON object."""
        out = subprocess.run([str(self.program(program)), *map(str, args)],
                             check=True, capture_output=True, text=True)
        return json.loads(out.stdout)

    def run_python(self, code, *args, timeout=900):
        """Runs a Python snippet under Debian's interpreter; it prints JSON."""
        out = subprocess.run(["/usr/bin/python3", "-c", code, *map(str, args)],
                             check=True, capture_output=True, text=True,
                             timeout=timeout)
        return json.loads(out.stdout)


def result(forkyard, python, unit, target="", **extra):
    """Shapes one benchmark's figures; ratio > 1 means Forkyard is better."""
    if unit in LOWER_IS_BETTER:
        ratio = python / forkyard if forkyard > 0 else float("inf")
    else:
        ratio = forkyard / python if python > 0 else float("inf")
    out = {"forkyard": forkyard, "python": python, "unit": unit,
           "ratio": ratio, "target": target}
    out.update(extra)
    return out


@dataclasses.dataclass
class Benchmark:
    name: str
    summary: str
    run: Callable[[Context], dict]
    # TRUE when the word after the name may be its argument (a path).
    takes_argument: bool = False


def best_of(n, fn):
    """The smallest of n timings of fn(), in seconds."""
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best
