"""``SessionDriver``: the one anyio loop around a sans-IO ``jt808.session`` Session.

The session takes bytes and time as arguments and hands out bytes and events; this
module owns the I/O around it, for either role:

- a reader task feeds what the transport receives to ``session.receive_data``;
- a writer task sends what the session queues, ONE frame per ``transport.send`` (a
  naive peer that reads one frame per ``recv`` loses nothing; issue 11), in order;
- a timer task sleeps until ``session.get_timer()`` and calls ``handle_timer``;
- every event goes to ``on_event``; replies and timeouts also resolve the waiters of
  ``request()``.

Time is read only through the injected clocks: ``clock`` (monotonic seconds: what the
session's timers and ``now`` arguments use, so a wall-clock step never delays a
heartbeat) and ``wall_clock`` (seconds since the epoch, for the role's own message
content; the driver itself never reads it).

Memory a peer controls stays bounded: queued output is counted in bytes, and while it
is above ``max_outbox_bytes`` the reader stops reading, so a peer that floods commands
and never reads our answers meets TCP backpressure, not our growing memory. An optional
``throttle()`` coroutine is awaited before each read as well (a role uses it to bound
the work it has started for the peer's messages).

Using it (a terminal, a platform connection or a simulator, with any transport)::

    driver = SessionDriver(session, transport, on_event=handle)
    async with anyio.create_task_group() as tg:
        tg.start_soon(driver.run)          # until the peer closes, a failure or stop()
        reply = await driver.request(TerminalAuth("code", "", ""))
        driver.stop()

``run()`` does not close the transport: whoever opened it closes it (a modem transport
must be closed by the task that opened it). This module may import session, transport,
codec and frame; never terminal or platform.

For the other loops still written by hand (not ported here; their owners may):

- ``platform/_driver.py`` ``SessionDriver``: pass ``clock=anyio.current_time`` (or the
  platform's clock) and translate ``on_event`` as today. Its ``drop_frame``/``inspect``
  hooks (and ``FrameTap``) become a transport wrapper whose ``receive`` returns only the
  frames to keep (cut with ``jt808.frame.Framer``); ``silent`` becomes a wrapper whose
  ``send`` discards; ``trace`` reads ``on_event`` and the wrapper's ``send``. Its one
  joined write per batch becomes one frame per write (issue 11).
- ``simulator/_terminal.py`` ``SimTerminal._link`` may keep its lean loop; to use this
  one, build ``SessionDriver(session, transport, clock=<the simulator clock>)`` and
  replace its read/timer tasks with ``run()`` and its waits with ``request()``.
"""
from __future__ import annotations

import collections
import logging
import math
import time
from typing import Any, Awaitable, Callable

import anyio

from ..codec import Message
from ..errors import ResponseTimeout, TransportError
from ..frame import Header
from ..session import Event, ReplyReceived, RequestTimedOut, Session

__all__ = ["SessionDriver", "DEFAULT_MAX_OUTBOX_BYTES"]

log = logging.getLogger("jt808.driver")
#: every chunk received and frame sent, in hex, at DEBUG (``jt808 run -vv`` shows it)
wire_log = logging.getLogger("jt808.wire")

DEFAULT_MAX_OUTBOX_BYTES = 64 * 1024


class _Waiter:
    __slots__ = ("event", "reply", "error")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.reply: Message | None = None
        self.error: BaseException | None = None

    def resolve(self, reply: Message | None = None, error: BaseException | None = None) -> None:
        if not self.event.is_set():
            self.reply, self.error = reply, error
            self.event.set()


