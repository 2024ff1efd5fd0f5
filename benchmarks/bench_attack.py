"""Resource bounds under attack (issue 8): a hostile peer on a raw socket against the real
reference ``Platform`` (tcp and udp) and the real ``Terminal`` (against a hostile fake
platform on a raw TCP listener). Prints one row per attack: tracemalloc bytes above the
baseline at the peak and after, the bound derived from the configured limits, and
whether a well-behaved peer is still served afterwards.

    python -m benchmarks.bench_attack            # full volumes
    python -m benchmarks.bench_attack --scale 0.02

The attack functions are shared with ``tests/e2e/test_attack_bounds.py`` (scaled down).
"""
from __future__ import annotations

import argparse
import gc
import logging
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import attrs

from jt808.codec import (LocationQuery, PlatformGeneralResponse,
                         TerminalGeneralResponse, TerminalRegister, TerminalRegisterResponse,
                         encode_body)
from jt808.demo import MiniTerminal, location
from jt808.frame import MAX_BODY, MAX_ESCAPED_FRAME, Frame, Framer, Header, Version, pack
from jt808.frame._escape import escape, xor_check
from jt808.platform import Platform
from jt808.session import ReassemblyLimits
from jt808.terminal import Terminal

PHONE = "13800138000"
ATTACKER = "13900139000"
MIB = 1024 * 1024
#: interpreter, task and socket noise allowed on top of what the limits permit
ALLOWANCE = 2 * MIB
LIMITS = ReassemblyLimits()
#: what one link may hold at most: the framer's buffer plus every message being
#: reassembled (each piece is at most one body, MAX_BODY, plus its dict slot)
PER_LINK = MAX_ESCAPED_FRAME + LIMITS.max_messages * 2 * (MAX_BODY + 200)


@attrs.define
class Result:
    side: str
    attack: str
    volume: str
    peak: int            # bytes above the baseline at the peak
    after: int           # bytes above the baseline once the attack ended
    bound: int
    served: bool         # a well-behaved peer was served afterwards
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.served and self.peak <= self.bound and self.after <= self.bound


# -- frames ---------------------------------------------------------------------------
def frame(msg_id: int, serial: int, body: bytes = b"", *, phone: str = ATTACKER,
          packet: tuple[int, int] | None = None, version: Version = Version.V2013) -> bytes:
    return pack(Frame(Header(msg_id, phone, serial, version, 0, packet), body))


def raw_frame(content: bytes) -> bytes:
    """``content`` (header + body) with its check code, escaped, between flags."""
    return b"\x7e" + escape(content + bytes([xor_check(content)])) + b"\x7e"


