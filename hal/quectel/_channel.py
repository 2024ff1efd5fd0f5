"""ATChannel: the one owner of the modem's AT serial port.

An anyio task reads the port through a worker thread (``serial.read`` with a
short timeout, so it works the same on a tty, a pty, ``socket://`` and
``loop://``), feeds :class:`AtParser`, and routes what comes out: lines and the
final result code to the command in flight, URCs to ``on_urc`` callbacks.
Commands are serialised by a lock: one command (and its ``>`` data) at a time.

Resynchronisation: a command that ends without its final result code (timeout
or cancellation) leaves the link in an unknown state: the modem may still be
waiting for the ``len`` payload bytes of ``AT+QISEND=id,len`` (its ``>`` prompt
was garbled), and the late final result of that command must not be taken as
the answer to the next one. So the channel then writes the payload anyway when
the prompt never came (the modem was most likely waiting for exactly those
bytes; if not, they end in an ERROR that is discarded), and sends the marker
command ``AT+CMEE?``: every final result code is discarded until one preceded
by a ``+CMEE:`` line arrives. The modem answers in order, so everything before
that marker answer belongs to older commands. This happens at once after a
timeout (bounded by ``sync_timeout``) and, if it did not succeed, again before
the next command. Late ``+CMEE:`` answers of earlier sync attempts are
recognised and discarded too. ``on_resync`` callbacks run after each
successful resynchronisation (the modem re-polls sockets and SMS, since a
garbled URC may have been lost).
"""
from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import attrs
import serial

from ..errors import ChannelClosedError, ModemError, ModemTimeout
from ._at_parser import AtParser, Event, Final, Line, Prompt, Urc

__all__ = ["ATChannel", "ATResult", "open_channel"]

UrcCallback = Callable[[Urc], Any]

#: The marker command of a resynchronisation and the prefix of its answer line.
SYNC_COMMAND = "AT+CMEE?"
SYNC_REPLY = "+CMEE:"


@attrs.frozen
class ATResult:
    """What one command got back: its information lines, the final code, raw data."""

    command: str
    lines: tuple[str, ...]
    final: str
    data: bytes | None = None       # the bytes after "+QIRD: n" when there were some


@attrs.define
class _InFlight:
    command: str
    lines: list[str] = attrs.Factory(list)
    data: bytes | None = None
    final: Final | None = None
    sync: bool = False              # a resync marker: only a final after "+CMEE:" ends it
    prompt: anyio.Event = attrs.Factory(anyio.Event)
    done: anyio.Event = attrs.Factory(anyio.Event)


