"""Frame layer speed: ``python -m benchmarks.bench_frame``.

Targets: pack + unpack of a 60-byte 0x0200 frame < 5 µs together; escape + check code of
a 1000-byte body < 15 µs.
"""
from __future__ import annotations

import os
import random

from jt808.frame import Frame, Framer, Header, escape, pack, unpack, xor_check

from ._timing import best_us, table


def _location_frame() -> Frame:
    # 0x0200: alarm, status, lat, lng, alt, speed, dir, time (28 bytes) + mileage extra
    body = bytes.fromhex("00000000 00000002 01d59c1c 06a36599 006e 0000 0000 210917193139"
                         "0104000003e8 02020145 03020000 30011f")   # 45 bytes: 60 on the wire
    return Frame(Header(0x0200, "13800138000", serial=1), body)


def _mixed_stream(count: int = 2000) -> bytes:
    rng = random.Random(808)
    parts = []
    for serial in range(count):
        size = rng.choice([0, 5, 34, 120, 500, 1023])
        body = rng.randbytes(size)
        parts.append(pack(Frame(Header(rng.choice([2, 0x200, 0x801]), "13800138000",
                                       serial=serial), body)))
    return b"".join(parts)


def main() -> None:
    small = _location_frame()
    small_wire = pack(small)
    large = Frame(Header(0x0801, "13800138000", serial=1, packet=(3, 1)), os.urandom(1023))
    large_wire = pack(large)
    body_1000 = os.urandom(1000)

    pack_small = best_us(lambda: pack(small))
    unpack_small = best_us(lambda: unpack(small_wire))
    pack_large = best_us(lambda: pack(large), number=2000)
    unpack_large = best_us(lambda: unpack(large_wire), number=2000)
    esc_check = best_us(lambda: escape(body_1000 + bytes((xor_check(body_1000),))), number=5000)

    stream = _mixed_stream()
    chunks = [stream[i:i + 1460] for i in range(0, len(stream), 1460)]   # TCP-segment sized

    def feed_all() -> None:
        framer = Framer()
        for chunk in chunks:
            framer.feed(chunk)

    stream_us = best_us(feed_all, number=1, repeat=5)
    mb_s = len(stream) / stream_us   # bytes per µs == MB/s

    rows = [
        (f"pack   0x0200 ({len(small_wire)} B on the wire)", f"{pack_small:.2f} µs", ""),
        (f"unpack 0x0200 ({len(small_wire)} B on the wire)", f"{unpack_small:.2f} µs", ""),
        ("pack + unpack 0x0200", f"{pack_small + unpack_small:.2f} µs", "< 5 µs"),
        (f"pack   1023-byte body ({len(large_wire)} B)", f"{pack_large:.2f} µs", ""),
        (f"unpack 1023-byte body ({len(large_wire)} B)", f"{unpack_large:.2f} µs", ""),
        ("escape + check code, 1000-byte body", f"{esc_check:.2f} µs", "< 15 µs"),
        (f"Framer, {len(stream) / 1e6:.2f} MB mixed frames in 1460 B chunks",
         f"{mb_s:.1f} MB/s", ""),
    ]
    print(table(rows))


if __name__ == "__main__":
    main()
