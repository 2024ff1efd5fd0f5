"""ATChannel: the one owner of the modem's AT serial port.

An anyio task reads the port through a worker thread (``serial.read`` with a
short timeout, so it works the same on a tty, a pty, ``socket://`` and
``loop://``), feeds :class:`AtParser`, and routes what comes out: lines and the
final result code to the command in flight, URCs to ``on_urc`` callbacks.
Commands are serialised by a lock: one command (and its ``>`` data) at a time.
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

    # ------------------------------------------------------------------ URCs

    def on_urc(self, prefix: str, callback: UrcCallback) -> Callable[[], None]:
        """Call ``callback(urc)`` for every URC whose text starts with ``prefix``.

        The callback runs in the reader task: it must not block (set an event,
        put into a stream with ``send_nowait``). Returns an unsubscribe function.
        """
        route = (prefix, callback)
        self._routes.append(route)
        return lambda: self._routes.remove(route) if route in self._routes else None

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
                cmd.final = event
                cmd.done.set()
                cmd.prompt.set()
                self._inflight = None

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
            inflight = _InFlight(cmd)
            self._inflight = inflight
            self._parser.begin(cmd)
            try:
                with anyio.fail_after(timeout):
                    await self._write(cmd.encode("latin-1") + b"\r")
                    if data is not None:
                        await inflight.prompt.wait()
                        if inflight.final is None and self._closed is None:
                            await self._write(data)
                    await inflight.done.wait()
            except TimeoutError:
                raise ModemTimeout(f"{cmd!r}: no final result code in {timeout} s") from None
            finally:
                if self._inflight is inflight:
                    self._inflight = None
        return self._result(inflight)

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
