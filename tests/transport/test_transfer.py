"""One suite over every transport: random frames both ways, intact (and, for
streams, in order). Frames hold every byte value, including the ones the AT
bridge and the JT/T 808 framing treat specially (0x7e 0x7d 0x1a 0x1b 0x0d 0x0a
0x00 0xff) and text that looks like AT result codes and URCs."""
from __future__ import annotations

import random
from collections import Counter
from typing import Any

import anyio
import pytest

pytestmark = pytest.mark.anyio

#: Bytes that mean something to a line parser, the AT prompt or the framing.
TRICKY = [
    bytes(range(256)),
    b"\x7e\x7d\x01\x7d\x02\x7e",
    b"\x1a", b"\x1b", b"\x00" * 17, b"\xff" * 33, b"\r", b"\n", b"\r\n",
    b"\r\nOK\r\n", b"\r\nERROR\r\n", b"\r\nSEND OK\r\n", b"\r\n> ",
    b'\r\n+QIURC: "closed",0\r\n', b'\r\n+QIURC: "recv",0,5\r\n', b"+QIRD: 5\r\n",
    b'\r\n+CMTI: "SM",1\r\n', b"AT+QISEND=0,10\r",
]


def make_frames(count: int, largest: int, seed: int) -> list[bytes]:
    """``count`` frames of 1..largest bytes: the tricky ones first, then random."""
    rng = random.Random(seed)
    frames = [t[:largest] for t in TRICKY]
    while len(frames) < count:
        frames.append(rng.randbytes(rng.randint(1, largest)))
    return frames[:count]


def test_frames_cover_every_byte_value() -> None:
    seen = set(b"".join(make_frames(50, 1000, 1)))
    assert seen == set(range(256))


async def _send_stream(transport: Any, frames: list[bytes]) -> None:
    for frame in frames:
        await transport.send(frame)


async def _receive_stream(transport: Any, total: int, into: bytearray) -> None:
    while len(into) < total:
        chunk = await transport.receive()
        assert chunk, f"stream ended after {len(into)} of {total} bytes"
        into += chunk


async def _move_streams(a: Any, b: Any, a_frames: list[bytes], b_frames: list[bytes]) -> None:
    got_at_b, got_at_a = bytearray(), bytearray()
    async with anyio.create_task_group() as tg:
        tg.start_soon(_send_stream, a, a_frames)
        tg.start_soon(_send_stream, b, b_frames)
        tg.start_soon(_receive_stream, b, sum(map(len, a_frames)), got_at_b)
        tg.start_soon(_receive_stream, a, sum(map(len, b_frames)), got_at_a)
    assert bytes(got_at_b) == b"".join(a_frames)
    assert bytes(got_at_a) == b"".join(b_frames)


async def _receive_datagrams(transport: Any, count: int, into: list[bytes]) -> None:
    for _ in range(count):
        into.append(await transport.receive())


async def _move_datagrams(a: Any, b: Any, a_frames: list[bytes], b_frames: list[bytes],
                          window: int) -> None:
    got_at_b: list[bytes] = []
    got_at_a: list[bytes] = []
    for start in range(0, max(len(a_frames), len(b_frames)), window):
        a_batch, b_batch = a_frames[start:start + window], b_frames[start:start + window]
        async with anyio.create_task_group() as tg:
            tg.start_soon(_send_stream, a, a_batch)
            tg.start_soon(_send_stream, b, b_batch)
            tg.start_soon(_receive_datagrams, b, len(a_batch), got_at_b)
            tg.start_soon(_receive_datagrams, a, len(b_batch), got_at_a)
    # Datagrams may be reordered in general: compare as multisets, each one whole.
    assert Counter(got_at_b) == Counter(a_frames)
    assert Counter(got_at_a) == Counter(b_frames)


async def test_frames_both_ways(link: Any) -> None:
    async with link.factory() as (near, far):
        assert near.kind == far.kind == link.kind
        near_frames = make_frames(link.frames, link.largest, seed=1)
        far_frames = make_frames(link.frames, link.largest, seed=2)
        with anyio.fail_after(60):  # a lost frame fails the test instead of hanging it
            if near.kind == "stream":
                await _move_streams(near, far, near_frames, far_frames)
            else:
                assert near.kind == "datagram"
                assert link.largest <= min(near.max_datagram, far.max_datagram)
                await _move_datagrams(near, far, near_frames, far_frames, link.window)


async def test_stream_receive_honours_max_bytes(stream_link: Any) -> None:
    async with stream_link.factory() as (near, far):
        payload = bytes(range(256)) * 4
        await near.send(payload)
        got = bytearray()
        with anyio.fail_after(10):
            while len(got) < len(payload):
                chunk = await far.receive(7)
                assert 1 <= len(chunk) <= 7
                got += chunk
        assert bytes(got) == payload
        with pytest.raises(ValueError):
            await far.receive(0)


async def test_datagram_limits(datagram_link: Any) -> None:
    async with datagram_link.factory() as (near, far):
        with pytest.raises(ValueError):
            await near.send(b"")
        with pytest.raises(ValueError):
            await near.send(bytes(near.max_datagram + 1))
        await near.send(b"\x7e")
        assert await far.receive() == b"\x7e"


async def test_peer_close_gives_clean_end(closing_link: Any) -> None:
    """What was sent before the close arrives whole, then b"" (where a close is
    visible at all: UDP and SMS have none)."""
    async with closing_link.factory() as (near, far):
        await far.send(b"last words \x7e\x1a\r\n")
        await far.aclose()
        got = bytearray()
        with anyio.fail_after(10):
            while chunk := await near.receive():
                got += chunk
        assert bytes(got) == b"last words \x7e\x1a\r\n"
        assert await near.receive() == b""   # and again: the end stays the end


async def test_use_after_local_close_is_transport_error(link: Any) -> None:
    from jt808.errors import TransportError
    async with link.factory() as (near, far):
        await near.aclose()
        await near.aclose()  # idempotent
        with pytest.raises(TransportError) as info:
            await near.send(b"x")
        assert info.value.__cause__ is not None or "closed" in str(info.value)
