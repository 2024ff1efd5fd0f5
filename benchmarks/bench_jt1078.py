"""JT/T 1078 media packets: ``python -m benchmarks.bench_jt1078``.

Packs a mix of video frames the size of a 640x480 / 15 fps H.264 stream (one 30 kB
I-frame then 29 P-frames of 3-8 kB) plus G.711A audio frames, then depacks the bytes in
1460-byte TCP-sized chunks and as datagrams. Reports packets/s and MB/s of frame payload,
and the CPU share of one 1080p-sized stream (4 Mbit/s, 25 fps) paced in real time through
pack -> loopback TCP -> depack with both ends (and asyncio) in this process.
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


def stream_cpu_share(seconds: float = 5.0, fps: int = 25, bitrate: int = 4_000_000
                     ) -> dict[str, float]:
    """One 1080p-sized stream (4 Mbit/s, 25 fps, an I-frame of 8x the mean every second)
    paced in real time through Packer -> loopback TCP -> Depacker, both ends in this
    process: CPU seconds used per wall second (the share of one core)."""
    import anyio

    mean = bitrate // 8 // fps
    p_size = mean * fps // (fps + 7)            # so that one I (8 units) + 24 P = 1 s
    rng = random.Random(1080)
    i_frame, p_frame = rng.randbytes(p_size * 8), rng.randbytes(p_size)
    result: dict[str, float] = {}

    async def run() -> None:
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
        depacker = Depacker()
        done = anyio.Event()

        async def receive(stream) -> None:
            async for data in stream:
                depacker.feed(data)
            done.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(listener.serve, receive)
            client = await anyio.connect_tcp("127.0.0.1", port)
            packer = Packer("13800138000")
            frames = int(seconds * fps)
            wall, cpu = time.perf_counter(), time.process_time()
            for index in range(frames):
                key = index % fps == 0
                for wire in packer.pack(1, DataType.I_FRAME if key else DataType.P_FRAME,
                                        i_frame if key else p_frame, index * 1000 // fps):
                    await client.send(wire)
                await anyio.sleep(max(wall + (index + 1) / fps - time.perf_counter(), 0))
            await client.aclose()
            await done.wait()
            result["cpu_share"] = (time.process_time() - cpu) / (time.perf_counter() - wall)
            result["frames"] = depacker.stats.frames
            result["mbit_s"] = depacker.stats.bytes * 8 / seconds / 1e6
            tg.cancel_scope.cancel()

    anyio.run(run)
    return result


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
    c = stream_cpu_share()
    rows.append((f"1080p stream {c['mbit_s']:.1f} Mbit/s 25 fps, pack->TCP->depack",
                 f"{c['cpu_share'] * 100:.1f}% of one core ({c['frames']:.0f} frames)", ""))
    print(table(rows))


if __name__ == "__main__":
    main()