def escape_bomb() -> bytes:
    """The largest frame whose header + body are all 0x7e/0x7d: doubles when escaped."""
    content = bytes([0x7E, 0x7D]) * ((MAX_BODY + 17) // 2)
    return raw_frame(content)


def escaped_body_frame(serial: int, phone: str = ATTACKER) -> bytes:
    """A valid 0x0900 whose MAX_BODY-byte body is all 0x7e (about 2x on the wire)."""
    return frame(0x0900, serial, b"\x7e" * MAX_BODY, phone=phone)


def overlong_escaped(size: int) -> bytes:
    return b"\x7e" + b"\x7d\x02" * (size // 2) + b"\x7e"


# -- measuring ------------------------------------------------------------------------
class Meter:
    """tracemalloc above a baseline taken at ``start``."""

    def start(self) -> None:
        gc.collect()
        if not tracemalloc.is_tracing():
            tracemalloc.start()
        self.base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()

    def peak(self) -> int:
        return tracemalloc.get_traced_memory()[1] - self.base

    def after(self) -> int:
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - self.base


async def _send_chunks(stream: Any, data: bytes, total: int, chunk: int = 64 * 1024) -> None:
    block = (data * (chunk // max(1, len(data)) + 1))[:chunk]
    sent = 0
    while sent < total:
        await stream.send(block)
        sent += len(block)


# -- attacks on the platform ----------------------------------------------------------
Attack = Callable[[Any, float], Awaitable[str]]


async def half_frame(stream: Any, scale: float) -> str:
    total = int(64 * MIB * scale)
    await stream.send(b"\x7e")
    await _send_chunks(stream, b"\x01\x02\x03", total)
    return f"0x7e + {total / MIB:.1f} MiB, no closing flag"


async def partial_frames(stream: Any, scale: float) -> str:
    count = int(200_000 * scale)
    whole = frame(0x0200, 1, encode_body(location()))
    piece = whole[:20]                                  # cut short; the next 0x7e ends it
    assert piece.count(b"\x7e") == 1
    await _send_chunks(stream, piece, count * len(piece))
    return f"{count:,} frames cut after 20 bytes"


async def subpacket_streams(stream: Any, scale: float) -> str:
    count = int(10_000 * scale)
    for n in range(count):
        await stream.send(frame(0x0801, n * 3 & 0xFFFF, b"\x00" * 512, packet=(65535, 1)))
    return f"{count:,} streams, packet 1 of 65535"


async def subpacket_streams_in_limit(stream: Any, scale: float) -> str:
    count = int(10_000 * scale)
    total = LIMITS.max_packets
    for n in range(count):
        await stream.send(frame(0x0900, n * 3 & 0xFFFF, b"\x00" * MAX_BODY, packet=(total, 1)))
    return f"{count:,} streams, packet 1 of {total}, {MAX_BODY} B each"


async def escape_expansion(stream: Any, scale: float) -> str:
    count = int(20_000 * scale)
    bomb = escape_bomb()
    for n in range(count):
        await stream.send(bomb if n % 2 else escaped_body_frame(n & 0xFFFF))
    return f"{count:,} frames of {len(bomb):,} B (all 7e/7d, and 0x0900 of 7e)"


async def overlong(stream: Any, scale: float) -> str:
    count = int(2_000 * scale)
    blob = overlong_escaped(4 * MAX_ESCAPED_FRAME)
    for _ in range(count):
        await stream.send(blob)
    return f"{count:,} frames of {len(blob):,} B escaped"


async def reply_flood_to_platform(stream: Any, scale: float) -> str:
    count = int(200_000 * scale)
    batch = b"".join(frame(0x0001, n, encode_body(TerminalGeneralResponse(n, 0x8103, 0)))
                     for n in range(256))
    await _send_chunks(stream, batch, count * len(batch) // 256)
    return f"{count:,} 0x0001 matching nothing"


PLATFORM_ATTACKS: dict[str, Attack] = {
    "half-frame": half_frame, "partial frames": partial_frames,
    "10k subpacket streams (65535)": subpacket_streams,
    "10k subpacket streams (4096)": subpacket_streams_in_limit,
    "escape expansion": escape_expansion, "over-long escaped": overlong,
    "reply flood 0x0001": reply_flood_to_platform,
}
#: attacks that fit in datagrams (no stream-only half frames of megabytes)
UDP_ATTACKS = ("10k subpacket streams (65535)", "escape expansion", "reply flood 0x0001")


class _Datagrams:
    """A connected UDP socket that looks like a stream: one datagram per frame."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock

    async def send(self, data: bytes) -> None:
        start = 0
        while start < len(data):                       # split on frame ends
            end = data.find(b"\x7e", data.find(b"\x7e", start) + 1)
            end = len(data) if end < 0 else end + 1
            await self.sock.send(data[start:end][:60_000])
            start = end
        await anyio.sleep(0)                           # let the platform keep up

    async def aclose(self) -> None:
        await self.sock.aclose()


async def _good_terminal(url: str) -> bool:
    async with await MiniTerminal.connect(url, PHONE) as terminal:
        await terminal.login()
        reply = await terminal.report(location())
        return reply.result == 0


async def attack_platform(name: str, scale: float, scheme: str = "tcp") -> Result:
    meter = Meter()
    async with Platform() as platform:
        await platform.serve(f"{scheme}://127.0.0.1:0")
        host, port = platform.address(scheme)[:2]
        meter.start()
        if scheme == "tcp":
            stream: Any = await anyio.connect_tcp(host, port)
        else:
            stream = _Datagrams(await anyio.create_connected_udp_socket(host, port))
        volume = await PLATFORM_ATTACKS[name](stream, scale)
        await _settle(lambda: platform.connections.get(ATTACKER) is not None or True)
        await stream.aclose()
        await anyio.sleep(0.2)                         # the platform drains what is left
        record = platform.terminals.get(ATTACKER)
        kept = len(record.received) if record else 0
        served = await _good_terminal(platform.url(scheme))
        peak, after = meter.peak(), meter.after()
        bound = ALLOWANCE + PER_LINK + platform.max_messages * 2_000
        return Result(f"platform/{scheme}", name, volume, peak, after, bound, served,
                      f"records kept {kept}")


async def _settle(_: Callable[[], Any], rounds: int = 20) -> None:
    for _ in range(rounds):
        await anyio.sleep(0.01)


# -- attacks on the terminal ----------------------------------------------------------
class HostilePlatform:
    """A raw TCP listener: logs the terminal in by hand, acknowledges what wants a
    general reply, counts what it gets, and lets an attack write anything."""

    def __init__(self) -> None:
        self.stream: Any = None
        self.connected = anyio.Event()
        self.received: dict[int, int] = {}
        self.serial = 0
        self.framer = Framer()

    def next_serial(self) -> int:
        self.serial = (self.serial + 1) & 0xFFFF
        return self.serial

    async def handle(self, stream: Any) -> None:
        self.stream = stream
        self.connected.set()
        try:
            async for data in stream:
                for got in self.framer.feed(data):
                    await self._answer(got.header, got.body)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass

    async def _answer(self, header: Header, body: bytes) -> None:
        self.received[header.msg_id] = self.received.get(header.msg_id, 0) + 1
        if header.msg_id == 0x0100:
            reply = TerminalRegisterResponse(header.serial, 0, "HOSTILE")
        elif header.msg_id in (0x0102, 0x0200, 0x0002, 0x0108):
            reply = PlatformGeneralResponse(header.serial, header.msg_id, 0)
        else:
            return
        await self.send(frame(reply.MSG_ID, self.next_serial(), encode_body(reply),
                              phone=PHONE))

    async def send(self, data: bytes) -> None:
        await self.stream.send(data)


async def t_half_frame(hostile: HostilePlatform, scale: float) -> str:
    return await half_frame(hostile, scale)


async def t_subpackets(hostile: HostilePlatform, scale: float) -> str:
    count = int(10_000 * scale)
    for n in range(count):
        await hostile.send(frame(0x8108, n * 3 & 0xFFFF, b"\x00" * 512, phone=PHONE,
                                 packet=(65535, 1)))
    return f"{count:,} 0x8108 streams, packet 1 of 65535"


async def t_subpackets_in_limit(hostile: HostilePlatform, scale: float) -> str:
    count = int(10_000 * scale)
    for n in range(count):
        await hostile.send(frame(0x8108, n * 3 & 0xFFFF, b"\x00" * MAX_BODY, phone=PHONE,
                                 packet=(LIMITS.max_packets, 1)))
    return f"{count:,} 0x8108 streams, packet 1 of {LIMITS.max_packets}"


async def t_escape(hostile: HostilePlatform, scale: float) -> str:
    count = int(20_000 * scale)
    bomb = escape_bomb()
    for n in range(count):
        await hostile.send(bomb if n % 2 else overlong_escaped(4 * MAX_ESCAPED_FRAME)
                           if n % 4 == 0 else escaped_body_frame(n & 0xFFFF, PHONE))
    return f"{count:,} frames: 7e/7d bombs, over-long, 0x0900 of 7e"


async def t_reply_flood(hostile: HostilePlatform, scale: float) -> str:
    count = int(200_000 * scale)
    batch = b"".join(frame(0x8001, n, encode_body(PlatformGeneralResponse(n, 0x0200, 0)),
                           phone=PHONE) for n in range(1000, 1256))
    await _send_chunks(hostile, batch, count * len(batch) // 256)
    return f"{count:,} 0x8001 matching nothing"


async def t_command_flood(hostile: HostilePlatform, scale: float) -> str:
    count = int(20_000 * scale)
    batch = b"".join(frame(0x8201, n, encode_body(LocationQuery()), phone=PHONE)
                     for n in range(256))
    for _ in range(max(1, count // 256)):
        await hostile.send(batch)
        await anyio.sleep(0)
    return f"{count // 256 * 256:,} 0x8201 (each answered)"


TERMINAL_ATTACKS: dict[str, Attack] = {
    "half-frame": t_half_frame, "10k 0x8108 streams (65535)": t_subpackets,
    "10k 0x8108 streams (4096)": t_subpackets_in_limit, "escape expansion + over-long": t_escape,
    "reply flood 0x8001": t_reply_flood, "command flood 0x8201": t_command_flood,
}


async def attack_terminal(name: str, scale: float, tmp: str) -> Result:
    meter = Meter()
    hostile = HostilePlatform()
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, hostile.handle)
        terminal = Terminal(f"tcp://127.0.0.1:{port}", phone=PHONE, store_path=f"{tmp}/b.sqlite",
                            register_info=_register(), params={0x0002: 5}, version="2013")
        async with terminal:
            await terminal.connect()
            await terminal.login()
            meter.start()
            volume = await TERMINAL_ATTACKS[name](hostile, scale)
            await _settle(lambda: True, 30)
            answered = hostile.received.get(0x0201, 0) + hostile.received.get(0x0001, 0)
            reply = await terminal.report_location(location())
            served = getattr(reply, "result", None) == 0 and terminal.connected
            events = len(terminal.session._events)
            partials = len(terminal.session.reassembler.partials)
            peak, after = meter.peak(), meter.after()
            await terminal.close()
        tg.cancel_scope.cancel()
    bound = ALLOWANCE + PER_LINK
    return Result("terminal", name, volume, peak, after, bound, served,
                  f"answers {answered}, events left {events}, partials {partials}")


def _register() -> Any:
    from jt808.codec import TerminalRegister
    return TerminalRegister(31, 115, "70111", "ATTACK", "T1", 1, "A12345")


# -- hostile peers of issues 14 and 18 (platform side) ---------------------------------
def split_frames(msg_id: int, body: bytes, phone: str = ATTACKER, first_serial: int = 1
                 ) -> list[bytes]:
    """``body`` as subpackets of MAX_BODY bytes, serials counting from ``first_serial``."""
    pieces = [body[i:i + MAX_BODY] for i in range(0, len(body), MAX_BODY)]
    return [frame(msg_id, (first_serial + n) & 0xFFFF, piece, phone=phone,
                  packet=(len(pieces), n + 1)) for n, piece in enumerate(pieces)]


async def raw_login(stream: Any, phone: str = ATTACKER) -> None:
    """Register and authenticate by hand over a raw stream."""
    register = TerminalRegister(31, 115, "70111", "ATTACK", "T1", 1, "A12345")
    framer = Framer()
    await stream.send(frame(0x0100, 1, encode_body(register), phone=phone))
    code = None
    while code is None:
        for got in framer.feed(await stream.receive()):
            if got.header.msg_id == 0x8100:
                code = got.body[3:].decode()
    await stream.send(frame(0x0102, 2, code.encode(), phone=phone))
    while not any(got.header.msg_id == 0x8001 for got in framer.feed(await stream.receive())):
        pass


def huge_batch_body() -> bytes:
    """0x0704 with count 65,535 (each item a 28-byte 0x0200 body): ~2.0 MB."""
    item = encode_body(location())[:28]
    return (65_535).to_bytes(2, "big") + b"\x01" + (len(item).to_bytes(2, "big") + item) * 65_535


async def _drain(stream: Any) -> None:
    """Read and discard what the platform answers (so it never blocks on us)."""
    try:
        while await stream.receive():
            pass
    except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError):
        pass


async def hostile_platform(name: str, scale: float) -> Result:
    """One attack of ``HOSTILE_ATTACKS`` against a Platform on tcp and udp."""
    meter = Meter()
    async with Platform(**HOSTILE_OPTIONS.get(name, {})) as platform:
        await platform.serve(["tcp://127.0.0.1:0", "udp://127.0.0.1:0"])
        meter.start()
        volume, note = await HOSTILE_ATTACKS[name](platform, scale)
        served = await _good_terminal(platform.url("tcp"))
        peak, after = meter.peak(), meter.after()
        kept = sum(record.kept_bytes for record in platform.terminals.values())
        bound = ALLOWANCE + PER_LINK + platform.max_bytes * 4
        return Result("platform", name, volume, peak, after, bound, served,
                      f"{note}; records {len(platform.terminals)}, kept ~{kept // 1024} KiB, "
                      f"refused {platform.refused}, links {len(platform.links)}")


async def one_shot_udp(platform: Platform, scale: float) -> tuple[str, str]:
    count = await _one_shot_sources(platform, scale)
    live = len(platform.links)
    await platform.wait_for(lambda: len(platform.links) == 0, timeout=30)
    return f"{count:,} sources, one 0x0200 each", f"live sessions {live} then 0 (auth_timeout 1 s)"


async def one_shot_udp_lru(platform: Platform, scale: float) -> tuple[str, str]:
    count = await _one_shot_sources(platform, scale)
    return (f"{count:,} sources, one 0x0200 each",
            f"live sessions {len(platform.links)} (max_udp_peers 256, auth_timeout 60 s)")


async def _one_shot_sources(platform: Platform, scale: float) -> int:
    count = int(2_000 * scale)
    host, port = platform.address("udp")
    body = encode_body(location())
    for n in range(count):
        async with await anyio.create_connected_udp_socket(host, port) as sock:
            await sock.send(frame(0x0200, n & 0xFFFF, body, phone=f"139{n:08d}"))
        if n % 50 == 0:
            await anyio.sleep(0)
    await anyio.sleep(0.3)
    return count


async def phone_per_frame(platform: Platform, scale: float) -> tuple[str, str]:
    count = int(200_000 * scale)
    body = encode_body(location())
    stream = await anyio.connect_tcp(*platform.address("tcp"))
    async with anyio.create_task_group() as tg:
        tg.start_soon(_drain, stream)
        for start in range(0, count, 500):
            await stream.send(b"".join(frame(0x0200, n & 0xFFFF, body, phone=f"139{n:08d}")
                                       for n in range(start, min(count, start + 500))))
        await platform.wait_for(lambda: platform.refused >= count, timeout=120)
        await stream.aclose()
    return f"{count:,} 0x0200, a new phone each", "all refused (0x8001 result 1)"


async def _send_split(platform: Platform, body: bytes, msg_id: int, copies: int,
                      login: bool) -> None:
    stream = await anyio.connect_tcp(*platform.address("tcp"))
    if login:
        await raw_login(stream)
    async with anyio.create_task_group() as tg:
        tg.start_soon(_drain, stream)
        for copy in range(copies):
            for piece in split_frames(msg_id, body, first_serial=10 + copy * 4_096):
                await stream.send(piece)
        await anyio.sleep(0.5)
        await stream.aclose()


async def batch_unauthenticated(platform: Platform, scale: float) -> tuple[str, str]:
    copies = max(1, int(10 * scale))
    await _send_split(platform, huge_batch_body(), 0x0704, copies, login=False)
    return f"{copies} × 0x0704 count 65,535 (1,925 packets)", "refused at reassembly"


async def batch_authenticated(platform: Platform, scale: float) -> tuple[str, str]:
    copies = max(1, int(10 * scale))
    await _send_split(platform, huge_batch_body(), 0x0704, copies, login=True)
    record = platform.terminals[ATTACKER]
    return (f"{copies} × 0x0704 count 65,535, authenticated",
            f"positions counted {record.position_count:,}, kept {len(record.positions)}")


async def media_unauthenticated(platform: Platform, scale: float) -> tuple[str, str]:
    copies = max(1, int(10 * scale))
    await _send_split(platform, b"\x41" + b"\x00" * (4 * MIB - 1), 0x0900, copies, login=False)
    return f"{copies} × 0x0900 of 4 MiB", "refused at reassembly"


HOSTILE_ATTACKS: dict[str, Callable[[Platform, float], Awaitable[tuple[str, str]]]] = {
    "one-shot UDP sources": one_shot_udp, "one-shot UDP sources (LRU)": one_shot_udp_lru,
    "new phone per frame": phone_per_frame,
    "0x0704 count 65,535 (unauthenticated)": batch_unauthenticated,
    "0x0704 count 65,535 (authenticated)": batch_authenticated,
    "0x0900 of 4 MiB (unauthenticated)": media_unauthenticated,
}


HOSTILE_OPTIONS: dict[str, dict[str, Any]] = {
    "one-shot UDP sources": {"auth_timeout": 1.0},
    "one-shot UDP sources (LRU)": {"max_udp_peers": 256},
}


async def isolation(scale: float, good: int = 20) -> str:
    """``good`` terminals report while one peer's messages raise inside the platform
    (its ack_filter) and another sends 2011 0x0005/0x0004: how many are served."""
    rounds = max(3, int(50 * scale))
    logger = logging.getLogger("jt808.platform")
    level, logger.level = logger.level, logging.CRITICAL    # the guard's tracebacks: expected

    def ack_filter(phone: str, header: Header, message: Any) -> bool:
        if phone == ATTACKER:
            raise RuntimeError("handler bug")
        return True

    async with Platform(ack_filter=ack_filter) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        served = [0] * good

        async def terminal(index: int) -> None:
            async with await MiniTerminal.connect(platform.url(), f"1380000{index:04d}") as t:
                await t.login()
                for _ in range(rounds):
                    served[index] += (await t.report()).result == 0

        async def misbehave() -> None:
            for _ in range(rounds):
                try:
                    async with await MiniTerminal.connect(platform.url(), ATTACKER) as bad:
                        await bad.login()
                        await bad.report(timeout=2)
                except Exception:                   # its link is closed, as it should be
                    pass

        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(misbehave)
                for index in range(good):
                    tg.start_soon(terminal, index)
        finally:
            logger.setLevel(level)
        return (f"{good} terminals × {rounds} reports while one peer hit a handler bug "
                f"{platform.faults} times: {sum(served)}/{good * rounds} acknowledged, "
                f"faults {platform.faults}")


# -- the table ------------------------------------------------------------------------
def row(result: Result) -> str:
    return (f"| {result.side} | {result.attack} | {result.volume} | {result.peak / 1024:,.0f} "
            f"| {result.after / 1024:,.0f} | {result.bound / 1024:,.0f} | "
            f"{'yes' if result.served else 'NO'} | {'ok' if result.ok else 'OVER'} | "
            f"{result.note} |")


async def run_all(scale: float) -> list[Result]:
    import tempfile
    results = []
    for name in PLATFORM_ATTACKS:
        results.append(await attack_platform(name, scale, "tcp"))
        print(row(results[-1]), flush=True)
    for name in UDP_ATTACKS:
        results.append(await attack_platform(name, scale, "udp"))
        print(row(results[-1]), flush=True)
    for name in TERMINAL_ATTACKS:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(await attack_terminal(name, scale, tmp))
        print(row(results[-1]), flush=True)
    results.extend(await run_hostile(scale))
    return results


async def run_hostile(scale: float) -> list[Result]:
    results = []
    for name in HOSTILE_ATTACKS:
        results.append(await hostile_platform(name, scale))
        print(row(results[-1]), flush=True)
    print(await isolation(scale), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of full volumes")
    parser.add_argument("--hostile", action="store_true",
                        help="only the hostile-peer rows of issues 14/18 and isolation")
    args = parser.parse_args()
    print("| side | attack | volume | peak KiB | after KiB | bound KiB | served | result | "
          "notes |")
    print("|---|---|---|---|---|---|---|---|---|")
    anyio.run(run_hostile if args.hostile else run_all, args.scale)


if __name__ == "__main__":
    main()
