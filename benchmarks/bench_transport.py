"""Transport throughput, and the serial-link cost of the Quectel AT-socket bridge.

    python benchmarks/bench_transport.py [--frames N] [--size BYTES]

For every transport: payload MB/s moving ``N`` frames of ``size`` bytes one way
(echoed back on the datagram links, WINDOW at a time, so nothing overflows).
For ``quectel+tcp`` / ``quectel+udp`` (through ``hal.modem_sim.ModemSimulator`` on a
real pty) also the bytes crossing the serial link, both directions, per payload
byte (target < 1.1 for 1 KB frames): the AT port is wrapped in a counting pyserial
port and the driver is passed in with ``modem=``.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jt808.transport import memory_pair, open_listener, open_transport  # noqa: E402

WINDOW = 16


@contextlib.asynccontextmanager
async def _memory() -> AsyncIterator[tuple[Any, Any, None]]:
    near, far = memory_pair("bench")
    yield near, far, None


@contextlib.asynccontextmanager
async def _socket(scheme: str) -> AsyncIterator[tuple[Any, Any, None]]:
    async with await open_listener(f"{scheme}://127.0.0.1:0") as listener:
        host, port = listener.address
        near = await open_transport(f"{scheme}://{host}:{port}")
        if near.kind == "datagram":
            await near.send(b"hello")
        far = await listener.accept()
        if near.kind == "datagram":
            await far.receive()
        yield near, far, None
        await near.aclose()
        await far.aclose()


async def _pump_stream(near: Any, far: Any, frames: list[bytes]) -> None:
    total = sum(map(len, frames))

    async def drain() -> None:
        got = 0
        while got < total:
            got += len(await far.receive())

    async with anyio.create_task_group() as tg:
        tg.start_soon(drain)
        for frame in frames:
            await near.send(frame)


async def _pump_datagrams(near: Any, far: Any, frames: list[bytes]) -> None:
    for start in range(0, len(frames), WINDOW):
        batch = frames[start:start + WINDOW]
        for frame in batch:
            await near.send(frame)
        for _ in batch:
            await far.receive()


async def _measure(link: Any, frames: list[bytes]) -> tuple[float, float | None]:
    async with link as (near, far, counter):
        pump = _pump_stream if near.kind == "stream" else _pump_datagrams
        await pump(near, far, frames[:WINDOW])           # warm up
        before = counter.total if counter else 0
        started = time.perf_counter()
        await pump(near, far, frames)
        elapsed = time.perf_counter() - started
        payload = sum(map(len, frames))
        per_byte = (counter.total - before) / payload if counter else None
        return payload / elapsed / 1e6, per_byte


def _quectel_links() -> dict[str, Any]:
    """Links through the modem simulator, when both it and the driver are present."""
    try:
        from _bench_quectel import quectel_link  # type: ignore[import-not-found]
    except ImportError:
        return {}
    return {"quectel+tcp": lambda: quectel_link("tcp"), "quectel+udp": lambda: quectel_link("udp")}


async def main(count: int, size: int) -> None:
    frames = [os.urandom(size) for _ in range(count)]
    links = {"memory": _memory, "tcp": lambda: _socket("tcp"), "udp": lambda: _socket("udp"),
             **_quectel_links()}
    print(f"{count} frames of {size} bytes, one way")
    print(f"{'transport':<12} {'MB/s':>9} {'link bytes/payload byte':>24}")
    for name, link in links.items():
        n = count if not name.startswith("quectel") else min(count, 300)
        rate, per_byte = await _measure(link(), frames[:n])
        cost = f"{per_byte:.3f}" if per_byte is not None else "-"
        print(f"{name:<12} {rate:>9.2f} {cost:>24}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=2000)
    parser.add_argument("--size", type=int, default=1024)
    args = parser.parse_args()
    anyio.run(main, args.frames, args.size)
