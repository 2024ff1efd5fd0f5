"""Transport throughput, and the serial-link cost of the Quectel AT-socket bridge.

    python benchmarks/bench_transport.py [--frames N] [--size BYTES]

For every transport and direction (up = terminal to platform): payload MB/s moving
``N`` frames of ``size`` bytes (datagrams WINDOW at a time, so nothing overflows).
For ``quectel+tcp`` / ``quectel+udp`` (through ``hal.modem_sim.ModemSimulator`` on a
real pty) also the bytes crossing the serial link, both ways (commands, prompts,
result codes, URCs and data), per payload byte; the target is < 1.1 for 1 KB frames.
The AT port is wrapped in a counting pyserial port and the driver passed in with
``modem=``. A pty has no baud rate: on a real 115200-baud UART the bridge is bound
by the line (about 11 KB/s), on a USB AT port by the modem.
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


@contextlib.asynccontextmanager
async def _quectel(kind: str) -> AsyncIterator[tuple[Any, Any, Any]]:
    """``quectel+<kind>`` through the simulator; the AT port counts its bytes."""
    import serial
    from hal.modem_sim import ModemSimulator
    from hal.quectel import ATChannel, QuectelModem

    class CountingSerial(serial.Serial):
        total = 0

        def read(self, size: int = 1) -> bytes:
            data = super().read(size)
            self.total += len(data)
            return data

        def write(self, data: Any) -> int | None:
            self.total += len(data)
            return super().write(data)

    with ModemSimulator() as sim:
        port = CountingSerial(sim.at_port, 115200, timeout=0.05)
        try:
            async with anyio.create_task_group() as tg:
                channel = ATChannel(port)
                tg.start_soon(channel.run)
                modem = QuectelModem(channel)
                await modem.init()
                async with await open_listener(f"{kind}://127.0.0.1:0") as listener:
                    host, port_number = listener.address
                    near = await open_transport(
                        f"quectel+{kind}://?host={host}&port={port_number}", modem=modem)
                    if near.kind == "datagram":
                        await near.send(b"hello")
                    far = await listener.accept()
                    if near.kind == "datagram":
                        await far.receive()
                    yield near, far, port
                    await near.aclose()
                    await far.aclose()
                tg.cancel_scope.cancel()
        finally:
            port.close()


def _have_simulator() -> bool:
    try:
        import hal.modem_sim  # noqa: F401
        from hal.quectel import QuectelModem  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.asynccontextmanager
async def _reversed(link: Any) -> AsyncIterator[tuple[Any, Any, Any]]:
    async with link as (near, far, counter):
        yield far, near, counter


async def main(count: int, size: int) -> None:
    frames = [os.urandom(size) for _ in range(count)]
    links = {"memory": _memory, "tcp": lambda: _socket("tcp"), "udp": lambda: _socket("udp")}
    if _have_simulator():
        links["quectel+tcp"] = lambda: _quectel("tcp")
        links["quectel+udp"] = lambda: _quectel("udp")
    print(f"{count} frames of {size} bytes each way; up = terminal -> platform")
    print(f"{'transport':<12} {'dir':<5} {'MB/s':>8} {'serial bytes / payload byte':>28}")
    for name, link in links.items():
        for direction in ("up", "down"):
            built = link() if direction == "up" else _reversed(link())
            rate, per_byte = await _measure(built, frames)
            cost = f"{per_byte:.3f}" if per_byte is not None else "-"
            print(f"{name:<12} {direction:<5} {rate:>8.2f} {cost:>28}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--size", type=int, default=1024)
    args = parser.parse_args()
    anyio.run(main, args.frames, args.size)
