#!/usr/bin/env python3
"""Draws the bundle's icon, icon.png (512x512, the size Claude Desktop recommends): a speech bubble on a rounded square.

Ours, made with the standard library only (zlib for PNG's deflate); run it again to redraw.
"""
import struct
import zlib
from pathlib import Path

SIZE = 512
# The drawing is laid out on a 256-unit grid.
UNIT = SIZE / 256
BACKGROUND = (31, 41, 55)
BUBBLE = (250, 250, 250)
DOTS = (31, 41, 55)


def inside_rounded(x, y, left, top, right, bottom, radius):
    cx = min(max(x, left + radius), right - radius)
    cy = min(max(y, top + radius), bottom - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def pixel(px, py):
    x, y = px / UNIT, py / UNIT
    if not inside_rounded(x, y, 0, 0, 255, 255, 48):
        return (0, 0, 0, 0)
    for dot in (92, 128, 164):
        if (x - dot) ** 2 + (y - 112) ** 2 <= 12**2:
            return DOTS + (255,)
    in_body = inside_rounded(x, y, 48, 60, 208, 164, 36)
    # The tail: a triangle under the bubble's lower left.
    in_tail = 164 <= y <= 204 and 76 <= x <= 76 + (204 - y) * 0.9
    if in_body or in_tail:
        return BUBBLE + (255,)
    return BACKGROUND + (255,)


def png(width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
Path(__file__).with_name("icon.png").write_bytes(png(SIZE, SIZE, rows))
