#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the PNG seeds of the resize fuzz target (corpus/resize/seed-png-*).

Each seed is a small non-interlaced PNG, the kind FyPngDecoder
(src/workloads/fy-png-decode.c) reads itself rather than gdk-pixbuf: every
colour type at a low and a high bit depth, a tRNS chunk where one is
allowed, a palette shorter than its indices reach, every row filter (row y
uses filter y % 5), and image data split over several IDAT chunks. The
first byte of a seed is the fuzz target's own (target size and keep
aspect). Run it from this directory: python3 make-png-seeds.py
"""

import pathlib
import struct
import zlib

SAMPLES = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def png(width, height, depth, colour, trns=None, palette=0, split=0):
    rowbytes = (width * depth * SAMPLES[colour] + 7) // 8
    bpp = max(depth * SAMPLES[colour] // 8, 1)
    raw = [bytes((x * 13 + y * 29 + (x * y) % 7) & 0xff for x in range(rowbytes)) for y in range(height)]
    filtered = b""
    prev = bytes(rowbytes)
    for y, row in enumerate(raw):
        kind = y % 5
        out = bytearray([kind])
        for i, value in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            predicted = [0, a, b, (a + b) >> 1, paeth(a, b, c)][kind]
            out.append((value - predicted) & 0xff)
        filtered += out
        prev = row
    data = zlib.compress(filtered, 9)
    body = b"\x89PNG\r\n\x1a\n"
    body += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))
    if colour == 3:
        body += chunk(b"PLTE", bytes((i * 37 + 11) & 0xff for i in range(3 * palette)))
    if trns is not None:
        body += chunk(b"tRNS", trns)
    if split:
        for at in range(0, len(data), split):
            body += chunk(b"IDAT", data[at:at + split])
    else:
        body += chunk(b"IDAT", data)
    return body + chunk(b"IEND", b"")


SEEDS = {
    "grey-1-trns": (0x41, png(13, 7, 1, 0, trns=b"\x00\x01")),
    "grey-16": (0x92, png(9, 6, 16, 0)),
    "rgb-8-trns": (0x23, png(10, 6, 8, 2, trns=b"\x00\x0d\x00\x1d\x00\x2d", split=40)),
    "rgb-16": (0x85, png(7, 5, 16, 2)),
    "palette-2-short": (0x11, png(11, 6, 2, 3, palette=3)),
    "palette-8-trns": (0x67, png(8, 8, 8, 3, trns=bytes(range(0, 200, 9)), palette=40)),
    "grey-alpha-16": (0x38, png(6, 6, 16, 4)),
    "rgba-8": (0xc4, png(12, 10, 8, 6, split=25)),
}

if __name__ == "__main__":
    here = pathlib.Path(__file__).parent / "corpus" / "resize"
    for name, (first, data) in SEEDS.items():
        (here / f"seed-png-{name}").write_bytes(bytes([first]) + data)
