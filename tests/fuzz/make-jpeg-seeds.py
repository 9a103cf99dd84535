#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the progressive JPEG seeds of the resize fuzz target
(corpus/resize/seed-jpeg-progressive-*).

Each seed is a small progressive JPEG at one chroma subsampling, or in
grey, with a target small enough that the picture is decoded at 1/8 scale:
there src/workloads/fy-jpeg-decode.c leaves out the AC scans of every
component whose IDCT reads DC alone, so the fuzzer starts from files whose
scan structure that plan walks. The first byte of a seed is the fuzz
target's own (byte 3: a 4 x 1 box, aspect not kept). Needs Pillow. Run it
from this directory: python3 make-jpeg-seeds.py
"""

import io
import pathlib

from PIL import Image


def picture(mode):
    im = Image.new("RGB", (64, 48))
    im.putdata([((x * 4) % 256, (y * 5) % 256, ((x ^ y) * 9) % 256)
                for y in range(48) for x in range(64)])
    return im.convert(mode)


SEEDS = {
    "420": ("RGB", {"subsampling": "4:2:0"}),
    "422": ("RGB", {"subsampling": "4:2:2"}),
    "444": ("RGB", {"subsampling": "4:4:4"}),
    "grey": ("L", {}),
}


def main():
    here = pathlib.Path(__file__).resolve().parent / "corpus" / "resize"
    for name, (mode, options) in SEEDS.items():
        out = io.BytesIO()
        picture(mode).save(out, "JPEG", quality=80, progressive=True, **options)
        (here / f"seed-jpeg-progressive-{name}").write_bytes(bytes([3]) + out.getvalue())


if __name__ == "__main__":
    main()
