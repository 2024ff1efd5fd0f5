"""Shared parts of the fault-injection suite (``tests/e2e/test_faults_*.py``).

The real ``jt808.terminal.Terminal`` runs (``run()``: connect, log in, report every
parameter 0x0029 s, reconnect) against the reference ``jt808.platform.Platform``,
either over plain TCP on 127.0.0.1 (optionally through ``FaultProxy``) or through the
Quectel modem simulator. Positions come from ``ScriptedGnss``: read number ``n``
is a fix whose UTC time is ``BASE_UTC + n`` seconds, so a report's time names it.
``tally()`` then counts, at the platform, which positions arrived how often.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import attrs

from hal.gnss import Fix
from jt808.codec import TerminalRegister
from jt808.platform import Platform
from jt808.terminal import Terminal

PHONE = "13800138000"
REGISTER = TerminalRegister(31, 115, "70111", "FAULTS", "T1", 1, "A12345")
#: heartbeat 2 s, TCP reply timeout 1 s with 1 retransmission (given up after 1 + 2 s),
#: one position per second
FAST_PARAMS = {0x0001: 2, 0x0002: 1, 0x0003: 1, 0x0029: 1}
BASE_UTC = dt.datetime(2025, 1, 1, 0, 0, 0, tzinfo=dt.timezone.utc)
_BASE_GMT8 = BASE_UTC.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
#: set to a file path to append one JSON line of numbers per scenario (docs table)
REPORT_ENV = "JT808_FAULT_REPORT"


class ScriptedGnss:
    """Read ``n`` gives a valid fix at ``BASE_UTC + n`` s; after ``stop()`` reads block
    (so the reporter sends nothing more: a ``None`` would make it repeat the last one)."""

    def __init__(self, first: int = 0) -> None:
        self.first = first
        self.produced = 0
        self._stopped = False

    async def read(self) -> Fix:
        if self._stopped:
            await anyio.sleep_forever()
        n = self.first + self.produced
        self.produced += 1
        return Fix(31.0 + n * 1e-4, 121.0 + n * 1e-4, 10.0, 36.0, n % 360,
                   BASE_UTC + dt.timedelta(seconds=n), 8, True)

    def stop(self) -> range:
        """No more fixes; returns the numbers of those produced."""
        self._stopped = True
        return range(self.first, self.first + self.produced)


def position_number(report: Any) -> int:
    """The ``n`` of the scripted fix a received 0x0200 (or 0x0704 item) came from."""
    return int((report.time - _BASE_GMT8).total_seconds())


@attrs.frozen
class Tally:
    sent: int                    # positions produced (each reported once)
    received: int                # distinct positions the platform got (0x0200 + 0x0704)
    lost: tuple[int, ...]        # produced, never received
    duplicates: int              # extra copies of a position in *different* messages
    retransmitted: int           # extra copies in a retransmission (same msg id + serial)
    blind_items: int             # positions that came in 0x0704 type 1 batches
    blind_in_order: bool         # those, in arrival order, are strictly increasing
    connections: int             # links the platform saw from this terminal


def _carriers(record: Any) -> list[tuple[int, int, int]]:
    """``(msg_id, serial, n)`` for every position item the platform received."""
    found = []
    for header, message in record.received if record else []:
        if header.msg_id == 0x0200:
            found.append((0x0200, header.serial, position_number(message)))
        elif header.msg_id == 0x0704:
            found.extend((0x0704, header.serial, position_number(item))
                         for item in message.items)
    return found


def tally(platform: Platform, produced: range | set[int]) -> Tally:
    """Count at the platform: a retransmission (same message id and serial number, the
    standard's way to say "the same message again") is not a duplicate; the same
    position in two different messages is."""
    record = platform.terminals.get(PHONE)
    carriers = _carriers(record)
    distinct = set(carriers)
    counts = Counter(n for _, _, n in distinct)
    blind = []
    for header, message in record.received if record else []:
        if header.msg_id == 0x0704 and message.location_type == 1:
            blind.extend(position_number(item) for item in message.items)
    blind_once = list(dict.fromkeys(blind))          # a retransmitted batch counts once
    return Tally(len(produced), len(counts), tuple(n for n in sorted(produced) if n not in counts),
                 sum(c - 1 for c in counts.values()), len(carriers) - len(distinct),
                 len(blind_once), all(a < b for a, b in zip(blind_once, blind_once[1:])),
                 record.connections if record else 0)


def received_numbers(platform: Platform) -> set[int]:
    record = platform.terminals.get(PHONE)
    return {position_number(p) for p in record.positions} if record else set()


def save_result(name: str, result: Tally, **extra: Any) -> None:
    """Append ``result`` to the file named by $JT808_FAULT_REPORT (if set)."""
    path = os.environ.get(REPORT_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"fault": name, **attrs.asdict(result), **extra}) + "\n")


def make_terminal(url: str, *, gnss: Any, store_path: Path | None = None,
                  clock: Callable[[], float] = time.monotonic,
                  params: dict[int, Any] | None = None,
                  transport_options: dict[str, Any] | None = None) -> Terminal:
    terminal = Terminal(url, phone=PHONE, register_info=REGISTER, imei="123456789012345",
                        app_version="1.0", gnss=gnss, store_path=store_path, clock=clock,
                        params=dict(params or FAST_PARAMS), transport_options=transport_options)
    terminal.min_backoff = 0.1          # reconnect quickly in tests (class attributes)
    terminal.max_backoff = 0.4
    return terminal


@attrs.define
class Rig:
    platform: Platform
    terminal: Terminal
    gnss: ScriptedGnss
    tg: Any

    def record(self) -> Any:
        return self.platform.terminals.get(PHONE)

    def positions(self) -> int:
        record = self.record()
        return len(record.positions) if record else 0

    async def wait_positions(self, count: int, timeout: float = 10.0) -> None:
        """Until the platform holds ``count`` more positions than now... or in total."""
        await self.platform.wait_for(lambda: self.positions() >= count, timeout=timeout)

    async def wait_authenticated(self, timeout: float = 10.0) -> None:
        await self.platform.wait_for(
            lambda: self.record() is not None and self.record().authenticated
            and self.terminal.authenticated, timeout=timeout)

    def store_count(self) -> int:
        """Positions waiting in the blind-area store (not those sent live and awaiting
        their 0x8001: every report is stored before it is sent)."""
        store = self.terminal.store
        if store is None:
            return 0
        return store.count("position") - len(self.terminal._positions_in_flight)

    def quiet(self) -> bool:
        """Logged in, nothing in the blind-area store, no position awaiting its reply."""
        terminal = self.terminal
        in_flight = [p for p in terminal.session.pending.values()
                     if p.message.msg_id in (0x0200, 0x0704)]
        return (terminal.authenticated and not in_flight and not terminal._uploading
                and self.store_count() == 0)

    async def wait_quiet(self, timeout: float = 10.0) -> None:
        """Until ``quiet()``: inject a fault here so no acknowledgement is in flight (a
        link lost between the platform's receipt and its 0x8001 duplicates the message:
        JT/T 808 delivery is at least once)."""
        with anyio.fail_after(timeout):
            while not self.quiet():
                await anyio.sleep(0.02)

    async def finish(self, timeout: float = 12.0, also: set[int] = frozenset(),
                     may_lose: int = 0) -> Tally:
        """Once the terminal is logged in with an empty blind-area store, stop the GNSS,
        wait until every produced position arrived and return the tally. (A position
        that timed out after the last upload waits in the store for the next acknowledged
        0x0200, so the GNSS keeps going until the store is empty.)"""
        with anyio.fail_after(timeout):
            while not self.quiet():
                await anyio.sleep(0.05)
        expected = set(self.gnss.stop()) | also
        with contextlib.suppress(TimeoutError):
            await self.platform.wait_for(
                lambda: len(received_numbers(self.platform) & expected)
                >= len(expected) - may_lose, timeout=timeout)
        await anyio.sleep(0.3)                # a late duplicate would show up here
        return tally(self.platform, expected)


Link = Callable[[Platform, Any], contextlib.AbstractAsyncContextManager[str]]


@contextlib.asynccontextmanager
async def direct(platform: Platform, tg: Any) -> AsyncIterator[str]:
    """The terminal connects straight to the platform over tcp://127.0.0.1."""
    yield platform.url("tcp")


@contextlib.asynccontextmanager
async def running(link: Link = direct, *, platform: Platform | None = None,
                  store_path: Path | None = None,
                  clock: Callable[[], float] = time.monotonic,
                  params: dict[int, Any] | None = None,
                  gnss: ScriptedGnss | None = None) -> AsyncIterator[Rig]:
    """A platform on 127.0.0.1 and a Terminal running against it, reached through
    ``link(platform, tg)`` (an async context manager giving the terminal's URL)."""
    platform = platform or Platform()
    gnss = gnss or ScriptedGnss()
    async with platform:
        await platform.serve("tcp://127.0.0.1:0")
        async with anyio.create_task_group() as tg:
            async with link(platform, tg) as target:          # a URL or a ModemLink
                terminal = make_terminal(getattr(target, "url", target), gnss=gnss,
                                         store_path=store_path, clock=clock, params=params,
                                         transport_options=getattr(target, "options", None))
                async with terminal:
                    tg.start_soon(terminal.run)
                    try:
                        yield Rig(platform, terminal, gnss, tg)
                    finally:
                        await terminal.close()
            tg.cancel_scope.cancel()


# -- a TCP proxy that breaks things ---------------------------------------------------
class _ProxyLink:
    def __init__(self) -> None:
        self.frozen = False
        self.scope: anyio.CancelScope | None = None


class FaultProxy:
    """A TCP proxy on 127.0.0.1 in front of ``upstream`` (host, port).

    ``cut_mid_frame(msg_id)``: the next frame ``msg_id`` from the terminal is forwarded
    only up to its middle, then both sides of that connection are closed.
    ``freeze()``: the current connections stop forwarding (bytes are swallowed) but stay
    open: a half-open link. New connections work normally. ``refuse``: while True, a new
    connection is closed at once (no route to the platform).
    """

    def __init__(self, upstream: tuple[str, int] | None = None) -> None:
        self.upstream = upstream
        self.links: list[_ProxyLink] = []
        self.accepted = 0
        self.cuts = 0
        self.refuse = False
        self._cut_msg: int | None = None
        self._listener: Any = None

    async def start(self, tg: Any) -> str:
        self._listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
        tg.start_soon(self._listener.serve, self._handle)
        port = self._listener.extra(anyio.abc.SocketAttribute.local_port)
        return f"tcp://127.0.0.1:{port}"

    @contextlib.asynccontextmanager
    async def link(self, platform: Platform, tg: Any) -> AsyncIterator[str]:
        """A ``Link`` for ``running``: the terminal reaches the platform through here."""
        self.upstream = platform.address("tcp")
        yield await self.start(tg)

    def cut_mid_frame(self, msg_id: int) -> None:
        self._cut_msg = msg_id

    def drop(self) -> None:
        """Close every current connection, both sides (like a reset)."""
        for link in self.links:
            if link.scope is not None:
                link.scope.cancel()

    def freeze(self) -> None:
        for link in self.links:
            link.frozen = True

    async def _handle(self, client: Any) -> None:
        self.accepted += 1
        async with client:
            if self.refuse:
                return
            try:
                server = await anyio.connect_tcp(*self.upstream)
            except OSError:
                return
            link = _ProxyLink()
            self.links.append(link)
            async with server, anyio.create_task_group() as tg:
                link.scope = tg.cancel_scope
                tg.start_soon(self._pump, client, server, link, True)
                await self._pump(server, client, link, False)
                tg.cancel_scope.cancel()

    async def _pump(self, source: Any, sink: Any, link: _ProxyLink, upward: bool) -> None:
        while True:
            try:
                data = await source.receive()
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                break
            if link.frozen:
                continue
            cut = self._cut_point(data) if upward else None
            try:
                await sink.send(data if cut is None else data[:cut])
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                break
            if cut is not None:
                self._cut_msg = None
                self.cuts += 1
                break
        assert link.scope is not None
        link.scope.cancel()

    def _cut_point(self, data: bytes) -> int | None:
        if self._cut_msg is None:
            return None
        start = data.find(b"\x7e" + self._cut_msg.to_bytes(2, "big"))
        end = data.find(b"\x7e", start + 1) if start >= 0 else -1
        if end < 0:
            return None
        return start + (end - start + 1) // 2


# -- the modem simulator ----------------------------------------------------------
@contextlib.asynccontextmanager
async def modem_url(platform_port: int, **sim_options: Any) -> AsyncIterator[tuple[Any, Any]]:
    """A started ``ModemSimulator`` and the terminal URL that reaches 127.0.0.1:port
    through it (one Quectel driver shared across reconnections, as ``jt808 run``)."""
    from hal import modem_sim as sim_module
    from jt808.demo import shared_modem
    sim = sim_module.ModemSimulator(**sim_options).start()
    try:
        url = f"quectel+tcp://{sim.at_port}?host=127.0.0.1&port={platform_port}"
        async with shared_modem(url) as link:
            yield sim, link
    finally:
        sim.stop()


class Modem:
    """A ``Link`` for ``running`` through a ``ModemSimulator`` (``.sim`` once started)."""

    def __init__(self, **sim_options: Any) -> None:
        self.sim_options = sim_options
        self.sim: Any = None

    @contextlib.asynccontextmanager
    async def link(self, platform: Platform, tg: Any) -> AsyncIterator[Any]:
        async with modem_url(platform.address("tcp")[1], **self.sim_options) as (sim, link):
            self.sim = sim
            yield link


def open_sockets(sim: Any) -> list[int]:
    """Connection ids of the simulator's open sockets."""
    return sim.call(lambda: sorted(sim.sockets.slots))
