"""Drive one sans-IO session over one transport with anyio: input, timers, replies awaited.

Used by both sides the platform package needs: the platform's connections and the
minimal terminal of the demo and the tests.
"""
from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable
from typing import Any

import anyio

from ..codec import Message, decode_body
from ..errors import JT808Error, ResponseTimeout, TransportError
from ..frame import Frame, Header, unpack
from ..session import (Event, MessageReceived, ProtocolErrorReceived, ReassemblyFailed,
                       ReplyReceived, RequestTimedOut, Session)
from ._describe import describe

__all__ = ["SessionDriver", "FrameTap"]

log = logging.getLogger("jt808.platform")


class FrameTap:
    """Cuts a byte stream into whole ``0x7e … 0x7e`` frames (bounded buffer)."""

    LIMIT = 64 * 1024

    def __init__(self) -> None:
        self._buf = bytearray()

    def take(self) -> bytes:
        """What is buffered (the start of a frame not ended yet), emptying the buffer."""
        data, self._buf = bytes(self._buf), bytearray()
        return data

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        frames: list[bytes] = []
        while True:
            start = self._buf.find(0x7E)
            if start < 0:
                self._buf.clear()
                break
            end = self._buf.find(0x7E, start + 1)
            if end < 0:
                del self._buf[:start]
                if len(self._buf) > self.LIMIT:
                    self._buf.clear()
                break
            if end == start + 1:                   # 7e 7e: the second flag starts a frame
                del self._buf[:end]
                continue
            frames.append(bytes(self._buf[start:end + 1]))
            del self._buf[:end + 1]
        return frames


class _Waiter:
    __slots__ = ("event", "reply", "error")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.reply: Message | None = None
        self.error: JT808Error | None = None


