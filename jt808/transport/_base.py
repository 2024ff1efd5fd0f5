"""The two transport interfaces and the one place library errors become ``TransportError``.

Conventions shared by every transport:

- ``receive()`` returns ``b""`` once the peer has closed cleanly (TCP FIN, the
  other memory end closed, the modem reported the socket closed); every later
  call returns ``b""`` again. A datagram transport never delivers an empty
  datagram, so ``b""`` always means end of input.
- Anything else going wrong (refused, reset, serial port gone, PDP lost, a
  call on a transport we closed ourselves) raises ``TransportError`` whose
  ``__cause__`` is the anyio, OS, pyserial or modem-driver error.
- A transport is an ``anyio.abc.AsyncResource``: ``await t.aclose()`` or
  ``async with t:``. Closing twice is harmless.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import ClassVar, Protocol, runtime_checkable

import anyio

from ..errors import TransportError

__all__ = ["ByteStreamTransport", "DatagramTransport", "Listener", "ListenerIterationMixin",
           "translate_errors", "check_datagram", "check_max_bytes", "LIBRARY_ERRORS"]

#: Errors of the libraries below us that mean "the transport failed".
#: ``serial.SerialException`` is an ``OSError``, so it is covered too.
LIBRARY_ERRORS: tuple[type[BaseException], ...] = (
    OSError, anyio.BrokenResourceError, anyio.ClosedResourceError,
    anyio.BusyResourceError,
)


@contextlib.contextmanager
def translate_errors(what: str, extra: tuple[type[BaseException], ...] = ()
                     ) -> Iterator[None]:
    """Re-raise a library error as ``TransportError("<what>: <error>")`` keeping the cause."""
    try:
        yield
    except TransportError:
        raise
    except (*LIBRARY_ERRORS, *extra) as exc:
        raise TransportError(f"{what}: {_describe(exc)}") from exc


def _describe(exc: BaseException) -> str:
    """``Name: message``, followed down the cause chain (anyio wraps OS errors bare)."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    inner = exc.__cause__ or exc.__context__
    return f"{text} ({_describe(inner)})" if inner is not None and not str(exc) else text


@runtime_checkable
class ByteStreamTransport(Protocol):
    """An ordered, reliable byte stream (tcp, quectel+tcp, memory)."""

    kind: ClassVar[str]  # always "stream"

    async def send(self, data: bytes) -> None:
        """Send all of ``data`` (returns once it has been handed to the OS/modem)."""

    async def receive(self, max_bytes: int = 65536) -> bytes:
        """Return 1..max_bytes bytes, or ``b""`` at end of stream."""

    async def aclose(self) -> None:
        """Close the transport; idempotent."""


@runtime_checkable
class DatagramTransport(Protocol):
    """Whole datagrams, unordered and unreliable (udp, quectel+udp, sms)."""

    kind: ClassVar[str]  # always "datagram"
    max_datagram: int    # the largest datagram ``send`` accepts

    async def send(self, datagram: bytes) -> None:
        """Send one datagram of 1..max_datagram bytes (``ValueError`` otherwise)."""

    async def receive(self) -> bytes:
        """Return the next whole datagram, or ``b""`` once the transport has ended."""

    async def aclose(self) -> None:
        """Close the transport; idempotent."""


@runtime_checkable
class Listener(Protocol):
    """The server side: hands out one connected transport per peer."""

    address: tuple[str, int] | str  # where it listens (port resolved when 0 was asked)

    async def accept(self) -> ByteStreamTransport | DatagramTransport:
        """Wait for the next peer and return its transport."""

    async def aclose(self) -> None:
        """Stop listening; already accepted transports stay open."""


class ListenerIterationMixin:
    """``async for t in listener`` accepts peers until the listener is closed."""

    def __aiter__(self) -> ListenerIterationMixin:
        return self

    async def __anext__(self) -> ByteStreamTransport | DatagramTransport:
        try:
            return await self.accept()  # type: ignore[attr-defined]
        except TransportError as exc:
            if isinstance(exc.__cause__, anyio.ClosedResourceError):
                raise StopAsyncIteration from None
            raise


def check_datagram(datagram: bytes, max_datagram: int) -> None:
    """Refuse an empty or oversized datagram before it reaches the wire."""
    if not 1 <= len(datagram) <= max_datagram:
        raise ValueError(f"datagram length {len(datagram)} is outside 1..{max_datagram}")


def check_max_bytes(max_bytes: int) -> None:
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be >= 1, got {max_bytes}")


class ChunkStream:
    """A byte stream over something that moves chunks (``_send_chunk``/``_receive_chunk``):
    ``receive(max_bytes)`` hands a long chunk out in pieces."""

    kind: ClassVar[str] = "stream"
    _left_over = b""

    async def send(self, data: bytes) -> None:
        if data:
            await self._send_chunk(bytes(data))  # type: ignore[attr-defined]

    async def receive(self, max_bytes: int = 65536) -> bytes:
        check_max_bytes(max_bytes)
        data = self._left_over or await self._receive_chunk()  # type: ignore[attr-defined]
        self._left_over = data[max_bytes:]
        return data[:max_bytes]


class ChunkDatagram:
    """A datagram link over something that moves chunks: one chunk is one datagram."""

    kind: ClassVar[str] = "datagram"
    max_datagram: int

    async def send(self, datagram: bytes) -> None:
        check_datagram(datagram, self.max_datagram)
        await self._send_chunk(bytes(datagram))  # type: ignore[attr-defined]

    async def receive(self) -> bytes:
        return await self._receive_chunk()  # type: ignore[attr-defined]
