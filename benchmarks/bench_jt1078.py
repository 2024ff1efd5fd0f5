"""JT/T 1078 media packets: ``python -m benchmarks.bench_jt1078``.

Packs a mix of video frames the size of a 640x480 / 15 fps H.264 stream (one 30 kB
I-frame then 29 P-frames of 3-8 kB) plus G.711A audio frames, then depacks the bytes in
1460-byte TCP-sized chunks and as datagrams. Reports packets/s and MB/s of frame payload.
"""
from __future__ import annotations

import random
import time

from jt808.jt1078 import DataType, Depacker, Packer

from ._timing import table


def _frames(count: int = 600) -> list[tuple[DataType, bytes, int]]:
    rng = random.Random(1078)
    frames = []
    for i in range(count):
        kind = DataType.I_FRAME if i % 30 == 0 else DataType.P_FRAME
        size = 30_000 if kind == DataType.I_FRAME else rng.randint(3_000, 8_000)
        frames.append((kind, rng.randbytes(size), i * 66))
        frames.append((DataType.AUDIO, rng.randbytes(320), i * 66))
    return frames


def _best(func, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def measure() -> dict[str, float]:
    frames = _frames()
    payload = sum(len(f[1]) for f in frames)
    wires: list[bytes] = []

    def pack_all() -> None:
        packer = Packer("13800138000")
        wires[:] = [w for kind, data, ts in frames for w in packer.pack(1, kind, data, ts)]

    pack_s = _best(pack_all)
    stream = b"".join(wires)
    chunks = [stream[i:i + 1460] for i in range(0, len(stream), 1460)]

    def depack_stream() -> None:
        depacker = Depacker()
        for chunk in chunks:
            depacker.feed(chunk)

    def depack_datagrams() -> None:
        depacker = Depacker(sim_width=6, reorder_window=32)
        for wire in wires:
            depacker.feed_datagram(wire)

    stream_s = _best(depack_stream)
    dgram_s = _best(depack_datagrams)
    n = len(wires)
    return {"packets": n, "payload_mb": payload / 1e6,
            "pack_pps": n / pack_s, "pack_mbs": payload / pack_s / 1e6,
            "stream_pps": n / stream_s, "stream_mbs": payload / stream_s / 1e6,
            "dgram_pps": n / dgram_s, "dgram_mbs": payload / dgram_s / 1e6}


def main() -> None:
    r = measure()
    rows = [
        (f"pack   {r['packets']} packets ({r['payload_mb']:.1f} MB payload)",
         f"{r['pack_pps']:,.0f} packets/s, {r['pack_mbs']:.0f} MB/s", ""),
        ("depack TCP stream, 1460 B chunks",
         f"{r['stream_pps']:,.0f} packets/s, {r['stream_mbs']:.0f} MB/s", ""),
        ("depack UDP datagrams, reorder window 32",
         f"{r['dgram_pps']:,.0f} packets/s, {r['dgram_mbs']:.0f} MB/s", ""),
    ]
    print(table(rows))


if __name__ == "__main__":
    main()
