"""One simulated terminal: a ``TerminalSession`` on one transport, driven by one task.

Kept small on purpose (thousands per process): no ``SessionDriver``, no second task,
``__slots__``. The task waits for input with a deadline (the next report, the session's
timer or the end of the run) and does everything itself.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import anyio

from ..codec import (LocationQueryResponse, QueryTerminalParamsResponse, TerminalAuth,
                     TerminalParam, TerminalRegister)
from ..errors import LocalProtocolError, TransportError
from ..session import (AUTHENTICATED, MessageReceived, ProtocolErrorReceived, ReplyReceived,
                       RequestTimedOut, TerminalSession)
from ..transport import open_transport
from ._config import SimConfig
from ._route import SharedRoute
from ._stats import Stats

__all__ = ["SimTerminal", "Clock"]

_REGISTER, _AUTH = 0x0100, 0x0102
_PARAM_QUERIES = frozenset({0x8104, 0x8106})
_LOCATION_QUERY, _LOCATION = 0x8201, 0x0200
_BACKOFF = (1.0, 2.0, 5.0, 10.0)


class Clock:
    """The run's shared times: ``stop`` (no new report after it), ``end`` (give up),
    ``steady`` (reports sent after it are timed apart: the ramp is over)."""

    def __init__(self, start: float, config: SimConfig) -> None:
        self.start = start
        self.stop = start + config.duration
        self.end = self.stop + config.drain
        self.steady = start + config.ramp_seconds + config.rate   # every terminal is up


class _LinkDown(Exception):
    """The link failed; reconnect."""


class SimTerminal:
    __slots__ = ("index", "config", "route", "stats", "clock", "session", "offset",
                 "sent_at", "next_report", "transport", "datagram", "_params_answer")

    def __init__(self, index: int, config: SimConfig, route: SharedRoute, stats: Stats,
                 clock: Clock) -> None:
        self.index, self.config, self.route, self.stats, self.clock = \
            index, config, route, stats, clock
        bearer = "udp" if config.server.startswith("udp") else "tcp"
        timeout_id = 0x0004 if bearer == "udp" else 0x0002
        self.session = TerminalSession(config.phone(index), config.version, bearer=bearer,
                                       params={0x0001: config.heartbeat,
                                               timeout_id: config.reply_timeout})
        self.offset = route.offset_for(index)
        self.sent_at: dict[int, float] = {}
        self.next_report = 0.0
        self.transport: Any = None
        self.datagram = False
        self._params_answer = (TerminalParam(0x0001, config.heartbeat),
                               TerminalParam(0x0002, config.reply_timeout))

    # -- life ----------------------------------------------------------------------
    async def run(self, start_at: float) -> None:
        """Connect at ``start_at``; keep the link (reconnecting) until the run ends."""
        try:
            await self._run(start_at)
        except Exception as exc:  # noqa: BLE001 - one broken terminal must not end the run
            note = f"terminal {self.index} failed: {type(exc).__name__}: {exc}"
            if len(self.stats.notes) < 10:
                self.stats.notes.append(note)
            self.stats.bump("terminal_errors")
            self._count_lost()

    async def _run(self, start_at: float) -> None:
        await anyio.sleep(max(0.0, start_at - anyio.current_time()))
        failures = 0
        self.stats.bump("terminals")
        while anyio.current_time() < self.clock.stop:
            try:
                self.transport = await open_transport(self.config.server)
            except (TransportError, OSError, ValueError):
                self.stats.bump("connect_failures")
                failures += 1
                await anyio.sleep(_BACKOFF[min(failures, len(_BACKOFF)) - 1])
                continue
            self.datagram = getattr(self.transport, "kind", "stream") == "datagram"
            self.stats.bump("connected")
            try:
                if await self._link():
                    break
            except _LinkDown:
                pass
            finally:
                self.stats.bump("connected", -1)
                if self.session.state == AUTHENTICATED:
                    self.stats.bump("authenticated", -1)
                with anyio.CancelScope(shield=True):
                    await self.transport.aclose()
                self.transport = None
            if anyio.current_time() >= self.clock.stop:
                break
            self.stats.bump("reconnects")
            failures = 1
            await anyio.sleep(_BACKOFF[0] * random.random())
        self._count_lost()

    def _count_lost(self) -> None:
        self.stats.lost += len(self.sent_at)
        self.sent_at.clear()
        self.session.close()

    async def _link(self) -> bool:
        """Log in and report until the run ends (True) or the link fails (raises)."""
        session = self.session
        session.connection_made()
        now = anyio.current_time()
        if session.auth_code is None:
            self._request(TerminalRegister(31, 115, "70111", "SIM", f"{self.index:07d}"[-7:],
                                           1, f"京A{self.index % 100000:05d}"), now)
        else:
            self._request(self._auth(), now)
        await self._flush()
        while True:
            now = anyio.current_time()
            if now >= self.clock.end or (now >= self.clock.stop and not self.sent_at):
                return True
            if session.state == AUTHENTICATED and now >= self.next_report < self.clock.stop:
                self._request(self.route.report(self.offset, now - self.clock.start,
                                                time.time()), now)
                self.next_report += self.config.rate
            timer = session.get_timer()
            if timer is not None and timer <= now:
                session.handle_timer(now)
                self._events(now)
            await self._flush()
            await self._receive(self._deadline() - now)

    def _deadline(self) -> float:
        deadline = self.clock.end if self.sent_at else self.clock.stop
        if self.session.state == AUTHENTICATED and self.next_report < self.clock.stop:
            deadline = min(deadline, self.next_report)
        timer = self.session.get_timer()
        return deadline if timer is None else min(deadline, timer)

    async def _receive(self, delay: float) -> None:
        data = None
        with anyio.move_on_after(max(delay, 0.0)):
            try:
                data = await self.transport.receive()
            except TransportError as exc:
                raise _LinkDown from exc
        if data is None:
            return
        if not data:
            raise _LinkDown
        self.stats.bump("frames_received")
        now = anyio.current_time()
        self.session.receive_data(data, now)
        self._events(now)

    async def _flush(self) -> None:
        frames = self.session.datagrams_to_send()
        if not frames:
            return
        self.stats.bump("frames_sent", len(frames))
        try:
            if self.datagram:
                for frame in frames:
                    await self.transport.send(frame)
            else:
                await self.transport.send(b"".join(frames))
        except TransportError as exc:
            raise _LinkDown from exc

    # -- requests and events -------------------------------------------------------
    def _auth(self) -> TerminalAuth:
        return TerminalAuth(self.session.auth_code or "", f"86{self.index:013d}"[-15:],
                            "sim-1.0")

    def _request(self, message: Any, now: float) -> None:
        serial = self.session.send(message, now)
        self.sent_at[serial] = now
        self.stats.sent_request(message.msg_id)

    def _events(self, now: float) -> None:
        session = self.session
        while (event := session.next_event()) is not None:
            handler = _EVENT_HANDLERS.get(type(event))
            if handler is not None:
                handler(self, event, now)

    def _on_reply(self, event: ReplyReceived, now: float) -> None:
        sent = self.sent_at.pop(event.request_serial, None)
        request_id = event.request.msg_id
        if sent is not None:
            self.stats.replied(request_id, now - sent, self.config.late,
                               request_id == _LOCATION and sent >= self.clock.steady)
        result = getattr(event.reply, "result", 0)
        if request_id == _REGISTER:
            if result != 0:
                raise _LinkDown
            self._request(self._auth(), now)
        elif request_id == _AUTH:
            if result != 0:
                self.session.auth_code = None          # register again on the next link
                raise _LinkDown
            self.stats.bump("authenticated")
            if self.next_report == 0.0:
                self.stats.bump("ever_authenticated")
                self.next_report = now + random.random() * self.config.rate
            else:
                self.next_report = max(self.next_report, now)

    def _on_timeout(self, event: RequestTimedOut, now: float) -> None:
        self.stats.bump("timed_out")
        if self.sent_at.pop(event.request_serial, None) is not None:
            self.stats.lost += 1
        if event.request.msg_id in (_REGISTER, _AUTH):
            raise _LinkDown

    def _on_command(self, event: MessageReceived, now: float) -> None:
        header = event.header
        try:
            if header.msg_id in _PARAM_QUERIES:
                self.session.send(QueryTerminalParamsResponse(header.serial,
                                                              self._params_answer), now)
            elif header.msg_id == _LOCATION_QUERY:
                report = self.route.report(self.offset, now - self.clock.start, time.time())
                self.session.send(LocationQueryResponse(header.serial, report), now)
            else:
                self.session.reply(header, 0, now)
        except LocalProtocolError:
            return                                    # not allowed in this state
        self.stats.bump("commands_answered")

    def _on_error(self, event: ProtocolErrorReceived, now: float) -> None:
        self.stats.bump("protocol_errors")


_EVENT_HANDLERS: dict[type, Callable[[SimTerminal, Any, float], None]] = {
    ReplyReceived: SimTerminal._on_reply, RequestTimedOut: SimTerminal._on_timeout,
    MessageReceived: SimTerminal._on_command, ProtocolErrorReceived: SimTerminal._on_error,
}