class ATChannel:
    """Serialised AT commands plus URC routing over one serial port.

    Create it with :func:`open_channel`; or build one on an open pyserial port
    and run :meth:`run` in a task group yourself.
    """

    def __init__(self, port: serial.SerialBase, *, read_size: int = 4096,
                 max_line: int = 4096, keep_unhandled: int = 64) -> None:
        self._port = port
        self._read_size = read_size
        self._parser = AtParser(max_line=max_line)
        self._lock = anyio.Lock()
        self._inflight: _InFlight | None = None
        self._routes: list[tuple[str, UrcCallback]] = []
        self._closed: BaseException | None = None
        #: URCs nobody subscribed to (most recent first out), and stray lines.
        self.unhandled: deque[Urc] = deque(maxlen=keep_unhandled)
        self.stray_lines = 0
        #: Seconds one resynchronisation may take (payload write plus marker round trip).
        self.sync_timeout = 2.0
        #: Successful resynchronisations, and final result codes discarded as stale.
        self.resyncs = 0
        self.discarded_finals = 0
        self._needs_sync = False
        self._owed_data: bytes | None = None     # payload of a QISEND whose prompt never came
        self._resync_hooks: list[Callable[[], Any]] = []

    # ------------------------------------------------------------------ URCs

    def on_urc(self, prefix: str, callback: UrcCallback) -> Callable[[], None]:
        """Call ``callback(urc)`` for every URC whose text starts with ``prefix``.

        The callback runs in the reader task: it must not block (set an event,
        put into a stream with ``send_nowait``). Returns an unsubscribe function.
        """
        route = (prefix, callback)
        self._routes.append(route)
        return lambda: self._routes.remove(route) if route in self._routes else None

    def on_resync(self, callback: Callable[[], Any]) -> Callable[[], None]:
        """Call ``callback()`` (must not block) after each successful resynchronisation."""
        self._resync_hooks.append(callback)
        return lambda: self._resync_hooks.remove(callback) if callback in self._resync_hooks else None

    @property
    def in_sync(self) -> bool:
        """False while an unfinished command may still answer (resync pending)."""
        return not self._needs_sync

    def _dispatch_urc(self, urc: Urc) -> None:
        handled = False
        for prefix, callback in list(self._routes):
            if urc.text.startswith(prefix):
                callback(urc)
                handled = True
        if not handled:
            self.unhandled.append(urc)

    # ------------------------------------------------------------------ reader

    async def run(self) -> None:
        """Read the port until it fails or the caller cancels this task."""
        try:
            while True:
                data = await anyio.to_thread.run_sync(self._read_blocking)
                if data:
                    self._handle(self._parser.feed(data))
        except (OSError, serial.SerialException) as exc:
            self._fail(ChannelClosedError(f"serial port failed: {exc}"))
        finally:
            if self._closed is None:
                self._fail(ChannelClosedError("AT channel closed"))

    def _read_blocking(self) -> bytes:
        waiting = self._port.in_waiting
        return self._port.read(min(max(waiting, 1), self._read_size))

    def _handle(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, Urc):
                self._dispatch_urc(event)
                continue
            cmd = self._inflight
            if cmd is None:
                self.stray_lines += 1
            elif isinstance(event, Line):
                cmd.lines.append(event.text)
                if event.data is not None:
                    cmd.data = (cmd.data or b"") + event.data
            elif isinstance(event, Prompt):
                cmd.prompt.set()
            elif isinstance(event, Final):
                if self._stale(cmd, event):
                    self.discarded_finals += 1
                    cmd.lines.clear()
                    cmd.data = None
                    continue
                cmd.final = event
                cmd.done.set()
                cmd.prompt.set()
                self._inflight = None

    @staticmethod
    def _stale(cmd: _InFlight, final: Final) -> bool:
        """Is ``final`` (with ``cmd.lines`` before it) an older command's answer?"""
        marked = any(line.startswith(SYNC_REPLY) for line in cmd.lines)
        if cmd.sync:
            return not (final.ok and marked)
        return marked and cmd.command.upper() != SYNC_COMMAND

    def _fail(self, exc: BaseException) -> None:
        self._closed = exc
        cmd = self._inflight
        if cmd is not None:
            cmd.done.set()
            cmd.prompt.set()

    @property
    def closed(self) -> bool:
        """True once the port failed or the channel stopped."""
        return self._closed is not None

    @property
    def dropped_lines(self) -> int:
        """Lines over ``max_line`` bytes (and absurd data lengths) the parser threw away."""
        return self._parser.dropped_lines

    # ------------------------------------------------------------------ commands

    async def _write(self, data: bytes) -> None:
        try:
            await anyio.to_thread.run_sync(self._port.write, data)
        except (OSError, serial.SerialException) as exc:
            self._fail(ChannelClosedError(f"serial write failed: {exc}"))
            raise self._closed from exc  # type: ignore[misc]

    async def command(self, cmd: str, *, timeout: float = 5.0,
                      data: bytes | None = None) -> ATResult:
        """Send ``cmd`` (without ``\\r``) and wait for its final result code.

        With ``data``, wait for the ``>`` prompt, write ``data`` as-is (the
        caller adds 0x1A for AT+CMGS) and then wait for the final code.
        Raises :class:`ModemError` on ERROR / +CME / +CMS / SEND FAIL,
        :class:`ModemTimeout` after ``timeout`` s, :class:`ChannelClosedError`.
        """
        async with self._lock:
            if self._closed is not None:
                raise ChannelClosedError(str(self._closed))
            if self._needs_sync and not await self._sync():
                raise ModemTimeout(f"{cmd!r} not sent: the channel did not resynchronise "
                                   f"({SYNC_COMMAND} unanswered in {self.sync_timeout} s)")
            inflight = _InFlight(cmd)
            self._inflight = inflight
            self._parser.begin(cmd)
            timed_out = False
            try:
                with anyio.fail_after(timeout):
                    await self._write(cmd.encode("latin-1") + b"\r")
                    if data is not None:
                        await inflight.prompt.wait()
                        if inflight.final is None and self._closed is None:
                            await self._write(data)
                    await inflight.done.wait()
            except TimeoutError:
                timed_out = True
            finally:
                self._unfinished(inflight, data)
            if timed_out:
                lost_prompt = data is not None and not inflight.prompt.is_set()
                synced = await self._sync()
                raise ModemTimeout(
                    f"{cmd!r}: no {'data prompt' if lost_prompt else 'final result code'} "
                    f"in {timeout} s" + ("; the payload was written anyway to resynchronise "
                                         "(it may have been sent)" if lost_prompt else "")
                    + ("" if synced else "; resynchronisation pending"))
        return self._result(inflight)

    def _unfinished(self, inflight: _InFlight, data: bytes | None) -> None:
        """After a command: if it got no final result, resync before the next one."""
        if self._inflight is inflight:
            self._inflight = None
        if inflight.final is not None or self._closed is not None:
            return
        self._needs_sync = True
        if data is not None and not inflight.prompt.is_set():
            self._owed_data = data

    async def _sync(self) -> bool:
        """Write owed payload, then ``AT+CMEE?`` until its answer; discard all before it."""
        owed, self._owed_data = self._owed_data, None
        marker = _InFlight(SYNC_COMMAND, sync=True)
        self._inflight = marker
        self._parser.begin(SYNC_COMMAND)
        try:
            with anyio.move_on_after(self.sync_timeout):
                if owed:
                    await self._write(owed)
                # the leading CR ends any junk the modem took as a command line
                await self._write(b"\r" + SYNC_COMMAND.encode() + b"\r")
                await marker.done.wait()
        finally:
            if self._inflight is marker:
                self._inflight = None
        if marker.final is None or self._closed is not None:
            return False
        self._needs_sync = False
        self.resyncs += 1
        for hook in list(self._resync_hooks):
            hook()
        return True

    def _result(self, inflight: _InFlight) -> ATResult:
        final = inflight.final
        if final is None:
            raise ChannelClosedError(f"{inflight.command!r}: {self._closed}")
        if not final.ok:
            raise ModemError(final.text, command=inflight.command,
                             kind=final.kind, code=final.code)
        return ATResult(inflight.command, tuple(inflight.lines), final.text, inflight.data)


def _open_port(url_or_path: str, baudrate: int) -> serial.SerialBase:
    return serial.serial_for_url(url_or_path, baudrate=baudrate, timeout=0.05,
                                 write_timeout=None)


@contextlib.asynccontextmanager
async def open_channel(url_or_path: str, baudrate: int = 115200,
                       **kwargs: Any) -> AsyncIterator[ATChannel]:
    """Open a port (``/dev/ttyUSB2``, a pty path, ``socket://h:p``, ``loop://``) and run its channel."""
    port = await anyio.to_thread.run_sync(_open_port, url_or_path, baudrate)
    try:
        channel = ATChannel(port, **kwargs)
        async with anyio.create_task_group() as tg:
            tg.start_soon(channel.run)
            try:
                yield channel
            finally:
                tg.cancel_scope.cancel()
    finally:
        port.close()
