"""``memory://name``: two ends joined inside one process, for tests and demos.

The first ``open_transport("memory://name")`` gets one end, the second opener the
other (the name is then free again). If ``open_listener("memory://name")`` is
listening, every opener is joined to a fresh end handed to ``accept()``.
``memory_pair()`` makes a joined pair directly. ``?kind=datagram`` gives datagram
ends (whole messages, ``max_datagram`` bytes at most) instead of a byte stream.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar
from urllib.parse import SplitResult

import anyio
from anyio.abc import AsyncResource
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from ..errors import TransportError
from ._base import ChunkDatagram, ChunkStream, ListenerIterationMixin, translate_errors
from ._url import url_options

__all__ = ["MemoryStream", "MemoryDatagram", "MemoryListener", "memory_pair",
           "open_transport", "open_listener"]

#: Chunks buffered in each direction before ``send`` waits for the reader.
BUFFERED_CHUNKS = 64
MAX_DATAGRAM = 65507

_waiting: dict[str, _MemoryEnd] = {}
_listeners: dict[str, MemoryListener] = {}


class _MemoryEnd(AsyncResource):
    kind: ClassVar[str]

    def __init__(self, outgoing: MemoryObjectSendStream[bytes],
                 incoming: MemoryObjectReceiveStream[bytes], name: str) -> None:
        self.name = name
        self._outgoing = outgoing
        self._incoming = incoming
        self._ended = False

    async def _send_chunk(self, chunk: bytes) -> None:
        with translate_errors(f"memory://{self.name} send"):
            await self._outgoing.send(chunk)

    async def _receive_chunk(self) -> bytes:
        if self._ended:
            return b""
        try:
            return await self._incoming.receive()
        except anyio.EndOfStream:
            self._ended = True
            return b""
        except anyio.ClosedResourceError as exc:
            raise TransportError(f"memory://{self.name} receive: transport is closed") from exc

    async def aclose(self) -> None:
        self._outgoing.close()
        self._incoming.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} memory://{self.name}>"


class MemoryStream(ChunkStream, _MemoryEnd):
    """One end of an in-process byte stream."""


class MemoryDatagram(ChunkDatagram, _MemoryEnd):
    """One end of an in-process datagram link (nothing is lost or reordered)."""

    max_datagram: int = MAX_DATAGRAM


_KINDS: dict[str, type[_MemoryEnd]] = {"stream": MemoryStream, "datagram": MemoryDatagram}


def memory_pair(name: str = "pair", kind: str = "stream") -> tuple[Any, Any]:
    """Two joined ends, ``kind`` ``"stream"`` (``MemoryStream``) or ``"datagram"``."""
    try:
        end_class = _KINDS[kind]
    except KeyError:
        raise ValueError(f"memory kind must be one of {sorted(_KINDS)}, got {kind!r}") from None
    a_send, b_receive = anyio.create_memory_object_stream[bytes](BUFFERED_CHUNKS)
    b_send, a_receive = anyio.create_memory_object_stream[bytes](BUFFERED_CHUNKS)
    return end_class(a_send, a_receive, name), end_class(b_send, b_receive, name)


class MemoryListener(AsyncResource, ListenerIterationMixin):
    """Accepts every ``open_transport("memory://<name>")`` while open."""

    def __init__(self, name: str, kind: str) -> None:
        self.address = name
        self.kind = kind
        self._queue_in, self._queue_out = anyio.create_memory_object_stream[_MemoryEnd](math.inf)

    def _connect(self) -> _MemoryEnd:
        client, server = memory_pair(self.address, self.kind)
        try:
            self._queue_in.send_nowait(server)
        except anyio.ClosedResourceError as exc:
            raise TransportError(f"memory://{self.address}: listener closed") from exc
        return client

    async def accept(self) -> Any:
        with translate_errors(f"memory://{self.address} accept"):
            return await self._queue_out.receive()

    async def aclose(self) -> None:
        if _listeners.get(self.address) is self:
            del _listeners[self.address]
        self._queue_in.close()
        self._queue_out.close()


def _name_and_kind(url: SplitResult, options: dict[str, Any]) -> tuple[str, str]:
    name = url.netloc + url.path
    if not name:
        raise ValueError(f"no name in {url.geturl()!r} (expected memory://name)")
    kind = url_options(url, {"kind": str}, options).get("kind", "stream")
    if kind not in _KINDS:
        raise ValueError(f"memory kind must be one of {sorted(_KINDS)}, got {kind!r}")
    return name, kind


async def open_transport(url: SplitResult, **options: Any) -> Any:
    name, kind = _name_and_kind(url, options)
    if name in _listeners:
        return _listeners[name]._connect()
    waiting = _waiting.pop(name, None)
    if waiting is None:
        first, _waiting[name] = memory_pair(name, kind)
        return first
    if waiting.kind != kind:
        raise ValueError(f"memory://{name} was opened as {waiting.kind!r}, not {kind!r}")
    return waiting


async def open_listener(url: SplitResult, **options: Any) -> MemoryListener:
    name, kind = _name_and_kind(url, options)
    if name in _listeners:
        raise TransportError(f"memory://{name} already has a listener")
    listener = _listeners[name] = MemoryListener(name, kind)
    return listener