class SessionDriver:
    """Moves bytes between ``session`` and ``transport``; see the module docstring."""

    def __init__(self, session: Session, transport: Any, *,
                 on_event: Callable[[Event], Any] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time,
                 max_outbox_bytes: int = DEFAULT_MAX_OUTBOX_BYTES,
                 throttle: Callable[[], Awaitable[None]] | None = None,
                 name: str = "link") -> None:
        if max_outbox_bytes < 1:
            raise ValueError(f"max_outbox_bytes must be >= 1, got {max_outbox_bytes}")
        self.session = session
        self.transport = transport
        self.on_event = on_event
        self.clock = clock
        self.wall_clock = wall_clock
        self.max_outbox_bytes = max_outbox_bytes
        self.throttle = throttle
        self.name = name
        self.datagram = getattr(transport, "kind", "stream") == "datagram"
        self.error: BaseException | None = None     # why the link ended, if it failed
        self.closed = False
        self._outbox: collections.deque[bytes] = collections.deque()
        self.outbox_bytes = 0
        self._frames_queued = anyio.Event()       # the writer waits on it
        self._frames_sent = anyio.Event()         # the reader waits on it (backpressure)
        self._timer_changed = anyio.Event()
        self._waiters: dict[int, _Waiter] = {}
        self._scope: anyio.CancelScope | None = None
        self._stop_requested = False

    # -- running -------------------------------------------------------------------
    async def run(self) -> None:
        """Serve the link until the peer closes it, the transport fails or ``stop()``;
        then every waiting ``request()`` fails with ``TransportError``."""
        try:
            with anyio.CancelScope() as self._scope:
                if self._stop_requested:
                    self._scope.cancel()
                async with anyio.create_task_group() as tg:
                    tg.start_soon(self._write_loop)
                    tg.start_soon(self._timer_loop)
                    await self._read_loop()
                    tg.cancel_scope.cancel()
        finally:
            self._shut()

    def stop(self) -> None:
        """End ``run()`` (from any task of the same event loop)."""
        self._stop_requested = True
        if self._scope is not None:
            self._scope.cancel()

    def _shut(self) -> None:
        self.closed = True
        self._outbox.clear()
        self.outbox_bytes = 0
        self._frames_sent.set()
        lost = TransportError(f"the {self.name} was lost")
        for waiter in list(self._waiters.values()):
            waiter.resolve(error=lost)

    async def _read_loop(self) -> None:
        while True:
            await self._wait_outbox_below_limit()
            if self.throttle is not None:
                await self.throttle()
            try:
                data = await self.transport.receive()
            except TransportError as exc:
                self.error = exc
                return
            if not data:
                return
            if wire_log.isEnabledFor(logging.DEBUG):
                wire_log.debug("%s <- %s", self.name, bytes(data).hex())
            self.session.receive_data(data, self.clock())
            self.process_events()
            self.flush()

    async def _wait_outbox_below_limit(self) -> None:
        while self.outbox_bytes > self.max_outbox_bytes:
            self._frames_sent = anyio.Event()
            await self._frames_sent.wait()

    async def _write_loop(self) -> None:
        while True:
            while not self._outbox:
                self._frames_queued = anyio.Event()
                await self._frames_queued.wait()
            frame = self._outbox[0]
            if wire_log.isEnabledFor(logging.DEBUG):
                wire_log.debug("%s -> %s", self.name, frame.hex())
            try:
                await self.transport.send(frame)
            except (TransportError, ValueError) as exc:
                self.error = exc
                self.stop()
                return
            if self._outbox and self._outbox[0] is frame:
                self._outbox.popleft()
                self.outbox_bytes -= len(frame)
            self._frames_sent.set()

    async def _timer_loop(self) -> None:
        while True:
            deadline = self.session.get_timer()
            self._timer_changed = anyio.Event()
            delay = math.inf if deadline is None else max(0.0, deadline - self.clock())
            with anyio.move_on_after(delay):
                await self._timer_changed.wait()
            now = self.clock()
            deadline = self.session.get_timer()
            if deadline is not None and deadline <= now:
                self.session.handle_timer(now)
                self.process_events()
                self.flush()

    # -- events --------------------------------------------------------------------
    def process_events(self) -> None:
        """Hand every queued session event to ``on_event``; resolve request waiters."""
        while (event := self.session.next_event()) is not None:
            if self.on_event is not None:
                self.on_event(event)
            if type(event) is ReplyReceived:
                waiter = self._waiters.get(event.request_serial)
                if waiter is not None:
                    waiter.resolve(event.reply)
            elif type(event) is RequestTimedOut:
                waiter = self._waiters.get(event.request_serial)
                if waiter is not None:
                    msg_id = event.request.msg_id
                    waiter.resolve(error=ResponseTimeout(
                        f"no reply to 0x{msg_id:04X} serial {event.request_serial} after "
                        f"{event.attempts} attempts", msg_id=msg_id,
                        serial=event.request_serial))

    # -- output --------------------------------------------------------------------
    def flush(self) -> None:
        """Queue what the session wants to send (one entry per frame) for the writer,
        and let the timer task see a deadline the session may have moved."""
        frames = self.session.datagrams_to_send()
        if frames and not self.closed:
            self._outbox.extend(frames)
            self.outbox_bytes += sum(map(len, frames))
            self._frames_queued.set()
        self._timer_changed.set()

    def _check_open(self) -> None:
        if self.closed:
            raise TransportError(f"the {self.name} is closed")

    def send(self, message: Message, *, expect_reply: bool | None = False) -> int:
        """Queue ``message``; returns its serial (``expect_reply`` as in ``Session.send``)."""
        self._check_open()
        serial = self.session.send(message, self.clock(), expect_reply=expect_reply)
        self.flush()
        return serial

    def reply(self, header: Header, result: int = 0) -> int:
        """Queue the general reply to the message with ``header``; returns its serial."""
        self._check_open()
        serial = self.session.reply(header, result, self.clock())
        self.flush()
        return serial

    async def request_serial(self, message: Message, timeout: float | None = None
                             ) -> tuple[int, Message]:
        """Send ``message`` and wait for its reply: ``(serial, reply)``. Raises
        ``ResponseTimeout`` (with ``msg_id`` and ``serial``) after the session's
        retransmissions or ``timeout`` seconds, ``TransportError`` if the link ends."""
        self._check_open()
        serial = self.session.send(message, self.clock())
        waiter = self._waiters[serial] = _Waiter()
        self.flush()
        try:
            with anyio.move_on_after(math.inf if timeout is None else timeout):
                await waiter.event.wait()
        finally:
            self._waiters.pop(serial, None)
        if not waiter.event.is_set():
            self.session.pending.pop(serial, None)
            raise ResponseTimeout(f"no reply to 0x{message.msg_id:04X} serial {serial} "
                                  f"within {timeout} s", msg_id=message.msg_id, serial=serial)
        if waiter.error is not None:
            raise waiter.error
        assert waiter.reply is not None
        return serial, waiter.reply

    async def request(self, message: Message, timeout: float | None = None) -> Message:
        """Like ``request_serial`` but returns only the reply."""
        return (await self.request_serial(message, timeout))[1]