class SessionDriver:
    """Moves bytes between ``session`` and ``transport``; events go to ``on_event``.

    ``drop_frame(header) -> bool`` discards an incoming frame before the session sees
    it (a lost packet); ``silent`` throws away everything the session wants to send.
    ``trace(line)`` receives one human line per frame sent and message received; the
    lines are only built when ``trace`` is set and ``trace_enabled()`` (if given) is true,
    checked once per batch of input or output.
    """

    def __init__(self, session: Session, transport: Any, *,
                 on_event: Callable[[Event], Any] | None = None,
                 drop_frame: Callable[[Header], bool] | None = None,
                 inspect: Callable[[Header, bytes], None] | None = None,
                 silent: Callable[[], bool] | bool = False,
                 trace: Callable[[str], None] | None = None,
                 trace_enabled: Callable[[], bool] | None = None, name: str = "") -> None:
        self.session = session
        self.transport = transport
        self.datagram = getattr(transport, "kind", "stream") == "datagram"
        self.on_event = on_event
        self.drop_frame = drop_frame
        self.inspect = inspect
        self._silent = silent
        self.trace = trace
        self.trace_enabled = trace_enabled
        self.name = name
        self.closed = False
        self._tap = FrameTap()
        self._tap_used = False                 # the tap may hold bytes for the session
        #: feed input to the session in a worker thread (set when it decrypts RSA);
        #: the session is then touched under ``_session_lock`` only
        self.offload_input = False
        self._session_lock = anyio.Lock()
        self._waiters: dict[int, _Waiter] = {}
        self._sending = False                  # a flush is awaiting the transport
        self._idle: anyio.Event | None = None  # set when that flush ends (if anyone waits)
        self._wake = anyio.Event()
        self._sleep_until = math.inf           # when the timer loop wakes up by itself

    @property
    def silent(self) -> bool:
        return self._silent() if callable(self._silent) else bool(self._silent)

    @staticmethod
    def now() -> float:
        return anyio.current_time()

    def _exclusive(self) -> contextlib.AbstractAsyncContextManager:
        """The session lock while input may be in a worker thread; nothing otherwise."""
        return self._session_lock if self.offload_input else contextlib.nullcontext()

    def tracing(self) -> bool:
        """Whether trace lines are wanted now (so worth building)."""
        return self.trace is not None and (self.trace_enabled is None or self.trace_enabled())

    # -- running -------------------------------------------------------------------
    async def run(self) -> None:
        """Until the peer closes or the transport fails; then fails every waiter."""
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._timer_loop)
                await self._receive_loop()
                tg.cancel_scope.cancel()
        finally:
            self.closed = True
            for waiter in self._waiters.values():
                waiter.error = TransportError(f"{self.name or 'link'} closed")
                waiter.event.set()
            self._waiters.clear()

    async def _receive_loop(self) -> None:
        while True:
            try:
                data = await self.transport.receive()
            except TransportError as exc:
                log.info("%s: %s", self.name, exc)
                return
            if not data:
                return
            if self.offload_input:             # blocking RSA work off the event loop
                async with self._session_lock:
                    await anyio.to_thread.run_sync(self._feed, data, self.now())
            else:
                self._feed(data, self.now())
            self.process_events()
            await self.flush()                  # one send for everything this batch produced

    def _feed(self, data: bytes, now: float) -> None:
        if self.drop_frame is None and self.inspect is None:
            if self._tap_used:                 # the start of a frame the tap still holds
                self._tap_used = False
                data = self._tap.take() + data
            self.session.receive_data(data, now)
            return
        self._tap_used = True
        for frame in self._tap.feed(data):
            parsed = _unpack(frame)
            if parsed is not None:
                if self.inspect is not None:
                    self.inspect(parsed.header, parsed.body)
                if self.drop_frame is not None and self.drop_frame(parsed.header):
                    if self.tracing():
                        self._trace(f"<- {_packet_text(parsed.header)} DROPPED on purpose")
                    continue
            self.session.receive_data(frame, now)

    async def _timer_loop(self) -> None:
        """Sleeps until the session's timer; woken early only when it moved earlier."""
        while True:
            deadline = self.session.get_timer()
            self._sleep_until = math.inf if deadline is None else deadline
            if deadline is None:
                await self._wake.wait()
            else:
                with anyio.move_on_after(max(0.0, deadline - self.now())):
                    await self._wake.wait()
            self._sleep_until = -math.inf           # awake: nobody needs to wake us
            if self._wake.is_set():
                self._wake = anyio.Event()
            async with self._exclusive():
                deadline = self.session.get_timer()
                if deadline is not None and deadline <= self.now():
                    self.session.handle_timer(self.now())
                    self.process_events()
            await self.flush()

    def _check_timer(self) -> None:
        """Wake the timer loop if the session now wants it sooner than it sleeps."""
        deadline = self.session.get_timer()
        if deadline is not None and deadline < self._sleep_until:
            self._sleep_until = -math.inf
            self._wake.set()

    # -- events --------------------------------------------------------------------
    def process_events(self) -> None:
        tracing = self.tracing()
        while (event := self.session.next_event()) is not None:
            if tracing:
                self._trace_event(event)
            if isinstance(event, ReplyReceived):
                waiter = self._waiters.pop(event.request_serial, None)
                if waiter is not None:
                    waiter.reply = event.reply
                    waiter.event.set()
            elif isinstance(event, RequestTimedOut):
                waiter = self._waiters.pop(event.request_serial, None)
                if waiter is not None:
                    waiter.error = ResponseTimeout(
                        f"no reply to 0x{event.request.msg_id:04X} after {event.attempts} tries")
                    waiter.event.set()
            if self.on_event is not None:
                self.on_event(event)

    def _trace_event(self, event: Event) -> None:
        if isinstance(event, MessageReceived):
            self._trace(f"<- {describe(event.message, event.header)}")
        elif isinstance(event, (ProtocolErrorReceived, ReassemblyFailed)):
            self._trace(f"<- problem: {event}")
        elif isinstance(event, ReplyReceived):
            self._trace(f"<- {describe(event.reply, event.header)}")
        elif isinstance(event, RequestTimedOut):
            self._trace(f"!! no reply to 0x{event.request.msg_id:04X} after {event.attempts} tries")

    # -- output --------------------------------------------------------------------
    async def flush(self) -> None:
        """Send all the session has queued, one frame per write (and per datagram):
        peers that read one frame per ``recv`` must not lose the second (issue 11).

        Returns once this call's frames are handed to the transport (waiting for a
        flush already in progress first, so frames never interleave).
        """
        self._check_timer()
        while self._sending:
            if self._idle is None:
                self._idle = anyio.Event()
            await self._idle.wait()
        async with self._exclusive():
            frames = self.session.datagrams_to_send()
        if not frames or self.closed or self.silent:
            return
        if self.tracing():
            for frame in frames:
                self._trace(f"-> {_describe_frame(frame)}")
        self._sending = True
        try:
            for frame in frames:
                await self.transport.send(frame)
        except TransportError as exc:
            log.info("%s: %s", self.name, exc)
        finally:
            self._sending = False
            if self._idle is not None:
                self._idle.set()
                self._idle = None

    async def send(self, message: Message, *, expect_reply: bool | None = None) -> int:
        async with self._exclusive():
            serial = self.session.send(message, self.now(), expect_reply=expect_reply)
        await self.flush()
        return serial

    async def request(self, message: Message, timeout: float | None = 30.0) -> Message:
        """Send ``message`` and return the reply the session matched to it.

        Raises ``ResponseTimeout`` after ``timeout`` seconds or when the session gives up,
        ``TransportError`` when the link closes first.
        """
        if self.closed:
            raise TransportError(f"{self.name or 'link'} is closed")
        waiter = _Waiter()
        async with self._exclusive():
            serial = self.session.send(message, self.now(), expect_reply=True)
        self._waiters[serial] = waiter
        await self.flush()
        with anyio.move_on_after(math.inf if timeout is None else timeout):
            await waiter.event.wait()
        if not waiter.event.is_set():
            self._waiters.pop(serial, None)
            async with self._exclusive():
                self.session.pending.pop(serial, None)
            raise ResponseTimeout(f"no reply to 0x{message.msg_id:04X} within {timeout} s")
        if waiter.error is not None:
            raise waiter.error
        return waiter.reply  # type: ignore[return-value]

    async def aclose(self) -> None:
        self.closed = True
        await self.transport.aclose()

    def _trace(self, line: str) -> None:
        if self.trace is not None:
            self.trace(f"{self.name} {line}" if self.name else line)


def _unpack(frame: bytes) -> Frame | None:
    try:
        return unpack(frame)
    except JT808Error:
        return None


def _packet_text(header: Header) -> str:
    packet = f" packet {header.packet[1]}/{header.packet[0]}" if header.packet else ""
    return f"0x{header.msg_id:04X} serial={header.serial}{packet}"


def _describe_frame(frame: bytes) -> str:
    try:
        parsed = unpack(frame)
    except JT808Error as exc:
        return f"unparsable frame ({exc})"
    header = parsed.header
    if header.packet is not None and header.packet[0] > 1:
        return f"{_packet_text(header)} ({len(parsed.body)} bytes)"
    try:
        message = decode_body(header.msg_id, parsed.body, header.version)
    except JT808Error:
        return f"{_packet_text(header)} (body does not decode)"
    return describe(message, header)
